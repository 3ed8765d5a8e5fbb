//! What the ledger knows of earlier sends, as the plan reads it: which occurrences were already
//! handled, which wait for a retry, what counts against caps and `once_per`, who is suppressed.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};

use crate::model::{Duration, RolloutDecision, SendState};

/// One ledger row, as planning needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PastSend {
    /// The campaign.
    pub campaign: String,
    /// The profile key.
    pub key: String,
    /// The occurrence id.
    pub occurrence: String,
    /// Where it stands.
    pub state: SendState,
    /// When it was reserved (the run's `now`, Unix seconds).
    pub at: i64,
}

/// Earlier sends and the suppression list.
#[derive(Debug, Clone, Default)]
pub struct History {
    /// How the plan describes where this came from.
    pub source: String,
    /// Suppressed addresses, lowercased.
    pub suppressed: HashSet<String>,
    /// Rows by campaign, then profile key.
    sends: HashMap<String, HashMap<String, Vec<PastSend>>>,
    /// Times (Unix seconds) of sends that may have arrived, per profile key, for the cap.
    counted: HashMap<String, Vec<i64>>,
    /// Rollout decisions, by campaign.
    decisions: HashMap<String, RolloutDecision>,
}

impl History {
    /// No ledger at `location`: nothing was sent, nobody is suppressed.
    pub fn none(location: &impl std::fmt::Display) -> History {
        History {
            source: format!("no ledger at {location}: assuming nothing was sent and nobody is suppressed"),
            ..History::default()
        }
    }

    /// Earlier sends (`rows`) and suppressed addresses (lowercased), read from `source` (a
    /// ledger's path, or a test).
    pub fn from_rows(source: &str, rows: Vec<PastSend>, suppressed: HashSet<String>) -> History {
        let mut history = History {
            source: format!(
                "{source}: {} send{} recorded, {} address{} suppressed",
                rows.len(),
                if rows.len() == 1 { "" } else { "s" },
                suppressed.len(),
                if suppressed.len() == 1 { "" } else { "es" }
            ),
            suppressed,
            ..History::default()
        };
        for row in rows {
            if row.state.may_have_arrived() {
                history.counted.entry(row.key.clone()).or_default().push(row.at);
            }
            history
                .sends
                .entry(row.campaign.clone())
                .or_default()
                .entry(row.key.clone())
                .or_default()
                .push(row);
        }
        history
    }

    /// This history with the ledger's rollout decisions (campaign, decision).
    pub fn with_decisions(mut self, decisions: Vec<(String, RolloutDecision)>) -> History {
        self.decisions.extend(decisions);
        self
    }

    /// `campaign`'s rollout decision, once taken.
    pub fn decision(&self, campaign: &str) -> Option<&RolloutDecision> {
        self.decisions.get(campaign)
    }

    /// When `campaign` first sent a message that may have arrived (Unix seconds).
    pub fn first_sent(&self, campaign: &str) -> Option<i64> {
        self.sends
            .get(campaign)?
            .values()
            .flatten()
            .filter(|s| s.state.may_have_arrived())
            .map(|s| s.at)
            .min()
    }

    /// The rows of `campaign` for `key`.
    pub fn of(&self, campaign: &str, key: &str) -> &[PastSend] {
        self.sends
            .get(campaign)
            .and_then(|by_key| by_key.get(key))
            .map_or(&[], Vec::as_slice)
    }

    /// The occurrence of `campaign` for `key` that waits to be sent again, if any.
    pub fn retry(&self, campaign: &str, key: &str) -> Option<&str> {
        self.of(campaign, key)
            .iter()
            .filter(|p| p.state == SendState::Deferred)
            .min_by_key(|p| p.at)
            .map(|p| p.occurrence.as_str())
    }

    /// Whether `occurrence` was handled already, or a send within `once_per` before `now` rules
    /// out another one.
    pub fn already_sent(
        &self,
        campaign: &str,
        key: &str,
        occurrence: &str,
        once_per: Option<Duration>,
        now: DateTime<Utc>,
    ) -> bool {
        let since = once_per.map(|d| now.timestamp().saturating_sub(d.seconds));
        self.of(campaign, key).iter().any(|p| {
            p.occurrence == occurrence || (p.state.may_have_arrived() && since.is_some_and(|since| p.at > since))
        })
    }

    /// Sends to `key` in the cap's window ending at `now`.
    pub fn counted_since(&self, key: &str, since: i64) -> u32 {
        self.counted
            .get(key)
            .map_or(0, |times| times.iter().filter(|&&t| t > since).count() as u32)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(occurrence: &str, state: SendState, at: i64) -> PastSend {
        PastSend {
            campaign: "c".into(),
            key: "u1".into(),
            occurrence: occurrence.into(),
            state,
            at,
        }
    }

    #[test]
    fn occurrences_once_per_and_retries() {
        let now = DateTime::from_timestamp(1_000_000, 0).unwrap();
        let history = History::from_rows(
            "ledger",
            vec![
                row("e1", SendState::Sent, 1_000_000 - 3_600),
                row("e2", SendState::Deferred, 1_000_000 - 60),
            ],
            HashSet::new(),
        );
        assert!(history.already_sent("c", "u1", "e1", None, now));
        assert!(!history.already_sent("c", "u1", "e3", None, now));
        let day = Some(Duration { seconds: 86_400 });
        assert!(history.already_sent("c", "u1", "e3", day, now));
        let minute = Some(Duration { seconds: 60 });
        assert!(!history.already_sent("c", "u1", "e3", minute, now));
        assert_eq!(history.retry("c", "u1"), Some("e2"));
        assert_eq!(history.retry("c", "u2"), None);
        // The deferred send never arrived: only the sent one counts against the cap.
        assert_eq!(history.counted_since("u1", 0), 1);
    }
}
