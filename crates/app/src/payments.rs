//! Payments (SPEC §8): opening a payment link, and verified provider webhooks into the ledger.
