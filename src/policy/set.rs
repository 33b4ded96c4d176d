//! A policy set: every policy of a scenario with its type, SCP/RCP level, resource
//! attachment and the principal it is bound to, ready for evaluation.

use super::pattern::Pattern;
use super::principal::PrincipalRef;
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
    /// For identity, boundary and session policies: the principal it is bound to
    /// (`None`: every request's principal).
    pub principal: Option<BoundPrincipal>,
    /// The parsed policy.
    pub policy: Policy,
}

/// The principal an identity, boundary or session policy is bound to (SPEC §6
/// `"principal"`): the policy applies only to requests that principal makes.
#[derive(Debug, Clone, PartialEq)]
pub struct BoundPrincipal {
    /// As written.
    pub text: String,
    /// What it names.
    pub parsed: PrincipalRef,
}

impl BoundPrincipal {
    /// A `principal` value read; `None` when it names no principal a policy can be
    /// bound to (an IAM user, role, role session, federated user or account root,
    /// written as an ARN without wildcards).
    pub fn new(text: &str) -> Option<Self> {
        if !text.starts_with("arn:") || text.contains(['*', '?']) {
            return None;
        }
        let parsed = PrincipalRef::parse(text);
        matches!(
            parsed,
            PrincipalRef::Account { .. }
                | PrincipalRef::User { .. }
                | PrincipalRef::Role { .. }
                | PrincipalRef::RoleSession { .. }
                | PrincipalRef::FederatedUser { .. }
        )
        .then(|| BoundPrincipal {
            text: text.to_string(),
            parsed,
        })
    }

    /// True when a request made by `who` is made by this principal: the same user,
    /// role, session, federated user or root user, or — for a role — any session of
    /// it (an assumed-role ARN carries the role's name, not its path; names are
    /// unique in an account whatever the path).
    pub fn covers(&self, who: &PrincipalRef) -> bool {
        let session_of_role = matches!(
            (&self.parsed, who),
            (
                PrincipalRef::Role { account, name, .. },
                PrincipalRef::RoleSession { account: a, role: n, .. },
            ) if account == a && name == n
        );
        session_of_role || self.parsed.is_exactly(who)
    }

    /// True when some request's principal is covered by both `self` and `other`: the
    /// same principal, or a role and one of its sessions.
    pub fn overlaps(&self, other: &BoundPrincipal) -> bool {
        self.covers(&other.parsed) || other.covers(&self.parsed)
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    fn bound(text: &str) -> BoundPrincipal {
        BoundPrincipal::new(text).unwrap()
    }

    fn who(text: &str) -> PrincipalRef {
        PrincipalRef::parse(text)
    }

    #[test]
    fn a_role_covers_itself_and_its_sessions_whatever_its_path() {
        let role = bound("arn:aws:iam::111122223333:role/apps/AppRole");
        assert!(role.covers(&who("arn:aws:iam::111122223333:role/AppRole")));
        assert!(role.covers(&who("arn:aws:iam::111122223333:role/apps/AppRole")));
        assert!(role.covers(&who("arn:aws:sts::111122223333:assumed-role/AppRole/s1")));
        assert!(!role.covers(&who("arn:aws:sts::111122223333:assumed-role/AppRole2/s1")));
        assert!(!role.covers(&who("arn:aws:sts::444455556666:assumed-role/AppRole/s1")));
        assert!(!role.covers(&who("arn:aws:iam::111122223333:user/AppRole")));
        assert!(!role.covers(&who("arn:aws:iam::111122223333:root")));
    }

    #[test]
    fn users_sessions_and_roots_cover_only_themselves() {
        let alice = bound("arn:aws:iam::111122223333:user/division/alice");
        assert!(alice.covers(&who("arn:aws:iam::111122223333:user/alice")));
        assert!(!alice.covers(&who("arn:aws:iam::111122223333:user/bob")));
        assert!(!alice.covers(&who("arn:aws:iam::111122223333:role/alice")));
        let session = bound("arn:aws:sts::111122223333:assumed-role/AppRole/nightly");
        assert!(session.covers(&who(
            "arn:aws:sts::111122223333:assumed-role/AppRole/nightly"
        )));
        assert!(!session.covers(&who("arn:aws:sts::111122223333:assumed-role/AppRole/batch")));
        // A session does not cover its role.
        assert!(!session.covers(&who("arn:aws:iam::111122223333:role/AppRole")));
        let root = bound("arn:aws:iam::111122223333:root");
        assert!(root.covers(&who("111122223333")));
        assert!(!root.covers(&who("arn:aws:iam::111122223333:user/alice")));
        let fed = bound("arn:aws:sts::111122223333:federated-user/carol");
        assert!(fed.covers(&who("arn:aws:sts::111122223333:federated-user/carol")));
        assert!(!fed.covers(&who("ec2.amazonaws.com")));
        assert!(!fed.covers(&who("anonymous")));
    }

    #[test]
    fn only_one_iam_principal_named_by_arn_can_be_bound() {
        for bad in [
            "alice",
            "111122223333",
            "ec2.amazonaws.com",
            "*",
            "arn:aws:iam::111122223333:user/*",
            "arn:aws:iam::111122223333:role/App?",
            "arn:aws:s3:::bucket",
            "arn:aws:iam::111122223333:group/admins",
            "arn:aws:iam::12345:user/alice",
        ] {
            assert!(BoundPrincipal::new(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn a_role_and_its_session_overlap_two_sessions_do_not() {
        let role = bound("arn:aws:iam::111122223333:role/AppRole");
        let s1 = bound("arn:aws:sts::111122223333:assumed-role/AppRole/s1");
        let s2 = bound("arn:aws:sts::111122223333:assumed-role/AppRole/s2");
        assert!(role.overlaps(&s1) && s1.overlaps(&role));
        assert!(!s1.overlaps(&s2));
        assert!(role.overlaps(&role));
    }
}
