//! The sending threads: each takes the next reserved message, waits for its rate-limit slot,
//! delivers it, retries temporary failures with backoff up to `retries`, and reports how it
//! ended. A stop (the failure-rate guard) makes them hand back what they have not attempted.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, Sender};
use std::sync::Mutex;

use super::dkim::DkimSigner;
use super::pacing::{backoff, RateLimiter};
use super::transport::{Attempt, Outgoing, Transport};

/// A reserved message and what the run needs to know about it when it comes back.
#[derive(Debug, Clone)]
pub struct Job<T> {
    /// The caller's bookkeeping (which campaign, send and variant).
    pub tag: T,
    /// The message.
    pub message: Outgoing,
}

/// How a job ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ending {
    /// Accepted.
    Delivered,
    /// Refused for good (5xx): suppress the address.
    Refused,
    /// Could not be sent at all: failed, not suppressed.
    Unsendable,
    /// Still failing temporarily after every retry: deferred to the next run.
    Deferred,
    /// Never attempted: the run stopped first.
    NotAttempted,
    /// This machine could not take it (the outbox cannot be written): the run stops, and the
    /// message stays due.
    LocalFailure,
}

/// A job back from the senders.
#[derive(Debug, Clone)]
pub struct Finished<T> {
    /// The job's bookkeeping.
    pub tag: T,
    /// The recipient's address (for the suppression list).
    pub to: String,
    /// How it ended.
    pub ending: Ending,
    /// Attempts made.
    pub attempts: u32,
    /// The last answer, or what went wrong.
    pub reply: String,
}

/// What every sending thread shares.
pub struct Senders<'a> {
    /// Where messages go.
    pub transport: &'a dyn Transport,
    /// The shared pace.
    pub limiter: &'a RateLimiter,
    /// Retries of a temporary failure.
    pub retries: u32,
    /// Set to stop sending.
    pub stop: &'a AtomicBool,
    /// Signs each message before its first attempt, when set.
    pub dkim: Option<&'a DkimSigner>,
}

fn seed(hash: &str) -> u64 {
    u64::from_str_radix(hash.get(..16).unwrap_or("0"), 16).unwrap_or(0)
}

impl Senders<'_> {
    /// One thread's loop: jobs from `jobs` until it closes, endings to `done`.
    pub fn work<T>(&self, jobs: &Mutex<Receiver<Job<T>>>, done: &Sender<Finished<T>>) {
        loop {
            let next = match jobs.lock() {
                Ok(receiver) => receiver.recv(),
                Err(poisoned) => poisoned.into_inner().recv(),
            };
            let Ok(job) = next else {
                return;
            };
            let finished = self.deliver(job);
            if done.send(finished).is_err() {
                return;
            }
        }
    }

    fn deliver<T>(&self, job: Job<T>) -> Finished<T> {
        let mut job = job;
        if let Some(signer) = self.dkim {
            job.message.bytes = signer.sign(&job.message.bytes);
        }
        let mut attempts = 0;
        let (ending, reply) = loop {
            if self.stop.load(Ordering::SeqCst) {
                break (Ending::NotAttempted, "the run stopped before sending it".to_string());
            }
            self.limiter.wait();
            attempts += 1;
            match self.transport.deliver(&job.message) {
                Attempt::Delivered(reply) => break (Ending::Delivered, reply),
                Attempt::Permanent(reply) => break (Ending::Refused, reply),
                Attempt::Unsendable(reply) => break (Ending::Unsendable, reply),
                Attempt::LocalFailure(reply) => {
                    self.stop.store(true, Ordering::SeqCst);
                    break (Ending::LocalFailure, reply);
                }
                Attempt::Temporary(reply) if attempts > self.retries => break (Ending::Deferred, reply),
                Attempt::Temporary(_) => std::thread::sleep(backoff(attempts, seed(&job.message.hash))),
            }
        };
        // A stop that came while retrying leaves the message deferred, not forgotten.
        let ending = if ending == Ending::NotAttempted && attempts > 0 {
            Ending::Deferred
        } else {
            ending
        };
        Finished {
            tag: job.tag,
            to: job.message.to,
            ending,
            attempts,
            reply,
        }
    }
}
