//! Where `tailor serve` keeps what it hears: an append-only log of accepted events (a line per
//! event, in the events dataset's own NDJSON layout), one of identify traits (a line per call,
//! in the profiles' layout, only the fields it sets) and a quarantine of calls the tracking plan
//! refused. The log lives in an `events` folder beside the ledger, and every verb that loads
//! the data reads it together with the dataset files.

use std::path::PathBuf;

use crate::model::LedgerLocation;

/// The key, in every log line, holding the id the producer gave the call (Segment's
/// `messageId`): a repeated id is accepted once.
pub const MESSAGE_ID: &str = "__message_id";

/// The key, in every log line, holding when `serve` received the call (RFC 3339).
pub const RECEIVED_AT: &str = "__received_at";

/// The files of one workspace's event log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventLog {
    /// The folder holding them.
    pub folder: PathBuf,
}

impl EventLog {
    /// The log kept beside the ledger at `ledger` (in its folder's `events/`; for a ledger in
    /// PostgreSQL, in the workspace's `.tailor/events/`).
    pub fn beside(ledger: &LedgerLocation) -> EventLog {
        EventLog {
            folder: ledger.local_folder().join("events"),
        }
    }

    /// Accepted events, one NDJSON line each, in the events dataset's layout.
    pub fn events(&self) -> PathBuf {
        self.folder.join("events.ndjson")
    }

    /// Accepted identify traits, one NDJSON line per call, in the profiles' layout.
    pub fn traits(&self) -> PathBuf {
        self.folder.join("traits.ndjson")
    }

    /// Events folded out of [`EventLog::events`] by `tailor events compact`, in the event
    /// table's typed layout.
    pub fn compacted(&self) -> PathBuf {
        self.folder.join("compacted.parquet")
    }

    /// The message ids of the compacted events, one per line.
    pub fn compacted_ids(&self) -> PathBuf {
        self.folder.join("compacted.ids")
    }

    /// Calls the tracking plan refused, each with its reasons, kept for replay.
    pub fn rejected(&self) -> PathBuf {
        self.folder.join("rejected.ndjson")
    }
}
