//! Resource policies (S3 bucket, KMS key, SQS queue, SNS topic, Secrets Manager
//! secret), Organizations policies (SCP, RCP), and the notes for resource types whose
//! policies are not read.

use super::extract::{Extractor, Res};
use super::get;
use super::names::url_suffix;
use super::resolve::scalar_text;
use crate::iac::placeholder;
use crate::json::{Node, Value};
use crate::policy::PolicyKind;

/// Resource types holding a policy-like document that is not read, with the property
/// and why.
const NOT_READ: &[(&str, &str, &str)] = &[
    (
        "AWS::IoT::Policy",
        "PolicyDocument",
        "an IoT policy has its own grammar",
    ),
    (
        "AWS::ECR::Repository",
        "RepositoryPolicyText",
        "ECR repository policies are not read yet",
    ),
    (
        "AWS::Logs::ResourcePolicy",
        "PolicyDocument",
        "CloudWatch Logs resource policies are not read yet",
    ),
    (
        "AWS::Events::EventBusPolicy",
        "Statement",
        "EventBridge bus policies are not read yet",
    ),
    (
        "AWS::Elasticsearch::Domain",
        "AccessPolicies",
        "domain access policies are not read yet",
    ),
    (
        "AWS::OpenSearchService::Domain",
        "AccessPolicies",
        "domain access policies are not read yet",
    ),
    (
        "AWS::ApiGateway::RestApi",
        "Policy",
        "API Gateway resource policies are not read yet",
    ),
    (
        "AWS::Backup::BackupVault",
        "AccessPolicy",
        "backup vault policies are not read yet",
    ),
    (
        "AWS::EFS::FileSystem",
        "FileSystemPolicy",
        "file system policies are not read yet",
    ),
    (
        "AWS::S3::AccessPoint",
        "Policy",
        "access point policies are not read yet",
    ),
    (
        "AWS::EC2::VPCEndpoint",
        "PolicyDocument",
        "VPC endpoint policies are not read yet",
    ),
    (
        "AWS::Serverless::Api",
        "Auth",
        "SAM API resource policies are not read",
    ),
    (
        "AWS::CodeArtifact::Repository",
        "PermissionsPolicyDocument",
        "CodeArtifact policies are not read yet",
    ),
    (
        "AWS::Glue::ResourcePolicy",
        "PolicyInJson",
        "Glue resource policies are not read yet",
    ),
    (
        "AWS::SSO::PermissionSet",
        "InlinePolicy",
        "IAM Identity Center permission sets are not read yet",
    ),
];

impl Extractor<'_> {
    /// Resource policies and Organizations policies; a note for a type holding a
    /// policy that is not read.
    pub(super) fn resource_policy(&mut self, res: &Res) {
        match res.ty {
            "AWS::S3::BucketPolicy" => {
                let bucket = res.text("Bucket");
                let arn = bucket.map(|b| {
                    if b.starts_with("arn:") {
                        b
                    } else {
                        format!("arn:{}:s3:::{b}", self.r.options().partition)
                    }
                });
                self.resource_doc(res, "PolicyDocument", vec![arn]);
            }
            "AWS::KMS::Key" | "AWS::KMS::ReplicaKey" => {
                if res.prop("KeyPolicy").is_none() {
                    self.note(
                        res.span,
                        format!("{} has no KeyPolicy: the default key policy applies (the account's root has kms:*, so IAM policies of the account decide)", res.id),
                    );
                    return;
                }
                let arn = self.r.identity(res.id).and_then(|(_, _, arn)| arn);
                self.resource_doc(res, "KeyPolicy", vec![arn]);
            }
            "AWS::SQS::QueuePolicy" => {
                let arns = self.targets(res, "Queues", |x, url| x.queue_arn(url));
                self.resource_doc(res, "PolicyDocument", arns);
            }
            "AWS::SNS::TopicPolicy" => {
                let arns = self.targets(res, "Topics", |_, arn| arn.to_string());
                self.resource_doc(res, "PolicyDocument", arns);
            }
            "AWS::SecretsManager::ResourcePolicy" => {
                let arn = res.text("SecretId");
                self.resource_doc(res, "ResourcePolicy", vec![arn]);
            }
            "AWS::Organizations::Policy" => self.organizations(res),
            ty => {
                if let Some((_, prop, why)) = NOT_READ
                    .iter()
                    .find(|(t, p, _)| *t == ty && res.raw_prop(p).is_some())
                {
                    let at = res.raw_prop(prop).map_or(res.span, |n| n.span);
                    self.note(at, format!("{} ({ty}) {prop}: not read — {why}", res.id));
                    return;
                }
                // Any other property that looks like a policy is said, not dropped.
                let looks: Vec<(String, Node)> = res
                    .raw
                    .map(super::resolve::members)
                    .unwrap_or_default()
                    .iter()
                    .filter(|m| {
                        let k = m.key.as_str();
                        k.ends_with("PolicyDocument")
                            || (k.ends_with("Policy") && has_statement(&m.value))
                    })
                    .map(|m| (m.key.clone(), m.value.clone()))
                    .collect();
                for (key, node) in looks {
                    self.note(
                        node.span,
                        format!(
                            "{} ({ty}) {key}: a policy on a resource type that is not read",
                            res.id
                        ),
                    );
                }
            }
        }
    }

    /// The resource ARNs a QueuePolicy's `Queues` or a TopicPolicy's `Topics` name.
    fn targets(
        &mut self,
        res: &Res,
        prop: &str,
        to_arn: impl Fn(&Self, &str) -> String,
    ) -> Vec<Option<String>> {
        match res.prop(prop).map(|n| &n.value) {
            Some(Value::Array(items)) => items
                .iter()
                .map(|i| scalar_text(i).map(|t| to_arn(self, &t)))
                .collect(),
            Some(_) => vec![res.text(prop).map(|t| to_arn(self, &t))],
            None => vec![None],
        }
    }

    /// A queue's ARN from its URL (`https://sqs.REGION.amazonaws.com/ACCOUNT/NAME`).
    fn queue_arn(&self, url: &str) -> String {
        let o = self.r.options();
        let rest = url
            .strip_prefix("https://")
            .or_else(|| url.strip_prefix("http://"));
        let parts: Option<(&str, &str, &str)> = rest.and_then(|r| {
            let mut it = r.split('/');
            let host = it.next()?;
            let account = it.next()?;
            let name = it.next()?;
            Some((host, account, name))
        });
        match parts {
            Some((host, account, name)) => {
                let region = host
                    .strip_prefix("sqs.")
                    .and_then(|h| h.strip_suffix(url_suffix(&o.partition)))
                    .map(|r| r.trim_end_matches('.'))
                    .filter(|r| !r.is_empty())
                    .unwrap_or(&o.region);
                format!("arn:{}:sqs:{region}:{account}:{name}", o.partition)
            }
            None => placeholder::make(&format!("queue ARN of {url}")),
        }
    }

    /// One resource policy document on each of `arns` (a queue or topic policy covers
    /// several: one found policy each).
    fn resource_doc(&mut self, res: &Res, prop: &str, arns: Vec<Option<String>>) {
        let Some(doc) = res.prop(prop).cloned() else {
            self.note(res.span, format!("{} has no {prop}: not read", res.id));
            return;
        };
        let name = format!("{}/{prop}", res.id);
        let several = arns.len() > 1;
        for (i, arn) in arns.into_iter().enumerate() {
            let name = if several {
                format!("{name}/{i}")
            } else {
                name.clone()
            };
            let document = self.document(&doc, &name);
            self.push(
                res,
                name,
                PolicyKind::Resource,
                document,
                Vec::new(),
                arn,
                false,
            );
        }
    }

    /// `AWS::Organizations::Policy`: SCPs and RCPs; other types are not IAM policies.
    fn organizations(&mut self, res: &Res) {
        let ty = res.text("Type").unwrap_or_default();
        let kind = match ty.as_str() {
            "SERVICE_CONTROL_POLICY" => PolicyKind::Scp,
            "RESOURCE_CONTROL_POLICY" => PolicyKind::Rcp,
            other => {
                let at = res.prop("Type").map_or(res.span, |n| n.span);
                self.note(
                    at,
                    format!("{}: an Organizations policy of type {other} is not an IAM policy: not read", res.id),
                );
                return;
            }
        };
        let Some(doc) = res.prop("Content").cloned() else {
            self.note(res.span, format!("{} has no Content: not read", res.id));
            return;
        };
        let name = format!("{}/Content", res.id);
        let document = self.document(&doc, &name);
        self.push(res, name, kind, document, Vec::new(), None, false);
    }
}

/// Whether `node` looks like a policy document (an object with a `Statement`).
fn has_statement(node: &Node) -> bool {
    get(node, "Statement").is_some()
}
