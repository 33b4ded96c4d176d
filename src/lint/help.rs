//! What each rule is about at length, and the public AWS page that explains the
//! language feature or limit behind it: SARIF's `fullDescription` and `helpUri` (code
//! scanning tools show them beside a result).

/// IAM User Guide pages.
const IAM: &str = "https://docs.aws.amazon.com/IAM/latest/UserGuide/";
/// The Service Authorization Reference (actions, resource types and condition keys).
const SAR: &str = "https://docs.aws.amazon.com/service-authorization/latest/reference/";

/// A rule's long description and its help page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleHelp {
    /// What the rule finds and why it matters, in a few sentences.
    pub description: &'static str,
    /// The public AWS documentation page that explains it.
    pub uri: String,
}

/// The help of the rule with this code (every rule of [`super::RULES`] has one).
pub fn rule_help(code: &str) -> Option<RuleHelp> {
    let (base, page, description) = HELP
        .iter()
        .find(|(c, ..)| *c == code)
        .map(|(_, b, p, d)| (*b, *p, *d))?;
    Some(RuleHelp {
        description,
        uri: format!("{base}{page}"),
    })
}

/// Code, base, page, description.
const HELP: &[(&str, &str, &str, &str)] = &[
    (
        "invalid-policy",
        IAM,
        "reference_policies_grammar.html",
        "The document is not a policy AWS would accept: it is not JSON, or an element is missing, misplaced, of the wrong type or not allowed in this kind of policy. AWS refuses such a policy when it is created or attached; nothing else is checked until it parses.",
    ),
    (
        "unknown-service",
        SAR,
        "reference_policies_actions-resources-contextkeys.html",
        "The service prefix of an Action or NotAction entry is not one of the services in the Service Authorization Reference (the catalog iamtrace embeds). AWS accepts the entry but it matches no request, so it grants or denies nothing. Retired services are said to be retired, with the catalog version.",
    ),
    (
        "unknown-action",
        SAR,
        "reference_policies_actions-resources-contextkeys.html",
        "The service exists but has no action of this name in the Service Authorization Reference: usually a typo (a suggestion is given when one is close) or an action that was renamed or retired. The entry matches no request.",
    ),
    (
        "not-in-reference",
        SAR,
        "reference.html",
        "A service, action or condition key that AWS itself uses (in its managed policies or documentation) but that the Service Authorization Reference does not list. This is a gap in the reference, not a mistake in the policy: the finding is a warning so that it is seen, and says what is known about the name.",
    ),
    (
        "no-matching-action",
        IAM,
        "reference_policies_elements_action.html",
        "An Action or NotAction entry with wildcards (* or ?) matches no action of the catalog, so it grants or denies nothing. Wildcards match within the action name only, case-insensitively.",
    ),
    (
        "redundant-action",
        IAM,
        "reference_policies_elements_action.html",
        "An action entry matches only actions another entry of the same statement already matches (the same action twice, or an action under a wildcard such as s3:Get*). Removing it changes nothing and keeps the policy shorter, which matters under the size limits.",
    ),
    (
        "unknown-global-key",
        IAM,
        "reference_policies_condition-keys.html",
        "A condition key with the aws: prefix that is not one of AWS's global condition context keys. A condition on a key the request never carries is false (or true under IfExists, Null and the negated operators), so the statement does not do what it says.",
    ),
    (
        "unknown-condition-key",
        SAR,
        "reference_policies_actions-resources-contextkeys.html",
        "A condition key with a service prefix that the service does not define in the Service Authorization Reference. No request carries it, so the condition never holds as written (or always holds with IfExists and the negated operators).",
    ),
    (
        "key-not-for-actions",
        SAR,
        "reference_policies_actions-resources-contextkeys.html",
        "The condition key is defined, but none of the statement's actions supports it (the reference lists, per action and resource type, the keys its requests carry). The condition sees the key missing for these actions, so it is false, or true for negated operators and IfExists.",
    ),
    (
        "key-unlisted-for-actions",
        SAR,
        "reference_policies_actions-resources-contextkeys.html",
        "The condition key is defined but the Service Authorization Reference attaches it to none of the statement's actions, for a service where the reference is known to leave such keys out. It may work; the finding says the reference does not list it rather than claim the condition never sees it.",
    ),
    (
        "operator-type-mismatch",
        IAM,
        "reference_policies_elements_condition_operators.html",
        "The condition operator's type does not fit the key's type (a String operator on a date or number key, a Date operator on a string key, IpAddress on a key that is not an IP address). AWS compares as the operator says, which rarely means what was intended.",
    ),
    (
        "wildcard-without-like",
        IAM,
        "reference_policies_elements_condition_operators.html",
        "A value with * or ? under StringEquals (or another operator that compares exactly): the characters are compared as themselves, not as wildcards. Use StringLike (or StringNotLike) to match patterns.",
    ),
    (
        "private-source-ip",
        IAM,
        "reference_policies_condition-keys.html#condition-keys-sourceip",
        "aws:SourceIp compared with private address ranges only. Requests through a VPC endpoint carry no aws:SourceIp and public requests carry public addresses, so the condition never holds; use aws:VpcSourceIp with aws:SourceVpc or aws:SourceVpce for private networks.",
    ),
    (
        "plain-operator-multivalued-key",
        IAM,
        "reference_policies_condition-single-vs-multi-valued-context-keys.html",
        "A condition operator without ForAnyValue or ForAllValues on a multivalued key (such as aws:TagKeys or aws:PrincipalOrgPaths). AWS requires a set operator to compare a request's several values with the policy's.",
    ),
    (
        "forallvalues-single-valued-key",
        IAM,
        "reference_policies_condition-single-vs-multi-valued-context-keys.html",
        "ForAllValues on a single-valued key: it also holds when the key is missing from the request, so an Allow grants more than the values listed. Use the plain operator.",
    ),
    (
        "foranyvalue-single-valued-key",
        IAM,
        "reference_policies_condition-single-vs-multi-valued-context-keys.html",
        "ForAnyValue on a single-valued key behaves as the plain operator does, but reads as if the key had several values. Use the plain operator.",
    ),
    (
        "forallvalues-allow-without-null",
        IAM,
        "reference_policies_condition-single-vs-multi-valued-context-keys.html",
        "ForAllValues in an Allow holds when the request carries no value for the key at all. Unless a Null condition requires the key, the statement also allows requests without it.",
    ),
    (
        "allow-not-action",
        IAM,
        "reference_policies_elements_notaction.html",
        "An Allow with NotAction allows every action not listed, of every service, including services added later. Prefer listing the actions allowed, or pair NotAction with Deny.",
    ),
    (
        "allow-not-resource",
        IAM,
        "reference_policies_elements_notresource.html",
        "An Allow with NotResource allows the actions on every resource not listed, including resources of other accounts and services the actions reach. Prefer listing the resources allowed.",
    ),
    (
        "resource-star",
        IAM,
        "best-practices.html#grant-least-privilege",
        "Resource \"*\" on a statement whose every action supports resource-level permissions: the statement could name the resources (the finding shows an ARN template) and grant least privilege.",
    ),
    (
        "passrole-star",
        IAM,
        "id_roles_use_passrole.html",
        "iam:PassRole on every role lets the principal hand any role, including administrator roles, to a service it can use (EC2, Lambda, Glue…) and act with that role's permissions. List the roles, or add an iam:PassedToService condition.",
    ),
    (
        "privilege-escalation",
        IAM,
        "access_policies_managed-versioning.html",
        "The actions granted together form a known privilege-escalation path: writing a new default version of a policy, attaching or putting policies, creating access keys or login profiles for other users, changing a role's trust policy, or passing a role to a service (Lambda, EC2, Glue, CloudFormation…) and running code as it. Matched after wildcard expansion, across the statements of a policy and across the identity policies of one principal; each set names the public page that explains it. A set granted only by statements with a Condition is reported as granted when those conditions hold.",
    ),
    (
        "resource-type-mismatch",
        IAM,
        "reference_policies_elements_resource.html",
        "An action that none of the statement's resources can serve: s3:GetObject on a bucket ARN (it needs an object ARN), an action that supports no resource-level permissions on named resources (it needs \"*\"). The action grants nothing in this statement. Wildcards are flagged only when none of the actions they match can use the resources, and an action that takes several resource types (ec2:RunInstances) only when none of them can match.",
    ),
    (
        "arn-format",
        IAM,
        "reference-arns.html",
        "A resource ARN whose partition, region or account cannot be: an unknown partition, a region segment where the service's ARNs have none (S3 buckets and objects), a malformed region or an account that is not 12 digits. Such an ARN names no resource. A well-formed region missing from the table of AWS regions is only a warning: it may be newer than the table.",
    ),
    (
        "deny-source-network-without-service-guard",
        IAM,
        "reference_policies_condition-keys.html#condition-keys-viaawsservice",
        "A Deny on the caller's network (aws:SourceIp, aws:SourceVpc, aws:SourceVpce) also stops requests AWS services make on the principal's behalf (CloudFormation, Athena, KMS through S3…), which come from AWS's networks. Add aws:ViaAWSService set to false to the condition (aws:PrincipalIsAWSService is no guard: a call a service makes on the principal's behalf keeps the principal).",
    ),
    (
        "principal-star-allow",
        IAM,
        "reference_policies_elements_principal.html",
        "A resource policy that allows Principal \"*\" (or AWS \"*\") with no condition allows everyone, including anonymous callers and every AWS account. Limit it with a Principal or conditions such as aws:PrincipalOrgID or aws:SourceAccount.",
    ),
    (
        "missing-version",
        IAM,
        "reference_policies_elements_version.html",
        "A policy without Version is read with the 2008-10-17 language, where policy variables such as ${aws:username} are literal text. Write \"Version\": \"2012-10-17\".",
    ),
    (
        "duplicate-sid",
        IAM,
        "reference_policies_elements_sid.html",
        "Two statements share a Sid. Statement IDs must be unique within IAM policies (AWS refuses the policy); in other kinds of policy the duplicate is accepted but makes the statements hard to tell apart.",
    ),
    (
        "invalid-sid",
        IAM,
        "reference_policies_elements_sid.html",
        "A Sid with characters this kind of policy does not accept: IAM identity policies allow only ASCII letters and digits, and AWS refuses the policy otherwise.",
    ),
    (
        "policy-too-large",
        IAM,
        "reference_iam-quotas.html",
        "The policy is larger than AWS allows for its type (6,144 characters without white space for a customer managed policy, 2,048 for a role trust policy and a session policy, 5,120 with white space for an SCP or an RCP). For identity policies the limit depends on how the policy is attached, so it is a warning; AWS managed policies are not bound by it.",
    ),
    (
        "rcp-allow",
        "https://docs.aws.amazon.com/organizations/latest/userguide/",
        "orgs_manage_policies_rcps_syntax.html",
        "A resource control policy statement with Allow: AWS supports Allow only in its own RCPFullAWSAccess policy, and refuses other RCPs that use it. RCPs restrict with Deny.",
    ),
    (
        "rcp-not-action",
        "https://docs.aws.amazon.com/organizations/latest/userguide/",
        "orgs_manage_policies_rcps_syntax.html",
        "A resource control policy statement with NotAction, which RCPs do not support: AWS refuses the policy. List the actions with Action.",
    ),
    (
        "variables-in-2008-policy",
        IAM,
        "reference_policies_variables.html",
        "A policy variable (${aws:username}, ${aws:PrincipalTag/…}) in a policy whose Version is 2008-10-17 or missing: that language has no variables, so the text is compared as written and matches nothing meant. Write \"Version\": \"2012-10-17\".",
    ),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_rule_has_help_and_every_help_a_rule() {
        for rule in super::super::RULES {
            let help = rule_help(rule.code).unwrap_or_else(|| panic!("{} has no help", rule.code));
            assert!(
                help.description.len() > rule.summary.len() && help.description.ends_with('.'),
                "{}: {}",
                rule.code,
                help.description
            );
            assert!(
                help.uri.starts_with("https://docs.aws.amazon.com/") && help.uri.contains(".html"),
                "{}: {}",
                rule.code,
                help.uri
            );
        }
        for (code, ..) in HELP {
            assert!(
                super::super::rule_for(code).is_some(),
                "help for no rule: {code}"
            );
            assert_eq!(
                HELP.iter().filter(|(c, ..)| c == code).count(),
                1,
                "{code} twice"
            );
        }
    }
}
