//! The statistics of an A/B test (SPEC §13): each variant's conversion rate (paid ÷ sent) with a
//! 95 % confidence interval, and whether one variant beats the others.
//!
//! - **Interval: the Wilson score interval** (Wilson 1927; "method 3" of Newcombe 1998). The
//!   textbook Wald interval p ± z·√(p(1−p)/n) collapses to a width of zero at 0 or n successes
//!   and undercovers for the small counts and low rates follow-up texts have; Wilson's stays
//!   inside [0, 1] and keeps close to its nominal 95 % (Agresti & Coull 1998; Brown, Cai &
//!   DasGupta 2001).
//! - **Test: the two-proportion z-test with a pooled proportion**, two-sided — the same test as
//!   R's `prop.test(x, n, correct = FALSE)` (its X-squared is z²).
//! - **Winner:** the variant with the highest rate, only if its test against *every* other
//!   variant gives p < 0.05 (for two variants, exactly the one test). Requiring all of them is
//!   an intersection–union test: the claim "this one is better than each of the others" is
//!   rejected unless each comparison is, so its error rate stays at 5 % without a correction
//!   for multiple comparisons; the largest of the p-values is the one reported. A tie for the
//!   highest rate, a variant with nothing sent, or no conversions at all (or only conversions)
//!   leave no winner.
//!
//! The normal distribution's tail comes from `libm::erfc` (a port of musl's, accurate to about
//! one unit in the last place) rather than the `statrs` crate, which would bring a linear
//! algebra library for one function.

/// The two-sided 95 % quantile of the standard normal distribution, z₀.₉₇₅.
pub const Z_95: f64 = 1.959_963_984_540_054;

/// A winner needs a p-value below this.
pub const ALPHA: f64 = 0.05;

/// The standard normal distribution's cumulative distribution function Φ(x).
pub fn normal_cdf(x: f64) -> f64 {
    0.5 * libm::erfc(-x / std::f64::consts::SQRT_2)
}

/// The Wilson score interval of `successes` out of `trials` as proportions in [0, 1]; `None`
/// without trials.
pub fn wilson_interval(successes: u64, trials: u64, z: f64) -> Option<(f64, f64)> {
    if trials == 0 || successes > trials {
        return None;
    }
    let n = trials as f64;
    let p = successes as f64 / n;
    let z2 = z * z;
    let denominator = 1.0 + z2 / n;
    let centre = (p + z2 / (2.0 * n)) / denominator;
    let half = z / denominator * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt();
    // At 0 or n successes the bound is exactly 0 or 1; rounding would leave 1e-16 off it.
    let low = if successes == 0 {
        0.0
    } else {
        (centre - half).max(0.0)
    };
    let high = if successes == trials {
        1.0
    } else {
        (centre + half).min(1.0)
    };
    Some((low, high))
}

/// A two-proportion z-test's outcome.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ZTest {
    /// (p₁ − p₂) ÷ its standard error under the pooled proportion.
    pub z: f64,
    /// Two-sided.
    pub p_value: f64,
}

/// The pooled two-proportion z-test of x₁/n₁ against x₂/n₂. `None` when a group is empty or the
/// pooled proportion is 0 or 1 (no variance: nothing to test).
pub fn two_proportion_z_test(x1: u64, n1: u64, x2: u64, n2: u64) -> Option<ZTest> {
    if n1 == 0 || n2 == 0 || x1 > n1 || x2 > n2 {
        return None;
    }
    let (x1, n1, x2, n2) = (x1 as f64, n1 as f64, x2 as f64, n2 as f64);
    let pooled = (x1 + x2) / (n1 + n2);
    let variance = pooled * (1.0 - pooled) * (1.0 / n1 + 1.0 / n2);
    if variance <= 0.0 {
        return None;
    }
    let z = (x1 / n1 - x2 / n2) / variance.sqrt();
    Some(ZTest {
        z,
        p_value: libm::erfc(z.abs() / std::f64::consts::SQRT_2),
    })
}

/// What one variant converted: texts sent, and of those, calls that paid.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Conversions {
    pub sent: u64,
    pub paid: u64,
}

/// A conversion rate in percent with its 95 % Wilson interval, each rounded to 2 decimals.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Rate {
    pub percent: f64,
    pub low: f64,
    pub high: f64,
}

/// Rounds to 2 decimals.
pub fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

/// paid ÷ sent × 100 with its interval; `None` before anything was sent.
pub fn conversion_rate(c: Conversions) -> Option<Rate> {
    let (low, high) = wilson_interval(c.paid, c.sent, Z_95)?;
    Some(Rate {
        percent: round2(c.paid as f64 / c.sent as f64 * 100.0),
        low: round2(low * 100.0),
        high: round2(high * 100.0),
    })
}

/// The experiment's test: the leading variant, the largest p-value of its comparisons, and the
/// winner (the leader, when that p-value is below [`ALPHA`]).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Verdict {
    pub leader: Option<usize>,
    pub p_value: Option<f64>,
    pub winner: Option<usize>,
}

/// The verdict over variants' conversions (module docs).
pub fn verdict(variants: &[Conversions]) -> Verdict {
    let none = Verdict {
        leader: None,
        p_value: None,
        winner: None,
    };
    if variants.len() < 2 || variants.iter().any(|v| v.sent == 0) {
        return none;
    }
    let rate = |v: &Conversions| v.paid as f64 / v.sent as f64;
    let best = (0..variants.len())
        .max_by(|&a, &b| rate(&variants[a]).total_cmp(&rate(&variants[b])))
        .unwrap_or(0);
    let leader = &variants[best];
    let mut worst_p: f64 = 0.0;
    for (i, other) in variants.iter().enumerate() {
        if i == best {
            continue;
        }
        // A tie for the top is no lead (and `max_by` chose one of them arbitrarily).
        if rate(other) >= rate(leader) {
            return none;
        }
        match two_proportion_z_test(leader.paid, leader.sent, other.paid, other.sent) {
            Some(t) => worst_p = worst_p.max(t.p_value),
            None => return none,
        }
    }
    Verdict {
        leader: Some(best),
        p_value: Some(worst_p),
        winner: (worst_p < ALPHA).then_some(best),
    }
}

#[cfg(test)]
#[path = "experiment_stats_tests.rs"]
mod tests;
