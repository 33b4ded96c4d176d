//! CloudFormation templates read into an inventory: the public templates of the shared
//! corpus (every file opens; a per-file count of principals, policies by kind and notes
//! is checked in as `tests/iac_cfn_corpus.txt`, so that a regression shows), positions
//! that point at the policy text, and the fixtures under `tests/fixtures/iac/`.

use iamtrace::iac::cfn::{self, CfnOptions, Format, Template};
use iamtrace::iac::{Document, Inventory, PrincipalKind};
use iamtrace::json::{Node, Value};
use iamtrace::policy::PolicyKind;
use iamtrace::policy::{ParseContext, parse_policy_node};
use std::path::PathBuf;

/// The shared corpus of templates, if present.
fn corpus() -> Option<PathBuf> {
    let candidates = [
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/corpora/iac/cloudformation"),
        PathBuf::from("/work/shared/corpora/iac/cloudformation"),
    ];
    let found = candidates.into_iter().find(|p| p.is_dir());
    if found.is_none() {
        println!("skipped: the shared corpus (../shared/corpora/iac/cloudformation) is absent");
    }
    found
}

fn fixture(name: &str) -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/iac")
        .join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn read(text: &str) -> Template {
    match cfn::read(text, &CfnOptions::default()) {
        Ok(t) => t,
        Err(e) => panic!("{e:?}"),
    }
}

/// The policy errors of every inline document, parsed as its kind.
fn policy_errors(inv: &Inventory) -> Vec<String> {
    let mut out = Vec::new();
    for p in &inv.policies {
        if let Document::Inline(node) = &p.document {
            let ctx = ParseContext {
                kind: p.kind,
                resource_implied: p.trust,
            };
            let mut errors = Vec::new();
            parse_policy_node(node, ctx, &mut errors);
            // Placeholders where the parser wants an ARN or a principal are the
            // engine's side (how placeholders are read), not the template reader's.
            errors.retain(|e| !iamtrace::iac::placeholder::contains(&e.message));
            out.extend(
                errors
                    .iter()
                    .map(|e| format!("{} {}:{} {}", p.name, e.span.line, e.span.column, e.message)),
            );
        }
    }
    out
}

/// One line per file: what was found.
fn summary(inv: &Inventory) -> String {
    let count = |k: PrincipalKind| inv.principals.iter().filter(|p| p.kind == k).count();
    let kinds = |k: PolicyKind| inv.policies.iter().filter(|p| p.kind == k).count();
    let trust = inv.policies.iter().filter(|p| p.trust).count();
    let managed = inv
        .policies
        .iter()
        .filter(|p| matches!(p.document, Document::Managed { .. }))
        .count();
    let unknown = inv
        .policies
        .iter()
        .filter(|p| matches!(p.document, Document::Unknown { .. }))
        .count();
    format!(
        "users {} roles {} groups {} | identity {} resource {} (trust {trust}) boundary {} scp {} rcp {} | managed {managed} unknown {unknown} | notes {} | policy errors {}",
        count(PrincipalKind::User),
        count(PrincipalKind::Role),
        count(PrincipalKind::Group),
        kinds(PolicyKind::Identity),
        kinds(PolicyKind::Resource),
        kinds(PolicyKind::Boundary),
        kinds(PolicyKind::Scp),
        kinds(PolicyKind::Rcp),
        inv.notes.len(),
        policy_errors(inv).len(),
    )
}

#[test]
fn every_corpus_template_opens_and_the_counts_hold() {
    let Some(dir) = corpus() else { return };
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .map(|d| d.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    files.sort();
    let mut lines = Vec::new();
    for path in files {
        let name = path
            .file_name()
            .unwrap_or_default()
            .to_string_lossy()
            .to_string();
        let Ok(text) = std::fs::read_to_string(&path) else {
            continue;
        };
        let line = match cfn::read(&text, &CfnOptions::default()) {
            Ok(t) => summary(&t.inventory),
            Err(e) => format!(
                "ERROR {}",
                e.iter()
                    .map(|d| format!("{}:{} {}", d.span.line, d.span.column, d.message))
                    .collect::<Vec<_>>()
                    .join("; ")
            ),
        };
        lines.push(format!("{name}\n    {line}"));
    }
    let got = lines.join("\n") + "\n";
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/iac_cfn_corpus.txt");
    if std::env::var_os("IAMTRACE_BLESS").is_some() {
        std::fs::write(&path, &got).unwrap_or_else(|e| panic!("{e}"));
    }
    let want = std::fs::read_to_string(&path).unwrap_or_default();
    assert_eq!(
        got, want,
        "the per-file counts changed; run with IAMTRACE_BLESS=1 to accept after checking"
    );
}

/// Every document written in a corpus file starts, at its span, with the policy text:
/// `{`, or its first key (`Version`, `Statement`, `Id`, quoted or not).
#[test]
fn corpus_positions_point_at_the_policy_text() {
    let Some(dir) = corpus() else { return };
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .map(|d| d.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    files.sort();
    let mut checked = 0;
    for path in files {
        let Ok(text) = std::fs::read_to_string(&path) else {
            continue;
        };
        let Ok(t) = cfn::read(&text, &CfnOptions::default()) else {
            continue;
        };
        let index = iamtrace::source::LineIndex::new(&text);
        for p in &t.inventory.policies {
            let Document::Inline(doc) = &p.document else {
                continue;
            };
            // Lambda permissions have no text of their own; decoded strings are
            // placed in their own text.
            if !doc.span.source.is_file() || p.name.ends_with("/Permission") {
                continue;
            }
            let at = text.get(doc.span.range()).unwrap_or_default();
            let at = at.trim_start_matches(['"', '\'']);
            assert!(
                ["{", "Version", "Statement", "Id"]
                    .iter()
                    .any(|k| at.starts_with(k)),
                "{} {}: {:?}",
                path.display(),
                p.name,
                at.chars().take(20).collect::<String>()
            );
            let (line, column) = index.line_column(&text, doc.span.start as usize);
            assert_eq!((line, column), (doc.span.line, doc.span.column));
            checked += 1;
        }
    }
    assert!(checked > 200, "{checked}");
}

fn member<'a>(node: &'a Node, key: &str) -> &'a Node {
    match &node.value {
        Value::Object(m) => match m.iter().find(|m| m.key == key) {
            Some(m) => &m.value,
            None => panic!("no {key}"),
        },
        Value::Array(items) => member(&items[0], key),
        other => panic!("{other:?}"),
    }
}

fn inline<'a>(t: &'a Template, name: &str) -> &'a Node {
    match t
        .inventory
        .policies
        .iter()
        .find(|p| p.name == name)
        .map(|p| &p.document)
    {
        Some(Document::Inline(n)) => n,
        other => panic!("{name}: {other:?}"),
    }
}

#[test]
fn corpus_spot_checks_yaml_and_json() {
    let Some(dir) = corpus() else { return };
    let yaml = dir.join("aws-cloudformation__aws-cloudformation-templates__aws__services__IAM__IAM_Users_Groups_and_Policies.yaml");
    let json = dir.join("stelligent__cfn_nag__spec__test_templates__json__iam_managed_policy__iam_managed_policy_on_user.json");
    let (Ok(yaml), Ok(json)) = (std::fs::read_to_string(yaml), std::fs::read_to_string(json))
    else {
        println!("skipped: the spot-check files are not in the corpus");
        return;
    };
    let t = read(&yaml);
    assert_eq!(t.format, Format::Yaml);
    let doc = inline(&t, "CFNUserPolicies/PolicyDocument");
    assert_eq!((doc.span.line, doc.span.column), (54, 9));
    let effect = member(member(doc, "Statement"), "Effect");
    assert_eq!((effect.span.line, effect.span.column), (55, 21));
    assert_eq!(&yaml[effect.span.range()], "Allow");
    let p = t
        .inventory
        .policies
        .iter()
        .find(|p| p.name == "CFNUserPolicies/PolicyDocument");
    assert_eq!(
        p.map(|p| p.attached_to.clone()),
        Some(vec!["CFNUserGroup".to_string()])
    );

    let t = read(&json);
    assert_eq!(t.format, Format::Json);
    let doc = inline(&t, "DirectManagedPolicy/PolicyDocument");
    assert_eq!((doc.span.line, doc.span.column), (11, 27));
    let resource = member(member(doc, "Statement"), "Resource");
    // Resolved from the Fn::Join, at the Fn::Join's place.
    assert_eq!(
        resource.value,
        Value::String("arn:aws:rds:us-east-1:123456789012:db:test*".into())
    );
    assert_eq!((resource.span.line, resource.span.column), (17, 27));
}

/// What each fixture holds, counted as for the corpus.
#[test]
fn fixtures_read_as_written() {
    for (file, want) in [
        (
            "all-types.yaml",
            "users 2 roles 1 groups 1 | identity 11 resource 7 (trust 1) boundary 2 scp 1 rcp 1 | managed 3 unknown 0 | notes 3 | policy errors 0",
        ),
        (
            "all-types.json",
            "users 0 roles 1 groups 0 | identity 1 resource 3 (trust 1) boundary 0 scp 0 rcp 0 | managed 0 unknown 0 | notes 0 | policy errors 0",
        ),
        (
            "sam.yaml",
            "users 0 roles 2 groups 0 | identity 4 resource 0 (trust 0) boundary 1 scp 0 rcp 0 | managed 4 unknown 0 | notes 3 | policy errors 0",
        ),
        (
            "typo.yaml",
            "users 0 roles 1 groups 0 | identity 1 resource 1 (trust 1) boundary 0 scp 0 rcp 0 | managed 0 unknown 0 | notes 0 | policy errors 2",
        ),
    ] {
        let t = read(&fixture(file));
        assert_eq!(summary(&t.inventory), want, "{file}");
    }
}

#[test]
fn the_yaml_fixture_resolves_every_tag() {
    let text = fixture("all-types.yaml");
    let t = read(&text);
    let inv = &t.inventory;
    let alice = inv.principal("alice").unwrap_or_else(|| panic!());
    assert_eq!(alice.groups, ["Admins"]);
    let bob = inv.principal("Bob").unwrap_or_else(|| panic!());
    assert_eq!(bob.groups, ["Admins"]);
    let data = inline(&t, "AppRole/Policies/data");
    let Value::Array(statements) = &member(data, "Statement").value else {
        panic!()
    };
    // The Fn::If chose the Deny (Env defaults to prod).
    assert_eq!(statements.len(), 2);
    assert_eq!(
        member(&statements[0], "Resource").value,
        Value::String("arn:aws:s3:::data-live/${aws:username}/*".into())
    );
    let trust = inline(&t, "AppRole/AssumeRolePolicyDocument");
    let Value::Array(statements) = &member(trust, "Statement").value else {
        panic!()
    };
    assert_eq!(
        member(member(&statements[0], "Principal"), "Service").value,
        Value::String("lambda.amazonaws.com".into())
    );
    // `true` in a condition is read as the text CloudFormation passes on.
    let mfa = member(
        member(member(&statements[1], "Condition"), "Bool"),
        "aws:MultiFactorAuthPresent",
    );
    assert_eq!(mfa.value, Value::String("true".into()));
    assert_eq!(&text[mfa.span.range()], "true");
    let scp = inline(&t, "Scp/Content");
    let regions = member(
        member(member(scp, "Statement"), "Condition"),
        "StringNotEquals",
    );
    assert!(
        matches!(&member(regions, "aws:RequestedRegion").value, Value::Array(v) if v.len() == 2)
    );
    // The JSON policy in a block scalar is decoded, placed at its string.
    let extra = inline(&t, "InlineForRole/PolicyDocument");
    assert!(!extra.span.source.is_file());
    let decoded = t
        .source_map
        .get(extra.span.source)
        .unwrap_or_else(|| panic!());
    assert_eq!(decoded.literal.line, 113);
    // The Imported policy's condition (NotProd) is false: it is not there.
    assert!(!inv.policies.iter().any(|p| p.origin == "Imported"));
}

#[test]
fn policy_errors_point_into_the_template() {
    let text = fixture("typo.yaml");
    let t = read(&text);
    let errors = policy_errors(&t.inventory);
    assert_eq!(
        errors[0],
        "R/Policies/p 16:17 unknown statement element \"Efect\" (did you mean Effect?)"
    );
}

#[test]
fn a_policy_string_in_a_json_template_is_placed_in_its_string() {
    let text = fixture("all-types.json");
    let t = read(&text);
    let trust = inline(&t, "WorkerRole/AssumeRolePolicyDocument");
    let id = trust.span.source;
    let decoded = t.source_map.get(id).unwrap_or_else(|| panic!());
    assert_eq!((decoded.literal.line, decoded.literal.column), (14, 37));
    // The decoded text is the string's value, as the source map gives it again.
    let kept = t
        .decoded
        .iter()
        .find(|(i, _)| *i == id)
        .map(|(_, s)| s.clone());
    assert_eq!(decoded.text(&text), kept);
    let effect = member(member(trust, "Statement"), "Effect");
    let kept = kept.unwrap_or_default();
    assert_eq!(&kept[effect.span.range()], "\"Allow\"");
    // The Fn::If picked the dev branch (Stage defaults to dev).
    let work = inline(&t, "WorkerRole/Policies/work");
    assert!(
        matches!(&member(member(work, "Statement"), "Action").value, Value::Array(a) if a.len() == 2)
    );
    let Value::Array(statements) = &member(work, "Statement").value else {
        panic!()
    };
    assert_eq!(
        member(&statements[2], "Resource").value,
        Value::String("arn:aws:ssm:us-east-1:123456789012:parameter/config".into())
    );
    assert_eq!(
        member(&statements[1], "Resource").value,
        Value::String("arn:aws:sqs:us-east-1:123456789012:⟦name of Inbox⟧".into())
    );
    let permission = inline(&t, "CrossAccount/Permission");
    let mut out = String::new();
    iamtrace::json::write_pretty(permission, 0, &mut out);
    assert!(
        out.contains("\"aws:PrincipalOrgID\": \"o-abc123\""),
        "{out}"
    );
}

/// Every prefix of the fixtures (a file cut anywhere) reads or fails with an error at a
/// position inside the text; nothing panics.
#[test]
fn truncated_templates_never_panic() {
    for file in ["all-types.yaml", "all-types.json", "sam.yaml"] {
        let text = fixture(file);
        let mut read_ok = 0;
        let cuts = text.char_indices().map(|(i, _)| i).step_by(3);
        for cut in cuts.chain([text.len()]) {
            let part = &text[..cut];
            match cfn::read(part, &CfnOptions::default()) {
                Ok(_) => read_ok += 1,
                Err(errors) => {
                    assert!(!errors.is_empty());
                    for e in errors {
                        assert!(
                            e.span.end as usize <= part.len(),
                            "{file} cut at {cut}: {e:?}"
                        );
                    }
                }
            }
        }
        assert!(read_ok > 0, "{file}");
    }
}

mod random {
    use super::*;
    use proptest::prelude::*;

    /// Pieces of YAML and templates, put together at random.
    fn pieces() -> impl Strategy<Value = String> {
        let piece = prop_oneof![
            Just("Resources:\n".to_string()),
            Just("  R:\n    Type: AWS::IAM::Role\n    Properties:\n".to_string()),
            Just("      Policies: [{PolicyName: p, PolicyDocument: ".to_string()),
            Just("!Sub '${AWS::Region}${!x}${R.Arn}'".to_string()),
            Just("!If [C, !Ref AWS::NoValue, x]".to_string()),
            Just("!GetAtt R.Arn".to_string()),
            Just("&a [1, *a]".to_string()),
            Just("*a".to_string()),
            Just("{\"Fn::Join\": [\",\", [".to_string()),
            Just("Conditions: {C: !Condition C}\n".to_string()),
            Just("- ".to_string()),
            Just("'{\"Statement\": [".to_string()),
            Just("\n".to_string()),
            Just("  ".to_string()),
            Just("]}".to_string()),
            "[ -~]{0,8}".prop_map(|s| s),
        ];
        proptest::collection::vec(piece, 0..30).prop_map(|v| v.concat())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(400))]
        #[test]
        fn random_templates_never_panic(text in pieces()) {
            if let Err(errors) = cfn::read(&text, &CfnOptions::default()) {
                prop_assert!(!errors.is_empty());
            }
        }

        #[test]
        fn random_bytes_never_panic(text in "\\PC{0,200}") {
            let _ = iamtrace::yaml::parse(&text);
            let _ = cfn::read(&text, &CfnOptions::default());
        }
    }
}

/// The template a small CDK app synthesises (tests/fixtures/iac/cdk, regenerated by its
/// synth.sh): CDK's logical IDs, its `DefaultPolicy` documents, its boundary, its
/// bucket, queue and key policies and a Lambda permission.
#[test]
fn cdk_output_reads_like_any_template() {
    let text = fixture("cdk/IamtraceFixture.template.json");
    let t = read(&text);
    assert_eq!(
        summary(&t.inventory),
        "users 1 roles 1 groups 1 | identity 5 resource 5 (trust 1) boundary 1 scp 0 rcp 0 | managed 1 unknown 0 | notes 0 | policy errors 0"
    );
    let inv = &t.inventory;
    let role = inv.principal("fixture-app").unwrap_or_else(|| panic!());
    assert!(role.id.starts_with("AppRole"), "{}", role.id);
    let attached: Vec<&str> = inv.attached(&role.id).map(|p| p.name.as_str()).collect();
    assert!(
        attached
            .iter()
            .any(|n| n.starts_with("AppRoleDefaultPolicy")),
        "{attached:?}"
    );
    assert!(
        inv.policies.iter().any(|p| p.kind == PolicyKind::Boundary
            && p.attached_to == [role.id.clone()]
            && matches!(p.document, Document::Inline(_))),
        "the boundary is the template's own managed policy"
    );
    // The auditor reads through the Readers group.
    let auditor = inv.principal("auditor").unwrap_or_else(|| panic!());
    assert_eq!(auditor.groups.len(), 1);
    assert_eq!(inv.attached(&auditor.id).count(), 2);
    let key = inv.policies.iter().find(|p| p.name.ends_with("/KeyPolicy"));
    assert!(
        key.and_then(|k| k.resource_arn.as_deref())
            .is_some_and(|a| a.starts_with("arn:aws:kms:us-east-1:123456789012:key/⟦")),
        "{key:?}"
    );
}
