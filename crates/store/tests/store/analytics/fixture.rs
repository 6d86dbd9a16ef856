//! The fixed calls and ledger entries of the hand-worked analytics story: six DJs, March
//! 2026 for DJ A (the figures under test) and B (must not leak in), April for C, D and E.

use super::*;

/// The six profiles the fixture creates.
pub(super) struct Djs {
    pub a: DjProfileId,
    pub b: DjProfileId,
    pub c: DjProfileId,
    pub d: DjProfileId,
    pub e: DjProfileId,
    pub f: DjProfileId,
}

pub(super) async fn seed(db: &TestDb) -> Djs {
    let store = &db.store;
    let (a, b, c, d, e, f) = (
        profile(A),
        profile(B),
        profile(C),
        profile(D),
        profile(E),
        profile(F),
    );
    create_profile(store, a, "alpha-beats", "Alpha Beats").await;
    create_profile(store, b, "bravo-sound", "Bravo Sound").await;
    create_profile(store, c, "charlie-mix", "Charlie Mix").await;
    create_profile(store, d, "delta-decks", "Delta Decks").await;
    create_profile(store, e, "echo-events", "Echo Events").await;
    create_profile(store, f, "foxtrot-fm", "Foxtrot FM").await;

    // DJ A, March 2026 (the range under test is 2026-03-01 … 2026-03-31 in UTC):
    //
    // call  timestamp (UTC)             status     ans vm  dur   lead  event      booked link recording transcript  ledger
    // a1    03-02 15:00                 completed  y   .   120   hot   wedding    (pay)  y    RE1       completed   +150.00 (delivered twice)
    // a2    03-02 18:30                 completed  y   .   300   hot   wedding    y      y    RE2       completed   +99.90, −10.01
    // a3    03-03 09:00                 voicemail  .   y   45    warm  corporate  .      .    RE3       completed
    // a4    03-03 10:00                 voicemail  .   y   30    warm  None       .      .    RE4       failed
    // a5    03-03 23:59:59.999999       no-answer  .   .   0     cold  None       .      .
    // a6    03-05 12:00                 no-answer  .   .   None  cold  ""         .      .
    // a7    03-05 12:30                 busy       .   .   0     cold  birthday   .      .
    // a8    03-10 08:00                 failed     .   .   None  warm  corporate  .      .
    // a9    03-10 20:00                 completed  y   .   61    hot   wedding    (pay)  y    RE9       None        +50.00, −50.00
    // a10   03-15 14:00                 completed  y   .   200   warm  wedding    (pay)  y                          +0.05
    // a11   03-20 16:00                 completed  y   .   15    hot   birthday   .      .
    // a12   03-31 23:00                 completed  y   .   9     hot   ""         y      y    RE12      completed
    // outside the range: a0 at 02-28 23:59:59.999999, a13 at 04-01 00:00 (+1000.00).
    let a1 = insert(
        store,
        answered(a, "2026-03-02T15:00:00Z", 120).with(|c| {
            c.event_type = some("wedding");
            c.tipjar_link_sent = true;
            c.recording_sid = some("RE1");
            c.transcription_status = some("completed");
        }),
    )
    .await;
    let a2 = insert(
        store,
        answered(a, "2026-03-02T18:30:00Z", 300).with(|c| {
            c.event_type = some("wedding");
            c.is_booked = true;
            c.tipjar_link_sent = true;
            c.recording_sid = some("RE2");
            c.transcription_status = some("completed");
        }),
    )
    .await;
    insert(
        store,
        voicemail(a, "2026-03-03T09:00:00Z", 45).with(|c| {
            c.lead_score = LeadScore::Warm;
            c.event_type = some("corporate");
            c.recording_sid = some("RE3");
            c.transcription_status = some("completed");
        }),
    )
    .await;
    insert(
        store,
        voicemail(a, "2026-03-03T10:00:00Z", 30).with(|c| {
            c.lead_score = LeadScore::Warm;
            c.recording_sid = some("RE4");
            c.transcription_status = some("failed");
        }),
    )
    .await;
    insert(
        store,
        call(a, "2026-03-03T23:59:59.999999Z").with(|c| {
            c.lead_score = LeadScore::Cold;
            c.call_duration_seconds = Some(0);
        }),
    )
    .await;
    insert(
        store,
        call(a, "2026-03-05T12:00:00Z").with(|c| {
            c.lead_score = LeadScore::Cold;
            c.event_type = some("");
        }),
    )
    .await;
    insert(
        store,
        call(a, "2026-03-05T12:30:00Z").with(|c| {
            c.call_status = CallStatus::Busy;
            c.lead_score = LeadScore::Cold;
            c.event_type = some("birthday");
            c.call_duration_seconds = Some(0);
        }),
    )
    .await;
    insert(
        store,
        call(a, "2026-03-10T08:00:00Z").with(|c| {
            c.call_status = CallStatus::Failed;
            c.lead_score = LeadScore::Warm;
            c.event_type = some("corporate");
        }),
    )
    .await;
    let a9 = insert(
        store,
        answered(a, "2026-03-10T20:00:00Z", 61).with(|c| {
            c.event_type = some("wedding");
            c.tipjar_link_sent = true;
            c.recording_sid = some("RE9");
        }),
    )
    .await;
    let a10 = insert(
        store,
        answered(a, "2026-03-15T14:00:00Z", 200).with(|c| {
            c.lead_score = LeadScore::Warm;
            c.event_type = some("wedding");
            c.tipjar_link_sent = true;
        }),
    )
    .await;
    insert(
        store,
        answered(a, "2026-03-20T16:00:00Z", 15).with(|c| {
            c.event_type = some("birthday");
        }),
    )
    .await;
    insert(
        store,
        answered(a, "2026-03-31T23:00:00Z", 9).with(|c| {
            c.event_type = some("");
            c.is_booked = true;
            c.tipjar_link_sent = true;
            c.recording_sid = some("RE12");
            c.transcription_status = some("completed");
        }),
    )
    .await;
    insert(
        store,
        answered(a, "2026-02-28T23:59:59.999999Z", 100).with(|c| {
            c.event_type = some("wedding");
            c.is_booked = true;
        }),
    )
    .await;
    let a13 = insert(
        store,
        answered(a, "2026-04-01T00:00:00Z", 50).with(|c| {
            c.lead_score = LeadScore::Warm;
            c.event_type = some("wedding");
            c.tipjar_link_sent = true;
        }),
    )
    .await;

    // Ledger, 15 % cut rounded half up per entry:
    //   a1  +15000 → cut 2250, dj 12750   (the same delivery again records nothing)
    //   a2   +9990 → cut 1499 (1498.5↑), dj 8491
    //   a2   −1001 → cut −150 (1499 × 1001 / 9990 = 150.2, the cut in proportion), dj −851
    //   a9   +5000 → cut 750,  dj 4250
    //   a9   −5000 → cut −750, dj −4250
    //   a10     +5 → cut 1 (0.75↑), dj 4
    //   a13 +100000 → cut 15000, dj 85000 (outside March)
    // March totals: 23994 = 15000 + 9990 − 1001 + 5000 − 5000 + 5
    //               cut 3600 = 2250 + 1499 − 150 + 750 − 750 + 1; dj 20394 = 23994 − 3600.
    assert!(pay(store, &a1, "pi_a1", 15_000).await);
    assert!(
        !pay(store, &a1, "pi_a1", 15_000).await,
        "a redelivery records nothing"
    );
    assert!(pay(store, &a2, "pi_a2", 9_990).await);
    assert_eq!(
        refund(store, "pi_a2", "re_a2", 1_001).await,
        recorded(&a2, -1_001)
    );
    assert!(pay(store, &a9, "pi_a9", 5_000).await);
    assert_eq!(
        refund(store, "pi_a9", "re_a9", 5_000).await,
        recorded(&a9, -5_000)
    );
    assert!(pay(store, &a10, "pi_a10", 5).await);
    assert!(pay(store, &a13, "pi_a13", 100_000).await);

    // DJ B, March: must never leak into A's figures.
    // b1 03-02 20:00 completed 600 s hot wedding booked link, +200.00 (cut 3000, dj 17000)
    // b2 03-04 12:00 no-answer 0 s cold None
    // b3 03-10 09:00 voicemail 20 s warm corporate, recording REB3 transcript completed
    let b1 = insert(
        store,
        answered(b, "2026-03-02T20:00:00Z", 600).with(|c| {
            c.event_type = some("wedding");
            c.is_booked = true;
            c.tipjar_link_sent = true;
        }),
    )
    .await;
    insert(
        store,
        call(b, "2026-03-04T12:00:00Z").with(|c| {
            c.lead_score = LeadScore::Cold;
            c.call_duration_seconds = Some(0);
        }),
    )
    .await;
    insert(
        store,
        voicemail(b, "2026-03-10T09:00:00Z", 20).with(|c| {
            c.lead_score = LeadScore::Warm;
            c.event_type = some("corporate");
            c.recording_sid = some("REB3");
            c.transcription_status = some("completed");
        }),
    )
    .await;
    assert!(pay(store, &b1, "pi_b1", 20_000).await);

    // DJs C, D and E have calls in April only, no money: they order the top-DJ table by
    // calls, then by slug. F has no calls at all.
    for when in ["2026-04-02T10:00:00Z", "2026-04-03T10:00:00Z"] {
        insert(store, call(c, when)).await;
        insert(store, call(e, when)).await;
    }
    insert(
        store,
        call(d, "2026-04-02T11:00:00Z").with(|c| c.is_booked = true),
    )
    .await;
    insert(store, call(d, "2026-04-03T11:00:00Z")).await;
    insert(store, call(d, "2026-04-04T11:00:00Z")).await;

    Djs { a, b, c, d, e, f }
}
