//! The checks, statement by statement: actions against the catalog, condition keys
//! against the actions and the global key table, operators against key types, actions
//! against the resources and resource ARNs against their formats, and the
//! policy-language pitfalls.

mod actions;
mod arns;
mod conditions;
mod effects;
mod network;
mod resources;
mod sids;
mod variables;

use super::escalation::Grants;
use super::{Finding, FixEdit, LintContext, StatementFindings};
use crate::catalog::services::{Action, Service};
use crate::policy::{Policy, Statement, Version};

/// The catalog actions a statement's `Action` matches.
type Matched<'c> = Vec<(&'c Service<'static>, &'c Action<'static>)>;

/// Runs every check on `policy`; also what it grants of the escalation sets (identity
/// policies only; `None` inside for one that allows everything), for the check across
/// a principal's policies. Each statement's own findings are taken from `kept`
/// (index-aligned with the statements) where they are, and kept there where not.
pub fn run_kept(
    policy: &Policy,
    ctx: LintContext,
    kept: &mut StatementFindings,
) -> (Vec<Finding>, Option<Option<Grants>>) {
    let mut out = Vec::new();
    if !policy.explicit_version {
        out.push(Finding::new(
            "missing-version",
            policy.span,
            "no Version: the policy is read as 2008-10-17, where policy variables are literal text",
        ).with_fix("\"Version\": \"2012-10-17\"").with_edit(FixEdit::SetVersion));
    }
    sids::sids(policy, ctx, &mut out);
    if kept.len() != policy.statements.len() {
        kept.clear();
        kept.resize(policy.statements.len(), None);
    }
    for (st, slot) in policy.statements.iter().zip(kept.iter_mut()) {
        let found = slot.get_or_insert_with(|| statement(st, policy.version, ctx));
        out.extend(found.iter().cloned());
    }
    // Escalation is about what a principal is granted: identity policies only.
    let grants = (ctx.kind == crate::policy::PolicyKind::Identity)
        .then(|| super::escalation::check(policy, &mut out));
    (out, grants)
}

/// The checks of one statement on its own (of a policy of `version`), in the order
/// they run.
pub fn statement(st: &Statement, version: Version, ctx: LintContext) -> Vec<Finding> {
    let mut out = Vec::new();
    let expanded = actions::actions(st, &mut out);
    let matched = expanded.all.as_ref();
    conditions::conditions(st, matched, &mut out);
    effects::effects(st, matched, ctx, &mut out);
    resources::resource_types(st, &expanded.per_item, &mut out);
    arns::arn_formats(st, &mut out);
    network::network_deny(st, &mut out);
    if version == Version::V2008 {
        variables::variables_2008(st, &mut out);
    }
    out
}
