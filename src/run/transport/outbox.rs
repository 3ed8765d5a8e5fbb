//! The outbox: a Maildir folder, one `.eml` per message, written to `tmp/` and moved to
//! `new/`, so a reader never sees half a message. The file is named after the Message-ID's
//! hash: a resent message replaces its earlier copy instead of adding a second one. The file and
//! the move reach the disk before the message counts as delivered, as a mail server's "250"
//! means it was stored: a machine that loses power after the ledger says `sent` keeps the message.

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

    /// Writes `message` to `tmp/`, moves it to `new/`, and waits until both are on disk.
    fn write(&self, message: &Outgoing) -> std::io::Result<PathBuf> {
        use std::io::Write;
        let name = format!("{}.eml", message.hash);
        let staged = self.root.join("tmp").join(&name);
        let delivered = self.root.join("new").join(&name);
        let written = (|| {
            let mut file = std::fs::File::create(&staged)?;
            file.write_all(&message.bytes)?;
            file.sync_all()?;
            std::fs::rename(&staged, &delivered)?;
            sync_folder(&self.root.join("new"))
        })();
        if let Err(error) = written {
            // No half-written or empty file is left behind.
            let _ = std::fs::remove_file(&staged);
            return Err(error);
        }
        Ok(delivered)
    }
}

/// Makes the entries of `folder` (a file moved in) durable; a no-op where folders cannot be
/// opened as files (Windows).
fn sync_folder(folder: &Path) -> std::io::Result<()> {
    if cfg!(unix) {
        std::fs::File::open(folder)?.sync_all()?;
    }
    Ok(())
}

impl Transport for Outbox {
    fn deliver(&self, message: &Outgoing) -> Attempt {
        match self.write(message) {
            Ok(path) => Attempt::Delivered(format!(
                "written to {}",
                path.file_name().unwrap_or_default().to_string_lossy()
            )),
            // A full disk or a read-only folder fails every message alike: stop at once.
            Err(error) => {
                Attempt::LocalFailure(format!("cannot write to the outbox `{}`: {error}", self.root.display()))
            }
        }
    }
}
