//! What a plan reads of each profile besides its evaluated columns: the consent rule, each
//! campaign's audience and occurrences, and who reached a goal. The polars engine works them
//! out from the loaded data ([`LocalFacts`]); a database engine computes them in its query and
//! hands them back as columns of the evaluation ([`EngineFacts`]).

use std::collections::{BTreeMap, HashSet};

use chrono::{DateTime, SecondsFormat, Utc};
use chrono_tz::Tz;

use super::timing::{fired_events, schedule_occurrence, Occurrence, Occurrences};
use crate::check::CheckedWorkspace;
use crate::data::{Dataset, EVENT_USER};
use crate::eval::{audience_flags_column, condition_flags, consent_flags_column, due_column, variant_due_column};
use crate::eval::{EngineEvaluation, EvalError, Evaluation};
use crate::model::{Campaign, Goal, Timing};

/// Per-profile facts of a plan, aligned with the rows of the evaluation.
pub trait ProfileFacts {
    /// Whether the consent rule holds, per row (null is false).
    fn consent(&self) -> Result<Vec<bool>, EvalError>;
    /// Whether `campaign`'s `audience` holds, per row (every row for a campaign without one).
    fn audience(&self, campaign: &Campaign) -> Result<Vec<bool>, EvalError>;
    /// `campaign`'s occurrence per row, for recipients in `zones` (one per row).
    fn occurrences(&self, campaign: &Campaign, zones: &[Tz]) -> Result<Occurrences, EvalError>;
    /// The keys of the profiles with a `goal` event in the goal's window ending now.
    fn goal_reached(&self, campaign: &Campaign, goal: &Goal) -> Result<HashSet<String>, EvalError>;
}

/// Each row's occurrence of `schedule` in its zone.
fn scheduled(schedule: &crate::model::Schedule, zones: &[Tz], now: DateTime<Utc>) -> Vec<Occurrence> {
    zones
        .iter()
        .map(|&zone| schedule_occurrence(schedule, zone, now))
        .collect()
}

/// The facts worked out by the polars engine from the loaded data.
pub struct LocalFacts<'a> {
    /// The workspace.
    pub workspace: &'a CheckedWorkspace,
    /// The loaded data.
    pub dataset: &'a Dataset,
    /// Its evaluation.
    pub evaluation: &'a Evaluation,
    /// The run's clock.
    pub now: DateTime<Utc>,
}

impl ProfileFacts for LocalFacts<'_> {
    fn consent(&self) -> Result<Vec<bool>, EvalError> {
        let consent = &self.workspace.manifest.consent;
        condition_flags(self.workspace, self.dataset, self.evaluation, consent, self.now)
    }

    fn audience(&self, campaign: &Campaign) -> Result<Vec<bool>, EvalError> {
        match &campaign.audience {
            Some(audience) => condition_flags(self.workspace, self.dataset, self.evaluation, audience, self.now),
            None => Ok(vec![true; self.evaluation.frame.height()]),
        }
    }

    fn occurrences(&self, campaign: &Campaign, zones: &[Tz]) -> Result<Occurrences, EvalError> {
        let now = self.now;
        let (workspace, dataset, evaluation) = (self.workspace, self.dataset, self.evaluation);
        let campaign_occurrences = match &campaign.timing {
            Timing::Schedule(schedule) => scheduled(schedule, zones, now),
            Timing::Condition(trigger) => {
                let now_id = now.to_rfc3339_opts(SecondsFormat::Secs, true);
                condition_flags(workspace, dataset, evaluation, &trigger.when, now)?
                    .into_iter()
                    .map(|fires| match fires {
                        true => Occurrence::Due(now_id.clone()),
                        false => Occurrence::NotDue,
                    })
                    .collect()
            }
            Timing::Event(trigger) => {
                let fired = fired_events(workspace, dataset, evaluation, trigger, now)?;
                let keys = evaluation.frame.column(&workspace.schema.key)?.str()?;
                keys.iter()
                    .map(|key| {
                        key.and_then(|k| fired.get(k))
                            .map_or(Occurrence::NotDue, |id| Occurrence::Due(id.clone()))
                    })
                    .collect()
            }
        };
        Ok(Occurrences {
            campaign: campaign_occurrences,
            by_variant: campaign
                .variants
                .iter()
                .map(|v| v.schedule.as_ref().map(|s| scheduled(s, zones, now)))
                .collect(),
        })
    }

    fn goal_reached(&self, _campaign: &Campaign, goal: &Goal) -> Result<HashSet<String>, EvalError> {
        let dataset = self.dataset;
        let index = dataset.event_index();
        let (end, start) = (
            self.now.timestamp_micros(),
            self.now.timestamp_micros() - goal.within.micros(),
        );
        let users = dataset.events.column(EVENT_USER)?.str()?;
        Ok(index
            .of_type(&goal.event)
            .iter()
            .filter(|&&row| index.time(row).is_some_and(|t| t > start && t <= end))
            .filter_map(|&row| users.get(row).map(str::to_string))
            .collect())
    }
}

/// The facts a database engine computed in its query, read from the columns it handed back
/// ([`crate::eval::evaluate_on_engine`]), and the users it found reaching each campaign's goal.
pub struct EngineFacts<'a> {
    /// The evaluation the engine handed back, with its hidden columns.
    pub evaluation: &'a Evaluation,
    /// Per campaign with a goal, the keys of the profiles that reached it.
    pub goals: &'a BTreeMap<String, HashSet<String>>,
}

impl<'a> EngineFacts<'a> {
    /// The facts `engine` computed.
    pub fn of(engine: &'a EngineEvaluation) -> EngineFacts<'a> {
        EngineFacts {
            evaluation: &engine.evaluation,
            goals: &engine.goals,
        }
    }

    /// Column `name` as flags (null is false).
    fn flags(&self, name: &str) -> Result<Vec<bool>, EvalError> {
        let column = self.evaluation.frame.column(name)?.bool()?;
        Ok(column.iter().map(|v| v == Some(true)).collect())
    }

    /// Column `name` of occurrence ids (null: not due).
    fn occurrences_in(&self, name: &str) -> Result<Vec<Occurrence>, EvalError> {
        let column = self.evaluation.frame.column(name)?.str()?;
        Ok(column
            .iter()
            .map(|v| v.map_or(Occurrence::NotDue, |id| Occurrence::Due(id.to_string())))
            .collect())
    }
}

impl ProfileFacts for EngineFacts<'_> {
    fn consent(&self) -> Result<Vec<bool>, EvalError> {
        self.flags(consent_flags_column())
    }

    fn audience(&self, campaign: &Campaign) -> Result<Vec<bool>, EvalError> {
        match &campaign.audience {
            Some(_) => self.flags(&audience_flags_column(&campaign.name)),
            None => Ok(vec![true; self.evaluation.frame.height()]),
        }
    }

    fn occurrences(&self, campaign: &Campaign, _zones: &[Tz]) -> Result<Occurrences, EvalError> {
        Ok(Occurrences {
            campaign: self.occurrences_in(&due_column(&campaign.name))?,
            by_variant: campaign
                .variants
                .iter()
                .map(|v| {
                    v.schedule
                        .as_ref()
                        .map(|_| self.occurrences_in(&variant_due_column(&campaign.name, &v.name)))
                        .transpose()
                })
                .collect::<Result<_, _>>()?,
        })
    }

    fn goal_reached(&self, campaign: &Campaign, _goal: &Goal) -> Result<HashSet<String>, EvalError> {
        Ok(self.goals.get(&campaign.name).cloned().unwrap_or_default())
    }
}
