//! Finding the workspace root the way cargo finds `Cargo.toml`.

use std::fmt;
use std::path::{Path, PathBuf};

/// The manifest's file name.
pub const MANIFEST_FILE: &str = "tailor.yaml";

/// No `tailor.yaml` where one was looked for.
#[derive(Debug)]
pub struct WorkspaceNotFound {
    /// Where the search started.
    pub start: PathBuf,
}

impl fmt::Display for WorkspaceNotFound {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "no `{MANIFEST_FILE}` found in `{}` or its parents",
            self.start.display()
        )
    }
}

/// The workspace folder: `path` itself (a folder holding `tailor.yaml`, or the manifest file),
/// else the nearest parent of `path` (default: the current folder) that holds a manifest.
pub fn find_workspace(path: Option<&Path>) -> Result<PathBuf, WorkspaceNotFound> {
    let start = match path {
        Some(p) => p.to_path_buf(),
        None => PathBuf::from("."),
    };
    if start.is_file() && start.file_name().is_some_and(|n| n == MANIFEST_FILE) {
        let parent = start.parent().map(Path::to_path_buf).unwrap_or_default();
        return Ok(if parent.as_os_str().is_empty() {
            PathBuf::from(".")
        } else {
            parent
        });
    }
    if start.join(MANIFEST_FILE).is_file() {
        return Ok(start);
    }
    let absolute = std::path::absolute(&start).unwrap_or_else(|_| start.clone());
    let mut dir = absolute.parent();
    while let Some(d) = dir {
        if d.join(MANIFEST_FILE).is_file() {
            return Ok(d.to_path_buf());
        }
        dir = d.parent();
    }
    Err(WorkspaceNotFound { start })
}
