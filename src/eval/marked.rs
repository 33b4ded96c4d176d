//! One statement evaluated when a placeholder (an unresolved template value) is in it
//! or in the request: the same rules as the plain path, but a comparison that touches
//! a placeholder and is not a sure match is *unresolved*. Its row in the trace is
//! marked, and the pass settles it as its [`Marks`] say (the plain pass: no match).
//! Every entry and condition key is evaluated (as the traced plain path does), so the
//! placeholders recorded do not depend on whether a trace was asked for.

use super::condition;
use super::request::PreparedRequest;
use super::statement::{
    PrincipalMatch, StatementEval, entry_match, resource_entry, trace_patterns, trace_principal,
};
use super::unresolved::{Marks, placeholders_in};
use crate::iac::placeholder::contains;
use crate::policy::principal::PrincipalRef;
use crate::policy::unresolved::surely_matches;
use crate::policy::{Effect, PatternItem, PrincipalElement, PrincipalItem, Statement};
use crate::trace::{MatchTrace, StatementTrace};

/// See [`super::statement::eval_statement_marked`].
pub(super) fn eval_statement(
    s: &Statement,
    index: usize,
    req: &PreparedRequest,
    trace: bool,
    bounded: bool,
    outer: &mut Marks,
) -> StatementEval {
    outer.effect = s.effect;
    // What the elements record is kept only if the statement could apply: an element
    // that surely fails makes its other comparisons irrelevant.
    let mut local = Marks {
        bound: outer.bound,
        effect: s.effect,
        found: Vec::new(),
    };
    let marks = &mut local;
    let action_ph = contains(&req.action_lower);
    let mut action = trace_patterns(
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
            let matched = if action_ph || item.pattern.has_placeholder() {
                surely_matches(&item.pattern, &req.action_lower)
            } else {
                item.pattern.matches_plain(&req.action_lower)
            };
            (matched, None, None, None)
        },
    );
    settle_element(&mut action, s.action.negated, marks);
    let resource = s.resource.as_ref().map(|r| {
        let mut m = trace_patterns(
            if r.negated { "NotResource" } else { "Resource" },
            &req.resource,
            r.negated,
            r.span,
            &r.items,
            |item| resource_entry_marked(item, req),
        );
        settle_element(&mut m, r.negated, marks);
        m
    });

    let listed_match = s
        .principal
        .as_ref()
        .and_then(|p| principal_marked(p, &req.principal, &req.principal_text, marks));
    let boundary_forced = s.principal.as_ref().is_some_and(|p| {
        bounded && p.negated && s.effect == Effect::Deny && listed_match.is_none()
    });
    let principal_match = if boundary_forced {
        Some(PrincipalMatch::Other)
    } else {
        listed_match
    };
    let principal = s.principal.as_ref().map(|p| {
        let mut m = trace_principal(p, req, principal_match.is_some(), boundary_forced);
        for (e, item) in m.entries.iter_mut().zip(&p.items) {
            if !e.matched && item_unresolved(item, &req.principal_text) {
                e.unresolved = placeholders_in(&[&item.text, &req.principal_text]);
            }
        }
        m
    });

    let elements_match = action.matched
        && resource.as_ref().is_none_or(|r| r.matched)
        && principal.as_ref().is_none_or(|p| p.matched);
    // An element fails surely when nothing unresolved could turn it, or (NotAction,
    // NotResource, NotPrincipal) when an entry surely lists the request's value.
    let surely_fails = |m: &MatchTrace| {
        !m.matched
            && (m.entries.iter().all(|e| e.unresolved.is_empty())
                || m.entries.iter().any(|e| e.matched))
    };
    let could_apply = !surely_fails(&action)
        && !resource.as_ref().is_some_and(surely_fails)
        && !principal.as_ref().is_some_and(surely_fails);
    if could_apply {
        let found: Vec<&str> = marks.found.iter().map(String::as_str).collect();
        outer.record(&found);
    }
    let marks = outer;
    let (condition, condition_skipped, holds) = if s.conditions.is_empty() {
        (None, None, true)
    } else if elements_match {
        let (holds, t) = condition::eval_block_marked(&s.conditions, req, marks);
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
        trace: trace.then(|| StatementTrace {
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

/// A Resource entry: matched surely, or not (see [`resource_entry`] for the rest).
fn resource_entry_marked(
    item: &PatternItem,
    req: &PreparedRequest,
) -> super::statement::EntryOutcome {
    let resource_ph = contains(&req.resource);
    if &*req.resource == "*"
        || !(resource_ph || item.pattern.has_placeholder() || item.pattern.has_variables())
    {
        return resource_entry(item, req);
    }
    if !item.pattern.has_variables() {
        return (
            surely_matches(&item.pattern, &req.resource),
            None,
            None,
            None,
        );
    }
    match item.pattern.resolve(&|k| req.variable(k)) {
        Ok(p) => {
            let matched = if resource_ph || p.has_placeholder() {
                surely_matches(&p, &req.resource)
            } else {
                p.matches_plain(&req.resource)
            };
            (matched, Some(p.display()), None, None)
        }
        // A variable that cannot be substituted: the entry matches nothing, whatever a
        // placeholder stands for.
        Err(_) => resource_entry(item, req),
    }
}

/// Marks the entries of an Action or Resource element that did not match surely and
/// touch a placeholder, and settles the element when only they could list the request
/// value.
fn settle_element(m: &mut MatchTrace, negated: bool, marks: &mut Marks) {
    let value_ph = contains(&m.request_value);
    let mut texts: Vec<String> = Vec::new();
    for e in &mut m.entries {
        // A note says a variable could not be substituted: that entry matches nothing.
        let touches = value_ph || contains(&e.text) || e.resolved.as_deref().is_some_and(contains);
        if !e.matched && e.note.is_none() && touches {
            e.unresolved = placeholders_in(&[
                &e.text,
                e.resolved.as_deref().unwrap_or(""),
                &m.request_value,
            ]);
            texts.extend(e.unresolved.iter().cloned());
        }
    }
    if texts.is_empty() {
        return;
    }
    let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
    if m.entries.iter().any(|e| e.matched) {
        // Listed surely: the unresolved entries cannot change that.
        marks.record(&refs);
        return;
    }
    let listed = marks.settle(!negated, &refs);
    m.matched = listed != negated;
}

/// Whether a Principal entry's comparison with the request principal touches a
/// placeholder.
fn item_unresolved(item: &PrincipalItem, who_text: &str) -> bool {
    contains(&item.text) || contains(who_text)
}

/// What a listed principal would grant if it turned out to be the request's.
fn kind_if_listed(item: &PrincipalItem) -> PrincipalMatch {
    match item.parsed {
        PrincipalRef::Everyone => PrincipalMatch::Everyone,
        PrincipalRef::Account { .. } => PrincipalMatch::Account,
        PrincipalRef::User { .. } => PrincipalMatch::User,
        PrincipalRef::Role { .. } => PrincipalMatch::Role,
        PrincipalRef::RoleSession { .. } | PrincipalRef::FederatedUser { .. } => {
            PrincipalMatch::Session
        }
        _ => PrincipalMatch::Other,
    }
}

/// [`super::statement::principal_matches`] with placeholders: entries that do not
/// surely match and touch one are settled as the pass says.
fn principal_marked(
    p: &PrincipalElement,
    who: &PrincipalRef,
    who_text: &str,
    marks: &mut Marks,
) -> Option<PrincipalMatch> {
    let unresolved: Vec<&PrincipalItem> = p
        .items
        .iter()
        .filter(|i| {
            let sure = if p.negated {
                i.parsed.is_exactly(who)
            } else {
                entry_match(i, who).is_some()
            };
            !sure && item_unresolved(i, who_text)
        })
        .collect();
    let mut texts: Vec<&str> = unresolved.iter().map(|i| &*i.text).collect();
    texts.push(who_text);
    if p.negated {
        let listed = p.items.iter().any(|i| i.parsed.is_exactly(who));
        if listed {
            if !unresolved.is_empty() {
                marks.record(&texts);
            }
            return None;
        }
        let listed = !unresolved.is_empty() && marks.settle(false, &texts);
        return (!listed).then_some(PrincipalMatch::Other);
    }
    let sure = p.items.iter().filter_map(|i| entry_match(i, who)).max();
    if sure.is_some() {
        if !unresolved.is_empty() {
            marks.record(&texts);
        }
        return sure;
    }
    if !unresolved.is_empty() && marks.settle(true, &texts) {
        return unresolved.iter().map(|i| kind_if_listed(i)).max();
    }
    None
}
