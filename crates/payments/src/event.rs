//! What a verified payment webhook means to us, whichever provider sent it.

use djcalls_domain::money::Cents;
/// The refund arithmetic is a money rule, so the type lives in `domain`; parsers build it here.
pub use djcalls_domain::refund::RefundAmount;

/// Which provider's webhook an event came from. Provider payment ids are unique per provider,
/// so the ledger keys payments on `(provider, provider_payment_id)`.
///
/// The simulator sends TipJar-format webhooks to the TipJar endpoint, so its events are
/// `TipJar` events (with `simpay_…` payment ids).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Provider {
    Stripe,
    TipJar,
}

impl Provider {
    pub fn as_str(self) -> &'static str {
        match self {
            Provider::Stripe => "stripe",
            Provider::TipJar => "tipjar",
        }
    }
}

/// A payment webhook, parsed. Amounts are integer cents; `currency` is upper-case ISO 4217.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PaymentEvent {
    /// Money arrived for the call whose opaque reference is `reference`.
    Paid {
        provider: Provider,
        /// The provider's event id: redeliveries of one event carry the same id.
        event_id: String,
        /// Stripe: the PaymentIntent id (`pi_…`), or the Checkout Session id when there is no
        /// PaymentIntent. TipJar: `data.payment_id`. Record a payment once per this id.
        provider_payment_id: String,
        amount_cents: Cents,
        currency: String,
        reference: String,
    },
    /// Some or all of an earlier payment went back to the payer.
    Refunded {
        provider: Provider,
        event_id: String,
        /// The same id the payment was recorded under (Stripe: the charge's PaymentIntent).
        provider_payment_id: String,
        /// Unique per refund step and the same on every redelivery: store refunds under a unique
        /// `(provider, refund_key)` so a duplicate webhook inserts nothing.
        refund_key: String,
        refunded: RefundAmount,
        currency: String,
    },
    /// A well-formed, correctly signed event we do not act on (other types, unpaid sessions,
    /// sessions that are not ours). Answer 2xx so the provider stops resending it.
    Ignored {
        event_id: String,
        event_type: String,
        reason: &'static str,
    },
}

impl PaymentEvent {
    pub fn event_id(&self) -> &str {
        match self {
            PaymentEvent::Paid { event_id, .. }
            | PaymentEvent::Refunded { event_id, .. }
            | PaymentEvent::Ignored { event_id, .. } => event_id,
        }
    }
}

/// A correctly signed webhook body we could not understand. `Display` names the field only,
/// never its value.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum EventParseError {
    #[error("webhook body is not JSON of the expected shape (line {line}, column {column})")]
    Json { line: usize, column: usize },
    #[error("webhook field `{0}` is missing")]
    MissingField(&'static str),
    #[error("webhook field `{0}` has an invalid value")]
    InvalidField(&'static str),
}

impl From<serde_json::Error> for EventParseError {
    // Deliberately drops serde's message: "invalid type: string \"…\"" would echo body content.
    fn from(err: serde_json::Error) -> Self {
        EventParseError::Json {
            line: err.line(),
            column: err.column(),
        }
    }
}

pub(crate) fn required<T>(value: Option<T>, field: &'static str) -> Result<T, EventParseError> {
    value.ok_or(EventParseError::MissingField(field))
}

/// A non-empty id of printable ASCII, at most 255 bytes.
pub(crate) fn id_field(
    value: Option<String>,
    field: &'static str,
) -> Result<String, EventParseError> {
    let value = required(value, field)?;
    if value.is_empty() || value.len() > 255 || !value.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(EventParseError::InvalidField(field));
    }
    Ok(value)
}

/// A payment or refund amount: 1 cent to `MAX_PAYMENT_CENTS` ([`Cents::payment`]); zero,
/// negative or larger amounts make the event invalid (400, nothing recorded).
pub(crate) fn amount_field(
    value: Option<i64>,
    field: &'static str,
) -> Result<Cents, EventParseError> {
    let value = required(value, field)?;
    Cents::payment(value).ok_or(EventParseError::InvalidField(field))
}

/// Three ASCII letters, returned upper-case (`usd` → `USD`).
pub(crate) fn currency_field(
    value: Option<String>,
    field: &'static str,
) -> Result<String, EventParseError> {
    let value = required(value, field)?;
    if value.len() != 3 || !value.bytes().all(|b| b.is_ascii_alphabetic()) {
        return Err(EventParseError::InvalidField(field));
    }
    Ok(value.to_ascii_uppercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn currencies_are_normalised_to_upper_case_iso_codes() {
        assert_eq!(
            currency_field(Some("usd".into()), "currency"),
            Ok("USD".into())
        );
        assert_eq!(
            currency_field(Some("us dollars".into()), "currency"),
            Err(EventParseError::InvalidField("currency"))
        );
        assert_eq!(
            currency_field(None, "currency"),
            Err(EventParseError::MissingField("currency"))
        );
    }

    #[test]
    fn amounts_outside_one_cent_to_a_million_dollars_are_invalid() {
        for bad in [-1, 0, 100_000_001, i64::MAX] {
            assert_eq!(
                amount_field(Some(bad), "amount"),
                Err(EventParseError::InvalidField("amount")),
                "{bad}"
            );
        }
        assert_eq!(
            amount_field(Some(100_000_000), "amount"),
            Ok(Cents(100_000_000))
        );
    }
}
