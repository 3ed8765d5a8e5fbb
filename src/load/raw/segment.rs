//! `kind: segment` (SPEC §4).

use schemars::JsonSchema;
use serde::Deserialize;

use crate::load::Located;

/// A named set of profiles.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawSegment {
    /// Always `segment`.
    pub kind: Located<String>,
    /// The segment's name, `[a-z][a-z0-9_]*`.
    pub name: Located<String>,
    /// What the segment is for.
    pub description: Option<String>,
    /// Membership: a boolean expression.
    #[serde(rename = "where")]
    pub condition: Located<String>,
}
