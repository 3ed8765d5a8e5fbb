"""Peer for `cargo bench --bench render`: python-liquid renders the prepared template of DIR with
each record of DIR/data.json in turn, parsing once, for about SECONDS; prints messages/second."""

import json
import re
import sys
import time
from pathlib import Path
from urllib.parse import quote

from liquid import CachingFileSystemLoader, Environment


def money(amount):
    """tailor's `money`, natively: $1,234.50."""
    sign = "-" if amount < 0 else ""
    return f"{sign}${abs(amount):,.2f}"


def url_param(url, key, value):
    """tailor's `url_param`, natively."""
    joiner = "&" if "?" in url else "?"
    return f"{url}{joiner}{quote(str(key), safe='')}={quote(str(value), safe='')}"


SAFE_SCHEMES = {"http", "https", "mailto", "tel"}
SCHEME = re.compile(r"^([a-zA-Z0-9+.-]+):")


def safe_url(url):
    """tailor's `safe_url`, natively: http(s), mailto, tel and relative URLs kept, else `#`."""
    if url is None:
        return url
    text = str(url)
    cleaned = re.sub(r"[\t\n\r]", "", text.lstrip(" \t\n\r\x00\x01\x02\x03\x04\x05\x06\x07\x08\x0b\x0c"))
    match = SCHEME.match(cleaned)
    return "#" if match and match.group(1).lower() not in SAFE_SCHEMES else text


def main():
    folder, seconds = Path(sys.argv[1]), float(sys.argv[2] if len(sys.argv) > 2 else 3)
    env = Environment(loader=CachingFileSystemLoader(folder, ext=".liquid"))
    env.filters["money"] = money
    env.filters["url_param"] = url_param
    env.filters["safe_url"] = safe_url
    template = env.from_string((folder / "template.liquid").read_text())
    records = json.loads((folder / "data.json").read_text())
    count, start, elapsed = 0, time.perf_counter(), 0.0
    while elapsed < seconds:
        for record in records:
            template.render(**record)
            count += 1
        elapsed = time.perf_counter() - start
    print(round(count / elapsed))


main()
