//! `arn-format`: the partition, region and account of each resource ARN against the
//! catalog's ARN templates for its service (S3 buckets and objects have neither region
//! nor account; an EC2 instance has both) and against the partitions and regions AWS
//! has. A well-formed region the table does not know is a warning (it may be newer
//! than the table); a malformed one, an unknown partition or an account that is not 12
//! digits (or `aws`, the owner of AWS managed policies) is an error: the ARN names no
//! resource.

use super::super::{Finding, Severity};
use super::resources::Glob;
use crate::catalog::catalog;
use crate::catalog::regions;
use crate::policy::Statement;
use std::collections::HashMap;
use std::sync::OnceLock;

/// An ARN's six parts; the last holds any further colons. A colon inside a `${…}`
/// variable does not split.
fn split6(arn: &str) -> Option<[&str; 6]> {
    let b = arn.as_bytes();
    let mut parts = [""; 6];
    let (mut start, mut n, mut i) = (0, 0, 0);
    while i < b.len() && n < 5 {
        if b[i] == b'$' && b.get(i + 1) == Some(&b'{') {
            if let Some(end) = b[i..].iter().position(|&c| c == b'}') {
                i += end + 1;
                continue;
            }
        }
        if b[i] == b':' {
            parts[n] = &arn[start..i];
            n += 1;
            start = i + 1;
        }
        i += 1;
    }
    if n < 5 {
        return None;
    }
    parts[5] = &arn[start..];
    Some(parts)
}

/// A segment a wildcard, variable or placeholder (an unresolved template value)
/// stands in (nothing can be said of it).
fn open(segment: &str) -> bool {
    segment.contains(['*', '?', '$']) || crate::iac::placeholder::contains(segment)
}

/// A catalog template's parts, for one service segment.
struct Template {
    /// The region part: empty, a placeholder or literal text.
    region: &'static str,
    /// The account part.
    account: &'static str,
    /// The resource part, compiled.
    resource: Glob,
}

/// The catalog's ARN templates by service segment (lower-case), built once.
fn templates() -> &'static HashMap<String, Vec<Template>> {
    static INDEX: OnceLock<HashMap<String, Vec<Template>>> = OnceLock::new();
    INDEX.get_or_init(|| {
        let mut index: HashMap<String, Vec<Template>> = HashMap::new();
        let mut seen = std::collections::HashSet::new();
        for service in catalog().services() {
            for rt in &service.resource_types {
                for format in rt.arn_formats() {
                    let Some([_, _, svc, region, account, resource]) = split6(format) else {
                        continue;
                    };
                    if open(svc) || !seen.insert(format) {
                        continue;
                    }
                    index
                        .entry(svc.to_ascii_lowercase())
                        .or_default()
                        .push(Template {
                            region,
                            account,
                            resource: Glob::template(resource),
                        });
                }
            }
        }
        index
    })
}

/// Whether a template part (empty, `${…}` or literal) admits this literal segment. An
/// empty segment where the template has a placeholder is admitted: AWS owns resources
/// written so (public SSM parameters and documents, `arn:aws:ssm:*::parameter/aws/…`).
fn part_admits(template: &str, segment: &str) -> bool {
    if segment.is_empty() {
        true
    } else if template.is_empty() {
        false
    } else {
        template.contains("${") || template == segment
    }
}

/// Checks every resource ARN of the statement.
pub(super) fn arn_formats(st: &Statement, out: &mut Vec<Finding>) {
    let Some(res) = &st.resource else {
        return;
    };
    for item in &res.items {
        let text = &*item.text;
        if !text.starts_with("arn:") {
            continue;
        }
        let Some([_, partition, service, region, account, resource]) = split6(text) else {
            if !open(text) {
                out.push(Finding::new(
                    "arn-format",
                    item.span,
                    format!("\"{text}\" is not an ARN: it has fewer than the six parts arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE"),
                ));
            }
            continue;
        };
        let mut errors: Vec<String> = Vec::new();
        let mut warnings: Vec<String> = Vec::new();
        if !open(partition) && !regions::is_partition(partition) {
            errors.push(format!(
                "\"{partition}\" is not an AWS partition (aws, aws-cn, aws-us-gov, …)"
            ));
        }
        let candidates: Vec<&Template> = if open(service) {
            Vec::new()
        } else {
            let resource = Glob::policy(resource);
            templates()
                .get(&service.to_ascii_lowercase())
                .map(|ts| {
                    ts.iter()
                        .filter(|t| resource.overlaps(&t.resource))
                        .collect()
                })
                .unwrap_or_default()
        };
        let known_service = !candidates.is_empty();
        if !open(region) {
            if known_service && !candidates.iter().any(|t| part_admits(t.region, region)) {
                errors.push(format!(
                    "{service} ARNs of this kind have no region, and this one names \"{region}\""
                ));
            } else if !region.is_empty() {
                if !regions::well_formed(region) {
                    errors.push(format!(
                        "\"{region}\" is not a region name (like us-east-1)"
                    ));
                } else if let Some(r) = regions::region(region) {
                    if !open(partition)
                        && regions::is_partition(partition)
                        && r.partition != partition
                    {
                        errors.push(format!(
                            "region {region} is in partition {}, not {partition}",
                            r.partition
                        ));
                    }
                } else {
                    warnings.push(format!(
                        "\"{region}\" is not a region the table of AWS regions lists (it may be newer than the table)"
                    ));
                }
            }
        }
        if !open(account) {
            if known_service && !candidates.iter().any(|t| part_admits(t.account, account)) {
                errors.push(format!(
                    "{service} ARNs of this kind have no account, and this one names \"{account}\""
                ));
            } else if !account.is_empty()
                && account != "aws"
                && !(account.len() == 12 && account.bytes().all(|b| b.is_ascii_digit()))
                && (!known_service || candidates.iter().any(|t| t.account.contains("${")))
            {
                errors.push(format!(
                    "\"{account}\" is not an account id (12 digits, or aws for AWS's own resources)"
                ));
            }
        }
        if errors.is_empty() && warnings.is_empty() {
            continue;
        }
        let severity = if errors.is_empty() {
            Severity::Warning
        } else {
            Severity::Error
        };
        errors.extend(warnings);
        let mut f = Finding::new(
            "arn-format",
            item.span,
            format!("\"{text}\": {}", errors.join("; ")),
        );
        f.severity = severity;
        out.push(f);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_into_six_parts_past_variables() {
        assert_eq!(
            split6("arn:aws:s3:::b/k:x"),
            Some(["arn", "aws", "s3", "", "", "b/k:x"])
        );
        assert_eq!(
            split6("arn:${aws:Partition}:ec2:r:a:instance/*"),
            Some(["arn", "${aws:Partition}", "ec2", "r", "a", "instance/*"])
        );
        assert_eq!(split6("arn:aws:s3"), None);
        assert_eq!(split6("arn:aws:${x"), None);
    }
}
