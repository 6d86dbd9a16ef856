//! Admin operations over JSON: the job queue (pending and dead jobs, retry by hand) and the
//! opt-out list — platform roles only.

#![allow(clippy::unwrap_used)] // Tests fail loudly on purpose.

use djcalls_app::Clock;
use djcalls_app::records::DbTime;
use djcalls_domain::{DjProfileId, Role};
use djcalls_testkit::TestApp;
use serde_json::Value;

async fn get(app: &TestApp, path: &str, token: &str) -> (u16, Value) {
    let response = app
        .client
        .get(app.url(path))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    (response.status().as_u16(), response.json().await.unwrap())
}

async fn post(app: &TestApp, path: &str, token: &str) -> (u16, Value) {
    let response = app
        .client
        .post(app.url(path))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    (response.status().as_u16(), response.json().await.unwrap())
}

/// A dead job, as the admin API lists it.
async fn dead_job(app: &TestApp) -> String {
    let id = app.dead_job().await;
    let (status, body) = get(app, "/api/djdash/admin/jobs?state=dead", app.service_key()).await;
    assert_eq!(status, 200);
    assert_eq!(body["jobs"][0]["id"], id.to_string());
    id.to_string()
}

#[tokio::test]
async fn admins_see_dead_jobs_and_retry_them_by_hand() {
    let app = TestApp::sqlite().await;
    let id = dead_job(&app).await;
    let admin = app.user_token("admin@admin.test", Role::Admin, &[]).await;
    let (status, body) = get(&app, "/api/djdash/admin/jobs?state=dead", &admin).await;
    assert_eq!(status, 200);
    assert_eq!(body["counts"]["dead"], 1);
    assert_eq!(body["jobs"][0]["state"], "dead");
    assert_eq!(body["jobs"][0]["last_error"], "unknown job kind");

    let (status, body) = post(&app, &format!("/api/djdash/admin/jobs/{id}/retry"), &admin).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["job"]["state"], "queued");
    assert_eq!(body["job"]["attempts"], 0);
    let (_, body) = get(&app, "/api/djdash/admin/jobs?state=pending", &admin).await;
    assert_eq!(body["jobs"][0]["id"], id.as_str());
    assert_eq!(body["counts"]["dead"], 0);

    // Only a dead job can be retried; an unknown one is not found.
    let (status, body) = post(&app, &format!("/api/djdash/admin/jobs/{id}/retry"), &admin).await;
    assert_eq!((status, body["code"].as_str()), (409, Some("job_not_dead")));
    let unknown = uuid::Uuid::new_v4();
    let (status, _) = post(
        &app,
        &format!("/api/djdash/admin/jobs/{unknown}/retry"),
        &admin,
    )
    .await;
    assert_eq!(status, 404);
    let (status, body) = get(&app, "/api/djdash/admin/jobs?state=finished", &admin).await;
    assert_eq!((status, body["field"].as_str()), (400, Some("state")));
}

#[tokio::test]
async fn a_dj_cannot_see_or_retry_the_queue_or_the_opt_outs() {
    let app = TestApp::sqlite().await;
    let id = dead_job(&app).await;
    let dj = app
        .user_token(
            "dj@admin.test",
            Role::Dj,
            &[DjProfileId(uuid::Uuid::new_v4())],
        )
        .await;
    for path in [
        "/api/djdash/admin/jobs",
        "/api/djdash/admin/jobs?state=dead",
        "/api/djdash/admin/opt-outs",
        "/api/djdash/admin/foreign-currency-payments",
        "/api/djdash/admin/pending-refunds",
    ] {
        let (status, _) = get(&app, path, &dj).await;
        assert_eq!(status, 403, "{path}");
        let response = app.client.get(app.url(path)).send().await.unwrap();
        assert_eq!(response.status(), 401, "{path} without a token");
    }
    let (status, _) = post(&app, &format!("/api/djdash/admin/jobs/{id}/retry"), &dj).await;
    assert_eq!(status, 403);
    let response = app
        .client
        .get(app.url("/api/djdash/admin/opt-outs"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 401);
}

#[tokio::test]
async fn the_opt_out_list_shows_who_texted_stop() {
    let app = TestApp::sqlite().await;
    let now = DbTime(app.clock.now());
    app.db
        .store
        .record_opt_out("+14155550123", "keyword", now)
        .await
        .unwrap();
    let (status, body) = get(&app, "/api/djdash/admin/opt-outs", app.service_key()).await;
    assert_eq!(status, 200);
    assert_eq!(body["opt_outs"][0]["phone_number"], "+14155550123");
    assert_eq!(body["opt_outs"][0]["source"], "keyword");
}
