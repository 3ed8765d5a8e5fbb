//! Which file events mean that the workspace changed, gathered per save.
//!
//! Reading a file is an event too (inotify reports every open), and rebuilding the page reads
//! the workspace: counting reads as changes would rebuild the page, and reload every browser,
//! for ever. Only creating, writing, renaming and removing count, and only outside `.tailor`
//! (where a run keeps its ledger and outbox).

use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::Duration;

use notify::event::{AccessKind, AccessMode};
use notify::{Event, EventKind, RecommendedWatcher, RecursiveMode, Watcher};

/// How long the file events of one save are gathered before the page is rebuilt.
const DEBOUNCE: Duration = Duration::from_millis(150);

/// Watches folders for changes to their content; dropping it stops watching.
pub struct ContentChanges {
    _watcher: RecommendedWatcher,
    changes: mpsc::Receiver<()>,
}

impl ContentChanges {
    /// Watches each of `folders` and everything under it.
    pub fn watch(folders: &[PathBuf]) -> Result<Self, String> {
        let (sender, changes) = mpsc::channel();
        let mut watcher = notify::recommended_watcher(move |result: notify::Result<Event>| {
            if result.is_ok_and(|event| is_change(&event)) {
                let _ = sender.send(());
            }
        })
        .map_err(|error| format!("files: {error}"))?;
        for folder in folders {
            watcher
                .watch(folder, RecursiveMode::Recursive)
                .map_err(|error| format!("`{}`: {error}", folder.display()))?;
        }
        Ok(ContentChanges {
            _watcher: watcher,
            changes,
        })
    }

    /// Waits for the next change and for the events of the same save to end; `None` once the
    /// watcher has stopped.
    pub fn next_save(&self) -> Option<()> {
        self.changes.recv().ok()?;
        while self.changes.recv_timeout(DEBOUNCE).is_ok() {}
        Some(())
    }
}

/// Whether `event` changed the content of the workspace (not merely read it).
fn is_change(event: &Event) -> bool {
    let changes = match event.kind {
        EventKind::Create(_) | EventKind::Modify(_) | EventKind::Remove(_) => true,
        EventKind::Access(AccessKind::Close(AccessMode::Write)) => true,
        EventKind::Access(_) | EventKind::Any | EventKind::Other => false,
    };
    changes && event.paths.iter().any(|path| is_content(path))
}

/// Whether `path` is the workspace's content (not a run's ledger or outbox).
fn is_content(path: &Path) -> bool {
    !path.components().any(|c| c.as_os_str() == ".tailor")
}

#[cfg(test)]
mod tests {
    use notify::event::{CreateKind, ModifyKind};

    use super::*;

    fn event(kind: EventKind, path: &str) -> Event {
        Event::new(kind).add_path(PathBuf::from(path))
    }

    #[test]
    fn reading_a_file_is_not_a_change() {
        let open = EventKind::Access(AccessKind::Open(AccessMode::Read));
        let close = EventKind::Access(AccessKind::Close(AccessMode::Read));
        assert!(!is_change(&event(open, "/w/campaigns/a.yaml")));
        assert!(!is_change(&event(close, "/w/campaigns/a.yaml")));
    }

    #[test]
    fn writing_creating_and_finishing_a_write_are_changes_outside_the_run_folder() {
        let write = EventKind::Modify(ModifyKind::Any);
        let closed = EventKind::Access(AccessKind::Close(AccessMode::Write));
        assert!(is_change(&event(write, "/w/templates/a.liquid")));
        assert!(is_change(&event(closed, "/w/templates/a.liquid")));
        assert!(is_change(&event(EventKind::Create(CreateKind::File), "/w/data/p.csv")));
        assert!(!is_change(&event(write, "/w/.tailor/ledger.sqlite")));
    }
}
