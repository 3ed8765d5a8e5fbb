//! Stage 7, run: turning a planned recipient into a message. So far: the render context of one
//! recipient, the rendered subject, preheader, text and HTML ([`render_message`]) as a MIME
//! message, every due message of a plan ([`render_all`]), and running `kind: test` documents
//! ([`run_test`]). Delivery and the ledger come next.

mod context;
mod message;
mod mime;
mod recommend;
mod render_all;
mod test_case;
mod unsubscribe;

pub use context::{recipient_globals, Recipient};
pub use message::{prepared, render_message, RenderedMessage, Renderer};
pub use mime::{build_message, message_hash, quoted_printable, Envelope};
pub use recommend::recommendations;
pub use render_all::{render_all, sample_subjects, PlanInputs, RenderAllReport, RenderFailure};
pub use test_case::{run_test, TestOutcome, TEST_SECRET};
pub use unsubscribe::{unsubscribe_token, SECRET_VARIABLE};
