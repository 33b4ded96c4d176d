//! Shared helpers for the fuzz targets: the fixed scenarios some targets start from,
//! and strings biased towards what IAM requests really contain.

use arbitrary::Arbitrary;
use iamtrace::eval::{ContextValue, Request, Scalar, ScalarKind};
use iamtrace::input::load_str;
use iamtrace::scenario::{RequestSpec, Scenario};
use std::path::{Path, PathBuf};

/// The repository root (the fuzz crate lives in `<root>/fuzz`).
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("fuzz/ has a parent")
        .to_path_buf()
}

fn json_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    for p in paths {
        if p.is_dir() {
            json_files(&p, out);
        } else if p.extension().is_some_and(|e| e == "json") {
            out.push(p);
        }
    }
}

/// The texts of the built-in scenarios and the conformance cases, in a fixed order.
pub fn scenario_texts() -> Vec<(PathBuf, String)> {
    let root = repo_root();
    let mut files = Vec::new();
    json_files(&root.join("assets/scenarios"), &mut files);
    json_files(&root.join("tests/cases"), &mut files);
    assert!(
        !files.is_empty(),
        "no scenarios found under {}",
        root.display()
    );
    files
        .into_iter()
        .map(|p| {
            let text = std::fs::read_to_string(&p).expect("readable scenario");
            (p, text)
        })
        .collect()
}

/// The scenarios that load (a case being edited while the fuzzer starts is skipped,
/// with a note on stderr).
pub fn scenarios() -> Vec<Scenario> {
    loaded(scenario_texts())
}

/// Loads `texts`, skipping (with a note) those that do not load.
pub fn loaded(texts: Vec<(PathBuf, String)>) -> Vec<Scenario> {
    let out: Vec<Scenario> = texts
        .into_iter()
        .filter_map(|(p, text)| match load_str(&text) {
            Ok(s) => Some(s),
            Err(e) => {
                eprintln!("skipping {}: {:?}", p.display(), e.diagnostics);
                None
            }
        })
        .collect();
    assert!(!out.is_empty(), "no scenario loads");
    out
}

/// Every string in a JSON value (object keys included).
fn collect_strings(v: &serde_json::Value, out: &mut Vec<String>) {
    match v {
        serde_json::Value::String(s) => out.push(s.clone()),
        serde_json::Value::Array(a) => a.iter().for_each(|x| collect_strings(x, out)),
        serde_json::Value::Object(o) => {
            for (k, x) in o {
                out.push(k.clone());
                collect_strings(x, out);
            }
        }
        serde_json::Value::Number(n) => out.push(n.to_string()),
        serde_json::Value::Bool(b) => out.push(b.to_string()),
        serde_json::Value::Null => {}
    }
}

/// Realistic strings, by the request field they usually fill.
#[derive(Debug, Default)]
pub struct Vocabulary {
    /// Principals (ARNs, service names, `anonymous`).
    pub principals: Vec<String>,
    /// `service:Action`.
    pub actions: Vec<String>,
    /// Resource ARNs and `*`.
    pub resources: Vec<String>,
    /// Accounts.
    pub accounts: Vec<String>,
    /// Context key names.
    pub keys: Vec<String>,
    /// Context values.
    pub values: Vec<String>,
    /// Every string of every scenario file (policy texts included).
    pub all: Vec<String>,
}

const EXTRA_PRINCIPALS: &[&str] = &[
    "anonymous",
    "*",
    "arn:aws:iam::111122223333:root",
    "arn:aws:iam::111122223333:user/alice",
    "arn:aws:iam::111122223333:role/Admin",
    "arn:aws:sts::111122223333:assumed-role/Admin/session",
    "arn:aws:sts::111122223333:federated-user/bob",
    "arn:aws:iam::111122223333:role/aws-service-role/x.amazonaws.com/AWSServiceRole",
    "s3.amazonaws.com",
    "cognito-identity.amazonaws.com",
    "arn:aws:iam::444455556666:user/path/to/carol",
    "arn:aws-cn:iam::111122223333:user/alice",
    "111122223333",
];
const EXTRA_ACTIONS: &[&str] = &[
    "s3:GetObject",
    "s3:PutObject",
    "s3:ListBucket",
    "sts:AssumeRole",
    "sts:GetCallerIdentity",
    "kms:Decrypt",
    "ec2:RunInstances",
    "iam:PassRole",
    "*",
    "s3:*",
];
const EXTRA_RESOURCES: &[&str] = &[
    "*",
    "arn:aws:s3:::examplebucket",
    "arn:aws:s3:::examplebucket/key",
    "arn:aws:iam::111122223333:role/Admin",
    "arn:aws:kms:us-east-1:111122223333:key/1234",
    "arn:aws:ec2:us-east-1:111122223333:instance/i-0123",
    "arn:aws:iam::aws:policy/ReadOnlyAccess",
];
const EXTRA_KEYS: &[&str] = &[
    "aws:SourceIp",
    "aws:SourceVpce",
    "aws:SourceVpc",
    "aws:VpcSourceIp",
    "aws:CurrentTime",
    "aws:EpochTime",
    "aws:MultiFactorAuthPresent",
    "aws:MultiFactorAuthAge",
    "aws:SecureTransport",
    "aws:PrincipalTag/team",
    "aws:ResourceTag/team",
    "aws:RequestTag/team",
    "aws:TagKeys",
    "aws:PrincipalArn",
    "aws:PrincipalAccount",
    "aws:PrincipalOrgID",
    "aws:PrincipalIsAWSService",
    "aws:ViaAWSService",
    "aws:CalledVia",
    "aws:RequestedRegion",
    "aws:username",
    "aws:userid",
    "aws:SourceArn",
    "aws:SourceAccount",
    "aws:TokenIssueTime",
    "aws:PrincipalType",
    "s3:prefix",
    "s3:x-amz-acl",
    "kms:ViaService",
    "kms:EncryptionContext:project",
];
const EXTRA_VALUES: &[&str] = &[
    "",
    "true",
    "false",
    "TRUE",
    "0",
    "-1",
    "1.5",
    "1e3",
    "99999999999999999999999999",
    "3600",
    "192.0.2.10",
    "10.0.0.0/8",
    "2001:db8::1",
    "::ffff:192.0.2.1",
    "2020-01-01T00:00:00Z",
    "2020-01-01",
    "1577836800",
    "2038-01-19T03:14:08+01:00",
    "dGVzdA==",
    "us-east-1",
    "vpce-1a2b3c4d",
    "o-exampleorgid",
    "*",
    "?",
    "${aws:username}",
    "${*}",
    "${?}",
    "${$}",
    "arn:aws:iam::111122223333:user/alice",
    "null",
];

impl Vocabulary {
    /// The strings of `texts` (scenario files) plus built-in lists.
    pub fn new(texts: &[String], scenarios: &[Scenario]) -> Self {
        let mut v = Vocabulary::default();
        let push_all = |to: &mut Vec<String>, from: &[&str]| {
            to.extend(from.iter().map(|s| s.to_string()));
        };
        push_all(&mut v.principals, EXTRA_PRINCIPALS);
        push_all(&mut v.actions, EXTRA_ACTIONS);
        push_all(&mut v.resources, EXTRA_RESOURCES);
        push_all(&mut v.keys, EXTRA_KEYS);
        push_all(&mut v.values, EXTRA_VALUES);
        v.accounts
            .extend(["111122223333", "444455556666", ""].map(String::from));
        for s in scenarios {
            for r in &s.requests {
                let r = &r.request;
                v.principals.push(r.principal.clone());
                v.actions.push(r.action.clone());
                v.resources.push(r.resource.clone());
                if let Some(a) = &r.resource_account {
                    v.accounts.push(a.clone());
                }
                for (k, val) in &r.context {
                    v.keys.push(k.clone());
                    match val {
                        ContextValue::One(x) => v.values.push(x.text.clone()),
                        ContextValue::Many(xs) => {
                            v.values.extend(xs.iter().map(|x| x.text.clone()))
                        }
                    }
                }
            }
        }
        for t in texts {
            if let Ok(json) = serde_json::from_str::<serde_json::Value>(t) {
                collect_strings(&json, &mut v.all);
            }
        }
        // Descriptions are long prose: they only slow the fuzzer down.
        v.all.retain(|s| s.len() <= 200);
        for list in [
            &mut v.principals,
            &mut v.actions,
            &mut v.resources,
            &mut v.accounts,
            &mut v.keys,
            &mut v.values,
            &mut v.all,
        ] {
            list.sort();
            list.dedup();
        }
        v
    }
}

/// A string: mostly picked from a list of realistic ones, sometimes edited, sometimes
/// raw bytes from the input.
#[derive(Debug, Arbitrary)]
pub enum FuzzStr {
    /// From the list for the field being filled.
    Field(u16),
    /// From every string of every scenario file.
    Any(u16),
    /// A picked string, edited.
    Edited(u16, Edit),
    /// Raw.
    Raw(String),
}

/// An edit of a picked string.
#[derive(Debug, Arbitrary)]
pub enum Edit {
    /// Text before.
    Prefix(String),
    /// Text after.
    Suffix(String),
    /// The first `n` bytes (at a char boundary).
    Truncate(u8),
    /// Upper-cased.
    Upper,
    /// Lower-cased.
    Lower,
    /// Another picked string after this one.
    Join(u16),
}

fn pick(list: &[String], i: u16) -> &str {
    if list.is_empty() {
        ""
    } else {
        &list[i as usize % list.len()]
    }
}

impl FuzzStr {
    /// The string, with `field` as the list for [`FuzzStr::Field`].
    pub fn build(&self, field: &[String], vocab: &Vocabulary) -> String {
        match self {
            FuzzStr::Field(i) => pick(field, *i).to_string(),
            FuzzStr::Any(i) => pick(&vocab.all, *i).to_string(),
            FuzzStr::Raw(s) => s.clone(),
            FuzzStr::Edited(i, edit) => {
                let base = pick(field, *i);
                match edit {
                    Edit::Prefix(p) => format!("{p}{base}"),
                    Edit::Suffix(s) => format!("{base}{s}"),
                    Edit::Truncate(n) => {
                        let mut n = (*n as usize).min(base.len());
                        while !base.is_char_boundary(n) {
                            n -= 1;
                        }
                        base[..n].to_string()
                    }
                    Edit::Upper => base.to_uppercase(),
                    Edit::Lower => base.to_lowercase(),
                    Edit::Join(j) => format!("{base}{}", pick(&vocab.all, *j)),
                }
            }
        }
    }
}

/// A context value.
#[derive(Debug, Arbitrary)]
pub enum FuzzValue {
    /// Single-valued.
    One(FuzzStr, u8),
    /// Multi-valued (possibly empty).
    Many(Vec<(FuzzStr, u8)>),
}

fn scalar(s: &FuzzStr, kind: u8, vocab: &Vocabulary) -> Scalar {
    Scalar {
        text: s.build(&vocab.values, vocab),
        kind: match kind % 3 {
            0 => ScalarKind::String,
            1 => ScalarKind::Number,
            _ => ScalarKind::Bool,
        },
    }
}

/// A request, before its strings are picked: a scenario's own request (when one is
/// given) with some fields replaced, some context keys dropped and others added.
#[derive(Debug, Arbitrary)]
pub struct FuzzRequest {
    /// Start from this request of the scenario (else from an empty request).
    pub base: Option<u8>,
    /// Principal (kept from the base when `None`).
    pub principal: Option<FuzzStr>,
    /// Action.
    pub action: Option<FuzzStr>,
    /// Resource.
    pub resource: Option<FuzzStr>,
    /// Resource account (`Some(None)` removes it).
    pub resource_account: Option<Option<FuzzStr>>,
    /// The base's context keys to drop (bit i drops key i).
    pub drop_context: u32,
    /// Context keys added after the base's.
    pub context: Vec<(FuzzStr, FuzzValue)>,
}

impl FuzzRequest {
    /// The request, starting from one of `base_requests` when asked for.
    pub fn build(&self, base_requests: &[RequestSpec], vocab: &Vocabulary) -> Request {
        let mut r = match self.base {
            Some(i) if !base_requests.is_empty() => base_requests[i as usize % base_requests.len()]
                .request
                .clone(),
            _ => Request::default(),
        };
        if let Some(p) = &self.principal {
            r.principal = p.build(&vocab.principals, vocab);
        }
        if let Some(a) = &self.action {
            r.action = a.build(&vocab.actions, vocab);
        }
        if let Some(x) = &self.resource {
            r.resource = x.build(&vocab.resources, vocab);
        }
        if let Some(a) = &self.resource_account {
            r.resource_account = a.as_ref().map(|a| a.build(&vocab.accounts, vocab));
        }
        let mut i = 0;
        r.context.retain(|_| {
            let keep = i >= 32 || self.drop_context & (1 << i) == 0;
            i += 1;
            keep
        });
        r.context.extend(self.context.iter().take(32).map(|(k, v)| {
            let key = k.build(&vocab.keys, vocab);
            let value = match v {
                FuzzValue::One(s, kind) => ContextValue::One(scalar(s, *kind, vocab)),
                FuzzValue::Many(items) => ContextValue::Many(
                    items
                        .iter()
                        .take(16)
                        .map(|(s, kind)| scalar(s, *kind, vocab))
                        .collect(),
                ),
            };
            (key, value)
        }));
        r
    }
}
