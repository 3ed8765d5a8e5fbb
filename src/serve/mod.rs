//! Stage 12, serve: the long-running service — the inbound half of the loop. It takes events
//! over HTTP in the Segment Tracking API's shape, checks each against the tracking plan
//! (quarantining, never dropping, what does not fit), appends it durably to the event log
//! before acknowledging it, fires event triggers as they fall due through the same delivery
//! code as `tailor run`, and takes one-click unsubscribes, bounces and complaints onto the
//! suppression list.

mod arrival;
mod feedback;
mod ingestion;
mod intake;
mod journal;
mod metrics;
mod scheduler;
mod segment_call;
mod state;
mod tracking;
mod tracking_plan;
mod unsubscribe;

use std::sync::Arc;

use axum::routing::{get, post};
use axum::Router;

pub use arrival::Arrival;
pub use feedback::{feedback_in_report, Feedback};
pub use intake::{Intake, Sorted};
pub use journal::{Appended, Journal, JournalError, LogFile, LogLine};
pub use metrics::{bump, Metrics};
pub use scheduler::{schedule, trigger_rules, Deadline, Deliverer, Rule, CONDITION_RECHECK};
pub use segment_call::{SegmentCall, MAX_BATCH_BYTES, MAX_CALL_BYTES};
pub use state::ServeState;
pub use tracking::{is_privacy_proxy, MACHINE_OPEN_SECONDS};
pub use tracking_plan::{tracking_plan_document, PlanError, TrackingPlan};

/// The service's routes.
pub fn router(state: Arc<ServeState>) -> Router {
    let metrics = Arc::clone(&state.metrics);
    Router::new()
        .route("/v1/track", post(ingestion::track))
        .route("/v1/identify", post(ingestion::identify))
        .route("/v1/page", post(ingestion::page))
        .route("/v1/batch", post(ingestion::batch))
        .route("/v1/import", post(ingestion::batch))
        .route("/v1/feedback", post(feedback::feedback))
        .route("/u", get(unsubscribe::confirm).post(unsubscribe::unsubscribe))
        .route("/c/{payload}/{signature}", get(tracking::click))
        .route("/o/{payload}/{signature}", get(tracking::open))
        .route("/healthz", get(|| async { "ok\n" }))
        .route("/metrics", get(move || async move { metrics.render() }))
        .with_state(state)
}
