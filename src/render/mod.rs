//! Stage 8, render: one recipient's complete message, without sending it. The template context
//! ([`recipient_globals`], with recommendations from the catalog), the subject, preheader, HTML
//! (auto-escaped, CSS inlined, MJML compiled) and text parts ([`render_message`]), headers made
//! safe from data and the MIME message ([`build_message`]); rendering every due message of a
//! plan ([`render_all`]) and running `kind: test` documents against golden files ([`run_test`]).

mod context;
mod golden;
mod header;
mod html_tags;
mod masked;
mod message;
mod mime;
mod mjml;
mod parallel;
mod recommend;
mod render_all;
mod template_css;
mod test_case;
mod text_part;
mod tracking;
mod unsubscribe;

pub use context::{recipient_globals, Recipient};
pub use golden::{is_exact_golden, readable_message};
pub(crate) use message::envelope;
pub use message::{render_message, RenderedMessage, Renderer};
pub use mime::{build_message, message_hash, message_id, quoted_printable, Envelope};
pub use mjml::compile_mjml;
pub(crate) use parallel::{map_on_every_core, RENDERS_PER_THREAD};
pub use recommend::{products_by_key, recipient_text, recommendations, Narrowing};
pub use render_all::{render_all, sample_subjects, PlanInputs, RenderAllReport, RenderFailure};
pub use template_css::css_inliner;
pub use test_case::{run_test, TestOutcome, TEST_SECRET};
pub use tracking::{track_html, tracking_url, verify_tracking, TrackingKind, TrackingPayload};
pub use unsubscribe::{
    checked_secret, constant_time_eq, unsubscribe_token, SecretProblem, MIN_SECRET_BYTES, SECRET_VARIABLE,
};
