//! Stage 7, run: turning a planned recipient into a message. So far: the render context of one
//! recipient and the rendered subject, preheader, text and HTML ([`render_message`]). Building
//! MIME, delivery and the ledger come next.

mod context;
mod message;
mod unsubscribe;

pub use context::{recipient_globals, Recipient};
pub use message::{render_message, RenderedMessage, Renderer};
pub use unsubscribe::{unsubscribe_token, SECRET_VARIABLE};
