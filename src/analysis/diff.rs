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
    /// The unresolved template values (placeholders) either decision depends on:
    /// resolving them could change it, so the request is listed even when the two
    /// decisions given are the same.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub unresolved: Vec<String>,
}

/// Every request of `requests` whose decision differs between `old` and `new`, or
/// depends on unresolved values on either side.
pub fn changed_requests(
    old: &PolicySet,
    new: &PolicySet,
    requests: &[(String, Request)],
) -> Vec<Changed> {
    requests
        .iter()
        .filter_map(|(label, r)| compare(old, new, &PreparedRequest::new(r), || label.clone()))
        .collect()
}

/// `p` under `old` and under `new`: `Some` when the decisions differ or either depends
/// on unresolved values.
pub fn compare(
    old: &PolicySet,
    new: &PolicySet,
    p: &PreparedRequest,
    label: impl FnOnce() -> String,
) -> Option<Changed> {
    let before = evaluate(old, p, Detail::Decision);
    let after = evaluate(new, p, Detail::Decision);
    let mut unresolved: Vec<String> = Vec::new();
    for ev in [&before, &after] {
        if let Some(u) = ev.unresolved.as_ref().filter(|u| u.depends) {
            for v in &u.values {
                if !unresolved.contains(v) {
                    unresolved.push(v.clone());
                }
            }
        }
    }
    (before.decision != after.decision || !unresolved.is_empty()).then(|| Changed {
        request: label(),
        before: before.decision,
        after: after.decision,
        unresolved,
    })
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
