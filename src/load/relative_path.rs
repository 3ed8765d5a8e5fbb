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

/// How a file at `target` is named from `folder` (both relative to the workspace root, with `/`
/// separators): `path_from("campaigns", "templates/x.liquid")` is `../templates/x.liquid`.
pub fn path_from(folder: &str, target: &str) -> String {
    let folder: Vec<&str> = folder.split('/').filter(|p| !p.is_empty()).collect();
    let target: Vec<&str> = target.split('/').filter(|p| !p.is_empty()).collect();
    let common = folder.iter().zip(&target).take_while(|(a, b)| a == b).count();
    let mut parts = vec![".."; folder.len() - common];
    parts.extend(&target[common..]);
    parts.join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_a_file_from_a_folder() {
        assert_eq!(path_from("campaigns", "templates/x.liquid"), "../templates/x.liquid");
        assert_eq!(path_from("", "templates/x.liquid"), "templates/x.liquid");
        assert_eq!(path_from("a/b", "a/c/x.liquid"), "../c/x.liquid");
        assert_eq!(path_from("templates", "templates/x.liquid"), "x.liquid");
    }
}
