//! A small in-memory limiter for sign-in attempts, per email and per client.
//!
//! Failed attempts are counted in a sliding window ([`WINDOW`]): at most
//! [`MAX_FAILURES_PER_EMAIL`] for one email (guessing one account's password) and
//! [`MAX_FAILURES_PER_CLIENT`] from one client (trying many accounts). Beyond that every
//! attempt gets 429 until the oldest failure leaves the window. A success clears the email's
//! count. State is per process (a restart forgets it; several replicas each allow the limit),
//! which is enough for a brute-force brake in front of argon2. The client is the peer address
//! when the server runs with connect info, else the first `X-Forwarded-For` hop (set by the
//! proxy in front); with neither, only the per-email limit applies.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::{Duration, Instant};

pub const WINDOW: Duration = Duration::from_secs(15 * 60);
pub const MAX_FAILURES_PER_EMAIL: usize = 5;
pub const MAX_FAILURES_PER_CLIENT: usize = 20;
/// Keys kept at most; beyond it, idle keys are dropped first.
const MAX_KEYS: usize = 10_000;

#[derive(Default)]
pub struct LoginLimiter {
    failures: Mutex<HashMap<String, VecDeque<Instant>>>,
}

impl LoginLimiter {
    /// `Some(retry after)` when `email` or `client` has used up its attempts.
    pub fn check(&self, email: &str, client: Option<&str>) -> Option<Duration> {
        let now = Instant::now();
        let mut map = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        let mut wait = None;
        for (key, max) in keys(email, client) {
            if let Some(times) = map.get_mut(&key) {
                prune(times, now);
                if times.len() >= max
                    && let Some(oldest) = times.front()
                {
                    let left = WINDOW.saturating_sub(now.duration_since(*oldest));
                    wait = Some(wait.map_or(left, |w: Duration| w.max(left)));
                }
            }
        }
        wait
    }

    pub fn failed(&self, email: &str, client: Option<&str>) {
        let now = Instant::now();
        let mut map = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        if map.len() >= MAX_KEYS {
            map.retain(|_, times| {
                prune(times, now);
                !times.is_empty()
            });
        }
        for (key, _) in keys(email, client) {
            map.entry(key).or_default().push_back(now);
        }
    }

    pub fn succeeded(&self, email: &str) {
        let mut map = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        map.remove(&email_key(email));
    }
}

fn email_key(email: &str) -> String {
    format!("email:{}", email.trim().to_lowercase())
}

fn keys(email: &str, client: Option<&str>) -> Vec<(String, usize)> {
    let mut keys = vec![(email_key(email), MAX_FAILURES_PER_EMAIL)];
    if let Some(client) = client {
        keys.push((format!("client:{client}"), MAX_FAILURES_PER_CLIENT));
    }
    keys
}

fn prune(times: &mut VecDeque<Instant>, now: Instant) {
    while times
        .front()
        .is_some_and(|t| now.duration_since(*t) >= WINDOW)
    {
        times.pop_front();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_per_email_and_per_client() {
        let l = LoginLimiter::default();
        for _ in 0..MAX_FAILURES_PER_EMAIL {
            assert!(l.check("a@x.test", None).is_none());
            l.failed("A@x.test", None);
        }
        assert!(l.check("a@x.test", None).is_some());
        assert!(l.check("b@x.test", None).is_none());
        l.succeeded("a@x.test");
        assert!(l.check("a@x.test", None).is_none());
        for i in 0..MAX_FAILURES_PER_CLIENT {
            l.failed(&format!("u{i}@x.test"), Some("10.0.0.1"));
        }
        assert!(l.check("new@x.test", Some("10.0.0.1")).is_some());
        assert!(l.check("new@x.test", Some("10.0.0.2")).is_none());
    }
}
