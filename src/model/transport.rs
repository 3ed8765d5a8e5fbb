//! The delivery transport a workspace sends through (SPEC §1, `delivery:`).

use schemars::JsonSchema;
use serde::Deserialize;

/// Delivery transport.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Transport {
    /// A Maildir folder (default).
    Outbox,
    /// An SMTP server.
    Smtp,
}
