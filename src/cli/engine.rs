//! `--engine postgres|spark` for `plan`, `run` and `report`: the workspace evaluated in the
//! database holding its tables ([`evaluate_on_engine`]), then planned against the ledger
//! exactly as after the polars engine. Events come back only for the profiles a verb
//! reads one by one: the recipients whose messages it renders, the units whose outcomes it
//! attributes.

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};
use clap::builder::PossibleValue;
use clap::ValueEnum;

use super::report::{Failure, Report};
use super::steps::{data_failure, judge_scores, ledger_history, planned};
use crate::check::CheckedWorkspace;
use crate::data::{load_addresses_of, load_catalog_only, load_users_data, Dataset};
use crate::diag::Diagnostic;
use crate::eval::{engaged_on, evaluate_on_engine, Engine, EngineEvaluation, EvalError, Evaluation};
use crate::ledger::Ledger;
use crate::model::Campaign;
use crate::plan::{EngineFacts, Plan};

impl ValueEnum for Engine {
    fn value_variants<'a>() -> &'a [Self] {
        &Engine::ALL
    }

    fn to_possible_value(&self) -> Option<PossibleValue> {
        Some(PossibleValue::new(self.name()))
    }
}

/// A plan and what it was made from: the data its messages render from, and the evaluation.
pub struct Planned {
    /// The data rendered from.
    pub dataset: Dataset,
    /// The evaluated profiles.
    pub evaluation: Evaluation,
    /// The plan.
    pub plan: Plan,
}

/// Why the engine could not evaluate the workspace: exit 2 when it could not be reached or
/// failed, 1 when the workspace asks for what it cannot compute yet.
fn engine_failure(error: EvalError) -> Failure {
    match error {
        EvalError::Unsupported(why) => Failure::failed(
            Diagnostic::error("plan::engine-unsupported", why)
                .with_hint("plan it with the built-in engine (`--engine polars`)"),
        ),
        other => Failure::usage(
            Diagnostic::error("plan::engine", other.to_string())
                .with_hint("check that the server answers (`tailor check --online`) and that the tables are readable"),
        ),
    }
}

/// The keys of the recipients whose messages the plan renders: the first due recipient of each
/// variant (its sample subject), or every due recipient with `render_all`.
pub fn rendered_users(
    workspace: &CheckedWorkspace,
    evaluation: &Evaluation,
    plan: &Plan,
    render_all: bool,
) -> BTreeSet<String> {
    let Ok(keys) = evaluation
        .frame
        .column(&workspace.schema.key)
        .and_then(|c| c.str().cloned())
    else {
        return BTreeSet::new();
    };
    let mut users = BTreeSet::new();
    for (_, sends) in &plan.due {
        let mut sampled = BTreeSet::new();
        for send in sends {
            if render_all || sampled.insert(send.variant) {
                users.extend(keys.get(send.row).map(str::to_string));
            }
        }
    }
    users
}

/// The data of the profiles in `users` as the engine evaluated them: their declared fields, and
/// their events with what `tailor serve` logged for them.
pub fn users_dataset(
    workspace: &CheckedWorkspace,
    engine: &EngineEvaluation,
    users: &BTreeSet<String>,
) -> Result<Dataset, Failure> {
    let schema = &workspace.schema;
    let frame = &engine.evaluation.frame;
    let chosen = || -> Result<polars::prelude::DataFrame, polars::prelude::PolarsError> {
        let keys = frame.column(&schema.key)?.str()?;
        let mask: polars::prelude::BooleanChunked = keys
            .iter()
            .map(|k| Some(k.is_some_and(|k| users.contains(k))))
            .collect();
        frame
            .filter(&mask)?
            .select(schema.profiles.fields.iter().map(|f| f.name.as_str()))
    };
    let profiles = chosen().map_err(|e| Failure::failed(Diagnostic::error("plan::evaluate", e.to_string())))?;
    load_users_data(workspace, profiles).map_err(data_failure)
}

/// [`users_dataset`] for rendering the messages of `users` at `now`: with the catalog, and the
/// purchases per product the engine counted over every user (for recommendations).
pub fn rendering_dataset(
    workspace: &CheckedWorkspace,
    engine: &EngineEvaluation,
    users: &BTreeSet<String>,
    now: DateTime<Utc>,
) -> Result<Dataset, Failure> {
    let mut dataset = users_dataset(workspace, engine, users)?;
    dataset.catalog = load_catalog_only(workspace).map_err(data_failure)?;
    let _ = dataset
        .purchase_counts
        .set((now.timestamp_micros(), engine.purchases.clone()));
    Ok(dataset)
}

/// The plan at `now` with the workspace evaluated on `engine`; warnings said in `report`.
pub fn planned_on_engine(
    engine: Engine,
    workspace: &CheckedWorkspace,
    now: DateTime<Utc>,
    render_all: bool,
    report: &mut Report,
) -> Result<Planned, Failure> {
    let engine = evaluated_on_engine(engine, workspace, now, &mut |d| report.warn(d))?;
    let history = ledger_history(workspace)?;
    let facts = EngineFacts::of(&engine);
    let plan = planned(workspace, &engine.evaluation, &facts, &history, None, now)?;
    let users = rendered_users(workspace, &engine.evaluation, &plan, render_all);
    let dataset = rendering_dataset(workspace, &engine, &users, now)?;
    Ok(Planned {
        dataset,
        evaluation: engine.evaluation,
        plan,
    })
}

/// The workspace evaluated at `now` on `engine`, in the database holding its tables, its scores
/// judged ([`judge_scores`]); warnings said through `warn`.
pub fn evaluated_on_engine(
    engine: Engine,
    workspace: &CheckedWorkspace,
    now: DateTime<Utc>,
    warn: &mut dyn FnMut(Diagnostic),
) -> Result<EngineEvaluation, Failure> {
    let log = crate::data::EventLog::beside(&workspace.manifest.delivery.ledger);
    if [log.events(), log.compacted(), log.traits()].iter().any(|p| p.exists()) {
        warn(
            Diagnostic::warning(
                "plan::engine-event-log",
                "what `tailor serve` received on this host (events, traits) is not in the engine's tables: features and segments do not count it",
            )
            .with_hint("load `.tailor/events/` into the tables, or plan with `--engine polars`"),
        );
    }
    let evaluated = evaluate_on_engine(engine, workspace, now).map_err(engine_failure)?;
    judge_scores(workspace, &evaluated.evaluation, now, warn)?;
    Ok(evaluated)
}

/// The keys of the units (recipients and holdout members) the ledger assigned to `campaigns`.
pub fn assigned_units<'c>(
    workspace: &CheckedWorkspace,
    campaigns: impl Iterator<Item = &'c Campaign>,
) -> Result<BTreeSet<String>, Failure> {
    let ledger = &workspace.manifest.delivery.ledger;
    let mut units = BTreeSet::new();
    for campaign in campaigns {
        let record = Ledger::campaign_record(ledger, &campaign.name)?;
        units.extend(record.assigned.into_iter().map(|a| a.key));
    }
    Ok(units)
}

/// The data a report on `campaigns` attributes from, read from `engine`'s database: the profiles
/// of their units and of whoever opened or clicked them (key and address), and those profiles'
/// events, with what `tailor serve` logged for them on this host.
pub fn report_dataset(
    engine: Engine,
    workspace: &CheckedWorkspace,
    campaigns: &[&Campaign],
) -> Result<Dataset, Failure> {
    let mut users = assigned_units(workspace, campaigns.iter().copied())?;
    let names: Vec<String> = campaigns.iter().map(|c| c.name.clone()).collect();
    users.extend(engaged_on(engine, workspace, &names).map_err(engine_failure)?);
    let users: Vec<String> = users.into_iter().collect();
    let profiles = load_addresses_of(workspace, &users).map_err(data_failure)?;
    load_users_data(workspace, profiles).map_err(data_failure)
}
