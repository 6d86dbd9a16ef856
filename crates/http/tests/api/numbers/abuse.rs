//! Number safety (SPEC §11, issue 10): one DJ token cannot drain the pool or the purchase
//! budget (`reassign_limit`), and calls are never forwarded abroad, to special services or to
//! a number of the pool (`forbidden_destination`).

use super::support::*;
use djcalls_app::Clock;
use djcalls_app::settings::NumberPurchase;
use djcalls_domain::{DjProfileId, Role};
use djcalls_testkit::TestApp;
use reqwest::Method;
use serde_json::json;

djcalls_testkit::on_both_backends! { TestApp:
    a_dj_gets_at_most_the_limit_of_new_numbers_from_the_pool => limit_in_pool_mode;
    a_dj_buys_at_most_the_limit_of_new_numbers_on_demand => limit_in_on_demand_mode;
    calls_are_forwarded_only_to_ordinary_numbers_at_home => forbidden_destinations;
}

async fn release(base: &str, token: &str, id: DjProfileId) {
    send(
        base,
        Method::PATCH,
        "/api/djdash/virtual-numbers",
        Some(token),
        Some(json!({"dj_profile_id": id.to_string(), "is_active": false})),
    )
    .await
    .ok(200);
}

/// The report's loop: release, ask again. The first number and two new ones are granted, the
/// next is refused, alternating between two servers on one database (the count is stored).
async fn drain_loop(t: &TestApp, bases: [&str; 2], token: &str) -> Vec<String> {
    let mut numbers = Vec::new();
    for round in 0..3 {
        let base = bases[round % 2];
        numbers.push(vn(assign(base, token, dj(1), None).await.ok_ref(201)));
        release(base, token, dj(1)).await;
    }
    let refused = assign(bases[1], token, dj(1), None).await;
    refused.error(429, "reassign_limit", None);
    let retry: u64 = refused.headers["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(retry > 29 * 24 * 3600 && retry <= 30 * 24 * 3600, "{retry}");
    assign(bases[0], token, dj(1), None)
        .await
        .error(429, "reassign_limit", None);
    // Platform callers are not limited; the DJ is again once the window has passed.
    assign(bases[0], KEY, dj(1), None).await.ok(201);
    release(bases[0], KEY, dj(1)).await;
    let later = t.clock.now() + jiff::SignedDuration::from_hours(30 * 24 + 1);
    t.clock.set(later);
    numbers.push(vn(assign(bases[1], token, dj(1), None).await.ok_ref(201)));
    numbers
}

async fn limit_in_pool_mode(t: TestApp) {
    let second = TestApp::builder().serve_beside(&t).await;
    buy(&t.base_url, 5, "415").await;
    put_profile(&t.base_url, dj(1), Some("+14155552101"), false)
        .await
        .ok(201);
    let token = t.user_token("dj1@example.test", Role::Dj, &[dj(1)]).await;
    let numbers = drain_loop(&t, [&t.base_url, &second.base_url], &token).await;
    assert_eq!(numbers.len(), 4);
    // Another DJ still finds a number in the pool.
    put_profile(&t.base_url, dj(2), Some("+14155552102"), false)
        .await
        .ok(201);
    assign(&t.base_url, KEY, dj(2), None).await.ok(201);
}

async fn limit_in_on_demand_mode(t: TestApp) {
    let first = with_purchase(&t, NumberPurchase::OnDemand { max: 10 }).await;
    let second = with_purchase(&t, NumberPurchase::OnDemand { max: 10 }).await;
    put_profile(&first.base_url, dj(1), Some("+13125552101"), false)
        .await
        .ok(201);
    let token = t.user_token("dj1@example.test", Role::Dj, &[dj(1)]).await;
    drain_loop(&t, [&first.base_url, &second.base_url], &token).await;
    // Three bought for the DJ, one for the service's request; the released ones are reused
    // after their rest, so the last request bought nothing.
    assert_eq!(t.telephony.owned_numbers().len(), 4);
}

async fn forbidden_destinations(t: TestApp) {
    let base = t.base_url.as_str();
    let pool_numbers = buy(base, 3, "415").await;
    put_profile(base, dj(1), Some("+14155552101"), true)
        .await
        .ok(201);
    put_profile(base, dj(2), Some("+14155552102"), true)
        .await
        .ok(201);
    let own = vn(&get_number(base, Some(KEY), dj(1)).await);
    let others = vn(&get_number(base, Some(KEY), dj(2)).await);
    let unassigned = pool_numbers
        .iter()
        .find(|n| **n != own && **n != others)
        .unwrap()
        .clone();
    let token = t.user_token("dj1@example.test", Role::Dj, &[dj(1)]).await;
    let forbidden = [
        own.as_str(),        // a loop
        others.as_str(),     // calls injected into another account
        unassigned.as_str(), // any number of the pool
        "+19002345678",      // premium rate
        "+12129765555",      // a 976 dial-it exchange
        "+18002345678",      // toll-free
        "+442083661177",     // abroad
        "+18765550123",      // Jamaica, +1 but not US/CA
    ];
    for bad in forbidden {
        let field = Some("real_phone_number");
        put_profile(base, dj(1), Some(bad), true)
            .await
            .error(400, "forbidden_destination", field);
        for caller in [KEY, token.as_str()] {
            assign(base, caller, dj(1), Some(bad))
                .await
                .error(400, "forbidden_destination", field);
            send(
                base,
                Method::PATCH,
                "/api/djdash/virtual-numbers",
                Some(caller),
                Some(json!({"dj_profile_id": dj(1).to_string(), "real_phone_number": bad})),
            )
            .await
            .error(400, "forbidden_destination", field);
        }
    }
    // Nothing changed, and an ordinary number at home is still fine.
    let profile = send(
        base,
        Method::GET,
        &format!("/api/djdash/profiles/{}", dj(1)),
        Some(KEY),
        None,
    )
    .await;
    assert_eq!(
        profile.body["profile"]["real_phone_number"], "+14155552101",
        "{}",
        profile.text
    );
    let number = get_number(base, Some(KEY), dj(1)).await;
    assert_eq!(
        number.body["virtualNumber"]["real_phone_number"],
        "+14155552101"
    );
    assign(base, &token, dj(1), Some("+14165550123"))
        .await
        .ok(200);
}
