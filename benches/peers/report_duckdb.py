"""Peer for `cargo bench --bench report`: the A/B report of one campaign computed with DuckDB
(SQL over the events file and the ledger's tables) and statsmodels, as a data team would write
it by hand. Prints each arm's counts (JSON), which the benchmark also compares with tailor's.

usage: report_duckdb.py LEDGER EVENTS CAMPAIGN NOW WITHIN_SECONDS"""

import json
import sqlite3
import sys
from datetime import datetime

import duckdb
import pandas as pd
from statsmodels.stats.proportion import proportion_confint, proportions_ztest

ledger, events, campaign, now, within = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5])
now_s = int(datetime.fromisoformat(now.replace("Z", "+00:00")).timestamp())
with sqlite3.connect(ledger) as db:
    units = pd.read_sql_query(
        "SELECT profile_key AS key, arm, assigned_at AS since FROM assignments WHERE campaign = ? AND assigned_at <= ?",
        db,
        params=(campaign, now_s),
    )
    sent = pd.read_sql_query(
        "SELECT DISTINCT profile_key AS key FROM sends WHERE campaign = ? AND state = 'sent' AND at <= ?",
        db,
        params=(campaign, now_s),
    )
con = duckdb.connect()
con.register("units", units)
con.register("sent", sent)
source = (
    f"read_parquet('{events}')"
    if events.endswith(".parquet")
    else f"""read_json('{events}', format = 'newline_delimited', columns = {{user_id: 'VARCHAR', type: 'VARCHAR',
              ts: 'VARCHAR', campaign: 'VARCHAR', machine: 'BOOLEAN', total: 'DOUBLE'}})"""
)
con.execute(
    f"""CREATE TABLE events AS SELECT user_id, type, epoch(CAST(ts AS TIMESTAMPTZ))::BIGINT AS t, campaign, machine, total
        FROM {source}"""
)
arms = con.execute(
    f"""
    WITH u AS (
      SELECT units.*, sent.key IS NOT NULL AS delivered FROM units LEFT JOIN sent USING (key)
    ), engagement AS (
      SELECT u.key,
             bool_or(e.type = 'email_open' AND coalesce(e.machine, false) = false) AS person_open,
             bool_or(e.type = 'email_open' AND e.machine) AS machine_open,
             bool_or(e.type = 'email_click') AS clicked
      FROM u JOIN events e ON e.user_id = u.key
      WHERE u.delivered AND e.type IN ('email_open', 'email_click') AND e.campaign = '{campaign}'
        AND e.t >= u.since AND e.t <= {now_s}
      GROUP BY u.key
    ), goal AS (
      SELECT u.key, count(*) AS purchases, sum(coalesce(e.total, 0)) AS revenue
      FROM u JOIN events e ON e.user_id = u.key
      WHERE e.type = 'purchase' AND e.t >= u.since AND e.t <= u.since + {within} AND e.t <= {now_s}
      GROUP BY u.key
    )
    SELECT u.arm,
           count(*) AS units,
           count(*) FILTER (WHERE u.delivered) AS delivered,
           count(*) FILTER (WHERE g.person_open OR g.clicked) AS opens,
           count(*) FILTER (WHERE g.machine_open AND NOT (g.person_open OR g.clicked)) AS machine_opens,
           count(*) FILTER (WHERE g.clicked) AS clicks,
           count(*) FILTER (WHERE goal.purchases > 0) AS conversions,
           coalesce(sum(goal.revenue), 0) AS revenue
    FROM u LEFT JOIN engagement g USING (key) LEFT JOIN goal USING (key)
    GROUP BY u.arm ORDER BY u.arm
    """
).fetchdf()
result = {}
control = arms[arms.arm == "holdout"].iloc[0] if (arms.arm == "holdout").any() else arms.iloc[0]
for _, arm in arms.iterrows():
    low, high = proportion_confint(arm.conversions, arm.units, method="wilson")
    entry = {k: int(arm[k]) for k in ["units", "delivered", "opens", "machine_opens", "clicks", "conversions"]}
    entry["revenue"] = round(float(arm.revenue), 6)
    entry["wilson"] = [low, high]
    if arm.arm != control.arm:
        z, p = proportions_ztest([arm.conversions, control.conversions], [arm.units, control.units])
        entry["z"], entry["p"] = float(z), float(p)
    result[arm.arm] = entry
print(json.dumps(result, sort_keys=True))
