use super::*;

#[test]
fn card_numbers_written_with_spaces_dashes_or_nothing_are_redacted() {
    assert_eq!(
        redact("my card is 4111 1111 1111 1111 thanks"),
        "my card is [redacted] thanks"
    );
    assert_eq!(redact("4111-1111-1111-1111"), "[redacted]");
    assert_eq!(redact("pay with 5500005555555559."), "pay with [redacted].");
}

#[test]
fn spoken_card_numbers_are_redacted_in_english_and_spanish() {
    let spoken = "it's four one one one, one one one one, one one one one, one one one one ok";
    assert_eq!(redact(spoken), "it's [redacted] ok");
    let es = "la tarjeta es cuatro uno uno uno uno uno uno uno uno uno uno uno uno uno uno uno";
    assert_eq!(redact(es), "la tarjeta es [redacted]");
}

#[test]
fn numbers_failing_luhn_or_too_short_stay() {
    let text = "call me at 555-867-5309, we have 150 guests, budget $1,500";
    assert_eq!(redact(text), text);
    assert_eq!(redact("4111 1111 1112"), "4111 1111 1112");
    assert_eq!(redact("1234567812345"), "1234567812345");
    let phones = "555-867-5309, 555-123-4567";
    assert_eq!(redact(phones), phones);
}

#[test]
fn security_codes_after_a_cue_word_are_redacted() {
    assert_eq!(redact("the CVV is 123."), "the CVV is [redacted].");
    assert_eq!(
        redact("security code: four five six"),
        "security code: [redacted]"
    );
    assert_eq!(
        redact("el código de seguridad es 7788"),
        "el código de seguridad es [redacted]"
    );
    assert_eq!(redact("we have 123 guests"), "we have 123 guests");
}

#[test]
fn social_security_numbers_are_redacted() {
    assert_eq!(redact("SSN 123-45-6789"), "SSN [redacted]");
    assert_eq!(redact("it is 123-45-6789 ok"), "it is [redacted] ok");
    assert_eq!(
        redact("my social security number is 123456789"),
        "my social security number is [redacted]"
    );
    assert_eq!(redact("order 123456789"), "order 123456789");
}

#[test]
fn luhn_matches_known_numbers() {
    assert!(luhn_valid(&[
        4, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1
    ]));
    assert!(!luhn_valid(&[
        4, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2
    ]));
}
