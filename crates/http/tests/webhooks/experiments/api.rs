//! The experiments API: creation with every refusal naming its field (and storing nothing),
//! start/stop with one experiment running at a time, and who may use it.

use super::support::*;
use djcalls_domain::{DjProfileId, Role};
use djcalls_testkit::TestApp;
use serde_json::{Value, json};

djcalls_testkit::on_both_backends! { TestApp:
    bad_experiments_are_refused_naming_the_field => refusals;
    experiments_start_and_stop_one_at_a_time => start_and_stop;
}

fn with(mut body: Value, pointer: &str, value: Value) -> Value {
    *body.pointer_mut(pointer).unwrap() = value;
    body
}

async fn refusals(app: TestApp) {
    let good = two_variants("Wording", [50, 50]);
    let three = json!([
        {"name": "A", "thanks": {"en": thanks("A")}},
        {"name": "B", "thanks": {"en": thanks("B")}},
        {"name": "C", "thanks": {"en": thanks("C")}},
    ]);
    let five: Vec<Value> = (0..5)
        .map(|i| json!({"name": format!("V{i}"), "thanks": {"en": thanks("V")}}))
        .collect();
    let long = format!("{{link}} {}", "Book your date with us today. ".repeat(12));
    let cases: Vec<(&str, Value, &str)> = vec![
        ("no name", with(good.clone(), "/name", json!("  ")), "name"),
        (
            "one variant",
            with(
                with(good.clone(), "/variants", json!([good["variants"][0]])),
                "/split",
                json!([100]),
            ),
            "variants",
        ),
        (
            "five variants",
            with(
                with(good.clone(), "/variants", json!(five)),
                "/split",
                json!([20, 20, 20, 20, 20]),
            ),
            "variants",
        ),
        (
            "split of 90",
            with(good.clone(), "/split", json!([50, 40])),
            "split",
        ),
        (
            "split of 110",
            with(good.clone(), "/split", json!([60, 50])),
            "split",
        ),
        (
            "a 0 % share",
            with(good.clone(), "/split", json!([100, 0])),
            "split",
        ),
        (
            "a split per variant",
            with(good.clone(), "/variants", three.clone()),
            "split",
        ),
        (
            "no split",
            with(good.clone(), "/split", Value::Null),
            "split",
        ),
        (
            "no {link}",
            with(
                good.clone(),
                "/variants/1/thanks/en",
                json!("Thanks for calling {dj_name}!"),
            ),
            "variants[1].thanks.en",
        ),
        (
            "unknown placeholder",
            with(
                good.clone(),
                "/variants/0/thanks/es",
                json!("Hola {caller_name}: {link}"),
            ),
            "variants[0].thanks.es",
        ),
        (
            "over two segments",
            with(good.clone(), "/variants/0/thanks/en", json!(long)),
            "variants[0].thanks.en",
        ),
        (
            "no English text",
            with(
                good.clone(),
                "/variants/1/thanks",
                json!({"es": gracias("B")}),
            ),
            "variants[1].thanks.en",
        ),
        (
            "same names",
            with(good.clone(), "/variants/1/name", json!("A")),
            "variants[1].name",
        ),
        (
            "unnamed variant",
            with(good.clone(), "/variants/0/name", json!("")),
            "variants[0].name",
        ),
    ];
    for (case, body, field) in cases {
        let (status, answer) = post(&app, "/api/djdash/experiments", Some(&body)).await;
        assert_eq!(status, 400, "{case}: {answer}");
        assert_eq!(answer["field"], field, "{case}: {answer}");
        assert_eq!(answer["success"], false);
        assert!(
            !answer["error"].as_str().unwrap().is_empty(),
            "{case}: a sentence"
        );
    }
    let (_, list) = get(&app, "/api/djdash/experiments").await;
    assert_eq!(list["experiments"], json!([]), "nothing stored");

    // Who may: a DJ is refused even a bad body; no token is 401.
    let dj = DjProfileId(uuid::Uuid::new_v4());
    let token = app.user_token("dj@dj.test", Role::Dj, &[dj]).await;
    let path = "/api/djdash/experiments";
    let (status, _) = send(&app, reqwest::Method::POST, path, &token, Some(&good)).await;
    assert_eq!(status, 403);
    let (status, _) = send(&app, reqwest::Method::GET, path, &token, None).await;
    assert_eq!(status, 403);
    let anonymous = app.client.get(app.url(path)).send().await.unwrap();
    assert_eq!(anonymous.status(), 401);

    // A good one: 201, a draft at zero; three variants with a 20/30/50 split.
    let admin = app.user_token("admin@admin.test", Role::Admin, &[]).await;
    let (status, answer) = send(&app, reqwest::Method::POST, path, &admin, Some(&good)).await;
    assert_eq!(status, 201, "{answer}");
    let e = &answer["experiment"];
    assert_eq!(
        (e["state"].as_str(), e["name"].as_str()),
        (Some("draft"), Some("Wording"))
    );
    assert_eq!(e["split"], json!([50, 50]));
    assert_eq!(e["winner"], Value::Null);
    assert_eq!(e["method"]["interval"], "wilson");
    let a = &e["variants"][0];
    assert_eq!(a["thanks"]["es"], gracias("A"));
    assert_eq!(e["variants"][1]["thanks"].get("es"), None);
    assert_eq!(
        (
            a["sent"].as_i64(),
            a["paid"].as_i64(),
            a["revenueCents"].as_i64()
        ),
        (Some(0), Some(0), Some(0))
    );
    assert_eq!(a["conversionRate"], Value::Null);
    assert_eq!(a["conversionInterval"], Value::Null);
    let body = with(good, "/variants", three);
    let body = with(body, "/split", json!([20, 30, 50]));
    let e = create(&app, &body).await;
    assert_eq!(e["split"], json!([20, 30, 50]));
    assert_eq!(e["variants"][2]["name"], "C");
}

async fn start_and_stop(app: TestApp) {
    let a = create(&app, &two_variants("First", [50, 50])).await;
    let b = create(&app, &two_variants("Second", [30, 70])).await;
    let (a, b) = (a["id"].as_str().unwrap(), b["id"].as_str().unwrap());
    let path = |id: &str, action: &str| format!("/api/djdash/experiments/{id}/{action}");

    let (status, answer) = post(&app, &path(a, "start"), None).await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["experiment"]["state"], "running");
    assert!(answer["experiment"]["startedAt"].is_string());
    let (status, _) = post(&app, &path(a, "start"), None).await;
    assert_eq!(status, 200, "the running one again: nothing changes");

    let (status, answer) = post(&app, &path(b, "start"), None).await;
    assert_eq!(
        (status, answer["code"].as_str()),
        (409, Some("experiment_running"))
    );
    let (status, answer) = post(&app, &path(b, "stop"), None).await;
    assert_eq!(
        (status, answer["code"].as_str()),
        (409, Some("experiment_not_started"))
    );
    assert_eq!(experiment(&app, b).await["state"], "draft");

    let (status, answer) = post(&app, &path(a, "stop"), None).await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["experiment"]["state"], "stopped");
    assert!(answer["experiment"]["stoppedAt"].is_string());
    let (status, answer) = post(&app, &path(a, "start"), None).await;
    assert_eq!(
        (status, answer["code"].as_str()),
        (409, Some("experiment_stopped"))
    );
    let (status, _) = post(&app, &path(b, "start"), None).await;
    assert_eq!(status, 200, "the slot is free again");

    let (_, list) = get(&app, "/api/djdash/experiments").await;
    let states: Vec<_> = list["experiments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["id"].as_str().unwrap(), e["state"].as_str().unwrap()))
        .collect();
    assert_eq!(states, [(b, "running"), (a, "stopped")], "newest first");

    let unknown = uuid::Uuid::new_v4();
    let (status, _) = post(&app, &path(&unknown.to_string(), "start"), None).await;
    assert_eq!(status, 404);
    let (status, _) = get(&app, &format!("/api/djdash/experiments/{unknown}")).await;
    assert_eq!(status, 404);
    let (status, answer) = get(&app, "/api/djdash/experiments/not-an-id").await;
    assert_eq!((status, answer["field"].as_str()), (400, Some("id")));
}
