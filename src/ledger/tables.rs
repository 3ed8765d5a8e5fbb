//! The ledger's tables, and the statements on them that more than one file runs: the sends
//! and suppression list (layout 1), arm assignments and rollout decisions (layout 3). The lease's
//! table is in [`super::lease`]. Plain functions of a connection, so that the files holding
//! `Ledger`'s methods import this one and never each other.

use rusqlite::{params, Connection, OptionalExtension};

use crate::model::RolloutDecision;

/// The sends and the suppression list (layout 1).
pub(super) const SCHEMA: &str = "
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

/// Records (campaign, key) in `arm` at `now`, unless it is already assigned.
pub(super) fn assign(connection: &Connection, campaign: &str, key: &str, arm: &str, now: i64) -> rusqlite::Result<()> {
    connection
        .prepare_cached(
            "INSERT INTO assignments (campaign, profile_key, arm, assigned_at) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT DO NOTHING",
        )?
        .execute(params![campaign, key, arm, now])?;
    Ok(())
}

/// Every decision in the ledger open on `connection` (none in a ledger without the table).
pub(super) fn read_decisions(connection: &Connection) -> rusqlite::Result<Vec<(String, RolloutDecision)>> {
    let exists: Option<String> = connection
        .query_row(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'rollouts'",
            [],
            |r| r.get(0),
        )
        .optional()?;
    if exists.is_none() {
        return Ok(Vec::new());
    }
    let mut statement =
        connection.prepare("SELECT campaign, winner, decided_at, reason FROM rollouts ORDER BY campaign")?;
    let rows = statement.query_map([], |r| {
        Ok((
            r.get(0)?,
            RolloutDecision {
                winner: r.get(1)?,
                decided_at: r.get(2)?,
                reason: r.get(3)?,
            },
        ))
    })?;
    rows.collect()
}
