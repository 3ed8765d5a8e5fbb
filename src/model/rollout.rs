//! Winner rollout: a campaign first sends its variants to a test share of its audience; the
//! first run after `decide_after` picks the winner on `metric` and sends it to the rest.

use super::{bucket, Duration, Percent};

/// What an A/B comparison measures (a rollout decides on it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Metric {
    /// Clicks of the delivered.
    Click,
    /// The goal's conversions.
    Conversion,
}

impl Metric {
    /// `click` or `conversion`.
    pub fn name(self) -> &'static str {
        match self {
            Metric::Click => "click",
            Metric::Conversion => "conversion",
        }
    }
}

/// `rollout:` of a campaign.
#[derive(Debug, Clone, PartialEq)]
pub struct Rollout {
    /// The share of the (non-holdout) audience that gets the variants first.
    pub test_share: Percent,
    /// How long after the first test send the decision is taken.
    pub decide_after: Duration,
    /// What the winner is chosen on.
    pub metric: Metric,
    /// The posterior probability a variant must reach of beating the first variant.
    pub min_probability: f64,
}

impl Rollout {
    /// Whether `key` is in the test share: its bucket under `"{salt}:rollout"` (a hash apart from
    /// the variant split, so the test share splits by the weights like the whole audience).
    pub fn in_test(&self, salt: &str, key: &str) -> bool {
        bucket(&format!("{salt}:rollout"), key) < u64::from(self.test_share.hundredths)
    }
}

/// A rollout's decision, as the ledger records it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RolloutDecision {
    /// The variant sent to the rest.
    pub winner: String,
    /// When it was decided (Unix seconds).
    pub decided_at: i64,
    /// Why, in words, with the figures.
    pub reason: String,
}
