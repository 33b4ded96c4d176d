//! SAM functions and state machines (`AWS::Serverless::Function`,
//! `AWS::Serverless::StateMachine`) read as written, without running the SAM
//! transform: without a `Role`, SAM creates the role `LOGICAL_IDRole`, which is added
//! as a principal holding the `Policies` (inline documents, managed policies by name or
//! ARN; a function's role also gets `AWSLambdaBasicExecutionRole`, as SAM adds it) and
//! the `PermissionsBoundary`. SAM policy templates (`S3ReadPolicy: {BucketName: …}`)
//! are not expanded: each is a note at its place.

use super::extract::{Extractor, Res};
use super::get;
use super::resolve::members;
use crate::iac::{Document, PrincipalKind};
use crate::json::{Node, Value};
use crate::policy::PolicyKind;

/// The AWS managed policies SAM functions name most that live under the
/// `service-role/` path; other names are taken to be at the root path, as most are
/// (SAM itself looks names up in IAM).
const SERVICE_ROLE: &[&str] = &[
    "AWSLambdaBasicExecutionRole",
    "AWSLambdaVPCAccessExecutionRole",
    "AWSLambdaRole",
    "AWSLambdaDynamoDBExecutionRole",
    "AWSLambdaKinesisExecutionRole",
    "AWSLambdaSQSQueueExecutionRole",
    "AWSLambdaMSKExecutionRole",
    "AWSLambdaENIManagementAccess",
    "AWSIoTRuleActions",
    "AWSConfigRulesExecutionRole",
];

impl Extractor<'_> {
    pub(super) fn sam(&mut self, res: &Res) {
        let policies = res.prop("Policies").cloned();
        if res.prop("Role").is_some() {
            if let Some(p) = &policies {
                self.note(
                    p.span,
                    format!(
                        "{}: Role is given, so SAM creates no role and these Policies are not read",
                        res.id
                    ),
                );
            }
            return;
        }
        let role = format!("{}Role", res.id);
        self.add_principal(&role, PrincipalKind::Role, res.span);
        let me = vec![role.clone()];
        let partition = self.r.options().partition.clone();
        if res.ty == "AWS::Serverless::Function" {
            let arn =
                format!("arn:{partition}:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole");
            self.push(
                res,
                format!("{role}/AWSLambdaBasicExecutionRole"),
                PolicyKind::Identity,
                Document::Managed {
                    arn,
                    span: res.span,
                },
                me.clone(),
                None,
                false,
            );
        }
        self.managed_arns(res, "PermissionsBoundary", PolicyKind::Boundary, &me);
        let Some(policies) = policies else { return };
        let items: Vec<Node> = match policies.value {
            Value::Array(items) => items,
            _ => vec![policies],
        };
        for (i, item) in items.iter().enumerate() {
            let name = format!("{}/Policies/{i}", res.id);
            match &item.value {
                Value::String(s) => {
                    let arn = if s.starts_with("arn:") {
                        s.clone()
                    } else {
                        let path = if SERVICE_ROLE.contains(&s.as_str()) {
                            "service-role/"
                        } else {
                            ""
                        };
                        format!("arn:{partition}:iam::aws:policy/{path}{s}")
                    };
                    let document = Document::Managed {
                        arn,
                        span: item.span,
                    };
                    self.push(res, name, PolicyKind::Identity, document, me.clone(), None, false);
                }
                Value::Object(_) if get(item, "Statement").is_some() => {
                    let document = self.document(item, &name);
                    self.push(res, name, PolicyKind::Identity, document, me.clone(), None, false);
                }
                Value::Object(m) if m.len() == 1 => {
                    let template = &members(item)[0];
                    self.note(
                        template.key_span,
                        format!(
                            "{}: SAM policy template {} not expanded",
                            res.id, template.key
                        ),
                    );
                }
                _ => self.note(
                    item.span,
                    format!(
                        "{}: this Policies entry is neither a policy name or ARN, a document nor a SAM policy template: not read",
                        res.id
                    ),
                ),
            }
        }
    }
}
