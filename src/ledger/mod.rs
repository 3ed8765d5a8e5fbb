//! Stage 9, ledger: the SQLite file that remembers every send and every suppressed address. A
//! send is reserved, and the reservation committed, before its message leaves ([`Ledger`]); the
//! suppression list holds addresses never mailed again ([`Suppression`]); a lease row keeps two
//! runs from sharing one ledger ([`Ledger::take_lease`]); each profile's arm of a campaign and
//! since when ([`Assigned`]), holdout members included, for the report. Writes happen only
//! through here.

mod assignments;
mod error;
mod lease;
mod records;
mod rollouts;
mod store;
mod suppression;
mod tables;

pub use assignments::{Assigned, CampaignRecord, SentMessage, HOLDOUT_ARM};
pub use error::LedgerError;
pub use lease::{Holder, LeaseError, STALE_AFTER_SECONDS};
pub use records::{Interrupted, Recorded, Reservation, SendKey};
pub use store::Ledger;
pub use suppression::Suppression;
