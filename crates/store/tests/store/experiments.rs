//! A/B tests' tables (migration 0032): one experiment running at a time, stopped ones stay
//! stopped; the follow-up claim records the variant only while the experiment the text was
//! composed under still runs; the figures count sent texts only; on PostgreSQL only the
//! platform sees experiments.

use crate::common::*;
use djcalls_domain::experiment::ExperimentState;
use djcalls_domain::{Actor, CallId, ExperimentId};
use djcalls_store::experiments::{Experiment, StartOutcome, StopOutcome, Variant};
use djcalls_store::messages::{ExperimentArm, FollowupClaim, FollowupRequest};
use djcalls_store::{Backend, Store};
use djcalls_testkit::TestDb;
use uuid::Uuid;

djcalls_testkit::on_both_backends! { &TestDb:
    one_experiment_runs_at_a_time_and_a_stopped_one_stays_stopped => one_at_a_time;
    the_claim_records_the_variant_only_under_the_running_experiment => claim_checks_experiment;
    figures_count_sent_texts_and_only_the_platform_sees_experiments => figures_and_visibility;
}

fn experiment(n: u128, created: &str) -> Experiment {
    let variant = |position: i32, split_percent: i32| Variant {
        position,
        name: format!("V{position}"),
        split_percent,
        thanks_en: format!("Variant {position}: thanks from {{dj_name}}! {{link}}"),
        thanks_es: (position == 0).then(|| "¡Gracias de {dj_name}! {link}".to_string()),
    };
    Experiment {
        id: ExperimentId(Uuid::from_u128(0xe4_0000 + n)),
        name: format!("Test {n}"),
        state: ExperimentState::Draft,
        created_at: at(created),
        started_at: None,
        stopped_at: None,
        variants: vec![variant(0, 30), variant(1, 70)],
    }
}

async fn one_at_a_time(db: &TestDb) {
    let store = &db.store;
    let (a, b) = (
        experiment(1, "2026-06-01T00:00:00Z"),
        experiment(2, "2026-06-02T00:00:00Z"),
    );
    store.create_experiment(&admin(), &a).await.unwrap();
    store.create_experiment(&admin(), &b).await.unwrap();
    assert_eq!(store.running_experiment().await.unwrap(), None);
    let later = at("2026-06-03T00:00:00Z");
    assert_eq!(
        store.start_experiment(&admin(), a.id, later).await.unwrap(),
        StartOutcome::Running
    );
    assert_eq!(
        store.start_experiment(&admin(), a.id, now()).await.unwrap(),
        StartOutcome::Running,
        "starting it again changes nothing"
    );
    assert_eq!(
        store.start_experiment(&admin(), b.id, now()).await.unwrap(),
        StartOutcome::AnotherRunning(a.id)
    );
    let running = store.running_experiment().await.unwrap().unwrap();
    assert_eq!(
        (running.id, running.state, running.started_at),
        (a.id, ExperimentState::Running, Some(later))
    );
    assert_eq!(running.variants, a.variants, "variants in order, as given");
    assert_eq!(
        store.stop_experiment(&admin(), b.id, now()).await.unwrap(),
        StopOutcome::NotStarted
    );
    assert_eq!(
        store.stop_experiment(&admin(), a.id, now()).await.unwrap(),
        StopOutcome::Stopped
    );
    assert_eq!(
        store.start_experiment(&admin(), a.id, now()).await.unwrap(),
        StartOutcome::Stopped
    );
    assert_eq!(
        store.start_experiment(&admin(), b.id, now()).await.unwrap(),
        StartOutcome::Running
    );
    let unknown = ExperimentId(Uuid::from_u128(9));
    assert_eq!(
        store
            .start_experiment(&admin(), unknown, now())
            .await
            .unwrap(),
        StartOutcome::NotFound
    );
    let listed: Vec<_> = store.experiments(&admin(), 10).await.unwrap();
    assert_eq!(
        listed.iter().map(|e| (e.id, e.state)).collect::<Vec<_>>(),
        [
            (b.id, ExperimentState::Running),
            (a.id, ExperimentState::Stopped)
        ],
        "newest first"
    );
}

/// Claims the follow-up of `call` (of `profile(1)`) composed under `arm`.
async fn claim(
    store: &Store,
    (call, caller): (CallId, &str),
    arm: Option<ExperimentArm>,
) -> FollowupClaim {
    let request = FollowupRequest {
        call_id: call,
        dj_profile_id: profile(1),
        caller,
        kind: "thanks",
        not_since: at("2026-06-14T12:00:00Z"),
    };
    store
        .claim_followup_under(&request, arm, now())
        .await
        .unwrap()
}

/// A call of `profile(1)` from its own caller (the 24 h rule stays out of the way).
async fn answered_call(store: &Store, caller: &'static str) -> (CallId, &'static str) {
    let call = djcalls_store::calls::NewCall {
        caller_number: Some(caller.to_string()),
        ..answered(profile(1), "2026-06-15T11:00:00Z", 90)
    };
    (insert(store, call).await.id, caller)
}

async fn claim_checks_experiment(db: &TestDb) {
    let store = &db.store;
    create_profile(store, profile(1), "dj-one", "DJ One").await;
    let e = experiment(1, "2026-06-01T00:00:00Z");
    store.create_experiment(&admin(), &e).await.unwrap();
    store.start_experiment(&admin(), e.id, now()).await.unwrap();

    // Composed while nothing ran: the claim refuses and writes nothing.
    let call = answered_call(store, "+13125550123").await;
    let stale = Some(ExperimentArm::default());
    assert_eq!(
        claim(store, call, stale).await,
        FollowupClaim::ExperimentChanged
    );
    assert_eq!(store.followup_state(call.0).await.unwrap(), None);
    // Composed under it: the variant is recorded with the claim.
    let arm = ExperimentArm {
        running: Some(e.id),
        variant: Some(1),
    };
    assert_eq!(claim(store, call, Some(arm)).await, FollowupClaim::Claimed);
    assert_eq!(
        store.followup_variant(call.0).await.unwrap(),
        Some((e.id, 1))
    );

    // Not enrolled, or a text experiments do not apply to: claimed, no variant.
    let other = answered_call(store, "+13125550124").await;
    let not_enrolled = ExperimentArm {
        running: Some(e.id),
        variant: None,
    };
    assert_eq!(
        claim(store, other, Some(not_enrolled)).await,
        FollowupClaim::Claimed
    );
    assert_eq!(store.followup_variant(other.0).await.unwrap(), None);
    let missed = answered_call(store, "+13125550125").await;
    assert_eq!(claim(store, missed, None).await, FollowupClaim::Claimed);
    assert_eq!(store.followup_variant(missed.0).await.unwrap(), None);

    // Stopped meanwhile: a text composed under it is composed again.
    store.stop_experiment(&admin(), e.id, now()).await.unwrap();
    let late = answered_call(store, "+13125550126").await;
    assert_eq!(
        claim(store, late, Some(arm)).await,
        FollowupClaim::ExperimentChanged
    );
    assert_eq!(claim(store, late, stale).await, FollowupClaim::Claimed);
}

async fn figures_and_visibility(db: &TestDb) {
    let store = &db.store;
    create_profile(store, profile(1), "dj-one", "DJ One").await;
    let e = experiment(1, "2026-06-01T00:00:00Z");
    store.create_experiment(&admin(), &e).await.unwrap();
    store.start_experiment(&admin(), e.id, now()).await.unwrap();
    let arm = |variant| {
        Some(ExperimentArm {
            running: Some(e.id),
            variant: Some(variant),
        })
    };
    // Variant 1: one text sent (paid 50.00, 20.00 refunded), one claimed but never sent.
    let sent = answered_call(store, "+13125550131").await;
    assert_eq!(claim(store, sent, arm(1)).await, FollowupClaim::Claimed);
    let unsent = answered_call(store, "+13125550132").await;
    assert_eq!(claim(store, unsent, arm(1)).await, FollowupClaim::Claimed);
    store
        .record_followup_sent(
            &djcalls_store::messages::SentFollowup {
                call_id: sent.0,
                dj_profile_id: profile(1),
                message_sid: "SM0001",
                from: "+15125550199",
                to: "+13125550131",
                body: "Variant 1",
                kind: "followup",
                tipjar_link: Some("https://x.test/pay/t1"),
            },
            now(),
        )
        .await
        .unwrap();
    // Its link opened twice (counts once), the unsent call's link opened too (not counted).
    for ((call, _), token) in [(sent, "tok_sent"), (unsent, "tok_unsent")] {
        let reference = format!("ref_{token}");
        store
            .ensure_payment_link(call, profile(1), token, &reference, now())
            .await
            .unwrap();
    }
    for token in ["tok_sent", "tok_sent", "tok_unsent"] {
        assert!(
            store
                .open_payment_link(token, now())
                .await
                .unwrap()
                .is_some()
        );
    }
    let record = fetch_call(store, sent.0).await;
    assert!(pay(store, &record, "pay_1", 5_000).await);
    assert_eq!(
        refund(store, "pay_1", "re_1", 2_000).await,
        recorded(&record, -2_000)
    );
    let unsent_record = fetch_call(store, unsent.0).await;
    assert!(pay(store, &unsent_record, "pay_2", 7_000).await);

    let figures = store.experiment_figures(&admin(), e.id).await.unwrap();
    let rows: Vec<_> = figures
        .iter()
        .map(|f| (f.position, f.sent, f.opened, f.paid, f.revenue_cents))
        .collect();
    assert_eq!(rows, [(0, 0, 0, 0, 0), (1, 1, 1, 1, 3_000)]);

    if store.backend() == Backend::Postgres {
        let dj = dj(&[profile(1)]);
        assert!(store.experiments(&dj, 10).await.unwrap().is_empty());
        assert_eq!(store.experiment(&dj, e.id).await.unwrap(), None);
        assert!(
            store
                .experiment(&Actor::Service, e.id)
                .await
                .unwrap()
                .is_some()
        );
    }
}
