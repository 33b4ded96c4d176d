//! CloudTrail events as requests (`tests/fixtures/aws/cloudtrail/`): which principal,
//! action, resource and context keys each record becomes, what is left out (and said
//! so), how the outcome was recorded, which events are skipped, the three file forms
//! (a `Records` file, JSON Lines, gzip), the splitter under any read sizes, the
//! scenario round trip and the replay tally. The fixture README's tables are the
//! reference; `#N` below is a record's index in `mixed.json` (or `client-vpn.json`).

use iamtrace::cloudtrail::replay::{Direction, Filter, Tally};
use iamtrace::cloudtrail::split::Splitter;
use iamtrace::cloudtrail::{
    Converted, Recorded, Skipped, convert, parse_event, requests_from_text,
};
use iamtrace::eval::{ContextValue, Request};
use iamtrace::input::{Kind, decode, load_str};
use iamtrace::policy::PolicySet;
use iamtrace::scenario::{RequestSpec, to_json};
use serde_json::Value;
use std::io::Read;
use std::path::Path;

const ALICE: &str = "arn:aws:iam::111122223333:user/alice";
const BOB: &str = "arn:aws:iam::111122223333:user/engineering/bob";
const CI_DEPLOY: &str = "arn:aws:iam::111122223333:role/ci-deploy";
const CI_SESSION: &str = "arn:aws:sts::111122223333:assumed-role/ci-deploy/GitHubActions";
const OPS: &str = "arn:aws:iam::111122223333:role/ops-automation";
const OPS_SESSION: &str = "arn:aws:sts::111122223333:assumed-role/ops-automation/thumbnailer";
const SLR: &str = "arn:aws:iam::111122223333:role/aws-service-role/clientvpn.amazonaws.com/AWSServiceRoleForClientVPN";

fn path(rel: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/aws/cloudtrail")
        .join(rel)
}

fn bytes(rel: &str) -> Vec<u8> {
    std::fs::read(path(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

fn text(rel: &str) -> String {
    decode(bytes(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

/// The records of `text` as the splitter finds them, each record's bytes.
fn split_all(text: &[u8]) -> Vec<Vec<u8>> {
    let mut s = Splitter::new(text);
    let mut out = Vec::new();
    while let Some(b) = s.next_batch(usize::MAX).expect("splits") {
        for r in &b.records {
            out.push(b.data[r.clone()].to_vec());
        }
    }
    out
}

/// Every record of a fixture converted (or skipped), in file order.
fn converted(rel: &str) -> Vec<Result<Converted, Skipped>> {
    split_all(text(rel).as_bytes())
        .iter()
        .map(|r| convert(&parse_event(r).expect("a valid record")))
        .collect()
}

/// The records of a `{"Records": [...]}` fixture as JSON values.
fn raw(rel: &str) -> Vec<Value> {
    let v: Value = serde_json::from_str(&text(rel)).unwrap();
    v["Records"].as_array().unwrap().clone()
}

fn ok(all: &[Result<Converted, Skipped>], i: usize) -> &Converted {
    match &all[i] {
        Ok(c) => c,
        Err(s) => panic!("#{i} skipped: {}", s.reason),
    }
}

/// A context key's single value (`None` when absent).
fn get<'a>(r: &'a Request, key: &str) -> Option<&'a str> {
    r.context.iter().find_map(|(k, v)| match v {
        ContextValue::One(s) if k.eq_ignore_ascii_case(key) => Some(s.text.as_str()),
        _ => None,
    })
}

fn has(r: &Request, key: &str) -> bool {
    r.context.iter().any(|(k, _)| k.eq_ignore_ascii_case(key))
}

fn note_about(c: &Converted, words: &str) -> bool {
    c.notes.iter().any(|n| n.contains(words))
}

// ---------------------------------------------------------------------------------
// Principals, actions, resources

#[test]
fn mixed_converts_thirty_of_thirty_three_records() {
    let all = converted("mixed.json");
    assert_eq!(all.len(), 33);
    let skipped: Vec<usize> = (0..33).filter(|&i| all[i].is_err()).collect();
    assert_eq!(skipped, [0, 25, 28]);
    let reason = |i: usize| all[i].as_ref().err().unwrap().reason.clone();
    assert!(reason(0).contains("AwsConsoleSignIn"), "{}", reason(0));
    assert!(reason(28).contains("AwsServiceEvent"), "{}", reason(28));
    assert!(reason(25).contains("AWSAccount"), "{}", reason(25));
    assert!(reason(25).contains("another account"), "{}", reason(25));
}

#[test]
fn principals_follow_user_identity() {
    let all = converted("mixed.json");
    let expected: &[(usize, &str, &str)] = &[
        (1, ALICE, ALICE),
        (3, BOB, BOB),
        (
            10,
            "arn:aws:sts::111122223333:federated-user/bob-fed",
            "arn:aws:sts::111122223333:federated-user/bob-fed",
        ),
        (
            11,
            "arn:aws:iam::111122223333:root",
            "arn:aws:iam::111122223333:root",
        ),
        (
            12,
            "arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com",
            "arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com",
        ),
        (13, CI_SESSION, CI_DEPLOY),
        (20, "lambda.amazonaws.com", "lambda.amazonaws.com"),
        (21, OPS_SESSION, OPS),
        (24, "cloudtrail.amazonaws.com", "cloudtrail.amazonaws.com"),
        (26, "anonymous", "anonymous"),
        (
            32,
            "arn:aws:sts::111122223333:assumed-role/AWSServiceRoleForClientVPN/ClientVPN",
            SLR,
        ),
    ];
    for (i, principal, caller) in expected {
        let c = ok(&all, *i);
        assert_eq!(c.request.principal, *principal, "#{i}");
        assert_eq!(c.caller, *caller, "#{i}");
    }
    // aws:PrincipalArn of a role session is the role, with its path.
    assert_eq!(
        get(&ok(&all, 13).request, "aws:PrincipalArn"),
        Some(CI_DEPLOY)
    );
    assert_eq!(get(&ok(&all, 32).request, "aws:PrincipalArn"), Some(SLR));
    assert_eq!(get(&ok(&all, 3).request, "aws:PrincipalArn"), Some(BOB));
    assert_eq!(get(&ok(&all, 3).request, "aws:username"), Some("bob"));
    assert_eq!(get(&ok(&all, 3).request, "aws:PrincipalType"), Some("User"));
    assert_eq!(
        get(&ok(&all, 11).request, "aws:PrincipalType"),
        Some("Account")
    );
    assert_eq!(
        get(&ok(&all, 13).request, "aws:PrincipalAccount"),
        Some("111122223333")
    );
    // A service is a service; an identity provider and anonymous are not signed
    // by an account's principal.
    assert_eq!(
        get(&ok(&all, 20).request, "aws:PrincipalIsAWSService"),
        Some("true")
    );
    assert_eq!(
        get(&ok(&all, 3).request, "aws:PrincipalIsAWSService"),
        Some("false")
    );
    for i in [12, 20, 26] {
        assert!(
            !has(&ok(&all, i).request, "aws:PrincipalAccount"),
            "#{i}: {:?}",
            ok(&all, i).request.context
        );
    }
}

#[test]
fn actions_use_iam_names_not_event_names() {
    let all = converted("mixed.json");
    let expected: &[(usize, &str)] = &[
        (1, "ec2:DescribeClientVpnEndpoints"),
        (2, "s3:GetBucketPolicyStatus"),
        (5, "cloudwatch:DescribeAlarms"),
        (6, "cloudwatch:PutMetricAlarm"),
        (10, "sns:Publish"),
        (12, "sts:AssumeRoleWithWebIdentity"),
        (13, "lambda:UpdateFunctionCode"),
        (14, "lambda:CreateFunction"),
        (15, "lambda:UpdateFunctionConfiguration"),
        (16, "lambda:InvokeFunction"),
        (19, "secretsmanager:GetSecretValue"),
        (20, "sts:AssumeRole"),
        (21, "s3:GetObject"),
        (23, "s3:ListBucket"),
        (26, "s3:ListBucket"),
        (29, "s3:GetObject"),
        (30, "iot:ListThings"),
        (32, "ec2:CreateNetworkInterface"),
    ];
    for (i, action) in expected {
        assert_eq!(ok(&all, *i).request.action, *action, "#{i}");
    }
    // Where the IAM name differs from the event's, a note says so.
    assert!(
        note_about(ok(&all, 23), "ListObjects"),
        "{:?}",
        ok(&all, 23).notes
    );
    assert!(
        note_about(ok(&all, 29), "HeadObject"),
        "{:?}",
        ok(&all, 29).notes
    );
}

#[test]
fn resources_come_from_resources_or_the_denial_message() {
    let all = converted("mixed.json");
    let expected: &[(usize, &str)] = &[
        (2, "arn:aws:s3:::example-shared-reports"),
        // From the errorMessage, which names this action.
        (4, "arn:aws:ec2:eu-west-1:111122223333:instance/*"),
        (
            8,
            "arn:aws:kms:us-east-1:111122223333:key/1f3b5d7e-9a2c-4e6f-8b0d-2c4e6a8b0d1f",
        ),
        (12, CI_DEPLOY),
        (
            16,
            "arn:aws:lambda:us-east-1:111122223333:function:thumbnailer",
        ),
        (20, OPS),
        // Object operations on the object, bucket operations on the bucket.
        (
            21,
            "arn:aws:s3:::example-uploads/uploads/2024/11/05/cat.jpg",
        ),
        (23, "arn:aws:s3:::example-uploads"),
        (26, "arn:aws:s3:::example-shared-reports"),
        (27, "arn:aws:s3:::example-shared-reports/2024/q3.csv"),
        (29, "arn:aws:s3:::example-shared-reports/2024/q3.csv"),
    ];
    for (i, resource) in expected {
        assert_eq!(ok(&all, *i).request.resource, *resource, "#{i}");
    }
    // No resources[], but the parameters name the function.
    assert_eq!(
        ok(&all, 13).request.resource,
        "arn:aws:lambda:us-east-1:111122223333:function:thumbnailer"
    );
    // Actions without resource types (the Describe calls) act on `*`: nothing unknown.
    for i in [1, 3] {
        let c = ok(&all, i);
        assert_eq!(c.request.resource, "*", "#{i}");
        assert!(!note_about(c, "resource is *"), "#{i}: {:?}", c.notes);
    }
    // No resources[]: the parameters name one of the action's resource types (the
    // subnet CreateNetworkInterface is also authorized on).
    let c = ok(&all, 32);
    assert_eq!(
        c.request.resource,
        "arn:aws:ec2:eu-west-1:111122223333:subnet/subnet-04b3c2d1e0f9a8b76"
    );
    let vpn = converted("client-vpn.json");
    // #0's message names its own action: the service-linked role is the resource.
    assert_eq!(ok(&vpn, 0).request.resource, SLR);
    // #1 failed because of #0: the ARN in its message is not its resource.
    assert_eq!(ok(&vpn, 1).request.resource, "*");
}

// ---------------------------------------------------------------------------------
// Context keys

#[test]
fn network_keys_source_ip_versus_vpc_endpoint() {
    let all = converted("mixed.json");
    // A direct call from an address.
    let r = &ok(&all, 3).request;
    assert_eq!(get(r, "aws:SourceIp"), Some("198.51.100.23"));
    assert!(!has(r, "aws:VpcSourceIp") && !has(r, "aws:SourceVpce"));
    // Through a VPC endpoint: the address is the VPC one, and aws:SourceIp is absent.
    for i in [21, 23] {
        let c = ok(&all, i);
        let r = &c.request;
        assert!(!has(r, "aws:SourceIp"), "#{i}: {:?}", r.context);
        assert_eq!(get(r, "aws:VpcSourceIp"), Some("10.0.12.34"), "#{i}");
        assert_eq!(
            get(r, "aws:SourceVpce"),
            Some("vpce-0a1b2c3d4e5f67890"),
            "#{i}"
        );
        assert!(!has(r, "aws:SourceVpc"), "#{i}");
        assert!(note_about(c, "aws:SourceVpc"), "#{i}: {:?}", c.notes);
    }
    // A service's name or "AWS Internal" is not an address: absent, with a note.
    for i in [2, 20, 22, 24, 32] {
        let c = ok(&all, i);
        assert!(!has(&c.request, "aws:SourceIp"), "#{i}");
        assert!(
            note_about(c, "aws:SourceIp is missing"),
            "#{i}: {:?}",
            c.notes
        );
    }
}

#[test]
fn network_keys_follow_the_readme_rule_for_every_record() {
    // aws:SourceIp is sourceIPAddress only when that is an IP literal, there is no
    // vpcEndpointId and no invokedBy.
    for rel in ["mixed.json", "client-vpn.json"] {
        let all = converted(rel);
        for (i, rec) in raw(rel).iter().enumerate() {
            let Ok(c) = &all[i] else { continue };
            let ip = rec["sourceIPAddress"].as_str().unwrap_or_default();
            let literal = ip.parse::<std::net::IpAddr>().is_ok();
            let vpce = rec.get("vpcEndpointId").is_some();
            let invoked = rec["userIdentity"].get("invokedBy").is_some();
            let want = (literal && !vpce && !invoked).then_some(ip);
            assert_eq!(get(&c.request, "aws:SourceIp"), want, "{rel} #{i}");
        }
    }
}

#[test]
fn via_aws_service_only_for_forward_access_sessions() {
    let all = converted("mixed.json");
    // FAS: a role session whose call S3 made for it.
    let c = ok(&all, 22);
    assert_eq!(get(&c.request, "aws:ViaAWSService"), Some("true"));
    assert_eq!(c.via_service.as_deref(), Some("s3.amazonaws.com"));
    // Direct calls, a service's own call, a service-linked role's session.
    for i in [1, 3, 13, 20, 21, 24, 26, 32] {
        let c = ok(&all, i);
        assert_eq!(get(&c.request, "aws:ViaAWSService"), Some("false"), "#{i}");
        assert_eq!(c.via_service, None, "#{i}");
        assert!(!has(&c.request, "aws:CalledVia"), "#{i}");
    }
    // "AWS Internal" (a console-originated call): the caller's own call, not a
    // service's; no address.
    let c = ok(&all, 2);
    assert_eq!(get(&c.request, "aws:ViaAWSService"), Some("false"));
    assert_eq!(c.via_service, None);
    assert!(!has(&c.request, "aws:SourceIp"));

    let vpn = converted("client-vpn.json");
    for i in [0, 3] {
        let c = ok(&vpn, i);
        assert_eq!(get(&c.request, "aws:ViaAWSService"), Some("true"), "#{i}");
        assert_eq!(c.via_service.as_deref(), Some("clientvpn.amazonaws.com"));
        assert!(!has(&c.request, "aws:SourceIp"), "#{i}");
    }
    for i in [1, 2, 4] {
        assert_eq!(
            get(&ok(&vpn, i).request, "aws:ViaAWSService"),
            Some("false"),
            "#{i}"
        );
    }
}

#[test]

fn called_via_is_not_guessed_for_services_that_do_not_set_it() {
    let all = converted("mixed.json");
    let vpn = converted("client-vpn.json");
    for c in [ok(&all, 22), ok(&vpn, 0), ok(&vpn, 3)] {
        for key in ["aws:CalledVia", "aws:CalledViaFirst", "aws:CalledViaLast"] {
            assert!(!has(&c.request, key), "{key}: {:?}", c.request.context);
        }
        assert!(note_about(c, "aws:CalledVia"), "{:?}", c.notes);
    }
}

#[test]
fn mfa_is_present_only_with_a_session_context() {
    let all = converted("mixed.json");
    assert_eq!(
        get(&ok(&all, 1).request, "aws:MultiFactorAuthPresent"),
        Some("true")
    );
    assert_eq!(
        get(&ok(&all, 11).request, "aws:MultiFactorAuthPresent"),
        Some("true")
    );
    for i in [10, 13, 21, 32] {
        assert_eq!(
            get(&ok(&all, i).request, "aws:MultiFactorAuthPresent"),
            Some("false"),
            "#{i}"
        );
    }
    for rel in ["mixed.json", "client-vpn.json"] {
        let all = converted(rel);
        for (i, rec) in raw(rel).iter().enumerate() {
            let Ok(c) = &all[i] else { continue };
            let recorded =
                rec["userIdentity"]["sessionContext"]["attributes"]["mfaAuthenticated"].as_str();
            assert_eq!(
                get(&c.request, "aws:MultiFactorAuthPresent"),
                recorded,
                "{rel} #{i}"
            );
        }
    }
}

#[test]
fn secure_transport_true_false_or_absent() {
    let all = converted("mixed.json");
    for i in [1, 3, 21, 29] {
        assert_eq!(
            get(&ok(&all, i).request, "aws:SecureTransport"),
            Some("true"),
            "#{i}"
        );
    }
    // S3 over plain HTTP: tlsDetails holds only the host.
    for i in [26, 27] {
        assert_eq!(
            get(&ok(&all, i).request, "aws:SecureTransport"),
            Some("false"),
            "#{i}"
        );
    }
    // No tlsDetails, no cipher: unknown.
    for i in [2, 20, 22, 32] {
        let c = ok(&all, i);
        assert!(!has(&c.request, "aws:SecureTransport"), "#{i}");
        assert!(note_about(c, "aws:SecureTransport"), "#{i}: {:?}", c.notes);
    }
}

#[test]

fn secure_transport_follows_the_readme_rule_for_every_record() {
    for rel in ["mixed.json", "client-vpn.json"] {
        let all = converted(rel);
        for (i, rec) in raw(rel).iter().enumerate() {
            let Ok(c) = &all[i] else { continue };
            let tls = rec.get("tlsDetails");
            let version = tls.and_then(|t| t.get("tlsVersion")).is_some();
            let cipher = rec["additionalEventData"].get("CipherSuite").is_some();
            let want = match (version || cipher, tls.is_some()) {
                (true, _) => Some("true"),
                (false, true) => Some("false"),
                (false, false) => None,
            };
            assert_eq!(get(&c.request, "aws:SecureTransport"), want, "{rel} #{i}");
        }
    }
}

#[test]
fn region_and_time_keys_come_from_the_record() {
    for rel in ["mixed.json", "client-vpn.json"] {
        let all = converted(rel);
        for (i, rec) in raw(rel).iter().enumerate() {
            let Ok(c) = &all[i] else { continue };
            assert_eq!(
                get(&c.request, "aws:RequestedRegion"),
                rec["awsRegion"].as_str(),
                "{rel} #{i}"
            );
            assert_eq!(
                get(&c.request, "aws:CurrentTime"),
                rec["eventTime"].as_str(),
                "{rel} #{i}"
            );
            assert!(has(&c.request, "aws:EpochTime"), "{rel} #{i}");
            assert_eq!(c.time.as_deref(), rec["eventTime"].as_str());
            assert_eq!(c.event_id.as_deref(), rec["eventID"].as_str());
        }
    }
    let all = converted("mixed.json");
    let r = &ok(&all, 1).request;
    assert_eq!(get(r, "aws:CurrentTime"), Some("2024-11-05T09:02:40Z"));
    assert_eq!(get(r, "aws:EpochTime"), Some("1730797360"));
    assert_eq!(get(r, "aws:RequestedRegion"), Some("eu-west-1"));
    let vpn = converted("client-vpn.json");
    // IAM is global: the service-linked role is asked for in us-east-1.
    assert_eq!(
        get(&ok(&vpn, 0).request, "aws:EpochTime"),
        Some("1730801702")
    );
    assert_eq!(
        get(&ok(&vpn, 0).request, "aws:RequestedRegion"),
        Some("us-east-1")
    );
    assert_eq!(
        get(&ok(&vpn, 1).request, "aws:RequestedRegion"),
        Some("eu-west-1")
    );
}

#[test]
fn aws_service_calls_say_what_is_not_recorded() {
    let all = converted("mixed.json");
    for i in [20, 24] {
        let c = ok(&all, i);
        assert!(note_about(c, "aws:SourceArn"), "#{i}: {:?}", c.notes);
        assert!(!has(&c.request, "aws:SourceArn"), "#{i}");
        assert!(!has(&c.request, "aws:SourceAccount"), "#{i}");
    }
}

#[test]

fn aws_service_calls_carry_the_principal_service_name() {
    let all = converted("mixed.json");
    assert_eq!(
        get(&ok(&all, 20).request, "aws:PrincipalServiceName"),
        Some("lambda.amazonaws.com")
    );
    assert_eq!(
        get(&ok(&all, 24).request, "aws:PrincipalServiceName"),
        Some("cloudtrail.amazonaws.com")
    );
}

#[test]

fn web_identity_keys_come_from_the_record() {
    let all = converted("mixed.json");
    let r = &ok(&all, 12).request;
    assert_eq!(
        get(r, "token.actions.githubusercontent.com:sub"),
        Some("repo:example-org/iamtrace-demo:ref:refs/heads/main")
    );
    assert_eq!(
        get(r, "token.actions.githubusercontent.com:aud"),
        Some("sts.amazonaws.com")
    );
}

// ---------------------------------------------------------------------------------
// How calls ended

#[test]
fn every_denial_spelling_is_a_denial_and_other_errors_are_failures() {
    let all = converted("mixed.json");
    let denied: &[(usize, &str)] = &[
        (4, "Client.UnauthorizedOperation"),
        (5, "AccessDenied"),
        (7, "UnauthorizedOperation"),
        (8, "AccessDeniedException"),
        (10, "AuthorizationError"),
        (19, "AccessDeniedException"),
        (26, "AccessDenied"),
        (27, "AccessDenied"),
        (29, "Forbidden"),
        (30, "UnauthorizedAccess"),
    ];
    for (i, code) in denied {
        assert_eq!(
            ok(&all, *i).recorded,
            Recorded::Denied {
                code: code.to_string()
            },
            "#{i}"
        );
    }
    let failed: &[(usize, &str)] = &[
        (9, "NoSuchEntityException"),
        (17, "ThrottlingException"),
        (18, "ValidationException"),
        (31, "NoSuchEntity"),
        // Denied on iam:PassRole, which lambda:CreateFunction also needs: not a denial
        // of CreateFunction itself.
        (14, "AccessDeniedException"),
    ];
    for (i, code) in failed {
        assert_eq!(
            ok(&all, *i).recorded,
            Recorded::Failed {
                code: code.to_string()
            },
            "#{i}"
        );
    }
    for i in [1, 2, 3, 6, 11, 12, 13, 15, 16, 20, 21, 22, 23, 24, 32] {
        assert_eq!(ok(&all, i).recorded, Recorded::Allowed, "#{i}");
    }
    let c = ok(&all, 27);
    assert!(
        c.error_message
            .as_deref()
            .is_some_and(|m| m.contains("explicit deny in a resource-based policy")),
        "{:?}",
        c.error_message
    );
    assert_eq!(ok(&all, 3).error_message, None);
}

#[test]

fn a_failure_caused_by_a_nested_call_is_not_a_denial_of_this_action() {
    let vpn = converted("client-vpn.json");
    let c = ok(&vpn, 1);
    assert_eq!(c.request.action, "ec2:CreateClientVpnEndpoint");
    assert!(
        matches!(c.recorded, Recorded::Failed { .. }),
        "{:?}",
        c.recorded
    );
}

// ---------------------------------------------------------------------------------
// Files: forms, errors, splitting

/// What a user sees of a request: everything but its position in the file.
fn shown(r: &RequestSpec) -> (Option<String>, Option<String>, Request, Vec<String>) {
    (
        r.name.clone(),
        r.via.clone(),
        r.request.clone(),
        r.notes.clone(),
    )
}

fn requests(rel: &str) -> (Vec<RequestSpec>, String) {
    let trail = requests_from_text(&text(rel)).unwrap_or_else(|e| panic!("{rel}: {e:#?}"));
    assert!(trail.malformed.is_empty(), "{rel}: {:#?}", trail.malformed);
    (trail.requests, trail.description)
}

#[test]
fn the_three_forms_of_mixed_give_the_same_requests() {
    let (json, description) = requests("mixed.json");
    assert_eq!(json.len(), 30);
    assert!(
        description.starts_with("30 of 33 CloudTrail events as requests."),
        "{description}"
    );
    for reason in ["AwsConsoleSignIn", "AwsServiceEvent", "AWSAccount"] {
        assert!(description.contains(reason), "{description}");
    }
    assert!(is_gzip_file("mixed.json.gz"));
    for rel in ["mixed.jsonl", "mixed.json.gz"] {
        let (other, other_description) = requests(rel);
        assert_eq!(other_description, description, "{rel}");
        assert_eq!(other.len(), json.len(), "{rel}");
        for (a, b) in json.iter().zip(&other) {
            assert_eq!(shown(a), shown(b), "{rel}");
        }
    }
    // And opened as scenarios.
    for rel in ["mixed.json", "mixed.jsonl", "mixed.json.gz"] {
        let t = text(rel);
        assert_eq!(iamtrace::input::kind(&t), Kind::CloudTrail, "{rel}");
        let s = load_str(&t).unwrap_or_else(|e| panic!("{rel}: {e:#?}"));
        assert!(s.set.policies.is_empty() && s.sources.is_empty());
        assert_eq!(s.requests.len(), 30, "{rel}");
        assert_eq!(s.description.as_deref(), Some(description.as_str()));
    }
}

fn is_gzip_file(rel: &str) -> bool {
    bytes(rel).starts_with(&[0x1f, 0x8b])
}

#[test]
fn request_names_say_action_caller_time_and_outcome_and_are_unique() {
    let (reqs, _) = requests("mixed.json");
    let mut names: Vec<&str> = reqs.iter().map(|r| r.name.as_deref().unwrap()).collect();
    let first = names[0];
    assert!(first.contains("ec2:DescribeClientVpnEndpoints"), "{first}");
    assert!(first.contains("alice"), "{first}");
    assert!(first.contains("09:02:40"), "{first}");
    assert!(first.contains("allowed"), "{first}");
    names.sort();
    names.dedup();
    assert_eq!(names.len(), reqs.len(), "names are unique");
    // Each request says how CloudTrail recorded it, with its event id.
    let denied = reqs
        .iter()
        .find(|r| r.request.action == "kms:Decrypt" && r.request.principal == BOB)
        .unwrap();
    assert!(
        denied.notes[0].starts_with("CloudTrail recorded: denied (AccessDeniedException)"),
        "{:?}",
        denied.notes
    );
    assert!(denied.notes[0].contains("858a72ac-3759-5e48-9cb3-48abd91c509a"));
}

#[test]
fn single_event_is_one_request_like_the_first_of_client_vpn() {
    let (one, description) = requests("single-event.json");
    assert_eq!(one.len(), 1);
    assert!(
        description.starts_with("1 of 1 CloudTrail event as requests."),
        "{description}"
    );
    assert_eq!(
        iamtrace::input::kind(&text("single-event.json")),
        Kind::CloudTrail
    );
    let (vpn, _) = requests("client-vpn.json");
    assert_eq!(one[0].request, vpn[0].request);
    assert_eq!(one[0].name, vpn[0].name);
    assert_eq!(one[0].notes, vpn[0].notes);
    // Alone, it has no call of alice's to point at.
    assert_eq!(one[0].via, None);
    let s = load_str(&text("single-event.json")).unwrap();
    assert_eq!(s.requests.len(), 1);
    assert_eq!(s.requests[0].request.action, "iam:CreateServiceLinkedRole");
}

#[test]
fn the_services_call_points_at_the_users_call_that_caused_it() {
    let (reqs, _) = requests("client-vpn.json");
    assert_eq!(reqs.len(), 5);
    let name = |i: usize| reqs[i].name.clone().unwrap();
    assert_eq!(reqs[0].request.action, "iam:CreateServiceLinkedRole");
    assert_eq!(reqs[1].request.action, "ec2:CreateClientVpnEndpoint");
    // The denied attempt and the successful retry each point at their own call.
    assert_eq!(reqs[0].via, Some(name(1)));
    assert_eq!(reqs[3].via, Some(name(4)));
    for i in [1, 2, 4] {
        assert_eq!(reqs[i].via, None, "#{i}");
    }
    // Its own failure came from the nested call's denial: not a denial of itself.
    assert!(name(1).contains("failed"), "{}", name(1));
    assert!(name(4).contains("allowed"), "{}", name(4));
    // S3 decrypting for the role: the role's own S3 call of that second caused it.
    let (mixed, _) = requests("mixed.json");
    let kms = mixed
        .iter()
        .find(|r| r.request.action == "kms:Decrypt" && r.request.principal == OPS_SESSION)
        .unwrap();
    let get_object = mixed
        .iter()
        .find(|r| r.request.action == "s3:GetObject" && r.request.principal == OPS_SESSION)
        .unwrap();
    assert_eq!(kms.via, get_object.name);
    // Direct calls point at nothing.
    assert!(
        mixed
            .iter()
            .filter(|r| r.request.principal == BOB)
            .all(|r| r.via.is_none())
    );
}

fn error_of(text: &str) -> iamtrace::source::Diagnostic {
    let errs = requests_from_text(text).expect_err("an error");
    assert_eq!(errs.len(), 1, "{errs:#?}");
    let via_load = load_str(text).expect_err("loading fails too");
    assert_eq!(via_load.diagnostics, errs);
    errs[0].clone()
}

#[test]
fn a_truncated_file_is_an_error_at_its_end() {
    let full = text("client-vpn.json");
    let cut = &full[..full.len() / 2];
    let d = error_of(cut);
    let lines = cut.matches('\n').count() as u64 + 1;
    assert_eq!(d.span.line, lines, "{}", d.message);
    let last_line = cut.rsplit('\n').next().unwrap();
    assert_eq!(d.span.column, last_line.chars().count() as u32 + 1);
    assert!(d.message.contains("ends inside record"), "{}", d.message);

    // Records closed but the array not.
    let d = error_of("{\"Records\": [\n  {\"eventName\": \"A\"}\n");
    assert!(
        d.message.contains("before the records array is closed"),
        "{}",
        d.message
    );
    assert_eq!((d.span.line, d.span.column), (3, 1));
}

#[test]
fn a_file_truncated_right_after_its_header_is_an_error() {
    for cut in ["{\"Records\": ", "{\"Records\"", "{\"Rec", "{\"a\": \"}"] {
        let mut s = Splitter::new(cut.as_bytes());
        assert!(s.next_batch(1).is_err(), "{cut:?} splits without an error");
        assert!(
            requests_from_text(cut).is_err(),
            "{cut:?} loads without an error"
        );
    }
}

#[test]
fn a_record_that_is_not_an_object_is_an_error_with_its_position() {
    let text = "{\"Records\": [\n  {\"eventName\": \"A\"},\n  42\n]}\n";
    let d = error_of(text);
    assert_eq!((d.span.line, d.span.column), (3, 3), "{}", d.message);
    assert!(
        d.message.contains("expected an event object"),
        "{}",
        d.message
    );
}

/// The one record `text` skips as malformed; loading it as an input skips the same
/// record and keeps the others.
fn skipped_of(text: &str) -> iamtrace::source::Diagnostic {
    let trail = requests_from_text(text).unwrap_or_else(|e| panic!("an error: {e:#?}"));
    assert_eq!(trail.malformed.len(), 1, "{:#?}", trail.malformed);
    let loaded = iamtrace::input::load(text, &Default::default()).expect("loads");
    assert_eq!(loaded.skipped, trail.malformed);
    assert_eq!(loaded.scenario.requests, trail.requests);
    assert!(
        trail.description.contains("Skipped 1 malformed record"),
        "{}",
        trail.description
    );
    trail.malformed[0].clone()
}

#[test]
fn a_malformed_record_is_skipped_with_its_position() {
    // A record that is an object but not valid JSON: the position of the mistake.
    let text = "{\"Records\": [\n  {\"eventName\": \"A\"},\n  {\"eventName\": tru}\n]}\n";
    let d = skipped_of(text);
    assert!(d.message.starts_with("record 2: "), "{}", d.message);
    // serde_json stops at the `}` after `tru`.
    assert_eq!(d.span.line, 3, "{}", d.message);
    assert_eq!(d.span.column, 20, "{}", d.message);

    // JSON Lines: the line of the bad record; the 29 other events are still read.
    let lines = text_lines_with_bad_third();
    let d = skipped_of(&lines);
    assert_eq!(d.span.line, 3, "{}", d.message);
    assert!(d.message.starts_with("record 3: "), "{}", d.message);
}

fn text_lines_with_bad_third() -> String {
    let mut lines: Vec<String> = text("mixed.jsonl").lines().map(str::to_string).collect();
    lines[2] = lines[2].replacen("\"eventName\":", "\"eventName\" ", 1);
    lines.join("\n")
}

/// A reader that hands out 1, 2, … 7 bytes (times `unit`) per call, then starts over.
struct Pieces {
    data: Vec<u8>,
    at: usize,
    next: usize,
    unit: usize,
}

impl Pieces {
    fn new(data: &[u8], start: usize) -> Self {
        Pieces {
            data: data.to_vec(),
            at: 0,
            next: start,
            unit: 1,
        }
    }

    fn in_units(data: &[u8], start: usize, unit: usize) -> Self {
        Pieces {
            unit,
            ..Pieces::new(data, start)
        }
    }
}

impl Read for Pieces {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        let n = ((self.next % 7 + 1) * self.unit)
            .min(out.len())
            .min(self.data.len() - self.at);
        self.next += 1;
        out[..n].copy_from_slice(&self.data[self.at..self.at + n]);
        self.at += n;
        Ok(n)
    }
}

/// Every record with its stream offset, reading with `reader` in batches of
/// `min_bytes`.
fn split_with<R: Read>(reader: R, min_bytes: usize) -> Vec<(u64, u64, Vec<u8>)> {
    let mut s = Splitter::new(reader);
    let mut out = Vec::new();
    while let Some(b) = s.next_batch(min_bytes).expect("splits") {
        for (k, r) in b.records.iter().enumerate() {
            out.push((
                b.first_index + k as u64,
                b.offset + r.start as u64,
                b.data[r.clone()].to_vec(),
            ));
        }
    }
    out
}

/// The three forms (and a bare array) of the records of mixed.json, or of its first
/// `n` records.
fn forms(n: usize) -> Vec<(&'static str, Vec<u8>, Vec<Value>)> {
    let events: Vec<Value> = raw("mixed.json").into_iter().take(n).collect();
    let n = events.len();
    let records_file = if n == 33 {
        text("mixed.json").into_bytes()
    } else {
        serde_json::to_vec_pretty(&serde_json::json!({ "Records": events })).unwrap()
    };
    let lines: String = text("mixed.jsonl")
        .lines()
        .take(n)
        .map(|l| format!("{l}\n"))
        .collect();
    let array = serde_json::to_vec_pretty(&events).unwrap();
    vec![
        ("Records", records_file, events.clone()),
        ("JSON Lines", lines.into_bytes(), events.clone()),
        ("array", array, events),
        (
            "one event",
            text("single-event.json").into_bytes(),
            raw("client-vpn.json")[..1].to_vec(),
        ),
    ]
}

/// Every form split whole, and each record found where the splitter says.
fn split_whole(name: &str, input: &[u8], events: &[Value]) -> Vec<(u64, u64, Vec<u8>)> {
    let whole = split_with(input, usize::MAX);
    let parsed: Vec<Value> = whole
        .iter()
        .map(|(_, _, r)| serde_json::from_slice(r).unwrap())
        .collect();
    assert_eq!(parsed, events, "{name}");
    for (i, (index, offset, record)) in whole.iter().enumerate() {
        assert_eq!(*index, i as u64, "{name}");
        let at = *offset as usize;
        assert_eq!(&input[at..at + record.len()], record.as_slice(), "{name}");
    }
    whole
}

#[test]
fn the_splitter_finds_the_same_records_whatever_the_read_sizes() {
    // Reads of 1 to 7 bytes. (The splitter extends its buffer by 1 MB per read, so
    // these use the first records only.)
    for (name, input, events) in forms(3) {
        let whole = split_whole(name, &input, &events);
        for (start, min_bytes) in [(0, 1), (3, usize::MAX)] {
            let pieces = split_with(Pieces::new(&input, start), min_bytes);
            assert_eq!(
                pieces, whole,
                "{name}, start {start}, batches of {min_bytes}"
            );
        }
    }
    // The whole fixtures, in reads of 1 000 to 7 000 bytes.
    for (name, input, events) in forms(33) {
        let whole = split_whole(name, &input, &events);
        for (start, min_bytes) in [(0, 1), (4, 5000), (6, usize::MAX)] {
            let pieces = split_with(Pieces::in_units(&input, start, 1000), min_bytes);
            assert_eq!(
                pieces, whole,
                "{name}, start {start}, batches of {min_bytes}"
            );
        }
    }
}

#[test]
fn the_splitter_is_not_fooled_by_braces_and_escapes_in_strings() {
    let tricky = [
        r#"{"eventName":"A","requestParameters":{"key":"}{\"}\\","k2":"\\"},"x":"{"}"#,
        r#"{"eventName":"B","userAgent":"[ \"quoted\" ] }}}"}"#,
        r#"{"eventName":"C","errorMessage":"\\\\}"}"#,
    ];
    for form in [
        format!("{{\"Records\":[{}]}}", tricky.join(",")),
        tricky.join("\n"),
        format!("[{}]", tricky.join(" , ")),
    ] {
        for start in [0, 3, 6] {
            let got: Vec<Vec<u8>> = split_with(Pieces::new(form.as_bytes(), start), 1)
                .into_iter()
                .map(|(_, _, r)| r)
                .collect();
            let want: Vec<Vec<u8>> = tricky.iter().map(|t| t.as_bytes().to_vec()).collect();
            assert_eq!(got, want, "{form} start {start}");
            for r in &got {
                assert!(parse_event(r).is_ok(), "{}", String::from_utf8_lossy(r));
            }
        }
    }
}

#[test]
fn the_splitter_reads_gzip_through_decompressed() {
    let reader =
        iamtrace::read::decompressed(std::fs::File::open(path("mixed.json.gz")).unwrap()).unwrap();
    let from_gz = split_with(reader, 4096);
    let plain = split_with(bytes("mixed.json").as_slice(), usize::MAX);
    assert_eq!(from_gz, plain);
}

#[test]
fn the_splitter_skips_a_byte_order_mark_whatever_the_read_sizes() {
    let mut input = "\u{feff}".as_bytes().to_vec();
    input.extend(forms(3).remove(1).1);
    let whole: Vec<Vec<u8>> = split_with(input.as_slice(), usize::MAX)
        .into_iter()
        .map(|(_, _, r)| r)
        .collect();
    assert_eq!(whole.len(), 3);
    for start in 0..7 {
        let pieces: Vec<Vec<u8>> = split_with(Pieces::new(&input, start), 1)
            .into_iter()
            .map(|(_, _, r)| r)
            .collect();
        assert_eq!(pieces, whole, "start {start}");
    }
}

/// Text whose byte 4096 falls inside a two-byte character.
fn with_char_across_byte_4096(prefix: &str, suffix: &str) -> String {
    let pad = 4095 - prefix.len();
    let t = format!("{prefix}{}é{suffix}", "a".repeat(pad));
    assert!(!t.is_char_boundary(4096));
    t
}

#[test]

fn a_multibyte_character_at_byte_4096_does_not_crash_loading() {
    // A scenario with a syntax error: reported, not a crash.
    let broken = with_char_across_byte_4096("{\"name\": \"", "\", \"requests\": [\n");
    assert_eq!(iamtrace::input::kind(&broken), Kind::Scenario);
    assert!(load_str(&broken).is_err());
    // JSON Lines whose first record has a long user agent with an accent.
    let mut rec = raw("mixed.json")[3].clone();
    rec["userAgent"] = "".into();
    let head = serde_json::to_string(&rec).unwrap();
    let at = head.find("\"userAgent\":\"").unwrap() + "\"userAgent\":\"".len();
    let line = with_char_across_byte_4096(&head[..at], &head[at..]);
    let jsonl = format!(
        "{line}\n{}\n",
        serde_json::to_string(&raw("mixed.json")[4]).unwrap()
    );
    assert_eq!(iamtrace::input::kind(&jsonl), Kind::CloudTrail);
    let s = load_str(&jsonl).expect("loads");
    assert_eq!(s.requests.len(), 2);
}

// ---------------------------------------------------------------------------------
// Save and load

#[test]
fn a_converted_scenario_survives_save_and_load() {
    let dir = tempfile::tempdir().unwrap();
    for rel in ["client-vpn.json", "mixed.json"] {
        let original = load_str(&text(rel)).unwrap();
        let saved = to_json(&original);
        let file = dir.path().join(rel);
        iamtrace::scenario::save_atomic(&file, &saved).unwrap();
        let again = std::fs::read_to_string(&file).unwrap();
        assert_eq!(iamtrace::input::kind(&again), Kind::Scenario, "{rel}");
        let reloaded = load_str(&again).unwrap_or_else(|e| panic!("{rel}: {e:#?}\n{saved}"));
        assert_eq!(reloaded.name, original.name, "{rel}");
        assert_eq!(reloaded.description, original.description, "{rel}");
        assert_eq!(reloaded.requests.len(), original.requests.len(), "{rel}");
        for (a, b) in original.requests.iter().zip(&reloaded.requests) {
            assert_eq!(shown(a), shown(b), "{rel}");
        }
        // Saving again gives the same text.
        assert_eq!(to_json(&reloaded), saved, "{rel}");
    }
    let vpn = load_str(&text("client-vpn.json")).unwrap();
    let reloaded = load_str(&to_json(&vpn)).unwrap();
    assert!(reloaded.requests[0].via.is_some());
    assert!(
        reloaded.requests[0]
            .notes
            .iter()
            .any(|n| n.contains("aws:SourceIp is missing")),
        "{:?}",
        reloaded.requests[0].notes
    );
    assert!(matches!(
        reloaded.requests[0]
            .request
            .context
            .iter()
            .find(|(k, _)| k == "aws:CalledVia")
            .map(|(_, v)| v),
        Some(ContextValue::Many(_)) | None
    ));
}

// ---------------------------------------------------------------------------------
// Tally

fn policy_set(json: &str) -> PolicySet {
    load_str(json).unwrap().set
}

const OFFICE_V4: &str = r#"{"Version": "2012-10-17", "Statement": [
  {"Sid": "DenyOutsideOffice", "Effect": "Deny", "Action": "*", "Resource": "*",
   "Condition": {"NotIpAddress": {"aws:SourceIp": "203.0.113.0/24"},
                 "Bool": {"aws:ViaAWSService": "false"}}},
  {"Sid": "AllowEverything", "Effect": "Allow", "Action": "*", "Resource": "*"}]}"#;

fn tally(set: &PolicySet, records: &[Vec<u8>], filter: &Filter) -> Tally {
    let mut t = Tally::default();
    for r in records {
        t.add(set, &parse_event(r).unwrap(), filter);
    }
    t
}

#[test]
fn the_tally_counts_mixed_against_office_only_admin_v4() {
    let set = policy_set(OFFICE_V4);
    let records = split_all(text("mixed.json").as_bytes());
    let t = tally(&set, &records, &Filter::default());
    assert_eq!(t.events, 33);
    assert_eq!(t.skipped_total(), 3);
    // Not compared: four failures for other reasons, and CreateFunction denied on the
    // iam:PassRole it also needs.
    assert_eq!(t.not_compared, 5);
    // alice's console-originated GetBucketPolicyStatus ("AWS Internal") is her own call
    // (aws:ViaAWSService false) without an address: the office Deny's NotIpAddress on
    // the missing aws:SourceIp holds, so it is reported as now denied (its note says
    // the address is not recorded).
    assert_eq!(t.same, 12);
    assert_eq!(t.differing(Direction::NowDenied), 12);
    assert_eq!(t.differing(Direction::NowAllowed), 1);
    assert_eq!(t.compared(), 25);
    assert_eq!(t.filtered_out, 0);
    // The one now allowed: alice's plain-HTTP GetObject, denied by the bucket policy
    // which this scenario does not have.
    let allowed: Vec<_> = t
        .sorted_groups()
        .into_iter()
        .filter(|(k, _)| k.direction == Direction::NowAllowed)
        .collect();
    assert_eq!(allowed.len(), 1);
    assert_eq!(allowed[0].0.action, "s3:GetObject");
    assert_eq!(allowed[0].0.caller, ALICE);
    assert_eq!(
        allowed[0].1.example.event_id.as_deref(),
        Some("74417aab-eb21-50d6-a0a6-e9b6728b50b7")
    );

    // Only bob's events.
    let bob = Filter {
        caller: Some(BOB.into()),
    };
    let t = tally(&set, &records, &bob);
    assert_eq!(t.filtered_out, 23);
    assert_eq!(t.compared(), 7);
    assert_eq!(t.differing(Direction::NowDenied), 1);
    // A role ARN keeps its sessions.
    let ci = Filter {
        caller: Some(CI_DEPLOY.into()),
    };
    // (CreateFunction, denied on iam:PassRole, is not compared.)
    assert_eq!(tally(&set, &records, &ci).compared(), 4);
}

#[test]
fn merged_tallies_count_like_one() {
    let set = policy_set(OFFICE_V4);
    let records = split_all(text("mixed.json").as_bytes());
    let whole = tally(&set, &records, &Filter::default());
    for cut in [1, 10, 17, 32] {
        let mut merged = tally(&set, &records[..cut], &Filter::default());
        merged.merge(tally(&set, &records[cut..], &Filter::default()));
        assert_eq!(merged.events, whole.events);
        assert_eq!(merged.same, whole.same);
        assert_eq!(merged.not_compared, whole.not_compared);
        assert_eq!(merged.skipped, whole.skipped);
        let counts = |t: &Tally| -> Vec<(String, u64, Option<String>, Option<String>)> {
            t.sorted_groups()
                .into_iter()
                .map(|(k, g)| {
                    (
                        format!("{:?} {} {}", k.direction, k.action, k.caller),
                        g.count,
                        g.first_time.clone(),
                        g.last_time.clone(),
                    )
                })
                .collect()
        };
        assert_eq!(counts(&merged), counts(&whole), "cut at {cut}");
    }
}

/// bob's DescribeInstances (#3) twice: a later copy first in the file.
fn two_describe_instances() -> Vec<Vec<u8>> {
    let rec = &raw("mixed.json")[3];
    let mut late = rec.clone();
    late["eventTime"] = "2024-11-05T11:00:00Z".into();
    late["eventID"] = "late".into();
    let mut early = rec.clone();
    early["eventTime"] = "2024-11-05T08:00:00Z".into();
    early["eventID"] = "early".into();
    vec![
        serde_json::to_vec(&late).unwrap(),
        serde_json::to_vec(&early).unwrap(),
    ]
}

#[test]
fn a_group_spans_its_earliest_and_latest_event() {
    let set = policy_set(OFFICE_V4);
    let t = tally(&set, &two_describe_instances(), &Filter::default());
    let groups = t.sorted_groups();
    assert_eq!(groups.len(), 1);
    let (key, g) = groups[0];
    assert_eq!(key.direction, Direction::NowDenied);
    assert_eq!(g.count, 2);
    assert_eq!(g.first_time.as_deref(), Some("2024-11-05T08:00:00Z"));
    assert_eq!(g.last_time.as_deref(), Some("2024-11-05T11:00:00Z"));
}

#[test]

fn a_groups_example_does_not_depend_on_batching() {
    let set = policy_set(OFFICE_V4);
    let records = two_describe_instances();
    let one = tally(&set, &records, &Filter::default());
    let mut two = tally(&set, &records[..1], &Filter::default());
    two.merge(tally(&set, &records[1..], &Filter::default()));
    let example = |t: &Tally| t.sorted_groups()[0].1.example.event_id.clone();
    assert_eq!(example(&one), example(&two));
}

/// `aws cloudtrail lookup-events` output (the event history, newest first, each event a
/// JSON string) gives the same requests as the records themselves, and opens as a
/// scenario.
#[test]
fn lookup_events_output_gives_the_same_requests() {
    let (records, _) = requests("client-vpn.json");
    let (lookup, description) = requests("lookup-events.json");
    assert!(
        description.starts_with("5 of 5 CloudTrail events"),
        "{description}"
    );
    let mut a: Vec<Request> = records.iter().map(|r| r.request.clone()).collect();
    let mut b: Vec<Request> = lookup.iter().map(|r| r.request.clone()).collect();
    let key = |r: &Request| format!("{r:?}");
    a.sort_by_key(key);
    b.sort_by_key(key);
    assert_eq!(a, b);
    let s = load_str(&text("lookup-events.json")).unwrap();
    assert_eq!(s.requests.len(), 5);
    // The service's call still points at alice's call, though listed before it.
    let slr = s
        .requests
        .iter()
        .find(|r| {
            r.request.action == "iam:CreateServiceLinkedRole"
                && r.name.as_deref().unwrap_or("").contains("denied")
        })
        .unwrap();
    assert!(
        slr.via
            .as_deref()
            .unwrap_or("")
            .starts_with("ec2:CreateClientVpnEndpoint")
    );
}
