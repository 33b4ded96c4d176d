//! Resource policies (bucket, key, queue, topic, secret, repository), each with the ARN
//! of the resource it is on (an ARN built from a name in the plan's partition, region
//! and account: [`super::place`]), and AWS Organizations' SCPs and RCPs. Lambda
//! permissions are [`super::lambda`]'s.

use super::plan::{get_str, is_unknown, unknown_child};
use super::{FoundPolicy, Reader};
use crate::policy::PolicyKind;

/// Where a resource policy's resource ARN comes from.
#[derive(Clone, Copy)]
enum ArnFrom {
    /// An attribute holding the ARN.
    Arn(&'static str),
    /// An attribute holding a bucket name.
    Bucket(&'static str),
    /// An attribute holding a queue URL.
    QueueUrl(&'static str),
    /// An attribute holding an ECR repository name.
    Repository(&'static str),
}

/// The resource types whose policy this module reads: type, policy attribute, ARN.
const RESOURCE_POLICIES: &[(&str, &str, ArnFrom)] = &[
    ("aws_s3_bucket_policy", "policy", ArnFrom::Bucket("bucket")),
    ("aws_s3_bucket", "policy", ArnFrom::Arn("arn")),
    ("aws_kms_key", "policy", ArnFrom::Arn("arn")),
    (
        "aws_sqs_queue_policy",
        "policy",
        ArnFrom::QueueUrl("queue_url"),
    ),
    ("aws_sqs_queue", "policy", ArnFrom::Arn("arn")),
    ("aws_sns_topic_policy", "policy", ArnFrom::Arn("arn")),
    ("aws_sns_topic", "policy", ArnFrom::Arn("arn")),
    (
        "aws_secretsmanager_secret_policy",
        "policy",
        ArnFrom::Arn("secret_arn"),
    ),
    ("aws_secretsmanager_secret", "policy", ArnFrom::Arn("arn")),
    (
        "aws_ecr_repository_policy",
        "policy",
        ArnFrom::Repository("repository"),
    ),
];

impl Reader<'_> {
    /// Reads resource `i` if it is one of this module's types; false otherwise.
    pub(super) fn resource_policy(&mut self, i: usize) -> bool {
        let r = &self.resources[i];
        if r.kind == "aws_organizations_policy" {
            self.organizations_policy(i);
            return true;
        }
        if r.kind == "aws_lambda_permission" {
            self.lambda_permission(i);
            return true;
        }
        let Some(&(_, attribute, from)) = RESOURCE_POLICIES.iter().find(|(t, ..)| *t == r.kind)
        else {
            return false;
        };
        let (address, values, unknown) = (r.address.clone(), r.values, r.unknown);
        // A queue's, topic's or bucket's own `policy` is computed when the
        // configuration does not set it (a separate *_policy resource, or AWS's
        // default): unknown then says nothing.
        if is_unknown(unknown_child(unknown, attribute))
            && self.config.sets(&r.config_key, attribute) == Some(false)
        {
            return true;
        }
        let what = format!("{address}.{attribute}");
        if let Some(document) = self.document(i, values, unknown, attribute, &what) {
            let arn = self.resource_arn(i, from);
            self.push(FoundPolicy {
                name: address.clone(),
                origin: address,
                kind: PolicyKind::Resource,
                trust: false,
                document,
                attached_to: Vec::new(),
                resource_arn: Some(arn),
                condition: None,
            });
        }
        true
    }

    /// The ARN of the resource that resource `i`'s policy is on.
    fn resource_arn(&self, i: usize, from: ArnFrom) -> String {
        let r = &self.resources[i];
        let attribute = match from {
            ArnFrom::Arn(a)
            | ArnFrom::Bucket(a)
            | ArnFrom::QueueUrl(a)
            | ArnFrom::Repository(a) => a,
        };
        if let Some(value) = get_str(r.values, attribute).filter(|v| !v.is_empty()) {
            let derived = match from {
                ArnFrom::Arn(_) => Some(value.to_string()),
                // In the plan's partition (and region and account): super::place.
                ArnFrom::Bucket(_) => Some(format!("arn:{}:s3:::{value}", self.place.partition)),
                ArnFrom::QueueUrl(_) => queue_arn(value),
                ArnFrom::Repository(_) => {
                    let place = &self.place;
                    let account = get_str(r.values, "registry_id")
                        .filter(|a| !a.is_empty())
                        .unwrap_or(&place.account);
                    Some(format!(
                        "arn:{}:ecr:{}:{account}:repository/{value}",
                        place.partition, place.region
                    ))
                }
            };
            if let Some(arn) = derived {
                return arn;
            }
        }
        // Known only after apply: the ARN of the resource the configuration names.
        if let Some(&j) = self.referenced(i, attribute).first() {
            let target = &self.resources[j];
            return match get_str(target.values, "arn") {
                Some(arn) => arn.to_string(),
                None => Self::missing(target, "arn"),
            };
        }
        Self::missing(r, attribute)
    }

    /// `aws_organizations_policy`: an SCP or RCP by its `type`; other types are not
    /// IAM policies.
    fn organizations_policy(&mut self, i: usize) {
        let r = &self.resources[i];
        let (address, values, unknown, span) = (r.address.clone(), r.values, r.unknown, r.span);
        let kind = match get_str(values, "type") {
            // The provider's default.
            None if !is_unknown(unknown_child(unknown, "type")) => PolicyKind::Scp,
            Some("SERVICE_CONTROL_POLICY") => PolicyKind::Scp,
            Some("RESOURCE_CONTROL_POLICY") => PolicyKind::Rcp,
            Some(other) => {
                let other = other.to_string();
                self.note(
                    span,
                    format!("{address}: an Organizations {other}: not an IAM policy, not read"),
                );
                return;
            }
            None => {
                self.note(
                    span,
                    format!("{address}: its policy type is known only after apply: not read"),
                );
                return;
            }
        };
        let what = format!("{address}.content");
        if let Some(document) = self.document(i, values, unknown, "content", &what) {
            self.push(FoundPolicy {
                name: address.clone(),
                origin: address,
                kind,
                trust: false,
                document,
                attached_to: Vec::new(),
                resource_arn: None,
                condition: None,
            });
        }
    }
}

/// `https://sqs.REGION.amazonaws.com/ACCOUNT/NAME` → `arn:aws:sqs:REGION:ACCOUNT:NAME`.
fn queue_arn(url: &str) -> Option<String> {
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))?;
    let mut parts = rest.split('/');
    let host = parts.next()?;
    let account = parts.next()?;
    let name = parts.next()?;
    let region = host.strip_prefix("sqs.")?.split('.').next()?;
    let partition = if host.ends_with(".amazonaws.com.cn") {
        "aws-cn"
    } else if region.starts_with("us-gov-") {
        "aws-us-gov"
    } else {
        "aws"
    };
    let region_ok = !region.is_empty()
        && region
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-');
    if account.is_empty() || name.is_empty() || !region_ok {
        return None;
    }
    Some(format!("arn:{partition}:sqs:{region}:{account}:{name}"))
}

#[cfg(test)]
mod tests {
    use super::queue_arn;

    #[test]
    fn queue_urls_become_arns() {
        assert_eq!(
            queue_arn("https://sqs.eu-west-1.amazonaws.com/111122223333/jobs").as_deref(),
            Some("arn:aws:sqs:eu-west-1:111122223333:jobs")
        );
        assert_eq!(
            queue_arn("https://sqs.us-gov-west-1.amazonaws.com/111122223333/q").as_deref(),
            Some("arn:aws-us-gov:sqs:us-gov-west-1:111122223333:q")
        );
        assert_eq!(queue_arn("jobs"), None);
        assert_eq!(queue_arn("https://example.com/1/q"), None);
    }
}
