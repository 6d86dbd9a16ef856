//! Inbound SMS (opt-out, opt-in, help, messages from leads) and message status callbacks.
