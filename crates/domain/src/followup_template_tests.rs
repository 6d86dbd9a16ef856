use super::*;
use crate::sms_segments::Encoding;

/// Values as long as the real ones: a 22-character token on a typical host.
fn values() -> Values<'static> {
    Values {
        dj_name: "DJ Sparkle",
        link: "https://calls.example.com/pay/AbCdEfGhIjKlMnOpQrStUv",
        form_link: "https://djdash.net/dj/dj-sparkle#inquiry-form",
    }
}

#[test]
fn every_platform_default_is_valid_gsm7_within_two_segments() {
    for kind in KINDS {
        for language in Language::ALL {
            let text = platform_default(kind, language);
            let count = validate(kind, language, text, &values())
                .unwrap_or_else(|e| panic!("{}: {}", field_name(kind, language), e.message()));
            assert_eq!(count.encoding, Encoding::Gsm7, "{text}");
            assert!(count.segments <= 2);
        }
    }
}

#[test]
fn rendering_fills_placeholders_and_adds_the_opt_out_line() {
    let es = render(
        platform_default(FollowupKind::Thanks, Language::Es),
        Language::Es,
        &values(),
    )
    .unwrap();
    assert_eq!(
        es,
        "¡Gracias por llamar a DJ Sparkle! Aparta tu fecha con un anticipo: \
         https://calls.example.com/pay/AbCdEfGhIjKlMnOpQrStUv Cuéntanos de tu evento: \
         https://djdash.net/dj/dj-sparkle#inquiry-form Responde STOP para no recibir mensajes."
    );
    let en = render("Hi from {dj_name}: {link}  ", Language::En, &values()).unwrap();
    assert_eq!(
        en,
        "Hi from DJ Sparkle: https://calls.example.com/pay/AbCdEfGhIjKlMnOpQrStUv Reply STOP to opt out."
    );
    assert!(uses_link("x {link}"));
    assert!(!uses_link(platform_default(
        FollowupKind::Missed,
        Language::En
    )));
}

#[test]
fn refusals_say_why() {
    let v = values();
    let thanks = FollowupKind::Thanks;
    assert_eq!(
        validate(thanks, Language::En, "  ", &v),
        Err(TemplateError::Empty)
    );
    assert_eq!(
        validate(thanks, Language::En, "Deposit: {form_link}", &v),
        Err(TemplateError::MissingLink(thanks))
    );
    assert_eq!(
        validate(thanks, Language::En, "Pay {link} {name}", &v),
        Err(TemplateError::UnknownPlaceholder("name".to_string()))
    );
    assert_eq!(
        validate(thanks, Language::En, "Pay {link", &v),
        Err(TemplateError::UnclosedBrace)
    );
    // A missed-call text may point to the form alone.
    assert!(validate(FollowupKind::Missed, Language::En, "Sorry! {form_link}", &v).is_ok());
    assert_eq!(
        validate(FollowupKind::Missed, Language::En, "Sorry!", &v),
        Err(TemplateError::MissingLink(FollowupKind::Missed))
    );
}

#[test]
fn the_limit_counts_the_filled_text_and_the_opt_out_line() {
    let v = values();
    // " Reply STOP to opt out." is 23 septets, the link 52: 306 − 75 = 231 letters fit.
    let fits = format!("{} {{link}}", "a".repeat(230));
    let count = validate(FollowupKind::Thanks, Language::En, &fits, &v).unwrap();
    assert_eq!((count.units, count.segments), (306, 2));
    let over = format!("{} {{link}}", "a".repeat(231));
    assert!(matches!(
        validate(FollowupKind::Thanks, Language::En, &over, &v),
        Err(TemplateError::TooLong(c)) if c.units == 307 && c.segments == 3
    ));
    // One accent outside GSM-7 makes it UCS-2: 134 code units at most.
    let ucs = format!("canción {} {{link}}", "a".repeat(51));
    let Err(TemplateError::TooLong(c)) = validate(FollowupKind::Thanks, Language::En, &ucs, &v)
    else {
        panic!("a UCS-2 text of 112 + 23 units is three segments");
    };
    assert_eq!(c.encoding, Encoding::Ucs2);
    assert!(
        TemplateError::TooLong(c)
            .message()
            .contains("outside GSM-7")
    );
}
