//! Twilio request validation: the `X-Twilio-Signature` header, computed and checked in
//! constant time, tolerant of Twilio's inconsistent use of the default port in the URL.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use hmac::{Hmac, KeyInit, Mac};
use sha1::Sha1;

type HmacSha1 = Hmac<Sha1>;

/// The header Twilio signs its webhooks with.
pub const SIGNATURE_HEADER: &str = "X-Twilio-Signature";

/// HMAC-SHA1 over `url` followed by every POST parameter, sorted by key (then value, so
/// repeated keys are stable), each key immediately followed by its value.
fn mac_for(auth_token: &str, url: &str, params: &[(String, String)]) -> HmacSha1 {
    let mut sorted: Vec<&(String, String)> = params.iter().collect();
    sorted.sort();
    mac_for_sorted(auth_token, url, &sorted)
}

fn mac_for_sorted(auth_token: &str, url: &str, sorted: &[&(String, String)]) -> HmacSha1 {
    // HMAC accepts keys of any length, so this never fails; an empty key is still a key.
    let mut mac = <HmacSha1 as KeyInit>::new_from_slice(auth_token.as_bytes())
        .expect("HMAC accepts keys of any length");
    mac.update(url.as_bytes());
    for (key, value) in sorted.iter() {
        mac.update(key.as_bytes());
        mac.update(value.as_bytes());
    }
    mac
}

/// The `X-Twilio-Signature` value Twilio would send for this request.
pub fn compute_signature(auth_token: &str, url: &str, params: &[(String, String)]) -> String {
    BASE64.encode(mac_for(auth_token, url, params).finalize().into_bytes())
}

/// True when `header` is Twilio's signature for this URL and these parameters.
///
/// The comparison is constant-time. The URL is tried as given and with the default port
/// added or removed, because Twilio signs some callbacks with `:443` and others without.
/// An empty auth token or header never verifies (fail closed).
pub fn verify_signature(
    auth_token: &str,
    url: &str,
    params: &[(String, String)],
    header: &str,
) -> bool {
    if auth_token.is_empty() || header.trim().is_empty() {
        return false;
    }
    let Ok(expected) = BASE64.decode(header.trim()) else {
        return false;
    };
    let mut sorted: Vec<&(String, String)> = params.iter().collect();
    sorted.sort();
    let mut orderings = vec![sorted.clone()];
    // twilio-python signs each distinct value of a key once; accept that form as well when a
    // key=value pair is repeated.
    sorted.dedup();
    if sorted.len() != orderings[0].len() {
        orderings.push(sorted);
    }
    url_variants(url).iter().any(|candidate| {
        orderings.iter().any(|ordered| {
            mac_for_sorted(auth_token, candidate, ordered)
                .verify_slice(&expected)
                .is_ok()
        })
    })
}

/// `url` itself, plus the same URL with its default port toggled (added when absent,
/// removed when explicit). Only the authority changes; path and query stay byte-for-byte.
fn url_variants(url: &str) -> Vec<String> {
    let mut variants = vec![url.to_owned()];
    let Some((scheme, rest)) = url.split_once("://") else {
        return variants;
    };
    let default_port = match scheme.to_ascii_lowercase().as_str() {
        "https" => "443",
        "http" => "80",
        _ => return variants,
    };
    let authority_len = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(authority_len);
    // The port, if any, follows the last ':' after the userinfo and any IPv6 literal.
    let host_start = authority.rfind('@').map_or(0, |i| i + 1);
    let host_and_port = &authority[host_start..];
    let port_sep = host_and_port
        .rfind(':')
        .filter(|&i| !host_and_port[i..].contains(']'));
    let toggled_authority = match port_sep {
        Some(i) if &host_and_port[i + 1..] == default_port => {
            authority[..host_start + i].to_owned()
        }
        Some(_) => return variants,
        None => format!("{authority}:{default_port}"),
    };
    variants.push(format!("{scheme}://{toggled_authority}{tail}"));
    variants
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const TOKEN: &str = "12345";
    const URL: &str = "https://mycompany.com/myapp.php?foo=1&bar=2";

    fn example_params(caller: &str) -> Vec<(String, String)> {
        [
            ("CallSid", "CA1234567890ABCDE"),
            ("Caller", caller),
            ("Digits", "1234"),
            ("From", caller),
            ("To", "+18005551212"),
        ]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
    }

    fn twilio_example_params() -> Vec<(String, String)> {
        example_params("+12349013030")
    }

    /// Twilio's "Webhooks security" guide: caller +12349013030.
    #[test]
    fn twilio_documented_example_produces_the_documented_signature() {
        let params = twilio_example_params();
        let expected = "0/KCTR6DLpKmkAf8muzZqo1nDgQ=";
        assert_eq!(compute_signature(TOKEN, URL, &params), expected);
        assert!(verify_signature(TOKEN, URL, &params, expected));
    }

    /// twilio-python's request-validator test: the same example with caller +14158675309.
    #[test]
    fn twilio_python_test_vector_produces_its_signature() {
        let params = example_params("+14158675309");
        let expected = "RSOYDt4T1cUTdK1PDd93/VVr8B8=";
        assert_eq!(compute_signature(TOKEN, URL, &params), expected);
        assert!(verify_signature(TOKEN, URL, &params, expected));
        assert!(!verify_signature(
            TOKEN,
            URL,
            &twilio_example_params(),
            expected
        ));
    }

    #[test]
    fn parameter_order_in_the_request_does_not_matter() {
        let mut params = twilio_example_params();
        params.reverse();
        assert_eq!(
            compute_signature(TOKEN, URL, &params),
            "0/KCTR6DLpKmkAf8muzZqo1nDgQ="
        );
    }

    #[test]
    fn a_signature_made_with_the_default_port_verifies_without_it_and_vice_versa() {
        let params = twilio_example_params();
        let with_port = "https://mycompany.com:443/myapp.php?foo=1&bar=2";
        let signed_with_port = compute_signature(TOKEN, with_port, &params);
        assert!(verify_signature(TOKEN, URL, &params, &signed_with_port));
        let signed_without = compute_signature(TOKEN, URL, &params);
        assert!(verify_signature(TOKEN, with_port, &params, &signed_without));

        let http_sig = compute_signature(TOKEN, "http://example.com:80/hook", &params);
        assert!(verify_signature(
            TOKEN,
            "http://example.com/hook",
            &params,
            &http_sig
        ));
    }

    #[test]
    fn a_non_default_port_is_never_dropped() {
        let params = twilio_example_params();
        let sig = compute_signature(TOKEN, "https://mycompany.com:8443/myapp.php", &params);
        assert!(!verify_signature(
            TOKEN,
            "https://mycompany.com/myapp.php",
            &params,
            &sig
        ));
        assert_eq!(url_variants("https://h:8443/x"), vec!["https://h:8443/x"]);
        assert_eq!(
            url_variants("http://[::1]/x?y=1"),
            vec!["http://[::1]/x?y=1", "http://[::1]:80/x?y=1"]
        );
    }

    #[test]
    fn an_empty_token_or_header_or_garbage_never_verifies() {
        let params = twilio_example_params();
        let sig = compute_signature("", URL, &params);
        assert!(!verify_signature("", URL, &params, &sig));
        assert!(!verify_signature(TOKEN, URL, &params, ""));
        assert!(!verify_signature(TOKEN, URL, &params, "not base64!"));
        assert!(!verify_signature(TOKEN, URL, &params, "AAAA"));
    }

    #[test]
    fn an_exactly_repeated_pair_verifies_signed_once_or_twice() {
        let twice = vec![
            ("MediaUrl".to_string(), "a".to_string()),
            ("MediaUrl".to_string(), "a".to_string()),
        ];
        let once = vec![("MediaUrl".to_string(), "a".to_string())];
        assert!(verify_signature(
            TOKEN,
            URL,
            &twice,
            &compute_signature(TOKEN, URL, &twice)
        ));
        assert!(verify_signature(
            TOKEN,
            URL,
            &twice,
            &compute_signature(TOKEN, URL, &once)
        ));
    }

    #[test]
    fn repeated_keys_are_all_signed_sorted_by_value() {
        let a = vec![
            ("MediaUrl".to_string(), "b".to_string()),
            ("MediaUrl".to_string(), "a".to_string()),
        ];
        let b = vec![
            ("MediaUrl".to_string(), "a".to_string()),
            ("MediaUrl".to_string(), "b".to_string()),
        ];
        assert_eq!(
            compute_signature(TOKEN, URL, &a),
            compute_signature(TOKEN, URL, &b)
        );
        let one = vec![("MediaUrl".to_string(), "a".to_string())];
        assert_ne!(
            compute_signature(TOKEN, URL, &a),
            compute_signature(TOKEN, URL, &one)
        );
    }

    fn params_strategy() -> impl Strategy<Value = Vec<(String, String)>> {
        prop::collection::vec(("[A-Za-z]{1,12}", "\\PC{0,20}"), 1..8)
    }

    proptest! {
        #[test]
        fn signing_then_verifying_round_trips(
            token in "[a-f0-9]{32}",
            path in "/[a-z/]{0,20}",
            params in params_strategy(),
        ) {
            let url = format!("https://calls.example.com{path}");
            let sig = compute_signature(&token, &url, &params);
            prop_assert!(verify_signature(&token, &url, &params, &sig));
        }

        #[test]
        fn any_tampered_parameter_fails_verification(
            token in "[a-f0-9]{32}",
            params in params_strategy(),
            index in any::<prop::sample::Index>(),
            suffix in "\\PC{1,5}",
        ) {
            let url = "https://calls.example.com/api/djdash/calls/incoming";
            let sig = compute_signature(&token, url, &params);
            let mut tampered = params.clone();
            let i = index.index(tampered.len());
            tampered[i].1.push_str(&suffix);
            prop_assert!(!verify_signature(&token, url, &tampered, &sig));
        }
    }
}
