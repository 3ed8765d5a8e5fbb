//! `tailor test [DIR]`: run every `kind: test` document.

use std::fmt::Write as _;
use std::path::PathBuf;

use clap::Args;

use super::steps::{checked_workspace, data_failure, renderer};
use super::{ExitCode, Failure, Report};
use crate::data::load_catalog_only;
use crate::diag::Diagnostic;
use crate::render::{run_test, TestOutcome};
use crate::template::escape_html;

/// Arguments of `tailor test`.
#[derive(Debug, Args)]
pub struct TestArgs {
    /// The workspace folder.
    pub dir: Option<PathBuf>,
    /// Also write a JUnit XML report here.
    #[arg(long)]
    pub junit: Option<PathBuf>,
    /// Rewrite golden files with the messages as they are now.
    #[arg(long)]
    pub bless: bool,
}

/// The outcomes as a JUnit XML report.
fn junit(outcomes: &[TestOutcome]) -> String {
    let failed = outcomes.iter().filter(|o| !o.failures.is_empty()).count();
    let mut out = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuite name=\"tailor\" tests=\"{}\" failures=\"{failed}\">\n",
        outcomes.len()
    );
    for outcome in outcomes {
        let _ = write!(
            out,
            "  <testcase classname=\"{}\" name=\"{}\"",
            escape_html(&outcome.campaign),
            escape_html(&outcome.name)
        );
        if outcome.failures.is_empty() {
            out.push_str("/>\n");
        } else {
            let message = escape_html(&outcome.failures.join("; "));
            let _ = writeln!(
                out,
                ">\n    <failure message=\"{message}\">{message}</failure>\n  </testcase>"
            );
        }
    }
    out.push_str("</testsuite>\n");
    out
}

/// Runs `tailor test`.
pub fn run(args: &TestArgs, _report: &mut Report) -> Result<ExitCode, Failure> {
    let (loaded, workspace) = checked_workspace(args.dir.as_ref())?;
    let renderer = renderer(&loaded, &workspace)?;
    let catalog = load_catalog_only(&workspace).map_err(data_failure)?;
    let outcomes: Vec<TestOutcome> = workspace
        .tests
        .iter()
        .map(|test| run_test(&workspace, &renderer, test, catalog.as_ref(), args.bless))
        .collect();
    for outcome in &outcomes {
        if outcome.failures.is_empty() {
            println!("ok     {} ({})", outcome.name, outcome.campaign);
        } else {
            println!("FAILED {} ({})", outcome.name, outcome.campaign);
            for failure in &outcome.failures {
                println!("         {failure}");
            }
        }
    }
    let failed = outcomes.iter().filter(|o| !o.failures.is_empty()).count();
    println!("tailor test: {} passed, {failed} failed", outcomes.len() - failed);
    if let Some(path) = &args.junit {
        std::fs::write(path, junit(&outcomes)).map_err(|error| {
            Failure::usage(Diagnostic::error(
                "test::io",
                format!("cannot write `{}`: {error}", path.display()),
            ))
        })?;
    }
    Ok(if failed > 0 {
        ExitCode::Failure
    } else {
        ExitCode::Success
    })
}
