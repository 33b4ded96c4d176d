//! What-if and why-not over the engine: decision grids over request inputs, the
//! changes that would flip a decision, and before/after comparison of two policy sets.
//! Everything here is built from `evaluate`; nothing decides on its own.

pub mod axes;
pub mod diff;
pub mod fixes;
pub mod grid;
pub mod whynot;
