//! Stage 10, run: executing a plan, the stage that writes. Each due send is rendered, reserved
//! in the ledger, handed to a transport (outbox or SMTP, DKIM-signed when configured) by the
//! sending threads with their pacing and retries, and recorded ([`execute`]); a permanent
//! refusal about the recipient suppresses the address. Proofs ([`proof`]) send a rendered
//! message to a reviewer. A rollout's winner is decided, once due, before the run plans
//! ([`decide_rollouts`]).

mod dkim;
mod execute;
mod guards;
mod pacing;
mod proof;
mod refusal;
mod rollout;
mod senders;
mod setup;
mod summary;
pub mod transport;

pub use dkim::DkimSigner;
pub use execute::{execute, Destination, RunSettings};
pub use guards::{data_is_fresh, newest_is_fresh, take_lease, within_max_sends};
pub use proof::proof;
pub use rollout::{decide_rollouts, Decided};
pub use setup::{dkim_signer, serving_secret, transport, unsubscribe_secret, RunOptions};
pub use summary::{CampaignSummary, RunSummary, SendNote};
