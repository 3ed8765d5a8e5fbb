//! Splitting a YAML stream into its documents.
//!
//! YAML forbids a `---` or `...` marker at the start of a line inside any scalar, so a line-based
//! split is exact, and it lets each document be parsed as its own type.

/// Byte ranges of the documents in `text`, skipping documents with no content.
pub fn split_documents(text: &str) -> Vec<std::ops::Range<usize>> {
    let mut documents = Vec::new();
    let mut start = 0;
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let bare = line.trim_end_matches(['\n', '\r']);
        let is_start = bare == "---" || bare.starts_with("--- ") || bare.starts_with("---\t");
        let is_end = bare == "..." || bare.starts_with("... ");
        if is_start && offset > start {
            documents.push(start..offset);
            start = offset;
        }
        offset += line.len();
        if is_end {
            documents.push(start..offset);
            start = offset;
        }
    }
    documents.push(start..text.len());
    documents.retain(|range| has_content(&text[range.clone()]));
    documents
}

fn has_content(document: &str) -> bool {
    document.lines().any(|line| {
        let line = line.trim();
        !(line.is_empty() || line.starts_with('#') || line == "---" || line == "..." || line.starts_with('%'))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_on_markers_and_drops_empty_documents() {
        let text = "# header\n---\na: 1\n---\nb: |\n  ---x\n...\n---\n";
        let parts: Vec<&str> = split_documents(text).into_iter().map(|r| &text[r]).collect();
        assert_eq!(parts, vec!["---\na: 1\n", "---\nb: |\n  ---x\n...\n"]);
    }
}
