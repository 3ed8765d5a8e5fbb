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

use super::lease;
use super::tables::assign;
use super::{Interrupted, Ledger, LedgerError, Recorded, Reservation, SendKey};
use crate::model::SendState;

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
    /// by a run sharing the ledger), or a retry whose row is no longer `deferred`, is not.
    pub fn reserve(&mut self, batch: &[Reservation], now: i64) -> Result<Vec<bool>, LedgerError> {
        self.in_transaction(|ledger| {
            // The lease is checked (and renewed) in the transaction that claims the sends.
            if let Some(lease) = &ledger.lease {
                lease::confirm(&ledger.database, lease).map_err(|e| ledger.fail(e))?;
            }
            let worker = ledger.worker();
            let mut granted = Vec::with_capacity(batch.len());
            for r in batch {
                let statement = if r.retry {
                    "UPDATE sends SET state = 'reserved', variant = ?4, message_id = ?5, updated_at = ?6, worker = ?7
                     WHERE campaign = ?1 AND profile_key = ?2 AND occurrence = ?3 AND state = 'deferred'"
                } else {
                    "INSERT INTO sends (campaign, profile_key, occurrence, state, variant, message_id, at, updated_at, worker)
                     VALUES (?1, ?2, ?3, 'reserved', ?4, ?5, ?6, ?6, ?7) ON CONFLICT DO NOTHING"
                };
                let changed = ledger
                    .database
                    .execute(
                        statement,
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
                if changed == 1 {
                    // A profile's arm, and the moment its outcomes start to count.
                    assign(&ledger.database, &r.send.campaign, &r.send.key, &r.variant, now).map_err(|e| ledger.fail(e))?;
                }
                granted.push(changed == 1);
            }
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
            for o in outcomes {
                let changed = ledger
                    .database
                    .execute(
                        "INSERT INTO sends (campaign, profile_key, occurrence, state, variant, message_id, at, updated_at, attempts, reply, worker)
                         VALUES (?1, ?2, ?3, ?4, ?8, ?9, ?7, ?7, ?5, ?6, '')
                         ON CONFLICT (campaign, profile_key, occurrence) DO UPDATE SET
                           state = excluded.state, attempts = sends.attempts + excluded.attempts,
                           reply = excluded.reply, updated_at = excluded.updated_at, worker = '',
                           at = CASE WHEN excluded.state = 'sent' THEN excluded.updated_at ELSE sends.at END
                         WHERE sends.worker = ?10",
                        &[
                            (&o.send.campaign).into(),
                            (&o.send.key).into(),
                            (&o.send.occurrence).into(),
                            o.state.name().into(),
                            i64::from(o.attempts).into(),
                            (&o.reply).into(),
                            now.into(),
                            (&o.variant).into(),
                            (&o.message_id).into(),
                            worker.into(),
                        ],
                    )
                    .map_err(|e| ledger.fail(e))?;
                if changed == 0 {
                    fenced += 1;
                }
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
