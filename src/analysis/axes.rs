//! What a what-if grid can vary around one request, and the values worth trying: the
//! condition keys tested by the statements that apply to the request (their Action,
//! Resource and Principal match it: a key only other statements test cannot change
//! its decision), then its action, resource and principal. For a key the values are
//! the ones the policies list, the request's own, one the policies do not list (the
//! "none of these" column), absent, and for a multi-valued key the empty set and a
//! two-element set.

use super::grid::{Axis, Input};
use crate::eval::Request;
use crate::policy::condition::{CompiledValue, ConditionOperator, Family};
use crate::policy::{PolicySet, Statement};
use crate::trace::{StatementRef, Trace};

/// Why a value is offered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValueNote {
    /// The request has it now.
    Request,
    /// A policy lists it (or a value it lists matches it).
    Listed,
    /// No value the policies list matches it.
    NotListed,
    /// The key missing from the request.
    Absent,
    /// A multi-valued key with no value.
    EmptySet,
    /// A multi-valued key with two values.
    TwoValues,
}

impl ValueNote {
    /// The note in a few words.
    pub fn label(self) -> &'static str {
        match self {
            ValueNote::Request => "the request's",
            ValueNote::Listed => "listed",
            ValueNote::NotListed => "not listed",
            ValueNote::Absent => "the key missing",
            ValueNote::EmptySet => "empty set",
            ValueNote::TwoValues => "two values",
        }
    }
}

/// One value offered for an axis.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OfferedValue {
    /// The value as the grid takes it (`None`: absent; `[a;b]`: a set).
    pub value: Option<String>,
    /// Why it is offered.
    pub note: ValueNote,
}

/// An input the grid can vary, with the values offered for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Offer {
    /// What varies.
    pub input: Input,
    /// The values, in the order offered.
    pub values: Vec<OfferedValue>,
    /// A multi-valued key (a set operator tests it, or the catalog says so).
    pub multi: bool,
    /// Tested by a statement that decided the request.
    pub deciding: bool,
}

impl Offer {
    /// The offer as an axis with every value.
    pub fn axis(&self) -> Axis {
        Axis {
            input: self.input.clone(),
            values: self.values.iter().map(|v| v.value.clone()).collect(),
        }
    }
}

/// The statements of `set` that apply to the request `trace` is of: in a policy that
/// takes part, with Action, Resource and Principal matched (whatever the Condition
/// says). As (policy, statement) indexes.
pub fn applicable(trace: &Trace) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    for (pi, p) in trace.policies.iter().enumerate().filter(|(_, p)| p.applies) {
        for s in &p.statements {
            let matched = s.action.matched
                && s.resource.as_ref().is_none_or(|m| m.matched)
                && s.principal.as_ref().is_none_or(|m| m.matched);
            if matched {
                out.push((pi, s.index));
            }
        }
    }
    out
}

fn statement(set: &PolicySet, (pi, si): (usize, usize)) -> Option<&Statement> {
    set.policies.get(pi)?.policy.statements.get(si)
}

/// The inputs a grid around `base` can vary: the condition keys of the applicable
/// statements (those that decided first), then the action, the resource and the
/// principal; each with its values.
pub fn offers(
    set: &PolicySet,
    base: &Request,
    trace: &Trace,
    deciding: &[StatementRef],
) -> Vec<Offer> {
    let mut statements = applicable(trace);
    let decided =
        |&(pi, si): &(usize, usize)| deciding.iter().any(|d| d.policy == pi && d.statement == si);
    // Stable: the deciding ones first, each group in set order.
    statements.sort_by_key(|s| !decided(s));
    let mut offers: Vec<Offer> = Vec::new();
    for at in &statements {
        let Some(s) = statement(set, *at) else {
            continue;
        };
        for op in &s.conditions {
            for k in &op.keys {
                if offers.iter().any(
                    |o| matches!(&o.input, Input::Context(n) if n.eq_ignore_ascii_case(&k.name)),
                ) {
                    continue;
                }
                offers.push(Offer {
                    input: Input::Context(k.name.to_string()),
                    values: Vec::new(),
                    multi: false,
                    deciding: decided(at),
                });
            }
        }
    }
    let tested: Vec<&ConditionOperator> = statements
        .iter()
        .filter_map(|at| statement(set, *at))
        .flat_map(|s| &s.conditions)
        .collect();
    for o in &mut offers {
        if let Input::Context(key) = &o.input {
            o.multi = is_multi(key, &tested);
            o.values = key_values(key, o.multi, &tested, base);
        }
    }
    for input in [Input::Action, Input::Resource, Input::Principal] {
        let mut values = element_values(&input, base, trace);
        if input == Input::Resource {
            if let Some(other) = unlisted_resource(set, trace, &base.resource) {
                push(&mut values, Some(other), ValueNote::NotListed);
            }
        }
        offers.push(Offer {
            input,
            values,
            multi: false,
            deciding: false,
        });
    }
    offers
}

/// Up to two axes for a grid nobody chose axes for: the first two keys the applicable
/// statements test (none when they test none: the action, resource or principal are
/// the user's to choose).
pub fn suggest(
    set: &PolicySet,
    base: &Request,
    trace: &Trace,
    deciding: &[StatementRef],
) -> Vec<Axis> {
    offers(set, base, trace, deciding)
        .iter()
        .filter(|o| matches!(o.input, Input::Context(_)))
        .take(2)
        .map(|o| {
            // A suggestion stays small: sets only when asked for in the picker.
            let values = o
                .values
                .iter()
                .filter(|v| !matches!(v.note, ValueNote::EmptySet | ValueNote::TwoValues))
                .map(|v| v.value.clone())
                .take(5)
                .collect();
            Axis {
                input: o.input.clone(),
                values,
            }
        })
        .collect()
}

/// Whether `key` is multi-valued: a set operator tests it, or the catalog says so.
fn is_multi(key: &str, tested: &[&ConditionOperator]) -> bool {
    let lower = key.to_lowercase();
    tested
        .iter()
        .any(|op| op.operator.set.is_some() && op.keys.iter().any(|k| k.lower == lower))
        || crate::catalog::global_key(key).is_some_and(|g| g.multi)
        || crate::catalog::services::loaded()
            .and_then(|c| c.condition_key(key))
            .is_some_and(|k| k.multi)
}

/// A listed value as a request value that it matches (wildcards become `x`); `None`
/// for values with variables or Null's.
fn sample(v: &CompiledValue, text: &str) -> Option<String> {
    match v {
        CompiledValue::Ip(net) => Some(net.network().to_string()),
        CompiledValue::Text(p) if !p.has_variables() => Some(p.display().replace(['*', '?'], "x")),
        CompiledValue::Arn { whole, .. } if !whole.has_variables() => {
            Some(whole.display().replace(['*', '?'], "x"))
        }
        CompiledValue::Bool(b) => Some(b.to_string()),
        CompiledValue::Number(_) | CompiledValue::Date(_) | CompiledValue::Binary(_) => {
            Some(text.to_string())
        }
        _ => None,
    }
}

/// Whether a listed value matches the request value `candidate` (before any negation).
fn matches(v: &CompiledValue, text: &str, candidate: &str) -> bool {
    match v {
        CompiledValue::Ip(net) => {
            crate::value::parse_ip_addr(candidate).is_some_and(|ip| net.contains(&ip))
        }
        CompiledValue::Text(p) => {
            p.has_variables()
                || p.matches_plain(candidate)
                || p.matches_plain(&candidate.to_lowercase())
        }
        CompiledValue::Arn { whole, .. } => whole.has_variables() || whole.matches_plain(candidate),
        CompiledValue::Bool(b) => crate::value::parse_bool(candidate) == Some(*b),
        CompiledValue::Number(n) => crate::value::parse_number(candidate).as_ref() == Some(n),
        CompiledValue::Null(_) => false,
        _ => text == candidate,
    }
}

/// A value that no listed value matches, of the listed values' family.
fn unlisted(family: Option<Family>, listed: &[(CompiledValue, String)]) -> Option<String> {
    let first = listed.iter().find_map(|(v, t)| sample(v, t));
    let candidates: Vec<String> = match family {
        Some(Family::Ip) => ["192.0.2.10", "198.51.100.10", "203.0.113.10", "10.0.0.1"]
            .map(String::from)
            .to_vec(),
        Some(Family::Bool) => vec!["true".into(), "false".into()],
        Some(Family::Numeric) => {
            let most = listed
                .iter()
                .filter_map(|(_, t)| t.parse::<i64>().ok())
                .max()
                .unwrap_or(0);
            vec![(most.saturating_add(1)).to_string()]
        }
        Some(Family::Date) => vec!["2001-01-01T00:00:00Z".into(), "2099-01-01T00:00:00Z".into()],
        _ => {
            let mut c = Vec::new();
            if let Some(s) = &first {
                // The same shape with its last part changed: an ARN, a service name.
                if let Some(i) = s.rfind(['/', ':']) {
                    c.push(format!("{}other", &s[..=i]));
                } else if let Some((_, rest)) = s.split_once('.') {
                    c.push(format!("other.{rest}"));
                }
            }
            c.extend(["other".to_string(), "not-listed-value".to_string()]);
            c
        }
    };
    candidates
        .into_iter()
        .find(|c| !listed.iter().any(|(v, t)| matches(v, t, c)))
}

/// Adds a value unless it is offered already.
fn push(out: &mut Vec<OfferedValue>, value: Option<String>, note: ValueNote) {
    if !out.iter().any(|o| o.value == value) {
        out.push(OfferedValue { value, note });
    }
}

/// The values worth trying for `key`: the request's, those listed, one not listed,
/// absent; for a multi-valued key also `[]` and a two-element set.
fn key_values(
    key: &str,
    multi: bool,
    tested: &[&ConditionOperator],
    base: &Request,
) -> Vec<OfferedValue> {
    let lower = key.to_lowercase();
    let mut family = None;
    let mut listed: Vec<(CompiledValue, String)> = Vec::new();
    for op in tested {
        for k in op.keys.iter().filter(|k| k.lower == lower) {
            family = family.or(Some(op.operator.base.family));
            for v in &k.values {
                listed.push((v.compiled.clone(), v.text.to_string()));
            }
        }
    }
    if family.is_none_or(|f| f == Family::Null) {
        family = crate::catalog::global_key(key).map(|g| match g.key_type {
            crate::catalog::KeyType::Ip => Family::Ip,
            crate::catalog::KeyType::Bool => Family::Bool,
            crate::catalog::KeyType::Numeric => Family::Numeric,
            crate::catalog::KeyType::Date => Family::Date,
            crate::catalog::KeyType::Arn => Family::Arn,
            crate::catalog::KeyType::String => Family::String,
        });
    }
    let mut out: Vec<OfferedValue> = Vec::new();
    let own = super::grid::input_value(base, &Input::Context(key.to_string()));
    if let Some(own) = &own {
        push(&mut out, Some(own.clone()), ValueNote::Request);
    }
    let samples: Vec<String> = listed.iter().filter_map(|(v, t)| sample(v, t)).collect();
    for s in &samples {
        push(&mut out, Some(s.clone()), ValueNote::Listed);
    }
    let other = unlisted(family, &listed);
    if let Some(o) = &other {
        // The request's own value may already be the one nothing lists.
        let own_unlisted = own
            .as_deref()
            .is_some_and(|v| !v.starts_with('[') && !listed.iter().any(|(l, t)| matches(l, t, v)));
        if own_unlisted {
            if let Some(first) = out.first_mut() {
                first.note = ValueNote::NotListed;
            }
        } else {
            push(&mut out, Some(o.clone()), ValueNote::NotListed);
        }
    }
    push(&mut out, None, ValueNote::Absent);
    if multi {
        push(&mut out, Some("[]".into()), ValueNote::EmptySet);
        // The first pair of the listed values (then the unlisted one) that is not
        // offered already (the request may hold it).
        let pool: Vec<&String> = samples.iter().chain(other.iter()).collect();
        let pair = pool.iter().enumerate().find_map(|(i, a)| {
            pool[i + 1..]
                .iter()
                .filter(|b| b != &a)
                .map(|b| format!("[{a};{b}]"))
                .find(|set| !out.iter().any(|o| o.value.as_deref() == Some(set.as_str())))
        });
        if let Some(set) = pair {
            push(&mut out, Some(set), ValueNote::TwoValues);
        }
    }
    out
}

/// The values worth trying for the action, resource or principal: the request's and
/// those the applicable policies list literally (no wildcard, no variable).
fn element_values(input: &Input, base: &Request, trace: &Trace) -> Vec<OfferedValue> {
    let own = match input {
        Input::Action => &base.action,
        Input::Resource => &base.resource,
        Input::Principal => &base.principal,
        Input::Context(_) => return Vec::new(),
    };
    let mut out = vec![OfferedValue {
        value: Some(own.clone()),
        note: ValueNote::Request,
    }];
    for s in trace
        .policies
        .iter()
        .filter(|p| p.applies)
        .flat_map(|p| &p.statements)
    {
        let element = match input {
            Input::Action => Some(&s.action),
            Input::Resource => s.resource.as_ref(),
            _ => s.principal.as_ref(),
        };
        for e in element.into_iter().flat_map(|m| &m.entries) {
            let literal = !e.text.contains(['*', '?', '$']);
            let v = Some(e.text.to_string());
            if literal && out.len() < 6 && !out.iter().any(|o| o.value == v) {
                out.push(OfferedValue {
                    value: v,
                    note: ValueNote::Listed,
                });
            }
        }
    }
    out
}

/// A resource like `own` (its last part changed) that no Resource entry of the
/// policies that take part matches: the "none of these" resource. `None` when one
/// matches every resource (`*`) or holds a variable (what it matches is not known here).
fn unlisted_resource(set: &PolicySet, trace: &Trace, own: &str) -> Option<String> {
    // Its last part changed, else its whole resource part (after the ARN's fifth colon).
    let mut candidates = Vec::new();
    if let Some(cut) = own.rfind(['/', ':']) {
        candidates.push(format!("{}other", &own[..=cut]));
    }
    if let Some((cut, _)) = own.match_indices(':').nth(4) {
        candidates.push(format!("{}other", &own[..=cut]));
    }
    let patterns: Vec<&crate::policy::PatternItem> = trace
        .policies
        .iter()
        .enumerate()
        .filter(|(_, p)| p.applies)
        .filter_map(|(pi, _)| set.policies.get(pi))
        .flat_map(|e| &e.policy.statements)
        .filter_map(|s| s.resource.as_ref())
        .flat_map(|r| &r.items)
        .collect();
    if patterns.is_empty() || patterns.iter().any(|i| i.pattern.has_variables()) {
        return None;
    }
    candidates
        .into_iter()
        .find(|c| !patterns.iter().any(|i| i.pattern.matches_plain(c)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unlisted_value_matches_nothing_listed() {
        let net: ipnet::IpNet = "203.0.113.0/24".parse().unwrap();
        let listed = vec![(CompiledValue::Ip(net), "203.0.113.0/24".to_string())];
        let v = unlisted(Some(Family::Ip), &listed).unwrap();
        assert!(!matches(&listed[0].0, &listed[0].1, &v), "{v}");
        assert!(matches(&listed[0].0, &listed[0].1, "203.0.113.9"));
        assert_eq!(unlisted(Some(Family::Bool), &[]).as_deref(), Some("true"));
    }
}
