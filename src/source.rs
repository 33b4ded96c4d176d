//! Positions in source text: byte ranges with the line and column people read, and the
//! diagnostics that point at them.

use serde::Serialize;

/// A place in a source text: a byte range plus the 1-based line and column (in
/// characters) of its start. 64-bit, so positions past 4 GiB of (decompressed) input
/// are exact rather than wrapped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct Span {
    /// Byte offset of the first byte.
    pub start: u64,
    /// Byte offset one past the last byte.
    pub end: u64,
    /// 1-based line of `start`.
    pub line: u64,
    /// 1-based column (in characters) of `start`.
    pub column: u64,
}

impl Span {
    /// The byte range as a `Range<usize>`.
    pub fn range(&self) -> std::ops::Range<usize> {
        self.start as usize..self.end as usize
    }
}

/// Maps byte offsets of one text to lines and columns.
#[derive(Debug, Clone)]
pub struct LineIndex {
    line_starts: Vec<usize>,
    ascii: bool,
}

impl LineIndex {
    /// Indexes `text`.
    pub fn new(text: &str) -> Self {
        let mut line_starts = vec![0];
        line_starts.extend(memchr::memchr_iter(b'\n', text.as_bytes()).map(|i| i + 1));
        LineIndex {
            line_starts,
            ascii: text.is_ascii(),
        }
    }

    /// The 1-based line and character column of byte `offset` in `text` (the text this
    /// index was built from).
    pub fn line_column(&self, text: &str, offset: usize) -> (u64, u64) {
        let offset = offset.min(text.len());
        let line = self.line_starts.partition_point(|&s| s <= offset) - 1;
        let start = self.line_starts[line];
        let column = if self.ascii {
            offset - start
        } else {
            text.get(start..offset)
                .map_or(offset - start, |s| s.chars().count())
        };
        (line as u64 + 1, column as u64 + 1)
    }

    /// A span for the byte range `start..end` of `text`.
    pub fn span(&self, text: &str, start: usize, end: usize) -> Span {
        let (line, column) = self.line_column(text, start);
        Span {
            start: start as u64,
            end: end as u64,
            line,
            column,
        }
    }
}

/// How serious a diagnostic is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// The input cannot be used as it is.
    Error,
    /// The input is usable but probably not what was meant.
    Warning,
}

/// A message about a place in a source text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    /// Where the problem is.
    pub span: Span,
    /// How serious it is.
    pub severity: Severity,
    /// What is wrong, in words a person can act on.
    pub message: String,
}

impl Diagnostic {
    /// An error at `span`.
    pub fn error(span: Span, message: impl Into<String>) -> Self {
        Diagnostic {
            span,
            severity: Severity::Error,
            message: message.into(),
        }
    }
}

/// `" (did you mean X?)"` when one of `candidates` is close to `word`, else empty.
pub fn did_you_mean<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> String {
    let limit = (word.len() / 3).max(2);
    let lower = |s: &str| {
        s.bytes()
            .map(|b| b.to_ascii_lowercase())
            .collect::<Vec<u8>>()
    };
    let wanted = lower(word);
    // Lengths further apart than the limit cannot be within it: most of a large list
    // (every action of a service) is skipped without computing a distance.
    let best = candidates
        .into_iter()
        .filter(|c| c.len().abs_diff(word.len()) <= limit)
        .map(|c| {
            let d = strsim::generic_levenshtein(&wanted, &lower(c));
            (d, c)
        })
        .min_by_key(|&(d, _)| d);
    match best {
        Some((d, c)) if d <= limit => format!(" (did you mean {c}?)"),
        _ => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_and_column_count_characters() {
        let text = "ab\né€x\n";
        let idx = LineIndex::new(text);
        assert_eq!(idx.line_column(text, 0), (1, 1));
        assert_eq!(idx.line_column(text, 3), (2, 1));
        // 'x' follows two multi-byte characters.
        assert_eq!(idx.line_column(text, 3 + 2 + 3), (2, 3));
    }

    #[test]
    fn suggestions_only_when_close() {
        assert_eq!(
            did_you_mean("StringEqual", ["StringEquals", "Bool"]),
            " (did you mean StringEquals?)"
        );
        assert_eq!(did_you_mean("Banana", ["StringEquals", "Bool"]), "");
    }
}
