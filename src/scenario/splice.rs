//! A file's own text, edited in place. An editor shows each policy as it is written in
//! its file — an inline document with the text before it on its first line replaced by
//! spaces, so every line and column is the file's — and saving puts the edited texts
//! (and changed requests) back where they were written: every other byte of the file
//! stays as it was.

use super::save::{write_document, write_request};
use super::{DocumentForm, PolicySource, RequestSpec, Scenario};
use crate::source::Span;

/// The spaces that stand, on an inline document's first line, for the file's text
/// before it (so its columns are the file's).
pub fn pad(src: &PolicySource) -> usize {
    match (src.form, src.at) {
        (DocumentForm::Inline | DocumentForm::Template, Some(at)) => {
            at.column.saturating_sub(1) as usize
        }
        _ => 0,
    }
}

/// The text an editor shows for `src` (as loaded: `src.text` is the document as cut
/// out of the file, or decoded from its string; a template's document is held as the
/// editor shows it already, since YAML parses only that way).
pub fn editor_text(src: &PolicySource) -> String {
    let pad = pad(src);
    if pad == 0 || src.form == DocumentForm::Template {
        return src.text.clone();
    }
    let mut text = String::with_capacity(pad + src.text.len());
    text.extend(std::iter::repeat_n(' ', pad));
    text.push_str(&src.text);
    text
}

/// The file's line number of the first line [`editor_text`] shows (1 for a policy
/// decoded from a string, or added since the file was read).
pub fn first_line(src: &PolicySource) -> u64 {
    match (src.form, src.at) {
        (DocumentForm::Inline | DocumentForm::Template, Some(at)) => at.line.max(1),
        _ => 1,
    }
}

/// What goes into the file for `src`, whose text is as an editor holds it: an inline
/// document without the spaces [`editor_text`] put before it, a string document as
/// a JSON string (percent-encoded when it was).
pub fn document_text(src: &PolicySource) -> String {
    match src.form {
        DocumentForm::Inline => {
            let pad = pad(src);
            let spaces = src.text.bytes().take_while(|&b| b == b' ').count();
            src.text[spaces.min(pad)..].to_string()
        }
        DocumentForm::Template => {
            let pad = pad(src);
            let spaces = src.text.bytes().take_while(|&b| b == b' ').count();
            src.text[spaces.min(pad)..].to_string()
        }
        _ => {
            let mut out = String::new();
            write_document(src, 0, &mut out);
            out
        }
    }
}

/// What is written into the template `original` for `src`, a document of it written
/// at `at`: its text, its lines after the first moved right together as far as needed
/// to stay in the document. In YAML a line is in the document when it is indented
/// more than the key the document is under — or, for a document that starts its line,
/// as far as that first line. (A policy pasted from column 1 keeps its own structure,
/// under its key.)
pub fn template_document_text(original: &str, at: Span, src: &PolicySource) -> String {
    let text = document_text(src);
    let start = (at.start as usize).min(original.len());
    let line_start = original
        .get(..start)
        .and_then(|b| b.rfind('\n'))
        .map_or(0, |i| i + 1);
    let before = original.get(line_start..start).unwrap_or_default();
    let indent = before.len() - before.trim_start_matches(' ').len();
    let least = if indent == before.len() {
        indent
    } else {
        indent + 1
    };
    let text = indented_under(&text.replace("\r\n", "\n"), least);
    // The document's own line endings (an editor holds lines, not their endings).
    let range = at.range();
    match original.get(range.start..range.end.min(original.len())) {
        Some(was) if was.contains("\r\n") => text.replace('\n', "\r\n"),
        _ => text,
    }
}

/// `text` with its lines after the first moved right together, as far as needed for
/// none to start left of column `least + 1`.
fn indented_under(text: &str, least: usize) -> String {
    let pad = least;
    let indent = |l: &str| l.len() - l.trim_start_matches(' ').len();
    let least = text
        .split('\n')
        .skip(1)
        // A comment may stand in any column.
        .filter(|l| !l.trim().is_empty() && !l.trim_start().starts_with('#'))
        .map(indent)
        .min();
    let Some(shift) = least.filter(|&n| n < pad).map(|n| pad - n) else {
        return text.to_string();
    };
    let spaces = " ".repeat(shift);
    let mut out = String::with_capacity(text.len() + 8 * shift);
    for (i, line) in text.split('\n').enumerate() {
        if i > 0 {
            out.push('\n');
            if !line.trim().is_empty() {
                out.push_str(&spaces);
            }
        }
        out.push_str(line);
    }
    out
}

/// The same policy, placed the same way (only its text may differ).
fn same_place(a: &PolicySource, b: &PolicySource) -> bool {
    a.at.is_some()
        && a.at == b.at
        && a.kind == b.kind
        && a.name == b.name
        && a.level == b.level
        && a.attached_to == b.attached_to
        && a.principal == b.principal
        && a.form == b.form
}

/// `original` (the file `loaded` was read from, `loaded`'s texts as an editor holds
/// them) with the policy texts and requests that differ in `now` written in their
/// places. `None` when `now` differs in more than that (a policy added, deleted,
/// renamed, retyped or placed elsewhere; a request added or deleted; names or levels
/// changed): such a scenario is written anew.
pub fn splice(original: &str, loaded: &Scenario, now: &Scenario) -> Option<String> {
    splice_as(original, loaded, now, &[])
}

/// [`splice`], with the inline documents flagged in `as_string` written as JSON
/// strings holding their text: a draft whose policy does not parse stays a JSON file
/// that opens again (the string is read back as the text typed).
pub fn splice_as(
    original: &str,
    loaded: &Scenario,
    now: &Scenario,
    as_string: &[bool],
) -> Option<String> {
    if loaded.sources.len() != now.sources.len()
        || loaded.requests.len() != now.requests.len()
        || loaded.name != now.name
        || loaded.description != now.description
        || loaded.set.scp_levels != now.set.scp_levels
        || loaded.set.rcp_levels != now.set.rcp_levels
        || loaded.set.management_account != now.set.management_account
    {
        return None;
    }
    let mut edits: Vec<(std::ops::Range<usize>, String)> = Vec::new();
    for (i, (was, is)) in loaded.sources.iter().zip(&now.sources).enumerate() {
        if !same_place(was, is) {
            return None;
        }
        if as_string.get(i) == Some(&true) && is.form == DocumentForm::Inline {
            let mut literal = String::new();
            crate::json::write_string(&document_text(is), &mut literal);
            edits.push((was.at?.range(), literal));
        } else if was.text != is.text {
            edits.push((was.at?.range(), document_text(is)));
        }
    }
    for (was, is) in loaded.requests.iter().zip(&now.requests) {
        if same_request(was, is) {
            continue;
        }
        let range = was.span.range();
        if range.is_empty() || was.span != is.span {
            return None;
        }
        edits.push((range.clone(), request_text(original, range.start, is)));
    }
    edits.sort_by_key(|(r, _)| r.start);
    if edits.windows(2).any(|w| w[0].0.end > w[1].0.start)
        || edits.iter().any(|(r, _)| original.get(r.clone()).is_none())
    {
        return None;
    }
    let mut out = String::with_capacity(original.len());
    let mut at = 0;
    for (range, text) in edits {
        out.push_str(&original[at..range.start]);
        out.push_str(&text);
        at = range.end;
    }
    out.push_str(&original[at..]);
    Some(out)
}

/// `original`, a bare policy document read as `loaded`, with `now`'s text in its
/// place (the bytes around the document — blank lines, a final newline — kept).
/// `None` when `loaded` does not know where it was written.
pub fn splice_bare(original: &str, loaded: &PolicySource, now: &PolicySource) -> Option<String> {
    let range = loaded.at?.range();
    let (before, after) = (original.get(..range.start)?, original.get(range.end..)?);
    Some(format!("{before}{}{after}", document_text(now)))
}

/// `original`, the template `loaded` was read from, with the documents edited in
/// `now` written back in their places, every other byte as it was; and each policy's
/// place in the new text (index-aligned with `now`'s sources). `Err` says why it
/// cannot be written: the policies are not the template's any more, or one document
/// of the template (shared by two policies) was edited in two different ways.
pub fn splice_template(
    original: &str,
    loaded: &Scenario,
    now: &Scenario,
) -> Result<(String, Vec<Option<crate::source::Span>>), String> {
    if loaded.sources.len() != now.sources.len()
        || !loaded
            .sources
            .iter()
            .zip(&now.sources)
            .all(|(a, b)| same_place(a, b))
    {
        return Err("the policies are not the template's as it was read".into());
    }
    let names = super::display_names(&now.sources);
    let mut edits: Vec<(std::ops::Range<usize>, String, usize)> = Vec::new();
    for (i, (was, is)) in loaded.sources.iter().zip(&now.sources).enumerate() {
        if is.form != DocumentForm::Template || was.text == is.text {
            continue;
        }
        let at = was
            .at
            .ok_or("a policy's place in the template is unknown")?;
        let range = at.range();
        let text = template_document_text(original, at, is);
        match edits.iter().find(|(r, ..)| *r == range) {
            Some((_, same, _)) if *same == text => {}
            Some((.., other)) => {
                return Err(format!(
                    "\"{}\" and \"{}\" are one document of the template, edited in two different ways: make them the same",
                    names[*other], names[i]
                ));
            }
            None => edits.push((range, text, i)),
        }
    }
    // Policies that share one document take its new text, edited or not.
    edits.sort_by_key(|(r, ..)| r.start);
    if edits.windows(2).any(|w| w[0].0.end > w[1].0.start)
        || edits
            .iter()
            .any(|(r, ..)| original.get(r.clone()).is_none())
    {
        return Err("the edited documents overlap in the template".into());
    }
    let mut out = String::with_capacity(original.len());
    let mut at = 0;
    for (range, text, _) in &edits {
        out.push_str(&original[at..range.start]);
        out.push_str(text);
        at = range.end;
    }
    out.push_str(&original[at..]);
    // Each place moves by what the edits before it added or took away.
    let index = crate::source::LineIndex::new(&out);
    let moved = |offset: usize| -> usize {
        let mut shift: isize = 0;
        for (range, text, _) in &edits {
            if range.end <= offset {
                shift += text.len() as isize - range.len() as isize;
            }
        }
        offset.saturating_add_signed(shift)
    };
    let places = loaded
        .sources
        .iter()
        .map(|was| {
            let span = was.at?;
            if !span.source.is_file() {
                return Some(span);
            }
            let start = moved(span.start as usize);
            let end = match edits.iter().find(|(r, ..)| *r == span.range()) {
                Some((_, text, _)) => start + text.len(),
                None => moved(span.end as usize).max(start),
            };
            let (line, column) = index.line_column(&out, start);
            Some(crate::source::Span {
                start: start as u64,
                end: end as u64,
                line,
                column,
                source: span.source,
            })
        })
        .collect();
    Ok((out, places))
}

/// `original` (read as `loaded`) edited into `now` in the file's own layout: texts and
/// requests spliced in place, and policies renamed, placed, deleted, added or retyped
/// and requests added or deleted as entries inserted or removed there. `None` when that
/// cannot be done, or when the result does not read back as `now` (checked here):
/// the caller then writes the scenario anew.
pub fn edit_in_place(original: &str, loaded: &Scenario, now: &Scenario) -> Option<(String, bool)> {
    if let Some(text) = splice(original, loaded, now) {
        return Some((text, true));
    }
    let text = super::restructure::restructure(original, loaded, now)?;
    reads_back_as(&text, now).then_some((text, false))
}

/// `text` read as a scenario holds `now`'s policies (in any order) and requests.
fn reads_back_as(text: &str, now: &Scenario) -> bool {
    let Ok(read) = crate::input::load_for_editing(text) else {
        return false;
    };
    let key = |s: &PolicySource| {
        (
            s.kind as usize,
            s.name.clone(),
            s.level,
            s.attached_to.clone(),
            s.principal.clone(),
            crate::json::parse(s.text.trim()).ok().map(|n| {
                let mut out = String::new();
                crate::json::write_pretty(&n, 0, &mut out);
                out
            }),
        )
    };
    let mut a: Vec<_> = read.sources.iter().map(key).collect();
    let mut b: Vec<_> = now.sources.iter().map(key).collect();
    a.sort();
    b.sort();
    a == b
        && read.requests.len() == now.requests.len()
        && read
            .requests
            .iter()
            .zip(&now.requests)
            .all(|(x, y)| same_request(x, y))
}

/// Two requests alike in everything a file holds.
pub fn same_request(a: &RequestSpec, b: &RequestSpec) -> bool {
    a.name == b.name
        && a.via == b.via
        && a.request == b.request
        && a.expect == b.expect
        && a.notes == b.notes
}

/// `r` written where an object starts at byte `start` of `original`: its members
/// indented one step more than the line it starts on, in the file's own step.
pub(super) fn request_text(original: &str, start: usize, r: &RequestSpec) -> String {
    let mut generated = String::new();
    write_request(r, 0, &mut generated);
    in_files_step(
        &generated,
        indent_at(original, start),
        &indent_step(original),
    )
}

/// `text` as the writer made it (two spaces a level) in the file's `step`, every line
/// after the first under `indent`.
pub(super) fn in_files_step(text: &str, indent: &str, step: &str) -> String {
    let mut out = String::with_capacity(text.len() + 64);
    for (i, line) in text.split('\n').enumerate() {
        if i > 0 {
            out.push('\n');
            out.push_str(indent);
            let spaces = line.bytes().take_while(|&b| b == b' ').count();
            for _ in 0..spaces / 2 {
                out.push_str(step);
            }
            out.push_str(&line[spaces..]);
        } else {
            out.push_str(line);
        }
    }
    out
}

/// The whitespace the line holding byte `at` of `text` starts with.
pub(super) fn indent_at(text: &str, at: usize) -> &str {
    let start = text[..at].rfind('\n').map_or(0, |i| i + 1);
    let line = &text[start..];
    &line[..line.len() - line.trim_start_matches([' ', '\t']).len()]
}

/// The file's indentation step: the whitespace of its first indented line (two spaces
/// when none is).
pub(super) fn indent_step(text: &str) -> String {
    text.lines()
        .map(|l| &l[..l.len() - l.trim_start_matches([' ', '\t']).len()])
        .find(|w| !w.is_empty())
        .unwrap_or("  ")
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(text: &str) -> Scenario {
        let mut s = crate::input::load_str(text).unwrap();
        for src in &mut s.sources {
            src.text = editor_text(src);
        }
        s
    }

    const FILE: &str = "{\n    \"policies\": {\"identity\": [{\"name\": \"a\", \"document\": {\"Version\": \"2012-10-17\",\n        \"Statement\": [{\"Effect\": \"Allow\", \"Action\": \"s3:GetObject\", \"Resource\": \"*\"}]}}]},\n    \"requests\": [\n        {\"name\": \"r\", \"principal\": \"arn:aws:iam::111122223333:user/u\", \"action\": \"s3:GetObject\", \"resource\": \"arn:aws:s3:::b/k\"}\n    ]\n}\n";

    #[test]
    fn editor_text_keeps_the_files_lines_and_columns() {
        let s = load(FILE);
        let src = &s.sources[0];
        assert_eq!(first_line(src), 2);
        let first = src.text.lines().next().unwrap();
        let file_line = FILE.lines().nth(1).unwrap();
        // The document's `{` is at the same column as in the file.
        assert_eq!(first.find('{'), file_line.find("{\"Version"));
        // The document's last line is the file's, up to where the document ends.
        let last = src.text.lines().nth(1).unwrap();
        assert!(FILE.lines().nth(2).unwrap().starts_with(last));
        assert!(last.ends_with("}]}"));
    }

    #[test]
    fn unchanged_scenario_splices_to_the_same_bytes() {
        let s = load(FILE);
        assert_eq!(splice(FILE, &s, &s).as_deref(), Some(FILE));
    }

    #[test]
    fn a_bound_entry_splices_to_the_same_bytes_and_keeps_its_principal() {
        let file = FILE.replace(
            "{\"name\": \"a\", \"document\"",
            "{\"name\": \"a\",  \"principal\" : \"arn:aws:iam::111122223333:user/u\", \"document\"",
        );
        let loaded = load(&file);
        assert_eq!(
            loaded.sources[0].principal.as_deref(),
            Some("arn:aws:iam::111122223333:user/u")
        );
        assert_eq!(splice(&file, &loaded, &loaded).as_deref(), Some(&*file));
        // A policy edit keeps the binding as written.
        let mut now = loaded.clone();
        now.sources[0].text = now.sources[0].text.replace("s3:GetObject", "s3:PutObject");
        let out = splice(&file, &loaded, &now).unwrap();
        assert!(out.contains("\"a\",  \"principal\" : \"arn:aws:iam::111122223333:user/u\""));
        // Changing the binding is not a text splice.
        let mut rebound = loaded.clone();
        rebound.sources[0].principal = None;
        assert_eq!(splice(&file, &loaded, &rebound), None);
    }

    #[test]
    fn edited_policy_goes_back_in_place_and_nothing_else_moves() {
        let loaded = load(FILE);
        let mut now = loaded.clone();
        now.sources[0].text = now.sources[0].text.replace("s3:GetObject", "s3:PutObject");
        let out = splice(FILE, &loaded, &now).unwrap();
        assert_eq!(
            out,
            FILE.replacen(
                "\"s3:GetObject\", \"Resource\"",
                "\"s3:PutObject\", \"Resource\"",
                1
            )
        );
        let again = load(&out);
        assert_eq!(again.sources[0].text, now.sources[0].text);
    }

    #[test]
    fn changed_request_is_written_in_the_files_indentation() {
        let loaded = load(FILE);
        let mut now = loaded.clone();
        now.requests[0].request.action = "s3:PutObject".into();
        let out = splice(FILE, &loaded, &now).unwrap();
        assert!(
            out.contains("\n        {\n            \"name\": \"r\",\n"),
            "{out}"
        );
        assert!(out.starts_with(&FILE[..FILE.find("\"requests\"").unwrap()]));
        let again = load(&out);
        assert!(same_request(&again.requests[0], &now.requests[0]));
    }

    #[test]
    fn structural_changes_are_not_spliced() {
        let loaded = load(FILE);
        let mut now = loaded.clone();
        now.sources[0].name = Some("b".into());
        assert_eq!(splice(FILE, &loaded, &now), None);
        let mut now = loaded.clone();
        now.requests.clear();
        assert_eq!(splice(FILE, &loaded, &now), None);
    }

    #[test]
    fn string_documents_are_written_back_as_strings() {
        let file = "{\"policies\": {\"identity\": [{\"document\": \"{\\\"Statement\\\": []}\"}]}, \"requests\": []}";
        let loaded = load(file);
        assert_eq!(loaded.sources[0].form, DocumentForm::String);
        let mut now = loaded.clone();
        now.sources[0].text = "{\"Statement\": [ ]}".into();
        let out = splice(file, &loaded, &now).unwrap();
        assert_eq!(
            out,
            "{\"policies\": {\"identity\": [{\"document\": \"{\\\"Statement\\\": [ ]}\"}]}, \"requests\": []}"
        );
    }

    #[test]
    fn a_bare_policy_is_its_whole_file() {
        let file = "\n  {\"Version\": \"2012-10-17\", \"Statement\": []}\n";
        let loaded = load(file);
        assert_eq!(first_line(&loaded.sources[0]), 2);
        assert_eq!(loaded.sources[0].text.find('{'), Some(2));
        let mut now = loaded.clone();
        now.sources[0].text = now.sources[0].text.replace("[]", "[ ]");
        assert_eq!(
            splice(file, &loaded, &now).unwrap(),
            "\n  {\"Version\": \"2012-10-17\", \"Statement\": [ ]}\n"
        );
    }
}
