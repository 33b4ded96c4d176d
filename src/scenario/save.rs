//! Writing a scenario back to JSON (saving it safely is [`crate::save`]'s).

use super::{DocumentForm, PolicySource, RequestSpec, Scenario};
use crate::eval::{ContextValue, Scalar, ScalarKind};
use crate::json::{self, push_indent, write_string};
use crate::policy::PolicyKind;

/// The scenario as JSON text (two-space indentation, a trailing newline). Policy
/// documents that are valid JSON are written as objects; others (text being edited)
/// as strings, so nothing typed is lost. Policies taken from another file
/// (`policiesFrom`) are that file's: the entry naming it is written back, never its
/// policies (nor the SCP or RCP levels made for them).
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
    let from: Vec<&str> = s
        .source_map
        .files()
        .map(|(_, f)| f.entry.as_str())
        .collect();
    if !from.is_empty() {
        field(&mut out, "policiesFrom");
        write_from(&from, &mut out);
    }
    field(&mut out, "requests");
    write_requests(s, &mut out);
    out.push_str("\n}\n");
    out
}

/// The key of a policy type in a scenario's `policies` object.
pub(super) fn kind_key(kind: PolicyKind) -> &'static str {
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

/// The `policiesFrom` entries as written (one object, or an array of them).
fn write_from(entries: &[&str], out: &mut String) {
    let write = |text: &str, indent: usize, out: &mut String| match json::parse(text) {
        Ok(node) => json::write_pretty(&node, indent, out),
        // It parsed when the scenario was read; kept as it was in any case.
        Err(_) => out.push_str(text),
    };
    match entries {
        [one] => write(one, 1, out),
        _ => {
            out.push('[');
            for (i, e) in entries.iter().enumerate() {
                out.push_str(if i > 0 { ",\n" } else { "\n" });
                push_indent(2, out);
                write(e, 2, out);
            }
            out.push('\n');
            push_indent(1, out);
            out.push(']');
        }
    }
}

fn write_policies(s: &Scenario, out: &mut String) {
    // The scenario's own policies and levels, not those of a file it takes them from.
    let own = |p: &&PolicySource| p.at.is_none_or(|at| s.source_map.file_of(&at).is_none());
    let added = |kind: PolicyKind, li: usize| {
        s.source_map.files().any(|(_, f)| match kind {
            PolicyKind::Scp => f.added_levels.scp == Some(li),
            _ => f.added_levels.rcp == Some(li),
        })
    };
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
                if levels.iter().enumerate().all(|(li, _)| added(kind, li)) {
                    continue;
                }
                group.push('[');
                let mut written = 0;
                for (li, level) in levels.iter().enumerate() {
                    if added(kind, li) {
                        continue;
                    }
                    group.push_str(if written > 0 { ",\n" } else { "\n" });
                    written += 1;
                    push_indent(3, &mut group);
                    group.push_str("{\"level\": ");
                    write_string(level, &mut group);
                    group.push_str(", \"policies\": ");
                    let members: Vec<&PolicySource> = s
                        .sources
                        .iter()
                        .filter(|p| p.kind == kind && p.level == Some(li))
                        .filter(own)
                        .collect();
                    write_entries(&members, 4, &mut group);
                    group.push('}');
                }
                group.push('\n');
                push_indent(2, &mut group);
                group.push(']');
            }
            _ => {
                let members: Vec<&PolicySource> = s
                    .sources
                    .iter()
                    .filter(|p| p.kind == kind)
                    .filter(own)
                    .collect();
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
        if let Some(b) = &p.principal {
            out.push_str("\"principal\": ");
            write_string(b, out);
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
        (DocumentForm::Inline | DocumentForm::Derived, Ok(node)) => {
            json::write_pretty(&node, indent, out)
        }
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
