//! DJ profiles: created and updated with PUT (merging omitted fields), read by their DJ.

use super::support::{DJ_A, DJ_B, NOBODY, World, get, put};
use serde_json::{Value, json};

#[tokio::test]
async fn a_profile_is_created_then_updated_with_omitted_fields_kept() {
    let w = World::sqlite().await;
    let path = format!("/api/djdash/profiles/{NOBODY}");
    let reply = put(
        &w.t,
        &path,
        w.service,
        &json!({"dj_name": "  DJ Sparkle  ", "dj_slug": "dj-sparkle", "real_phone_number": "(415) 555-2671"}),
    )
    .await;
    let created = reply.ok(201)["profile"].clone();
    for (field, value) in [
        ("id", json!(NOBODY)),
        ("dj_name", json!("DJ Sparkle")),
        ("dj_slug", json!("dj-sparkle")),
        ("is_published", json!(false)),
        ("timezone", json!("America/New_York")),
        ("real_phone_number", json!("+14155552671")),
        ("product_context", json!("djdash")),
        ("created_at", json!("2026-06-15T12:00:00Z")),
    ] {
        assert_eq!(created[field], value, "{field}");
    }

    // An update names only what changes; the rest is kept. The admin may do it too.
    w.t.clock.set("2026-06-15T12:30:00Z".parse().expect("time"));
    let reply = put(
        &w.t,
        &path,
        &w.admin,
        &json!({"timezone": "America/Chicago"}),
    )
    .await;
    let updated = reply.ok(200)["profile"].clone();
    assert_eq!(updated["timezone"], json!("America/Chicago"));
    assert_eq!(updated["updated_at"], json!("2026-06-15T12:30:00Z"));
    for kept in [
        "dj_name",
        "dj_slug",
        "is_published",
        "real_phone_number",
        "created_at",
    ] {
        assert_eq!(updated[kept], created[kept], "{kept}");
    }
    let reply = put(
        &w.t,
        &path,
        w.service,
        &json!({"id": NOBODY, "dj_name": "DJ Sparkle II", "real_phone_number": "+1 212 555 2368", "product_context": "djdash"}),
    )
    .await;
    let renamed = reply.ok(200)["profile"].clone();
    assert_eq!(renamed["dj_name"], json!("DJ Sparkle II"));
    assert_eq!(renamed["real_phone_number"], json!("+12125552368"));
    assert_eq!(renamed["timezone"], json!("America/Chicago"));
    assert_eq!(renamed["dj_slug"], json!("dj-sparkle"));
    // null clears the real number.
    let reply = put(&w.t, &path, w.service, &json!({"real_phone_number": null})).await;
    assert_eq!(reply.ok(200)["profile"]["real_phone_number"], Value::Null);

    // GET answers the same shape as PUT.
    let reply = get(&w.t, &path, w.service).await;
    let read = reply.ok(200)["profile"].clone();
    assert_eq!(read["dj_name"], json!("DJ Sparkle II"));
    assert_eq!(read["real_phone_number"], Value::Null);
}

#[tokio::test]
async fn a_slug_belongs_to_one_profile_only() {
    let w = World::sqlite().await;
    let reply = put(
        &w.t,
        &format!("/api/djdash/profiles/{DJ_B}"),
        w.service,
        &json!({"dj_slug": "dj-a"}),
    )
    .await;
    reply.assert_error(409, "slug_taken", None);
    let reply = put(
        &w.t,
        &format!("/api/djdash/profiles/{NOBODY}"),
        w.service,
        &json!({"dj_name": "Copycat", "dj_slug": "dj-a"}),
    )
    .await;
    reply.assert_error(409, "slug_taken", None);
    // Neither attempt changed anything; re-saving one's own slug is fine.
    let reply = get(&w.t, &format!("/api/djdash/profiles/{NOBODY}"), w.service).await;
    reply.assert_error(404, "not_found", None);
    let reply = put(
        &w.t,
        &format!("/api/djdash/profiles/{DJ_A}"),
        w.service,
        &json!({"dj_slug": "dj-a"}),
    )
    .await;
    reply.ok(200);
    let reply = get(&w.t, &format!("/api/djdash/profiles/{DJ_B}"), w.service).await;
    assert_eq!(reply.ok(200)["profile"]["dj_slug"], json!("dj-b"));
}

#[tokio::test]
async fn a_bad_timezone_is_refused_and_changes_nothing() {
    let w = World::sqlite().await;
    let path = format!("/api/djdash/profiles/{DJ_A}");
    let reply = put(
        &w.t,
        &path,
        w.service,
        &json!({"dj_name": "Renamed", "timezone": "Central Time"}),
    )
    .await;
    reply.assert_error(400, "invalid_field", Some("timezone"));
    let reply = get(&w.t, &path, w.service).await;
    let profile = reply.ok(200)["profile"].clone();
    assert_eq!(profile["dj_name"], json!("dj-a"));
    assert_eq!(profile["timezone"], json!("America/New_York"));
}

#[tokio::test]
async fn the_owner_dj_reads_their_profile() {
    let w = World::sqlite().await;
    let path = format!("/api/djdash/profiles/{DJ_A}");
    let reply = get(&w.t, &path, &w.dj_a).await;
    let mine = reply.ok(200)["profile"].clone();
    assert_eq!(mine["id"], json!(DJ_A.to_string()));
    assert_eq!(mine["dj_slug"], json!("dj-a"));
    assert_eq!(mine["is_published"], json!(true));
    let reply = get(&w.t, &path, w.service).await;
    assert_eq!(reply.ok(200)["profile"], mine);
}
