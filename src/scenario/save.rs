//! Writing a scenario back to JSON, and saving it without ever leaving a half-written
//! file: write a temporary file beside the target, flush it to disk, then rename.

use super::{DocumentForm, PolicySource, RequestSpec, Scenario};
use crate::eval::{ContextValue, Scalar, ScalarKind};
use crate::json::{self, push_indent, write_string};
use crate::policy::PolicyKind;
use std::io::Write;
use std::path::Path;

/// The scenario as JSON text (two-space indentation, a trailing newline). Policy
/// documents that are valid JSON are written as objects; others (text being edited)
/// as strings, so nothing typed is lost.
pub fn to_json(s: &Scenario) -> String {
    let mut out = String::from("{\n");
    let mut first = true;
    let mut field = |out: &mut String, key: &str| {
        if !first {
            out.push_str(",\n");
        }
        first = false;
        push_indent(1, out);
        write_string(key, out);
        out.push_str(": ");
    };
    if let Some(n) = &s.name {
        field(&mut out, "name");
        write_string(n, &mut out);
    }
    if let Some(d) = &s.description {
        field(&mut out, "description");
        write_string(d, &mut out);
    }
    if let Some(m) = &s.set.management_account {
        field(&mut out, "managementAccount");
        write_string(m, &mut out);
    }
    field(&mut out, "policies");
    write_policies(s, &mut out);
    field(&mut out, "requests");
    write_requests(s, &mut out);
    out.push_str("\n}\n");
    out
}

fn kind_key(kind: PolicyKind) -> &'static str {
    match kind {
        PolicyKind::Identity => "identity",
        PolicyKind::Boundary => "boundary",
        PolicyKind::Session => "session",
        PolicyKind::Resource => "resource",
        PolicyKind::Endpoint => "endpoint",
        PolicyKind::Scp => "scp",
        PolicyKind::Rcp => "rcp",
    }
}

fn write_policies(s: &Scenario, out: &mut String) {
    let kinds = [
        PolicyKind::Identity,
        PolicyKind::Boundary,
        PolicyKind::Session,
        PolicyKind::Resource,
        PolicyKind::Endpoint,
        PolicyKind::Scp,
        PolicyKind::Rcp,
    ];
    let mut groups: Vec<String> = Vec::new();
    for kind in kinds {
        let mut group = String::new();
        push_indent(2, &mut group);
        write_string(kind_key(kind), &mut group);
        group.push_str(": ");
        match kind {
            PolicyKind::Scp | PolicyKind::Rcp => {
                let levels = if kind == PolicyKind::Scp {
                    &s.set.scp_levels
                } else {
                    &s.set.rcp_levels
                };
                if levels.is_empty() {
                    continue;
                }
                group.push('[');
                for (li, level) in levels.iter().enumerate() {
                    group.push_str(if li > 0 { ",\n" } else { "\n" });
                    push_indent(3, &mut group);
                    group.push_str("{\"level\": ");
                    write_string(level, &mut group);
                    group.push_str(", \"policies\": ");
                    let members: Vec<&PolicySource> = s
                        .sources
                        .iter()
                        .filter(|p| p.kind == kind && p.level == Some(li))
                        .collect();
                    write_entries(&members, 4, &mut group);
                    group.push('}');
                }
                group.push('\n');
                push_indent(2, &mut group);
                group.push(']');
            }
            _ => {
                let members: Vec<&PolicySource> =
                    s.sources.iter().filter(|p| p.kind == kind).collect();
                if members.is_empty() {
                    continue;
                }
                write_entries(&members, 3, &mut group);
            }
        }
        groups.push(group);
    }
    if groups.is_empty() {
        out.push_str("{}");
        return;
    }
    out.push_str("{\n");
    out.push_str(&groups.join(",\n"));
    out.push('\n');
    push_indent(1, out);
    out.push('}');
}

fn write_entries(entries: &[&PolicySource], indent: usize, out: &mut String) {
    if entries.is_empty() {
        out.push_str("[]");
        return;
    }
    out.push('[');
    for (i, p) in entries.iter().enumerate() {
        out.push_str(if i > 0 { ",\n" } else { "\n" });
        push_indent(indent, out);
        out.push('{');
        if let Some(n) = &p.name {
            out.push_str("\"name\": ");
            write_string(n, out);
            out.push_str(", ");
        }
        if let Some(a) = &p.attached_to {
            out.push_str("\"attachedTo\": ");
            write_string(a, out);
            out.push_str(", ");
        }
        out.push_str("\"document\": ");
        write_document(p, indent, out);
        out.push('}');
    }
    out.push('\n');
    push_indent(indent - 1, out);
    out.push(']');
}

pub(super) fn write_document(p: &PolicySource, indent: usize, out: &mut String) {
    match (p.form, json::parse(&p.text)) {
        (DocumentForm::Inline, Ok(node)) => json::write_pretty(&node, indent, out),
        (DocumentForm::UrlEncoded, _) => {
            let encoded =
                percent_encoding::utf8_percent_encode(&p.text, percent_encoding::NON_ALPHANUMERIC)
                    .to_string();
            write_string(&encoded, out);
        }
        _ => write_string(&p.text, out),
    }
}

fn write_scalar(s: &Scalar, out: &mut String) {
    match s.kind {
        ScalarKind::Number if crate::value::parse_number(&s.text).is_some() => {
            out.push_str(&s.text)
        }
        ScalarKind::Bool if s.text == "true" || s.text == "false" => out.push_str(&s.text),
        _ => write_string(&s.text, out),
    }
}

fn write_requests(s: &Scenario, out: &mut String) {
    if s.requests.is_empty() {
        out.push_str("[]");
        return;
    }
    out.push('[');
    for (i, r) in s.requests.iter().enumerate() {
        out.push_str(if i > 0 { ",\n" } else { "\n" });
        push_indent(2, out);
        write_request(r, 2, out);
    }
    out.push('\n');
    push_indent(1, out);
    out.push(']');
}

/// One request object whose opening brace is at indentation level `indent` (its
/// members one level deeper).
pub(super) fn write_request(r: &RequestSpec, indent: usize, out: &mut String) {
    out.push_str("{\n");
    let mut lines: Vec<String> = Vec::new();
    let mut line = |key: &str, value: &dyn Fn(&mut String)| {
        let mut l = String::new();
        push_indent(indent + 1, &mut l);
        write_string(key, &mut l);
        l.push_str(": ");
        value(&mut l);
        lines.push(l);
    };
    if let Some(n) = &r.name {
        line("name", &|o| write_string(n, o));
    }
    if let Some(v) = &r.via {
        line("via", &|o| write_string(v, o));
    }
    let q = &r.request;
    line("principal", &|o| write_string(&q.principal, o));
    line("action", &|o| write_string(&q.action, o));
    line("resource", &|o| write_string(&q.resource, o));
    if let Some(a) = &q.resource_account {
        line("resourceAccount", &|o| write_string(a, o));
    }
    if !q.context.is_empty() {
        line("context", &|o| {
            o.push_str("{\n");
            for (k, (key, value)) in q.context.iter().enumerate() {
                if k > 0 {
                    o.push_str(",\n");
                }
                push_indent(indent + 2, o);
                write_string(key, o);
                o.push_str(": ");
                match value {
                    ContextValue::One(s) => write_scalar(s, o),
                    ContextValue::Many(v) => {
                        o.push('[');
                        for (j, s) in v.iter().enumerate() {
                            if j > 0 {
                                o.push_str(", ");
                            }
                            write_scalar(s, o);
                        }
                        o.push(']');
                    }
                }
            }
            o.push('\n');
            push_indent(indent + 1, o);
            o.push('}');
        });
    }
    if let Some(e) = r.expect {
        line("expect", &|o| write_string(e.word(), o));
    }
    if !r.notes.is_empty() {
        line("notes", &|o| {
            o.push('[');
            for (j, n) in r.notes.iter().enumerate() {
                o.push_str(if j > 0 { ",\n" } else { "\n" });
                push_indent(indent + 2, o);
                write_string(n, o);
            }
            o.push('\n');
            push_indent(indent + 1, o);
            o.push(']');
        });
    }
    out.push_str(&lines.join(",\n"));
    out.push('\n');
    push_indent(indent, out);
    out.push('}');
}

/// The start of the name of a temporary file written for `target`:
/// `.iamtrace-NAME.` (then random letters and `.tmp`), so a temporary file left by a
/// save that was killed half-way can be told apart and cleaned up by the next open of
/// `target` (see [`stale_temp_files`]).
pub fn temp_prefix(target: &Path) -> String {
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    format!(".iamtrace-{name}.")
}

/// Temporary files beside `target` left by saves of it that never finished (the
/// process was killed between writing and renaming): the ones named for `target`
/// and not changed for `older_than` (a save in progress in another window is
/// younger than that).
pub fn stale_temp_files(target: &Path, older_than: std::time::Duration) -> Vec<std::path::PathBuf> {
    let dir = match target.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let prefix = temp_prefix(target);
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut stale: Vec<std::path::PathBuf> = entries
        .flatten()
        .filter(|e| {
            let name = e.file_name();
            let name = name.to_string_lossy();
            let random = name
                .strip_prefix(prefix.as_str())
                .and_then(|r| r.strip_suffix(".tmp"));
            // tempfile's random part: letters and digits only.
            random.is_some_and(|r| !r.is_empty() && r.chars().all(|c| c.is_ascii_alphanumeric()))
        })
        .filter(|e| {
            e.metadata().is_ok_and(|m| {
                m.is_file()
                    && m.modified()
                        .ok()
                        .and_then(|t| t.elapsed().ok())
                        .is_some_and(|age| age >= older_than)
            })
        })
        .map(|e| e.path())
        .collect();
    stale.sort();
    stale
}

/// Saves `text` to `path` atomically: a temporary file in the same directory is
/// written and flushed to disk, then renamed over `path`. A crash leaves either the
/// old file or the new one, never a mix; a failed write (a full disk, a file size
/// limit) removes the temporary file.
pub fn save_atomic(path: &Path, text: &str) -> std::io::Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let mut tmp = tempfile::Builder::new()
        .prefix(&temp_prefix(path))
        .suffix(".tmp")
        .tempfile_in(dir)?;
    tmp.write_all(text.as_bytes())?;
    tmp.as_file().sync_all()?;
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, SystemTime};

    #[test]
    fn stale_temporary_files_are_the_old_ones_named_for_the_target() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("s.json");
        let make = |name: &str, age: u64| {
            let p = dir.path().join(name);
            let f = std::fs::File::create(&p).unwrap();
            f.set_modified(SystemTime::now() - Duration::from_secs(age))
                .unwrap();
            p
        };
        let old = make(".iamtrace-s.json.Ab12Cd.tmp", 3600);
        make(".iamtrace-s.json.Xy34Zw.tmp", 0); // a save in progress
        make(".iamtrace-other.json.Ab12Cd.tmp", 3600); // another file's
        make(".iamtrace-s.json.Ab12Cd.tmp.bak", 3600);
        make("s.json", 3600);
        let stale = stale_temp_files(&target, Duration::from_secs(60));
        assert_eq!(stale, [old]);
        // A save uses that naming and leaves nothing behind.
        save_atomic(&target, "{}\n").unwrap();
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "{}\n");
        assert_eq!(stale_temp_files(&target, Duration::ZERO).len(), 2);
    }
}
