use super::*;

#[test]
fn ratios_round_half_up_and_are_null_over_zero() {
    assert_eq!(ratio_half_up(5, 2), Some(3));
    assert_eq!(ratio_half_up(4, 3), Some(1));
    assert_eq!(ratio_half_up(-5, 2), Some(-2));
    assert_eq!(ratio_half_up(7, 0), None);
    assert_eq!(ratio_2dp(1, 3), Some(0.33));
    assert_eq!(ratio_2dp(2, 3), Some(0.67));
    assert_eq!(ratio_2dp(1, 0), None);
}

fn key(source: &str) -> SourceKey {
    SourceKey {
        source: Some(source.to_string()),
        ..SourceKey::default()
    }
}

#[test]
fn spend_gives_costs_and_roas_and_a_row_even_without_calls() {
    let figures = vec![SourceFigures {
        key: key("google"),
        calls: 3,
        answered: 2,
        booked: 0,
        paid: 1,
        revenue_cents: 10_001,
    }];
    let spend = BTreeMap::from([(key("google"), 2_000), (key("facebook"), 500)]);
    let rows = source_rows(figures, &spend);
    assert_eq!(rows.len(), 2);
    let google = &rows[0];
    assert_eq!(google.revenue_per_call_cents, Some(3_334));
    assert_eq!(google.cost_per_call_cents, Some(667));
    assert_eq!(google.cost_per_booking_cents, None);
    assert_eq!(google.roas, Some(5.0));
    let facebook = &rows[1];
    assert_eq!((facebook.calls, facebook.spend_cents), (0, Some(500)));
    assert_eq!(facebook.revenue_per_call_cents, None);
    assert_eq!(facebook.roas, Some(0.0));
}

#[test]
fn rows_without_spend_have_no_cost_figures() {
    let rows = source_rows(
        vec![SourceFigures {
            key: key("direct"),
            calls: 1,
            ..SourceFigures::default()
        }],
        &BTreeMap::new(),
    );
    assert_eq!(rows[0].spend_cents, None);
    assert_eq!(rows[0].cost_per_call_cents, None);
    assert_eq!(rows[0].roas, None);
    assert_eq!(rows[0].revenue_per_call_cents, Some(0));
}
