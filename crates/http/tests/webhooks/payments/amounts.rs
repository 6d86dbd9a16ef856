//! SPEC §11 money bounds: only 1 cent to $1,000,000.00 is a payment; anything else is refused
//! (400) with nothing recorded, and analytics keep answering.

use super::support::*;
use djcalls_testkit::TestApp;

djcalls_testkit::on_both_backends! { TestApp:
    amounts_outside_the_bounds_are_refused_and_analytics_keep_working => amounts_outside_bounds;
}

async fn amounts_outside_bounds(t: TestApp) {
    let b = booking(&t, &t.base_url, "DJ Bounds").await;
    // The review's case: i64::MAX made every later analytics read overflow (500).
    for (i, bad) in [i64::MAX, 0, -5, 100_000_001].into_iter().enumerate() {
        let status = tipjar_event(
            &t,
            &format!("evt_bad_{i}"),
            "payment.succeeded",
            &format!("pay_bad_{i}"),
            bad,
            "usd",
            &b.reference,
        )
        .await;
        assert_eq!(status, 400, "{bad}");
    }
    assert_eq!(revenue(&t, b.dj).await, (0, 0, 0));
    let (received, _, cents, booked) = money(&t, b.call).await;
    assert_eq!((received, cents, booked), (false, 0, false));

    // A refund of an impossible size is refused too.
    let status = tipjar_event(
        &t,
        "evt_huge_refund",
        "payment.refunded",
        "pay_ok",
        i64::MAX,
        "usd",
        &b.reference,
    )
    .await;
    assert_eq!(status, 400);

    // A second, ordinary payment on the same call records, and the figures add up.
    let status = tipjar_event(
        &t,
        "evt_ok",
        "payment.succeeded",
        "pay_ok",
        100_000_000,
        "usd",
        &b.reference,
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(
        revenue(&t, b.dj).await,
        (100_000_000, 15_000_000, 85_000_000)
    );
}
