//! The AWS rules that refuse (or allow) a request whatever the policies say (SPEC §4
//! steps 0 and 6): sts:GetSessionToken, the federated-user session's API limits, and
//! the AWS-owned resources no policy can open to change. The protected resources and
//! their actions are data, in `assets/catalog/protected-resources.tsv`.

use super::request::PreparedRequest;
use crate::policy::principal::{PrincipalRef, split_arn};
use crate::trace::ProtectedKind;
use std::sync::OnceLock;

/// One line of the protected-resources table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProtectedResource {
    /// Which kind of AWS-owned resource.
    pub kind: ProtectedKind,
    /// The service prefix in the ARN (`iam`, `kms`).
    pub service: String,
    /// The ARN's account field, or `None` for any.
    pub account: Option<String>,
    /// The ARN's resource part starts with this.
    pub prefix: String,
    /// The refused actions, `service:Name` in catalog spelling.
    pub actions: Vec<String>,
    /// The same, lower-cased, for matching.
    actions_lower: Vec<String>,
}

/// The protected-resources table.
pub fn protected_resources() -> &'static [ProtectedResource] {
    static TABLE: OnceLock<Vec<ProtectedResource>> = OnceLock::new();
    TABLE.get_or_init(|| parse_table(include_str!("../../assets/catalog/protected-resources.tsv")))
}

/// Reads the table; lines that do not parse are skipped (a unit test checks that
/// every line parses).
fn parse_table(text: &str) -> Vec<ProtectedResource> {
    text.lines()
        .map(str::trim_end)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .filter_map(|l| {
            let cols: Vec<&str> = l.split('\t').collect();
            let [kind, service, account, prefix, actions] = cols.as_slice() else {
                return None;
            };
            let actions: Vec<String> = actions
                .split(',')
                .map(|a| format!("{service}:{}", a.trim()))
                .collect();
            Some(ProtectedResource {
                kind: ProtectedKind::from_code(kind)?,
                service: service.to_string(),
                account: (*account != "*").then(|| account.to_string()),
                prefix: prefix.to_string(),
                actions_lower: actions.iter().map(|a| a.to_ascii_lowercase()).collect(),
                actions,
            })
        })
        .collect()
}

/// The AWS-owned resource kind this request would change, if any.
pub fn protected_resource(req: &PreparedRequest) -> Option<ProtectedKind> {
    // Most requests name an action no line lists: answer those before splitting the
    // ARN (this runs on every decision).
    let mut lines = protected_resources()
        .iter()
        .filter(|p| p.actions_lower.contains(&req.action_lower))
        .peekable();
    lines.peek()?;
    let parts = split_arn(&req.resource)?;
    lines
        .find(|p| {
            parts[2] == p.service
                && p.account.as_deref().is_none_or(|a| parts[4] == a)
                && parts[5].starts_with(&p.prefix)
        })
        .map(|p| p.kind)
}

/// True when a federated-user session calls an IAM operation, or an STS operation
/// other than GetCallerIdentity (which step 0 answers first).
pub fn federated_user_api_limit(req: &PreparedRequest) -> bool {
    matches!(req.principal, PrincipalRef::FederatedUser { .. })
        && (req.action_lower.starts_with("iam:")
            || (req.action_lower.starts_with("sts:")
                && req.action_lower != "sts:getcalleridentity"))
}

/// Who is calling sts:GetSessionToken.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionTokenCaller {
    /// An IAM user or the root user: long-term credentials, policies do not control it.
    LongTermCredentials,
    /// Anyone else (role session, federated user, service, anonymous): refused.
    NoLongTermCredentials,
}

/// `Some` when the request is sts:GetSessionToken.
pub fn session_token_caller(req: &PreparedRequest) -> Option<SessionTokenCaller> {
    (req.action_lower == "sts:getsessiontoken").then_some(match req.principal {
        PrincipalRef::User { .. } | PrincipalRef::Account { .. } => {
            SessionTokenCaller::LongTermCredentials
        }
        _ => SessionTokenCaller::NoLongTermCredentials,
    })
}

/// The AWS rule that decides this request whatever the policies say, if one does:
/// GetCallerIdentity, GetSessionToken (either way), the federated-user limits, a
/// protected resource. Why-not uses it to refrain from suggesting policy changes that
/// cannot change the answer. (An explicit Deny still decides first for the last two;
/// removing it would not allow the request either.)
pub fn decided_by_aws(req: &PreparedRequest) -> Option<crate::trace::Rule> {
    use crate::trace::Rule;
    if req.action_lower == "sts:getcalleridentity" {
        Some(Rule::GetCallerIdentity)
    } else if session_token_caller(req).is_some() {
        Some(Rule::GetSessionToken)
    } else if federated_user_api_limit(req) {
        Some(Rule::FederatedUserApiLimit)
    } else if protected_resource(req).is_some() {
        Some(Rule::ProtectedResource)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::eval::Request;

    fn req(principal: &str, action: &str, resource: &str) -> PreparedRequest {
        PreparedRequest::new(&Request {
            principal: principal.into(),
            action: action.into(),
            resource: resource.into(),
            ..Default::default()
        })
    }

    #[test]
    fn every_table_line_parses_and_names_catalog_actions() {
        let text = include_str!("../../assets/catalog/protected-resources.tsv");
        let lines = text
            .lines()
            .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
            .count();
        let table = protected_resources();
        assert_eq!(table.len(), lines, "a line of the table does not parse");
        let catalog = crate::catalog::catalog();
        for p in table {
            for a in &p.actions {
                let (service, name) = a.split_once(':').unwrap_or_default();
                let found = catalog.action(service, name);
                assert!(found.is_some(), "{a} is not in the service catalog");
                assert_eq!(found.map(|f| f.name), Some(name), "{a}: catalog spelling");
            }
        }
    }

    #[test]
    fn protected_kinds_by_resource_and_action() {
        let user = "arn:aws:iam::111122223333:user/admin";
        let cases = [
            (
                "iam:CreatePolicyVersion",
                "arn:aws:iam::aws:policy/ReadOnlyAccess",
                Some(ProtectedKind::AwsManagedPolicy),
            ),
            // A customer managed policy of the same name is the customer's.
            (
                "iam:CreatePolicyVersion",
                "arn:aws:iam::111122223333:policy/ReadOnlyAccess",
                None,
            ),
            // Reading an AWS managed policy is fine.
            (
                "iam:GetPolicy",
                "arn:aws:iam::aws:policy/ReadOnlyAccess",
                None,
            ),
            (
                "iam:passrole",
                "arn:aws:iam::111122223333:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_Admin_0123",
                Some(ProtectedKind::IdentityCenterRole),
            ),
            (
                "iam:PutRolePolicy",
                "arn:aws:iam::111122223333:role/aws-service-role/elasticloadbalancing.amazonaws.com/AWSServiceRoleForElasticLoadBalancing",
                Some(ProtectedKind::ServiceLinkedRole),
            ),
            // Passing or deleting a service-linked role is not in the table.
            (
                "iam:DeleteRole",
                "arn:aws:iam::111122223333:role/aws-service-role/elasticloadbalancing.amazonaws.com/AWSServiceRoleForElasticLoadBalancing",
                None,
            ),
            (
                "kms:DeleteAlias",
                "arn:aws:kms:us-east-1:111122223333:alias/aws/s3",
                Some(ProtectedKind::AwsManagedKmsAlias),
            ),
            (
                "kms:DeleteAlias",
                "arn:aws:kms:us-east-1:111122223333:alias/app/aws",
                None,
            ),
        ];
        for (action, resource, want) in cases {
            assert_eq!(
                protected_resource(&req(user, action, resource)),
                want,
                "{action} on {resource}"
            );
        }
    }

    #[test]
    fn federated_user_limits() {
        let fed = "arn:aws:sts::111122223333:federated-user/bob";
        assert!(federated_user_api_limit(&req(fed, "iam:ListUsers", "*")));
        assert!(federated_user_api_limit(&req(fed, "sts:AssumeRole", "*")));
        assert!(!federated_user_api_limit(&req(
            fed,
            "sts:GetCallerIdentity",
            "*"
        )));
        assert!(!federated_user_api_limit(&req(fed, "s3:GetObject", "*")));
        let user = "arn:aws:iam::111122223333:user/bob";
        assert!(!federated_user_api_limit(&req(user, "iam:ListUsers", "*")));
    }

    #[test]
    fn session_token_callers() {
        let call = |p: &str| session_token_caller(&req(p, "sts:GetSessionToken", "*"));
        use SessionTokenCaller::*;
        assert_eq!(
            call("arn:aws:iam::111122223333:user/bob"),
            Some(LongTermCredentials)
        );
        assert_eq!(
            call("arn:aws:iam::111122223333:root"),
            Some(LongTermCredentials)
        );
        assert_eq!(
            call("arn:aws:sts::111122223333:assumed-role/R/s"),
            Some(NoLongTermCredentials)
        );
        assert_eq!(
            call("arn:aws:sts::111122223333:federated-user/bob"),
            Some(NoLongTermCredentials)
        );
        assert_eq!(
            session_token_caller(&req(
                "arn:aws:iam::111122223333:user/bob",
                "sts:GetCallerIdentity",
                "*"
            )),
            None
        );
    }
}
