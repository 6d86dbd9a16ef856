//! SMS messages sent and received, and opt-outs.
