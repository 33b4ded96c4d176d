//! Property tests: laws the engine must obey whatever the policies say.
//!
//! Policies and requests are generated from a small vocabulary (a few actions,
//! resources, principals and condition keys, with values that sometimes match, sometimes
//! do not and sometimes do not parse) so that statements really apply and conditions
//! really decide. Every generated scenario is written as scenario JSON and read with
//! `load_str`, the way users feed the engine.
//!
//! 1. Monotonicity: adding a Deny never turns a deny into an allow; adding an Allow never
//!    turns an allow into a deny (identity and resource policies).
//! 2. Form does not matter: statement order, policy order, a bare statement object for
//!    a one-statement array, the letter case of condition key names and of action names.
//! 3. Splitting an identity policy in two changes nothing.
//! 4. Save (to_json) then load keeps the policies and every decision.
//! 5. Missing keys and set operators follow SPEC §3, checked against a reference.
//! 6. Decision-only and traced evaluation agree.

use iamtrace::eval::{Detail, PreparedRequest, evaluate};
use iamtrace::input::load_str;
use iamtrace::scenario::{Scenario, to_json};
use iamtrace::trace::Decision;
use proptest::prelude::*;
use proptest::sample::Index;
use proptest::test_runner::FileFailurePersistence;
use serde_json::{Map, Value, json};
use std::cell::Cell;
use std::collections::BTreeMap;

// ---------------------------------------------------------------------------------
// Vocabulary
// ---------------------------------------------------------------------------------

/// Request principals: same-account user and role session, a cross-account user, the
/// account root, a service principal, an anonymous caller. Alice is listed twice: she
/// is the common case.
const PRINCIPALS: &[&str] = &[
    "arn:aws:iam::111122223333:user/alice",
    "arn:aws:iam::111122223333:user/alice",
    "arn:aws:sts::111122223333:assumed-role/dev/s1",
    "arn:aws:iam::444455556666:user/bob",
    "arn:aws:iam::111122223333:root",
    "sns.amazonaws.com",
    "anonymous",
];

const REQ_ACTIONS: &[&str] = &[
    "s3:GetObject",
    "s3:PutObject",
    "s3:ListBucket",
    "ec2:RunInstances",
    "kms:Decrypt",
    "sts:AssumeRole",
];

const POLICY_ACTIONS: &[&str] = &[
    "s3:GetObject",
    "s3:PutObject",
    "s3:Get*",
    "s3:*Object",
    "s3:*",
    "s3:List*",
    "ec2:RunInstances",
    "ec2:Run?nstances",
    "kms:Decrypt",
    "kms:*",
    "sts:AssumeRole",
    "*",
];

const REQ_RESOURCES: &[&str] = &[
    "arn:aws:s3:::bucket-a/key1",
    "arn:aws:s3:::bucket-b/logs/x.txt",
    "arn:aws:s3:::bucket-a/dev/r.txt",
    "arn:aws:ec2:us-east-1:111122223333:instance/i-123",
    "arn:aws:kms:us-east-1:111122223333:key/abcd",
    "arn:aws:iam::111122223333:role/dev",
    "*",
];

const POLICY_RESOURCES: &[&str] = &[
    "*",
    "arn:aws:s3:::bucket-a/*",
    "arn:aws:s3:::bucket-?/*",
    "arn:aws:s3:::bucket-a/key1",
    "arn:aws:s3:::bucket-a/${aws:PrincipalTag/team}/*",
    "arn:aws:s3:::bucket-a/${aws:PrincipalTag/team, 'dev'}/*",
    "arn:aws:ec2:*:111122223333:instance/*",
    "arn:aws:kms:us-east-1:111122223333:key/*",
    "arn:aws:iam::111122223333:role/dev",
    "arn:aws:*",
];

/// Resource-policy `Principal` values (JSON). NotPrincipal uses entries from index 2 on.
const PRINCIPAL_ELEMS: &[&str] = &[
    r#""*""#,
    r#"{"AWS":"*"}"#,
    r#"{"AWS":"111122223333"}"#,
    r#"{"AWS":"arn:aws:iam::111122223333:root"}"#,
    r#"{"AWS":"arn:aws:iam::111122223333:user/alice"}"#,
    r#"{"AWS":"arn:aws:iam::111122223333:role/dev"}"#,
    r#"{"AWS":"arn:aws:sts::111122223333:assumed-role/dev/s1"}"#,
    r#"{"AWS":["arn:aws:iam::444455556666:root","arn:aws:iam::111122223333:user/alice"]}"#,
    r#"{"Service":"sns.amazonaws.com"}"#,
];

const ATTACHED: &[&str] = &[
    "arn:aws:s3:::bucket-a/*",
    "arn:aws:kms:us-east-1:111122223333:key/abcd",
    "arn:aws:iam::111122223333:role/dev",
    "arn:aws:*",
];

/// Condition keys (aws:TagKeys is multi-valued in AWS).
const KEYS: &[&str] = &[
    "aws:SourceIp",
    "aws:ViaAWSService",
    "aws:PrincipalTag/team",
    "aws:TagKeys",
    "aws:CurrentTime",
    "aws:MultiFactorAuthAge",
    "aws:SourceArn",
];

/// Request values per key (index-aligned with [`KEYS`]). `#…` is raw JSON (a number or
/// a boolean); anything else is a JSON string.
const REQ_VALUES: &[&[&str]] = &[
    &[
        "10.1.2.3",
        "192.0.2.44",
        "203.0.113.7",
        "2001:db8::1",
        "198.51.100.1",
        "not-an-ip",
    ],
    &["true", "false", "#true", "#false", "True", "maybe"],
    &["dev", "Dev", "ops", "sec", "", "d?v"],
    &["env", "team", "Owner", "dev"],
    &[
        "2024-06-01T12:00:00Z",
        "2023-01-01T00:00:00Z",
        "1735689600",
        "#1700000000",
        "2025-06-01",
        "yesterday",
    ],
    &["120", "#7200", "3600", "3600.0", "abc", "0.5"],
    &[
        "arn:aws:s3:::bucket-a",
        "arn:aws:s3:::bucket-dev",
        "arn:aws:sns:us-east-1:111122223333:topic",
        "not-an-arn",
    ],
];

/// An operator family: its operators, policy values that parse for it, and the keys it
/// is naturally used with.
struct Family {
    ops: &'static [&'static str],
    values: &'static [&'static str],
    natural: &'static [usize],
}

const FAMILIES: &[Family] = &[
    Family {
        ops: &[
            "StringEquals",
            "StringNotEquals",
            "StringEqualsIgnoreCase",
            "StringNotEqualsIgnoreCase",
            "StringLike",
            "StringNotLike",
        ],
        values: &[
            "dev",
            "Dev",
            "ops",
            "env",
            "team",
            "d*",
            "?ev",
            "*",
            "${aws:PrincipalTag/team}",
            "${aws:PrincipalTag/team, 'ops'}",
            "${aws:TagKeys}",
            "arn:aws:s3:::bucket-a",
            "true",
            "#7200",
        ],
        natural: &[2, 3],
    },
    Family {
        ops: &[
            "NumericEquals",
            "NumericNotEquals",
            "NumericLessThan",
            "NumericLessThanEquals",
            "NumericGreaterThan",
            "NumericGreaterThanEquals",
        ],
        values: &["3600", "#300", "0.5", "-1", "#7200", "3600.0"],
        natural: &[5],
    },
    Family {
        ops: &[
            "DateEquals",
            "DateNotEquals",
            "DateLessThan",
            "DateLessThanEquals",
            "DateGreaterThan",
            "DateGreaterThanEquals",
        ],
        values: &[
            "2024-01-01T00:00:00Z",
            "2025-06-01",
            "1700000000",
            "#1735689600",
            "2024-06-01T12:00:00+00:00",
        ],
        natural: &[4],
    },
    Family {
        ops: &["Bool"],
        values: &["true", "false", "#true", "#false", "TRUE"],
        natural: &[1],
    },
    Family {
        ops: &["BinaryEquals"],
        values: &["ZGV2", "b3Bz"],
        natural: &[2],
    },
    Family {
        ops: &["IpAddress", "NotIpAddress"],
        values: &[
            "10.0.0.0/8",
            "192.0.2.0/24",
            "203.0.113.7",
            "2001:db8::/32",
            "2001:db8::1",
        ],
        natural: &[0],
    },
    Family {
        ops: &["ArnEquals", "ArnLike", "ArnNotEquals", "ArnNotLike"],
        values: &[
            "arn:aws:s3:::bucket-a",
            "arn:aws:s3:::bucket-*",
            "arn:aws:sns:*:111122223333:topic",
            "arn:aws:*:*:*:*",
            "arn:aws:s3:::bucket-${aws:PrincipalTag/team}",
        ],
        natural: &[6],
    },
    Family {
        ops: &["Null"],
        values: &["true", "false", "#true", "#false"],
        natural: &[0, 1, 2, 3, 4, 5, 6],
    },
];

const NULL_FAMILY: usize = 7;

// ---------------------------------------------------------------------------------
// The generated model
// ---------------------------------------------------------------------------------

#[derive(Debug, Clone)]
struct Cond {
    /// Full operator name (`ForAnyValue:StringLikeIfExists`).
    op: String,
    /// Index into [`KEYS`].
    key: usize,
    values: Vec<&'static str>,
}

#[derive(Debug, Clone)]
struct Stmt {
    deny: bool,
    not_action: bool,
    actions: Vec<&'static str>,
    not_resource: bool,
    resources: Vec<&'static str>,
    /// Index into [`PRINCIPAL_ELEMS`] (rendered in resource policies only).
    principal: usize,
    /// NotPrincipal (rendered only for a Deny and an entry from index 2 on).
    not_principal: bool,
    conds: Vec<Cond>,
}

#[derive(Debug, Clone)]
struct Pol {
    v2012: bool,
    stmts: Vec<Stmt>,
}

#[derive(Debug, Clone)]
struct ResPol {
    attached: Option<&'static str>,
    pol: Pol,
}

#[derive(Debug, Clone)]
enum Ctx {
    One(&'static str),
    Many(Vec<&'static str>),
}

#[derive(Debug, Clone)]
struct Req {
    principal: &'static str,
    action: &'static str,
    resource: &'static str,
    /// (key index, value), keys distinct.
    context: Vec<(usize, Ctx)>,
}

#[derive(Debug, Clone)]
struct World {
    identity: Vec<Pol>,
    resource: Vec<ResPol>,
    boundary: Option<Pol>,
    session: Option<Pol>,
    scp: Option<Pol>,
    requests: Vec<Req>,
}

// ---------------------------------------------------------------------------------
// Strategies
// ---------------------------------------------------------------------------------

fn cond() -> impl Strategy<Value = Cond> {
    (
        0..FAMILIES.len(),
        any::<Index>(),
        0..4u8,
        prop::bool::weighted(0.25),
        prop::bool::weighted(0.7),
        any::<Index>(),
        0..KEYS.len(),
        prop::collection::vec(any::<Index>(), 1..=3),
    )
        .prop_map(|(f, op, q, if_exists, natural, nat_key, any_key, vals)| {
            let fam = &FAMILIES[f];
            let base = *op.get(fam.ops);
            let op = if f == NULL_FAMILY {
                base.to_string()
            } else {
                let prefix = match q {
                    2 => "ForAllValues:",
                    3 => "ForAnyValue:",
                    _ => "",
                };
                let suffix = if if_exists { "IfExists" } else { "" };
                format!("{prefix}{base}{suffix}")
            };
            let key = if natural {
                *nat_key.get(fam.natural)
            } else {
                any_key
            };
            Cond {
                op,
                key,
                values: vals.iter().map(|i| *i.get(fam.values)).collect(),
            }
        })
}

fn stmt() -> impl Strategy<Value = Stmt> {
    (
        prop::bool::weighted(0.3),
        prop::bool::weighted(0.1),
        prop::collection::vec(prop::sample::select(POLICY_ACTIONS), 1..=3),
        prop::bool::weighted(0.1),
        prop::collection::vec(prop::sample::select(POLICY_RESOURCES), 1..=2),
        0..PRINCIPAL_ELEMS.len(),
        prop::bool::weighted(0.3),
        prop::collection::vec(cond(), 0..=2),
    )
        .prop_map(
            |(deny, not_action, actions, not_resource, resources, principal, np, conds)| Stmt {
                deny,
                not_action,
                actions,
                not_resource,
                resources,
                principal,
                not_principal: np,
                conds,
            },
        )
}

fn stmt_with(deny: bool) -> impl Strategy<Value = Stmt> {
    stmt().prop_map(move |mut s| {
        s.deny = deny;
        s
    })
}

fn pol() -> impl Strategy<Value = Pol> {
    (
        prop::bool::weighted(0.85),
        prop::collection::vec(stmt(), 1..=4),
    )
        .prop_map(|(v2012, stmts)| Pol { v2012, stmts })
}

fn res_pol() -> impl Strategy<Value = ResPol> {
    (
        prop::option::weighted(0.5, prop::sample::select(ATTACHED)),
        pol(),
    )
        .prop_map(|(attached, pol)| ResPol { attached, pol })
}

fn ctx_value(key: usize) -> impl Strategy<Value = Option<Ctx>> {
    (
        0..10u8,
        any::<Index>(),
        0..KEYS.len(),
        prop::collection::vec(any::<Index>(), 0..=3),
    )
        .prop_map(move |(shape, i, other_key, many)| {
            let own = REQ_VALUES[key];
            // aws:TagKeys is multi-valued: mostly an array.
            let multi_bias = if key == 3 { 5 } else { 8 };
            match shape {
                0..=2 => None,
                s if s >= multi_bias => Some(Ctx::Many(many.iter().map(|i| *i.get(own)).collect())),
                3 => Some(Ctx::One(
                    REQ_VALUES[other_key][i.index(REQ_VALUES[other_key].len())],
                )),
                _ => Some(Ctx::One(own[i.index(own.len())])),
            }
        })
}

fn req() -> impl Strategy<Value = Req> {
    let ctx: Vec<_> = (0..KEYS.len()).map(ctx_value).collect();
    (
        prop::sample::select(PRINCIPALS),
        prop::sample::select(REQ_ACTIONS),
        prop::sample::select(REQ_RESOURCES),
        ctx,
    )
        .prop_map(|(principal, action, resource, ctx)| Req {
            principal,
            action,
            resource,
            context: ctx
                .into_iter()
                .enumerate()
                .filter_map(|(k, v)| v.map(|v| (k, v)))
                .collect(),
        })
}

fn world() -> impl Strategy<Value = World> {
    (
        prop::collection::vec(pol(), 0..=3),
        prop::collection::vec(res_pol(), 0..=2),
        prop::option::weighted(0.2, pol()),
        prop::option::weighted(0.2, pol()),
        prop::option::weighted(0.15, pol()),
        prop::collection::vec(req(), 1..=6),
    )
        .prop_map(
            |(identity, resource, boundary, session, scp, requests)| World {
                identity,
                resource,
                boundary,
                session,
                scp,
                requests,
            },
        )
}

// ---------------------------------------------------------------------------------
// Rendering to scenario JSON
// ---------------------------------------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Identity,
    Resource,
    Boundary,
    Session,
    Scp,
}

/// How a policy document is written in the scenario file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Form {
    Inline,
    String,
    UrlEncoded,
}

/// Ways of writing the same thing.
#[derive(Debug, Default)]
struct Style {
    /// Change the letter case of condition key names (and policy-variable names).
    key_seed: Option<u64>,
    /// Change the letter case of action names.
    action_seed: Option<u64>,
    /// A one-statement policy as a bare statement object.
    bare_single: bool,
    /// One-item Action/Resource/condition-value lists as a bare value.
    bare_singletons: bool,
    /// Document forms, used in turn.
    forms: Vec<Form>,
    counter: Cell<u64>,
    docs: Cell<usize>,
}

fn xorshift(mut x: u64) -> u64 {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    x
}

impl Style {
    fn next(&self, seed: u64) -> u64 {
        let c = self.counter.get() + 1;
        self.counter.set(c);
        xorshift(seed ^ c.wrapping_mul(0x9E37_79B9_7F4A_7C15)) | 1
    }

    /// `s` in another letter case: by `seed`, all lower case, all upper case, or each
    /// letter flipped at random (differently at each occurrence).
    fn recase(&self, s: &str, seed: u64) -> String {
        match seed % 4 {
            0 => return s.to_ascii_lowercase(),
            1 => return s.to_ascii_uppercase(),
            _ => {}
        }
        let mut x = self.next(seed);
        s.chars()
            .map(|c| {
                x = xorshift(x);
                if x & 4 != 0 {
                    if c.is_ascii_lowercase() {
                        c.to_ascii_uppercase()
                    } else {
                        c.to_ascii_lowercase()
                    }
                } else {
                    c
                }
            })
            .collect()
    }

    fn key(&self, k: &str) -> String {
        match self.key_seed {
            Some(seed) => self.recase(k, seed),
            None => k.to_string(),
        }
    }

    fn action(&self, a: &str) -> String {
        match self.action_seed {
            Some(seed) => self.recase(a, seed),
            None => a.to_string(),
        }
    }

    /// Changes the case of the key names inside `${…}` (only where they are variables).
    fn vars(&self, s: &str, v2012: bool) -> String {
        let Some(seed) = self.key_seed.filter(|_| v2012) else {
            return s.to_string();
        };
        let mut out = String::new();
        let mut rest = s;
        while let Some(i) = rest.find("${") {
            out.push_str(&rest[..i + 2]);
            rest = &rest[i + 2..];
            // The key name ends at `,` (a default follows) or `}`.
            let end = rest.find([',', '}']).unwrap_or(rest.len());
            out.push_str(&self.recase(&rest[..end], seed));
            rest = &rest[end..];
        }
        out.push_str(rest);
        out
    }

    fn list(&self, items: Vec<Value>) -> Value {
        if self.bare_singletons && items.len() == 1 {
            items.into_iter().next().unwrap()
        } else {
            Value::Array(items)
        }
    }

    fn form(&self) -> Form {
        let n = self.docs.get();
        self.docs.set(n + 1);
        if self.forms.is_empty() {
            Form::Inline
        } else {
            self.forms[n % self.forms.len()]
        }
    }
}

fn scalar(v: &str) -> Value {
    match v.strip_prefix('#') {
        Some(raw) => serde_json::from_str(raw).expect("raw JSON scalar"),
        None => Value::String(v.to_string()),
    }
}

fn render_stmt(s: &Stmt, kind: Kind, v2012: bool, st: &Style) -> Value {
    let mut m = Map::new();
    m.insert(
        "Effect".into(),
        json!(if s.deny { "Deny" } else { "Allow" }),
    );
    let actions = s.actions.iter().map(|a| json!(st.action(a))).collect();
    m.insert(
        (if s.not_action { "NotAction" } else { "Action" }).into(),
        st.list(actions),
    );
    let resources = s
        .resources
        .iter()
        .map(|r| json!(st.vars(r, v2012)))
        .collect();
    m.insert(
        (if s.not_resource {
            "NotResource"
        } else {
            "Resource"
        })
        .into(),
        st.list(resources),
    );
    if kind == Kind::Resource {
        let not = s.deny && s.not_principal && s.principal >= 2;
        m.insert(
            (if not { "NotPrincipal" } else { "Principal" }).into(),
            serde_json::from_str(PRINCIPAL_ELEMS[s.principal]).unwrap(),
        );
    }
    if !s.conds.is_empty() {
        // Group by operator, then by key (canonical name), pooling values.
        let mut block: BTreeMap<&str, BTreeMap<usize, Vec<&str>>> = BTreeMap::new();
        for c in &s.conds {
            block
                .entry(c.op.as_str())
                .or_default()
                .entry(c.key)
                .or_default()
                .extend(c.values.iter().copied());
        }
        let mut cm = Map::new();
        for (op, keys) in block {
            let mut km = Map::new();
            for (k, values) in keys {
                let vs = values
                    .iter()
                    .map(|v| match scalar(v) {
                        Value::String(t) => Value::String(st.vars(&t, v2012)),
                        other => other,
                    })
                    .collect();
                km.insert(st.key(KEYS[k]), st.list(vs));
            }
            cm.insert(op.to_string(), Value::Object(km));
        }
        m.insert("Condition".into(), Value::Object(cm));
    }
    Value::Object(m)
}

fn render_doc(p: &Pol, kind: Kind, st: &Style) -> Value {
    let stmts: Vec<Value> = p
        .stmts
        .iter()
        .map(|s| render_stmt(s, kind, p.v2012, st))
        .collect();
    let statement = if st.bare_single && stmts.len() == 1 {
        stmts.into_iter().next().unwrap()
    } else {
        Value::Array(stmts)
    };
    let mut m = Map::new();
    if p.v2012 {
        m.insert("Version".into(), json!("2012-10-17"));
    }
    m.insert("Statement".into(), statement);
    Value::Object(m)
}

fn render_entry(p: &Pol, kind: Kind, attached: Option<&str>, st: &Style) -> Value {
    let doc = render_doc(p, kind, st);
    let document = match st.form() {
        Form::Inline => doc,
        Form::String => json!(doc.to_string()),
        Form::UrlEncoded => json!(
            percent_encoding::utf8_percent_encode(
                &doc.to_string(),
                percent_encoding::NON_ALPHANUMERIC
            )
            .to_string()
        ),
    };
    let mut m = Map::new();
    if let Some(a) = attached {
        m.insert("attachedTo".into(), json!(a));
    }
    m.insert("document".into(), document);
    Value::Object(m)
}

fn render_req(r: &Req, st: &Style) -> Value {
    let mut m = Map::new();
    m.insert("principal".into(), json!(r.principal));
    m.insert("action".into(), json!(st.action(r.action)));
    m.insert("resource".into(), json!(r.resource));
    if !r.context.is_empty() {
        let mut c = Map::new();
        for (k, v) in &r.context {
            let value = match v {
                Ctx::One(s) => scalar(s),
                Ctx::Many(vs) => Value::Array(vs.iter().map(|s| scalar(s)).collect()),
            };
            c.insert(st.key(KEYS[*k]), value);
        }
        m.insert("context".into(), Value::Object(c));
    }
    Value::Object(m)
}

fn render(w: &World, st: &Style) -> String {
    let mut policies = Map::new();
    if !w.identity.is_empty() {
        let v = w
            .identity
            .iter()
            .map(|p| render_entry(p, Kind::Identity, None, st))
            .collect();
        policies.insert("identity".into(), Value::Array(v));
    }
    if !w.resource.is_empty() {
        let v = w
            .resource
            .iter()
            .map(|r| render_entry(&r.pol, Kind::Resource, r.attached, st))
            .collect();
        policies.insert("resource".into(), Value::Array(v));
    }
    if let Some(b) = &w.boundary {
        policies.insert(
            "boundary".into(),
            json!([render_entry(b, Kind::Boundary, None, st)]),
        );
    }
    if let Some(s) = &w.session {
        policies.insert(
            "session".into(),
            json!([render_entry(s, Kind::Session, None, st)]),
        );
    }
    if let Some(s) = &w.scp {
        policies.insert(
            "scp".into(),
            json!([{"level": "r-root", "policies": [render_entry(s, Kind::Scp, None, st)]}]),
        );
    }
    let requests: Vec<Value> = w.requests.iter().map(|r| render_req(r, st)).collect();
    serde_json::to_string_pretty(&json!({"policies": policies, "requests": requests})).unwrap()
}

// ---------------------------------------------------------------------------------
// Evaluation helpers
// ---------------------------------------------------------------------------------

fn load(text: &str) -> Scenario {
    match load_str(text) {
        Ok(s) => s,
        Err(e) => panic!(
            "generated scenario does not load: {:?}\n{text}",
            e.diagnostics
        ),
    }
}

fn decisions(s: &Scenario) -> Vec<Decision> {
    s.requests
        .iter()
        .map(|r| evaluate(&s.set, &PreparedRequest::new(&r.request), Detail::Decision).decision)
        .collect()
}

fn decide(w: &World, st: &Style) -> (Vec<Decision>, String) {
    let text = render(w, st);
    (decisions(&load(&text)), text)
}

fn plain(w: &World) -> (Vec<Decision>, String) {
    decide(w, &Style::default())
}

/// A deterministic shuffle from a seed.
fn shuffle<T>(v: &mut [T], seed: u64) {
    let mut x = seed | 1;
    for i in (1..v.len()).rev() {
        x = xorshift(x);
        let j = (x % (i as u64 + 1)) as usize;
        v.swap(i, j);
    }
}

fn diff_report(before: &[Decision], after: &[Decision]) -> String {
    before
        .iter()
        .zip(after)
        .enumerate()
        .filter(|(_, (a, b))| a != b)
        .map(|(i, (a, b))| format!("request #{}: {} -> {}", i + 1, a.word(), b.word()))
        .collect::<Vec<_>>()
        .join("; ")
}

/// Where a statement is added.
#[derive(Debug, Clone)]
enum Target {
    /// Into identity policy `i` (a new one when there is none) at position `at`.
    Identity(Index, Index),
    /// As a new identity policy.
    NewIdentity,
    /// Into resource policy `i` (a new one, unattached, when there is none).
    Resource(Index, Index),
    /// As a new resource policy with this `attachedTo`.
    NewResource(Option<&'static str>),
    /// Into the permissions boundary, session policy or SCP (0, 1, 2) when there is
    /// one (else as a new identity policy).
    Other(u8, Index),
}

fn target() -> impl Strategy<Value = Target> {
    prop_oneof![
        (any::<Index>(), any::<Index>()).prop_map(|(i, a)| Target::Identity(i, a)),
        Just(Target::NewIdentity),
        (any::<Index>(), any::<Index>()).prop_map(|(i, a)| Target::Resource(i, a)),
        prop::option::of(prop::sample::select(ATTACHED)).prop_map(Target::NewResource),
        (0..3u8, any::<Index>()).prop_map(|(k, a)| Target::Other(k, a)),
    ]
}

fn add_statement(w: &World, s: &Stmt, t: &Target) -> World {
    let mut w = w.clone();
    let new_pol = || Pol {
        v2012: true,
        stmts: vec![s.clone()],
    };
    match t {
        Target::Identity(i, at) if !w.identity.is_empty() => {
            let len = w.identity.len();
            let p = &mut w.identity[i.index(len)];
            let at = at.index(p.stmts.len() + 1);
            p.stmts.insert(at, s.clone());
        }
        Target::Identity(..) | Target::NewIdentity => w.identity.push(new_pol()),
        Target::Resource(i, at) if !w.resource.is_empty() => {
            let len = w.resource.len();
            let p = &mut w.resource[i.index(len)].pol;
            let at = at.index(p.stmts.len() + 1);
            p.stmts.insert(at, s.clone());
        }
        Target::Resource(..) => w.resource.push(ResPol {
            attached: None,
            pol: new_pol(),
        }),
        Target::NewResource(a) => w.resource.push(ResPol {
            attached: *a,
            pol: new_pol(),
        }),
        Target::Other(k, at) => {
            let p = match k {
                0 => w.boundary.as_mut(),
                1 => w.session.as_mut(),
                _ => w.scp.as_mut(),
            };
            match p {
                Some(p) => {
                    let at = at.index(p.stmts.len() + 1);
                    p.stmts.insert(at, s.clone());
                }
                None => w.identity.push(new_pol()),
            }
        }
    }
    w
}

/// The reference for one condition key under a String operator (SPEC §3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum StrOp {
    Equals,
    IgnoreCase,
    Like,
}

fn glob(p: &[char], t: &[char]) -> bool {
    // dp[j]: p[..i] matches t[..j].
    let mut dp = vec![false; t.len() + 1];
    dp[0] = true;
    for &pc in p {
        let mut next = vec![false; t.len() + 1];
        match pc {
            '*' => {
                let mut any = false;
                for j in 0..=t.len() {
                    any |= dp[j];
                    next[j] = any;
                }
            }
            '?' => {
                next[1..].copy_from_slice(&dp[..t.len()]);
            }
            c => {
                for j in 1..=t.len() {
                    next[j] = dp[j - 1] && t[j - 1] == c;
                }
            }
        }
        dp = next;
    }
    dp[t.len()]
}

fn ref_value_matches(op: StrOp, policy: &str, request: &str) -> bool {
    match op {
        StrOp::Equals => policy == request,
        StrOp::IgnoreCase => policy.to_lowercase() == request.to_lowercase(),
        StrOp::Like => {
            let p: Vec<char> = policy.chars().collect();
            let t: Vec<char> = request.chars().collect();
            glob(&p, &t)
        }
    }
}

/// SPEC §3 for one key: `request` None = absent; Some(vs, multi).
fn ref_key_holds(
    op: StrOp,
    negated: bool,
    set: Option<bool>, // Some(true) ForAllValues, Some(false) ForAnyValue
    if_exists: bool,
    policy: &[String],
    request: Option<(&[String], bool)>,
) -> bool {
    let present = request.filter(|(vs, _)| !vs.is_empty());
    let Some((vs, multi)) = present else {
        return if if_exists {
            true
        } else {
            match set {
                Some(all) => all,
                None => negated,
            }
        };
    };
    let inner = |v: &String| policy.iter().any(|p| ref_value_matches(op, p, v)) != negated;
    match set {
        None if multi => false,
        None => inner(&vs[0]),
        Some(true) => vs.iter().all(inner),
        Some(false) => vs.iter().any(inner),
    }
}

/// A scenario with one identity policy `Allow * on *` under `condition`, and one
/// request by alice carrying `context`.
fn one_condition_scenario(condition: Value, context: Option<Value>) -> String {
    let mut req = json!({
        "principal": "arn:aws:iam::111122223333:user/alice",
        "action": "s3:GetObject",
        "resource": "arn:aws:s3:::bucket-a/key1"
    });
    if let Some(c) = context {
        req["context"] = c;
    }
    json!({
        "policies": {"identity": [{"document": {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": condition}]
        }}]},
        "requests": [req]
    })
    .to_string()
}

fn word_text() -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(&['a', 'b', 'A', '*', '?'][..]), 0..=3)
        .prop_map(|cs| cs.into_iter().collect())
}

/// proptest's defaults (256 cases, or PROPTEST_CASES), with failures recorded in
/// `proptest-regressions/properties.txt` (proptest cannot find a crate root beside a
/// file under `tests/`, so it would record nothing by default).
fn config() -> ProptestConfig {
    ProptestConfig {
        failure_persistence: Some(Box::new(FileFailurePersistence::Direct(
            "proptest-regressions/properties.txt",
        ))),
        ..ProptestConfig::default()
    }
}

/// A world with at least one identity policy.
fn world_with_identity() -> impl Strategy<Value = World> {
    (world(), pol()).prop_map(|(mut w, p)| {
        if w.identity.is_empty() {
            w.identity.push(p);
        }
        w
    })
}

fn seed() -> impl Strategy<Value = u64> {
    any::<u64>()
}

// ---------------------------------------------------------------------------------
// Properties
// ---------------------------------------------------------------------------------

proptest! {
    // 256 cases per property (proptest's default); PROPTEST_CASES overrides it.
    #![proptest_config(config())]

    /// 1a. Adding a Deny statement (to an identity or resource policy, new or existing,
    /// or to the boundary, session policy or SCP) never allows more: the decision
    /// stays, or becomes an explicit deny.
    #[test]
    fn adding_a_deny_never_allows_more(w in world(), s in stmt_with(true), t in target()) {
        let (before, _) = plain(&w);
        let w2 = add_statement(&w, &s, &t);
        let (after, text) = plain(&w2);
        for (i, (b, a)) in before.iter().zip(&after).enumerate() {
            prop_assert!(
                a == b || *a == Decision::ExplicitDeny,
                "request #{}: {} became {} after adding a Deny\n{}",
                i + 1, b.word(), a.word(), text
            );
        }
    }

    /// 1b. Adding an Allow statement (same places) never denies more: the decision
    /// stays, or an implicit deny becomes an allow.
    #[test]
    fn adding_an_allow_never_denies_more(w in world(), s in stmt_with(false), t in target()) {
        let (before, _) = plain(&w);
        let w2 = add_statement(&w, &s, &t);
        let (after, text) = plain(&w2);
        for (i, (b, a)) in before.iter().zip(&after).enumerate() {
            prop_assert!(
                a == b || (*b == Decision::ImplicitDeny && *a == Decision::Allow),
                "request #{}: {} became {} after adding an Allow\n{}",
                i + 1, b.word(), a.word(), text
            );
        }
    }

    /// 2a. Statement order does not matter.
    #[test]
    fn statement_order_does_not_matter(w in world(), seed in seed()) {
        let (before, _) = plain(&w);
        let mut w2 = w.clone();
        let mut n = seed;
        let mut pols: Vec<&mut Pol> = w2.identity.iter_mut().collect();
        pols.extend(w2.resource.iter_mut().map(|r| &mut r.pol));
        pols.extend(w2.boundary.iter_mut());
        pols.extend(w2.session.iter_mut());
        pols.extend(w2.scp.iter_mut());
        for p in pols {
            n = xorshift(n | 1);
            shuffle(&mut p.stmts, n);
        }
        let (after, text) = plain(&w2);
        prop_assert_eq!(&before, &after, "{}\n{}", diff_report(&before, &after), text);
    }

    /// 2b. Policy order does not matter.
    #[test]
    fn policy_order_does_not_matter(w in world(), seed in seed()) {
        let (before, _) = plain(&w);
        let mut w2 = w.clone();
        shuffle(&mut w2.identity, seed);
        shuffle(&mut w2.resource, xorshift(seed | 1));
        let (after, text) = plain(&w2);
        prop_assert_eq!(&before, &after, "{}\n{}", diff_report(&before, &after), text);
    }

    /// 2c. A one-statement array and the bare statement object are the same (and so
    /// are a one-item list and the bare item).
    #[test]
    fn bare_statement_object_is_the_same(w in world(), singletons in any::<bool>()) {
        let (before, _) = plain(&w);
        let st = Style { bare_single: true, bare_singletons: singletons, ..Style::default() };
        let (after, text) = decide(&w, &st);
        prop_assert_eq!(&before, &after, "{}\n{}", diff_report(&before, &after), text);
    }

    /// 2d. The letter case of condition key names (in the policy, in policy variables
    /// and in the request) does not matter.
    #[test]
    fn condition_key_case_does_not_matter(w in world(), seed in seed()) {
        let (before, _) = plain(&w);
        let st = Style { key_seed: Some(seed), ..Style::default() };
        let (after, text) = decide(&w, &st);
        prop_assert_eq!(&before, &after, "{}\n{}", diff_report(&before, &after), text);
    }

    /// 2e. The letter case of action names (policy Action and request) does not matter.
    #[test]
    fn action_case_does_not_matter(w in world(), seed in seed()) {
        let (before, _) = plain(&w);
        let st = Style { action_seed: Some(seed), ..Style::default() };
        let (after, text) = decide(&w, &st);
        prop_assert_eq!(&before, &after, "{}\n{}", diff_report(&before, &after), text);
    }

    /// 2f. All of the above at once.
    #[test]
    fn all_rewrites_together(w in world(), seed in seed()) {
        let (before, _) = plain(&w);
        let mut w2 = w.clone();
        for (i, p) in w2.identity.iter_mut().enumerate() {
            shuffle(&mut p.stmts, seed ^ i as u64);
        }
        for (i, r) in w2.resource.iter_mut().enumerate() {
            shuffle(&mut r.pol.stmts, seed ^ (i as u64 + 100));
        }
        shuffle(&mut w2.identity, xorshift(seed | 1));
        shuffle(&mut w2.resource, xorshift(seed | 3));
        let st = Style {
            key_seed: Some(seed),
            action_seed: Some(xorshift(seed | 5)),
            bare_single: true,
            bare_singletons: true,
            ..Style::default()
        };
        let (after, text) = decide(&w2, &st);
        prop_assert_eq!(&before, &after, "{}\n{}", diff_report(&before, &after), text);
    }

    /// 3. Splitting an identity policy into two with the same statements changes
    /// nothing.
    #[test]
    fn splitting_an_identity_policy_changes_nothing(
        w in world_with_identity(),
        which in any::<Index>(),
        at in any::<Index>(),
    ) {
        let (before, _) = plain(&w);
        let mut w2 = w.clone();
        let i = which.index(w2.identity.len());
        let p = w2.identity.remove(i);
        let k = at.index(p.stmts.len() + 1);
        let (a, b) = p.stmts.split_at(k);
        let mut parts = Vec::new();
        for half in [a, b] {
            if !half.is_empty() {
                parts.push(Pol { v2012: p.v2012, stmts: half.to_vec() });
            }
        }
        if parts.len() == 1 {
            // Split point at an end: split the statements one by one instead.
            parts = p.stmts.iter().map(|s| Pol { v2012: p.v2012, stmts: vec![s.clone()] }).collect();
        }
        for (j, part) in parts.into_iter().enumerate() {
            w2.identity.insert(i + j, part);
        }
        let (after, text) = plain(&w2);
        prop_assert_eq!(&before, &after, "{}\n{}", diff_report(&before, &after), text);
    }

    /// 4. Parse → save → parse keeps the policies (per type, in order, statement
    /// counts), the requests and every decision; saving again gives the same text.
    #[test]
    fn save_and_reload_keeps_everything(
        w in world(),
        forms in prop::collection::vec(
            prop::sample::select(&[Form::Inline, Form::String, Form::UrlEncoded][..]), 1..=3),
    ) {
        let st = Style { forms, ..Style::default() };
        let text = render(&w, &st);
        let original = load(&text);
        let saved = to_json(&original);
        let reloaded = match load_str(&saved) {
            Ok(s) => s,
            Err(e) => {
                return Err(TestCaseError::fail(format!(
                    "saved text does not load: {:?}\n{saved}", e.diagnostics)));
            }
        };
        let shape = |s: &Scenario| -> Vec<(String, Vec<usize>)> {
            let kinds = ["identity", "resource", "boundary", "session", "scp"];
            kinds.iter().map(|k| {
                let counts = s.set.policies.iter()
                    .filter(|p| format!("{:?}", p.kind).to_lowercase() == *k)
                    .map(|p| p.policy.statements.len())
                    .collect();
                (k.to_string(), counts)
            }).collect()
        };
        prop_assert_eq!(original.set.policies.len(), reloaded.set.policies.len());
        prop_assert_eq!(shape(&original), shape(&reloaded), "{}", saved);
        prop_assert_eq!(&original.set.scp_levels, &reloaded.set.scp_levels);
        prop_assert_eq!(original.requests.len(), reloaded.requests.len());
        for (a, b) in original.requests.iter().zip(&reloaded.requests) {
            prop_assert_eq!(&a.request, &b.request);
        }
        let (da, db) = (decisions(&original), decisions(&reloaded));
        prop_assert_eq!(&da, &db, "{}\n{}", diff_report(&da, &db), saved);
        prop_assert_eq!(&saved, &to_json(&reloaded), "saving is not stable");
    }

    /// 5a. A condition on a key missing from the request, against SPEC §3's
    /// definitions: IfExists holds; ForAllValues holds; ForAnyValue does not; a negated
    /// operator holds; a plain one does not; Null "true" holds and "false" does not.
    #[test]
    fn missing_key_follows_the_definitions(
        f in 0..FAMILIES.len(),
        op in any::<Index>(),
        q in 0..3u8,
        if_exists in any::<bool>(),
        key in 0..KEYS.len(),
        values in prop::collection::vec(any::<Index>(), 1..=2),
        absent_as in 0..4u8,
    ) {
        let fam = &FAMILIES[f];
        let base = *op.get(fam.ops);
        let null = f == NULL_FAMILY;
        let (set, if_exists) = if null { (None, false) } else {
            (match q { 1 => Some(true), 2 => Some(false), _ => None }, if_exists)
        };
        let name = format!(
            "{}{base}{}",
            match set { Some(true) => "ForAllValues:", Some(false) => "ForAnyValue:", None => "" },
            if if_exists { "IfExists" } else { "" }
        );
        let pvals: Vec<&str> = values.iter().map(|i| *i.get(fam.values)).collect();
        let mut keys = Map::new();
        keys.insert(KEYS[key].to_string(), Value::Array(pvals.iter().map(|v| scalar(v)).collect()));
        let mut cond = Map::new();
        cond.insert(name.clone(), Value::Object(keys));
        // How the key is missing: not there, an empty array, another key only; and for
        // Null, an empty string.
        let context = match absent_as {
            0 => None,
            1 => Some(json!({ KEYS[key]: [] })),
            2 => Some(json!({ KEYS[(key + 1) % KEYS.len()]: "x" })),
            _ if null => Some(json!({ KEYS[key]: "" })),
            _ => Some(json!({})),
        };
        let negated = base.contains("Not");
        let expected_holds = if null {
            // Null holds when any listed value equals "the key is absent" (true).
            pvals.iter().any(|v| v.trim_start_matches('#').eq_ignore_ascii_case("true"))
        } else if if_exists {
            true
        } else {
            match set { Some(all) => all, None => negated }
        };
        let text = one_condition_scenario(Value::Object(cond), context);
        let got = decisions(&load(&text))[0];
        let want = if expected_holds { Decision::Allow } else { Decision::ImplicitDeny };
        prop_assert_eq!(got, want, "{} on a missing key\n{}", name, text);
    }

    /// 5b. String operators with and without set qualifiers on present values, against
    /// a reference implementation of SPEC §3.
    #[test]
    fn set_operators_match_the_reference(
        op in 0..6usize,
        q in 0..3u8,
        if_exists in any::<bool>(),
        policy in prop::collection::vec(word_text(), 1..=3),
        request in prop::collection::vec(word_text(), 0..=3),
        shape in 0..3u8,
    ) {
        let (base, sop, negated) = [
            ("StringEquals", StrOp::Equals, false),
            ("StringNotEquals", StrOp::Equals, true),
            ("StringLike", StrOp::Like, false),
            ("StringNotLike", StrOp::Like, true),
            ("StringEqualsIgnoreCase", StrOp::IgnoreCase, false),
            ("StringNotEqualsIgnoreCase", StrOp::IgnoreCase, true),
        ][op];
        let set = match q { 1 => Some(true), 2 => Some(false), _ => None };
        let name = format!(
            "{}{base}{}",
            match set { Some(true) => "ForAllValues:", Some(false) => "ForAnyValue:", None => "" },
            if if_exists { "IfExists" } else { "" }
        );
        // shape 0: multi-valued (an array, possibly empty); 1: single-valued (first
        // value, absent when there is none); 2: absent.
        let (context, req_side): (Option<Value>, Option<(Vec<String>, bool)>) = match shape {
            0 => (Some(json!({"aws:TagKeys": request.clone()})), Some((request.clone(), true))),
            1 if !request.is_empty() => (
                Some(json!({"aws:TagKeys": request[0].clone()})),
                Some((vec![request[0].clone()], false)),
            ),
            _ => (None, None),
        };
        let want_holds = ref_key_holds(
            sop, negated, set, if_exists, &policy,
            req_side.as_ref().map(|(v, m)| (v.as_slice(), *m)),
        );
        let cond = json!({ name.clone(): { "aws:TagKeys": policy.clone() } });
        let text = one_condition_scenario(cond, context);
        let got = decisions(&load(&text))[0];
        let want = if want_holds { Decision::Allow } else { Decision::ImplicitDeny };
        prop_assert_eq!(got, want, "{} {:?} vs request {:?}\n{}", name, policy, req_side, text);
    }

    /// 6. Decision-only and traced evaluation agree on the decision and on the
    /// statements that determined it.
    #[test]
    fn decision_and_trace_agree(w in world()) {
        let text = render(&w, &Style::default());
        let s = load(&text);
        for (i, r) in s.requests.iter().enumerate() {
            let p = PreparedRequest::new(&r.request);
            let d = evaluate(&s.set, &p, Detail::Decision);
            let t = evaluate(&s.set, &p, Detail::Trace);
            prop_assert_eq!(d.decision, t.decision, "request #{}\n{}", i + 1, text);
            prop_assert_eq!(&d.determined_by, &t.determined_by, "request #{}\n{}", i + 1, text);
            prop_assert!(d.trace.is_none());
            let trace = t.trace.as_ref().expect("a trace");
            prop_assert_eq!(trace.decision, t.decision, "request #{}\n{}", i + 1, text);
        }
    }
}

/// The generator really exercises the engine: across a fixed sample, every decision
/// occurs and a good share of requests are allowed.
#[test]
fn generator_reaches_every_decision() {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;
    let mut runner = TestRunner::deterministic();
    let mut counts = BTreeMap::new();
    for _ in 0..200 {
        let w = world().new_tree(&mut runner).unwrap().current();
        for d in plain(&w).0 {
            *counts.entry(d.word()).or_insert(0usize) += 1;
        }
    }
    let total: usize = counts.values().sum();
    for word in ["allow", "explicit_deny", "implicit_deny"] {
        let n = counts.get(word).copied().unwrap_or(0);
        assert!(n * 20 >= total, "{word}: {n} of {total} ({counts:?})");
    }
}
