//! The resources of one side of a plan, or of a state, as `terraform show -json` writes
//! them, and the configuration's references (which resource an attribute's expression
//! names), for linking what the values alone cannot (an ARN known only after apply).
//!
//! A plan (`format_version`, `resource_changes`, `planned_values`, `prior_state`,
//! `configuration`): the after side is each `resource_changes[].change.after` with
//! its `after_unknown`, then the resources of `planned_values` no change lists (data
//! sources read while planning); the before side is each `change.before`, then the
//! resources of `prior_state`. A resource created has a null `before`, one destroyed a
//! null `after`: it is absent from that side. A state (`values.root_module`) has one
//! side, read for either.

use crate::iac::Side;
use crate::json::{Member, Node, Value};
use crate::source::Span;
use std::collections::{HashMap, HashSet};

/// The members of `node` if it is an object.
pub(super) fn members(node: &Node) -> Option<&[Member]> {
    match &node.value {
        Value::Object(m) => Some(m),
        _ => None,
    }
}

/// The value of `key` in `members` (the last, as JSON readers take).
pub(super) fn get<'a>(members: &'a [Member], key: &str) -> Option<&'a Node> {
    members
        .iter()
        .rev()
        .find(|m| m.key == key)
        .map(|m| &m.value)
}

/// `key`'s value in `members` if it is a string.
pub(super) fn get_str<'a>(members: &'a [Member], key: &str) -> Option<&'a str> {
    match &get(members, key)?.value {
        Value::String(s) => Some(s),
        _ => None,
    }
}

/// One resource instance on one side.
#[derive(Debug)]
pub(super) struct Resource<'a> {
    /// Its address: `module.net.aws_iam_role.app["blue"]`.
    pub address: String,
    /// Where the plan names it (its `address`, else the resource object).
    pub span: Span,
    /// `data.…`: a data source.
    pub data: bool,
    /// Its type: `aws_iam_role`.
    pub kind: &'a str,
    /// The address without instance keys (`module.net.aws_iam_role.app`): what the
    /// configuration calls it.
    pub config_key: String,
    /// Its `count` / `for_each` key, as written (`0`, `"blue"`), if any.
    pub index: Option<String>,
    /// Its attribute values.
    pub values: &'a [Member],
    /// Where the values object is.
    pub values_span: Span,
    /// `after_unknown`: `true` at each value known only after apply.
    pub unknown: Option<&'a Node>,
}

/// What the file is.
pub(super) enum Shape<'a> {
    /// `terraform show -json PLANFILE`.
    Plan(&'a [Member]),
    /// `terraform show -json` of a state: its `values`.
    State(&'a [Member]),
}

/// The resources of `side`, in file order.
pub(super) fn resources<'a>(shape: &Shape<'a>, side: Side) -> Vec<Resource<'a>> {
    let mut out = Vec::new();
    let mut seen = HashSet::new();
    match shape {
        Shape::State(values) => module_resources(get(values, "root_module"), &mut out, &seen),
        Shape::Plan(root) => {
            let changes = get(root, "resource_changes").and_then(|n| match &n.value {
                Value::Array(a) => Some(a),
                _ => None,
            });
            for entry in changes.into_iter().flatten() {
                let Some(m) = members(entry) else { continue };
                // A deposed object (replaced, being destroyed) shares its address with
                // the current one.
                if get(m, "deposed").is_some() {
                    continue;
                }
                let Some(change) = get(m, "change").and_then(members) else {
                    continue;
                };
                let (values, unknown) = match side {
                    Side::Before => (get(change, "before"), None),
                    Side::After => (get(change, "after"), get(change, "after_unknown")),
                };
                if let Some(r) = resource(entry, m, values, unknown) {
                    // Seen on either side: a resource this side lacks is not taken from
                    // the state below either.
                    seen.insert(r.address.clone());
                    out.push(r);
                } else if let Some(a) = get_str(m, "address") {
                    seen.insert(a.to_string());
                }
            }
            let rest = match side {
                Side::Before => get(root, "prior_state")
                    .and_then(members)
                    .and_then(|s| get(s, "values"))
                    .and_then(members)
                    .and_then(|v| get(v, "root_module")),
                Side::After => get(root, "planned_values")
                    .and_then(members)
                    .and_then(|v| get(v, "root_module")),
            };
            module_resources(rest, &mut out, &seen);
        }
    }
    out
}

/// The resources of a module of `planned_values` / `prior_state` / `values` and its
/// child modules, except those in `skip`.
fn module_resources<'a>(
    module: Option<&'a Node>,
    out: &mut Vec<Resource<'a>>,
    skip: &HashSet<String>,
) {
    let Some(m) = module.and_then(members) else {
        return;
    };
    if let Some(Value::Array(list)) = get(m, "resources").map(|n| &n.value) {
        for entry in list {
            let Some(rm) = members(entry) else { continue };
            if let Some(r) = resource(entry, rm, get(rm, "values"), None) {
                if !skip.contains(&r.address) {
                    out.push(r);
                }
            }
        }
    }
    if let Some(Value::Array(children)) = get(m, "child_modules").map(|n| &n.value) {
        for child in children {
            module_resources(Some(child), out, skip);
        }
    }
}

/// A resource from its entry `m` and its values on the side (an object, else absent).
fn resource<'a>(
    entry: &'a Node,
    m: &'a [Member],
    values: Option<&'a Node>,
    unknown: Option<&'a Node>,
) -> Option<Resource<'a>> {
    let values_node = values?;
    let values = members(values_node)?;
    let kind = get_str(m, "type")?;
    let data = get_str(m, "mode") == Some("data");
    let name = get_str(m, "name").unwrap_or_default();
    let index = get(m, "index").map(|n| match &n.value {
        Value::String(s) => format!("\"{s}\""),
        Value::Number(s) => s.clone(),
        _ => String::new(),
    });
    let (address, span) = match get(m, "address") {
        Some(
            n @ Node {
                value: Value::String(a),
                ..
            },
        ) => (a.clone(), n.span),
        _ => {
            let mut a = get_str(m, "module_address")
                .map(|p| format!("{p}."))
                .unwrap_or_default();
            if data {
                a.push_str("data.");
            }
            a.push_str(&format!("{kind}.{name}"));
            if let Some(i) = &index {
                a.push_str(&format!("[{i}]"));
            }
            (a, entry.span)
        }
    };
    Some(Resource {
        config_key: without_keys(&address),
        address,
        span,
        data,
        kind,
        index,
        values,
        values_span: values_node.span,
        unknown,
    })
}

/// `module.a["x"].aws_iam_role.r[0]` → `module.a.aws_iam_role.r`.
pub(super) fn without_keys(address: &str) -> String {
    let mut out = String::with_capacity(address.len());
    let mut depth = 0;
    let mut quoted = false;
    let mut escaped = false;
    for c in address.chars() {
        if depth > 0 {
            match c {
                _ if escaped => escaped = false,
                '\\' if quoted => escaped = true,
                '"' => quoted = !quoted,
                '[' if !quoted => depth += 1,
                ']' if !quoted => depth -= 1,
                _ => {}
            }
        } else if c == '[' {
            depth = 1;
        } else {
            out.push(c);
        }
    }
    out
}

/// Whether the value at `key` below `unknown` (a value of `after_unknown`) is known
/// only after apply: `true` there or at an enclosing value.
pub(super) fn unknown_child<'a>(unknown: Option<&'a Node>, key: &str) -> Option<&'a Node> {
    let u = unknown?;
    match &u.value {
        Value::Bool(true) => Some(u),
        Value::Object(m) => get(m, key),
        _ => None,
    }
}

/// [`unknown_child`] for element `i` of an array.
pub(super) fn unknown_item(unknown: Option<&Node>, i: usize) -> Option<&Node> {
    let u = unknown?;
    match &u.value {
        Value::Bool(true) => Some(u),
        Value::Array(a) => a.get(i),
        _ => None,
    }
}

/// True for `true` (a value known only after apply).
pub(super) fn is_unknown(unknown: Option<&Node>) -> bool {
    matches!(
        unknown,
        Some(Node {
            value: Value::Bool(true),
            ..
        })
    )
}

/// The configuration's expressions, per resource (by address without instance keys).
#[derive(Default)]
pub(super) struct Config<'a> {
    expressions: HashMap<String, (&'a [Member], String)>,
}

impl<'a> Config<'a> {
    /// Reads `configuration` of a plan (absent in a state: then nothing is known).
    pub(super) fn read(shape: &Shape<'a>) -> Self {
        let mut config = Config::default();
        if let Shape::Plan(root) = shape {
            let module = get(root, "configuration")
                .and_then(members)
                .and_then(|c| get(c, "root_module"));
            config.module(module, "");
        }
        config
    }

    fn module(&mut self, module: Option<&'a Node>, prefix: &str) {
        let Some(m) = module.and_then(members) else {
            return;
        };
        if let Some(Value::Array(list)) = get(m, "resources").map(|n| &n.value) {
            for r in list.iter().filter_map(members) {
                let (Some(address), Some(e)) = (
                    get_str(r, "address"),
                    get(r, "expressions").and_then(members),
                ) else {
                    continue;
                };
                self.expressions
                    .insert(format!("{prefix}{address}"), (e, prefix.to_string()));
            }
        }
        if let Some(calls) = get(m, "module_calls").and_then(members) {
            for call in calls {
                let inner = members(&call.value).and_then(|c| get(c, "module"));
                self.module(inner, &format!("{prefix}module.{}.", call.key));
            }
        }
    }

    /// True when the configuration is known and sets `attribute` of `config_key`.
    pub(super) fn sets(&self, config_key: &str, attribute: &str) -> Option<bool> {
        if self.expressions.is_empty() {
            return None;
        }
        Some(
            self.expressions
                .get(config_key)
                .is_some_and(|(e, _)| get(e, attribute).is_some()),
        )
    }

    /// The resources (by address without instance keys) that `attribute` of
    /// `config_key` refers to, each once, in order: `aws_iam_policy.p.arn` and
    /// `aws_iam_policy.p` both name `aws_iam_policy.p`. `known` says which addresses
    /// exist; references to variables, locals and module outputs are left out.
    pub(super) fn references(
        &self,
        config_key: &str,
        attribute: &str,
        known: &dyn Fn(&str) -> bool,
    ) -> Vec<String> {
        let Some((e, prefix)) = self.expressions.get(config_key) else {
            return Vec::new();
        };
        let mut refs = Vec::new();
        if let Some(expr) = get(e, attribute) {
            collect_references(expr, &mut refs);
        }
        let mut out: Vec<String> = Vec::new();
        for r in refs {
            let mut candidate = format!("{prefix}{}", without_keys(r));
            loop {
                if known(&candidate) {
                    if !out.contains(&candidate) {
                        out.push(candidate);
                    }
                    break;
                }
                match candidate.rfind('.') {
                    Some(at) if at > prefix.len() => candidate.truncate(at),
                    _ => break,
                }
            }
        }
        out
    }
}

/// Every string of `references` arrays in an expression (blocks nest expressions).
fn collect_references<'a>(node: &'a Node, out: &mut Vec<&'a str>) {
    match &node.value {
        Value::Object(m) => {
            for member in m {
                if member.key == "references" {
                    if let Value::Array(items) = &member.value.value {
                        out.extend(items.iter().filter_map(|i| match &i.value {
                            Value::String(s) => Some(s.as_str()),
                            _ => None,
                        }));
                    }
                } else {
                    collect_references(&member.value, out);
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|i| collect_references(i, out)),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn instance_keys_are_removed_quotes_and_all() {
        assert_eq!(
            without_keys(r#"module.a["x]"].aws_iam_role.r[0]"#),
            "module.a.aws_iam_role.r"
        );
        assert_eq!(without_keys("aws_iam_role.r"), "aws_iam_role.r");
        assert_eq!(
            without_keys(r#"data.aws_iam_policy_document.d["a\"]b"]"#),
            "data.aws_iam_policy_document.d"
        );
    }
}
