//! What AWS gives you, opened as scenarios: the output of the AWS CLI commands that
//! print one policy (`tests/fixtures/aws/awscli/`) and of
//! `aws iam get-account-authorization-details` (`tests/fixtures/aws/account/`). The
//! READMEs beside the fixtures say what each file holds and which decisions follow;
//! these tests hold the loader to them.

use iamtrace::eval::{ContextValue, Scalar};
use iamtrace::input::{Kind, LoadOptions, account_principals, load_str, load_with};
use iamtrace::policy::{PolicyKind, PolicySet};
use iamtrace::scenario::{DocumentForm, Scenario};
use iamtrace::source::Encoding;
use iamtrace::{Decision, Detail, PreparedRequest, Request, evaluate};
use std::path::Path;

const ACCOUNT: &str = "111122223333";
const ALICE: &str = "arn:aws:iam::111122223333:user/alice";
const BOB: &str = "arn:aws:iam::111122223333:user/engineering/bob";
const CI_DEPLOY: &str = "arn:aws:iam::111122223333:role/ci-deploy";
const CI_SESSION: &str = "arn:aws:sts::111122223333:assumed-role/ci-deploy/GitHubActions";
const SLR: &str = "arn:aws:iam::111122223333:role/aws-service-role/clientvpn.amazonaws.com/AWSServiceRoleForClientVPN";
const OIDC: &str = "arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com";
const THUMBNAILER: &str = "arn:aws:lambda:us-east-1:111122223333:function:thumbnailer";

/// An identity policy that allows everything, to see what SCPs and RCPs take away.
const ALLOW_ALL: &str = r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}"#;

fn fixture(rel: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/aws")
        .join(rel);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn cli(name: &str) -> String {
    fixture(&format!("awscli/{name}"))
}

fn details() -> String {
    fixture("account/authorization-details.json")
}

fn load(text: &str) -> Scenario {
    load_str(text).unwrap_or_else(|e| panic!("does not load: {:#?}", e.diagnostics))
}

fn load_for(text: &str, principal: &str) -> Scenario {
    let options = LoadOptions {
        principal: Some(principal.to_string()),
        ..Default::default()
    };
    load_with(text, &options)
        .unwrap_or_else(|e| panic!("{principal}: does not load: {:#?}", e.diagnostics))
}

/// Every error message of a load that must fail.
fn errors(text: &str, options: &LoadOptions) -> Vec<iamtrace::source::Diagnostic> {
    load_error(text, options).diagnostics
}

fn load_error(text: &str, options: &LoadOptions) -> iamtrace::scenario::LoadError {
    match load_with(text, options) {
        Ok(_) => panic!("loaded without an error"),
        Err(e) => e,
    }
}

fn one(v: &str) -> ContextValue {
    ContextValue::One(Scalar::string(v))
}

/// A request with string context values.
fn req(principal: &str, action: &str, resource: &str, context: &[(&str, &str)]) -> Request {
    Request {
        principal: principal.into(),
        action: action.into(),
        resource: resource.into(),
        resource_account: None,
        context: context
            .iter()
            .map(|(k, v)| (k.to_string(), one(v)))
            .collect(),
    }
}

fn decide(set: &PolicySet, request: &Request) -> Decision {
    evaluate(set, &PreparedRequest::new(request), Detail::Decision).decision
}

/// The context of a direct call by an IAM user from `ip`.
fn direct_from(ip: &str) -> Vec<(&str, &str)> {
    vec![("aws:SourceIp", ip), ("aws:ViaAWSService", "false")]
}

/// `base` with its context keys replaced or added by `changes` (a value of `None`
/// removes the key).
fn with_context(base: &Request, changes: &[(&str, Option<&str>)]) -> Request {
    let mut r = base.clone();
    for (key, value) in changes {
        r.context.retain(|(k, _)| !k.eq_ignore_ascii_case(key));
        if let Some(v) = value {
            r.context.push((key.to_string(), one(v)));
        }
    }
    r
}

fn context_value<'a>(r: &'a Request, key: &str) -> Option<&'a str> {
    r.context.iter().find_map(|(k, v)| match v {
        ContextValue::One(s) if k == key => Some(s.text.as_str()),
        _ => None,
    })
}

/// The names of the policies of `kind`, in order.
fn names(s: &Scenario, kind: PolicyKind) -> Vec<String> {
    s.set
        .policies
        .iter()
        .filter(|p| p.kind == kind)
        .map(|p| p.name.to_string())
        .collect()
}

/// The source text of the policy named `name`.
fn text_of<'a>(s: &'a Scenario, name: &str) -> &'a str {
    let i = s
        .set
        .policies
        .iter()
        .position(|p| &*p.name == name)
        .unwrap_or_else(|| panic!("no policy {name:?} in {:?}", names_all(s)));
    &s.sources[i].text
}

fn names_all(s: &Scenario) -> Vec<String> {
    s.set.policies.iter().map(|p| p.name.to_string()).collect()
}

/// The set with only the policy named `name`.
fn only(s: &Scenario, name: &str) -> PolicySet {
    let mut set = s.set.clone();
    set.policies.retain(|p| &*p.name == name);
    assert_eq!(set.policies.len(), 1, "{name} in {:?}", names_all(s));
    set
}

/// The (line, column) of the first occurrence of `needle` in `text` (1-based, ASCII).
fn position_of(text: &str, needle: &str) -> (u64, u32) {
    let at = text
        .find(needle)
        .unwrap_or_else(|| panic!("{needle:?} not found"));
    let before = &text[..at];
    let line = before.matches('\n').count() as u64 + 1;
    let column = (at - before.rfind('\n').map_or(0, |n| n + 1)) as u32 + 1;
    (line, column)
}

// ---------------------------------------------------------------------------------
// AWS CLI outputs

const CLI_FILES: &[&str] = &[
    "describe-policy-rcp.json",
    "describe-policy-scp.json",
    "get-bucket-policy.json",
    "get-function-policy.json",
    "get-group-policy.json",
    "get-key-policy.json",
    "get-policy-version-urlencoded.json",
    "get-policy-version.json",
    "get-queue-attributes.json",
    "get-repository-policy.json",
    "get-resource-policy-secret.json",
    "get-role-policy.json",
    "get-role.json",
    "get-user-policy.json",
];

#[test]
fn every_cli_output_is_recognised_and_loads_one_policy_without_requests() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/aws/awscli");
    let mut on_disk: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".json"))
        .collect();
    on_disk.sort();
    assert_eq!(
        on_disk, CLI_FILES,
        "a fixture is not covered by these tests"
    );
    for name in CLI_FILES {
        let text = cli(name);
        assert_eq!(iamtrace::input::kind(&text), Kind::AwsCli, "{name}");
        let s = load(&text);
        assert_eq!(s.set.policies.len(), 1, "{name}");
        assert_eq!(s.sources.len(), 1, "{name}");
        assert!(s.requests.is_empty(), "{name}");
        let title = s.name.as_deref().unwrap_or_default();
        assert!(title.starts_with("aws "), "{name}: title {title:?}");
        let description = s.description.as_deref().unwrap_or_default();
        assert!(
            description.contains(title),
            "{name}: the description names the command: {description:?}"
        );
    }
}

/// (file, policy type, words the policy's name contains, attachedTo, form)
type CliExpectation = (
    &'static str,
    PolicyKind,
    &'static [&'static str],
    Option<&'static str>,
    DocumentForm,
);

const CLI_EXPECTED: &[CliExpectation] = &[
    (
        "get-policy-version.json",
        PolicyKind::Identity,
        &["v3"],
        None,
        DocumentForm::Inline,
    ),
    (
        "get-policy-version-urlencoded.json",
        PolicyKind::Identity,
        &["v3"],
        None,
        DocumentForm::UrlEncoded,
    ),
    (
        "get-role-policy.json",
        PolicyKind::Identity,
        &["deploy-artifacts", "ci-deploy"],
        None,
        DocumentForm::Inline,
    ),
    (
        "get-user-policy.json",
        PolicyKind::Identity,
        &["AllowOwnAccessKeys", "alice"],
        None,
        DocumentForm::Inline,
    ),
    (
        "get-group-policy.json",
        PolicyKind::Identity,
        &["NoTrailTamperingOrOrgEscape", "Admins"],
        None,
        DocumentForm::Inline,
    ),
    (
        "get-role.json",
        PolicyKind::Resource,
        &["ops-automation", "trust"],
        Some("arn:aws:iam::111122223333:role/ops-automation"),
        DocumentForm::Inline,
    ),
    (
        "get-bucket-policy.json",
        PolicyKind::Resource,
        &["bucket"],
        None,
        DocumentForm::String,
    ),
    (
        "get-key-policy.json",
        PolicyKind::Resource,
        &["key"],
        None,
        DocumentForm::String,
    ),
    (
        "describe-policy-scp.json",
        PolicyKind::Scp,
        &["RegionRestriction"],
        None,
        DocumentForm::String,
    ),
    (
        "describe-policy-rcp.json",
        PolicyKind::Rcp,
        &["S3SecureTransportOnly"],
        None,
        DocumentForm::String,
    ),
    (
        "get-function-policy.json",
        PolicyKind::Resource,
        &["function"],
        None,
        DocumentForm::String,
    ),
    (
        "get-queue-attributes.json",
        PolicyKind::Resource,
        &["queue"],
        None,
        DocumentForm::String,
    ),
    (
        "get-resource-policy-secret.json",
        PolicyKind::Resource,
        &["prod/db-password"],
        Some("arn:aws:secretsmanager:us-east-1:111122223333:secret:prod/db-password-Xq7PzR"),
        DocumentForm::String,
    ),
    (
        "get-repository-policy.json",
        PolicyKind::Resource,
        &["iamtrace/app"],
        Some("arn:aws:ecr:*:111122223333:repository/iamtrace/app"),
        DocumentForm::String,
    ),
];

#[test]
fn each_cli_output_gives_its_policy_type_name_attachment_and_form() {
    assert_eq!(CLI_EXPECTED.len(), CLI_FILES.len());
    for (file, kind, words, attached, form) in CLI_EXPECTED {
        let s = load(&cli(file));
        let entry = &s.set.policies[0];
        let source = &s.sources[0];
        assert_eq!(entry.kind, *kind, "{file}");
        assert_eq!(source.kind, *kind, "{file}");
        for w in *words {
            assert!(
                entry.name.contains(w),
                "{file}: name {:?} lacks {w:?}",
                entry.name
            );
        }
        assert_eq!(source.attached_to.as_deref(), *attached, "{file}");
        assert_eq!(
            entry.attached_to.as_ref().map(|a| a.text.as_str()),
            *attached,
            "{file}"
        );
        assert_eq!(source.form, *form, "{file}");
        // A string document is kept as its decoded text, ready to edit.
        assert!(
            source.text.trim_start().starts_with('{'),
            "{file}: {}",
            source.text
        );
        match kind {
            PolicyKind::Scp | PolicyKind::Rcp => assert_eq!(entry.level, Some(0), "{file}"),
            _ => assert_eq!(entry.level, None, "{file}"),
        }
    }
}

#[test]
fn url_encoded_policy_version_decodes_to_the_pretty_text_and_decides_like_the_plain_one() {
    let plain = load(&cli("get-policy-version.json"));
    let encoded = load(&cli("get-policy-version-urlencoded.json"));
    let text = &encoded.sources[0].text;
    assert!(
        text.starts_with("{\n    \"Version\": \"2012-10-17\""),
        "decoded text keeps its 4-space layout: {text:?}"
    );
    assert!(!text.contains('%'), "{text}");
    let requests = [
        req(
            ALICE,
            "s3:GetObject",
            "arn:aws:s3:::b/k",
            &direct_from("203.0.113.10"),
        ),
        req(
            ALICE,
            "ec2:RunInstances",
            "*",
            &direct_from("198.51.100.23"),
        ),
        req(
            ALICE,
            "iam:CreateServiceLinkedRole",
            SLR,
            &[("aws:ViaAWSService", "true")],
        ),
        req(ALICE, "s3:ListAllMyBuckets", "*", &[]),
    ];
    let expected = [
        Decision::Allow,
        Decision::ExplicitDeny,
        // v3 has no aws:ViaAWSService exemption: the Client VPN incident.
        Decision::ExplicitDeny,
        Decision::ExplicitDeny,
    ];
    for (r, want) in requests.iter().zip(expected) {
        assert_eq!(decide(&plain.set, r), want, "plain: {r:?}");
        assert_eq!(decide(&encoded.set, r), want, "URL-encoded: {r:?}");
    }
}

#[test]
fn scp_from_describe_policy_sits_at_the_root_and_denies_other_regions() {
    let s = load(&cli("describe-policy-scp.json"));
    assert_eq!(s.set.scp_levels, ["r-root"]);
    assert!(s.set.rcp_levels.is_empty());
    assert!(
        s.description
            .as_deref()
            .unwrap_or_default()
            .contains("r-root"),
        "the description says where the SCP was placed: {:?}",
        s.description
    );
    let mut set = s.set.clone();
    // Alone at the root, a Deny-only SCP allows nothing: AWS attaches FullAWSAccess
    // there too.
    let in_region_probe = req(
        ALICE,
        "ec2:RunInstances",
        "*",
        &[("aws:RequestedRegion", "eu-west-1")],
    );
    set.policies.push(load(ALLOW_ALL).set.policies[0].clone());
    assert_eq!(decide(&set, &in_region_probe), Decision::ImplicitDeny);
    let mut full_access = load(ALLOW_ALL).set.policies[0].clone();
    full_access.kind = PolicyKind::Scp;
    full_access.level = Some(0);
    full_access.name = "FullAWSAccess".into();
    set.policies.push(full_access);
    let in_region = |r: &str| {
        req(
            ALICE,
            "ec2:RunInstances",
            "*",
            &[("aws:RequestedRegion", r)],
        )
    };
    assert_eq!(decide(&set, &in_region("eu-west-1")), Decision::Allow);
    assert_eq!(
        decide(&set, &in_region("ap-south-1")),
        Decision::ExplicitDeny
    );
    // NotAction: global services are not restricted.
    let iam = req(
        ALICE,
        "iam:CreateUser",
        "*",
        &[("aws:RequestedRegion", "ap-south-1")],
    );
    assert_eq!(decide(&set, &iam), Decision::Allow);
    // The exempt role, matched through the mixed-case aws:PrincipalARN key.
    let exempt = req(
        "arn:aws:sts::111122223333:assumed-role/OrganizationAccountAccessRole/admin",
        "ec2:RunInstances",
        "*",
        &[
            ("aws:RequestedRegion", "ap-south-1"),
            (
                "aws:PrincipalArn",
                "arn:aws:iam::111122223333:role/OrganizationAccountAccessRole",
            ),
        ],
    );
    assert_eq!(decide(&set, &exempt), Decision::Allow);
}

#[test]
fn rcp_from_describe_policy_sits_at_the_root_and_denies_plain_http_to_s3() {
    let s = load(&cli("describe-policy-rcp.json"));
    assert_eq!(s.set.rcp_levels, ["r-root"]);
    assert!(s.set.scp_levels.is_empty());
    let mut set = s.set.clone();
    set.policies.push(load(ALLOW_ALL).set.policies[0].clone());
    let get = |tls: Option<&str>| {
        let mut ctx = vec![];
        if let Some(t) = tls {
            ctx.push(("aws:SecureTransport", t));
        }
        req(
            ALICE,
            "s3:GetObject",
            "arn:aws:s3:::example-shared-reports/x",
            &ctx,
        )
    };
    assert_eq!(decide(&set, &get(Some("false"))), Decision::ExplicitDeny);
    assert_eq!(decide(&set, &get(Some("true"))), Decision::Allow);
    // BoolIfExists: a missing key satisfies the condition, so the Deny applies.
    assert_eq!(decide(&set, &get(None)), Decision::ExplicitDeny);
    // Other services are out of the RCP's reach.
    let sqs = req(
        ALICE,
        "sqs:SendMessage",
        "arn:aws:sqs:us-east-1:111122223333:q",
        &[("aws:SecureTransport", "false")],
    );
    assert_eq!(decide(&set, &sqs), Decision::Allow);
}

#[test]
fn resource_policies_from_cli_outputs_decide_as_written() {
    // s3api get-bucket-policy: plain HTTP is denied even to the account's own user.
    let bucket = load(&cli("get-bucket-policy.json"));
    let object = "arn:aws:s3:::example-shared-reports/2024/q3.csv";
    let insecure = req(
        ALICE,
        "s3:GetObject",
        object,
        &[("aws:SecureTransport", "false")],
    );
    assert_eq!(decide(&bucket.set, &insecure), Decision::ExplicitDeny);

    // lambda get-policy: AWS:SourceAccount / AWS:SourceArn in Lambda's capitalisation.
    let function = load(&cli("get-function-policy.json"));
    let invoke = |account: &str| {
        req(
            "s3.amazonaws.com",
            "lambda:InvokeFunction",
            THUMBNAILER,
            &[
                ("aws:SourceAccount", account),
                ("aws:SourceArn", "arn:aws:s3:::example-uploads"),
            ],
        )
    };
    assert_eq!(decide(&function.set, &invoke(ACCOUNT)), Decision::Allow);
    assert_eq!(
        decide(&function.set, &invoke("444455556666")),
        Decision::ImplicitDeny
    );

    // sqs get-queue-attributes: SQS:SendMessage written in upper case; Principal "*"
    // in the same account needs no identity policy.
    let queue = load(&cli("get-queue-attributes.json"));
    let send = |ctx: &[(&str, &str)]| {
        req(
            ALICE,
            "sqs:SendMessage",
            "arn:aws:sqs:us-east-1:111122223333:ingest-queue",
            ctx,
        )
    };
    assert_eq!(
        decide(
            &queue.set,
            &send(&[(
                "aws:SourceArn",
                "arn:aws:sns:us-east-1:111122223333:ingest-topic"
            )])
        ),
        Decision::Allow
    );
    // The owner statement names the account root: the user still needs an identity
    // policy of its own.
    assert_eq!(decide(&queue.set, &send(&[])), Decision::ImplicitDeny);

    // secretsmanager get-resource-policy: NobodyElseReads.
    let secret = load(&cli("get-resource-policy-secret.json"));
    let secret_arn = "arn:aws:secretsmanager:us-east-1:111122223333:secret:prod/db-password-Xq7PzR";
    let read = |session: &str, role: &str| {
        req(
            session,
            "secretsmanager:GetSecretValue",
            secret_arn,
            &[("aws:PrincipalArn", role)],
        )
    };
    assert_eq!(
        decide(&secret.set, &read(CI_SESSION, CI_DEPLOY)),
        Decision::ExplicitDeny
    );
    assert_eq!(
        decide(
            &secret.set,
            &read(
                "arn:aws:sts::111122223333:assumed-role/app-runtime/task",
                "arn:aws:iam::111122223333:role/app-runtime"
            )
        ),
        Decision::Allow
    );

    // ecr get-repository-policy: no Resource in the statements; the repository is
    // implied by attachedTo, so another repository is not covered.
    let repo = load(&cli("get-repository-policy.json"));
    let push = |resource: &str| {
        req(
            CI_SESSION,
            "ecr:PutImage",
            resource,
            &[("aws:PrincipalArn", CI_DEPLOY)],
        )
    };
    assert_eq!(
        decide(
            &repo.set,
            &push("arn:aws:ecr:us-east-1:111122223333:repository/iamtrace/app")
        ),
        Decision::Allow
    );
    assert_eq!(
        decide(
            &repo.set,
            &push("arn:aws:ecr:us-east-1:111122223333:repository/other")
        ),
        Decision::ImplicitDeny
    );

    // iam get-role: the trust policy, attached to the role.
    let role = load(&cli("get-role.json"));
    let role_arn = "arn:aws:iam::111122223333:role/ops-automation";
    let assume = |who: &str| req(who, "sts:AssumeRole", role_arn, &[]);
    assert_eq!(
        decide(&role.set, &assume("lambda.amazonaws.com")),
        Decision::Allow
    );
    assert_eq!(
        decide(&role.set, &assume("ec2.amazonaws.com")),
        Decision::ImplicitDeny
    );
    let description = role.description.as_deref().unwrap_or_default();
    assert!(
        description.contains("arn:aws:iam::111122223333:policy/DeveloperBoundary"),
        "get-role says the boundary is not included: {description}"
    );
}

/// Replaces `from` (which must occur once) with `to` in `text`.
fn replace_once(text: &str, from: &str, to: &str) -> String {
    assert_eq!(text.matches(from).count(), 1, "{from:?}");
    text.replace(from, to)
}

#[test]
fn an_error_in_a_policy_held_in_a_string_points_into_the_decoded_text() {
    let dir = tempfile::tempdir().unwrap();
    // A compact JSON string (s3api get-bucket-policy).
    let broken = replace_once(
        &cli("get-bucket-policy.json"),
        r#"\"Effect\":\"Allow\""#,
        r#"\"Effect\":\"Allw\""#,
    );
    let path = dir.path().join("bucket.json");
    std::fs::write(&path, &broken).unwrap();
    let text = std::fs::read_to_string(&path).unwrap();
    let e = load_error(&text, &LoadOptions::default());
    let diags = &e.diagnostics;
    assert_eq!(diags.len(), 1, "{diags:#?}");
    let d = &diags[0];
    // The span names the decoded text; the map places it at its string in the file.
    let place = e.source_map.place(&d.span);
    let (held, _) = place.decoded.expect("in a decoded text");
    assert_eq!(held.encoding, Encoding::JsonString);
    let string_at = position_of(&text, r#""{\"Version"#);
    assert_eq!((place.line, place.column), string_at);
    let shown = e.source_map.describe(d);
    assert!(
        shown.starts_with(&format!(
            "{}:{}: in the policy string of ",
            string_at.0, string_at.1
        )) && shown.contains("bucket policy"),
        "{shown}"
    );
    let decoded = load(&cli("get-bucket-policy.json")).sources[0]
        .text
        .replace(r#""Effect":"Allow""#, r#""Effect":"Allw""#);
    let (line, column) = position_of(&decoded, r#""Allw""#);
    assert_eq!(
        (d.span.line, d.span.column),
        (line, column),
        "{}",
        d.message
    );

    // A URL-encoded string (the raw IAM API): the line is the decoded text's.
    let broken = replace_once(
        &cli("get-policy-version-urlencoded.json"),
        "%22Effect%22%3A%20%22Deny%22",
        "%22Effect%22%3A%20%22Dney%22",
    );
    let path = dir.path().join("version.json");
    std::fs::write(&path, &broken).unwrap();
    let e = load_error(
        &std::fs::read_to_string(&path).unwrap(),
        &LoadOptions::default(),
    );
    let diags = &e.diagnostics;
    assert_eq!(diags.len(), 1, "{diags:#?}");
    let d = &diags[0];
    let held = e.source_map.get(d.span.source).expect("in a decoded text");
    assert_eq!(held.encoding, Encoding::UrlEncoded);
    assert!(
        e.source_map
            .describe(d)
            .contains("in the URL-encoded policy string of"),
        "{}",
        e.source_map.describe(d)
    );
    let decoded = load(&cli("get-policy-version-urlencoded.json")).sources[0]
        .text
        .replace("\"Deny\"", "\"Dney\"");
    let (line, column) = position_of(&decoded, "\"Dney\"");
    assert!(line > 1, "the decoded text is pretty-printed");
    assert_eq!(
        (d.span.line, d.span.column),
        (line, column),
        "{}",
        d.message
    );

    // Text that is not JSON at all inside the string.
    let broken = replace_once(
        &cli("get-key-policy.json"),
        r#"\"Version\" : \"2012-10-17\","#,
        r#"\"Version\" : \"2012-10-17\",,"#,
    );
    let e = load_error(&broken, &LoadOptions::default());
    let diags = &e.diagnostics;
    assert!(!diags.is_empty());
    assert!(
        diags
            .iter()
            .all(|d| e.source_map.get(d.span.source).is_some()),
        "{diags:#?}"
    );
    assert!(diags.iter().all(|d| d.span.line == 2), "{diags:#?}");
}

// ---------------------------------------------------------------------------------
// Account authorization details

#[test]
fn account_details_are_recognised_and_need_a_principal() {
    let text = details();
    assert_eq!(iamtrace::input::kind(&text), Kind::AccountDetails);
    assert_eq!(
        iamtrace::input::kind(&fixture("account/authorization-details-urlencoded.json")),
        Kind::AccountDetails
    );
    let diags = errors(&text, &LoadOptions::default());
    assert_eq!(diags.len(), 1, "{diags:#?}");
    let m = &diags[0].message;
    assert!(m.contains("--principal"), "{m}");
    for who in [
        "user alice",
        "user bob",
        "role ci-deploy",
        "role AWSServiceRoleForClientVPN",
    ] {
        assert!(m.contains(who), "{who} missing from: {m}");
    }
    // load_str is load_with without a principal.
    assert!(load_str(&text).is_err());
}

#[test]
fn account_principals_lists_users_and_roles_with_their_kind_and_arn() {
    let list = account_principals(&details()).expect("account details");
    let got: Vec<(&str, &str, &str)> = list
        .iter()
        .map(|c| (c.kind, c.name.as_str(), c.arn.as_str()))
        .collect();
    assert_eq!(
        got,
        [
            ("user", "alice", ALICE),
            ("user", "bob", BOB),
            ("role", "ci-deploy", CI_DEPLOY),
            ("role", "AWSServiceRoleForClientVPN", SLR),
        ]
    );
    let alice = &list[0];
    for part in ["1 inline", "1 attached", "2 groups", "boundary"] {
        assert!(alice.summary.contains(part), "{}", alice.summary);
    }
    let bob = &list[1];
    assert!(!bob.summary.contains("boundary"), "{}", bob.summary);
    assert!(bob.summary.contains("1 group"), "{}", bob.summary);
    // Not account details: nothing to choose from.
    assert_eq!(account_principals(&cli("get-role.json")), None);
    assert_eq!(account_principals("not json"), None);
}

#[test]
fn an_unknown_principal_gets_a_did_you_mean_and_the_list() {
    let options = LoadOptions {
        principal: Some("alcie".into()),
        ..Default::default()
    };
    let diags = errors(&details(), &options);
    assert_eq!(diags.len(), 1, "{diags:#?}");
    let m = &diags[0].message;
    assert!(m.contains("\"alcie\""), "{m}");
    assert!(m.contains("did you mean alice"), "{m}");
    assert!(m.contains("role ci-deploy"), "{m}");
}

#[test]
fn alice_gets_exactly_her_policies_with_default_versions() {
    let s = load_for(&details(), "alice");
    assert_eq!(
        names(&s, PolicyKind::Identity),
        [
            "AllowOwnAccessKeys",
            "OfficeOnlyAdmin",
            "group Admins: NoTrailTamperingOrOrgEscape",
            "group Admins: AdministratorAccess",
            "group Developers: DeveloperAccess",
        ]
    );
    assert_eq!(names(&s, PolicyKind::Boundary), ["DeveloperBoundary"]);
    assert_eq!(s.set.policies.len(), 6, "{:?}", names_all(&s));
    assert!(s.set.scp_levels.is_empty() && s.set.rcp_levels.is_empty());
    for src in &s.sources {
        assert_eq!(src.form, DocumentForm::Inline);
        assert_eq!(src.attached_to, None);
    }
    // The default version of each managed policy, whatever the list order.
    let office = text_of(&s, "OfficeOnlyAdmin");
    assert!(office.contains("aws:ViaAWSService"), "v4: {office}");
    assert!(!office.contains("198.51.100.0/24"), "not v2: {office}");
    let admin = text_of(&s, "group Admins: AdministratorAccess");
    assert!(!admin.contains("ec2:*"), "not v1: {admin}");
    let dev = text_of(&s, "group Developers: DeveloperAccess");
    assert!(dev.contains("LambdaInAccount"), "not v1: {dev}");
    assert!(!dev.contains("DraftAllS3"), "not v3: {dev}");
    let boundary = text_of(&s, "DeveloperBoundary");
    assert!(
        boundary.contains("ReadIamAndServiceLinkedRoles"),
        "v2: {boundary}"
    );
}

#[test]
fn alice_starting_request_has_her_principal_and_tags() {
    let s = load_for(&details(), ALICE); // by ARN, too
    assert_eq!(s.requests.len(), 1);
    let r = &s.requests[0].request;
    assert_eq!(r.principal, ALICE);
    assert_eq!(context_value(r, "aws:PrincipalArn"), Some(ALICE));
    assert_eq!(context_value(r, "aws:PrincipalAccount"), Some(ACCOUNT));
    assert_eq!(context_value(r, "aws:PrincipalType"), Some("User"));
    assert_eq!(context_value(r, "aws:username"), Some("alice"));
    assert_eq!(context_value(r, "aws:PrincipalTag/team"), Some("platform"));
    assert_eq!(
        context_value(r, "aws:PrincipalTag/cost-center"),
        Some("cc-1042")
    );
    let tags = r
        .context
        .iter()
        .filter(|(k, _)| k.starts_with("aws:PrincipalTag/"))
        .count();
    assert_eq!(tags, 2);
    assert!(!s.requests[0].notes.is_empty());
    assert!(s.name.as_deref().unwrap_or_default().contains("alice"));
}

#[test]
fn alice_decisions_are_the_ones_the_readme_states() {
    let s = load_for(&details(), "alice");
    let start = &s.requests[0].request;
    let call = |action: &str, resource: &str, changes: &[(&str, Option<&str>)]| {
        let mut r = with_context(start, changes);
        r.action = action.into();
        r.resource = resource.into();
        decide(&s.set, &r)
    };
    let office = [("aws:SourceIp", Some("203.0.113.10"))];
    // Made by Client VPN on her behalf: no address, through a service.
    assert_eq!(
        call(
            "iam:CreateServiceLinkedRole",
            SLR,
            &[("aws:SourceIp", None), ("aws:ViaAWSService", Some("true"))]
        ),
        Decision::Allow
    );
    assert_eq!(
        call(
            "ec2:CreateClientVpnEndpoint",
            "*",
            &[
                ("aws:SourceIp", Some("203.0.113.10")),
                ("aws:RequestedRegion", Some("eu-west-1"))
            ]
        ),
        Decision::Allow
    );
    assert_eq!(
        call(
            "ec2:DescribeInstances",
            "*",
            &[("aws:SourceIp", Some("198.51.100.23"))]
        ),
        Decision::ExplicitDeny
    );
    assert_eq!(
        call("cloudtrail:StopLogging", "*", &office),
        Decision::ExplicitDeny
    );
    assert_eq!(
        call(
            "iam:CreatePolicyVersion",
            "arn:aws:iam::111122223333:policy/OfficeOnlyAdmin",
            &office
        ),
        Decision::ImplicitDeny
    );
    assert_eq!(call("iam:CreateAccessKey", ALICE, &office), Decision::Allow);
    assert_eq!(
        call("iam:CreateAccessKey", BOB, &office),
        Decision::ImplicitDeny,
        "${{aws:username}} is alice"
    );
}

#[test]
fn alice_wrong_version_traps_are_avoided() {
    // Each decision would differ if a non-default version had been picked.
    let s = load_for(&details(), "alice");
    let start = &s.requests[0].request;
    let with = |action: &str, resource: &str, changes: &[(&str, Option<&str>)]| {
        let mut r = with_context(start, changes);
        r.action = action.into();
        r.resource = resource.into();
        r
    };
    let slr = with(
        "iam:CreateServiceLinkedRole",
        SLR,
        &[("aws:SourceIp", None), ("aws:ViaAWSService", Some("true"))],
    );
    // OfficeOnlyAdmin v3 would explicitly deny it.
    assert_eq!(
        decide(&only(&s, "OfficeOnlyAdmin"), &slr),
        Decision::Allow,
        "OfficeOnlyAdmin is not v3"
    );
    // DeveloperBoundary v1 would not give iam:CreateServiceLinkedRole back.
    let mut boundary_and_admin = only(&s, "DeveloperBoundary");
    boundary_and_admin
        .policies
        .extend(only(&s, "group Admins: AdministratorAccess").policies);
    assert_eq!(
        decide(&boundary_and_admin, &slr),
        Decision::Allow,
        "DeveloperBoundary is not v1"
    );
    // OfficeOnlyAdmin v2 would let the old office in.
    let old_office = with(
        "ec2:DescribeInstances",
        "*",
        &[("aws:SourceIp", Some("198.51.100.23"))],
    );
    assert_eq!(
        decide(&only(&s, "OfficeOnlyAdmin"), &old_office),
        Decision::ExplicitDeny,
        "OfficeOnlyAdmin is not v2"
    );
    // AdministratorAccess v1 allows only ec2, s3, lambda and cloudwatch.
    let publish = with(
        "sns:Publish",
        "arn:aws:sns:us-east-1:111122223333:ingest-topic",
        &[],
    );
    assert_eq!(
        decide(&only(&s, "group Admins: AdministratorAccess"), &publish),
        Decision::Allow,
        "AdministratorAccess is not v1"
    );
    // And the whole assembly agrees.
    assert_eq!(decide(&s.set, &slr), Decision::Allow);
}

#[test]
fn bob_has_only_developer_access_v2() {
    let s = load_for(&details(), "bob");
    assert_eq!(
        names(&s, PolicyKind::Identity),
        ["group Developers: DeveloperAccess"]
    );
    assert!(names(&s, PolicyKind::Boundary).is_empty());
    assert_eq!(s.set.policies.len(), 1);
    let r = &s.requests[0].request;
    assert_eq!(r.principal, BOB);
    assert_eq!(context_value(r, "aws:username"), Some("bob"));
    assert!(
        !r.context
            .iter()
            .any(|(k, _)| k.starts_with("aws:PrincipalTag/")),
        "bob has no tags"
    );
    let call = |action: &str, resource: &str| {
        let mut q = with_context(r, &[("aws:SourceIp", Some("198.51.100.23"))]);
        q.action = action.into();
        q.resource = resource.into();
        decide(&s.set, &q)
    };
    for (action, resource) in [
        ("ec2:DescribeInstances", "*"),
        ("ec2:CreateClientVpnEndpoint", "*"),
        (
            "lambda:UpdateFunctionCode",
            "arn:aws:lambda:eu-west-1:111122223333:function:resizer",
        ),
        (
            "s3:GetObject",
            "arn:aws:s3:::example-dev-artifacts/builds/1.zip",
        ),
    ] {
        assert_eq!(call(action, resource), Decision::Allow, "{action}");
    }
    for (action, resource) in [
        ("ec2:RunInstances", "*"),
        (
            "ec2:DeleteSecurityGroup",
            "arn:aws:ec2:eu-west-1:111122223333:security-group/sg-0f1e2d3c4b5a69788",
        ),
        // DeveloperAccess v3 (newest, not default) would allow these two.
        ("cloudwatch:DescribeAlarms", "*"),
        ("s3:DeleteBucket", "arn:aws:s3:::example-dev-artifacts-old"),
        (
            "kms:Decrypt",
            "arn:aws:kms:us-east-1:111122223333:key/1f3b5d7e-9a2c-4e6f-8b0d-2c4e6a8b0d1f",
        ),
    ] {
        assert_eq!(call(action, resource), Decision::ImplicitDeny, "{action}");
    }
}

#[test]
fn ci_deploy_gets_its_trust_policy_as_a_resource_policy_on_the_role() {
    let s = load_for(&details(), "ci-deploy");
    assert_eq!(
        names(&s, PolicyKind::Identity),
        ["deploy-artifacts", "DeveloperAccess"]
    );
    assert!(names(&s, PolicyKind::Boundary).is_empty());
    let trust: Vec<_> = s
        .set
        .policies
        .iter()
        .filter(|p| p.kind == PolicyKind::Resource)
        .collect();
    assert_eq!(trust.len(), 1);
    assert_eq!(
        trust[0].attached_to.as_ref().map(|a| a.text.as_str()),
        Some(CI_DEPLOY)
    );
    assert!(trust[0].name.contains("trust"), "{}", trust[0].name);

    // The starting request is a session of the role.
    let r = &s.requests[0].request;
    assert!(
        r.principal
            .starts_with("arn:aws:sts::111122223333:assumed-role/ci-deploy/"),
        "{}",
        r.principal
    );
    assert_eq!(context_value(r, "aws:PrincipalArn"), Some(CI_DEPLOY));
    assert_eq!(context_value(r, "aws:PrincipalType"), Some("AssumedRole"));
    assert_eq!(
        context_value(r, "aws:PrincipalTag/managed-by"),
        Some("terraform")
    );
    assert_eq!(context_value(r, "aws:username"), None);

    let call = |action: &str, resource: &str| {
        let mut q = r.clone();
        q.action = action.into();
        q.resource = resource.into();
        decide(&s.set, &q)
    };
    assert_eq!(
        call("lambda:UpdateFunctionCode", THUMBNAILER),
        Decision::Allow
    );
    assert_eq!(
        call(
            "lambda:CreateFunction",
            "arn:aws:lambda:us-east-1:111122223333:function:new-one"
        ),
        Decision::Allow
    );
    assert_eq!(
        call(
            "iam:PassRole",
            "arn:aws:iam::111122223333:role/ops-automation"
        ),
        Decision::ImplicitDeny
    );
    assert_eq!(
        call(
            "secretsmanager:GetSecretValue",
            "arn:aws:secretsmanager:us-east-1:111122223333:secret:prod/db-password-Xq7PzR"
        ),
        Decision::ImplicitDeny
    );

    // The trust policy decides who may assume the role.
    let assume = |sub: &str| {
        req(
            OIDC,
            "sts:AssumeRoleWithWebIdentity",
            CI_DEPLOY,
            &[
                (
                    "token.actions.githubusercontent.com:aud",
                    "sts.amazonaws.com",
                ),
                ("token.actions.githubusercontent.com:sub", sub),
            ],
        )
    };
    assert_eq!(
        decide(
            &s.set,
            &assume("repo:example-org/iamtrace-demo:ref:refs/heads/main")
        ),
        Decision::Allow
    );
    assert_eq!(
        decide(
            &s.set,
            &assume("repo:example-org/iamtrace-demo:ref:refs/heads/feature")
        ),
        Decision::ImplicitDeny
    );
}

#[test]
fn the_service_linked_role_keeps_its_path_and_its_aws_managed_policy() {
    let s = load_for(&details(), "AWSServiceRoleForClientVPN");
    assert_eq!(
        names(&s, PolicyKind::Identity),
        ["ClientVPNServiceRolePolicy"]
    );
    let trust: Vec<_> = s
        .set
        .policies
        .iter()
        .filter(|p| p.kind == PolicyKind::Resource)
        .collect();
    assert_eq!(trust.len(), 1);
    assert_eq!(
        trust[0].attached_to.as_ref().map(|a| a.text.as_str()),
        Some(SLR)
    );
    let r = &s.requests[0].request;
    assert_eq!(context_value(r, "aws:PrincipalArn"), Some(SLR));
    // A session ARN never carries the role's path.
    assert!(
        r.principal
            .starts_with("arn:aws:sts::111122223333:assumed-role/AWSServiceRoleForClientVPN/"),
        "{}",
        r.principal
    );
    let call = |action: &str| {
        let mut q = r.clone();
        q.action = action.into();
        q.resource = "*".into();
        decide(&s.set, &q)
    };
    assert_eq!(call("ec2:CreateNetworkInterface"), Decision::Allow);
    assert_eq!(call("iam:CreateRole"), Decision::ImplicitDeny);
    let assume = req("clientvpn.amazonaws.com", "sts:AssumeRole", SLR, &[]);
    assert_eq!(decide(&s.set, &assume), Decision::Allow);
}

#[test]
fn url_encoded_account_details_load_with_decoded_documents() {
    let text = fixture("account/authorization-details-urlencoded.json");
    let list = account_principals(&text).unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!(list[0].name, "carol");
    let s = load_for(&text, "carol");
    assert_eq!(
        names(&s, PolicyKind::Identity),
        ["ReadSharedReports", "OfficeReadOnly"]
    );
    assert_eq!(s.set.policies.len(), 2);
    for src in &s.sources {
        assert_eq!(src.form, DocumentForm::UrlEncoded);
        assert!(src.text.starts_with('{'), "{}", src.text);
    }
    // The decoded text keeps its original whitespace: compact, then 4-space pretty.
    assert!(!s.sources[0].text.contains('\n'));
    assert!(s.sources[1].text.contains("\n    \"Statement\""));
    let r = &s.requests[0].request;
    assert_eq!(r.principal, "arn:aws:iam::111122223333:user/carol");
    assert_eq!(context_value(r, "aws:PrincipalTag/team"), Some("finance"));

    let call = |action: &str, resource: &str, ip: &str| {
        let mut q = with_context(r, &[("aws:SourceIp", Some(ip))]);
        q.action = action.into();
        q.resource = resource.into();
        decide(&s.set, &q)
    };
    // The inline policy: the shared reports, from anywhere.
    assert_eq!(
        call(
            "s3:GetObject",
            "arn:aws:s3:::example-shared-reports/2024/q3.csv",
            "198.51.100.1"
        ),
        Decision::Allow
    );
    // OfficeReadOnly v2 (v1 has no s3:GetObject and no IP condition).
    assert_eq!(
        call("s3:GetObject", "arn:aws:s3:::other-bucket/x", "192.0.2.7"),
        Decision::Allow
    );
    assert_eq!(
        call("ec2:DescribeInstances", "*", "198.51.100.1"),
        Decision::ImplicitDeny
    );
    assert_eq!(
        call("ec2:DescribeInstances", "*", "203.0.113.5"),
        Decision::Allow
    );
}

/// The fixture rewritten by `edit` and saved as 2-space pretty JSON in `dir`.
fn edited_details(
    dir: &Path,
    name: &str,
    edit: impl FnOnce(&mut serde_json::Value),
) -> (std::path::PathBuf, String) {
    let mut v: serde_json::Value = serde_json::from_str(&details()).unwrap();
    edit(&mut v);
    let text = serde_json::to_string_pretty(&v).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, &text).unwrap();
    (path, text)
}

#[test]
fn a_missing_boundary_policy_is_an_error_at_its_arn() {
    let dir = tempfile::tempdir().unwrap();
    let (path, _) = edited_details(dir.path(), "no-boundary.json", |v| {
        v["Policies"]
            .as_array_mut()
            .unwrap()
            .retain(|p| p["PolicyName"] != "DeveloperBoundary");
    });
    let text = std::fs::read_to_string(path).unwrap();
    let options = LoadOptions {
        principal: Some("alice".into()),
        ..Default::default()
    };
    let diags = errors(&text, &options);
    assert_eq!(diags.len(), 1, "{diags:#?}");
    let d = &diags[0];
    assert!(
        d.message
            .contains("arn:aws:iam::111122223333:policy/DeveloperBoundary"),
        "{}",
        d.message
    );
    assert!(d.message.contains("boundary"), "{}", d.message);
    let (line, column) = position_of(
        &text,
        "\"arn:aws:iam::111122223333:policy/DeveloperBoundary\"",
    );
    assert_eq!((d.span.line, d.span.column), (line, column));
    // bob has no boundary: the same file is fine for him.
    let bob = LoadOptions {
        principal: Some("bob".into()),
        ..Default::default()
    };
    assert!(load_with(&text, &bob).is_ok());
}

#[test]
fn missing_groups_and_attached_policies_are_errors_too() {
    let dir = tempfile::tempdir().unwrap();
    let (_, text) = edited_details(dir.path(), "no-group.json", |v| {
        v["GroupDetailList"]
            .as_array_mut()
            .unwrap()
            .retain(|g| g["GroupName"] != "Admins");
    });
    let options = LoadOptions {
        principal: Some("alice".into()),
        ..Default::default()
    };
    let diags = errors(&text, &options);
    assert_eq!(diags.len(), 1, "{diags:#?}");
    assert!(diags[0].message.contains("Admins"), "{}", diags[0].message);
    assert_eq!(
        (diags[0].span.line, diags[0].span.column),
        position_of(&text, "\"Admins\"")
    );

    let (_, text) = edited_details(dir.path(), "no-dev-access.json", |v| {
        v["Policies"]
            .as_array_mut()
            .unwrap()
            .retain(|p| p["PolicyName"] != "DeveloperAccess");
    });
    let bob = LoadOptions {
        principal: Some("bob".into()),
        ..Default::default()
    };
    let diags = errors(&text, &bob);
    assert_eq!(diags.len(), 1, "{diags:#?}");
    assert!(
        diags[0]
            .message
            .contains("arn:aws:iam::111122223333:policy/DeveloperAccess"),
        "{}",
        diags[0].message
    );
}

#[test]
fn a_name_shared_by_a_user_and_a_role_needs_the_arn() {
    let dir = tempfile::tempdir().unwrap();
    let (_, text) = edited_details(dir.path(), "same-name.json", |v| {
        let role = &mut v["RoleDetailList"][0];
        role["RoleName"] = "alice".into();
        role["Arn"] = "arn:aws:iam::111122223333:role/alice".into();
    });
    let by_name = LoadOptions {
        principal: Some("alice".into()),
        ..Default::default()
    };
    let diags = errors(&text, &by_name);
    assert_eq!(diags.len(), 1, "{diags:#?}");
    assert!(diags[0].message.contains("ARN"), "{}", diags[0].message);
    let s = load_for(&text, "arn:aws:iam::111122223333:role/alice");
    assert_eq!(
        names(&s, PolicyKind::Identity),
        ["deploy-artifacts", "DeveloperAccess"]
    );
    let s = load_for(&text, ALICE);
    assert_eq!(names(&s, PolicyKind::Boundary), ["DeveloperBoundary"]);
}
