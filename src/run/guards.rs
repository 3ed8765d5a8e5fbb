//! The checks a run passes before anything is sent: the data is fresh enough to act on, the
//! plan is no larger than the operator allowed, and no other run holds the ledger.

// A refusal ends the command, so the size of its diagnostic costs nothing on this path.
#![allow(clippy::result_large_err)]

use chrono::{DateTime, SecondsFormat, Utc};

use crate::check::CheckedWorkspace;
use crate::data::{newest_event, Dataset};
use crate::diag::Diagnostic;
use crate::ledger::{LeaseError, Ledger, Sharing};

/// Refuses data whose newest event is older than `now - delivery.max_data_age`: a stale export
/// must not drive sends.
pub fn data_is_fresh(workspace: &CheckedWorkspace, dataset: &Dataset, now: DateTime<Utc>) -> Result<(), Diagnostic> {
    newest_is_fresh(workspace, now, || {
        newest_event(&dataset.events).map_err(|e| e.to_string())
    })
}

/// [`data_is_fresh`] for events whose newest time (microseconds) `newest` tells, as the
/// loaded data or an engine finds it (asked only when `max_data_age` is set).
pub fn newest_is_fresh(
    workspace: &CheckedWorkspace,
    now: DateTime<Utc>,
    newest: impl FnOnce() -> Result<Option<i64>, String>,
) -> Result<(), Diagnostic> {
    let Some(max_age) = workspace.manifest.delivery.max_data_age else {
        return Ok(());
    };
    if workspace.schema.events.is_empty() {
        return Ok(());
    }
    let newest =
        newest().map_err(|e| Diagnostic::error("run::stale-data", format!("cannot read the event times: {e}")))?;
    let oldest_allowed = now.timestamp_micros() - max_age.micros();
    match newest {
        Some(newest) if newest >= oldest_allowed => Ok(()),
        Some(newest) => {
            let shown = DateTime::from_timestamp_micros(newest)
                .map_or(newest.to_string(), |t| t.to_rfc3339_opts(SecondsFormat::Secs, true));
            Err(Diagnostic::error(
                "run::stale-data",
                format!(
                    "the newest event is from {shown}, older than `max_data_age` ({max_age}) before {}",
                    now.to_rfc3339_opts(SecondsFormat::Secs, true)
                ),
            )
            .with_hint("refresh the event export; a stale export must not drive sends"))
        }
        None => Err(Diagnostic::error(
            "run::stale-data",
            "there are no events at all, so the data's age is unknown",
        )
        .with_hint("refresh the event export, or remove `delivery.max_data_age`")),
    }
}

/// Refuses a run that would send more than `max` (`--max-sends`) of the `due` messages, at
/// most `limit` of which (`--limit`) leave now.
pub fn within_max_sends(due: usize, limit: Option<usize>, max: Option<usize>) -> Result<(), Diagnostic> {
    let sending = limit.map_or(due, |limit| due.min(limit));
    match max {
        Some(max) if sending > max => Err(Diagnostic::error(
            "run::too-many",
            format!("{sending} messages are due, more than --max-sends {max}: nothing was sent"),
        )
        .with_hint("review `tailor plan`; raise --max-sends if this is intended")),
        _ => Ok(()),
    }
}

/// Takes the ledger's lease for this run, alone or shared with other senders, or says who
/// holds it.
pub fn take_lease(ledger: &mut Ledger, sharing: Sharing) -> Result<(), Diagnostic> {
    ledger.take_lease(sharing).map_err(|error| match error {
        LeaseError::Held(holder) => Diagnostic::error(
            "run::locked",
            format!("another run ({holder}) holds the lease of the ledger `{}`", ledger.location()),
        )
        .with_hint(if ledger.is_shared() {
            "wait for it to finish: `serve` and the `events` verbs hold a shared ledger alone, and `run`s share it only with each other"
        } else {
            "wait for it to finish; two runs must not interleave (a ledger in PostgreSQL lets runs share the sends)"
        }),
        other => Diagnostic::error("ledger::write", format!("ledger `{}`: {other}", ledger.location())),
    })
}
