//! iamtrace's engine: IAM policies parsed with source positions, the full condition
//! semantics, the decision across every policy type, and a [`trace::Trace`] that says
//! why. The terminal UI (the `tui` module) is behind the `tui` feature (on by default);
//! `cargo build --lib --no-default-features` builds the engine with no UI crate, so
//! the compiler, not a convention, keeps UI crates out of the engine (CI builds it so).

pub mod analysis;
pub mod catalog;
pub mod cloudtrail;
pub mod eval;
pub mod json;
pub mod lint;
pub mod policy;
pub mod read;
pub mod safe_text;
pub mod source;
pub mod trace;
pub mod value;

pub use eval::{Detail, Evaluation, PreparedRequest, Request, evaluate};
pub use trace::{Decision, Trace};
pub mod scenario;
// The terminal UI (the `tui` feature, on by default): the engine builds without it.
#[cfg(feature = "tui")]
pub mod tui;
