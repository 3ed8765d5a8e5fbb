//! `kind: personas`, a clustering model (SPEC §4).

use schemars::JsonSchema;
use serde::Deserialize;

use crate::load::{Located, OrderedMap};
use crate::model::{Algorithm, Impute, Scale};

/// Named prototypes: persona name to feature values.
pub type RawPrototypes = OrderedMap<Located<String>, OrderedMap<Located<String>, Located<f64>>>;

/// A persona model: profiles clustered on numeric features.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawPersonas {
    /// Always `personas`.
    pub kind: Located<String>,
    /// The model's name; its label is `persona.<name>`.
    pub name: Located<String>,
    /// What the model is for.
    pub description: Option<String>,
    /// `kmeans` or `dbscan`.
    pub algorithm: Located<Algorithm>,
    /// Numeric features or fields to cluster on.
    pub features: Located<Vec<Located<String>>>,
    /// Number of clusters (kmeans).
    pub k: Option<Located<i64>>,
    /// Neighbourhood radius (dbscan).
    pub eps: Option<Located<f64>>,
    /// Core point density (dbscan).
    pub min_points: Option<Located<i64>>,
    /// `standard` (default), `minmax` or `none`.
    pub scale: Option<Located<Scale>>,
    /// What a missing input becomes: `median` (default), `mean` or `zero` of the population,
    /// or `none` to leave such profiles unlabelled.
    pub impute: Option<Located<Impute>>,
    /// Random seed.
    pub seed: Option<u64>,
    /// Who is clustered: an expression (default: everyone who passes consent).
    pub population: Option<Located<String>>,
    /// Prototypes in raw feature units: each cluster takes its nearest prototype's name.
    pub names: Option<RawPrototypes>,
}
