//! The edges of editing a template in the TUI, each once a bug: YAML aliases and block
//! scalars (`|`) at a document's end, documents shared by several policies (kept as
//! one text), a policy pasted left of its document's column (moved under its key on
//! saving), CRLF line endings, two documents on one line, a recovery file written while
//! a document did not parse, a draft never offered over a template, undo across saves.
//! Every edit saved must read back from the template as the TUI evaluated it. (What
//! each test saw is printed, for a failure to show.)

mod common;

use common::{open_template as open, show_policy as show};

use common::{ctrl, key, press, shift, type_text};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use iamtrace::input::{Kind, LoadOptions, iac::load_for_editing};
use iamtrace::tui::app::App;
use std::path::PathBuf;

fn write(test: &str, name: &str, text: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "iamtrace-template-edges-{}-{test}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

fn names(app: &App) -> Vec<String> {
    app.scenario
        .sources
        .iter()
        .map(|s| format!("{:?} {:?}", s.name, s.form))
        .collect()
}

const ROLE: &str = "  R:
    Type: AWS::IAM::Role
    Properties:
      RoleName: r
      AssumeRolePolicyDocument: {Version: '2012-10-17', Statement: [{Effect: Allow, Principal: {Service: ec2.amazonaws.com}, Action: 'sts:AssumeRole'}]}
";

/// A document written as a block scalar (`PolicyDocument: !Sub |`, as in the shared
/// corpus): the first edit drops the scalar's final newline, and the line after the
/// document is glued onto it when saved.
#[test]
fn a_block_scalar_document_keeps_the_line_after_it() {
    let text = format!(
        "Resources:
{ROLE}  P:
    Type: AWS::IAM::Policy
    Properties:
      PolicyName: p
      PolicyDocument: !Sub |
        {{\"Version\": \"2012-10-17\", \"Statement\": [{{\"Effect\": \"Allow\", \"Action\": \"s3:GetObject\", \"Resource\": \"arn:${{AWS::Partition}}:s3:::b/*\"}}]}}
      Roles: [!Ref R]
"
    );
    let path = write("blockscalar", "t.yaml", &text);
    let mut app = open(&path, "R");
    eprintln!("{:?}", names(&app));
    show(&mut app, "P/PolicyDocument");
    let pi = app.policies.current;
    eprintln!("src.text={:?}", app.scenario.sources[pi].text);
    eprintln!("editor ={:?}", app.policies.editors[pi].text());
    assert!(app.errors[pi].is_empty(), "{:?}", app.errors[pi]);
    // Change GetObject to GetObjectX: line 2 of the editor.
    press(&mut app, key(KeyCode::Down));
    press(&mut app, key(KeyCode::End));
    type_text(&mut app, " ");
    press(&mut app, ctrl('s'));
    eprintln!("message={:?}", app.message);
    let after = std::fs::read_to_string(&path).unwrap();
    let expected = text.replace("/*\"}]}\n", "/*\"}]} \n");
    assert_eq!(after, expected, "saved:\n{after}");
}

/// A queue policy on two queues: two policies, one document. An edit of one is saved
/// for both, but the TUI keeps evaluating the other with the old text; a later edit of
/// the other overwrites the first in the file.
#[test]
fn a_document_shared_by_two_policies() {
    let text = format!(
        "Resources:
{ROLE}  Q1: {{Type: AWS::SQS::Queue, Properties: {{QueueName: q1}}}}
  Q2: {{Type: AWS::SQS::Queue, Properties: {{QueueName: q2}}}}
  QP:
    Type: AWS::SQS::QueuePolicy
    Properties:
      Queues: [!Ref Q1, !Ref Q2]
      PolicyDocument:
        Version: '2012-10-17'
        Statement:
          - Effect: Allow
            Principal: {{AWS: !GetAtt R.Arn}}
            Action: sqs:ReceiveMessage
            Resource: '*'
"
    );
    let path = write("shared", "t.yaml", &text);
    let mut app = open(&path, "R");
    eprintln!("{:?}", names(&app));
    let docs: Vec<usize> = (0..app.scenario.sources.len())
        .filter(|&i| app.scenario.sources[i].text.contains("ReceiveMessage"))
        .collect();
    assert_eq!(docs.len(), 2);
    let n0 = app.scenario.sources[docs[0]].name.clone().unwrap();
    let n1 = app.scenario.sources[docs[1]].name.clone().unwrap();
    show(&mut app, &n0);
    for _ in 0..4 {
        press(&mut app, key(KeyCode::Down));
    }
    press(&mut app, key(KeyCode::End));
    type_text(&mut app, "X");
    press(&mut app, ctrl('s'));
    let after = std::fs::read_to_string(&path).unwrap();
    assert!(after.contains("ReceiveMessageX"), "{after}");
    let other = app.scenario.sources[docs[1]].text.clone();
    eprintln!("after the save, {n1} in the TUI: {other}");
    // Now edit the other one.
    show(&mut app, &n1);
    for _ in 0..4 {
        press(&mut app, key(KeyCode::Down));
    }
    press(&mut app, key(KeyCode::End));
    type_text(&mut app, "Y");
    press(&mut app, ctrl('s'));
    eprintln!("message={:?}", app.message);
    let again = std::fs::read_to_string(&path).unwrap();
    eprintln!("{again}");
    assert!(
        other.contains("ReceiveMessageX"),
        "the TUI evaluates {n1} without the saved edit"
    );
    assert!(
        again.contains("ReceiveMessageX"),
        "the first edit was lost:\n{again}"
    );
}

/// A YAML document replaced by one written from column 1 (the whole editor selected
/// and a policy pasted): valid on its own, so evaluated; saved, its lines after the
/// first leave the document.
#[test]
fn a_document_pasted_at_column_one() {
    let text = std::fs::read_to_string("tests/fixtures/iac/tui/app.yaml").unwrap();
    let path = write("column1", "app.yaml", &text);
    let mut app = open(&path, "AppRole");
    show(&mut app, "Reports/PolicyDocument");
    let pi = app.policies.current;
    // Select everything and paste.
    for _ in 0..10 {
        press(&mut app, shift(KeyCode::Down));
    }
    press(&mut app, shift(KeyCode::End));
    let pasted = "Version: '2012-10-17'\nStatement:\n  - Effect: Allow\n    Action: 's3:*'\n    Resource: '*'";
    iamtrace::tui::update::handle_paste(&mut app, pasted);
    app.evaluate_now();
    eprintln!("editor={:?}", app.policies.editors[pi].text());
    eprintln!("errors={:?}", app.errors[pi]);
    assert!(app.errors[pi].is_empty());
    eprintln!("decision={:?}", app.current_result().map(|r| r.decision));
    press(&mut app, ctrl('s'));
    eprintln!("message={:?}", app.message);
    let after = std::fs::read_to_string(&path).unwrap();
    eprintln!("{after}");
    // What the saved template says Reports holds.
    let options = LoadOptions {
        principal: Some("AppRole".into()),
        ..Default::default()
    };
    let again = iamtrace::input::load(&after, &options);
    match again {
        Ok(l) => {
            let reports = l
                .scenario
                .sources
                .iter()
                .find(|s| s.name.as_deref() == Some("Reports/PolicyDocument"))
                .map(|s| s.text.clone());
            eprintln!("read back: {reports:?}");
            assert!(
                reports.is_some_and(|t| t.contains("s3:*")),
                "the saved template lost the statement"
            );
        }
        Err(e) => panic!("the saved template does not read: {:?}", e.diagnostics),
    }
}

/// Two documents on one line (a one-line JSON template): the first made shorter and
/// saved, then the second edited and saved: the second is written with the spaces of
/// its old column.
#[test]
fn two_documents_on_one_line() {
    let text = r#"{"Resources": {"R": {"Type": "AWS::IAM::Role", "Properties": {"RoleName": "r", "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]}, "Policies": [{"PolicyName": "p", "PolicyDocument": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}}]}}}}
"#;
    let path = write("oneline", "t.json", text);
    let mut app = open(&path, "R");
    eprintln!("{:?}", names(&app));
    show(&mut app, "R/AssumeRolePolicyDocument");
    let pi = app.policies.current;
    // "ec2.amazonaws.com" -> "ec2.amazonaws.co": one character shorter.
    let t = app.policies.editors[pi].text();
    let at = t.find(".com").unwrap() + 4;
    app.policies.editors[pi].set_text(&t, at);
    press(&mut app, key(KeyCode::Backspace));
    press(&mut app, ctrl('s'));
    let first = std::fs::read_to_string(&path).unwrap();
    assert_eq!(first, text.replace(".com", ".co"));
    show(&mut app, "R/Policies/p");
    let pi = app.policies.current;
    let t = app.policies.editors[pi].text();
    let at = t.find("GetObject").unwrap() + "GetObject".len();
    app.policies.editors[pi].set_text(&t, at);
    type_text(&mut app, "X");
    press(&mut app, ctrl('s'));
    let second = std::fs::read_to_string(&path).unwrap();
    assert_eq!(second, first.replace("GetObject", "GetObjectX"));
}

/// CRLF line endings: one character typed, the document saved with LF endings.
#[test]
fn crlf_endings_are_kept() {
    let text = std::fs::read_to_string("tests/fixtures/iac/tui/app.yaml")
        .unwrap()
        .replace('\n', "\r\n");
    let path = write("crlf", "app.yaml", &text);
    let mut app = open(&path, "AppRole");
    show(&mut app, "Reports/PolicyDocument");
    for _ in 0..3 {
        press(&mut app, key(KeyCode::Down));
    }
    press(&mut app, key(KeyCode::End));
    type_text(&mut app, "X");
    press(&mut app, ctrl('s'));
    let after = std::fs::read_to_string(&path).unwrap();
    assert_eq!(after, text.replace("PutObject", "PutObjectX"), "{after:?}");
}

/// An anchor outside the document, aliased inside it: the template reads, the
/// document alone does not.
#[test]
fn an_alias_of_an_anchor_outside_the_document() {
    let text = format!(
        "Metadata:
  Common: &reads
    - Effect: Allow
      Action: s3:GetObject
      Resource: '*'
Resources:
{ROLE}  P:
    Type: AWS::IAM::Policy
    Properties:
      PolicyName: p
      Roles: [!Ref R]
      PolicyDocument:
        Version: '2012-10-17'
        Statement: *reads
"
    );
    let path = write("alias", "t.yaml", &text);
    let app = open(&path, "R");
    let whole = iamtrace::input::load(
        &text,
        &LoadOptions {
            principal: Some("R".into()),
            ..Default::default()
        },
    );
    eprintln!("whole reads: {}", whole.is_ok());
    eprintln!("{:?}", app.errors);
    assert!(app.errors.iter().all(|e| e.is_empty()), "{:?}", app.errors);
}

/// A block mapping document ending in a block scalar value.
#[test]
fn a_document_whose_last_value_is_a_block_scalar() {
    let text = format!(
        "Resources:
{ROLE}  P:
    Type: AWS::IAM::Policy
    Properties:
      PolicyName: p
      PolicyDocument:
        Version: '2012-10-17'
        Statement:
          - Effect: Allow
            Action: s3:GetObject
            Resource: >-
              arn:aws:s3:::b/*
      Roles: [!Ref R]
"
    );
    let path = write("lastblock", "t.yaml", &text);
    let mut app = open(&path, "R");
    show(&mut app, "P/PolicyDocument");
    let pi = app.policies.current;
    eprintln!("src.text={:?}", app.scenario.sources[pi].text);
    for _ in 0..3 {
        press(&mut app, key(KeyCode::Down));
    }
    press(&mut app, key(KeyCode::End));
    type_text(&mut app, "X");
    press(&mut app, ctrl('s'));
    let after = std::fs::read_to_string(&path).unwrap();
    assert_eq!(after, text.replace("GetObject", "GetObjectX"), "{after}");
}

/// A recovery file written while a document does not parse yet cannot be restored.
#[test]
fn recovery_while_a_document_does_not_parse() {
    let text = std::fs::read_to_string("tests/fixtures/iac/tui/app.yaml").unwrap();
    let path = write("recover", "app.yaml", &text);
    let mut app = open(&path, "AppRole");
    show(&mut app, "Reports/PolicyDocument");
    press(&mut app, key(KeyCode::Down));
    press(&mut app, key(KeyCode::End));
    type_text(&mut app, " [");
    assert!(app.stale);
    let recovery = app.recovery_text();
    let rpath = path.with_file_name(".app.yaml.iamtrace-recover");
    std::fs::write(&rpath, &recovery).unwrap();
    let mut fresh = open(&path, "AppRole");
    fresh.restore_recovery(rpath.clone());
    eprintln!("message={:?}", fresh.message);
    assert!(fresh.dirty, "{:?}", fresh.message);
}

/// Undo across a save, with a document that changed its number of lines.
#[test]
fn undo_across_a_save() {
    let text = std::fs::read_to_string("tests/fixtures/iac/tui/app.yaml").unwrap();
    let path = write("undo", "app.yaml", &text);
    let mut app = open(&path, "AppRole");
    show(&mut app, "AppRole/AssumeRolePolicyDocument");
    for _ in 0..4 {
        press(&mut app, key(KeyCode::Down));
    }
    press(&mut app, key(KeyCode::End));
    type_text(&mut app, "\n# one\n# two");
    press(&mut app, ctrl('s'));
    show(&mut app, "Reports/PolicyDocument");
    for _ in 0..3 {
        press(&mut app, key(KeyCode::Down));
    }
    press(&mut app, key(KeyCode::End));
    type_text(&mut app, "X");
    press(&mut app, ctrl('s'));
    // Undo everything, save.
    for _ in 0..10 {
        press(&mut app, ctrl('z'));
    }
    press(&mut app, ctrl('s'));
    let after = std::fs::read_to_string(&path).unwrap();
    assert_eq!(after, text);
    for _ in 0..10 {
        press(&mut app, ctrl('y'));
    }
    press(&mut app, ctrl('s'));
    let redone = std::fs::read_to_string(&path).unwrap();
    eprintln!("{redone}");
    assert!(redone.contains("PutObjectX") && redone.contains("# two"));
}

#[allow(dead_code)]
fn k(code: KeyCode, m: KeyModifiers) -> KeyEvent {
    KeyEvent::new(code, m)
}

/// An anchor inside the document, aliased as its last value: the document's span
/// stops at the anchor, so the editor holds (and evaluates) a cut document.
#[test]
fn an_alias_as_the_last_value_cuts_the_document() {
    let text = format!(
        "Resources:
{ROLE}  P:
    Type: AWS::IAM::Policy
    Properties:
      PolicyName: p
      Roles: [!Ref R]
      PolicyDocument:
        Version: '2012-10-17'
        Statement:
          - Effect: Allow
            Action: s3:GetObject
            Resource: '*'
            Condition: &corp {{IpAddress: {{aws:SourceIp: 10.0.0.0/8}}}}
          - Effect: Deny
            Action: s3:GetObject
            Resource: 'arn:aws:s3:::secret/*'
          - Effect: Allow
            Action: s3:ListBucket
            Resource: '*'
            Condition: *corp
"
    );
    let options = LoadOptions {
        principal: Some("R".into()),
        ..Default::default()
    };
    let whole = iamtrace::input::load(&text, &options).unwrap();
    let editing = load_for_editing(Kind::CloudFormation, &text, &options).unwrap();
    let (set, errors) = iamtrace::scenario::compile_sources(&editing.scenario);
    let p = editing
        .scenario
        .sources
        .iter()
        .position(|s| s.name.as_deref() == Some("P/PolicyDocument"))
        .unwrap();
    eprintln!("editor text: {}", editing.scenario.sources[p].text);
    eprintln!("errors: {errors:?}");
    let count = |set: &iamtrace::policy::PolicySet| {
        set.policies
            .iter()
            .find(|e| &*e.name == "P/PolicyDocument")
            .map(|e| e.policy.statements.len())
    };
    eprintln!(
        "whole: {:?}, to edit: {:?}",
        count(&whole.scenario.set),
        count(&set)
    );
    assert_eq!(count(&whole.scenario.set), count(&set));
}

/// A block scalar document followed by a key at column 1.
#[test]
fn a_block_scalar_document_before_a_top_level_key() {
    let text = format!(
        "Resources:
{ROLE}  P:
    Type: AWS::IAM::Policy
    Properties:
      PolicyName: p
      Roles: [!Ref R]
      PolicyDocument: |
        {{\"Version\": \"2012-10-17\", \"Statement\": [{{\"Effect\": \"Allow\", \"Action\": \"s3:GetObject\", \"Resource\": \"*\"}}]}}
Outputs:
  Out: {{Value: x}}
"
    );
    let path = write("blocktop", "t.yaml", &text);
    let mut app = open(&path, "R");
    show(&mut app, "P/PolicyDocument");
    let pi = app.policies.current;
    eprintln!("src.text={:?}", app.scenario.sources[pi].text);
    press(&mut app, key(KeyCode::Down));
    press(&mut app, key(KeyCode::End));
    type_text(&mut app, " ");
    press(&mut app, ctrl('s'));
    let after = std::fs::read_to_string(&path).unwrap();
    assert_eq!(
        after,
        text.replace("}]}\nOutputs", "}]} \nOutputs"),
        "{after}"
    );
}

/// Non-ASCII text before a flow document on its line (JSON template), saved twice.
#[test]
fn non_ascii_before_a_document() {
    let text = "{\"Resources\": {\"R\": {\"Type\": \"AWS::IAM::Role\", \"Metadata\": {\"Note\": \"rôle façade 日本\"}, \"Properties\": {\"RoleName\": \"r\", \"AssumeRolePolicyDocument\": {\"Version\": \"2012-10-17\", \"Statement\": [{\"Effect\": \"Allow\", \"Principal\": {\"Service\": \"ec2.amazonaws.com\"}, \"Action\": \"sts:AssumeRole\"}]},\n\t\"Policies\": [{\"PolicyName\": \"é\", \"PolicyDocument\": {\"Version\": \"2012-10-17\", \"Statement\": [{\"Effect\": \"Allow\", \"Action\": \"s3:GetObject\", \"Resource\": \"*\"}]}}]}}}}\n";
    let path = write("nonascii", "t.json", text);
    let mut app = open(&path, "R");
    eprintln!("{:?}", names(&app));
    for name in ["R/AssumeRolePolicyDocument", "R/Policies/é"] {
        show(&mut app, name);
        let pi = app.policies.current;
        let t = app.policies.editors[pi].text();
        eprintln!("{name}: {t:?} errors {:?}", app.errors[pi]);
        let at = t.find("\"Allow\"").unwrap() + 6;
        app.policies.editors[pi].set_text(&t, at);
        type_text(&mut app, "X");
        press(&mut app, ctrl('s'));
    }
    let after = std::fs::read_to_string(&path).unwrap();
    assert_eq!(after, text.replace("\"Allow\"", "\"AllowX\""));
}

/// Opening through the picker: the recovery file beside the template is not offered.
#[test]
fn the_picker_offers_no_recovery() {
    let text = std::fs::read_to_string("tests/fixtures/iac/tui/app.yaml").unwrap();
    let path = write("pickrecover", "app.yaml", &text);
    let rpath = path.with_file_name(".app.yaml.iamtrace-recover");
    std::fs::write(&rpath, text.replace("GetObject", "GetObjectX")).unwrap();
    std::fs::set_permissions(&rpath, std::os::unix::fs::PermissionsExt::from_mode(0o600)).unwrap();
    let choices =
        iamtrace::tui::template::choices(Kind::CloudFormation, &text, &LoadOptions::default())
            .unwrap();
    let mut app = App::pick_from_template(
        Kind::CloudFormation,
        text.clone(),
        "app.yaml".into(),
        choices,
        Some(path.clone()),
        LoadOptions::default(),
    )
    .with_origin(iamtrace::tui::recover::Origin::File(path.clone()));
    app.check_leftovers();
    press(&mut app, key(KeyCode::Enter));
    eprintln!("mode after choosing: {:?}", app.mode);
    assert!(
        matches!(app.mode, iamtrace::tui::app::Mode::ConfirmRestore(_)),
        "{:?}",
        app.mode
    );
}

/// The wrong Allow: a statement aliased as the document's last item cuts the editor's
/// document before the Deny between them; the TUI allows what the template denies.
#[test]
fn an_aliased_last_statement_drops_a_deny() {
    let text = format!(
        "Resources:
{ROLE}  P:
    Type: AWS::IAM::Policy
    Properties:
      PolicyName: p
      Roles: [!Ref R]
      PolicyDocument:
        Version: '2012-10-17'
        Statement:
          - &read
            Effect: Allow
            Action: s3:GetObject
            Resource: '*'
          - Effect: Deny
            Action: s3:GetObject
            Resource: 'arn:aws:s3:::secret/*'
          - *read
"
    );
    let options = LoadOptions {
        principal: Some("R".into()),
        ..Default::default()
    };
    let whole = iamtrace::input::load(&text, &options).unwrap();
    let path = write("aliasdeny", "t.yaml", &text);
    let mut app = open(&path, "R");
    let req = &mut app.scenario.requests[0].request;
    req.action = "s3:GetObject".into();
    req.resource = "arn:aws:s3:::secret/x".into();
    let request = req.clone();
    app.changed();
    app.evaluate_now();
    let p = app
        .scenario
        .sources
        .iter()
        .position(|s| s.name.as_deref() == Some("P/PolicyDocument"))
        .unwrap();
    eprintln!("editor text:\n{}", app.scenario.sources[p].text);
    eprintln!("errors: {:?}", app.errors);
    let tui = app.current_result().map(|r| r.decision);
    let cli = iamtrace::tui::evaluate::evaluate_one(&whole.scenario.set, &request).decision;
    eprintln!("TUI: {tui:?}, whole template: {cli:?}");
    assert_eq!(tui, Some(cli));
}

/// Every fixture and corpus template, for every principal: an edit of each written
/// document, one at a time, saves (the splice is possible) and the saved template
/// reads back with the document holding the edit.
#[test]
fn every_template_saves_an_edit_of_each_document() {
    let mut files: Vec<PathBuf> = Vec::new();
    for dir in [
        "tests/fixtures/iac",
        "tests/fixtures/iac/cdk",
        "tests/fixtures/iac/tui",
        "/work/shared/corpora/iac/cloudformation",
    ] {
        if let Ok(rd) = std::fs::read_dir(dir) {
            for e in rd {
                let p = e.unwrap().path();
                if p.extension()
                    .is_some_and(|x| x == "yaml" || x == "json" || x == "yml" || x == "template")
                {
                    files.push(p);
                }
            }
        }
    }
    let mut problems = Vec::new();
    let mut checked = 0;
    for path in files {
        let Ok(text) = std::fs::read_to_string(&path) else {
            continue;
        };
        if iamtrace::input::kind(&text) != Kind::CloudFormation {
            continue;
        }
        let Some(choices) =
            iamtrace::tui::template::choices(Kind::CloudFormation, &text, &LoadOptions::default())
        else {
            continue;
        };
        for c in choices.iter().take(3) {
            let options = LoadOptions {
                principal: Some(c.arn.clone()),
                ..Default::default()
            };
            let Ok(loaded) = load_for_editing(Kind::CloudFormation, &text, &options) else {
                continue;
            };
            let was = &loaded.scenario;
            for (i, src) in was.sources.iter().enumerate() {
                if src.at.is_none() {
                    problems.push(format!(
                        "{}: {} {:?}: no place",
                        path.display(),
                        c.name,
                        src.name
                    ));
                }
                if src.form != iamtrace::scenario::DocumentForm::Template {
                    continue;
                }
                let mut now = was.clone();
                // Edit: the text's last line gets a trailing space (harmless in YAML/JSON),
                // as the editor holds it.
                let editor = iamtrace::tui::editor::PolicyEditor::new(&src.text).text();
                now.sources[i].text = format!("{editor} ");
                match iamtrace::scenario::splice::splice_template(&text, was, &now) {
                    Ok((saved, _)) => {
                        checked += 1;
                        if load_for_editing(Kind::CloudFormation, &saved, &options).is_err() {
                            problems.push(format!(
                                "{}: {} {:?}: saved template does not read",
                                path.display(),
                                c.name,
                                src.name
                            ));
                        }
                    }
                    Err(e) => problems.push(format!(
                        "{}: {} {:?}: {e}",
                        path.display(),
                        c.name,
                        src.name
                    )),
                }
            }
        }
    }
    eprintln!("{checked} edits checked");
    for p in &problems {
        eprintln!("{p}");
    }
    assert!(problems.is_empty(), "{} problems", problems.len());
}

/// `PolicyDocument: !Sub |` (as in the shared corpus): the editor's last line is the
/// next key's indentation; a new line typed at the end of the document moves that key
/// to column 1: the saved policy is no longer attached to the role.
#[test]
fn enter_at_the_end_of_a_block_scalar_document() {
    let text = format!(
        "Resources:
{ROLE}  P:
    Type: AWS::IAM::Policy
    Properties:
      PolicyName: p
      PolicyDocument: !Sub |
        {{\"Version\": \"2012-10-17\", \"Statement\": [{{\"Effect\": \"Allow\", \"Action\": \"s3:GetObject\", \"Resource\": \"arn:${{AWS::Partition}}:s3:::b/*\"}}]}}
      Roles: [!Ref R]
"
    );
    let path = write("blockenter", "t.yaml", &text);
    let mut app = open(&path, "R");
    show(&mut app, "P/PolicyDocument");
    for _ in 0..5 {
        press(&mut app, key(KeyCode::Down));
    }
    press(&mut app, key(KeyCode::End));
    press(&mut app, key(KeyCode::Enter));
    let pi = app.policies.current;
    eprintln!("errors: {:?}", app.errors[pi]);
    press(&mut app, ctrl('s'));
    eprintln!("message={:?}", app.message);
    let after = std::fs::read_to_string(&path).unwrap();
    eprintln!("{after}");
    let options = LoadOptions {
        principal: Some("R".into()),
        ..Default::default()
    };
    let back = iamtrace::input::load(&after, &options).unwrap();
    let names: Vec<_> = back
        .scenario
        .sources
        .iter()
        .map(|s| s.name.clone())
        .collect();
    assert!(
        names.contains(&Some("P/PolicyDocument".into())),
        "{names:?}"
    );
}

/// Values from Mappings (Fn::FindInMap) keep the template's positions inside a
/// document parsed on its own: the TUI is driven over them.
#[test]
fn find_in_map_values_in_a_document() {
    let text = format!(
        "Mappings:
  Env:
    prod:
      Buckets: ['arn:aws:s3:::ééééééééééééééééééééééééééééé/*', 'arn:aws:s3:::bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb/*']
      Ips: {{IpAddress: {{aws:SourceIp: ['10.0.0.0/8']}}}}
Resources:
{ROLE}  P:
    Type: AWS::IAM::Policy
    Properties:
      PolicyName: p
      Roles: [!Ref R]
      PolicyDocument:
        Version: '2012-10-17'
        Statement:
          - Effect: Allow
            Action: s3:GetObject
            Resource: !FindInMap [Env, prod, Buckets]
            Condition: !FindInMap [Env, prod, Ips]
"
    );
    let path = write("findinmap", "t.yaml", &text);
    let mut app = open(&path, "R");
    let req = &mut app.scenario.requests[0].request;
    req.action = "s3:GetObject".into();
    req.resource =
        "arn:aws:s3:::bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb/x".into();
    req.context.push((
        "aws:SourceIp".into(),
        iamtrace::eval::ContextValue::One(iamtrace::eval::Scalar::string("10.1.1.1")),
    ));
    app.changed();
    app.evaluate_now();
    show(&mut app, "P/PolicyDocument");
    eprintln!("errors {:?}", app.errors);
    eprintln!("decision {:?}", app.current_result().map(|r| r.decision));
    if let Some(set) = &app.set {
        for e in &set.policies {
            for s in &e.policy.statements {
                eprintln!("{}: stmt span {:?}", e.name, s.span);
            }
        }
    }
    for w in [80u16, 120, 200] {
        let s = common::screen_text(&app, w, 40);
        if w == 200 {
            eprintln!("{s}");
        }
    }
    // Trace pane, every key that moves in it.
    press(&mut app, key(KeyCode::Tab));
    press(&mut app, key(KeyCode::Tab));
    for _ in 0..20 {
        press(&mut app, key(KeyCode::Down));
        let _ = common::screen_text(&app, 160, 40);
        press(&mut app, key(KeyCode::Enter));
        let _ = common::screen_text(&app, 160, 40);
    }
}

/// A managed policy of the template that is also the role's boundary: one document,
/// two policies. Widening the identity copy leaves the boundary copy as it was in the
/// TUI, so the TUI denies what the saved template allows.
#[test]
fn a_boundary_that_is_the_same_document() {
    let text = "Resources:
  Limit:
    Type: AWS::IAM::ManagedPolicy
    Properties:
      Roles: [!Ref R]
      PolicyDocument:
        Version: '2012-10-17'
        Statement: [{Effect: Allow, Action: 's3:GetObject', Resource: '*'}]
  R:
    Type: AWS::IAM::Role
    Properties:
      RoleName: r
      AssumeRolePolicyDocument: {Version: '2012-10-17', Statement: [{Effect: Allow, Principal: {Service: ec2.amazonaws.com}, Action: 'sts:AssumeRole'}]}
      PermissionsBoundary: !Ref Limit
";
    let path = write("boundary", "t.yaml", text);
    let mut app = open(&path, "R");
    eprintln!("{:?}", names(&app));
    let req = &mut app.scenario.requests[0].request;
    req.action = "s3:PutObject".into();
    req.resource = "arn:aws:s3:::b/x".into();
    let request = req.clone();
    app.changed();
    app.evaluate_now();
    show(&mut app, "Limit/PolicyDocument");
    let pi = app.policies.current;
    let t = app.policies.editors[pi].text();
    let at = t.find("s3:GetObject").unwrap() + 3;
    app.policies.editors[pi].set_text(&t, at);
    for _ in 0.."GetObject".len() {
        press(&mut app, key(KeyCode::Delete));
    }
    type_text(&mut app, "*");
    eprintln!(
        "texts: {:?}",
        app.scenario
            .sources
            .iter()
            .map(|s| s.text.clone())
            .collect::<Vec<_>>()
    );
    let tui = app.current_result().map(|r| r.decision);
    press(&mut app, ctrl('s'));
    let saved = std::fs::read_to_string(&path).unwrap();
    let options = LoadOptions {
        principal: Some("R".into()),
        ..Default::default()
    };
    let whole = iamtrace::input::load(&saved, &options).unwrap();
    let file = iamtrace::tui::evaluate::evaluate_one(&whole.scenario.set, &request).decision;
    let tui_after = app.current_result().map(|r| r.decision);
    eprintln!("TUI before save {tui:?}, after save {tui_after:?}; the saved template: {file:?}");
    assert_eq!(tui_after, Some(file));
}

#[test]
fn if_at_the_document_root() {
    let text = format!(
        "Parameters:
  Env: {{Type: String, Default: prod}}
Conditions:
  IsProd: !Equals [!Ref Env, prod]
Resources:
{ROLE}  P:
    Type: AWS::IAM::Policy
    Properties:
      PolicyName: p
      Roles: [!Ref R]
      PolicyDocument: !If
        - IsProd
        - Version: '2012-10-17'
          Statement:
            - Effect: Allow
              Action: s3:GetObject
              Resource: '*'
            - !If [IsProd, {{Effect: Deny, Action: s3:GetObject, Resource: 'arn:aws:s3:::secret/*'}}, !Ref AWS::NoValue]
        - Version: '2012-10-17'
          Statement: [{{Effect: Allow, Action: '*', Resource: '*'}}]
"
    );
    let path = write("ifroot", "t.yaml", &text);
    let mut app = open(&path, "R");
    show(&mut app, "P/PolicyDocument");
    let pi = app.policies.current;
    eprintln!(
        "text: {}\nerrors {:?}",
        app.scenario.sources[pi].text, app.errors[pi]
    );
    let req = &mut app.scenario.requests[0].request;
    req.action = "s3:GetObject".into();
    req.resource = "arn:aws:s3:::secret/x".into();
    app.changed();
    app.evaluate_now();
    eprintln!("decision {:?}", app.current_result().map(|r| r.decision));
    // Type at the end of the first line.
    press(&mut app, key(KeyCode::End));
    type_text(&mut app, " ");
    press(&mut app, ctrl('s'));
    let after = std::fs::read_to_string(&path).unwrap();
    assert_eq!(
        after,
        text.replace("PolicyDocument: !If\n", "PolicyDocument: !If \n")
    );
}

/// A minified template: a document past column 65535 on its one line.
#[test]
fn a_document_far_right_on_one_line() {
    let filler = "x".repeat(70_000);
    let text = format!(
        "{{\"Metadata\": {{\"Pad\": \"{filler}\"}}, \"Resources\": {{\"R\": {{\"Type\": \"AWS::IAM::Role\", \"Properties\": {{\"RoleName\": \"r\", \"AssumeRolePolicyDocument\": {{\"Version\": \"2012-10-17\", \"Statement\": [{{\"Effect\": \"Allow\", \"Principal\": {{\"Service\": \"ec2.amazonaws.com\"}}, \"Action\": \"sts:AssumeRole\"}}]}}, \"Policies\": [{{\"PolicyName\": \"p\", \"PolicyDocument\": {{\"Version\": \"2012-10-17\", \"Statement\": [{{\"Effect\": \"Allow\", \"Action\": \"s3:GetObject\", \"Resource\": \"*\"}}]}}}}]}}}}}}}}"
    );
    let path = write("farright", "t.json", &text);
    let t0 = std::time::Instant::now();
    let mut app = open(&path, "R");
    show(&mut app, "R/Policies/p");
    let _ = common::screen_text(&app, 120, 35);
    press(&mut app, key(KeyCode::End));
    let _ = common::screen_text(&app, 120, 35);
    press(&mut app, key(KeyCode::Left));
    type_text(&mut app, " ");
    let _ = common::screen_text(&app, 120, 35);
    press(&mut app, ctrl('s'));
    eprintln!("message {:?} in {:?}", app.message, t0.elapsed());
    let after = std::fs::read_to_string(&path).unwrap();
    assert_eq!(after, text.replace("\"*\"}]}}]", "\"*\"}] }}]"));
}

/// A JSON policy pasted from the console over a YAML document (selected whole).
#[test]
fn a_json_policy_pasted_into_a_yaml_template() {
    let text = std::fs::read_to_string("tests/fixtures/iac/tui/app.yaml").unwrap();
    let path = write("jsonpaste", "app.yaml", &text);
    let mut app = open(&path, "AppRole");
    show(&mut app, "Reports/PolicyDocument");
    let pi = app.policies.current;
    for _ in 0..10 {
        press(&mut app, shift(KeyCode::Down));
    }
    press(&mut app, shift(KeyCode::End));
    let pasted = "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [\n    {\n      \"Effect\": \"Deny\",\n      \"Action\": \"s3:*\",\n      \"Resource\": \"*\"\n    }\n  ]\n}";
    iamtrace::tui::update::handle_paste(&mut app, pasted);
    app.evaluate_now();
    eprintln!("errors={:?}", app.errors[pi]);
    press(&mut app, ctrl('s'));
    eprintln!("message={:?}", app.message);
    let after = std::fs::read_to_string(&path).unwrap();
    eprintln!("{after}");
    let options = LoadOptions {
        principal: Some("AppRole".into()),
        ..Default::default()
    };
    match iamtrace::input::load(&after, &options) {
        Ok(_) => {}
        Err(e) => panic!("the saved template does not read: {:?}", e.diagnostics),
    }
}

/// A newer `NAME.draft.json` beside a JSON template is offered, and opened as a
/// scenario file with the template's path.
#[test]
fn a_draft_beside_a_json_template() {
    let text = r#"{"Resources": {"R": {"Type": "AWS::IAM::Role", "Properties": {"RoleName": "r", "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]}}}}}
"#;
    let path = write("draft", "stack.json", text);
    std::thread::sleep(std::time::Duration::from_millis(20));
    let draft = path.with_file_name("stack.draft.json");
    std::fs::write(&draft, r#"{"policies": {"identity": [{"Version": "2012-10-17", "Statement": []}]}, "requests": []}"#).unwrap();
    let mut app = open(&path, "R");
    app.check_leftovers();
    assert!(
        !matches!(app.mode, iamtrace::tui::app::Mode::ConfirmOpenDraft(_)),
        "a scenario draft is never offered over a template: {:?}",
        app.mode
    );
    press(&mut app, ctrl('s'));
    let after = std::fs::read_to_string(&path).unwrap();
    assert_eq!(after, text, "the template was overwritten: {after}");
}

#[test]
fn a_bom_before_a_one_line_json_template() {
    let text = "\u{feff}{\"Resources\": {\"R\": {\"Type\": \"AWS::IAM::Role\", \"Properties\": {\"RoleName\": \"r\", \"AssumeRolePolicyDocument\": {\"Version\": \"2012-10-17\", \"Statement\": [{\"Effect\": \"Allow\", \"Principal\": {\"Service\": \"ec2.amazonaws.com\"}, \"Action\": \"sts:AssumeRole\"}]}, \"Policies\": [{\"PolicyName\": \"p\", \"PolicyDocument\": {\"Version\": \"2012-10-17\", \"Statement\": [{\"Effect\": \"Allow\", \"Action\": \"s3:GetObject\", \"Resource\": \"*\"}]}}]}}}}\n";
    let path = write("bom", "t.json", text);
    let mut app = open(&path, "R");
    show(&mut app, "R/Policies/p");
    let pi = app.policies.current;
    let t = app.policies.editors[pi].text();
    eprintln!("errors {:?}", app.errors);
    let at = t.find("GetObject").unwrap() + "GetObject".len();
    app.policies.editors[pi].set_text(&t, at);
    type_text(&mut app, "X");
    press(&mut app, ctrl('s'));
    let after = std::fs::read_to_string(&path).unwrap();
    assert_eq!(after, text.replace("GetObject", "GetObjectX"));
    let yaml = format!("{}Resources:\n{ROLE}", "\u{feff}");
    let path = write("bomyaml", "t.yaml", &yaml);
    let mut app = open(&path, "R");
    let pi = app.policies.current;
    let t = app.policies.editors[pi].text();
    eprintln!("errors {:?}", app.errors);
    let at = t.find("ec2").unwrap();
    app.policies.editors[pi].set_text(&t, at);
    type_text(&mut app, "X");
    press(&mut app, ctrl('s'));
    let after = std::fs::read_to_string(&path).unwrap();
    assert_eq!(after, yaml.replace("ec2", "Xec2"));
}
