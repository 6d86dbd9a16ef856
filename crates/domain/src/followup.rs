//! The follow-up rules: who qualifies, quiet hours, and plain GSM-7 message text.
