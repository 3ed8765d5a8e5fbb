//! Proofs (`tailor preview --send-to ADDR`): a rendered message re-addressed to a reviewer,
//! its subject prefixed `[PROOF]`, under a Message-ID of its own so no receiver mistakes it for
//! the real send. Proofs never touch the ledger.

use chrono::{DateTime, SecondsFormat, Utc};

use super::transport::Outgoing;
use crate::check::CheckedWorkspace;
use crate::model::{parse_mailbox, Variant};
use crate::render::{build_message, envelope, message_hash, RenderedMessage};

/// `message` (rendered for profile `key` of `campaign`) as a proof for `to`.
pub fn proof(
    workspace: &CheckedWorkspace,
    campaign: &str,
    variant: &Variant,
    key: &str,
    message: &RenderedMessage,
    to: &str,
    now: DateTime<Utc>,
) -> Outgoing {
    let envelope = envelope(workspace, variant, to, None, &message.unsubscribe_url, now);
    let occurrence = format!("proof for {to} at {}", now.to_rfc3339_opts(SecondsFormat::Secs, true));
    let hash = message_hash(campaign, key, &occurrence);
    let subject = format!("[PROOF] {}", message.subject);
    let eml = build_message(
        &envelope,
        &hash,
        &subject,
        message.preheader.as_deref(),
        &message.text,
        &message.html,
    );
    Outgoing {
        from: parse_mailbox(envelope.from)
            .map(|(_, address)| address)
            .unwrap_or_default(),
        to: to.to_string(),
        hash,
        bytes: eml.into_bytes(),
    }
}
