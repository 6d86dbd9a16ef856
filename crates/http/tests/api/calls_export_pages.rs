//! `GET /api/djdash/calls/export.csv` over many database pages: complete, in the list's
//! order, ties broken by id across page boundaries.

use super::calls_export::export;
use super::support::{DJ_A, World};
use djcalls_domain::{Actor, CallId, CallSource, CallStatus, LeadScore};
use djcalls_store::DbTime;
use djcalls_store::calls::NewCall;
use jiff::Timestamp;
use uuid::Uuid;

/// More rows than one database page (500), many sharing a timestamp across page boundaries.
async fn a_long_export_is_complete_and_ordered(w: World) {
    let base: Timestamp = "2026-06-01T00:00:00Z".parse().unwrap();
    let statuses = [
        CallStatus::Completed,
        CallStatus::Busy,
        CallStatus::NoAnswer,
        CallStatus::Voicemail,
    ];
    let calls: Vec<NewCall> = (0..1234_i64)
        .map(|i| NewCall {
            id: CallId(Uuid::new_v4()),
            dj_profile_id: DJ_A,
            virtual_number: Some("+16465553890".into()),
            caller_number: Some(format!("+1415555{:04}", i)),
            caller_name: Some(format!("Caller {i}")),
            // Seven calls per second: ties the keyset must break by id.
            timestamp: DbTime(base + jiff::SignedDuration::from_secs(i / 7)),
            page_url: None,
            event_type: None,
            lead_score: LeadScore::Warm,
            is_booked: false,
            call_duration_seconds: Some(60),
            call_status: statuses[i as usize % 4],
            call_sid: Some(format!("CA{:032x}", i)),
            notes: Some(format!("note {i}, \"seeded\"")),
            source: CallSource::Twilio,
            answered: i % 4 == 0,
            talk_seconds: None,
            voicemail_left: i % 4 == 3,
            recording_sid: None,
            transcription_status: None,
            transcription_text: None,
            tipjar_link_sent: false,
        })
        .collect();
    w.t.db
        .store
        .insert_calls_bulk(&Actor::System, &calls, DbTime(base))
        .await
        .unwrap();
    let mut expected: Vec<&NewCall> = calls.iter().collect();
    expected.sort_by_key(|c| std::cmp::Reverse((c.timestamp.0, c.id)));
    let expected: Vec<String> = expected.iter().map(|c| c.id.to_string()).collect();

    let csv = export(&w, "", &w.dj_a).await;
    assert_eq!(csv.ids(), expected);
    let busy = export(&w, "call_status=busy", &w.dj_a).await;
    let status = busy.column("call_status");
    assert_eq!(busy.rows.len(), 1234 / 4 + 1);
    assert!(busy.rows.iter().all(|r| r[status] == "busy"));
}

djcalls_testkit::on_both_backends! { TestApp:
    export_of_many_pages_is_complete_and_ordered => a_long_export_is_complete_and_ordered_story;
}

async fn a_long_export_is_complete_and_ordered_story(t: djcalls_testkit::TestApp) {
    a_long_export_is_complete_and_ordered(World::on(t).await).await;
}
