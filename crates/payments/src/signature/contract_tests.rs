//! The signature rules every `t=…,v1=…` provider must follow, as a test-generating macro.

/// Signature negatives, generated for each provider's public `sign`/`verify` pair so Stripe and
/// TipJar are held to the same rules.
macro_rules! signature_contract_tests {
    ($sign:path, $verify:path) => {
        use secrecy::SecretString;

        const NOW: i64 = 1_780_000_000;
        const BODY: &[u8] = br#"{"id":"evt_1","type":"x"}"#;

        fn secret() -> SecretString {
            SecretString::from("whsec_test_secret")
        }

        fn check(header: &str, body: &[u8]) -> Result<(), $crate::signature::SignatureError> {
            $verify(&secret(), header, body, NOW, $crate::signature::DEFAULT_TOLERANCE_SECS)
        }

        #[test]
        fn a_correct_signature_is_accepted() {
            let header = $sign(&secret(), NOW - 10, BODY);
            assert_eq!(check(&header, BODY), Ok(()));
        }

        #[test]
        fn a_signature_made_with_another_secret_is_rejected() {
            let header = $sign(&SecretString::from("whsec_other"), NOW, BODY);
            assert_eq!(
                check(&header, BODY),
                Err($crate::signature::SignatureError::Mismatch)
            );
        }

        #[test]
        fn a_stale_timestamp_is_rejected_even_with_a_valid_signature() {
            let header = $sign(&secret(), NOW - 301, BODY);
            assert_eq!(
                check(&header, BODY),
                Err($crate::signature::SignatureError::OutsideTolerance)
            );
        }

        #[test]
        fn a_timestamp_at_the_edge_of_the_tolerance_is_accepted() {
            assert_eq!(check(&$sign(&secret(), NOW - 300, BODY), BODY), Ok(()));
            assert_eq!(check(&$sign(&secret(), NOW + 300, BODY), BODY), Ok(()));
        }

        #[test]
        fn a_future_timestamp_is_rejected_even_with_a_valid_signature() {
            let header = $sign(&secret(), NOW + 301, BODY);
            assert_eq!(
                check(&header, BODY),
                Err($crate::signature::SignatureError::OutsideTolerance)
            );
        }

        #[test]
        fn a_tampered_body_is_rejected() {
            let header = $sign(&secret(), NOW, BODY);
            assert_eq!(
                check(&header, br#"{"id":"evt_1","type":"y"}"#),
                Err($crate::signature::SignatureError::Mismatch)
            );
        }

        #[test]
        fn a_header_without_v1_is_rejected() {
            assert_eq!(
                check(&format!("t={NOW}"), BODY),
                Err($crate::signature::SignatureError::MissingSignature)
            );
            assert_eq!(
                check(&format!("t={NOW},v0=abcd"), BODY),
                Err($crate::signature::SignatureError::MissingSignature)
            );
        }

        #[test]
        fn a_header_without_a_timestamp_is_rejected() {
            let header = $sign(&secret(), NOW, BODY);
            let v1_only = header.split(',').nth(1).unwrap_or_default().to_owned();
            assert_eq!(
                check(&v1_only, BODY),
                Err($crate::signature::SignatureError::MissingTimestamp)
            );
        }

        #[test]
        fn malformed_headers_are_rejected() {
            for header in [
                "",
                "garbage",
                "t=soon,v1=00",
                "t=1,t=2,v1=00",
                &"v1=00,".repeat(1_000),
            ] {
                assert_eq!(
                    check(header, BODY),
                    Err($crate::signature::SignatureError::Malformed),
                    "{header}"
                );
            }
        }

        #[test]
        fn a_v1_that_is_not_hex_does_not_match() {
            assert_eq!(
                check(&format!("t={NOW},v1=not-hex"), BODY),
                Err($crate::signature::SignatureError::Mismatch)
            );
        }

        #[test]
        fn any_v1_may_match_when_the_second_one_is_right() {
            let good = $sign(&secret(), NOW, BODY);
            let good_v1 = good.split("v1=").nth(1).unwrap_or_default();
            let header = format!("t={NOW},v1={},v1={good_v1}", "0".repeat(64));
            assert_eq!(check(&header, BODY), Ok(()));
        }

        #[test]
        fn spaces_around_header_parts_are_tolerated() {
            let good = $sign(&secret(), NOW, BODY);
            let spaced = good.replace(',', ", ");
            assert_eq!(check(&spaced, BODY), Ok(()));
        }

        #[test]
        fn an_empty_secret_never_verifies() {
            let header = $sign(&SecretString::from(""), NOW, BODY);
            assert_eq!(
                $verify(
                    &SecretString::from(""),
                    &header,
                    BODY,
                    NOW,
                    $crate::signature::DEFAULT_TOLERANCE_SECS
                ),
                Err($crate::signature::SignatureError::NoSecret)
            );
        }

        proptest::proptest! {
            #[test]
            fn signing_then_verifying_round_trips(
                body in proptest::collection::vec(proptest::num::u8::ANY, 0..512),
                secret in "[ -~]{1,64}",
                skew in -300i64..=300,
            ) {
                let secret = SecretString::from(secret);
                let header = $sign(&secret, NOW + skew, &body);
                proptest::prop_assert_eq!(
                    $verify(&secret, &header, &body, NOW, $crate::signature::DEFAULT_TOLERANCE_SECS),
                    Ok(())
                );
            }

            #[test]
            fn flipping_any_body_byte_breaks_the_signature(
                body in proptest::collection::vec(proptest::num::u8::ANY, 1..256),
                index in proptest::num::usize::ANY,
            ) {
                let header = $sign(&secret(), NOW, &body);
                let mut tampered = body.clone();
                let i = index % tampered.len();
                tampered[i] ^= 0x01;
                proptest::prop_assert_eq!(
                    check(&header, &tampered),
                    Err($crate::signature::SignatureError::Mismatch)
                );
            }
        }
    };
}

pub(crate) use signature_contract_tests;
