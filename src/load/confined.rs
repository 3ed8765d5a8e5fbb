//! Files are read only where they really are: a workspace file (document, template, partial,
//! golden file, or a dataset named inside the workspace) must resolve, links followed, to a
//! regular file inside the workspace. A link to `/proc/self/environ`, a FIFO or `/dev/zero` is
//! refused with the path named, before a byte of it is read.
//!
//! A dataset the workspace's author names outside it on purpose (`../datasets/shop.csv`) is
//! read where it is named, but must still be a regular file.

use std::fmt;
use std::io;
use std::path::{Path, PathBuf};

use super::relative_path;

/// The workspace folder, resolved, against which files are confined.
#[derive(Debug, Clone)]
pub struct Confinement {
    /// The workspace folder as written.
    root: PathBuf,
    /// The workspace folder with every link resolved.
    real_root: PathBuf,
}

/// Why a file is not read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// The path leads outside the workspace (through a link, or as written).
    Outside {
        /// The path as named.
        path: PathBuf,
        /// Where it really leads.
        real: PathBuf,
    },
    /// The path is not a regular file (a FIFO, a device, a socket, a folder).
    NotRegular {
        /// The path as named.
        path: PathBuf,
    },
    /// The file cannot be reached at all.
    Unreadable {
        /// The path as named.
        path: PathBuf,
        /// What the system said.
        message: String,
    },
}

impl Refusal {
    /// The diagnostic code for this refusal.
    pub fn code(&self) -> &'static str {
        match self {
            Refusal::Outside { .. } => "load::outside-workspace",
            Refusal::NotRegular { .. } => "load::not-a-file",
            Refusal::Unreadable { .. } => "load::unreadable",
        }
    }

    /// What to do about it.
    pub fn hint(&self) -> &'static str {
        match self {
            Refusal::Outside { .. } => {
                "workspace files must live inside the workspace folder: copy the file in instead of linking to it"
            }
            Refusal::NotRegular { .. } => "point at a regular file",
            Refusal::Unreadable { .. } => "check that the file exists and can be read",
        }
    }
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Refusal::Outside { path, real } => write!(
                f,
                "`{}` resolves to `{}`, outside the workspace",
                path.display(),
                real.display()
            ),
            Refusal::NotRegular { path } => write!(f, "`{}` is not a regular file", path.display()),
            Refusal::Unreadable { path, message } => write!(f, "cannot read `{}`: {message}", path.display()),
        }
    }
}

impl Confinement {
    /// Confinement to the workspace folder `root`.
    pub fn new(root: &Path) -> io::Result<Confinement> {
        Ok(Confinement {
            root: root.to_path_buf(),
            real_root: root.canonicalize()?,
        })
    }

    /// Whether `path` is written as a place inside the workspace (`.` and `..` resolved
    /// without following links).
    pub fn names_inside(&self, path: &Path) -> bool {
        relative_path(&self.root, path).is_some()
    }

    /// `path`, when it is a regular file whose real location is inside the workspace.
    pub fn inside(&self, path: &Path) -> Result<(), Refusal> {
        let real = self.regular_file(path)?;
        if real.starts_with(&self.real_root) {
            Ok(())
        } else {
            Err(Refusal::Outside {
                path: path.to_path_buf(),
                real,
            })
        }
    }

    /// A dataset `path`: confined like any workspace file when written as a place inside
    /// the workspace, else (named outside on purpose by the author) only a regular file.
    pub fn dataset(&self, path: &Path) -> Result<(), Refusal> {
        if self.names_inside(path) {
            self.inside(path)
        } else {
            self.regular_file(path).map(|_| ())
        }
    }

    /// A file about to be written at `path` (a golden file being blessed): its folder must
    /// really be inside the workspace, and the path must not be a link or other special file.
    pub fn writable(&self, path: &Path) -> Result<(), Refusal> {
        let outside = |real: PathBuf| Refusal::Outside {
            path: path.to_path_buf(),
            real,
        };
        if !self.names_inside(path) {
            return Err(outside(path.to_path_buf()));
        }
        match std::fs::symlink_metadata(path) {
            Ok(meta) if meta.file_type().is_symlink() => {
                return Err(outside(path.canonicalize().unwrap_or_else(|_| path.to_path_buf())));
            }
            Ok(meta) if !meta.is_file() => {
                return Err(Refusal::NotRegular {
                    path: path.to_path_buf(),
                })
            }
            _ => {}
        }
        // The nearest folder that exists decides where a new file would land.
        let mut folder = path.parent();
        while let Some(existing) = folder {
            if existing.as_os_str().is_empty() || existing.exists() {
                break;
            }
            folder = existing.parent();
        }
        let folder = folder.filter(|f| !f.as_os_str().is_empty()).unwrap_or(Path::new("."));
        let real = folder.canonicalize().map_err(|e| Refusal::Unreadable {
            path: path.to_path_buf(),
            message: e.to_string(),
        })?;
        if real.starts_with(&self.real_root) {
            Ok(())
        } else {
            Err(outside(real))
        }
    }

    /// The real location of `path` when it is a regular file.
    fn regular_file(&self, path: &Path) -> Result<PathBuf, Refusal> {
        let unreadable = |e: io::Error| Refusal::Unreadable {
            path: path.to_path_buf(),
            message: e.to_string(),
        };
        let real = path.canonicalize().map_err(unreadable)?;
        let meta = std::fs::metadata(&real).map_err(unreadable)?;
        if meta.is_file() {
            Ok(real)
        } else {
            Err(Refusal::NotRegular {
                path: path.to_path_buf(),
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_out_of_the_workspace_and_special_files_are_refused() {
        let folder = tempfile::tempdir().unwrap();
        let root = folder.path().join("ws");
        std::fs::create_dir_all(root.join("sub")).unwrap();
        std::fs::write(root.join("sub/a.yaml"), "x").unwrap();
        std::fs::write(folder.path().join("secret.txt"), "s").unwrap();
        std::os::unix::fs::symlink(folder.path().join("secret.txt"), root.join("link.liquid")).unwrap();
        std::os::unix::fs::symlink(root.join("sub/a.yaml"), root.join("inner.yaml")).unwrap();
        let confinement = Confinement::new(&root).unwrap();
        assert_eq!(confinement.inside(&root.join("sub/a.yaml")), Ok(()));
        assert_eq!(confinement.inside(&root.join("inner.yaml")), Ok(()));
        assert!(matches!(
            confinement.inside(&root.join("link.liquid")),
            Err(Refusal::Outside { .. })
        ));
        assert!(matches!(
            confinement.inside(Path::new("/dev/zero")),
            Err(Refusal::NotRegular { .. } | Refusal::Outside { .. })
        ));
        assert!(matches!(
            confinement.dataset(Path::new("/dev/zero")),
            Err(Refusal::NotRegular { .. })
        ));
        assert_eq!(confinement.dataset(&folder.path().join("secret.txt")), Ok(()));
        assert!(matches!(
            confinement.dataset(&root.join("link.liquid")),
            Err(Refusal::Outside { .. })
        ));
        assert_eq!(confinement.writable(&root.join("golden/new/x.eml")), Ok(()));
        assert!(confinement.writable(&root.join("../x.eml")).is_err());
        assert!(confinement.writable(&root.join("link.liquid")).is_err());
    }
}
