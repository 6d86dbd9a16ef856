//! The OpenAPI document (SPEC §14): served, valid OpenAPI 3.1, naming every `/api/` route the
//! router has, and true to what the API answers. `fuzz` drives every documented operation with
//! inputs generated from it (issue 10's fuzz suite).

mod fuzz;
mod schema_values;

use super::support::{World, get, raw};
use reqwest::Method;
use serde_json::{Value, json};
use std::collections::BTreeSet;

/// The served document.
pub async fn document(t: &djcalls_testkit::TestApp) -> Value {
    let reply = raw(t, Method::GET, "/api/openapi.json", None, None, None).await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    reply.body
}

/// `(METHOD, path template)` of every documented operation.
pub fn operations(doc: &Value) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for (method, _) in item.as_object().expect("path item") {
            if ["get", "put", "post", "delete", "patch"].contains(&method.as_str()) {
                out.push((method.to_uppercase(), path.clone()));
            }
        }
    }
    out
}

#[tokio::test]
async fn the_document_is_valid_openapi_3_1_with_every_reference_resolved() {
    let w = World::sqlite().await;
    let doc = document(&w.t).await;
    assert!(
        doc["openapi"]
            .as_str()
            .is_some_and(|v| v.starts_with("3.1.")),
        "{}",
        doc["openapi"]
    );
    // The typed model of oas3 (a parser for 3.1) reads every object of the document.
    let spec: oas3::Spec =
        serde_json::from_value(doc.clone()).expect("a valid OpenAPI 3.1 document");
    assert_eq!(spec.info.title, "djcalls");
    let mut unresolved = BTreeSet::new();
    collect_refs(&doc, &mut |reference| {
        let pointer = reference.trim_start_matches('#');
        if !reference.starts_with("#/") || doc.pointer(pointer).is_none() {
            unresolved.insert(reference.to_string());
        }
    });
    assert!(unresolved.is_empty(), "unresolved $refs: {unresolved:?}");
    // Every operation says who may call it and what it answers.
    for (method, path) in operations(&doc) {
        let op = &doc["paths"][&path][method.to_lowercase()];
        assert!(
            op["responses"].as_object().is_some_and(|r| !r.is_empty()),
            "{method} {path}"
        );
        assert!(
            op["tags"].as_array().is_some_and(|t| !t.is_empty()),
            "{method} {path}: no tag"
        );
    }
    // People can read it: the viewer is served from this service (vendored assets, no CDN).
    let viewer = raw(&w.t, Method::GET, "/api/docs/", None, None, None).await;
    assert_eq!(viewer.status, 200);
    let html = viewer.body.as_str().expect("html");
    assert!(html.contains("swagger"), "{html}");
    assert!(
        !html.contains("://"),
        "the viewer loads nothing from elsewhere: {html}"
    );
}

fn collect_refs(value: &Value, found: &mut impl FnMut(&str)) {
    match value {
        Value::Object(map) => {
            if let Some(Value::String(reference)) = map.get("$ref") {
                found(reference);
            }
            map.values().for_each(|v| collect_refs(v, found));
        }
        Value::Array(items) => items.iter().for_each(|v| collect_refs(v, found)),
        _ => {}
    }
}

/// Each documented operation is a real route: without credentials it answers as that route
/// does (401, 400 or a provider's 403), never the router's "no such address" 404 or 405.
#[tokio::test]
async fn every_documented_operation_is_routed() {
    let w = World::sqlite().await;
    let doc = document(&w.t).await;
    let operations = operations(&doc);
    assert!(operations.len() >= 25, "{operations:?}");
    for (method, path) in operations {
        let concrete = path
            .replace("{id}", "00000000-0000-4000-8000-00000000dead")
            .replace("{number}", "+14155550100");
        let reply = raw(&w.t, method.parse().unwrap(), &concrete, None, None, None).await;
        let routed = !(reply.status == 405
            || (reply.status == 404 && reply.body["code"] == json!("not_found")));
        assert!(routed, "{method} {path} → {} {}", reply.status, reply.body);
    }
}

/// The other half: every `/api/` route the code registers is in the document. Routes under
/// `/api/` are registered through `utoipa_axum::routes!` (handler and operation in one
/// registration) or `webhooks::documented::webhook`; this scan catches a route added with a
/// plain `.route("/api/…")`, which would serve requests the document does not mention.
#[tokio::test]
async fn every_api_route_in_the_code_is_documented() {
    let w = World::sqlite().await;
    let doc = document(&w.t).await;
    let documented: BTreeSet<&str> = doc["paths"]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut undocumented = Vec::new();
    let mut files = vec![src];
    while let Some(path) = files.pop() {
        if path.is_dir() {
            files.extend(std::fs::read_dir(&path).unwrap().map(|e| e.unwrap().path()));
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        for (index, _) in text.match_indices(".route(") {
            let rest = text[index + ".route(".len()..].trim_start();
            if let Some(literal) = rest.strip_prefix('"')
                && let Some(end) = literal.find('"')
            {
                let route = &literal[..end];
                let viewer = route == "/api/openapi.json" || route.starts_with("/api/docs");
                if route.starts_with("/api/") && !viewer && !documented.contains(route) {
                    undocumented.push(format!("{}: {route}", path.display()));
                }
            }
        }
    }
    assert!(
        undocumented.is_empty(),
        "routes missing from the document: {undocumented:?}"
    );
    for path in [
        "/api/djdash/calls",
        "/api/djdash/calls/{id}",
        "/api/djdash/calls/incoming",
        "/api/stripe/webhook",
        "/api/djdash/dni",
        "/api/djdash/clicks",
    ] {
        assert!(documented.contains(path), "{path}");
    }
}

/// The document is true to the API: real answers validate against the schemas it gives for
/// them.
#[tokio::test]
async fn answers_match_their_documented_schemas() {
    let w = World::sqlite().await;
    let (numbered, _) =
        w.t.dj_with_number("numbered", "Numbered DJ", "America/Chicago")
            .await;
    let call = w
        .log_call(json!({"dj_profile_id": super::support::DJ_A.to_string(),
            "caller_number": "+14155550199", "notes": "a, \"quoted\" note"}))
        .await;
    let created: Value =
        w.t.client
            .post(w.t.url("/api/djdash/experiments"))
            .bearer_auth(&w.admin)
            .json(&json!({"name": "Wording", "split": [40, 60], "variants": [
            {"name": "A", "thanks": {"en": "Thanks! {link}", "es": "¡Gracias! {link}"}},
            {"name": "B", "thanks": {"en": "{dj_name}: {link}"}}]}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
    let experiment = created["experiment"]["id"].as_str().unwrap().to_string();
    let doc = document(&w.t).await;
    let id = call["id"].as_str().unwrap();
    let dj = numbered.to_string();
    let checks = [
        ("/api/djdash/calls", "/api/djdash/calls".to_string()),
        ("/api/djdash/calls/{id}", format!("/api/djdash/calls/{id}")),
        (
            "/api/djdash/calls/analytics",
            "/api/djdash/calls/analytics".into(),
        ),
        (
            "/api/djdash/admin/analytics",
            "/api/djdash/admin/analytics".into(),
        ),
        (
            "/api/djdash/profiles/{id}",
            format!("/api/djdash/profiles/{dj}"),
        ),
        (
            "/api/djdash/virtual-numbers",
            format!("/api/djdash/virtual-numbers?dj_profile_id={dj}"),
        ),
        (
            "/api/djdash/virtual-numbers/pool",
            "/api/djdash/virtual-numbers/pool".into(),
        ),
        ("/api/djdash/admin/jobs", "/api/djdash/admin/jobs".into()),
        (
            "/api/djdash/admin/opt-outs",
            "/api/djdash/admin/opt-outs".into(),
        ),
        ("/api/djdash/dni", format!("/api/djdash/dni?ids={dj}")),
        (
            "/api/djdash/reports/sources",
            "/api/djdash/reports/sources".into(),
        ),
        (
            "/api/djdash/reports/funnel",
            "/api/djdash/reports/funnel".into(),
        ),
        ("/api/djdash/experiments", "/api/djdash/experiments".into()),
        (
            "/api/djdash/experiments/{id}",
            format!("/api/djdash/experiments/{experiment}"),
        ),
    ];
    for (template, concrete) in checks {
        let reply = get(&w.t, &concrete, &w.admin).await;
        assert_eq!(reply.status, 200, "{concrete}: {}", reply.body);
        let schema = &doc["paths"][template]["get"]["responses"]["200"]["content"]["application/json"]
            ["schema"];
        assert!(schema.is_object(), "{template}: no schema for 200");
        let validator = jsonschema::validator_for(&json!({
            "allOf": [schema],
            "components": doc["components"],
        }))
        .unwrap();
        let errors: Vec<String> = validator
            .iter_errors(&reply.body)
            .map(|e| format!("{} at {}", e, e.instance_path()))
            .collect();
        assert!(errors.is_empty(), "{template}: {errors:?}\n{}", reply.body);
    }
    // An error answer fits ErrorBody.
    let reply = get(&w.t, "/api/djdash/calls?limit=0", &w.admin).await;
    let validator = jsonschema::validator_for(&json!({
        "$ref": "#/components/schemas/ErrorBody",
        "components": doc["components"],
    }))
    .unwrap();
    assert!(validator.is_valid(&reply.body), "{}", reply.body);
}
