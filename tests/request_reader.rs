//! The quick request reader (by hand over the bytes: `read_request`, `read_prepared`)
//! against the strict one (a position-keeping tree: `read_request_strict`): on
//! generated request objects, written with every kind of whitespace and escape, and on
//! the same objects mutated (bytes cut out, tokens put in, members repeated or
//! re-cased, values of the wrong type), both must take and refuse the same texts, and
//! read what they take to the same request. A file is then valid or invalid the same
//! way on both paths, and only the strict one is needed to say where a problem is.

use iamtrace::eval::PreparedRequest;
use iamtrace::scenario::{RequestSpec, read_prepared, read_request, read_request_strict};
use proptest::prelude::*;
use proptest::sample::Index;
use proptest::strategy::ValueTree;
use proptest::test_runner::FileFailurePersistence;

/// What the quick and strict readers make of `text` agree; returns whether it is a
/// valid request, for the callers' counts.
fn agree(text: &str) -> bool {
    let strict = read_request_strict(text);
    let quick = read_request(text);
    let prepared = read_prepared(text);
    match (&strict, &quick) {
        (Ok(s), Some(q)) => {
            let s = RequestSpec {
                span: Default::default(),
                ..s.clone()
            };
            assert_eq!(&s, q, "read differently: {text:?}");
        }
        (Err(_), None) => {}
        (Ok(_), None) => panic!("only the strict reader takes {text:?}"),
        (Err(e), Some(_)) => panic!(
            "only the quick reader takes {text:?}; the strict one says {:?}",
            e.diagnostics
        ),
    }
    match (&strict, prepared) {
        (Ok(s), Some(p)) => {
            assert_eq!(p.request, PreparedRequest::new(&s.request), "{text:?}");
            assert_eq!(p.name.as_deref(), s.name.as_deref(), "{text:?}");
            assert_eq!(p.via.as_deref(), s.via.as_deref(), "{text:?}");
            assert_eq!(p.expect, s.expect, "{text:?}");
        }
        (Err(_), None) => {}
        (s, p) => panic!(
            "read_prepared and the strict reader disagree on {text:?}: {:?} / {}",
            s.as_ref().map(|_| ()),
            p.is_some()
        ),
    }
    strict.is_ok()
}

// Each vocabulary: the values the strict reader takes, then (after `|`) some it
// refuses; a value is taken from the second part one time in six.
const PRINCIPALS: (&[&str], &[&str]) = (
    &[
        "arn:aws:iam::111122223333:user/alice",
        "arn:aws:sts::111122223333:assumed-role/dev/s1",
        "ec2.amazonaws.com",
        "anonymous",
        "accounts.google.com",
        "arn:aws:iam::111122223333:saml-provider/x",
    ],
    &["*", "alice", ""],
);
const ACTIONS: (&[&str], &[&str]) = (
    &["s3:GetObject", "kms:CreateGrant"],
    &["s3:*", "s3", ":x", ""],
);
const RESOURCES: (&[&str], &[&str]) = (
    &[
        "*",
        "arn:aws:s3:::b/k",
        "arn:aws:kms:ca-central-1:111122223333:key/1",
    ],
    &["bucket", ""],
);
const ACCOUNTS: (&[&str], &[&str]) = (&["111122223333"], &["1111", "aws", "11112222333a"]);
const EXPECTS: (&[&str], &[&str]) = (
    &["allow", "explicit_deny", "implicit_deny"],
    &["Allow", "deny"],
);
/// Context keys that may repeat one another in letter case (as the strict reader
/// compares them, or only as Unicode does).
const KEYS: &[&str] = &[
    "aws:SourceIp",
    "aws:sourceip",
    "AWS:SourceIP",
    "aws:PrincipalTag/team",
    "aws:CurrentTime",
    "k",
    "K",
    "É",
    "é",
    "",
    "ß",
    "SS",
];
/// Scalars as JSON text.
const SCALARS: &[&str] = &[
    "\"203.0.113.5\"",
    "\"10.0.0.0/8\"",
    "\"2026-11-29T10:00:00Z\"",
    "\"\"",
    "\"ÀÉ\"",
    "0",
    "-0",
    "1.50e2",
    "-12.5E-3",
    "123456789012345678901234567890",
    "true",
    "false",
];
/// JSON whitespace and what jsonc-parser also skips.
const SPACES: &[&str] = &[
    "", " ", "\n", "\r\n", "\t", "\u{b}", "\u{c}", "\u{a0}", "\u{2028}", "\u{3000}",
];
/// What a mutation may put in.
const TOKENS: &[&str] = &[
    "{",
    "}",
    "[",
    "]",
    ",",
    ":",
    "\"",
    "\\",
    "null",
    "true",
    "1",
    "-",
    ".",
    "e",
    "01",
    "x",
    "\"name\": \"n\", ",
    "\"via\": 1, ",
    "\"context\": {}, ",
    "\"notes\": [], ",
    "\"Name\": \"n\", ",
    "\"k\": \"v\", ",
    "\"K\": 1, ",
    "/* c */",
    "// c\n",
    "'s'",
    "\u{feff}",
    "\u{1}",
    "\u{7f}",
    "\\u00e9",
    "\\ud83d\\ude00",
    "\\ud800",
    "\\udc00",
    "\\'",
    "\\x41",
    "\\/",
    "é",
    " ",
    "\u{b}",
    "\u{2028}",
];

/// A JSON string literal for `s`, escaped in one of several ways.
fn quoted(s: &str, style: u8) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match (c, style % 4) {
            ('"', _) => out.push_str("\\\""),
            ('\\', _) => out.push_str("\\\\"),
            (c, 1) if !c.is_ascii() => {
                let mut buf = [0u16; 2];
                for unit in c.encode_utf16(&mut buf) {
                    out.push_str(&format!("\\u{unit:04x}"));
                }
            }
            ('/', 2) => out.push_str("\\/"),
            (c, 3) if c.is_ascii_alphabetic() => out.push_str(&format!("\\u{:04X}", c as u32)),
            (c, _) => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A generated request: its members as (key text, value text), written with `spaces`.
#[derive(Debug, Clone)]
struct Gen {
    members: Vec<(String, String)>,
}

fn pick(list: &'static [&'static str]) -> impl Strategy<Value = &'static str> {
    proptest::sample::select(list)
}

/// Mostly a value the strict reader takes, sometimes one it refuses.
fn choose(
    (good, bad): (&'static [&'static str], &'static [&'static str]),
) -> impl Strategy<Value = &'static str> {
    prop_oneof![5 => pick(good), 1 => pick(bad)]
}

/// A context key: mostly one of many, sometimes one of [`KEYS`].
fn key() -> impl Strategy<Value = String> {
    prop_oneof![
        5 => "[a-z]{1,3}:[A-Za-z]{1,8}",
        1 => pick(KEYS).prop_map(str::to_string),
    ]
}

fn context() -> impl Strategy<Value = String> {
    let value = prop_oneof![
        3 => pick(SCALARS).prop_map(str::to_string),
        1 => proptest::collection::vec(pick(SCALARS), 0..3).prop_map(|v| format!("[{}]", v.join(", "))),
    ];
    proptest::collection::vec((key(), value, 0u8..4), 0..6).prop_map(|entries| {
        let body: Vec<String> = entries
            .into_iter()
            .map(|(k, v, style)| format!("{}: {v}", quoted(&k, style)))
            .collect();
        format!("{{{}}}", body.join(", "))
    })
}

fn request() -> impl Strategy<Value = Gen> {
    (
        (choose(PRINCIPALS), choose(ACTIONS), choose(RESOURCES)),
        proptest::option::of(choose(ACCOUNTS)),
        proptest::option::of(choose(EXPECTS)),
        proptest::option::of("[a-c]{1,2}"),
        proptest::option::of("[a-c]{1,2}"),
        proptest::option::of(context()),
        proptest::option::of(proptest::collection::vec("[a-zé\"]{0,3}", 0..3)),
        0u8..4,
        any::<Index>(),
    )
        .prop_map(
            |((p, a, r), account, expect, name, via, context, notes, style, at)| {
                let q = |s: &str| quoted(s, style);
                let mut members = vec![
                    ("principal".to_string(), q(p)),
                    ("action".to_string(), q(a)),
                    ("resource".to_string(), q(r)),
                ];
                let optional = [
                    ("resourceAccount", account.map(q)),
                    ("expect", expect.map(q)),
                    ("name", name.as_deref().map(q)),
                    ("via", via.as_deref().map(q)),
                    ("context", context),
                    (
                        "notes",
                        notes.map(|n| {
                            format!("[{}]", n.iter().map(|s| q(s)).collect::<Vec<_>>().join(","))
                        }),
                    ),
                ];
                for (k, v) in optional {
                    if let Some(v) = v {
                        let i = at.index(members.len() + 1);
                        members.insert(i, (k.to_string(), v));
                    }
                }
                Gen {
                    members: members.into_iter().map(|(k, v)| (q(&k), v)).collect(),
                }
            },
        )
}

/// `g` written as text, with whitespace chosen by `spaces` at each place.
fn render(g: &Gen, spaces: &[Index]) -> String {
    let mut n = 0;
    let mut sp = || {
        n += 1;
        spaces
            .get(n % spaces.len().max(1))
            .map_or("", |i| SPACES[i.index(SPACES.len())])
    };
    let mut out = format!("{}{{", sp());
    for (i, (k, v)) in g.members.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(&format!("{}{k}{}:{}{v}{}", sp(), sp(), sp(), sp()));
    }
    out.push_str(&format!("{}}}{}", sp(), sp()));
    out
}

/// One change to a request's text or members.
#[derive(Debug, Clone)]
enum Mutation {
    /// Cut out `len` characters at a place.
    Cut(Index, usize),
    /// Put a token in at a place.
    Put(Index, Index),
    /// Write a member twice.
    Repeat(Index),
    /// Change the letter case of a member's key.
    Recase(Index),
    /// Give a member another member's value (often of another type).
    Swap(Index, Index),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (any::<Index>(), 1usize..3).prop_map(|(i, n)| Mutation::Cut(i, n)),
        (any::<Index>(), any::<Index>()).prop_map(|(i, t)| Mutation::Put(i, t)),
        any::<Index>().prop_map(Mutation::Repeat),
        any::<Index>().prop_map(Mutation::Recase),
        (any::<Index>(), any::<Index>()).prop_map(|(a, b)| Mutation::Swap(a, b)),
    ]
}

/// `g` with the member changes of `ms` made, written, then the text changes made.
fn mutated(g: &Gen, spaces: &[Index], ms: &[Mutation]) -> String {
    let mut g = g.clone();
    for m in ms {
        let n = g.members.len();
        match m {
            Mutation::Repeat(i) => {
                let member = g.members[i.index(n)].clone();
                g.members.push(member);
            }
            Mutation::Recase(i) => {
                let k = &mut g.members[i.index(n)].0;
                *k = if k.chars().any(|c| c.is_ascii_lowercase()) {
                    k.to_ascii_uppercase()
                } else {
                    k.to_ascii_lowercase()
                };
            }
            Mutation::Swap(a, b) => {
                let v = g.members[b.index(n)].1.clone();
                g.members[a.index(n)].1 = v;
            }
            _ => {}
        }
    }
    let mut text = render(&g, spaces);
    for m in ms {
        let places: Vec<usize> = text
            .char_indices()
            .map(|(i, _)| i)
            .chain([text.len()])
            .collect();
        match m {
            Mutation::Cut(i, len) => {
                let from = i.index(places.len());
                let to = places[(from + len).min(places.len() - 1)];
                text.replace_range(places[from]..to, "");
            }
            Mutation::Put(i, t) => {
                text.insert_str(places[i.index(places.len())], TOKENS[t.index(TOKENS.len())]);
            }
            _ => {}
        }
    }
    text
}

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: 2000,
        failure_persistence: Some(Box::new(FileFailurePersistence::Direct(
            "proptest-regressions/request_reader.txt",
        ))),
        ..ProptestConfig::default()
    }
}

proptest! {
    #![proptest_config(config())]

    /// Generated requests, valid or not in their values, as written.
    #[test]
    fn generated_requests_read_alike(g in request(), spaces in proptest::collection::vec(any::<Index>(), 1..8)) {
        agree(&render(&g, &spaces));
    }

    /// The same, changed by one to three mutations.
    #[test]
    fn mutated_requests_read_alike(
        g in request(),
        spaces in proptest::collection::vec(any::<Index>(), 1..8),
        ms in proptest::collection::vec(mutation(), 1..4),
    ) {
        agree(&mutated(&g, &spaces, &ms));
    }
}

/// Both outcomes are exercised: the generator makes valid requests often enough, and
/// mutations make invalid ones (else the agreement above would prove little).
#[test]
fn generation_makes_both_valid_and_invalid_requests() {
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let (mut valid, mut invalid) = (0, 0);
    for _ in 0..500 {
        let g = request().new_tree(&mut runner).unwrap().current();
        let spaces = proptest::collection::vec(any::<Index>(), 1..8)
            .new_tree(&mut runner)
            .unwrap()
            .current();
        let ms = proptest::collection::vec(mutation(), 0..3)
            .new_tree(&mut runner)
            .unwrap()
            .current();
        if agree(&mutated(&g, &spaces, &ms)) {
            valid += 1;
        } else {
            invalid += 1;
        }
    }
    assert!(
        valid >= 50 && invalid >= 50,
        "valid {valid}, invalid {invalid}"
    );
}

/// Texts at the edges of JSON, each read alike.
#[test]
fn edge_texts_read_alike() {
    let base = r#"{"principal": "anonymous", "action": "s3:GetObject", "resource": "*"}"#;
    let with = |extra: &str| base.replacen('{', &format!("{{{extra}"), 1);
    let texts = [
        base.to_string(),
        format!("\u{feff}{base}"),
        format!("\u{feff}\u{feff}{base}"),
        format!("{base}\u{feff}"),
        format!("{base}{base}"),
        format!("[{base}]"),
        String::new(),
        "null".into(),
        with(r#""context": {"a": 1, "A": 2}, "#),
        with(r#""context": {"a": 1, "a": 1}, "#),
        with(r#""context": {"É": 1, "é": 2}, "#),
        with(r#""context": {"ß": 1, "SS": 2}, "#),
        with(r#""context": {"k": "a\u0000b"}, "#),
        with(r#""context": {"k": "\uDBFF\uDFFF"}, "#),
        with(r#""context": {"k": "\ud800\udbff"}, "#),
        with(r#""context": {"k": 1e5, "l": 1E+5, "m": -0.0e-0}, "#),
        with(r#""context": {"k": 00}, "#),
        with(r#""context": {"k": -}, "#),
        with(r#""context": {"k": Infinity}, "#),
        with(r#""context": {"k": NaN}, "#),
        with(r#""context": {"k": 0x1}, "#),
        with(r#""context": {k: 1}, "#),
        with(r#""context": null, "#),
        with(r#""notes": null, "#),
        with(r#""notes": "n", "#),
        with(r#""expect": null, "#),
        with(r#""name": "a", "name": "a", "#),
        with("\"principal\": \"anonymous\", "),
        with("\"na\\u006de\": \"x\", "),
        with("\"resourceAccount\": \"111122223333\", "),
        with("\"resourceAccount\": \"\", "),
    ];
    for t in &texts {
        agree(t);
    }
}

/// The fuzz target's seeds (valid request objects, one with escapes and every kind of
/// whitespace) are read alike, and valid.
#[test]
fn fuzz_seeds_read_alike_and_are_valid() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/seeds/request_reader");
    let mut n = 0;
    for entry in std::fs::read_dir(&dir).expect("the seeds folder") {
        let path = entry.expect("a seed").path();
        let text = std::fs::read_to_string(&path).expect("a seed's text");
        assert!(agree(&text), "{} is not a valid request", path.display());
        n += 1;
    }
    assert!(n >= 4, "{n} seeds");
}
