//! Statement ids: unique within a policy, and the characters IAM takes.

use super::super::{Finding, FixEdit, LintContext};
use crate::policy::{Policy, PolicyKind};
use std::collections::HashMap;

/// Duplicate Sids; characters AWS does not take (IAM policies: letters and digits).
pub(super) fn sids(policy: &Policy, ctx: LintContext, out: &mut Vec<Finding>) {
    // IAM's own policies take letters and digits only and need unique Sids; other
    // services set their own rules (a Sid is a sub-id of the policy's Id there).
    let iam = matches!(
        ctx.kind,
        PolicyKind::Identity | PolicyKind::Boundary | PolicyKind::Session
    ) || ctx.trust_policy;
    // Each Sid's first statement, looked up (a policy may have thousands of them).
    let mut firsts: HashMap<&str, usize> = HashMap::new();
    for (i, st) in policy.statements.iter().enumerate() {
        if let Some(sid) = st.sid.as_deref().filter(|s| !s.is_empty()) {
            firsts.entry(sid).or_insert(i);
        }
    }
    for (i, st) in policy.statements.iter().enumerate() {
        let (Some(sid), Some(span)) = (&st.sid, st.sid_span) else {
            continue;
        };
        let first = firsts
            .get(&**sid)
            .filter(|&&f| f < i)
            .map(|&f| &policy.statements[f]);
        if let Some(first) = first {
            let at = first.sid_span.unwrap_or(first.span);
            let mut f = Finding::new(
                "duplicate-sid",
                span,
                format!(
                    "Sid \"{sid}\" is also the Sid of the statement at line {}, column {}; Sids {} be unique within a policy",
                    at.line,
                    at.column,
                    if iam { "must" } else { "should" }
                ),
            );
            if !iam {
                f.severity = super::super::Severity::Warning;
            }
            out.push(f);
        }
        if iam && !sid.bytes().all(|b| b.is_ascii_alphanumeric()) {
            out.push(
                Finding::new(
                    "invalid-sid",
                    span,
                    format!(
                        "Sid \"{sid}\": an {} takes only ASCII letters and digits in a Sid",
                        if ctx.trust_policy {
                            "IAM role trust policy"
                        } else {
                            "IAM policy"
                        }
                    ),
                )
                .with_fix(
                    sid.chars()
                        .filter(char::is_ascii_alphanumeric)
                        .collect::<String>(),
                )
                .with_edit(FixEdit::ReplaceString {
                    at: span,
                    to: sid.chars().filter(char::is_ascii_alphanumeric).collect(),
                }),
            );
        }
    }
}
