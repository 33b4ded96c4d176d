//! Structural edits of a scenario file in its own layout: a policy renamed, placed on
//! another resource, deleted, added or moved to another type; requests added, deleted
//! or reordered (each request the file holds keeps its own bytes). Entries are removed with their separator and inserted after the last of
//! their array in its indentation, so the rest of the file keeps every byte. What this
//! cannot express (SCP and RCP levels changing, a `"request"` written as one object,
//! the file not being a scenario object) gives `None`, and the caller writes the file
//! anew. The caller checks the result by reading it back.

use super::save::{kind_key, write_request};
use super::splice::{document_text, in_files_step, indent_at, indent_step, same_request};
use super::{PolicySource, Scenario};
use crate::json::{self, Member, Node, Value, write_string};
use crate::policy::PolicyKind;
use std::ops::Range;

type Edits = Vec<(Range<usize>, String)>;

fn members(node: &Node) -> Option<&[Member]> {
    match &node.value {
        Value::Object(m) => Some(m),
        _ => None,
    }
}

fn member<'a>(node: &'a Node, key: &str) -> Option<&'a Member> {
    members(node)?.iter().find(|m| m.key == key)
}

fn items(node: &Node) -> Option<&[Node]> {
    match &node.value {
        Value::Array(a) => Some(a),
        _ => None,
    }
}

/// Removes element `i` of `array` with the separator that joins it to its neighbours.
fn remove_item(text: &str, array: &[Node], i: usize) -> Range<usize> {
    let el = array[i].span.range();
    if i + 1 < array.len() {
        el.start..array[i + 1].span.range().start
    } else if i > 0 {
        // From the end of the one before: its comma and what follows.
        let prev = array[i - 1].span.range().end;
        prev..el.end
    } else {
        // The only one: what is around it stays (an empty array).
        let _ = text;
        el
    }
}

/// Inserts `entry` (its lines after the first indented relative to column 0) after the
/// last element of `array` (written at `span`), in the indentation of that element.
fn append_item(text: &str, array: &Node, entry: &str, step: &str) -> (Range<usize>, String) {
    let list = items(array).unwrap_or(&[]);
    match list.last() {
        Some(last) => {
            let end = last.span.range().end;
            let indent = indent_at(text, last.span.range().start).to_string();
            let multi_line = text[array.span.range().start..end].contains('\n');
            let (sep, pad) = if multi_line {
                (format!(",\n{indent}"), indent)
            } else {
                (", ".to_string(), indent)
            };
            (end..end, format!("{sep}{}", reindent(entry, &pad)))
        }
        None => {
            let r = array.span.range();
            let indent = indent_at(text, r.start).to_string();
            let inner = format!("{indent}{step}");
            (
                r,
                format!("[\n{inner}{}\n{indent}]", reindent(entry, &inner)),
            )
        }
    }
}

/// `text` with `indent` taken off the start of every line after the first; `None`
/// when a line does not start with it.
fn dedent(text: &str, indent: &str) -> Option<String> {
    let mut lines = text.split('\n');
    let mut out = lines.next()?.to_string();
    for l in lines {
        out.push('\n');
        out.push_str(l.strip_prefix(indent)?);
    }
    Some(out)
}

/// `text` with every line after the first prefixed by `indent`.
fn reindent(text: &str, indent: &str) -> String {
    text.replace('\n', &format!("\n{indent}"))
}

/// A new policy entry: `{"name": …, "attachedTo": …, "principal": …, "document": …}`.
fn entry_text(src: &PolicySource, step: &str) -> String {
    let mut out = String::from("{");
    if let Some(n) = &src.name {
        out.push_str("\"name\": ");
        write_string(n, &mut out);
        out.push_str(", ");
    }
    if let Some(a) = &src.attached_to {
        out.push_str("\"attachedTo\": ");
        write_string(a, &mut out);
        out.push_str(", ");
    }
    if let Some(p) = &src.principal {
        out.push_str("\"principal\": ");
        write_string(p, &mut out);
        out.push_str(", ");
    }
    out.push_str("\"document\": ");
    // The document's levels in the file's step, under the entry's line.
    out.push_str(&in_files_step(document_text(src).trim(), "", step));
    out.push('}');
    out
}

/// Sets (or adds, or removes) string member `key` of entry `entry` to `value`.
fn set_member(entry: &Node, key: &str, value: Option<&str>, edits: &mut Edits) -> Option<()> {
    let all = members(entry)?;
    match (all.iter().position(|m| m.key == key), value) {
        (Some(i), Some(v)) => {
            let mut s = String::new();
            write_string(v, &mut s);
            edits.push((all[i].value.span.range(), s));
        }
        (Some(i), None) => {
            // The member with the separator after it (or before it, when last).
            let from = all[i].key_span.range().start;
            let range = if i + 1 < all.len() {
                from..all[i + 1].key_span.range().start
            } else if i > 0 {
                all[i - 1].value.span.range().end..all[i].value.span.range().end
            } else {
                return None;
            };
            edits.push((range, String::new()));
        }
        (None, Some(v)) => {
            let at = entry.span.range().start + 1;
            let mut s = String::new();
            write_string(key, &mut s);
            s.push_str(": ");
            write_string(v, &mut s);
            s.push_str(", ");
            edits.push((at..at, s));
        }
        (None, None) => {}
    }
    Some(())
}

/// `original` (read as `loaded`) edited into `now`'s policies and requests, or `None`
/// when that takes more than these edits (see the module's words).
pub fn restructure(original: &str, loaded: &Scenario, now: &Scenario) -> Option<String> {
    if loaded.name != now.name
        || loaded.description != now.description
        || loaded.set.scp_levels != now.set.scp_levels
        || loaded.set.rcp_levels != now.set.rcp_levels
        || loaded.set.management_account != now.set.management_account
    {
        return None;
    }
    let root = json::parse(original).ok()?;
    let policies = member(&root, "policies").map(|m| &m.value);
    let step = indent_step(original);
    let mut edits: Edits = Vec::new();

    // Where each loaded policy's entry is: its array and its index there.
    let mut entries: Vec<(&Node, usize)> = Vec::new();
    for was in &loaded.sources {
        let at = was.at?.range();
        let found = policies.and_then(|p| {
            members(p)?.iter().find_map(|m| {
                let arrays: Vec<&Node> = if matches!(m.key.as_str(), "scp" | "rcp") {
                    items(&m.value)?
                        .iter()
                        .filter_map(|lvl| member(lvl, "policies").map(|x| &x.value))
                        .collect()
                } else {
                    vec![&m.value]
                };
                arrays.into_iter().find_map(|arr| {
                    let i = items(arr)?.iter().position(|e| {
                        member(e, "document").is_some_and(|d| d.value.span.range() == at)
                    })?;
                    Some((arr, i))
                })
            })
        })?;
        entries.push(found);
    }

    // Removed from an array: deleted, or moving to another type.
    let mut removed: Vec<(&Node, usize)> = Vec::new();
    for (li, was) in loaded.sources.iter().enumerate() {
        let (array, i) = entries[li];
        let entry = &items(array)?[i];
        match now.sources.iter().find(|s| s.at == was.at) {
            None => removed.push((array, i)),
            Some(is) if is.kind != was.kind || is.level != was.level => {
                if matches!(is.kind, PolicyKind::Scp | PolicyKind::Rcp)
                    || matches!(was.kind, PolicyKind::Scp | PolicyKind::Rcp)
                {
                    return None;
                }
                removed.push((array, i));
            }
            Some(is) => {
                if is.name != was.name {
                    set_member(entry, "name", is.name.as_deref(), &mut edits)?;
                }
                if is.attached_to != was.attached_to {
                    set_member(entry, "attachedTo", is.attached_to.as_deref(), &mut edits)?;
                }
                if is.principal != was.principal {
                    set_member(entry, "principal", is.principal.as_deref(), &mut edits)?;
                }
                if is.text != was.text {
                    let doc = member(entry, "document")?.value.span.range();
                    edits.push((doc, super::splice::document_text(is)));
                }
            }
        }
    }
    for (array, i) in &removed {
        let list = items(array)?;
        // Two neighbours removed at once would share a separator: not done here.
        if removed
            .iter()
            .any(|(a, j)| std::ptr::eq(*a, *array) && (*j + 1 == *i || *i + 1 == *j))
        {
            return None;
        }
        edits.push((remove_item(original, list, *i), String::new()));
    }

    // Added: new policies, and those moving in from another type.
    let mut added: Vec<&PolicySource> = now
        .sources
        .iter()
        .filter(|s| {
            s.at.is_none()
                || loaded
                    .sources
                    .iter()
                    .any(|w| w.at == s.at && (w.kind != s.kind || w.level != s.level))
        })
        .collect();
    added.sort_by_key(|s| s.kind as usize);
    for kind in PolicyKind::ALL {
        let new: Vec<&&PolicySource> = added.iter().filter(|s| s.kind == kind).collect();
        if new.is_empty() {
            continue;
        }
        if matches!(kind, PolicyKind::Scp | PolicyKind::Rcp) {
            return None;
        }
        let texts: Vec<String> = new.iter().map(|s| entry_text(s, &step)).collect();
        match policies.and_then(|p| member(p, kind_key(kind))) {
            Some(m) => {
                for t in &texts {
                    edits.push(append_item(original, &m.value, t, &step));
                }
            }
            // A new type: a member after the policies object's last.
            None => edits.push(new_member(
                original,
                policies?,
                kind_key(kind),
                &texts,
                &step,
            )?),
        }
    }

    // Requests: the file's request objects are slots, filled in order with the
    // requests as they are now. A slot keeps its bytes when its request is the same; a
    // request that moved (reordered, or shifted by one deleted or added before it)
    // takes its own bytes from where it was; a new or changed one is written in the
    // file's layout. The separators between slots stay; slots left over are removed
    // from the end, and requests beyond the slots are appended after the last.
    let requests = member(&root, "requests").map(|m| &m.value);
    if member(&root, "request").is_some() && loaded.requests.len() != now.requests.len() {
        return None;
    }
    if let Some(arr) = requests {
        if items(arr)?.len() != loaded.requests.len() {
            return None;
        }
    }
    // The loaded requests by where they are written (a file of thousands of requests
    // with one deleted near the start moves them all).
    let by_start: std::collections::HashMap<u64, &super::RequestSpec> = loaded
        .requests
        .iter()
        .filter(|w| !w.span.range().is_empty())
        .map(|w| (w.span.start, w))
        .collect();
    let common = loaded.requests.len().min(now.requests.len());
    for (was, is) in loaded.requests[..common].iter().zip(&now.requests) {
        if same_request(was, is) {
            continue;
        }
        let r = was.span.range();
        if r.is_empty() {
            return None;
        }
        // Where this request was, when it is one the file holds as it is now.
        let moved = by_start
            .get(&is.span.start)
            .filter(|w| w.span == is.span && same_request(w, is))
            .and_then(|w| original.get(w.span.range()));
        let text = match moved {
            Some(bytes)
                if indent_at(original, was.span.range().start)
                    == indent_at(original, is.span.range().start) =>
            {
                bytes.to_string()
            }
            _ => super::splice::request_text(original, r.start, is),
        };
        edits.push((r.clone(), text));
    }
    if now.requests.len() > loaded.requests.len() {
        let extra = &now.requests[common..];
        let mut texts = Vec::new();
        for r in extra {
            // A request of the file moved here keeps its bytes (its lines after the
            // first taken out of its indentation, which appending puts back).
            let kept = by_start
                .get(&r.span.start)
                .filter(|w| w.span == r.span && same_request(w, r))
                .and_then(|w| {
                    let at = w.span.range();
                    dedent(original.get(at.clone())?, indent_at(original, at.start))
                });
            texts.push(kept.unwrap_or_else(|| {
                let mut text = String::new();
                write_request(r, 0, &mut text);
                in_files_step(&text, "", &step)
            }));
        }
        match requests {
            Some(arr) => {
                // Each appended after the last (the ranges are all at its end: joined;
                // appending indents every line after the first).
                let joined = texts.join(",\n");
                edits.push(append_item(original, arr, &joined, &step));
            }
            None => edits.push(new_member(original, &root, "requests", &texts, &step)?),
        }
    } else if now.requests.len() < loaded.requests.len() {
        let arr = requests?;
        let list = items(arr)?;
        // The slots left over, from the end (the slots before them hold the requests
        // that stay, moved up).
        if !(common..loaded.requests.len()).all(|i| i < list.len()) || common == 0 {
            return None;
        }
        let from = list[common - 1].span.range().end;
        let to = list[loaded.requests.len() - 1].span.range().end;
        edits.push((from..to, String::new()));
    }

    apply(original, edits)
}

/// A new member `key` holding an array of `texts`, after the last member of `object`
/// and indented like it.
fn new_member(
    original: &str,
    object: &Node,
    key: &str,
    texts: &[String],
    step: &str,
) -> Option<(Range<usize>, String)> {
    let last = members(object)?.last()?;
    let end = last.value.span.range().end;
    let indent = indent_at(original, last.key_span.range().start).to_string();
    let inner = format!("{indent}{step}");
    let list: Vec<String> = texts
        .iter()
        .map(|t| format!("{inner}{}", reindent(t, &inner)))
        .collect();
    let mut name = String::new();
    write_string(key, &mut name);
    Some((
        end..end,
        format!(",\n{indent}{name}: [\n{}\n{indent}]", list.join(",\n")),
    ))
}

/// Applies non-overlapping `edits` (insertions at one place keep their order).
fn apply(original: &str, mut edits: Edits) -> Option<String> {
    edits.sort_by_key(|(r, _)| (r.start, r.end));
    if edits.windows(2).any(|w| w[0].0.end > w[1].0.start)
        || edits.iter().any(|(r, _)| original.get(r.clone()).is_none())
    {
        return None;
    }
    let mut out = String::with_capacity(original.len() + 256);
    let mut at = 0;
    for (r, t) in edits {
        out.push_str(&original[at..r.start]);
        out.push_str(&t);
        at = r.end;
    }
    out.push_str(&original[at..]);
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::super::splice::{edit_in_place, editor_text};
    use super::*;

    const FILE: &str = r#"{
    "name": "layout",
    "policies": {
        "identity": [
            {"name": "a", "document": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}},
            {"name": "b", "document": {
                "Version": "2012-10-17",
                "Statement": [{"Effect": "Deny", "Action": "s3:DeleteObject", "Resource": "*"}]
            }}
        ]
    },
    "requests": [
        {"principal": "arn:aws:iam::111122223333:user/u", "action": "s3:GetObject", "resource": "arn:aws:s3:::b/k"}
    ]
}
"#;

    fn load(text: &str) -> Scenario {
        let mut s = crate::input::load_str(text).unwrap();
        for src in &mut s.sources {
            src.text = editor_text(src);
        }
        s
    }

    /// Edits `FILE` with `change`, checks it reads back as the change and returns it.
    fn edited(change: impl FnOnce(&mut Scenario)) -> String {
        let loaded = load(FILE);
        let mut now = loaded.clone();
        change(&mut now);
        let (text, _) = edit_in_place(FILE, &loaded, &now).expect("edited in place");
        text
    }

    #[test]
    fn binding_a_policy_changes_only_its_principal() {
        let alice = "arn:aws:iam::111122223333:user/alice";
        let out = edited(|s| s.sources[1].principal = Some(alice.into()));
        assert_eq!(
            out,
            FILE.replace(
                "{\"name\": \"b\", \"document\"",
                &format!("{{\"principal\": \"{alice}\", \"name\": \"b\", \"document\"")
            )
        );
        let back = load(&out);
        assert_eq!(back.sources[1].principal.as_deref(), Some(alice));
        assert_eq!(back.set.policies[1].principal.as_ref().unwrap().text, alice);
        // And unbinding it gives the file back.
        let mut bound = back.clone();
        bound.sources[1].principal = None;
        let (again, _) = edit_in_place(&out, &back, &bound).expect("edited in place");
        assert_eq!(again, FILE);
    }

    #[test]
    fn a_rename_changes_only_the_name() {
        let out = edited(|s| s.sources[1].name = Some("renamed".into()));
        assert_eq!(
            out,
            FILE.replace("\"name\": \"b\"", "\"name\": \"renamed\"")
        );
        let out = edited(|s| s.sources[0].name = None);
        assert_eq!(
            out,
            FILE.replace("{\"name\": \"a\", \"document\"", "{\"document\"")
        );
    }

    #[test]
    fn a_deleted_policy_takes_its_separator_with_it() {
        let out = edited(|s| {
            s.sources.remove(0);
        });
        assert!(!out.contains("\"name\": \"a\""), "{out}");
        assert!(out.starts_with("{\n    \"name\": \"layout\",\n    \"policies\": {\n        \"identity\": [\n            {\"name\": \"b\""), "{out}");
        let out = edited(|s| {
            s.sources.remove(1);
        });
        assert!(out.contains("\"Resource\": \"*\"}]}}\n        ]"), "{out}");
    }

    #[test]
    fn an_added_policy_goes_after_the_last_in_the_files_indentation() {
        let out = edited(|s| {
            let mut p = s.sources[0].clone();
            p.name = Some("c".into());
            p.at = None;
            p.text = "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": []\n}".into();
            s.sources.push(p);
        });
        // Everything before the new entry as it was.
        let end_of_b = FILE.find("}}\n        ]").unwrap() + 2;
        assert_eq!(out[..end_of_b], FILE[..end_of_b]);
        assert!(
            out[end_of_b..].starts_with(
                ",\n            {\"name\": \"c\", \"document\": {\n                \"Version\""
            ),
            "{out}"
        );
    }

    #[test]
    fn a_new_type_and_a_retyped_policy() {
        let out = edited(|s| s.sources[0].kind = PolicyKind::Boundary);
        let read = load(&out);
        assert_eq!(read.sources.len(), 2);
        assert!(
            out.contains(",\n        \"boundary\": [\n            {\"name\": \"a\""),
            "{out}"
        );
        assert!(
            out.contains("\"requests\": [\n        {\"principal\""),
            "the rest as it was: {out}"
        );
    }

    #[test]
    fn requests_added_at_the_end_in_the_files_step() {
        let out = edited(|s| {
            let mut r = s.requests[0].clone();
            r.name = Some("second".into());
            r.span = Default::default();
            s.requests.push(r);
        });
        assert!(
            out.contains(
                "\"resource\": \"arn:aws:s3:::b/k\"},\n        {\n            \"name\": \"second\","
            ),
            "{out}"
        );
        let read = load(&out);
        assert_eq!(read.requests.len(), 2);
    }

    #[test]
    fn the_first_request_of_a_file_without_requests_is_a_new_member() {
        let file = "{\n  \"policies\": {\"identity\": []}\n}\n";
        let loaded = load(file);
        let mut now = loaded.clone();
        now.requests.push(load(FILE).requests[0].clone());
        now.requests[0].span = Default::default();
        let (out, _) = edit_in_place(file, &loaded, &now).expect("edited in place");
        assert!(
            out.starts_with("{\n  \"policies\": {\"identity\": []},\n  \"requests\": [\n    {\n      \"principal\""),
            "{out}"
        );
        assert_eq!(load(&out).requests.len(), 1);
    }

    #[test]
    fn levels_changing_are_written_anew() {
        let loaded = load(FILE);
        let mut now = loaded.clone();
        now.sources[0].kind = PolicyKind::Scp;
        now.sources[0].level = Some(0);
        now.set.scp_levels.push("r-root".into());
        assert_eq!(restructure(FILE, &loaded, &now), None);
    }

    const THREE: &str = r#"{
  "policies": {"identity": [{"document": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}}]},
  "requests": [
    {"name": "one", "principal": "arn:aws:iam::111122223333:user/u", "action": "s3:GetObject", "resource": "arn:aws:s3:::b/1"},
    {
      "name": "two",
      "via": "one",
      "principal": "arn:aws:iam::111122223333:user/u",
      "action": "s3:PutObject",
      "resource": "arn:aws:s3:::b/2"
    },
    {"name": "three",   "principal": "arn:aws:iam::111122223333:user/u", "action": "s3:ListBucket", "resource": "arn:aws:s3:::b"}
  ]
}
"#;

    /// `THREE` with its requests replaced by `order` of its own (by index).
    fn reordered(order: &[usize]) -> (String, Scenario) {
        let loaded = load(THREE);
        let mut now = loaded.clone();
        now.requests = order.iter().map(|&i| loaded.requests[i].clone()).collect();
        let (out, _) = edit_in_place(THREE, &loaded, &now).expect("edited in place");
        (out, now)
    }

    /// The text of request `i` as `THREE` writes it.
    fn written(i: usize) -> &'static str {
        let s = load(THREE);
        let r = s.requests[i].span.range();
        &THREE[r]
    }

    #[test]
    fn reordered_requests_keep_their_own_bytes() {
        let (out, _) = reordered(&[1, 0, 2]);
        let expected = THREE
            .replacen(written(0), "\u{0}", 1)
            .replacen(written(1), written(0), 1)
            .replacen('\u{0}', written(1), 1);
        assert_eq!(out, expected);
        let (out, _) = reordered(&[2, 1, 0]);
        assert!(out.starts_with(&THREE[..THREE.find("    {\"name\": \"one\"").unwrap()]));
        assert!(
            out.contains(&format!(
                "[\n    {},\n    {},\n    {}\n  ]",
                written(2),
                written(1),
                written(0)
            )),
            "{out}"
        );
    }

    #[test]
    fn a_request_deleted_in_the_middle_takes_its_separator_with_it() {
        let (out, _) = reordered(&[0, 2]);
        let gone = format!("{},\n    ", written(1));
        assert_eq!(out, THREE.replacen(&gone, "", 1));
        let (out, _) = reordered(&[0, 1]);
        let gone = format!(",\n    {}", written(2));
        assert_eq!(out, THREE.replacen(&gone, "", 1));
    }

    #[test]
    fn a_request_added_in_the_middle_shifts_the_others_in_their_bytes() {
        let loaded = load(THREE);
        let mut now = loaded.clone();
        let mut new = loaded.requests[0].clone();
        new.name = Some("one copy".into());
        new.span = Default::default();
        now.requests.insert(1, new);
        let (out, _) = edit_in_place(THREE, &loaded, &now).expect("edited in place");
        let read = load(&out);
        assert_eq!(read.requests.len(), 4);
        assert_eq!(read.requests[1].name.as_deref(), Some("one copy"));
        // Two (multi-line) and three keep their own bytes, one place later.
        assert!(out.contains(written(1)), "{out}");
        assert!(
            out.contains(&format!("{},\n    {}\n  ]", written(1), written(2))),
            "{out}"
        );
        // Everything before the requests as it was.
        let head = THREE.find("\"requests\"").unwrap();
        assert_eq!(out[..head], THREE[..head]);
    }

    #[test]
    fn two_requests_added_at_the_end() {
        let loaded = load(THREE);
        let mut now = loaded.clone();
        for n in ["four", "five"] {
            let mut new = loaded.requests[1].clone();
            new.name = Some(n.into());
            new.span = Default::default();
            now.requests.push(new);
        }
        let (out, _) = edit_in_place(THREE, &loaded, &now).expect("edited in place");
        let read = load(&out);
        assert_eq!(read.requests.len(), 5);
        assert!(
            out.contains("\n    {\n      \"name\": \"five\",\n      \"via\": \"one\",\n"),
            "{out}"
        );
    }
}
