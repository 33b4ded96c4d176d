//! Policies as code: the IAM policies a CloudFormation template (JSON or YAML, CDK
//! output, SAM) or a Terraform plan (`terraform show -json`) declares, found with their
//! positions in the file and what each is attached to. Readers of each format fill one
//! [`Inventory`]; assembling one principal's request context from it (identity policies,
//! boundary, trust policy, the template's resource policies and SCPs) is shared.
//!
//! Values a template cannot resolve offline (`!GetAtt Role.Arn` of a generated name, a
//! plan's `(known after apply)`) become [`placeholder`]s: visible, never read as a
//! policy variable, and marked wherever they take part in a decision.

pub mod assemble;
pub mod cfn;
pub mod lambda;
pub mod placeholder;
pub mod terraform;

use crate::json::Node;
use crate::policy::PolicyKind;
use crate::source::{Diagnostic, Span};

/// The partition `region` is in, when its name says so (`cn-…` → `aws-cn`, `us-gov-…` →
/// `aws-us-gov`, the ISO regions likewise, any other → `aws`); `None` for no region or a
/// placeholder.
pub fn partition_of_region(region: &str) -> Option<&'static str> {
    let partitions = [
        ("cn-", "aws-cn"),
        ("us-gov-", "aws-us-gov"),
        ("us-isob-", "aws-iso-b"),
        ("us-iso-", "aws-iso"),
        ("eu-isoe-", "aws-iso-e"),
        ("us-isof-", "aws-iso-f"),
    ];
    if region.is_empty() || placeholder::contains(region) {
        return None;
    }
    Some(
        partitions
            .iter()
            .find(|(prefix, _)| region.starts_with(prefix))
            .map_or("aws", |(_, p)| p),
    )
}

/// Which side of a Terraform plan to read. Templates have one side.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Side {
    /// What exists before the change (`prior_state`, `resource_changes[].change.before`).
    Before,
    /// What the change would create (`planned_values`, `change.after`).
    #[default]
    After,
}

/// What kind of principal a template or plan declares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PrincipalKind {
    /// `AWS::IAM::User`, `aws_iam_user`.
    User,
    /// `AWS::IAM::Role`, `aws_iam_role`.
    Role,
    /// `AWS::IAM::Group`, `aws_iam_group` (not a principal itself: its policies reach
    /// its members).
    Group,
}

/// A user, role or group the file declares.
#[derive(Debug, Clone, PartialEq)]
pub struct Principal {
    /// How the file names it: a CloudFormation logical ID or a Terraform address
    /// (`module.x.aws_iam_role.app`). Unique within an [`Inventory`].
    pub id: String,
    /// Its IAM name (`RoleName`, `name`) when the file gives one, resolved.
    pub name: Option<String>,
    /// What it is.
    pub kind: PrincipalKind,
    /// Its ARN, resolved as far as the file allows (with placeholders for the rest:
    /// the account, a generated name).
    pub arn: String,
    /// For users: the ids of the groups the file puts them in.
    pub groups: Vec<String>,
    /// Where the resource is declared (its logical ID or address in the file).
    pub span: Span,
}

/// What a found policy document is, as the file gives it.
#[derive(Debug, Clone, PartialEq)]
pub enum Document {
    /// A document written in the file, intrinsic functions resolved, every node keeping
    /// the position of what it was resolved from. For a plan, the JSON inside the
    /// attribute string, with positions in the plan file (see [`crate::json`]'s
    /// decoded-string handling) or in a decoded source of its own.
    Inline(Node),
    /// A managed policy attached by ARN (`ManagedPolicyArns`, a policy attachment):
    /// AWS-managed ones are looked up in the bundled copy; a customer-managed one is
    /// another [`FoundPolicy`] of the file when its ARN resolves to one.
    Managed {
        /// The ARN, resolved as far as possible.
        arn: String,
        /// Where it is written.
        span: Span,
    },
    /// The file has no text for it: a plan's `after_unknown` policy string, a value
    /// only known after apply. Said, never evaluated as an empty policy.
    Unknown {
        /// Why, for the user: "the policy is known only after apply".
        reason: String,
        /// Where the attribute is.
        span: Span,
    },
}

/// A policy document the file declares, and where it applies.
#[derive(Debug, Clone, PartialEq)]
pub struct FoundPolicy {
    /// A readable name, unique within an [`Inventory`]: `AppRole/Policies/s3-read`,
    /// `AppRole/AssumeRolePolicyDocument`, `aws_iam_role_policy.app`.
    pub name: String,
    /// The logical ID or address of the resource that declares it.
    pub origin: String,
    /// What the policy is: identity, resource (trust policies included), boundary,
    /// SCP, RCP.
    pub kind: PolicyKind,
    /// True for a role's trust policy (`AssumeRolePolicyDocument`,
    /// `assume_role_policy`): a resource policy on the role itself, whose statements
    /// may omit `Resource`.
    pub trust: bool,
    /// The document.
    pub document: Document,
    /// Identity policies and boundaries: the ids of the principals (users, roles,
    /// groups) it is attached to.
    pub attached_to: Vec<String>,
    /// Resource policies: the ARN of the resource it is on (a trust policy: the role's
    /// ARN), resolved as far as the file allows.
    pub resource_arn: Option<String>,
    /// A CloudFormation `Condition` the declaring resource depends on, if any: the
    /// policy exists only when it holds (the reader resolves conditions from parameter
    /// values; an unresolvable one is kept here and said).
    pub condition: Option<String>,
}

/// Everything IAM a template or one side of a plan declares.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Inventory {
    /// The users, roles and groups, in file order.
    pub principals: Vec<Principal>,
    /// The policies, in file order.
    pub policies: Vec<FoundPolicy>,
    /// What was read but not understood, or understood only in part (a SAM policy
    /// template not expanded, a transform not run, an unknown resource type holding a
    /// policy), as warnings and notes with positions. Errors that stop reading are the
    /// reader's `Err`.
    pub notes: Vec<Diagnostic>,
    /// The names of the policies iamtrace builds rather than reads (the statement a
    /// Lambda permission adds to its function's policy): their positions are the
    /// properties they come from, and the file has no document to edit for them.
    pub synthesised: Vec<String>,
}

impl Inventory {
    /// The principal `key` names: its id (logical ID or address), its IAM name, or its
    /// ARN, tried in that order.
    pub fn principal(&self, key: &str) -> Option<&Principal> {
        self.principals_named(key).into_iter().next()
    }

    /// Every principal `key` names, by the first of id, IAM name and ARN that any
    /// principal matches (several: the key is ambiguous).
    pub fn principals_named(&self, key: &str) -> Vec<&Principal> {
        let tiers: [&dyn Fn(&Principal) -> bool; 3] = [
            &|p| p.id == key,
            &|p| p.name.as_deref() == Some(key),
            &|p| p.arn == key,
        ];
        tiers
            .iter()
            .map(|matches| {
                self.principals
                    .iter()
                    .filter(|p| matches(p))
                    .collect::<Vec<_>>()
            })
            .find(|found| !found.is_empty())
            .unwrap_or_default()
    }

    /// The policies attached to the principal `id` (identity policies and boundaries),
    /// with those of the groups a user is in.
    pub fn attached(&self, id: &str) -> impl Iterator<Item = &FoundPolicy> + '_ {
        let principal = self.principals.iter().find(|p| p.id == id);
        let id = id.to_string();
        self.policies.iter().filter(move |f| match principal {
            Some(p) => f.reaches(p),
            None => f.attached_to.contains(&id),
        })
    }
}

impl FoundPolicy {
    /// Whether this policy is attached to `p`, directly or through one of its groups.
    pub fn reaches(&self, p: &Principal) -> bool {
        self.attached_to
            .iter()
            .any(|a| *a == p.id || p.groups.contains(a))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regions_name_their_partition() {
        assert_eq!(partition_of_region("cn-northwest-1"), Some("aws-cn"));
        assert_eq!(partition_of_region("us-gov-west-1"), Some("aws-us-gov"));
        assert_eq!(partition_of_region("us-isob-east-1"), Some("aws-iso-b"));
        assert_eq!(partition_of_region("eu-west-1"), Some("aws"));
        assert_eq!(partition_of_region(""), None);
        assert_eq!(partition_of_region(&placeholder::make("region")), None);
    }
}
