//! Tests of the in-memory simulator.

use super::*;

fn urls() -> NumberUrls {
    NumberUrls::for_base_url("http://127.0.0.1:3000")
}

fn phone(raw: &str) -> PhoneNumber {
    PhoneNumber::parse(raw).unwrap()
}

#[tokio::test]
async fn numbers_come_from_the_fictional_range_lowest_free_first() {
    let sim = SimulatedTelephony::new();
    sim.reserve_numbers([PhoneNumber::from_trusted_e164("+14155550100")]);
    let first = sim.acquire_number("415", &urls()).await.unwrap();
    let second = sim.acquire_number("415", &urls()).await.unwrap();
    assert_eq!(first.phone_number.as_str(), "+14155550101");
    assert_eq!(second.phone_number.as_str(), "+14155550102");
    assert_ne!(first.sid, second.sid);
    assert_eq!(sim.owned_numbers().len(), 2);
}

#[tokio::test]
async fn an_area_code_runs_out_after_one_hundred_numbers() {
    let sim = SimulatedTelephony::new();
    for _ in 0..100 {
        sim.acquire_number("212", &urls()).await.unwrap();
    }
    let err = sim.acquire_number("212", &urls()).await.unwrap_err();
    assert!(matches!(err, TwilioError::NoNumbersAvailable { .. }));
    assert!(!err.is_retryable());
}

#[tokio::test]
async fn a_bad_area_code_is_refused() {
    let sim = SimulatedTelephony::new();
    for bad in ["41", "4155", "abc", "015"] {
        let err = sim.acquire_number(bad, &urls()).await.unwrap_err();
        assert!(matches!(err, TwilioError::InvalidArgument(_)), "{bad}");
    }
}

#[tokio::test]
async fn a_released_number_is_not_handed_out_again() {
    let sim = SimulatedTelephony::new();
    let n = sim.acquire_number("305", &urls()).await.unwrap();
    sim.release_number(&n.sid).await.unwrap();
    sim.release_number(&n.sid).await.unwrap();
    let next = sim.acquire_number("305", &urls()).await.unwrap();
    assert_ne!(next.phone_number, n.phone_number);
    assert!(
        sim.configure_number(&n.sid, &n.phone_number, &urls())
            .await
            .is_err()
    );
    assert!(
        sim.configure_number(&next.sid, &next.phone_number, &urls())
            .await
            .is_ok()
    );
}

#[tokio::test]
async fn texts_are_kept_in_memory_and_opted_out_recipients_refused() {
    let sim = SimulatedTelephony::new();
    let from = PhoneNumber::from_trusted_e164("+14155550100");
    let to = phone("+14155552671");
    let sid = sim
        .send_sms(&from, &to, "Thanks for calling!", None)
        .await
        .unwrap();
    let sent = sim.sent_messages();
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].sid, sid);
    assert_eq!(sent[0].body, "Thanks for calling!");
    assert!(!format!("{:?}", sent[0]).contains("Thanks"));

    sim.simulate_opt_out(&to);
    let err = sim.send_sms(&from, &to, "again", None).await.unwrap_err();
    assert!(err.is_opted_out());
    assert_eq!(sim.sent_messages().len(), 1);
}

#[tokio::test]
async fn a_recording_is_a_valid_silent_wav() {
    let sim = SimulatedTelephony::new();
    let audio = sim
        .fetch_recording(&RecordingSid::generate())
        .await
        .unwrap();
    assert_eq!(audio.content_type, "audio/wav");
    assert_eq!(&audio.bytes[..4], b"RIFF");
    assert_eq!(&audio.bytes[8..16], b"WAVEfmt ");
    let riff_len = u32::from_le_bytes(audio.bytes[4..8].try_into().unwrap());
    assert_eq!(riff_len as usize, audio.bytes.len() - 8);
    assert!(audio.bytes[44..].iter().all(|&b| b == 0));
}
