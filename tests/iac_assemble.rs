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
