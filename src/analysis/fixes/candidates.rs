//! The small policy edits worth trying for one request: guards that stop a Deny for the
//! way this call is made, a listed value, action or resource added or taken out, an
//! operator made `…IfExists` or not, a condition key or statement removed, a statement
//! added. Nothing here decides whether an edit works: each one is applied to the
//! policy's text and the whole scenario evaluated again by the caller.

use super::text::{
    NewValue, TextEdit, insert_item, insert_member, member, member_range, remove_item,
    remove_member, statements,
};
use super::{EditClass, EditKind};
use crate::eval::PreparedRequest;
use crate::eval::condition::matches_value;
use crate::eval::request::PreparedValue;
use crate::eval::statement::eval_statement;
use crate::json::{Member, Node, Value};
use crate::policy::condition::{ConditionKey, ConditionOperator, Family, SetQualifier};
use crate::policy::{Effect, PolicyKind, Statement};
use crate::scenario::{PolicySource, resource_implied};
use crate::trace::{KeyTrace, MatchTrace, StatementTrace};
use std::ops::Range;

/// One edit to try.
#[derive(Debug, Clone)]
pub(super) struct Candidate {
    /// Index of the policy (in the scenario's sources and set).
    pub policy: usize,
    /// Index of the statement edited; `None` for a statement added at the end.
    pub statement: Option<usize>,
    /// What kind of edit.
    pub kind: EditKind,
    /// How it changes who is let through.
    pub class: EditClass,
    /// Among edits of the same class, lower comes first (the documented guard before
    /// its alternatives).
    pub preference: u8,
    /// In words.
    pub description: String,
    /// The replacement.
    pub edit: TextEdit,
    /// The range shown as "before" (it holds the edit's range).
    pub context: Range<usize>,
}

/// What the edits must do to the request's decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Aims {
    /// Stop the Denies that fired.
    pub stop_denies: bool,
    /// Make an Allow apply.
    pub grant: bool,
    /// Make a Deny fire.
    pub fire_deny: bool,
    /// Make the Allows that granted stop applying.
    pub narrow_allows: bool,
}

/// The policies and the request the candidates are made for.
pub(super) struct Inputs<'a> {
    pub sources: &'a [PolicySource],
    pub set: &'a crate::policy::PolicySet,
    pub request: &'a PreparedRequest,
    /// The statements that determined the current decision (policy, statement).
    pub determined_by: Vec<(usize, usize)>,
    /// How many candidates at most.
    pub limit: usize,
    /// How many statements are looked at, at most.
    pub statement_limit: usize,
}

/// How many statements are added at most (one per policy), kept out of the other
/// candidates' share so the one edit that surely grants is always tried.
const ADDED_STATEMENTS: usize = 8;

/// What to try on one statement.
#[derive(Clone, Copy)]
enum Work {
    StopDeny,
    Narrow,
    MakeApply,
}

/// Everything worth trying, most promising kinds first, at most `inputs.limit`.
pub(super) fn candidates(inputs: &Inputs<'_>, aims: Aims) -> Vec<Candidate> {
    let policies = inputs.set.policies.len().min(inputs.sources.len());
    // First which statements and policies to work on (from the parsed policies), then
    // each policy's text tree parsed once, then the edits.
    let mut work: Vec<(usize, usize, Work)> = Vec::new();
    if aims.stop_denies || aims.narrow_allows {
        for &(p, si) in inputs.determined_by.iter().take(4) {
            let Some(s) = statement(inputs, p, si) else {
                continue;
            };
            if s.effect == Effect::Deny && aims.stop_denies {
                work.push((p, si, Work::StopDeny));
            }
            if s.effect == Effect::Allow && aims.narrow_allows {
                work.push((p, si, Work::Narrow));
            }
        }
    }
    let want = if aims.grant {
        Effect::Allow
    } else {
        Effect::Deny
    };
    let mut additions: Vec<usize> = Vec::new();
    if aims.grant || aims.fire_deny {
        let mut seen = 0;
        'policies: for (p, entry) in inputs.set.policies.iter().enumerate().take(policies) {
            for (si, s) in entry.policy.statements.iter().enumerate() {
                seen += 1;
                if seen > inputs.statement_limit || work.len() >= inputs.limit {
                    break 'policies;
                }
                if s.effect != want {
                    continue;
                }
                let t = eval_statement(s, si, inputs.request, true, false);
                if t.trace.is_some_and(|t| !t.applies && lacking(&t) == 1) {
                    work.push((p, si, Work::MakeApply));
                }
            }
        }
        for (p, entry) in inputs.set.policies.iter().enumerate().take(policies) {
            if additions.len() >= ADDED_STATEMENTS {
                break;
            }
            let elsewhere = entry.kind == PolicyKind::Resource
                && entry
                    .attached_to
                    .as_ref()
                    .is_some_and(|a| !a.pattern.matches_plain(&inputs.request.resource));
            if !elsewhere {
                additions.push(p);
            }
        }
    }
    let mut trees: Vec<Option<Node>> = vec![None; policies];
    for &p in work.iter().map(|(p, ..)| p).chain(&additions) {
        if trees[p].is_none() {
            trees[p] = crate::json::parse(&inputs.sources[p].text).ok();
        }
    }
    let share = inputs.limit.saturating_sub(additions.len());
    let mut out = Vec::new();
    for (p, si, what) in work {
        if out.len() >= share {
            break;
        }
        let (Some(root), Some(s)) = (trees[p].as_ref(), statement(inputs, p, si)) else {
            continue;
        };
        let Some(at) = At::new(inputs, p, root, si) else {
            continue;
        };
        match what {
            Work::StopDeny => stop_deny(&at, s, inputs.request, &mut out),
            Work::Narrow => narrow(&at, s, inputs.request, &mut out),
            Work::MakeApply => {
                if let Some(t) = eval_statement(s, si, inputs.request, true, false).trace {
                    make_apply(&at, s, &t, inputs.request, &mut out);
                }
            }
        }
    }
    out.truncate(share);
    for p in additions {
        if let Some(c) = trees[p]
            .as_ref()
            .and_then(|root| add_statement(inputs, p, root, want))
        {
            out.push(c);
        }
    }
    out.truncate(inputs.limit);
    out
}

fn statement<'a>(inputs: &'a Inputs<'_>, p: usize, si: usize) -> Option<&'a Statement> {
    inputs.set.policies.get(p)?.policy.statements.get(si)
}

/// How many of a statement's parts do not let it apply.
fn lacking(t: &StatementTrace) -> usize {
    let mut n = usize::from(!t.action.matched);
    n += usize::from(t.resource.as_ref().is_some_and(|r| !r.matched));
    n += usize::from(t.principal.as_ref().is_some_and(|r| !r.matched));
    n += t.condition.as_ref().map_or(0, |c| {
        c.operators
            .iter()
            .flat_map(|o| &o.keys)
            .filter(|k| !k.holds)
            .count()
    });
    n
}

/// A statement of a policy's text, where edits are made.
struct At<'a> {
    policy: usize,
    statement: usize,
    text: &'a str,
    node: &'a Node,
    /// The statement is one of several (so it may be removed).
    siblings: usize,
    statement_list: &'a Node,
}

impl<'a> At<'a> {
    fn new(inputs: &'a Inputs<'_>, p: usize, root: &'a Node, si: usize) -> Option<Self> {
        let all = statements(root);
        let node = *all.get(si)?;
        Some(At {
            policy: p,
            statement: si,
            text: &inputs.sources[p].text,
            node,
            siblings: all.len(),
            statement_list: &member(root, "Statement")?.1.value,
        })
    }

    fn candidate(
        &self,
        kind: EditKind,
        class: EditClass,
        preference: u8,
        description: String,
        edit: TextEdit,
        context: Range<usize>,
    ) -> Candidate {
        Candidate {
            policy: self.policy,
            statement: Some(self.statement),
            kind,
            class,
            preference,
            description,
            edit,
            context,
        }
    }

    /// The request's value `v` added to the values of `key` under `op` (this
    /// enumerates what was observed).
    fn add_value(
        &self,
        op: &ConditionOperator,
        key: &ConditionKey,
        k: &KeyAt<'_>,
        v: &str,
    ) -> Option<Candidate> {
        let edit = insert_item(self.text, &k.key.value, &NewValue::Str(v.to_string()))?;
        Some(self.candidate(
            EditKind::AddConditionValue,
            EditClass::ObservedValues,
            0,
            format!("add \"{v}\" to {} {}", op.name, key.name),
            edit,
            member_range(k.condition),
        ))
    }

    /// The one value of `key` under `op` that the request's value `v` matches, taken
    /// out (`None` when none or several match).
    fn remove_matching_value(
        &self,
        op: &ConditionOperator,
        key: &ConditionKey,
        k: &KeyAt<'_>,
        v: &str,
        req: &PreparedRequest,
    ) -> Option<Candidate> {
        let value = PreparedValue::new(v);
        let mut matching = (key.values.iter().enumerate())
            .filter(|(_, pv)| matches_value(&op.operator, &value, pv, req))
            .map(|(i, _)| i);
        let (Some(i), None) = (matching.next(), matching.next()) else {
            return None;
        };
        let edit = remove_item(&k.key.value, i)?;
        Some(self.candidate(
            EditKind::RemoveConditionValue,
            EditClass::Structure,
            0,
            format!(
                "remove \"{}\" from {} {}",
                key.values[i].text, op.name, key.name
            ),
            edit,
            member_range(k.condition),
        ))
    }

    /// The request's action or resource `value` added to the element `el` (this
    /// enumerates what was observed).
    fn add_entry(&self, el: &Member, value: &str, resource: bool) -> Option<Candidate> {
        let edit = insert_item(self.text, &el.value, &NewValue::Str(value.to_string()))?;
        Some(self.candidate(
            if resource {
                EditKind::AddResource
            } else {
                EditKind::AddAction
            },
            EditClass::ObservedValues,
            2,
            format!("add \"{value}\" to {}", el.key),
            edit,
            member_range(el),
        ))
    }

    /// The one entry of the element `el` that matched the request (`m`), taken out
    /// (`None` when none or several matched).
    fn remove_matched_entry(
        &self,
        el: &Member,
        m: &MatchTrace,
        resource: bool,
    ) -> Option<Candidate> {
        let mut matched = (m.entries.iter().enumerate())
            .filter(|(_, e)| e.matched)
            .map(|(i, _)| i);
        let (Some(i), None) = (matched.next(), matched.next()) else {
            return None;
        };
        let edit = remove_item(&el.value, i)?;
        Some(self.candidate(
            if resource {
                EditKind::RemoveResource
            } else {
                EditKind::RemoveAction
            },
            EditClass::Structure,
            2,
            format!("remove \"{}\" from {}", m.entries[i].text, el.key),
            edit,
            member_range(el),
        ))
    }

    fn condition(&self) -> Option<(usize, &Member)> {
        member(self.node, "Condition")
    }

    /// `"op": {"key": value}` added to the statement's Condition (into the operator
    /// when it is there already); `None` when the key is there under that operator.
    fn add_condition(
        &self,
        op: &str,
        key: &str,
        value: NewValue,
    ) -> Option<(TextEdit, Range<usize>)> {
        match self.condition() {
            Some((_, cm)) => {
                let edit = match member(&cm.value, op) {
                    Some((_, om)) => {
                        if key_member(&om.value, key).is_some() {
                            return None;
                        }
                        insert_member(self.text, &om.value, key, &value)?
                    }
                    None => insert_member(
                        self.text,
                        &cm.value,
                        op,
                        &NewValue::Object(vec![(key.to_string(), value)]),
                    )?,
                };
                Some((edit, member_range(cm)))
            }
            None => {
                let edit = insert_member(
                    self.text,
                    self.node,
                    "Condition",
                    &NewValue::Object(vec![(
                        op.to_string(),
                        NewValue::Object(vec![(key.to_string(), value)]),
                    )]),
                )?;
                Some((edit, self.node.span.range()))
            }
        }
    }

    /// The operator member `op` (as written) and key member `key` of the Condition.
    fn key(&self, op: &str, key: &str) -> Option<KeyAt<'_>> {
        let (ci, cm) = self.condition()?;
        let (oi, om) = member(&cm.value, op)?;
        let (ki, km) = key_member(&om.value, key)?;
        Some(KeyAt {
            condition_index: ci,
            condition: cm,
            op_index: oi,
            op: om,
            key_index: ki,
            key: km,
        })
    }

    /// The condition key removed (its operator when it is the operator's only key,
    /// the Condition when that is its only operator).
    fn remove_key(&self, k: &KeyAt<'_>) -> Option<(TextEdit, Range<usize>)> {
        if let Some(e) = remove_member(&k.op.value, k.key_index) {
            return Some((e, member_range(k.condition)));
        }
        if let Some(e) = remove_member(&k.condition.value, k.op_index) {
            return Some((e, member_range(k.condition)));
        }
        let e = remove_member(self.node, k.condition_index)?;
        Some((e, self.node.span.range()))
    }

    fn element(&self, names: [&str; 2]) -> Option<&Member> {
        names
            .iter()
            .find_map(|n| member(self.node, n).map(|(_, m)| m))
    }

    fn remove_statement(&self) -> Option<Candidate> {
        if self.siblings < 2 {
            return None;
        }
        let edit = remove_item(self.statement_list, self.statement)?;
        let context = edit.range.clone();
        Some(self.candidate(
            EditKind::RemoveStatement,
            EditClass::Structure,
            9,
            "remove the statement".into(),
            edit,
            context,
        ))
    }
}

struct KeyAt<'n> {
    condition_index: usize,
    condition: &'n Member,
    op_index: usize,
    op: &'n Member,
    key_index: usize,
    key: &'n Member,
}

/// A condition key's member (key names are case-insensitive).
fn key_member<'n>(obj: &'n Node, key: &str) -> Option<(usize, &'n Member)> {
    match &obj.value {
        Value::Object(members) => members
            .iter()
            .enumerate()
            .find(|(_, m)| m.key.eq_ignore_ascii_case(key)),
        _ => None,
    }
}

/// The request's one value of a key (`None`: missing or multi-valued).
fn single(kt: &KeyTrace) -> Option<&str> {
    match &kt.request_values {
        Some(v) if !kt.multi_valued && v.len() == 1 => Some(&v[0]),
        _ => None,
    }
}

fn context_value<'r>(req: &'r PreparedRequest, lower: &str) -> Option<Vec<&'r str>> {
    let e = req.entry(lower)?;
    let v: Vec<&str> = e.values.iter().map(|v| v.text.as_str()).collect();
    (!v.is_empty()).then_some(v)
}

/// Edits that stop a Deny that fired from applying to the request.
fn stop_deny(at: &At<'_>, s: &Statement, req: &PreparedRequest, out: &mut Vec<Candidate>) {
    let has_key = |lower: &str| {
        s.conditions
            .iter()
            .any(|o| o.keys.iter().any(|k| k.lower == lower))
    };
    // Guards that say how the call is made: the Deny only for calls the principal
    // makes itself, or not through this VPC endpoint. aws:PrincipalIsAWSService is no
    // such guard: it stays false on calls a service makes on the principal's behalf.
    let via = context_value(req, "aws:viaawsservice");
    let via_false = via
        .as_ref()
        .is_some_and(|v| v.iter().all(|x| x.eq_ignore_ascii_case("false")));
    let mut guard = |op: &str, key: &str, value: NewValue, preference: u8, why: &str| {
        if let Some((edit, context)) = at.add_condition(op, key, value.clone()) {
            let shown = match &value {
                NewValue::Str(v) => format!("\"{v}\""),
                NewValue::Strings(v) => format!("[\"{}\"]", v.join("\", \"")),
                NewValue::Object(_) => String::new(),
            };
            out.push(at.candidate(
                EditKind::AddGuard,
                EditClass::HowTheCallIsMade,
                preference,
                format!("add \"{op}\": {{\"{key}\": {shown}}} to the Condition ({why})"),
                edit,
                context,
            ));
        }
    };
    if !via_false && !has_key("aws:viaawsservice") {
        guard(
            "Bool",
            "aws:ViaAWSService",
            NewValue::Str("false".into()),
            0,
            "the Deny then covers only calls the principal makes itself, not those an AWS service makes on its behalf",
        );
    }
    if let Some(services) = context_value(req, "aws:calledvia") {
        if !has_key("aws:calledvia") {
            guard(
                "Null",
                "aws:CalledVia",
                NewValue::Str("true".into()),
                1,
                "the Deny then covers only calls no AWS service made on the principal's behalf",
            );
            guard(
                "ForAllValues:StringNotEquals",
                "aws:CalledVia",
                NewValue::Strings(services.iter().map(|s| s.to_string()).collect()),
                2,
                "the Deny then spares calls made through these services only",
            );
        }
    }
    for (key, lower, preference) in [
        ("aws:SourceVpce", "aws:sourcevpce", 3),
        ("aws:SourceVpc", "aws:sourcevpc", 4),
    ] {
        if let Some(v) = context_value(req, lower).filter(|v| v.len() == 1) {
            if !has_key(lower) {
                guard(
                    "StringNotEquals",
                    key,
                    NewValue::Str(v[0].to_string()),
                    preference,
                    "the Deny then spares calls through this VPC endpoint or VPC; calls without one still meet it",
                );
            }
        }
    }
    // Values: the request's own value added to a negated operator's list (this
    // enumerates what was observed), a matching value taken out of a positive one, an
    // IfExists that held on a missing key made plain.
    let Some(trace) = eval_statement(s, at.statement, req, true, false).trace else {
        return;
    };
    if let Some(c) = &trace.condition {
        for (op, ot) in s.conditions.iter().zip(&c.operators) {
            for (key, kt) in op.keys.iter().zip(&ot.keys) {
                let Some(k) = at.key(&op.name, &key.name) else {
                    continue;
                };
                let negated = op.operator.base.negated;
                match single(kt) {
                    Some(v) if negated && op.operator.set.is_none() && kt.holds => {
                        out.extend(at.add_value(op, key, &k, v));
                    }
                    Some(v) if !negated && op.operator.set.is_none() => {
                        out.extend(at.remove_matching_value(op, key, &k, v, req));
                    }
                    None if kt.request_values.is_none() && op.operator.if_exists => {
                        if let Some(name) = op.name.strip_suffix("IfExists") {
                            rename_operator(at, &k, name, "make", out);
                        }
                    }
                    _ => {}
                }
            }
        }
    }
    element_narrowing(at, &trace, req, out);
    if let Some(c) = at.remove_statement() {
        out.push(c);
    }
}

/// The operator renamed (IfExists added or taken off), unless the new name is there.
fn rename_operator(at: &At<'_>, k: &KeyAt<'_>, new: &str, verb: &str, out: &mut Vec<Candidate>) {
    if member(&k.condition.value, new).is_some() {
        return;
    }
    // Only the operator's own keys change meaning; with others under it they would
    // too, so only a lone key's operator is renamed.
    if matches!(&k.op.value.value, Value::Object(m) if m.len() != 1) {
        return;
    }
    let mut text = String::new();
    crate::json::write_string(new, &mut text);
    let kind = if new.ends_with("IfExists") {
        EditKind::AddIfExists
    } else {
        EditKind::DropIfExists
    };
    out.push(at.candidate(
        kind,
        EditClass::Structure,
        1,
        format!("{verb} {} {new}", k.op.key),
        TextEdit {
            range: k.op.key_span.range(),
            text,
        },
        member_range(k.condition),
    ));
}

/// Action/Resource narrowed so the statement no longer covers the request: a lone
/// matching entry taken out of a list, or the request's action or resource added to
/// NotAction/NotResource.
fn element_narrowing(
    at: &At<'_>,
    t: &StatementTrace,
    req: &PreparedRequest,
    out: &mut Vec<Candidate>,
) {
    let parts: [(Option<&MatchTrace>, [&str; 2], &str); 2] = [
        (Some(&t.action), ["Action", "NotAction"], &req.action),
        (
            t.resource.as_ref(),
            ["Resource", "NotResource"],
            &req.resource,
        ),
    ];
    for (m, names, value) in parts {
        let Some(m) = m else { continue };
        let Some(el) = at.element(names) else {
            continue;
        };
        let negated = el.key.starts_with("Not");
        let resource = names[0] == "Resource";
        if negated {
            out.extend(at.add_entry(el, value, resource));
        } else {
            out.extend(at.remove_matched_entry(el, m, resource));
        }
    }
}

/// Edits that stop an Allow that granted from covering the request.
fn narrow(at: &At<'_>, s: &Statement, req: &PreparedRequest, out: &mut Vec<Candidate>) {
    let Some(trace) = eval_statement(s, at.statement, req, true, false).trace else {
        return;
    };
    element_narrowing(at, &trace, req, out);
    if let Some(c) = at.remove_statement() {
        out.push(c);
    }
}

/// Edits that make a statement that lacks one part cover the request.
fn make_apply(
    at: &At<'_>,
    s: &Statement,
    t: &StatementTrace,
    req: &PreparedRequest,
    out: &mut Vec<Candidate>,
) {
    let parts: [(Option<&MatchTrace>, [&str; 2], &str); 2] = [
        (Some(&t.action), ["Action", "NotAction"], &req.action),
        (
            t.resource.as_ref(),
            ["Resource", "NotResource"],
            &req.resource,
        ),
    ];
    for (m, names, value) in parts {
        let Some(m) = m.filter(|m| !m.matched) else {
            continue;
        };
        let Some(el) = at.element(names) else {
            continue;
        };
        let resource = names[0] == "Resource";
        if el.key.starts_with("Not") {
            out.extend(at.remove_matched_entry(el, m, resource));
        } else {
            out.extend(at.add_entry(el, value, resource));
        }
    }
    let Some(c) = &t.condition else { return };
    for (op, ot) in s.conditions.iter().zip(&c.operators) {
        for (key, kt) in op.keys.iter().zip(&ot.keys) {
            if kt.holds {
                continue;
            }
            let Some(k) = at.key(&op.name, &key.name) else {
                continue;
            };
            let base = op.operator.base;
            let negated = base.negated;
            let addable = matches!(
                base.family,
                Family::String
                    | Family::StringIgnoreCase
                    | Family::StringLike
                    | Family::Ip
                    | Family::Arn
            ) || (matches!(base.family, Family::Numeric | Family::Date)
                && base.comparison == crate::policy::condition::Comparison::Equals);
            match single(kt) {
                Some(v)
                    if !negated
                        && addable
                        && op.operator.set != Some(SetQualifier::ForAllValues) =>
                {
                    out.extend(at.add_value(op, key, &k, v));
                }
                Some(v) if negated && op.operator.set.is_none() => {
                    out.extend(at.remove_matching_value(op, key, &k, v, req));
                }
                None if kt.request_values.is_none()
                    && !negated
                    && !op.operator.if_exists
                    && base.family != Family::Null =>
                {
                    rename_operator(at, &k, &format!("{}IfExists", op.name), "make", out);
                }
                _ => {}
            }
            if let Some((edit, context)) = at.remove_key(&k) {
                out.push(at.candidate(
                    EditKind::RemoveConditionKey,
                    EditClass::Structure,
                    3,
                    format!("remove {} {} from the Condition", op.name, key.name),
                    edit,
                    context,
                ));
            }
        }
    }
}

/// A statement for exactly the request's action and resource, added at the end of
/// policy `p`.
fn add_statement(inputs: &Inputs<'_>, p: usize, root: &Node, effect: Effect) -> Option<Candidate> {
    let src = &inputs.sources[p];
    let req = inputs.request;
    let list = &member(root, "Statement")?.1.value;
    let word = match effect {
        Effect::Allow => "Allow",
        Effect::Deny => "Deny",
    };
    let mut members = vec![("Effect".to_string(), NewValue::Str(word.into()))];
    match src.kind {
        PolicyKind::Resource => {
            let who = req.principal_text.to_string();
            let principal = if who.starts_with("arn:") {
                NewValue::Object(vec![("AWS".into(), NewValue::Str(who))])
            } else if who.ends_with(".amazonaws.com") || who.ends_with(".amazonaws.com.cn") {
                NewValue::Object(vec![("Service".into(), NewValue::Str(who))])
            } else {
                NewValue::Str("*".into())
            };
            members.push(("Principal".into(), principal));
        }
        PolicyKind::Rcp | PolicyKind::Endpoint => {
            members.push(("Principal".into(), NewValue::Str("*".into())));
        }
        _ => {}
    }
    members.push(("Action".into(), NewValue::Str(req.action.to_string())));
    if !resource_implied(src.kind, src.attached_to.as_deref()) {
        members.push(("Resource".into(), NewValue::Str(req.resource.to_string())));
    }
    let edit = insert_item(&src.text, list, &NewValue::Object(members))?;
    let context = edit.range.clone();
    Some(Candidate {
        policy: p,
        statement: None,
        kind: EditKind::AddStatement,
        class: EditClass::ObservedValues,
        preference: 5,
        description: format!(
            "add a statement that {} {} on {}",
            if effect == Effect::Allow {
                "allows"
            } else {
                "denies"
            },
            req.action,
            req.resource
        ),
        edit,
        context,
    })
}
