//! Click-to-call events from the phone widget, and their attribution to the calls that follow.
