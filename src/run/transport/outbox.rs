//! The outbox: a Maildir folder, one `.eml` per message, written to `tmp/` and moved to
//! `new/`, so a reader never sees half a message. The file is named after the Message-ID's
//! hash: a resent message replaces its earlier copy instead of adding a second one.

use std::path::{Path, PathBuf};

use super::{Attempt, Outgoing, Transport};

/// A Maildir folder.
#[derive(Debug, Clone)]
pub struct Outbox {
    root: PathBuf,
}

impl Outbox {
    /// The outbox at `root`, with its `tmp`, `new` and `cur` folders created.
    pub fn open(root: &Path) -> std::io::Result<Outbox> {
        for folder in ["tmp", "new", "cur"] {
            std::fs::create_dir_all(root.join(folder))?;
        }
        Ok(Outbox {
            root: root.to_path_buf(),
        })
    }

    fn write(&self, message: &Outgoing) -> std::io::Result<PathBuf> {
        let name = format!("{}.eml", message.hash);
        let staged = self.root.join("tmp").join(&name);
        let delivered = self.root.join("new").join(&name);
        std::fs::write(&staged, &message.bytes)?;
        std::fs::rename(&staged, &delivered)?;
        Ok(delivered)
    }
}

impl Transport for Outbox {
    fn deliver(&self, message: &Outgoing) -> Attempt {
        match self.write(message) {
            Ok(path) => Attempt::Delivered(format!(
                "written to {}",
                path.file_name().unwrap_or_default().to_string_lossy()
            )),
            // A full disk or a permission problem may pass: the next run tries again.
            Err(error) => Attempt::Temporary(format!("cannot write to the outbox: {error}")),
        }
    }
}
