//! `tailor init DIR`: a starter workspace that passes `tailor check`.

use std::fs;
use std::path::{Path, PathBuf};

use clap::Args;

use super::{ExitCode, Failure};
use crate::diag::Diagnostic;
use crate::load::MANIFEST_FILE;

/// Arguments of `tailor init`.
#[derive(Debug, Args)]
pub struct InitArgs {
    /// The folder to create the workspace in (created when missing).
    pub dir: PathBuf,
}

/// The starter files: path relative to the workspace and contents.
pub const STARTER_FILES: [(&str, &str); 10] = [
    ("tailor.yaml", include_str!("starter/tailor.yaml")),
    ("data.yaml", include_str!("starter/data.yaml")),
    ("datasets/profiles.csv", include_str!("starter/datasets/profiles.csv")),
    ("datasets/events.ndjson", include_str!("starter/datasets/events.ndjson")),
    ("features.yaml", include_str!("starter/features.yaml")),
    ("campaigns/welcome.yaml", include_str!("starter/campaigns/welcome.yaml")),
    (
        "templates/welcome.html.liquid",
        include_str!("starter/templates/welcome.html.liquid"),
    ),
    (
        "templates/partials/footer.html.liquid",
        include_str!("starter/templates/partials/footer.html.liquid"),
    ),
    ("tests/welcome.yaml", include_str!("starter/tests/welcome.yaml")),
    (".gitignore", ".tailor/\n"),
];

/// Runs `tailor init`.
pub fn run(args: &InitArgs) -> Result<ExitCode, Failure> {
    if args.dir.join(MANIFEST_FILE).exists() {
        return Err(Failure::usage(
            Diagnostic::error(
                "init::exists",
                format!("`{}` already holds a workspace", args.dir.display()),
            )
            .with_hint("choose an empty folder; nothing was overwritten"),
        ));
    }
    write_starter(&args.dir).map_err(|error| Failure::usage(Diagnostic::error("init::io", error.to_string())))?;
    eprintln!("created a workspace in {}", args.dir.display());
    eprintln!("next: `tailor check {}`", args.dir.display());
    Ok(ExitCode::Success)
}

fn write_starter(dir: &Path) -> std::io::Result<()> {
    for (relative, contents) in STARTER_FILES {
        let path = dir.join(relative);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent)?;
        }
        fs::write(&path, contents)?;
    }
    let schemas = dir.join("schemas");
    fs::create_dir_all(&schemas)?;
    for (name, text) in super::schema::schema_files() {
        fs::write(schemas.join(name), text)?;
    }
    Ok(())
}
