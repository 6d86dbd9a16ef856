//! What a verified payment webhook means to us, whichever provider sent it.

use djcalls_domain::money::Cents;

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

/// How much a refund event says was refunded. The providers differ, and the difference matters
/// for idempotency, so the type keeps it instead of hiding it:
///
/// - Stripe's `charge.refunded` carries the charge's **cumulative** `amount_refunded` (its
///   `refunds` list is no longer included in webhooks since API version 2022-11-15), so one
///   event cannot say how much *this* refund was. → [`RefundAmount::Cumulative`].
/// - TipJar's `payment.refunded` carries the amount of **that one refund**. →
///   [`RefundAmount::Single`].
///
/// To turn either into a ledger row, in the one transaction that inserts the refund row under
/// its unique `refund_key`: read the sum already refunded for this payment and call
/// [`RefundAmount::delta_given`]. For cumulative totals that records `max(0, total − already)`,
/// so duplicates and out-of-order deliveries (total 500 arriving before total 300) add nothing
/// and the ledger ends at the highest total Stripe reported. For single refunds the refund key
/// alone makes the insert idempotent. Either way, cap the running total at the payment amount.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RefundAmount {
    /// Everything refunded on this payment so far, this refund included (Stripe).
    Cumulative { total_cents: Cents },
    /// The amount of this refund alone (TipJar).
    Single { amount_cents: Cents },
}

impl RefundAmount {
    /// The refund to record now, given the total already recorded as refunded for this payment.
    /// Never negative.
    pub fn delta_given(self, already_refunded: Cents) -> Cents {
        match self {
            RefundAmount::Cumulative { total_cents } => {
                Cents(total_cents.0.saturating_sub(already_refunded.0).max(0))
            }
            RefundAmount::Single { amount_cents } => Cents(amount_cents.0.max(0)),
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

pub(crate) fn amount_field(
    value: Option<i64>,
    field: &'static str,
) -> Result<Cents, EventParseError> {
    let value = required(value, field)?;
    if value < 0 {
        return Err(EventParseError::InvalidField(field));
    }
    Ok(Cents(value))
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
    fn a_cumulative_refund_records_only_what_is_new() {
        let r = RefundAmount::Cumulative {
            total_cents: Cents(500),
        };
        assert_eq!(r.delta_given(Cents(0)), Cents(500));
        assert_eq!(r.delta_given(Cents(300)), Cents(200));
        assert_eq!(r.delta_given(Cents(500)), Cents(0));
    }

    #[test]
    fn a_cumulative_refund_arriving_late_records_nothing() {
        let older = RefundAmount::Cumulative {
            total_cents: Cents(300),
        };
        assert_eq!(older.delta_given(Cents(500)), Cents(0));
    }

    #[test]
    fn a_single_refund_records_its_own_amount() {
        let r = RefundAmount::Single {
            amount_cents: Cents(250),
        };
        assert_eq!(r.delta_given(Cents(1_000)), Cents(250));
    }

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
    fn negative_amounts_are_invalid() {
        assert_eq!(
            amount_field(Some(-1), "amount"),
            Err(EventParseError::InvalidField("amount"))
        );
    }
}
