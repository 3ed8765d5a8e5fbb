//! When `serve` delivers. Every `--every` a full pass runs (scheduled and condition campaigns,
//! and anything an earlier pass missed), so a deployment needs no cron. Between them, an
//! accepted event that an event trigger listens to sets a deadline at `ts + after` for that
//! campaign; when deadlines fall due, one pass runs for their campaigns. A pass plans at the
//! wall clock with the same engine as `tailor run` and re-checks everything then (`unless`,
//! audience, consent, caps, quiet hours); the ledger keeps an occurrence from being sent twice.
//!
//! The deadlines are derived from the event log, which is durable: each pass hands back the
//! deadlines still ahead in the data it loaded, so a restart loses none.

use std::collections::BTreeSet;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::sync::Arc;
use std::time::Duration as StdDuration;

use chrono::{DateTime, Utc};

use super::metrics::{bump, Metrics};
use super::state::Arrival;
use crate::model::{Campaign, Duration, Timing};

/// How long the scheduler sleeps at most, so it notices a stop and renews the lease.
const TICK: StdDuration = StdDuration::from_secs(1);

/// A deadline: when, and which campaign.
pub type Deadline = (DateTime<Utc>, String);

/// What delivers: a pass over some campaigns (all when `None`), returning the deadlines still
/// ahead; and a keep-alive between passes.
pub trait Deliverer {
    /// Runs one delivery pass.
    fn pass(&mut self, campaigns: Option<&BTreeSet<String>>) -> Vec<Deadline>;
    /// Called at least every second between passes (renews the delivery lease).
    fn keep_alive(&mut self);
}

/// The event triggers of enabled campaigns: (event type, delay, campaign).
pub fn trigger_rules(campaigns: &[Campaign]) -> Vec<(String, Duration, String)> {
    campaigns
        .iter()
        .filter(|c| c.enabled)
        .filter_map(|c| match &c.timing {
            Timing::Event(trigger) => Some((trigger.on.clone(), trigger.after, c.name.clone())),
            _ => None,
        })
        .collect()
}

/// Runs passes until `stop` is set or the arrivals end.
pub fn schedule(
    arrivals: &Receiver<Arrival>,
    rules: &[(String, Duration, String)],
    every: StdDuration,
    stop: &Arc<AtomicBool>,
    metrics: &Metrics,
    deliverer: &mut dyn Deliverer,
) {
    let mut deadlines: BTreeSet<Deadline> = BTreeSet::new();
    let mut next_sweep = Utc::now();
    while !stop.load(Ordering::SeqCst) {
        let now = Utc::now();
        if now >= next_sweep {
            deadlines.retain(|(at, _)| *at > now);
            deadlines.extend(deliverer.pass(None));
            next_sweep = Utc::now() + every;
            continue;
        }
        let due: BTreeSet<String> = deadlines
            .iter()
            .take_while(|(at, _)| *at <= now)
            .map(|(_, campaign)| campaign.clone())
            .collect();
        if !due.is_empty() {
            deadlines.retain(|(at, _)| *at > now);
            deadlines.extend(deliverer.pass(Some(&due)));
            continue;
        }
        let until = deadlines.first().map_or(next_sweep, |(at, _)| (*at).min(next_sweep));
        let wait = (until - now).to_std().unwrap_or_default().min(TICK);
        match arrivals.recv_timeout(wait) {
            Ok(arrival) => {
                for (_, after, campaign) in rules.iter().filter(|(on, ..)| *on == arrival.event_type) {
                    let at = arrival.at + chrono::TimeDelta::microseconds(after.micros());
                    if deadlines.insert((at, campaign.clone())) {
                        bump(&metrics.scheduled, 1);
                    }
                }
            }
            Err(RecvTimeoutError::Timeout) => deliverer.keep_alive(),
            Err(RecvTimeoutError::Disconnected) => break,
        }
    }
}
