//! What a checked document reads: the features, segments, persona and score models and event types its
//! expressions name. `check` records it once per document, from the type checker's references;
//! the workspace graph is built from it.

use std::collections::BTreeSet;

/// The names a document's expressions read, each once, sorted.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Uses {
    /// Features, read as `name` or `user.name`.
    pub features: BTreeSet<String>,
    /// Segments, read as `segment.name`.
    pub segments: BTreeSet<String>,
    /// Persona models, read as `persona.name`.
    pub personas: BTreeSet<String>,
    /// Score models, read as `score.name`.
    pub scores: BTreeSet<String>,
    /// Event types aggregated over (`count(purchase)`, ...).
    pub events: BTreeSet<String>,
}

impl Uses {
    /// Adds everything `other` reads.
    pub fn extend(&mut self, other: &Uses) {
        self.features.extend(other.features.iter().cloned());
        self.segments.extend(other.segments.iter().cloned());
        self.personas.extend(other.personas.iter().cloned());
        self.scores.extend(other.scores.iter().cloned());
        self.events.extend(other.events.iter().cloned());
    }

    /// Everything `self` and `other` read.
    pub fn with(mut self, other: &Uses) -> Uses {
        self.extend(other);
        self
    }
}
