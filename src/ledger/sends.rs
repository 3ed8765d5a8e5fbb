//! A send's way through the ledger: reserved, and the reservation committed, before its
//! message leaves; then recorded `sent`, `failed` or `deferred`, or given back. So a re-run never
//! sends what was sent, and a crash leaves exactly the in-flight messages `reserved`.
//!
//! Each reserved row names the lease of the run holding it (`worker`). That is what lets runs
//! share a ledger: a row is claimed by exactly one run (`INSERT … ON CONFLICT DO NOTHING`, or
//! `deferred → reserved`, both atomic), a run resolves only rows whose lease is gone, and a run
//! records only rows it still holds — a run taken for dead and taken over is fenced out.
//!
//! Writes are grouped: a run reserves a batch in one transaction and records outcomes in
//! another, so the ledger is not what limits the sending rate.

use std::collections::HashSet;

use super::database::{values_rows, Param, ROWS_PER_STATEMENT};
use super::lease;
use super::tables::assign;
use super::{Interrupted, Ledger, LedgerError, Recorded, Reservation, SendKey};
use crate::model::SendState;

/// `items` in chunks of at most [`ROWS_PER_STATEMENT`], none holding the same send twice (a
/// multi-row upsert may touch a row once).
fn without_repeats<'a, T>(items: &'a [T], send: impl Fn(&T) -> &SendKey) -> Vec<Vec<&'a T>> {
    let mut chunks: Vec<Vec<&T>> = Vec::new();
    let mut seen: HashSet<&SendKey> = HashSet::new();
    for item in items {
        let key = send(item);
        match chunks.last_mut() {
            Some(chunk) if chunk.len() < ROWS_PER_STATEMENT && !seen.contains(key) => chunk.push(item),
            _ => {
                chunks.push(vec![item]);
                seen.clear();
            }
        }
        seen.insert(key);
    }
    chunks
}

impl Ledger {
    /// Resolves the rows left `reserved` by runs whose lease is gone (on a shared ledger,
    /// another live run's in-flight rows are its own): at-least-once makes them `deferred` (the
    /// next send carries the same Message-ID, so receivers can drop a duplicate); at-most-once
    /// makes them `uncertain` (never resent). Returns them, for the run to list.
    pub fn resolve_interrupted(&mut self, at_most_once: bool, now: i64) -> Result<Vec<Interrupted>, LedgerError> {
        let to = if at_most_once {
            SendState::Uncertain
        } else {
            SendState::Deferred
        };
        let rows = self.in_transaction(|ledger| {
            ledger
                .database
                .query(
                    "UPDATE sends SET state = ?1, updated_at = ?2, reply = 'in flight when a run stopped', worker = ''
                     WHERE state = 'reserved' AND worker NOT IN (SELECT token FROM lease)
                     RETURNING campaign, profile_key, occurrence, message_id",
                    &[to.name().into(), now.into()],
                )
                .map_err(|e| ledger.fail(e))
        })?;
        let mut interrupted = rows
            .iter()
            .map(|row| {
                Ok(Interrupted {
                    send: SendKey {
                        campaign: row.text(0)?,
                        key: row.text(1)?,
                        occurrence: row.text(2)?,
                    },
                    message_id: row.text(3)?,
                    now: to,
                })
            })
            .collect::<Result<Vec<_>, String>>()
            .map_err(|e| self.fail(e))?;
        interrupted.sort_by(|a, b| {
            (&a.send.campaign, &a.send.key, &a.send.occurrence).cmp(&(
                &b.send.campaign,
                &b.send.key,
                &b.send.occurrence,
            ))
        });
        Ok(interrupted)
    }

    /// Reserves `batch` in one transaction, committed before any of it is sent. Returns, per
    /// reservation, whether it was granted: a new send whose row exists (recorded, or reserved
    /// by a run sharing the ledger), or a retry whose row is no longer `deferred`, is not. New
    /// sends are claimed by one multi-row statement per [`ROWS_PER_STATEMENT`], which tells
    /// which rows it inserted.
    pub fn reserve(&mut self, batch: &[Reservation], now: i64) -> Result<Vec<bool>, LedgerError> {
        self.in_transaction(|ledger| {
            // The lease is checked (and renewed) in the transaction that claims the sends.
            if let Some(lease) = &ledger.lease {
                lease::confirm(&ledger.database, lease).map_err(|e| ledger.fail(e))?;
            }
            let worker = ledger.worker();
            let mut granted = vec![false; batch.len()];
            let new: Vec<(usize, &Reservation)> = batch.iter().enumerate().filter(|(_, r)| !r.retry).collect();
            for chunk in new.chunks(ROWS_PER_STATEMENT) {
                let sql = format!(
                    "INSERT INTO sends (campaign, profile_key, occurrence, state, variant, message_id, at, updated_at, worker)
                     VALUES {} ON CONFLICT DO NOTHING RETURNING campaign, profile_key, occurrence",
                    values_rows("(?, ?, ?, 'reserved', ?, ?, ?, ?, ?)", chunk.len())
                );
                let mut params = Vec::with_capacity(chunk.len() * 8);
                for (_, r) in chunk {
                    params.extend([
                        Param::from(&r.send.campaign),
                        (&r.send.key).into(),
                        (&r.send.occurrence).into(),
                        (&r.variant).into(),
                        (&r.message_id).into(),
                        now.into(),
                        now.into(),
                        worker.into(),
                    ]);
                }
                let mut inserted = ledger
                    .database
                    .query(&sql, &params)
                    .and_then(|rows| rows.iter().map(SendKey::from_row).collect::<Result<HashSet<_>, _>>())
                    .map_err(|e| ledger.fail(e))?;
                for (index, r) in chunk {
                    // A send twice in one batch is granted once.
                    granted[*index] = inserted.remove(&r.send);
                }
            }
            for (index, r) in batch.iter().enumerate().filter(|(_, r)| r.retry) {
                let changed = ledger
                    .database
                    .execute(
                        "UPDATE sends SET state = 'reserved', variant = ?4, message_id = ?5, updated_at = ?6, worker = ?7
                         WHERE campaign = ?1 AND profile_key = ?2 AND occurrence = ?3 AND state = 'deferred'",
                        &[
                            (&r.send.campaign).into(),
                            (&r.send.key).into(),
                            (&r.send.occurrence).into(),
                            (&r.variant).into(),
                            (&r.message_id).into(),
                            now.into(),
                            worker.into(),
                        ],
                    )
                    .map_err(|e| ledger.fail(e))?;
                granted[index] = changed == 1;
            }
            // Each granted profile's arm, and the moment its outcomes start to count.
            let arms: Vec<(&str, &str, &str)> = batch
                .iter()
                .zip(&granted)
                .filter(|(_, granted)| **granted)
                .map(|(r, _)| (r.send.campaign.as_str(), r.send.key.as_str(), r.variant.as_str()))
                .collect();
            assign(&ledger.database, &arms, now).map_err(|e| ledger.fail(e))?;
            Ok(granted)
        })
    }

    /// Records how sends ended, in one transaction; a `sent` row's time becomes `now`. (A row
    /// is normally there, reserved by this run; it is written whole when it is not.) A row
    /// another run took over meanwhile (this one was taken for dead) is left to that run, and
    /// this run is told to stop.
    pub fn record(&mut self, outcomes: &[Recorded], now: i64) -> Result<(), LedgerError> {
        if outcomes.is_empty() {
            return Ok(());
        }
        let fenced = self.in_transaction(|ledger| {
            let worker = ledger.worker();
            let mut fenced = 0;
            for chunk in without_repeats(outcomes, |o| &o.send) {
                // The run's lease token is the last parameter, after the rows'.
                let token = chunk.len() * 10 + 1;
                let sql = format!(
                    "INSERT INTO sends (campaign, profile_key, occurrence, state, variant, message_id, at, updated_at, attempts, reply, worker)
                     VALUES {} ON CONFLICT (campaign, profile_key, occurrence) DO UPDATE SET
                       state = excluded.state, attempts = sends.attempts + excluded.attempts,
                       reply = excluded.reply, updated_at = excluded.updated_at, worker = '',
                       at = CASE WHEN excluded.state = 'sent' THEN excluded.updated_at ELSE sends.at END
                     WHERE sends.worker = ?{token}
                     RETURNING campaign",
                    values_rows("(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, '')", chunk.len())
                );
                let mut params = Vec::with_capacity(token);
                for o in &chunk {
                    params.extend([
                        Param::from(&o.send.campaign),
                        (&o.send.key).into(),
                        (&o.send.occurrence).into(),
                        o.state.name().into(),
                        (&o.variant).into(),
                        (&o.message_id).into(),
                        now.into(),
                        now.into(),
                        i64::from(o.attempts).into(),
                        (&o.reply).into(),
                    ]);
                }
                params.push(worker.into());
                let written = ledger.database.query(&sql, &params).map_err(|e| ledger.fail(e))?;
                fenced += chunk.len() - written.len();
            }
            Ok::<_, LedgerError>(fenced)
        })?;
        if fenced > 0 {
            return Err(self.fail(format!(
                "{fenced} send(s) this run had reserved were taken over by another run, which took this one for dead: that run sends them (with the same Message-ID); this one stops"
            )));
        }
        Ok(())
    }

    /// Gives back reservations whose messages never left (a run that stopped itself): a
    /// retry goes back to `deferred`, a new send is forgotten.
    pub fn release(&mut self, sends: &[(SendKey, bool)]) -> Result<(), LedgerError> {
        self.in_transaction(|ledger| {
            for (send, retry) in sends {
                let statement = if *retry {
                    "UPDATE sends SET state = 'deferred', worker = ''
                     WHERE campaign = ?1 AND profile_key = ?2 AND occurrence = ?3 AND state = 'reserved' AND worker = ?4"
                } else {
                    "DELETE FROM sends
                     WHERE campaign = ?1 AND profile_key = ?2 AND occurrence = ?3 AND state = 'reserved' AND worker = ?4"
                };
                ledger
                    .database
                    .execute(
                        statement,
                        &[
                            (&send.campaign).into(),
                            (&send.key).into(),
                            (&send.occurrence).into(),
                            ledger.worker().into(),
                        ],
                    )
                    .map_err(|e| ledger.fail(e))?;
            }
            Ok(())
        })
    }
}
