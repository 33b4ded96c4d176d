//! Identity policies, boundaries and trust policies: `aws_iam_role` (trust policy,
//! `inline_policy` blocks, `managed_policy_arns`, `permissions_boundary`),
//! `aws_iam_user` / `aws_iam_group`, `aws_iam_policy`, the `*_policy` inline policy
//! resources, the `*_policy_attachment` resources and group memberships.

use super::plan::{get, get_str, is_unknown, unknown_child, unknown_item};
use super::{Derived, Document, FoundPolicy, PrincipalKind, Reader, placeholder};
use crate::json::{Node, Value};
use crate::policy::PolicyKind;

impl Reader<'_> {
    /// Reads resource `i` if it is one of this module's types; false otherwise.
    pub(super) fn identity(&mut self, i: usize) -> bool {
        let r = &self.resources[i];
        let address = r.address.clone();
        match r.kind {
            "aws_iam_role" => {
                self.role(i);
                self.boundary(i, &address);
            }
            "aws_iam_user" => self.boundary(i, &address),
            "aws_iam_group" => {}
            "aws_iam_policy" => {
                let arn = self
                    .policy_arns
                    .iter()
                    .find(|(a, _)| *a == address)
                    .map(|(_, arn)| arn.clone());
                let values = r.values;
                let unknown = r.unknown;
                if let Some(document) = self.document(i, values, unknown, "policy", &address) {
                    self.push(FoundPolicy {
                        name: address.clone(),
                        origin: address,
                        kind: PolicyKind::Identity,
                        trust: false,
                        document,
                        attached_to: Vec::new(),
                        resource_arn: arn,
                        condition: None,
                    });
                }
            }
            "aws_iam_role_policy" => self.inline(i, PrincipalKind::Role, "role"),
            "aws_iam_user_policy" => self.inline(i, PrincipalKind::User, "user"),
            "aws_iam_group_policy" => self.inline(i, PrincipalKind::Group, "group"),
            "aws_iam_role_policy_attachment" => self.attachment(i, PrincipalKind::Role, "role"),
            "aws_iam_user_policy_attachment" => self.attachment(i, PrincipalKind::User, "user"),
            "aws_iam_group_policy_attachment" => self.attachment(i, PrincipalKind::Group, "group"),
            "aws_iam_policy_attachment" => {
                let mut to = Vec::new();
                for (kind, attribute) in [
                    (PrincipalKind::User, "users"),
                    (PrincipalKind::Role, "roles"),
                    (PrincipalKind::Group, "groups"),
                ] {
                    to.extend(self.principals_named(i, kind, attribute));
                }
                self.attach_policy(i, to);
            }
            "aws_iam_user_group_membership" => {
                let users = self.principals_named(i, PrincipalKind::User, "user");
                let groups = self.principals_named(i, PrincipalKind::Group, "groups");
                self.add_to_groups(&users, &groups);
            }
            "aws_iam_group_membership" => {
                let users = self.principals_named(i, PrincipalKind::User, "users");
                let groups = self.principals_named(i, PrincipalKind::Group, "group");
                self.add_to_groups(&users, &groups);
            }
            _ => return false,
        }
        true
    }

    fn role(&mut self, i: usize) {
        let r = &self.resources[i];
        let (address, values, unknown) = (r.address.clone(), r.values, r.unknown);
        let config_key = r.config_key.clone();
        let arn = self.principal_arn(&address);
        let what = format!("{address}.assume_role_policy");
        if let Some(document) = self.document(i, values, unknown, "assume_role_policy", &what) {
            self.push(FoundPolicy {
                name: format!("{address}/assume_role_policy"),
                origin: address.clone(),
                kind: PolicyKind::Resource,
                trust: true,
                document,
                attached_to: Vec::new(),
                resource_arn: Some(arn),
                condition: None,
            });
        }
        // inline_policy blocks and managed_policy_arns manage the role's inline
        // policies and attachments exclusively when the configuration sets them;
        // otherwise the provider fills them from the separate resources (read on
        // their own): skipped then, and without a configuration to ask, kept where no
        // separate resource gives the same (see `Reader::drop_duplicates`).
        let blocks = unknown_child(unknown, "inline_policy");
        let inline_set = self.config.sets(&config_key, "inline_policy") != Some(false);
        if !inline_set {
            // Filled from the aws_iam_role_policy resources, read on their own.
        } else if is_unknown(blocks) {
            self.unknown_part(
                i,
                "inline_policy",
                "the inline policies are known only after apply",
            );
        } else if let Some(Value::Array(items)) = get(values, "inline_policy").map(|n| &n.value) {
            for (n, item) in items.iter().enumerate() {
                let Some(block) = super::members(item) else {
                    continue;
                };
                let name = get_str(block, "name")
                    .filter(|s| !s.is_empty())
                    .map_or_else(|| n.to_string(), str::to_string);
                let what = format!("{address}.inline_policy[{n}]");
                let u = unknown_item(blocks, n);
                if let Some(document) = self.document(i, block, u, "policy", &what) {
                    self.derived
                        .push((address.clone(), Derived::Inline(name.clone())));
                    self.push(FoundPolicy {
                        name: format!("{address}/inline_policy/{name}"),
                        origin: address.clone(),
                        kind: PolicyKind::Identity,
                        trust: false,
                        document,
                        attached_to: vec![address.clone()],
                        resource_arn: None,
                        condition: None,
                    });
                }
            }
        }
        if self.config.sets(&config_key, "managed_policy_arns") != Some(false) {
            self.managed_policy_arns(i, &address);
        }
    }

    /// A role's `managed_policy_arns`: each ARN a managed policy attached to the role,
    /// or linked to the plan's `aws_iam_policy` with that ARN; ARNs known only after
    /// apply are linked to the plan policies the configuration names there.
    fn managed_policy_arns(&mut self, i: usize, address: &str) {
        let r = &self.resources[i];
        let (values, unknown) = (r.values, r.unknown);
        let arns = unknown_child(unknown, "managed_policy_arns");
        let items: &[Node] = match get(values, "managed_policy_arns").map(|n| &n.value) {
            Some(Value::Array(items)) => items,
            _ => &[],
        };
        let some_unknown =
            is_unknown(arns) || (0..items.len()).any(|n| is_unknown(unknown_item(arns, n)));
        for item in items {
            let arn = match &item.value {
                Value::String(arn) if !arn.is_empty() => arn,
                _ => continue,
            };
            if let Some(policy) = self.plan_policy_with_arn(arn) {
                self.attach.push((policy, address.to_string()));
                continue;
            }
            self.derived
                .push((address.to_string(), Derived::Managed(arn.clone())));
            self.push(FoundPolicy {
                name: format!("{address}/managed_policy_arns/{arn}"),
                origin: address.to_string(),
                kind: PolicyKind::Identity,
                trust: false,
                document: Document::Managed {
                    arn: arn.clone(),
                    span: item.span,
                },
                attached_to: vec![address.to_string()],
                resource_arn: None,
                condition: None,
            });
        }
        if !some_unknown {
            return;
        }
        let plan_policies: Vec<String> = self
            .referenced(i, "managed_policy_arns")
            .into_iter()
            .map(|j| &self.resources[j])
            .filter(|p| p.kind == "aws_iam_policy")
            .map(|p| p.address.clone())
            .collect();
        if plan_policies.is_empty() {
            self.unknown_part(
                i,
                "managed_policy_arns",
                "the managed policy ARNs are known only after apply",
            );
        }
        for p in plan_policies {
            self.attach.push((p, address.to_string()));
        }
    }

    /// A part of resource `i` known only after apply: a policy saying so when the
    /// configuration sets it (or there is no configuration to ask); nothing when the
    /// provider computes it from other resources (read on their own).
    fn unknown_part(&mut self, i: usize, attribute: &str, reason: &str) {
        let r = &self.resources[i];
        match self.config.sets(&r.config_key, attribute) {
            Some(false) => {}
            set => {
                let address = r.address.clone();
                let span = r.span;
                if set.is_none() {
                    self.note(
                        span,
                        format!("{address}: {attribute}: {reason} (the plan has no configuration saying whether it is set)"),
                    );
                }
                self.push(FoundPolicy {
                    name: format!("{address}/{attribute}"),
                    origin: address.clone(),
                    kind: PolicyKind::Identity,
                    trust: false,
                    document: Document::Unknown {
                        reason: reason.to_string(),
                        span,
                    },
                    attached_to: vec![address],
                    resource_arn: None,
                    condition: None,
                });
            }
        }
    }

    /// A user's or role's `permissions_boundary` (an ARN).
    fn boundary(&mut self, i: usize, address: &str) {
        let r = &self.resources[i];
        let unknown = is_unknown(unknown_child(r.unknown, "permissions_boundary"));
        let (arn, span) = match get(r.values, "permissions_boundary") {
            Some(Node {
                value: Value::String(s),
                span,
            }) if !s.is_empty() => (s.clone(), *span),
            _ if unknown => (
                placeholder::make(&format!(
                    "known after apply: {address}.permissions_boundary"
                )),
                r.span,
            ),
            _ => return,
        };
        let policy = match self.plan_policy_with_arn(&arn) {
            Some(p) => Some(p),
            None if unknown => self
                .referenced(i, "permissions_boundary")
                .into_iter()
                .map(|j| &self.resources[j])
                .find(|p| p.kind == "aws_iam_policy")
                .map(|p| p.address.clone()),
            None => None,
        };
        let at = self.push(FoundPolicy {
            name: format!("{address}/permissions_boundary"),
            origin: address.to_string(),
            kind: PolicyKind::Boundary,
            trust: false,
            document: Document::Managed { arn, span },
            attached_to: vec![address.to_string()],
            resource_arn: None,
            condition: None,
        });
        if let Some(p) = policy {
            self.boundaries.push((at, p));
        }
    }

    /// `aws_iam_role_policy` and its kin: `policy` attached to the principal named by
    /// `attribute`.
    fn inline(&mut self, i: usize, kind: PrincipalKind, attribute: &str) {
        let r = &self.resources[i];
        let (address, values, unknown) = (r.address.clone(), r.values, r.unknown);
        let attached_to = self.principals_named(i, kind, attribute);
        if let Some(name) = get_str(values, "name") {
            for p in &attached_to {
                self.separate
                    .push((p.clone(), Derived::Inline(name.to_string())));
            }
        }
        if let Some(document) = self.document(i, values, unknown, "policy", &address) {
            self.push(FoundPolicy {
                name: address.clone(),
                origin: address,
                kind: PolicyKind::Identity,
                trust: false,
                document,
                attached_to,
                resource_arn: None,
                condition: None,
            });
        }
    }

    /// `aws_iam_role_policy_attachment` and its kin.
    fn attachment(&mut self, i: usize, kind: PrincipalKind, attribute: &str) {
        let to = self.principals_named(i, kind, attribute);
        self.attach_policy(i, to);
    }

    /// `policy_arn` of attachment `i` attached to `to`: linked to the plan's
    /// `aws_iam_policy` it names (by ARN, or by the configuration's reference when the
    /// ARN is known only after apply), else a managed policy by ARN.
    fn attach_policy(&mut self, i: usize, to: Vec<String>) {
        let r = &self.resources[i];
        let address = r.address.clone();
        let node = get(r.values, "policy_arn");
        let known = match node.map(|n| &n.value) {
            Some(Value::String(s)) if !s.is_empty() => Some(s.clone()),
            _ => None,
        };
        let span = node.map_or(r.span, |n| n.span);
        let policy = match &known {
            Some(arn) => self.plan_policy_with_arn(arn),
            None => self
                .referenced(i, "policy_arn")
                .into_iter()
                .map(|j| &self.resources[j])
                .find(|p| p.kind == "aws_iam_policy")
                .map(|p| p.address.clone()),
        };
        if let Some(arn) = &known {
            for p in &to {
                self.separate
                    .push((p.clone(), Derived::Managed(arn.clone())));
            }
        }
        if let Some(policy) = policy {
            for p in to {
                self.attach.push((policy.clone(), p));
            }
            return;
        }
        let arn = known.unwrap_or_else(|| Self::missing(&self.resources[i], "policy_arn"));
        self.push(FoundPolicy {
            name: address.clone(),
            origin: address,
            kind: PolicyKind::Identity,
            trust: false,
            document: Document::Managed { arn, span },
            attached_to: to,
            resource_arn: None,
            condition: None,
        });
    }

    /// The plan's `aws_iam_policy` whose ARN is `arn`.
    fn plan_policy_with_arn(&self, arn: &str) -> Option<String> {
        self.policy_arns
            .iter()
            .find(|(_, a)| a == arn)
            .map(|(address, _)| address.clone())
    }

    /// The ARN of the principal `address` (read already).
    fn principal_arn(&self, address: &str) -> String {
        self.inventory
            .principals
            .iter()
            .find(|p| p.id == address)
            .map_or_else(
                || placeholder::make(&format!("not in the plan: {address}.arn")),
                |p| p.arn.clone(),
            )
    }

    /// The principals of `kind` that `attribute` of resource `i` names (a name or a
    /// list of names): by name when known, else by the configuration's references.
    /// Names no principal of this side has are noted.
    fn principals_named(&mut self, i: usize, kind: PrincipalKind, attribute: &str) -> Vec<String> {
        let r = &self.resources[i];
        let mut names: Vec<(&str, crate::source::Span)> = Vec::new();
        let mut unresolved = is_unknown(unknown_child(r.unknown, attribute));
        match get(r.values, attribute).map(|n| (&n.value, n.span)) {
            Some((Value::String(s), span)) if !s.is_empty() => names.push((s, span)),
            Some((Value::Array(items), _)) => {
                for item in items {
                    match &item.value {
                        Value::String(s) if !s.is_empty() => names.push((s, item.span)),
                        _ => {}
                    }
                }
                let u = unknown_child(r.unknown, attribute);
                unresolved |= (0..items.len()).any(|n| is_unknown(unknown_item(u, n)));
            }
            _ => {}
        }
        let mut out = Vec::new();
        let mut missing = Vec::new();
        for (name, span) in names {
            let found = self
                .inventory
                .principals
                .iter()
                .find(|p| p.kind == kind && p.name.as_deref() == Some(name));
            match found {
                Some(p) => out.push(p.id.clone()),
                None => missing.push((name.to_string(), span)),
            }
        }
        if unresolved {
            for j in self.referenced(i, attribute) {
                let id = &self.resources[j].address;
                let is_kind = self
                    .inventory
                    .principals
                    .iter()
                    .any(|p| p.id == *id && p.kind == kind);
                if is_kind && !out.contains(id) {
                    out.push(id.clone());
                }
            }
        }
        let address = self.resources[i].address.clone();
        let noun = match kind {
            PrincipalKind::User => "user",
            PrincipalKind::Role => "role",
            PrincipalKind::Group => "group",
        };
        for (name, span) in missing {
            self.note(
                span,
                format!(
                    "{address}: the {noun} {name} is not declared on this side of the plan: what it grants to that {noun} is not attached to anything here"
                ),
            );
        }
        out
    }

    fn add_to_groups(&mut self, users: &[String], groups: &[String]) {
        for p in &mut self.inventory.principals {
            if users.contains(&p.id) {
                for g in groups {
                    if !p.groups.contains(g) {
                        p.groups.push(g.clone());
                    }
                }
            }
        }
    }
}
