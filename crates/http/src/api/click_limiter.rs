//! The widget's global click bucket: a token bucket over every client together, kept in this
//! process on purpose. It guards this process's own capacity (and the database writes each
//! click costs), so it should grow with every process added; the per-client limit, which must
//! hold across processes, lives in the database (`App::take_click`).

use std::sync::Mutex;
use std::time::{Duration, Instant};

/// A token bucket's size and refill rate.
#[derive(Clone, Copy, Debug)]
pub struct Quota {
    pub burst: u32,
    pub per_second: f64,
}

impl Quota {
    /// Every client of this process together.
    pub const GLOBAL: Quota = Quota {
        burst: 2_000,
        per_second: 200.0,
    };
}

#[derive(Clone, Copy, Debug)]
struct Bucket {
    tokens: f64,
    at: Instant,
}

impl Bucket {
    fn full(quota: Quota, now: Instant) -> Bucket {
        Bucket {
            tokens: f64::from(quota.burst),
            at: now,
        }
    }

    /// Takes a token, or says how long until one is there.
    fn take(&mut self, quota: Quota, now: Instant) -> Result<(), Duration> {
        let elapsed = now.saturating_duration_since(self.at).as_secs_f64();
        self.tokens = (self.tokens + elapsed * quota.per_second).min(f64::from(quota.burst));
        self.at = now;
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            Ok(())
        } else {
            let missing = (1.0 - self.tokens) / quota.per_second.max(f64::MIN_POSITIVE);
            Err(Duration::from_secs_f64(missing.min(3600.0)))
        }
    }
}

/// One shared token bucket.
#[derive(Debug)]
pub struct GlobalClickBucket {
    quota: Quota,
    bucket: Mutex<Bucket>,
}

impl GlobalClickBucket {
    pub fn new(quota: Quota) -> GlobalClickBucket {
        GlobalClickBucket {
            quota,
            bucket: Mutex::new(Bucket::full(quota, Instant::now())),
        }
    }

    /// Takes a token, or says how long to wait.
    pub fn take(&self) -> Result<(), Duration> {
        self.bucket
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .take(self.quota, Instant::now())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bucket_empties_and_refills() {
        let quota = Quota {
            burst: 2,
            per_second: 1.0,
        };
        let start = Instant::now();
        let mut b = Bucket::full(quota, start);
        assert!(b.take(quota, start).is_ok());
        assert!(b.take(quota, start).is_ok());
        let wait = b.take(quota, start).unwrap_err();
        assert!(wait <= Duration::from_secs(1));
        assert!(b.take(quota, start + Duration::from_millis(1100)).is_ok());
    }

    #[test]
    fn the_shared_bucket_refuses_once_empty() {
        let bucket = GlobalClickBucket::new(Quota {
            burst: 1,
            per_second: 0.001,
        });
        assert!(bucket.take().is_ok());
        assert!(bucket.take().is_err());
    }
}
