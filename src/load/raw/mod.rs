//! Raw document types: the shape of each YAML document kind, as written.
//!
//! Fields that later checks point at are [`Located`](super::Located). Unknown keys are
//! rejected here; meaning (durations, expressions, references) is checked by `model`/`check`.
//! These types also generate the JSON Schemas (`tailor schema`).

mod campaign;
mod data;
mod features;
mod field_type;
mod manifest;
mod model;
mod personas;
mod segment;
mod test;

pub use campaign::*;
pub use data::*;
pub use features::*;
pub use field_type::*;
pub use manifest::*;
pub use model::*;
pub use personas::*;
pub use segment::*;
pub use test::*;

use serde::Deserialize;

use super::Located;

/// The document kinds a workspace may hold besides the manifest.
pub const KINDS: [&str; 7] = ["data", "features", "segment", "personas", "model", "campaign", "test"];

/// The first look at a document: only its `kind` and `name`, other keys ignored.
#[derive(Debug, Deserialize)]
pub struct KindProbe {
    /// The document's kind, when it has one.
    pub kind: Option<Located<String>>,
    /// Its name, whatever its type (only a string counts).
    pub name: Option<serde_json::Value>,
}

/// A document kind with a `name:`.
pub trait Named {
    /// The document's name.
    fn name(&self) -> &Located<String>;
}

macro_rules! named {
    ($($ty:ty),*) => {
        $(impl Named for $ty {
            fn name(&self) -> &Located<String> {
                &self.name
            }
        })*
    };
}

named!(RawSegment, RawPersonas, RawModel, RawCampaign, RawTest);

/// One parsed document of any kind.
#[derive(Debug, Clone)]
pub enum RawDocument {
    /// `kind: data`.
    Data(Box<RawData>),
    /// `kind: features`.
    Features(Box<RawFeatures>),
    /// `kind: segment`.
    Segment(Box<RawSegment>),
    /// `kind: personas`.
    Personas(Box<RawPersonas>),
    /// `kind: model`.
    Model(Box<RawModel>),
    /// `kind: campaign`.
    Campaign(Box<RawCampaign>),
    /// `kind: test`.
    Test(Box<RawTest>),
}
