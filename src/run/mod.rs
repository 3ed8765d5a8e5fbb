//! Stage 10, run: executing a plan, the stage that writes. Each due send is rendered, reserved
//! in the ledger, handed to a transport (outbox or SMTP, DKIM-signed when configured) by the
//! sending threads with their pacing and retries, and recorded ([`execute`]); a permanent
//! refusal about the recipient suppresses the address. Proofs ([`proof`]) send a rendered
//! message to a reviewer.

mod dkim;
mod execute;
mod pacing;
mod proof;
mod refusal;
mod senders;
mod summary;
pub mod transport;

pub use dkim::DkimSigner;
pub use execute::{execute, Destination, RunSettings};
pub use proof::proof;
pub use summary::{CampaignSummary, RunSummary, SendNote};
