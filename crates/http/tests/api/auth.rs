//! The auth matrix of SPEC §2: no or bad token → 401, a DJ outside their own data → 403 (or 404
//! for another DJ's call by id), admins and the service everywhere. The cross-tenant part runs
//! on SQLite and PostgreSQL (where row-level security enforces it a second time).

use super::support::{DJ_A, DJ_B, Reply, World, get, post, raw};
use djcalls_domain::Role;
use reqwest::Method;
use serde_json::{Value, json};

/// Who is asking, in the order of the expected-status columns below.
const WHO: [&str; 6] = [
    "no token",
    "garbage token",
    "other dj",
    "own dj",
    "admin",
    "service",
];

struct Row {
    method: Method,
    path: String,
    body: Option<Value>,
    /// Expected status for each entry of `WHO`.
    expect: [u16; 6],
}

fn row(method: Method, path: String, body: Option<Value>, expect: [u16; 6]) -> Row {
    Row {
        method,
        path,
        body,
        expect,
    }
}

async fn ask(w: &World, who: usize, row: &Row) -> Reply {
    let token = match who {
        0 => None,
        1 => Some("djc_this-is-not-a-token-anyone-was-given"),
        2 => Some(w.dj_b.as_str()),
        3 => Some(w.dj_a.as_str()),
        4 => Some(w.admin.as_str()),
        _ => Some(w.service),
    };
    let body = row
        .body
        .as_ref()
        .map(|b| serde_json::to_vec(b).expect("json"));
    let content_type = body.as_ref().map(|_| "application/json");
    raw(
        &w.t,
        row.method.clone(),
        &row.path,
        token,
        content_type,
        body,
    )
    .await
}

/// Every row for every caller: DJ A owns the profile and the call; DJ B is the other DJ.
async fn auth_matrix(w: World) {
    let call = w
        .log_call(json!({"dj_profile_id": DJ_A.to_string(), "caller_number": "+14155552671"}))
        .await;
    let call_b = w
        .log_call(json!({"dj_profile_id": DJ_B.to_string(), "caller_number": "+14155552672"}))
        .await;
    let call_id = call["id"].as_str().expect("id");
    let a = DJ_A.to_string();
    let rows = vec![
        row(
            Method::GET,
            format!("/api/djdash/profiles/{a}"),
            None,
            [401, 401, 403, 200, 200, 200],
        ),
        row(
            Method::PUT,
            format!("/api/djdash/profiles/{a}"),
            Some(json!({"dj_name": "DJ A"})),
            [401, 401, 403, 403, 200, 200],
        ),
        row(
            Method::GET,
            format!("/api/djdash/calls?dj_profile_id={a}"),
            None,
            [401, 401, 403, 200, 200, 200],
        ),
        row(
            Method::GET,
            "/api/djdash/calls".into(),
            None,
            [401, 401, 200, 200, 200, 200],
        ),
        row(
            Method::GET,
            format!("/api/djdash/calls/analytics?dj_profile_id={a}"),
            None,
            [401, 401, 403, 200, 200, 200],
        ),
        row(
            Method::GET,
            "/api/djdash/calls/analytics".into(),
            None,
            [401, 401, 200, 200, 200, 200],
        ),
        row(
            Method::GET,
            format!("/api/djdash/calls/{call_id}"),
            None,
            [401, 401, 404, 200, 200, 200],
        ),
        row(
            Method::PATCH,
            format!("/api/djdash/calls/{call_id}"),
            Some(json!({"notes": "seen"})),
            [401, 401, 404, 200, 200, 200],
        ),
        row(
            Method::POST,
            "/api/djdash/calls".into(),
            Some(json!({"dj_profile_id": a})),
            [401, 401, 403, 201, 201, 201],
        ),
        row(
            Method::GET,
            "/api/djdash/admin/analytics".into(),
            None,
            [401, 401, 403, 403, 200, 200],
        ),
    ];
    let mut failures = Vec::new();
    for row in &rows {
        for (who, expected) in row.expect.iter().enumerate() {
            let reply = ask(&w, who, row).await;
            let label = format!("{} {} as {}", row.method, row.path, WHO[who]);
            let problems = match *expected {
                401 => {
                    let mut p = reply.error_problems(401, "unauthenticated", None);
                    let challenge = reply.headers.get("www-authenticate");
                    if challenge.and_then(|v| v.to_str().ok()) != Some("Bearer") {
                        p.push(format!("WWW-Authenticate {challenge:?}"));
                    }
                    p
                }
                403 => reply.error_problems(403, "forbidden", None),
                404 => reply.error_problems(404, "not_found", None),
                ok => {
                    if reply.status == ok && reply.body["success"] == json!(true) {
                        Vec::new()
                    } else {
                        vec![format!(
                            "status {} (expected {ok}); body {}",
                            reply.status, reply.body
                        )]
                    }
                }
            };
            if !problems.is_empty() {
                failures.push(format!("{label}: {}", problems.join("; ")));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} cells failed:\n{}",
        failures.len(),
        failures.join("\n")
    );

    // Another DJ's refusals changed nothing, and their own views hold only their own calls.
    let reply = get(&w.t, &format!("/api/djdash/calls/{call_id}"), w.service).await;
    assert_eq!(reply.ok(200)["call"]["notes"], json!("seen"));
    let reply = get(&w.t, "/api/djdash/calls", &w.dj_b).await;
    let ids: Vec<&Value> = reply.ok(200)["calls"]
        .as_array()
        .expect("calls")
        .iter()
        .map(|c| &c["id"])
        .collect();
    assert_eq!(ids, vec![&call_b["id"]]);
    let reply = get(&w.t, "/api/djdash/calls/analytics", &w.dj_b).await;
    assert_eq!(reply.ok(200)["analytics"]["totalCalls"], json!(1));
    // The admin's unscoped list is platform-wide: A's first call, the three the POST row
    // logged (own DJ, admin, service), and B's one.
    let reply = get(&w.t, "/api/djdash/calls", &w.admin).await;
    assert_eq!(reply.ok(200)["calls"].as_array().expect("calls").len(), 5);
}

#[tokio::test]
async fn each_role_reaches_exactly_its_own_data_on_sqlite() {
    auth_matrix(World::sqlite().await).await;
}

#[tokio::test]
async fn each_role_reaches_exactly_its_own_data_on_postgres() {
    let Some(world) = World::postgres().await else {
        return;
    };
    auth_matrix(world).await;
}

#[tokio::test]
async fn malformed_authorization_headers_are_refused_with_a_bearer_challenge() {
    let w = World::sqlite().await;
    let path = w.t.url(&format!("/api/djdash/profiles/{DJ_A}"));
    for header in [
        "Bearer",
        "Bearer ",
        "Bearer    ",
        "Basic dXNlcjpwYXNzd29yZA==",
        "djc_no-scheme",
        "Token test-service-key-0123456789",
        "Bearer test-service-key-012345678",
        "Bearer test-service-key-0123456789x",
    ] {
        let response =
            w.t.client
                .get(&path)
                .header("authorization", header)
                .send()
                .await
                .expect("request");
        assert_eq!(response.status().as_u16(), 401, "{header}");
        assert_eq!(
            response
                .headers()
                .get("www-authenticate")
                .and_then(|v| v.to_str().ok()),
            Some("Bearer"),
            "{header}"
        );
        let body: Value = response.json().await.expect("json");
        assert_eq!(body["code"], json!("unauthenticated"), "{header}");
    }
    // The scheme is case-insensitive.
    let response =
        w.t.client
            .get(&path)
            .header("authorization", format!("bearer {}", w.dj_a))
            .send()
            .await
            .expect("request");
    assert_eq!(response.status().as_u16(), 200);
}

#[tokio::test]
async fn the_token_is_checked_before_the_body_is_judged() {
    let w = World::sqlite().await;
    let reply = raw(
        &w.t,
        Method::POST,
        "/api/djdash/calls",
        None,
        Some("application/json"),
        Some(b"{not json".to_vec()),
    )
    .await;
    reply.assert_error(401, "unauthenticated", None);
    let reply = raw(
        &w.t,
        Method::POST,
        "/api/djdash/calls",
        Some("garbage"),
        Some("text/plain"),
        Some(b"hello".to_vec()),
    )
    .await;
    reply.assert_error(401, "unauthenticated", None);
}

#[tokio::test]
async fn a_dj_with_several_profiles_must_say_which_one() {
    let w = World::sqlite().await;
    let both =
        w.t.user_token("both@example.com", Role::Dj, &[DJ_A, DJ_B])
            .await;
    w.log_call(json!({"dj_profile_id": DJ_A.to_string()})).await;
    w.log_call(json!({"dj_profile_id": DJ_B.to_string()})).await;
    for path in ["/api/djdash/calls", "/api/djdash/calls/analytics"] {
        get(&w.t, path, &both)
            .await
            .assert_error(400, "invalid_field", Some("dj_profile_id"));
        for profile in [DJ_A, DJ_B] {
            let reply = get(&w.t, &format!("{path}?dj_profile_id={profile}"), &both).await;
            reply.ok(200);
        }
    }
    let reply = get(
        &w.t,
        &format!("/api/djdash/calls?dj_profile_id={DJ_B}"),
        &both,
    )
    .await;
    let calls = reply.ok(200)["calls"].as_array().expect("calls").clone();
    assert_eq!(calls.len(), 1);
    assert_eq!(calls[0]["dj_profile_id"], json!(DJ_B.to_string()));
    // Nor may a DJ log a call for someone else's profile.
    let reply = post(
        &w.t,
        "/api/djdash/calls",
        &w.dj_a,
        &json!({"dj_profile_id": DJ_B.to_string()}),
    )
    .await;
    reply.assert_error(403, "forbidden", None);
}

/// SPEC §11: revoking a token or disabling its user is refused on the very next request
/// (tokens are checked against the database each time, on both backends).
async fn revoked_and_disabled(t: djcalls_testkit::TestApp) {
    let first = t.user_token("dj@example.test", Role::Dj, &[DJ_A]).await;
    let second = t
        .app
        .create_api_token("dj@example.test", "second")
        .await
        .unwrap();
    get(&t, "/api/djdash/calls", &first).await.ok(200);
    assert_eq!(
        t.app
            .revoke_api_tokens("dj@example.test", Some("test"))
            .await
            .unwrap(),
        1
    );
    get(&t, "/api/djdash/calls", &first)
        .await
        .assert_error(401, "unauthenticated", None);
    get(&t, "/api/djdash/calls", &second).await.ok(200);
    t.app
        .set_user_enabled("DJ@example.test", false)
        .await
        .unwrap();
    get(&t, "/api/djdash/calls", &second)
        .await
        .assert_error(401, "unauthenticated", None);
    assert!(
        t.app
            .login("dj@example.test", "a-long-password")
            .await
            .is_err()
    );
    t.app
        .set_user_enabled("dj@example.test", true)
        .await
        .unwrap();
    get(&t, "/api/djdash/calls", &second).await.ok(200);
    t.app
        .change_password("dj@example.test", "another-password")
        .await
        .unwrap();
    assert!(
        t.app
            .login("dj@example.test", "a-long-password")
            .await
            .is_err()
    );
    assert!(
        t.app
            .login("dj@example.test", "another-password")
            .await
            .is_ok()
    );
}

djcalls_testkit::on_both_backends! { TestApp:
    revoked_tokens_and_disabled_users_get_401_at_once => revoked_and_disabled;
}
