//! `tailor plan --engine postgres`: the workspace evaluated in the PostgreSQL database holding
//! its tables ([`evaluate_on_postgres`]), then planned against the ledger exactly as after the
//! polars engine; the events come back only for the recipients whose messages the plan renders.

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};
use clap::builder::PossibleValue;
use clap::ValueEnum;

use super::plan::{data_failure, judge_scores, ledger_history};
use super::report::{Failure, Report};
use crate::check::CheckedWorkspace;
use crate::data::{load_rendered_users, Dataset};
use crate::diag::Diagnostic;
use crate::eval::{evaluate_on_postgres, Engine, EvalError, Evaluation};
use crate::plan::{build_plan, EngineFacts, Plan};

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
fn rendered_users(workspace: &CheckedWorkspace, evaluation: &Evaluation, plan: &Plan, render_all: bool) -> Vec<String> {
    let Ok(keys) = evaluation
        .frame
        .column(&workspace.schema.key)
        .and_then(|c| c.str().cloned())
    else {
        return Vec::new();
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
    users.into_iter().collect()
}

/// The plan at `now` with the workspace evaluated in PostgreSQL; warnings said in `report`.
pub fn planned_on_postgres(
    workspace: &CheckedWorkspace,
    now: DateTime<Utc>,
    render_all: bool,
    report: &mut Report,
) -> Result<Planned, Failure> {
    if crate::data::EventLog::beside(&workspace.manifest.delivery.ledger)
        .events()
        .exists()
    {
        report.warn(
            Diagnostic::warning(
                "plan::engine-event-log",
                "the events `tailor serve` received on this host are not in the engine's events table, and this plan does not count them",
            )
            .with_hint("load `.tailor/events/` into the events table, or plan with `--engine polars`"),
        );
    }
    let engine = evaluate_on_postgres(workspace, now).map_err(engine_failure)?;
    judge_scores(workspace, &engine.evaluation, now, &mut |d| report.warn(d))?;
    let history = ledger_history(workspace)?;
    let facts = EngineFacts {
        evaluation: &engine.evaluation,
        goals: &engine.goals,
    };
    let plan = build_plan(workspace, &engine.evaluation, &facts, &history, None, now)
        .map_err(|e| Failure::failed(Diagnostic::error("plan::evaluate", e.to_string())))?;
    let users = rendered_users(workspace, &engine.evaluation, &plan, render_all);
    let dataset =
        load_rendered_users(workspace, &users, now.timestamp_micros(), engine.purchases).map_err(data_failure)?;
    Ok(Planned {
        dataset,
        evaluation: engine.evaluation,
        plan,
    })
}
