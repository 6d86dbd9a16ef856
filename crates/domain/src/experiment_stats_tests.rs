use super::*;

fn close(a: f64, b: f64, tolerance: f64) -> bool {
    (a - b).abs() <= tolerance
}

fn round4(x: f64) -> f64 {
    (x * 10_000.0).round() / 10_000.0
}

/// Φ at points printed in Abramowitz & Stegun, Handbook of Mathematical Functions, table 26.1,
/// and the quantiles every table of the normal distribution gives.
#[test]
fn the_normal_cdf_matches_the_tables() {
    assert!(close(normal_cdf(0.0), 0.5, 1e-15));
    assert!(close(normal_cdf(1.0), 0.841_344_746_068_543, 1e-12));
    assert!(close(normal_cdf(2.0), 0.977_249_868_051_821, 1e-12));
    assert!(close(normal_cdf(-1.0), 0.158_655_253_931_457, 1e-12));
    assert!(close(normal_cdf(Z_95), 0.975, 1e-12));
    assert!(close(normal_cdf(-2.575_829_303_548_901), 0.005, 1e-12));
    // R: pnorm(-8) = 6.220961e-16 (the far tail, where 1 - Φ(8) would lose every digit).
    assert!(close(normal_cdf(-8.0), 6.220_960_574_271_8e-16, 1e-27));
}

/// Newcombe R. G. (1998), "Two-sided confidence intervals for the single proportion:
/// comparison of seven methods", Statistics in Medicine 17(8):857–872, Table II, method 3
/// (Wilson score interval without continuity correction), to the paper's four decimals.
#[test]
fn wilson_intervals_match_newcombe_1998() {
    let cases = [
        ((81, 263), (0.2553, 0.3662)),
        ((15, 148), (0.0624, 0.1605)),
        ((0, 20), (0.0000, 0.1611)),
        ((1, 29), (0.0061, 0.1718)),
    ];
    for ((x, n), (low, high)) in cases {
        let (l, h) = wilson_interval(x, n, Z_95).unwrap();
        assert_eq!((round4(l), round4(h)), (low, high), "{x}/{n}");
    }
}

#[test]
fn wilson_intervals_stay_inside_0_and_1_and_need_trials() {
    assert_eq!(wilson_interval(0, 0, Z_95), None);
    assert_eq!(wilson_interval(3, 2, Z_95), None);
    let (low, high) = wilson_interval(10, 10, Z_95).unwrap();
    assert!(low > 0.6 && high == 1.0, "{low} {high}");
    let (low, _) = wilson_interval(0, 10, Z_95).unwrap();
    assert_eq!(low, 0.0);
}

/// R 4.x: `prop.test(c(45, 30), c(100, 100), correct = FALSE)` prints
/// `X-squared = 4.8, df = 1, p-value = 0.02846`. By hand: pooled p = 75/200 = 0.375,
/// SE = √(0.375 · 0.625 · (1/100 + 1/100)) = √0.0046875, z = 0.15 / SE = √4.8 = 2.19089,
/// and the two-sided p = 2(1 − Φ(2.19089)) = 0.028460.
#[test]
fn the_pooled_z_test_matches_r_prop_test() {
    let t = two_proportion_z_test(45, 100, 30, 100).unwrap();
    assert!(close(t.z * t.z, 4.8, 1e-12), "{t:?}");
    assert!(close(t.z, 2.190_890_230_020_665, 1e-12), "{t:?}");
    assert!(close(t.p_value, 0.028_459_736_916, 1e-10), "{t:?}");
    // The other way round: the sign of z flips, p stays.
    let back = two_proportion_z_test(30, 100, 45, 100).unwrap();
    assert!(close(back.z, -t.z, 1e-15) && close(back.p_value, t.p_value, 1e-15));
}

/// Nothing to test: an empty group, or a pooled proportion of 0 or 1.
#[test]
fn the_z_test_needs_variance() {
    assert_eq!(two_proportion_z_test(0, 0, 1, 10), None);
    assert_eq!(two_proportion_z_test(0, 10, 0, 12), None);
    assert_eq!(two_proportion_z_test(10, 10, 12, 12), None);
    assert!(two_proportion_z_test(0, 10, 1, 12).is_some());
}

#[test]
fn conversion_rates_are_percentages_with_their_interval() {
    assert_eq!(conversion_rate(Conversions { sent: 0, paid: 0 }), None);
    let r = conversion_rate(Conversions {
        sent: 263,
        paid: 81,
    })
    .unwrap();
    assert_eq!((r.percent, r.low, r.high), (30.80, 25.53, 36.62));
    let r = conversion_rate(Conversions { sent: 3, paid: 1 }).unwrap();
    assert_eq!(r.percent, 33.33);
}

fn c(paid: u64, sent: u64) -> Conversions {
    Conversions { sent, paid }
}

#[test]
fn a_winner_needs_p_below_005() {
    // The R example: B (45/100) beats A (30/100), p = 0.0285.
    let v = verdict(&[c(30, 100), c(45, 100)]);
    assert_eq!((v.leader, v.winner), (Some(1), Some(1)));
    assert!(close(v.p_value.unwrap(), 0.028_459_736_916, 1e-10));
    // 40/100 against 30/100: z² = 2.1978, p = 0.1382 — a lead, no winner.
    let v = verdict(&[c(30, 100), c(40, 100)]);
    assert_eq!((v.leader, v.winner), (Some(1), None));
    assert!(close(v.p_value.unwrap(), 0.138_207_667, 1e-8), "{v:?}");
}

#[test]
fn with_more_variants_the_leader_must_beat_each_of_them() {
    // C beats A clearly but not B: no winner, and the p reported is against B.
    let v = verdict(&[c(30, 100), c(42, 100), c(45, 100)]);
    assert_eq!((v.leader, v.winner), (Some(2), None));
    let against_b = two_proportion_z_test(45, 100, 42, 100).unwrap().p_value;
    assert_eq!(v.p_value, Some(against_b));
    // C beats both: the winner, with the larger of its two p-values.
    let v = verdict(&[c(30, 100), c(20, 100), c(45, 100), c(10, 100)]);
    assert_eq!(v.winner, Some(2));
    assert_eq!(
        v.p_value,
        Some(two_proportion_z_test(45, 100, 30, 100).unwrap().p_value)
    );
}

#[test]
fn ties_empty_variants_and_no_conversions_have_no_winner() {
    let nothing = Verdict {
        leader: None,
        p_value: None,
        winner: None,
    };
    assert_eq!(verdict(&[c(45, 100), c(45, 100), c(1, 100)]), nothing);
    assert_eq!(verdict(&[c(45, 100), c(0, 0)]), nothing);
    assert_eq!(verdict(&[c(0, 100), c(0, 100)]), nothing);
    assert_eq!(verdict(&[c(45, 100)]), nothing);
}
