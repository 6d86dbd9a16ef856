//! Stripe's form bodies, built by hand as ordered pairs: `serde_urlencoded` cannot express the
//! bracket syntax (`line_items[0][price]`, `metadata[reference]`) Stripe expects.

use crate::provider::SessionRequest;

use super::DepositOptions;

/// Stripe's limit for a product name is generous; we keep names short enough for any receipt.
const MAX_PRODUCT_NAME_CHARS: usize = 120;

fn pair(key: &str, value: impl Into<String>) -> (String, String) {
    (key.to_owned(), value.into())
}

/// `metadata[reference]` and `metadata[dj_profile_id]` under `prefix`, so the Dashboard and any
/// later API read lead back to our call without any personal data.
fn our_metadata(prefix: &str, req: &SessionRequest) -> [(String, String); 2] {
    [
        pair(&format!("{prefix}[reference]"), req.reference.as_str()),
        pair(
            &format!("{prefix}[dj_profile_id]"),
            req.dj_profile_id.to_string(),
        ),
    ]
}

/// `POST /v1/prices`: a one-time price whose amount the payer chooses on Checkout.
pub(super) fn price_params(
    req: &SessionRequest,
    deposit: &DepositOptions,
) -> Vec<(String, String)> {
    let name: String = format!("Booking deposit: {}", req.dj_name.trim())
        .chars()
        .take(MAX_PRODUCT_NAME_CHARS)
        .collect();
    let mut form = vec![
        pair("currency", deposit.currency.as_str()),
        pair("custom_unit_amount[enabled]", "true"),
    ];
    let limits = [
        ("custom_unit_amount[minimum]", deposit.minimum_cents),
        ("custom_unit_amount[maximum]", deposit.maximum_cents),
        ("custom_unit_amount[preset]", deposit.preset_cents),
    ];
    for (key, cents) in limits {
        if let Some(cents) = cents {
            form.push(pair(key, cents.0.to_string()));
        }
    }
    form.push(pair("product_data[name]", name));
    form.extend(our_metadata("metadata", req));
    form
}

/// `POST /v1/checkout/sessions`: one unit of that price, tied to our call by
/// `client_reference_id` (and metadata, mirrored onto the PaymentIntent).
pub(super) fn checkout_session_params(
    req: &SessionRequest,
    price_id: &str,
) -> Vec<(String, String)> {
    let mut form = vec![
        pair("mode", "payment"),
        pair("line_items[0][price]", price_id),
        pair("line_items[0][quantity]", "1"),
        pair("client_reference_id", req.reference.as_str()),
        // The pay button reads "Book" rather than "Pay".
        pair("submit_type", "book"),
        pair("success_url", req.success_url.as_str()),
        pair("cancel_url", req.cancel_url.as_str()),
        pair("payment_intent_data[description]", req.description.as_str()),
    ];
    form.extend(our_metadata("metadata", req));
    form.extend(our_metadata("payment_intent_data[metadata]", req));
    form
}

#[cfg(test)]
mod tests {
    use super::*;
    use djcalls_domain::ids::DjProfileId;
    use djcalls_domain::money::Cents;
    use uuid::Uuid;

    fn request() -> SessionRequest {
        SessionRequest {
            reference: "c4ll_r3f_A1".into(),
            dj_profile_id: DjProfileId(Uuid::from_u128(0x0195_f3a2_7c1e_7000_8000_0000_0000_0001)),
            dj_name: "DJ Nova".into(),
            description: "Booking deposit for DJ Nova".into(),
            idempotency_key: "followup-7".into(),
            success_url: "https://calls.example.com/pay/thanks".into(),
            cancel_url: "https://calls.example.com/pay/cancelled".into(),
        }
    }

    fn render(form: &[(String, String)]) -> String {
        form.iter().map(|(k, v)| format!("{k}={v}\n")).collect()
    }

    #[test]
    fn the_price_form_lets_the_payer_choose_the_amount() {
        let deposit = DepositOptions {
            minimum_cents: Some(Cents(2_500)),
            preset_cents: Some(Cents(10_000)),
            ..DepositOptions::default()
        };
        insta::assert_snapshot!(render(&price_params(&request(), &deposit)));
    }

    #[test]
    fn the_checkout_session_form_carries_our_reference_and_nothing_personal() {
        insta::assert_snapshot!(render(&checkout_session_params(&request(), "price_123")));
    }
}
