//! Where a plan's resources live: the partition, region and account that ARNs built
//! from names (a bucket's, a function's) are written in. A plan does not say them in one
//! place, so they are taken from what it holds, most direct first:
//!
//! - the data sources `aws_partition` (`partition`), `aws_region` (`name`, or `region`
//!   in provider 6) and `aws_caller_identity` (`account_id`);
//! - the AWS provider's `region` in the configuration (a constant, or a variable whose
//!   value the plan records), for the region and the partition that region is in;
//! - the ARNs of the plan's own resources (their `arn` attribute), when they all agree.
//!
//! A partition found nowhere is `aws`; a region or account found nowhere is a
//! placeholder (`⟦region⟧`, `⟦account⟧`).

use super::placeholder;
use super::plan::{Resource, Shape, get, get_str, members};
use crate::iac::partition_of_region;
use crate::json::{Node, Value};

/// The partition, region and account of a plan's resources.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Place {
    /// `aws`, `aws-cn`, `aws-us-gov`…
    pub partition: String,
    /// The region, or the placeholder `⟦region⟧`.
    pub region: String,
    /// The 12-digit account, or the placeholder `⟦account⟧`.
    pub account: String,
}

/// The one value every item of `values` has, if they agree and there is one.
fn agreed(values: impl Iterator<Item = String>) -> Option<String> {
    let mut found: Option<String> = None;
    for v in values {
        match &found {
            None => found = Some(v),
            Some(f) if *f == v => {}
            Some(_) => return None,
        }
    }
    found
}

/// A string attribute of the first data source of type `kind` that has it.
fn data_value(resources: &[Resource<'_>], kind: &str, attributes: &[&str]) -> Option<String> {
    resources
        .iter()
        .filter(|r| r.data && r.kind == kind)
        .find_map(|r| {
            attributes
                .iter()
                .find_map(|a| get_str(r.values, a).filter(|v| !v.is_empty()))
        })
        .map(str::to_string)
}

/// The AWS provider's `region` in a plan's configuration: a constant, or a root
/// variable's recorded value.
fn provider_region(shape: &Shape<'_>) -> Option<String> {
    let Shape::Plan(top) = shape else {
        return None;
    };
    let config = get(top, "configuration").and_then(members)?;
    let providers = get(config, "provider_config").and_then(members)?;
    // The default provider configuration is keyed `aws`; aliases are `aws.NAME`.
    let aws = get(providers, "aws").and_then(members)?;
    let region = get(aws, "expressions")
        .and_then(members)
        .and_then(|e| get(e, "region"))
        .and_then(members)?;
    if let Some(v) = get_str(region, "constant_value") {
        return Some(v.to_string());
    }
    let Some(Node {
        value: Value::Array(refs),
        ..
    }) = get(region, "references")
    else {
        return None;
    };
    let variable = refs.iter().find_map(|r| match &r.value {
        Value::String(s) => s.strip_prefix("var."),
        _ => None,
    })?;
    let variables = get(top, "variables").and_then(members)?;
    get(variables, variable)
        .and_then(members)
        .and_then(|v| get_str(v, "value"))
        .map(str::to_string)
}

impl Place {
    /// The place of the resources of one side of a plan or state.
    pub(super) fn of(shape: &Shape<'_>, resources: &[Resource<'_>]) -> Place {
        // The ARNs of the plan's own resources: arn:PARTITION:SERVICE:REGION:ACCOUNT:….
        let arns: Vec<Vec<&str>> = resources
            .iter()
            .filter_map(|r| get_str(r.values, "arn"))
            .filter(|a| a.starts_with("arn:") && !placeholder::contains(a))
            .map(|a| a.splitn(6, ':').collect::<Vec<_>>())
            .filter(|parts| parts.len() == 6)
            .collect();
        let region = data_value(resources, "aws_region", &["name", "region"])
            .or_else(|| provider_region(shape))
            .or_else(|| {
                agreed(
                    arns.iter()
                        .map(|p| p[3].to_string())
                        .filter(|r| !r.is_empty()),
                )
            });
        let partition = data_value(resources, "aws_partition", &["partition"])
            .or_else(|| {
                region
                    .as_deref()
                    .and_then(partition_of_region)
                    .map(String::from)
            })
            .or_else(|| agreed(arns.iter().map(|p| p[1].to_string())))
            .unwrap_or_else(|| "aws".to_string());
        let account = data_value(resources, "aws_caller_identity", &["account_id"]).or_else(|| {
            agreed(
                arns.iter()
                    .map(|p| p[4].to_string())
                    .filter(|a| a.len() == 12 && a.bytes().all(|b| b.is_ascii_digit())),
            )
        });
        Place {
            partition,
            region: region.unwrap_or_else(|| placeholder::make("region")),
            account: account.unwrap_or_else(|| placeholder::make("account")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_values_that_agree_are_taken() {
        let v = |xs: &[&str]| agreed(xs.iter().map(|s| s.to_string()));
        assert_eq!(v(&["a", "a"]), Some("a".into()));
        assert_eq!(v(&["a", "b"]), None);
        assert_eq!(v(&[]), None);
    }
}
