//! Stage 7, run: turning planned sends into delivered messages. A recipient's render context
//! and message ([`render_message`], MIME in [`build_message`]); rendering every due message
//! without sending ([`render_all`]); `kind: test` documents ([`run_test`]); and the run itself
//! ([`execute`]): the ledger that reserves each send before it leaves ([`Ledger`]), the
//! suppression list, the lease that keeps runs apart ([`Ledger::take_lease`]), the transports (outbox,
//! SMTP) and the sending threads with their pacing and retries.

mod context;
mod dkim;
mod execute;
mod header;
mod html_tags;
mod lease;
mod ledger;
mod masked;
mod message;
mod mime;
mod mjml;
mod pacing;
mod parallel;
mod proof;
mod recommend;
mod refusal;
mod render_all;
mod senders;
mod summary;
mod suppression;
mod template_css;
mod test_case;
mod text_part;
pub mod transport;
mod unsubscribe;

pub use context::{recipient_globals, Recipient};
pub use dkim::DkimSigner;
pub use execute::{execute, Destination, RunSettings};
pub use lease::{Holder, LeaseError, STALE_AFTER_SECONDS};
pub use ledger::{Interrupted, Ledger, LedgerError, Recorded, Reservation, SendKey};
pub use message::{prepared, render_message, RenderedMessage, Renderer};
pub use mime::{build_message, message_hash, message_id, quoted_printable, Envelope};
pub use mjml::compile_mjml;
pub use proof::proof;
pub use recommend::recommendations;
pub use render_all::{render_all, sample_subjects, PlanInputs, RenderAllReport, RenderFailure};
pub use summary::{CampaignSummary, RunSummary, SendNote};
pub use suppression::Suppression;
pub use template_css::css_inliner;
pub use test_case::{run_test, TestOutcome, TEST_SECRET};
pub use unsubscribe::{checked_secret, unsubscribe_token, SecretProblem, MIN_SECRET_BYTES, SECRET_VARIABLE};
