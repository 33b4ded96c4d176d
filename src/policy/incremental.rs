//! A policy's parse kept across edits of its text: an edit that falls inside one
//! statement (its braces untouched) re-parses that statement only and moves the
//! others' spans, so typing in a policy of a thousand statements does not read the
//! thousand statements again. The result is always what [`super::parse_policy_text`] gives on
//! the new text (`tests/incremental.rs` compares them over random edits): any
//! edit this cannot take exactly — one outside the statements, one that breaks the
//! statement's JSON, a document with errors of its own — is parsed whole.

use super::parse::{parse_document, parse_statement};
use super::{
    ActionElement, ParseContext, Policy, PrincipalElement, ResourceElement, Statement, Version,
};
use crate::json::{self, Node, Value};
use crate::source::{Diagnostic, Span};

/// The deepest statement taken on its own: the whole document nests it two levels
/// down, well inside the JSON reader's limit (512) either way.
const MAX_STATEMENT_DEPTH: usize = 256;

/// Texts no longer than this keep every column far from `u32::MAX`, where columns
/// saturate (so moving them stays exact).
const MAX_TEXT: usize = 1 << 30;

/// How an update used the previous parse, for caches that follow it (lint findings
/// per statement).
#[derive(Debug, Clone, PartialEq)]
pub enum Reuse {
    /// The text did not change.
    Unchanged,
    /// Statement `index` was parsed again; the statements after it moved by `shift`
    /// (the others, and their places, are as they were).
    Statement {
        /// The statement parsed again (an index into the Statement list).
        index: usize,
        /// How the later statements' spans moved.
        shift: Shift,
    },
    /// The whole text was parsed again.
    Whole,
}

/// How the spans after an edit move: by `delta` bytes and `lines` lines, and those on
/// the line where the edit ended by `columns` characters too.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shift {
    /// The edit's end in the old text: spans starting here or later move.
    from: u64,
    /// Bytes added (negative: removed).
    delta: i64,
    /// Lines added.
    lines: i64,
    /// The old text's line of `from`.
    line: u64,
    /// Characters added on that line before the spans.
    columns: i64,
}

impl Shift {
    /// Moves `span` through the edit: a span after it moves, one around it grows or
    /// shrinks, one before it stays.
    pub fn apply(&self, span: &mut Span) {
        if span.start >= self.from {
            span.start = span.start.wrapping_add_signed(self.delta);
            if span.line == self.line {
                span.column = (i64::from(span.column) + self.columns) as u32;
            }
            span.line = span.line.wrapping_add_signed(self.lines);
        }
        if span.end >= self.from {
            span.end = span.end.wrapping_add_signed(self.delta);
        }
    }
}

/// One element of the Statement list: where it is, and what parsing it gave.
#[derive(Debug, Clone)]
struct Part {
    span: Span,
    result: Result<Statement, Vec<Diagnostic>>,
}

/// What a text parsed to.
#[derive(Debug, Clone)]
enum State {
    /// The document, its statements apart: a document without errors of its own (its
    /// statements may have some).
    Parts {
        /// The document's own elements, with no statements.
        top: Policy,
        parts: Vec<Part>,
    },
    /// Only the whole result: a JSON error, or errors in the document's own elements.
    Whole(Result<Policy, Vec<Diagnostic>>),
}

/// A policy text and its parse, updated edit by edit.
#[derive(Debug, Clone)]
pub struct ParsedPolicy {
    text: String,
    ctx: ParseContext,
    state: State,
}

impl ParsedPolicy {
    /// Parses `text` whole.
    pub fn new(text: &str, ctx: ParseContext) -> Self {
        ParsedPolicy {
            text: text.to_string(),
            ctx,
            state: parse_whole(text, ctx),
        }
    }

    /// The text this is the parse of.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The context it was parsed in.
    pub fn context(&self) -> ParseContext {
        self.ctx
    }

    /// Takes `text` (an edit of the text held, or any other text), parsing again only
    /// what the edit touched when it can.
    pub fn update(&mut self, text: &str) -> Reuse {
        if text == self.text {
            return Reuse::Unchanged;
        }
        let reuse = match self.reparse_statement(text) {
            Some((index, shift)) => Reuse::Statement { index, shift },
            None => {
                self.state = parse_whole(text, self.ctx);
                Reuse::Whole
            }
        };
        self.text.clear();
        self.text.push_str(text);
        reuse
    }

    /// What [`super::parse_policy_text`] gives on the text held.
    pub fn result(&self) -> Result<Policy, Vec<Diagnostic>> {
        match &self.state {
            State::Whole(r) => r.clone(),
            State::Parts { top, parts } => {
                if parts.iter().any(|p| p.result.is_err()) {
                    return Err(parts
                        .iter()
                        .filter_map(|p| p.result.as_ref().err())
                        .flatten()
                        .cloned()
                        .collect());
                }
                let mut policy = top.clone();
                policy.statements = parts
                    .iter()
                    .filter_map(|p| p.result.as_ref().ok())
                    .cloned()
                    .collect();
                Ok(policy)
            }
        }
    }

    /// Parses again the one statement the edit from the held text to `text` falls in,
    /// and moves the later ones; `None` (nothing changed) when the edit is not inside
    /// one statement, or when the new statement does not read as one JSON value.
    fn reparse_statement(&mut self, text: &str) -> Option<(usize, Shift)> {
        let State::Parts { top, parts } = &mut self.state else {
            return None;
        };
        let old = self.text.as_str();
        if text.len() > MAX_TEXT || old.len() > MAX_TEXT {
            return None;
        }
        let (at, old_end, new_end) = edit_range(old, text);
        // The statement whose braces (first and last byte) are outside the edit.
        let index = parts
            .partition_point(|p| p.span.start < at as u64)
            .checked_sub(1)?;
        let span = parts[index].span;
        if (old_end as u64) >= span.end {
            return None;
        }
        let delta = new_end as i64 - old_end as i64;
        let end = (span.end as i64 + delta) as usize;
        let piece = text.get(span.start as usize..end)?;
        let mut node = json::parse(piece).ok()?;
        if node.span.start != 0 || node.span.end as usize != piece.len() {
            return None;
        }
        if depth(&node) > MAX_STATEMENT_DEPTH {
            return None;
        }
        // Positions in the piece → positions in the text.
        move_node(&mut node, &Placed::at(span));
        let mut errors = Vec::new();
        let result = match parse_statement(&node, self.ctx, top.version, &mut errors) {
            Some(st) if errors.is_empty() => Ok(st),
            _ => Err(errors),
        };
        let shift = Shift {
            from: old_end as u64,
            delta,
            lines: count_lines(&text[at..new_end]) as i64 - count_lines(&old[at..old_end]) as i64,
            line: span.line + count_lines(&old[span.start as usize..old_end]) as u64,
            columns: column_of(text, new_end) as i64 - column_of(old, old_end) as i64,
        };
        parts[index] = Part {
            span: Span {
                end: end as u64,
                ..span
            },
            result,
        };
        for part in &mut parts[index + 1..] {
            shift.apply(&mut part.span);
            match &mut part.result {
                Ok(st) => statement_spans(st, &mut |s| shift.apply(s)),
                // Messages may name places (a duplicate key's first one): read it again.
                Err(_) => part.result = reparse_at(text, part.span, self.ctx, top.version)?,
            }
        }
        shift.apply(&mut top.span);
        Some((index, shift))
    }
}

/// Parses `text` whole, keeping the statements apart when the document has no errors
/// of its own.
fn parse_whole(text: &str, ctx: ParseContext) -> State {
    let node = match json::parse(text) {
        Ok(node) => node,
        Err(e) => return State::Whole(Err(vec![e])),
    };
    let mut parts = Vec::new();
    let mut errors = Vec::new();
    let mut each = |item: &Node, version: Version, errors: &mut Vec<Diagnostic>| {
        let before = errors.len();
        let result = match parse_statement(item, ctx, version, errors) {
            Some(st) if errors.len() == before => Ok(st),
            _ => Err(errors[before..].to_vec()),
        };
        parts.push(Part {
            span: item.span,
            result,
        });
        None
    };
    let top = parse_document(&node, &mut errors, &mut each);
    let in_statements: usize = parts
        .iter()
        .map(|p| p.result.as_ref().err().map_or(0, Vec::len))
        .sum();
    match top {
        Some(top) if errors.len() == in_statements => State::Parts { top, parts },
        // The same errors, in the same order, as parsing it in one go.
        _ => State::Whole(Err(errors)),
    }
}

/// Parses the statement at `span` of `text` again (its text is unchanged; its place
/// moved).
fn reparse_at(
    text: &str,
    span: Span,
    ctx: ParseContext,
    version: Version,
) -> Option<Result<Statement, Vec<Diagnostic>>> {
    let mut node = json::parse(text.get(span.range())?).ok()?;
    move_node(&mut node, &Placed::at(span));
    let mut errors = Vec::new();
    Some(match parse_statement(&node, ctx, version, &mut errors) {
        Some(st) if errors.is_empty() => Ok(st),
        _ => Err(errors),
    })
}

/// The edit that turns `old` into `new`: the byte range `at..old_end` of `old` became
/// `at..new_end` of `new` (the longest common start and end, on char boundaries).
pub fn edit_range(old: &str, new: &str) -> (usize, usize, usize) {
    let (a, b) = (old.as_bytes(), new.as_bytes());
    let mut start = common_prefix(a, b);
    while !old.is_char_boundary(start) || !new.is_char_boundary(start) {
        start -= 1;
    }
    let max_end = a.len().min(b.len()) - start;
    let mut end = common_suffix(&a[a.len() - max_end..], &b[b.len() - max_end..]);
    while !old.is_char_boundary(a.len() - end) || !new.is_char_boundary(b.len() - end) {
        end -= 1;
    }
    (start, a.len() - end, b.len() - end)
}

/// The length of the longest common start of `a` and `b`, compared a block at a time.
pub fn common_prefix(a: &[u8], b: &[u8]) -> usize {
    const BLOCK: usize = 64;
    let n = a.len().min(b.len());
    let mut i = 0;
    while i + BLOCK <= n && a[i..i + BLOCK] == b[i..i + BLOCK] {
        i += BLOCK;
    }
    i + a[i..n]
        .iter()
        .zip(&b[i..n])
        .take_while(|(x, y)| x == y)
        .count()
}

/// The length of the longest common end of `a` and `b`, compared a block at a time.
pub fn common_suffix(a: &[u8], b: &[u8]) -> usize {
    const BLOCK: usize = 64;
    let n = a.len().min(b.len());
    let (a, b) = (&a[a.len() - n..], &b[b.len() - n..]);
    let mut i = 0;
    while i + BLOCK <= n && a[n - i - BLOCK..n - i] == b[n - i - BLOCK..n - i] {
        i += BLOCK;
    }
    i + a[..n - i]
        .iter()
        .rev()
        .zip(b[..n - i].iter().rev())
        .take_while(|(x, y)| x == y)
        .count()
}

fn count_lines(s: &str) -> usize {
    memchr::memchr_iter(b'\n', s.as_bytes()).count()
}

/// The 0-based character column of byte `offset` of `text`.
fn column_of(text: &str, offset: usize) -> usize {
    let line_start = memchr::memrchr(b'\n', &text.as_bytes()[..offset]).map_or(0, |i| i + 1);
    text[line_start..offset].chars().count()
}

/// Where a piece of text parsed on its own sits in the whole text.
struct Placed {
    offset: u64,
    line: u64,
    column: u32,
}

impl Placed {
    /// The piece that starts where `span` starts.
    fn at(span: Span) -> Self {
        Placed {
            offset: span.start,
            line: span.line,
            column: span.column,
        }
    }

    fn apply(&self, span: &mut Span) {
        if span.line == 1 {
            span.column += self.column - 1;
        }
        span.line += self.line - 1;
        span.start += self.offset;
        span.end += self.offset;
    }
}

fn move_node(node: &mut Node, to: &Placed) {
    to.apply(&mut node.span);
    match &mut node.value {
        Value::Array(items) => items.iter_mut().for_each(|n| move_node(n, to)),
        Value::Object(members) => {
            for m in members {
                to.apply(&mut m.key_span);
                move_node(&mut m.value, to);
            }
        }
        _ => {}
    }
}

fn depth(node: &Node) -> usize {
    1 + match &node.value {
        Value::Array(items) => items.iter().map(depth).max().unwrap_or(0),
        Value::Object(members) => members.iter().map(|m| depth(&m.value)).max().unwrap_or(0),
        _ => 0,
    }
}

/// Calls `f` on every span a statement holds.
pub fn statement_spans(st: &mut Statement, f: &mut impl FnMut(&mut Span)) {
    f(&mut st.span);
    if let Some(s) = &mut st.sid_span {
        f(s);
    }
    f(&mut st.effect_span);
    let ActionElement { span, items, .. } = &mut st.action;
    f(span);
    items.iter_mut().for_each(|i| f(&mut i.span));
    if let Some(ResourceElement { span, items, .. }) = &mut st.resource {
        f(span);
        items.iter_mut().for_each(|i| f(&mut i.span));
    }
    if let Some(PrincipalElement { span, items, .. }) = &mut st.principal {
        f(span);
        items.iter_mut().for_each(|i| f(&mut i.span));
    }
    for op in &mut st.conditions {
        f(&mut op.span);
        for key in &mut op.keys {
            f(&mut key.span);
            key.values.iter_mut().for_each(|v| f(&mut v.span));
        }
    }
    if let Some(s) = &mut st.condition_span {
        f(s);
    }
}
