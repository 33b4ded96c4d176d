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
            format!(
                "\"{spec}\": write INPUT=value,value,… (absent: the key missing; [a;b]: a set of values)"
            )
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

/// Reads one or two axes, `KEY=v,v,absent | KEY=v,v`, or says why not.
pub fn parse_axes(text: &str) -> Result<Vec<Axis>, String> {
    let axes: Vec<Axis> = text
        .split('|')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(Axis::parse)
        .collect::<Result<_, String>>()?;
    if axes.is_empty() || axes.len() > 2 {
        return Err("give one or two axes, separated by |".into());
    }
    Ok(axes)
}

/// The axes as [`parse_axes`] reads them: `KEY=v,v,absent | KEY=v,v`.
pub fn axes_text(axes: &[Axis]) -> String {
    axes.iter()
        .map(|a| {
            let values: Vec<String> = a
                .values
                .iter()
                .map(|v| v.clone().unwrap_or_else(|| "absent".into()))
                .collect();
            format!("{}={}", a.input.name(), values.join(","))
        })
        .collect::<Vec<_>>()
        .join(" | ")
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

/// The value of `input` in `request` as the grid writes it (`None`: absent; a set as
/// `[a;b]`).
pub fn input_value(request: &Request, input: &Input) -> Option<String> {
    match input {
        Input::Action => Some(request.action.clone()),
        Input::Resource => Some(request.resource.clone()),
        Input::Principal => Some(request.principal.clone()),
        Input::Context(key) => request
            .context
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(key))
            .map(|(_, v)| match v {
                ContextValue::One(s) => s.text.clone(),
                ContextValue::Many(v) => format!(
                    "[{}]",
                    v.iter()
                        .map(|s| s.text.as_str())
                        .collect::<Vec<_>>()
                        .join(";")
                ),
            }),
    }
}

/// The axes' inputs whose value differs between `before` and `after`, each as
/// `KEY old → new` (`absent` for a missing key).
pub fn changed_inputs(before: &Request, after: &Request, axes: &[Axis]) -> Vec<String> {
    let word = |v: Option<String>| v.unwrap_or_else(|| "absent".into());
    axes.iter()
        .filter_map(|a| {
            let (b, n) = (input_value(before, &a.input), input_value(after, &a.input));
            (b != n).then(|| format!("{} {} → {}", a.input.name(), word(b), word(n)))
        })
        .collect()
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
