//! What the ledger records about one send: its identity, its reservation, how it ended.

use crate::model::SendState;

/// The identity of one send.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SendKey {
    /// The campaign.
    pub campaign: String,
    /// The profile key.
    pub key: String,
    /// The occurrence id.
    pub occurrence: String,
}

impl SendKey {
    /// The send a result row's first three columns (campaign, profile key, occurrence) name.
    pub(super) fn from_row(row: &super::database::Row) -> Result<SendKey, String> {
        Ok(SendKey {
            campaign: row.text(0)?,
            key: row.text(1)?,
            occurrence: row.text(2)?,
        })
    }
}

/// A send about to leave.
#[derive(Debug, Clone)]
pub struct Reservation {
    /// Which send.
    pub send: SendKey,
    /// Its variant.
    pub variant: String,
    /// Its Message-ID (`<hash@domain>`), the same on every attempt.
    pub message_id: String,
    /// Whether it resends a deferred row.
    pub retry: bool,
}

/// How one send ended, for the ledger.
#[derive(Debug, Clone)]
pub struct Recorded {
    /// Which send.
    pub send: SendKey,
    /// Its variant.
    pub variant: String,
    /// Its Message-ID.
    pub message_id: String,
    /// `sent`, `failed` or `deferred`.
    pub state: SendState,
    /// Attempts made by this run.
    pub attempts: u32,
    /// The server's last answer, or what went wrong.
    pub reply: String,
}

/// A send left `reserved` by a run that stopped mid-send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Interrupted {
    /// Which send.
    pub send: SendKey,
    /// Its Message-ID.
    pub message_id: String,
    /// What it was resolved to.
    pub now: SendState,
}
