//! `kind: features` (SPEC §4).

use schemars::JsonSchema;
use serde::Deserialize;

use crate::load::{Located, OrderedMap};

/// Computed per-profile values, each an expression.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawFeatures {
    /// Always `features`.
    pub kind: Located<String>,
    /// Feature name to expression.
    pub features: OrderedMap<Located<String>, Located<String>>,
}
