//! The pool's lifecycle, area-code preference, where the real number comes from, the demo DJs.

use super::support::*;
use djcalls_testkit::{TestApp, TestDb};
use jiff::Timestamp;
use reqwest::Method;
use serde_json::json;

djcalls_testkit::on_both_backends! { TestApp:
    pool_lifecycle => pool_lifecycle;
}

async fn pool_lifecycle(t: TestApp) {
    assert_eq!(t.service_key(), KEY);
    let base = t.base_url.as_str();
    let bought = buy(base, 3, "415").await;
    assert_eq!(bought.len(), 3);
    assert_eq!(t.telephony.owned_numbers().len(), 3);
    let inventory = pool(base).await;
    assert_eq!(inventory["counts"]["available"], 3);
    assert_eq!(inventory["counts"]["total"], 3);

    for n in 1..=4 {
        put_profile(base, dj(n), Some(&format!("+1415555{:04}", 200 + n)), false)
            .await
            .ok(201);
    }
    // Assigned, then the same answer again (200), with the full record.
    let first = assign(base, KEY, dj(1), None).await;
    let record = first.ok(201)["virtualNumber"].clone();
    assert_eq!(record["state"], "assigned");
    assert_eq!(record["is_active"], true);
    assert_eq!(record["dj_profile_id"], dj(1).to_string());
    assert_eq!(record["real_phone_number"], "+14155550201");
    assert_eq!(record["area_code"], "415");
    assert_eq!(record["product_context"], "djdash");
    assert!(
        record["twilio_phone_number_sid"]
            .as_str()
            .unwrap()
            .starts_with("PN")
    );
    assert!(record["assigned_at"].is_string());
    let again = assign(base, KEY, dj(1), None).await;
    assert_eq!(again.ok(200)["virtualNumber"]["id"], record["id"]);
    let inventory = pool(base).await;
    assert_eq!(inventory["counts"]["assigned"], 1);
    assert_eq!(inventory["counts"]["available"], 2);

    // An assigned number is not the pool's to give back.
    let number = record["virtual_number"].as_str().unwrap();
    send(
        base,
        Method::DELETE,
        &format!(
            "/api/djdash/virtual-numbers/pool/{}",
            number.replace('+', "%2B")
        ),
        Some(KEY),
        None,
    )
    .await
    .error(409, "number_assigned", None);

    // Released from the DJ: cooling, and the DJ has no number.
    let released = send(
        base,
        Method::PATCH,
        "/api/djdash/virtual-numbers",
        Some(KEY),
        Some(json!({"dj_profile_id": dj(1).to_string(), "is_active": false})),
    )
    .await;
    let cooled = released.ok(200)["virtualNumber"].clone();
    assert_eq!(cooled["state"], "cooling");
    assert_eq!(cooled["is_active"], false);
    assert_eq!(cooled["cooling_until"], "2026-07-15T12:00:00Z");
    get_number(base, Some(KEY), dj(1))
        .await
        .error(404, "no_virtual_number", None);
    get_number(base, None, dj(1))
        .await
        .error(404, "no_virtual_number", None);

    // The cooling number is nobody's while it rests: two DJs drain the pool, a third waits.
    let second = vn(assign(base, KEY, dj(2), None).await.ok_ref(201));
    let third = vn(assign(base, KEY, dj(3), None).await.ok_ref(201));
    assert!(second != number && third != number && second != third);
    assign(base, KEY, dj(4), None)
        .await
        .error(409, "pool_exhausted", None);
    let inventory = pool(base).await;
    assert_eq!(inventory["counts"]["cooling"], 1);
    assert_eq!(inventory["counts"]["available"], 0);

    // Thirty days on, it is available again.
    t.clock
        .set("2026-07-15T12:00:00Z".parse::<Timestamp>().unwrap());
    assert_eq!(pool(base).await["counts"]["available"], 1);
    let fourth = assign(base, KEY, dj(4), None).await;
    assert_eq!(vn(fourth.ok_ref(201)), number);
    assert_eq!(
        fourth.body["virtualNumber"]["dj_profile_id"],
        dj(4).to_string()
    );

    // A pool number is given back to Twilio; giving it back twice is harmless.
    let spare = buy(base, 1, "212").await.remove(0);
    let national = format!("({}) {}-{}", &spare[2..5], &spare[5..8], &spare[8..]);
    let encoded: String = national
        .replace('(', "%28")
        .replace(')', "%29")
        .replace(' ', "%20");
    let gone = send(
        base,
        Method::DELETE,
        &format!("/api/djdash/virtual-numbers/pool/{encoded}"),
        Some(KEY),
        None,
    )
    .await;
    assert_eq!(gone.ok(200)["virtualNumber"]["state"], "released");
    assert!(
        !t.telephony
            .owned_numbers()
            .iter()
            .any(|(owned, _)| owned.phone_number.as_str() == spare)
    );
    send(
        base,
        Method::DELETE,
        &format!(
            "/api/djdash/virtual-numbers/pool/{}",
            spare.replace('+', "%2B")
        ),
        Some(KEY),
        None,
    )
    .await
    .ok(200);
    send(
        base,
        Method::DELETE,
        "/api/djdash/virtual-numbers/pool/%2B16465550177",
        Some(KEY),
        None,
    )
    .await
    .error(404, "not_found", None);
    send(
        base,
        Method::DELETE,
        "/api/djdash/virtual-numbers/pool/not-a-number",
        Some(KEY),
        None,
    )
    .await
    .error(400, "invalid_field", Some("number"));
    let inventory = pool(base).await;
    assert_eq!(inventory["counts"]["released"], 1);
    assert_eq!(inventory["counts"]["assigned"], 3);
}

#[tokio::test]
async fn assignment_prefers_the_djs_area_code() {
    let t = TestApp::sqlite().await;
    let base = t.base_url.as_str();
    buy(base, 1, "212").await;
    let chicago = buy(base, 1, "312").await.remove(0);
    buy(base, 1, "646").await;
    put_profile(base, dj(1), Some("(312) 555-2100"), false)
        .await
        .ok(201);
    let reply = assign(base, KEY, dj(1), None).await;
    assert_eq!(vn(reply.ok_ref(201)), chicago);
    // No number in the DJ's area code: any available one rather than none.
    put_profile(base, dj(2), Some("+14155552100"), false)
        .await
        .ok(201);
    let reply = assign(base, KEY, dj(2), None).await;
    assert!(vn(reply.ok_ref(201)).starts_with("+1212") || vn(&reply).starts_with("+1646"));
}

#[tokio::test]
async fn the_real_number_comes_from_the_body_or_the_profile() {
    let t = TestApp::sqlite().await;
    let base = t.base_url.as_str();
    buy(base, 2, "415").await;
    put_profile(base, dj(1), None, false).await.ok(201);
    assign(base, KEY, dj(1), None)
        .await
        .error(400, "invalid_field", Some("real_phone_number"));
    assign(base, KEY, dj(1), Some("not a phone")).await.error(
        400,
        "invalid_field",
        Some("real_phone_number"),
    );
    // Given in national form: stored in E.164 on the number and on the profile.
    let reply = assign(base, KEY, dj(1), Some("(415) 555-0142")).await;
    assert_eq!(
        reply.ok(201)["virtualNumber"]["real_phone_number"],
        "+14155550142"
    );
    let profile = send(
        base,
        Method::GET,
        &format!("/api/djdash/profiles/{}", dj(1)),
        Some(KEY),
        None,
    )
    .await;
    assert_eq!(
        profile.ok(200)["profile"]["real_phone_number"],
        "+14155550142"
    );
    // A new forwarding number through PATCH, followed by the call flow at once.
    let patched = send(
        base,
        Method::PATCH,
        "/api/djdash/virtual-numbers",
        Some(KEY),
        Some(json!({"dj_profile_id": dj(1).to_string(), "real_phone_number": "415-555-0199"})),
    )
    .await;
    let number = patched.ok(200)["virtualNumber"].clone();
    assert_eq!(number["real_phone_number"], "+14155550199");
    assert_eq!(number["state"], "assigned");
    let routed =
        t.db.store
            .active_number_by_virtual(number["virtual_number"].as_str().unwrap())
            .await
            .unwrap()
            .unwrap();
    assert_eq!(routed.real_phone_number, "+14155550199");
    assert_eq!(routed.dj_profile_id, dj(1));
}

/// The demo world: every demo DJ has a number in their own area code.
#[tokio::test]
async fn the_demo_djs_have_numbers() {
    let t = TestApp::spawn(TestDb::sqlite().await).await;
    let world = t.app.seed_demo().await.unwrap();
    for (id, _, number) in &world.profiles {
        let reply = get_number(&t.base_url, Some(KEY), *id).await;
        let record = reply.ok(200)["virtualNumber"].clone();
        assert_eq!(record["virtual_number"].as_str().unwrap(), number);
        let real = record["real_phone_number"].as_str().unwrap();
        assert_eq!(record["area_code"].as_str().unwrap(), &real[2..5]);
    }
    let inventory = pool(&t.base_url).await;
    assert_eq!(inventory["counts"]["assigned"], 3);
    assert_eq!(inventory["counts"]["available"], 3);
}
