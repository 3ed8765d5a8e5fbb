//! `kind: test` (SPEC §7).

use schemars::JsonSchema;
use serde::Deserialize;

use crate::load::{Located, OrderedMap};

/// Field or property name to value.
pub type RawRecord = OrderedMap<Located<String>, Located<serde_json::Value>>;

/// A campaign test: one profile, its events and earlier sends, and what must happen.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawTest {
    /// Always `test`.
    pub kind: Located<String>,
    /// The test's name, `[a-z][a-z0-9_]*`.
    pub name: Located<String>,
    /// The campaign under test.
    pub campaign: Located<String>,
    /// The run's clock (RFC 3339).
    pub now: Located<String>,
    /// The profile's fields; omitted nullable fields are null.
    pub profile: Located<RawRecord>,
    /// The profile's events: `type`, `ts` and the type's properties.
    pub events: Option<Vec<Located<RawRecord>>>,
    /// Earlier sends, for caps and `once_per`.
    pub history: Option<Vec<Located<RawHistory>>>,
    /// Render this variant whatever the hash assigns.
    pub force: Option<Located<String>>,
    /// What must happen.
    pub expect: RawExpect,
}

/// An earlier send.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawHistory {
    /// The campaign that sent.
    pub campaign: Located<String>,
    /// When (RFC 3339).
    pub at: Located<String>,
    /// The variant sent, if it matters.
    pub variant: Option<Located<String>>,
}

/// `expect:` in a test.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawExpect {
    /// Whether the message is due for this profile at `now`: in the audience, consenting, not
    /// held out, suppressed, capped or in quiet hours, and scheduled or triggered now.
    pub audience: Located<bool>,
    /// Why not, when `audience: false`: a bucket name of SPEC §5.
    pub reason: Option<Located<String>>,
    /// The variant: the one the hash assigns, or with `force:` the forced one (they must agree).
    pub variant: Option<Located<String>>,
    /// Strings the decoded subject, text or HTML must contain.
    pub contains: Option<Vec<Located<String>>>,
    /// The golden `.eml` file, relative to this document.
    pub golden: Option<Located<String>>,
}
