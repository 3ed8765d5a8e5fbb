//! Sorting one campaign's audience into the buckets of SPEC §5.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{DateTime, Utc};
use chrono_tz::Tz;

use super::bucket_counts::BucketCounts;
use super::due::DueSend;
use super::history::History;
use super::report::{CampaignReport, VariantReport};
use super::timing::{Occurrence, Occurrences};
use crate::model::{assign, is_valid_address, Assignment, Bucket, Campaign, FrequencyCap, LocalTimeRange, Timing};

/// Profiles kept in a variant's sample.
const SAMPLE_SIZE: usize = 5;

/// Per-profile facts every campaign reads, aligned by row.
pub struct Recipients<'a> {
    /// Profile keys.
    pub keys: &'a [String],
    /// Email addresses.
    pub emails: &'a [Option<String>],
    /// Time zones.
    pub zones: &'a [Tz],
    /// Whether `policy.consent` holds.
    pub consent: &'a [bool],
    /// Earlier sends and the suppression list.
    pub history: &'a History,
}

/// The workspace-wide rules and the run's state shared across campaigns.
pub struct Policy<'a> {
    /// The run's clock.
    pub now: DateTime<Utc>,
    /// `policy.frequency_cap`.
    pub cap: Option<FrequencyCap>,
    /// `policy.quiet_hours`.
    pub quiet_hours: Option<LocalTimeRange>,
    /// Sends counted against the cap so far, per row: the ledger's in the window, then this
    /// run's.
    pub sends: &'a mut HashMap<usize, u32>,
}

/// One campaign's plan: what it shows, the sends a run would make (none when the campaign is
/// paused), and the holdout members whose send would have been due now.
pub struct CampaignPlan {
    /// What the plan shows.
    pub report: CampaignReport,
    /// The due sends.
    pub due: Vec<DueSend>,
    /// The rows of holdout members due now.
    pub held_out: Vec<usize>,
}

/// Buckets one campaign (`audience` and `occurrences` are per row).
pub fn plan_campaign(
    campaign: &Campaign,
    audience: &[bool],
    occurrences: &Occurrences,
    recipients: &Recipients,
    policy: &mut Policy,
) -> CampaignPlan {
    let mut suppressed = BucketCounts::zeroed(&Bucket::LEFT_OUT);
    let mut variants: Vec<VariantReport> = campaign
        .variants
        .iter()
        .map(|v| VariantReport {
            name: v.name.clone(),
            count: 0,
            due: 0,
            held: BucketCounts::zeroed(&Bucket::HELD),
            subject: None,
        })
        .collect();
    let mut samples: BTreeMap<String, Vec<&str>> = BTreeMap::new();
    let mut members: Vec<usize> = (0..recipients.keys.len()).filter(|&row| audience[row]).collect();
    members.sort_by(|&a, &b| recipients.keys[a].as_bytes().cmp(recipients.keys[b].as_bytes()));
    let eligible = eligible(&members, recipients, &mut suppressed);
    let weights: Vec<u32> = campaign.variants.iter().map(|v| v.weight).collect();
    let mut holdout = 0;
    let mut due = Vec::new();
    let mut held_out = Vec::new();
    // A rollout sends to its test share first; once decided, the winner to the rest.
    let decision = recipients.history.decision(&campaign.name);
    let winner = decision.and_then(|d| campaign.variants.iter().position(|v| v.name == d.winner));
    let mut pending = 0;
    for row in eligible {
        let key = &recipients.keys[row];
        let testing = campaign.rollout.as_ref().is_none_or(|r| r.in_test(&campaign.salt, key));
        let index = match assign(&campaign.salt, key, campaign.holdout, &weights) {
            Assignment::Holdout => {
                holdout += 1;
                let counted = testing || winner.is_some();
                if counted && campaign.enabled && matches!(occurrences.of(row, None), Occurrence::Due(_)) {
                    held_out.push(row);
                }
                continue;
            }
            Assignment::Variant(index) if testing => index,
            Assignment::Variant(_) => match winner {
                Some(winner) => winner,
                None => {
                    pending += 1;
                    continue;
                }
            },
        };
        let variant = &mut variants[index];
        variant.count += 1;
        let sample = samples.entry(variant.name.clone()).or_default();
        if sample.len() < SAMPLE_SIZE {
            sample.push(key);
        }
        // A send deferred earlier is retried with its own occurrence; it already took its room
        // under the cap.
        let retry = recipients.history.retry(&campaign.name, key);
        let occurrence = match retry {
            Some(earlier) => Some(earlier),
            None => match occurrences.of(row, Some(index)) {
                Occurrence::Due(id) => Some(id.as_str()),
                Occurrence::NotDue => None,
            },
        };
        let held = hold(campaign, row, key, occurrence, retry, recipients, policy);
        match (held, occurrence) {
            (None, Some(occurrence)) => {
                variant.due += 1;
                if campaign.enabled {
                    if retry.is_none() {
                        *policy.sends.entry(row).or_default() += 1;
                    }
                    due.push(DueSend {
                        row,
                        variant: index,
                        occurrence: occurrence.to_string(),
                        retry: retry.is_some(),
                    });
                }
            }
            (held, _) => {
                variant.held.add(held.unwrap_or(Bucket::NotDue));
            }
        }
    }
    let report = CampaignReport {
        audience: members.len(),
        holdout,
        name: campaign.name.clone(),
        paused: !campaign.enabled,
        power: None,
        rollout: campaign
            .rollout
            .as_ref()
            .map(|r| super::rollout::RolloutReport::of(r, decision, pending)),
        priority: campaign.priority,
        sample: samples
            .into_iter()
            .map(|(k, v)| (k, v.into_iter().map(str::to_string).collect()))
            .collect(),
        suppressed,
        timing: match campaign.timing {
            Timing::Schedule(_) => "schedule",
            Timing::Event(_) => "event trigger",
            Timing::Condition(_) => "condition trigger",
        }
        .to_string(),
        variants,
    };
    CampaignPlan { report, due, held_out }
}

/// The audience members who may be mailed, in key byte order; the others counted in `left_out`
/// (no consent, suppressed, a bad address, an address a lower key already has).
fn eligible(members: &[usize], recipients: &Recipients, left_out: &mut BucketCounts) -> Vec<usize> {
    let mut kept_addresses: HashSet<String> = HashSet::new();
    let mut eligible = Vec::with_capacity(members.len());
    for &row in members {
        let email = recipients.emails[row].as_deref().unwrap_or("");
        let lowered = email.to_lowercase();
        if !recipients.consent[row] {
            left_out.add(Bucket::Consent);
        } else if recipients.history.suppressed.contains(&lowered) {
            left_out.add(Bucket::Suppressed);
        } else if !is_valid_address(email) {
            left_out.add(Bucket::BadAddress);
        } else if !kept_addresses.insert(lowered) {
            // Members are visited in key byte order: the lowest key kept the address.
            left_out.add(Bucket::DuplicateAddress);
        } else {
            eligible.push(row);
        }
    }
    eligible
}

/// Why a variant member is held back now, if it is: nothing due, this occurrence already sent,
/// quiet hours where they are, or the frequency cap (a retry of a deferred send already took
/// its room under the cap).
fn hold(
    campaign: &Campaign,
    row: usize,
    key: &str,
    occurrence: Option<&str>,
    retry: Option<&str>,
    recipients: &Recipients,
    policy: &Policy,
) -> Option<Bucket> {
    match occurrence {
        None => Some(Bucket::NotDue),
        Some(id)
            if retry.is_none()
                && recipients
                    .history
                    .already_sent(&campaign.name, key, id, campaign.once_per(), policy.now) =>
        {
            Some(Bucket::AlreadySent)
        }
        Some(_)
            if policy
                .quiet_hours
                .is_some_and(|q| q.contains(policy.now.with_timezone(&recipients.zones[row]).time())) =>
        {
            Some(Bucket::QuietHours)
        }
        Some(_)
            if retry.is_none()
                && !campaign.ignore_frequency_cap
                && policy
                    .cap
                    .is_some_and(|cap| policy.sends.get(&row).copied().unwrap_or(0) >= cap.count) =>
        {
            Some(Bucket::FrequencyCap)
        }
        Some(_) => None,
    }
}
