//! The policy parse kept across edits (`policy::incremental`) gives exactly what a full
//! parse of the new text gives — the policy with every span, or every error with its
//! position — over thousands of random edits of multi-statement policies: typing in
//! strings, deleting and inserting anywhere, breaking the JSON and repairing it, on
//! indented and one-line texts, with non-ASCII text and statements with errors.

use iamtrace::policy::incremental::{ParsedPolicy, Reuse, edit_range};
use iamtrace::policy::{ParseContext, PolicyKind, parse_policy_text};

/// A small deterministic generator (xorshift), so a failure repeats.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// Statements of many shapes: conditions, principals, NotAction, lists, non-ASCII text,
/// and one with a duplicate key (an error whose message names a line).
fn statements() -> Vec<String> {
    vec![
        r#"{"Sid": "Read", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": ["s3:GetObject", "s3:List*"], "Resource": "arn:aws:s3:::bucket/${aws:username}/*"}"#.into(),
        r#"{"Sid": "Dény日本", "Effect": "Deny", "Principal": "*", "NotAction": "iam:*", "Resource": "*", "Condition": {"NotIpAddress": {"aws:SourceIp": ["203.0.113.0/24", "2001:db8::/32"]}, "Bool": {"aws:SecureTransport": false}}}"#.into(),
        r#"{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole", "Resource": "*", "Condition": {"NumericLessThan": {"aws:MultiFactorAuthAge": 3600}, "DateGreaterThan": {"aws:CurrentTime": "2020-01-01T00:00:00Z"}}}"#.into(),
        r#"{"Sid": "Dup", "Effect": "Allow", "Effect": "Allow", "Principal": "*", "Action": "s3:*", "Resource": "*"}"#.into(),
        r#"{"Sid": "Keys", "Effect": "Allow", "Principal": {"AWS": ["111122223333", "arn:aws:iam::444455556666:role/r"]}, "Action": "kms:Decrypt", "Resource": "*", "Condition": {"StringLike": {"kms:ViaService": "s3.*.amazonaws.com"}, "ForAnyValue:StringEquals": {"aws:TagKeys": ["a", "b"]}}}"#.into(),
    ]
}

fn policy(copies: usize, pretty: bool) -> String {
    let list: Vec<String> = (0..copies).flat_map(|_| statements()).collect();
    if pretty {
        // One member per line, as an editor would hold it.
        let body: Vec<String> = list
            .iter()
            .map(|s| format!("    {}", s.replace(", \"", ",\n      \"")))
            .collect();
        format!(
            "{{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [\n{}\n  ]\n}}",
            body.join(",\n")
        )
    } else {
        format!(
            r#"{{"Version": "2012-10-17", "Statement": [{}]}}"#,
            list.join(", ")
        )
    }
}

/// What a keystroke or a paste may insert.
const PIECES: &[&str] = &[
    "x",
    "é",
    "日",
    "\"",
    "{",
    "}",
    ",",
    ":",
    "[",
    "]",
    "\n",
    " ",
    "\\",
    "*",
    "\"Effect\": \"Deny\", ",
    "\"Action\": \"s3:Get\", ",
    "\"Sid\": \"S\", ",
    "}, {\"Effect\": \"Allow\", \"Action\": \"*\", \"Resource\": \"*\"",
    "\n    ",
];

/// A random edit of `text`: mostly typing or deleting inside a string (which keeps the
/// JSON valid), at times a character of structure or a range anywhere.
fn random_edit(text: &str, rng: &mut Rng) -> String {
    let boundaries: Vec<usize> = (0..=text.len())
        .filter(|&i| text.is_char_boundary(i))
        .collect();
    let in_string: Vec<usize> = text
        .char_indices()
        .filter(|&(i, c)| c.is_alphanumeric() && i > 0 && text.is_char_boundary(i))
        .map(|(i, _)| i)
        .collect();
    let mut out = text.to_string();
    match rng.below(10) {
        0..=3 if !in_string.is_empty() => {
            let at = in_string[rng.below(in_string.len())];
            let piece = ["x", "é", "1", "*", "日"][rng.below(5)];
            out.insert_str(at, piece);
        }
        4..=5 if !in_string.is_empty() => {
            let at = in_string[rng.below(in_string.len())];
            let len = text[at..].chars().next().map_or(0, char::len_utf8);
            out.replace_range(at..at + len, "");
        }
        6..=7 => {
            let at = boundaries[rng.below(boundaries.len())];
            out.insert_str(at, PIECES[rng.below(PIECES.len())]);
        }
        _ => {
            let from = rng.below(boundaries.len());
            let to = (from + 1 + rng.below(6)).min(boundaries.len() - 1);
            out.replace_range(boundaries[from]..boundaries[to], "");
        }
    }
    out
}

/// Edits `text` at random `steps` times, undoing each edit that broke the JSON after a
/// few more keystrokes at times (as a person repairs it), and compares the kept parse
/// with a full parse after every step. Returns how many steps re-parsed one statement.
fn walk(text: &str, ctx: ParseContext, seed: u64, steps: usize) -> usize {
    let mut rng = Rng(seed);
    let mut parsed = ParsedPolicy::new(text, ctx);
    assert_eq!(parsed.result(), parse_policy_text(text, ctx));
    let mut text = text.to_string();
    let mut valid = text.clone();
    let mut one_statement = 0;
    for step in 0..steps {
        let next = if parse_policy_text(&text, ctx).is_err() && rng.below(3) == 0 {
            // Repair: back to the last text that parsed.
            valid.clone()
        } else {
            random_edit(&text, &mut rng)
        };
        if next.len() > 20_000 {
            continue;
        }
        text = next;
        let reuse = parsed.update(&text);
        let full = parse_policy_text(&text, ctx);
        assert_eq!(
            parsed.result(),
            full,
            "seed {seed}, step {step} ({reuse:?}), text:\n{text}"
        );
        assert_eq!(parsed.text(), text);
        if matches!(reuse, Reuse::Statement { .. }) {
            one_statement += 1;
        }
        if full.is_ok() {
            valid = text.clone();
        }
    }
    one_statement
}

#[test]
fn random_edits_of_an_indented_policy_give_what_a_full_parse_gives() {
    let ctx = ParseContext::new(PolicyKind::Resource);
    let text = policy(3, true);
    let mut reused = 0;
    for seed in 1..=6 {
        reused += walk(&text, ctx, seed * 7919, 500);
    }
    // Most edits are inside one statement: the kept parse must have been used.
    assert!(reused > 1000, "only {reused} edits re-parsed one statement");
}

#[test]
fn random_edits_of_a_one_line_policy_give_what_a_full_parse_gives() {
    // Every statement on the same line: columns after the edit move too.
    let ctx = ParseContext::new(PolicyKind::Resource);
    let text = policy(2, false);
    let mut reused = 0;
    for seed in 1..=6 {
        reused += walk(&text, ctx, seed * 104_729, 500);
    }
    assert!(reused > 1000, "only {reused} edits re-parsed one statement");
}

#[test]
fn identity_policies_report_their_principals_the_same_way() {
    // In an identity policy every Principal is an error: most statements have errors.
    let ctx = ParseContext::new(PolicyKind::Identity);
    let reused = walk(&policy(2, true), ctx, 42, 800);
    assert!(reused > 200, "only {reused} edits re-parsed one statement");
}

#[test]
fn a_single_statement_object_and_edits_outside_statements() {
    let ctx = ParseContext::new(PolicyKind::Resource);
    let one = statements()[0].clone();
    let text = format!(r#"{{"Version": "2012-10-17", "Statement": {one}}}"#);
    walk(&text, ctx, 5, 400);
    // Changing the Version changes how every statement reads: parsed whole.
    let mut parsed = ParsedPolicy::new(&policy(1, true), ctx);
    let old = policy(1, true).replace("2012-10-17", "2008-10-17");
    assert_eq!(parsed.update(&old), Reuse::Whole);
    assert_eq!(parsed.result(), parse_policy_text(&old, ctx));
    assert_eq!(parsed.update(&old), Reuse::Unchanged);
}

#[test]
fn the_edit_range_is_the_difference() {
    assert_eq!(edit_range("abcdef", "abXdef"), (2, 3, 3));
    assert_eq!(edit_range("abc", "abc"), (3, 3, 3));
    assert_eq!(edit_range("aaaa", "aaaaa"), (4, 4, 5));
    // Never inside a character: é and è share their first byte.
    assert_eq!(edit_range("xéy", "xèy"), (1, 3, 3));
    let long = "a".repeat(1000);
    let edited = format!("{}b{}", &long[..700], &long[700..]);
    let (at, old_end, new_end) = edit_range(&long, &edited);
    assert_eq!(
        format!(
            "{}{}{}",
            &long[..at],
            &edited[at..new_end],
            &long[old_end..]
        ),
        edited
    );
    assert_eq!((old_end - at, new_end - at), (0, 1));
}

/// A scenario with two identity policies (lint findings of many kinds, an escalation
/// across them) and a bucket policy.
fn lint_scenario() -> iamtrace::scenario::Scenario {
    let identity = r#"{"Version": "2012-10-17", "Statement": [
        {"Sid": "Pass", "Effect": "Allow", "Action": ["iam:PassRole", "s3:GetObjectx", "s3:Get*", "s3:GetObject"], "Resource": "*"},
        {"Sid": "Pass", "Effect": "Allow", "NotAction": "iam:*", "Resource": "*", "Condition": {"StringEquals": {"aws:SourceIp": "10.*", "s3:prefix": "a"}}},
        {"Sid": "bad-sid", "Effect": "Deny", "Action": "ec2:RunInstances", "Resource": "arn:aws:ec2:moon-1:1234:instance/*", "Condition": {"NotIpAddress": {"aws:SourceIp": "10.0.0.0/8"}}},
        {"Effect": "Allow", "Action": "lambda:CreateFunction", "Resource": "arn:aws:s3:::b/${aws:username}"}]}"#;
    let other = r#"{"Statement": {"Effect": "Allow", "Action": "lambda:InvokeFunction", "Resource": "arn:aws:lambda:us-east-1:111122223333:function:f/${aws:username}"}}"#;
    let bucket = r#"{"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"},
        {"Effect": "Allow", "Principal": {"AWS": "111122223333"}, "Action": ["s3:PutObject", "s3:Put*"], "Resource": "arn:aws:s3:::b/*", "Condition": {"ForAllValues:StringEquals": {"aws:TagKeys": "a"}}}]}"#;
    let text = format!(
        r#"{{"policies": {{"identity": [{{"name": "a", "document": {identity}}}, {{"name": "b", "document": {other}}}],
            "resource": [{{"attachedTo": "arn:aws:s3:::b", "document": {bucket}}}]}},
            "requests": [{{"principal": "arn:aws:iam::111122223333:user/u", "action": "s3:GetObject", "resource": "arn:aws:s3:::b/k"}}]}}"#
    );
    iamtrace::input::load_str(&text).expect("the lint scenario loads")
}

#[test]
fn kept_parses_and_lint_findings_are_those_of_a_full_compile_and_lint() {
    iamtrace::catalog::services::catalog();
    let mut scenario = lint_scenario();
    let mut cache = iamtrace::scenario::PolicyCache::default();
    let mut rng = Rng(2024);
    let mut valid: Vec<String> = scenario.sources.iter().map(|s| s.text.clone()).collect();
    let mut findings = 0;
    for step in 0..1500 {
        let i = rng.below(scenario.sources.len());
        let text = &scenario.sources[i].text;
        let ctx = iamtrace::scenario::parse_context(&scenario.sources[i]);
        scenario.sources[i].text = if parse_policy_text(text, ctx).is_err() && rng.below(3) == 0 {
            valid[i].clone()
        } else {
            random_edit(text, &mut rng)
        };
        let (set, errors) = cache.compile(&scenario);
        let lint = cache.lint(&scenario, &set, &errors);
        let (full_set, full_errors) = iamtrace::scenario::compile_sources(&scenario);
        assert_eq!(errors, full_errors, "step {step}");
        assert_eq!(set, full_set, "step {step}");
        let full_lint = iamtrace::lint::lint_compiled(&scenario, &full_set, &full_errors);
        assert_eq!(lint, full_lint, "step {step}: {}", scenario.sources[i].text);
        findings += lint.iter().map(Vec::len).sum::<usize>();
        if errors[i].is_empty() {
            valid[i] = scenario.sources[i].text.clone();
        }
    }
    let (one, whole) = cache.counts();
    assert!(
        one > 500,
        "{one} statements parsed alone, {whole} policies whole"
    );
    assert!(
        findings > 1500 * 5,
        "the policies have findings to keep: {findings}"
    );
}
