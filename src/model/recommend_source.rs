//! Where a campaign's product recommendations come from (SPEC §5).

use schemars::JsonSchema;
use serde::Deserialize;

/// Where recommendations come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum RecommendSource {
    /// Products the person viewed or carted, newest first.
    RecentlyViewed,
    /// Most purchased products in the person's most viewed category.
    PopularInCategory,
}
