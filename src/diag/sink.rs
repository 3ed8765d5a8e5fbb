//! A collection of diagnostics that stages append to and never abort on.

use super::Diagnostic;

/// Diagnostics gathered by one or more stages.
#[derive(Debug, Default, Clone)]
pub struct Diagnostics {
    items: Vec<Diagnostic>,
}

impl Diagnostics {
    /// An empty collection.
    pub fn new() -> Diagnostics {
        Diagnostics::default()
    }

    /// Adds one diagnostic.
    pub fn push(&mut self, diagnostic: Diagnostic) {
        self.items.push(diagnostic);
    }

    /// Adds all of another collection.
    pub fn extend(&mut self, other: impl IntoIterator<Item = Diagnostic>) {
        self.items.extend(other);
    }

    /// How many were reported, to mark a point for [`Diagnostics::since`].
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// Those reported after `mark` (a [`Diagnostics::len`] taken earlier), to add context to.
    pub fn since(&mut self, mark: usize) -> &mut [Diagnostic] {
        let start = mark.min(self.items.len());
        &mut self.items[start..]
    }

    /// Whether any error (not warning) was reported.
    pub fn has_errors(&self) -> bool {
        self.items.iter().any(Diagnostic::is_error)
    }

    /// Number of errors.
    pub fn error_count(&self) -> usize {
        self.items.iter().filter(|d| d.is_error()).count()
    }

    /// Number of warnings.
    pub fn warning_count(&self) -> usize {
        self.items.len() - self.error_count()
    }

    /// Whether nothing was reported.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// Sorted by position, each problem once: the same problem reported through several uses
    /// (a template used by two variants, a partial used by seven templates) is one diagnostic
    /// listing every use. The same input always gives the same list.
    pub fn into_sorted(mut self) -> Vec<Diagnostic> {
        self.items.sort();
        let mut merged: Vec<Diagnostic> = Vec::with_capacity(self.items.len());
        for diagnostic in self.items {
            let same = merged
                .iter_mut()
                .rev()
                .take_while(|d| d.span == diagnostic.span)
                .find(|d| d.same_problem(&diagnostic));
            match same {
                Some(first) => {
                    for used_at in diagnostic.used_at {
                        if !first.used_at.contains(&used_at) {
                            first.used_at.push(used_at);
                        }
                    }
                }
                None => merged.push(diagnostic),
            }
        }
        merged
    }

    /// The diagnostics in the order they were reported.
    pub fn iter(&self) -> impl Iterator<Item = &Diagnostic> {
        self.items.iter()
    }
}

impl IntoIterator for Diagnostics {
    type Item = Diagnostic;
    type IntoIter = std::vec::IntoIter<Diagnostic>;
    fn into_iter(self) -> Self::IntoIter {
        self.items.into_iter()
    }
}
