// Drives `tailor preview --watch` in headless Chromium (playwright-core): loads the page,
// checks it shows FROM, edits FILE replacing FROM by TO, and waits for the page to reload
// itself and show TO. Prints {"reloaded_ms": N} on success.
//
// usage: node watch.cjs URL FILE FROM TO
const { chromium } = require("playwright-core");
const fs = require("fs");

async function main() {
  const [url, file, from, to] = process.argv.slice(2);
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
  try {
    const page = await browser.newPage();
    await page.goto(url);
    // A reload left over from an earlier edit may still come: wait for a settled page.
    const loaded = Date.now();
    for (;;) {
      const now = await page.content().catch(() => "");
      if (now.includes(from)) break;
      if (Date.now() - loaded > 10000) {
        throw new Error(`the page does not show ${JSON.stringify(from)} before the edit`);
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    let reloads = 0;
    page.on("load", () => reloads++);
    const start = Date.now();
    fs.writeFileSync(file, fs.readFileSync(file, "utf8").replace(from, to));
    // The page must reload by itself (nobody navigates it here) and then show the edit.
    for (;;) {
      if (reloads > 0) {
        const now = await page.content().catch(() => "");
        if (now.includes(to)) break;
      }
      if (Date.now() - start > 10000) {
        throw new Error(`after ${reloads} reloads the page does not show ${JSON.stringify(to)}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    console.log(JSON.stringify({ reloaded_ms: Date.now() - start, reloads }));
  } finally {
    await browser.close();
  }
}

main().catch((error) => {
  console.error(String(error && error.stack ? error.stack : error));
  process.exit(1);
});
