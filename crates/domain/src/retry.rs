//! The retry schedule of durable jobs: how long a job waits after a transient failure.

use jiff::SignedDuration;

/// The first retry waits this long (before jitter)…
const FIRST_DELAY_SECS: f64 = 30.0;
/// …doubling per attempt, never more than this.
const MAX_DELAY_SECS: f64 = 3600.0;

/// The delay after attempt `attempts` (1-based) failed: 30 s doubling per attempt, capped at
/// one hour, times a jitter factor in [0.8, 1.2) taken from `jitter` in [0, 1), so many jobs
/// failing together (a provider outage) do not all come back at the same instant.
pub fn backoff(attempts: i32, jitter: f64) -> SignedDuration {
    let exponent = attempts.clamp(1, 30) - 1;
    let secs = (FIRST_DELAY_SECS * 2f64.powi(exponent)).min(MAX_DELAY_SECS);
    let factor = 0.8 + 0.4 * jitter.clamp(0.0, 1.0);
    SignedDuration::from_secs_f64(secs * factor)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_delay_doubles_from_thirty_seconds_up_to_an_hour() {
        assert_eq!(backoff(1, 0.5), SignedDuration::from_secs(30));
        assert_eq!(backoff(2, 0.5), SignedDuration::from_secs(60));
        assert_eq!(backoff(4, 0.5), SignedDuration::from_secs(240));
        assert_eq!(backoff(8, 0.5), SignedDuration::from_secs(3600));
        assert_eq!(backoff(30, 0.5), SignedDuration::from_secs(3600));
    }

    #[test]
    fn jitter_spreads_the_delay_by_at_most_a_fifth_either_way() {
        assert!(backoff(1, 0.0) >= SignedDuration::from_secs(24));
        assert!(backoff(1, 0.999) < SignedDuration::from_secs(36));
        assert_eq!(
            backoff(1, -3.0),
            backoff(1, 0.0),
            "out-of-range jitter is clamped"
        );
    }

    #[test]
    fn attempts_below_one_count_as_the_first() {
        assert_eq!(backoff(0, 0.5), backoff(1, 0.5));
        assert_eq!(backoff(-7, 0.5), backoff(1, 0.5));
    }
}
