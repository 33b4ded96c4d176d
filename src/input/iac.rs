//! Templates and plans read as one principal's scenario: the file's [`Inventory`]
//! (CloudFormation through [`crate::iac::cfn`], Terraform through
//! [`crate::iac::terraform`]) assembled for the user or role `--principal` names
//! ([`crate::iac::assemble`]). Without a principal the choices are listed.

use super::{Kind, LoadOptions, Loaded};
use crate::iac::assemble::{Assembled, Decoded, all_policies, assemble_decoded, choices};
use crate::iac::{Inventory, Side, terraform};
use crate::scenario::LoadError;
use crate::source::{Diagnostic, SourceId, SourceMap};

/// A template or plan read: its inventory, and the policies decoded from its strings.
pub struct Read {
    /// The principals, policies and notes.
    pub inventory: Inventory,
    /// The texts decoded from strings, by id (a template's policy strings).
    pub decoded: Vec<(SourceId, String)>,
    /// Where those strings are.
    pub map: SourceMap,
}

/// The inventory of a template or plan `text` of `kind`, for `options`' side and
/// parameters.
pub fn inventory(kind: Kind, text: &str, options: &LoadOptions) -> Result<Inventory, LoadError> {
    read(kind, text, options).map(|r| r.inventory)
}

/// A template or plan `text` of `kind` read, for `options`' side and parameters.
pub fn read(kind: Kind, text: &str, options: &LoadOptions) -> Result<Read, LoadError> {
    match kind {
        Kind::TerraformPlan => terraform::read(text, options.side)
            .map(|inventory| Read {
                inventory,
                decoded: Vec::new(),
                map: SourceMap::default(),
            })
            .map_err(LoadError::in_file),
        Kind::CloudFormation => {
            let cfn = cfn_options(&options.parameters);
            crate::iac::cfn::read(text, &cfn)
                .map(|t| Read {
                    inventory: t.inventory,
                    decoded: t.decoded,
                    map: t.source_map,
                })
                .map_err(LoadError::in_file)
        }
        _ => Err(LoadError::in_file(vec![Diagnostic::error(
            crate::iac::assemble::FILE_START,
            format!("{} is not a template or a plan", kind.describe()),
        )])),
    }
}

/// The options a template is read with: `--parameter` values, where the pseudo
/// parameters (`AWS::Partition`, `AWS::Region`, `AWS::AccountId`, `AWS::StackName`,
/// `AWS::StackId`) set what CloudFormation would give; a region gives its partition
/// (`cn-north-1` → `aws-cn`) unless `AWS::Partition` is given too.
pub fn cfn_options(parameters: &[(String, String)]) -> crate::iac::cfn::CfnOptions {
    let mut cfn = crate::iac::cfn::CfnOptions::default();
    let mut partition = None;
    for (key, value) in parameters {
        match key.as_str() {
            "AWS::Partition" => partition = Some(value.clone()),
            "AWS::Region" => cfn.region = value.clone(),
            "AWS::AccountId" => cfn.account = value.clone(),
            "AWS::StackName" => cfn.stack_name = Some(value.clone()),
            "AWS::StackId" => cfn.stack_id = Some(value.clone()),
            _ => {
                cfn.parameters.insert(key.clone(), value.clone());
            }
        }
    }
    cfn.partition = partition
        .or_else(|| crate::iac::partition_of_region(&cfn.region).map(String::from))
        .unwrap_or(cfn.partition);
    cfn
}

/// A template or plan as the scenario of `options.principal`.
pub(super) fn load(kind: Kind, text: &str, options: &LoadOptions) -> Result<Loaded, LoadError> {
    let read = read(kind, text, options)?;
    let inv = &read.inventory;
    let decoded = Decoded {
        texts: &read.decoded,
        map: Some(&read.map),
    };
    let shown = format!(
        "the {}{}",
        kind.describe().trim_start_matches("a "),
        match (kind, options.side) {
            (Kind::TerraformPlan, Side::Before) => " (before the change)",
            (Kind::TerraformPlan, Side::After) => " (after the change)",
            _ => "",
        }
    );
    let loaded = |a: Assembled| Loaded {
        kind,
        scenario: a.scenario,
        skipped: Vec::new(),
        read_as: None,
        notes: a.notes,
        policy_errors: a.policy_errors,
    };
    if options.principal.is_none() && options.all_policies {
        return all_policies(inv, text, decoded, &shown).map(loaded);
    }
    let Some(principal) = options.principal.as_deref() else {
        let what = match kind {
            Kind::TerraformPlan => "a Terraform plan",
            _ => "a CloudFormation template",
        };
        let list = choices(inv);
        let message = if list.is_empty() {
            format!(
                "this is {what} with no user or role: nothing to evaluate as (iamtrace lint reads its policies)"
            )
        } else {
            format!(
                "this is {what}: choose whose policies to evaluate (--principal LOGICAL_ID|ADDRESS|NAME): {}",
                list.join(", ")
            )
        };
        return Err(LoadError::in_file(vec![Diagnostic::error(
            crate::iac::assemble::FILE_START,
            message,
        )]));
    };
    assemble_decoded(inv, text, decoded, principal, &shown).map(loaded)
}
