//! `/pay/<token>` with the simulator: redirects, open counts, checkout, the per-payment cut.

use super::support::*;
use djcalls_app::Clock;
use djcalls_app::payments::PaymentLinks;
use djcalls_app::records::DbTime;
use djcalls_domain::{Actor, Cents};
use djcalls_testkit::TestApp;
use serde_json::{Value, json};

djcalls_testkit::on_both_backends! { TestApp:
    a_link_redirects_to_the_simulator_and_counts_opens => link_redirects_and_counts;
    the_simulated_checkout_pays_through_the_webhook_path => simulated_flow;
    the_cut_is_rounded_half_up_per_payment => rounding_table;
}

/// Opens the link, follows it to the simulated checkout and pays `amount` there.
async fn pay_simulated(t: &TestApp, b: &Booking, amount: &str) -> String {
    let (status, headers, _) = get(&t.url(&format!("/pay/{}", b.token))).await;
    assert_eq!(status, 303);
    let checkout = location(&headers);
    let (path, query) = checkout.split_once('?').unwrap();
    let response = client()
        .post(path)
        .form(&[
            ("link", query.strip_prefix("link=").unwrap()),
            ("amount", amount),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let page = response.text().await.unwrap();
    assert!(page.contains("Payment received"), "{page}");
    page
}

async fn link_redirects_and_counts(t: TestApp) {
    let b = booking(&t, &t.base_url, "DJ Nova").await;

    let (status, headers, _) = get(&t.url(&format!("/pay/{}", b.token))).await;
    assert_eq!(status, 303);
    let first = location(&headers);
    assert!(
        first.starts_with(&format!("{}/pay/simulated/sim_", t.base_url)),
        "{first}"
    );
    assert!(first.ends_with(&format!("?link={}", b.token)), "{first}");
    assert!(!first.contains(CALLER_DIGITS));
    assert_eq!(headers["cache-control"], "no-store");
    assert_eq!(opens(&t, &b.token).await, 1);

    // The simulator got our reference, the DJ's name, our return pages, and nothing personal.
    let session_id = first.rsplit('/').next().unwrap().split('?').next().unwrap();
    let request = t.payments.lookup(session_id).unwrap();
    assert_eq!(request.reference, b.reference);
    assert_eq!(request.dj_profile_id, b.dj);
    assert_eq!(request.description, "Booking deposit for DJ Nova");
    assert_eq!(
        request.success_url,
        t.url(&format!("/pay/{}/done", b.token))
    );
    assert!(!format!("{request:?}").contains(CALLER_DIGITS));

    // Opened again within the hour: counted, same session. An hour later: a fresh session.
    let (_, headers, _) = get(&t.url(&format!("/pay/{}", b.token))).await;
    assert_eq!(location(&headers), first);
    assert_eq!(opens(&t, &b.token).await, 2);
    t.clock
        .set(t.clock.now() + jiff::SignedDuration::from_hours(2));
    let (status, headers, _) = get(&t.url(&format!("/pay/{}", b.token))).await;
    assert_eq!(status, 303);
    assert_ne!(location(&headers), first);
    assert_eq!(opens(&t, &b.token).await, 3);

    // The simulated page shows a form and pays nothing on GET.
    let (status, headers, page) = get(&first).await;
    assert_eq!(status, 200);
    assert!(
        headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    assert!(page.contains("method=\"post\"") && page.contains("name=\"amount\""));
    assert!(page.contains("value=\"100.00\"") && page.contains(">Pay<"));
    assert!(page.contains("Booking deposit for DJ Nova"));
    assert!(!money(&t, b.call).await.0);

    // The return pages.
    let (status, _, page) = get(&t.url(&format!("/pay/{}/done", b.token))).await;
    assert_eq!(status, 200);
    assert!(page.contains("Thank you"));
    let (status, _, page) = get(&t.url(&format!("/pay/{}/cancelled", b.token))).await;
    assert_eq!(status, 200);
    assert!(page.contains(&format!("href=\"/pay/{}\"", b.token)));

    // Unknown, malformed and revoked tokens: a friendly 404 page, nothing counted.
    for token in ["nope", "t0000000000000000000000000000000", "bad%20token"] {
        let (status, headers, page) = get(&t.url(&format!("/pay/{token}"))).await;
        assert_eq!(status, 404, "{token}");
        assert!(
            headers["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/html")
        );
        assert!(page.contains("not valid"), "{page}");
        assert!(
            !page.contains("internal") && !page.contains("sqlx"),
            "{page}"
        );
    }
    assert!(
        t.db.store
            .revoke_payment_link(&Actor::System, b.call, DbTime(t.clock.now()))
            .await
            .unwrap()
    );
    let (status, _, page) = get(&t.url(&format!("/pay/{}", b.token))).await;
    assert_eq!(status, 404);
    assert!(page.contains("not valid"));
    assert_eq!(opens(&t, &b.token).await, 3);
    // A revoked link's simulated checkout is gone too.
    let (status, _, _) = get(&first).await;
    assert_eq!(status, 404);
}

async fn simulated_flow(t: TestApp) {
    let b = booking(&t, &t.base_url, "DJ Pay").await;
    assert_eq!(money(&t, b.call).await, (false, Value::Null, 0, false));

    let page = pay_simulated(&t, &b, "150.00").await;
    assert!(page.contains("$150.00"));
    assert_eq!(money(&t, b.call).await, (true, json!(150.0), 15_000, true));
    assert_eq!(revenue(&t, b.dj).await, (15_000, 2_250, 12_750));

    // Paying the same session again (a double submit) records once.
    pay_simulated(&t, &b, "150.00").await;
    assert_eq!(revenue(&t, b.dj).await, (15_000, 2_250, 12_750));

    // A bad amount shows the form again with a message; nothing is paid.
    let (_, headers, _) = get(&t.url(&format!("/pay/{}", b.token))).await;
    let checkout = location(&headers);
    let (path, _) = checkout.split_once('?').unwrap();
    for bad in ["", "0", "-5", "abc", "1.234"] {
        let response = client()
            .post(path)
            .form(&[("link", b.token.as_str()), ("amount", bad)])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 400, "{bad}");
        assert!(response.text().await.unwrap().contains("Enter an amount"));
    }
    // A session id that does not exist, or a link that is not this one: 404.
    let response = client()
        .post(t.url("/pay/simulated/sim_00000000000000000000000000000000"))
        .form(&[("link", "tnope"), ("amount", "10")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 404);
    assert_eq!(revenue(&t, b.dj).await, (15_000, 2_250, 12_750));

    // The call's analytics counters follow.
    let response = client()
        .get(t.url(&format!(
            "/api/djdash/calls/analytics?dj_profile_id={}&{RANGE}",
            b.dj
        )))
        .bearer_auth(t.service_key())
        .send()
        .await
        .unwrap();
    let a = response.json::<Value>().await.unwrap()["analytics"].clone();
    assert_eq!(a["bookedCalls"], 1);
    assert_eq!(a["tipjarPaymentsReceived"], 1);
}

async fn rounding_table(t: TestApp) {
    for (amount, total, cut) in [
        ("150.00", 15_000, 2_250),
        ("99.90", 9_990, 1_499),
        ("0.05", 5, 1),
    ] {
        let b = booking(&t, &t.base_url, "DJ Round").await;
        pay_simulated(&t, &b, amount).await;
        assert_eq!(
            revenue(&t, b.dj).await,
            (total, cut, total - cut),
            "{amount}"
        );
    }
    // Many payments to one DJ: the cut is per payment, and cut + share = total exactly.
    let b = booking(&t, &t.base_url, "DJ Many").await;
    let mut expected = (0, 0);
    for (i, cents) in [1_i64, 3, 7, 33, 99, 101, 1_234, 9_999, 10_001, 123_457]
        .into_iter()
        .enumerate()
    {
        let session = t
            .payments
            .create_session(&session_request(&b, &format!("many-{i}")))
            .await
            .unwrap();
        let session_id = session.rsplit('/').next().unwrap();
        let hook = t
            .payments
            .payment_succeeded_webhook(session_id, Cents(cents), now(&t))
            .unwrap();
        assert_eq!(
            post_tipjar(&t, Some(&hook.header_value), &hook.body).await,
            200
        );
        expected.0 += cents;
        expected.1 += (cents * 15 * 2 + 100) / 200;
    }
    assert_eq!(
        revenue(&t, b.dj).await,
        (expected.0, expected.1, expected.0 - expected.1)
    );
}
