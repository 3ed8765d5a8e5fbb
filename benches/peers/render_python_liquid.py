"""Peer for `cargo bench --bench render`: python-liquid renders the prepared template of DIR with
each record of DIR/data.json in turn, parsing once, for about SECONDS; prints messages/second."""

import json
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


def main():
    folder, seconds = Path(sys.argv[1]), float(sys.argv[2] if len(sys.argv) > 2 else 3)
    env = Environment(loader=CachingFileSystemLoader(folder, ext=".liquid"))
    env.filters["money"] = money
    env.filters["url_param"] = url_param
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
