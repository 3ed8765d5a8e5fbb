// Checks the layout of the `tailor preview --watch` page in headless Chromium (playwright-core):
// no text part overflows its card, and each sample's HTML view switches between the desktop and
// mobile widths. Prints {"samples", "overflowing", "wide", "mobile", "desktop", "sent", "reloads"}.
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
    let loads = 0;
    page.on("load", () => (loads += 1));
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
    // Click and measure in one task of the page, so that a live reload (the page reloads itself
    // when the workspace changes) cannot fall between the click and the measurement.
    const { mobile, desktop } = await page.evaluate(() => {
      const sample = document.querySelector(".sample");
      const frame = sample.querySelector("iframe");
      const widthAfterPressing = (name) => {
        [...sample.querySelectorAll(".widths button")].find((b) => b.textContent.includes(name)).click();
        return frame.getBoundingClientRect().width;
      };
      return { mobile: widthAfterPressing("mobile"), desktop: widthAfterPressing("desktop") };
    });
    // Nothing changes in the workspace, so the page must not reload itself (reading the workspace
    // to build the page once counted as a change, and the page reloaded for ever).
    await page.waitForTimeout(1500);
    console.log(JSON.stringify({ ...layout, mobile, desktop, reloads: loads - 1 }));
  } finally {
    await browser.close();
  }
}

main().catch((error) => {
  console.error(String(error && error.stack ? error.stack : error));
  process.exit(1);
});
