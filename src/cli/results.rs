//! `tailor report [DIR] [CAMPAIGN] --now T`: what each campaign achieved. Without a campaign, one
//! line per campaign; with one, its arms compared (rates with intervals, lift, tests, Bayesian
//! and sequential figures, sample-ratio check, a verdict) as text, markdown, JSON or SVG.
//! Recomputed from the ledger and the events every time, so late data simply counts.

use std::path::{Path, PathBuf};

use clap::{Args, ValueEnum};

use super::engine::report_dataset;
use super::steps::{campaign_named, checked_workspace, run_clock, workspace_data};
use super::{ExitCode, Failure, Report};
use crate::diag::Diagnostic;
use crate::eval::Engine;
use crate::model::Campaign;
use crate::results::{
    attributed, campaign_results, render_markdown, render_summary_markdown, render_summary_text, render_svg,
    render_text, summarize,
};

/// How the report is printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ResultsFormat {
    /// Aligned tables and a verdict, for a terminal.
    Text,
    /// A pull-request or chat comment.
    Markdown,
    /// The figures as data.
    Json,
    /// A chart: rates with intervals per arm, and the cumulative rate by day (one campaign).
    Svg,
}

/// Arguments of `tailor report`.
#[derive(Debug, Args)]
pub struct ResultsArgs {
    /// The workspace folder, then the campaign to compare (either may be left out; a single
    /// argument that is not a folder is taken for the campaign).
    #[arg(num_args = 0..=2, value_name = "DIR | CAMPAIGN")]
    pub targets: Vec<String>,
    /// The report's clock (RFC 3339): outcomes up to it count; default: now.
    #[arg(long)]
    pub now: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = ResultsFormat::Text)]
    pub format: ResultsFormat,
    /// Base the verdict on the always-valid sequential test, safe to read every day.
    #[arg(long)]
    pub sequential: bool,
    /// Drop and count rows that do not fit the schema instead of failing.
    #[arg(long)]
    pub skip_bad_rows: bool,
    /// Where the data is read (as for `plan --engine`): with `postgres` or `spark`, only the profiles and
    /// events of the units and of whoever engaged with the campaigns come back from the database.
    #[arg(long, value_enum, default_value_t = Engine::Polars, conflicts_with = "skip_bad_rows")]
    pub engine: Engine,
}

/// The workspace folder and the campaign named by the positional arguments.
fn targets(args: &ResultsArgs) -> (Option<PathBuf>, Option<String>) {
    match args.targets.as_slice() {
        [] => (None, None),
        [one] if Path::new(one).is_dir() => (Some(PathBuf::from(one)), None),
        [one] => (None, Some(one.clone())),
        [dir, campaign, ..] => (Some(PathBuf::from(dir)), Some(campaign.clone())),
    }
}

/// Runs `tailor report`.
pub fn run(args: &ResultsArgs, report: &mut Report) -> Result<ExitCode, Failure> {
    let now = run_clock(args.now.as_deref())?;
    let (dir, campaign) = targets(args);
    let (_, workspace) = checked_workspace(dir.as_ref())?;
    let named = campaign.map(|name| campaign_named(&workspace, &name)).transpose()?;
    let dataset = match args.engine {
        Engine::Polars => workspace_data(&workspace, args.skip_bad_rows, report)?,
        engine => {
            let reported: Vec<&Campaign> = match named {
                Some(campaign) => vec![campaign],
                None => workspace.campaigns.iter().collect(),
            };
            report_dataset(engine, &workspace, &reported)?
        }
    };
    let clock = now.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let Some(campaign) = named else {
        if args.format == ResultsFormat::Svg {
            return Err(Failure::usage(
                Diagnostic::error("cli::chart-needs-campaign", "the chart is drawn for one campaign")
                    .with_hint("name it: `tailor report DIR CAMPAIGN --format svg`"),
            ));
        }
        let mut summaries = Vec::new();
        for campaign in &workspace.campaigns {
            let outcomes = attributed(&workspace, &dataset, campaign, now)?;
            summaries.push(summarize(&campaign.name, campaign.goal.is_some(), &outcomes));
        }
        match args.format {
            ResultsFormat::Markdown => print!("{}", render_summary_markdown(&clock, &summaries)),
            ResultsFormat::Json => {
                println!("{:#}", serde_json::json!({ "campaigns": summaries, "now": clock }))
            }
            _ => print!("{}", render_summary_text(&clock, &summaries)),
        }
        return Ok(ExitCode::Success);
    };
    let results = campaign_results(&workspace, &dataset, campaign, now, args.sequential)?;
    match args.format {
        ResultsFormat::Text => print!("{}", render_text(&results)),
        ResultsFormat::Markdown => print!("{}", render_markdown(&results)),
        ResultsFormat::Json => println!("{:#}", serde_json::to_value(&results).unwrap_or_default()),
        ResultsFormat::Svg => print!("{}", render_svg(&results)),
    }
    Ok(ExitCode::Success)
}
