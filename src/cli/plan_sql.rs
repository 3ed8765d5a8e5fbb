//! `tailor plan --emit-sql --dialect D`: the workspace's features, segments, scores and
//! campaign audiences as one SQL query, printed for review in a pull request or for a team's
//! own orchestrator to run. Reads the workspace, not the data.

use clap::builder::PossibleValue;
use clap::ValueEnum;

use super::plan::{checked_workspace, run_clock, PlanArgs};
use super::report::Failure;
use super::ExitCode;
use crate::diag::Diagnostic;
use crate::eval::{features_query, Dialect, SqlTables};

impl ValueEnum for Dialect {
    fn value_variants<'a>() -> &'a [Self] {
        &Dialect::ALL
    }

    fn to_possible_value(&self) -> Option<PossibleValue> {
        Some(PossibleValue::new(self.name()))
    }
}

/// Prints the query of `args.dir`'s workspace at `--now` in `--dialect`.
pub fn emit_sql(args: &PlanArgs) -> Result<ExitCode, Failure> {
    let now = run_clock(args.now.as_deref())?;
    let (_, workspace) = checked_workspace(args.dir.as_ref())?;
    let tables = SqlTables {
        profiles: args.profiles_table.clone(),
        events: args.events_table.clone(),
    };
    let query = features_query(&workspace, now, args.dialect, &tables).map_err(|unsupported| {
        Failure::failed(
            Diagnostic::error(
                "plan::sql-unsupported",
                format!("the workspace cannot be written as SQL yet: {}", unsupported.0),
            )
            .with_hint("plan it with the built-in engine (without `--emit-sql`)"),
        )
    })?;
    print!(
        "-- tailor plan --emit-sql --dialect {}: features, segments, scores and campaign audiences at {}\n{query}",
        args.dialect,
        now.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true)
    );
    Ok(ExitCode::Success)
}
