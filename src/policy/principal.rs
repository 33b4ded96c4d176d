//! Principal identities: what an ARN, account id or service name in a policy's
//! `Principal` — or in a request — stands for.

use serde::Serialize;

/// What a principal string refers to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum PrincipalRef {
    /// `*`: everyone, anonymous included.
    Everyone,
    /// A whole account: `123456789012` or `arn:aws:iam::123456789012:root`.
    Account {
        /// The 12-digit account id.
        account: String,
    },
    /// An IAM user `arn:aws:iam::A:user/path/name`.
    User {
        /// The account.
        account: String,
        /// The user name (last path part).
        name: String,
    },
    /// An IAM role `arn:aws:iam::A:role/path/name`.
    Role {
        /// The account.
        account: String,
        /// The role name (last path part).
        name: String,
        /// The role's path starts `/aws-service-role/`.
        service_linked: bool,
    },
    /// A role session `arn:aws:sts::A:assumed-role/ROLE/SESSION`.
    RoleSession {
        /// The account.
        account: String,
        /// The role name.
        role: String,
        /// The session name.
        session: String,
    },
    /// A federated-user session `arn:aws:sts::A:federated-user/NAME`.
    FederatedUser {
        /// The account.
        account: String,
        /// The federated user's name.
        name: String,
    },
    /// A service principal `NAME.amazonaws.com`.
    Service {
        /// The service principal name, lower-cased.
        name: String,
    },
    /// An unauthenticated caller.
    Anonymous,
    /// Anything else (identity providers, canonical user ids, unique ids): compared as
    /// text.
    Other {
        /// The text as written.
        text: String,
    },
}

impl PrincipalRef {
    /// Whether this listed principal is `who` itself, as NotPrincipal matches: an
    /// account entry stands only for the account root and a role ARN only for the
    /// role, not its sessions (user and role ARNs compared without their paths).
    pub fn is_exactly(&self, who: &PrincipalRef) -> bool {
        use PrincipalRef as P;
        match (self, who) {
            (P::Everyone, _) => true,
            (
                P::User { account, name },
                P::User {
                    account: a,
                    name: n,
                },
            )
            | (
                P::Role { account, name, .. },
                P::Role {
                    account: a,
                    name: n,
                    ..
                },
            ) => account == a && name == n,
            _ => self == who,
        }
    }

    /// Reads a principal string as a request or an `AWS` principal entry gives it.
    pub fn parse(text: &str) -> PrincipalRef {
        let t = text.trim();
        if t == "*" {
            return PrincipalRef::Everyone;
        }
        if t.eq_ignore_ascii_case("anonymous") {
            return PrincipalRef::Anonymous;
        }
        if is_account_id(t) {
            return PrincipalRef::Account {
                account: t.to_string(),
            };
        }
        if let Some(p) = parse_arn_principal(t) {
            return p;
        }
        let lower = t.to_ascii_lowercase();
        if is_service_name(&lower) {
            return PrincipalRef::Service { name: lower };
        }
        PrincipalRef::Other {
            text: t.to_string(),
        }
    }

    /// The account the principal belongs to, if any.
    pub fn account(&self) -> Option<&str> {
        match self {
            PrincipalRef::Account { account }
            | PrincipalRef::User { account, .. }
            | PrincipalRef::Role { account, .. }
            | PrincipalRef::RoleSession { account, .. }
            | PrincipalRef::FederatedUser { account, .. } => Some(account),
            _ => None,
        }
    }

    /// True for IAM principals: users, roles, role sessions, federated users, and an
    /// account's root user. These have identity policies, boundaries, sessions and SCPs.
    pub fn is_iam(&self) -> bool {
        matches!(
            self,
            PrincipalRef::Account { .. }
                | PrincipalRef::User { .. }
                | PrincipalRef::Role { .. }
                | PrincipalRef::RoleSession { .. }
                | PrincipalRef::FederatedUser { .. }
        )
    }

    /// True for a service-linked role or a session of one.
    pub fn is_service_linked_role(&self) -> bool {
        match self {
            PrincipalRef::Role { service_linked, .. } => *service_linked,
            PrincipalRef::RoleSession { role, .. } => role.starts_with("AWSServiceRoleFor"),
            _ => false,
        }
    }

    /// A short name of the kind, for people.
    pub fn kind_name(&self) -> &'static str {
        self.kind().label()
    }

    /// What kind of principal this is, as data.
    pub fn kind(&self) -> PrincipalKind {
        match self {
            PrincipalRef::Everyone => PrincipalKind::Everyone,
            PrincipalRef::Account { .. } => PrincipalKind::AccountRoot,
            PrincipalRef::User { .. } => PrincipalKind::IamUser,
            PrincipalRef::Role {
                service_linked: true,
                ..
            } => PrincipalKind::ServiceLinkedRole,
            PrincipalRef::Role { .. } => PrincipalKind::IamRole,
            PrincipalRef::RoleSession { .. } if self.is_service_linked_role() => {
                PrincipalKind::ServiceLinkedRoleSession
            }
            PrincipalRef::RoleSession { .. } => PrincipalKind::RoleSession,
            PrincipalRef::FederatedUser { .. } => PrincipalKind::FederatedUserSession,
            PrincipalRef::Service { .. } => PrincipalKind::ServicePrincipal,
            PrincipalRef::Anonymous => PrincipalKind::Anonymous,
            PrincipalRef::Other { .. } => PrincipalKind::Other,
        }
    }
}

/// What kind of principal a request is made by; the code is stable snake_case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PrincipalKind {
    /// `*`.
    Everyone,
    /// An account's root user.
    AccountRoot,
    /// An IAM user.
    IamUser,
    /// A service-linked role.
    ServiceLinkedRole,
    /// An IAM role.
    IamRole,
    /// A session of a service-linked role.
    ServiceLinkedRoleSession,
    /// A role session.
    RoleSession,
    /// A federated-user session (GetFederationToken).
    FederatedUserSession,
    /// A service principal.
    ServicePrincipal,
    /// An unauthenticated caller.
    Anonymous,
    /// Anything else.
    Other,
}

impl PrincipalKind {
    /// The kind for people: `IAM user`, `role session`, …
    pub fn label(self) -> &'static str {
        match self {
            PrincipalKind::Everyone => "everyone",
            PrincipalKind::AccountRoot => "account root",
            PrincipalKind::IamUser => "IAM user",
            PrincipalKind::ServiceLinkedRole => "service-linked role",
            PrincipalKind::IamRole => "IAM role",
            PrincipalKind::ServiceLinkedRoleSession => "service-linked role session",
            PrincipalKind::RoleSession => "role session",
            PrincipalKind::FederatedUserSession => "federated-user session",
            PrincipalKind::ServicePrincipal => "service principal",
            PrincipalKind::Anonymous => "anonymous",
            PrincipalKind::Other => "other principal",
        }
    }
}

/// A 12-digit AWS account id.
pub fn is_account_id(s: &str) -> bool {
    s.len() == 12 && s.bytes().all(|b| b.is_ascii_digit())
}

/// `something.amazonaws.com` (or `.amazonaws.com.cn`).
pub fn is_service_name(lower: &str) -> bool {
    let base = lower
        .strip_suffix(".amazonaws.com")
        .or_else(|| lower.strip_suffix(".amazonaws.com.cn"));
    base.is_some_and(|b| {
        !b.is_empty()
            && b.bytes()
                .all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'.')
    })
}

/// Splits an ARN into its six parts (the resource keeps any further colons).
pub fn split_arn(arn: &str) -> Option<[&str; 6]> {
    // A plain loop over the bytes: this runs for every request (its principal and
    // resource), where `splitn`'s searcher cost several times as much.
    if !arn.starts_with("arn:") {
        return None;
    }
    let bytes = arn.as_bytes();
    let mut colons = [3usize, 0, 0, 0, 0];
    let mut found = 1;
    for (i, &b) in bytes.iter().enumerate().skip(4) {
        if b == b':' {
            colons[found] = i;
            found += 1;
            if found == colons.len() {
                break;
            }
        }
    }
    if found < colons.len() {
        return None;
    }
    // Every cut is at an ASCII ':', so each piece is on a char boundary.
    let [c0, c1, c2, c3, c4] = colons;
    Some([
        &arn[..c0],
        &arn[c0 + 1..c1],
        &arn[c1 + 1..c2],
        &arn[c2 + 1..c3],
        &arn[c3 + 1..c4],
        &arn[c4 + 1..],
    ])
}

fn parse_arn_principal(t: &str) -> Option<PrincipalRef> {
    let [_, _, service, _, account, resource] = split_arn(t)?;
    if !is_account_id(account) {
        return None;
    }
    let account = account.to_string();
    let last = |r: &str| r.rsplit('/').next().unwrap_or(r).to_string();
    match service {
        "iam" if resource == "root" => Some(PrincipalRef::Account { account }),
        "iam" => {
            if let Some(r) = resource.strip_prefix("user/") {
                Some(PrincipalRef::User {
                    account,
                    name: last(r),
                })
            } else {
                resource.strip_prefix("role/").map(|r| PrincipalRef::Role {
                    account,
                    name: last(r),
                    service_linked: r.starts_with("aws-service-role/"),
                })
            }
        }
        "sts" => {
            if let Some(r) = resource.strip_prefix("assumed-role/") {
                let (role, session) = r.split_once('/')?;
                Some(PrincipalRef::RoleSession {
                    account,
                    role: role.to_string(),
                    session: session.to_string(),
                })
            } else {
                resource
                    .strip_prefix("federated-user/")
                    .map(|n| PrincipalRef::FederatedUser {
                        account,
                        name: n.to_string(),
                    })
            }
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds() {
        assert!(matches!(
            PrincipalRef::parse("arn:aws:iam::111122223333:user/team/alice"),
            PrincipalRef::User { ref name, .. } if name == "alice"
        ));
        assert!(
            PrincipalRef::parse(
                "arn:aws:iam::111122223333:role/aws-service-role/elasticloadbalancing.amazonaws.com/AWSServiceRoleForElasticLoadBalancing"
            )
            .is_service_linked_role()
        );
        assert!(
            PrincipalRef::parse("arn:aws:sts::111122223333:assumed-role/AWSServiceRoleForX/s")
                .is_service_linked_role()
        );
        assert_eq!(
            PrincipalRef::parse("arn:aws:iam::111122223333:root"),
            PrincipalRef::parse("111122223333")
        );
        assert!(matches!(
            PrincipalRef::parse("S3.amazonaws.com"),
            PrincipalRef::Service { ref name } if name == "s3.amazonaws.com"
        ));
        assert_eq!(PrincipalRef::parse("anonymous"), PrincipalRef::Anonymous);
        assert!(matches!(
            PrincipalRef::parse("arn:aws:iam::111122223333:saml-provider/Okta"),
            PrincipalRef::Other { .. }
        ));
    }

    #[test]
    fn arn_split_keeps_resource_colons() {
        assert_eq!(
            split_arn("arn:aws:logs:us-east-1:1:log-group:x:*"),
            Some(["arn", "aws", "logs", "us-east-1", "1", "log-group:x:*"])
        );
        assert_eq!(split_arn("arn:aws:s3"), None);
        assert_eq!(split_arn("nope:a:b:c:d:e"), None);
    }

    /// The byte loop cuts where `splitn(6, ':')` does, on every shape.
    #[test]
    fn arn_split_agrees_with_splitn() {
        fn reference(t: &str) -> Option<[&str; 6]> {
            let parts: Vec<&str> = t.splitn(6, ':').collect();
            (parts.len() == 6 && parts[0] == "arn")
                .then(|| [parts[0], parts[1], parts[2], parts[3], parts[4], parts[5]])
        }
        let pieces = [
            "", ":", "arn", "arn:", "é", "::", "a", "ü:x", "arn:aws", "*",
        ];
        let mut texts = vec![String::new()];
        for _ in 0..4 {
            texts = texts
                .iter()
                .flat_map(|t| pieces.iter().map(move |p| format!("{t}{p}")))
                .collect();
            for t in &texts {
                assert_eq!(split_arn(t), reference(t), "{t:?}");
            }
        }
        assert_eq!(split_arn("arn:::::"), Some(["arn", "", "", "", "", ""]));
        assert_eq!(split_arn("arn::::"), None);
    }
}
