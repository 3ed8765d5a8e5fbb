//! Pacing sends: a shared rate limit (`rate_per_second`) and the exponential backoff with
//! jitter between attempts of a temporarily failing message.

use std::sync::Mutex;
use std::time::{Duration, Instant};

/// First wait before a retry; each further retry waits twice as long, up to [`MAX_BACKOFF`].
pub const FIRST_BACKOFF: Duration = Duration::from_millis(200);
/// The longest wait between attempts.
pub const MAX_BACKOFF: Duration = Duration::from_secs(10);

/// At most `rate` sends per second across all threads: each send takes the next free slot.
#[derive(Debug)]
pub struct RateLimiter {
    interval: Option<Duration>,
    next: Mutex<Instant>,
}

impl RateLimiter {
    /// A limit of `rate_per_second` (0 or less: no limit).
    pub fn new(rate_per_second: f64) -> RateLimiter {
        let interval = (rate_per_second > 0.0).then(|| Duration::from_secs_f64(1.0 / rate_per_second));
        RateLimiter {
            interval,
            next: Mutex::new(Instant::now()),
        }
    }

    /// Waits for this thread's slot.
    pub fn wait(&self) {
        let Some(interval) = self.interval else {
            return;
        };
        let slot = {
            let mut next = match self.next.lock() {
                Ok(next) => next,
                Err(poisoned) => poisoned.into_inner(),
            };
            let slot = (*next).max(Instant::now());
            *next = slot + interval;
            slot
        };
        let now = Instant::now();
        if slot > now {
            std::thread::sleep(slot - now);
        }
    }
}

/// The wait before attempt `attempt + 1` of a message (attempt counts from 1): exponential,
/// capped, and jittered into its upper half by `seed` so retries of many messages spread out.
pub fn backoff(attempt: u32, seed: u64) -> Duration {
    let doubled = FIRST_BACKOFF.saturating_mul(1u32 << attempt.saturating_sub(1).min(16));
    let full = doubled.min(MAX_BACKOFF);
    // splitmix64: a well-spread fraction from the seed and the attempt.
    let mut x = seed ^ u64::from(attempt).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^= x >> 31;
    let fraction = (x >> 11) as f64 / (1u64 << 53) as f64;
    full.mul_f64(0.5 + fraction / 2.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_within_its_jitter_and_is_capped() {
        for seed in 0..50 {
            let first = backoff(1, seed);
            assert!(first >= FIRST_BACKOFF / 2 && first <= FIRST_BACKOFF, "{first:?}");
            let third = backoff(3, seed);
            assert!(third >= FIRST_BACKOFF * 2 && third <= FIRST_BACKOFF * 4, "{third:?}");
            assert!(backoff(30, seed) <= MAX_BACKOFF);
        }
        assert_ne!(backoff(1, 1), backoff(1, 2));
    }

    #[test]
    fn the_rate_limit_spaces_sends() {
        let limiter = RateLimiter::new(100.0);
        let start = Instant::now();
        for _ in 0..11 {
            limiter.wait();
        }
        // Ten intervals of 10 ms after the first send.
        assert!(start.elapsed() >= Duration::from_millis(95), "{:?}", start.elapsed());
        assert_eq!(RateLimiter::new(0.0).interval, None);
    }
}
