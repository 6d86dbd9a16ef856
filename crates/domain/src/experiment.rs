//! A/B tests of the follow-up text (SPEC §13): how many variants an experiment has, how its
//! split is checked, its states, and which variant a call gets.
//!
//! **Assignment** is a pure function of the experiment's id, the call's id and the split, so
//! every retry of a call's follow-up job (and every process) picks the same variant: a stable
//! 64-bit hash of the two ids (FNV-1a over their 32 bytes, then SplitMix64's finaliser to spread
//! FNV's weak low bits) modulo 100 is a bucket, and the split's running sums say whose bucket it
//! is. The hash is written out here rather than taken from `std` (whose `DefaultHasher` may
//! change between Rust releases): changing it would move calls of a running experiment between
//! variants, which `assignment_is_pinned` guards.

use crate::ids::{CallId, ExperimentId};
use crate::vocab::text_vocabulary;

/// The fewest variants an experiment has.
pub const MIN_VARIANTS: usize = 2;
/// The most variants an experiment has.
pub const MAX_VARIANTS: usize = 4;

/// Where an experiment stands. Only `draft → running → stopped`: a stopped experiment is not
/// started again, so its figures always describe one uninterrupted period.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ExperimentState {
    Draft,
    Running,
    Stopped,
}

text_vocabulary!(ExperimentState, "experiment state", {
    Draft => "draft",
    Running => "running",
    Stopped => "stopped",
});

/// Why a split was refused; `message` says it for a person.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SplitError {
    /// The split has another number of entries than there are variants.
    Length { split: usize, variants: usize },
    /// An entry below 1 % or above 100 %.
    OutOfRange(i64),
    /// The entries do not add up to 100.
    Sum(i64),
}

impl SplitError {
    pub fn message(&self) -> String {
        match self {
            SplitError::Length { split, variants } => format!(
                "must have one percentage per variant: {split} given for {variants} variants"
            ),
            SplitError::OutOfRange(p) => {
                format!("must be whole percentages from 1 to 100 ({p} is not)")
            }
            SplitError::Sum(sum) => format!("must add up to 100 (these add up to {sum})"),
        }
    }
}

/// Checks a split of `variants` variants: one whole percentage each, every one from 1 to 100,
/// adding up to 100.
pub fn check_split(split: &[i64], variants: usize) -> Result<Vec<u8>, SplitError> {
    if split.len() != variants {
        return Err(SplitError::Length {
            split: split.len(),
            variants,
        });
    }
    let mut checked = Vec::with_capacity(split.len());
    for &p in split {
        checked.push(
            u8::try_from(p)
                .ok()
                .filter(|p| (1..=100).contains(p))
                .ok_or(SplitError::OutOfRange(p))?,
        );
    }
    let sum: i64 = split.iter().sum();
    if sum != 100 {
        return Err(SplitError::Sum(sum));
    }
    Ok(checked)
}

/// Whether a number of variants is allowed.
pub fn variant_count_ok(n: usize) -> bool {
    (MIN_VARIANTS..=MAX_VARIANTS).contains(&n)
}

/// The call's bucket in 0..100 for this experiment.
pub fn bucket(experiment: ExperimentId, call: CallId) -> u8 {
    const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
    const FNV_PRIME: u64 = 0x0000_0100_0000_01b3;
    let mut h = FNV_OFFSET;
    for byte in experiment.0.as_bytes().iter().chain(call.0.as_bytes()) {
        h ^= u64::from(*byte);
        h = h.wrapping_mul(FNV_PRIME);
    }
    // SplitMix64's finaliser (Steele, Lea & Flood 2014).
    h = (h ^ (h >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    h = (h ^ (h >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    h ^= h >> 31;
    u8::try_from(h % 100).unwrap_or(0)
}

/// The variant (its position in the split) a call gets. `split` is a checked split
/// ([`check_split`]); were it to add up to less than 100, the last variant takes the rest.
pub fn assign_variant(experiment: ExperimentId, call: CallId, split: &[u8]) -> usize {
    let bucket = u32::from(bucket(experiment, call));
    let mut upper = 0u32;
    for (position, share) in split.iter().enumerate() {
        upper += u32::from(*share);
        if bucket < upper {
            return position;
        }
    }
    split.len().saturating_sub(1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use uuid::Uuid;

    fn ids(n: u128) -> (ExperimentId, CallId) {
        (
            ExperimentId(Uuid::from_u128(0x0190_0000_0000_7000_8000_0000_0000_0001)),
            CallId(Uuid::from_u128(
                0x0190_0000_0000_7000_8000_0000_0000_0000 + n,
            )),
        )
    }

    #[test]
    fn splits_need_one_whole_percentage_per_variant_adding_up_to_100() {
        assert_eq!(check_split(&[50, 50], 2), Ok(vec![50, 50]));
        assert_eq!(check_split(&[10, 20, 30, 40], 4), Ok(vec![10, 20, 30, 40]));
        assert_eq!(check_split(&[50, 40], 2), Err(SplitError::Sum(90)));
        assert_eq!(check_split(&[60, 50], 2), Err(SplitError::Sum(110)));
        assert_eq!(check_split(&[100, 0], 2), Err(SplitError::OutOfRange(0)));
        assert_eq!(
            check_split(&[150, -50], 2),
            Err(SplitError::OutOfRange(150))
        );
        assert_eq!(
            check_split(&[100], 2),
            Err(SplitError::Length {
                split: 1,
                variants: 2
            })
        );
        assert!(SplitError::Sum(90).message().contains("add up to 100"));
        assert!(!variant_count_ok(1) && variant_count_ok(2) && variant_count_ok(4));
        assert!(!variant_count_ok(5));
    }

    #[test]
    fn a_call_always_gets_the_same_variant() {
        let split = [30, 70];
        for n in 0..200 {
            let (e, c) = ids(n);
            let first = assign_variant(e, c, &split);
            assert_eq!(assign_variant(e, c, &split), first);
            assert!(first < 2);
        }
    }

    /// Changing the hash would move the calls of a running experiment between variants.
    #[test]
    fn assignment_is_pinned() {
        let buckets: Vec<u8> = (0..8).map(|n| bucket(ids(n).0, ids(n).1)).collect();
        assert_eq!(buckets, PINNED_BUCKETS);
    }

    // Computed independently (a Python transcription of `bucket`).
    const PINNED_BUCKETS: [u8; 8] = [82, 14, 47, 21, 51, 3, 43, 1];

    /// Over 20,000 call ids that differ only in their last bits (the hardest case for a hash), each variant's share is within
    /// five standard errors of its split, for splits of 2, 3 and 4 variants; and a bucket's
    /// boundaries are honoured (a 1 % variant gets about 1 %).
    #[test]
    fn the_split_is_honoured_over_many_calls() {
        let n = 20_000u32;
        for split in [&[50u8, 50][..], &[70, 30], &[1, 33, 66], &[10, 20, 30, 40]] {
            let mut counts = vec![0u32; split.len()];
            for i in 0..n {
                let (e, c) = ids(u128::from(i));
                counts[assign_variant(e, c, split)] += 1;
            }
            for (count, share) in counts.iter().zip(split) {
                let p = f64::from(*share) / 100.0;
                let expected = f64::from(n) * p;
                let sd = (f64::from(n) * p * (1.0 - p)).sqrt();
                assert!(
                    (f64::from(*count) - expected).abs() < 5.0 * sd,
                    "split {split:?}: {counts:?}"
                );
            }
        }
    }

    #[test]
    fn states_keep_their_stored_names() {
        for s in ExperimentState::ALL {
            assert_eq!(ExperimentState::try_from(s.to_string()), Ok(*s));
        }
        assert_eq!(ExperimentState::Running.as_str(), "running");
    }
}
