//! What a run sends with, from the manifest's `delivery:`: the transport (an SMTP server must
//! answer), the DKIM signer, the unsubscribe secret the transport requires, and the sending
//! threads' settings.

// A refusal ends the command, so the size of its diagnostic costs nothing on this path.
#![allow(clippy::result_large_err)]

use std::sync::atomic::AtomicBool;
use std::sync::Arc;

use super::transport::{shown_url, Outbox, SmtpRelay, Transport};
use super::{DkimSigner, RunSettings};
use crate::check::CheckedWorkspace;
use crate::diag::Diagnostic;
use crate::model::{Delivery, Transport as TransportKind};
use crate::render::{checked_secret, SecretProblem, MIN_SECRET_BYTES, SECRET_VARIABLE};

/// The unsubscribe secret when the run goes to an outbox without one: links work, but anyone
/// who knows this could forge them, so it is only allowed where nothing leaves the machine.
const OUTBOX_SECRET: &str = "tailor-outbox-only";

/// The transport the manifest names; `variable` reads the environment (SMTP credentials).
pub fn transport(
    workspace: &CheckedWorkspace,
    variable: impl Fn(&str) -> Option<String>,
) -> Result<Box<dyn Transport>, Diagnostic> {
    let delivery = &workspace.manifest.delivery;
    match (delivery.transport, &delivery.smtp) {
        (TransportKind::Smtp, Some(smtp)) => {
            let relay =
                SmtpRelay::new(smtp, variable).map_err(|e| Diagnostic::error("run::smtp-setup", e.to_string()))?;
            relay.reachable().map_err(|e| {
                Diagnostic::error("run::smtp-unreachable", format!("{}: {e}", shown_url(&smtp.url)))
                    .with_hint("is the server running, and is `delivery.smtp.url` right?")
            })?;
            Ok(Box::new(relay))
        }
        _ => {
            let outbox = Outbox::open(&delivery.outbox).map_err(|e| {
                Diagnostic::error(
                    "run::outbox",
                    format!("cannot create `{}`: {e}", delivery.outbox.display()),
                )
            })?;
            Ok(Box::new(outbox))
        }
    }
}

/// The DKIM signer the manifest asks for, if any.
pub fn dkim_signer(workspace: &CheckedWorkspace) -> Result<Option<DkimSigner>, Diagnostic> {
    match &workspace.manifest.delivery.dkim {
        Some(settings) => DkimSigner::load(settings)
            .map(Some)
            .map_err(|e| Diagnostic::error("run::dkim", e.to_string())),
        None => Ok(None),
    }
}

/// The unsubscribe secret from `value` (the environment's): at least [`MIN_SECRET_BYTES`] long
/// whenever one is given; only an outbox run (or a dry run), where nothing leaves the machine,
/// falls back to a development secret when none is set.
pub fn unsubscribe_secret(
    workspace: &CheckedWorkspace,
    value: Option<&str>,
    dry_run: bool,
) -> Result<String, Diagnostic> {
    match checked_secret(value) {
        Ok(secret) => Ok(secret.to_string()),
        Err(SecretProblem::Missing) if dry_run || workspace.manifest.delivery.transport != TransportKind::Smtp => {
            Ok(OUTBOX_SECRET.to_string())
        }
        Err(problem) => Err(secret_refusal(problem)),
    }
}

/// The unsubscribe secret `serve` needs, whatever the transport: it verifies the tokens of
/// one-click unsubscribes, so a secret anyone knows would let anyone unsubscribe anyone.
pub fn serving_secret(value: Option<&str>) -> Result<String, Diagnostic> {
    checked_secret(value).map(str::to_string).map_err(secret_refusal)
}

/// Why a secret is refused.
fn secret_refusal(problem: SecretProblem) -> Diagnostic {
    match problem {
        SecretProblem::Missing => Diagnostic::error(
            "run::no-secret",
            format!("{SECRET_VARIABLE} is not set (or empty), so unsubscribe links could be forged"),
        )
        .with_hint(format!(
            "set it to a long random value (at least {MIN_SECRET_BYTES} bytes), the same on every run (a CI secret)"
        )),
        SecretProblem::TooShort(length) => Diagnostic::error(
            "run::weak-secret",
            format!("{SECRET_VARIABLE} is {length} bytes long; unsubscribe tokens signed with it could be forged"),
        )
        .with_hint(format!(
            "use a random value of at least {MIN_SECRET_BYTES} bytes, e.g. `openssl rand -hex 32`"
        )),
    }
}

/// What the operator asks of one run, beyond the manifest.
#[derive(Debug, Clone, Default)]
pub struct RunOptions {
    /// Send at most this many messages (`--limit`).
    pub limit: Option<usize>,
    /// Whether failure notes may show addresses (`--show-pii`).
    pub show_pii: bool,
    /// Whether sends are reserved before they leave (false only in the crash test).
    pub reserve: bool,
}

impl RunSettings {
    /// The sending threads' settings for `delivery`: the SMTP pool, retries and rate (one
    /// unpaced pair of threads for an outbox), and the operator's options.
    pub fn for_delivery(delivery: &Delivery, options: RunOptions, interrupted: Arc<AtomicBool>) -> RunSettings {
        let smtp = delivery.smtp.as_ref();
        let (threads, rate_per_second) = match delivery.transport {
            TransportKind::Smtp => (
                smtp.map_or(1, |s| s.pool as usize),
                smtp.map_or(0.0, |s| s.rate_per_second),
            ),
            TransportKind::Outbox => (2, 0.0),
        };
        RunSettings {
            threads,
            retries: smtp.map_or(3, |s| s.retries),
            rate_per_second,
            max_failure_rate: delivery.max_failure_rate,
            limit: options.limit,
            show_pii: options.show_pii,
            reserve: options.reserve,
            interrupted,
        }
    }
}
