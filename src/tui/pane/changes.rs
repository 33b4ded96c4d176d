//! The changes view's state: the requests and grid cells whose decision differs
//! between the policies as loaded (or last saved) and now.

use crate::analysis::diff::{Changed, ChangedCell, changed_cells, changed_requests};
use crate::analysis::grid::Axis;
use crate::eval::Request;
use crate::policy::PolicySet;

/// The changes view (it has no keys of its own).
#[derive(Debug, Clone, Default)]
pub struct ChangesView {
    /// Requests whose decision differs from the baseline.
    pub requests: Vec<Changed>,
    /// Grid cells whose decision differs from the baseline.
    pub cells: Vec<ChangedCell>,
    /// For a trail compared in the background: how far it has gone ("n of N").
    pub progress: Option<String>,
}

impl ChangesView {
    /// Compares `set` with `baseline` on every request (`(label, request)`) and on the
    /// grid `axes` around `shown`.
    pub fn refresh(
        &mut self,
        baseline: &PolicySet,
        set: &PolicySet,
        requests: &[(String, Request)],
        shown: &Request,
        axes: &[Axis],
    ) {
        self.requests = changed_requests(baseline, set, requests);
        self.cells = changed_cells(baseline, set, shown, axes);
    }
}
