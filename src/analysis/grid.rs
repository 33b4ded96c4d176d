//! Decision grids: one or two request inputs (a context key, the action, the resource
//! or the principal), each with a list of values ("absent" included for context keys),
//! and the decision for every combination.

use crate::eval::{ContextValue, Detail, PreparedRequest, Request, Scalar, evaluate};
use crate::policy::PolicySet;
use crate::trace::Decision;
use serde::Serialize;

/// A request input a grid can vary.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "key")]
pub enum Input {
    /// A context key (`aws:SourceIp`).
    Context(String),
    /// The action.
    Action,
    /// The resource.
    Resource,
    /// The principal.
    Principal,
}

impl Input {
    /// Reads an input name: `action`, `resource`, `principal`, or a context key.
    pub fn parse(name: &str) -> Result<Input, String> {
        match name {
            "action" => Ok(Input::Action),
            "resource" => Ok(Input::Resource),
            "principal" => Ok(Input::Principal),
            n if n.contains(':') => Ok(Input::Context(n.to_string())),
            n => Err(format!(
                "\"{n}\" is not an input: use action, resource, principal, or a context key (prefix:name)"
            )),
        }
    }

    /// The name as written on the command line.
    pub fn name(&self) -> &str {
        match self {
            Input::Context(k) => k,
            Input::Action => "action",
            Input::Resource => "resource",
            Input::Principal => "principal",
        }
    }
}

/// One axis: an input and its values (`None`: the key absent).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Axis {
    /// What varies.
    pub input: Input,
    /// The values, in order.
    pub values: Vec<Option<String>>,
}

impl Axis {
    /// Reads `KEY=v1,v2,absent` (the word `absent` for a missing context key; a value
    /// in brackets, `[a;b]`, is a multi-valued key with values separated by `;`).
    pub fn parse(spec: &str) -> Result<Axis, String> {
        let (name, values) = spec.split_once('=').ok_or_else(|| {
            format!("\"{spec}\": write INPUT=value,value,… (absent for a missing key)")
        })?;
        let input = Input::parse(name.trim())?;
        let values: Vec<Option<String>> = values
            .split(',')
            .map(|v| v.trim())
            .map(|v| (v != "absent").then(|| v.to_string()))
            .collect();
        if values.iter().any(|v| v.is_none()) && !matches!(input, Input::Context(_)) {
            return Err(format!("{} cannot be absent", input.name()));
        }
        if values.iter().any(|v| v.as_deref() == Some("")) {
            return Err(format!("\"{spec}\": an empty value (two commas in a row?)"));
        }
        Ok(Axis { input, values })
    }
}

/// One cell: the values used (index-aligned with the axes) and the decision.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cell {
    /// The value of each axis (`None`: absent).
    pub values: Vec<Option<String>>,
    /// The decision.
    pub decision: Decision,
}

/// `base` with `input` set to `value` (`None` removes a context key).
pub fn with_input(base: &Request, input: &Input, value: Option<&str>) -> Request {
    let mut r = base.clone();
    match input {
        Input::Action => r.action = value.unwrap_or_default().to_string(),
        Input::Resource => r.resource = value.unwrap_or_default().to_string(),
        Input::Principal => r.principal = value.unwrap_or_default().to_string(),
        Input::Context(key) => {
            let at = r
                .context
                .iter()
                .position(|(k, _)| k.eq_ignore_ascii_case(key));
            match (value, at) {
                (None, Some(i)) => {
                    r.context.remove(i);
                }
                (None, None) => {}
                (Some(v), at) => {
                    let value = match v.strip_prefix('[').and_then(|v| v.strip_suffix(']')) {
                        Some(list) => ContextValue::Many(
                            list.split(';')
                                .map(str::trim)
                                .filter(|s| !s.is_empty())
                                .map(Scalar::string)
                                .collect(),
                        ),
                        None => ContextValue::One(Scalar::string(v)),
                    };
                    match at {
                        Some(i) => r.context[i].1 = value,
                        None => r.context.push((key.clone(), value)),
                    }
                }
            }
        }
    }
    r
}

/// The decision for every combination of the axes' values (the first axis varies
/// slowest), for `base` with those inputs set.
pub fn grid(set: &PolicySet, base: &Request, axes: &[Axis]) -> Vec<Cell> {
    let mut cells = Vec::new();
    let mut combo: Vec<Option<String>> = Vec::with_capacity(axes.len());
    fill(set, base, axes, &mut combo, &mut cells);
    cells
}

fn fill(
    set: &PolicySet,
    request: &Request,
    axes: &[Axis],
    combo: &mut Vec<Option<String>>,
    out: &mut Vec<Cell>,
) {
    let Some((axis, rest)) = axes.split_first() else {
        let decision = evaluate(set, &PreparedRequest::new(request), Detail::Decision).decision;
        out.push(Cell {
            values: combo.clone(),
            decision,
        });
        return;
    };
    for v in &axis.values {
        let r = with_input(request, &axis.input, v.as_deref());
        combo.push(v.clone());
        fill(set, &r, rest, combo, out);
        combo.pop();
    }
}

/// Values worth trying for a context key: the request's own, those the policies test
/// it against, and absent (for Bool keys: true, false, absent). At most five.
fn values_for(set: &PolicySet, key: &str, base: &Request) -> Vec<Option<String>> {
    use crate::policy::condition::{CompiledValue, Family};
    let lower = key.to_lowercase();
    let mut values: Vec<Option<String>> = Vec::new();
    let mut push = |v: Option<String>| {
        if !values.contains(&v) {
            values.push(v);
        }
    };
    if let Some((_, ContextValue::One(s))) = base
        .context
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(key))
    {
        push(Some(s.text.clone()));
    }
    let mut is_bool = false;
    for entry in &set.policies {
        for s in &entry.policy.statements {
            for op in &s.conditions {
                for k in op.keys.iter().filter(|k| k.lower == lower) {
                    is_bool |= op.operator.base.family == Family::Bool;
                    for v in &k.values {
                        let sample = match &v.compiled {
                            CompiledValue::Ip(net) => Some(net.network().to_string()),
                            CompiledValue::Text(p) if !p.has_variables() => {
                                Some(p.display().replace(['*', '?'], "x"))
                            }
                            CompiledValue::Arn { whole, .. } if !whole.has_variables() => {
                                Some(whole.display().replace(['*', '?'], "x"))
                            }
                            CompiledValue::Number(_)
                            | CompiledValue::Date(_)
                            | CompiledValue::Binary(_) => Some(v.text.to_string()),
                            _ => None,
                        };
                        if sample.is_some() {
                            push(sample);
                        }
                    }
                }
            }
        }
    }
    if is_bool
        || crate::catalog::global_key(key)
            .is_some_and(|g| g.key_type == crate::catalog::KeyType::Bool)
    {
        push(Some("true".into()));
        push(Some("false".into()));
    }
    push(None);
    values.truncate(5);
    values
}

/// Two axes worth looking at for `base`: the condition keys of the statements that
/// decided it, then of the other statements, then aws:ViaAWSService and aws:SourceIp.
pub fn suggest_axes(
    set: &PolicySet,
    base: &Request,
    deciding: &[crate::trace::StatementRef],
) -> Vec<Axis> {
    let mut keys: Vec<String> = Vec::new();
    let mut add = |k: &str| {
        if keys.len() < 2 && !keys.iter().any(|x| x.eq_ignore_ascii_case(k)) {
            keys.push(k.to_string());
        }
    };
    let statements = set.policies.iter().enumerate().flat_map(|(pi, e)| {
        e.policy
            .statements
            .iter()
            .enumerate()
            .map(move |(si, s)| (pi, si, s))
    });
    let (first, rest): (Vec<_>, Vec<_>) = statements.partition(|(pi, si, _)| {
        deciding
            .iter()
            .any(|d| d.policy == *pi && d.statement == *si)
    });
    for (_, _, s) in first.into_iter().chain(rest) {
        for op in &s.conditions {
            for k in &op.keys {
                add(&k.name);
            }
        }
    }
    for k in ["aws:ViaAWSService", "aws:SourceIp"] {
        add(k);
    }
    keys.into_iter()
        .map(|k| Axis {
            values: values_for(set, &k, base),
            input: Input::Context(k),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn axes_parse_and_reject_mistakes() {
        let a = Axis::parse("aws:SourceIp=203.0.113.5, 52.95.4.1,absent").unwrap();
        assert_eq!(
            a.values,
            vec![Some("203.0.113.5".into()), Some("52.95.4.1".into()), None]
        );
        assert!(Axis::parse("action=absent").is_err());
        assert!(Axis::parse("SourceIp=1").is_err());
        assert!(Axis::parse("aws:SourceIp").is_err());
        assert!(Axis::parse("aws:SourceIp=a,,b").is_err());
        let r = with_input(
            &Request::default(),
            &Input::Context("aws:CalledVia".into()),
            Some("[ec2.amazonaws.com; kms.amazonaws.com]"),
        );
        assert!(matches!(&r.context[0].1, ContextValue::Many(v) if v.len() == 2));
    }
}
