//! Dashboard sign-in sessions: created at /login, looked up by cookie, ended at /logout.
