//! What every request handler of `serve` shares.

use std::collections::HashMap;
use std::sync::mpsc::Sender;
use std::sync::{Arc, RwLock};

use super::arrival::Arrival;
use super::intake::Intake;
use super::journal::Journal;
use super::metrics::Metrics;
use crate::model::LedgerLocation;
use crate::render::constant_time_eq;

/// The service's shared state.
#[derive(Debug)]
pub struct ServeState {
    /// Sorts calls.
    pub intake: Intake,
    /// Writes the log.
    pub journal: Journal,
    /// The write keys producers authenticate with.
    pub write_keys: Vec<String>,
    /// The counters.
    pub metrics: Arc<Metrics>,
    /// Accepted calls, for the scheduler.
    pub arrivals: Sender<Arrival>,
    /// The unsubscribe secret (tokens are checked against it).
    pub secret: String,
    /// The ledger (its suppression list takes unsubscribes and feedback).
    pub ledger: LedgerLocation,
    /// Profile key → address, refreshed by every delivery pass.
    pub directory: Arc<RwLock<HashMap<String, String>>>,
}

impl ServeState {
    /// Whether `key` is one of the write keys (each compared in constant time, and every one
    /// compared, so timing tells nothing about which came close).
    pub fn knows_write_key(&self, key: &str) -> bool {
        self.write_keys
            .iter()
            .fold(false, |known, candidate| known | constant_time_eq(key, candidate))
    }

    /// The address of profile `key`, as of the last delivery pass.
    pub fn address_of(&self, key: &str) -> Option<String> {
        self.directory
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .get(key)
            .cloned()
    }
}
