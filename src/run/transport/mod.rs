//! Where messages go: the outbox (a Maildir folder) or an SMTP server. A transport makes one
//! attempt; retrying, pacing and recording are the caller's.

mod outbox;
mod smtp;

pub use outbox::Outbox;
pub use smtp::{shown_url, SmtpRelay, SmtpSetupError, CA_FILE_VARIABLE, OAUTH_VARIABLE, PASSWORD_VARIABLE};

/// A message ready to leave.
#[derive(Debug, Clone)]
pub struct Outgoing {
    /// The envelope sender (`MAIL FROM`).
    pub from: String,
    /// The recipient (`RCPT TO`).
    pub to: String,
    /// H of the Message-ID: names the outbox file, so a resend replaces it.
    pub hash: String,
    /// The complete message, CRLF line endings.
    pub bytes: Vec<u8>,
}

/// What one attempt got.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Attempt {
    /// Accepted, with the server's answer.
    Delivered(String),
    /// A 4xx answer, a dropped connection or a timeout: worth retrying.
    Temporary(String),
    /// A 5xx answer: the address goes on the suppression list.
    Permanent(String),
    /// Not sendable at all (an address the transport cannot use): failed, not suppressed.
    Unsendable(String),
    /// This machine cannot take the message (a full disk, a read-only outbox): nothing else
    /// will fare better, so the run stops at once and the message stays due.
    LocalFailure(String),
}

/// One attempt at delivering a message; shared by the sending threads.
pub trait Transport: Send + Sync {
    /// Delivers `message` once.
    fn deliver(&self, message: &Outgoing) -> Attempt;

    /// Cuts the deliveries in progress (a stopping run that cannot wait for a server any
    /// longer); they end as failed attempts.
    fn abort(&self) {}
}
