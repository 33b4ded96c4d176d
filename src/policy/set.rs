//! A policy set: every policy of a scenario with its type, SCP/RCP level and resource
//! attachment, ready for evaluation.

use super::pattern::Pattern;
use super::{Policy, PolicyKind};
use std::sync::Arc;

/// A policy with where it sits.
#[derive(Debug, Clone, PartialEq)]
pub struct PolicyEntry {
    /// Policy type.
    pub kind: PolicyKind,
    /// A name for people (given, or made from its type and position).
    pub name: Arc<str>,
    /// For SCPs and RCPs: the index of the level in [`PolicySet::scp_levels`] or
    /// [`PolicySet::rcp_levels`].
    pub level: Option<usize>,
    /// For resource policies: the resource pattern it is attached to (`None`: every
    /// request).
    pub attached_to: Option<AttachedTo>,
    /// The parsed policy.
    pub policy: Policy,
}

/// A resource policy's `attachedTo`.
#[derive(Debug, Clone, PartialEq)]
pub struct AttachedTo {
    /// As written.
    pub text: String,
    /// Compiled (wildcards, case-sensitive).
    pub pattern: Pattern,
}

/// Every policy that may take part in a decision.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PolicySet {
    /// The policies, in scenario order.
    pub policies: Vec<PolicyEntry>,
    /// SCP level names from the organization root down to the account. Empty: the
    /// account is not governed by SCPs.
    pub scp_levels: Vec<String>,
    /// RCP level names. Empty: no RCPs.
    pub rcp_levels: Vec<String>,
    /// The organization's management account (SCPs and RCPs do not apply to it).
    pub management_account: Option<String>,
    /// Service prefixes RCPs apply to (lower-case).
    pub rcp_services: Vec<String>,
}

impl AttachedTo {
    /// An `attachedTo` compiled: wildcards, no variables, case-sensitive.
    pub fn new(text: &str) -> Self {
        AttachedTo {
            pattern: super::compile_resource(text, super::Version::V2008),
            text: text.to_string(),
        }
    }
}

/// The services RCPs apply to, from `assets/catalog/rcp-services.txt`.
pub fn default_rcp_services() -> Vec<String> {
    include_str!("../../assets/catalog/rcp-services.txt")
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(str::to_string)
        .collect()
}

impl PolicySet {
    /// An empty set with the default RCP service list.
    pub fn new() -> Self {
        PolicySet {
            rcp_services: default_rcp_services(),
            ..Default::default()
        }
    }
}
