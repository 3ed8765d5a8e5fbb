// Peer for `cargo bench --bench render`: liquidjs renders the prepared template of DIR with each
// record of DIR/data.json in turn, parsing once, for about SECONDS; prints messages per second.
const fs = require("fs");
const path = require("path");
const { Liquid } = require("liquidjs");

const [dir, seconds] = [process.argv[2], Number(process.argv[3] || 3)];
const engine = new Liquid({ root: [dir], extname: ".liquid", cache: true });
// tailor's filters, implemented natively, so the comparison is like for like.
engine.registerFilter("money", (amount) => {
  const [whole, cents] = Math.abs(amount).toFixed(2).split(".");
  return (amount < 0 ? "-" : "") + "$" + whole.replace(/\B(?=(\d{3})+(?!\d))/g, ",") + "." + cents;
});
engine.registerFilter("url_param", (url, key, value) =>
  url + (url.includes("?") ? "&" : "?") + encodeURIComponent(key) + "=" + encodeURIComponent(value));
// tailor's `safe_url`: http(s), mailto, tel and relative URLs kept, any other scheme `#`.
engine.registerFilter("safe_url", (url) => {
  if (url === null || url === undefined) return url;
  const text = String(url);
  const match = /^([a-zA-Z0-9+.-]+):/.exec(text.replace(/^[\s\x00-\x1f]+/, "").replace(/[\t\n\r]/g, ""));
  return match && !["http", "https", "mailto", "tel"].includes(match[1].toLowerCase()) ? "#" : text;
});
const template = engine.parse(fs.readFileSync(path.join(dir, "template.liquid"), "utf8"));
const records = JSON.parse(fs.readFileSync(path.join(dir, "data.json"), "utf8"));
let count = 0;
const start = process.hrtime.bigint();
let elapsed = 0;
while (elapsed < seconds) {
  for (const record of records) {
    engine.renderSync(template, record);
    count += 1;
  }
  elapsed = Number(process.hrtime.bigint() - start) / 1e9;
}
console.log((count / elapsed).toFixed(0));
