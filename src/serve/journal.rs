//! Appending to the event log, durably: one writer thread takes every submission waiting,
//! drops lines whose message id the log already holds, writes the rest, syncs each file it
//! touched to the disk once (group commit), and only then answers each submission. A request
//! is acknowledged after its answer, so nothing acknowledged is lost to a crash; a line cut
//! short by one was never acknowledged, and is cut off when the log is opened again.

use std::collections::HashSet;
use std::fs::{File, OpenOptions};
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::sync::mpsc::{sync_channel, Receiver, SyncSender, TrySendError};

use serde_json::Value as Json;
use tokio::sync::oneshot;

use crate::data::{ends_unterminated, EventLog, MESSAGE_ID};

/// Submissions waiting at most; past this a request is answered 503 (retry later) instead of
/// growing memory.
pub const QUEUE_CAPACITY: usize = 4096;

/// Submissions written together at most (one sync each file).
const GROUP: usize = 1024;

/// Which log file a line goes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LogFile {
    /// Accepted events.
    Events,
    /// Accepted identify traits.
    Traits,
    /// Quarantined calls (never deduplicated: each rejection is kept).
    Rejected,
}

/// One line to append: where, the producer's message id, and the JSON.
#[derive(Debug, Clone)]
pub struct LogLine {
    /// The file.
    pub file: LogFile,
    /// The message id (deduplicated in the events and traits files).
    pub message_id: String,
    /// The line.
    pub json: Json,
}

/// What happened to a line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Appended {
    /// Written and synced.
    Written,
    /// The log already held its message id: nothing written.
    Duplicate,
}

/// Why a submission was not taken or not written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JournalError {
    /// The queue is full: retry later.
    Busy,
    /// Writing or syncing failed (the disk); nothing in the submission is acknowledged.
    Write(String),
}

impl std::fmt::Display for JournalError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            JournalError::Busy => write!(f, "the event log is busy: retry shortly"),
            JournalError::Write(reason) => write!(f, "{reason}"),
        }
    }
}

type Answer = oneshot::Sender<Result<Vec<Appended>, JournalError>>;

/// The handle requests submit lines through.
#[derive(Debug, Clone)]
pub struct Journal {
    queue: SyncSender<(Vec<LogLine>, Answer)>,
}

/// The open files and the ids already in the log.
struct Writer {
    events: File,
    traits: File,
    rejected: File,
    seen: HashSet<String>,
}

/// Opens a log file for appending (created readable by its owner only: it holds personal data),
/// first cutting a last line a crash left without its line break (never acknowledged).
fn open_log(path: &Path) -> Result<File, String> {
    use std::os::unix::fs::OpenOptionsExt as _;
    let failed = |e: &dyn std::fmt::Display| format!("{}: {e}", path.display());
    let file = OpenOptions::new()
        .mode(0o600)
        .create(true)
        .read(true)
        .append(true)
        .open(path)
        .map_err(|e| failed(&e))?;
    // Only the last byte is read, unless a crash left a line unfinished.
    if ends_unterminated(path).map_err(|e| failed(&e))? {
        let text = std::fs::read(path).map_err(|e| failed(&e))?;
        let keep = text.iter().rposition(|b| *b == b'\n').map_or(0, |at| at + 1);
        file.set_len(keep as u64)
            .and_then(|()| file.sync_all())
            .map_err(|e| failed(&e))?;
    }
    Ok(file)
}

/// The message ids in the log file at `path`.
fn ids_in(path: &Path, seen: &mut HashSet<String>) -> Result<(), String> {
    let file = File::open(path).map_err(|e| format!("{}: {e}", path.display()))?;
    for line in BufReader::new(file).lines() {
        let line = line.map_err(|e| format!("{}: {e}", path.display()))?;
        if let Ok(Json::Object(map)) = serde_json::from_str::<Json>(&line) {
            if let Some(Json::String(id)) = map.get(MESSAGE_ID) {
                seen.insert(id.clone());
            }
        }
    }
    Ok(())
}

impl Journal {
    /// Opens (creating) the log's files, cuts an unfinished last line, reads the ids already
    /// accepted, and starts the writer thread.
    pub fn open(log: &EventLog) -> Result<Journal, String> {
        std::fs::create_dir_all(&log.folder).map_err(|e| format!("{}: {e}", log.folder.display()))?;
        let paths: [PathBuf; 3] = [log.events(), log.traits(), log.rejected()];
        let [events, traits, rejected] = [&paths[0], &paths[1], &paths[2]].map(|p| open_log(p));
        // The files' names must survive a power cut too: sync the folder that lists them.
        File::open(&log.folder)
            .and_then(|folder| folder.sync_all())
            .map_err(|e| format!("{}: {e}", log.folder.display()))?;
        let mut seen = HashSet::new();
        ids_in(&paths[0], &mut seen)?;
        ids_in(&paths[1], &mut seen)?;
        if let Ok(compacted) = std::fs::read_to_string(log.compacted_ids()) {
            seen.extend(compacted.lines().filter(|id| !id.is_empty()).map(str::to_string));
        }
        let mut writer = Writer {
            events: events?,
            traits: traits?,
            rejected: rejected?,
            seen,
        };
        let (queue, submissions) = sync_channel(QUEUE_CAPACITY);
        std::thread::Builder::new()
            .name("tailor-journal".into())
            .spawn(move || writer.run(submissions))
            .map_err(|e| format!("cannot start the log writer: {e}"))?;
        Ok(Journal { queue })
    }

    /// Submits `lines`; the answer comes once they are on the disk (or known duplicates).
    pub fn submit(
        &self,
        lines: Vec<LogLine>,
    ) -> Result<oneshot::Receiver<Result<Vec<Appended>, JournalError>>, JournalError> {
        let (answer, answered) = oneshot::channel();
        match self.queue.try_send((lines, answer)) {
            Ok(()) => Ok(answered),
            Err(TrySendError::Full(_)) => Err(JournalError::Busy),
            Err(TrySendError::Disconnected(_)) => Err(JournalError::Write("the log writer has stopped".into())),
        }
    }

    /// Submits `lines` and waits for the answer (outside an async runtime).
    pub fn append_blocking(&self, lines: Vec<LogLine>) -> Result<Vec<Appended>, JournalError> {
        let answered = self.submit(lines)?;
        answered
            .blocking_recv()
            .unwrap_or_else(|_| Err(JournalError::Write("the log writer has stopped".into())))
    }
}

impl Writer {
    fn run(&mut self, submissions: Receiver<(Vec<LogLine>, Answer)>) {
        while let Ok(first) = submissions.recv() {
            let mut group = vec![first];
            while group.len() < GROUP {
                match submissions.try_recv() {
                    Ok(next) => group.push(next),
                    Err(_) => break,
                }
            }
            let (batches, answers): (Vec<Vec<LogLine>>, Vec<Answer>) = group.into_iter().unzip();
            match self.write(&batches) {
                Ok(outcomes) => {
                    for (answer, outcome) in answers.into_iter().zip(outcomes) {
                        let _ = answer.send(Ok(outcome));
                    }
                }
                Err(error) => {
                    for answer in answers {
                        let _ = answer.send(Err(JournalError::Write(error.clone())));
                    }
                }
            }
        }
    }

    /// Writes the group and syncs every file it touched; the outcome of each line.
    fn write(&mut self, batches: &[Vec<LogLine>]) -> Result<Vec<Vec<Appended>>, String> {
        let mut buffers: [Vec<u8>; 3] = Default::default();
        let mut new_ids = Vec::new();
        let mut outcomes = Vec::with_capacity(batches.len());
        for batch in batches {
            let mut outcome = Vec::with_capacity(batch.len());
            for line in batch {
                let index = match line.file {
                    LogFile::Events => 0,
                    LogFile::Traits => 1,
                    LogFile::Rejected => 2,
                };
                if line.file != LogFile::Rejected && !self.seen.insert(line.message_id.clone()) {
                    outcome.push(Appended::Duplicate);
                    continue;
                }
                if line.file != LogFile::Rejected {
                    new_ids.push(line.message_id.clone());
                }
                serde_json::to_writer(&mut buffers[index], &line.json).map_err(|e| e.to_string())?;
                buffers[index].push(b'\n');
                outcome.push(Appended::Written);
            }
            outcomes.push(outcome);
        }
        let files = [&mut self.events, &mut self.traits, &mut self.rejected];
        let written = files
            .into_iter()
            .zip(&buffers)
            .filter(|(_, buffer)| !buffer.is_empty())
            .try_for_each(|(file, buffer)| file.write_all(buffer).and_then(|()| file.sync_data()));
        if let Err(error) = written {
            // Not acknowledged: a retry must be able to write them.
            for id in new_ids {
                self.seen.remove(&id);
            }
            return Err(format!("cannot write the event log: {error}"));
        }
        Ok(outcomes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_line_a_crash_cut_short_is_cut_off_and_ids_already_logged_count_once() {
        let folder = tempfile::tempdir().unwrap();
        let log = EventLog {
            folder: folder.path().join("events"),
        };
        std::fs::create_dir_all(&log.folder).unwrap();
        std::fs::write(log.events(), "{\"__message_id\":\"m1\"}\n{\"__message_id\":\"m2\",\"ty").unwrap();
        let journal = Journal::open(&log).unwrap();
        assert_eq!(
            std::fs::read_to_string(log.events()).unwrap(),
            "{\"__message_id\":\"m1\"}\n"
        );
        let line = |id: &str| LogLine {
            file: LogFile::Events,
            message_id: id.into(),
            json: serde_json::json!({ MESSAGE_ID: id }),
        };
        let outcomes = journal
            .append_blocking(vec![line("m1"), line("m2"), line("m2")])
            .unwrap();
        assert_eq!(outcomes, [Appended::Duplicate, Appended::Written, Appended::Duplicate]);
        assert_eq!(std::fs::read_to_string(log.events()).unwrap().lines().count(), 2);
    }
}
