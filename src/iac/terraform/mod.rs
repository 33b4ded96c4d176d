//! Terraform: the IAM policies of one side of a plan (`terraform show -json PLANFILE`)
//! or of a state (`terraform show -json`), read into an [`Inventory`].
//!
//! [`plan`] finds the resources of the side asked for (child modules and `count` /
//! `for_each` instances included) and the configuration's references; [`identity`]
//! reads users, roles, groups and the policies attached to them, [`resource`] the
//! resource policies, SCPs and RCPs. A policy is a JSON string inside the plan:
//! [`strings`] parses it with positions in the plan file itself. A value known only
//! after apply becomes a [`placeholder`](crate::iac::placeholder); a whole policy known
//! only after apply is a [`Document::Unknown`], never an empty policy. See docs/iac.md.

mod identity;
mod lambda;
mod place;
mod plan;
mod resource;
mod strings;

use super::{Document, FoundPolicy, Inventory, Principal, PrincipalKind, Side, placeholder};
use crate::json::{self, Node, Value};
use crate::policy::{ParseContext, PolicyKind, parse_policy_node};
use crate::source::{Diagnostic, LineIndex, Severity, Span};
use plan::{Config, Resource, Shape, get, get_str, is_unknown, members, unknown_child};
use std::collections::HashMap;

/// Reads `text`, the JSON of `terraform show -json` (a plan or a state), for `side`
/// (a state has one side: both give it). `Err` when the text is not JSON or not
/// Terraform's output (every problem with its position); what is read only in part
/// is in the inventory's notes.
pub fn read(text: &str, side: Side) -> Result<Inventory, Vec<Diagnostic>> {
    let root = json::parse(text).map_err(|e| vec![e])?;
    let Some(top) = members(&root) else {
        return Err(vec![Diagnostic::error(
            root.span,
            format!(
                "not Terraform's JSON output: expected an object, found {}",
                root.value.kind_name()
            ),
        )]);
    };
    let version = match get(top, "format_version") {
        Some(Node {
            value: Value::String(v),
            span,
        }) => (v.as_str(), *span),
        _ => {
            return Err(vec![Diagnostic::error(
                root.span,
                "not Terraform's JSON output (`terraform show -json`): it has no \"format_version\"",
            )]);
        }
    };
    if !matches!(version.0.split('.').next(), Some("0" | "1")) {
        return Err(vec![Diagnostic::error(
            version.1,
            format!(
                "Terraform JSON format version {} is not one this reader knows (0.x and 1.x)",
                version.0
            ),
        )]);
    }
    let is_plan = ["resource_changes", "planned_values", "prior_state"]
        .iter()
        .any(|k| get(top, k).is_some());
    let shape = match get(top, "values").and_then(members) {
        Some(values) if !is_plan => Shape::State(values),
        _ => Shape::Plan(top),
    };
    let mut reader = Reader::new(text, &shape, side);
    reader.read_all();
    Ok(reader.inventory)
}

/// `bytes` as text: UTF-8 (gzip decompressed, as [`crate::input::decode`] does), or
/// UTF-16 with a byte-order mark, which is what Windows PowerShell 5 writes for
/// `terraform show -json plan > plan.json`. Lines and columns of the decoded text are
/// the file's (they count characters); byte offsets are the UTF-8 text's.
pub fn decode(bytes: Vec<u8>) -> Result<String, String> {
    let utf16 = |le: bool| {
        let units = bytes[2..]
            .chunks(2)
            .map(|c| match (c, le) {
                ([a, b], true) => Ok(u16::from_le_bytes([*a, *b])),
                ([a, b], false) => Ok(u16::from_be_bytes([*a, *b])),
                _ => Err("UTF-16 text with an odd number of bytes".to_string()),
            })
            .collect::<Result<Vec<u16>, String>>()?;
        char::decode_utf16(units)
            .enumerate()
            .map(|(i, c)| {
                c.map_err(|_| {
                    format!(
                        "not UTF-16 text: the code unit at offset {} is a lone surrogate",
                        2 + 2 * i
                    )
                })
            })
            .collect::<Result<String, String>>()
    };
    match bytes.get(..2) {
        Some([0xFF, 0xFE]) => utf16(true),
        Some([0xFE, 0xFF]) => utf16(false),
        _ => crate::input::decode(bytes),
    }
}

/// The text of an inline policy `found` of the plan `text` (the inventory's file),
/// decoded from its JSON string: what an editor shows. `None` for a policy that is not
/// inline, or a `text` it was not read from.
pub fn policy_text(text: &str, found: &FoundPolicy) -> Option<String> {
    match &found.document {
        Document::Inline(node) => strings::decoded_text(text, node.span),
        _ => None,
    }
}

/// Every error of the inline policies of `inventory` as the policy
/// parser reports them: positions in the plan file, each message beginning with the
/// address of the resource that declares the policy. What lint and a loader show.
pub fn policy_errors(inventory: &Inventory) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for found in &inventory.policies {
        let Document::Inline(node) = &found.document else {
            continue;
        };
        let ctx = ParseContext {
            kind: found.kind,
            resource_implied: found.trust
                || found
                    .resource_arn
                    .as_deref()
                    .is_some_and(|a| a.contains(":ecr:") && a.contains(":repository/")),
        };
        let mut errors = Vec::new();
        parse_policy_node(node, ctx, &mut errors);
        out.extend(errors.into_iter().map(|mut e| {
            e.message = format!("{}: {}", found.name, e.message);
            e
        }));
    }
    out
}

/// A policy a role holds by name or ARN, as its own attributes or a separate resource
/// give it.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Derived {
    /// An inline policy, by name.
    Inline(String),
    /// An attached managed policy, by ARN.
    Managed(String),
}

/// What one read builds, beside the inventory.
struct Reader<'a> {
    text: &'a str,
    index: LineIndex,
    config: Config<'a>,
    resources: Vec<Resource<'a>>,
    /// Resources by address without instance keys: positions in `resources`.
    by_config: HashMap<String, Vec<usize>>,
    inventory: Inventory,
    /// Per principal of the inventory: its address without instance keys and its key.
    principal_keys: Vec<(String, Option<String>)>,
    /// `aws_iam_policy` resources: address → ARN (known, or a placeholder).
    policy_arns: Vec<(String, String)>,
    /// Attachments of plan policies: (policy address, principal id).
    attach: Vec<(String, String)>,
    /// Policies read from a role's `inline_policy` / `managed_policy_arns` when the
    /// configuration does not say whether it sets them: (role id, which).
    derived: Vec<(String, Derived)>,
    /// What the separate `aws_iam_role_policy` and attachment resources give: (principal
    /// id, which).
    separate: Vec<(String, Derived)>,
    /// Boundaries set to a plan policy: (position in the inventory's policies, policy
    /// address), given the policy's document once all are read.
    boundaries: Vec<(usize, String)>,
    /// The partition, region and account ARNs built from names are written in.
    place: place::Place,
}

impl<'a> Reader<'a> {
    fn new(text: &'a str, shape: &Shape<'a>, side: Side) -> Self {
        let resources = plan::resources(shape, side);
        let place = place::Place::of(shape, &resources);
        let mut by_config: HashMap<String, Vec<usize>> = HashMap::new();
        for (i, r) in resources.iter().enumerate() {
            by_config.entry(r.config_key.clone()).or_default().push(i);
        }
        Reader {
            text,
            index: LineIndex::new(text),
            config: Config::read(shape),
            resources,
            by_config,
            inventory: Inventory::default(),
            principal_keys: Vec::new(),
            policy_arns: Vec::new(),
            attach: Vec::new(),
            derived: Vec::new(),
            separate: Vec::new(),
            boundaries: Vec::new(),
            place,
        }
    }

    fn read_all(&mut self) {
        // Principals and managed policies first, so that what refers to them (in any
        // order in the file) finds them.
        for i in 0..self.resources.len() {
            self.declare(i);
        }
        for i in 0..self.resources.len() {
            self.policies_of(i);
        }
        self.link();
    }

    fn declare(&mut self, i: usize) {
        let r = &self.resources[i];
        if r.data {
            return;
        }
        let kind = match r.kind {
            "aws_iam_user" => PrincipalKind::User,
            "aws_iam_role" => PrincipalKind::Role,
            "aws_iam_group" => PrincipalKind::Group,
            "aws_iam_policy" => {
                let arn = self.known_or_placeholder(i, "arn");
                let address = self.resources[i].address.clone();
                self.policy_arns.push((address, arn));
                return;
            }
            _ => return,
        };
        let name = match get(r.values, "name") {
            Some(Node {
                value: Value::String(s),
                ..
            }) => Some(s.clone()),
            _ if is_unknown(unknown_child(r.unknown, "name")) => Some(placeholder::make(&format!(
                "known after apply: {}.name",
                r.address
            ))),
            _ => None,
        };
        let principal = Principal {
            id: r.address.clone(),
            name,
            kind,
            arn: self.known_or_placeholder(i, "arn"),
            groups: Vec::new(),
            span: r.span,
        };
        self.principal_keys
            .push((r.config_key.clone(), r.index.clone()));
        self.inventory.principals.push(principal);
    }

    fn policies_of(&mut self, i: usize) {
        let r = &self.resources[i];
        if r.data {
            if r.kind == "aws_iam_policy_document" {
                self.note(
                    r.span,
                    format!(
                        "{}: a policy document data source: its rendered JSON is read where a resource's policy holds it, not as a policy of its own",
                        r.address
                    ),
                );
            } else {
                self.unread_policy_attributes(i);
            }
            return;
        }
        if !self.identity(i) && !self.resource_policy(i) {
            self.unread_policy_attributes(i);
        }
    }

    /// A string attribute of resource `i`: its value, or a placeholder when it is known
    /// only after apply (or absent).
    fn known_or_placeholder(&self, i: usize, attribute: &str) -> String {
        let r = &self.resources[i];
        match get_str(r.values, attribute).filter(|s| !s.is_empty()) {
            Some(s) => s.to_string(),
            None => Self::missing(r, attribute),
        }
    }

    /// The placeholder for `attribute` of `r`, which the plan does not give: known only
    /// after apply, or left out (some published plans are redacted).
    fn missing(r: &Resource<'_>, attribute: &str) -> String {
        if is_unknown(unknown_child(r.unknown, attribute)) {
            placeholder::make(&format!("known after apply: {}.{attribute}", r.address))
        } else {
            placeholder::make(&format!("not in the plan: {}.{attribute}", r.address))
        }
    }

    /// The resources of this side that `attribute` of resource `i` refers to in the
    /// configuration: the instance with the same key when there are several.
    fn referenced(&self, i: usize, attribute: &str) -> Vec<usize> {
        let r = &self.resources[i];
        let keys = self.config.references(&r.config_key, attribute, &|k| {
            self.by_config.contains_key(k)
        });
        let mut out = Vec::new();
        for key in keys {
            let Some(instances) = self.by_config.get(&key) else {
                continue;
            };
            match instances.as_slice() {
                [one] => out.push(*one),
                many => out.extend(
                    many.iter()
                        .filter(|&&j| self.resources[j].index == r.index && r.index.is_some()),
                ),
            }
        }
        out
    }

    /// The policy document held in the string `attribute` of `values` (resource `i`'s
    /// values or a block of them, `unknown` the matching part of `after_unknown`).
    /// `None` when there is none (absent, null, empty). `what` names it in messages.
    fn document(
        &mut self,
        i: usize,
        values: &'a [json::Member],
        unknown: Option<&'a Node>,
        attribute: &str,
        what: &str,
    ) -> Option<Document> {
        let r = &self.resources[i];
        if is_unknown(unknown_child(unknown, attribute)) {
            return Some(Document::Unknown {
                reason: "the policy is known only after apply".to_string(),
                span: get(values, attribute).map_or(r.span, |n| n.span),
            });
        }
        let node = get(values, attribute)?;
        match &node.value {
            Value::Null => None,
            Value::String(s) if s.trim().is_empty() => {
                // Empty is how a role's unused inline_policy block and a queue's, topic's,
                // bucket's or secret's own unset policy read; anywhere else a policy was
                // expected (some published plans blank them out).
                let optional = what.contains(".inline_policy[")
                    || matches!(
                        r.kind,
                        "aws_s3_bucket"
                            | "aws_sqs_queue"
                            | "aws_sns_topic"
                            | "aws_secretsmanager_secret"
                    );
                if !optional {
                    let span = node.span;
                    self.note(
                        span,
                        format!("{what}: the policy string is empty: nothing to read"),
                    );
                }
                None
            }
            Value::String(_) => match strings::parse_in_file(self.text, &self.index, node.span) {
                Ok(doc) => Some(Document::Inline(doc)),
                Err(mut e) => {
                    e.message = format!("{what}: the policy string is not JSON: {}", e.message);
                    self.inventory.notes.push(e);
                    Some(Document::Unknown {
                        reason: "the policy string is not valid JSON".to_string(),
                        span: node.span,
                    })
                }
            },
            other => {
                let span = node.span;
                self.inventory.notes.push(Diagnostic::error(
                    span,
                    format!(
                        "{what}: expected the policy as a JSON string, found {}",
                        other.kind_name()
                    ),
                ));
                None
            }
        }
    }

    /// Adds a policy; its position in the inventory.
    fn push(&mut self, found: FoundPolicy) -> usize {
        self.inventory.policies.push(found);
        self.inventory.policies.len() - 1
    }

    fn note(&mut self, span: Span, message: String) {
        self.inventory.notes.push(Diagnostic {
            span,
            severity: Severity::Warning,
            message,
        });
    }

    /// Notes every attribute of resource `i` that looks like it holds a policy this
    /// reader does not read, so that none is dropped in silence.
    fn unread_policy_attributes(&mut self, i: usize) {
        let r = &self.resources[i];
        let mut found = Vec::new();
        for m in r.values {
            if !m.key.contains("polic") {
                continue;
            }
            let holds = match &m.value.value {
                Value::String(s) => s.trim_start().starts_with('{'),
                _ => false,
            };
            if holds {
                found.push((m.value.span, m.key.clone()));
            }
        }
        if let Some(Value::Object(u)) = r.unknown.map(|u| &u.value) {
            for m in u {
                if m.key.contains("polic")
                    && matches!(m.value.value, Value::Bool(true))
                    && self.config.sets(&r.config_key, &m.key).unwrap_or(false)
                {
                    found.push((r.span, m.key.clone()));
                }
            }
        }
        let (address, kind) = (r.address.clone(), r.kind);
        for (span, key) in found {
            self.note(
                span,
                format!(
                    "{address}: the {kind} attribute {key} holds a policy that iamtrace does not read"
                ),
            );
        }
    }

    /// Gives plan policies the principals attached to them and boundaries their
    /// documents.
    fn link(&mut self) {
        for (policy, principal) in std::mem::take(&mut self.attach) {
            if let Some(p) = self
                .inventory
                .policies
                .iter_mut()
                .find(|p| p.origin == policy && p.kind == PolicyKind::Identity)
            {
                if !p.attached_to.contains(&principal) {
                    p.attached_to.push(principal);
                }
            }
        }
        for (at, policy) in std::mem::take(&mut self.boundaries) {
            let document = self
                .inventory
                .policies
                .iter()
                .find(|p| p.origin == policy && p.kind == PolicyKind::Identity)
                .map(|p| p.document.clone());
            if let (Some(document), Some(b)) = (document, self.inventory.policies.get_mut(at)) {
                b.document = document;
            }
        }
        self.drop_duplicates();
    }

    /// Removes what a role's own attributes repeat of the separate resources (a state
    /// lists a role's attachments in its `managed_policy_arns` too).
    fn drop_duplicates(&mut self) {
        let repeated: Vec<String> = self
            .derived
            .iter()
            .filter(|d| self.separate.contains(d))
            .map(|(role, which)| match which {
                Derived::Inline(name) => format!("{role}/inline_policy/{name}"),
                Derived::Managed(arn) => format!("{role}/managed_policy_arns/{arn}"),
            })
            .collect();
        self.inventory
            .policies
            .retain(|p| !repeated.contains(&p.name));
    }
}
