//! `tailor plan --emit-sql --dialect D`: the workspace's features, segments, scores and
//! campaign audiences as one SQL query, printed for review in a pull request or for a team's
//! own orchestrator to run. Reads the workspace, not the data.

use clap::builder::PossibleValue;
use clap::ValueEnum;

use super::plan::PlanArgs;
use super::report::Failure;
use super::steps::{checked_workspace, run_clock};
use super::ExitCode;
use crate::diag::Diagnostic;
use crate::eval::{features_query, Dialect, SqlTables};
use crate::model::{is_table_source, split_table_source};

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
    // A table named on the command line, else the source's own table in its database.
    let table = |given: &Option<String>, source: Option<&std::path::PathBuf>, default: &str| {
        given.clone().unwrap_or_else(|| {
            source
                .map(|s| s.to_string_lossy())
                .filter(|s| is_table_source(s))
                .and_then(|s| split_table_source(&s).ok())
                .map_or_else(|| default.to_string(), |(_, table)| table)
        })
    };
    let sources = &workspace.schema.sources;
    let tables = SqlTables {
        profiles: table(&args.profiles_table, Some(&sources.profiles), "profiles"),
        events: table(&args.events_table, sources.events.as_ref(), "events"),
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
