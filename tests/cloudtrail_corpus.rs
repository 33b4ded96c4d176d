//! Real CloudTrail events nobody here wrote (a real account's delivered logs, AWS's
//! documentation examples, detection-rule test events), read from
//! `../shared/corpora/cloudtrail-real` at test time: every file opens, every event
//! converts or is skipped with a reason, every action is in the service catalog (or the
//! map's allowlist), and every resource is of one of its action's resource types.
//! Skipped with a message when the folder is absent (a user's clone does not have it).
//! `IAMTRACE_CORPORA=DIR` points at another `corpora` folder (a worktree elsewhere).

use iamtrace::cloudtrail::{self, mapping, split::Splitter};
use iamtrace::eval::ContextValue;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

fn corpus() -> Option<PathBuf> {
    let corpora = std::env::var_os("IAMTRACE_CORPORA").map_or_else(
        || Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpora"),
        PathBuf::from,
    );
    let dir = corpora.join("cloudtrail-real");
    if dir.is_dir() {
        Some(dir)
    } else {
        eprintln!(
            "skipped: {} is absent (the real-events corpus is not part of the repository)",
            dir.display()
        );
        None
    }
}

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            files(&path, out);
        } else if path
            .extension()
            .is_some_and(|e| e == "json" || e == "jsonl" || e == "gz")
        {
            out.push(path);
        }
    }
}

/// What converting the whole corpus gave.
#[derive(Default)]
struct Tally {
    events: usize,
    converted: usize,
    skipped: BTreeMap<String, usize>,
    wildcard_resources: usize,
    problems: Vec<String>,
    /// Each converted event with its record as JSON (to compare with what it says).
    converted_all: Vec<(cloudtrail::Converted, serde_json::Value)>,
    /// Actions left on `*` for want of a resource, with how often.
    wildcard_actions: BTreeMap<String, usize>,
}

fn run(dir: &Path) -> Tally {
    let mut paths = Vec::new();
    files(dir, &mut paths);
    assert!(!paths.is_empty(), "no files under {}", dir.display());
    let mut t = Tally::default();
    for path in &paths {
        let file = std::fs::File::open(path).unwrap();
        let reader = iamtrace::read::decompressed(file).unwrap();
        let mut splitter = Splitter::new(reader);
        loop {
            let batch = match splitter.next_batch(usize::MAX) {
                Ok(Some(b)) => b,
                Ok(None) => break,
                Err(e) => {
                    t.problems
                        .push(format!("{}: does not open: {}", path.display(), e.message));
                    break;
                }
            };
            for r in &batch.records {
                t.events += 1;
                let outcome = cloudtrail::with_event(&batch.data[r.clone()], cloudtrail::convert);
                match outcome {
                    Err(e) => t.problems.push(format!(
                        "{}: record {}: does not parse: {e}",
                        path.display(),
                        t.events
                    )),
                    Ok(Err(s)) => {
                        if s.reason.is_empty() {
                            t.problems
                                .push(format!("{}: skipped without a reason", path.display()));
                        }
                        *t.skipped.entry(s.reason).or_default() += 1;
                    }
                    Ok(Ok(c)) => {
                        t.converted += 1;
                        check(&c, path, &mut t);
                        let record: serde_json::Value =
                            serde_json::from_slice(&batch.data[r.clone()]).unwrap();
                        t.converted_all.push((c, record));
                    }
                }
            }
        }
    }
    t
}

fn check(c: &cloudtrail::Converted, path: &Path, t: &mut Tally) {
    let action = &c.request.action;
    let (prefix, name) = action.split_once(':').unwrap();
    let in_catalog = iamtrace::catalog::catalog()
        .service(prefix)
        .and_then(|s| s.action(name))
        .is_some();
    if !in_catalog && !mapping::map().allowed(action) {
        t.problems.push(format!(
            "{}: event {:?}: {action} is neither in the catalog nor allowed",
            path.display(),
            c.event_id
        ));
    }
    let resource = &c.request.resource;
    let has_types = !mapping::resource_types(action).is_empty();
    if resource == "*" {
        if has_types {
            // Unknown, and said so: the record names no resource of the action's types.
            t.wildcard_resources += 1;
            *t.wildcard_actions.entry(action.clone()).or_default() += 1;
            if !c.notes.iter().any(|n| n.starts_with("resource is *")) {
                t.problems.push(format!(
                    "{}: event {:?}: {action} on * without a note",
                    path.display(),
                    c.event_id
                ));
            }
        }
    } else if !mapping::fits(action, resource) {
        t.problems.push(format!(
            "{}: event {:?}: {resource} is of no resource type of {action}",
            path.display(),
            c.event_id
        ));
    }
}

#[test]
fn every_real_event_converts_or_is_skipped_and_fits_the_catalog() {
    let Some(dir) = corpus() else { return };
    let t = run(&dir);
    eprintln!(
        "{} events: {} converted ({} on * for want of a resource), {} skipped",
        t.events,
        t.converted,
        t.wildcard_resources,
        t.events - t.converted
    );
    for (reason, n) in &t.skipped {
        eprintln!("  skipped {n}: {reason}");
    }
    for (action, n) in &t.wildcard_actions {
        eprintln!("  on * {n}: {action}");
    }
    assert!(t.events > 0);
    assert!(
        t.problems.is_empty(),
        "{} problems:\n{}",
        t.problems.len(),
        t.problems.join("\n")
    );
}

/// The classes of event the issue found wrong, wherever they occur in the corpus.
#[test]
fn real_events_get_the_documented_actions_resources_and_keys() {
    let Some(dir) = corpus() else { return };
    let t = run(&dir);
    let ctx = |c: &cloudtrail::Converted, key: &str| {
        c.request
            .context
            .iter()
            .find(|(k, _)| k == key)
            .and_then(|(_, v)| match v {
                ContextValue::One(s) => Some(s.text.clone()),
                ContextValue::Many(_) => None,
            })
    };
    let mut seen = BTreeMap::<&str, usize>::new();
    for (c, record) in &t.converted_all {
        let r = &c.request;
        match r.action.as_str() {
            "iam:AttachRolePolicy" | "iam:DetachRolePolicy" => {
                assert!(r.resource.contains(":role/"), "{}", r.resource);
                assert!(ctx(c, "iam:PolicyARN").is_some(), "{:?}", c.event_id);
                *seen.entry("role policy").or_default() += 1;
            }
            "iam:AttachUserPolicy" | "iam:DetachUserPolicy" => {
                assert!(r.resource.contains(":user/"), "{}", r.resource);
                assert!(ctx(c, "iam:PolicyARN").is_some(), "{:?}", c.event_id);
                *seen.entry("user policy").or_default() += 1;
            }
            "iam:AddUserToGroup" => {
                assert!(r.resource.contains(":group/"), "{}", r.resource);
                assert!(!r.resource.contains(":*:"), "{}", r.resource);
                *seen.entry("group").or_default() += 1;
            }
            "iam:AddRoleToInstanceProfile" | "iam:RemoveRoleFromInstanceProfile" => {
                assert!(r.resource.contains(":instance-profile/"), "{}", r.resource);
                *seen.entry("instance profile").or_default() += 1;
            }
            "sts:AssumeRole" => {
                assert!(r.resource.contains(":role/"), "{}", r.resource);
                *seen.entry("assume role").or_default() += 1;
            }
            _ => {}
        }
        if c.event_source == "s3.amazonaws.com" {
            assert!(
                !matches!(
                    r.action.as_str(),
                    "s3:ListBuckets"
                        | "s3:GetBucketEncryption"
                        | "s3:GetBucketLifecycle"
                        | "s3:GetBucketReplication"
                        | "s3:DeleteBucketPublicAccessBlock"
                ),
                "{}",
                r.action
            );
        }
        // Console and AWS-internal calls are the caller's own: not via a service.
        let id = &record["userIdentity"];
        let shape = |s: &serde_json::Value| {
            matches!(
                s.as_str(),
                Some("signin.amazonaws.com" | "console.amazonaws.com" | "AWS Internal")
            )
        };
        if shape(&id["invokedBy"]) || shape(&record["sourceIPAddress"]) {
            assert_eq!(
                ctx(c, "aws:ViaAWSService").as_deref(),
                Some("false"),
                "{:?}",
                c.event_id
            );
            assert!(ctx(c, "aws:CalledViaFirst").is_none(), "{:?}", c.event_id);
            *seen.entry("console or internal").or_default() += 1;
        }
        // The principal's keys are what userIdentity says.
        match id["type"].as_str() {
            Some("IAMUser") => {
                assert_eq!(ctx(c, "aws:PrincipalArn").as_deref(), id["arn"].as_str());
                assert_eq!(ctx(c, "aws:PrincipalType").as_deref(), Some("User"));
                assert_eq!(ctx(c, "aws:userid").as_deref(), id["principalId"].as_str());
                assert_eq!(
                    ctx(c, "aws:PrincipalAccount").as_deref(),
                    id["accountId"].as_str()
                );
                *seen.entry("IAMUser").or_default() += 1;
            }
            Some("AssumedRole") => {
                assert_eq!(c.request.principal, id["arn"].as_str().unwrap());
                if let Some(issuer) = id["sessionContext"]["sessionIssuer"]["arn"].as_str() {
                    assert_eq!(ctx(c, "aws:PrincipalArn").as_deref(), Some(issuer));
                }
                assert_eq!(ctx(c, "aws:PrincipalType").as_deref(), Some("AssumedRole"));
                assert_eq!(ctx(c, "aws:userid").as_deref(), id["principalId"].as_str());
                *seen.entry("AssumedRole").or_default() += 1;
            }
            _ => {}
        }
    }
    eprintln!("checked: {seen:?}");
    assert!(!seen.is_empty(), "none of the classes occurs in the corpus");
}

/// Read record by record (as `eval` reads large trails), every corpus file gives the
/// requests, names, positions and malformed records of the file read whole (but for
/// `via`, which needs the whole trail).
#[test]
fn streamed_as_read_whole() {
    let Some(dir) = corpus() else { return };
    let mut all = Vec::new();
    files(&dir, &mut all);
    let mut compared = 0;
    for path in all {
        let bytes = std::fs::read(&path).unwrap();
        let Ok(text) = iamtrace::input::decode(bytes) else {
            continue;
        };
        let Ok(whole) = cloudtrail::requests_from_text(&text) else {
            continue;
        };
        let mut stream = cloudtrail::stream::Stream::new(text.as_bytes());
        let mut requests = Vec::new();
        let mut malformed = Vec::new();
        while let Some(item) = stream.next_item().unwrap() {
            match item {
                cloudtrail::stream::Item::Request(r) => requests.push(r),
                cloudtrail::stream::Item::Malformed { span, .. } => malformed.push(span),
            }
        }
        let expected: Vec<_> = whole
            .requests
            .into_iter()
            .map(|mut r| {
                r.via = None;
                r
            })
            .collect();
        assert_eq!(requests, expected, "{}", path.display());
        let whole_malformed: Vec<_> = whole.malformed.iter().map(|d| d.span).collect();
        assert_eq!(malformed, whole_malformed, "{}", path.display());
        assert_eq!(
            stream.description(),
            whole.description,
            "{}",
            path.display()
        );
        compared += requests.len();
    }
    assert!(compared > 1000, "only {compared} requests compared");
}
