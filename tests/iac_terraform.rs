//! Terraform plans and states read into an inventory (`iamtrace::iac::terraform`):
//! every file of the shared corpus of public plans opens, both sides, and what each
//! side holds is the checked-in snapshot (principals, policies by kind, unknowns,
//! notes, with their lines), so that a regression shows; the hand-written fixtures
//! under `tests/fixtures/iac/terraform/` (in `terraform show -json`'s documented
//! format) check what the corpus lacks: a plan that adds a Deny, a policy known only
//! after apply, modules, count and for_each, and positions in the plan file.
//!
//! The corpus is read from `../shared/corpora/iac/terraform-plans/` beside the
//! repository or `/work/shared/corpora/iac/terraform-plans/`; without it those tests
//! say so and pass.

use iamtrace::iac::terraform::{self, policy_errors};
use iamtrace::iac::{Document, FoundPolicy, Inventory, Side};
use iamtrace::json::{Node, Value};
use iamtrace::source::Severity;
use std::fmt::Write;
use std::path::{Path, PathBuf};

fn corpus() -> Option<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    [
        root.join("../shared/corpora/iac/terraform-plans"),
        PathBuf::from("/work/shared/corpora/iac/terraform-plans"),
    ]
    .into_iter()
    .find(|p| p.is_dir())
}

fn fixture(name: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/iac/terraform")
        .join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn read(text: &str, side: Side) -> Inventory {
    terraform::read(text, side).unwrap_or_else(|e| panic!("{e:?}"))
}

fn doc_kind(d: &Document) -> String {
    match d {
        Document::Inline(n) => format!("inline@{}:{}", n.span.line, n.span.column),
        Document::Managed { arn, .. } => format!("managed {arn}"),
        Document::Unknown { reason, .. } => format!("unknown ({reason})"),
    }
}

/// What one side of a file holds, one line per item.
fn summary(inv: &Inventory) -> String {
    let mut out = String::new();
    let count = |f: &dyn Fn(&FoundPolicy) -> bool| inv.policies.iter().filter(|p| f(p)).count();
    let unknown = count(&|p| matches!(p.document, Document::Unknown { .. }));
    let managed = count(&|p| matches!(p.document, Document::Managed { .. }));
    let trust = count(&|p| p.trust);
    let _ = writeln!(
        out,
        "  {} principals, {} policies ({} trust, {} by ARN, {} unknown), {} notes",
        inv.principals.len(),
        inv.policies.len(),
        trust,
        managed,
        unknown,
        inv.notes.len()
    );
    for p in &inv.principals {
        let _ = writeln!(
            out,
            "  principal {:?} {} name={:?} arn={} groups={:?}",
            p.kind, p.id, p.name, p.arn, p.groups
        );
    }
    for p in &inv.policies {
        let _ = writeln!(
            out,
            "  policy {:?}{} {} {} to={:?} on={:?}",
            p.kind,
            if p.trust { " trust" } else { "" },
            p.name,
            doc_kind(&p.document),
            p.attached_to,
            p.resource_arn
        );
    }
    for n in &inv.notes {
        let _ = writeln!(
            out,
            "  note {:?} {}:{} {}",
            n.severity, n.span.line, n.span.column, n.message
        );
    }
    for e in policy_errors(inv) {
        let _ = writeln!(
            out,
            "  policy error {}:{} {}",
            e.span.line, e.span.column, e.message
        );
    }
    out
}

#[test]
fn every_corpus_plan_opens_with_the_expected_contents() {
    let Some(dir) = corpus() else {
        eprintln!(
            "skipped: no shared corpus of Terraform plans (../shared/corpora/iac/terraform-plans)"
        );
        return;
    };
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("readable")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    assert!(files.len() >= 20, "{} plans", files.len());
    let mut out = String::new();
    let mut policies = 0;
    for path in &files {
        let name = path.file_name().unwrap().to_string_lossy();
        let bytes = std::fs::read(path).expect("readable");
        let text = terraform::decode(bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
        for side in [Side::Before, Side::After] {
            let inv = terraform::read(&text, side).unwrap_or_else(|e| panic!("{name}: {e:?}"));
            policies += inv.policies.len();
            // Every inline policy's spans point into the file at JSON text of the policy.
            for p in &inv.policies {
                if let Document::Inline(node) = &p.document {
                    let at = &text[node.span.range()];
                    assert!(
                        at.starts_with('{') && at.ends_with('}'),
                        "{name} {}: {at}",
                        p.name
                    );
                }
            }
            let _ = writeln!(out, "{name} {side:?}");
            out.push_str(&summary(&inv));
        }
    }
    assert!(policies > 60, "{policies} policies found");
    insta::assert_snapshot!("corpus", out);
}

#[test]
fn utf16_plans_are_decoded_and_odd_ones_refused() {
    let text = "{\"format_version\":\"1.0\"}";
    let mut le = vec![0xFF, 0xFE];
    le.extend(text.encode_utf16().flat_map(|u| u.to_le_bytes()));
    let mut be = vec![0xFE, 0xFF];
    be.extend(text.encode_utf16().flat_map(|u| u.to_be_bytes()));
    assert_eq!(terraform::decode(le.clone()).as_deref(), Ok(text));
    assert_eq!(terraform::decode(be).as_deref(), Ok(text));
    le.push(0);
    assert!(terraform::decode(le).unwrap_err().contains("odd number"));
    let lone = vec![0xFF, 0xFE, 0x00, 0xD8, b'a', 0];
    assert!(
        terraform::decode(lone)
            .unwrap_err()
            .contains("lone surrogate")
    );
    assert!(
        terraform::decode(vec![0xC3])
            .unwrap_err()
            .contains("not UTF-8")
    );
}

#[test]
fn what_is_not_terraform_output_is_refused_with_a_position() {
    for (text, words) in [
        ("[1]", "expected an object"),
        ("{\"Version\": \"2012-10-17\"}", "no \"format_version\""),
        ("{\"format_version\": \"2.0\"}", "not one this reader knows"),
        ("{\"format_version\": ", "invalid JSON"),
    ] {
        let e = terraform::read(text, Side::After).expect_err(text);
        assert!(e[0].message.contains(words), "{text}: {}", e[0].message);
        assert_eq!(e[0].span.line, 1);
    }
    // An empty state is a state with nothing in it.
    let empty = read("{\"format_version\": \"1.0\"}", Side::Before);
    assert_eq!(empty, Inventory::default());
}

fn find<'a>(inv: &'a Inventory, name: &str) -> &'a FoundPolicy {
    inv.policies
        .iter()
        .find(|p| p.name == name)
        .unwrap_or_else(|| panic!("no policy {name} in {:#?}", inv.policies))
}

fn statements(p: &FoundPolicy) -> Vec<&Node> {
    let Document::Inline(node) = &p.document else {
        panic!("{} is not inline: {:?}", p.name, p.document)
    };
    let Value::Object(m) = &node.value else {
        panic!("not an object")
    };
    match &m
        .iter()
        .find(|m| m.key == "Statement")
        .expect("Statement")
        .value
        .value
    {
        Value::Array(items) => items.iter().collect(),
        _ => panic!("Statement is not an array"),
    }
}

#[test]
fn the_deny_a_pull_request_adds_is_on_the_after_side_only() {
    let text = fixture("add-source-ip-deny.json");
    let before = read(&text, Side::Before);
    let after = read(&text, Side::After);
    for inv in [&before, &after] {
        let admin = &inv.principals[0];
        assert_eq!(admin.id, "aws_iam_role.admin");
        assert_eq!(admin.arn, "arn:aws:iam::111122223333:role/admin");
        let attached = find(inv, "aws_iam_role_policy_attachment.admin_full");
        assert_eq!(
            attached.document,
            Document::Managed {
                arn: "arn:aws:iam::aws:policy/AdministratorAccess".into(),
                span: match &attached.document {
                    Document::Managed { span, .. } => *span,
                    _ => unreachable!(),
                }
            }
        );
        assert_eq!(attached.attached_to, ["aws_iam_role.admin"]);
        let trust = find(inv, "aws_iam_role.admin/assume_role_policy");
        assert!(trust.trust);
        assert_eq!(trust.resource_arn.as_deref(), Some(admin.arn.as_str()));
    }
    assert!(
        before
            .policies
            .iter()
            .all(|p| p.name != "aws_iam_role_policy.admin_source_ip")
    );
    let deny = find(&after, "aws_iam_role_policy.admin_source_ip");
    assert_eq!(deny.attached_to, ["aws_iam_role.admin"]);
    let st = statements(deny);
    assert_eq!(st.len(), 1);
    // The span of the statement is the escaped text in the plan file.
    let written = &text[st[0].span.range()];
    assert!(written.contains(r#"\"NotIpAddress\""#), "{written}");
    assert!(written.contains(r#"\"aws:SourceIp\""#), "{written}");
    assert!(
        policy_errors(&after).is_empty(),
        "{:?}",
        policy_errors(&after)
    );
    assert!(after.notes.is_empty(), "{:?}", after.notes);
    // The text an editor shows is the decoded string, as Terraform wrote it.
    let shown = terraform::policy_text(&text, deny).expect("inline");
    assert!(
        shown.starts_with(r#"{"Statement":[{"Action":"*","Condition":{"NotIpAddress""#),
        "{shown}"
    );
    let plan: serde_json::Value = serde_json::from_str(&text).expect("JSON");
    let written = plan["resource_changes"][1]["change"]["after"]["policy"].as_str();
    assert_eq!(Some(shown.as_str()), written);
}

#[test]
fn a_policy_error_inside_a_plan_string_is_placed_in_the_plan_with_the_address() {
    let text = fixture("policy-error.json");
    let inv = read(&text, Side::After);
    let errors = policy_errors(&inv);
    // The misspelt key, and the Effect it leaves missing.
    assert_eq!(errors.len(), 2, "{errors:?}");
    assert!(errors[1].message.ends_with("statement needs an Effect"));
    let e = &errors[0];
    assert!(
        e.message.starts_with("aws_iam_role_policy.broken: "),
        "{}",
        e.message
    );
    assert!(e.message.contains("Efect"), "{}", e.message);
    // Line and column of the misspelt key in the plan file itself (the reader takes
    // the after side from resource_changes, which gives what is unknown).
    let changes = text.find("\"resource_changes\"").expect("resource_changes");
    let (line, col) = line_col(&text, changes, r#"\"Efect\""#);
    assert_eq!((e.span.line, e.span.column), (line, col));
    assert!(e.span.source.is_file());
    // A string that is not JSON at all is noted, at its place, and not evaluated.
    let bad = find(&inv, "aws_iam_user_policy.not_json");
    assert!(matches!(bad.document, Document::Unknown { .. }));
    let note = inv
        .notes
        .iter()
        .find(|n| {
            n.message
                .starts_with("aws_iam_user_policy.not_json: the policy string is not JSON")
        })
        .unwrap_or_else(|| panic!("{:?}", inv.notes));
    assert_eq!(note.severity, Severity::Error);
    let (line, _) = line_col(&text, changes, "Version\\\": \\\"2012-10-17\\\",,");
    assert_eq!(note.span.line, line);
}

/// 1-based line and character column of the first `needle` in `text` from `from`.
fn line_col(text: &str, from: usize, needle: &str) -> (u64, u32) {
    let at = from
        + text[from..]
            .find(needle)
            .unwrap_or_else(|| panic!("no {needle}"));
    let before = &text[..at];
    let line = before.matches('\n').count() as u64 + 1;
    let start = before.rfind('\n').map_or(0, |i| i + 1);
    (line, before[start..].chars().count() as u32 + 1)
}

#[test]
fn a_policy_known_only_after_apply_is_said_not_evaluated() {
    let text = fixture("unknown-policy.json");
    let after = read(&text, Side::After);
    let p = find(&after, "aws_iam_role_policy.reads_bucket");
    match &p.document {
        Document::Unknown { reason, span } => {
            assert_eq!(reason, "the policy is known only after apply");
            assert_eq!(&text[span.range()], "\"aws_iam_role_policy.reads_bucket\"");
        }
        other => panic!("{other:?}"),
    }
    // The role is being created: its ARN is a placeholder naming where it comes from.
    let role = &after.principals[0];
    assert_eq!(role.arn, "⟦known after apply: aws_iam_role.app.arn⟧");
    assert_eq!(p.attached_to, ["aws_iam_role.app"]);
    // The policy attached by a reference to a policy created in the same plan is
    // linked to it although its ARN is not known yet.
    let managed = find(&after, "aws_iam_policy.logs");
    assert_eq!(managed.attached_to, ["aws_iam_role.app"]);
    assert_eq!(
        managed.resource_arn.as_deref(),
        Some("⟦known after apply: aws_iam_policy.logs.arn⟧")
    );
    assert!(
        after
            .policies
            .iter()
            .all(|p| !p.name.contains("attachment"))
    );
    // Nothing exists before.
    assert_eq!(read(&text, Side::Before), Inventory::default());
}

#[test]
fn modules_and_instances_keep_their_addresses() {
    let text = fixture("module-count.json");
    let after = read(&text, Side::After);
    let ids: Vec<&str> = after.principals.iter().map(|p| p.id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "module.teams[\"blue\"].aws_iam_group.team",
            "module.teams[\"blue\"].aws_iam_user.member",
            "module.workers.aws_iam_role.worker[0]",
            "module.workers.aws_iam_role.worker[1]",
        ]
    );
    // Each instance's inline policy is attached to the instance with its key.
    for n in 0..2 {
        let p = find(
            &after,
            &format!("module.workers.aws_iam_role_policy.worker[{n}]"),
        );
        assert_eq!(
            p.attached_to,
            [format!("module.workers.aws_iam_role.worker[{n}]")]
        );
    }
    let user = &after.principals[1];
    assert_eq!(user.groups, ["module.teams[\"blue\"].aws_iam_group.team"]);
    let group_policy = find(&after, "module.teams[\"blue\"].aws_iam_group_policy.team");
    assert_eq!(
        group_policy.attached_to,
        ["module.teams[\"blue\"].aws_iam_group.team"]
    );
    // The data source is listed, not read as a policy.
    assert!(
        after.notes.iter().any(|n| n.message.starts_with(
            "module.workers.data.aws_iam_policy_document.worker: a policy document data source"
        )),
        "{:?}",
        after.notes
    );
    // Created on apply: the second worker exists only after.
    let before = read(&text, Side::Before);
    assert!(
        before
            .principals
            .iter()
            .all(|p| p.id != "module.workers.aws_iam_role.worker[1]")
    );
    assert!(
        before
            .principals
            .iter()
            .any(|p| p.id == "module.workers.aws_iam_role.worker[0]")
    );
}

#[test]
fn a_state_reads_once_without_repeating_what_separate_resources_give() {
    let text = fixture("state.json");
    let inv = read(&text, Side::After);
    assert_eq!(read(&text, Side::Before), inv, "a state has one side");
    let role = "aws_iam_role.deploy";
    assert_eq!(inv.principals.len(), 1);
    assert_eq!(
        inv.principals[0].arn,
        "arn:aws:iam::111122223333:role/deploy"
    );
    let names: Vec<&str> = inv.policies.iter().map(|p| p.name.as_str()).collect();
    // The role's own inline_policy and managed_policy_arns repeat the separate
    // resources: read once, from those.
    assert_eq!(
        names,
        [
            "aws_iam_policy.boundary",
            "aws_iam_policy.deploy",
            "aws_iam_role.deploy/assume_role_policy",
            "aws_iam_role.deploy/permissions_boundary",
            "aws_iam_role_policy.tags",
            "aws_iam_role_policy_attachment.readonly",
            "aws_kms_key.main",
            "aws_organizations_policy.tls",
            "aws_sqs_queue_policy.jobs",
        ]
    );
    // The customer managed policy is attached through its ARN; its own ARN is kept.
    let deploy = find(&inv, "aws_iam_policy.deploy");
    assert_eq!(deploy.attached_to, [role]);
    assert_eq!(
        deploy.resource_arn.as_deref(),
        Some("arn:aws:iam::111122223333:policy/deploy")
    );
    // A boundary that is a policy of the same file has its document.
    let boundary = find(&inv, "aws_iam_role.deploy/permissions_boundary");
    assert_eq!(boundary.kind, iamtrace::policy::PolicyKind::Boundary);
    assert_eq!(
        boundary.document,
        find(&inv, "aws_iam_policy.boundary").document
    );
    assert_eq!(boundary.attached_to, [role]);
    assert!(find(&inv, "aws_iam_policy.boundary").attached_to.is_empty());
    let readonly = find(&inv, "aws_iam_role_policy_attachment.readonly");
    assert!(
        matches!(&readonly.document, Document::Managed { arn, .. } if arn == "arn:aws:iam::aws:policy/ReadOnlyAccess")
    );
    assert_eq!(find(&inv, "aws_iam_role_policy.tags").attached_to, [role]);
    assert_eq!(
        find(&inv, "aws_kms_key.main").resource_arn.as_deref(),
        Some("arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab")
    );
    assert_eq!(
        find(&inv, "aws_organizations_policy.tls").kind,
        iamtrace::policy::PolicyKind::Rcp
    );
    assert_eq!(
        find(&inv, "aws_sqs_queue_policy.jobs")
            .resource_arn
            .as_deref(),
        Some("arn:aws:sqs:eu-west-1:111122223333:jobs")
    );
    // The tag policy is not an IAM policy: said, not read.
    assert_eq!(inv.notes.len(), 1, "{:?}", inv.notes);
    assert!(inv.notes[0].message.contains("TAG_POLICY"));
    assert!(policy_errors(&inv).is_empty(), "{:?}", policy_errors(&inv));
}

#[test]
fn cut_or_altered_plans_never_panic() {
    let mut texts: Vec<String> = [
        "add-source-ip-deny.json",
        "unknown-policy.json",
        "module-count.json",
        "policy-error.json",
        "state.json",
        "lambda-permission.json",
    ]
    .iter()
    .map(|f| fixture(f))
    .collect();
    if let Some(dir) = corpus() {
        let small = dir.join("awslabs__terraform-iam-policy-validator__iam_check__test__identity_policies__test_plan.json");
        if let Ok(t) = std::fs::read_to_string(small) {
            texts.push(t);
        }
    }
    let mut reads = 0;
    for text in &texts {
        for side in [Side::Before, Side::After] {
            // Cut anywhere, and with one byte of each policy string's escapes changed.
            for cut in (0..text.len()).step_by(53) {
                if let Some(part) = text.get(..cut) {
                    let _ = terraform::read(part, side);
                    reads += 1;
                }
            }
            for (at, _) in text.match_indices("\\\"").step_by(7) {
                for with in ["\\u00", "\\ud800", "\\\\", "\"", "\\n"] {
                    let altered = format!("{}{with}{}", &text[..at], &text[at + 2..]);
                    if let Ok(inv) = terraform::read(&altered, side) {
                        let _ = policy_errors(&inv);
                    }
                    reads += 1;
                }
            }
        }
    }
    assert!(reads > 1000, "{reads} reads");
}

/// The statement a policy holds, as compact JSON, for comparing with what Lambda writes.
fn statement_json(p: &FoundPolicy) -> String {
    let mut out = String::new();
    iamtrace::json::write_pretty(statements(p)[0], 0, &mut out);
    // Compact, outside strings too: the values here hold no spaces.
    out.replace(['\n', ' '], "")
}

/// `aws_lambda_permission` becomes the statement Lambda adds to the function's policy,
/// on the function's ARN: its region from the provider's `region` (a variable the plan
/// records), its account from the ARNs of the plan's own resources; a qualifier names
/// the alias; a function named by a reference to a function being created takes that
/// function's name; what is known only after apply is a placeholder.
#[test]
fn lambda_permissions_become_the_statement_lambda_writes() {
    let text = fixture("lambda-permission.json");
    let before = read(&text, Side::Before);
    assert!(
        before
            .policies
            .iter()
            .all(|p| !p.name.starts_with("aws_lambda_permission")),
        "created by the plan: {:?}",
        before.policies
    );
    let inv = read(&text, Side::After);
    let thumbnail = "arn:aws:lambda:eu-west-1:111122223333:function:thumbnail";

    let s3 = find(&inv, "aws_lambda_permission.from_s3");
    assert_eq!(s3.kind, iamtrace::policy::PolicyKind::Resource);
    assert_eq!(s3.resource_arn.as_deref(), Some(thumbnail));
    assert_eq!(
        statement_json(s3),
        format!(
            r#"{{"Sid":"AllowS3Uploads","Effect":"Allow","Principal":{{"Service":"s3.amazonaws.com"}},"Action":"lambda:InvokeFunction","Resource":"{thumbnail}","Condition":{{"StringEquals":{{"AWS:SourceAccount":"111122223333"}},"ArnLike":{{"AWS:SourceArn":"arn:aws:s3:::uploads-111122223333"}}}}}}"#
        )
    );
    // Each value points at where the plan writes it.
    let resource = match &statements(s3)[0].value {
        Value::Object(m) => m.iter().find(|m| m.key == "Resource").unwrap().value.span,
        _ => unreachable!(),
    };
    assert_eq!(&text[resource.range()], "\"thumbnail\"");

    let url = find(&inv, "aws_lambda_permission.url");
    assert_eq!(
        url.resource_arn.as_deref(),
        Some(&*format!("{thumbnail}:live"))
    );
    assert_eq!(
        statement_json(url),
        format!(
            r#"{{"Sid":"PublicUrl","Effect":"Allow","Principal":"*","Action":"lambda:InvokeFunctionUrl","Resource":"{thumbnail}:live","Condition":{{"StringEquals":{{"lambda:FunctionUrlAuthType":"NONE"}}}}}}"#
        )
    );

    // A partial ARN, an account principal, an organization; the statement id the
    // provider makes up is not written.
    let partner = find(&inv, "aws_lambda_permission.partner");
    assert_eq!(
        statement_json(partner),
        format!(
            r#"{{"Effect":"Allow","Principal":{{"AWS":"arn:aws:iam::444455556666:root"}},"Action":"lambda:GetFunction","Resource":"{thumbnail}","Condition":{{"StringEquals":{{"aws:PrincipalOrgID":"o-a1b2c3d4e5"}}}}}}"#
        )
    );
    assert!(
        statement_json(find(&inv, "aws_lambda_permission.token"))
            .contains(r#""StringEquals":{"lambda:EventSourceToken":"token-0000"}"#)
    );

    // The function is being created: its ARN is unknown, its name is not; the rule's
    // ARN is known only after apply.
    let events = find(&inv, "aws_lambda_permission.from_events");
    assert_eq!(
        events.resource_arn.as_deref(),
        Some("arn:aws:lambda:eu-west-1:111122223333:function:report")
    );
    assert!(
        statement_json(events).contains(
            r#""ArnLike":{"AWS:SourceArn":"⟦knownafterapply:aws_lambda_permission.from_events.source_arn⟧"}"#
        ),
        "{}",
        statement_json(events)
    );
    assert!(policy_errors(&inv).is_empty(), "{:?}", policy_errors(&inv));
}

/// Evaluated: S3 may invoke the function for the bucket the permission names, from
/// the account it names; not for another bucket, nor from another account. EventBridge
/// for a rule whose ARN is known only after apply: not allowed for certain, and the
/// decision says it depends on that value.
#[test]
fn a_lambda_permission_allows_the_service_for_its_source_only() {
    use iamtrace::eval::{ContextValue, Detail, PreparedRequest, Request, Scalar, evaluate};
    use iamtrace::trace::Decision;
    let text = fixture("lambda-permission.json");
    let inv = read(&text, Side::After);
    let all =
        iamtrace::iac::assemble::all_policies(&inv, &text, Default::default(), "plan").unwrap();
    assert!(all.policy_errors.iter().all(Vec::is_empty));
    let set = &all.scenario.set;
    let request = |principal: &str, function: &str, source: &str, account: &str| Request {
        principal: principal.into(),
        action: "lambda:InvokeFunction".into(),
        resource: function.into(),
        resource_account: None,
        context: vec![
            (
                "aws:SourceArn".into(),
                ContextValue::One(Scalar::string(source)),
            ),
            (
                "aws:SourceAccount".into(),
                ContextValue::One(Scalar::string(account)),
            ),
        ],
    };
    let decide = |r: &Request| evaluate(set, &PreparedRequest::new(r), Detail::Decision);
    let thumbnail = "arn:aws:lambda:eu-west-1:111122223333:function:thumbnail";
    let bucket = "arn:aws:s3:::uploads-111122223333";
    let ok = request("s3.amazonaws.com", thumbnail, bucket, "111122223333");
    assert_eq!(decide(&ok).decision, Decision::Allow);
    let other_bucket = request(
        "s3.amazonaws.com",
        thumbnail,
        "arn:aws:s3:::elsewhere",
        "111122223333",
    );
    assert_ne!(decide(&other_bucket).decision, Decision::Allow);
    let other_account = request("s3.amazonaws.com", thumbnail, bucket, "999988887777");
    assert_ne!(decide(&other_account).decision, Decision::Allow);
    let other_service = request("sns.amazonaws.com", thumbnail, bucket, "111122223333");
    assert_ne!(decide(&other_service).decision, Decision::Allow);

    let report = "arn:aws:lambda:eu-west-1:111122223333:function:report";
    let rule = "arn:aws:events:eu-west-1:111122223333:rule/nightly";
    let events = decide(&request(
        "events.amazonaws.com",
        report,
        rule,
        "111122223333",
    ));
    assert_ne!(events.decision, Decision::Allow);
    assert!(events.depends_on_unresolved(), "{events:?}");
    // A request the permission could never allow does not depend on it.
    let wrong = decide(&request("sns.amazonaws.com", report, rule, "111122223333"));
    assert!(!wrong.depends_on_unresolved(), "{wrong:?}");
    assert!(!decide(&ok).depends_on_unresolved());
}
