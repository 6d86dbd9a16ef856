//! The call page's correction form (event type, lead score, notes) and quality card, and the
//! admin console's call quality figures, over HTTP on both backends with the demo data.

use super::*;
use djcalls_domain::quality::{CallQuality, DisconnectedBy};
use djcalls_domain::{Actor, CallId};

djcalls_testkit::on_both_backends! { TestApp:
    a_dj_corrects_a_call_and_only_what_changed_is_marked_as_theirs => corrects_own_call;
    a_forged_or_missing_csrf_token_changes_nothing => csrf_refused;
    admins_see_platform_call_quality_and_the_call_page_shows_it => quality_shown;
}

/// Sparkle's newest demo call and its id.
async fn sparkle_call(app: &TestApp) -> (String, Value) {
    app.app.seed_demo().await.unwrap();
    let sparkle = DjProfileId(SPARKLE_ID.parse().unwrap());
    let call = app.calls_of(sparkle).await.remove(0);
    (call["id"].as_str().unwrap().to_string(), call)
}

async fn call_json(app: &TestApp, id: &str) -> Value {
    app.service_json(&format!("/api/djdash/calls/{id}")).await["call"].clone()
}

async fn stored(app: &TestApp, id: &str) -> djcalls_app::records::CallRecord {
    let id = CallId(id.parse().unwrap());
    app.db
        .store
        .call(&Actor::System, id)
        .await
        .unwrap()
        .unwrap()
}

async fn edit(
    client: &reqwest::Client,
    app: &TestApp,
    id: &str,
    form: &[(&str, &str)],
) -> StatusCode {
    post(client, app, &format!("/dashboard/calls/{id}/edit"), form)
        .await
        .status()
}

async fn corrects_own_call(app: TestApp) {
    let (id, before) = sparkle_call(&app).await;
    let dj = login(&app, SPARKLE).await;
    let (status, page) = get(&dj, &app, &format!("/dashboard/calls/{id}")).await;
    assert_eq!(status, 200);
    assert!(page.contains("data-testid=\"edit-form\""));
    let token = csrf(&page);
    let score = before["lead_score"].as_str().unwrap();

    // Only a note: the lead score and event type stay the insights' to set.
    let same_type = before["event_type"].as_str().unwrap_or("");
    let form = [
        ("csrf", token.as_str()),
        ("event_type", same_type),
        ("lead_score", score),
        ("notes", "Call back Tuesday"),
    ];
    assert_eq!(edit(&dj, &app, &id, &form).await, StatusCode::SEE_OTHER);
    let record = stored(&app, &id).await;
    assert_eq!(record.notes.as_deref(), Some("Call back Tuesday"));
    assert!(!record.lead_score_set_by_person && !record.event_type_set_by_person);

    let other_score = if score == "cold" { "warm" } else { "cold" };
    // A type the call does not have yet (the demo's calls carry varied insights).
    let other_type = if same_type == "quinceanera" {
        "corporate"
    } else {
        "quinceanera"
    };
    let form = [
        ("csrf", token.as_str()),
        ("event_type", other_type),
        ("lead_score", other_score),
        ("notes", "  Wants the 14th  "),
    ];
    assert_eq!(edit(&dj, &app, &id, &form).await, StatusCode::SEE_OTHER);
    let call = call_json(&app, &id).await;
    assert_eq!(call["event_type"], other_type);
    assert_eq!(call["lead_score"], other_score);
    assert_eq!(call["notes"], "Wants the 14th");
    let record = stored(&app, &id).await;
    assert!(record.lead_score_set_by_person && record.event_type_set_by_person);

    let (_, page) = get(&dj, &app, &format!("/dashboard/calls/{id}")).await;
    assert!(
        page.contains(&format!("<option value=\"{other_type}\" selected>")),
        "kept on reload"
    );

    // A bad lead score is refused; another DJ cannot edit the call at all.
    let bad = [("csrf", token.as_str()), ("lead_score", "lukewarm")];
    assert_eq!(edit(&dj, &app, &id, &bad).await, StatusCode::BAD_REQUEST);
    let marco = login(&app, MARCO).await;
    let (_, page) = get(&marco, &app, "/dashboard").await;
    let marco_form = [("csrf", csrf(&page)), ("notes", "mine now".to_string())];
    let marco_form: Vec<(&str, &str)> = marco_form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    assert_eq!(
        edit(&marco, &app, &id, &marco_form).await,
        StatusCode::NOT_FOUND
    );
    assert_eq!(call_json(&app, &id).await, call, "nothing changed");
}

async fn csrf_refused(app: TestApp) {
    let (id, before) = sparkle_call(&app).await;
    let dj = login(&app, SPARKLE).await;
    let forged = [
        ("csrf", "forged-token"),
        ("event_type", "wedding"),
        ("lead_score", "cold"),
        ("notes", "forged"),
    ];
    assert_eq!(edit(&dj, &app, &id, &forged).await, StatusCode::FORBIDDEN);
    let missing = [
        ("event_type", "wedding"),
        ("lead_score", "cold"),
        ("notes", "forged"),
    ];
    assert_eq!(edit(&dj, &app, &id, &missing).await, StatusCode::FORBIDDEN);
    assert_eq!(call_json(&app, &id).await, before);
    let record = stored(&app, &id).await;
    assert!(!record.lead_score_set_by_person && !record.event_type_set_by_person);
}

async fn quality_shown(app: TestApp) {
    let (id, _) = sparkle_call(&app).await;
    let sparkle = DjProfileId(SPARKLE_ID.parse().unwrap());
    let second = app.calls_of(sparkle).await[1]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let now = app.app.now();
    let store = &app.db.store;
    let good = CallQuality {
        disconnected_by: DisconnectedBy::Dj,
        post_dial_delay_ms: Some(121),
        mos: Some(4.3),
        jitter_ms: Some(0.5),
        packet_loss_percent: Some(0.0),
    };
    let poor = CallQuality {
        disconnected_by: DisconnectedBy::Caller,
        mos: Some(2.9),
        ..good.clone()
    };
    assert!(
        store
            .record_call_quality(CallId(id.parse().unwrap()), &good, now)
            .await
            .unwrap()
    );
    assert!(
        store
            .record_call_quality(CallId(second.parse().unwrap()), &poor, now)
            .await
            .unwrap()
    );

    let admin = login(&app, ADMIN).await;
    let (status, page) = get(&admin, &app, "/admin").await;
    assert_eq!(status, 200);
    let value = |id: &str| {
        attr_after(
            &page,
            &format!("data-testid=\"quality-{id}\""),
            "data-value",
        )
    };
    assert_eq!(value("calls"), "2");
    assert!((value("average-mos").parse::<f64>().unwrap() - 3.6).abs() < 1e-9);
    assert_eq!(value("poor-mos-share"), "0.5");
    assert_eq!(
        (
            value("hung-up-caller").as_str(),
            value("hung-up-dj").as_str()
        ),
        ("1", "1")
    );

    let dj = login(&app, SPARKLE).await;
    let (_, page) = get(&dj, &app, &format!("/dashboard/calls/{second}")).await;
    assert!(page.contains("data-testid=\"quality-poor\""));
    assert!(page.contains("data-testid=\"quality-disconnected-by\">the caller<"));
    assert!(page.contains("data-testid=\"quality-mos\">2.9<"));
    // A DJ has no platform figures.
    let (status, _) = get(&dj, &app, "/admin").await;
    assert_ne!(status, 200);
}
