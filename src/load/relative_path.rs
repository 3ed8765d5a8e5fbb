//! A path named relative to the workspace root, worked out lexically (no file is touched).

use std::path::{Component, Path};

/// `path` relative to `root`, with `.` and `..` resolved lexically; `None` when outside.
pub fn relative_path(root: &Path, path: &Path) -> Option<String> {
    let normalise = |p: &Path| {
        let mut parts: Vec<String> = Vec::new();
        for component in p.components() {
            match component {
                Component::CurDir => {}
                Component::ParentDir => {
                    if parts.last().is_some_and(|l| l != "..") {
                        parts.pop();
                    } else {
                        parts.push("..".into());
                    }
                }
                other => parts.push(other.as_os_str().to_string_lossy().into_owned()),
            }
        }
        parts
    };
    let root = normalise(root);
    let path = normalise(path);
    let rest = path.strip_prefix(root.as_slice())?;
    if rest.first().is_some_and(|p| p == "..") {
        return None;
    }
    Some(rest.join("/"))
}
