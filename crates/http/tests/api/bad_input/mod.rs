//! The bad-input matrix (SQLite): every malformed request gets a 4xx with the SPEC §3 error
//! envelope, the right code, and the field at fault named.

mod calls;
mod dates;
mod matrix;
mod profiles;
