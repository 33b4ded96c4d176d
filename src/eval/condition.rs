//! Condition evaluation: AND across operators and keys, OR across values, negation,
//! missing keys, IfExists, Null, and the ForAllValues / ForAnyValue set operators.

use super::request::{ContextEntry, PreparedRequest, PreparedValue};
use super::unresolved::{Marks, placeholders_in};
use crate::iac::placeholder::contains;
use crate::policy::condition::{
    Comparison, CompiledValue, ConditionKey, ConditionOperator, Family, Operator, PolicyValue,
    SetQualifier, split_arn_pattern,
};
use crate::policy::pattern::{Pattern, Unresolved};
use crate::policy::principal::split_arn;
use crate::policy::unresolved::surely_matches;
use crate::trace::{Choice, ComparisonTrace, ConditionTrace, KeyRule, KeyTrace, OperatorTrace};
use crate::value;

/// Evaluates a Condition block. With `trace`, every operator and key is evaluated and
/// recorded; without, evaluation stops at the first operator that fails.
pub fn eval_block(
    ops: &[ConditionOperator],
    req: &PreparedRequest,
    trace: bool,
) -> (bool, Option<ConditionTrace>) {
    if !trace {
        let holds = ops.iter().all(|op| {
            op.keys
                .iter()
                .all(|k| eval_key(&op.operator, k, req, false, &mut None).0)
        });
        return (holds, None);
    }
    traced_block(ops, req, &mut None)
}

/// [`eval_block`] with the trace, in a pass that settles comparisons with placeholders
/// as `marks` says (every operator and key evaluated, so what is recorded does not
/// depend on the order).
pub fn eval_block_marked(
    ops: &[ConditionOperator],
    req: &PreparedRequest,
    marks: &mut Marks,
) -> (bool, Option<ConditionTrace>) {
    traced_block(ops, req, &mut Some(marks))
}

fn traced_block(
    ops: &[ConditionOperator],
    req: &PreparedRequest,
    marks: &mut Option<&mut Marks>,
) -> (bool, Option<ConditionTrace>) {
    let mut operators = Vec::with_capacity(ops.len());
    let mut all = true;
    for op in ops {
        let mut keys = Vec::with_capacity(op.keys.len());
        let mut op_holds = true;
        for k in &op.keys {
            let (holds, kt) = eval_key(&op.operator, k, req, true, marks);
            op_holds &= holds;
            keys.extend(kt);
        }
        all &= op_holds;
        operators.push(OperatorTrace {
            operator: op.name.clone(),
            span: op.span,
            holds: op_holds,
            keys,
        });
    }
    (
        all,
        Some(ConditionTrace {
            holds: all,
            operators,
        }),
    )
}

/// Evaluates one key under `op`.
/// Evaluates one key under `op`. `marks`: the pass settling comparisons with
/// placeholders (`None` on the plain path, where there are none).
fn eval_key(
    op: &Operator,
    key: &ConditionKey,
    req: &PreparedRequest,
    trace: bool,
    marks: &mut Option<&mut Marks>,
) -> (bool, Option<KeyTrace>) {
    let entry = req.entry(&key.lower);
    let present = entry.filter(|e| !e.values.is_empty());
    let negated = op.base.negated;
    let mut comparisons = Vec::new();
    let mut choice = None;

    let (mut holds, rule) = if op.base.family == Family::Null {
        let absent = match present {
            None => true,
            Some(e) => !e.multi && e.values.len() == 1 && e.values[0].text.is_empty(),
        };
        let mut holds = key.values.iter().any(|v| match v.compiled {
            CompiledValue::Null(want_absent) => want_absent == absent,
            _ => false,
        });
        if let Some(m) = marks.as_deref_mut() {
            // `Null: ⟦Ref Flag⟧`: which way the test goes is unknown.
            let texts: Vec<&str> = key
                .values
                .iter()
                .filter(|v| v.compiled == CompiledValue::Unresolved)
                .map(|v| &*v.text)
                .collect();
            if !texts.is_empty() {
                if holds {
                    m.record(&texts);
                } else {
                    holds = m.settle(true, &texts);
                }
            }
        }
        if trace {
            for v in &key.values {
                comparisons.push(ComparisonTrace {
                    request_value: if absent {
                        "(absent)".into()
                    } else {
                        "(present)".into()
                    },
                    policy_value: v.text.clone(),
                    resolved: None,
                    span: v.span,
                    matched: matches!(v.compiled, CompiledValue::Null(w) if w == absent),
                    note: None,
                    choice: None,
                    unresolved: if v.compiled == CompiledValue::Unresolved {
                        placeholders_in(&[&v.text])
                    } else {
                        Vec::new()
                    },
                });
            }
        }
        (
            holds,
            if absent {
                KeyRule::NullKeyAbsent
            } else {
                KeyRule::NullKeyPresent
            },
        )
    } else {
        match present {
            None => {
                if op.if_exists {
                    (true, KeyRule::IfExistsMissingKey)
                } else {
                    match op.set {
                        Some(SetQualifier::ForAllValues) => (true, KeyRule::ForAllValuesEmptySet),
                        Some(SetQualifier::ForAnyValue) => (false, KeyRule::ForAnyValueEmptySet),
                        None if negated => (true, KeyRule::MissingKeyNegated),
                        None => (false, KeyRule::MissingKey),
                    }
                }
            }
            Some(e) if op.set.is_none() && e.multi => {
                choice = Some(Choice::PlainOperatorOnMultiValuedKey);
                if trace {
                    compare_all(op, key, e, req, &mut comparisons, marks.is_some());
                }
                (false, KeyRule::PlainOperatorOnMultiValuedKey)
            }
            Some(e) => {
                if op.set.is_some() && !e.multi {
                    choice = Some(Choice::SetOperatorOnSingleValuedKey);
                }
                // inner(v): the request value v satisfies the operator (for a negated
                // operator: matches none of the listed values).
                let mut inner = |v: &PreparedValue, comparisons: &mut Vec<ComparisonTrace>| {
                    let mut any = false;
                    let mut unresolved = false;
                    for pv in &key.values {
                        let (m, u) = compare(
                            op,
                            v,
                            pv,
                            req,
                            trace.then_some(&mut *comparisons),
                            marks.is_some(),
                        );
                        any |= m;
                        unresolved |= u;
                        if any && !trace {
                            break;
                        }
                    }
                    if let Some(m) = marks.as_deref_mut() {
                        if unresolved {
                            let mut texts: Vec<&str> =
                                key.values.iter().map(|pv| &*pv.text).collect();
                            texts.push(&v.text);
                            if any {
                                m.record(&texts);
                            } else {
                                // A match makes a positive operator hold, a negated one fail.
                                any = m.settle(!negated, &texts);
                            }
                        }
                    }
                    any != negated
                };
                match op.set {
                    None => {
                        let ok = inner(&e.values[0], &mut comparisons);
                        let rule = match (negated, ok) {
                            (false, true) => KeyRule::ValueMatched,
                            (false, false) => KeyRule::NoValueMatched,
                            (true, true) => KeyRule::NegatedNoneMatched,
                            (true, false) => KeyRule::NegatedValueMatched,
                        };
                        (ok, rule)
                    }
                    Some(SetQualifier::ForAllValues) => {
                        let mut all = true;
                        for v in &e.values {
                            all &= inner(v, &mut comparisons);
                            if !all && !trace {
                                break;
                            }
                        }
                        let rule = if all {
                            KeyRule::ForAllValuesAllMatched
                        } else {
                            KeyRule::ForAllValuesSomeUnmatched
                        };
                        (all, rule)
                    }
                    Some(SetQualifier::ForAnyValue) => {
                        let mut any = false;
                        for v in &e.values {
                            any |= inner(v, &mut comparisons);
                            if any && !trace {
                                break;
                            }
                        }
                        let rule = if any {
                            KeyRule::ForAnyValueSomeMatched
                        } else {
                            KeyRule::ForAnyValueNoneMatched
                        };
                        (any, rule)
                    }
                }
            }
        }
    };
    // A key name that holds a placeholder (`aws:ResourceTag/⟦Ref TagKey⟧`) and that
    // the request does not carry: the real key may be there or not.
    let mut key_unresolved = Vec::new();
    if let Some(m) = marks.as_deref_mut() {
        if present.is_none() && contains(&key.name) {
            m.record(&[&key.name]);
            if let Some(want) = m.wants_apply(m.effect) {
                holds = want;
            }
            key_unresolved = placeholders_in(&[&key.name]);
        }
    }
    if !trace {
        return (holds, None);
    }
    if choice.is_none() {
        choice = comparisons.iter().find_map(|c| c.choice);
    }
    let kt = KeyTrace {
        key: key.name.clone(),
        span: key.span,
        request_values: entry
            .filter(|e| !e.values.is_empty())
            .map(|e| e.values.iter().map(|v| v.text.clone()).collect()),
        multi_valued: entry.is_some_and(|e| e.multi),
        holds,
        rule,
        doc: rule.doc_page(),
        choice,
        unresolved: key_unresolved,
        comparisons,
    };
    (holds, Some(kt))
}

fn compare_all(
    op: &Operator,
    key: &ConditionKey,
    e: &ContextEntry,
    req: &PreparedRequest,
    out: &mut Vec<ComparisonTrace>,
    marked: bool,
) {
    for v in &e.values {
        for pv in &key.values {
            compare(op, v, pv, req, Some(out), marked);
        }
    }
}

/// Whether request value `v` matches policy value `pv` under the operator's positive
/// form (variables resolved against `req`).
pub fn matches_value(
    op: &Operator,
    v: &PreparedValue,
    pv: &PolicyValue,
    req: &PreparedRequest,
) -> bool {
    compare_value(op, v, pv, req, false, false).matched
}

/// The outcome of comparing one request value with one policy value.
struct Outcome {
    matched: bool,
    note: Option<String>,
    resolved: Option<String>,
    choice: Option<Choice>,
    /// Not a sure match, and a placeholder took part: the real values might match.
    unresolved: bool,
}

impl Outcome {
    fn plain(matched: bool) -> Self {
        Outcome {
            matched,
            note: None,
            resolved: None,
            choice: None,
            unresolved: false,
        }
    }

    fn unparseable(what: &str) -> Self {
        Outcome {
            matched: false,
            note: Some(format!(
                "the request value is not {what}: matches no policy value"
            )),
            resolved: None,
            choice: None,
            unresolved: false,
        }
    }

    /// A comparison a placeholder keeps from being decided.
    fn unresolved() -> Self {
        Outcome {
            unresolved: true,
            ..Outcome::plain(false)
        }
    }
}

/// Compares a request value with a policy value under the operator's positive form:
/// (matched, unresolved). `marked`: placeholders may take part (only then are they
/// looked for).
fn compare(
    op: &Operator,
    v: &PreparedValue,
    pv: &PolicyValue,
    req: &PreparedRequest,
    out: Option<&mut Vec<ComparisonTrace>>,
    marked: bool,
) -> (bool, bool) {
    let trace = out.is_some();
    let outcome = compare_value(op, v, pv, req, trace, marked);
    let matched = outcome.matched;
    if let Some(out) = out {
        out.push(ComparisonTrace {
            request_value: v.text.clone(),
            policy_value: pv.text.clone(),
            unresolved: if outcome.unresolved {
                placeholders_in(&[&pv.text, outcome.resolved.as_deref().unwrap_or(""), &v.text])
            } else {
                Vec::new()
            },
            resolved: outcome.resolved,
            span: pv.span,
            matched,
            note: outcome.note,
            choice: outcome.choice,
        });
    }
    (matched, outcome.unresolved)
}

fn ordered<T: PartialOrd>(cmp: Comparison, request: T, policy: T) -> bool {
    match cmp {
        Comparison::Equals => request == policy,
        Comparison::LessThan => request < policy,
        Comparison::LessThanEquals => request <= policy,
        Comparison::GreaterThan => request > policy,
        Comparison::GreaterThanEquals => request >= policy,
    }
}

fn unresolved_note(u: &Unresolved) -> String {
    match u {
        Unresolved::Missing { key } => format!(
            "variable ${{{key}}} is missing from the request and has no default: this value cannot match"
        ),
        Unresolved::MultiValued { key } => format!(
            "variable ${{{key}}} names a multi-valued key, which cannot be a variable: this value cannot match"
        ),
    }
}

/// Resolves a policy pattern's variables against the request (borrowing when it has
/// none).
fn resolved<'p>(
    p: &'p Pattern,
    req: &PreparedRequest,
) -> Result<std::borrow::Cow<'p, Pattern>, Unresolved> {
    if p.has_variables() {
        p.resolve(&|k| req.variable(k)).map(std::borrow::Cow::Owned)
    } else {
        Ok(std::borrow::Cow::Borrowed(p))
    }
}

fn compare_value(
    op: &Operator,
    v: &PreparedValue,
    pv: &PolicyValue,
    req: &PreparedRequest,
    trace: bool,
    marked: bool,
) -> Outcome {
    let family = op.base.family;
    if marked {
        if pv.compiled == CompiledValue::Unresolved {
            return Outcome::unresolved();
        }
        // A request value that is (or holds) a placeholder cannot be read as a number,
        // date, boolean, base64 or address until it is resolved.
        if v.placeholder
            && matches!(
                pv.compiled,
                CompiledValue::Number(_)
                    | CompiledValue::Date(_)
                    | CompiledValue::Bool(_)
                    | CompiledValue::Binary(_)
                    | CompiledValue::Ip(_)
            )
        {
            return Outcome::unresolved();
        }
    }
    match &pv.compiled {
        CompiledValue::Text(p) => {
            let p = match resolved(p, req) {
                Ok(p) => p,
                Err(u) => {
                    return Outcome {
                        matched: false,
                        note: Some(unresolved_note(&u)),
                        resolved: None,
                        choice: None,
                        unresolved: false,
                    };
                }
            };
            let shown = (trace && pv.has_variables()).then(|| p.display());
            let placeholder = marked && (v.placeholder || p.has_placeholder());
            let matched = match family {
                // Equal texts are equal whatever a placeholder in them stands for.
                Family::String => p.as_literal() == Some(v.text.as_str()),
                Family::StringIgnoreCase => {
                    if pv.has_variables() {
                        p.into_owned().lowercased().as_literal() == Some(v.lower())
                    } else {
                        p.as_literal() == Some(v.lower())
                    }
                }
                _ if placeholder => surely_matches(&p, &v.text),
                _ => p.matches_plain(&v.text),
            };
            Outcome {
                matched,
                note: None,
                resolved: shown,
                choice: None,
                unresolved: placeholder && !matched,
            }
        }
        CompiledValue::Number(n) => match &v.number {
            Some(x) => Outcome::plain(ordered(op.base.comparison, x, n)),
            None => Outcome::unparseable("a number"),
        },
        CompiledValue::Date(d) => match v.date {
            Some(x) => Outcome::plain(ordered(op.base.comparison, x, *d)),
            None => Outcome::unparseable("a date (ISO 8601 or epoch seconds)"),
        },
        CompiledValue::Bool(b) => match v.boolean {
            Some(x) => Outcome {
                choice: (value::bool_case_mattered(&v.text) || value::bool_case_mattered(&pv.text))
                    .then_some(Choice::BoolCaseInsensitive),
                ..Outcome::plain(x == *b)
            },
            None => Outcome::unparseable("true or false"),
        },
        CompiledValue::Binary(bytes) => match value::parse_base64(&v.text) {
            Some(x) => Outcome::plain(&x == bytes),
            None => Outcome::unparseable("base64"),
        },
        CompiledValue::Ip(net) => match v.ip {
            Some(ip) => Outcome {
                choice: (!pv.text.contains('/') && pv.text.contains(':'))
                    .then_some(Choice::BareIpv6Is128),
                ..Outcome::plain(net.contains(&ip))
            },
            None => Outcome::unparseable("an IP address"),
        },
        CompiledValue::Arn { whole, parts } => {
            let Some(request_parts) = split_arn(&v.text) else {
                if marked && v.placeholder {
                    // `⟦GetAtt Queue.Arn⟧`: an ARN nobody knows yet.
                    return Outcome::unresolved();
                }
                return Outcome::unparseable("an ARN");
            };
            let owned;
            let parts = match parts {
                Some(p) => p.as_ref(),
                None => {
                    let r = match whole.resolve(&|k| req.variable(k)) {
                        Ok(r) => r,
                        Err(u) => {
                            return Outcome {
                                matched: false,
                                note: Some(unresolved_note(&u)),
                                resolved: None,
                                choice: None,
                                unresolved: false,
                            };
                        }
                    };
                    match split_arn_pattern(&r) {
                        Some(p) => {
                            owned = p;
                            &owned
                        }
                        None => {
                            return Outcome {
                                matched: false,
                                note: Some(
                                    "after substitution the policy value is not an ARN".into(),
                                ),
                                resolved: Some(r.display()),
                                choice: None,
                                unresolved: marked && r.has_placeholder(),
                            };
                        }
                    }
                }
            };
            let placeholder =
                marked && (v.placeholder || parts.iter().any(|p| p.has_placeholder()));
            let matched = parts.iter().zip(request_parts.iter()).all(|(p, r)| {
                if placeholder {
                    surely_matches(p, r)
                } else {
                    p.matches_plain(r)
                }
            });
            Outcome {
                unresolved: placeholder && !matched,
                matched,
                note: None,
                resolved: (trace && whole.has_variables()).then(|| {
                    parts
                        .iter()
                        .map(|p| p.display())
                        .collect::<Vec<_>>()
                        .join(":")
                }),
                choice: None,
            }
        }
        CompiledValue::Null(_) | CompiledValue::Unresolved => Outcome::plain(false),
    }
}
