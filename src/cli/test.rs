//! `tailor test [DIR]`: run every `kind: test` document.

use std::fmt::Write as _;
use std::path::PathBuf;

use clap::Args;

use super::plan::checked_workspace;
use super::ExitCode;
use crate::data::load_catalog_only;
use crate::render::{run_test, Renderer, TestOutcome};
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
pub fn run(args: &TestArgs) -> ExitCode {
    let (loaded, workspace) = match checked_workspace(args.dir.as_ref()) {
        Ok(checked) => checked,
        Err(code) => return code,
    };
    let renderer = match Renderer::new(&loaded, &workspace) {
        Ok(renderer) => renderer,
        Err(message) => {
            eprintln!("error[test::render]: {message}");
            return ExitCode::Failure;
        }
    };
    let catalog = match load_catalog_only(&workspace) {
        Ok(catalog) => catalog,
        Err(error) => {
            eprintln!("error[test::catalog]: the catalog cannot be loaded: {error:?}");
            return ExitCode::Failure;
        }
    };
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
        if let Err(error) = std::fs::write(path, junit(&outcomes)) {
            eprintln!("error[test::io]: cannot write `{}`: {error}", path.display());
            return ExitCode::Usage;
        }
    }
    if failed > 0 {
        ExitCode::Failure
    } else {
        ExitCode::Success
    }
}
