//! Follow-up SMS after a real conversation (SPEC §8): when, what, and exactly once.
