//! How a persona model clusters: the algorithm and the feature scaling before it (SPEC §4).

use schemars::JsonSchema;
use serde::Deserialize;

/// Clustering algorithm.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Algorithm {
    /// K-Means with `k` clusters.
    Kmeans,
    /// DBSCAN with `eps` and `min_points`.
    Dbscan,
}

/// What a profile with a missing (null) input gets before clustering.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Impute {
    /// The input's median over the population (the default).
    Median,
    /// The input's mean over the population.
    Mean,
    /// Zero.
    Zero,
    /// Nothing: the profile is left unlabelled (and counted as such).
    None,
}

/// Feature scaling before clustering.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Scale {
    /// Zero mean, unit variance.
    Standard,
    /// Into [0, 1].
    Minmax,
    /// Raw values.
    None,
}
