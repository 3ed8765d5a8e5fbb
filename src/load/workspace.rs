//! Reading a whole workspace: the manifest, every YAML document, every Liquid template.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use super::confined::Confinement;
use super::raw::{KindProbe, RawDocument, RawManifest, KINDS};
use super::split::split_documents;
use super::yaml::parse_document;
use super::{relative_path, Document, MANIFEST_FILE};
use crate::diag::{suggestion_hint, Diagnostic, Diagnostics, FileId, SourceMap, Span};

/// A Liquid file found in the workspace.
#[derive(Debug, Clone)]
pub struct TemplateFile {
    /// Path relative to the workspace root, normalised, with `/` separators.
    pub relative: String,
    /// Its text in the source map.
    pub file: FileId,
}

/// Everything read from a workspace folder, parsed into raw documents.
#[derive(Debug)]
pub struct LoadedWorkspace {
    /// The workspace folder.
    pub root: PathBuf,
    /// Every file read.
    pub sources: SourceMap,
    /// The manifest, when it parsed.
    pub manifest: Option<Document<RawManifest>>,
    /// Every other document that parsed, in path order then file order.
    pub documents: Vec<Document<RawDocument>>,
    /// (kind, name) of documents that failed to parse (empty when not even their kind could be
    /// read): their names still count as declared, so that references to them do not fail twice.
    pub unparsed: Vec<(String, String)>,
    /// Every `*.liquid` file below the root.
    pub templates: Vec<TemplateFile>,
    /// What went wrong while loading (YAML errors, unknown kinds, unreadable text).
    pub diagnostics: Diagnostics,
}

impl LoadedWorkspace {
    /// The template at `path` (relative to `relative_to`, a folder inside the workspace).
    pub fn template(&self, relative_to: &Path, path: &str) -> Option<&TemplateFile> {
        let wanted = relative_path(&self.root, &relative_to.join(path))?;
        self.templates.iter().find(|t| t.relative == wanted)
    }

    /// The folder holding a file of the source map.
    pub fn folder_of(&self, file: FileId) -> PathBuf {
        self.sources
            .file(file)
            .path
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_default()
    }
}

/// Reads and parses the workspace at `root`. Only I/O failures are errors; problems with the
/// content are diagnostics in the result.
pub fn load_workspace(root: &Path) -> io::Result<LoadedWorkspace> {
    load_workspace_shown_as(root, root)
}

/// [`load_workspace`], with every file named in diagnostics as if the workspace were at
/// `shown` (a copy in a temporary folder reported under its usual name).
pub fn load_workspace_shown_as(root: &Path, shown: &Path) -> io::Result<LoadedWorkspace> {
    let mut workspace = LoadedWorkspace {
        root: root.to_path_buf(),
        sources: SourceMap::new(),
        manifest: None,
        documents: Vec::new(),
        unparsed: Vec::new(),
        templates: Vec::new(),
        diagnostics: Diagnostics::new(),
    };
    let confinement = Confinement::new(root)
        .map_err(|e| io::Error::new(e.kind(), format!("cannot read `{}`: {e}", root.display())))?;
    let manifest_path = root.join(MANIFEST_FILE);
    let shown = Shown { root, shown };
    if let Some(file) = read_source(&mut workspace, &confinement, &manifest_path, &shown)? {
        let text = workspace.sources.file(file).text.clone();
        workspace.manifest = parse_manifest(&text, file, &mut workspace.diagnostics);
    }
    let mut files = Vec::new();
    walk(root, &mut files)?;
    files.sort();
    for path in files {
        let extension = path.extension().and_then(|e| e.to_str()).unwrap_or("");
        let is_yaml = matches!(extension, "yaml" | "yml");
        if is_yaml && path == manifest_path {
            continue;
        }
        let Some(file) = read_source(&mut workspace, &confinement, &path, &shown)? else {
            continue;
        };
        if is_yaml {
            let text = workspace.sources.file(file).text.clone();
            parse_documents(&text, file, &mut workspace);
        } else if let Some(relative) = relative_path(root, &path) {
            workspace.templates.push(TemplateFile { relative, file });
        }
    }
    Ok(workspace)
}

/// How files are named in diagnostics: the workspace's folder as `shown`.
struct Shown<'p> {
    root: &'p Path,
    shown: &'p Path,
}

impl Shown<'_> {
    fn name(&self, path: &Path) -> PathBuf {
        match path.strip_prefix(self.root) {
            Ok(inside) => self.shown.join(inside),
            Err(_) => path.to_path_buf(),
        }
    }
}

/// Reads a file into the source map; text that is not UTF-8, or a file that is not really a
/// regular file inside the workspace ([`Confinement::inside`]), is a diagnostic, not a failure.
fn read_source(
    workspace: &mut LoadedWorkspace,
    confinement: &Confinement,
    path: &Path,
    shown: &Shown,
) -> io::Result<Option<FileId>> {
    let display = shown.name(path).to_string_lossy().replace('\\', "/");
    let display = display.strip_prefix("./").unwrap_or(&display).to_string();
    if let Err(refusal) = confinement.inside(path) {
        // The file is named, with none of its content, so the diagnostic has a place.
        let file = workspace.sources.add(path, display, String::new());
        workspace.diagnostics.push(
            Diagnostic::error(refusal.code(), refusal.to_string())
                .at(Span::new(file, 0, 0))
                .with_hint(refusal.hint()),
        );
        return Ok(None);
    }
    let bytes =
        fs::read(path).map_err(|e| io::Error::new(e.kind(), format!("cannot read `{}`: {e}", path.display())))?;
    match String::from_utf8(bytes) {
        Ok(text) => Ok(Some(workspace.sources.add(path, display, text))),
        Err(error) => {
            let valid = error.utf8_error().valid_up_to();
            let lossy = String::from_utf8_lossy(error.as_bytes()).into_owned();
            let file = workspace.sources.add(path, display, lossy);
            workspace.diagnostics.push(
                Diagnostic::error("load::not-utf8", "this file is not valid UTF-8")
                    .at(Span::new(file, valid, valid))
                    .with_hint("save the file as UTF-8"),
            );
            Ok(None)
        }
    }
}

fn parse_manifest(text: &str, file: FileId, diagnostics: &mut Diagnostics) -> Option<Document<RawManifest>> {
    let whole = Span::new(file, 0, text.len());
    match parse_document::<RawManifest>(text, file, 0) {
        Ok(value) => Some(Document {
            file,
            base: 0,
            whole,
            value,
        }),
        Err(diagnostic) => {
            diagnostics.push(diagnostic);
            None
        }
    }
}

fn parse_documents(text: &str, file: FileId, workspace: &mut LoadedWorkspace) {
    for range in split_documents(text) {
        let chunk = &text[range.clone()];
        let whole = Span::new(file, range.start, range.end);
        let place = Document {
            file,
            base: range.start,
            whole,
            value: (),
        };
        let probe = match parse_document::<KindProbe>(chunk, file, range.start) {
            Ok(probe) => probe,
            Err(diagnostic) => {
                workspace.diagnostics.push(diagnostic);
                let kind = top_level_scalar(chunk, "kind").unwrap_or_default();
                let name = top_level_scalar(chunk, "name").unwrap_or_default();
                workspace.unparsed.push((kind, name));
                continue;
            }
        };
        let Some(kind) = probe.kind else {
            workspace.diagnostics.push(
                Diagnostic::error("load::missing-kind", "this document has no `kind`")
                    .at(Span::new(
                        file,
                        range.start,
                        range.start + chunk.find('\n').unwrap_or(chunk.len()),
                    ))
                    .with_hint(format!("start it with `kind:` and one of: {}", KINDS.join(", "))),
            );
            continue;
        };
        let parsed = match kind.value.as_str() {
            "data" => parse_document(chunk, file, range.start).map(|d| RawDocument::Data(Box::new(d))),
            "features" => parse_document(chunk, file, range.start).map(|d| RawDocument::Features(Box::new(d))),
            "segment" => parse_document(chunk, file, range.start).map(|d| RawDocument::Segment(Box::new(d))),
            "personas" => parse_document(chunk, file, range.start).map(|d| RawDocument::Personas(Box::new(d))),
            "model" => parse_document(chunk, file, range.start).map(|d| RawDocument::Model(Box::new(d))),
            "campaign" => parse_document(chunk, file, range.start).map(|c| RawDocument::Campaign(Box::new(c))),
            "test" => parse_document(chunk, file, range.start).map(|t| RawDocument::Test(Box::new(t))),
            other => {
                let span = place.span(&kind);
                Err(
                    Diagnostic::error("load::unknown-kind", format!("unknown document kind `{other}`"))
                        .at(span)
                        .with_optional_hint(suggestion_hint(other, KINDS))
                        .with_hint(format!("expected one of: {}", KINDS.join(", "))),
                )
            }
        };
        match parsed {
            Ok(document) => workspace.documents.push(place.with(document)),
            Err(diagnostic) => {
                workspace.diagnostics.push(diagnostic);
                let name = probe.name.as_ref().and_then(|n| n.as_str()).unwrap_or_default();
                workspace.unparsed.push((kind.value.clone(), name.to_string()));
            }
        }
    }
}

/// The plain value of a top-level `key: value` line, read without a YAML parser: used only to
/// name a document that failed to parse, so that references to it are not reported again.
fn top_level_scalar(document: &str, key: &str) -> Option<String> {
    document.lines().find_map(|line| {
        let value = line.strip_prefix(key)?.strip_prefix(':')?;
        let value = value.split(" #").next()?.trim().trim_matches(['"', '\'']);
        (!value.is_empty()).then(|| value.to_string())
    })
}

/// Collects the YAML and Liquid files below `dir`, skipping hidden folders and build output.
fn walk(dir: &Path, files: &mut Vec<PathBuf>) -> io::Result<()> {
    let entries =
        fs::read_dir(dir).map_err(|e| io::Error::new(e.kind(), format!("cannot list `{}`: {e}", dir.display())))?;
    for entry in entries {
        let entry = entry?;
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if name.starts_with('.') {
            continue;
        }
        let path = entry.path();
        let file_type = entry.file_type()?;
        if file_type.is_dir() {
            if !matches!(name.as_ref(), "target" | "node_modules") {
                walk(&path, files)?;
            }
        } else if name.ends_with(".yaml") || name.ends_with(".yml") || name.ends_with(".liquid") {
            files.push(path);
        }
    }
    Ok(())
}
