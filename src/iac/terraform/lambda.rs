//! `aws_lambda_permission`: the statement Lambda adds to the function's resource policy
//! ([`crate::iac::lambda`], shared with the CloudFormation reader), from the resource's
//! `action`, `function_name` (a name, an ARN or a partial ARN) and `qualifier`,
//! `principal`, `source_arn`, `source_account`, `principal_org_id`,
//! `function_url_auth_type`, `event_source_token` and `statement_id`. A value known only
//! after apply is a placeholder; a function named by a reference to an
//! `aws_lambda_function` of the plan takes that function's ARN when the plan knows it.

use super::plan::{get, get_str, is_unknown, unknown_child};
use super::{Document, FoundPolicy, Reader};
use crate::iac::lambda::{Permission, Spanned, function_arn};
use crate::policy::PolicyKind;

impl Reader<'_> {
    /// Attribute `name` of resource `i`: its value where it is written; a placeholder
    /// at the resource when it is known only after apply; `None` when it is not set.
    fn permission_value(&self, i: usize, name: &str) -> Option<Spanned> {
        let r = &self.resources[i];
        if let Some(v) = get_str(r.values, name).filter(|v| !v.is_empty()) {
            let span = get(r.values, name).map_or(r.span, |n| n.span);
            return Some((v.to_string(), span));
        }
        is_unknown(unknown_child(r.unknown, name)).then(|| (Self::missing(r, name), r.span))
    }

    /// The ARN of the function permission `i` is on, where it is written.
    fn permission_function(&self, i: usize) -> Spanned {
        let r = &self.resources[i];
        let place = &self.place;
        let qualifier = self.permission_value(i, "qualifier").map(|q| q.0);
        let arn = |name: &str| {
            function_arn(
                name,
                qualifier.as_deref(),
                &place.partition,
                &place.region,
                &place.account,
            )
        };
        if let Some(v) = get_str(r.values, "function_name").filter(|v| !v.is_empty()) {
            let span = get(r.values, "function_name").map_or(r.span, |n| n.span);
            return (arn(v), span);
        }
        // Known only after apply: the function the configuration names.
        let target = self
            .referenced(i, "function_name")
            .into_iter()
            .map(|j| &self.resources[j])
            .find(|t| t.kind == "aws_lambda_function");
        let name = match target {
            Some(t) => match (get_str(t.values, "arn"), get_str(t.values, "function_name")) {
                (Some(a), _) if !a.is_empty() => a.to_string(),
                (_, Some(n)) if !n.is_empty() => n.to_string(),
                _ => Self::missing(t, "function_name"),
            },
            None => Self::missing(r, "function_name"),
        };
        (arn(&name), r.span)
    }

    /// `aws_lambda_permission` `i`: the statement it adds, on the function's ARN.
    pub(super) fn lambda_permission(&mut self, i: usize) {
        let value = |name: &str| self.permission_value(i, name);
        let required = |name: &str| {
            value(name).unwrap_or_else(|| {
                let r = &self.resources[i];
                (Self::missing(r, name), r.span)
            })
        };
        let function = self.permission_function(i);
        let permission = Permission {
            // The provider makes one up when the configuration gives none.
            sid: value("statement_id").filter(|(v, _)| !crate::iac::placeholder::contains(v)),
            action: required("action"),
            function: function.clone(),
            principal: required("principal"),
            source_arn: value("source_arn"),
            source_account: value("source_account"),
            principal_org_id: value("principal_org_id"),
            function_url_auth_type: value("function_url_auth_type"),
            event_source_token: value("event_source_token"),
            partition: self.place.partition.clone(),
            // The document as a whole: the values it is made of.
            span: self.resources[i].values_span,
        };
        let address = self.resources[i].address.clone();
        self.push(FoundPolicy {
            name: address.clone(),
            origin: address,
            kind: PolicyKind::Resource,
            trust: false,
            document: Document::Inline(permission.document()),
            attached_to: Vec::new(),
            resource_arn: Some(function.0),
            condition: None,
        });
    }
}
