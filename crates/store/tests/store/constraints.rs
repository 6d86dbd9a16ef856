//! Story 6: what the schema refuses, and how the store reports it.

use crate::common::*;
use djcalls_domain::{Actor, CallId, Role};
use djcalls_store::StoreError;
use djcalls_store::profiles::ProfileFields;
use djcalls_testkit::TestDb;
use uuid::Uuid;

djcalls_testkit::on_both_backends! { &TestDb:
    a_duplicate_call_sid_or_id_is_a_conflict_and_an_unknown_profile_a_missing_reference => calls;
    a_taken_slug_is_a_conflict_but_updating_a_profile_in_place_is_not => profiles;
    emails_are_unique_case_insensitively_and_revoked_tokens_stop_working => users_and_tokens;
}

async fn calls(db: &TestDb) {
    let store = &db.store;
    let p = profile(1);
    create_profile(store, p, "sid", "Sid").await;
    let with_sid =
        |sid: &str| call(p, "2026-03-02T10:00:00Z").with(|c| c.call_sid = Some(sid.to_string()));
    let first = insert(store, with_sid("CA0001")).await;
    // A logged SID is kept apart from the SID Twilio's webhooks find calls by (SPEC §11).
    assert_eq!(first.call_sid, None);
    assert_eq!(first.logged_call_sid.as_deref(), Some("CA0001"));

    let again = store
        .insert_call(&Actor::Service, &with_sid("CA0001"), now())
        .await;
    assert!(matches!(again, Err(StoreError::Conflict(_))), "{again:?}");
    // Another DJ may log the same SID: whether it exists elsewhere is not theirs to learn.
    create_profile(store, profile(2), "sid-two", "Sid Two").await;
    let elsewhere =
        call(profile(2), "2026-03-02T10:00:00Z").with(|c| c.call_sid = Some("CA0001".to_string()));
    insert(store, elsewhere).await;
    // Calls without a call_sid (logged through the API) are not duplicates of each other.
    insert(store, call(p, "2026-03-02T10:00:00Z")).await;
    insert(store, call(p, "2026-03-02T10:00:00Z")).await;
    // The same id twice.
    let same_id = call(p, "2026-03-03T10:00:00Z").with(|c| c.id = first.id);
    let result = store.insert_call(&Actor::Service, &same_id, now()).await;
    assert!(matches!(result, Err(StoreError::Conflict(_))), "{result:?}");

    // A call for a profile that does not exist.
    let orphan = call(profile(99), "2026-03-02T10:00:00Z");
    let result = store.insert_call(&Actor::Service, &orphan, now()).await;
    assert!(
        matches!(result, Err(StoreError::MissingReference)),
        "{result:?}"
    );
    assert!(
        store
            .call(&Actor::Service, orphan.id)
            .await
            .unwrap()
            .is_none()
    );

    // Values outside the schema's vocabularies are refused by the schema too (the store's
    // types cannot even express them, so these go in as raw SQL).
    let bad = call(p, "2026-03-02T10:00:00Z").with(|c| c.call_duration_seconds = Some(-1));
    let result = store.insert_call(&Actor::Service, &bad, now()).await;
    assert!(matches!(result, Err(StoreError::Database(_))), "{result:?}");
    let raw = raw(db).await;
    for (column, value) in [
        ("lead_score", "lukewarm"),
        ("call_status", "answered"),
        ("source", "web"),
    ] {
        let sql = format!(
            "INSERT INTO dj_calls (id, dj_profile_id, \"timestamp\", {column}, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $3, $3)"
        );
        let result = raw_tx!(&raw, rollback, |conn| {
            sqlx::query(sqlx::AssertSqlSafe(sql.clone()))
                .bind(Uuid::now_v7())
                .bind(p.0)
                .bind(now())
                .bind(value)
                .execute(&mut *conn)
                .await
                .map(|_| ())
        });
        match result {
            Err(sqlx::Error::Database(e)) => assert_eq!(
                e.kind(),
                sqlx::error::ErrorKind::CheckViolation,
                "{column}: {e}"
            ),
            other => panic!("{column} = {value}: {other:?}"),
        }
    }

    // Nothing refused was written: the first call and the two without a sid.
    let a = analytics(store, &Actor::Service, Some(p), &range(None, None, None)).await;
    assert_eq!(a.total_calls, 3);
    assert_eq!(a.calls_by_day.len(), 1);
    let stored = fetch_call(store, first.id).await;
    assert_eq!(stored, first);
    assert!(
        store
            .call(&Actor::Service, CallId(Uuid::from_u128(1)))
            .await
            .unwrap()
            .is_none()
    );

    // Both backends keep microseconds and drop the rest the same way (truncation).
    let precise = insert(store, call(p, "2026-03-02T23:59:59.999999999Z")).await;
    assert_eq!(precise.timestamp, at("2026-03-02T23:59:59.999999Z"));
    assert_eq!(
        fetch_call(store, precise.id).await.timestamp,
        precise.timestamp
    );
}

fn fields(name: &str, slug: &str) -> ProfileFields {
    ProfileFields {
        dj_name: name.to_string(),
        dj_slug: slug.to_string(),
        is_published: false,
        timezone: "America/Chicago".to_string(),
        real_phone_number: None,
    }
}

async fn profiles(db: &TestDb) {
    let store = &db.store;
    let (a, b) = (profile(1), profile(2));
    let (created, new) = store
        .upsert_profile(&Actor::Service, a, &fields("Alpha", "alpha"), now())
        .await
        .unwrap();
    assert!(new);
    assert_eq!(
        (created.dj_name.as_str(), created.dj_slug.as_str()),
        ("Alpha", "alpha")
    );
    assert_eq!(created.timezone, "America/Chicago");

    // Another profile may not take the slug.
    let result = store
        .upsert_profile(&Actor::Service, b, &fields("Bravo", "alpha"), now())
        .await;
    assert!(matches!(result, Err(StoreError::Conflict(_))), "{result:?}");
    assert!(store.profile(&Actor::Service, b).await.unwrap().is_none());

    // The owner may keep it, or change it, and the row is updated rather than created.
    let later = at("2026-06-16T12:00:00Z");
    let (updated, new) = store
        .upsert_profile(&Actor::Service, a, &fields("Alpha Prime", "alpha"), later)
        .await
        .unwrap();
    assert!(!new);
    assert_eq!(updated.dj_name, "Alpha Prime");
    assert_eq!((updated.created_at, updated.updated_at), (now(), later));

    // Once A moves on, the old slug is free.
    store
        .upsert_profile(
            &Actor::Service,
            a,
            &fields("Alpha Prime", "alpha-prime"),
            later,
        )
        .await
        .unwrap();
    let (bravo, new) = store
        .upsert_profile(&Actor::Service, b, &fields("Bravo", "alpha"), later)
        .await
        .unwrap();
    assert!(new);
    assert_eq!(bravo.dj_slug, "alpha");
    // And the new one is taken.
    let result = store
        .upsert_profile(&Actor::Service, b, &fields("Bravo", "alpha-prime"), later)
        .await;
    assert!(matches!(result, Err(StoreError::Conflict(_))), "{result:?}");
}

async fn users_and_tokens(db: &TestDb) {
    let store = &db.store;
    let (a, b) = (profile(1), profile(2));
    // Profiles need not exist yet.
    let user = store
        .insert_user(
            " DJ.One@Example.COM ",
            "argon2-hash",
            Role::Dj,
            &[b, a],
            now(),
        )
        .await
        .unwrap();
    assert_eq!(user.email, "dj.one@example.com");

    for other_case in [
        "dj.one@example.com",
        "DJ.ONE@EXAMPLE.COM",
        "Dj.One@example.com  ",
    ] {
        let result = store
            .insert_user(other_case, "other-hash", Role::Admin, &[], now())
            .await;
        assert!(
            matches!(result, Err(StoreError::Conflict(_))),
            "{other_case}: {result:?}"
        );
    }

    for lookup in [
        "dj.one@example.com",
        "DJ.One@EXAMPLE.com",
        "  dj.ONE@example.com",
    ] {
        let found = store.user_by_email(lookup).await.unwrap().expect(lookup);
        assert_eq!(found.id, user.id);
        assert_eq!(found.email, "dj.one@example.com");
        assert_eq!(found.password_hash, "argon2-hash");
        assert_eq!(found.role, Role::Dj);
        let mut profiles = vec![a, b];
        profiles.sort();
        assert_eq!(found.profiles, profiles);
    }
    assert!(
        store
            .user_by_email("dj.two@example.com")
            .await
            .unwrap()
            .is_none()
    );
    let admin_user = store
        .insert_user("boss@example.com", "h", Role::Admin, &[], now())
        .await
        .unwrap();
    let by_id = store.user(admin_user.id).await.unwrap().unwrap();
    assert_eq!((by_id.role, by_id.profiles.len()), (Role::Admin, 0));

    // API tokens: found by hash while live; a hash is unique.
    store
        .insert_api_token(user.id, "laptop", "hash-live", now())
        .await
        .unwrap();
    store
        .insert_api_token(user.id, "old phone", "hash-revoked", now())
        .await
        .unwrap();
    let result = store
        .insert_api_token(admin_user.id, "copy", "hash-live", now())
        .await;
    assert!(matches!(result, Err(StoreError::Conflict(_))), "{result:?}");
    for hash in ["hash-live", "hash-revoked"] {
        let found = store.user_by_token_hash(hash).await.unwrap().expect(hash);
        assert_eq!(found.id, user.id);
    }
    assert!(
        store
            .user_by_token_hash("hash-unknown")
            .await
            .unwrap()
            .is_none()
    );

    // There is no revoke API yet: revoke with plain SQL.
    let raw = raw(db).await;
    let revoked = raw_tx!(&raw, commit, |conn| {
        sqlx::query("UPDATE api_tokens SET revoked_at = created_at WHERE token_hash = $1")
            .bind("hash-revoked")
            .execute(&mut *conn)
            .await
            .unwrap()
            .rows_affected()
    });
    assert_eq!(revoked, 1);
    assert!(
        store
            .user_by_token_hash("hash-revoked")
            .await
            .unwrap()
            .is_none()
    );
    assert_eq!(
        store
            .user_by_token_hash("hash-live")
            .await
            .unwrap()
            .map(|u| u.id),
        Some(user.id)
    );
}
