//! Money in integer cents, and the platform's cut of each payment.

use serde::{Deserialize, Serialize};
use std::fmt;

/// An amount in US cents. Negative for refunds.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct Cents(pub i64);

/// The most one payment may be, in cents ($1,000,000.00; SPEC §11). Bounding each amount also
/// keeps every sum the analytics make far inside `i64`.
pub const MAX_PAYMENT_CENTS: i64 = 100_000_000;

impl Cents {
    /// `raw` cents as the amount of a payment (or of a refund): from 1 cent to
    /// [`MAX_PAYMENT_CENTS`]. Zero, negative and larger amounts are not payments.
    pub fn payment(raw: i64) -> Option<Cents> {
        (1..=MAX_PAYMENT_CENTS).contains(&raw).then_some(Cents(raw))
    }

    /// Dollars for the JSON edge (`150.0`, `14.99`): the only place money becomes a float.
    pub fn as_dollars(self) -> f64 {
        self.0 as f64 / 100.0
    }
}

impl fmt::Display for Cents {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.0 < 0 { "-" } else { "" };
        let abs = self.0.unsigned_abs();
        write!(f, "{sign}${}.{:02}", abs / 100, abs % 100)
    }
}

/// The platform's share of a payment, in basis points (1500 = 15 %).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CutRate {
    basis_points: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("must be a percentage from 0 to 100 with at most two decimals, like 15 or 12.5")]
pub struct CutRateError;

impl CutRate {
    pub const DEFAULT: CutRate = CutRate { basis_points: 1500 };

    pub fn from_basis_points(basis_points: u32) -> Result<Self, CutRateError> {
        if basis_points > 10_000 {
            return Err(CutRateError);
        }
        Ok(CutRate { basis_points })
    }

    /// Parses `PLATFORM_CUT_PERCENT`: `15`, `12.5`, `7.25`.
    pub fn parse_percent(raw: &str) -> Result<Self, CutRateError> {
        let raw = raw.trim();
        let (whole, frac) = raw.split_once('.').unwrap_or((raw, ""));
        if whole.is_empty()
            || frac.len() > 2
            || !whole.bytes().all(|b| b.is_ascii_digit())
            || !frac.bytes().all(|b| b.is_ascii_digit())
            || whole.len() > 3
            || (raw.contains('.') && frac.is_empty())
        {
            return Err(CutRateError);
        }
        let whole: u32 = whole.parse().map_err(|_| CutRateError)?;
        let frac: u32 = format!("{frac:0<2}").parse().map_err(|_| CutRateError)?;
        Self::from_basis_points(whole * 100 + frac)
    }

    pub fn basis_points(self) -> u32 {
        self.basis_points
    }

    /// Splits one payment into (platform cut, DJ share). The cut is rounded half up to the cent
    /// (half away from zero for refunds, so a full refund reverses exactly the original cut), and
    /// the DJ gets the rest: the two always add up to `amount`.
    pub fn split(self, amount: Cents) -> (Cents, Cents) {
        let bp = i128::from(self.basis_points);
        let scaled = i128::from(amount.0) * bp; // cents × 10 000
        let magnitude = (scaled.abs() + 5_000) / 10_000;
        let cut = if scaled < 0 { -magnitude } else { magnitude };
        // |cut| ≤ |amount|, so it fits in i64.
        let cut = i64::try_from(cut).unwrap_or(amount.0);
        (Cents(cut), Cents(amount.0 - cut))
    }
}

impl Default for CutRate {
    fn default() -> Self {
        CutRate::DEFAULT
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn the_rounding_table_holds() {
        let rate = CutRate::DEFAULT;
        assert_eq!(rate.split(Cents(15_000)), (Cents(2_250), Cents(12_750)));
        assert_eq!(rate.split(Cents(9_990)), (Cents(1_499), Cents(8_491)));
        assert_eq!(rate.split(Cents(5)), (Cents(1), Cents(4)));
        assert_eq!(rate.split(Cents(3)), (Cents(0), Cents(3)));
        assert_eq!(rate.split(Cents(-15_000)), (Cents(-2_250), Cents(-12_750)));
        assert_eq!(rate.split(Cents(0)), (Cents(0), Cents(0)));
    }

    #[test]
    fn percent_settings_parse_strictly() {
        assert_eq!(CutRate::parse_percent("15").unwrap().basis_points(), 1500);
        assert_eq!(CutRate::parse_percent("12.5").unwrap().basis_points(), 1250);
        assert_eq!(CutRate::parse_percent("0").unwrap().basis_points(), 0);
        assert_eq!(
            CutRate::parse_percent("100").unwrap().basis_points(),
            10_000
        );
        assert_eq!(CutRate::parse_percent("7.25").unwrap().basis_points(), 725);
        for bad in ["", "abc", "-1", "101", "12.345", "15%", "1e2", "12.", ".5"] {
            assert!(CutRate::parse_percent(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn only_one_cent_to_a_million_dollars_is_a_payment() {
        assert_eq!(Cents::payment(1), Some(Cents(1)));
        assert_eq!(Cents::payment(100_000_000), Some(Cents(100_000_000)));
        for bad in [0, -1, 100_000_001, i64::MAX, i64::MIN] {
            assert_eq!(Cents::payment(bad), None, "{bad}");
        }
    }

    #[test]
    fn cents_print_as_dollars() {
        assert_eq!(Cents(123_456).to_string(), "$1234.56");
        assert_eq!(Cents(-5).to_string(), "-$0.05");
        assert_eq!(Cents(1499).as_dollars(), 14.99);
    }

    proptest! {
        #[test]
        fn cut_and_dj_share_add_up_exactly(amount in -10_000_000i64..10_000_000, bp in 0u32..=10_000) {
            let rate = CutRate::from_basis_points(bp).unwrap();
            let (cut, dj) = rate.split(Cents(amount));
            prop_assert_eq!(cut.0 + dj.0, amount);
            prop_assert!(cut.0.abs() <= amount.abs());
            // A refund of the same amount reverses the cut exactly.
            let (refund_cut, _) = rate.split(Cents(-amount));
            prop_assert_eq!(refund_cut.0, -cut.0);
        }
    }
}
