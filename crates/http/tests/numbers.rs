//! The virtual-number API end to end (SPEC §3, §5): the pool's lifecycle, assignment with
//! area-code preference, on-demand purchase with its cap, races, publish-on-PUT, the public
//! view and the DNI batch. The real app on a real port, with simulated Twilio; the stories that
//! involve concurrency or SQL run on SQLite and (when a server answers) PostgreSQL.
#![allow(clippy::unwrap_used)]

use djcalls_app::settings::NumberPurchase;
use djcalls_domain::{DjProfileId, Role};
use djcalls_testkit::{TestApp, TestDb};
use jiff::Timestamp;
use reqwest::Method;
use reqwest::header::HeaderMap;
use serde_json::{Value, json};
use std::collections::HashSet;
use uuid::Uuid;

/// Runs `story(TestApp)` from `<name>::on_sqlite` and `<name>::on_postgres`.
macro_rules! on_both_backends {
    ($($name:ident => $story:ident;)+) => {$(
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn on_sqlite() {
                super::$story(djcalls_testkit::TestApp::sqlite().await).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn on_postgres() {
                let Some(t) = djcalls_testkit::TestApp::postgres().await else {
                    return;
                };
                super::$story(t).await;
            }
        }
    )+};
}

on_both_backends! {
    pool_lifecycle => pool_lifecycle;
    on_demand_purchase_respects_the_cap => on_demand_purchase_respects_the_cap;
    concurrent_assignments_never_share_a_number => concurrent_assignments_never_share_a_number;
    concurrent_assignments_for_one_dj_give_one_number => concurrent_assignments_for_one_dj_give_one_number;
    concurrent_on_demand_requests_never_buy_twice => concurrent_on_demand_requests_never_buy_twice;
    publishing_assigns_a_number => publishing_assigns_a_number;
    dni_answers_many_djs_at_once => dni_answers_many_djs_at_once;
}

/// The test app's service key (`TestApp::service_key`).
const KEY: &str = "test-service-key-0123456789";

struct Reply {
    status: u16,
    headers: HeaderMap,
    text: String,
    body: Value,
}

impl Reply {
    #[track_caller]
    fn ok(&self, status: u16) -> &Value {
        assert_eq!(self.status, status, "body {}", self.text);
        assert_eq!(self.body["success"], json!(true), "body {}", self.text);
        &self.body
    }

    #[track_caller]
    fn error(&self, status: u16, code: &str, field: Option<&str>) {
        assert_eq!(self.status, status, "body {}", self.text);
        assert_eq!(self.body["success"], json!(false), "body {}", self.text);
        assert_eq!(self.body["code"], json!(code), "body {}", self.text);
        assert_eq!(
            self.body.get("field").cloned().unwrap_or(Value::Null),
            field.map_or(Value::Null, |f| json!(f)),
            "body {}",
            self.text
        );
        assert!(
            self.body["error"]
                .as_str()
                .is_some_and(|e| !e.trim().is_empty())
        );
    }
}

async fn send(
    base_url: &str,
    method: Method,
    path: &str,
    token: Option<&str>,
    body: Option<Value>,
) -> Reply {
    let client = reqwest::Client::new();
    let mut request = client.request(method, format!("{base_url}{path}"));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let text = response.text().await.unwrap();
    let body = serde_json::from_str(&text).unwrap_or(Value::String(text.clone()));
    Reply {
        status,
        headers,
        text,
        body,
    }
}

fn dj(n: u128) -> DjProfileId {
    DjProfileId(Uuid::from_u128(
        0x0d1_6000_0000_4000_8000_0000_0000_0000 + n,
    ))
}

/// A profile with a real number; published or not.
async fn put_profile(base: &str, id: DjProfileId, real: Option<&str>, published: bool) -> Reply {
    let mut body = json!({
        "dj_name": format!("DJ {}", id.0.as_u128() & 0xffff),
        "dj_slug": format!("dj-{}", id.0.as_u128() & 0xffff),
        "is_published": published,
    });
    if let Some(real) = real {
        body["real_phone_number"] = json!(real);
    }
    send(
        base,
        Method::PUT,
        &format!("/api/djdash/profiles/{id}"),
        Some(KEY),
        Some(body),
    )
    .await
}

async fn assign(base: &str, token: &str, id: DjProfileId, real: Option<&str>) -> Reply {
    let mut body = json!({"dj_profile_id": id.to_string()});
    if let Some(real) = real {
        body["real_phone_number"] = json!(real);
    }
    send(
        base,
        Method::POST,
        "/api/djdash/virtual-numbers",
        Some(token),
        Some(body),
    )
    .await
}

async fn get_number(base: &str, token: Option<&str>, id: DjProfileId) -> Reply {
    send(
        base,
        Method::GET,
        &format!("/api/djdash/virtual-numbers?dj_profile_id={id}"),
        token,
        None,
    )
    .await
}

async fn buy(base: &str, count: u32, area_code: &str) -> Vec<String> {
    let reply = send(
        base,
        Method::POST,
        "/api/djdash/virtual-numbers/pool",
        Some(KEY),
        Some(json!({"count": count, "area_code": area_code})),
    )
    .await;
    let body = reply.ok(201);
    assert_eq!(body["bought"], json!(count));
    body["numbers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| {
            assert_eq!(n["state"], "available");
            n["virtual_number"].as_str().unwrap().to_string()
        })
        .collect()
}

async fn pool(base: &str) -> Value {
    send(
        base,
        Method::GET,
        "/api/djdash/virtual-numbers/pool",
        Some(KEY),
        None,
    )
    .await
    .ok(200)
    .clone()
}

fn vn(reply: &Reply) -> String {
    reply.body["virtualNumber"]["virtual_number"]
        .as_str()
        .unwrap()
        .to_string()
}

/// The same app with different number-purchase settings, served on its own port (sharing the
/// test app's database, clock and simulated Twilio).
struct Variant {
    base_url: String,
    server: tokio::task::JoinHandle<()>,
}

impl Drop for Variant {
    fn drop(&mut self) {
        self.server.abort();
    }
}

async fn with_purchase(t: &TestApp, purchase: NumberPurchase) -> Variant {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base_url = format!("http://{}", listener.local_addr().unwrap());
    let mut settings = (*t.app.settings).clone();
    settings.number_purchase = purchase;
    settings.public_base_url = base_url.clone();
    let mut app = t.app.clone();
    app.settings = std::sync::Arc::new(settings);
    let router = djcalls_http::router(app);
    let server = tokio::spawn(async move {
        let _ = axum::serve(listener, router).await;
    });
    Variant { base_url, server }
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

trait OkRef {
    fn ok_ref(&self, status: u16) -> &Reply;
}

impl OkRef for Reply {
    #[track_caller]
    fn ok_ref(&self, status: u16) -> &Reply {
        self.ok(status);
        self
    }
}

#[tokio::test]
async fn assignment_prefers_the_djs_area_code() {
    let t = TestApp::sqlite().await;
    let base = t.base_url.as_str();
    buy(base, 1, "212").await;
    let chicago = buy(base, 1, "312").await.remove(0);
    buy(base, 1, "646").await;
    put_profile(base, dj(1), Some("(312) 555-0100"), false)
        .await
        .ok(201);
    let reply = assign(base, KEY, dj(1), None).await;
    assert_eq!(vn(reply.ok_ref(201)), chicago);
    // No number in the DJ's area code: any available one rather than none.
    put_profile(base, dj(2), Some("+14155550100"), false)
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

#[tokio::test]
async fn who_may_do_what() {
    let t = TestApp::sqlite().await;
    let base = t.base_url.as_str();
    buy(base, 3, "415").await;
    for n in 1..=2 {
        put_profile(base, dj(n), Some("+14155550100"), false)
            .await
            .ok(201);
    }
    let dj1 = t.user_token("dj1@example.com", Role::Dj, &[dj(1)]).await;
    let admin = t.user_token("admin@example.com", Role::Admin, &[]).await;
    // Unknown profile → 404; no token → 401; another DJ's profile → 403.
    assign(base, KEY, dj(9), Some("+14155550100"))
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
        put_profile(base, dj(n), Some("+14155550100"), false)
            .await
            .ok(201);
    }
    let one = vn(assign(base, KEY, dj(1), None).await.ok_ref(201));
    let two = vn(assign(base, KEY, dj(2), None).await.ok_ref(201));
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
        put_profile(&base, dj(n), Some("+14155550100"), false)
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
    put_profile(&base, dj(1), Some("+14155550100"), false)
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
        put_profile(&base, dj(n), Some("+14155550100"), false)
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
    put_profile(base, dj(1), Some("+14155550101"), true)
        .await
        .ok(201);
    get_number(base, Some(KEY), dj(1))
        .await
        .error(404, "no_virtual_number", None);
    let stocked = buy(base, 2, "415").await;
    // Publishing again assigns it.
    let reply = put_profile(base, dj(1), Some("+14155550101"), true).await;
    reply.ok(200);
    let number = get_number(base, Some(KEY), dj(1)).await;
    let record = number.ok(200)["virtualNumber"].clone();
    assert!(stocked.contains(&record["virtual_number"].as_str().unwrap().to_string()));
    assert_eq!(record["real_phone_number"], "+14155550101");
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
