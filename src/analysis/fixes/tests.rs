//! Tests of the policy-edit search: each edit kind, the Client VPN built-ins, ranking,
//! and every suggestion applied to its text, loaded again and evaluated again.

use super::*;
use crate::input::load_str;

fn load(text: &str) -> Scenario {
    load_str(text).unwrap()
}

/// Every suggestion's text applied to its policy (and, for a document written inline,
/// to the file), the scenario loaded again and evaluated again: each request must get
/// exactly the decision the suggestion claims.
fn check(file: &str, s: &Scenario, sug: &Suggestions) {
    let now: Vec<Decision> = s
        .requests
        .iter()
        .map(|r| evaluate(&s.set, &PreparedRequest::new(&r.request), Detail::Decision).decision)
        .collect();
    for e in &sug.edits {
        let src = &s.sources[e.policy_index];
        assert_eq!(
            &src.text[e.at.start..e.at.end],
            e.before,
            "{}",
            e.description
        );
        let (line, column) = line_column(&src.text, e.at.start);
        assert_eq!((e.at.line, e.at.column), (line, column));
        let edited = format!(
            "{}{}{}",
            &src.text[..e.at.start],
            e.after,
            &src.text[e.at.end..]
        );
        let mut again = s.clone();
        again.sources[e.policy_index].text = edited;
        let (set, errors) = crate::scenario::compile_sources(&again);
        assert!(
            errors.iter().all(Vec::is_empty),
            "{}: {errors:?}",
            e.description
        );
        // Through the file too, where the document is written inline.
        let reloaded = e.in_file.map(|p| {
            assert_eq!(&file[p.start..p.end], e.before);
            let (l, c) = line_column(file, p.start);
            assert_eq!((p.line, p.column), (l, c));
            load(&format!(
                "{}{}{}",
                &file[..p.start],
                e.after,
                &file[p.end..]
            ))
        });
        assert_eq!(e.decisions.len(), s.requests.len());
        for (i, r) in s.requests.iter().enumerate() {
            let p = PreparedRequest::new(&r.request);
            let d = &e.decisions[i];
            assert_eq!(d.before, now[i]);
            assert_eq!(
                evaluate(&set, &p, Detail::Decision).decision,
                d.after,
                "{}: request {}",
                e.description,
                i + 1
            );
            if let Some(l) = &reloaded {
                assert_eq!(evaluate(&l.set, &p, Detail::Decision).decision, d.after);
            }
        }
        assert!(sug.aim.met_by(e.decisions[sug.request - 1].after));
    }
}

fn text_of(name: &str) -> String {
    std::fs::read_to_string(format!("{}/{name}", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

fn run(file: &str, request: usize) -> (Scenario, Suggestions) {
    let s = load(file);
    let sug = suggest(&s, request, Limits::default());
    check(file, &s, &sug);
    (s, sug)
}

#[test]
fn client_vpn_wanted_gets_the_documented_guard_first_and_it_makes_every_expect_hold() {
    let file = text_of("assets/scenarios/client-vpn-wanted.json");
    let (s, sug) = run(&file, 1);
    assert_eq!(sug.aim, Aim::Decision(Decision::Allow));
    assert!(sug.aim_is_expect);
    let first = &sug.edits[0];
    assert_eq!(first.kind, EditKind::AddGuard);
    assert_eq!(first.class, EditClass::HowTheCallIsMade);
    assert_eq!(first.policy, "DenyOutsideOffice");
    assert_eq!(first.statement, "statement \"DenyOutsideOffice\" #1");
    assert!(
        first
            .description
            .starts_with("add \"Bool\": {\"aws:ViaAWSService\": \"false\"} to the Condition"),
        "{}",
        first.description
    );
    // Every expect holds with it, and request 8 (no expect) stays denied.
    assert!(first.decisions.iter().all(|d| d.holds() != Some(false)));
    assert_eq!(first.decisions[7].after, Decision::ExplicitDeny);
    assert_eq!(
        first.summary,
        "fixes 2, 3, 4; 8 and 9 stay denied; 1, 5, 6, 7 stay allowed"
    );
    // In the file's own layout: exactly the policy client-vpn-fixed.json documents.
    let src = &s.sources[first.policy_index];
    let edited = format!(
        "{}{}{}",
        &src.text[..first.at.start],
        first.after,
        &src.text[first.at.end..]
    );
    let fixed = load(&text_of("assets/scenarios/client-vpn-fixed.json"));
    assert_eq!(edited, fixed.sources[1].text);
    // The address of the service ranks below: it lists what was observed.
    let by_address = sug
        .edits
        .iter()
        .position(|e| e.description.contains("52.95.4.1"))
        .expect("the address edit is found too");
    assert!(by_address > 0);
    assert_eq!(sug.edits[by_address].class, EditClass::ObservedValues);
    // And no suggestion guards on aws:PrincipalIsAWSService.
    assert!(
        sug.edits
            .iter()
            .all(|e| !e.after.contains("PrincipalIsAWSService"))
    );
}

#[test]
fn client_vpn_source_ip_aims_at_the_opposite_of_expectations_that_hold() {
    let file = text_of("assets/scenarios/client-vpn-source-ip.json");
    // Request 2 is denied as expected: the edits aim at Allow.
    let (_, sug) = run(&file, 1);
    assert_eq!(sug.aim, Aim::Decision(Decision::Allow));
    assert!(!sug.aim_is_expect);
    assert!(!sug.edits.is_empty());
    assert!(
        sug.edits[0].summary.starts_with("turns 2 into Allow"),
        "{}",
        sug.edits[0].summary
    );
    // Request 8 (through a VPC endpoint): the endpoint guard flips it alone.
    let (_, sug) = run(&file, 7);
    let first = &sug.edits[0];
    assert_eq!(first.kind, EditKind::AddGuard);
    assert!(
        first
            .after
            .contains("\"aws:SourceVpce\": \"vpce-0abc123def4567890\""),
        "{}",
        first.after
    );
    assert!(!first.summary.contains("breaks"), "{}", first.summary);
    // Request 1 (allowed as expected): the edits aim at a deny and the first breaks
    // no other expectation.
    let (_, sug) = run(&file, 0);
    assert_eq!(sug.aim, Aim::Denied);
    let first = &sug.edits[0];
    assert_eq!(first.decisions[0].after, Decision::ExplicitDeny);
    assert!(!first.summary.contains("breaks"), "{}", first.summary);
}

const GUARDRAIL: &str = r#"{
  "policies": {"identity": [
    {"name": "admin", "document": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}},
    {"name": "guard", "document": {
      "Version": "2012-10-17",
      "Statement": [
        {
          "Effect": "Deny",
          "Action": "*",
          "Resource": "*",
          "Condition": {"NotIpAddress": {"aws:SourceIp": "203.0.113.0/24"}}
        }
      ]
    }}
  ]},
  "requests": [
    {"principal": "arn:aws:iam::111122223333:user/alice", "action": "kms:DescribeKey", "resource": "*",
     "context": {"aws:SourceIp": "52.95.4.1", "aws:ViaAWSService": "true", "aws:CalledVia": ["ec2.amazonaws.com"]},
     "expect": "allow"},
    {"principal": "arn:aws:iam::111122223333:user/alice", "action": "kms:DescribeKey", "resource": "*",
     "context": {"aws:SourceIp": "198.51.100.9", "aws:ViaAWSService": "false"},
     "expect": "explicit_deny"}
    EXTRA
  ]
}"#;

#[test]
fn an_address_ranks_below_the_service_guard() {
    let file = GUARDRAIL.replace("EXTRA", "");
    let (_, sug) = run(&file, 0);
    let kinds: Vec<_> = sug.edits.iter().map(|e| (e.kind, e.class)).collect();
    assert_eq!(kinds[0], (EditKind::AddGuard, EditClass::HowTheCallIsMade));
    assert!(
        sug.edits[0]
            .after
            .contains("\"Bool\": {\"aws:ViaAWSService\": \"false\"}")
    );
    let address = kinds
        .iter()
        .position(|k| k.0 == EditKind::AddConditionValue)
        .expect("the address edit");
    assert!(address > 0);
    // The inline Condition stays on one line, the value list becomes an array.
    let e = &sug.edits[address];
    assert_eq!(
        e.after,
        "\"Condition\": {\"NotIpAddress\": {\"aws:SourceIp\": [\"203.0.113.0/24\", \"52.95.4.1\"]}}"
    );
    // The CalledVia forms come after the ViaAWSService guard, before the address.
    let called_via = sug
        .edits
        .iter()
        .position(|e| e.after.contains("aws:CalledVia"))
        .expect("a CalledVia guard");
    assert!(called_via > 0 && called_via < address);
}

#[test]
fn an_edit_that_breaks_another_expect_ranks_below_one_that_does_not() {
    // A service call from an unknown address that the team wants denied: the
    // ViaAWSService guard would let it through, the address edit would not.
    let extra = r#", {"principal": "arn:aws:iam::111122223333:user/alice", "action": "kms:DescribeKey", "resource": "*",
     "context": {"aws:SourceIp": "198.51.100.77", "aws:ViaAWSService": "true", "aws:CalledVia": ["lambda.amazonaws.com"]},
     "expect": "explicit_deny"}"#;
    let file = GUARDRAIL.replace("EXTRA", extra);
    let (_, sug) = run(&file, 0);
    let first = &sug.edits[0];
    assert!(!first.summary.contains("breaks"), "{}", first.summary);
    let guard = sug
        .edits
        .iter()
        .position(|e| e.description.contains("aws:ViaAWSService"))
        .expect("the guard is still listed");
    assert!(guard > 0);
    assert!(
        sug.edits[guard].summary.contains("breaks 3"),
        "{}",
        sug.edits[guard].summary
    );
}

fn scenario(statements: &str, request: &str) -> String {
    format!(
        r#"{{"policies": {{"identity": [{{"name": "p", "document": {{"Version": "2012-10-17", "Statement": [{statements}]}}}}]}},
"requests": [{{"principal": "arn:aws:iam::111122223333:user/alice", {request}}}]}}"#
    )
}

fn kinds_for(statements: &str, request: &str) -> Vec<(EditKind, String)> {
    let file = scenario(statements, request);
    let (_, sug) = run(&file, 0);
    sug.edits
        .iter()
        .map(|e| (e.kind, e.after.clone()))
        .collect()
}

fn has(kinds: &[(EditKind, String)], kind: EditKind, text: &str) -> bool {
    kinds.iter().any(|(k, t)| *k == kind && t.contains(text))
}

#[test]
fn an_allow_is_widened_or_added() {
    let k = kinds_for(
        r#"{"Effect": "Allow", "Action": ["s3:GetObject"], "Resource": "arn:aws:s3:::b/*"}"#,
        r#""action": "s3:PutObject", "resource": "arn:aws:s3:::b/k""#,
    );
    assert!(
        has(
            &k,
            EditKind::AddAction,
            "[\"s3:GetObject\", \"s3:PutObject\"]"
        ),
        "{k:?}"
    );
    assert!(
        has(&k, EditKind::AddStatement, "\"Action\": \"s3:PutObject\""),
        "{k:?}"
    );
    let k = kinds_for(
        r#"{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::a/*"}"#,
        r#""action": "s3:GetObject", "resource": "arn:aws:s3:::b/k""#,
    );
    assert!(
        has(
            &k,
            EditKind::AddResource,
            "[\"arn:aws:s3:::a/*\", \"arn:aws:s3:::b/k\"]"
        ),
        "{k:?}"
    );
}

#[test]
fn an_allows_condition_is_relaxed() {
    let k = kinds_for(
        r#"{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*", "Condition": {"StringEquals": {"aws:PrincipalTag/team": "a"}, "Bool": {"aws:SecureTransport": "true"}}}"#,
        r#""action": "s3:GetObject", "resource": "arn:aws:s3:::b/k", "context": {"aws:PrincipalTag/team": "b", "aws:SecureTransport": "true"}"#,
    );
    assert!(
        has(&k, EditKind::AddConditionValue, "[\"a\", \"b\"]"),
        "{k:?}"
    );
    assert!(has(&k, EditKind::RemoveConditionKey, "\"Bool\""), "{k:?}");
    let k = kinds_for(
        r#"{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*", "Condition": {"StringEquals": {"aws:PrincipalTag/team": "a"}}}"#,
        r#""action": "s3:GetObject", "resource": "arn:aws:s3:::b/k""#,
    );
    assert!(
        has(&k, EditKind::AddIfExists, "StringEqualsIfExists"),
        "{k:?}"
    );
    assert!(has(&k, EditKind::RemoveConditionKey, ""), "{k:?}");
}

#[test]
fn a_deny_is_narrowed() {
    let k = kinds_for(
        r#"{"Effect": "Allow", "Action": "*", "Resource": "*"}, {"Effect": "Deny", "Action": ["s3:PutObject", "s3:DeleteObject"], "Resource": "*", "Condition": {"StringLike": {"aws:PrincipalTag/team": ["a", "b"]}, "StringEqualsIfExists": {"aws:RequestedRegion": "us-east-1"}}}"#,
        r#""action": "s3:PutObject", "resource": "arn:aws:s3:::b/k", "context": {"aws:PrincipalTag/team": "a"}"#,
    );
    assert!(
        has(&k, EditKind::RemoveAction, "[\"s3:DeleteObject\"]"),
        "{k:?}"
    );
    assert!(has(&k, EditKind::RemoveConditionValue, "[\"b\"]"), "{k:?}");
    assert!(
        has(
            &k,
            EditKind::DropIfExists,
            "\"StringEquals\": {\"aws:RequestedRegion\""
        ),
        "{k:?}"
    );
    assert!(has(&k, EditKind::RemoveStatement, ""), "{k:?}");
    // NotAction on a Deny: the action is added to it.
    let k = kinds_for(
        r#"{"Effect": "Allow", "Action": "*", "Resource": "*"}, {"Effect": "Deny", "NotAction": "iam:*", "NotResource": "arn:aws:s3:::x"}"#,
        r#""action": "s3:PutObject", "resource": "arn:aws:s3:::b/k""#,
    );
    assert!(
        has(&k, EditKind::AddAction, "[\"iam:*\", \"s3:PutObject\"]"),
        "{k:?}"
    );
    assert!(
        has(
            &k,
            EditKind::AddResource,
            "[\"arn:aws:s3:::x\", \"arn:aws:s3:::b/k\"]"
        ),
        "{k:?}"
    );
}

#[test]
fn an_allow_is_narrowed_or_a_deny_added() {
    let k = kinds_for(
        r#"{"Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject"], "Resource": "*"}, {"Effect": "Deny", "Action": "s3:PutObject", "Resource": "*", "Condition": {"StringEquals": {"aws:PrincipalTag/team": "x"}}}"#,
        r#""action": "s3:GetObject", "resource": "arn:aws:s3:::b/k", "context": {"aws:PrincipalTag/team": "a"}"#,
    );
    assert!(
        has(&k, EditKind::RemoveAction, "[\"s3:PutObject\"]"),
        "{k:?}"
    );
    assert!(
        has(&k, EditKind::AddStatement, "\"Effect\": \"Deny\""),
        "{k:?}"
    );
}

#[test]
fn policies_as_strings_are_edited_in_their_decoded_text() {
    let doc = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"*","Resource":"*","Condition":{"NotIpAddress":{"aws:SourceIp":"203.0.113.0/24"}}},{"Effect":"Allow","Action":"*","Resource":"*"}]}"#;
    let mut literal = String::new();
    crate::json::write_string(doc, &mut literal);
    let file = format!(
        r#"{{"policies": {{"identity": [{{"name": "s", "document": {literal}}}]}},
"requests": [{{"principal": "arn:aws:iam::111122223333:user/alice", "action": "kms:DescribeKey", "resource": "*",
"context": {{"aws:SourceIp": "52.95.4.1", "aws:ViaAWSService": "true"}}, "expect": "allow"}}]}}"#
    );
    let (_, sug) = run(&file, 0);
    let first = &sug.edits[0];
    assert!(first.in_file.is_none());
    // Compact text stays compact.
    assert_eq!(
        first.after,
        r#""Condition":{"NotIpAddress":{"aws:SourceIp":"203.0.113.0/24"},"Bool":{"aws:ViaAWSService":"false"}}"#
    );
}

#[test]
fn every_suggestion_of_every_builtin_and_case_reparses_to_its_claimed_effect() {
    let mut checked = 0;
    for dir in ["assets/scenarios", "tests/cases"] {
        let mut files = Vec::new();
        let mut stack = vec![std::path::PathBuf::from(format!(
            "{}/{dir}",
            env!("CARGO_MANIFEST_DIR")
        ))];
        while let Some(d) = stack.pop() {
            for e in std::fs::read_dir(&d).unwrap() {
                let p = e.unwrap().path();
                if p.is_dir() {
                    stack.push(p);
                } else if p.extension().is_some_and(|x| x == "json") {
                    files.push(p);
                }
            }
        }
        files.sort();
        for f in files {
            let text = std::fs::read_to_string(&f).unwrap();
            let Ok(s) = crate::input::load_str(&text) else {
                continue;
            };
            for i in 0..s.requests.len() {
                let sug = suggest(&s, i, Limits::default());
                check(&text, &s, &sug);
                checked += sug.edits.len();
            }
        }
    }
    assert!(checked > 100, "only {checked} suggestions checked");
}

#[test]
fn the_search_is_bounded() {
    // Hundreds of statements: candidates and evaluations stay within the limits.
    let many: Vec<String> = (0..600)
        .map(|i| format!(r#"{{"Effect": "Allow", "Action": "s3:Get{i}", "Resource": "*"}}"#))
        .collect();
    let file = scenario(
        &many.join(","),
        r#""action": "s3:PutObject", "resource": "*""#,
    );
    let s = load(&file);
    let limits = Limits {
        candidates: 10,
        statements: 50,
        evaluations: 100,
        results: 3,
        parsed_bytes: 1 << 20,
    };
    let sug = suggest(&s, 0, limits);
    assert!(sug.tried <= 10);
    assert!(sug.edits.len() <= 3);
    check(&file, &s, &sug);
    // A policy larger than the parse budget is edited once at most.
    let small_budget = Limits {
        parsed_bytes: s.sources[0].text.len() + 1,
        ..Limits::default()
    };
    let sug = suggest(&s, 0, small_budget);
    assert_eq!(sug.tried, 1);
    check(&file, &s, &sug);
}

#[test]
fn a_request_aws_decides_gets_no_edit() {
    let file = scenario(
        r#"{"Effect": "Deny", "Action": "*", "Resource": "*"}"#,
        r#""action": "sts:GetCallerIdentity", "resource": "*", "expect": "explicit_deny""#,
    );
    let s = load(&file);
    let sug = suggest(&s, 0, Limits::default());
    assert!(sug.edits.is_empty());
    assert!(sug.note.is_some());
}

#[test]
fn the_text_shows_the_lines_changed_and_the_effect() {
    let file = text_of("assets/scenarios/client-vpn-wanted.json");
    let s = load(&file);
    let t = suggest(&s, 1, Limits::default()).to_text(3);
    assert!(
        t.starts_with("Policy edits that would make request 2 Allow (its expect)"),
        "{t}"
    );
    assert!(
        t.lines()
            .any(|l| l.trim_start().starts_with("+") && l.trim_end().ends_with("\"Bool\": {")),
        "{t}"
    );
    assert!(
        t.lines()
            .any(|l| l.trim().starts_with('-') && l.trim()[1..].trim() == "}"),
        "{t}"
    );
    assert!(t.contains("→ fixes 2, 3, 4; 8 and 9 stay denied"), "{t}");
}

#[test]
fn the_diff_cuts_at_lines_whatever_the_characters() {
    assert_eq!(
        diff_lines("a\n\"é\"\nz", "a\n\"è\"\nz"),
        ["- \"é\"", "+ \"è\""]
    );
    assert_eq!(diff_lines("x", "x, y"), ["- x", "+ x, y"]);
    assert_eq!(diff_lines(", {\n}", ""), ["- , {", "- }"]);
}

#[test]
fn a_request_out_of_range_is_a_note_not_a_panic() {
    let s = load(&text_of("assets/scenarios/client-vpn-wanted.json"));
    let sug = suggest(&s, 99, Limits::default());
    assert!(sug.edits.is_empty());
    assert!(sug.note.is_some());
}

#[test]
fn odd_policies_get_edits_that_reparse() {
    // A Statement written as one object, NotResource, an IfExists operator, a trust
    // policy (no Resource), an SCP level and a URL-encoded document.
    let encoded = "%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%7B%22Effect%22%3A%22Allow%22%2C%22Action%22%3A%22s3%3AGetObject%22%2C%22Resource%22%3A%22*%22%7D%5D%7D";
    let file = format!(
        r#"{{
  "policies": {{
    "identity": [
      {{"name": "one", "document": {{"Version": "2012-10-17", "Statement": {{"Effect": "Allow", "Action": "s3:List*", "NotResource": "arn:aws:s3:::secret", "Condition": {{"StringEqualsIfExists": {{"aws:RequestedRegion": "eu-west-1"}}}}}}}}}},
      {{"name": "encoded", "document": "{encoded}"}}
    ],
    "resource": [
      {{"name": "trust", "attachedTo": "arn:aws:iam::111122223333:role/r", "document": {{"Version": "2012-10-17", "Statement": [{{"Effect": "Allow", "Principal": {{"Service": "ec2.amazonaws.com"}}, "Action": "sts:AssumeRole"}}]}}}}
    ],
    "scp": [{{"level": "r-root", "policies": [{{"name": "all", "document": {{"Version": "2012-10-17", "Statement": [{{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}}]}}}}]}}]
  }},
  "requests": [
    {{"principal": "arn:aws:iam::111122223333:user/alice", "action": "s3:ListBucket", "resource": "arn:aws:s3:::secret", "expect": "allow"}},
    {{"principal": "arn:aws:iam::111122223333:user/alice", "action": "s3:ListBucket", "resource": "arn:aws:s3:::b", "context": {{"aws:RequestedRegion": "us-east-1"}}}},
    {{"principal": "arn:aws:iam::111122223333:user/alice", "action": "sts:AssumeRole", "resource": "arn:aws:iam::111122223333:role/r"}},
    {{"principal": "arn:aws:iam::111122223333:user/alice", "action": "s3:PutObject", "resource": "arn:aws:s3:::b/k"}}
  ]
}}"#
    );
    let s = load(&file);
    let mut found = 0;
    for i in 0..s.requests.len() {
        let sug = suggest(&s, i, Limits::default());
        check(&file, &s, &sug);
        found += sug.edits.len();
    }
    assert!(found > 0);
    // The one-object Statement takes a second statement as an array.
    let sug = suggest(&s, 0, Limits::default());
    assert!(
        sug.edits
            .iter()
            .any(|e| e.kind == EditKind::RemoveResource || e.kind == EditKind::AddStatement),
        "{:?}",
        sug.edits.iter().map(|e| &e.description).collect::<Vec<_>>()
    );
}
