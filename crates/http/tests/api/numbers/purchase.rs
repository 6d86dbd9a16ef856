//! On-demand purchase and its cap, concurrent assignments and purchases, and publish-on-PUT.

use super::support::*;
use djcalls_app::settings::NumberPurchase;
use djcalls_testkit::TestApp;
use reqwest::Method;
use serde_json::json;
use std::collections::HashSet;

djcalls_testkit::on_both_backends! { TestApp:
    on_demand_purchase_respects_the_cap => on_demand_purchase_respects_the_cap;
    concurrent_assignments_never_share_a_number => concurrent_assignments_never_share_a_number;
    concurrent_assignments_for_one_dj_give_one_number => concurrent_assignments_for_one_dj_give_one_number;
    concurrent_on_demand_requests_never_buy_twice => concurrent_on_demand_requests_never_buy_twice;
    publishing_assigns_a_number => publishing_assigns_a_number;
}

async fn on_demand_purchase_respects_the_cap(t: TestApp) {
    let on_demand = with_purchase(&t, NumberPurchase::OnDemand { max: 2 }).await;
    let base = on_demand.base_url.as_str();
    for n in 1..=3 {
        put_profile(base, dj(n), Some(&format!("+1312555{:04}", 100 + n)), false)
            .await
            .ok(201);
    }
    let first = assign(base, KEY, dj(1), None).await;
    let record = first.ok(201)["virtualNumber"].clone();
    let number = record["virtual_number"].as_str().unwrap();
    assert!(number.starts_with("+1312"), "bought in the DJ's area code");
    assert_eq!(record["state"], "assigned");
    let owned = t.telephony.owned_numbers();
    assert_eq!(owned.len(), 1);
    let (bought, urls) = &owned[0];
    assert_eq!(bought.phone_number.as_str(), number);
    assert_eq!(record["twilio_phone_number_sid"], bought.sid.as_str());
    assert_eq!(urls.voice_url, format!("{base}/api/djdash/calls/incoming"));
    assert_eq!(urls.sms_url, format!("{base}/api/djdash/sms/incoming"));
    assert_eq!(
        urls.status_callback_url,
        format!("{base}/api/djdash/calls/webhook")
    );
    // Asking again buys nothing.
    assign(base, KEY, dj(1), None).await.ok(200);
    assign(base, KEY, dj(2), None).await.ok(201);
    assert_eq!(t.telephony.owned_numbers().len(), 2);
    // The cap is reached: the pool is exhausted.
    assign(base, KEY, dj(3), None)
        .await
        .error(409, "pool_exhausted", None);
    assert_eq!(t.telephony.owned_numbers().len(), 2);
    let inventory = pool(base).await;
    assert_eq!(inventory["purchase"]["mode"], "on-demand");
    assert_eq!(inventory["purchase"]["purchased"], 2);
    assert_eq!(inventory["purchase"]["max"], 2);
    // Pool numbers are still used first, and do not count toward the cap.
    buy(base, 1, "212").await;
    assign(base, KEY, dj(3), None).await.ok(201);
    // Pool-only mode never buys.
    put_profile(&t.base_url, dj(4), Some("+13125550104"), false)
        .await
        .ok(201);
    assign(&t.base_url, KEY, dj(4), None)
        .await
        .error(409, "pool_exhausted", None);
    assert_eq!(t.telephony.owned_numbers().len(), 3);
}

async fn concurrent_assignments_never_share_a_number(t: TestApp) {
    let base = t.base_url.clone();
    buy(&base, 8, "415").await;
    for n in 1..=10 {
        put_profile(&base, dj(n), Some("+14155552100"), false)
            .await
            .ok(201);
    }
    let tasks: Vec<_> = (1..=10)
        .map(|n| {
            let base = base.clone();
            tokio::spawn(async move { assign(&base, KEY, dj(n), None).await })
        })
        .collect();
    let mut numbers = HashSet::new();
    let mut exhausted = 0;
    for task in tasks {
        let reply = task.await.unwrap();
        if reply.status == 409 {
            reply.error(409, "pool_exhausted", None);
            exhausted += 1;
        } else {
            assert!(numbers.insert(vn(reply.ok_ref(201))), "one number twice");
        }
    }
    assert_eq!(numbers.len(), 8);
    assert_eq!(exhausted, 2);
}

async fn concurrent_assignments_for_one_dj_give_one_number(t: TestApp) {
    let base = t.base_url.clone();
    buy(&base, 4, "415").await;
    put_profile(&base, dj(1), Some("+14155552100"), false)
        .await
        .ok(201);
    let (a, b, c, d, e, f) = tokio::join!(
        assign(&base, KEY, dj(1), None),
        assign(&base, KEY, dj(1), None),
        assign(&base, KEY, dj(1), None),
        assign(&base, KEY, dj(1), None),
        assign(&base, KEY, dj(1), None),
        assign(&base, KEY, dj(1), None),
    );
    let replies = [a, b, c, d, e, f];
    let created = replies.iter().filter(|r| r.status == 201).count();
    assert_eq!(created, 1);
    let numbers: HashSet<String> = replies
        .iter()
        .map(|r| {
            assert!(r.status == 200 || r.status == 201, "{}", r.text);
            vn(r)
        })
        .collect();
    assert_eq!(numbers.len(), 1);
    let inventory = pool(&base).await;
    assert_eq!(inventory["counts"]["assigned"], 1);
    assert_eq!(inventory["counts"]["available"], 3);
}

async fn concurrent_on_demand_requests_never_buy_twice(t: TestApp) {
    let on_demand = with_purchase(&t, NumberPurchase::OnDemand { max: 3 }).await;
    let base = on_demand.base_url.clone();
    for n in 1..=5 {
        put_profile(&base, dj(n), Some("+14155552100"), false)
            .await
            .ok(201);
    }
    // One DJ, six requests at once: one purchase.
    let (a, b, c, d, e, f) = tokio::join!(
        assign(&base, KEY, dj(1), None),
        assign(&base, KEY, dj(1), None),
        assign(&base, KEY, dj(1), None),
        assign(&base, KEY, dj(1), None),
        assign(&base, KEY, dj(1), None),
        assign(&base, KEY, dj(1), None),
    );
    let replies = [a, b, c, d, e, f];
    assert_eq!(replies.iter().filter(|r| r.status == 201).count(), 1);
    let numbers: HashSet<String> = replies
        .iter()
        .map(|r| {
            assert!(r.status == 200 || r.status == 201, "{}", r.text);
            vn(r)
        })
        .collect();
    assert_eq!(numbers.len(), 1);
    assert_eq!(t.telephony.owned_numbers().len(), 1);
    // Four more DJs at once, two purchases left under the cap.
    let tasks: Vec<_> = (2..=5)
        .map(|n| {
            let base = base.clone();
            tokio::spawn(async move { assign(&base, KEY, dj(n), None).await })
        })
        .collect();
    let mut statuses = Vec::new();
    for task in tasks {
        let reply = task.await.unwrap();
        if reply.status == 409 {
            reply.error(409, "pool_exhausted", None);
        }
        statuses.push(reply.status);
    }
    statuses.sort_unstable();
    assert_eq!(statuses, vec![201, 201, 409, 409]);
    assert_eq!(t.telephony.owned_numbers().len(), 3);
}

async fn publishing_assigns_a_number(t: TestApp) {
    let base = t.base_url.as_str();
    // An empty pool does not fail the PUT.
    put_profile(base, dj(1), Some("+14155552101"), true)
        .await
        .ok(201);
    get_number(base, Some(KEY), dj(1))
        .await
        .error(404, "no_virtual_number", None);
    let stocked = buy(base, 2, "415").await;
    // Publishing again assigns it.
    let reply = put_profile(base, dj(1), Some("+14155552101"), true).await;
    reply.ok(200);
    let number = get_number(base, Some(KEY), dj(1)).await;
    let record = number.ok(200)["virtualNumber"].clone();
    assert!(stocked.contains(&record["virtual_number"].as_str().unwrap().to_string()));
    assert_eq!(record["real_phone_number"], "+14155552101");
    // An unpublished profile, or one without a real number, gets none.
    put_profile(base, dj(2), Some("+14155550102"), false)
        .await
        .ok(201);
    put_profile(base, dj(3), None, true).await.ok(201);
    for n in [2, 3] {
        get_number(base, Some(KEY), dj(n))
            .await
            .error(404, "no_virtual_number", None);
    }
    // A new real number on a published profile becomes the forwarding number.
    put_profile(base, dj(1), Some("+14155550199"), true)
        .await
        .ok(200);
    let number = get_number(base, Some(KEY), dj(1)).await;
    assert_eq!(
        number.ok(200)["virtualNumber"]["real_phone_number"],
        "+14155550199"
    );
    assert_eq!(number.body["virtualNumber"]["id"], record["id"]);
    // Released on request: an unrelated profile update does not take a new number.
    send(
        base,
        Method::PATCH,
        "/api/djdash/virtual-numbers",
        Some(KEY),
        Some(json!({"dj_profile_id": dj(1).to_string(), "is_active": false})),
    )
    .await
    .ok(200);
    send(
        base,
        Method::PUT,
        &format!("/api/djdash/profiles/{}", dj(1)),
        Some(KEY),
        Some(json!({"timezone": "America/Chicago"})),
    )
    .await
    .ok(200);
    get_number(base, Some(KEY), dj(1))
        .await
        .error(404, "no_virtual_number", None);
    // Publishing the other DJ assigns the remaining number.
    put_profile(base, dj(2), Some("+14155550102"), true)
        .await
        .ok(200);
    get_number(base, None, dj(2)).await.ok(200);
}
