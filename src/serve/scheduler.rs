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

use super::arrival::Arrival;
use super::metrics::{bump, Metrics};
use crate::model::{Campaign, Duration, Timing};

/// How long the scheduler sleeps at most, so it notices a stop and renews the lease.
const TICK: StdDuration = StdDuration::from_secs(1);

/// A condition campaign is re-checked this long after the first event or trait that arrives
/// since its last pass (events that arrive meanwhile join that pass).
pub const CONDITION_RECHECK: chrono::TimeDelta = chrono::TimeDelta::seconds(60);

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

/// What makes a campaign due between full passes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Rule {
    /// An event of this type, after this delay (an event trigger).
    Event(String, Duration),
    /// Any event or trait: the condition may have changed (a condition trigger).
    Change,
}

/// The triggers of enabled campaigns: (rule, campaign).
pub fn trigger_rules(campaigns: &[Campaign]) -> Vec<(Rule, String)> {
    campaigns
        .iter()
        .filter(|c| c.enabled)
        .filter_map(|c| match &c.timing {
            Timing::Event(trigger) => Some((Rule::Event(trigger.on.clone(), trigger.after), c.name.clone())),
            Timing::Condition(_) => Some((Rule::Change, c.name.clone())),
            Timing::Schedule(_) => None,
        })
        .collect()
}

/// The deadlines `arrival` sets under `rules` (none for a condition campaign that already
/// has one pending in `deadlines`).
fn deadlines_of(arrival: &Arrival, rules: &[(Rule, String)], deadlines: &BTreeSet<Deadline>) -> Vec<Deadline> {
    rules
        .iter()
        .filter_map(|(rule, campaign)| match rule {
            Rule::Event(on, after) if arrival.event_type.as_deref() == Some(on.as_str()) => Some((
                arrival.at + chrono::TimeDelta::microseconds(after.micros()),
                campaign.clone(),
            )),
            Rule::Change if !deadlines.iter().any(|(_, pending)| pending == campaign) => {
                Some((Utc::now() + CONDITION_RECHECK, campaign.clone()))
            }
            _ => None,
        })
        .collect()
}

/// Runs passes until `stop` is set or the arrivals end.
pub fn schedule(
    arrivals: &Receiver<Arrival>,
    rules: &[(Rule, String)],
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
                for deadline in deadlines_of(&arrival, rules, &deadlines) {
                    if deadlines.insert(deadline) {
                        bump(&metrics.scheduled, 1);
                    }
                }
            }
            Err(RecvTimeoutError::Timeout) => deliverer.keep_alive(),
            Err(RecvTimeoutError::Disconnected) => break,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Records the passes asked for; stops the scheduler after `passes` of them.
    struct Recorder {
        passes: Vec<Option<Vec<String>>>,
        stop_after: usize,
        stop: Arc<AtomicBool>,
    }

    impl Deliverer for Recorder {
        fn pass(&mut self, campaigns: Option<&BTreeSet<String>>) -> Vec<Deadline> {
            self.passes.push(campaigns.map(|c| c.iter().cloned().collect()));
            if self.passes.len() >= self.stop_after {
                self.stop.store(true, Ordering::SeqCst);
            }
            Vec::new()
        }

        fn keep_alive(&mut self) {}
    }

    fn cart_rule(after_seconds: i64) -> (Rule, String) {
        let after = Duration::parse(&format!("{after_seconds}s")).unwrap();
        (Rule::Event("add_to_cart".into(), after), "cart".into())
    }

    #[test]
    fn an_event_sets_its_trigger_deadline_and_a_change_rechecks_conditions_once() {
        let at = Utc::now();
        let arrival = Arrival {
            event_type: Some("add_to_cart".into()),
            at,
        };
        let rules = vec![cart_rule(30), (Rule::Change, "winback".into())];
        let set = deadlines_of(&arrival, &rules, &BTreeSet::new());
        assert_eq!(set.len(), 2);
        assert_eq!(set[0], (at + chrono::TimeDelta::seconds(30), "cart".to_string()));
        assert_eq!(set[1].1, "winback");
        let pending: BTreeSet<Deadline> = set.into_iter().collect();
        let traits = Arrival { event_type: None, at };
        assert!(
            deadlines_of(&traits, &rules, &pending).is_empty(),
            "one recheck pending is enough"
        );
        let view = Arrival {
            event_type: Some("page_view".into()),
            at,
        };
        assert!(deadlines_of(&view, &rules[..1], &BTreeSet::new()).is_empty());
    }

    #[test]
    fn a_full_pass_comes_first_then_a_pass_for_each_campaign_that_falls_due() {
        let (arrivals, arrived) = std::sync::mpsc::channel();
        let stop = Arc::new(AtomicBool::new(false));
        let mut recorder = Recorder {
            passes: Vec::new(),
            stop_after: 2,
            stop: Arc::clone(&stop),
        };
        arrivals
            .send(Arrival {
                event_type: Some("add_to_cart".into()),
                at: Utc::now(),
            })
            .unwrap();
        let metrics = Metrics::default();
        schedule(
            &arrived,
            &[cart_rule(0)],
            StdDuration::from_secs(3600),
            &stop,
            &metrics,
            &mut recorder,
        );
        assert_eq!(recorder.passes, vec![None, Some(vec!["cart".to_string()])]);
        assert_eq!(metrics.scheduled.load(Ordering::Relaxed), 1);
    }
}
