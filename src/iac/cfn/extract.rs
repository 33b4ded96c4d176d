//! The walk over a template's resources: principals first (so that policies can name
//! them by logical ID or name), then each resource's policies by type — IAM's own here,
//! resource policies, Organizations and SAM in their modules.

use super::resolve::{Resolver, scalar_text};
use super::{CfnOptions, Format, Template, get, warn};
use crate::iac::{Document, FoundPolicy, Inventory, Principal, PrincipalKind, placeholder};
use crate::json::{self, Node, Value};
use crate::policy::PolicyKind;
use crate::source::{DecodedText, Diagnostic, Encoding, LineIndex, SourceId, SourceMap, Span};
use std::collections::HashSet;

/// The state of one template's reading.
pub(super) struct Extractor<'a> {
    pub r: Resolver<'a>,
    format: Format,
    pub inv: Inventory,
    source_map: SourceMap,
    decoded: Vec<(SourceId, String)>,
    names: HashSet<String>,
    pub notes: Vec<Diagnostic>,
}

/// A resource being read: its logical ID, resolved properties, declaration span and
/// the condition it depends on when that cannot be decided.
pub(super) struct Res<'n> {
    pub id: &'n str,
    pub ty: &'n str,
    /// The properties as written (for `Ref`s to logical IDs).
    pub raw: Option<&'n Node>,
    /// The properties resolved.
    pub props: Node,
    pub span: Span,
    pub condition: Option<String>,
}

impl Res<'_> {
    /// A resolved property.
    pub fn prop(&self, name: &str) -> Option<&Node> {
        get(&self.props, name)
    }

    /// A property as written.
    pub fn raw_prop(&self, name: &str) -> Option<&Node> {
        self.raw.and_then(|p| get(p, name))
    }

    /// A resolved property's text.
    pub fn text(&self, name: &str) -> Option<String> {
        self.prop(name).and_then(scalar_text)
    }
}

impl<'a> Extractor<'a> {
    pub fn run(root: &'a Node, format: Format, options: &'a CfnOptions) -> Template {
        let mut x = Extractor {
            r: Resolver::new(root, options),
            format,
            inv: Inventory::default(),
            source_map: SourceMap::default(),
            decoded: Vec::new(),
            names: HashSet::new(),
            notes: Vec::new(),
        };
        if let Some(t) = get(root, "Transform") {
            let names = match &t.value {
                Value::Array(items) => items.iter().filter_map(scalar_text).collect::<Vec<_>>(),
                _ => scalar_text(t).into_iter().collect(),
            };
            x.notes.push(warn(
                t.span,
                format!(
                    "the template declares Transform {}: transforms are not run, so what they would add or change is not seen (SAM resources are read as written)",
                    names.join(", ")
                ),
            ));
        }
        let resources: Vec<_> = x.r.order.clone();
        let mut active = Vec::new();
        for (id, res) in resources {
            let condition = match res.condition {
                None => None,
                Some(c) => {
                    let name = scalar_text(c).unwrap_or_default();
                    match x.r.condition(c.span, &name, 0) {
                        Some(true) => None,
                        // CloudFormation does not create it.
                        Some(false) => continue,
                        None => {
                            x.notes.push(warn(
                                c.span,
                                format!(
                                    "{id} exists only when condition {name} holds, which cannot be decided offline: it is read as if it held"
                                ),
                            ));
                            Some(name)
                        }
                    }
                }
            };
            let props = res.properties.and_then(|p| x.r.resolve(p)).unwrap_or(Node {
                span: res.key_span,
                value: Value::Object(Vec::new()),
            });
            active.push(Res {
                id,
                ty: res.ty,
                raw: res.properties,
                props,
                span: res.key_span,
                condition,
            });
        }
        for res in &active {
            x.principal(res);
        }
        for res in &active {
            x.resource(res);
        }
        x.link_managed_policies();
        let mut notes = std::mem::take(&mut x.notes);
        notes.append(&mut x.r.notes);
        notes.sort_by_key(|n| (n.span.source.number(), n.span.start));
        x.inv.notes = notes;
        Template {
            inventory: x.inv,
            source_map: x.source_map,
            decoded: x.decoded,
            format: x.format,
        }
    }

    fn principal(&mut self, res: &Res) {
        let kind = match res.ty {
            "AWS::IAM::User" => PrincipalKind::User,
            "AWS::IAM::Role" => PrincipalKind::Role,
            "AWS::IAM::Group" => PrincipalKind::Group,
            _ => return,
        };
        self.add_principal(res.id, kind, res.span);
    }

    /// Adds the principal `id` (a resource of the template, or one SAM would create).
    pub fn add_principal(&mut self, id: &str, kind: PrincipalKind, span: Span) {
        let (name, arn) = match self.r.identity(id) {
            Some((name, _, arn)) => (name, arn),
            None => {
                let name = placeholder::make(&format!("name of {id}"));
                let what = match kind {
                    PrincipalKind::User => "user",
                    PrincipalKind::Role => "role",
                    PrincipalKind::Group => "group",
                };
                let arn = format!(
                    "arn:{}:iam::{}:{what}/{name}",
                    self.r_options().partition,
                    self.r_options().account
                );
                (name, Some(arn))
            }
        };
        let arn = arn.unwrap_or_else(|| placeholder::make(&format!("GetAtt {id}.Arn")));
        self.inv.principals.push(Principal {
            id: id.to_string(),
            name: (!placeholder::contains(&name)).then_some(name),
            kind,
            arn,
            groups: Vec::new(),
            span,
        });
    }

    fn r_options(&self) -> &'a CfnOptions {
        self.r.options()
    }

    fn resource(&mut self, res: &Res) {
        match res.ty {
            "AWS::IAM::Role" | "AWS::IAM::User" | "AWS::IAM::Group" => self.principal_policies(res),
            "AWS::IAM::Policy" | "AWS::IAM::ManagedPolicy" => self.standalone(res),
            "AWS::IAM::RolePolicy" => self.single(res, "RoleName", PrincipalKind::Role),
            "AWS::IAM::UserPolicy" => self.single(res, "UserName", PrincipalKind::User),
            "AWS::IAM::GroupPolicy" => self.single(res, "GroupName", PrincipalKind::Group),
            "AWS::IAM::UserToGroupAddition" => self.user_to_group(res),
            "AWS::Lambda::Permission" => self.lambda_permission(res),
            "AWS::Serverless::Function" | "AWS::Serverless::StateMachine" => self.sam(res),
            _ => self.resource_policy(res),
        }
    }

    /// A role's, user's or group's own policies.
    fn principal_policies(&mut self, res: &Res) {
        let me = vec![res.id.to_string()];
        if res.ty == "AWS::IAM::Role" {
            if let Some(doc) = res.prop("AssumeRolePolicyDocument") {
                let arn = self
                    .inv
                    .principals
                    .iter()
                    .find(|p| p.id == res.id)
                    .map(|p| p.arn.clone());
                let name = format!("{}/AssumeRolePolicyDocument", res.id);
                let document = self.document(doc, &name);
                self.push(
                    res,
                    name,
                    PolicyKind::Resource,
                    document,
                    Vec::new(),
                    arn,
                    true,
                );
            }
        }
        self.inline_policies(res, &me);
        self.managed_arns(res, "ManagedPolicyArns", PolicyKind::Identity, &me);
        if res.ty != "AWS::IAM::Group" {
            self.managed_arns(res, "PermissionsBoundary", PolicyKind::Boundary, &me);
        }
        if res.ty == "AWS::IAM::User" {
            let groups = self.principal_ids(
                res.raw_prop("Groups"),
                res.prop("Groups"),
                PrincipalKind::Group,
            );
            if let Some(p) = self.inv.principals.iter_mut().find(|p| p.id == res.id) {
                p.groups.extend(groups);
            }
        }
    }

    /// `Policies: [{PolicyName, PolicyDocument}]`.
    pub fn inline_policies(&mut self, res: &Res, attached: &[String]) {
        let Some(list) = res.prop("Policies") else {
            return;
        };
        let Value::Array(items) = &list.value else {
            self.notes
                .push(warn(list.span, "Policies must be a list: not read"));
            return;
        };
        for (i, item) in items.iter().enumerate() {
            let pname = get(item, "PolicyName")
                .and_then(scalar_text)
                .unwrap_or_else(|| i.to_string());
            let name = format!("{}/Policies/{pname}", res.id);
            match get(item, "PolicyDocument") {
                Some(doc) => {
                    let document = self.document(doc, &name);
                    self.push(
                        res,
                        name,
                        PolicyKind::Identity,
                        document,
                        attached.to_vec(),
                        None,
                        false,
                    );
                }
                None => self.notes.push(warn(
                    item.span,
                    format!("policy {pname} has no PolicyDocument: not read"),
                )),
            }
        }
    }

    /// `ManagedPolicyArns`/`PermissionsBoundary`: policies by ARN.
    pub fn managed_arns(&mut self, res: &Res, prop: &str, kind: PolicyKind, attached: &[String]) {
        let Some(node) = res.prop(prop) else { return };
        let items: Vec<&Node> = match &node.value {
            Value::Array(items) => items.iter().collect(),
            _ => vec![node],
        };
        let several = items.len() > 1 || matches!(node.value, Value::Array(_));
        for (i, item) in items.into_iter().enumerate() {
            let arn = scalar_text(item).unwrap_or_else(|| placeholder::make(prop));
            let name = if several {
                format!("{}/{prop}/{i}", res.id)
            } else {
                format!("{}/{prop}", res.id)
            };
            let document = Document::Managed {
                arn,
                span: item.span,
            };
            self.push(res, name, kind, document, attached.to_vec(), None, false);
        }
    }

    /// `AWS::IAM::Policy` and `AWS::IAM::ManagedPolicy`, with their Roles/Users/Groups.
    fn standalone(&mut self, res: &Res) {
        let mut attached = Vec::new();
        for (prop, kind) in [
            ("Roles", PrincipalKind::Role),
            ("Users", PrincipalKind::User),
            ("Groups", PrincipalKind::Group),
        ] {
            attached.extend(self.principal_ids(res.raw_prop(prop), res.prop(prop), kind));
        }
        let Some((name, document)) = self.policy_document(res) else {
            return;
        };
        // A managed policy's ARN, so that ManagedPolicyArns and PermissionsBoundary
        // naming it are linked to this document.
        let arn = (res.ty == "AWS::IAM::ManagedPolicy")
            .then(|| self.r.identity(res.id).and_then(|(_, _, arn)| arn))
            .flatten();
        self.push(
            res,
            name,
            PolicyKind::Identity,
            document,
            attached,
            arn,
            false,
        );
    }

    /// The `PolicyDocument` of a policy resource, with the name it is known by; `None`
    /// (and a note) when there is none.
    fn policy_document(&mut self, res: &Res) -> Option<(String, Document)> {
        let Some(doc) = res.prop("PolicyDocument") else {
            self.notes.push(warn(
                res.span,
                format!("{} has no PolicyDocument: not read", res.id),
            ));
            return None;
        };
        let name = format!("{}/PolicyDocument", res.id);
        let document = self.document(doc, &name);
        Some((name, document))
    }

    /// `AWS::IAM::RolePolicy` and its user and group forms.
    fn single(&mut self, res: &Res, prop: &str, kind: PrincipalKind) {
        let attached = self.principal_ids(res.raw_prop(prop), res.prop(prop), kind);
        let Some((name, document)) = self.policy_document(res) else {
            return;
        };
        self.push(
            res,
            name,
            PolicyKind::Identity,
            document,
            attached,
            None,
            false,
        );
    }

    fn user_to_group(&mut self, res: &Res) {
        let group = self.principal_ids(
            res.raw_prop("GroupName"),
            res.prop("GroupName"),
            PrincipalKind::Group,
        );
        let users = self.principal_ids(
            res.raw_prop("Users"),
            res.prop("Users"),
            PrincipalKind::User,
        );
        for user in users {
            if let Some(p) = self.inv.principals.iter_mut().find(|p| p.id == user) {
                for g in &group {
                    if !p.groups.contains(g) {
                        p.groups.push(g.clone());
                    }
                }
            } else {
                self.notes.push(warn(
                    res.span,
                    format!("{}: user {user} is not declared in this template", res.id),
                ));
            }
        }
    }

    /// The principal ids a `Roles`/`Users`/`Groups`/`RoleName` property names: a `Ref`
    /// to a logical ID is that ID; a name is the principal of that name in the
    /// template, or the name itself (with a note) for one the template does not
    /// declare.
    pub fn principal_ids(
        &mut self,
        raw: Option<&Node>,
        resolved: Option<&Node>,
        kind: PrincipalKind,
    ) -> Vec<String> {
        let Some(resolved) = resolved else {
            return Vec::new();
        };
        let raw_items: Vec<Option<&Node>> = match raw.map(|r| &r.value) {
            Some(Value::Array(items)) => items.iter().map(Some).collect(),
            Some(_) => vec![raw],
            None => Vec::new(),
        };
        let items: Vec<&Node> = match &resolved.value {
            Value::Array(items) => items.iter().collect(),
            _ => vec![resolved],
        };
        let mut ids = Vec::new();
        for (i, item) in items.iter().enumerate() {
            // A Ref to a logical ID (Fn::If may have moved elements: only when the
            // counts agree is the raw element taken as this one's source).
            let by_ref = (raw_items.len() == items.len())
                .then(|| raw_items[i])
                .flatten()
                .and_then(|r| get(r, "Ref"))
                .and_then(scalar_text)
                .filter(|id| {
                    self.inv
                        .principals
                        .iter()
                        .any(|p| &p.id == id && p.kind == kind)
                });
            if let Some(id) = by_ref {
                ids.push(id);
                continue;
            }
            let Some(name) = scalar_text(item) else {
                continue;
            };
            // A role may be named by ARN too (AWS::IAM::Policy's Roles take names, but
            // ARNs are written).
            let found = self.inv.principals.iter().find(|p| {
                p.kind == kind && (p.name.as_deref() == Some(name.as_str()) || p.arn == name)
            });
            match found {
                Some(p) => ids.push(p.id.clone()),
                None => {
                    self.notes.push(warn(
                        item.span,
                        format!("{name} is not declared in this template: the policy is attached to it by name"),
                    ));
                    ids.push(name);
                }
            }
        }
        ids
    }

    /// A policy document as found: an object, or a string holding JSON policy text.
    pub fn document(&mut self, doc: &Node, name: &str) -> Document {
        match &doc.value {
            Value::Object(_) => {
                let mut doc = doc.clone();
                as_text(&mut doc);
                Document::Inline(doc)
            }
            Value::String(s) if s.trim_start().starts_with('{') => {
                // JSON written in a string of a JSON template is decoded again from
                // the file; anything else (YAML, a resolved Fn::Sub) is kept here.
                let encoding = match (self.format, doc.span.source.is_file()) {
                    (Format::Json, true) => Encoding::JsonString,
                    _ => Encoding::TemplateString,
                };
                let id = self.source_map.add(DecodedText {
                    literal: doc.span,
                    name: Some(name.to_string()),
                    path: name.to_string(),
                    encoding,
                });
                let index = LineIndex::in_source(s, id);
                let parsed = json::parse_part(s, &index, 0..s.len());
                self.decoded.push((id, s.clone()));
                match parsed {
                    Ok(mut node) => {
                        as_text(&mut node);
                        Document::Inline(node)
                    }
                    Err(e) => {
                        let reason = format!("the policy string is not valid JSON: {}", e.message);
                        self.notes
                            .push(warn(e.span, format!("{name}: {}", e.message)));
                        Document::Unknown {
                            reason,
                            span: doc.span,
                        }
                    }
                }
            }
            other => {
                let reason = match other {
                    Value::String(s) if placeholder::contains(s) => {
                        format!("the policy document is {s}, unknown offline")
                    }
                    _ => format!(
                        "the policy document is {}, not an object",
                        other.kind_name()
                    ),
                };
                self.notes.push(warn(doc.span, format!("{name}: {reason}")));
                Document::Unknown {
                    reason,
                    span: doc.span,
                }
            }
        }
    }

    /// Records a policy, its name made unique.
    #[allow(clippy::too_many_arguments)]
    pub fn push(
        &mut self,
        res: &Res,
        name: String,
        kind: PolicyKind,
        document: Document,
        attached_to: Vec<String>,
        resource_arn: Option<String>,
        trust: bool,
    ) {
        let mut unique = name.clone();
        let mut n = 1;
        while !self.names.insert(unique.clone()) {
            n += 1;
            unique = format!("{name} ({n})");
        }
        self.inv.policies.push(FoundPolicy {
            name: unique,
            origin: res.id.to_string(),
            kind,
            trust,
            document,
            attached_to,
            resource_arn,
            condition: res.condition.clone(),
        });
    }

    /// A `ManagedPolicyArns` entry (or boundary) naming a managed policy of this
    /// template: the entry's principals are added to that policy's (a boundary gets
    /// the policy's document, as a boundary).
    fn link_managed_policies(&mut self) {
        let own: Vec<(String, String, Node)> = self
            .inv
            .policies
            .iter()
            .filter_map(|p| match (&p.resource_arn, &p.document, p.kind) {
                (Some(arn), Document::Inline(doc), PolicyKind::Identity) => {
                    Some((arn.clone(), p.name.clone(), doc.clone()))
                }
                _ => None,
            })
            .collect();
        if own.is_empty() {
            return;
        }
        let mut additions: Vec<(String, Vec<String>)> = Vec::new();
        self.inv.policies.retain_mut(|p| {
            let Document::Managed { arn, .. } = &p.document else {
                return true;
            };
            let Some((_, target, doc)) = own.iter().find(|(a, ..)| a == arn) else {
                return true;
            };
            match p.kind {
                PolicyKind::Boundary => {
                    p.document = Document::Inline(doc.clone());
                    true
                }
                _ => {
                    additions.push((target.clone(), p.attached_to.clone()));
                    false
                }
            }
        });
        for (target, principals) in additions {
            if let Some(p) = self.inv.policies.iter_mut().find(|p| p.name == target) {
                for id in principals {
                    if !p.attached_to.contains(&id) {
                        p.attached_to.push(id);
                    }
                }
            }
        }
    }

    /// Adds a note.
    pub fn note(&mut self, span: Span, message: String) {
        self.notes.push(warn(span, message));
    }
}

/// Numbers and booleans of a policy document as the text they are written as:
/// CloudFormation hands the document to the service as text in these places, and IAM
/// reads `"aws:SecureTransport": false` and `AWS: 123456789012` as their strings.
pub fn as_text(node: &mut Node) {
    let mut todo = vec![node];
    while let Some(n) = todo.pop() {
        let text = match &n.value {
            Value::Number(s) => s.clone(),
            Value::Bool(b) => b.to_string(),
            _ => String::new(),
        };
        if matches!(n.value, Value::Number(_) | Value::Bool(_)) {
            n.value = Value::String(text);
            continue;
        }
        match &mut n.value {
            Value::Array(items) => todo.extend(items.iter_mut()),
            Value::Object(m) => todo.extend(m.iter_mut().map(|m| &mut m.value)),
            _ => {}
        }
    }
}
