//! Executing a plan: render each due send, reserve a batch in the ledger (committed), hand it
//! to the sending threads, and record how each ended in grouped commits, suppressing addresses
//! the server refuses for good. Messages stream through in batches: memory stays flat however
//! large the audience.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{channel, sync_channel, Receiver};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::dkim::DkimSigner;
use super::pacing::RateLimiter;
use super::refusal::{is_recipient_specific, without_address};
use super::senders::{Ending, Finished, Job, Senders};
use super::summary::{RunSummary, SendNote};
use super::transport::{Outgoing, Transport};
use crate::ledger::{Ledger, LedgerError, Recorded, Reservation, SendKey};
use crate::model::{parse_mailbox, Campaign, Percent, SendState};
use crate::plan::{DueSend, Plan};
use crate::render::{map_on_every_core, message_id, render_message, PlanInputs, Renderer, RENDERS_PER_THREAD};

/// Messages rendered and reserved together by a run alone on its ledger.
const BATCH: usize = 256;

/// Messages reserved together by a run sharing its ledger with other senders, per sending
/// thread: what its senders take soon, so that the work spreads over the runs and a killed run
/// leaves little in flight.
const SHARED_BATCH_PER_THREAD: usize = 4;

/// How long a run stopped by a signal waits for the messages in flight before cutting off a
/// server that does not answer.
const SIGNAL_GRACE: Duration = Duration::from_secs(3);

/// Permanent failures are judged only after this many sends.
const FAILURE_RATE_GRACE: usize = 200;

/// When this many permanent refusals read the same (addresses aside) and make up most of the
/// attempts, the server is refusing, not the recipients: the run stops at once.
const SAME_WAY_REFUSALS: usize = 20;

/// How a run behaves.
#[derive(Debug, Clone)]
pub struct RunSettings {
    /// Sending threads (the SMTP pool size).
    pub threads: usize,
    /// Retries of a temporary failure.
    pub retries: u32,
    /// Sends per second at most (0: no limit).
    pub rate_per_second: f64,
    /// Permanent failures above this share stop the run.
    pub max_failure_rate: Percent,
    /// Send at most this many messages.
    pub limit: Option<usize>,
    /// Whether failure notes may show addresses.
    pub show_pii: bool,
    /// Whether sends are reserved before they leave. Always true but in the crash test that
    /// shows what goes wrong without it.
    pub reserve: bool,
    /// Set (by SIGINT or SIGTERM, in the CLI) to stop gracefully: nothing new leaves, what is
    /// in flight finishes and is recorded, unsent reservations are given back.
    pub interrupted: Arc<AtomicBool>,
}

/// Where the messages go: nowhere (`--dry-run`), or a transport with its ledger.
pub enum Destination<'a> {
    /// Render only: nothing is delivered or recorded.
    DryRun,
    /// Deliver through `transport`, recording in `ledger`.
    Deliver {
        /// The ledger.
        ledger: &'a mut Ledger,
        /// The transport.
        transport: &'a dyn Transport,
        /// Signs every message, when set.
        dkim: Option<&'a DkimSigner>,
    },
}

/// What the run needs back with each message.
#[derive(Debug, Clone)]
struct Tag {
    send: SendKey,
    variant: String,
    message_id: String,
    retry: bool,
}

/// The due sends of `plan`, campaigns in priority order (higher first, ties by name), each in
/// key order; at most `limit`.
fn queue<'p>(inputs: &PlanInputs<'p>, plan: &'p Plan, limit: Option<usize>) -> Vec<(&'p Campaign, &'p DueSend)> {
    let workspace = inputs.workspace;
    let campaigns: Vec<(&Campaign, &[DueSend])> = workspace
        .graph
        .campaigns_by_priority()
        .filter_map(|name| {
            let campaign = workspace.campaigns.iter().find(|c| c.name == name)?;
            let sends = plan.due.iter().find(|(due, _)| due == name)?;
            Some((campaign, sends.1.as_slice()))
        })
        .collect();
    let all = campaigns
        .into_iter()
        .flat_map(|(campaign, sends)| sends.iter().map(move |send| (campaign, send)));
    match limit {
        Some(limit) => all.take(limit).collect(),
        None => all.collect(),
    }
}

/// Records each campaign's holdout members whose send would be due now: their outcomes count
/// from this moment, as a recipient's do from the send.
fn record_holdouts(ledger: &mut Ledger, inputs: &PlanInputs, plan: &Plan, now: i64) -> Result<(), LedgerError> {
    let keys = inputs.evaluation.frame.column(&inputs.workspace.schema.key);
    let Some(keys) = keys.ok().and_then(|c| c.str().ok()) else {
        return Ok(());
    };
    for (campaign, rows) in &plan.held_out {
        let held: Vec<&str> = rows.iter().filter_map(|&row| keys.get(row)).collect();
        ledger.hold_out(campaign, &held, now)?;
    }
    Ok(())
}

/// Runs `plan`: every due send rendered, and (unless dry) reserved, delivered and recorded.
/// Returns the summary; an error only when the ledger cannot be written (what was sent up to
/// then stays recorded, what was in flight stays `reserved` for the next run to resolve).
pub fn execute(
    renderer: &Renderer,
    inputs: &PlanInputs,
    plan: &Plan,
    secret: &[u8],
    destination: Destination,
    settings: &RunSettings,
    progress: &dyn Fn(usize, usize),
) -> Result<RunSummary, LedgerError> {
    let dry_run = matches!(destination, Destination::DryRun);
    let mut summary = RunSummary::from_plan(&plan.report, dry_run);
    let queue = queue(inputs, plan, settings.limit);
    let total = queue.len();
    let now = inputs.now.timestamp();
    let Destination::Deliver {
        ledger,
        transport,
        dkim,
    } = destination
    else {
        let mut done = 0;
        for chunk in queue.chunks(BATCH) {
            for reservation in render_batch(renderer, inputs, chunk, secret, &mut summary).0 {
                if let Some(entry) = summary.campaign(&reservation.send.campaign) {
                    entry.count_sent(&reservation.variant);
                }
            }
            done += chunk.len();
            progress(done, total);
        }
        return Ok(summary);
    };
    record_holdouts(ledger, inputs, plan, now)?;
    let limiter = RateLimiter::new(settings.rate_per_second);
    let stop = AtomicBool::new(false);
    let senders = Senders {
        transport,
        limiter: &limiter,
        retries: settings.retries,
        stop: &stop,
        dkim,
    };
    let threads = settings.threads.max(1);
    let (job_sender, jobs) = sync_channel::<Job<Tag>>(threads * 2);
    let jobs = Mutex::new(jobs);
    let (done_sender, done) = channel::<Finished<Tag>>();
    let mut tally = Tally {
        ledger,
        summary: &mut summary,
        settings,
        now,
        finished: 0,
        attempted: 0,
        refused: 0,
        refusals_by_reply: HashMap::new(),
        to_suppress: Vec::new(),
        server_refuses: false,
        pending: Vec::new(),
        last_settled: Instant::now(),
    };
    let finished = AtomicBool::new(false);
    std::thread::scope(|scope| -> Result<(), LedgerError> {
        let (stop, finished) = (&stop, &finished);
        scope.spawn(move || watch_for_signal(&settings.interrupted, stop, finished, transport));
        for _ in 0..threads {
            let done_sender = done_sender.clone();
            let (senders, jobs) = (&senders, &jobs);
            scope.spawn(move || senders.work(jobs, &done_sender));
        }
        drop(done_sender);
        let batch = if tally.ledger.is_shared() {
            (threads * SHARED_BATCH_PER_THREAD).max(8)
        } else {
            BATCH
        };
        let fed = (|| -> Result<(), LedgerError> {
            for chunk in queue.chunks(batch) {
                if stop.load(Ordering::SeqCst) {
                    break;
                }
                let (reservations, messages) = render_batch(renderer, inputs, chunk, secret, tally.summary);
                tally.finished += chunk.len() - reservations.len();
                let granted = if settings.reserve {
                    tally.ledger.reserve(&reservations, now)?
                } else {
                    vec![true; reservations.len()]
                };
                for ((reservation, message), granted) in reservations.into_iter().zip(messages).zip(granted) {
                    if !granted {
                        // Another run claimed it since this one planned (a run sharing the
                        // ledger): never twice.
                        if let Some(entry) = tally.summary.campaign(&reservation.send.campaign) {
                            entry.other_runs += 1;
                        }
                        tally.finished += 1;
                        continue;
                    }
                    let tag = Tag {
                        send: reservation.send,
                        variant: reservation.variant,
                        message_id: reservation.message_id,
                        retry: reservation.retry,
                    };
                    if job_sender.send(Job { tag, message }).is_err() {
                        break;
                    }
                    if settings.interrupted.load(Ordering::SeqCst) {
                        stop.store(true, Ordering::SeqCst);
                    }
                    // Record what finished meanwhile, in groups: a crash can duplicate only
                    // what is delivered and not yet recorded, so keep that window short.
                    tally.pending.extend(done.try_iter());
                    if tally.group_is_ready() && tally.settle_pending()? {
                        stop.store(true, Ordering::SeqCst);
                    }
                    progress(tally.finished, total);
                }
            }
            Ok(())
        })();
        drop(job_sender);
        if fed.is_err() {
            stop.store(true, Ordering::SeqCst);
        }
        let drained = drain(&done, &mut tally, stop, total, progress);
        finished.store(true, Ordering::SeqCst);
        fed.and(drained)
    })?;
    tally.apply_suppressions()?;
    if settings.interrupted.load(Ordering::SeqCst) && summary.stopped.is_none() {
        summary.stopped = Some(
            "interrupted by a signal: what was in flight was delivered and recorded, the rest stays due for the next run"
                .to_string(),
        );
    }
    Ok(summary)
}

/// Renders `chunk` into reservations and their messages, in step and in the chunk's order, on
/// every core; a send that does not render is counted as failed in `summary` (and reserves
/// nothing, so a fixed template sends it later).
fn render_batch(
    renderer: &Renderer,
    inputs: &PlanInputs,
    chunk: &[(&Campaign, &DueSend)],
    secret: &[u8],
    summary: &mut RunSummary,
) -> (Vec<Reservation>, Vec<Outgoing>) {
    let rendered = map_on_every_core(chunk, RENDERS_PER_THREAD, |(campaign, send)| {
        render_send(renderer, inputs, campaign, send, secret)
    });
    let (mut reservations, mut messages) = (Vec::with_capacity(chunk.len()), Vec::with_capacity(chunk.len()));
    for ((campaign, send), rendered) in chunk.iter().zip(rendered) {
        match rendered {
            Ok((reservation, outgoing)) => {
                reservations.push(reservation);
                messages.push(outgoing);
            }
            Err((key, error)) => render_failed(summary, campaign, &key, &send.occurrence, error),
        }
    }
    (reservations, messages)
}

/// One send rendered into its reservation and message, or its profile key and why not.
type Rendered = Result<(Reservation, Outgoing), (String, String)>;

/// Renders one due send.
fn render_send(
    renderer: &Renderer,
    inputs: &PlanInputs,
    campaign: &Campaign,
    send: &DueSend,
    secret: &[u8],
) -> Rendered {
    let recipient = inputs.recipient(send);
    let variant = &campaign.variants[send.variant];
    let key = recipient.key();
    let message = match render_message(renderer, inputs.workspace, &recipient, campaign, variant, secret) {
        Ok(message) => message,
        Err(error) => return Err((key, error)),
    };
    let from = variant.from.as_deref().unwrap_or(&inputs.workspace.manifest.from);
    let reservation = Reservation {
        send: SendKey {
            campaign: campaign.name.clone(),
            key,
            occurrence: send.occurrence.clone(),
        },
        variant: variant.name.clone(),
        message_id: message_id(from, &message.hash),
        retry: send.retry,
    };
    let outgoing = Outgoing {
        from: parse_mailbox(from).map(|(_, a)| a).unwrap_or_default(),
        to: recipient.email(),
        hash: message.hash,
        bytes: message.eml.into_bytes(),
    };
    Ok((reservation, outgoing))
}

/// Records the rest of the endings as they come, in groups, until every sender is done.
fn drain(
    done: &Receiver<Finished<Tag>>,
    tally: &mut Tally,
    stop: &AtomicBool,
    total: usize,
    progress: &dyn Fn(usize, usize),
) -> Result<(), LedgerError> {
    if tally.settle_pending()? {
        stop.store(true, Ordering::SeqCst);
    }
    while let Ok(first) = done.recv() {
        tally.pending.push(first);
        tally.pending.extend(done.try_iter().take(BATCH));
        if tally.settle_pending()? || tally.settings.interrupted.load(Ordering::SeqCst) {
            stop.store(true, Ordering::SeqCst);
        }
        progress(tally.finished, total);
    }
    Ok(())
}

/// Watches for a signal while the run sends: at once nothing new leaves; after
/// [`SIGNAL_GRACE`], a server that still has not answered the messages in flight is cut off
/// (those sends stay reserved, and the next run resolves them). Returns when `finished` is set.
fn watch_for_signal(interrupted: &AtomicBool, stop: &AtomicBool, finished: &AtomicBool, transport: &dyn Transport) {
    let mut since: Option<Instant> = None;
    while !finished.load(Ordering::SeqCst) {
        if interrupted.load(Ordering::SeqCst) {
            stop.store(true, Ordering::SeqCst);
            if since.get_or_insert_with(Instant::now).elapsed() >= SIGNAL_GRACE {
                transport.abort();
            }
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Counts a message that did not render (nothing was reserved: a fixed template sends it).
fn render_failed(summary: &mut RunSummary, campaign: &Campaign, key: &str, occurrence: &str, error: String) {
    if let Some(entry) = summary.campaign(&campaign.name) {
        entry.failed += 1;
    }
    summary.unrendered += 1;
    summary.failures.push(SendNote {
        campaign: campaign.name.clone(),
        key: key.to_string(),
        occurrence: occurrence.to_string(),
        detail: format!("did not render: {error}"),
    });
}

/// The running count, and the ledger it is recorded in.
struct Tally<'a, 's> {
    ledger: &'a mut Ledger,
    summary: &'s mut RunSummary,
    settings: &'a RunSettings,
    now: i64,
    finished: usize,
    attempted: usize,
    refused: usize,
    /// Permanent refusals by their text with the address taken out.
    refusals_by_reply: HashMap<String, usize>,
    /// Addresses refused for reasons of their own, with the reason: suppressed when the run
    /// ends, unless it stopped because the server refused most sends the same way.
    to_suppress: Vec<(String, String)>,
    /// Whether the server refused most sends the same way (then it is suspect, not them).
    server_refuses: bool,
    /// Finished, not yet recorded.
    pending: Vec<Finished<Tag>>,
    last_settled: Instant,
}

/// A group is recorded once it is this large ...
const GROUP: usize = 64;
/// ... or this old, whichever comes first.
const GROUP_AGE: Duration = Duration::from_millis(5);

impl Tally<'_, '_> {
    /// Suppresses the addresses refused for reasons of their own, once the run is over, unless
    /// the server refused most sends the same way (then no one is suppressed). Each reason
    /// names the run's time, so `tailor suppress list --reason` shows what one run added.
    fn apply_suppressions(&mut self) -> Result<(), LedgerError> {
        if self.server_refuses || self.to_suppress.is_empty() {
            return Ok(());
        }
        self.ledger
            .suppress_all(&self.to_suppress, "smtp", self.now)
            .map(|_| ())
    }

    /// Whether the pending endings should be recorded now.
    fn group_is_ready(&self) -> bool {
        !self.pending.is_empty() && (self.pending.len() >= GROUP || self.last_settled.elapsed() >= GROUP_AGE)
    }

    /// Records the pending endings; true when the failure-rate guard trips.
    fn settle_pending(&mut self) -> Result<bool, LedgerError> {
        let group = std::mem::take(&mut self.pending);
        self.last_settled = Instant::now();
        self.settle(group)
    }

    /// Records `group` in the ledger (one transaction each for outcomes, suppressions and
    /// released reservations), then counts it; true when the failure-rate guard trips.
    fn settle(&mut self, group: Vec<Finished<Tag>>) -> Result<bool, LedgerError> {
        if group.is_empty() {
            return Ok(false);
        }
        let mut recorded = Vec::new();
        let mut release = Vec::new();
        // The run's time, named in the reason of each suppression (made once, when needed).
        let mut run_at: Option<String> = None;
        for f in &group {
            let state = match f.ending {
                Ending::Delivered => SendState::Sent,
                Ending::Refused | Ending::Unsendable => SendState::Failed,
                Ending::Deferred => SendState::Deferred,
                Ending::NotAttempted => {
                    release.push((f.tag.send.clone(), f.tag.retry));
                    continue;
                }
                Ending::LocalFailure => {
                    release.push((f.tag.send.clone(), f.tag.retry));
                    if !self.summary.local_failure {
                        self.summary.local_failure = true;
                        self.summary.stopped = Some(format!(
                            "{}: the run stopped at once; nothing is lost, the messages not written stay due for the next run",
                            f.reply
                        ));
                    }
                    continue;
                }
            };
            if f.ending == Ending::Refused && is_recipient_specific(&f.reply) {
                let at = run_at.get_or_insert_with(|| {
                    chrono::DateTime::from_timestamp(self.now, 0).map_or(String::new(), |t| t.to_rfc3339())
                });
                self.to_suppress.push((
                    f.to.clone(),
                    format!("refused by the server (run at {at}): {}", f.reply),
                ));
            }
            recorded.push(Recorded {
                send: f.tag.send.clone(),
                variant: f.tag.variant.clone(),
                message_id: f.tag.message_id.clone(),
                state,
                attempts: f.attempts,
                reply: f.reply.clone(),
            });
        }
        self.ledger.record(&recorded, self.now)?;
        if !release.is_empty() {
            self.ledger.release(&release)?;
        }
        // Only now, with the ledger committed, do the sends count as sent.
        for f in group {
            self.finished += 1;
            let Some(entry) = self.summary.campaign(&f.tag.send.campaign) else {
                continue;
            };
            match f.ending {
                Ending::Delivered => entry.count_sent(&f.tag.variant),
                Ending::Refused | Ending::Unsendable => entry.failed += 1,
                Ending::Deferred => entry.defer("temporary_failure", 1),
                Ending::NotAttempted | Ending::LocalFailure => continue,
            }
            self.attempted += 1;
            if f.ending != Ending::Delivered && f.ending != Ending::Deferred {
                // The answer with the address taken out (in any case): shown unless personal
                // data may be, and the key that groups refusals that read the same.
                let anonymous = without_address(&f.reply, &f.to);
                let detail = if self.settings.show_pii {
                    f.reply.clone()
                } else {
                    anonymous.clone()
                };
                let detail = if f.ending == Ending::Refused {
                    self.refused += 1;
                    *self.refusals_by_reply.entry(anonymous).or_insert(0) += 1;
                    if is_recipient_specific(&f.reply) {
                        format!("refused for good, address to be suppressed: {detail}")
                    } else {
                        format!("refused for good (not about the address, so not suppressed): {detail}")
                    }
                } else {
                    format!("not sendable: {detail}")
                };
                self.summary.failures.push(SendNote {
                    campaign: f.tag.send.campaign,
                    key: f.tag.send.key,
                    occurrence: f.tag.send.occurrence,
                    detail,
                });
            }
        }
        Ok(self.failure_guard())
    }

    /// The failure guard: true (and the reason set) when permanent refusals exceed
    /// `max_failure_rate` after [`FAILURE_RATE_GRACE`] sends, or when the server refuses most
    /// sends the same way ([`SAME_WAY_REFUSALS`]).
    fn failure_guard(&mut self) -> bool {
        let limit = u64::from(self.settings.max_failure_rate.hundredths);
        let over_rate =
            self.attempted >= FAILURE_RATE_GRACE && self.refused as u64 * 10_000 > limit * self.attempted as u64;
        let same_way = self
            .refusals_by_reply
            .iter()
            .filter(|(_, &count)| count >= SAME_WAY_REFUSALS && count * 2 > self.attempted)
            .max_by_key(|(reply, &count)| (count, std::cmp::Reverse(reply.as_str())))
            .map(|(reply, &count)| (reply.clone(), count));
        self.server_refuses |= same_way.is_some();
        if self.summary.stopped.is_none() {
            if let Some((reply, count)) = &same_way {
                self.summary.stopped = Some(format!(
                    "{count} of {} sends were refused the same way ({reply}), more than `max_failure_rate` allows: the server refuses, not the recipients; nothing was suppressed, check the server before sending more",
                    self.attempted
                ));
            } else if over_rate {
                self.summary.stopped = Some(format!(
                    "{} of {} sends were refused for good, more than the {} `max_failure_rate` allows: check the list and the server before sending more (`tailor suppress list --reason` shows the addresses this run suppressed)",
                    self.refused, self.attempted, self.settings.max_failure_rate
                ));
            }
        }
        over_rate || same_way.is_some()
    }
}
