//! `tailor run [DIR] --now T`: execute the plan. Guards first (the workspace checks, the data
//! is fresh, one run per ledger, the plan is not larger than `--max-sends`), then sends left in
//! flight by a stopped run are resolved, and every due message is rendered, reserved,
//! delivered and recorded.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;

use chrono::{DateTime, SecondsFormat, Utc};
use clap::{Args, ValueEnum};
use signal_hook::consts::{SIGINT, SIGTERM};

use super::plan::{checked_workspace, evaluated, ledger_history, renderer, run_clock, workspace_data};
use super::{ExitCode, Failure, Report};
use crate::check::CheckedWorkspace;
use crate::data::{newest_event, Dataset};
use crate::diag::{suggestion_hint, Diagnostic};
use crate::ledger::{LeaseError, Ledger, LedgerError};
use crate::model::Transport as TransportKind;
use crate::plan::build_plan;
use crate::render::{checked_secret, PlanInputs, SecretProblem, MIN_SECRET_BYTES, SECRET_VARIABLE};
use crate::run::transport::{shown_url, Outbox, SmtpRelay, Transport};
use crate::run::{execute, Destination, DkimSigner, RunSettings, RunSummary, SendNote};

/// How the summary is printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum RunFormat {
    /// A table for a terminal or a deploy log.
    Text,
    /// `{"campaigns": [{"name", "sent", "failed", "deferred", "already_sent", "variants"}], ...}`.
    Json,
}

/// Arguments of `tailor run`.
#[derive(Debug, Args)]
pub struct RunArgs {
    /// The workspace folder.
    pub dir: Option<PathBuf>,
    /// The run's clock (RFC 3339); default: now. Sends are recorded at this time.
    #[arg(long)]
    pub now: Option<String>,
    /// Render everything, deliver and record nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Only this campaign (repeatable).
    #[arg(long = "campaign", value_name = "NAME")]
    pub campaigns: Vec<String>,
    /// Send at most N messages now (the rest stay due for the next run).
    #[arg(long, value_name = "N")]
    pub limit: Option<usize>,
    /// Refuse to send anything when more than N messages are due.
    #[arg(long, value_name = "N")]
    pub max_sends: Option<usize>,
    /// Sends left in flight by a stopped run are marked uncertain instead of resent.
    #[arg(long)]
    pub at_most_once: bool,
    /// Show email addresses in notes (profile keys only by default).
    #[arg(long)]
    pub show_pii: bool,
    /// Output format of the summary.
    #[arg(long, value_enum, default_value_t = RunFormat::Text)]
    pub format: RunFormat,
    /// Drop and count rows that do not fit the schema instead of failing.
    #[arg(long)]
    pub skip_bad_rows: bool,
}

/// The unsubscribe secret when the run goes to an outbox without one: links work, but anyone
/// who knows this could forge them, so it is only allowed where nothing leaves the machine.
const OUTBOX_SECRET: &str = "tailor-outbox-only";

/// Set (to anything) only by the crash test, to show that without reserving a send before it
/// leaves, a killed run leads to duplicates nobody can explain. Never set it otherwise.
const NO_RESERVATION_VARIABLE: &str = "TAILOR_TEST_UNSAFE_NO_RESERVATION";

fn unsafe_no_reservation(report: &mut Report) -> bool {
    let set = std::env::var_os(NO_RESERVATION_VARIABLE).is_some();
    if set {
        report.warn(Diagnostic::warning(
            "run::unsafe",
            format!("{NO_RESERVATION_VARIABLE} is set: sends are not reserved, a crash can send twice"),
        ));
    }
    set
}

/// Refuses data whose newest event is older than `now - max_data_age`.
fn data_is_fresh(workspace: &CheckedWorkspace, dataset: &Dataset, now: DateTime<Utc>) -> Result<(), Failure> {
    let Some(max_age) = workspace.manifest.delivery.max_data_age else {
        return Ok(());
    };
    if workspace.schema.events.is_empty() {
        return Ok(());
    }
    let newest = newest_event(&dataset.events).map_err(|e| {
        Failure::failed(Diagnostic::error(
            "run::stale-data",
            format!("cannot read the event times: {e}"),
        ))
    })?;
    let oldest_allowed = now.timestamp_micros() - max_age.micros();
    match newest {
        Some(newest) if newest >= oldest_allowed => Ok(()),
        Some(newest) => {
            let shown = DateTime::from_timestamp_micros(newest)
                .map_or(newest.to_string(), |t| t.to_rfc3339_opts(SecondsFormat::Secs, true));
            Err(Failure::failed(
                Diagnostic::error(
                    "run::stale-data",
                    format!(
                        "the newest event is from {shown}, older than `max_data_age` ({max_age}) before {}",
                        now.to_rfc3339_opts(SecondsFormat::Secs, true)
                    ),
                )
                .with_hint("refresh the event export; a stale export must not drive sends"),
            ))
        }
        None => Err(Failure::failed(
            Diagnostic::error(
                "run::stale-data",
                "there are no events at all, so the data's age is unknown",
            )
            .with_hint("refresh the event export, or remove `delivery.max_data_age`"),
        )),
    }
}

/// The transport the manifest names (an SMTP server must answer).
pub(super) fn transport(workspace: &CheckedWorkspace) -> Result<Box<dyn Transport>, Failure> {
    let delivery = &workspace.manifest.delivery;
    match (delivery.transport, &delivery.smtp) {
        (TransportKind::Smtp, Some(smtp)) => {
            let relay = SmtpRelay::new(smtp, |name| std::env::var(name).ok())
                .map_err(|e| Failure::usage(Diagnostic::error("run::smtp-setup", e.to_string())))?;
            relay.reachable().map_err(|e| {
                Failure::usage(
                    Diagnostic::error("run::smtp-unreachable", format!("{}: {e}", shown_url(&smtp.url)))
                        .with_hint("is the server running, and is `delivery.smtp.url` right?"),
                )
            })?;
            Ok(Box::new(relay))
        }
        _ => {
            let outbox = Outbox::open(&delivery.outbox).map_err(|e| {
                Failure::usage(Diagnostic::error(
                    "run::outbox",
                    format!("cannot create `{}`: {e}", delivery.outbox.display()),
                ))
            })?;
            Ok(Box::new(outbox))
        }
    }
}

/// The unsubscribe secret: at least [`MIN_SECRET_BYTES`] long whenever one is given; only an
/// outbox run (or a dry run), where nothing leaves the machine, falls back to a development
/// secret when none is set.
pub(super) fn unsubscribe_secret(workspace: &CheckedWorkspace, dry_run: bool) -> Result<String, Failure> {
    let value = std::env::var(SECRET_VARIABLE).ok();
    match checked_secret(value.as_deref()) {
        Ok(secret) => Ok(secret.to_string()),
        Err(SecretProblem::Missing) if dry_run || workspace.manifest.delivery.transport != TransportKind::Smtp => {
            Ok(OUTBOX_SECRET.to_string())
        }
        Err(SecretProblem::Missing) => Err(Failure::usage(
            Diagnostic::error(
                "run::no-secret",
                format!("{SECRET_VARIABLE} is not set (or empty), so unsubscribe links could be forged"),
            )
            .with_hint(format!(
                "set it to a long random value (at least {MIN_SECRET_BYTES} bytes), the same on every run (a CI secret)"
            )),
        )),
        Err(SecretProblem::TooShort(length)) => Err(Failure::usage(
            Diagnostic::error(
                "run::weak-secret",
                format!("{SECRET_VARIABLE} is {length} bytes long; unsubscribe tokens signed with it could be forged"),
            )
            .with_hint(format!(
                "use a random value of at least {MIN_SECRET_BYTES} bytes, e.g. `openssl rand -hex 32`"
            )),
        )),
    }
}

/// A flag SIGINT and SIGTERM set, so a run stops gracefully (a second signal ends the process
/// at once, exit 1).
fn stop_on_signals() -> Arc<AtomicBool> {
    let flag = Arc::new(AtomicBool::new(false));
    for signal in [SIGINT, SIGTERM] {
        // Registration fails only for forbidden signals; without it a signal ends the run
        // abruptly, which the ledger also survives.
        let _ = signal_hook::flag::register_conditional_shutdown(signal, 1, Arc::clone(&flag));
        let _ = signal_hook::flag::register(signal, Arc::clone(&flag));
    }
    flag
}

/// The DKIM signer the manifest asks for, if any.
pub(super) fn dkim_signer(workspace: &CheckedWorkspace) -> Result<Option<DkimSigner>, Failure> {
    match &workspace.manifest.delivery.dkim {
        Some(settings) => DkimSigner::load(settings)
            .map(Some)
            .map_err(|e| Failure::usage(Diagnostic::error("run::dkim", e.to_string()))),
        None => Ok(None),
    }
}

/// Prints progress: a bar on a terminal, a line per tenth otherwise.
fn progress_printer(quiet: bool) -> Box<dyn Fn(usize, usize)> {
    if quiet {
        return Box::new(|_, _| {});
    }
    if std::io::stderr().is_terminal() {
        let bar = indicatif::ProgressBar::new(0);
        bar.set_style(
            indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} messages, {per_sec}, eta {eta}")
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        return Box::new(move |done, total| {
            bar.set_length(total as u64);
            bar.set_position(done as u64);
            if done >= total {
                bar.finish_and_clear();
            }
        });
    }
    let shown = std::cell::Cell::new(0usize);
    Box::new(move |done, total| {
        let tenth = (total / 10).max(1);
        if done >= shown.get() + tenth || (done == total && done > shown.get()) {
            shown.set(done);
            eprintln!("progress: {done}/{total} messages");
        }
    })
}

/// Runs `tailor run`.
pub fn run(args: &RunArgs, report: &mut Report) -> Result<ExitCode, Failure> {
    let now = run_clock(args.now.as_deref())?;
    let (loaded, workspace) = checked_workspace(args.dir.as_ref())?;
    for name in &args.campaigns {
        if !workspace.campaigns.iter().any(|c| &c.name == name) {
            let names = workspace.campaigns.iter().map(|c| c.name.as_str());
            return Err(Failure::usage(
                Diagnostic::error("cli::unknown-campaign", format!("there is no campaign `{name}`"))
                    .with_optional_hint(suggestion_hint(name, names)),
            ));
        }
    }
    let dataset = workspace_data(&workspace, args.skip_bad_rows, report)?;
    data_is_fresh(&workspace, &dataset, now)?;
    let delivery = &workspace.manifest.delivery;
    let ledger_error = |e: LedgerError| Failure::usage(Diagnostic::error("ledger::write", e.to_string()));
    // A dry run writes nothing and reads the ledger as `plan` does.
    let mut ledger = if args.dry_run {
        None
    } else {
        Some(Ledger::open(&delivery.ledger).map_err(ledger_error)?)
    };
    // One run per ledger: the lease lives in the ledger itself.
    if let Some(ledger) = &mut ledger {
        ledger.take_lease().map_err(|e| match e {
            LeaseError::Held(holder) => Failure::failed(
                Diagnostic::error(
                    "run::locked",
                    format!(
                        "another run ({holder}) holds the lease of the ledger `{}`",
                        delivery.ledger.display()
                    ),
                )
                .with_hint("wait for it to finish; two runs must not interleave"),
            ),
            other => Failure::usage(Diagnostic::error(
                "ledger::write",
                format!("ledger `{}`: {other}", delivery.ledger.display()),
            )),
        })?;
    }
    let interrupted = match &mut ledger {
        Some(ledger) => ledger
            .resolve_interrupted(args.at_most_once, now.timestamp())
            .map_err(ledger_error)?,
        None => Vec::new(),
    };
    // A run reads the ledger it holds open; a dry run reads it as `plan` does.
    let history = match &ledger {
        Some(ledger) => ledger.current_history().map_err(ledger_error)?,
        None => ledger_history(&workspace)?,
    };
    let evaluation = evaluated(&workspace, &dataset, now, "plan::evaluate")?;
    let only = (!args.campaigns.is_empty()).then_some(args.campaigns.as_slice());
    let plan = build_plan(&workspace, &dataset, &evaluation, &history, only, now)
        .map_err(|e| Failure::failed(Diagnostic::error("plan::evaluate", e.to_string())))?;
    let due: usize = plan.due.iter().map(|(_, sends)| sends.len()).sum();
    let sending = args.limit.map_or(due, |limit| due.min(limit));
    if let Some(max) = args.max_sends {
        if sending > max {
            return Err(Failure::failed(
                Diagnostic::error(
                    "run::too-many",
                    format!("{sending} messages are due, more than --max-sends {max}: nothing was sent"),
                )
                .with_hint("review `tailor plan`; raise --max-sends if this is intended"),
            ));
        }
    }
    let secret = unsubscribe_secret(&workspace, args.dry_run)?;
    let renderer = renderer(&loaded, &workspace)?;
    let inputs = PlanInputs {
        workspace: &workspace,
        dataset: &dataset,
        evaluation: &evaluation,
        now,
    };
    let smtp = delivery.smtp.as_ref();
    let settings = RunSettings {
        threads: match delivery.transport {
            TransportKind::Smtp => smtp.map_or(1, |s| s.pool as usize),
            TransportKind::Outbox => 2,
        },
        retries: smtp.map_or(3, |s| s.retries),
        rate_per_second: match delivery.transport {
            TransportKind::Smtp => smtp.map_or(0.0, |s| s.rate_per_second),
            TransportKind::Outbox => 0.0,
        },
        max_failure_rate: delivery.max_failure_rate,
        limit: args.limit,
        show_pii: args.show_pii,
        reserve: !unsafe_no_reservation(report),
        interrupted: stop_on_signals(),
    };
    let progress = progress_printer(args.format == RunFormat::Json && !std::io::stderr().is_terminal());
    let transport = if args.dry_run {
        None
    } else {
        Some(transport(&workspace)?)
    };
    let dkim = if args.dry_run { None } else { dkim_signer(&workspace)? };
    let destination = match (&mut ledger, &transport) {
        (Some(ledger), Some(transport)) => Destination::Deliver {
            ledger,
            transport: transport.as_ref(),
            dkim: dkim.as_ref(),
        },
        _ => Destination::DryRun,
    };
    let mut summary = execute(
        &renderer,
        &inputs,
        &plan,
        secret.as_bytes(),
        destination,
        &settings,
        &*progress,
    )
    .map_err(ledger_error)?;
    summary.interrupted = interrupted
        .into_iter()
        .map(|i| SendNote {
            campaign: i.send.campaign,
            key: i.send.key,
            occurrence: i.send.occurrence,
            detail: format!("{} was in flight when a run stopped: now {}", i.message_id, i.now),
        })
        .collect();
    print_summary(&summary, args.format);
    Ok(if summary.local_failure {
        ExitCode::Usage
    } else if summary.stopped.is_some() || summary.unrendered > 0 {
        ExitCode::Failure
    } else {
        ExitCode::Success
    })
}

/// Prints the summary; a reader that went away (a closed pipe) is no failure of the run,
/// whose sends are recorded by now.
fn print_summary(summary: &RunSummary, format: RunFormat) {
    use std::io::Write as _;
    let text = match format {
        RunFormat::Text => summary.render_text(),
        RunFormat::Json => format!("{}\n", serde_json::to_string_pretty(summary).unwrap_or_default()),
    };
    let _ = std::io::stdout().write_all(text.as_bytes());
}
