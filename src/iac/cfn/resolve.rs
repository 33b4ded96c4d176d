//! CloudFormation's intrinsic functions resolved offline on the positioned tree: `Ref`,
//! `Fn::Sub`, `Fn::GetAtt`, `Fn::Join`, `Fn::Select`, `Fn::Split`, `Fn::If` with the
//! template's `Conditions`, `Fn::FindInMap`, `Fn::Base64`; what needs the deployed
//! stack (`Fn::ImportValue`, `Fn::GetAZs`, a generated name, a parameter without a
//! value) becomes a [`placeholder`]. A resolved node keeps the span of the expression it
//! came from. Depth is capped and cycles (conditions or names that refer to
//! themselves) are cut, each with a note; nothing here panics.

use super::names::{Known, name_property, url_suffix};
use super::{CfnOptions, get, warn};
use crate::iac::placeholder;
use crate::json::{Member, Node, Value};
use crate::source::{Diagnostic, Span};
use std::collections::HashMap;

/// How deeply expressions may nest (functions in functions, names that refer to
/// other resources' names).
const MAX_DEPTH: usize = 64;

/// A resource of the template.
#[derive(Debug, Clone, Copy)]
pub struct Resource<'a> {
    /// Its type (`AWS::IAM::Role`).
    pub ty: &'a str,
    /// Its `Properties`, if any.
    pub properties: Option<&'a Node>,
    /// Its `Condition`, if any.
    pub condition: Option<&'a Node>,
    /// Where its logical ID is written.
    pub key_span: Span,
    /// The whole resource.
    pub node: &'a Node,
}

/// The template's sections and the values in effect, resolving expressions against
/// them and collecting notes on what could not be resolved.
pub struct Resolver<'a> {
    options: &'a CfnOptions,
    parameters: HashMap<&'a str, &'a Node>,
    /// The resources in file order, and by logical ID.
    pub order: Vec<(&'a str, Resource<'a>)>,
    resources: HashMap<&'a str, Resource<'a>>,
    mappings: Option<&'a Node>,
    conditions: HashMap<&'a str, &'a Node>,
    decided: HashMap<String, Option<bool>>,
    /// Conditions and names being resolved: meeting one again is a cycle.
    active: Vec<String>,
    /// What could not be resolved, for the user.
    pub notes: Vec<Diagnostic>,
}

/// The members of `node` when it is an object.
pub fn members(node: &Node) -> &[Member] {
    match &node.value {
        Value::Object(m) => m,
        _ => &[],
    }
}

fn string(span: Span, s: impl Into<String>) -> Node {
    Node {
        span,
        value: Value::String(s.into()),
    }
}

fn unresolved(span: Span, what: &str) -> Node {
    string(span, placeholder::make(what))
}

/// A scalar's text; `None` for collections and null.
pub fn scalar_text(node: &Node) -> Option<String> {
    match &node.value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.clone()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

impl<'a> Resolver<'a> {
    /// The resolver for the template `root` under `options`.
    pub fn new(root: &'a Node, options: &'a CfnOptions) -> Self {
        let section = |name: &str| get(root, name);
        let by_name = |name: &str| -> HashMap<&'a str, &'a Node> {
            section(name)
                .map(|s| {
                    members(s)
                        .iter()
                        .map(|m| (m.key.as_str(), &m.value))
                        .collect()
                })
                .unwrap_or_default()
        };
        let order: Vec<(&str, Resource)> = section("Resources")
            .map(|s| {
                members(s)
                    .iter()
                    .map(|m| {
                        let ty = get(&m.value, "Type")
                            .and_then(|t| match &t.value {
                                Value::String(s) => Some(s.as_str()),
                                _ => None,
                            })
                            .unwrap_or("");
                        (
                            m.key.as_str(),
                            Resource {
                                ty,
                                properties: get(&m.value, "Properties"),
                                condition: get(&m.value, "Condition"),
                                key_span: m.key_span,
                                node: &m.value,
                            },
                        )
                    })
                    .collect()
            })
            .unwrap_or_default();
        Resolver {
            options,
            parameters: by_name("Parameters"),
            resources: order.iter().copied().collect(),
            order,
            mappings: section("Mappings"),
            conditions: by_name("Conditions"),
            decided: HashMap::new(),
            active: Vec::new(),
            notes: Vec::new(),
        }
    }

    /// The values the template is read with.
    pub fn options(&self) -> &'a CfnOptions {
        self.options
    }

    /// The resource `id`, if the template declares it.
    pub fn resource(&self, id: &str) -> Option<Resource<'a>> {
        self.resources.get(id).copied()
    }

    fn note(&mut self, span: Span, message: String) {
        if !self
            .notes
            .iter()
            .any(|n| n.span == span && n.message == message)
        {
            self.notes.push(warn(span, message));
        }
    }

    /// `node` with every intrinsic function resolved; `None` when it is
    /// `Ref AWS::NoValue` (the key or element is removed).
    pub fn resolve(&mut self, node: &Node) -> Option<Node> {
        self.at_depth(node, 0)
    }

    fn at_depth(&mut self, node: &Node, depth: usize) -> Option<Node> {
        if depth > MAX_DEPTH {
            self.note(
                node.span,
                format!("expressions nest deeper than {MAX_DEPTH} levels here: not resolved"),
            );
            return Some(unresolved(node.span, "nested too deeply"));
        }
        match &node.value {
            Value::Object(m) if m.len() == 1 && is_function(&m[0].key) => {
                self.function(node.span, &m[0], depth + 1)
            }
            Value::Object(m) => {
                let mut out = Vec::with_capacity(m.len());
                for member in m {
                    if let Some(value) = self.at_depth(&member.value, depth + 1) {
                        out.push(Member {
                            key: member.key.clone(),
                            key_span: member.key_span,
                            value,
                        });
                    }
                }
                Some(Node {
                    span: node.span,
                    value: Value::Object(out),
                })
            }
            Value::Array(items) => {
                let out = items
                    .iter()
                    .filter_map(|i| self.at_depth(i, depth + 1))
                    .collect();
                Some(Node {
                    span: node.span,
                    value: Value::Array(out),
                })
            }
            _ => Some(node.clone()),
        }
    }

    /// A resolved value as text: scalars as written, anything else a placeholder.
    fn text(&mut self, node: &Node, depth: usize, what: &str) -> String {
        match self.at_depth(node, depth) {
            Some(n) => scalar_text(&n).unwrap_or_else(|| placeholder::make(what)),
            None => String::new(),
        }
    }

    fn function(&mut self, span: Span, f: &Member, depth: usize) -> Option<Node> {
        let arg = &f.value;
        let name = f.key.as_str();
        Some(match name {
            "Ref" => {
                let target = scalar_text(arg).unwrap_or_default();
                return self.reference(span, &target, depth);
            }
            "Fn::Sub" => self.sub(span, arg, depth),
            "Fn::GetAtt" => {
                let (res, attr) = match &arg.value {
                    Value::Array(p) if p.len() == 2 => (
                        scalar_text(&p[0]),
                        self.text(&p[1], depth, "GetAtt attribute"),
                    ),
                    Value::String(s) => match s.split_once('.') {
                        Some((r, a)) => (Some(r.to_string()), a.to_string()),
                        None => (Some(s.clone()), String::new()),
                    },
                    _ => (None, String::new()),
                };
                match res {
                    Some(res) => self.get_att(span, &res, &attr, depth),
                    None => unresolved(span, "GetAtt"),
                }
            }
            "Fn::Join" => {
                let Value::Array(p) = &arg.value else {
                    return Some(self.malformed(span, "Fn::Join takes [delimiter, [values]]"));
                };
                let (Some(delim), Some(list)) = (p.first(), p.get(1)) else {
                    return Some(self.malformed(span, "Fn::Join takes [delimiter, [values]]"));
                };
                let delim = self.text(delim, depth, "Join delimiter");
                match self.at_depth(list, depth).map(|n| n.value) {
                    Some(Value::Array(items)) => {
                        let parts: Vec<String> = items
                            .iter()
                            .map(|i| scalar_text(i).unwrap_or_else(|| placeholder::make("Join")))
                            .collect();
                        string(span, parts.join(&delim))
                    }
                    Some(Value::String(s)) if placeholder::contains(&s) => string(span, s),
                    _ => self.malformed(span, "Fn::Join needs a list of values"),
                }
            }
            "Fn::Select" => {
                let Value::Array(p) = &arg.value else {
                    return Some(self.malformed(span, "Fn::Select takes [index, [values]]"));
                };
                let (Some(index), Some(list)) = (p.first(), p.get(1)) else {
                    return Some(self.malformed(span, "Fn::Select takes [index, [values]]"));
                };
                let index = self.text(index, depth, "Select index");
                let list = self.at_depth(list, depth);
                match (index.parse::<usize>(), list) {
                    (
                        Ok(i),
                        Some(Node {
                            value: Value::Array(items),
                            ..
                        }),
                    ) => match items.into_iter().nth(i) {
                        Some(n) => Node { span, ..n },
                        None => self.malformed(span, "Fn::Select: the index is past the list"),
                    },
                    _ => unresolved(span, &format!("Select {index}")),
                }
            }
            "Fn::Split" => {
                let Value::Array(p) = &arg.value else {
                    return Some(self.malformed(span, "Fn::Split takes [delimiter, string]"));
                };
                let (Some(delim), Some(source)) = (p.first(), p.get(1)) else {
                    return Some(self.malformed(span, "Fn::Split takes [delimiter, string]"));
                };
                let delim = self.text(delim, depth, "Split delimiter");
                let source = self.text(source, depth, "Split");
                if delim.is_empty() {
                    return Some(self.malformed(span, "Fn::Split: the delimiter is empty"));
                }
                // How many parts an unknown value has is unknown too: the list is one.
                if placeholder::contains(&source) {
                    return Some(string(span, source));
                }
                Node {
                    span,
                    value: Value::Array(source.split(&delim).map(|s| string(span, s)).collect()),
                }
            }
            "Fn::If" => {
                let Value::Array(p) = &arg.value else {
                    return Some(self.malformed(span, "Fn::If takes [condition, then, else]"));
                };
                let (Some(cond), Some(then), Some(otherwise)) = (p.first(), p.get(1), p.get(2))
                else {
                    return Some(self.malformed(span, "Fn::If takes [condition, then, else]"));
                };
                let cond = scalar_text(cond).unwrap_or_default();
                let chosen = match self.condition(span, &cond, depth) {
                    Some(true) => then,
                    Some(false) => otherwise,
                    None => {
                        self.note(
                            span,
                            format!(
                                "condition {cond} cannot be decided offline: the first branch of this Fn::If is read"
                            ),
                        );
                        then
                    }
                };
                return self.at_depth(chosen, depth).map(|n| Node { span, ..n });
            }
            "Fn::FindInMap" => self.find_in_map(span, arg, depth),
            "Fn::Base64" => {
                use base64::Engine;
                let text = self.text(arg, depth, "Base64");
                if placeholder::contains(&text) {
                    unresolved(span, "Base64")
                } else {
                    string(span, base64::engine::general_purpose::STANDARD.encode(text))
                }
            }
            "Fn::ImportValue" => {
                let what = self.text(arg, depth, "ImportValue");
                unresolved(span, &format!("ImportValue {what}"))
            }
            "Fn::GetAZs" => unresolved(span, "GetAZs"),
            other => unresolved(span, other.trim_start_matches("Fn::")),
        })
    }

    fn malformed(&mut self, span: Span, message: &str) -> Node {
        self.note(span, message.to_string());
        unresolved(span, message.split(' ').next().unwrap_or("function"))
    }

    /// `Ref target`; `None` for `AWS::NoValue`.
    fn reference(&mut self, span: Span, target: &str, depth: usize) -> Option<Node> {
        let o = self.options;
        let pseudo = match target {
            "AWS::NoValue" => return None,
            "AWS::AccountId" => Some(o.account.clone()),
            "AWS::Region" => Some(o.region.clone()),
            "AWS::Partition" => Some(o.partition.clone()),
            "AWS::URLSuffix" => Some(url_suffix(&o.partition).to_string()),
            "AWS::StackName" => Some(
                o.stack_name
                    .clone()
                    .unwrap_or_else(|| placeholder::make("stack name")),
            ),
            "AWS::StackId" => Some(
                o.stack_id
                    .clone()
                    .unwrap_or_else(|| placeholder::make("stack id")),
            ),
            "AWS::NotificationARNs" => {
                return Some(Node {
                    span,
                    value: Value::Array(Vec::new()),
                });
            }
            _ => None,
        };
        if let Some(value) = pseudo {
            return Some(string(span, value));
        }
        if let Some(decl) = self.parameters.get(target).copied() {
            return Some(self.parameter(span, target, decl));
        }
        if self.resources.contains_key(target) {
            let value = self
                .known(target, depth)
                .and_then(|(k, name, path)| {
                    Known {
                        name: &name,
                        path: &path,
                        ..k.borrowed(o)
                    }
                    .reference()
                })
                .unwrap_or_else(|| placeholder::make(&format!("Ref {target}")));
            return Some(string(span, value));
        }
        self.note(
            span,
            format!("Ref {target}: the template declares no parameter or resource of that name"),
        );
        Some(unresolved(span, &format!("Ref {target}")))
    }

    fn parameter(&mut self, span: Span, name: &str, decl: &Node) -> Node {
        let given = self.options.parameters.get(name).cloned();
        let value = given.or_else(|| get(decl, "Default").and_then(scalar_text));
        let ty = get(decl, "Type").and_then(scalar_text).unwrap_or_default();
        let Some(value) = value else {
            return unresolved(span, &format!("Ref {name}"));
        };
        if ty.starts_with("List<") || ty == "CommaDelimitedList" {
            Node {
                span,
                value: Value::Array(value.split(',').map(|s| string(span, s.trim())).collect()),
            }
        } else {
            string(span, value)
        }
    }

    /// The resource `id`'s type, physical name (or its placeholder) and IAM path.
    fn known(&mut self, id: &str, depth: usize) -> Option<(Kind<'a>, String, String)> {
        let res = self.resources.get(id).copied()?;
        let generated = || placeholder::make(&format!("name of {id}"));
        let key = format!("name {id}");
        if self.active.contains(&key) {
            self.note(
                res.key_span,
                format!("the name of {id} refers to itself: not resolved"),
            );
            return Some((Kind { ty: res.ty }, generated(), "/".into()));
        }
        self.active.push(key);
        let prop = |name: &str| res.properties.and_then(|p| get(p, name));
        let name = match name_property(res.ty).and_then(prop) {
            Some(n) => self
                .at_depth(n, depth + 1)
                .and_then(|n| scalar_text(&n))
                .unwrap_or_else(generated),
            None => generated(),
        };
        let path = match prop("Path") {
            Some(p) => self
                .at_depth(p, depth + 1)
                .and_then(|n| scalar_text(&n))
                .unwrap_or_else(|| "/".into()),
            None => "/".into(),
        };
        self.active.pop();
        Some((Kind { ty: res.ty }, name, path))
    }

    /// The physical name of resource `id` (or its placeholder), its IAM path and ARN
    /// when its type's ARN format is known.
    pub fn identity(&mut self, id: &str) -> Option<(String, String, Option<String>)> {
        let (kind, name, path) = self.known(id, 0)?;
        let arn = Known {
            name: &name,
            path: &path,
            ..kind.borrowed(self.options)
        }
        .arn();
        Some((name, path, arn))
    }

    fn get_att(&mut self, span: Span, res: &str, attr: &str, depth: usize) -> Node {
        let what = format!("GetAtt {res}.{attr}");
        if !self.resources.contains_key(res) {
            self.note(
                span,
                format!("GetAtt {res}.{attr}: the template declares no resource {res}"),
            );
            return unresolved(span, &what);
        }
        let value = self.known(res, depth).and_then(|(k, name, path)| {
            Known {
                name: &name,
                path: &path,
                ..k.borrowed(self.options)
            }
            .attribute(attr)
        });
        match value {
            Some(v) => string(span, v),
            None => unresolved(span, &what),
        }
    }

    fn sub(&mut self, span: Span, arg: &Node, depth: usize) -> Node {
        let (template, vars) = match &arg.value {
            Value::String(s) => (s.clone(), None),
            Value::Array(p) if !p.is_empty() => match &p[0].value {
                Value::String(s) => (s.clone(), p.get(1)),
                _ => {
                    return self.malformed(span, "Fn::Sub takes a string or [string, {variables}]");
                }
            },
            _ => return self.malformed(span, "Fn::Sub takes a string or [string, {variables}]"),
        };
        let mut out = String::with_capacity(template.len());
        let mut rest = template.as_str();
        while let Some(at) = rest.find("${") {
            out.push_str(&rest[..at]);
            let after = &rest[at + 2..];
            let Some(close) = after.find('}') else {
                out.push_str(&rest[at..]);
                rest = "";
                break;
            };
            let inner = &after[..close];
            rest = &after[close + 1..];
            // `${!Literal}` is written as `${Literal}`: how templates keep IAM policy
            // variables (`${!aws:username}`).
            if let Some(literal) = inner.strip_prefix('!') {
                out.push_str("${");
                out.push_str(literal);
                out.push('}');
                continue;
            }
            let inner = inner.trim();
            let var = vars.and_then(|v| get(v, inner));
            let value = if let Some(v) = var {
                self.text(v, depth, &format!("Sub {inner}"))
            } else if self.parameters.contains_key(inner)
                || self.resources.contains_key(inner)
                || inner.starts_with("AWS::")
            {
                match self.reference(span, inner, depth) {
                    Some(n) => scalar_text(&n)
                        .unwrap_or_else(|| placeholder::make(&format!("Ref {inner}"))),
                    None => String::new(),
                }
            } else if let Some((res, attr)) = inner
                .split_once('.')
                .filter(|(r, _)| self.resources.contains_key(r))
            {
                scalar_text(&self.get_att(span, res, attr, depth)).unwrap_or_default()
            } else {
                let hint = if inner.contains(':') {
                    format!("; an IAM policy variable is written ${{!{inner}}} inside Fn::Sub")
                } else {
                    String::new()
                };
                self.note(
                    span,
                    format!(
                        "Fn::Sub: ${{{inner}}} names no parameter, resource or variable, and CloudFormation rejects the template{hint}"
                    ),
                );
                placeholder::make(&format!("Sub {inner}"))
            };
            out.push_str(&value);
        }
        out.push_str(rest);
        string(span, out)
    }

    fn find_in_map(&mut self, span: Span, arg: &Node, depth: usize) -> Node {
        let Value::Array(p) = &arg.value else {
            return self.malformed(span, "Fn::FindInMap takes [map, key, key]");
        };
        if p.len() < 3 {
            return self.malformed(span, "Fn::FindInMap takes [map, key, key]");
        }
        let keys: Vec<String> = p[..3]
            .iter()
            .map(|k| self.text(k, depth, "FindInMap key"))
            .collect();
        let found = self
            .mappings
            .and_then(|m| get(m, &keys[0]))
            .and_then(|m| get(m, &keys[1]))
            .and_then(|m| get(m, &keys[2]));
        // Fn::FindInMap's fourth element (AWS::LanguageExtensions): a default.
        let default = p.get(3).and_then(|d| get(d, "DefaultValue"));
        match found.or(default) {
            Some(v) => match self.at_depth(v, depth) {
                Some(n) => Node { span, ..n },
                None => unresolved(span, "FindInMap"),
            },
            None => {
                if !keys.iter().any(|k| placeholder::contains(k)) {
                    self.note(
                        span,
                        format!(
                            "Fn::FindInMap: the mapping has no {}/{}/{}",
                            keys[0], keys[1], keys[2]
                        ),
                    );
                }
                unresolved(span, &format!("FindInMap {}", keys.join(" ")))
            }
        }
    }

    /// The value of condition `name`: `None` when it depends on something unknown (a
    /// placeholder), refers to itself, or is not declared.
    pub fn condition(&mut self, span: Span, name: &str, depth: usize) -> Option<bool> {
        if let Some(known) = self.decided.get(name) {
            return *known;
        }
        let Some(node) = self.conditions.get(name).copied() else {
            self.note(
                span,
                format!("condition {name} is not declared in Conditions"),
            );
            return None;
        };
        let key = format!("condition {name}");
        if self.active.contains(&key) || depth > MAX_DEPTH {
            self.note(
                node.span,
                format!("condition {name} refers to itself: not decided"),
            );
            return None;
        }
        self.active.push(key);
        let value = self.truth(node, depth + 1);
        self.active.pop();
        self.decided.insert(name.to_string(), value);
        value
    }

    /// A condition expression, three-valued: `None` is "cannot be decided offline".
    fn truth(&mut self, node: &Node, depth: usize) -> Option<bool> {
        if depth > MAX_DEPTH {
            return None;
        }
        let [f] = members(node) else {
            if let Value::Bool(b) = node.value {
                return Some(b);
            }
            self.note(
                node.span,
                "a condition must be one Fn::Equals, Fn::And, Fn::Or, Fn::Not or Condition".into(),
            );
            return None;
        };
        let args: &[Node] = match &f.value.value {
            Value::Array(a) => a,
            _ => std::slice::from_ref(&f.value),
        };
        match f.key.as_str() {
            "Condition" => {
                let name = scalar_text(&f.value).unwrap_or_default();
                self.condition(node.span, &name, depth)
            }
            "Fn::Equals" if args.len() == 2 => {
                let a = self.comparable(&args[0], depth);
                let b = self.comparable(&args[1], depth);
                match (a, b) {
                    (Some(a), Some(b)) => Some(a == b),
                    _ => None,
                }
            }
            "Fn::Not" if args.len() == 1 => self.truth(&args[0], depth + 1).map(|b| !b),
            "Fn::And" | "Fn::Or" => {
                let and = f.key == "Fn::And";
                let mut unknown = false;
                for a in args {
                    match self.truth(a, depth + 1) {
                        Some(v) if v != and => return Some(v),
                        Some(_) => {}
                        None => unknown = true,
                    }
                }
                if unknown { None } else { Some(and) }
            }
            other => {
                self.note(
                    node.span,
                    format!("{other} is not a condition function (Fn::Equals, Fn::And, Fn::Or, Fn::Not, Condition)"),
                );
                None
            }
        }
    }

    /// A value compared by `Fn::Equals`: its text (lists joined), `None` when it holds
    /// a placeholder.
    fn comparable(&mut self, node: &Node, depth: usize) -> Option<String> {
        let n = self.at_depth(node, depth + 1)?;
        let text = match &n.value {
            Value::Array(items) => items
                .iter()
                .map(|i| scalar_text(i).unwrap_or_default())
                .collect::<Vec<_>>()
                .join(","),
            _ => scalar_text(&n).unwrap_or_default(),
        };
        (!placeholder::contains(&text)).then_some(text)
    }
}

/// A resource type, for [`Known`].
#[derive(Clone, Copy)]
struct Kind<'a> {
    ty: &'a str,
}

impl<'a> Kind<'a> {
    fn borrowed(self, o: &'a CfnOptions) -> Known<'a> {
        Known {
            ty: self.ty,
            name: "",
            path: "/",
            partition: &o.partition,
            region: &o.region,
            account: &o.account,
        }
    }
}

/// Whether `key` names an intrinsic function (an object with it as its only key is a
/// call).
pub fn is_function(key: &str) -> bool {
    key == "Ref" || key.starts_with("Fn::")
}
