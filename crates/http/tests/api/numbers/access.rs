//! Who may do what with numbers, the public view without the real number, and the DNI batch.

use super::support::*;
use djcalls_domain::Role;
use djcalls_testkit::TestApp;
use reqwest::Method;
use serde_json::json;

djcalls_testkit::on_both_backends! { TestApp:
    dni_answers_many_djs_at_once => dni_answers_many_djs_at_once;
}

#[tokio::test]
async fn who_may_do_what() {
    let t = TestApp::sqlite().await;
    let base = t.base_url.as_str();
    buy(base, 3, "415").await;
    for n in 1..=2 {
        put_profile(base, dj(n), Some("+14155552100"), false)
            .await
            .ok(201);
    }
    let dj1 = t.user_token("dj1@example.com", Role::Dj, &[dj(1)]).await;
    let admin = t.user_token("admin@example.com", Role::Admin, &[]).await;
    // Unknown profile → 404; no token → 401; another DJ's profile → 403.
    assign(base, KEY, dj(9), Some("+14155552100"))
        .await
        .error(404, "not_found", None);
    send(
        base,
        Method::POST,
        "/api/djdash/virtual-numbers",
        None,
        Some(json!({"dj_profile_id": dj(1).to_string()})),
    )
    .await
    .error(401, "unauthenticated", None);
    assign(base, &dj1, dj(2), None)
        .await
        .error(403, "forbidden", None);
    assign(base, &dj1, dj(1), None).await.ok(201);
    assign(base, &admin, dj(2), None).await.ok(201);
    // The pool is the platform's.
    for (method, path, body) in [
        (Method::GET, "/api/djdash/virtual-numbers/pool", None),
        (
            Method::POST,
            "/api/djdash/virtual-numbers/pool",
            Some(json!({"count": 1, "area_code": "415"})),
        ),
        (
            Method::DELETE,
            "/api/djdash/virtual-numbers/pool/%2B14155550100",
            None,
        ),
    ] {
        send(base, method, path, Some(&dj1), body)
            .await
            .error(403, "forbidden", None);
    }
    send(
        base,
        Method::GET,
        "/api/djdash/virtual-numbers/pool",
        Some(&admin),
        None,
    )
    .await
    .ok(200);
    // Bad purchases.
    for (body, field) in [
        (json!({"count": 0, "area_code": "415"}), "count"),
        (json!({"count": 11, "area_code": "415"}), "count"),
        (json!({"count": -1}), "count"),
        (json!({"count": 1, "area_code": "12"}), "area_code"),
        (json!({"count": 1, "area_code": "015"}), "area_code"),
        (json!({"count": 1, "area_code": ["415"]}), "area_code"),
        (json!({"count": 1, "colour": "red"}), "colour"),
    ] {
        let reply = send(
            base,
            Method::POST,
            "/api/djdash/virtual-numbers/pool",
            Some(KEY),
            Some(body.clone()),
        )
        .await;
        assert_eq!(reply.status, 400, "{body}: {}", reply.text);
        assert_eq!(reply.body["field"], field, "{body}: {}", reply.text);
    }
    // Without an area code, the DJs' own is used.
    let reply = send(
        base,
        Method::POST,
        "/api/djdash/virtual-numbers/pool",
        Some(KEY),
        Some(json!({"count": 2})),
    )
    .await;
    let numbers = reply.ok(201)["numbers"].as_array().unwrap().clone();
    assert_eq!(numbers.len(), 2);
    assert!(numbers.iter().all(|n| n["area_code"] == "415"));
    // PATCH: is_active true is not a way to assign; a DJ releases only their own number.
    send(
        base,
        Method::PATCH,
        "/api/djdash/virtual-numbers",
        Some(&dj1),
        Some(json!({"dj_profile_id": dj(1).to_string(), "is_active": true})),
    )
    .await
    .error(400, "invalid_field", Some("is_active"));
    send(
        base,
        Method::PATCH,
        "/api/djdash/virtual-numbers",
        Some(&dj1),
        Some(json!({"dj_profile_id": dj(1).to_string()})),
    )
    .await
    .error(400, "invalid_field", Some("real_phone_number"));
    send(
        base,
        Method::PATCH,
        "/api/djdash/virtual-numbers",
        Some(&dj1),
        Some(json!({"dj_profile_id": dj(2).to_string(), "is_active": false})),
    )
    .await
    .error(403, "forbidden", None);
    send(
        base,
        Method::PATCH,
        "/api/djdash/virtual-numbers",
        Some(&dj1),
        Some(json!({"dj_profile_id": dj(1).to_string(), "is_active": false})),
    )
    .await
    .ok(200);
    send(
        base,
        Method::PATCH,
        "/api/djdash/virtual-numbers",
        Some(&dj1),
        Some(json!({"dj_profile_id": dj(1).to_string(), "is_active": false})),
    )
    .await
    .error(404, "no_virtual_number", None);
    // GET needs a valid id.
    send(base, Method::GET, "/api/djdash/virtual-numbers", None, None)
        .await
        .error(400, "invalid_field", Some("dj_profile_id"));
    send(
        base,
        Method::GET,
        "/api/djdash/virtual-numbers?dj_profile_id=nope",
        None,
        None,
    )
    .await
    .error(400, "invalid_field", Some("dj_profile_id"));
}

#[tokio::test]
async fn the_public_never_sees_the_real_number_or_provider_ids() {
    let t = TestApp::sqlite().await;
    let base = t.base_url.as_str();
    buy(base, 2, "415").await;
    put_profile(base, dj(1), Some("+14155550142"), false)
        .await
        .ok(201);
    put_profile(base, dj(2), Some("+14155550143"), false)
        .await
        .ok(201);
    let full = assign(base, KEY, dj(1), None).await;
    let record = full.ok(201)["virtualNumber"].clone();
    assign(base, KEY, dj(2), None).await.ok(201);
    // The public sees only published profiles' numbers; the owner sees theirs regardless.
    let unpublished = get_number(base, None, dj(1)).await;
    assert_eq!(unpublished.status, 404, "{}", unpublished.text);
    put_profile(base, dj(1), None, true).await.ok(200);
    let sid = record["twilio_phone_number_sid"]
        .as_str()
        .unwrap()
        .to_string();
    let number = record["virtual_number"].as_str().unwrap().to_string();
    let dj2 = t.user_token("dj2@example.com", Role::Dj, &[dj(2)]).await;
    for token in [None, Some(dj2.as_str())] {
        let public = get_number(base, token, dj(1)).await;
        let view = public.ok(200)["virtualNumber"].clone();
        assert_eq!(
            view,
            json!({
                "virtual_number": number,
                "display_number": format!("({}) {}-{}", &number[2..5], &number[5..8], &number[8..]),
                "dj_profile_id": dj(1).to_string(),
            })
        );
        for secret in ["+14155550142", "4155550142", "555-0142", &sid, "PN"] {
            assert!(!public.text.contains(secret), "{secret} in {}", public.text);
        }
    }
    let dni = send(
        base,
        Method::GET,
        &format!("/api/djdash/dni?ids={}", dj(1)),
        None,
        None,
    )
    .await;
    dni.ok(200);
    for secret in ["4155550142", &sid, "PN", "real"] {
        assert!(!dni.text.contains(secret), "{secret} in {}", dni.text);
    }
    // The DJ themselves and the service see everything.
    let dj1 = t.user_token("dj1@example.com", Role::Dj, &[dj(1)]).await;
    for token in [dj1.as_str(), KEY] {
        let own = get_number(base, Some(token), dj(1)).await;
        let view = own.ok(200)["virtualNumber"].clone();
        assert_eq!(view["real_phone_number"], "+14155550142");
        assert_eq!(view["twilio_phone_number_sid"], sid.as_str());
        assert_eq!(view["state"], "assigned");
        assert_eq!(view["is_active"], true);
        assert_eq!(view["id"], record["id"]);
    }
}

async fn dni_answers_many_djs_at_once(t: TestApp) {
    let base = t.base_url.as_str();
    buy(base, 2, "415").await;
    for n in 1..=3 {
        put_profile(base, dj(n), Some("+14155552100"), false)
            .await
            .ok(201);
    }
    let one = vn(assign(base, KEY, dj(1), None).await.ok_ref(201));
    let two = vn(assign(base, KEY, dj(2), None).await.ok_ref(201));
    // Only published profiles' numbers are shown.
    for n in 1..=2 {
        put_profile(base, dj(n), None, true).await.ok(200);
    }
    let ids = format!("{},{}, {},{}", dj(1), dj(2), dj(3), dj(99));
    let reply = send(
        base,
        Method::GET,
        &format!("/api/djdash/dni?ids={}", ids.replace(' ', "%20")),
        None,
        None,
    )
    .await;
    let numbers = reply.ok(200)["numbers"].clone();
    assert_eq!(
        reply
            .headers
            .get("cache-control")
            .and_then(|v| v.to_str().ok()),
        Some("public, max-age=60")
    );
    let map = numbers.as_object().unwrap();
    assert_eq!(map.len(), 2, "{numbers}");
    assert_eq!(numbers[dj(1).to_string()]["virtual_number"], one.as_str());
    assert_eq!(
        numbers[dj(1).to_string()]["display_number"],
        format!("({}) {}-{}", &one[2..5], &one[5..8], &one[8..])
    );
    assert_eq!(numbers[dj(2).to_string()]["virtual_number"], two.as_str());
    // Fifty is fine, fifty-one is not; ids must be UUIDs.
    let fifty: Vec<String> = (1..=50).map(|n| dj(n).to_string()).collect();
    let reply = send(
        base,
        Method::GET,
        &format!("/api/djdash/dni?ids={}", fifty.join(",")),
        None,
        None,
    )
    .await;
    assert_eq!(reply.ok(200)["numbers"].as_object().unwrap().len(), 2);
    let fifty_one: Vec<String> = (1..=51).map(|n| dj(n).to_string()).collect();
    send(
        base,
        Method::GET,
        &format!("/api/djdash/dni?ids={}", fifty_one.join(",")),
        None,
        None,
    )
    .await
    .error(400, "invalid_field", Some("ids"));
    send(
        base,
        Method::GET,
        &format!("/api/djdash/dni?ids={},nope", dj(1)),
        None,
        None,
    )
    .await
    .error(400, "invalid_field", Some("ids"));
    send(base, Method::GET, "/api/djdash/dni", None, None)
        .await
        .error(400, "invalid_field", Some("ids"));
}
