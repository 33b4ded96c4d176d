//! Which IAM action authorizes a CloudTrail event, and which request parameters name its
//! resource: the data `scripts/gen-cloudtrail-map.py` generates from the AWS SDK's
//! service models (botocore) and the reviewed override table
//! (`assets/catalog/cloudtrail-overrides.tsv`), checked there against the service
//! catalog. The format is described in the script.
//!
//! Embedded compressed, decompressed and parsed on first use (as the service catalog
//! is); every name borrows from the decompressed text.

use crate::catalog::{self, ActionResource};
use std::collections::{HashMap, HashSet};
use std::io::Read;
use std::sync::OnceLock;

/// The map as generated, gzip-compressed.
const EMBEDDED: &[u8] = include_bytes!("../../assets/catalog/cloudtrail-map.tsv.gz");

/// The first field of the first line: the format this reader understands.
const HEADER: &str = "#iamtrace-cloudtrail-map 1";

/// How request parameters fill one resource type's ARN format.
#[derive(Debug)]
pub enum Fill<'a> {
    /// The parameter holds the whole ARN (`roleArn`, `policyArn`).
    Whole(&'a str),
    /// Each placeholder (`RoleNameWithPath`) from a parameter (`roleName`).
    Vars(Vec<(&'a str, &'a str)>),
}

/// A resource an event's action acts on, as request parameters name it.
#[derive(Debug)]
pub struct ResourceSpec<'a> {
    /// The catalog resource type (`role`).
    pub type_name: &'a str,
    /// How to fill its ARN format.
    pub fill: Fill<'a>,
}

/// What the map says about one event name of one host.
#[derive(Debug, Default)]
pub struct EventEntry<'a> {
    /// The action, where it is not `prefix:EventName`.
    pub action: Option<&'a str>,
    /// HTTP-verb services: (method, path with `{parameter}`s), tried in order.
    pub verbs: Vec<(&'a str, &'a str)>,
    /// Where the resource comes from when CloudTrail recorded no `resources[]`.
    pub resources: Vec<ResourceSpec<'a>>,
    /// Why no IAM action authorizes the event.
    pub skip: Option<&'a str>,
}

/// One eventSource host.
#[derive(Debug, Default)]
struct Host<'a> {
    prefix: Option<&'a str>,
    skip_all: Option<&'a str>,
    events: HashMap<&'a str, EventEntry<'a>>,
}

/// The whole map.
#[derive(Debug, Default)]
pub struct Map<'a> {
    hosts: HashMap<&'a str, Host<'a>>,
    keys: HashMap<&'a str, Vec<(&'a str, &'a str)>>,
    allowed: HashSet<String>,
}

/// The map, decompressed and parsed on first call (empty, so that every event is
/// skipped as unknown, should the embedded data not load: the tests check it does).
pub fn map() -> &'static Map<'static> {
    static TEXT: OnceLock<String> = OnceLock::new();
    static MAP: OnceLock<Map<'static>> = OnceLock::new();
    MAP.get_or_init(|| {
        let text = TEXT.get_or_init(|| embedded_text().unwrap_or_default());
        Map::parse(text).unwrap_or_default()
    })
}

/// The embedded map's text, decompressed.
pub fn embedded_text() -> std::io::Result<String> {
    let mut text = String::new();
    flate2::read::GzDecoder::new(EMBEDDED).read_to_string(&mut text)?;
    Ok(text)
}

/// An action resolved for an event.
#[derive(Debug)]
pub struct Resolved<'m> {
    /// `service:Action`, spelled as the catalog spells it.
    pub action: String,
    /// The event name the map's entries are under (the API version suffix removed).
    pub operation: String,
    /// The map's entry for the event, if it has one.
    pub entry: Option<&'m EventEntry<'m>>,
}

impl<'a> Map<'a> {
    /// Parses map text; the error says which line is wrong.
    pub fn parse(text: &'a str) -> Result<Map<'a>, String> {
        let mut lines = text.lines().enumerate();
        match lines.next() {
            Some((_, first)) if first.split('\t').next() == Some(HEADER) => {}
            _ => return Err(format!("line 1: not {HEADER}")),
        }
        let mut map = Map::default();
        for (n, line) in lines {
            let f: Vec<&str> = line.split('\t').collect();
            let bad = || format!("line {}: {line:?}", n + 1);
            match (f.first().copied(), f.len()) {
                (Some("H"), 3) => map.hosts.entry(f[1]).or_default().prefix = Some(f[2]),
                (Some("A"), 4) => {
                    let h = map.hosts.entry(f[1]).or_default();
                    h.events.entry(f[2]).or_default().action = Some(f[3]);
                }
                (Some("V"), 5) => {
                    let h = map.hosts.entry(f[1]).or_default();
                    h.events.entry(f[2]).or_default().verbs.push((f[3], f[4]));
                }
                (Some("R"), 5) => {
                    let fill = match f[4].strip_prefix('=') {
                        Some(param) if !param.contains(' ') => Fill::Whole(param),
                        _ => Fill::Vars(
                            f[4].split(' ')
                                .map(|v| v.split_once('=').ok_or_else(bad))
                                .collect::<Result<_, _>>()?,
                        ),
                    };
                    let h = map.hosts.entry(f[1]).or_default();
                    h.events
                        .entry(f[2])
                        .or_default()
                        .resources
                        .push(ResourceSpec {
                            type_name: f[3],
                            fill,
                        });
                }
                (Some("K"), 4) => map.keys.entry(f[1]).or_default().push((f[2], f[3])),
                (Some("S"), 4) => {
                    let h = map.hosts.entry(f[1]).or_default();
                    if f[2] == "*" {
                        h.skip_all = Some(f[3]);
                    } else {
                        h.events.entry(f[2]).or_default().skip = Some(f[3]);
                    }
                }
                (Some("X"), 2) => {
                    map.allowed.insert(f[1].to_ascii_lowercase());
                }
                _ => return Err(bad()),
            }
        }
        Ok(map)
    }

    /// The IAM prefix of an eventSource host (`monitoring` → `cloudwatch`); the host
    /// itself when the SDK models do not serve it.
    pub fn prefix<'h>(&self, host: &'h str) -> &'h str
    where
        'a: 'h,
    {
        self.hosts.get(host).and_then(|h| h.prefix).unwrap_or(host)
    }

    /// True for an action AWS uses that the catalog does not list.
    pub fn allowed(&self, action: &str) -> bool {
        self.allowed.contains(&action.to_ascii_lowercase())
    }

    /// Condition keys filled from request parameters for an action: (key, parameter).
    pub fn keys(&self, action: &str) -> &[(&'a str, &'a str)] {
        self.keys.get(action).map_or(&[], Vec::as_slice)
    }

    /// The action authorizing `event` of `host`, or why none does.
    pub fn resolve(&self, host: &str, event: &str) -> Result<Resolved<'_>, String> {
        let h = self.hosts.get(host);
        if let Some(reason) = h.and_then(|h| h.skip_all) {
            return Err(reason.to_string());
        }
        let prefix = self.prefix(host);
        let mut first_miss = None;
        // Lambda records versioned operation names (CreateFunction20150331,
        // UpdateFunctionConfiguration20150331v2): the operation is the name without it.
        for op in [event, strip_api_version(event)] {
            let entry = h.and_then(|h| h.events.get(op));
            if let Some(reason) = entry.and_then(|e| e.skip) {
                return Err(reason.to_string());
            }
            let candidate = match entry {
                Some(e) if e.action.is_some() => e.action.unwrap_or_default().to_string(),
                Some(e) if !e.verbs.is_empty() => format!("{prefix}:{}", e.verbs[0].0),
                _ => format!("{prefix}:{op}"),
            };
            if let Some(action) = self.known(&candidate) {
                return Ok(Resolved {
                    action,
                    operation: op.to_string(),
                    entry,
                });
            }
            first_miss.get_or_insert(candidate);
            if op.len() == event.len() && strip_api_version(event) == event {
                break;
            }
        }
        Err(format!(
            "{} is not an IAM action (the service authorization reference lists no such action; the event is not authorized by IAM policies under this name)",
            first_miss.unwrap_or_default()
        ))
    }

    /// The action as the catalog spells it, when the catalog or the allowlist has it.
    fn known(&self, action: &str) -> Option<String> {
        let (prefix, name) = action.split_once(':')?;
        let found = catalog::catalog()
            .service(prefix)
            .and_then(|s| s.action(name).map(|a| format!("{}:{}", s.prefix, a.name)));
        found.or_else(|| self.allowed(action).then(|| action.to_string()))
    }
}

/// The catalog's resource types of an action (empty when it has none or is unknown).
pub fn resource_types(action: &str) -> &'static [ActionResource<'static>] {
    action
        .split_once(':')
        .and_then(|(p, n)| catalog::catalog().service(p)?.action(n))
        .map_or(&[], |a| a.resource_types.as_slice())
}

/// True when `arn` is an ARN of one of the action's resource types; for an action
/// without resource types, only `*` is.
pub fn fits(action: &str, arn: &str) -> bool {
    let types = resource_types(action);
    if types.is_empty() {
        return arn == "*";
    }
    types
        .iter()
        .flat_map(|t| t.arn_formats())
        .any(|f| arn_matches(f, arn))
}

/// True when `arn` fits an ARN format: `${Partition}`, `${Region}` and `${Account}`
/// stand for one field each (Region and Account may be empty), any other placeholder
/// for one or more characters; literal text is compared exactly.
pub fn arn_matches(format: &str, arn: &str) -> bool {
    let mut fmt = format.splitn(6, ':');
    let mut got = arn.splitn(6, ':');
    for _ in 0..5 {
        let (Some(f), Some(g)) = (fmt.next(), got.next()) else {
            return false;
        };
        let ok = match f {
            "${Partition}" => !g.is_empty(),
            "${Region}" | "${Account}" => true,
            _ => f == g,
        };
        if !ok {
            return false;
        }
    }
    match (fmt.next(), got.next()) {
        (Some(f), Some(g)) => template_match(f.as_bytes(), g.as_bytes()),
        _ => false,
    }
}

fn template_match(t: &[u8], n: &[u8]) -> bool {
    let (mut i, mut j) = (0, 0);
    while i < t.len() {
        if t[i..].starts_with(b"${") {
            let Some(len) = t[i..].iter().position(|&b| b == b'}') else {
                return false;
            };
            let rest = &t[i + len + 1..];
            return (j + 1..=n.len()).any(|k| template_match(rest, &n[k..]));
        }
        if j < n.len() && t[i] == n[j] {
            i += 1;
            j += 1;
        } else {
            return false;
        }
    }
    j == n.len()
}

/// `Name20150331` and `Name20150331v2` → `Name`.
pub fn strip_api_version(name: &str) -> &str {
    let bytes = name.as_bytes();
    let mut end = bytes.len();
    // An optional v + digits.
    let mut i = end;
    while i > 0 && bytes[i - 1].is_ascii_digit() {
        i -= 1;
    }
    if i < end && i > 0 && bytes[i - 1] == b'v' {
        end = i - 1;
    }
    let digits = bytes[..end]
        .iter()
        .rev()
        .take_while(|b| b.is_ascii_digit())
        .count();
    if digits == 8 && end > 8 {
        &name[..end - 8]
    } else {
        name
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_map_loads() {
        let text = embedded_text().unwrap();
        let m = Map::parse(&text).unwrap();
        assert_eq!(m.prefix("monitoring"), "cloudwatch");
        assert_eq!(m.prefix("servicecatalog-appregistry"), "servicecatalog");
        assert!(m.hosts.len() > 300);
    }

    #[test]
    fn versions_are_stripped() {
        assert_eq!(
            strip_api_version("CreateFunction20150331"),
            "CreateFunction"
        );
        assert_eq!(
            strip_api_version("UpdateFunctionConfiguration20150331v2"),
            "UpdateFunctionConfiguration"
        );
        assert_eq!(strip_api_version("Invoke"), "Invoke");
        assert_eq!(strip_api_version("GetPolicy2"), "GetPolicy2");
    }

    #[test]
    fn resolves_overrides_versions_and_verbs() {
        let m = map();
        let a = |h: &str, e: &str| m.resolve(h, e).map(|r| r.action);
        assert_eq!(a("s3", "ListBuckets").unwrap(), "s3:ListAllMyBuckets");
        assert_eq!(
            a("s3", "DeleteBucketPublicAccessBlock").unwrap(),
            "s3:PutBucketPublicAccessBlock"
        );
        assert_eq!(
            a("s3express", "ListDirectoryBuckets").unwrap(),
            "s3express:ListAllMyDirectoryBuckets"
        );
        assert_eq!(
            a("lambda", "UpdateFunctionCode20150331v2").unwrap(),
            "lambda:UpdateFunctionCode"
        );
        assert_eq!(a("apigateway", "CreateRestApi").unwrap(), "apigateway:POST");
        assert_eq!(
            a("servicecatalog-appregistry", "CreateApplication").unwrap(),
            "servicecatalog:CreateApplication"
        );
        assert!(a("s3", "GetStorageLensDashboardDataInternal").is_err());
        assert!(a("signin", "ConsoleLogin").is_err());
        let e = a("iam", "NotCreateUser").unwrap_err();
        assert!(e.contains("iam:NotCreateUser is not an IAM action"), "{e}");
    }

    #[test]
    fn arn_formats_match() {
        let f = "arn:${Partition}:iam::${Account}:role/${RoleNameWithPath}";
        assert!(arn_matches(f, "arn:aws:iam::111122223333:role/a/b"));
        assert!(!arn_matches(f, "arn:aws:iam::111122223333:user/a"));
        assert!(!arn_matches(f, "arn:aws:iam::111122223333:role/"));
        let obj = "arn:${Partition}:s3:::${BucketName}/${ObjectName}";
        assert!(arn_matches(obj, "arn:aws:s3:::b/k"));
        assert!(!arn_matches(obj, "arn:aws:s3:::b"));
        assert!(fits("s3:GetObject", "arn:aws:s3:::b/k"));
        assert!(!fits("s3:GetObject", "arn:aws:s3:::b"));
        assert!(fits("s3:ListAllMyBuckets", "*"));
    }
}
