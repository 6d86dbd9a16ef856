//! Raw SQL under a DJ's identity: reads see only that DJ's rows, writes to another DJ's fail.

use super::*;

#[tokio::test]
async fn raw_sql_as_the_owner_role_with_a_dj_identity_sees_only_that_djs_rows() {
    sees_only_own_rows(PgSetup::Owner).await;
}

#[tokio::test]
async fn raw_sql_as_the_app_role_with_a_dj_identity_sees_only_that_djs_rows() {
    sees_only_own_rows(PgSetup::OwnerWithAppRole).await;
}

#[tokio::test]
async fn raw_sql_as_the_owner_role_cannot_write_rows_for_another_dj() {
    cannot_write_for_another_dj(PgSetup::Owner).await;
}

#[tokio::test]
async fn raw_sql_as_the_app_role_cannot_write_rows_for_another_dj() {
    cannot_write_for_another_dj(PgSetup::OwnerWithAppRole).await;
}

async fn sees_only_own_rows(setup: PgSetup) {
    let Some((db, w)) = world_in(setup).await else {
        return;
    };

    let mut tx = as_identity(&db, Some("dj"), &[w.a]).await;
    assert_eq!(call_owners(&mut tx).await, vec![w.a.0; 3]);
    assert_eq!(count(&mut tx, "payments").await, 1);
    let profiles: Vec<Uuid> = sqlx::query_scalar("SELECT id FROM dj_profiles")
        .fetch_all(&mut *tx)
        .await
        .unwrap();
    assert_eq!(profiles, vec![w.a.0]);
    // Identity tables are not a DJ's business.
    assert_eq!(count(&mut tx, "users").await, 0);
    assert_eq!(count(&mut tx, "user_profiles").await, 0);
    assert_eq!(count(&mut tx, "api_tokens").await, 0);
    // Changing or deleting B's rows touches nothing.
    let updated = sqlx::query("UPDATE dj_calls SET notes = 'mine now' WHERE dj_profile_id = $1")
        .bind(w.b.0)
        .execute(&mut *tx)
        .await
        .unwrap();
    assert_eq!(updated.rows_affected(), 0);
    let deleted = sqlx::query("DELETE FROM payments WHERE dj_profile_id = $1")
        .bind(w.b.0)
        .execute(&mut *tx)
        .await
        .unwrap();
    assert_eq!(deleted.rows_affected(), 0);
    let renamed = sqlx::query("UPDATE dj_profiles SET dj_name = 'Mine' WHERE id = $1")
        .bind(w.b.0)
        .execute(&mut *tx)
        .await
        .unwrap();
    assert_eq!(renamed.rows_affected(), 0);
    tx.rollback().await.unwrap();

    // A DJ owning both profiles sees both.
    let mut tx = as_identity(&db, Some("dj"), &[w.a, w.b]).await;
    assert_eq!(call_owners(&mut tx).await.len(), 5);
    assert_eq!(count(&mut tx, "payments").await, 2);
    tx.rollback().await.unwrap();

    // Admins (and the service, and the system) see everything.
    for role in ["admin", "service", "system"] {
        let mut tx = as_identity(&db, Some(role), &[]).await;
        assert_eq!(call_owners(&mut tx).await.len(), 5, "{role}");
        assert_eq!(count(&mut tx, "payments").await, 2, "{role}");
        assert_eq!(count(&mut tx, "dj_profiles").await, 2, "{role}");
        assert_eq!(count(&mut tx, "users").await, 1, "{role}");
        tx.rollback().await.unwrap();
    }

    // The role with no identity at all sees nothing; nor does an unknown role, nor a DJ
    // with no profiles.
    for (role, profiles) in [
        (None, vec![]),
        (Some("intruder"), vec![]),
        (Some("dj"), vec![]),
    ] {
        let mut tx = as_identity(&db, role, &profiles).await;
        for table in ["dj_calls", "payments", "dj_profiles", "users", "api_tokens"] {
            assert_eq!(count(&mut tx, table).await, 0, "{role:?} {table}");
        }
        tx.rollback().await.unwrap();
    }
}

async fn cannot_write_for_another_dj(setup: PgSetup) {
    let Some((db, w)) = world_in(setup).await else {
        return;
    };
    let only_a = [w.a];
    let as_a = || as_identity(&db, Some("dj"), &only_a);

    // dj_calls: own profile yes, another's no, and no moving an own call to another DJ.
    let mut tx = as_a().await;
    sqlx::query(INSERT_CALL)
        .bind(Uuid::now_v7())
        .bind(w.a.0)
        .execute(&mut *tx)
        .await
        .expect("a DJ may log their own call");
    tx.rollback().await.unwrap();
    let mut tx = as_a().await;
    let result = sqlx::query(INSERT_CALL)
        .bind(Uuid::now_v7())
        .bind(w.b.0)
        .execute(&mut *tx)
        .await;
    assert_eq!(sqlstate(result), RLS_VIOLATION);
    tx.rollback().await.unwrap();
    let mut tx = as_a().await;
    let result = sqlx::query("UPDATE dj_calls SET dj_profile_id = $1 WHERE id = $2")
        .bind(w.b.0)
        .bind(w.a_calls[1].id.0)
        .execute(&mut *tx)
        .await;
    assert_eq!(sqlstate(result), RLS_VIOLATION);
    tx.rollback().await.unwrap();

    // payments
    let mut tx = as_a().await;
    sqlx::query(INSERT_PAYMENT)
        .bind(Uuid::now_v7())
        .bind(w.a_calls[1].id.0)
        .bind(w.a.0)
        .bind("pi_own")
        .execute(&mut *tx)
        .await
        .expect("policy allows an own payment row");
    tx.rollback().await.unwrap();
    let mut tx = as_a().await;
    let result = sqlx::query(INSERT_PAYMENT)
        .bind(Uuid::now_v7())
        .bind(w.b_calls[1].id.0)
        .bind(w.b.0)
        .bind("pi_theirs")
        .execute(&mut *tx)
        .await;
    assert_eq!(sqlstate(result), RLS_VIOLATION);
    tx.rollback().await.unwrap();

    // dj_profiles: only ids in the DJ's own list.
    let fresh = DjProfileId(Uuid::from_u128(0xf00d));
    let mut tx = as_identity(&db, Some("dj"), &[w.a, fresh]).await;
    sqlx::query(INSERT_PROFILE)
        .bind(fresh.0)
        .bind("fresh")
        .execute(&mut *tx)
        .await
        .expect("policy allows a profile in the DJ's own list");
    tx.rollback().await.unwrap();
    let mut tx = as_a().await;
    let result = sqlx::query(INSERT_PROFILE)
        .bind(fresh.0)
        .bind("fresh")
        .execute(&mut *tx)
        .await;
    assert_eq!(sqlstate(result), RLS_VIOLATION);
    tx.rollback().await.unwrap();

    // users: identity tables are closed to DJs.
    let mut tx = as_a().await;
    let result = sqlx::query(
        "INSERT INTO users (id, email, password_hash, role, created_at) \
         VALUES ($1, 'x@example.com', 'h', 'admin', now())",
    )
    .bind(Uuid::now_v7())
    .execute(&mut *tx)
    .await;
    assert_eq!(sqlstate(result), RLS_VIOLATION);
    tx.rollback().await.unwrap();

    // Nothing above stuck.
    let mut tx = as_identity(&db, Some("admin"), &[]).await;
    assert_eq!(count(&mut tx, "dj_calls").await, 5);
    assert_eq!(count(&mut tx, "payments").await, 2);
    assert_eq!(count(&mut tx, "dj_profiles").await, 2);
    tx.rollback().await.unwrap();
}
