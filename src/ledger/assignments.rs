//! Who is in which arm of a campaign, and since when: one row per (campaign, profile key),
//! written the first time the profile is sent a variant (in the transaction that reserves the
//! send) or held out (when the campaign would have sent to it). A holdout member's outcomes
//! count from that moment, as a recipient's count from their first send; the report reads it.

use super::database::Database;
use super::tables::assign;
use super::{Ledger, LedgerError};
use crate::model::LedgerLocation;

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
        let arms: Vec<(&str, &str, &str)> = keys.iter().map(|key| (campaign, *key, HOLDOUT_ARM)).collect();
        self.in_transaction(|ledger| assign(&ledger.database, &arms, now).map_err(|e| ledger.fail(e)))
    }

    /// The arms and sends of `campaign` in the ledger at `location`, opened read-only; empty
    /// when there is no ledger. A ledger from before layout 3 has no assignments: each sent
    /// profile's first send stands for it (and holdout members are unknown).
    pub fn campaign_record(location: &LedgerLocation, campaign: &str) -> Result<CampaignRecord, LedgerError> {
        match Ledger::read_only(location)? {
            Some(database) => read_record(&database, campaign).map_err(|e| Ledger::error(location, e)),
            None => Ok(CampaignRecord::default()),
        }
    }
}

/// What the ledger open on `database` knows of `campaign`: sends by key, time and occurrence;
/// assignments by key (sorted here, bytewise).
fn read_record(database: &Database, campaign: &str) -> Result<CampaignRecord, String> {
    let mut sends = Vec::new();
    for row in database.query(
        "SELECT profile_key, variant, message_id, state, at, occurrence FROM sends WHERE campaign = ?1",
        &[campaign.into()],
    )? {
        let message = SentMessage {
            key: row.text(0)?,
            variant: row.text(1)?,
            message_id: row.text(2)?,
            state: row.text(3)?,
            at: row.int(4)?,
        };
        sends.push((message, row.text(5)?));
    }
    sends.sort_by(|(a, a_occurrence), (b, b_occurrence)| {
        (&a.key, a.at, a_occurrence).cmp(&(&b.key, b.at, b_occurrence))
    });
    let query = if database.has_table("assignments")? {
        "SELECT profile_key, arm, assigned_at FROM assignments WHERE campaign = ?1"
    } else {
        // Only an old SQLite ledger lacks the table: its bare `variant` is the earliest send's.
        "SELECT profile_key, variant, MIN(at) FROM sends WHERE campaign = ?1 AND state = 'sent' GROUP BY profile_key"
    };
    let mut assigned = database
        .query(query, &[campaign.into()])?
        .iter()
        .map(|row| {
            Ok(Assigned {
                key: row.text(0)?,
                arm: row.text(1)?,
                at: row.int(2)?,
            })
        })
        .collect::<Result<Vec<_>, String>>()?;
    assigned.sort_by(|a, b| a.key.cmp(&b.key));
    Ok(CampaignRecord {
        assigned,
        sends: sends.into_iter().map(|(message, _)| message).collect(),
    })
}
