//! Card numbers, security codes and SSNs in a voicemail transcript are redacted on arrival
//! (SPEC §12): neither the call nor any stored row — the raw voice events included — holds
//! them.

use super::support::*;
use djcalls_app::settings::SIMULATOR_AUTH_TOKEN;
use djcalls_telephony::{CallOutcome, deliver};
use djcalls_testkit::TestApp;

const SAID: &str = "Hi, it's for my wedding on June 14th. To hold the date my card is \
    4111 1111 1111 1111, the CVV is 123, and my social security number is 123-45-6789.";

async fn a_voicemail_with_a_card_number_is_stored_redacted(t: TestApp) {
    let (dj, number) = t
        .dj_with_number("dj-redaction", "DJ Redaction", "America/New_York")
        .await;
    let mut s = scenario(CallOutcome::Voicemail, &number);
    s.transcript = SAID.to_string();
    let answers = deliver(&t.base_url, SIMULATOR_AUTH_TOKEN, &s.deliveries())
        .await
        .unwrap();
    assert!(answers.iter().all(|(_, code)| (200..300).contains(code)));

    let calls = t.calls_of(dj).await;
    let text = calls[0]["transcription_text"].as_str().unwrap();
    assert_eq!(
        text,
        "Hi, it's for my wedding on June 14th. To hold the date my card is [redacted], \
         the CVV is [redacted], and my social security number is [redacted]."
    );
    let everything = format!("{:?}", t.db.contents().await);
    assert!(
        everything.contains("[redacted]"),
        "the events hold the transcript"
    );
    // The card number as spoken and as digits (a bare "4111" also occurs in random ids).
    for secret in [
        "4111 1111",
        "4111+1111",
        "4111%201111",
        "4111111111111111",
        "123-45-6789",
        "CVV is 123",
    ] {
        assert!(!everything.contains(secret), "{secret} is stored somewhere");
    }
}

djcalls_testkit::on_both_backends! { TestApp:
    voicemail_with_a_card_number => a_voicemail_with_a_card_number_is_stored_redacted;
}
