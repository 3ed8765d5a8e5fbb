// Checks the layout of the `tailor preview --watch` page in headless Chromium (playwright-core):
// no text part overflows its card, and each sample's HTML view switches between the desktop and
// mobile widths. Prints {"samples", "overflowing", "wide", "mobile", "desktop", "sent"}.
//
// usage: node watch_layout.cjs URL
const { chromium } = require("playwright-core");

async function main() {
  const [url] = process.argv.slice(2);
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"],
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await page.goto(url);
    const layout = await page.evaluate(() => {
      const samples = [...document.querySelectorAll(".sample")];
      const overflowing = [...document.querySelectorAll(".sample pre")].filter(
        (pre) => pre.scrollWidth > pre.clientWidth + 1 || pre.getBoundingClientRect().right > pre.closest(".sample").getBoundingClientRect().right + 1
      ).length;
      // A card is as wide as its HTML view (600px and padding), however long a line of text is.
      const wide = samples.filter((sample) => sample.getBoundingClientRect().width > 650).length;
      return { samples: samples.length, overflowing, wide, sent: document.querySelectorAll(".sent").length };
    });
    const frame = page.locator(".sample iframe").first();
    await page.locator(".sample").first().getByRole("button", { name: /mobile/ }).click();
    const mobile = (await frame.boundingBox()).width;
    await page.locator(".sample").first().getByRole("button", { name: /desktop/ }).click();
    const desktop = (await frame.boundingBox()).width;
    console.log(JSON.stringify({ ...layout, mobile, desktop }));
  } finally {
    await browser.close();
  }
}

main().catch((error) => {
  console.error(String(error && error.stack ? error.stack : error));
  process.exit(1);
});
