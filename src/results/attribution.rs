//! Attribution: each arm's units (profiles, from the ledger's assignments) and what they did
//! afterwards — opens and clicks (`email_open`/`email_click` events of this campaign, matched by
//! Message-ID or else by profile, machine opens apart), conversions (the campaign's goal event
//! within `goal.within` of the assignment, the first one; revenue summed over the window),
//! unsubscribes, bounces and complaints (the suppression list and failed sends). Recomputed
//! from the ledger and the events at `now` every time, so late data simply counts.

use std::collections::{BTreeMap, HashMap, HashSet};

use polars::prelude::DataFrame;

use super::event_rows::{flag_column, number_column, text_column, EventRows};
use crate::data::{event_column, Dataset};
use crate::ledger::{CampaignRecord, Suppression, HOLDOUT_ARM};
use crate::model::{Campaign, DataSchema, Goal, RolloutDecision};

/// A unit (profile) of one arm.
#[derive(Debug, Clone, PartialEq)]
pub struct Unit {
    /// When its outcomes start to count (first send, or held out), Unix seconds.
    pub since: i64,
    /// Whether a message reached the server (never for the holdout).
    pub delivered: bool,
    /// Whether a send failed for good or its address bounced afterwards.
    pub bounced: bool,
    /// A person opened (not a mail-privacy proxy's prefetch).
    pub opened: bool,
    /// Only machine opens were seen.
    pub machine_opened: bool,
    /// Clicked a link.
    pub clicked: bool,
    /// When it converted (first goal event in the window), Unix seconds.
    pub converted_at: Option<i64>,
    /// The goal value summed over the window.
    pub revenue: f64,
    /// Unsubscribed after `since`.
    pub unsubscribed: bool,
    /// Complained (marked as spam) after `since`.
    pub complained: bool,
}

/// One arm's units.
#[derive(Debug, Clone, PartialEq)]
pub struct ArmUnits {
    /// The variant's name, or `holdout`.
    pub name: String,
    /// Its declared share of the audience (holdout share, or the rest split by weight).
    pub expected_share: f64,
    /// Its units, by profile key.
    pub units: BTreeMap<String, Unit>,
}

/// What attribution found for one campaign.
#[derive(Debug, Clone, PartialEq)]
pub struct Attributed {
    /// The arms: holdout first when the campaign has one, then the variants in listed order.
    pub arms: Vec<ArmUnits>,
    /// Open and click events of this campaign that matched no recipient.
    pub unattributed: u64,
    /// Assignments to arms the campaign no longer declares (renamed or removed variants).
    pub unknown_arms: BTreeMap<String, u64>,
    /// Profiles a decided rollout sent the winner after the test (not compared).
    pub rolled_out: u64,
    /// The rollout decision attribution honoured, if one was taken.
    pub decision: Option<RolloutDecision>,
}

/// The local part of a Message-ID, `<local@domain>` → `local`.
fn local_part(message_id: &str) -> &str {
    let inner = message_id.trim().trim_start_matches('<').trim_end_matches('>');
    inner.split_once('@').map_or(inner, |(local, _)| local)
}

/// Each arm's declared share: the holdout's, and the rest split by weight.
fn expected_shares(campaign: &Campaign) -> Vec<(String, f64)> {
    let holdout = f64::from(campaign.holdout.hundredths) / 10_000.0;
    let total: f64 = campaign.variants.iter().map(|v| f64::from(v.weight)).sum();
    let mut shares = Vec::new();
    if campaign.holdout.hundredths > 0 {
        shares.push((HOLDOUT_ARM.to_string(), holdout));
    }
    for v in &campaign.variants {
        shares.push((v.name.clone(), (1.0 - holdout) * f64::from(v.weight) / total));
    }
    shares
}

/// What one suppression means for the report.
enum Exit {
    Unsubscribe,
    Complaint,
    Bounce,
}

fn exit_of(s: &Suppression) -> Option<Exit> {
    let reason = s.reason.to_lowercase();
    match s.source.as_str() {
        "unsubscribe" => Some(Exit::Unsubscribe),
        "smtp" => Some(Exit::Bounce),
        "feedback" if reason.starts_with("complaint") => Some(Exit::Complaint),
        "feedback" => Some(Exit::Bounce),
        _ if reason.contains("unsubscri") => Some(Exit::Unsubscribe),
        _ if reason.contains("complain") || reason.contains("spam") => Some(Exit::Complaint),
        _ if reason.contains("bounce") => Some(Exit::Bounce),
        _ => None,
    }
}

/// What attribution reads besides the events: the ledger's record of the campaign, the
/// suppression list, and the rollout decision if one was taken.
pub struct LedgerFacts<'a> {
    /// The campaign's assignments and sends.
    pub record: &'a CampaignRecord,
    /// The suppression list.
    pub suppressions: &'a [Suppression],
    /// The rollout decision: units assigned after it got the winner and are not compared.
    pub decision: Option<&'a RolloutDecision>,
}

/// Attributes the outcomes of `campaign` at `now` (Unix seconds).
pub fn attribute(
    campaign: &Campaign,
    schema: &DataSchema,
    facts: &LedgerFacts,
    dataset: &Dataset,
    now: i64,
) -> Attributed {
    let (record, suppressions) = (facts.record, facts.suppressions);
    let tested_until = facts.decision.map_or(now, |d| d.decided_at.min(now));
    let mut rolled_out: HashSet<&str> = HashSet::new();
    let mut arms: Vec<ArmUnits> = expected_shares(campaign)
        .into_iter()
        .map(|(name, expected_share)| ArmUnits {
            name,
            expected_share,
            units: BTreeMap::new(),
        })
        .collect();
    let mut unknown_arms: BTreeMap<String, u64> = BTreeMap::new();
    let mut arm_of: HashMap<&str, usize> = HashMap::new();
    for assigned in &record.assigned {
        if assigned.at > now {
            continue;
        }
        // The decision is taken before its run sends: what that run and later ones assign
        // came after the test.
        if facts.decision.is_some() && assigned.at >= tested_until {
            rolled_out.insert(&assigned.key);
            continue;
        }
        let Some(index) = arms.iter().position(|a| a.name == assigned.arm) else {
            *unknown_arms.entry(assigned.arm.clone()).or_default() += 1;
            continue;
        };
        arm_of.insert(&assigned.key, index);
        arms[index].units.insert(
            assigned.key.clone(),
            Unit {
                since: assigned.at,
                delivered: false,
                bounced: false,
                opened: false,
                machine_opened: false,
                clicked: false,
                converted_at: None,
                revenue: 0.0,
                unsubscribed: false,
                complained: false,
            },
        );
    }
    let mut by_message: HashMap<&str, &str> = HashMap::new();
    for send in record.sends.iter().filter(|s| s.at <= now) {
        by_message.insert(local_part(&send.message_id), &send.key);
        if let Some(unit) = unit_mut(&mut arms, &arm_of, &send.key) {
            match send.state.as_str() {
                "sent" => unit.delivered = true,
                "failed" => unit.bounced = true,
                _ => {}
            }
        }
    }
    exits(&mut arms, &arm_of, schema, suppressions, dataset, now);
    let mut kinds = vec!["email_open", "email_click"];
    kinds.extend(campaign.goal.as_ref().map(|g| g.event.as_str()));
    let rows = EventRows::of(&dataset.events, &kinds);
    let links = Links { by_message, rolled_out };
    let unattributed = engagement(&mut arms, &arm_of, &links, &campaign.name, &rows, &dataset.events, now);
    if let Some(goal) = &campaign.goal {
        conversions(&mut arms, &arm_of, goal, &rows, &dataset.events, now);
    }
    Attributed {
        arms,
        unattributed,
        unknown_arms,
        rolled_out: links.rolled_out.len() as u64,
        decision: facts.decision.cloned(),
    }
}

fn unit_mut<'a>(arms: &'a mut [ArmUnits], arm_of: &HashMap<&str, usize>, key: &str) -> Option<&'a mut Unit> {
    arms.get_mut(*arm_of.get(key)?)?.units.get_mut(key)
}

/// Unsubscribes, complaints and bounces from the suppression list, through each profile's
/// address, when they came after the unit's start.
fn exits(
    arms: &mut [ArmUnits],
    arm_of: &HashMap<&str, usize>,
    schema: &DataSchema,
    suppressions: &[Suppression],
    dataset: &Dataset,
    now: i64,
) {
    let by_address: HashMap<&str, &Suppression> = suppressions.iter().map(|s| (s.address.as_str(), s)).collect();
    let (Some(keys), Some(emails)) = (
        text_column(&dataset.profiles, &schema.key),
        text_column(&dataset.profiles, &schema.email),
    ) else {
        return;
    };
    for (key, email) in keys.iter().zip(emails.iter()) {
        let (Some(key), Some(email)) = (key, email) else {
            continue;
        };
        let Some(suppression) = by_address.get(email.trim().to_lowercase().as_str()) else {
            continue;
        };
        let Some(unit) = unit_mut(arms, arm_of, key) else {
            continue;
        };
        if suppression.added_at < unit.since || suppression.added_at > now {
            continue;
        }
        match exit_of(suppression) {
            Some(Exit::Unsubscribe) => unit.unsubscribed = true,
            Some(Exit::Complaint) => unit.complained = true,
            Some(Exit::Bounce) => unit.bounced = true,
            None => {}
        }
    }
}

/// How an open or click finds its unit: the sends by Message-ID local part, and the profiles a
/// decided rollout sent after its test (their events are not compared).
struct Links<'a> {
    by_message: HashMap<&'a str, &'a str>,
    rolled_out: HashSet<&'a str>,
}

/// Opens and clicks of `campaign`; returns how many matched no recipient.
fn engagement(
    arms: &mut [ArmUnits],
    arm_of: &HashMap<&str, usize>,
    links: &Links,
    campaign: &str,
    rows: &EventRows,
    events: &DataFrame,
    now: i64,
) -> u64 {
    let (by_message, rolled_out) = (&links.by_message, &links.rolled_out);
    // Events from before the campaign's first recorded unit belong to earlier sends this
    // ledger never saw: out of scope, not unattributed.
    let Some(start) = arms.iter().flat_map(|a| a.units.values().map(|u| u.since)).min() else {
        return 0;
    };
    let mut unattributed = 0;
    for kind in ["email_open", "email_click"] {
        let campaigns = text_column(events, &event_column(kind, "campaign"));
        let messages = text_column(events, &event_column(kind, "message_id"));
        let machine = flag_column(events, &event_column(kind, "machine"));
        for &row in rows.rows(kind) {
            let Some(ts) = rows.seconds(row) else { continue };
            if ts < start || ts > now || campaigns.as_ref().and_then(|c| c.get(row)) != Some(campaign) {
                continue;
            }
            let key = match messages.as_ref().and_then(|m| m.get(row)) {
                Some(id) => by_message.get(local_part(id)).copied(),
                None => rows.user(row),
            };
            if key.is_some_and(|key| rolled_out.contains(key)) {
                continue;
            }
            let Some(unit) = key.and_then(|key| unit_mut(arms, arm_of, key)) else {
                unattributed += 1;
                continue;
            };
            if !unit.delivered || ts < unit.since {
                unattributed += 1;
                continue;
            }
            match (kind, machine.as_ref().and_then(|m| m.get(row)) == Some(true)) {
                ("email_open", true) => unit.machine_opened = true,
                ("email_open", false) => unit.opened = true,
                _ => unit.clicked = true,
            }
        }
    }
    for unit in arms.iter_mut().flat_map(|a| a.units.values_mut()) {
        // A click implies the message was opened, whether or not the pixel loaded; then a
        // machine open counts apart only where no person opened.
        unit.opened |= unit.clicked;
        unit.machine_opened &= !unit.opened;
    }
    unattributed
}

/// The first goal event within the window after each unit's start, and the value summed over
/// the window.
fn conversions(
    arms: &mut [ArmUnits],
    arm_of: &HashMap<&str, usize>,
    goal: &Goal,
    rows: &EventRows,
    events: &DataFrame,
    now: i64,
) {
    let values = goal
        .value
        .as_ref()
        .and_then(|property| number_column(events, &event_column(&goal.event, property)));
    for &row in rows.rows(&goal.event) {
        let Some(ts) = rows.seconds(row) else { continue };
        let Some(unit) = rows.user(row).and_then(|key| unit_mut(arms, arm_of, key)) else {
            continue;
        };
        if ts < unit.since || ts > unit.since + goal.within.seconds || ts > now {
            continue;
        }
        unit.converted_at.get_or_insert(ts);
        if let Some(value) = values.as_ref().and_then(|v| v.get(row)) {
            unit.revenue += value;
        }
    }
}
