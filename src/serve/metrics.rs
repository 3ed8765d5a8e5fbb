//! What `serve` counts, shown at `GET /metrics` in the Prometheus text format: calls accepted,
//! quarantined and duplicate; deliveries passed and sent; unsubscribes and feedback; and how
//! long acknowledging a request takes (a histogram).

use std::fmt::Write as _;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// Upper bounds of the acknowledgement histogram, in seconds.
const BOUNDS: [f64; 10] = [0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0];

/// The counters.
#[derive(Debug, Default)]
pub struct Metrics {
    /// Calls written to the log.
    pub accepted: AtomicU64,
    /// Calls put in quarantine.
    pub quarantined: AtomicU64,
    /// Calls whose message id the log already held.
    pub duplicates: AtomicU64,
    /// Requests refused (bad auth, too large, malformed, busy).
    pub refused: AtomicU64,
    /// Delivery passes run.
    pub passes: AtomicU64,
    /// Messages sent by those passes.
    pub sent: AtomicU64,
    /// Event-trigger deadlines scheduled.
    pub scheduled: AtomicU64,
    /// Addresses suppressed by one-click unsubscribes.
    pub unsubscribed: AtomicU64,
    /// Addresses suppressed by bounce and complaint feedback.
    pub feedback: AtomicU64,
    /// Acknowledgement latency: a count per bucket of [`BOUNDS`], then the overflow.
    latency: [AtomicU64; BOUNDS.len() + 1],
    /// Sum of acknowledgement latencies, in microseconds.
    latency_micros: AtomicU64,
}

/// Adds `by` to `counter`.
pub fn bump(counter: &AtomicU64, by: u64) {
    counter.fetch_add(by, Ordering::Relaxed);
}

impl Metrics {
    /// Records how long a request took to be acknowledged.
    pub fn observe(&self, took: Duration) {
        let seconds = took.as_secs_f64();
        let bucket = BOUNDS.iter().position(|b| seconds <= *b).unwrap_or(BOUNDS.len());
        bump(&self.latency[bucket], 1);
        bump(&self.latency_micros, took.as_micros() as u64);
    }

    /// The Prometheus text exposition.
    pub fn render(&self) -> String {
        let mut text = String::new();
        let counters: [(&str, &str, &AtomicU64); 9] = [
            ("accepted", "calls written to the event log", &self.accepted),
            (
                "quarantined",
                "calls put in quarantine by the tracking plan",
                &self.quarantined,
            ),
            (
                "duplicates",
                "calls whose messageId the log already held",
                &self.duplicates,
            ),
            (
                "refused",
                "requests refused (auth, size, malformed, busy)",
                &self.refused,
            ),
            ("passes", "delivery passes run", &self.passes),
            ("sent", "messages sent", &self.sent),
            ("scheduled", "event-trigger deadlines scheduled", &self.scheduled),
            (
                "unsubscribed",
                "addresses suppressed by one-click unsubscribes",
                &self.unsubscribed,
            ),
            (
                "feedback",
                "addresses suppressed by bounces and complaints",
                &self.feedback,
            ),
        ];
        for (name, help, value) in counters {
            let _ = writeln!(text, "# HELP tailor_{name}_total {help}");
            let _ = writeln!(text, "# TYPE tailor_{name}_total counter");
            let _ = writeln!(text, "tailor_{name}_total {}", value.load(Ordering::Relaxed));
        }
        let name = "tailor_ack_seconds";
        let _ = writeln!(
            text,
            "# HELP {name} time from a request's arrival to its acknowledgement"
        );
        let _ = writeln!(text, "# TYPE {name} histogram");
        let mut cumulative = 0;
        for (bound, count) in BOUNDS.iter().zip(&self.latency) {
            cumulative += count.load(Ordering::Relaxed);
            let _ = writeln!(text, "{name}_bucket{{le=\"{bound}\"}} {cumulative}");
        }
        cumulative += self.latency[BOUNDS.len()].load(Ordering::Relaxed);
        let _ = writeln!(text, "{name}_bucket{{le=\"+Inf\"}} {cumulative}");
        let sum = self.latency_micros.load(Ordering::Relaxed) as f64 / 1e6;
        let _ = writeln!(text, "{name}_sum {sum}");
        let _ = writeln!(text, "{name}_count {cumulative}");
        text
    }
}
