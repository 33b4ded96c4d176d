//! Before and after: the requests and grid cells whose decision differs between two
//! policy sets, so a user sees what an edit breaks or opens before applying it.

use super::grid::{Axis, Cell, grid};
use crate::eval::{Detail, PreparedRequest, Request, evaluate};
use crate::policy::PolicySet;
use crate::trace::Decision;
use serde::Serialize;

/// A request whose decision changes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Changed {
    /// The request's label (its name, or `#N`).
    pub request: String,
    /// The decision under the old policies.
    pub before: Decision,
    /// The decision under the new policies.
    pub after: Decision,
}

/// Every request of `requests` whose decision differs between `old` and `new`.
pub fn changed_requests(
    old: &PolicySet,
    new: &PolicySet,
    requests: &[(String, Request)],
) -> Vec<Changed> {
    requests
        .iter()
        .filter_map(|(label, r)| {
            let p = PreparedRequest::new(r);
            let before = evaluate(old, &p, Detail::Decision).decision;
            let after = evaluate(new, &p, Detail::Decision).decision;
            (before != after).then(|| Changed {
                request: label.clone(),
                before,
                after,
            })
        })
        .collect()
}

/// A grid cell whose decision changes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChangedCell {
    /// The values of the cell (index-aligned with the axes; `None`: absent).
    pub values: Vec<Option<String>>,
    /// Before.
    pub before: Decision,
    /// After.
    pub after: Decision,
}

impl ChangedCell {
    /// `aws:SourceIp=52.95.4.1 aws:ViaAWSService=absent`: the cell's values by axis.
    pub fn values_text(&self, axes: &[Axis]) -> String {
        axes.iter()
            .zip(&self.values)
            .map(|(a, v)| format!("{}={}", a.input.name(), v.as_deref().unwrap_or("absent")))
            .collect::<Vec<_>>()
            .join(" ")
    }
}

/// Every cell of the grid over `axes` (around `base`) whose decision differs.
pub fn changed_cells(
    old: &PolicySet,
    new: &PolicySet,
    base: &Request,
    axes: &[Axis],
) -> Vec<ChangedCell> {
    let a: Vec<Cell> = grid(old, base, axes);
    let b: Vec<Cell> = grid(new, base, axes);
    a.into_iter()
        .zip(b)
        .filter(|(x, y)| x.decision != y.decision)
        .map(|(x, y)| ChangedCell {
            values: x.values,
            before: x.decision,
            after: y.decision,
        })
        .collect()
}
