"""The benchmark's peer: DuckDB loads the same files (Parquet, NDJSON or CSV) and computes the
demo workspace's features and segments (campaigns/features.yaml, campaigns/segments.yaml) in SQL.
Prints three numbers: load seconds, features+segments seconds, and the process's peak resident
memory in MiB (DuckDB runs inside it).

usage: duckdb_features.py DATA NOW [RUNS] [FORMAT]"""
import sys
import time

import duckdb

data, now = sys.argv[1], sys.argv[2]
runs = int(sys.argv[3]) if len(sys.argv) > 3 else 1
form = sys.argv[4] if len(sys.argv) > 4 else "parquet"
# The columns as the data schema declares them (campaigns/data.yaml), as tailor reads them.
PROFILE_COLUMNS = {
    "id": "VARCHAR", "email": "VARCHAR", "first_name": "VARCHAR", "city": "VARCHAR", "tz": "VARCHAR",
    "tier": "VARCHAR", "interests": "VARCHAR[]", "signup_at": "TIMESTAMPTZ", "birthday": "DATE",
    "email_opt_in": "BOOLEAN", "unsubscribed_at": "TIMESTAMPTZ",
}
EVENT_COLUMNS = {
    "event_id": "VARCHAR", "user_id": "VARCHAR", "type": "VARCHAR", "ts": "TIMESTAMPTZ", "url": "VARCHAR",
    "category": "VARCHAR", "product_id": "VARCHAR", "price": "DOUBLE", "quantity": "BIGINT",
    "order_id": "VARCHAR", "total": "DOUBLE", "campaign": "VARCHAR", "variant": "VARCHAR",
    "message_id": "VARCHAR", "machine": "BOOLEAN",
}


def reader(name, columns):
    """The table function reading `name` in the benchmark's format, typed as declared."""
    path = f"{data}/{name}.{form}"
    if form == "parquet":
        return f"read_parquet('{path}')"
    if form == "ndjson":
        listed = ", ".join(f"'{k}': '{v}'" for k, v in columns.items())
        return f"read_ndjson('{path}', columns = {{{listed}}})"
    # CSV: the declared columns the header has; a list is one `;`-separated cell.
    with open(path, encoding="utf-8") as file:
        header = file.readline().strip().split(",")
    typed = {k: ("VARCHAR" if v.endswith("[]") else v) for k, v in columns.items() if k in header}
    listed = ", ".join(f"'{k}': '{v}'" for k, v in typed.items())
    return f"read_csv('{path}', header = true, types = {{{listed}}})"


def run():
    con = duckdb.connect()
    start = time.perf_counter()
    con.execute(f"CREATE TABLE profiles AS SELECT * FROM {reader('profiles', PROFILE_COLUMNS)}")
    con.execute(f"CREATE TABLE events AS SELECT * FROM {reader('events', EVENT_COLUMNS)}")
    loaded = time.perf_counter()
    T = f"TIMESTAMPTZ '{now}'"
    con.execute(f"""
    CREATE TABLE features AS
    WITH ev AS (SELECT * FROM events WHERE ts <= {T})
    SELECT p.id, p.tier, p.city, p.signup_at,
      count(*) FILTER (WHERE e.type = 'purchase' AND e.ts >= {T} - INTERVAL 90 DAY) AS orders_90d,
      count(*) FILTER (WHERE e.type = 'purchase' AND e.ts >= {T} - INTERVAL 365 DAY) AS orders_365d,
      avg(e.total) FILTER (WHERE e.type = 'purchase' AND e.ts >= {T} - INTERVAL 365 DAY) AS avg_basket,
      coalesce(sum(e.total) FILTER (WHERE e.type = 'purchase'), 0) AS lifetime_spend,
      max(e.ts) FILTER (WHERE e.type = 'page_view') AS last_seen_at,
      epoch({T} - coalesce(max(e.ts) FILTER (WHERE e.type = 'page_view'), p.signup_at)) / 86400.0 AS days_since_seen,
      epoch({T} - max(e.ts) FILTER (WHERE e.type = 'purchase')) / 86400.0 AS days_since_order,
      count(*) FILTER (WHERE e.type = 'page_view' AND e.category = 'sneakers' AND e.ts >= {T} - INTERVAL 7 DAY) AS sneaker_views_7d,
      (array_agg(e.product_id ORDER BY e.ts DESC) FILTER (WHERE e.type = 'page_view' AND e.product_id IS NOT NULL AND e.ts >= {T} - INTERVAL 30 DAY))[1:3] AS recent_products,
      arg_max(e.category, e.ts) FILTER (WHERE e.type = 'page_view' AND e.ts >= {T} - INTERVAL 30 DAY) AS favourite_category,
      count(*) FILTER (WHERE e.type = 'email_open' AND e.ts >= {T} - INTERVAL 30 DAY) > 0 AS opened_email_30d,
      count(*) FILTER (WHERE e.type = 'purchase' AND e.ts >= {T} - INTERVAL 7 DAY) AS orders_7d
    FROM profiles p LEFT JOIN ev e ON e.user_id = p.id
    GROUP BY p.id, p.tier, p.city, p.signup_at
    """)
    segments = con.execute("""
    SELECT
      count(*) FILTER (WHERE days_since_seen <= 30) AS active,
      count(*) FILTER (WHERE sneaker_views_7d >= 1 AND orders_7d = 0) AS recent_sneaker_browsers,
      count(*) FILTER (WHERE orders_90d >= 3 OR (tier = 'gold' AND orders_90d >= 1)) AS loyal,
      count(*) FILTER (WHERE orders_365d >= 1 AND days_since_seen >= 60) AS churn_risk,
      count(*) FILTER (WHERE city = 'New York') AS new_yorkers
    FROM features
    """).fetchall()
    done = time.perf_counter()
    return loaded - start, done - loaded, segments


results = [run() for _ in range(runs)]
loads = sorted(r[0] for r in results)
features = sorted(r[1] for r in results)
# The process's own high-water mark (getrusage's maxrss would carry the parent's over exec).
with open("/proc/self/status", encoding="utf-8") as status:
    peak_mib = next(int(line.split()[1]) for line in status if line.startswith("VmHWM:")) / 1024
print(f"{loads[len(loads) // 2]:.3f} {features[len(features) // 2]:.3f} {peak_mib:.0f}")
print(results[0][2], file=sys.stderr)
