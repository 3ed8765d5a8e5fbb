//! `kind: campaign` (SPEC §5).

use schemars::JsonSchema;
use serde::Deserialize;

use crate::load::{Located, OrderedMap};
use crate::model::RecommendSource;

/// Template variables: name to any YAML value.
pub type RawVars = OrderedMap<Located<String>, Located<serde_json::Value>>;

/// A campaign: who gets what, when.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawCampaign {
    /// Always `campaign`.
    pub kind: Located<String>,
    /// The campaign's name, `[a-z][a-z0-9_]*`.
    pub name: Located<String>,
    /// What the campaign is for.
    pub description: Option<String>,
    /// Who may receive it: a boolean expression (default `true`).
    pub audience: Option<Located<String>>,
    /// A send time; exactly one of `schedule` and `trigger`.
    pub schedule: Option<Located<RawSchedule>>,
    /// An event or condition that fires the send; exactly one of `schedule` and `trigger`.
    pub trigger: Option<Located<RawTrigger>>,
    /// The subject line (Liquid).
    pub subject: Located<String>,
    /// Preview text shown after the subject (Liquid).
    pub preheader: Option<Located<String>>,
    /// The HTML template (`.liquid` or `.mjml.liquid`), relative to this document.
    pub html: Located<String>,
    /// The text template (default: derived from the HTML).
    pub text: Option<Located<String>>,
    /// Template variables, available as `vars.*`.
    pub vars: Option<RawVars>,
    /// A/B variants; weights are relative.
    pub variants: Option<Located<Vec<Located<RawVariant>>>>,
    /// Share that gets nothing, such as `10%`.
    pub holdout: Option<Located<String>>,
    /// Randomisation salt (default: the name).
    pub salt: Option<Located<String>>,
    /// Conversion event for the A/B report.
    pub goal: Option<Located<RawGoal>>,
    /// Winner rollout: `{ test_share: 20%, decide_after: 24h, metric: click, min_probability: 0.95 }`.
    pub rollout: Option<Located<RawRollout>>,
    /// Product recommendations, as `recommendations` in templates.
    pub recommend: Option<Located<RawRecommend>>,
    /// Higher goes first when frequency caps bite.
    pub priority: Option<Located<i64>>,
    /// `false` pauses the campaign.
    pub enabled: Option<bool>,
    /// Overrides the manifest's From header.
    pub from: Option<Located<String>>,
    /// Send even past the frequency cap (consent still applies).
    pub ignore_frequency_cap: Option<bool>,
}

/// `schedule:`: a one-off send time.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawSchedule {
    /// Local date and time, `YYYY-MM-DDTHH:MM`.
    pub at: Located<String>,
    /// `recipient` (default) or an IANA zone.
    pub timezone: Option<Located<String>>,
    /// Not sent later than `at` plus this (default `2d`).
    pub expire: Option<Located<String>>,
}

/// `trigger:`: an event trigger (`on`) or a condition trigger (`when`).
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawTrigger {
    /// The event type that fires the campaign.
    pub on: Option<Located<String>>,
    /// A condition over the event's properties (and `user.*`).
    #[serde(rename = "where")]
    pub condition: Option<Located<String>>,
    /// Delay after the event.
    pub after: Option<Located<String>>,
    /// An event type that cancels the send when it happens after the trigger event.
    pub unless: Option<Located<String>>,
    /// Not sent later than due plus this (default `1d`).
    pub expire: Option<Located<String>>,
    /// At most one send per this window.
    pub once_per: Option<Located<String>>,
    /// A condition over the profile that fires the campaign (re-engagement).
    pub when: Option<Located<String>>,
}

/// A variant's weight as written: a whole number, or something else `check` explains.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum RawWeight {
    /// A whole number, the only valid form (positive, relative to the other variants').
    Whole(i64),
    /// A number with a fraction, such as `0.5`.
    Fraction(f64),
    /// Text, such as `50%`.
    Text(String),
}

/// One arm of an A/B test.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawVariant {
    /// The variant's name, `[a-z][a-z0-9_]*`.
    pub name: Located<String>,
    /// Relative weight, a positive integer.
    pub weight: Located<RawWeight>,
    /// Overrides the subject.
    pub subject: Option<Located<String>>,
    /// Overrides the preheader.
    pub preheader: Option<Located<String>>,
    /// Overrides the HTML template.
    pub html: Option<Located<String>>,
    /// Overrides the text template.
    pub text: Option<Located<String>>,
    /// Overlaid on the campaign's vars.
    pub vars: Option<RawVars>,
    /// Overrides the From header.
    pub from: Option<Located<String>>,
    /// Overrides the campaign's schedule: a send-time test (scheduled campaigns only).
    pub schedule: Option<Located<RawSchedule>>,
}

/// `goal:`: the conversion counted by the A/B report.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawGoal {
    /// The conversion event type.
    pub event: Located<String>,
    /// The window after the send.
    pub within: Located<String>,
    /// A numeric property of the goal event summed as revenue per recipient, e.g. `total`.
    pub value: Option<Located<String>>,
    /// The conversion rate expected without the campaign, e.g. `4%`, for the power `plan` shows.
    pub baseline: Option<Located<String>>,
    /// The smallest relative lift worth detecting, e.g. `20%`: `plan` warns when the arm sizes
    /// cannot detect it at 80% power.
    pub min_detectable_lift: Option<Located<String>>,
}

/// `rollout:`: send the variants to a test share first, then the winner to the rest.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawRollout {
    /// The share of the audience (outside the holdout) that gets the variants first, e.g. `20%`.
    pub test_share: Located<String>,
    /// How long after the first test send the winner is decided, e.g. `24h`.
    pub decide_after: Located<String>,
    /// `click` or `conversion` (the goal's).
    pub metric: Located<String>,
    /// The probability a variant must reach of beating the first one (default 0.95).
    pub min_probability: Option<Located<f64>>,
}

/// `recommend:`.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawRecommend {
    /// `recently_viewed` or `popular_in_category`.
    pub from: Located<RecommendSource>,
    /// Leave out products the person bought.
    pub exclude_purchased: Option<bool>,
    /// How many at most (default 3).
    pub limit: Option<Located<i64>>,
    /// A product key to leave out: `event.product_id` (the carted product), a profile field or
    /// feature, or a quoted key.
    pub exclude: Option<Located<String>>,
    /// The category to recommend from: `event.category`, a profile field or feature (such as
    /// `favourite_category`), or a quoted category such as `"sneakers"`.
    pub category: Option<Located<String>>,
}
