//! Actions against the statement's resources: every action a statement names must be
//! able to act on one of its resources (an ARN the catalog's ARN templates for the
//! action's resource types can match), and actions without resource-level permissions
//! need `"*"`. Also the ARN pattern matching both this and the ARN format check use: do
//! a policy's resource pattern and a catalog ARN template have an ARN in common?

use super::super::Finding;
use super::Matched;
use crate::catalog::catalog;
use crate::catalog::services::Action;
use crate::policy::Statement;
use std::collections::HashMap;
use std::sync::OnceLock;

/// What one position of a pattern stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Class {
    /// Any character.
    Any,
    /// Any character but `:` (a placeholder within one ARN segment).
    NoColon,
    /// Any character but `:` and `/` (a bucket name).
    NoColonSlash,
    /// This character (ASCII case ignored).
    Lit(u8),
}

/// One position: a character of a class, or any run of them (`*`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Tok {
    class: Class,
    many: bool,
}

/// A compiled pattern (a policy resource or a catalog ARN template).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Glob {
    toks: Vec<Tok>,
    /// The service segment (its tokens, without the colons), when no run or `?` before
    /// its closing colon could stand for a colon: that colon is then the text's third.
    service: Option<std::ops::Range<usize>>,
    /// Where the resource part starts (after the fifth colon), likewise.
    resource: Option<usize>,
}

fn intersects(a: Class, b: Class) -> bool {
    use Class::*;
    match (a, b) {
        (Any, _) | (_, Any) => true,
        (Lit(x), Lit(y)) => x.eq_ignore_ascii_case(&y),
        (Lit(c), NoColon) | (NoColon, Lit(c)) => c != b':',
        (Lit(c), NoColonSlash) | (NoColonSlash, Lit(c)) => c != b':' && c != b'/',
        _ => true,
    }
}

impl Glob {
    /// A policy's resource pattern: `*` any run, `?` one character, a policy variable
    /// any run (its value is not known here), `${*}`, `${?}` and `${$}` the character.
    pub(super) fn policy(text: &str) -> Glob {
        let b = text.as_bytes();
        let mut out = Vec::with_capacity(b.len());
        let mut i = 0;
        while i < b.len() {
            if b[i] == b'$' && b.get(i + 1) == Some(&b'{') {
                if let Some(end) = b[i..].iter().position(|&c| c == b'}') {
                    let inner = &b[i + 2..i + end];
                    match inner {
                        b"*" | b"?" | b"$" => out.push(Tok {
                            class: Class::Lit(inner[0]),
                            many: false,
                        }),
                        _ => out.push(Tok {
                            class: Class::Any,
                            many: true,
                        }),
                    }
                    i += end + 1;
                    continue;
                }
            }
            out.push(match b[i] {
                b'*' => Tok {
                    class: Class::Any,
                    many: true,
                },
                b'?' => Tok {
                    class: Class::Any,
                    many: false,
                },
                c => Tok {
                    class: Class::Lit(c),
                    many: false,
                },
            });
            i += 1;
        }
        Glob::new(out)
    }

    /// A catalog ARN template: each `${Name}` one or more characters within its ARN
    /// segment; in the resource part (after the fifth colon) the last placeholder, when
    /// the template ends with it, any run (object keys, paths, `log-group:NAME:*`), and
    /// a bucket name never holds `/`.
    pub(super) fn template(text: &str) -> Glob {
        let b = text.as_bytes();
        let mut out = Vec::with_capacity(b.len());
        let mut colons = 0;
        let mut i = 0;
        while i < b.len() {
            if b[i] == b'$' && b.get(i + 1) == Some(&b'{') {
                if let Some(end) = b[i..].iter().position(|&c| c == b'}') {
                    let name = &text[i + 2..i + end];
                    let last = i + end + 1 == b.len();
                    let class = if name.ends_with("BucketName") {
                        Class::NoColonSlash
                    } else if colons >= 5 && last {
                        Class::Any
                    } else {
                        Class::NoColon
                    };
                    out.push(Tok { class, many: false });
                    out.push(Tok { class, many: true });
                    i += end + 1;
                    continue;
                }
            }
            if b[i] == b':' {
                colons += 1;
            }
            out.push(Tok {
                class: Class::Lit(b[i]),
                many: false,
            });
            i += 1;
        }
        Glob::new(out)
    }

    /// Whether some text matches both patterns. Where both patterns fix the text's
    /// third (and fifth) colon, the pieces between are compared on their own: the
    /// text's colons split both the same way.
    pub(super) fn overlaps(&self, other: &Glob) -> bool {
        if self.segments_differ(other) {
            return false;
        }
        let mut cuts = [(0, 0); 4];
        let mut n = 1;
        if let (Some(a), Some(b)) = (&self.service, &other.service) {
            cuts[n] = (a.end + 1, b.end + 1);
            n += 1;
        }
        if let (Some(a), Some(b)) = (self.resource, other.resource) {
            cuts[n] = (a, b);
            n += 1;
        }
        cuts[n] = (self.toks.len(), other.toks.len());
        cuts[..=n].windows(2).all(|w| {
            let ((a0, b0), (a1, b1)) = (w[0], w[1]);
            toks_overlap(&self.toks[a0..a1], &other.toks[b0..b1])
        })
    }
}

/// Whether some text matches both token lists. Quadratic in their lengths, no
/// recursion: `reach[i][j]` says the first `i` positions of `p` and the first `j` of
/// `t` can match one common prefix.
fn toks_overlap(p: &[Tok], t: &[Tok]) -> bool {
    let (mut p, mut t) = (p, t);
    // Literal heads and tails first: most pairs differ there (`instance/…` against
    // `volume/…`), and what they share needs no table.
    let lit = |tok: &Tok| match tok {
        Tok {
            class: Class::Lit(c),
            many: false,
        } => Some(*c),
        _ => None,
    };
    while let (Some(a), Some(b)) = (p.first().and_then(lit), t.first().and_then(lit)) {
        if !a.eq_ignore_ascii_case(&b) {
            return false;
        }
        (p, t) = (&p[1..], &t[1..]);
    }
    while let (Some(a), Some(b)) = (p.last().and_then(lit), t.last().and_then(lit)) {
        if !a.eq_ignore_ascii_case(&b) {
            return false;
        }
        (p, t) = (&p[..p.len() - 1], &t[..t.len() - 1]);
    }
    let (n, m) = (p.len(), t.len());
    // Two rows of the table: moves go to the next position of one side or both.
    // (On the stack for the lengths ARNs have.)
    let mut stack = [false; 512];
    let mut heap = Vec::new();
    let cells: &mut [bool] = if 2 * (m + 1) <= stack.len() {
        &mut stack[..2 * (m + 1)]
    } else {
        heap.resize(2 * (m + 1), false);
        &mut heap
    };
    let (mut row, mut next) = cells.split_at_mut(m + 1);
    row[0] = true;
    for i in 0..=n {
        next.iter_mut().for_each(|x| *x = false);
        for j in 0..=m {
            if !row[j] {
                continue;
            }
            let (a, b) = (p.get(i), t.get(j));
            // A run may stand for nothing.
            if a.is_some_and(|a| a.many) {
                next[j] = true;
            }
            if b.is_some_and(|b| b.many) {
                row[j + 1] = true;
            }
            if let (Some(a), Some(b)) = (a, b) {
                if intersects(a.class, b.class) {
                    // One common character: each side moves past it unless it is a
                    // run (which may take more).
                    match (a.many, b.many) {
                        (false, false) => next[j + 1] = true,
                        (true, false) => row[j + 1] = true,
                        (false, true) => next[j] = true,
                        (true, true) => {}
                    }
                }
            }
        }
        if i == n {
            return row[m];
        }
        std::mem::swap(&mut row, &mut next);
    }
    false
}

/// Every ARN template of the catalog, compiled once, by its address (the catalog is one
/// static table, and an action's resource rows point into its service's types).
fn compiled_templates() -> &'static HashMap<usize, Glob> {
    static TEMPLATES: OnceLock<HashMap<usize, Glob>> = OnceLock::new();
    TEMPLATES.get_or_init(|| {
        catalog()
            .services()
            .iter()
            .flat_map(|s| &s.resource_types)
            .flat_map(|r| r.arn_formats())
            .map(|f| (f.as_ptr() as usize, Glob::template(f)))
            .collect()
    })
}

impl Glob {
    /// Where the resource part (after the fifth colon) starts, and where the service
    /// segment lies, when no run or `?` before it could stand for a colon.
    fn new(toks: Vec<Tok>) -> Glob {
        let (mut service, mut resource) = (None, None);
        let (mut colons, mut start) = (0, 0);
        for (k, tok) in toks.iter().enumerate() {
            match tok.class {
                Class::Any => break,
                Class::Lit(b':') if !tok.many => {
                    colons += 1;
                    match colons {
                        2 => start = k + 1,
                        3 => service = Some(start..k),
                        5 => {
                            resource = Some(k + 1);
                            break;
                        }
                        _ => {}
                    }
                }
                _ => {}
            }
        }
        Glob {
            toks,
            service,
            resource,
        }
    }

    /// A quick, exact "no": both have their segments in place, and the services
    /// (when both are literal) or the literal heads of the resource parts differ.
    fn segments_differ(&self, other: &Glob) -> bool {
        let (Some(s1), Some(s2)) = (&self.service, &other.service) else {
            return false;
        };
        let literal = |t: &Tok| match t {
            Tok {
                class: Class::Lit(c),
                many: false,
            } => Some(*c),
            _ => None,
        };
        let (a, b) = (&self.toks[s1.clone()], &other.toks[s2.clone()]);
        if a.iter().chain(b).all(|t| literal(t).is_some())
            && (a.len() != b.len()
                || a.iter().zip(b).any(|(x, y)| {
                    !literal(x)
                        .unwrap_or_default()
                        .eq_ignore_ascii_case(&literal(y).unwrap_or_default())
                }))
        {
            return true;
        }
        let (Some(r1), Some(r2)) = (self.resource, other.resource) else {
            return false;
        };
        for (a, b) in self.toks[r1..].iter().zip(&other.toks[r2..]) {
            match (a, b) {
                (
                    Tok {
                        class: Class::Lit(x),
                        many: false,
                    },
                    Tok {
                        class: Class::Lit(y),
                        many: false,
                    },
                ) if !x.eq_ignore_ascii_case(y) => return true,
                (
                    Tok {
                        class: Class::Lit(_),
                        many: false,
                    },
                    Tok {
                        class: Class::Lit(_),
                        many: false,
                    },
                ) => {}
                _ => break,
            }
        }
        false
    }
}

/// Whether one of `resources` can be an ARN of the template `format` (cached by the
/// template's address).
struct Serves<'r> {
    resources: &'r [Glob],
    cache: HashMap<usize, bool>,
}

impl Serves<'_> {
    fn format(&mut self, format: &'static str) -> bool {
        let resources = self.resources;
        *self
            .cache
            .entry(format.as_ptr() as usize)
            .or_insert_with(
                || match compiled_templates().get(&(format.as_ptr() as usize)) {
                    Some(template) => resources.iter().any(|r| r.overlaps(template)),
                    None => {
                        let template = Glob::template(format);
                        resources.iter().any(|r| r.overlaps(&template))
                    }
                },
            )
    }

    /// Whether the action can act on one of the resources: one of its resource types'
    /// ARN templates matches one of them. (An action without resource types takes `*`
    /// only, which the statement does not name.)
    fn action(&mut self, action: &Action<'static>) -> bool {
        action
            .resource_types
            .iter()
            .any(|r| r.arn_format.is_empty() || r.arn_formats().any(|f| self.format(f)))
    }
}

/// `resource-type-mismatch`: per statement, every action (a wildcard: at least one of
/// the actions it matches) must be able to act on one of the statement's resources.
pub(super) fn resource_types(
    st: &Statement,
    per_item: &[Option<Matched<'static>>],
    out: &mut Vec<Finding>,
) {
    let Some(res) = &st.resource else {
        return;
    };
    // NotAction and NotResource say what is left out; "*" (or any non-ARN wildcard)
    // serves every action.
    if st.action.negated || res.negated || res.items.is_empty() {
        return;
    }
    if res.items.iter().any(|r| !r.text.starts_with("arn:")) {
        return;
    }
    let resources: Vec<Glob> = res.items.iter().map(|r| Glob::policy(&r.text)).collect();
    let mut serves = Serves {
        resources: &resources,
        cache: HashMap::new(),
    };
    for (item, matched) in st.action.items.iter().zip(per_item) {
        let Some(matched) = matched else {
            continue;
        };
        let text = &*item.text;
        if !text.contains(['*', '?']) {
            let Some(&(service, action)) = matched.first() else {
                continue;
            };
            let name = format!("{}:{}", service.prefix, action.name);
            if action.resource_types.is_empty() {
                out.push(
                    Finding::new(
                        "resource-type-mismatch",
                        item.span,
                        format!(
                            "{name} supports no resource-level permissions: only \"*\" grants it, and this statement names resources"
                        ),
                    )
                    .with_fix(format!("grant {name} in a statement with \"Resource\": \"*\"")),
                );
            } else if !serves.action(action) {
                let takes: Vec<String> = action
                    .resource_types
                    .iter()
                    .take(4)
                    .map(|r| format!("{} ({})", r.name, r.arn_format))
                    .collect();
                let more = if action.resource_types.len() > 4 {
                    format!(" and {} more", action.resource_types.len() - 4)
                } else {
                    String::new()
                };
                out.push(Finding::new(
                    "resource-type-mismatch",
                    item.span,
                    format!(
                        "{name} acts on {}{more}: none of this statement's resources is one, so it grants nothing here",
                        takes.join(", ")
                    ),
                ));
            }
        } else if !matched.iter().any(|(_, a)| serves.action(a)) {
            out.push(Finding::new(
                "resource-type-mismatch",
                item.span,
                format!(
                    "none of the {} actions \"{text}\" matches can act on this statement's resources, so it grants nothing here",
                    matched.len()
                ),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn overlap(policy: &str, template: &str) -> bool {
        Glob::policy(policy).overlaps(&Glob::template(template))
    }

    const BUCKET: &str = "arn:${Partition}:s3:::${BucketName}";
    const OBJECT: &str = "arn:${Partition}:s3:::${BucketName}/${ObjectName}";
    const INSTANCE: &str = "arn:${Partition}:ec2:${Region}:${Account}:instance/${InstanceId}";
    const LOG_GROUP: &str = "arn:${Partition}:logs:${Region}:${Account}:log-group:${LogGroupName}";

    #[test]
    fn the_quick_paths_agree_with_the_whole_table() {
        // The quick "no" and the pieces between fixed colons give what the one table
        // over the whole texts gives, for every template of the catalog.
        let resources = [
            "arn:aws:s3:::example",
            "arn:aws:s3:::example/*",
            "arn:aws:s3:us-east-1:111122223333:example",
            "arn:aws:ec2:*:*:instance/*",
            "arn:aws:ec2:us-east-1:111122223333:volume/v-1",
            "arn:aws:ec2:*:111122223333:volume/v-1",
            "arn:aws:iam::111122223333:role/app-*",
            "arn:aws:iam::*:user/${aws:username}",
            "arn:aws:logs:*:*:log-group:/aws/lambda/x:*",
            "arn:aws:lambda:us-east-1:111122223333:function:app-*",
            "arn:aws:dynamodb:*:111122223333:table/t-*",
            "arn:aws:*:*:*:*",
            "arn:aws:e?2:us-east-1:111122223333:instance/i-1",
            "arn:*:sqs:*:*:queue-?",
            "arn:aws:ssm:*::parameter/aws/*",
        ];
        let mut differing = 0;
        for r in resources {
            let policy = Glob::policy(r);
            for template in compiled_templates().values() {
                let quick = policy.overlaps(template);
                assert_eq!(
                    quick,
                    toks_overlap(&policy.toks, &template.toks),
                    "{r} against {:?}",
                    template.toks.len()
                );
                differing += usize::from(!quick);
            }
        }
        assert!(differing > 0);
    }

    #[test]
    fn resources_against_templates() {
        assert!(overlap("arn:aws:s3:::example", BUCKET));
        assert!(!overlap("arn:aws:s3:::example", OBJECT));
        assert!(overlap("arn:aws:s3:::example/*", OBJECT));
        assert!(!overlap("arn:aws:s3:::example/*", BUCKET));
        assert!(overlap("arn:aws:s3:::example*", BUCKET));
        assert!(overlap("arn:aws:s3:::example*", OBJECT));
        assert!(overlap(
            "arn:aws:s3:::example/home/${aws:username}/a.txt",
            OBJECT
        ));
        assert!(overlap("arn:aws:s3:::*", OBJECT));
        assert!(overlap("arn:aws:ec2:*:*:instance/*", INSTANCE));
        assert!(overlap(
            "arn:aws:ec2:us-east-1:111122223333:instance/i-1",
            INSTANCE
        ));
        assert!(!overlap(
            "arn:aws:ec2:us-east-1:111122223333:volume/v-1",
            INSTANCE
        ));
        assert!(!overlap("arn:aws:ec2:us-east-1::instance/i-1", INSTANCE));
        assert!(!overlap("arn:aws:s3:::example/*", INSTANCE));
        assert!(overlap(
            "arn:aws:logs:*:*:log-group:/aws/lambda/x:*",
            LOG_GROUP
        ));
        assert!(overlap("arn:aws:*", INSTANCE));
        assert!(overlap("arn:aws:ec2:us-east-?:*:instance/*", INSTANCE));
        // A literal star written as ${*} is not a wildcard.
        assert!(!overlap("arn:aws:s3:::example${*}", OBJECT));
        assert!(overlap("ARN:AWS:S3:::EXAMPLE", BUCKET));
        // The quick "no" agrees with the table.
        assert!(!overlap(
            "arn:aws:ec2:us-east-1:111122223333:instance/i-1",
            OBJECT
        ));
        assert!(overlap(
            "arn:aws:ec2:us-east-1:111122223333:instance/i-1",
            INSTANCE
        ));
        assert!(overlap(
            "arn:aws:e?2:us-east-1:111122223333:instance/i-1",
            INSTANCE
        ));
        assert!(overlap("arn:aws:ec2:*:111122223333:instance/i-1", INSTANCE));
        // A star ending a segment may reach past its colons (AWS's own rule), so this
        // can be an instance whose id ends in ":111122223333:volume/v-1".
        assert!(overlap("arn:aws:ec2:*:111122223333:volume/v-1", INSTANCE));
        assert!(!overlap(
            "arn:aws:ec2:us-east-1:111122223333:volume/v-1",
            INSTANCE
        ));
    }
}
