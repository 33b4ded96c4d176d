//! What AWS's own tools print, read as scenarios: the output of the AWS CLI commands
//! that return one policy (`iam get-policy-version`, `get-role-policy`, `get-role`,
//! `s3api get-bucket-policy`, `kms get-key-policy`, `organizations describe-policy`,
//! …) and of `iam get-account-authorization-details`, assembled for one user or role.
//! The shape of an output says which command printed it, so recognising an output
//! ([`cli_output`], [`is_account_details`]) and reading it are both here;
//! [`super::detect`] asks. Policies keep their positions in the file (or in the
//! decoded string that held them).

use super::detect::get;
use crate::eval::{ContextValue, Request, Scalar};
use crate::json::{Member, Node, Value};
use crate::policy::PolicyKind;
use crate::scenario::{Assembler, RequestSpec};
use crate::source::{Diagnostic, did_you_mean};

fn string<'a>(members: &'a [Member], key: &str) -> Option<&'a str> {
    match get(members, key) {
        Some(Node {
            value: Value::String(s),
            ..
        }) => Some(s),
        _ => None,
    }
}

fn object<'a>(members: &'a [Member], key: &str) -> Option<&'a [Member]> {
    match get(members, key) {
        Some(Node {
            value: Value::Object(m),
            ..
        }) => Some(m),
        _ => None,
    }
}

fn array<'a>(members: &'a [Member], key: &str) -> &'a [Node] {
    match get(members, key) {
        Some(Node {
            value: Value::Array(a),
            ..
        }) => a,
        _ => &[],
    }
}

fn members(node: &Node) -> &[Member] {
    match &node.value {
        Value::Object(m) => m,
        _ => &[],
    }
}

/// A policy found in a CLI output.
struct Found<'a> {
    kind: PolicyKind,
    name: String,
    attached: Option<String>,
    level: Option<&'static str>,
    doc: &'a Node,
}

/// What an AWS CLI output holds: its policies and a title naming the command.
pub(super) struct CliOutput<'a> {
    title: String,
    found: Vec<Found<'a>>,
    note: Option<String>,
}

/// Recognises the output of an AWS CLI command that returns a policy.
pub(super) fn cli_output(top: &[Member]) -> Option<CliOutput<'_>> {
    let one = |title: String, kind, name: String, attached, doc| CliOutput {
        title,
        found: vec![Found {
            kind,
            name,
            attached,
            level: None,
            doc,
        }],
        note: None,
    };
    // aws iam get-policy-version
    if let Some(v) = object(top, "PolicyVersion") {
        let doc = get(v, "Document")?;
        let version = string(v, "VersionId").unwrap_or("?");
        return Some(one(
            format!("aws iam get-policy-version ({version})"),
            PolicyKind::Identity,
            format!("policy version {version}"),
            None,
            doc,
        ));
    }
    // aws iam get-role-policy / get-user-policy / get-group-policy
    if let Some(doc) = get(top, "PolicyDocument") {
        let policy = string(top, "PolicyName").unwrap_or("inline policy");
        let (command, owner) = [
            ("get-role-policy", "RoleName"),
            ("get-user-policy", "UserName"),
            ("get-group-policy", "GroupName"),
        ]
        .into_iter()
        .find_map(|(c, k)| {
            string(top, k).map(|o| (c, format!("{} {o}", &k[..k.len() - 4].to_lowercase())))
        })
        .unwrap_or(("get-*-policy", String::new()));
        let name = if owner.is_empty() {
            policy.to_string()
        } else {
            format!("{policy} ({owner})")
        };
        return Some(one(
            format!("aws iam {command}"),
            PolicyKind::Identity,
            name,
            None,
            doc,
        ));
    }
    // aws iam get-role: its trust policy
    if let Some(role) = object(top, "Role") {
        let doc = get(role, "AssumeRolePolicyDocument")?;
        let arn = string(role, "Arn").map(str::to_string);
        let name = string(role, "RoleName").unwrap_or("role");
        let mut out = one(
            format!("aws iam get-role ({name})"),
            PolicyKind::Resource,
            format!("{name} trust policy"),
            arn,
            doc,
        );
        if let Some(b) =
            object(role, "PermissionsBoundary").and_then(|b| string(b, "PermissionsBoundaryArn"))
        {
            out.note = Some(format!(
                "The role has the permissions boundary {b}; get-role does not include its document (aws iam get-policy-version, or get-account-authorization-details, does)."
            ));
        }
        return Some(out);
    }
    // aws organizations describe-policy
    if let Some(p) = object(top, "Policy") {
        let summary = object(p, "PolicySummary")?;
        let doc = get(p, "Content")?;
        let (kind, key) = match string(summary, "Type")? {
            "SERVICE_CONTROL_POLICY" => (PolicyKind::Scp, "scp"),
            "RESOURCE_CONTROL_POLICY" => (PolicyKind::Rcp, "rcp"),
            _ => return None,
        };
        let name = string(summary, "Name").unwrap_or(key).to_string();
        return Some(CliOutput {
            title: format!("aws organizations describe-policy ({name})"),
            found: vec![Found {
                kind,
                name,
                attached: None,
                level: Some("r-root"),
                doc,
            }],
            note: Some(format!(
                "The policy is placed at the organization root (r-root); add levels for the OUs and the account if it is attached lower. It is the only policy at that level here: {}",
                if kind == PolicyKind::Scp {
                    "if it is a deny list, add AWS's FullAWSAccess SCP beside it (attached by default in AWS), or nothing at this level allows."
                } else {
                    "AWS's full-access RCP is always there too, and iamtrace models it."
                }
            )),
        });
    }
    // aws kms get-key-policy, aws s3api get-bucket-policy, aws lambda get-policy
    if let Some(
        doc @ Node {
            value: Value::String(_),
            ..
        },
    ) = get(top, "Policy")
    {
        let others: Vec<&str> = top
            .iter()
            .map(|m| m.key.as_str())
            .filter(|k| *k != "Policy")
            .collect();
        let (title, name) = match others.as_slice() {
            [] => ("aws s3api get-bucket-policy", "bucket policy"),
            ["PolicyName"] => ("aws kms get-key-policy", "key policy"),
            ["RevisionId"] => ("aws lambda get-policy", "function policy"),
            _ => return None,
        };
        return Some(one(
            title.into(),
            PolicyKind::Resource,
            name.into(),
            None,
            doc,
        ));
    }
    // aws sqs get-queue-attributes / aws sns get-topic-attributes
    if let Some(attrs) = object(top, "Attributes") {
        let doc = get(attrs, "Policy")?;
        let arn = string(attrs, "TopicArn")
            .or(string(attrs, "QueueArn"))
            .map(str::to_string);
        let (title, name) = if string(attrs, "TopicArn").is_some() {
            ("aws sns get-topic-attributes", "topic policy")
        } else {
            ("aws sqs get-queue-attributes", "queue policy")
        };
        return Some(one(
            title.into(),
            PolicyKind::Resource,
            name.into(),
            arn,
            doc,
        ));
    }
    // aws secretsmanager get-resource-policy
    if let Some(doc) = get(top, "ResourcePolicy") {
        let arn = string(top, "ARN").map(str::to_string);
        return Some(one(
            "aws secretsmanager get-resource-policy".into(),
            PolicyKind::Resource,
            format!("{} secret policy", string(top, "Name").unwrap_or("the")),
            arn,
            doc,
        ));
    }
    // aws ecr get-repository-policy
    // (Its statements name no Resource: the policy is attached to the repository.)
    if let (Some(doc), Some(repo)) = (get(top, "policyText"), string(top, "repositoryName")) {
        let account = string(top, "registryId").unwrap_or("*");
        return Some(one(
            "aws ecr get-repository-policy".into(),
            PolicyKind::Resource,
            format!("{repo} repository policy"),
            Some(format!("arn:aws:ecr:*:{account}:repository/{repo}")),
            doc,
        ));
    }
    None
}

impl Assembler {
    /// Loads the policies of a CLI output.
    pub(super) fn cli(
        &mut self,
        out: CliOutput<'_>,
        text: &str,
    ) -> (Option<String>, Option<String>) {
        for f in out.found {
            let level = f.level.map(|l| self.add_level(f.kind, l.to_string()));
            self.document(
                f.doc,
                f.kind,
                level,
                Some(f.name),
                f.attached,
                "the policy",
                text,
            );
        }
        let mut description = format!("From the output of {}.", out.title);
        if let Some(n) = out.note {
            description.push(' ');
            description.push_str(&n);
        }
        (Some(out.title), Some(description))
    }
}

/// True for the output of `aws iam get-account-authorization-details`.
pub(super) fn is_account_details(top: &[Member]) -> bool {
    top.iter().any(|m| {
        matches!(
            m.key.as_str(),
            "UserDetailList" | "RoleDetailList" | "GroupDetailList"
        )
    })
}

/// A user or role of an account authorization details file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrincipalChoice {
    /// `user` or `role`.
    pub kind: &'static str,
    /// The user's or role's name.
    pub name: String,
    /// Its ARN.
    pub arn: String,
    /// What it has: inline, attached and group policies, a boundary.
    pub summary: String,
}

/// The users and roles of an account authorization details document.
pub(super) fn principals(top: &[Member]) -> Vec<PrincipalChoice> {
    let mut out = Vec::new();
    for (list, kind, name_key, inline_key) in [
        ("UserDetailList", "user", "UserName", "UserPolicyList"),
        ("RoleDetailList", "role", "RoleName", "RolePolicyList"),
    ] {
        for n in array(top, list) {
            let m = members(n);
            let (Some(name), Some(arn)) = (string(m, name_key), string(m, "Arn")) else {
                continue;
            };
            let mut parts = vec![
                count(array(m, inline_key).len(), "inline"),
                count(array(m, "AttachedManagedPolicies").len(), "attached"),
            ];
            let groups = array(m, "GroupList").len();
            if groups > 0 {
                parts.push(format!(
                    "{groups} group{}",
                    if groups == 1 { "" } else { "s" }
                ));
            }
            if object(m, "PermissionsBoundary").is_some() {
                parts.push("boundary".into());
            }
            out.push(PrincipalChoice {
                kind,
                name: name.to_string(),
                arn: arn.to_string(),
                summary: parts.join(", "),
            });
        }
    }
    out
}

fn count(n: usize, what: &str) -> String {
    format!("{n} {what}")
}

/// One managed policy's default version.
struct Managed<'a> {
    name: &'a str,
    doc: Option<&'a Node>,
}

fn managed_policies(top: &[Member]) -> Vec<(&str, Managed<'_>)> {
    array(top, "Policies")
        .iter()
        .filter_map(|p| {
            let m = members(p);
            let arn = string(m, "Arn")?;
            let default_id = string(m, "DefaultVersionId");
            let versions = array(m, "PolicyVersionList");
            let default = versions
                .iter()
                .map(members)
                .find(|v| {
                    matches!(
                        get(v, "IsDefaultVersion"),
                        Some(Node {
                            value: Value::Bool(true),
                            ..
                        })
                    )
                })
                .or_else(|| {
                    versions
                        .iter()
                        .map(members)
                        .find(|v| default_id.is_some() && string(v, "VersionId") == default_id)
                });
            Some((
                arn,
                Managed {
                    name: string(m, "PolicyName").unwrap_or(arn),
                    doc: default.and_then(|v| get(v, "Document")),
                },
            ))
        })
        .collect()
}

impl Assembler {
    /// Assembles the chosen principal's policies from an account authorization
    /// details document; the starting request is that principal's.
    pub(super) fn account(
        &mut self,
        node: &Node,
        top: &[Member],
        principal: Option<&str>,
        text: &str,
    ) -> (Option<String>, Option<String>, Vec<RequestSpec>) {
        let choices = principals(top);
        let list = || {
            choices
                .iter()
                .map(|c| format!("{} {}", c.kind, c.name))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let Some(wanted) = principal else {
            self.error(Diagnostic::error(
                node.span,
                format!(
                    "this is the output of aws iam get-account-authorization-details: choose a user or role (--principal NAME|ARN): {}",
                    list()
                ),
            ));
            return (None, None, Vec::new());
        };
        let matching: Vec<&PrincipalChoice> = choices
            .iter()
            .filter(|c| c.arn == wanted || c.name == wanted)
            .collect();
        let chosen = match matching.as_slice() {
            [one] => (*one).clone(),
            [] => {
                let hint = did_you_mean(wanted, choices.iter().map(|c| c.name.as_str()));
                self.error(Diagnostic::error(
                    node.span,
                    format!(
                        "no user or role \"{wanted}\" in these account authorization details{hint}; there are: {}",
                        list()
                    ),
                ));
                return (None, None, Vec::new());
            }
            _ => {
                self.error(Diagnostic::error(
                    node.span,
                    format!("\"{wanted}\" names both a user and a role: give the ARN"),
                ));
                return (None, None, Vec::new());
            }
        };
        let managed = managed_policies(top);
        let (list_key, inline_key) = if chosen.kind == "user" {
            ("UserDetailList", "UserPolicyList")
        } else {
            ("RoleDetailList", "RolePolicyList")
        };
        let Some(entry) = array(top, list_key)
            .iter()
            .map(members)
            .find(|m| string(m, "Arn") == Some(chosen.arn.as_str()))
        else {
            return (None, None, Vec::new());
        };
        let mut seen_managed: Vec<String> = Vec::new();
        self.inline_policies(array(entry, inline_key), "", text);
        self.attached(entry, "", &managed, &mut seen_managed, text);
        // A user's groups bring their inline and attached policies.
        for g in array(entry, "GroupList") {
            let Value::String(group) = &g.value else {
                continue;
            };
            let Some(gm) = array(top, "GroupDetailList")
                .iter()
                .map(members)
                .find(|m| string(m, "GroupName") == Some(group.as_str()))
            else {
                self.error(Diagnostic::error(
                    g.span,
                    format!(
                        "group \"{group}\" is not in GroupDetailList: its policies would be missing"
                    ),
                ));
                continue;
            };
            let prefix = format!("group {group}: ");
            self.inline_policies(array(gm, "GroupPolicyList"), &prefix, text);
            self.attached(gm, &prefix, &managed, &mut seen_managed, text);
        }
        if let Some(b) = object(entry, "PermissionsBoundary") {
            if let Some(arn_node) = get(b, "PermissionsBoundaryArn") {
                let Value::String(arn) = &arn_node.value else {
                    return (None, None, Vec::new());
                };
                match managed.iter().find(|(a, _)| a == arn) {
                    Some((_, Managed { name, doc: Some(doc) })) => {
                        self.document(doc, PolicyKind::Boundary, None, Some(name.to_string()), None, name, text);
                    }
                    _ => self.error(Diagnostic::error(
                        arn_node.span,
                        format!("the permissions boundary {arn} has no default version in Policies: without it every decision would be wrong"),
                    )),
                }
            }
        }
        if chosen.kind == "role" {
            if let Some(doc) = get(entry, "AssumeRolePolicyDocument") {
                self.document(
                    doc,
                    PolicyKind::Resource,
                    None,
                    Some(format!("{} trust policy", chosen.name)),
                    Some(chosen.arn.clone()),
                    "AssumeRolePolicyDocument",
                    text,
                );
            }
        }
        let request = starting_request(&chosen, entry);
        let title = format!(
            "{} {} (account authorization details)",
            chosen.kind, chosen.name
        );
        let description = format!(
            "The identity policies of {} {} assembled from aws iam get-account-authorization-details: inline, attached managed{}, and its permissions boundary. The request is a starting point: the principal and its tags are from the file; set the action, resource and context.",
            chosen.kind,
            chosen.name,
            if chosen.kind == "user" {
                ", its groups'"
            } else {
                ""
            },
        );
        (Some(title), Some(description), vec![request])
    }

    fn inline_policies(&mut self, list: &[Node], prefix: &str, text: &str) {
        for p in list {
            let m = members(p);
            let name = format!(
                "{prefix}{}",
                string(m, "PolicyName").unwrap_or("inline policy")
            );
            match get(m, "PolicyDocument") {
                Some(doc) => self.document(
                    doc,
                    PolicyKind::Identity,
                    None,
                    Some(name.clone()),
                    None,
                    &name,
                    text,
                ),
                None => self.error(Diagnostic::error(
                    p.span,
                    format!("inline policy {name} has no PolicyDocument"),
                )),
            }
        }
    }

    fn attached(
        &mut self,
        owner: &[Member],
        prefix: &str,
        managed: &[(&str, Managed<'_>)],
        seen: &mut Vec<String>,
        text: &str,
    ) {
        for a in array(owner, "AttachedManagedPolicies") {
            let Some(arn_node) = get(members(a), "PolicyArn") else {
                continue;
            };
            let Value::String(arn) = &arn_node.value else {
                continue;
            };
            if seen.contains(arn) {
                continue;
            }
            seen.push(arn.clone());
            match managed.iter().find(|(m, _)| m == arn) {
                Some((_, Managed { name, doc: Some(doc) })) => {
                    let name = format!("{prefix}{name}");
                    self.document(doc, PolicyKind::Identity, None, Some(name.clone()), None, &name, text);
                }
                _ => self.error(Diagnostic::error(
                    arn_node.span,
                    format!("the attached policy {arn} has no default version in Policies (was the file filtered?)"),
                )),
            }
        }
    }
}

/// The chosen principal's request: its ARN (a session of a role), the principal keys
/// and its tags; the action and resource are placeholders to change.
fn starting_request(chosen: &PrincipalChoice, entry: &[Member]) -> RequestSpec {
    let tags: Vec<(String, String)> = array(entry, "Tags")
        .iter()
        .filter_map(|t| {
            let m = members(t);
            Some((
                string(m, "Key")?.to_string(),
                string(m, "Value")?.to_string(),
            ))
        })
        .collect();
    starting_request_for(
        chosen.kind == "role",
        &chosen.name,
        &chosen.arn,
        &tags,
        "A starting point: the principal, its account and its tags come from the account authorization details; the action, resource and other context keys are placeholders to set.",
    )
}

/// A first request for a user (or, `role`, a session of a role) named `name` with
/// `arn` and `tags`: the principal keys set, `s3:ListAllMyBuckets` on `*` to change;
/// `note` says where the principal came from.
pub(crate) fn starting_request_for(
    role: bool,
    name: &str,
    arn: &str,
    tags: &[(String, String)],
    note: &str,
) -> RequestSpec {
    let account = arn.split(':').nth(4).unwrap_or_default().to_string();
    // The session is in the role's partition (arn:aws-cn:sts::… for a role in China).
    let partition = arn
        .split(':')
        .nth(1)
        .filter(|p| arn.starts_with("arn:") && p.starts_with("aws"))
        .unwrap_or("aws");
    let one = |v: &str| ContextValue::One(Scalar::string(v));
    let (principal, ptype) = if role {
        (
            format!("arn:{partition}:sts::{account}:assumed-role/{name}/iamtrace"),
            "AssumedRole",
        )
    } else {
        (arn.to_string(), "User")
    };
    let mut context = vec![
        ("aws:PrincipalArn".to_string(), one(arn)),
        ("aws:PrincipalAccount".to_string(), one(&account)),
        ("aws:PrincipalType".to_string(), one(ptype)),
        ("aws:PrincipalIsAWSService".to_string(), one("false")),
        ("aws:ViaAWSService".to_string(), one("false")),
        ("aws:SecureTransport".to_string(), one("true")),
    ];
    if !role {
        context.push(("aws:username".to_string(), one(name)));
    }
    for (k, v) in tags {
        context.push((format!("aws:PrincipalTag/{k}"), one(v)));
    }
    RequestSpec {
        name: Some(format!("{} {name}", if role { "role" } else { "user" })),
        via: None,
        request: Request {
            principal,
            action: "s3:ListAllMyBuckets".into(),
            resource: "*".into(),
            resource_account: None,
            context,
        },
        expect: None,
        span: Default::default(),
        notes: vec![note.to_string()],
    }
}
