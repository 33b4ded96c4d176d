//! A bare policy document: which kind of policy it is, guessed from the document (a
//! `Principal` makes a resource policy; a `Principal` with only `sts:AssumeRole*`
//! actions and no `Resource`, a role trust policy; neither, an identity policy) or
//! given (`--kind`), and where it is placed in the scenario it becomes (a trust policy
//! on every role, an ECR repository policy, which names no Resource, on every
//! repository).

use super::detect::get;
use crate::json::{Member, Node, Value};
use crate::policy::PolicyKind;
use std::fmt;

/// What a bare policy document is read as (`--kind`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BareKind {
    /// An identity policy of the request's principal.
    Identity,
    /// A resource policy, applying to the request's resource.
    Resource,
    /// A role trust policy, applying to any role that is the request's resource.
    Trust,
    /// A service control policy, at the organization root.
    Scp,
    /// A resource control policy, at the organization root.
    Rcp,
    /// A permissions boundary.
    Boundary,
    /// A session policy.
    Session,
    /// A VPC endpoint policy.
    Endpoint,
}

/// The `--kind` words, in the order help lists them.
pub const KIND_WORDS: &[&str] = &[
    "identity", "resource", "trust", "scp", "rcp", "boundary", "session", "endpoint",
];

/// What a trust policy read bare is attached to: every role (the request names one).
pub const ANY_ROLE: &str = "arn:aws:iam::*:role/*";

/// What an ECR repository policy read bare is attached to: every repository (the
/// request names one). Its statements name no Resource: the repository is implied.
pub const ANY_REPOSITORY: &str = "arn:aws:ecr:*:*:repository/*";

impl BareKind {
    /// The kind a `--kind` word names.
    pub fn from_word(word: &str) -> Option<BareKind> {
        Some(match word {
            "identity" => BareKind::Identity,
            "resource" => BareKind::Resource,
            "trust" => BareKind::Trust,
            "scp" => BareKind::Scp,
            "rcp" => BareKind::Rcp,
            "boundary" => BareKind::Boundary,
            "session" => BareKind::Session,
            "endpoint" => BareKind::Endpoint,
            _ => return None,
        })
    }

    /// The `--kind` word.
    pub fn word(self) -> &'static str {
        match self {
            BareKind::Identity => "identity",
            BareKind::Resource => "resource",
            BareKind::Trust => "trust",
            BareKind::Scp => "scp",
            BareKind::Rcp => "rcp",
            BareKind::Boundary => "boundary",
            BareKind::Session => "session",
            BareKind::Endpoint => "endpoint",
        }
    }

    /// "a resource policy", "an SCP", … for sentences.
    pub fn phrase(self) -> &'static str {
        match self {
            BareKind::Identity => "an identity policy",
            BareKind::Resource => "a resource policy",
            BareKind::Trust => "a role trust policy",
            BareKind::Scp => "an SCP",
            BareKind::Rcp => "an RCP",
            BareKind::Boundary => "a permissions boundary",
            BareKind::Session => "a session policy",
            BareKind::Endpoint => "a VPC endpoint policy",
        }
    }

    /// The policy type in the scenario, and what it is attached to.
    pub fn placement(self) -> (PolicyKind, Option<&'static str>) {
        match self {
            BareKind::Identity => (PolicyKind::Identity, None),
            BareKind::Resource => (PolicyKind::Resource, None),
            BareKind::Trust => (PolicyKind::Resource, Some(ANY_ROLE)),
            BareKind::Scp => (PolicyKind::Scp, None),
            BareKind::Rcp => (PolicyKind::Rcp, None),
            BareKind::Boundary => (PolicyKind::Boundary, None),
            BareKind::Session => (PolicyKind::Session, None),
            BareKind::Endpoint => (PolicyKind::Endpoint, None),
        }
    }
}

/// How a bare document was read: its kind, whether guessed, and what else its shape
/// could be.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadAs {
    /// The kind it is read as.
    pub kind: BareKind,
    /// Guessed from the document (no `--kind`).
    pub guessed: bool,
    /// When the shape fits another kind as well: which, in words.
    pub ambiguous: Option<&'static str>,
}

impl fmt::Display for ReadAs {
    /// `read as a resource policy (guessed; --kind to change)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "read as {}", self.kind.phrase())?;
        if self.guessed {
            f.write_str(" (guessed")?;
            if let Some(a) = self.ambiguous {
                write!(f, "; {a}")?;
            }
            f.write_str("; --kind to change)")?;
        } else {
            write!(f, " (--kind {})", self.kind.word())?;
        }
        if self.kind == BareKind::Resource {
            f.write_str(": it applies to the request's resource")?;
        } else if self.kind == BareKind::Trust {
            f.write_str(": it applies to the role the request names")?;
        }
        Ok(())
    }
}

/// The statements of a document (one object or an array of them).
fn statements(doc: &[Member]) -> Vec<&[Member]> {
    match get(doc, "Statement").map(|n| &n.value) {
        Some(Value::Object(m)) => vec![m.as_slice()],
        Some(Value::Array(items)) => items
            .iter()
            .filter_map(|i| match &i.value {
                Value::Object(m) => Some(m.as_slice()),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    }
}

/// The strings of a member that is a string or an array of strings.
fn strings<'a>(m: &'a [Member], key: &str) -> Vec<&'a str> {
    match get(m, key).map(|n| &n.value) {
        Some(Value::String(s)) => vec![s.as_str()],
        Some(Value::Array(items)) => items
            .iter()
            .filter_map(|i| match &i.value {
                Value::String(s) => Some(s.as_str()),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    }
}

/// True for the actions a role trust policy allows: `sts:AssumeRole*` and the session
/// actions that go with them (tags, source identity, context).
fn trust_action(a: &str) -> bool {
    let a = a.to_ascii_lowercase();
    a.starts_with("sts:assumerole")
        || matches!(
            a.as_str(),
            "sts:tagsession" | "sts:setsourceidentity" | "sts:setcontext"
        )
}

/// True when a document has the shape of an ECR repository policy: statements with a
/// Principal, none naming a Resource, and only `ecr:` actions. Read as a resource
/// policy it is attached to [`ANY_REPOSITORY`], as AWS attaches it to its repository.
pub fn is_repository_policy(node: &Node) -> bool {
    let doc = match &node.value {
        Value::Object(m) => m.as_slice(),
        _ => return false,
    };
    let st = statements(doc);
    let has = |s: &&[Member], k: &str| s.iter().any(|m| m.key == k);
    let actions: Vec<&str> = st.iter().flat_map(|s| strings(s, "Action")).collect();
    !st.is_empty()
        && st
            .iter()
            .all(|s| has(s, "Principal") || has(s, "NotPrincipal"))
        && st
            .iter()
            .all(|s| !has(s, "Resource") && !has(s, "NotResource"))
        && st.iter().all(|s| has(s, "Action") && !has(s, "NotAction"))
        && actions
            .iter()
            .all(|a| a.to_ascii_lowercase().starts_with("ecr:"))
}

/// The kind a bare document's shape says it is.
pub fn guess(node: &Node) -> ReadAs {
    let doc = match &node.value {
        Value::Object(m) => m.as_slice(),
        _ => &[],
    };
    let st = statements(doc);
    let has = |s: &&[Member], k: &str| s.iter().any(|m| m.key == k);
    let principal = st
        .iter()
        .any(|s| has(s, "Principal") || has(s, "NotPrincipal"));
    let only_deny = !st.is_empty() && st.iter().all(|s| strings(s, "Effect") == ["Deny"]);
    let read = |kind, ambiguous| ReadAs {
        kind,
        guessed: true,
        ambiguous,
    };
    if !principal {
        let scp = only_deny.then_some("only Deny statements and no Principal: it could be an SCP");
        return read(BareKind::Identity, scp);
    }
    let no_resource = st
        .iter()
        .all(|s| !has(s, "Resource") && !has(s, "NotResource"));
    let actions: Vec<&str> = st.iter().flat_map(|s| strings(s, "Action")).collect();
    let assume = actions
        .iter()
        .any(|a| a.to_ascii_lowercase().starts_with("sts:assumerole"));
    if no_resource && assume && actions.iter().all(|a| trust_action(a)) {
        return read(BareKind::Trust, None);
    }
    let everyone = !st.is_empty() && st.iter().all(|s| names_everyone(s));
    let only_allow = !st.is_empty() && st.iter().all(|s| strings(s, "Effect") == ["Allow"]);
    let every_resource = st
        .iter()
        .all(|s| strings(s, "Resource") == ["*"] && !has(s, "NotResource"));
    if everyone && only_allow && every_resource {
        // AWS's default VPC endpoint policy and RCPFullAWSAccess have exactly this
        // shape, and grant nothing; read as a resource policy it would grant everyone
        // everything. Take the reading that grants nothing, and say so.
        return read(
            BareKind::Endpoint,
            Some(
                "Allow for Principal \"*\" on every resource: the shape of a VPC endpoint policy or an RCP, which grant nothing (as a resource policy it would grant everyone what it allows: --kind resource)",
            ),
        );
    }
    let rcp = everyone.then_some(if only_deny {
        "Principal \"*\" with only Deny statements: it could be an RCP or a VPC endpoint policy"
    } else {
        "Principal \"*\" in every statement: it could be an RCP or a VPC endpoint policy, which grant nothing; as a resource policy it grants everyone what it allows"
    });
    read(BareKind::Resource, rcp)
}

/// True when a statement's Principal is everyone: `"*"` or `{"AWS": "*"}`.
fn names_everyone(s: &[Member]) -> bool {
    match get(s, "Principal").map(|n| &n.value) {
        Some(Value::String(p)) => p == "*",
        Some(Value::Object(m)) => m.len() == 1 && strings(m, "AWS") == ["*"],
        _ => false,
    }
}
