//! The ledger's tables, and the statements on them that more than one file runs: the sends
//! and suppression list (layout 1), the lease (layout 2), arm assignments and rollout decisions
//! (layout 3), and which run reserved each send (layout 4). Written in SQLite's words; a
//! PostgreSQL ledger uses the same tables with 64-bit integers ([`postgres_layout`]), and a
//! lease table of many rows, one per sender. Plain functions of a database, so that the files
//! holding `Ledger`'s methods import this one and never each other.

use super::database::{values_rows, Database, Param, ROWS_PER_STATEMENT};
use crate::model::RolloutDecision;

/// The sends and the suppression list (layout 1; `worker` from layout 4).
pub(super) const SENDS_SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS sends (
    campaign     TEXT    NOT NULL,
    profile_key  TEXT    NOT NULL,
    occurrence   TEXT    NOT NULL,
    state        TEXT    NOT NULL CHECK (state IN ('reserved', 'sent', 'failed', 'deferred', 'uncertain')),
    variant      TEXT    NOT NULL,
    message_id   TEXT    NOT NULL,
    at           INTEGER NOT NULL,  -- the run's now when reserved, then when sent (Unix seconds)
    updated_at   INTEGER NOT NULL,  -- the run's now of the latest change
    attempts     INTEGER NOT NULL DEFAULT 0,
    reply        TEXT,              -- the server's last answer, or what went wrong
    worker       TEXT    NOT NULL DEFAULT '',  -- the lease token of the run holding it reserved
    PRIMARY KEY (campaign, profile_key, occurrence)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS sends_by_state ON sends (state);
CREATE TABLE IF NOT EXISTS suppressions (
    address   TEXT    NOT NULL PRIMARY KEY,  -- lowercased
    reason    TEXT    NOT NULL,
    source    TEXT    NOT NULL,              -- smtp, add, import
    added_at  INTEGER NOT NULL
) WITHOUT ROWID;
";

/// Who is in which arm of a campaign, and since when (layout 3).
pub(super) const ASSIGNMENTS_SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS assignments (
    campaign     TEXT    NOT NULL,
    profile_key  TEXT    NOT NULL,
    arm          TEXT    NOT NULL,  -- a variant's name, or 'holdout'
    assigned_at  INTEGER NOT NULL,  -- the run's now when first sent or held out (Unix seconds)
    PRIMARY KEY (campaign, profile_key)
) WITHOUT ROWID;
";

/// Rollout decisions, one per campaign (layout 3).
pub(super) const ROLLOUTS_SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS rollouts (
    campaign    TEXT    NOT NULL PRIMARY KEY,
    winner      TEXT    NOT NULL,
    decided_at  INTEGER NOT NULL,  -- the run's now (Unix seconds)
    reason      TEXT    NOT NULL   -- the decision and its figures, in words
) WITHOUT ROWID;
";

/// The columns layout 4 added to tables an older layout created: (table, column, definition).
pub(super) const LAYOUT_4_COLUMNS: [(&str, &str, &str); 2] = [
    ("sends", "worker", "TEXT NOT NULL DEFAULT ''"),
    ("lease", "shared", "INTEGER NOT NULL DEFAULT 0"),
];

/// `layout`, written for SQLite, in PostgreSQL's words: integers are 64-bit (`BIGINT`, which
/// the ledger's `i64` parameters are), and every table has a primary key, so `WITHOUT ROWID`
/// has no counterpart.
pub(super) fn postgres_layout(layout: &str) -> String {
    layout.replace(" WITHOUT ROWID", "").replace("INTEGER", "BIGINT")
}

/// Records each (campaign, key) of `arms` in its arm at `now`, unless it is already assigned
/// (the first of a (campaign, key) given twice stands).
pub(super) fn assign(database: &Database, arms: &[(&str, &str, &str)], now: i64) -> Result<(), String> {
    for chunk in arms.chunks(ROWS_PER_STATEMENT) {
        let sql = format!(
            "INSERT INTO assignments (campaign, profile_key, arm, assigned_at) VALUES {} ON CONFLICT DO NOTHING",
            values_rows("(?, ?, ?, ?)", chunk.len())
        );
        let mut params = Vec::with_capacity(chunk.len() * 4);
        for (campaign, key, arm) in chunk {
            params.extend([Param::from(*campaign), (*key).into(), (*arm).into(), now.into()]);
        }
        database.execute(&sql, &params)?;
    }
    Ok(())
}

/// Every decision in the ledger open on `database` (none in a ledger without the table), by
/// campaign (sorted here, bytewise: a server's collation may order text otherwise).
pub(super) fn read_decisions(database: &Database) -> Result<Vec<(String, RolloutDecision)>, String> {
    if !database.has_table("rollouts")? {
        return Ok(Vec::new());
    }
    let mut decisions = database
        .query("SELECT campaign, winner, decided_at, reason FROM rollouts", &[])?
        .iter()
        .map(|row| {
            Ok((
                row.text(0)?,
                RolloutDecision {
                    winner: row.text(1)?,
                    decided_at: row.int(2)?,
                    reason: row.text(3)?,
                },
            ))
        })
        .collect::<Result<Vec<_>, String>>()?;
    decisions.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(decisions)
}
