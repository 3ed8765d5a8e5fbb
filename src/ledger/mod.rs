//! Stage 9, ledger: the database that remembers every send and every suppressed address, a
//! SQLite file or a PostgreSQL database many senders share. A send is reserved, and the
//! reservation committed, before its message leaves ([`Ledger`]); the suppression list holds
//! addresses never mailed again ([`Suppression`]); lease rows say which runs may write
//! ([`Ledger::take_lease`]); each profile's arm of a campaign and
//! since when ([`Assigned`]), holdout members included, for the report. Writes happen only
//! through here.

mod assignments;
mod database;
mod error;
mod history;
mod lease;
mod records;
mod rollouts;
mod sends;
mod store;
mod suppression;
mod tables;

pub use assignments::{Assigned, CampaignRecord, SentMessage, HOLDOUT_ARM};
pub use error::LedgerError;
pub use lease::{Holder, LeaseError, Sharing, STALE_AFTER_SECONDS};
pub use records::{Interrupted, Recorded, Reservation, SendKey};
pub use store::Ledger;
pub use suppression::Suppression;
