//! The random changes the rollup story drives concurrently: calls, PATCHes, payments,
//! refunds (also before their payment), attribution changes, missed-call texts, widget clicks
//! with numbers shown, calls naming a click, and opened payment links.

use super::{MIN_TALK, STEPS};
use crate::common::*;
use djcalls_domain::{DjProfileId, LeadScore};
use djcalls_store::Store;
use djcalls_store::calls::CallPatch;
use djcalls_store::clicks::NewClick;
use djcalls_store::messages::{FollowupClaim, FollowupRequest, SentFollowup};
use djcalls_store::reports::ShownCount;

/// An instant in the two months around the March DST changes, on odd minutes and seconds.
fn instant(rng: &mut Rng) -> String {
    let day = 1 + rng.below(59);
    let (month, day) = if day > 31 { (4, day - 31) } else { (3, day) };
    format!(
        "2026-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        rng.below(24),
        rng.below(60),
        rng.below(60)
    )
}

/// Sets a call's attribution as a click would (SPEC §15's source keys), through SQL: only
/// the voice pipeline writes it.
async fn attribute(raw: &Raw, call: uuid::Uuid, attribution: Option<&str>) {
    let sql = "UPDATE dj_calls SET attribution = $1 WHERE id = $2";
    match raw {
        Raw::Pg(pool) => {
            let mut tx = pool.begin().await.unwrap();
            sqlx::query("SELECT set_config('app.role', 'system', true)")
                .execute(&mut *tx)
                .await
                .unwrap();
            let n = sqlx::query(sql)
                .bind(attribution)
                .bind(call)
                .execute(&mut *tx)
                .await
                .unwrap();
            assert_eq!(n.rows_affected(), 1);
            tx.commit().await.unwrap();
        }
        Raw::Lite(pool) => {
            let n = sqlx::query(sql)
                .bind(attribution)
                .bind(call)
                .execute(pool)
                .await
                .unwrap();
            assert_eq!(n.rows_affected(), 1);
        }
    }
}

const ATTRIBUTIONS: [Option<&str>; 5] = [
    None,
    Some(r#"{"utm_source":"google","utm_medium":"cpc","utm_campaign":"weddings"}"#),
    Some(r#"{"gclid":"abc"}"#),
    Some(r#"{"utm_source":"instagram"}"#),
    Some(r#"{"page_url":"https://djdash.test/dj/x"}"#),
];

pub(super) async fn worker(store: Store, raw: Raw, djs: Vec<DjProfileId>, seed: u64) {
    let mut rng = Rng::new(seed);
    let mut calls = Vec::new();
    for step in 0..STEPS {
        let choice = if calls.is_empty() { 0 } else { rng.below(14) };
        match choice {
            0..=2 => {
                let profile = djs[rng.below(djs.len() as u64) as usize];
                let when = instant(&mut rng);
                let event = ["wedding", "corporate", "birthday"][rng.below(3) as usize];
                let new = match rng.below(3) {
                    0 => answered(profile, &when, 1 + rng.below(900) as i32),
                    1 => voicemail(profile, &when, rng.below(40) as i32),
                    _ => call(profile, &when),
                }
                .with(|c| {
                    c.caller_number = Some(format!("+1312555{:04}", seed % 7 * 1000 + step));
                    c.event_type = (rng.below(3) > 0).then(|| event.to_string());
                    c.is_booked = rng.below(4) == 0;
                    c.tipjar_link_sent = rng.below(2) == 0;
                    c.recording_sid = (rng.below(2) == 0).then(|| format!("RE{seed}x{step}"));
                    c.transcription_status = (rng.below(3) == 0).then(|| "completed".into());
                });
                calls.push(insert(&store, new).await);
            }
            3 => {
                let target = &calls[rng.below(calls.len() as u64) as usize];
                let patch = CallPatch {
                    is_booked: Some(rng.below(2) == 0),
                    lead_score: Some(
                        [LeadScore::Hot, LeadScore::Warm, LeadScore::Cold][rng.below(3) as usize],
                    ),
                    event_type: Some((rng.below(2) == 0).then(|| "quinceanera".to_string())),
                    notes: Some(Some(format!("note {step}"))),
                };
                let actor = dj(&[target.dj_profile_id]);
                store
                    .patch_call(&actor, target.id, &patch, now())
                    .await
                    .expect("patch");
            }
            4 | 5 => {
                let target = &calls[rng.below(calls.len() as u64) as usize];
                let payment = format!("pi_{seed}_{step}");
                pay(&store, target, &payment, 100 + rng.below(50_000) as i64).await;
                if rng.below(3) == 0 {
                    refund(
                        &store,
                        &payment,
                        &format!("re_{seed}_{step}"),
                        1 + rng.below(100) as i64,
                    )
                    .await;
                }
            }
            7 => {
                let target: &djcalls_store::calls::CallRecord =
                    &calls[rng.below(calls.len() as u64) as usize];
                let attribution = ATTRIBUTIONS[rng.below(5) as usize];
                attribute(&raw, target.id.0, attribution).await;
            }
            6 => {
                // A refund that arrives before its payment, then the payment.
                let target = &calls[rng.below(calls.len() as u64) as usize];
                let payment = format!("pi_early_{seed}_{step}");
                refund(&store, &payment, &format!("re_early_{seed}_{step}"), 50).await;
                pay(&store, target, &payment, 5_000).await;
            }
            9 | 10 => {
                // A click on a DJ's widget, and the answers that showed the number.
                let profile = djs[rng.below(djs.len() as u64) as usize];
                let click = NewClick {
                    utm_source: Some("google".into()),
                    ..NewClick::default()
                };
                let when = at(&instant(&mut rng));
                assert!(
                    store
                        .record_click(profile, &click, when)
                        .await
                        .expect("click")
                );
                let quarter = jiff::SignedDuration::from_mins(15);
                let bucket = when.0.as_microsecond() / 900_000_000;
                let bucket = jiff::Timestamp::UNIX_EPOCH + quarter * i32::try_from(bucket).unwrap();
                let shown = ShownCount {
                    dj_profile_id: profile,
                    bucket: djcalls_store::DbTime(bucket),
                    shown: 1 + rng.below(5) as i64,
                };
                store.add_numbers_shown(&[shown]).await.expect("shown");
            }
            11 | 12 => {
                // A call names a click of its DJ (now and then another DJ's): mostly one made
                // before the call, as the attribution lookup finds; some after it. Half of
                // them then go all the way: link opened, paid.
                let full: Vec<&djcalls_store::calls::CallRecord> = calls
                    .iter()
                    .filter(|c| {
                        c.answered
                            && c.talk_seconds.unwrap_or(0) > MIN_TALK as i32
                            && c.tipjar_link_sent
                    })
                    .collect();
                let target = if !full.is_empty() && rng.below(2) == 0 {
                    full[rng.below(full.len() as u64) as usize]
                } else {
                    &calls[rng.below(calls.len() as u64) as usize]
                };
                let whose = if rng.below(6) == 0 {
                    djs[rng.below(djs.len() as u64) as usize]
                } else {
                    target.dj_profile_id
                };
                let clicks = store.clicks_of(&admin(), whose, 500).await.expect("clicks");
                let before: Vec<_> = clicks
                    .iter()
                    .filter(|c| c.clicked_at <= target.timestamp)
                    .collect();
                let pool: Vec<_> = if before.is_empty() || rng.below(5) == 0 {
                    clicks.iter().collect()
                } else {
                    before
                };
                if !pool.is_empty() {
                    let click = pool[rng.below(pool.len() as u64) as usize];
                    let attribution = format!(
                        r#"{{"click_id":"{}","utm_source":"google","utm_medium":"cpc"}}"#,
                        click.id
                    );
                    attribute(&raw, target.id.0, Some(&attribution)).await;
                    if rng.below(2) == 0 {
                        let token = format!("tok{seed}x{step}");
                        let link = store
                            .ensure_payment_link(
                                target.id,
                                target.dj_profile_id,
                                &token,
                                &token,
                                now(),
                            )
                            .await
                            .expect("link");
                        store
                            .open_payment_link(&link.token, now())
                            .await
                            .expect("open");
                        pay(&store, target, &format!("pi_j_{seed}_{step}"), 2_500).await;
                    }
                }
            }
            13 => {
                // The payment link of a call, opened or not yet.
                let target = &calls[rng.below(calls.len() as u64) as usize];
                let token = format!("tok{seed}x{step}");
                let link = store
                    .ensure_payment_link(target.id, target.dj_profile_id, &token, &token, now())
                    .await
                    .expect("link");
                if rng.below(3) > 0 {
                    store
                        .open_payment_link(&link.token, now())
                        .await
                        .expect("open");
                }
            }
            _ => {
                let target = &calls[rng.below(calls.len() as u64) as usize];
                let caller = target.caller_number.clone().unwrap_or_default();
                let req = FollowupRequest {
                    call_id: target.id,
                    dj_profile_id: target.dj_profile_id,
                    caller: &caller,
                    kind: "missed",
                    not_since: at("2000-01-01T00:00:00Z"),
                };
                if matches!(
                    store.claim_followup(&req, now()).await.expect("claim"),
                    FollowupClaim::Claimed
                ) {
                    let sent = SentFollowup {
                        call_id: target.id,
                        dj_profile_id: target.dj_profile_id,
                        message_sid: &format!("SM{seed}x{step}"),
                        from: "+15125550199",
                        to: &caller,
                        body: "Sorry we missed you",
                        kind: "missed",
                        tipjar_link: Some("https://example.test/pay/x"),
                    };
                    store
                        .record_followup_sent(&sent, now())
                        .await
                        .expect("sent");
                }
            }
        }
    }
}
