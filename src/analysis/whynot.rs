//! Why not (and why): for an implicit deny, the Allow statements that came closest and
//! exactly what each lacked; for an explicit deny, each Deny that fired and the changes
//! that would stop it firing; for an allow, what would make the Deny statements present
//! fire. Every suggested change is applied to the request and evaluated again, so the
//! report says what it would really do.

use super::grid::{Input, with_input};
use crate::eval::condition::eval_block;
use crate::eval::service_rules::decided_by_aws;
use crate::eval::statement::eval_statement;
use crate::eval::{Detail, PreparedRequest, Request, evaluate};
use crate::policy::condition::{
    Comparison, CompiledValue, ConditionKey, Family, Operator, SetQualifier,
};
use crate::policy::{Effect, PolicyKind, PolicySet, Statement};
use crate::trace::{
    Decision, KeyRule, KeyTrace, MatchTrace, Rule, StatementRef, StepOutcome, Trace,
};
use serde::Serialize;

/// A change to the request that would change one part of a statement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RequestChange {
    /// What to change.
    pub input: Input,
    /// The new value (`None`: remove the context key).
    pub value: Option<String>,
}

/// One part of a statement, what is wrong (or right) with it, and the change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// The part: `Action`, `Resource`, `Principal`, or `StringEquals aws:SourceIp`.
    pub part: String,
    /// What it found, in words.
    pub found: String,
    /// What would change it, in words.
    pub suggestion: String,
    /// The change, when one request change does it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub change: Option<RequestChange>,
    /// The decision with that change alone applied.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub decision_after: Option<Decision>,
}

/// A statement and its findings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Item {
    /// The statement.
    pub statement: StatementRef,
    /// `statement "Sid" #2 of identity policy "Name"`.
    pub label: String,
    /// Allow or Deny.
    pub effect: Effect,
    /// The findings (for a closest Allow: every part it lacked).
    pub findings: Vec<Finding>,
    /// For a closest Allow: the decision with all its findings' changes applied.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub decision_with_all: Option<Decision>,
}

/// What kind of answer this is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Question {
    /// Implicit deny: the Allows that came closest.
    ClosestAllows,
    /// Explicit deny: the Denies that fired and how to stop each.
    DeniesThatFired,
    /// Allow: what would make a Deny fire.
    DeniesThatCouldFire,
    /// An AWS rule decides whatever the policies say: no policy change can alter the
    /// answer, so none is suggested.
    AwsRule,
}

/// The why-not report of one request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WhyNot {
    /// Which question it answers.
    pub question: Question,
    /// The statements, most relevant first.
    pub items: Vec<Item>,
    /// For [`Question::AwsRule`]: the rule that decides.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub aws_rule: Option<Rule>,
}

/// How many statements to report.
const CLOSEST: usize = 3;

/// How many of the closest Allows get a whole evaluation to rank them.
const RANKED: usize = 8;

/// The why-not report for `request` under `set`, given its traced evaluation.
pub fn why_not(
    set: &PolicySet,
    request: &Request,
    trace: &Trace,
    determined_by: &[StatementRef],
) -> WhyNot {
    let prepared = PreparedRequest::new(request);
    if let Some(rule) = decided_by_aws(&prepared) {
        return WhyNot {
            question: Question::AwsRule,
            items: Vec::new(),
            aws_rule: Some(rule),
        };
    }
    let decide = |r: &Request| evaluate(set, &PreparedRequest::new(r), Detail::Decision).decision;
    match trace.decision {
        Decision::ExplicitDeny => {
            let items = determined_by
                .iter()
                .take(CLOSEST)
                .filter_map(|r| {
                    let s = statement(set, r)?;
                    let mut findings: Vec<Finding> = boundary_forced(trace, r)
                        .then(not_principal_with_boundary)
                        .into_iter()
                        .collect();
                    findings.extend(
                        breakers(s, &prepared)
                            .into_iter()
                            .map(|f| verified(f, request, &decide)),
                    );
                    Some(item(set, r, s, findings, None))
                })
                .collect();
            WhyNot {
                question: Question::DeniesThatFired,
                items,
                aws_rule: None,
            }
        }
        Decision::ImplicitDeny => {
            let kinds = candidate_kinds(trace);
            // Rank by what each statement lacks (one statement evaluation each), then
            // spend whole evaluations only on the few that came closest.
            let mut ranked: Vec<(usize, StatementRef, &Statement, Vec<Finding>)> =
                candidates(set, trace, &kinds, Effect::Allow)
                    .into_iter()
                    .filter_map(|r| {
                        let s = statement(set, &r)?;
                        let lacks = lacks(s, &prepared);
                        // One that applies already is not what blocks (a gate is).
                        (!lacks.is_empty()).then_some((lacks.len(), r, s, lacks))
                    })
                    .collect();
            ranked.sort_by_key(|(n, ..)| *n);
            ranked.truncate(RANKED);
            let mut scored: Vec<(usize, Item)> = ranked
                .into_iter()
                .map(|(n, r, s, lacks)| {
                    let mut all = request.clone();
                    for f in &lacks {
                        if let Some(c) = &f.change {
                            all = with_input(&all, &c.input, c.value.as_deref());
                        }
                    }
                    let with_all = lacks
                        .iter()
                        .all(|f| f.change.is_some())
                        .then(|| decide(&all));
                    (n, item(set, &r, s, lacks, with_all))
                })
                .collect();
            // Those that would really allow first, then the fewest changes.
            scored.sort_by_key(|(n, i)| (i.decision_with_all != Some(Decision::Allow), *n));
            let items = scored
                .into_iter()
                .take(CLOSEST)
                .map(|(_, mut i)| {
                    i.findings = i
                        .findings
                        .into_iter()
                        .map(|f| verified(f, request, &decide))
                        .collect();
                    i
                })
                .collect();
            WhyNot {
                question: Question::ClosestAllows,
                items,
                aws_rule: None,
            }
        }
        Decision::Allow => {
            let mut ranked: Vec<(usize, StatementRef, &Statement, Vec<Finding>)> =
                candidates(set, trace, &PolicyKind::ALL, Effect::Deny)
                    .into_iter()
                    .filter_map(|r| {
                        let s = statement(set, &r)?;
                        let lacks = lacks(s, &prepared);
                        Some((lacks.len(), r, s, lacks))
                    })
                    .collect();
            // The guardrails closest to firing first.
            ranked.sort_by_key(|(n, ..)| *n);
            let items = ranked
                .into_iter()
                .take(CLOSEST)
                .map(|(_, r, s, lacks)| {
                    let findings = lacks
                        .into_iter()
                        .map(|f| verified(f, request, &decide))
                        .collect();
                    item(set, &r, s, findings, None)
                })
                .collect();
            WhyNot {
                question: Question::DeniesThatCouldFire,
                items,
                aws_rule: None,
            }
        }
    }
}

/// True when `r` applies only because NotPrincipal cannot exempt a principal with a
/// permissions boundary (the trace's `not_principal_with_boundary` step names it).
fn boundary_forced(trace: &Trace, r: &StatementRef) -> bool {
    trace
        .steps
        .iter()
        .any(|s| s.rule == Rule::NotPrincipalWithBoundary && s.statements.contains(r))
}

/// The finding for a Deny that NotPrincipal would exempt but for the boundary: AWS's own
/// advice, since no request change helps.
fn not_principal_with_boundary() -> Finding {
    Finding {
        part: "NotPrincipal".into(),
        found: "lists this principal, but the principal has a permissions boundary, so a Deny with NotPrincipal applies to it anyway (AWS rule)".into(),
        suggestion: "write the exception as a condition instead, as AWS recommends: \"Principal\": \"*\" with \"Condition\": {\"ArnNotEquals\": {\"aws:PrincipalArn\": [the listed ARNs]}}".into(),
        change: None,
        decision_after: None,
    }
}

fn statement<'a>(set: &'a PolicySet, r: &StatementRef) -> Option<&'a Statement> {
    set.policies
        .get(r.policy)?
        .policy
        .statements
        .get(r.statement)
}

fn item(
    set: &PolicySet,
    r: &StatementRef,
    s: &Statement,
    findings: Vec<Finding>,
    with_all: Option<Decision>,
) -> Item {
    let entry = &set.policies[r.policy];
    let sid = s
        .sid
        .as_deref()
        .map(|x| format!("\"{x}\" "))
        .unwrap_or_default();
    Item {
        statement: *r,
        label: format!(
            "statement {sid}#{} of {} \"{}\"",
            r.statement + 1,
            entry.kind.label(),
            entry.name
        ),
        effect: s.effect,
        findings,
        decision_with_all: with_all,
    }
}

/// The policy types whose Allows could lift an implicit deny: the gate that failed.
fn candidate_kinds(trace: &Trace) -> Vec<PolicyKind> {
    let failed = trace
        .steps
        .iter()
        .find(|s| s.outcome == StepOutcome::Fail)
        .map(|s| s.rule);
    match failed {
        Some(Rule::ScpLevel) => vec![PolicyKind::Scp],
        Some(Rule::EndpointPolicy) => vec![PolicyKind::Endpoint],
        Some(Rule::PermissionsBoundary) => vec![PolicyKind::Boundary],
        Some(Rule::SessionPolicy) => vec![PolicyKind::Session],
        Some(Rule::KmsKeyPolicy | Rule::RoleTrustPolicy | Rule::NoPrincipalAccount) => {
            vec![PolicyKind::Resource]
        }
        _ => vec![PolicyKind::Identity, PolicyKind::Resource],
    }
}

/// Statements with `effect` in the applicable policies of `kinds`.
fn candidates(
    set: &PolicySet,
    trace: &Trace,
    kinds: &[PolicyKind],
    effect: Effect,
) -> Vec<StatementRef> {
    let mut out = Vec::new();
    for (pi, entry) in set.policies.iter().enumerate() {
        let applies = trace.policies.get(pi).is_some_and(|p| p.applies);
        if !applies || !kinds.contains(&entry.kind) {
            continue;
        }
        for (si, s) in entry.policy.statements.iter().enumerate() {
            if s.effect == effect {
                out.push(StatementRef {
                    policy: pi,
                    statement: si,
                    span: s.span,
                });
            }
        }
    }
    out
}

fn verified(mut f: Finding, request: &Request, decide: &dyn Fn(&Request) -> Decision) -> Finding {
    if let Some(c) = &f.change {
        f.decision_after = Some(decide(&with_input(request, &c.input, c.value.as_deref())));
    }
    f
}

/// A text that an action or resource pattern matches (stars as `x`).
fn example(pattern_text: &str) -> String {
    pattern_text.replace(['*', '?'], "x")
}

/// Every part of `s` that does not let it apply to the request, with the change that
/// would fix each.
fn lacks(s: &Statement, req: &PreparedRequest) -> Vec<Finding> {
    let t = eval_statement(s, 0, req, true, false);
    let Some(t) = t.trace else { return Vec::new() };
    let mut out = Vec::new();
    if !t.action.matched {
        out.push(element_lack(
            &t.action,
            s.action.items.first().map(|i| i.text.as_ref()),
            Input::Action,
        ));
    }
    if let Some(r) = t.resource.as_ref().filter(|r| !r.matched) {
        let first = s
            .resource
            .as_ref()
            .and_then(|e| e.items.first())
            .map(|i| i.text.as_ref());
        out.push(element_lack(r, first, Input::Resource));
    }
    if let Some(p) = t.principal.as_ref().filter(|p| !p.matched) {
        let first = s
            .principal
            .as_ref()
            .and_then(|e| e.items.first())
            .map(|i| i.text.to_string());
        out.push(Finding {
            part: p.element.to_string(),
            found: format!("{} does not cover {}", p.element, p.request_value),
            suggestion: match &first {
                Some(f) if !p.element.starts_with("Not") => {
                    format!("a principal it lists, e.g. {f}")
                }
                _ => "another principal".into(),
            },
            change: first
                .filter(|f| !p.element.starts_with("Not") && f.starts_with("arn:"))
                .map(|f| RequestChange {
                    input: Input::Principal,
                    value: Some(f),
                }),
            decision_after: None,
        });
    }
    let condition = match t.condition {
        Some(c) => c,
        None => match eval_block(&s.conditions, req, true).1 {
            Some(c) => c,
            None => return out,
        },
    };
    for (op, ot) in s.conditions.iter().zip(&condition.operators) {
        for (key, kt) in op.keys.iter().zip(&ot.keys) {
            if !kt.holds {
                out.push(make_hold(&op.operator, key, kt, req));
            }
        }
    }
    out
}

fn element_lack(m: &MatchTrace, first: Option<&str>, input: Input) -> Finding {
    let negated = m.element.starts_with("Not");
    let listed = m
        .entries
        .iter()
        .map(|e| e.text.as_ref())
        .collect::<Vec<_>>()
        .join(", ");
    let (suggestion, change) = match (negated, first) {
        (false, Some(f)) => (
            format!("one it lists ({listed})"),
            Some(RequestChange {
                input,
                value: Some(example(f)),
            }),
        ),
        _ => (format!("one {} does not list ({listed})", m.element), None),
    };
    Finding {
        part: m.element.to_string(),
        found: if negated {
            format!("{} lists {}", m.element, m.request_value)
        } else {
            format!("{} does not cover {}", m.element, m.request_value)
        },
        suggestion,
        change,
        decision_after: None,
    }
}

/// Every condition key of an applying statement that holds, with the change that
/// would make it fail (so the statement stops applying).
fn breakers(s: &Statement, req: &PreparedRequest) -> Vec<Finding> {
    let (_, Some(condition)) = eval_block(&s.conditions, req, true) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (op, ot) in s.conditions.iter().zip(&condition.operators) {
        for (key, kt) in op.keys.iter().zip(&ot.keys) {
            if kt.holds {
                out.push(make_fail(&op.operator, key, kt, req));
            }
        }
    }
    if out.is_empty() {
        out.push(Finding {
            part: "Condition".into(),
            found: "the statement has no condition: it covers this request whatever its context"
                .into(),
            suggestion: "only another action, resource or principal avoids it".into(),
            change: None,
            decision_after: None,
        });
    }
    out
}

fn part(op: &Operator, key: &ConditionKey) -> String {
    format!("{} {}", op.name(), key.name)
}

fn key_input(key: &ConditionKey) -> Input {
    Input::Context(key.name.to_string())
}

/// The suggestion to send the request without `key`.
fn leave_out(key: &ConditionKey) -> (String, Option<RequestChange>) {
    (
        format!("leave {} out of the request", key.name),
        Some(RequestChange {
            input: key_input(key),
            value: None,
        }),
    )
}

/// A request value that matches policy value `v` under the operator's positive form.
fn matching_value(op: &Operator, key: &ConditionKey, req: &PreparedRequest) -> Option<String> {
    let v = key.values.first()?;
    Some(match &v.compiled {
        CompiledValue::Text(p) => {
            let p = if p.has_variables() {
                p.resolve(&|k| req.variable(k)).ok()?
            } else {
                p.clone()
            };
            example(&p.display())
        }
        CompiledValue::Arn { whole, .. } => {
            let p = if whole.has_variables() {
                whole.resolve(&|k| req.variable(k)).ok()?
            } else {
                whole.clone()
            };
            example(&p.display())
        }
        CompiledValue::Number(_) | CompiledValue::Date(_) => {
            // Equal satisfies every comparison that includes equality; for strict ones
            // a nudge is needed.
            let text = v.text.to_string();
            match op.base.comparison {
                Comparison::Equals | Comparison::LessThanEquals | Comparison::GreaterThanEquals => {
                    text
                }
                Comparison::LessThan => nudge(&text, op.base.family, -1)?,
                Comparison::GreaterThan => nudge(&text, op.base.family, 1)?,
            }
        }
        CompiledValue::Bool(b) => b.to_string(),
        CompiledValue::Binary(_) => v.text.to_string(),
        CompiledValue::Ip(net) => net.network().to_string(),
        CompiledValue::Null(_) | CompiledValue::Unresolved => return None,
    })
}

/// A request value that matches none of the key's policy values.
fn other_value(op: &Operator, key: &ConditionKey, req: &PreparedRequest) -> Option<String> {
    let candidates: Vec<String> = match op.base.family {
        Family::Bool => vec!["true".into(), "false".into()],
        Family::Ip => vec![
            "198.18.0.1".into(),
            "192.0.2.200".into(),
            "2001:db8:ffff::1".into(),
        ],
        Family::Numeric => key
            .values
            .first()
            .and_then(|v| nudge(&v.text, Family::Numeric, 1_000_000))
            .into_iter()
            .collect(),
        Family::Date => key
            .values
            .first()
            .and_then(|v| nudge(&v.text, Family::Date, 3650))
            .into_iter()
            .collect(),
        Family::Arn => vec!["arn:aws:iam::999999999999:role/other".into()],
        _ => vec!["some-other-value".into()],
    };
    candidates.into_iter().find(|c| {
        let prepared = crate::eval::request::PreparedValue::new(c);
        !key.values
            .iter()
            .any(|pv| crate::eval::condition::matches_value(op, &prepared, pv, req))
    })
}

/// `text` moved by `by` units (1 for numbers, a day for dates).
fn nudge(text: &str, family: Family, by: i64) -> Option<String> {
    match family {
        Family::Numeric => {
            let n: f64 = crate::value::parse_number(text)?.to_f64();
            Some(format!("{}", n + by as f64))
        }
        Family::Date => {
            let ns = crate::value::parse_date(text)?;
            let ts = jiff::Timestamp::from_nanosecond(ns + by as i128 * 86_400_000_000_000).ok()?;
            Some(ts.to_string())
        }
        _ => None,
    }
}

/// A failing key, and the change that makes it hold.
fn make_hold(op: &Operator, key: &ConditionKey, kt: &KeyTrace, req: &PreparedRequest) -> Finding {
    let negated = op.base.negated;
    let values = kt.values_text();
    let found = format!("{} = {values}: {}", key.name, kt.rule.describe());
    let set_to = |v: Option<String>, words: String| {
        (
            words,
            v.map(|v| RequestChange {
                input: key_input(key),
                value: Some(v),
            }),
        )
    };
    let (suggestion, change) = match (kt.rule, op.base.family) {
        (_, Family::Null) => {
            let want_absent = matches!(
                key.values.first().map(|v| &v.compiled),
                Some(CompiledValue::Null(true))
            );
            if want_absent {
                leave_out(key)
            } else {
                set_to(
                    Some("value".into()),
                    format!("send {} (any value)", key.name),
                )
            }
        }
        (KeyRule::PlainOperatorOnMultiValuedKey, _) => {
            let v = if negated {
                other_value(op, key, req)
            } else {
                matching_value(op, key, req)
            };
            set_to(
                v.clone(),
                format!(
                    "give {} a single value{}",
                    key.name,
                    v.map(|v| format!(" ({v})")).unwrap_or_default()
                ),
            )
        }
        (KeyRule::ForAllValuesSomeUnmatched, _) => {
            let listed: Vec<String> = key.values.iter().map(|v| v.text.to_string()).collect();
            (
                format!(
                    "send only listed values for {} ({})",
                    key.name,
                    listed.join(", ")
                ),
                Some(RequestChange {
                    input: key_input(key),
                    value: Some(format!("[{}]", listed.first().cloned().unwrap_or_default())),
                }),
            )
        }
        _ if negated && op.set.is_none() => (
            format!("leave {} out, or send a value not listed", key.name),
            Some(RequestChange {
                input: key_input(key),
                value: other_value(op, key, req),
            }),
        ),
        _ => {
            let v = matching_value(op, key, req);
            let words = match &v {
                Some(v) => format!(
                    "{} {} = {v}",
                    if kt.request_values.is_none() {
                        "send"
                    } else {
                        "set"
                    },
                    key.name
                ),
                None => format!("a value of {} the operator accepts", key.name),
            };
            let v = match (op.set, v) {
                (Some(SetQualifier::ForAnyValue | SetQualifier::ForAllValues), Some(v)) => {
                    Some(format!("[{v}]"))
                }
                (_, v) => v,
            };
            set_to(v, words)
        }
    };
    Finding {
        part: part(op, key),
        found,
        suggestion,
        change,
        decision_after: None,
    }
}

/// A holding key, and the change that makes it fail.
fn make_fail(op: &Operator, key: &ConditionKey, kt: &KeyTrace, req: &PreparedRequest) -> Finding {
    let negated = op.base.negated;
    let values = kt.values_text();
    let found = format!("{} = {values}: {}", key.name, kt.rule.describe());
    let set = |v: Option<String>| {
        v.map(|v| RequestChange {
            input: key_input(key),
            value: Some(v),
        })
    };
    let (suggestion, change) = match (op.base.family, op.set, kt.request_values.is_some()) {
        (Family::Null, _, present) => {
            if present {
                leave_out(key)
            } else {
                (
                    format!("send {} (any value)", key.name),
                    set(Some("value".into())),
                )
            }
        }
        (_, Some(SetQualifier::ForAllValues), _) => {
            let v = other_value(op, key, req);
            (
                format!(
                    "send a {} value that is not listed{}",
                    key.name,
                    v.as_ref().map(|v| format!(" ({v})")).unwrap_or_default()
                ),
                set(v.map(|v| format!("[{v}]"))),
            )
        }
        (_, Some(SetQualifier::ForAnyValue), _) => {
            let v = other_value(op, key, req);
            (
                format!("send no listed value for {}", key.name),
                Some(RequestChange {
                    input: key_input(key),
                    value: v.map(|v| format!("[{v}]")),
                }),
            )
        }
        _ if negated => {
            let v = matching_value(op, key, req);
            (
                format!(
                    "{} {} = {}",
                    if kt.request_values.is_none() {
                        "send"
                    } else {
                        "set"
                    },
                    key.name,
                    v.clone().unwrap_or_else(|| "a listed value".into())
                ),
                set(v),
            )
        }
        (_, None, false) => {
            // Held because the key is missing (IfExists): send a value that fails.
            let v = other_value(op, key, req);
            (
                format!(
                    "send {} with a value not listed{}",
                    key.name,
                    v.as_ref().map(|v| format!(" ({v})")).unwrap_or_default()
                ),
                set(v),
            )
        }
        _ => {
            let v = other_value(op, key, req);
            (
                format!(
                    "set {} to a value not listed{}, or leave it out",
                    key.name,
                    v.as_ref().map(|v| format!(" ({v})")).unwrap_or_default()
                ),
                if op.if_exists {
                    set(v)
                } else {
                    Some(RequestChange {
                        input: key_input(key),
                        value: None,
                    })
                },
            )
        }
    };
    Finding {
        part: part(op, key),
        found,
        suggestion,
        change,
        decision_after: None,
    }
}

impl WhyNot {
    /// The report as indented text for people.
    pub fn to_text(&self) -> String {
        let mut out = String::new();
        let heading = match self.question {
            Question::ClosestAllows => {
                "Why not: the Allow statements that came closest, and what each lacked"
            }
            Question::DeniesThatFired => {
                "Why not: the Deny statements that fired, and what would stop each"
            }
            Question::DeniesThatCouldFire => {
                "What would deny it: the Deny statements present, and what would make each fire"
            }
            Question::AwsRule => {
                "Why: an AWS rule decides this request whatever the policies say; no policy change would alter it"
            }
        };
        out.push_str(heading);
        out.push('\n');
        if self.items.is_empty() {
            out.push_str(match self.question {
                Question::ClosestAllows => {
                    "  no Allow statement in the policies that decide this request\n"
                }
                Question::DeniesThatCouldFire => {
                    "  no Deny statement applies to this principal: nothing guards this request\n"
                }
                Question::DeniesThatFired => "",
                Question::AwsRule => "",
            });
        }
        if let Some(rule) = self.aws_rule {
            out.push_str(&format!("  {}: {}\n", rule.label(), rule.explain()));
        }
        for item in &self.items {
            out.push_str(&format!("  {}\n", item.label));
            for f in &item.findings {
                out.push_str(&format!("    {}: {}\n", f.part, f.found));
                let after = f
                    .decision_after
                    .map(|d| format!(" → the decision would be {}", d.label()))
                    .unwrap_or_default();
                out.push_str(&format!("      change: {}{after}\n", f.suggestion));
            }
            if let Some(d) = item.decision_with_all {
                out.push_str(&format!("    with all these changes: {}\n", d.label()));
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::load_str;

    fn report(file: &str, request: usize) -> WhyNot {
        let text =
            std::fs::read_to_string(format!("{}/{file}", env!("CARGO_MANIFEST_DIR"))).unwrap();
        let s = load_str(&text).unwrap();
        let r = &s.requests[request].request;
        let ev = evaluate(&s.set, &PreparedRequest::new(r), Detail::Trace);
        why_not(&s.set, r, ev.trace.as_ref().unwrap(), &ev.determined_by)
    }

    #[test]
    fn the_client_vpn_deny_is_stopped_by_the_office_address() {
        let w = report("assets/scenarios/client-vpn-source-ip.json", 1);
        assert_eq!(w.question, Question::DeniesThatFired);
        assert_eq!(w.items.len(), 1);
        let f = &w.items[0].findings[0];
        assert_eq!(f.part, "NotIpAddress aws:SourceIp");
        assert_eq!(
            f.change,
            Some(RequestChange {
                input: Input::Context("aws:SourceIp".into()),
                value: Some("203.0.113.0".into())
            })
        );
        assert_eq!(f.decision_after, Some(Decision::Allow));
    }

    #[test]
    fn an_allow_shows_what_would_make_the_guardrail_fire() {
        let w = report("assets/scenarios/client-vpn-fixed.json", 1);
        assert_eq!(w.question, Question::DeniesThatCouldFire);
        let findings = &w.items[0].findings;
        // The service's call from a service address is let through by the ViaAWSService
        // guard: with aws:ViaAWSService false, the Deny would fire.
        let bool_finding = findings
            .iter()
            .find(|f| f.part == "Bool aws:ViaAWSService")
            .unwrap();
        assert_eq!(bool_finding.decision_after, Some(Decision::ExplicitDeny));
    }
}
