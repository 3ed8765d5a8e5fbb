//! `tailor serve [DIR] [--listen ADDR] [--every 15m]`: the long-running service. It holds the
//! ledger's delivery lease for its whole life (so `tailor run` says so and exits 1), takes
//! events over HTTP ([`crate::serve`]), and delivers through the same pass as `tailor run`:
//! every `--every`, and whenever an event trigger falls due.

use std::collections::{BTreeSet, HashMap};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Arc, RwLock};

use chrono::{TimeDelta, Utc};
use clap::Args;

use super::events::{intake_of, journal_of};
use super::run::{deliver, environment, Pass, PassData};
use super::steps::{checked_workspace, workspace_data};
use super::{ExitCode, Failure, Report};
use crate::check::CheckedWorkspace;
use crate::data::{Dataset, EventLog};
use crate::diag::Diagnostic;
use crate::ledger::{Ledger, Sharing};
use crate::model::Duration;
use crate::render::SECRET_VARIABLE;
use crate::run::{data_is_fresh, serving_secret, take_lease, RunOptions};
use crate::serve::{bump, router, schedule, trigger_rules, Deadline, Deliverer, Metrics, Rule, ServeState};

/// The environment variable listing the write keys producers authenticate with.
pub const WRITE_KEYS_VARIABLE: &str = "TAILOR_WRITE_KEYS";

/// Arguments of `tailor serve`.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// The workspace folder.
    pub dir: Option<PathBuf>,
    /// The address to listen on (this machine only unless told otherwise).
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub listen: String,
    /// How often every campaign is planned and delivered (scheduled and condition campaigns).
    #[arg(long, default_value = "15m")]
    pub every: String,
    /// Drop and count rows that do not fit the schema instead of skipping the pass.
    #[arg(long)]
    pub skip_bad_rows: bool,
}

/// Writes one structured log line (JSON) on stderr. Lines name profile keys, never addresses.
fn log(line: serde_json::Value) {
    eprintln!("{line}");
}

/// A failure as a log line's list of problems.
fn problems(failure: &Failure) -> Vec<String> {
    failure
        .diagnostics
        .iter()
        .map(|d| format!("{}: {}", d.code, d.message))
        .collect()
}

/// The write keys in `TAILOR_WRITE_KEYS` (comma-separated); none is a refusal to start.
fn write_keys() -> Result<Vec<String>, Failure> {
    let keys: Vec<String> = environment(WRITE_KEYS_VARIABLE)
        .unwrap_or_default()
        .split(',')
        .map(str::trim)
        .filter(|k| !k.is_empty())
        .map(str::to_string)
        .collect();
    if keys.is_empty() {
        return Err(Failure::usage(
            Diagnostic::error(
                "serve::no-write-keys",
                format!("{WRITE_KEYS_VARIABLE} is not set: the event endpoints would take anyone's events"),
            )
            .with_hint(format!(
                "set {WRITE_KEYS_VARIABLE} to one or more secret keys, comma-separated (e.g. `openssl rand -hex 16`), and give producers one each as their write key"
            )),
        ));
    }
    Ok(keys)
}

/// The deadlines still ahead in `dataset` at the pass's `now`: each event of a trigger's type
/// whose `ts + after` has not come yet.
fn pending_deadlines(workspace: &CheckedWorkspace, dataset: &Dataset, now: chrono::DateTime<Utc>) -> Vec<Deadline> {
    let index = dataset.event_index();
    let mut deadlines = Vec::new();
    for (rule, campaign) in trigger_rules(&workspace.campaigns) {
        let Rule::Event(on, after) = rule else {
            continue;
        };
        for &row in index.of_type(&on) {
            let Some(ts) = index.time(row) else {
                continue;
            };
            if let Some(at) = chrono::DateTime::from_timestamp_micros(ts + after.micros()) {
                if at > now {
                    deadlines.push((at, campaign.clone()));
                }
            }
        }
    }
    deadlines
}

/// Profile key → address, for unsubscribes.
fn directory_of(workspace: &CheckedWorkspace, dataset: &Dataset) -> HashMap<String, String> {
    let schema = &workspace.schema;
    let column = |name: &str| dataset.profiles.column(name).ok().and_then(|c| c.str().ok().cloned());
    match (column(&schema.key), column(&schema.email)) {
        (Some(keys), Some(emails)) => keys
            .iter()
            .zip(emails.iter())
            .filter_map(|(k, e)| Some((k?.to_string(), e?.to_string())))
            .collect(),
        _ => HashMap::new(),
    }
}

/// The delivery side of `serve`: the ledger it holds, and what a pass needs.
struct ServeDeliverer {
    dir: Option<PathBuf>,
    ledger: Ledger,
    secret: String,
    skip_bad_rows: bool,
    state: Arc<ServeState>,
    stop: Arc<AtomicBool>,
    renewed: std::time::Instant,
}

impl ServeDeliverer {
    /// One pass; the deadlines still ahead, or the failure that stopped it.
    fn try_pass(&mut self, campaigns: Option<&BTreeSet<String>>) -> Result<Vec<Deadline>, Failure> {
        let (loaded, workspace) = checked_workspace(self.dir.as_ref())?;
        let mut report = Report::default();
        let dataset = workspace_data(&workspace, self.skip_bad_rows, &mut report)?;
        // The clock is read once the data is loaded, so every call it holds is in the past.
        let now = Utc::now();
        *self.state.directory.write().unwrap_or_else(|p| p.into_inner()) = directory_of(&workspace, &dataset);
        let pending = pending_deadlines(&workspace, &dataset, now);
        data_is_fresh(&workspace, &dataset, now).map_err(Failure::failed)?;
        let only: Option<Vec<String>> = campaigns.map(|c| c.iter().cloned().collect());
        let pass = Pass {
            loaded: &loaded,
            workspace: &workspace,
            data: PassData::Loaded(&dataset),
            now,
            only: only.as_deref(),
            max_sends: None,
            secret: &self.secret,
            options: RunOptions {
                limit: None,
                show_pii: false,
                reserve: true,
            },
            stop: Arc::clone(&self.stop),
            progress: &|_, _| {},
        };
        let summary = deliver(&pass, Some(&mut self.ledger))?;
        let sent: usize = summary.campaigns.iter().map(|c| c.sent).sum();
        bump(&self.state.metrics.sent, sent as u64);
        log(serde_json::json!({
            "event": "pass",
            "at": now.to_rfc3339(),
            "campaigns": only,
            "sent": sent,
            "summary": summary,
        }));
        Ok(pending)
    }
}

impl Deliverer for ServeDeliverer {
    fn pass(&mut self, campaigns: Option<&BTreeSet<String>>) -> Vec<Deadline> {
        let outcome = self.try_pass(campaigns);
        bump(&self.state.metrics.passes, 1);
        self.renewed = std::time::Instant::now();
        match outcome {
            Ok(pending) => pending,
            Err(failure) => {
                log(serde_json::json!({ "event": "pass", "outcome": "skipped", "problems": problems(&failure) }));
                Vec::new()
            }
        }
    }

    fn keep_alive(&mut self) {
        if self.renewed.elapsed() < std::time::Duration::from_secs(60) {
            return;
        }
        self.renewed = std::time::Instant::now();
        if let Err(error) = self.ledger.renew_lease() {
            log(serde_json::json!({ "event": "lease", "outcome": "lost", "problem": error.to_string() }));
            self.stop.store(true, Ordering::SeqCst);
        }
    }
}

/// Runs `tailor serve`.
pub fn run(args: &ServeArgs) -> Result<ExitCode, Failure> {
    let write_keys = write_keys()?;
    let every = Duration::parse(&args.every)
        .ok()
        .filter(|d| d.micros() > 0)
        .and_then(|d| TimeDelta::microseconds(d.micros()).to_std().ok())
        .ok_or_else(|| {
            Failure::usage(
                Diagnostic::error("cli::bad-duration", format!("--every {}: not a duration", args.every))
                    .with_hint("write it as `30s`, `15m`, `1h`"),
            )
        })?;
    let secret = serving_secret(environment(SECRET_VARIABLE).as_deref()).map_err(Failure::usage)?;
    let (_, workspace) = checked_workspace(args.dir.as_ref())?;
    let ledger_path = workspace.manifest.delivery.ledger.clone();
    let mut ledger = Ledger::open(&ledger_path)?;
    take_lease(&mut ledger, Sharing::Exclusive)?;
    ledger.resolve_interrupted(false, Utc::now().timestamp())?;
    let intake = intake_of(&workspace)?;
    let journal = journal_of(&EventLog::beside(&ledger_path))?;
    let (arrivals, arrived) = mpsc::channel();
    let state = Arc::new(ServeState {
        intake,
        journal,
        write_keys,
        metrics: Arc::new(Metrics::default()),
        arrivals,
        secret: secret.clone(),
        ledger: ledger_path,
        directory: Arc::new(RwLock::new(HashMap::new())),
    });
    let unavailable = |what: String| Failure::usage(Diagnostic::error("serve::listen", what));
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| unavailable(format!("cannot start the server: {e}")))?;
    let listener = runtime
        .block_on(tokio::net::TcpListener::bind(&args.listen))
        .map_err(|e| unavailable(format!("cannot listen on {}: {e}", args.listen)))?;
    let stop = Arc::new(AtomicBool::new(false));
    let rules = trigger_rules(&workspace.campaigns);
    let mut deliverer = ServeDeliverer {
        dir: args.dir.clone(),
        ledger,
        secret,
        skip_bad_rows: args.skip_bad_rows,
        state: Arc::clone(&state),
        stop: Arc::clone(&stop),
        renewed: std::time::Instant::now(),
    };
    let scheduler_stop = Arc::clone(&stop);
    let metrics = Arc::clone(&state.metrics);
    let scheduler = std::thread::Builder::new()
        .name("tailor-scheduler".into())
        .spawn(move || schedule(&arrived, &rules, every, &scheduler_stop, &metrics, &mut deliverer))
        .map_err(|e| unavailable(format!("cannot start the scheduler: {e}")))?;
    log(serde_json::json!({ "event": "listening", "address": args.listen, "workspace": workspace.manifest.name }));
    let app = router(Arc::clone(&state));
    let stopping = Arc::clone(&stop);
    let served = runtime.block_on(async move {
        axum::serve(listener, app)
            .with_graceful_shutdown(async move {
                shutdown_signal(&stopping).await;
            })
            .await
    });
    // Requests are answered (their lines are on the disk); let the pass in flight finish.
    stop.store(true, Ordering::SeqCst);
    drop(state);
    let _ = scheduler.join();
    log(serde_json::json!({ "event": "stopped" }));
    served
        .map(|()| ExitCode::Success)
        .map_err(|e| unavailable(format!("{}: {e}", args.listen)))
}

/// Resolves on SIGTERM or SIGINT, or when the service stops itself (a lost lease).
async fn shutdown_signal(stop: &AtomicBool) {
    use tokio::signal::unix::{signal, SignalKind};
    let (Ok(mut terminate), Ok(mut interrupt)) = (signal(SignalKind::terminate()), signal(SignalKind::interrupt()))
    else {
        return std::future::pending().await;
    };
    let mut tick = tokio::time::interval(std::time::Duration::from_secs(1));
    loop {
        tokio::select! {
            _ = terminate.recv() => break,
            _ = interrupt.recv() => break,
            _ = tick.tick() => if stop.load(Ordering::SeqCst) { break },
        }
    }
}
