//! The labels a persona model can give (SPEC §4): its named prototypes, `cluster_<i>` for the
//! clusters no prototype names, and `noise` for DBSCAN's outliers.
//!
//! K-Means makes at most `k` clusters, so with `p` prototypes at most `k − p` are numbered;
//! DBSCAN finds as many clusters as the data holds, so any `cluster_<i>` may occur.

use crate::diag::{suggestion_hint, Diagnostic, Span};

/// The labels one persona model can give; a string compared with its label must be one of them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonaLabels {
    prototypes: Vec<String>,
    /// `Some(n)`: `cluster_1` to `cluster_n`; `None`: any `cluster_<i>` (DBSCAN).
    numbered: Option<u32>,
    noise: bool,
}

impl PersonaLabels {
    /// K-Means with `k` clusters and these prototype names.
    pub fn kmeans(k: u32, prototypes: Vec<String>) -> PersonaLabels {
        let numbered = k.saturating_sub(u32::try_from(prototypes.len()).unwrap_or(u32::MAX));
        PersonaLabels {
            prototypes,
            numbered: Some(numbered),
            noise: false,
        }
    }

    /// DBSCAN with these prototype names.
    pub fn dbscan(prototypes: Vec<String>) -> PersonaLabels {
        PersonaLabels {
            prototypes,
            numbered: None,
            noise: true,
        }
    }

    /// Whether the model can give `label`.
    pub fn admits(&self, label: &str) -> bool {
        if self.prototypes.iter().any(|p| p == label) || (self.noise && label == "noise") {
            return true;
        }
        let Some(index) = label.strip_prefix("cluster_") else {
            return false;
        };
        let well_formed = !index.starts_with('0') && index.bytes().all(|b| b.is_ascii_digit());
        match index.parse::<u32>() {
            Ok(i) if well_formed && i >= 1 => self.numbered.is_none_or(|n| i <= n),
            _ => false,
        }
    }

    /// The labels in words, for messages: `vip, bargain, cluster_1 to cluster_3`.
    pub fn describe(&self) -> String {
        let mut parts: Vec<String> = self.prototypes.iter().map(|p| format!("`{p}`")).collect();
        match self.numbered {
            Some(0) => {}
            Some(1) => parts.push("`cluster_1`".into()),
            Some(n) => parts.push(format!("`cluster_1` to `cluster_{n}`")),
            None => parts.push("`cluster_<i>`".into()),
        }
        if self.noise {
            parts.push("`noise`".into());
        }
        parts.join(", ")
    }

    /// The error for a string compared with model `model`'s label that it can never give.
    pub fn check(&self, code: &'static str, model: &str, text: &str, span: Span) -> Option<Diagnostic> {
        if self.admits(text) {
            return None;
        }
        let d = Diagnostic::error(code, format!("persona model `{model}` never labels anyone `{text}`"))
            .at_labeled(span, format!("its labels are {}", self.describe()))
            .with_optional_hint(suggestion_hint(text, self.candidates()));
        Some(d)
    }

    /// Labels to suggest for a misspelling.
    fn candidates(&self) -> Vec<String> {
        let numbered = self.numbered.unwrap_or(9).min(9);
        let mut candidates = self.prototypes.clone();
        candidates.extend((1..=numbered).map(|i| format!("cluster_{i}")));
        if self.noise {
            candidates.push("noise".into());
        }
        candidates
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kmeans_admits_its_prototypes_and_the_clusters_they_leave() {
        let labels = PersonaLabels::kmeans(4, vec!["vip".into(), "bargain".into()]);
        assert!(labels.admits("vip"));
        assert!(labels.admits("cluster_2"));
        assert!(!labels.admits("cluster_3"));
        assert!(!labels.admits("cluster_0"));
        assert!(!labels.admits("cluster_01"));
        assert!(!labels.admits("noise"));
        assert!(!labels.admits("VIP"));
        assert_eq!(labels.describe(), "`vip`, `bargain`, `cluster_1` to `cluster_2`");
    }

    #[test]
    fn dbscan_admits_any_numbered_cluster_and_noise() {
        let labels = PersonaLabels::dbscan(vec![]);
        assert!(labels.admits("cluster_17"));
        assert!(labels.admits("noise"));
        assert!(!labels.admits("cluster_x"));
        assert_eq!(labels.describe(), "`cluster_<i>`, `noise`");
    }
}
