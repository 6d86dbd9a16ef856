//! Refund arithmetic: how much of a payment a refund event gives back, and how much of the
//! platform's cut goes back with it.

use crate::money::Cents;

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
/// its unique refund key: read the payment and the sum already refunded on it and call
/// [`RefundAmount::step`]. For cumulative totals that records `max(0, total − already)`, so
/// duplicates and out-of-order deliveries (total 500 arriving before total 300) add nothing and
/// the ledger ends at the highest total Stripe reported. For single refunds the refund key
/// alone makes the insert idempotent. Either way the running total is capped at the payment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RefundAmount {
    /// Everything refunded on this payment so far, this refund included (Stripe).
    Cumulative { total_cents: Cents },
    /// The amount of this refund alone (TipJar).
    Single { amount_cents: Cents },
}

/// A payment as the ledger recorded it: what was paid and the platform's cut of it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PaidAmount {
    pub amount: Cents,
    pub cut: Cents,
}

/// What one refund gives back, as positive amounts: `amount` to the payer, of which `cut` comes
/// out of the platform's share (the rest out of the DJ's).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RefundStep {
    pub amount: Cents,
    pub cut: Cents,
}

impl RefundAmount {
    /// The cents new with this refund, given `already_refunded` on a payment of `paid`: never
    /// negative, and never taking the running total past the payment.
    pub fn delta_given(self, paid: Cents, already_refunded: Cents) -> Cents {
        let wanted = match self {
            RefundAmount::Cumulative { total_cents } => {
                total_cents.0.saturating_sub(already_refunded.0)
            }
            RefundAmount::Single { amount_cents } => amount_cents.0,
        };
        Cents(wanted.min(paid.0.saturating_sub(already_refunded.0)).max(0))
    }

    /// The refund to record now, or `None` when it adds nothing (an older cumulative total
    /// arriving late, or the payment is already refunded in full). The cut given back is the
    /// payment's cut in proportion, computed on running totals, so a payment refunded in full —
    /// in one step or several — gives back exactly its original cut whatever the rate is now.
    pub fn step(self, paid: PaidAmount, already_refunded: Cents) -> Option<RefundStep> {
        let delta = self.delta_given(paid.amount, already_refunded);
        if delta.0 <= 0 {
            return None;
        }
        let after = Cents(already_refunded.0 + delta.0);
        let cut = proportional_cut(paid, after).0 - proportional_cut(paid, already_refunded).0;
        Some(RefundStep {
            amount: delta,
            cut: Cents(cut),
        })
    }
}

/// `paid.cut × refunded / paid.amount`, rounded half up; exactly `paid.cut` when all is
/// refunded.
fn proportional_cut(paid: PaidAmount, refunded: Cents) -> Cents {
    if paid.amount.0 <= 0 {
        return Cents(0);
    }
    let scaled = i128::from(paid.cut.0) * i128::from(refunded.0) * 2 + i128::from(paid.amount.0);
    let cut = scaled.div_euclid(2 * i128::from(paid.amount.0));
    Cents(i64::try_from(cut).unwrap_or(paid.cut.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn total(cents: i64) -> RefundAmount {
        RefundAmount::Cumulative {
            total_cents: Cents(cents),
        }
    }

    fn single(cents: i64) -> RefundAmount {
        RefundAmount::Single {
            amount_cents: Cents(cents),
        }
    }

    #[test]
    fn a_cumulative_refund_records_only_what_is_new_and_never_more_than_was_paid() {
        let paid = Cents(10_000);
        assert_eq!(total(500).delta_given(paid, Cents(0)), Cents(500));
        assert_eq!(total(500).delta_given(paid, Cents(300)), Cents(200));
        assert_eq!(total(500).delta_given(paid, Cents(500)), Cents(0));
        assert_eq!(total(20_000).delta_given(paid, Cents(500)), Cents(9_500));
    }

    #[test]
    fn a_cumulative_refund_arriving_late_records_nothing() {
        assert_eq!(total(300).delta_given(Cents(10_000), Cents(500)), Cents(0));
        let paid = PaidAmount {
            amount: Cents(10_000),
            cut: Cents(1_500),
        };
        assert_eq!(total(300).step(paid, Cents(500)), None);
    }

    #[test]
    fn a_single_refund_records_its_own_amount_up_to_what_is_left() {
        assert_eq!(single(250).delta_given(Cents(1_000), Cents(0)), Cents(250));
        assert_eq!(
            single(700).delta_given(Cents(1_000), Cents(500)),
            Cents(500)
        );
        assert_eq!(single(-5).delta_given(Cents(1_000), Cents(0)), Cents(0));
    }

    #[test]
    fn a_refund_in_steps_reverses_exactly_the_original_cut() {
        // 99.90 paid, cut 14.99; refunded 33.30 three times.
        let paid = PaidAmount {
            amount: Cents(9_990),
            cut: Cents(1_499),
        };
        let mut already = Cents(0);
        let mut cut_back = 0;
        for _ in 0..3 {
            let step = single(3_330).step(paid, already).expect("a refund step");
            cut_back += step.cut.0;
            already = Cents(already.0 + step.amount.0);
        }
        assert_eq!(already, paid.amount);
        assert_eq!(cut_back, paid.cut.0);
        assert_eq!(single(1).step(paid, already), None);
        let third = PaidAmount {
            amount: Cents(15_000),
            cut: Cents(2_250),
        };
        assert_eq!(
            single(5_000).step(third, Cents(0)),
            Some(RefundStep {
                amount: Cents(5_000),
                cut: Cents(750)
            })
        );
    }
}
