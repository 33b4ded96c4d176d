//! iamtrace's engine: IAM policies parsed with source positions, the full condition
//! semantics, the decision across every policy type, and a [`trace::Trace`] that says
//! why. The engine uses no terminal or UI crate: the TUI below is behind the `tui`
//! feature (on by default), and `cargo build --lib --no-default-features` builds the
//! engine alone.

pub mod analysis;
pub mod catalog;
pub mod cloudtrail;
pub mod eval;
pub mod iac;
pub mod input;
pub mod json;
pub mod learn;
pub mod lint;
pub mod policy;
pub mod read;
pub mod safe_text;
pub mod save;
pub mod source;
pub mod trace;
pub mod value;
pub mod yaml;

pub use eval::{Detail, Evaluation, PreparedRequest, Request, evaluate};
pub use trace::{Decision, Trace};
pub mod scenario;
/// The terminal UI (feature `tui`, on by default): the engine above does not depend on it.
#[cfg(feature = "tui")]
pub mod tui;
