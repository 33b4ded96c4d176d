//! Text rendering of a Trace (placeholder).
