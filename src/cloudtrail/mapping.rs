//! Which IAM action authorizes a CloudTrail event, and which request parameters name its
//! resource: the data `scripts/gen-cloudtrail-map.py` generates from the AWS SDK's
//! service models (botocore) and the reviewed override table
//! (`assets/catalog/cloudtrail-overrides.tsv`), checked there against the service
//! catalog. The format is described in the script.
//!
//! Embedded compressed, decompressed and parsed on first use (as the service catalog
//! is); every name borrows from the decompressed text.

use crate::catalog;
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

/// One eventSource host's events, parsed from its lines when first met.
#[derive(Debug, Default)]
struct Host<'a> {
    skip_all: Option<&'a str>,
    events: HashMap<&'a str, EventEntry<'a>>,
}

/// One eventSource host: its IAM prefix and its lines.
#[derive(Debug, Default)]
struct HostIndex<'a> {
    prefix: Option<&'a str>,
    lines: &'a str,
    parsed: OnceLock<Host<'a>>,
}

/// The whole map. Only the hosts' prefixes are read up front; a host's events are
/// parsed the first time one of them is looked up (a trail touches few services).
#[derive(Debug, Default)]
pub struct Map<'a> {
    hosts: HashMap<&'a str, HostIndex<'a>>,
    keys: HashMap<&'a str, Vec<(&'a str, &'a str)>>,
    allowed: HashSet<String>,
}

/// The map, decompressed and indexed on first call (empty, so that every event is
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
    gunzip(EMBEDDED)
}

/// Decompresses a gzip member into a string allocated once at its final size (the
/// trailer's ISIZE), rather than grown by doubling.
fn gunzip(bytes: &[u8]) -> std::io::Result<String> {
    let size = bytes
        .len()
        .checked_sub(4)
        .and_then(|at| bytes[at..].try_into().ok())
        .map_or(0, u32::from_le_bytes);
    let mut text = String::with_capacity(size as usize + 1);
    flate2::read::GzDecoder::new(bytes).read_to_string(&mut text)?;
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
    /// Indexes map text: the hosts' prefixes, condition keys and allowlist, and where
    /// each host's lines are. The error says which line is wrong.
    pub fn parse(text: &'a str) -> Result<Map<'a>, String> {
        let mut map = Map::default();
        let mut at = 0;
        let mut block: Option<(&'a str, usize)> = None;
        for (n, line) in text.split_inclusive('\n').enumerate() {
            let start = at;
            at += line.len();
            let line = line.trim_end_matches('\n');
            let f: Vec<&str> = line.splitn(3, '\t').collect();
            let bad = || format!("line {}: {line:?}", n + 1);
            if n == 0 {
                if f.first() != Some(&HEADER) {
                    return Err(format!("line 1: not {HEADER}"));
                }
                continue;
            }
            match (f[0], f.len()) {
                ("H", 3) => map.hosts.entry(f[1]).or_default().prefix = Some(f[2]),
                ("K", 3) => {
                    let (key, param) = f[2].split_once('\t').ok_or_else(bad)?;
                    map.keys.entry(f[1]).or_default().push((key, param));
                }
                ("X", 2) => {
                    map.allowed.insert(f[1].to_ascii_lowercase());
                }
                ("A" | "V" | "R" | "S", 3) => {
                    let host = f[1];
                    match block {
                        Some((h, _)) if h == host => {}
                        Some((h, from)) => {
                            map.hosts.entry(h).or_default().lines = &text[from..start];
                            block = Some((host, start));
                        }
                        None => block = Some((host, start)),
                    }
                }
                _ => return Err(bad()),
            }
        }
        if let Some((h, from)) = block {
            map.hosts.entry(h).or_default().lines = &text[from..];
        }
        Ok(map)
    }

    /// A host's events, parsed on first use.
    fn host(&self, host: &str) -> Option<&Host<'a>> {
        let index = self.hosts.get(host)?;
        Some(index.parsed.get_or_init(|| parse_host(index.lines)))
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
        let h = self.host(host);
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
        let found =
            service(prefix).and_then(|s| s.action(name).map(|(a, _)| format!("{}:{a}", s.prefix)));
        found.or_else(|| self.allowed(action).then(|| action.to_string()))
    }
}

/// The lines of one host, parsed (lines of a shape `Map::parse` let through).
fn parse_host(lines: &str) -> Host<'_> {
    let mut host = Host::default();
    for line in lines.lines() {
        let f: Vec<&str> = line.split('\t').collect();
        match (f[0], f.len()) {
            ("S", 4) if f[2] == "*" => host.skip_all = Some(f[3]),
            ("S", 4) => host.events.entry(f[2]).or_default().skip = Some(f[3]),
            ("A", 4) => host.events.entry(f[2]).or_default().action = Some(f[3]),
            ("V", 5) => host
                .events
                .entry(f[2])
                .or_default()
                .verbs
                .push((f[3], f[4])),
            ("R", 5) => {
                let fill = match f[4].strip_prefix('=') {
                    Some(param) => Fill::Whole(param),
                    None => Fill::Vars(f[4].split(' ').filter_map(|v| v.split_once('=')).collect()),
                };
                host.events
                    .entry(f[2])
                    .or_default()
                    .resources
                    .push(ResourceSpec {
                        type_name: f[3],
                        fill,
                    });
            }
            _ => {}
        }
    }
    host
}

/// A resource type an action acts on: its name and ARN format(s).
#[derive(Debug, Clone, Copy)]
pub struct TypeRef {
    /// The catalog's name (`object`).
    pub name: &'static str,
    /// The ARN format; a few types have two, separated by `, `.
    pub arn_format: &'static str,
}

impl TypeRef {
    /// Its ARN formats (usually one).
    pub fn arn_formats(&self) -> impl Iterator<Item = &'static str> {
        self.arn_format.split(", ").filter(|f| !f.is_empty())
    }
}

/// What conversion needs of one catalog service: its actions (sorted
/// case-insensitively) and the resource types of each. Kept in a few flat vectors,
/// parsed from the catalog's text when the service is first met (a trail touches few
/// services; the whole catalog costs many times the time and memory).
#[derive(Debug)]
pub struct Service {
    /// The prefix, lower-case.
    pub prefix: &'static str,
    /// (name, range in `action_types`), sorted case-insensitively by name.
    actions: Vec<(&'static str, std::ops::Range<u32>)>,
    action_types: Vec<TypeRef>,
}

impl Service {
    /// The action with this name (case-insensitive): its spelling and resource types.
    pub fn action(&self, name: &str) -> Option<(&'static str, &[TypeRef])> {
        let i = self
            .actions
            .binary_search_by(|(a, _)| cmp_ci(a, name))
            .ok()?;
        let (a, r) = &self.actions[i];
        Some((a, &self.action_types[r.start as usize..r.end as usize]))
    }

    fn parse(prefix: &'static str, block: &'static str) -> Service {
        let mut types: Vec<TypeRef> = Vec::new();
        let mut actions = Vec::new();
        let mut action_types = Vec::new();
        for line in block.lines() {
            let mut f = line.split('\t');
            match f.next() {
                Some("R") => {
                    if let (Some(name), Some(arn_format)) = (f.next(), f.next()) {
                        types.push(TypeRef { name, arn_format });
                    }
                }
                Some("A") => {
                    let at = action_types.len() as u32;
                    actions.push((f.next().unwrap_or_default(), at..at));
                }
                Some("r") => {
                    let t = f.next().and_then(|i| i.parse::<usize>().ok());
                    if let (Some(t), Some((_, range))) =
                        (t.and_then(|i| types.get(i)), actions.last_mut())
                    {
                        action_types.push(*t);
                        range.end += 1;
                    }
                }
                _ => {}
            }
        }
        actions.shrink_to_fit();
        action_types.shrink_to_fit();
        Service {
            prefix,
            actions,
            action_types,
        }
    }
}

fn cmp_ci(a: &str, b: &str) -> std::cmp::Ordering {
    a.bytes()
        .map(|c| c.to_ascii_lowercase())
        .cmp(b.bytes().map(|c| c.to_ascii_lowercase()))
}

/// The catalog service with this prefix (parsed on first use).
pub fn service(prefix: &str) -> Option<&'static Service> {
    let blocks = blocks();
    let i = blocks
        .index
        .binary_search_by(|(p, _)| cmp_ci(p, prefix))
        .ok()?;
    let (p, range) = &blocks.index[i];
    Some(blocks.parsed[i].get_or_init(|| Service::parse(p, &blocks.text[range.clone()])))
}

/// Decompresses and indexes the map and the catalog now, on this thread: replay calls
/// it before its workers start, so that the large texts are not allocated by a worker
/// (whose allocator pages would then stay pinned). Hosts and services are still
/// parsed when first met.
pub fn preload() {
    map();
    blocks();
}

fn blocks() -> &'static Blocks {
    static BLOCKS: OnceLock<Blocks> = OnceLock::new();
    BLOCKS.get_or_init(Blocks::new)
}

/// The catalog's text cut at its services.
struct Blocks {
    text: &'static str,
    /// (prefix, byte range of its lines), sorted by prefix.
    index: Vec<(&'static str, std::ops::Range<usize>)>,
    parsed: Vec<OnceLock<Service>>,
}

impl Blocks {
    fn new() -> Blocks {
        static TEXT: OnceLock<String> = OnceLock::new();
        let text: &'static str =
            TEXT.get_or_init(|| catalog::services::embedded_text().unwrap_or_default());
        let mut index: Vec<(&'static str, std::ops::Range<usize>)> = Vec::with_capacity(512);
        let mut at = 0;
        for line in text.split_inclusive('\n') {
            if let Some(rest) = line.strip_prefix("S\t") {
                if let Some((_, last)) = index.last_mut() {
                    last.end = at;
                }
                let prefix = rest.split('\t').next().unwrap_or_default();
                index.push((prefix, at + line.len()..text.len()));
            }
            at += line.len();
        }
        index.sort_by(|a, b| cmp_ci(a.0, b.0));
        let parsed = index.iter().map(|_| OnceLock::new()).collect();
        Blocks {
            text,
            index,
            parsed,
        }
    }
}

/// The catalog's resource types of an action (empty when it has none or is unknown).
pub fn resource_types(action: &str) -> &'static [TypeRef] {
    action
        .split_once(':')
        .and_then(|(p, n)| service(p)?.action(n))
        .map_or(&[], |(_, types)| types)
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
    fn services_parse_when_first_met() {
        preload();
        let s3 = service("S3").unwrap();
        let (name, types) = s3.action("getobject").unwrap();
        assert_eq!(name, "GetObject");
        assert!(types.iter().any(|t| t.name == "object"));
        assert!(service("no-such-service").is_none());
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
