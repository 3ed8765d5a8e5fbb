//! The sends a run would make now: one per due recipient of an enabled campaign.

use super::report::PlanReport;

/// One message a run would send now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DueSend {
    /// The recipient's row in the evaluation.
    pub row: usize,
    /// The index of the variant in the campaign's listed variants.
    pub variant: usize,
    /// The occurrence id (SPEC §5): the ledger's row is (campaign, profile key, occurrence).
    pub occurrence: String,
    /// Whether this resends a deferred send (it took its room under the cap the first time).
    pub retry: bool,
}

/// A plan: the report, and each enabled campaign's due sends (by campaign name, in key order).
#[derive(Debug, Clone)]
pub struct Plan {
    /// What the plan shows.
    pub report: PlanReport,
    /// Each campaign's due sends, campaigns by name; paused campaigns have none.
    pub due: Vec<(String, Vec<DueSend>)>,
    /// Each campaign's holdout members whose send would be due now (their rows), campaigns by
    /// name: a run records them, so that their outcomes count from this moment.
    pub held_out: Vec<(String, Vec<usize>)>,
}
