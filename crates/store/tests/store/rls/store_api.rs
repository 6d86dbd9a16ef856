//! Through the store's API, a DJ actor never reaches another DJ's data.

use super::*;

async fn assert_untouched(store: &Store, w: &World) {
    let a = analytics(store, &Actor::Service, Some(w.a), &range(None, None, None)).await;
    assert_eq!((a.total_calls, a.total_revenue_cents), (3, 10_000));
    let profile = store.profile(&Actor::Service, w.a).await.unwrap().unwrap();
    assert_eq!(profile.dj_name, "Alpha");
}

#[tokio::test]
async fn through_the_store_a_dj_actor_never_reaches_another_djs_data() {
    let Some((db, w)) = world().await else {
        return;
    };
    let store = &db.store;
    let (as_a, as_b) = (dj(&[w.a]), dj(&[w.b]));
    let all = range(None, None, None);
    let a_call = w.a_calls[2].id;

    // Reads.
    assert!(store.call(&as_a, a_call).await.unwrap().is_some());
    assert!(store.call(&as_b, a_call).await.unwrap().is_none());
    assert!(store.profile(&as_b, w.a).await.unwrap().is_none());
    assert_eq!(
        store.call_figures(&as_b, Some(w.a), &all).await.unwrap(),
        CallFigures::default()
    );
    let a_filter = CallFilter {
        profile: Some(w.a),
        ..CallFilter::default()
    };
    assert!(
        store
            .list_calls(&as_b, &a_filter, None, 100)
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        store
            .list_calls(&as_a, &a_filter, None, 100)
            .await
            .unwrap()
            .len(),
        3
    );
    // Platform-wide queries by a DJ shrink to what the DJ may see.
    let mine = store.call_figures(&as_b, None, &all).await.unwrap();
    assert_eq!((mine.total_calls, mine.revenue_cents), (2, 20_000));
    let tops = store.top_djs(&as_b, &all, 10).await.unwrap();
    assert_eq!(
        tops.iter().map(|t| t.dj_profile_id).collect::<Vec<_>>(),
        vec![w.b]
    );
    let everything = store
        .list_calls(&as_b, &CallFilter::default(), None, 100)
        .await
        .unwrap();
    assert!(everything.iter().all(|c| c.dj_profile_id == w.b));
    assert_eq!(everything.len(), 2);

    // Writes fail inside the database.
    let result = store
        .insert_call(&as_b, &call(w.a, "2026-03-04T10:00:00Z"), now())
        .await;
    assert!(matches!(result, Err(StoreError::Database(_))), "{result:?}");
    let result = store
        .record_payment(
            &as_b,
            &entry(&w.a_calls[1], "pi_sneaky", 100),
            CutRate::DEFAULT,
        )
        .await;
    assert!(matches!(result, Err(StoreError::Database(_))), "{result:?}");
    let result = store
        .upsert_profile(
            &as_b,
            w.a,
            &ProfileFields {
                dj_name: "Hijacked".into(),
                dj_slug: "alpha".into(),
                is_published: false,
                timezone: "UTC".into(),
                real_phone_number: None,
            },
            now(),
        )
        .await;
    assert!(result.is_err(), "{result:?}");
    let patched = store
        .patch_call(
            &as_b,
            a_call,
            &djcalls_store::calls::CallPatch {
                is_booked: Some(true),
                ..Default::default()
            },
            now(),
        )
        .await
        .unwrap();
    assert!(patched.is_none());
    assert!(!fetch_call(store, a_call).await.is_booked);
    // An unknown call id is simply absent.
    assert!(
        store
            .call(&as_a, CallId(Uuid::from_u128(7)))
            .await
            .unwrap()
            .is_none()
    );
    assert_untouched(store, &w).await;
}
