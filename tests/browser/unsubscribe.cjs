// Drives `tailor serve`'s unsubscribe page in headless Chromium (playwright-core): opens the
// link from an email, checks the confirmation page, presses its button and waits for the
// confirmation. Prints {"heading": ..., "confirmed": ...} on success.
//
// usage: node unsubscribe.cjs URL
const { chromium } = require("playwright-core");

async function main() {
  const [url] = process.argv.slice(2);
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"],
  });
  try {
    const page = await browser.newPage();
    const response = await page.goto(url);
    if (response.status() !== 200) throw new Error(`the page answered ${response.status()}`);
    const heading = await page.textContent("h1");
    await Promise.all([page.waitForNavigation(), page.click("button[type=submit]")]);
    const confirmed = await page.textContent("h1");
    console.log(JSON.stringify({ heading, confirmed }));
  } finally {
    await browser.close();
  }
}

main().catch((error) => {
  console.error(String(error && error.stack ? error.stack : error));
  process.exit(1);
});
