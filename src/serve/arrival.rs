//! What the scheduler is told of each accepted call.

use chrono::{DateTime, Utc};

/// An accepted call, told to the scheduler: an event's type and time, or traits (no type).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Arrival {
    /// The event type (`None` for identify traits).
    pub event_type: Option<String>,
    /// When it happened.
    pub at: DateTime<Utc>,
}
