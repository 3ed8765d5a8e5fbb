//! Who is in which arm of a campaign, and since when: one row per (campaign, profile key),
//! written the first time the profile is sent a variant (in the transaction that reserves the
//! send) or held out (when the campaign would have sent to it). A holdout member's outcomes
//! count from that moment, as a recipient's count from their first send; the report reads it.

use rusqlite::OptionalExtension;

use super::tables::assign;
use super::{Ledger, LedgerError};

/// The arm name a held-out profile is recorded under.
pub const HOLDOUT_ARM: &str = "holdout";

/// One profile's arm of one campaign.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assigned {
    /// The profile key.
    pub key: String,
    /// The arm: a variant's name or [`HOLDOUT_ARM`].
    pub arm: String,
    /// When it was first sent or held out (Unix seconds).
    pub at: i64,
}

/// One send of a campaign as the report reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SentMessage {
    /// The profile key.
    pub key: String,
    /// The variant.
    pub variant: String,
    /// The Message-ID (`<hash@domain>`).
    pub message_id: String,
    /// `sent`, `failed`, ...
    pub state: String,
    /// When it was sent (or last tried).
    pub at: i64,
}

/// What the ledger at a path knows of one campaign's arms.
#[derive(Debug, Clone, Default)]
pub struct CampaignRecord {
    /// Every assigned profile, by key.
    pub assigned: Vec<Assigned>,
    /// Every send row, by key then time.
    pub sends: Vec<SentMessage>,
}

impl Ledger {
    /// Records the held-out members of `campaign` whose send would have been due now.
    pub fn hold_out(&mut self, campaign: &str, keys: &[&str], now: i64) -> Result<(), LedgerError> {
        if keys.is_empty() {
            return Ok(());
        }
        self.in_transaction(|ledger| {
            for key in keys {
                assign(ledger.connection(), campaign, key, HOLDOUT_ARM, now).map_err(|e| ledger.fail(e))?;
            }
            Ok(())
        })
    }

    /// The arms and sends of `campaign` in the ledger at `path`, opened read-only; empty when
    /// there is no ledger. A ledger from before layout 3 has no assignments: each sent
    /// profile's first send stands for it (and holdout members are unknown).
    pub fn campaign_record(path: &std::path::Path, campaign: &str) -> Result<CampaignRecord, LedgerError> {
        if !path.exists() {
            return Ok(CampaignRecord::default());
        }
        let connection = Ledger::open_read_only(path)?;
        let fail = |e: rusqlite::Error| Ledger::error(path, e);
        let has_assignments: Option<String> = connection
            .query_row(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'assignments'",
                [],
                |r| r.get(0),
            )
            .optional()
            .map_err(fail)?;
        let mut record = CampaignRecord::default();
        let mut statement = connection
            .prepare(
                "SELECT profile_key, variant, message_id, state, at FROM sends WHERE campaign = ?1
                 ORDER BY profile_key, at, occurrence",
            )
            .map_err(fail)?;
        record.sends = statement
            .query_map([campaign], |r| {
                Ok(SentMessage {
                    key: r.get(0)?,
                    variant: r.get(1)?,
                    message_id: r.get(2)?,
                    state: r.get(3)?,
                    at: r.get(4)?,
                })
            })
            .map_err(fail)?
            .collect::<Result<_, _>>()
            .map_err(fail)?;
        let query = if has_assignments.is_some() {
            "SELECT profile_key, arm, assigned_at FROM assignments WHERE campaign = ?1 ORDER BY profile_key"
        } else {
            "SELECT profile_key, variant, MIN(at) FROM sends WHERE campaign = ?1 AND state = 'sent'
             GROUP BY profile_key ORDER BY profile_key"
        };
        let mut statement = connection.prepare(query).map_err(fail)?;
        record.assigned = statement
            .query_map([campaign], |r| {
                Ok(Assigned {
                    key: r.get(0)?,
                    arm: r.get(1)?,
                    at: r.get(2)?,
                })
            })
            .map_err(fail)?
            .collect::<Result<_, _>>()
            .map_err(fail)?;
        Ok(record)
    }
}
