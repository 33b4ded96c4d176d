//! A template opened to edit reads every policy the way the whole template is read:
//! each document parsed on its own (as an editor holds it, with the template around it)
//! gives the same policy as the template's reader, over every fixture template and
//! every template of the shared corpus, for every user and role. And a template's
//! edited documents are written back in place, every other byte kept.

use iamtrace::input::{Kind, LoadOptions, iac::load_for_editing, load};
use iamtrace::scenario::{DocumentForm, compile_sources, splice::splice_template};
use std::path::{Path, PathBuf};

/// The shared IaC corpus's templates, when they are here.
fn corpus(sub: &str) -> Option<PathBuf> {
    ["../shared/corpora/iac", "/work/shared/corpora/iac"]
        .iter()
        .map(|d| Path::new(env!("CARGO_MANIFEST_DIR")).join(d).join(sub))
        .find(|d| d.is_dir())
}

/// The fixture templates of this repository.
fn fixtures() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/iac");
    let mut out = Vec::new();
    let mut todo = vec![root];
    while let Some(dir) = todo.pop() {
        for e in std::fs::read_dir(&dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() && !p.ends_with("node_modules") {
                todo.push(p);
            } else if p.extension().is_some_and(|x| x == "yaml" || x == "json") {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

/// `text` without the positions Debug prints (`Span { … }`): what is compared is the
/// policy, not where it is written.
fn without_spans(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find("Span {") {
        out.push_str(&rest[..i]);
        match rest[i..].find('}') {
            Some(j) => rest = &rest[i + j + 1..],
            None => {
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

/// Checks one template for every principal; returns how many principals it compared.
fn compare(name: &str, text: &str) -> usize {
    let kind = iamtrace::input::kind(text);
    if !matches!(kind, Kind::CloudFormation | Kind::TerraformPlan) {
        return 0;
    }
    let Some(choices) = iamtrace::tui::template::choices(kind, text, &LoadOptions::default())
    else {
        return 0;
    };
    let mut compared = 0;
    for c in choices {
        let options = LoadOptions {
            principal: Some(c.arn.clone()),
            ..Default::default()
        };
        let whole = load(text, &options);
        let editing = load_for_editing(kind, text, &options);
        let (whole, editing) = match (whole, editing) {
            (Ok(w), Ok(e)) => (w, e),
            (Err(_), Err(_)) => continue,
            (w, e) => panic!(
                "{name} {}: read whole {:?}, read to edit {:?}",
                c.name,
                w.err().map(|e| e.diagnostics),
                e.err().map(|e| e.diagnostics)
            ),
        };
        let (set, errors) = compile_sources(&editing.scenario);
        for (src, e) in editing.scenario.sources.iter().zip(&errors) {
            assert!(e.is_empty(), "{name} {}: {:?}: {e:?}", c.name, src.name);
        }
        assert_eq!(
            set.policies.len(),
            whole.scenario.set.policies.len(),
            "{name}"
        );
        for (a, b) in set.policies.iter().zip(&whole.scenario.set.policies) {
            assert_eq!(
                without_spans(&format!("{:?}", a.policy)),
                without_spans(&format!("{:?}", b.policy)),
                "{name} {}: policy {}",
                c.name,
                a.name
            );
            assert_eq!(a.attached_to, b.attached_to, "{name}");
        }
        // Every document the template writes is as written there; what it does not
        // write is read-only.
        for src in &editing.scenario.sources {
            if kind == Kind::TerraformPlan {
                assert_eq!(src.form, DocumentForm::String, "{name}: {:?}", src.name);
            } else if src.form == DocumentForm::Template {
                let at = src.at.expect("placed");
                let shown = src.text.trim_start();
                assert_eq!(&text[at.range()], shown, "{name}: {:?}", src.name);
            } else {
                assert_eq!(src.form, DocumentForm::Derived, "{name}: {:?}", src.name);
            }
        }
        compared += 1;
    }
    compared
}

#[test]
fn every_fixture_template_reads_the_same_to_edit_as_whole() {
    let mut compared = 0;
    for path in fixtures() {
        let text = std::fs::read_to_string(&path).unwrap();
        compared += compare(&path.display().to_string(), &text);
    }
    assert!(compared >= 8, "{compared}");
}

#[test]
fn every_corpus_template_reads_the_same_to_edit_as_whole() {
    let Some(dir) = corpus("cloudformation") else {
        eprintln!("SKIPPED: the shared IaC corpus is not here");
        return;
    };
    let compared = compare_folder(&dir);
    assert!(compared >= 50, "{compared}");
}

#[test]
fn every_corpus_plan_reads_the_same_to_edit_as_whole() {
    let Some(dir) = corpus("terraform-plans") else {
        eprintln!("SKIPPED: the shared IaC corpus is not here");
        return;
    };
    let compared = compare_folder(&dir);
    assert!(compared >= 10, "{compared}");
}

fn compare_folder(dir: &Path) -> usize {
    let mut compared = 0;
    for e in std::fs::read_dir(dir).unwrap() {
        let path = e.unwrap().path();
        // UTF-16 plans too, decoded as the program decodes them.
        let Ok(text) = std::fs::read(&path)
            .map_err(|e| e.to_string())
            .and_then(iamtrace::input::decode)
        else {
            continue;
        };
        compared += compare(&path.display().to_string(), &text);
    }
    eprintln!("{compared} principals compared in {}", dir.display());
    compared
}

#[test]
fn saving_writes_back_only_the_edited_documents() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/iac/tui/app.yaml");
    let text = std::fs::read_to_string(path).unwrap();
    let options = LoadOptions {
        principal: Some("AppRole".into()),
        ..Default::default()
    };
    let loaded = load_for_editing(Kind::CloudFormation, &text, &options).unwrap();
    let was = loaded.scenario.clone();
    let mut now = was.clone();
    let data = now
        .sources
        .iter()
        .position(|s| s.name.as_deref() == Some("AppRole/Policies/data"))
        .unwrap();
    let trust = 0;
    now.sources[data].text = now.sources[data].text.replace(
        "Action: s3:GetObject",
        "Action: [s3:GetObject, s3:ListBucket]",
    );
    // A line added to the trust policy, earlier in the file, moves the later places.
    now.sources[trust].text = now.sources[trust].text.replace(
        "Action: sts:AssumeRole",
        "Action:\n              - sts:AssumeRole",
    );
    let (saved, places) = splice_template(&text, &was, &now).unwrap();
    let expected = text
        .replace(
            "Action: s3:GetObject",
            "Action: [s3:GetObject, s3:ListBucket]",
        )
        .replace(
            "Action: sts:AssumeRole",
            "Action:\n              - sts:AssumeRole",
        );
    assert_eq!(saved, expected);
    // Every place is where the document is in the new text.
    for (src, at) in now.sources.iter().zip(&places) {
        let at = at.expect("placed");
        if src.form == DocumentForm::Template {
            assert_eq!(&saved[at.range()], src.text.trim_start(), "{:?}", src.name);
            let line = saved[..at.start as usize].matches('\n').count() as u64 + 1;
            assert_eq!(at.line, line, "{:?}", src.name);
        }
    }
    // The saved template reads back with the edits.
    let again = load_for_editing(Kind::CloudFormation, &saved, &options).unwrap();
    assert!(again.scenario.sources[data].text.contains("s3:ListBucket"));
    // A derived policy is never written; a changed principal list is refused.
    let mut fewer = now.clone();
    fewer.sources.pop();
    assert!(splice_template(&text, &was, &fewer).is_err());
}

#[test]
fn one_document_edited_two_ways_is_refused() {
    // A managed policy of the template that is also a role's boundary: two policies,
    // one document.
    let text = "Resources:
  Limit:
    Type: AWS::IAM::ManagedPolicy
    Properties:
      Roles: [!Ref R]
      PolicyDocument:
        Version: '2012-10-17'
        Statement: [{Effect: Allow, Action: 's3:*', Resource: '*'}]
  R:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument: {Version: '2012-10-17', Statement: [{Effect: Allow, Principal: {Service: ec2.amazonaws.com}, Action: 'sts:AssumeRole'}]}
      PermissionsBoundary: !Ref Limit
";
    let options = LoadOptions {
        principal: Some("R".into()),
        ..Default::default()
    };
    let loaded = load_for_editing(Kind::CloudFormation, text, &options).unwrap();
    let shared: Vec<usize> = (0..loaded.scenario.sources.len())
        .filter(|&i| loaded.scenario.sources[i].text.contains("'s3:*'"))
        .collect();
    assert_eq!(shared.len(), 2, "{:#?}", loaded.scenario.sources);
    let mut now = loaded.scenario.clone();
    now.sources[shared[0]].text = now.sources[shared[0]].text.replace("'s3:*'", "'s3:Get*'");
    now.sources[shared[1]].text = now.sources[shared[1]].text.replace("'s3:*'", "'s3:Put*'");
    let e = splice_template(text, &loaded.scenario, &now).unwrap_err();
    assert!(e.contains("two different ways"), "{e}");
    // The same edit in both is written once.
    now.sources[shared[1]].text = now.sources[shared[0]].text.clone();
    let (saved, _) = splice_template(text, &loaded.scenario, &now).unwrap();
    assert_eq!(saved, text.replace("'s3:*'", "'s3:Get*'"));
}
