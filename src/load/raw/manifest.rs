//! `tailor.yaml`, the workspace manifest (SPEC §1).

use schemars::JsonSchema;
use serde::Deserialize;

use crate::load::Located;
use crate::model::Transport;

/// The workspace manifest, `tailor.yaml`.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawManifest {
    /// The workspace's name, `[a-z][a-z0-9_]*`.
    pub name: Located<String>,
    /// Default recipient time zone (IANA name such as `America/New_York`).
    pub timezone: Option<Located<String>>,
    /// Locale for the money and date filters, such as `en-US`.
    pub locale: Option<Located<String>>,
    /// ISO 4217 currency code, such as `USD`.
    pub currency: Option<Located<String>>,
    /// Who the mail comes from, and the legally required footer details.
    pub sender: RawSender,
    /// Rules applied to every campaign.
    pub policy: Option<RawPolicy>,
    /// How mail is delivered and recorded.
    pub delivery: Option<RawDelivery>,
    /// Open and click tracking through `tailor serve`.
    pub tracking: Option<RawTracking>,
}

/// `tracking:` in the manifest.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawTracking {
    /// The public address `tailor serve` answers at, such as `https://mail.acme.test`.
    pub base_url: Located<String>,
    /// Add an open pixel to HTML messages (default true).
    pub opens: Option<bool>,
    /// Rewrite links in HTML messages to signed click links (default true).
    pub clicks: Option<bool>,
}

/// `sender:` in the manifest.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawSender {
    /// The From header: `"Name <address>"` or a bare address.
    pub from: Located<String>,
    /// Optional Reply-To address.
    pub reply_to: Option<Located<String>>,
    /// Postal address for the CAN-SPAM footer.
    pub postal_address: Located<String>,
    /// One-click unsubscribe (RFC 8058).
    pub unsubscribe: RawUnsubscribe,
}

/// `sender.unsubscribe:`.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawUnsubscribe {
    /// The one-click target, a Liquid template over `user` and `unsubscribe_token`.
    pub url: Located<String>,
    /// Optional mailto address for `List-Unsubscribe`.
    pub mailto: Option<Located<String>>,
}

/// `policy:` in the manifest.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawPolicy {
    /// Who may be emailed: an expression over profile fields. Required.
    pub consent: Option<Located<String>>,
    /// Sends allowed per window across all campaigns, such as `3 per 7d`.
    pub frequency_cap: Option<Located<String>>,
    /// Recipient-local quiet hours, such as `"21:00-08:00"`.
    pub quiet_hours: Option<Located<String>>,
}

/// `delivery:` in the manifest.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawDelivery {
    /// `outbox` (default) or `smtp`.
    pub transport: Option<Located<Transport>>,
    /// The outbox folder (default `.tailor/outbox`).
    pub outbox: Option<Located<String>>,
    /// The send ledger: a SQLite file (default `.tailor/ledger.sqlite`) or a PostgreSQL URL
    /// (`postgres://host/db[?schema=NAME]`) that many senders share.
    pub ledger: Option<Located<String>>,
    /// SMTP settings, for `transport: smtp`.
    pub smtp: Option<RawSmtp>,
    /// Permanent failure rate that stops a run, such as `5%`.
    pub max_failure_rate: Option<Located<String>>,
    /// Refuse to run when the newest event is older than this, such as `2d`.
    pub max_data_age: Option<Located<String>>,
    /// Optional DKIM signing.
    pub dkim: Option<RawDkim>,
}

/// `delivery.smtp:`.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawSmtp {
    /// `smtp://host:port` (STARTTLS when offered) or `smtps://host:port`.
    pub url: Located<String>,
    /// Connections kept open.
    pub pool: Option<Located<u32>>,
    /// Sends per second at most.
    pub rate_per_second: Option<Located<f64>>,
    /// Per-command timeout, such as `30s`.
    pub timeout: Option<Located<String>>,
    /// Retries of a temporary failure before it is deferred.
    pub retries: Option<Located<u32>>,
}

/// `delivery.dkim:`.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawDkim {
    /// Signing domain (`d=`).
    pub domain: Located<String>,
    /// Selector (`s=`).
    pub selector: Located<String>,
    /// PEM private key file, relative to the manifest.
    pub key_file: Located<String>,
}
