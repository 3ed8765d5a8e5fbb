//! The plan as data: what every campaign would do now. Struct fields are declared in
//! alphabetical order so that JSON keys come out sorted.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::bucket_counts::BucketCounts;

/// The whole plan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlanReport {
    /// Per campaign, by name.
    pub campaigns: Vec<CampaignReport>,
    /// Whether a ledger was read, and what that means.
    pub ledger: String,
    /// The run's clock.
    pub now: String,
    /// Each persona model's label counts, by model (absent from plans written before personas
    /// were evaluated).
    #[serde(default)]
    pub personas: Vec<PersonaReport>,
    /// Each score model's scoring (absent from plans written before score models).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub scores: Vec<ScoreReport>,
    /// Segment sizes (every matching profile, before consent), by name.
    pub segments: Vec<SegmentReport>,
}

/// One campaign's buckets (SPEC §5). They add up: `audience` = the suppressed buckets +
/// `holdout` + every variant's `count`; a variant's `count` = `due` + its held buckets.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CampaignReport {
    /// Profiles whose audience expression is true.
    pub audience: usize,
    /// Randomly held out.
    pub holdout: usize,
    /// The campaign's name.
    pub name: String,
    /// `enabled: false`: listed, sends nothing.
    pub paused: bool,
    /// What its arm sizes can detect, for a campaign with a goal and arms to compare.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub power: Option<super::power::PowerReport>,
    /// Higher goes first when caps bite.
    pub priority: i64,
    /// A winner rollout's phase: testing, or decided.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rollout: Option<super::rollout::RolloutReport>,
    /// Up to five profile keys per variant (lowest keys first).
    pub sample: BTreeMap<String, Vec<String>>,
    /// Left out before the split: `consent`, `suppressed`, `bad_address`, `duplicate_address`.
    pub suppressed: BucketCounts,
    /// `schedule`, `event trigger` or `condition trigger`.
    pub timing: String,
    /// Each variant in listed order.
    pub variants: Vec<VariantReport>,
}

/// One variant's recipients.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VariantReport {
    /// Profiles assigned to it.
    pub count: usize,
    /// Sent by a run now.
    pub due: usize,
    /// Held back: `frequency_cap`, `quiet_hours`, `already_sent`, `not_due`.
    pub held: BucketCounts,
    /// The variant's name.
    pub name: String,
    /// The subject rendered for its first due recipient (absent when none is due or it does
    /// not render; `plan --render-all` says why).
    #[serde(default)]
    pub subject: Option<SubjectSample>,
}

/// A variant's subject as one recipient sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubjectSample {
    /// The recipient's profile key.
    pub key: String,
    /// The rendered subject.
    pub text: String,
}

/// A segment's size.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SegmentReport {
    /// The segment.
    pub name: String,
    /// Profiles that match, before consent.
    pub size: usize,
}

/// A persona model's labels.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonaReport {
    /// Profiles labelled with a missing input filled in (`impute`).
    #[serde(default)]
    pub imputed: usize,
    /// Profiles per label over the clustered population, by label.
    pub labels: Vec<LabelSize>,
    /// Each label's profile keys (`plan --members`), for a later `plan --base` to count the
    /// profiles that changed persona; empty otherwise.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub members: super::Members,
    /// The model.
    pub model: String,
    /// Profiles of its population left without a label (a missing input with `impute: none`,
    /// or an input no profile has).
    #[serde(default)]
    pub unlabelled: usize,
}

/// A score model applied to the profiles.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScoreReport {
    /// Mean score over the scored profiles, to four decimals (`None`: nobody was scored).
    pub mean: Option<f64>,
    /// The model.
    pub model: String,
    /// Profiles scored: the model's population now (none without a saved fit).
    pub scored: usize,
    /// When the saved fit was trained (RFC 3339; `None`: there is none).
    pub trained_at: Option<String>,
}

/// How many profiles carry a persona label.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LabelSize {
    /// The label (a prototype's name, `cluster_<i>`, or `noise`).
    pub label: String,
    /// Profiles with it.
    pub size: usize,
}

impl CampaignReport {
    /// Whether the buckets add up to the audience, and each variant's to its count.
    pub fn adds_up(&self) -> bool {
        let assigned: usize =
            self.suppressed.total() + self.holdout + self.variants.iter().map(|v| v.count).sum::<usize>();
        assigned == self.audience && self.variants.iter().all(|v| v.due + v.held.total() == v.count)
    }
}
