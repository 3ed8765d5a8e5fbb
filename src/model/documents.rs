//! The checked documents: every name resolved, every value validated.

use std::collections::BTreeMap;
use std::path::PathBuf;

use chrono::{DateTime, NaiveDateTime, Utc};
use chrono_tz::Tz;

use super::{
    Bucket, Duration, Expr, FrequencyCap, Impute, LocalTimeRange, Percent, RecommendSource, Rollout, Scale, Transport,
    Type, Uses,
};
use crate::diag::FileId;

/// The validated manifest.
#[derive(Debug, Clone)]
pub struct Manifest {
    /// Workspace name.
    pub name: String,
    /// Default recipient time zone.
    pub timezone: Tz,
    /// Locale for money and dates.
    pub locale: String,
    /// ISO 4217 currency.
    pub currency: String,
    /// The From header.
    pub from: String,
    /// Optional Reply-To.
    pub reply_to: Option<String>,
    /// CAN-SPAM postal address.
    pub postal_address: String,
    /// One-click unsubscribe URL template.
    pub unsubscribe_url: String,
    /// Optional unsubscribe mailbox.
    pub unsubscribe_mailto: Option<String>,
    /// Who may be emailed.
    pub consent: Expr,
    /// What the consent rule reads.
    pub consent_uses: Uses,
    /// Sends per window across campaigns.
    pub frequency_cap: Option<FrequencyCap>,
    /// Recipient-local quiet hours.
    pub quiet_hours: Option<LocalTimeRange>,
    /// Delivery settings.
    pub delivery: Delivery,
    /// Open and click tracking, when configured.
    pub tracking: Option<super::Tracking>,
}

/// Validated delivery settings.
#[derive(Debug, Clone)]
pub struct Delivery {
    /// Outbox or SMTP.
    pub transport: Transport,
    /// Maildir folder.
    pub outbox: PathBuf,
    /// The send ledger: a SQLite file, or a PostgreSQL database shared by many senders.
    pub ledger: super::LedgerLocation,
    /// SMTP settings.
    pub smtp: Option<Smtp>,
    /// Failure rate that stops a run.
    pub max_failure_rate: Percent,
    /// Refuse stale data older than this.
    pub max_data_age: Option<Duration>,
    /// DKIM signing.
    pub dkim: Option<Dkim>,
}

/// Validated SMTP settings.
#[derive(Debug, Clone)]
pub struct Smtp {
    /// `smtp://` or `smtps://` URL.
    pub url: String,
    /// Connections.
    pub pool: u32,
    /// Sends per second at most (0: no limit).
    pub rate_per_second: f64,
    /// Per-command timeout.
    pub timeout: Duration,
    /// Retries of temporary failures.
    pub retries: u32,
}

/// DKIM signing settings.
#[derive(Debug, Clone)]
pub struct Dkim {
    /// `d=`.
    pub domain: String,
    /// `s=`.
    pub selector: String,
    /// PEM key file.
    pub key_file: PathBuf,
}

/// A computed per-profile value.
#[derive(Debug, Clone)]
pub struct Feature {
    /// Its name.
    pub name: String,
    /// Its expression.
    pub expr: Expr,
    /// Its type.
    pub ty: Type,
    /// The features it reads (and the events it aggregates).
    pub uses: Uses,
}

/// A named set of profiles.
#[derive(Debug, Clone)]
pub struct Segment {
    /// Its name.
    pub name: String,
    /// What it is for.
    pub description: Option<String>,
    /// Membership condition.
    pub condition: Expr,
    /// What the condition reads.
    pub uses: Uses,
}

/// How a persona model clusters.
#[derive(Debug, Clone, PartialEq)]
pub enum Clustering {
    /// K-Means.
    Kmeans {
        /// Clusters.
        k: u32,
    },
    /// DBSCAN.
    Dbscan {
        /// Neighbourhood radius.
        eps: f64,
        /// Core density.
        min_points: u32,
    },
}

/// A persona model.
#[derive(Debug, Clone)]
pub struct PersonaModel {
    /// Its name.
    pub name: String,
    /// The algorithm and its parameters.
    pub clustering: Clustering,
    /// Numeric inputs.
    pub features: Vec<String>,
    /// Scaling.
    pub scale: Scale,
    /// What a missing input becomes.
    pub impute: Impute,
    /// Random seed.
    pub seed: u64,
    /// Who is clustered (default: consenting profiles).
    pub population: Option<Expr>,
    /// Named prototypes in raw feature units.
    pub prototypes: Vec<(String, Vec<(String, f64)>)>,
    /// What the model reads: the features it clusters on and what its population reads.
    pub uses: Uses,
}

/// A template file used by a campaign.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateRef {
    /// Path relative to the workspace root.
    pub path: String,
    /// Its text in the source map.
    pub file: FileId,
    /// Whether it is MJML (`.mjml.liquid`).
    pub mjml: bool,
}

/// Which clock a schedule's `at` is read on.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ScheduleZone {
    /// Each recipient's own zone (falling back to the manifest's).
    Recipient,
    /// One named zone.
    Named(Tz),
}

/// A one-off send.
#[derive(Debug, Clone, PartialEq)]
pub struct Schedule {
    /// Local send time.
    pub at: NaiveDateTime,
    /// Whose local time.
    pub zone: ScheduleZone,
    /// Not sent after `at + expire`.
    pub expire: Duration,
}

/// A send fired by an event.
#[derive(Debug, Clone)]
pub struct EventTrigger {
    /// The event type.
    pub on: String,
    /// Condition over the event.
    pub condition: Option<Expr>,
    /// Delay after the event.
    pub after: Duration,
    /// Cancelling event type.
    pub unless: Option<String>,
    /// Expiry after due.
    pub expire: Duration,
    /// At most one send per window.
    pub once_per: Option<Duration>,
}

/// A send fired by a condition over the profile.
#[derive(Debug, Clone)]
pub struct ConditionTrigger {
    /// The condition.
    pub when: Expr,
    /// At most one send per window.
    pub once_per: Duration,
}

/// When a campaign sends.
#[derive(Debug, Clone)]
pub enum Timing {
    /// At a time.
    Schedule(Schedule),
    /// After an event.
    Event(EventTrigger),
    /// When a condition holds.
    Condition(ConditionTrigger),
}

/// One arm of a campaign.
#[derive(Debug, Clone)]
pub struct Variant {
    /// Its name (`default` without `variants:`).
    pub name: String,
    /// Relative weight.
    pub weight: u32,
    /// Subject template.
    pub subject: String,
    /// Preheader template.
    pub preheader: Option<String>,
    /// HTML template.
    pub html: TemplateRef,
    /// Text template.
    pub text: Option<TemplateRef>,
    /// Campaign vars overlaid by the variant's.
    pub vars: BTreeMap<String, serde_json::Value>,
    /// From header override.
    pub from: Option<String>,
    /// Its own send time (a send-time test), overriding the campaign's schedule.
    pub schedule: Option<Schedule>,
}

/// The A/B conversion goal.
#[derive(Debug, Clone, PartialEq)]
pub struct Goal {
    /// Conversion event type.
    pub event: String,
    /// Window after the send.
    pub within: Duration,
    /// A numeric property of the goal event summed as revenue per recipient (`value: total`).
    pub value: Option<String>,
    /// The expected conversion rate without the campaign, for the power shown before sending
    /// (else the goal's historical rate over the audience).
    pub baseline: Option<Percent>,
    /// The smallest relative lift worth detecting.
    pub min_detectable_lift: Option<Percent>,
}

/// Product recommendations.
#[derive(Debug, Clone, PartialEq)]
pub struct Recommend {
    /// Where they come from.
    pub source: RecommendSource,
    /// Leave out purchased products.
    pub exclude_purchased: bool,
    /// How many.
    pub limit: u32,
    /// A product to leave out (the trigger event's, say).
    pub exclude: Option<RecipientText>,
    /// The category to recommend from (`popular_in_category`) or to keep (`recently_viewed`).
    pub category: Option<RecipientText>,
}

/// A text known per recipient when a message is rendered: written as a quoted string, an
/// `event.<property>` of the trigger event, or a profile field or feature (`user.<name>`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RecipientText {
    /// The same text for everyone.
    Literal(String),
    /// A property of the event that triggered the message.
    EventProperty(String),
    /// A profile field or feature.
    Profile(String),
}

/// A checked campaign.
#[derive(Debug, Clone)]
pub struct Campaign {
    /// Its name.
    pub name: String,
    /// Audience condition (`None`: everyone).
    pub audience: Option<Expr>,
    /// When it sends.
    pub timing: Timing,
    /// Its arms, in listed order (one named `default` without `variants:`).
    pub variants: Vec<Variant>,
    /// Held-out share.
    pub holdout: Percent,
    /// Randomisation salt.
    pub salt: String,
    /// Conversion goal.
    pub goal: Option<Goal>,
    /// Recommendations.
    pub recommend: Option<Recommend>,
    /// Priority when caps bite.
    pub priority: i64,
    /// Whether it sends at all.
    pub enabled: bool,
    /// Whether the frequency cap is ignored.
    pub ignore_frequency_cap: bool,
    /// Winner rollout: the variants to a test share first, then the winner to the rest.
    pub rollout: Option<Rollout>,
    /// What its audience and trigger conditions read.
    pub uses: Uses,
}

impl Campaign {
    /// A trigger's `once_per`: no second send to one profile within it (`None` for schedules
    /// and for event triggers without one).
    pub fn once_per(&self) -> Option<Duration> {
        match &self.timing {
            Timing::Schedule(_) => None,
            Timing::Event(trigger) => trigger.once_per,
            Timing::Condition(trigger) => Some(trigger.once_per),
        }
    }
}

/// An event in a test.
#[derive(Debug, Clone, PartialEq)]
pub struct TestEvent {
    /// Event type.
    pub event_type: String,
    /// When.
    pub ts: DateTime<Utc>,
    /// Properties.
    pub properties: BTreeMap<String, serde_json::Value>,
}

/// An earlier send in a test.
#[derive(Debug, Clone, PartialEq)]
pub struct HistoryEntry {
    /// The campaign.
    pub campaign: String,
    /// When.
    pub at: DateTime<Utc>,
    /// The variant.
    pub variant: Option<String>,
}

/// What a test expects.
#[derive(Debug, Clone, PartialEq)]
pub struct Expectation {
    /// Whether the profile gets the message.
    pub audience: bool,
    /// Why not.
    pub reason: Option<Bucket>,
    /// The hash-assigned variant.
    pub variant: Option<String>,
    /// Strings the message contains.
    pub contains: Vec<String>,
    /// Golden file.
    pub golden: Option<PathBuf>,
}

/// A checked `kind: test`.
#[derive(Debug, Clone)]
pub struct Test {
    /// Its name.
    pub name: String,
    /// The campaign tested.
    pub campaign: String,
    /// The clock.
    pub now: DateTime<Utc>,
    /// Profile fields (absent nullable fields are null).
    pub profile: BTreeMap<String, serde_json::Value>,
    /// Events.
    pub events: Vec<TestEvent>,
    /// Earlier sends.
    pub history: Vec<HistoryEntry>,
    /// Forced variant.
    pub force: Option<String>,
    /// Expectations.
    pub expect: Expectation,
}
