//! Condition evaluation: AND across operators and keys, OR across values, negation,
//! missing keys, IfExists, Null, and the ForAllValues / ForAnyValue set operators.

use super::request::{ContextEntry, PreparedRequest, PreparedValue};
use crate::policy::condition::{
    Comparison, CompiledValue, ConditionKey, ConditionOperator, Family, Operator, PolicyValue,
    SetQualifier, split_arn_pattern,
};
use crate::policy::pattern::{Pattern, Unresolved};
use crate::policy::principal::split_arn;
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
                .all(|k| eval_key(&op.operator, k, req, false).0)
        });
        return (holds, None);
    }
    let mut operators = Vec::with_capacity(ops.len());
    let mut all = true;
    for op in ops {
        let mut keys = Vec::with_capacity(op.keys.len());
        let mut op_holds = true;
        for k in &op.keys {
            let (holds, kt) = eval_key(&op.operator, k, req, true);
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
fn eval_key(
    op: &Operator,
    key: &ConditionKey,
    req: &PreparedRequest,
    trace: bool,
) -> (bool, Option<KeyTrace>) {
    let entry = req.entry(&key.lower);
    let present = entry.filter(|e| !e.values.is_empty());
    let negated = op.base.negated;
    let mut comparisons = Vec::new();
    let mut choice = None;

    let (holds, rule) = if op.base.family == Family::Null {
        let absent = match present {
            None => true,
            Some(e) => !e.multi && e.values.len() == 1 && e.values[0].text.is_empty(),
        };
        let holds = key.values.iter().any(|v| match v.compiled {
            CompiledValue::Null(want_absent) => want_absent == absent,
            _ => false,
        });
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
                    compare_all(op, key, e, req, &mut comparisons);
                }
                (false, KeyRule::PlainOperatorOnMultiValuedKey)
            }
            Some(e) => {
                if op.set.is_some() && !e.multi {
                    choice = Some(Choice::SetOperatorOnSingleValuedKey);
                }
                // inner(v): the request value v satisfies the operator (for a negated
                // operator: matches none of the listed values).
                let inner = |v: &PreparedValue, comparisons: &mut Vec<ComparisonTrace>| {
                    let mut any = false;
                    for pv in &key.values {
                        let m = compare(op, v, pv, req, trace.then_some(&mut *comparisons));
                        any |= m;
                        if any && !trace {
                            break;
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
) {
    for v in &e.values {
        for pv in &key.values {
            compare(op, v, pv, req, Some(out));
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
    compare_value(op, v, pv, req, false).matched
}

/// The outcome of comparing one request value with one policy value.
struct Outcome {
    matched: bool,
    note: Option<String>,
    resolved: Option<String>,
    choice: Option<Choice>,
}

impl Outcome {
    fn plain(matched: bool) -> Self {
        Outcome {
            matched,
            note: None,
            resolved: None,
            choice: None,
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
        }
    }
}

/// Compares a request value with a policy value under the operator's positive form.
fn compare(
    op: &Operator,
    v: &PreparedValue,
    pv: &PolicyValue,
    req: &PreparedRequest,
    out: Option<&mut Vec<ComparisonTrace>>,
) -> bool {
    let trace = out.is_some();
    let outcome = compare_value(op, v, pv, req, trace);
    let matched = outcome.matched;
    if let Some(out) = out {
        out.push(ComparisonTrace {
            request_value: v.text.clone(),
            policy_value: pv.text.clone(),
            resolved: outcome.resolved,
            span: pv.span,
            matched,
            note: outcome.note,
            choice: outcome.choice,
        });
    }
    matched
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
) -> Outcome {
    let family = op.base.family;
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
                    };
                }
            };
            let shown = (trace && pv.has_variables()).then(|| p.display());
            let matched = match family {
                Family::String => p.as_literal() == Some(v.text.as_str()),
                Family::StringIgnoreCase => {
                    if pv.has_variables() {
                        p.into_owned().lowercased().as_literal() == Some(v.lower())
                    } else {
                        p.as_literal() == Some(v.lower())
                    }
                }
                _ => p.matches_plain(&v.text),
            };
            Outcome {
                matched,
                note: None,
                resolved: shown,
                choice: None,
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
                matched: x == *b,
                note: None,
                resolved: None,
                choice: (value::bool_case_mattered(&v.text) || value::bool_case_mattered(&pv.text))
                    .then_some(Choice::BoolCaseInsensitive),
            },
            None => Outcome::unparseable("true or false"),
        },
        CompiledValue::Binary(bytes) => match value::parse_base64(&v.text) {
            Some(x) => Outcome::plain(&x == bytes),
            None => Outcome::unparseable("base64"),
        },
        CompiledValue::Ip(net) => match v.ip {
            Some(ip) => Outcome {
                matched: net.contains(&ip),
                note: None,
                resolved: None,
                choice: (!pv.text.contains('/') && pv.text.contains(':'))
                    .then_some(Choice::BareIpv6Is128),
            },
            None => Outcome::unparseable("an IP address"),
        },
        CompiledValue::Arn { whole, parts } => {
            let Some(request_parts) = split_arn(&v.text) else {
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
                            };
                        }
                    }
                }
            };
            let matched = parts
                .iter()
                .zip(request_parts.iter())
                .all(|(p, r)| p.matches_plain(r));
            Outcome {
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
        CompiledValue::Null(_) => Outcome::plain(false),
    }
}
