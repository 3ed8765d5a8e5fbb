//! Stage 7, run: turning a planned recipient into a message. So far: the render context of one
//! recipient, the rendered subject, preheader, text and HTML ([`render_message`]), and running
//! `kind: test` documents ([`run_test`]). Building MIME, delivery and the ledger come next.

mod context;
mod message;
mod mime;
mod recommend;
mod test_case;
mod unsubscribe;

pub use context::{recipient_globals, Recipient};
pub use message::{render_message, RenderedMessage, Renderer};
pub use mime::{build_message, message_hash, quoted_printable, Envelope};
pub use recommend::recommendations;
pub use test_case::{run_test, TestOutcome, TEST_SECRET};
pub use unsubscribe::{unsubscribe_token, SECRET_VARIABLE};
