//! Whether one statement applies to a request: Action/NotAction, Resource/NotResource,
//! Principal/NotPrincipal, then the Condition block.

use super::condition;
use super::request::PreparedRequest;
use super::unresolved::{Bound, Marks};
use crate::policy::principal::PrincipalRef;
use crate::policy::{Effect, PatternItem, PrincipalElement, PrincipalItem, Statement};
use crate::trace::{Choice, EntryTrace, MatchTrace, StatementTrace};

/// How a resource policy's Principal matched the request's principal. The kind
/// decides which limits (boundary, session policy) still apply to the grant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum PrincipalMatch {
    /// An account entry: delegates to the account's identity policies.
    Account,
    /// A role ARN (covers its sessions): boundary and session policy still apply.
    Role,
    /// Some other named principal (service, provider, canonical user).
    Other,
    /// The exact IAM user ARN: the user's boundary does not limit it.
    User,
    /// A role-session or federated-user ARN: neither boundary nor session limits it.
    Session,
    /// `"*"`: neither boundary nor session limits it.
    Everyone,
}

/// The result of evaluating a statement.
#[derive(Debug)]
pub struct StatementEval {
    /// Every element matched and the conditions hold.
    pub applies: bool,
    /// For Principal statements: the strongest entry that matched.
    pub principal_match: Option<PrincipalMatch>,
    /// The statement applies only because a Deny's NotPrincipal cannot exempt a
    /// principal that has a permissions boundary (it lists the principal).
    pub boundary_forced: bool,
    /// The trace, when asked for.
    pub trace: Option<StatementTrace>,
}

/// Evaluates statement `index` against the request. `bounded`: the principal is an IAM
/// user or role (or role session) with a permissions boundary, which a Deny's
/// NotPrincipal cannot exempt (AWS, NotPrincipal "Key points").
pub fn eval_statement(
    s: &Statement,
    index: usize,
    req: &PreparedRequest,
    trace: bool,
    bounded: bool,
) -> StatementEval {
    eval_statement_marked(s, index, req, trace, bounded, &mut Marks::new(Bound::Plain))
}

/// [`eval_statement`] in an evaluation pass that settles comparisons with
/// placeholders as `marks` says and records them there. A statement and request
/// without placeholders take the plain path, whatever the pass.
pub fn eval_statement_marked(
    s: &Statement,
    index: usize,
    req: &PreparedRequest,
    trace: bool,
    bounded: bool,
    marks: &mut Marks,
) -> StatementEval {
    if s.placeholders || req.placeholders {
        return super::marked::eval_statement(s, index, req, trace, bounded, marks);
    }
    // NotPrincipal lists the principal, but the boundary rule makes the Deny apply.
    let forced = |p: &PrincipalElement, m: Option<PrincipalMatch>| {
        bounded && p.negated && s.effect == Effect::Deny && m.is_none()
    };
    if !trace {
        let applies = action_matches(&s.action.items, req) != s.action.negated
            && s.resource
                .as_ref()
                .is_none_or(|r| resource_matches(&r.items, req) != r.negated);
        if !applies {
            return StatementEval {
                applies: false,
                principal_match: None,
                boundary_forced: false,
                trace: None,
            };
        }
        let mut boundary_forced = false;
        let principal_match = match &s.principal {
            Some(p) => match principal_matches(p, &req.principal) {
                Some(m) => Some(m),
                None if forced(p, None) => {
                    boundary_forced = true;
                    Some(PrincipalMatch::Other)
                }
                None => {
                    return StatementEval {
                        applies: false,
                        principal_match: None,
                        boundary_forced: false,
                        trace: None,
                    };
                }
            },
            None => None,
        };
        let (holds, _) = condition::eval_block(&s.conditions, req, false);
        return StatementEval {
            applies: holds,
            principal_match,
            boundary_forced: boundary_forced && holds,
            trace: None,
        };
    }

    let action = trace_patterns(
        if s.action.negated {
            "NotAction"
        } else {
            "Action"
        },
        &req.action,
        s.action.negated,
        s.action.span,
        &s.action.items,
        |item| {
            (
                item.pattern.matches_plain(&req.action_lower),
                None,
                None,
                None,
            )
        },
    );
    let resource = s.resource.as_ref().map(|r| {
        trace_patterns(
            if r.negated { "NotResource" } else { "Resource" },
            &req.resource,
            r.negated,
            r.span,
            &r.items,
            |item| resource_entry(item, req),
        )
    });
    let listed_match = s
        .principal
        .as_ref()
        .and_then(|p| principal_matches(p, &req.principal));
    let boundary_forced = s
        .principal
        .as_ref()
        .is_some_and(|p| forced(p, listed_match));
    let principal_match = if boundary_forced {
        Some(PrincipalMatch::Other)
    } else {
        listed_match
    };
    let principal = s
        .principal
        .as_ref()
        .map(|p| trace_principal(p, req, principal_match.is_some(), boundary_forced));
    let elements_match = action.matched
        && resource.as_ref().is_none_or(|r| r.matched)
        && principal.as_ref().is_none_or(|p| p.matched);
    let (condition, condition_skipped, holds) = if s.conditions.is_empty() {
        (None, None, true)
    } else if elements_match {
        let (holds, t) = condition::eval_block(&s.conditions, req, true);
        (t, None, holds)
    } else {
        (
            None,
            Some("not evaluated: the statement does not cover this request"),
            false,
        )
    };
    let applies = elements_match && holds;
    StatementEval {
        applies,
        principal_match: if applies { principal_match } else { None },
        boundary_forced: boundary_forced && applies,
        trace: Some(StatementTrace {
            index,
            sid: s.sid.clone(),
            effect: s.effect,
            span: s.span,
            applies,
            action,
            resource,
            principal,
            condition,
            condition_skipped,
        }),
    }
}

fn action_matches(items: &[PatternItem], req: &PreparedRequest) -> bool {
    items
        .iter()
        .any(|i| i.pattern.matches_plain(&req.action_lower))
}

fn resource_matches(items: &[PatternItem], req: &PreparedRequest) -> bool {
    items.iter().any(|i| resource_entry(i, req).0)
}

pub(super) type EntryOutcome = (bool, Option<String>, Option<String>, Option<Choice>);

/// Matches one Resource entry: (matched, resolved text, note, choice).
pub(super) fn resource_entry(item: &PatternItem, req: &PreparedRequest) -> EntryOutcome {
    if &*req.resource == "*" {
        let matched = item.pattern.is_wildcards_only() && item.pattern.matches_plain("*");
        return (matched, None, None, Some(Choice::RequestResourceStar));
    }
    if !item.pattern.has_variables() {
        let matched = item.pattern.matches_plain(&req.resource);
        return (matched, None, None, None);
    }
    match item.pattern.resolve(&|k| req.variable(k)) {
        Ok(p) => (
            p.matches_plain(&req.resource),
            Some(p.display()),
            None,
            None,
        ),
        Err(u) => {
            let note = match u {
                crate::policy::pattern::Unresolved::Missing { key } => format!(
                    "${{{key}}} is missing from the request and has no default: this entry matches nothing"
                ),
                crate::policy::pattern::Unresolved::MultiValued { key } => format!(
                    "${{{key}}} is multi-valued and cannot be a variable: this entry matches nothing"
                ),
            };
            (false, None, Some(note), None)
        }
    }
}

pub(super) fn trace_patterns(
    element: &'static str,
    request_value: &std::sync::Arc<str>,
    negated: bool,
    span: crate::source::Span,
    items: &[PatternItem],
    matcher: impl Fn(&PatternItem) -> EntryOutcome,
) -> MatchTrace {
    let entries: Vec<EntryTrace> = items
        .iter()
        .map(|item| {
            let (matched, resolved, note, mut choice) = matcher(item);
            if choice == Some(Choice::RequestResourceStar) && item.pattern.is_match_all() {
                // "*" matches "*" under any reading: nothing was chosen.
                choice = None;
            }
            if choice.is_none()
                && matched
                && element.ends_with("Resource")
                && !item.pattern.has_variables()
                && !item.pattern.is_match_all()
                && !item.pattern.matches_without_crossing(request_value)
            {
                choice = Some(Choice::ResourceWildcardCrossesSeparators);
            }
            EntryTrace {
                text: item.text.clone(),
                resolved,
                span: item.span,
                matched,
                note,
                choice,
                unresolved: Vec::new(),
            }
        })
        .collect();
    let any = entries.iter().any(|e| e.matched);
    MatchTrace {
        element,
        request_value: request_value.clone(),
        matched: any != negated,
        entries,
        span,
    }
}

/// The strongest way a Principal element lets the statement apply to `who`; `None`
/// when it does not (for NotPrincipal: when `who` is listed).
pub fn principal_matches(p: &PrincipalElement, who: &PrincipalRef) -> Option<PrincipalMatch> {
    if p.negated {
        let listed = p.items.iter().any(|i| i.parsed.is_exactly(who));
        return (!listed).then_some(PrincipalMatch::Other);
    }
    p.items.iter().filter_map(|i| entry_match(i, who)).max()
}

/// A Principal entry against the request principal.
pub(super) fn entry_match(item: &PrincipalItem, who: &PrincipalRef) -> Option<PrincipalMatch> {
    use PrincipalRef as P;
    match (&item.parsed, who) {
        (P::Everyone, _) => Some(PrincipalMatch::Everyone),
        (P::Account { account }, w) if w.is_iam() && w.account() == Some(account) => {
            Some(PrincipalMatch::Account)
        }
        (
            P::User { account, name },
            P::User {
                account: a,
                name: n,
            },
        ) if account == a && name == n => Some(PrincipalMatch::User),
        (
            P::Role { account, name, .. },
            P::Role {
                account: a,
                name: n,
                ..
            },
        )
        | (
            P::Role { account, name, .. },
            P::RoleSession {
                account: a,
                role: n,
                ..
            },
        ) if account == a && name == n => Some(PrincipalMatch::Role),
        (P::RoleSession { .. }, P::RoleSession { .. })
        | (P::FederatedUser { .. }, P::FederatedUser { .. })
            if item.parsed == *who =>
        {
            Some(PrincipalMatch::Session)
        }
        (P::Service { name }, P::Service { name: n }) if name == n => Some(PrincipalMatch::Other),
        (P::Other { text }, P::Other { text: t }) if text == t => Some(PrincipalMatch::Other),
        // A Federated entry naming a web identity provider that is also a service
        // name (cognito-identity.amazonaws.com).
        (P::Other { text }, P::Service { name })
            if item.principal_type == crate::policy::PrincipalType::Federated
                && text.eq_ignore_ascii_case(name) =>
        {
            Some(PrincipalMatch::Other)
        }
        _ => None,
    }
}

pub(super) fn trace_principal(
    p: &PrincipalElement,
    req: &PreparedRequest,
    matched: bool,
    boundary_forced: bool,
) -> MatchTrace {
    let who = &req.principal;
    let entries = p
        .items
        .iter()
        .map(|i| {
            let (hit, note) = if p.negated {
                let hit = i.parsed.is_exactly(who);
                let note = if hit && boundary_forced {
                    Some("listed, but the principal has a permissions boundary: a Deny with NotPrincipal applies to it anyway (AWS rule)".to_string())
                } else {
                    matches!(i.parsed, PrincipalRef::Account { .. } | PrincipalRef::Role { .. })
                        .then(|| {
                            "NotPrincipal entries match exactly: an account stands only for its root user, a role only for the role itself (not its sessions)".to_string()
                        })
                };
                (hit, note)
            } else {
                let m = entry_match(i, who);
                let note = match m {
                    Some(PrincipalMatch::Account) => Some(
                        "account entry: covers every principal of the account and delegates to its identity policies".to_string(),
                    ),
                    Some(PrincipalMatch::Role) if matches!(who, PrincipalRef::RoleSession { .. }) => {
                        Some("a role ARN covers every session of the role".to_string())
                    }
                    _ => None,
                };
                (m.is_some(), note)
            };
            EntryTrace {
                text: i.text.clone(),
                resolved: None,
                span: i.span,
                matched: hit,
                note,
                choice: None,
                unresolved: Vec::new(),
            }
        })
        .collect();
    MatchTrace {
        element: if p.negated {
            "NotPrincipal"
        } else {
            "Principal"
        },
        request_value: req.principal_text.clone(),
        matched,
        entries,
        span: p.span,
    }
}
