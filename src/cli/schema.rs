//! `tailor schema`: JSON Schemas of the manifest and every document kind.

use std::fs;
use std::path::PathBuf;

use clap::Args;
use schemars::{schema_for, Schema};
use serde_json::{json, Value};

use super::steps::checked_workspace;
use super::{ExitCode, Failure};
use crate::diag::Diagnostic;
use crate::load::raw::*;
use crate::serve::tracking_plan_document;

/// Arguments of `tailor schema`.
#[derive(Debug, Args)]
pub struct SchemaArgs {
    /// The folder to write to.
    #[arg(long, default_value = "schemas")]
    pub out: PathBuf,
    /// Write the workspace's tracking plan instead (`events.schema.json`): the Segment calls
    /// `tailor serve` accepts, generated from its data schema.
    #[arg(long)]
    pub events: bool,
    /// The workspace whose tracking plan `--events` writes.
    #[arg(long, value_name = "DIR")]
    pub workspace: Option<PathBuf>,
}

/// Every schema file: its name and its pretty-printed JSON (ending in a newline).
pub fn schema_files() -> Vec<(String, String)> {
    let kinds: Vec<(&str, Schema)> = vec![
        ("data", schema_for!(RawData)),
        ("features", schema_for!(RawFeatures)),
        ("segment", schema_for!(RawSegment)),
        ("personas", schema_for!(RawPersonas)),
        ("model", schema_for!(RawModel)),
        ("campaign", schema_for!(RawCampaign)),
        ("test", schema_for!(RawTest)),
    ];
    let mut files = vec![(
        "tailor.schema.json".to_string(),
        pretty(
            schema_for!(RawManifest).to_value(),
            "tailor.yaml, the workspace manifest",
        ),
    )];
    let mut any_of = Vec::new();
    for (kind, schema) in kinds {
        let mut value = schema.to_value();
        value["properties"]["kind"] = json!({ "const": kind, "description": format!("Always `{kind}`.") });
        files.push((
            format!("{kind}.schema.json"),
            pretty(value, &format!("a `kind: {kind}` document")),
        ));
        any_of.push(json!({ "$ref": format!("{kind}.schema.json") }));
    }
    let document = json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "tailor document",
        "description": "Any tailor document; `kind` selects which.",
        "oneOf": any_of,
    });
    files.push((
        "document.schema.json".to_string(),
        pretty(document, "any tailor document"),
    ));
    files
}

fn pretty(mut value: Value, title: &str) -> String {
    if value.get("description").is_none() {
        value["description"] = json!(format!("JSON Schema of {title}."));
    }
    let mut text = serde_json::to_string_pretty(&value).unwrap_or_default();
    text.push('\n');
    text
}

/// Runs `tailor schema`.
pub fn run(args: &SchemaArgs) -> Result<ExitCode, Failure> {
    let failed = |what: &str, path: &std::path::Path, error: std::io::Error| {
        Failure::usage(Diagnostic::error(
            "schema::io",
            format!("cannot {what} `{}`: {error}", path.display()),
        ))
    };
    fs::create_dir_all(&args.out).map_err(|error| failed("create", &args.out, error))?;
    if args.events {
        let (_, workspace) = checked_workspace(args.workspace.as_ref())?;
        let document = tracking_plan_document(&workspace.schema, &workspace.manifest.name);
        let path = args.out.join("events.schema.json");
        fs::write(&path, pretty(document, "the tracking plan")).map_err(|error| failed("write", &path, error))?;
        eprintln!(
            "wrote the tracking plan of `{}` to {}",
            workspace.manifest.name,
            path.display()
        );
        return Ok(ExitCode::Success);
    }
    for (name, text) in schema_files() {
        let path = args.out.join(&name);
        fs::write(&path, text).map_err(|error| failed("write", &path, error))?;
    }
    eprintln!("wrote {} schemas to {}", schema_files().len(), args.out.display());
    Ok(ExitCode::Success)
}
