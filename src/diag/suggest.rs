//! "Did you mean" suggestions for misspelt names.

use super::{Diagnostic, Span};

/// The candidate closest to `name`, when one is close enough to be a likely typo.
pub fn did_you_mean<'a, I, S>(name: &str, candidates: I) -> Option<String>
where
    I: IntoIterator<Item = S>,
    S: AsRef<str> + 'a,
{
    let mut best: Option<(f64, String)> = None;
    for candidate in candidates {
        let candidate = candidate.as_ref();
        if candidate == name {
            continue;
        }
        let score = strsim::jaro_winkler(&name.to_lowercase(), &candidate.to_lowercase());
        let close = score >= 0.8 || strsim::damerau_levenshtein(name, candidate) <= 1;
        if close && best.as_ref().is_none_or(|(s, _)| score > *s) {
            best = Some((score, candidate.to_string()));
        }
    }
    best.map(|(_, c)| c)
}

/// `did you mean `x`?` as a hint, when a close candidate exists.
pub fn suggestion_hint<'a, I, S>(name: &str, candidates: I) -> Option<String>
where
    I: IntoIterator<Item = S>,
    S: AsRef<str> + 'a,
{
    did_you_mean(name, candidates).map(|c| format!("did you mean `{c}`?"))
}

/// An error with `code` at `span` when `text` is not one of `values` (enum literals).
pub fn not_one_of(code: &'static str, text: &str, values: &[String], span: Span) -> Option<Diagnostic> {
    if values.iter().any(|v| v == text) {
        return None;
    }
    let diagnostic = Diagnostic::error(code, format!("`{text}` is not one of the enum's values"))
        .at_labeled(span, format!("expected one of: {}", values.join(", ")))
        .with_optional_hint(suggestion_hint(text, values.iter()));
    Some(diagnostic)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_close_names_only() {
        assert_eq!(
            did_you_mean("audiense", ["audience", "subject"]).as_deref(),
            Some("audience")
        );
        assert_eq!(did_you_mean("zzz", ["audience", "subject"]), None);
    }
}
