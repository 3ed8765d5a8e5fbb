// Draws `tailor personas --format svg` in headless Chromium (playwright-core) and measures it:
// how many share and index bars there are, which labels are shown, and whether any two texts
// overlap. Prints {"shares", "indexes", "texts", "labels", "overlaps"}.
//
// usage: node persona_chart.cjs FILE.svg
const { chromium } = require("playwright-core");
const { pathToFileURL } = require("url");

async function main() {
  const [file] = process.argv.slice(2);
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"],
  });
  try {
    const page = await browser.newPage();
    await page.goto(pathToFileURL(file).href);
    const chart = await page.evaluate(() => {
      const texts = [...document.querySelectorAll("text")].map((t) => {
        const box = t.getBoundingClientRect();
        return { text: t.textContent, left: box.left, right: box.right, top: box.top, bottom: box.bottom };
      });
      let overlaps = 0;
      for (let i = 0; i < texts.length; i++) {
        for (let j = i + 1; j < texts.length; j++) {
          const a = texts[i];
          const b = texts[j];
          if (a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom) {
            overlaps += 1;
          }
        }
      }
      return {
        shares: document.querySelectorAll("rect.share").length,
        indexes: document.querySelectorAll("rect.index").length,
        texts: texts.length,
        labels: texts.filter((t) => t.top > 60).map((t) => t.text),
        overlaps,
      };
    });
    console.log(JSON.stringify(chart));
  } finally {
    await browser.close();
  }
}

main().catch((error) => {
  console.error(String(error && error.stack ? error.stack : error));
  process.exit(1);
});
