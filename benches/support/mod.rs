//! Deterministic inputs for the engine benchmark: a generated set of identity policies
//! (about 20 KB, 60 statements, every operator family) with a handful of realistic
//! requests, written as a scenario file so that it goes through the same loader as a
//! user's file; plus the conversion of scenarios into iam-rs's policy and request types.

use serde_json::{Value, json};

/// The account every generated policy and request lives in.
const ACCOUNT: &str = "111122223333";

/// Per-variant values: each of the 20 statement templates is instantiated three
/// times, once per variant, so that the 60 statements differ from one another.
const TEAMS: [&str; 3] = ["platform", "data", "web"];
const BUCKETS: [&str; 3] = ["corp-home", "corp-data", "corp-logs"];
const REGIONS: [&str; 3] = ["ca-central-1", "us-east-1", "eu-west-1"];
const EXTRA_REGIONS: [&str; 3] = ["us-west-2", "eu-central-1", "ap-southeast-2"];
const OFFICE_V4: [&str; 3] = ["203.0.113.0/24", "198.51.100.0/25", "192.0.2.128/26"];
const OFFICE_V6: [&str; 3] = ["2001:db8:1::/48", "2001:db8:2::/48", "2001:db8:3::/48"];

/// Base64 of the bytes the BinaryEquals statements compare.
const DIGESTS: [&str; 3] = ["c2hhMjU2OmFsaWNl", "c2hhMjU2OmJvYg==", "c2hhMjU2OmNhcm9s"];

fn pick(values: [&'static str; 3], v: usize) -> &'static str {
    values[v]
}

fn arn(service: &str, region: &str, resource: &str) -> String {
    format!("arn:aws:{service}:{region}:{ACCOUNT}:{resource}")
}

/// Statement template `t`, variant `v` (0..3).
fn statement(t: usize, v: usize) -> Value {
    let team = TEAMS[v];
    let bucket = BUCKETS[v];
    let region = REGIONS[v];
    let sid = format!("T{t:02}V{v}");
    match t {
        // Home folders: variables in Resource, Bool + IpAddress conditions.
        0 => json!({
            "Sid": sid, "Effect": "Allow",
            "Action": ["s3:GetObject", "s3:PutObject", "s3:GetObjectTagging", "s3:PutObjectTagging"],
            "Resource": [format!("arn:aws:s3:::{bucket}/home/${{aws:username}}/*"),
                         format!("arn:aws:s3:::{bucket}/team/${{aws:PrincipalTag/team}}/*")],
            "Condition": {
                "Bool": {"aws:SecureTransport": "true"},
                "IpAddress": {"aws:SourceIp": [OFFICE_V4[v], OFFICE_V6[v], "203.0.113.0/24"]}
            }
        }),
        // Listing: StringLike with a variable in the condition value.
        1 => json!({
            "Sid": sid, "Effect": "Allow",
            "Action": "s3:ListBucket",
            "Resource": format!("arn:aws:s3:::{bucket}"),
            "Condition": {
                "StringLike": {"s3:prefix": ["home/${aws:username}/*", "team/${aws:PrincipalTag/team}/*", "public/*"]},
                "StringEquals": {"s3:delimiter": "/"}
            }
        }),
        // Region guardrail: StringNotEquals on a NotAction Deny.
        2 => json!({
            "Sid": sid, "Effect": "Deny",
            "NotAction": ["iam:*", "sts:*", "organizations:*", "support:*", "cloudfront:*", "route53:*", format!("budgets:View{v}*")],
            "Resource": "*",
            "Condition": {
                "StringNotEquals": {"aws:RequestedRegion": ["ca-central-1", "us-east-1", EXTRA_REGIONS[v]]}
            }
        }),
        // Read-only EC2 by team tag: StringEqualsIgnoreCase.
        3 => json!({
            "Sid": sid, "Effect": "Allow",
            "Action": ["ec2:Describe*", "ec2:Get*", "ec2:List*", "ec2:Search*"],
            "Resource": "*",
            "Condition": {
                "StringEqualsIgnoreCase": {"aws:PrincipalTag/team": [team.to_uppercase(), "Platform", "SRE"]},
                "StringEquals": {"aws:PrincipalType": "User"}
            }
        }),
        // Only owners may stop or terminate: StringNotEqualsIgnoreCase with a variable.
        4 => json!({
            "Sid": sid, "Effect": "Deny",
            "Action": ["ec2:TerminateInstances", "ec2:StopInstances", format!("ec2:DeleteVolume{v}")],
            "Resource": arn("ec2", "*", "instance/*"),
            "Condition": {
                "StringNotEqualsIgnoreCase": {"aws:ResourceTag/owner": ["${aws:username}", format!("{team}-automation")]}
            }
        }),
        // DynamoDB tables of the team: variable in Resource, ForAllValues:StringEquals.
        5 => json!({
            "Sid": sid, "Effect": "Allow",
            "Action": ["dynamodb:GetItem", "dynamodb:Query", "dynamodb:BatchGetItem", "dynamodb:PutItem"],
            "Resource": [arn("dynamodb", region, "table/${aws:PrincipalTag/team}-*"),
                         arn("dynamodb", "*", &format!("table/{team}-shared-*"))],
            "Condition": {
                "ForAllValues:StringEquals": {"dynamodb:Attributes": ["pk", "sk", "status", "owner", "updatedAt", format!("attr{v}")]},
                "StringEqualsIfExists": {"dynamodb:Select": ["SPECIFIC_ATTRIBUTES", "ALL_PROJECTED_ATTRIBUTES"]}
            }
        }),
        // Own credentials with a fresh MFA: NumericLessThan, variable in Resource.
        6 => json!({
            "Sid": sid, "Effect": "Allow",
            "Action": ["iam:*AccessKey*", "iam:*MFADevice*", "iam:ChangePassword", "iam:GetUser"],
            "Resource": format!("arn:aws:iam::{ACCOUNT}:user/${{aws:username}}"),
            "Condition": {
                "NumericLessThan": {"aws:MultiFactorAuthAge": pick(["3600", "7200", "900"], v)},
                "Bool": {"aws:MultiFactorAuthPresent": "true"}
            }
        }),
        // No IAM without MFA: BoolIfExists.
        7 => json!({
            "Sid": sid, "Effect": "Deny",
            "Action": ["iam:Create*", "iam:Delete*", "iam:Update*", "iam:Attach*", format!("iam:Put*Policy{v}")],
            "Resource": "*",
            "Condition": {
                "BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}
            }
        }),
        // Launch with the right tags: StringEquals on RequestTag, ForAllValues on TagKeys, Null false.
        8 => json!({
            "Sid": sid, "Effect": "Allow",
            "Action": ["ec2:RunInstances", "ec2:CreateTags", "ec2:CreateVolume"],
            "Resource": [arn("ec2", region, "instance/*"), arn("ec2", region, "volume/*"), arn("ec2", "*", "network-interface/*")],
            "Condition": {
                "StringEquals": {"aws:RequestTag/env": ["dev", "staging", pick(["prod", "test", "qa"], v)]},
                "ForAllValues:StringEquals": {"aws:TagKeys": ["env", "owner", "costcenter", "project", format!("extra{v}")]},
                "Null": {"aws:RequestTag/owner": "false"}
            }
        }),
        // A cost center is required: Null true.
        9 => json!({
            "Sid": sid, "Effect": "Deny",
            "Action": ["ec2:RunInstances", "ec2:CreateVolume", format!("rds:CreateDBInstance{v}")],
            "Resource": [arn("ec2", "*", "instance/*"), arn("ec2", "*", "volume/*")],
            "Condition": {
                "Null": {"aws:RequestTag/costcenter": "true"}
            }
        }),
        // Office-only guardrail (the fixed Client VPN form): NotIpAddress, Bool, ArnNotLikeIfExists.
        10 => json!({
            "Sid": sid, "Effect": "Deny",
            "Action": "*",
            "Resource": "*",
            "Condition": {
                "NotIpAddress": {"aws:SourceIp": [OFFICE_V4[0], OFFICE_V4[1], OFFICE_V4[2], OFFICE_V6[v], "10.0.0.0/8"]},
                "Bool": {"aws:ViaAWSService": "false"},
                "ArnNotLikeIfExists": {"aws:PrincipalArn": [format!("arn:aws:iam::{ACCOUNT}:role/BreakGlass{v}*"), format!("arn:aws:iam::{ACCOUNT}:role/OrganizationAccountAccessRole")]}
            }
        }),
        // Publishing through CloudFormation: ForAnyValue:StringEquals on CalledVia, ArnEquals.
        11 => json!({
            "Sid": sid, "Effect": "Allow",
            "Action": ["sns:Publish", "sns:CreateTopic", "sns:Subscribe"],
            "Resource": arn("sns", "*", &format!("alerts-{team}-*")),
            "Condition": {
                "ForAnyValue:StringEquals": {"aws:CalledVia": ["cloudformation.amazonaws.com", "ec2.amazonaws.com", format!("svc{v}.amazonaws.com")]},
                "ArnEquals": {"aws:PrincipalArn": [format!("arn:aws:iam::{ACCOUNT}:user/alice"), format!("arn:aws:iam::{ACCOUNT}:user/{team}-ci")]}
            }
        }),
        // Secrets inside a validity window: Date operators, ISO 8601 and epoch.
        12 => json!({
            "Sid": sid, "Effect": "Allow",
            "Action": ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"],
            "Resource": arn("secretsmanager", "*", &format!("secret:app/{team}/*")),
            "Condition": {
                "DateGreaterThan": {"aws:CurrentTime": pick(["2026-01-01T00:00:00Z", "2025-07-01T00:00:00Z", "2026-03-01T00:00:00Z"], v)},
                "DateLessThan": {"aws:CurrentTime": "2027-01-01T00:00:00Z"},
                "DateLessThanEquals": {"aws:EpochTime": pick(["1830000000", "1830000001", "1830000002"], v)}
            }
        }),
        // Parameters: NumericLessThanEquals, NumericGreaterThanEquals, NumericNotEquals.
        13 => json!({
            "Sid": sid, "Effect": "Allow",
            "Action": ["ssm:GetParameter", "ssm:GetParameters", "ssm:GetParametersByPath"],
            "Resource": arn("ssm", region, &format!("parameter/{team}/*")),
            "Condition": {
                "NumericLessThanEquals": {"aws:MultiFactorAuthAge": "43200"},
                "NumericGreaterThanEquals": {"ssm:MaxResults": pick(["1", "5", "10"], v)},
                "NumericNotEquals": {"ssm:MaxResults": "0"}
            }
        }),
        // Invocation with a known client digest: BinaryEquals.
        14 => json!({
            "Sid": sid, "Effect": "Allow",
            "Action": ["lambda:InvokeFunction", "lambda:InvokeFunctionUrl"],
            "Resource": arn("lambda", "*", &format!("function:{team}-*")),
            "Condition": {
                "BinaryEquals": {"app:ClientDigest": DIGESTS[v]},
                "StringEquals": {"aws:PrincipalAccount": ACCOUNT}
            }
        }),
        // Deletes only by admin roles: StringNotLike.
        15 => json!({
            "Sid": sid, "Effect": "Deny",
            "Action": ["s3:DeleteObject", "s3:DeleteObjectVersion", "s3:DeleteBucket"],
            "Resource": [format!("arn:aws:s3:::{bucket}"), format!("arn:aws:s3:::{bucket}/*")],
            "Condition": {
                "StringNotLike": {"aws:PrincipalArn": [format!("arn:aws:iam::{ACCOUNT}:role/Admin*"), format!("arn:aws:iam::{ACCOUNT}:role/{team}-cleanup-?")]}
            }
        }),
        // Logs with every IfExists flavour.
        16 => json!({
            "Sid": sid, "Effect": "Allow",
            "Action": ["logs:CreateLogStream", "logs:PutLogEvents", "logs:GetLogEvents", "logs:FilterLogEvents"],
            "Resource": arn("logs", "*", &format!("log-group:/app/{team}/*")),
            "Condition": {
                "StringEqualsIfExists": {"aws:RequestedRegion": ["ca-central-1", "us-east-1", EXTRA_REGIONS[v]]},
                "NumericLessThanIfExists": {"aws:MultiFactorAuthAge": "86400"},
                "IpAddressIfExists": {"aws:SourceIp": [OFFICE_V4[v], "203.0.113.0/24", OFFICE_V6[v]]},
                "ArnLikeIfExists": {"aws:SourceArn": arn("logs", "*", "log-group:*")},
                "DateGreaterThanIfExists": {"aws:CurrentTime": "2020-01-01T00:00:00Z"}
            }
        }),
        // Queues of the team within the organization: ForAnyValue:StringLike on a multi-valued key.
        17 => json!({
            "Sid": sid, "Effect": "Allow",
            "Action": ["sqs:SendMessage", "sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"],
            "Resource": arn("sqs", "*", "${aws:PrincipalTag/team}-*"),
            "Condition": {
                "ForAnyValue:StringLike": {"aws:PrincipalOrgPaths": [format!("o-a1b2c3d4e5/r-ab12/ou-ab12-{v}*/*"), "o-a1b2c3d4e5/r-ab12/ou-ab12-prod/*"]},
                "StringEquals": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}
            }
        }),
        // No reserved tag keys: ForAllValues:StringNotLike and ForAnyValue:StringLike on TagKeys.
        18 => json!({
            "Sid": sid, "Effect": "Deny",
            "Action": ["ec2:CreateTags", "ec2:RunInstances", "s3:PutObjectTagging", format!("tag:TagResources{v}")],
            "Resource": "*",
            "Condition": {
                "ForAnyValue:StringLike": {"aws:TagKeys": ["aws:*", "reserved-*", format!("internal{v}-*")]}
            }
        }),
        // Images of the principal's project: a variable with a default in a condition value.
        _ => json!({
            "Sid": sid, "Effect": "Allow",
            "Action": ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:DescribeImages"],
            "Resource": arn("ecr", "*", "repository/*"),
            "Condition": {
                "StringLike": {"aws:ResourceTag/project": ["${aws:PrincipalTag/project, 'default'}", format!("{team}-*")]},
                "ForAllValues:StringNotEquals": {"aws:TagKeys": ["forbidden", format!("secret{v}")]}
            }
        }),
    }
}

/// The generated identity policies: six policies of ten statements each.
pub fn generated_policies() -> Vec<Value> {
    let statements: Vec<Value> = (0..20)
        .flat_map(|t| (0..3).map(move |v| (t, v)))
        .map(|(t, v)| statement(t, v))
        .collect();
    statements
        .chunks(10)
        .enumerate()
        .map(|(i, chunk)| {
            json!({
                "name": format!("generated-{i}"),
                "document": {"Version": "2012-10-17", "Statement": chunk}
            })
        })
        .collect()
}

/// alice's context, common to every generated request.
fn base_context() -> serde_json::Map<String, Value> {
    let v = json!({
        "aws:PrincipalArn": format!("arn:aws:iam::{ACCOUNT}:user/alice"),
        "aws:PrincipalAccount": ACCOUNT,
        "aws:PrincipalType": "User",
        "aws:userid": "AIDACKCEVSQ6C2EXAMPLE",
        "aws:username": "alice",
        "aws:PrincipalTag/team": "platform",
        "aws:PrincipalTag/project": "orders",
        "aws:PrincipalOrgID": "o-a1b2c3d4e5",
        "aws:PrincipalOrgPaths": ["o-a1b2c3d4e5/r-ab12/ou-ab12-prod/"],
        "aws:PrincipalIsAWSService": "false",
        "aws:RequestedRegion": "ca-central-1",
        "aws:SecureTransport": "true",
        "aws:CurrentTime": "2026-11-29T10:00:00Z",
        "aws:EpochTime": "1795946400",
        "aws:SourceIp": "203.0.113.5",
        "aws:ViaAWSService": "false",
        "aws:MultiFactorAuthPresent": "true",
        "aws:MultiFactorAuthAge": "1200"
    });
    match v {
        Value::Object(m) => m,
        _ => unreachable!(),
    }
}

fn request(name: &str, action: &str, resource: &str, extra: Value, expect: &str) -> Value {
    let mut context = base_context();
    if let Value::Object(extra) = extra {
        for (k, v) in extra {
            if v.is_null() {
                context.remove(&k);
            } else {
                context.insert(k, v);
            }
        }
    }
    json!({
        "name": name,
        "principal": format!("arn:aws:iam::{ACCOUNT}:user/alice"),
        "action": action,
        "resource": resource,
        "context": context,
        "expect": expect
    })
}

/// A handful of realistic requests against the generated policies.
pub fn generated_requests() -> Vec<Value> {
    vec![
        request(
            "read own home object (office)",
            "s3:GetObject",
            "arn:aws:s3:::corp-home/home/alice/notes.txt",
            json!({}),
            "allow",
        ),
        request(
            "list own home prefix",
            "s3:ListBucket",
            "arn:aws:s3:::corp-data",
            json!({"s3:prefix": "home/alice/2026/", "s3:delimiter": "/"}),
            "allow",
        ),
        request(
            "launch a tagged instance",
            "ec2:RunInstances",
            &arn("ec2", "ca-central-1", "instance/*"),
            json!({
                "aws:RequestTag/env": "dev",
                "aws:RequestTag/owner": "alice",
                "aws:RequestTag/costcenter": "cc-42",
                "aws:TagKeys": ["env", "owner", "costcenter"]
            }),
            "allow",
        ),
        request(
            "launch without a cost center",
            "ec2:RunInstances",
            &arn("ec2", "ca-central-1", "instance/*"),
            json!({
                "aws:RequestTag/env": "dev",
                "aws:RequestTag/owner": "alice",
                "aws:TagKeys": ["env", "owner"]
            }),
            "explicit_deny",
        ),
        request(
            "query the team's table",
            "dynamodb:Query",
            &arn("dynamodb", "ca-central-1", "table/platform-orders"),
            json!({"dynamodb:Attributes": ["pk", "sk", "status"], "dynamodb:Select": "SPECIFIC_ATTRIBUTES"}),
            "allow",
        ),
        request(
            "create an access key without MFA (from home)",
            "iam:CreateAccessKey",
            &format!("arn:aws:iam::{ACCOUNT}:user/alice"),
            json!({"aws:MultiFactorAuthPresent": null, "aws:MultiFactorAuthAge": null, "aws:SourceIp": "198.51.100.200"}),
            "explicit_deny",
        ),
        request(
            "publish through CloudFormation",
            "sns:Publish",
            &arn("sns", "ca-central-1", "alerts-platform-oncall"),
            json!({
                "aws:ViaAWSService": "true",
                "aws:CalledVia": ["cloudformation.amazonaws.com"],
                "aws:CalledViaFirst": "cloudformation.amazonaws.com",
                "aws:CalledViaLast": "cloudformation.amazonaws.com",
                "aws:SourceIp": "52.95.4.1"
            }),
            "allow",
        ),
        request(
            "read a secret (in the window)",
            "secretsmanager:GetSecretValue",
            &arn(
                "secretsmanager",
                "ca-central-1",
                "secret:app/platform/db-AbCdEf",
            ),
            json!({}),
            "allow",
        ),
        request(
            "invoke a function with the client digest",
            "lambda:InvokeFunction",
            &arn("lambda", "ca-central-1", "function:platform-resize"),
            json!({"app:ClientDigest": DIGESTS[0]}),
            "allow",
        ),
        request(
            "pull an image of the own project",
            "ecr:BatchGetImage",
            &arn("ecr", "ca-central-1", "repository/orders/api"),
            json!({"aws:ResourceTag/project": "orders"}),
            "allow",
        ),
        request(
            "write application logs",
            "logs:PutLogEvents",
            &arn(
                "logs",
                "ca-central-1",
                "log-group:/app/platform/api:log-stream:i-0abc",
            ),
            json!({}),
            "allow",
        ),
    ]
}

/// The generated scenario file's text.
pub fn generated_scenario() -> String {
    let scenario = json!({
        "name": "generated identity policies",
        "policies": {"identity": generated_policies()},
        "requests": generated_requests()
    });
    serde_json::to_string_pretty(&scenario).expect("serializable")
}

/// Size in bytes of the generated policy documents written compactly.
pub fn generated_policy_bytes() -> usize {
    generated_policies()
        .iter()
        .map(|p| serde_json::to_string(&p["document"]).map_or(0, |s| s.len()))
        .sum()
}

/// The scenario `text` with only its identity policies kept.
pub fn identity_only(text: &str) -> String {
    let mut v: Value = serde_json::from_str(text).expect("scenario is JSON");
    if let Some(Value::Object(policies)) = v.get_mut("policies") {
        policies.retain(|k, _| k == "identity");
    }
    serde_json::to_string(&v).expect("serializable")
}

/// Each request object of a scenario, as compact JSON text.
pub fn request_texts(text: &str) -> Vec<String> {
    let v: Value = serde_json::from_str(text).expect("scenario is JSON");
    v["requests"]
        .as_array()
        .map(|list| list.iter().map(Value::to_string).collect())
        .unwrap_or_default()
}

/// The identity policy documents of a scenario, as policy text.
pub fn identity_documents(text: &str) -> Vec<String> {
    let v: Value = serde_json::from_str(text).expect("scenario is JSON");
    v["policies"]["identity"]
        .as_array()
        .map(|entries| {
            entries
                .iter()
                .map(|e| {
                    let doc = e.get("document").unwrap_or(e);
                    match doc {
                        Value::String(s) => s.clone(),
                        other => other.to_string(),
                    }
                })
                .collect()
        })
        .unwrap_or_default()
}

/// iam-rs's side: the same identity policies and requests in its types.
pub mod iamrs {
    use iam_rs::{
        Arn, Context, ContextValue, Decision, IAMPolicy, IAMRequest, PolicyEvaluator, Principal,
        PrincipalId,
    };
    use iamtrace::eval::{ContextValue as OurValue, Request};

    /// Builds an evaluator holding the policy texts.
    pub fn evaluator(documents: &[String]) -> PolicyEvaluator {
        let policies = documents
            .iter()
            .map(|d| {
                IAMPolicy::from_json(d)
                    .unwrap_or_else(|e| panic!("iam-rs cannot read a policy: {e}"))
            })
            .collect();
        PolicyEvaluator::with_policies(policies)
    }

    fn scalar(text: &str) -> ContextValue {
        // iam-rs compares Bool only against boolean context values; every other
        // family reads a string (numbers, dates and IPs are parsed from it).
        match text {
            "true" => ContextValue::Boolean(true),
            "false" => ContextValue::Boolean(false),
            _ => ContextValue::String(text.to_string()),
        }
    }

    /// Converts one of our requests, or `None` where iam-rs cannot express it (a
    /// resource that is not an ARN, a principal that is not an ARN).
    pub fn request(r: &Request) -> Option<IAMRequest> {
        let resource = Arn::parse(&r.resource).ok()?;
        if !r.principal.starts_with("arn:") {
            return None;
        }
        let mut context = Context::new();
        for (key, value) in &r.context {
            let v = match value {
                OurValue::One(s) => scalar(&s.text),
                OurValue::Many(list) => {
                    let bools: Option<Vec<bool>> = list
                        .iter()
                        .map(|s| match s.text.as_str() {
                            "true" => Some(true),
                            "false" => Some(false),
                            _ => None,
                        })
                        .collect();
                    match bools {
                        Some(b) if !b.is_empty() => ContextValue::BooleanList(b),
                        _ => {
                            ContextValue::StringList(list.iter().map(|s| s.text.clone()).collect())
                        }
                    }
                }
            };
            context.insert(key.clone(), v);
        }
        Some(IAMRequest::new_with_context(
            Principal::Aws(PrincipalId::String(r.principal.clone())),
            r.action.clone(),
            resource,
            context,
        ))
    }

    /// The decision word in iamtrace's vocabulary, or the error text.
    pub fn decide(evaluator: &PolicyEvaluator, r: &IAMRequest) -> Result<&'static str, String> {
        evaluator
            .evaluate(r)
            .map(|res| match res.decision {
                Decision::Allow => "allow",
                Decision::Deny => "explicit_deny",
                Decision::NotApplicable => "implicit_deny",
            })
            .map_err(|e| e.to_string())
    }
}

/// A policy of one Allow listing `n` catalog actions (every action of one service
/// after another, in catalog order), plus `s3:Get*` and the same `n` actions again in
/// a second statement with a few wildcard entries: the shape of AWS managed policies
/// such as AWSSupportServiceRolePolicy (about 4,500 actions), built here rather than
/// copied.
pub fn many_actions_policy(n: usize) -> String {
    let names: Vec<String> = iamtrace::catalog::catalog()
        .services()
        .iter()
        .flat_map(|s| {
            s.actions
                .iter()
                .map(move |a| format!("\"{}:{}\"", s.prefix, a.name))
        })
        .take(n)
        .collect();
    let list = names.join(",");
    format!(
        r#"{{"Version": "2012-10-17", "Statement": [
            {{"Effect": "Allow", "Action": [{list}], "Resource": "*"}},
            {{"Effect": "Allow", "Action": ["s3:Get*", "ec2:Describe*", {list}], "Resource": "*"}}]}}"#
    )
}

/// One identity policy holding the generated statements `copies` times (Sids made
/// unique), and six requests.
pub fn one_policy_scenario(copies: usize) -> String {
    let statements: Vec<serde_json::Value> = (0..copies)
        .flat_map(|k| {
            generated_policies().into_iter().flat_map(move |p| {
                let mut list = p["document"]["Statement"]
                    .as_array()
                    .cloned()
                    .unwrap_or_default();
                if k > 0 {
                    for st in &mut list {
                        let sid = format!("{}C{k}", st["Sid"].as_str().unwrap_or("S"));
                        st["Sid"] = json!(sid);
                    }
                }
                list
            })
        })
        .collect();
    let requests: Vec<serde_json::Value> = generated_requests().into_iter().take(6).collect();
    serde_json::to_string_pretty(&json!({
        "name": "one 20 KB policy, 6 requests",
        "policies": {"identity": [{"name": "big", "document": {
            "Version": "2012-10-17", "Statement": statements}}]},
        "requests": requests
    }))
    .expect("serializable")
}
