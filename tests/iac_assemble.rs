//! One principal's scenario from a Terraform plan (and later templates): its identity
//! policies, AWS managed policies from the bundled copy, its trust policy; what cannot
//! be evaluated is said. The plan that adds a `NotIpAddress aws:SourceIp` Deny without
//! the service guard: before, the service's call on the admin's behalf is allowed; after,
//! it is explicitly denied, while the admin's own call from the office stays allowed.

use iamtrace::eval::{ContextValue, Detail, PreparedRequest, Request, Scalar, evaluate};
use iamtrace::iac::assemble::{assemble, choices};
use iamtrace::iac::{Side, terraform};
use iamtrace::trace::Decision;

/// The shared IaC corpus's folder `sub`, when it is here.
fn corpus(sub: &str) -> Option<std::path::PathBuf> {
    ["../shared/corpora/iac", "/work/shared/corpora/iac"]
        .iter()
        .map(|d| {
            std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join(d)
                .join(sub)
        })
        .find(|d| d.is_dir())
}

fn fixture(name: &str) -> String {
    std::fs::read_to_string(format!(
        "{}/tests/fixtures/iac/terraform/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

/// `request` with `context` added to it.
fn with(mut r: Request, context: &[(&str, &str)]) -> Request {
    for (k, v) in context {
        r.context.retain(|(key, _)| key != k);
        r.context
            .push((k.to_string(), ContextValue::One(Scalar::string(*v))));
    }
    r
}

#[test]
fn a_source_ip_deny_without_the_service_guard_denies_the_services_calls() {
    let text = fixture("add-source-ip-deny.json");
    let decide = |side: Side, r: &Request| {
        let inv = terraform::read(&text, side).unwrap();
        let a = assemble(&inv, &text, "admin", "add-source-ip-deny.json").unwrap();
        evaluate(&a.scenario.set, &PreparedRequest::new(r), Detail::Decision).decision
    };
    let inv = terraform::read(&text, Side::After).unwrap();
    let a = assemble(&inv, &text, "aws_iam_role.admin", "plan").unwrap();
    assert_eq!(a.scenario.requests.len(), 1);
    let start = a.scenario.requests[0].request.clone();
    assert_eq!(
        start.principal,
        "arn:aws:sts::111122223333:assumed-role/admin/iamtrace"
    );
    let names: Vec<&str> = a.scenario.set.policies.iter().map(|p| &*p.name).collect();
    assert!(
        names.iter().any(|n| n.contains("admin_full")),
        "the managed policy is there: {names:?}"
    );
    let mut create = start.clone();
    create.action = "ec2:CreateClientVpnEndpoint".into();
    let office = with(create, &[("aws:SourceIp", "192.0.2.10")]);
    let mut slr = with(
        start,
        &[
            ("aws:ViaAWSService", "true"),
            ("aws:CalledVia", "ec2.amazonaws.com"),
        ],
    );
    slr.action = "iam:CreateServiceLinkedRole".into();
    slr.context.retain(|(k, _)| k != "aws:SourceIp");
    assert_eq!(decide(Side::Before, &office), Decision::Allow);
    assert_eq!(decide(Side::After, &office), Decision::Allow);
    assert_eq!(decide(Side::Before, &slr), Decision::Allow);
    assert_eq!(decide(Side::After, &slr), Decision::ExplicitDeny);
}

#[test]
fn unknown_principals_are_refused_with_the_choices() {
    let text = fixture("add-source-ip-deny.json");
    let inv = terraform::read(&text, Side::After).unwrap();
    assert!(choices(&inv).iter().any(|c| c.contains("admin")));
    let e = assemble(&inv, &text, "admn", "plan").unwrap_err();
    let m = &e.diagnostics[0].message;
    assert!(m.contains("no user or role \"admn\""), "{m}");
    assert!(m.contains("admin"), "{m}");
}

#[test]
fn a_policy_known_only_after_apply_is_said_not_evaluated() {
    let text = fixture("unknown-policy.json");
    let inv = terraform::read(&text, Side::After).unwrap();
    let unknown = inv
        .policies
        .iter()
        .find(|p| matches!(p.document, iamtrace::iac::Document::Unknown { .. }))
        .expect("the fixture has a policy known only after apply");
    let principal = inv
        .principals
        .iter()
        .find(|p| unknown.attached_to.contains(&p.id))
        .map(|p| p.id.clone());
    let Some(principal) = principal else {
        // Not attached to a principal of the file: nothing to assemble here.
        return;
    };
    let a = assemble(&inv, &text, &principal, "plan").unwrap();
    assert!(
        a.notes
            .iter()
            .any(|n| n.contains("not evaluated") && n.contains("after apply")),
        "{:?}",
        a.notes
    );
}

/// Every user and role of every plan of the shared corpus, both sides: assembled or
/// refused with a reason, never a panic; most assemble.
#[test]
fn every_principal_of_the_corpus_plans_assembles() {
    let dir = corpus("terraform-plans");
    let Some(dir) = dir else {
        eprintln!("SKIPPED: the shared IaC corpus is not here");
        return;
    };
    let (mut ok, mut refused) = (0, Vec::new());
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let Ok(text) = terraform::decode(std::fs::read(&path).unwrap()) else {
            continue;
        };
        for side in [Side::Before, Side::After] {
            let Ok(inv) = terraform::read(&text, side) else {
                continue;
            };
            for p in &inv.principals {
                if p.kind == iamtrace::iac::PrincipalKind::Group {
                    continue;
                }
                match assemble(&inv, &text, &p.id, "plan") {
                    Ok(a) => {
                        assert_eq!(a.scenario.requests.len(), 1);
                        ok += 1;
                    }
                    Err(e) => refused.push(format!(
                        "{} {:?} {}: {}",
                        path.file_name().unwrap().to_string_lossy(),
                        side,
                        p.id,
                        e.diagnostics[0].message
                    )),
                }
            }
        }
    }
    eprintln!("{ok} assembled; refused: {refused:#?}");
    assert!(ok >= 10, "{ok} assembled; refused: {refused:#?}");
    assert!(refused.len() <= ok, "{refused:#?}");
}

/// Every user and role of every CloudFormation template of the shared corpus: assembled
/// for its scenario or refused with a reason, never a panic; most assemble. Lint's
/// every-policy scenario is built for every template that reads: a policy with errors
/// (a queue policy without Principal, NotPrincipal with Allow) is kept with its errors,
/// the others parsed. The one template refused uses `!Rain::Embed`, a preprocessor's
/// tag CloudFormation cannot read.
#[test]
fn every_principal_of_the_corpus_templates_assembles() {
    use iamtrace::input::{Kind, LoadOptions, load};
    let dir = corpus("cloudformation");
    let Some(dir) = dir else {
        eprintln!("SKIPPED: the shared IaC corpus is not here");
        return;
    };
    let (mut ok, mut refused, mut files) = (0, Vec::new(), 0);
    let (mut policies, mut with_errors, mut files_with_errors) = (0, 0, 0);
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let Ok(text) = std::fs::read_to_string(&path) else {
            continue;
        };
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let all = LoadOptions {
            all_policies: true,
            ..Default::default()
        };
        let every = match load(&text, &all) {
            Ok(every) => every,
            Err(e) => {
                assert!(
                    name.contains("log-setup-management"),
                    "{name}: {:?}",
                    e.diagnostics
                );
                assert!(e.diagnostics[0].message.contains("Rain::Embed"), "{e:?}");
                continue;
            }
        };
        assert_eq!(every.kind, Kind::CloudFormation, "{name}");
        files += 1;
        let s = &every.scenario;
        assert_eq!(every.policy_errors.len(), s.sources.len(), "{name}");
        let broken = every.policy_errors.iter().filter(|e| !e.is_empty()).count();
        // Each policy is in the set exactly when it has no errors.
        assert_eq!(s.set.policies.len() + broken, s.sources.len(), "{name}");
        policies += s.sources.len();
        with_errors += broken;
        files_with_errors += usize::from(broken > 0);
        let inv = iamtrace::input::iac::inventory(Kind::CloudFormation, &text, &all).unwrap();
        for p in inv
            .principals
            .iter()
            .filter(|p| p.kind != iamtrace::iac::PrincipalKind::Group)
        {
            let one = LoadOptions {
                principal: Some(p.id.clone()),
                ..Default::default()
            };
            match load(&text, &one) {
                Ok(l) => {
                    assert_eq!(l.scenario.requests.len(), 1, "{name} {}", p.id);
                    ok += 1;
                }
                Err(e) => refused.push(format!("{name} {}: {}", p.id, e.diagnostics[0].message)),
            }
        }
    }
    eprintln!(
        "{files} templates, {policies} policies ({with_errors} with errors, in {files_with_errors} templates), {ok} principals assembled; refused: {refused:#?}"
    );
    assert_eq!(files, 58, "{files}");
    assert_eq!((policies, with_errors, files_with_errors), (263, 5, 5));
    assert!(ok >= 50, "{ok} assembled; refused: {refused:#?}");
    assert!(refused.len() * 4 <= ok, "{refused:#?}");
}

/// A plan in AWS China: the partition comes from the provider's region, so the bucket's
/// ARN built from its name, the repository's ARN and the role's session are in `aws-cn`,
/// and the bucket policy that names the role lets its session list the bucket there. The same plan in
/// GovCloud gives `aws-us-gov`; without the provider's region, the partition of the
/// plan's own ARNs.
#[test]
fn a_plans_partition_comes_from_its_region_or_its_arns() {
    let cn = fixture("partition-cn.json");
    let arns = |text: &str| {
        let inv = terraform::read(text, Side::After).unwrap();
        let on = |name: &str| {
            inv.policies
                .iter()
                .find(|p| p.name == name)
                .and_then(|p| p.resource_arn.clone())
                .unwrap()
        };
        let a = assemble(&inv, text, "deployer", "plan").unwrap();
        (
            on("aws_s3_bucket_policy.logs"),
            on("aws_ecr_repository_policy.app"),
            a.scenario.requests[0].request.principal.clone(),
        )
    };
    assert_eq!(
        arns(&cn),
        (
            "arn:aws-cn:s3:::logs-cn".to_string(),
            "arn:aws-cn:ecr:cn-north-1:111122223333:repository/app".to_string(),
            "arn:aws-cn:sts::111122223333:assumed-role/deployer/iamtrace".to_string()
        )
    );

    let inv = terraform::read(&cn, Side::After).unwrap();
    let a = assemble(&inv, &cn, "deployer", "plan").unwrap();
    let mut list = a.scenario.requests[0].request.clone();
    list.action = "s3:ListBucket".into();
    list.resource = "arn:aws-cn:s3:::logs-cn".into();
    // A bucket's ARN names no account: it is the deployer's.
    list.resource_account = Some("111122223333".into());
    let decide = |r: &Request| {
        evaluate(&a.scenario.set, &PreparedRequest::new(r), Detail::Decision).decision
    };
    assert_eq!(decide(&list), Decision::Allow);
    list.resource = "arn:aws:s3:::logs-cn".into();
    assert_ne!(
        decide(&list),
        Decision::Allow,
        "the same bucket name in aws is another bucket"
    );

    let gov = cn
        .replace("\"cn-north-1\"", "\"us-gov-west-1\"")
        .replace("arn:aws-cn:", "arn:aws-us-gov:");
    let (bucket, repository, session) = arns(&gov);
    assert_eq!(bucket, "arn:aws-us-gov:s3:::logs-cn");
    assert_eq!(
        repository,
        "arn:aws-us-gov:ecr:us-gov-west-1:111122223333:repository/app"
    );
    assert!(session.starts_with("arn:aws-us-gov:sts::"), "{session}");

    // No provider region: the partition of the plan's own ARNs; the region unknown.
    let mut plan: serde_json::Value = serde_json::from_str(&cn).unwrap();
    plan["configuration"]["provider_config"]["aws"]["expressions"] = serde_json::json!({});
    let (bucket, repository, _) = arns(&serde_json::to_string_pretty(&plan).unwrap());
    assert_eq!(bucket, "arn:aws-cn:s3:::logs-cn");
    assert_eq!(
        repository,
        "arn:aws-cn:ecr:⟦region⟧:111122223333:repository/app"
    );
}

/// A template read with `--parameter AWS::Region=cn-north-1` is in `aws-cn` (the region
/// gives the partition), with `AWS::Partition=aws-us-gov` in GovCloud: the bucket
/// policy's bucket, `${AWS::Partition}`, the generated role's ARN, its trust policy's
/// place and its session all agree.
#[test]
fn a_templates_partition_comes_from_the_pseudo_parameters() {
    use iamtrace::input::{LoadOptions, load};
    let text = std::fs::read_to_string(format!(
        "{}/tests/fixtures/iac/partition.yaml",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap();
    let read = |parameter: &str, value: &str| {
        let options = LoadOptions {
            principal: Some("AppRole".into()),
            parameters: vec![(parameter.into(), value.into())],
            ..Default::default()
        };
        load(&text, &options).unwrap().scenario
    };
    for (parameter, value, partition) in [
        ("AWS::Region", "cn-north-1", "aws-cn"),
        ("AWS::Partition", "aws-us-gov", "aws-us-gov"),
        ("AWS::Region", "eu-west-1", "aws"),
    ] {
        let s = read(parameter, value);
        let attached: Vec<&str> = s
            .sources
            .iter()
            .filter_map(|src| src.attached_to.as_deref())
            .collect();
        assert!(
            attached.contains(&&*format!("arn:{partition}:s3:::logs")),
            "{attached:?}"
        );
        assert!(
            attached.contains(&&*format!(
                "arn:{partition}:iam::123456789012:role/⟦name of AppRole⟧"
            )),
            "{attached:?}"
        );
        let principal = &s.requests[0].request.principal;
        assert!(
            principal.starts_with(&format!("arn:{partition}:sts::123456789012:assumed-role/")),
            "{principal}"
        );
        // `${AWS::Partition}` in the role's policy: it may write objects in its own
        // partition only.
        let mut put = s.requests[0].request.clone();
        put.action = "s3:PutObject".into();
        let mut decide = |resource: &str| {
            put.resource = resource.into();
            evaluate(&s.set, &PreparedRequest::new(&put), Detail::Decision).decision
        };
        assert_eq!(
            decide(&format!("arn:{partition}:s3:::logs/x")),
            Decision::Allow
        );
        let other = if partition == "aws" { "aws-cn" } else { "aws" };
        assert_ne!(decide(&format!("arn:{other}:s3:::logs/x")), Decision::Allow);
    }
}

/// A role whose name CloudFormation generates is requested under the same placeholder
/// name everywhere — its session, `aws:PrincipalArn`, the request's label, the place of
/// its trust policy — never under its logical ID, which would read as a real role
/// name; and since they agree, its trust policy lets EC2 assume it.
#[test]
fn a_generated_role_name_is_the_same_placeholder_everywhere() {
    use iamtrace::input::{LoadOptions, load};
    let text = std::fs::read_to_string(format!(
        "{}/tests/fixtures/iac/partition.yaml",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap();
    let options = LoadOptions {
        principal: Some("AppRole".into()),
        ..Default::default()
    };
    let s = load(&text, &options).unwrap().scenario;
    let name = "⟦name of AppRole⟧";
    let role = format!("arn:aws:iam::123456789012:role/{name}");
    let start = &s.requests[0];
    assert_eq!(
        start.request.principal,
        format!("arn:aws:sts::123456789012:assumed-role/{name}/iamtrace")
    );
    assert_eq!(start.name.as_deref(), Some(&*format!("role {name}")));
    let principal_arn = start
        .request
        .context
        .iter()
        .find(|(k, _)| k == "aws:PrincipalArn")
        .map(|(_, v)| v.clone());
    assert_eq!(
        principal_arn,
        Some(ContextValue::One(Scalar::string(&role)))
    );
    let trust = s
        .sources
        .iter()
        .find(|src| src.name.as_deref() == Some("AppRole/AssumeRolePolicyDocument"))
        .unwrap();
    assert_eq!(trust.attached_to.as_deref(), Some(&*role));
    // Outside the placeholder, the logical ID appears nowhere in the request.
    let shown = format!("{:?}", start.request).replace(name, "");
    assert!(!shown.contains("AppRole"), "{shown}");

    let assume = Request {
        principal: "ec2.amazonaws.com".into(),
        action: "sts:AssumeRole".into(),
        resource: role.clone(),
        resource_account: None,
        context: Vec::new(),
    };
    let e = evaluate(&s.set, &PreparedRequest::new(&assume), Detail::Decision);
    assert_eq!(e.decision, Decision::Allow, "{e:?}");
}

/// A bucket policy governs the bucket and its objects: a template's TLS-only Deny on
/// `arn:aws:s3:::data/*` stops the role's plain-HTTP GetObject, which its identity
/// policy allows (evaluated against the bucket's ARN alone, the Deny never applied to
/// an object and the request was allowed). Lint still reads the policy once.
#[test]
fn a_templates_bucket_policy_applies_to_the_objects_too() {
    use iamtrace::input::{LoadOptions, load};
    let text = std::fs::read_to_string(format!(
        "{}/tests/fixtures/iac/tls-only-bucket.yaml",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap();
    let options = LoadOptions {
        principal: Some("reader".into()),
        ..Default::default()
    };
    let s = load(&text, &options).unwrap().scenario;
    let get = |resource: &str, tls: &str| {
        let r = with(
            s.requests[0].request.clone(),
            &[("aws:SecureTransport", tls)],
        );
        let r = Request {
            action: "s3:GetObject".into(),
            resource: resource.into(),
            ..r
        };
        evaluate(&s.set, &PreparedRequest::new(&r), Detail::Decision).decision
    };
    assert_eq!(get("arn:aws:s3:::data/k", "true"), Decision::Allow);
    assert_eq!(get("arn:aws:s3:::data/k", "false"), Decision::ExplicitDeny);
    // Placed on the bucket and its objects, not on every bucket whose name begins the
    // same (`data*`).
    let attached: Vec<&str> = s
        .set
        .policies
        .iter()
        .filter_map(|p| p.attached_to.as_ref().map(|a| a.text.as_str()))
        .collect();
    assert!(
        attached.contains(&"arn:aws:s3:::data") && attached.contains(&"arn:aws:s3:::data/*"),
        "{attached:?}"
    );
    assert!(
        !attached.iter().any(|a| a.ends_with("data*")),
        "{attached:?}"
    );

    let every = load(
        &text,
        &LoadOptions {
            all_policies: true,
            ..Default::default()
        },
    )
    .unwrap();
    let bucket_policies = every
        .scenario
        .sources
        .iter()
        .filter(|src| {
            src.name
                .as_deref()
                .is_some_and(|n| n.starts_with("DataPolicy"))
        })
        .count();
    assert_eq!(bucket_policies, 1);
}

/// A template's deny-list SCP is evaluated beside AWS's FullAWSAccess (attached to the
/// root by default), so that it denies what it names and nothing else; an allow-list
/// SCP is evaluated alone.
#[test]
fn a_deny_list_scp_is_evaluated_beside_full_aws_access() {
    use iamtrace::input::{LoadOptions, load};
    let template = |scp_effect: &str, scp_action: &str| {
        format!(
            "Resources:
  R:
    Type: AWS::IAM::Role
    Properties:
      RoleName: r
      AssumeRolePolicyDocument: {{Version: '2012-10-17', Statement: [{{Effect: Allow, Principal: {{Service: ec2.amazonaws.com}}, Action: 'sts:AssumeRole'}}]}}
      Policies:
        - PolicyName: all
          PolicyDocument: {{Version: '2012-10-17', Statement: [{{Effect: Allow, Action: '*', Resource: '*'}}]}}
  Guard:
    Type: AWS::Organizations::Policy
    Properties:
      Name: guard
      Type: SERVICE_CONTROL_POLICY
      Content: {{Version: '2012-10-17', Statement: [{{Effect: {scp_effect}, Action: '{scp_action}', Resource: '*'}}]}}
"
        )
    };
    let decide = |text: &str, action: &str| {
        let options = LoadOptions {
            principal: Some("R".into()),
            ..Default::default()
        };
        let loaded = load(text, &options).unwrap();
        let mut r = loaded.scenario.requests[0].request.clone();
        r.action = action.into();
        let d = evaluate(
            &loaded.scenario.set,
            &PreparedRequest::new(&r),
            Detail::Decision,
        );
        (d.decision, loaded.notes)
    };
    let deny = template("Deny", "ec2:*");
    let (s3, notes) = decide(&deny, "s3:GetObject");
    assert_eq!(s3, Decision::Allow);
    assert!(
        notes.iter().any(|n| n.contains("FullAWSAccess")),
        "{notes:?}"
    );
    assert_eq!(decide(&deny, "ec2:RunInstances").0, Decision::ExplicitDeny);
    let allow = template("Allow", "s3:*");
    let (s3, notes) = decide(&allow, "s3:GetObject");
    assert_eq!(s3, Decision::Allow);
    assert!(
        !notes.iter().any(|n| n.contains("FullAWSAccess")),
        "{notes:?}"
    );
    assert_eq!(decide(&allow, "ec2:RunInstances").0, Decision::ImplicitDeny);
}
