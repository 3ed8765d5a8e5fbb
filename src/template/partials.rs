//! Which file a partial name means: `{% render 'footer' %}` is
//! `templates/partials/footer.html.liquid` in HTML templates, `footer.txt.liquid` in text ones,
//! else `footer.liquid`. Checking and rendering resolve partials with this one rule.

use std::collections::BTreeMap;

use crate::diag::FileId;
use crate::load::TemplateFile;

/// The folder partials live in, relative to the workspace root.
pub const PARTIALS_FOLDER: &str = "templates/partials/";

/// Partial names and their files, for HTML or for text.
pub fn partial_files(templates: &[TemplateFile], html: bool) -> BTreeMap<String, FileId> {
    let preferred = if html { ".html.liquid" } else { ".txt.liquid" };
    let other = if html { ".txt.liquid" } else { ".html.liquid" };
    let mut found: BTreeMap<String, (FileId, bool)> = BTreeMap::new();
    for template in templates {
        let Some(rest) = template.relative.strip_prefix(PARTIALS_FOLDER) else {
            continue;
        };
        if rest.ends_with(other) {
            continue;
        }
        let (name, exact) = match rest.strip_suffix(preferred) {
            Some(name) => (name, true),
            None => (rest.strip_suffix(".liquid").unwrap_or(rest), false),
        };
        match found.get(name) {
            Some((_, true)) => {}
            Some(_) if !exact => {}
            _ => {
                found.insert(name.to_string(), (template.file, exact));
            }
        }
    }
    found.into_iter().map(|(name, (file, _))| (name, file)).collect()
}
