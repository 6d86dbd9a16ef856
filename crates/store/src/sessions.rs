//! Dashboard sessions (`web_sessions`): stored server-side, the cookie carries only an opaque id.
