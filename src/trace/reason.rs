//! The decision-level reasons as data: why a policy group takes no part
//! ([`NotApplicable`]), which AWS-owned resource a protected-resource rule found
//! ([`ProtectedKind`]), and why the decision came out as it did ([`Reason`]). Each has a
//! stable snake_case code for machines; the words live in `describe.rs`, so evaluation
//! that asks for the decision alone formats nothing.

use serde::Serialize;

/// Why a group of policies (or a rule) takes no part in a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum NotApplicable {
    /// The root user has no identity policies, boundary or session policy.
    RootUser,
    /// A service principal has no identity policies.
    ServicePrincipal,
    /// An anonymous caller has no identity policies.
    Anonymous,
    /// The principal is not an IAM principal.
    NotIamPrincipal,
    /// The principal is wholly a placeholder (an unresolved template value): its kind
    /// is unknown, so it is not taken to have identity policies.
    UnresolvedPrincipal,
    /// An IAM user's own requests carry no session policy.
    UserHasNoSession,
    /// The scenario has no SCPs.
    NoScps,
    /// SCPs apply only to IAM principals of the organization's accounts.
    ScpNotIamPrincipal,
    /// SCPs do not apply to service-linked roles.
    ServiceLinkedRole,
    /// SCPs do not apply to the management account.
    ScpManagementAccount,
    /// The scenario has no RCPs.
    NoRcps,
    /// RCPs do not apply to this service.
    RcpUnsupportedService,
    /// The action authorizes no resource, and RCPs apply only to resources.
    RcpNoResource,
    /// RCPs do not apply to calls made by service-linked roles.
    RcpServiceLinkedRole,
    /// RCPs do not affect a service assuming its service-linked role.
    RcpAssumeServiceLinkedRole,
    /// RCPs do not apply to kms:RetireGrant.
    RcpRetireGrant,
    /// RCPs do not apply to resources of the management account.
    RcpManagementAccount,
    /// RCPs do not apply to AWS managed KMS keys.
    RcpAwsManagedKmsKey,
    /// The request did not come through a VPC endpoint.
    NoVpcEndpoint,
    /// A resource policy attached to another resource.
    OtherResource,
    /// An identity, boundary or session policy bound to another principal.
    OtherPrincipal,
}

/// An AWS-owned resource that no policy can open to change (SPEC §4 step 6).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ProtectedKind {
    /// An AWS managed policy, `arn:aws:iam::aws:policy/…`.
    AwsManagedPolicy,
    /// A role IAM Identity Center owns, `role/aws-reserved/…`.
    IdentityCenterRole,
    /// A service-linked role, `role/aws-service-role/…`: only its service edits it.
    ServiceLinkedRole,
    /// An AWS managed KMS alias, `alias/aws/…`.
    AwsManagedKmsAlias,
}

impl ProtectedKind {
    /// Reads the kind column of `assets/catalog/protected-resources.tsv`.
    pub fn from_code(code: &str) -> Option<Self> {
        Some(match code {
            "aws_managed_policy" => ProtectedKind::AwsManagedPolicy,
            "identity_center_role" => ProtectedKind::IdentityCenterRole,
            "service_linked_role" => ProtectedKind::ServiceLinkedRole,
            "aws_managed_kms_alias" => ProtectedKind::AwsManagedKmsAlias,
            _ => return None,
        })
    }
}

/// Why the decision came out as it did. Variants that name a statement refer to the
/// first of the evaluation's `determined_by`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Reason {
    /// sts:GetCallerIdentity is always allowed.
    GetCallerIdentityAlways,
    /// An anonymous caller cannot call sts:GetCallerIdentity.
    GetCallerIdentityAnonymous,
    /// sts:GetSessionToken by an IAM user or the root user: policies do not control it.
    GetSessionTokenNotControlled,
    /// sts:GetSessionToken needs long-term credentials, which this caller lacks.
    GetSessionTokenNeedsLongTermCredentials,
    /// A Deny statement applies.
    DeniedByStatement,
    /// A Deny with NotPrincipal applies because the principal has a permissions boundary.
    NotPrincipalDenyWithBoundary,
    /// An SCP level has no Allow for the action.
    ScpLevelDenies,
    /// No endpoint policy allows the action.
    EndpointPolicyDenies,
    /// A federated-user session called an IAM or STS operation.
    FederatedUserApiLimit,
    /// The request changes an AWS-owned resource.
    ProtectedResource,
    /// A KMS key with no key policy in the scenario.
    NoKeyPolicy,
    /// The root user cannot assume roles.
    RootCannotAssumeRole,
    /// A role with no trust policy in the scenario.
    NoTrustPolicy,
    /// A resource policy allows a principal with no account of its own.
    AllowedByResourcePolicy,
    /// No resource policy allows a principal with no account of its own.
    NoResourcePolicyAllows,
    /// Same account: a statement allows.
    AllowedByStatement,
    /// Same account: the root user has full access.
    RootFullAccess,
    /// Same account: nothing allows.
    NothingAllows,
    /// Cross account: both sides allow.
    CrossAccountAllowed,
    /// Cross account: the principal's policies allow, no resource policy does.
    CrossAccountNoResourceAllow,
    /// Cross account: the principal's own policies do not allow.
    CrossAccountNoPrincipalAllow,
    /// A resource policy naming the principal would allow on its own only if the
    /// resource were in the caller's account, and nothing says whose it is (its ARN
    /// names no account; no resourceAccount or aws:ResourceAccount).
    ResourceAccountUnknown,
}

/// How the principal's account relates to the resource's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Relation {
    /// The principal has no account (service principal, anonymous).
    NoPrincipalAccount,
    /// Both in one account.
    SameAccount,
    /// Different accounts.
    CrossAccount,
}

impl Relation {
    /// The code as a word: `same_account`, `cross_account`, `no_principal_account`.
    pub fn code(self) -> &'static str {
        match self {
            Relation::NoPrincipalAccount => "no_principal_account",
            Relation::SameAccount => "same_account",
            Relation::CrossAccount => "cross_account",
        }
    }
}
