//! The states of a ledger row (one per campaign, profile key and occurrence).

use std::fmt;

/// Where one send stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SendState {
    /// Claimed by a run that is sending it now (or was, when it stopped).
    Reserved,
    /// Accepted by the server or written to the outbox.
    Sent,
    /// Refused for good (a 5xx answer); the address is suppressed.
    Failed,
    /// Not delivered yet (temporary failures, or in flight when a run stopped): the next run
    /// sends it again with the same Message-ID.
    Deferred,
    /// In flight when a run stopped, resolved at-most-once: maybe delivered, never resent.
    Uncertain,
}

impl SendState {
    /// Every state.
    pub const ALL: [SendState; 5] = [
        SendState::Reserved,
        SendState::Sent,
        SendState::Failed,
        SendState::Deferred,
        SendState::Uncertain,
    ];

    /// The state's name in the ledger.
    pub fn name(self) -> &'static str {
        match self {
            SendState::Reserved => "reserved",
            SendState::Sent => "sent",
            SendState::Failed => "failed",
            SendState::Deferred => "deferred",
            SendState::Uncertain => "uncertain",
        }
    }

    /// The state named `name`.
    pub fn parse(name: &str) -> Option<SendState> {
        SendState::ALL.into_iter().find(|s| s.name() == name)
    }

    /// Whether the message may have reached the recipient, so it counts against the frequency
    /// cap and `once_per`.
    pub fn may_have_arrived(self) -> bool {
        matches!(self, SendState::Reserved | SendState::Sent | SendState::Uncertain)
    }
}

impl fmt::Display for SendState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}
