//! `AWS::Lambda::Permission` has no document: it adds one statement to the function's
//! resource policy, as Lambda's AddPermission does. The statement is built the way
//! Lambda writes it (the Lambda developer guide's resource-based policy examples):
//!
//! ```json
//! {"Effect": "Allow", "Principal": {"Service": "s3.amazonaws.com"},
//!  "Action": "lambda:InvokeFunction",
//!  "Resource": "arn:aws:lambda:REGION:ACCOUNT:function:NAME",
//!  "Condition": {"StringEquals": {"AWS:SourceAccount": "…"},
//!                "ArnLike": {"AWS:SourceArn": "…"}}}
//! ```
//!
//! An account principal becomes `{"AWS": "arn:PARTITION:iam::ACCOUNT:root"}`;
//! `PrincipalOrgID` adds `aws:PrincipalOrgID`, `FunctionUrlAuthType` adds
//! `lambda:FunctionUrlAuthType`, `EventSourceToken` adds `lambda:EventSourceToken`
//! (each `StringEquals`). Every node has the position of the property it comes from.

use super::extract::{Extractor, Res};
use super::resolve::scalar_text;
use crate::iac::Document;
use crate::json::{Member, Node, Value};
use crate::policy::PolicyKind;
use crate::source::Span;

fn s(span: Span, text: impl Into<String>) -> Node {
    Node {
        span,
        value: Value::String(text.into()),
    }
}

fn obj(span: Span, members: Vec<(&str, Node)>) -> Node {
    Node {
        span,
        value: Value::Object(
            members
                .into_iter()
                .map(|(k, v)| Member {
                    key: k.to_string(),
                    key_span: v.span,
                    value: v,
                })
                .collect(),
        ),
    }
}

impl Extractor<'_> {
    pub(super) fn lambda_permission(&mut self, res: &Res) {
        let o = self.r.options().clone();
        let at = |name: &str| res.prop(name).map_or(res.span, |n| n.span);
        let text = |name: &str| res.prop(name).and_then(scalar_text);
        let function = text("FunctionName").unwrap_or_default();
        let arn = if function.starts_with("arn:") {
            function
        } else if let Some((account, rest)) = function.split_once(":function:") {
            // The partial ARN form ACCOUNT:function:NAME.
            format!(
                "arn:{}:lambda:{}:{account}:function:{rest}",
                o.partition, o.region
            )
        } else {
            format!(
                "arn:{}:lambda:{}:{}:function:{function}",
                o.partition, o.region, o.account
            )
        };
        let principal = text("Principal").unwrap_or_default();
        let pspan = at("Principal");
        let principal_node = if principal == "*" {
            s(pspan, "*")
        } else if principal.len() == 12 && principal.bytes().all(|b| b.is_ascii_digit()) {
            obj(
                pspan,
                vec![(
                    "AWS",
                    s(pspan, format!("arn:{}:iam::{principal}:root", o.partition)),
                )],
            )
        } else if principal.starts_with("arn:") || !principal.contains('.') {
            obj(pspan, vec![("AWS", s(pspan, principal))])
        } else {
            obj(pspan, vec![("Service", s(pspan, principal))])
        };
        let mut equals = Vec::new();
        for (prop, key) in [
            ("SourceAccount", "AWS:SourceAccount"),
            ("PrincipalOrgID", "aws:PrincipalOrgID"),
            ("FunctionUrlAuthType", "lambda:FunctionUrlAuthType"),
            ("EventSourceToken", "lambda:EventSourceToken"),
        ] {
            if let Some(v) = text(prop) {
                equals.push((key, s(at(prop), v)));
            }
        }
        let mut condition = Vec::new();
        if !equals.is_empty() {
            condition.push(("StringEquals", obj(res.span, equals)));
        }
        if let Some(v) = text("SourceArn") {
            let span = at("SourceArn");
            condition.push(("ArnLike", obj(span, vec![("AWS:SourceArn", s(span, v))])));
        }
        let mut statement = vec![
            ("Sid", s(res.span, res.id)),
            ("Effect", s(res.span, "Allow")),
            ("Principal", principal_node),
            (
                "Action",
                s(at("Action"), text("Action").unwrap_or_default()),
            ),
            ("Resource", s(at("FunctionName"), arn.clone())),
        ];
        if !condition.is_empty() {
            statement.push(("Condition", obj(res.span, condition)));
        }
        let span = res.props.span;
        let doc = obj(
            span,
            vec![
                ("Version", s(span, "2012-10-17")),
                (
                    "Statement",
                    Node {
                        span,
                        value: Value::Array(vec![obj(span, statement)]),
                    },
                ),
            ],
        );
        let name = format!("{}/Permission", res.id);
        self.push(
            res,
            name,
            PolicyKind::Resource,
            Document::Inline(doc),
            Vec::new(),
            Some(arn),
            false,
        );
        // Named as pushed (made unique there).
        if let Some(p) = self.inv.policies.last() {
            self.inv.synthesised.push(p.name.clone());
        }
    }
}
