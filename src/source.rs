//! Positions in source text: byte ranges with the line and column people read, and the
//! diagnostics that point at them.

use serde::Serialize;

/// A place in a source text: a byte range plus the 1-based line and column (in
/// characters) of its start, and which text it is in ([`SourceId`]). Offsets and lines
/// are 64-bit, so positions past 4 GiB of (decompressed) input are exact rather than
/// wrapped; a column past `u32::MAX` (a single line of 4 GiB) is held as `u32::MAX`.
/// Every policy node holds spans: 32 bytes, checked by a test.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct Span {
    /// Byte offset of the first byte.
    pub start: u64,
    /// Byte offset one past the last byte.
    pub end: u64,
    /// 1-based line of `start`.
    pub line: u64,
    /// 1-based column (in characters) of `start`.
    pub column: u32,
    /// The text the offsets, line and column are in.
    pub source: SourceId,
}

impl Span {
    /// The byte range as a `Range<usize>`.
    pub fn range(&self) -> std::ops::Range<usize> {
        self.start as usize..self.end as usize
    }
}

/// Which text a [`Span`] is in: the text that was read (the file, or whatever text was
/// parsed on its own, such as a policy in an editor), or an entry of the [`SourceMap`]
/// the reader returned with its result: a policy decoded from a string of that file, or
/// another file a scenario takes policies from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize)]
#[serde(transparent)]
pub struct SourceId(u32);

impl SourceId {
    /// The text that was read itself.
    pub const FILE: SourceId = SourceId(0);

    /// True for the text that was read itself.
    pub fn is_file(self) -> bool {
        self == Self::FILE
    }

    /// The number written in JSON output (0 for the file; a decoded text's `source`).
    pub fn number(self) -> u32 {
        self.0
    }
}

/// How a policy held in a string of the file is written there.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Encoding {
    /// A JSON string holding the policy text (`"{\"Version\": …}"`).
    JsonString,
    /// A JSON string holding URL-encoded policy text (`"%7B%22Version%22…"`), as the
    /// IAM API returns documents.
    UrlEncoded,
    /// A value of a template holding the policy text: a YAML string, or a string an
    /// intrinsic function (`Fn::Sub`, `Fn::Join`) builds. Its text is not the
    /// literal's: the template reader keeps it ([`DecodedText::text`] is `None`).
    TemplateString,
}

/// A text decoded from a string of the file: where the string is and what it holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DecodedText {
    /// The string literal in the file, quotes included.
    pub literal: Span,
    /// The name of the policy it holds, if it has one.
    pub name: Option<String>,
    /// Where the policy is in the file's structure (`policies.identity[0]`).
    pub path: String,
    /// How it is written in the string.
    pub encoding: Encoding,
}

impl DecodedText {
    /// The decoded text again, from the file's text `file` (the text the literal's
    /// span is in); `None` when `file` is not that text.
    pub fn text(&self, file: &str) -> Option<String> {
        let raw: String = serde_json::from_str(file.get(self.literal.range())?).ok()?;
        match self.encoding {
            Encoding::JsonString => Some(raw),
            Encoding::UrlEncoded => percent_encoding::percent_decode_str(&raw)
                .decode_utf8()
                .ok()
                .map(|t| t.into_owned()),
            Encoding::TemplateString => None,
        }
    }

    /// The policy for people: its name in quotes, or its path.
    pub fn label(&self) -> String {
        match &self.name {
            Some(n) => format!("\"{n}\""),
            None => self.path.clone(),
        }
    }

    /// `in the policy string of "NAME" (decoded line L, column C)`: where `span` (in
    /// this text) is, in words.
    pub fn describe(&self, span: &Span) -> String {
        let what = match self.encoding {
            Encoding::JsonString => "policy string",
            Encoding::UrlEncoded => "URL-encoded policy string",
            Encoding::TemplateString => "template string",
        };
        format!(
            "in the {what} of {} (decoded line {}, column {})",
            self.label(),
            span.line,
            span.column
        )
    }
}

/// Another file a scenario takes policies from (`policiesFrom`, docs/iac.md):
/// spans whose [`SourceId`] names it are at its own lines and columns, and messages
/// about them name its path, not the scenario's.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IncludedFile {
    /// The path as messages show it: the scenario's `file`, joined to the scenario's
    /// directory.
    pub path: String,
    /// The `policiesFrom` entry in the scenario, as written (its JSON text): what is
    /// written back when the scenario is saved.
    pub entry: String,
    /// Where the entry's `file` is written in the scenario.
    pub named_at: Span,
    /// The SCP and RCP levels (indices into the scenario's level lists) created for
    /// this file's policies because the scenario had none: they are the file's, and
    /// are not written back.
    pub added_levels: AddedLevels,
}

/// The SCP and RCP levels an [`IncludedFile`] brought (see its `added_levels`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct AddedLevels {
    /// The SCP level created for the file's SCPs.
    pub scp: Option<usize>,
    /// The RCP level created for the file's RCPs.
    pub rcp: Option<usize>,
}

/// What a [`SourceId`] other than [`SourceId::FILE`] names.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
enum Entry {
    Decoded(DecodedText),
    File(IncludedFile),
}

/// The texts other than the file that spans may be in, which [`SourceId`]s other than
/// [`SourceId::FILE`] name: texts decoded from strings (of the file, or of an included
/// file), and the other files a scenario takes policies from ([`IncludedFile`]). A
/// reader returns it beside what it read (with the result and with its errors), so
/// that any span can be placed.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
#[serde(transparent)]
pub struct SourceMap {
    entries: Vec<Entry>,
}

/// Where a span is, for people: its line and column in the file (or in the included
/// file it is in), and for a span in a decoded text, that text (its literal is at the
/// line and column).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Place<'a> {
    /// 1-based line in the file.
    pub line: u64,
    /// 1-based column (in characters) in the file.
    pub column: u32,
    /// The decoded text the span is in, and the span there.
    pub decoded: Option<(&'a DecodedText, Span)>,
    /// The other file the line and column are in (`None`: the file that was read).
    pub file: Option<&'a IncludedFile>,
}

impl Place<'_> {
    /// `LINE:COLUMN: ` then, in a decoded text, `in the policy string of "X" (decoded
    /// line L, column C): `: what goes before a message (after the file's name).
    pub fn prefix(&self) -> String {
        match &self.decoded {
            None => format!("{}:{}: ", self.line, self.column),
            Some((d, span)) => format!("{}:{}: {}: ", self.line, self.column, d.describe(span)),
        }
    }

    /// The name of the file the place is in: an included file's path, else `shown`
    /// (the name of the file that was read).
    pub fn file_name<'s>(&'s self, shown: &'s str) -> &'s str {
        self.file.map_or(shown, |f| f.path.as_str())
    }
}

impl SourceMap {
    /// Records a decoded text; the id its spans carry.
    pub fn add(&mut self, text: DecodedText) -> SourceId {
        self.push(Entry::Decoded(text))
    }

    /// Records another file policies are taken from; the id its spans carry.
    pub fn add_file(&mut self, file: IncludedFile) -> SourceId {
        self.push(Entry::File(file))
    }

    fn push(&mut self, entry: Entry) -> SourceId {
        self.entries.push(entry);
        // Ids past u32::MAX - 1 texts cannot be told apart; a file of four billion
        // policies is refused long before (the input limit).
        SourceId(u32::try_from(self.entries.len()).unwrap_or(u32::MAX))
    }

    fn entry(&self, id: SourceId) -> Option<&Entry> {
        let i = id.0.checked_sub(1)?;
        self.entries.get(i as usize)
    }

    /// The decoded text `id` names; `None` for the file, an included file (or an id
    /// not from this map).
    pub fn get(&self, id: SourceId) -> Option<&DecodedText> {
        match self.entry(id)? {
            Entry::Decoded(d) => Some(d),
            Entry::File(_) => None,
        }
    }

    /// The included file `id` names; `None` for anything else.
    pub fn file(&self, id: SourceId) -> Option<&IncludedFile> {
        match self.entry(id)? {
            Entry::File(f) => Some(f),
            Entry::Decoded(_) => None,
        }
    }

    /// The included file `id` names, to complete it.
    pub fn file_mut(&mut self, id: SourceId) -> Option<&mut IncludedFile> {
        let i = id.0.checked_sub(1)?;
        match self.entries.get_mut(i as usize)? {
            Entry::File(f) => Some(f),
            Entry::Decoded(_) => None,
        }
    }

    /// The included file `span` is in, directly or through the decoded text it is in;
    /// `None` for the file that was read.
    pub fn file_of(&self, span: &Span) -> Option<&IncludedFile> {
        match self.entry(span.source)? {
            Entry::File(f) => Some(f),
            Entry::Decoded(d) => self.file(d.literal.source),
        }
    }

    /// The id of the included file `span` is in ([`Self::file_of`]); `SourceId::FILE`
    /// for the file that was read.
    pub fn file_id_of(&self, span: &Span) -> SourceId {
        match self.entry(span.source) {
            Some(Entry::File(_)) => span.source,
            Some(Entry::Decoded(d)) if self.file(d.literal.source).is_some() => d.literal.source,
            _ => SourceId::FILE,
        }
    }

    /// Every decoded text with its id.
    pub fn iter(&self) -> impl Iterator<Item = (SourceId, &DecodedText)> {
        self.entries
            .iter()
            .enumerate()
            .filter_map(|(i, e)| match e {
                Entry::Decoded(d) => Some((SourceId(i as u32 + 1), d)),
                Entry::File(_) => None,
            })
    }

    /// Every included file with its id.
    pub fn files(&self) -> impl Iterator<Item = (SourceId, &IncludedFile)> {
        self.entries
            .iter()
            .enumerate()
            .filter_map(|(i, e)| match e {
                Entry::File(f) => Some((SourceId(i as u32 + 1), f)),
                Entry::Decoded(_) => None,
            })
    }

    /// True when no text was decoded and no file included.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Where `span` is: in the file, in an included file, or in a decoded text whose
    /// literal is in one of them.
    pub fn place(&self, span: &Span) -> Place<'_> {
        match self.entry(span.source) {
            Some(Entry::Decoded(d)) => Place {
                line: d.literal.line,
                column: d.literal.column,
                decoded: Some((d, *span)),
                file: self.file(d.literal.source),
            },
            Some(Entry::File(f)) => Place {
                line: span.line,
                column: span.column,
                decoded: None,
                file: Some(f),
            },
            None => Place {
                line: span.line,
                column: span.column,
                decoded: None,
                file: None,
            },
        }
    }

    /// `LINE:COLUMN: message`, with the decoded text named for a diagnostic in one
    /// (see [`Place::prefix`]): a diagnostic as shown after the file's name. (A
    /// diagnostic in an included file is at that file's line and column:
    /// [`Self::locate`] names the file.)
    pub fn describe(&self, d: &Diagnostic) -> String {
        format!("{}{}", self.place(&d.span).prefix(), d.message)
    }

    /// `FILE:LINE:COLUMN: message`: [`Self::describe`] after the name of the file the
    /// diagnostic is in — `shown` (the file that was read) or an included file's path.
    pub fn locate(&self, shown: &str, d: &Diagnostic) -> String {
        let place = self.place(&d.span);
        format!("{}:{}{}", place.file_name(shown), place.prefix(), d.message)
    }
}

/// Maps byte offsets of one text to lines and columns.
#[derive(Debug, Clone)]
pub struct LineIndex {
    line_starts: Vec<usize>,
    ascii: bool,
    source: SourceId,
}

impl LineIndex {
    /// Indexes `text`.
    pub fn new(text: &str) -> Self {
        let mut line_starts = vec![0];
        line_starts.extend(memchr::memchr_iter(b'\n', text.as_bytes()).map(|i| i + 1));
        LineIndex {
            line_starts,
            ascii: text.is_ascii(),
            source: SourceId::FILE,
        }
    }

    /// Indexes `text`, a text decoded from the file: its spans carry `source`.
    pub fn in_source(text: &str, source: SourceId) -> Self {
        LineIndex {
            source,
            ..LineIndex::new(text)
        }
    }

    /// The 1-based line and character column of byte `offset` in `text` (the text this
    /// index was built from).
    pub fn line_column(&self, text: &str, offset: usize) -> (u64, u32) {
        let offset = offset.min(text.len());
        let line = self.line_starts.partition_point(|&s| s <= offset) - 1;
        let start = self.line_starts[line];
        let column = if self.ascii {
            offset - start
        } else {
            text.get(start..offset)
                .map_or(offset - start, |s| s.chars().count())
        };
        (line as u64 + 1, column_number(column))
    }

    /// A span for the byte range `start..end` of `text`.
    pub fn span(&self, text: &str, start: usize, end: usize) -> Span {
        let (line, column) = self.line_column(text, start);
        Span {
            start: start as u64,
            end: end as u64,
            line,
            column,
            source: self.source,
        }
    }
}

/// The 1-based column of 0-based character `index`, held as `u32::MAX` past it.
pub fn column_number(index: usize) -> u32 {
    u32::try_from(index).map_or(u32::MAX, |c| c.saturating_add(1))
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
/// The closest (the first of equals), within a third of the word's length (at least 2
/// edits), ASCII case ignored.
pub fn did_you_mean<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> String {
    let limit = (word.len() / 3).max(2);
    let wanted = word.as_bytes();
    // Lint asks this for every unknown name against every action of a service: the
    // distance is computed in two reused rows and given up as soon as it cannot beat
    // the best so far (or the limit).
    let mut rows = (Vec::new(), Vec::new());
    let histogram = letters(wanted);
    let mut best: Option<(usize, &str)> = None;
    for c in candidates {
        if c.len().abs_diff(word.len()) > limit {
            continue;
        }
        let bound = best.map_or(limit, |(d, _)| d.saturating_sub(1).min(limit));
        if best.is_some_and(|(d, _)| d == 0) {
            break;
        }
        if bag_distance(&histogram, c.as_bytes()) > bound {
            continue;
        }
        if let Some(d) = bounded_distance(wanted, c.as_bytes(), bound, &mut rows) {
            best = Some((d, c));
        }
    }
    match best {
        Some((_, c)) => format!(" (did you mean {c}?)"),
        None => String::new(),
    }
}

/// How many times each character occurs (ASCII case ignored), in 32 buckets: bytes
/// that share a bucket are counted as one character, which only lowers
/// [`bag_distance`], so it stays a lower bound.
fn letters(word: &[u8]) -> [i32; 32] {
    let mut h = [0; 32];
    for &b in word {
        h[usize::from(b.to_ascii_lowercase() & 31)] += 1;
    }
    h
}

/// A lower bound of the Levenshtein distance, in one pass: the characters one word has
/// and the other lacks (each edit removes at most one from each side).
fn bag_distance(histogram: &[i32; 32], other: &[u8]) -> usize {
    let mut h = *histogram;
    for &b in other {
        h[usize::from(b.to_ascii_lowercase() & 31)] -= 1;
    }
    let (more, fewer) = h.iter().fold(
        (0, 0),
        |(m, f), &x| {
            if x > 0 { (m + x, f) } else { (m, f - x) }
        },
    );
    more.max(fewer) as usize
}

/// The Levenshtein distance of `a` and `b` (ASCII case ignored) when it is at most
/// `bound`, else `None`; `rows` is scratch space.
fn bounded_distance(
    a: &[u8],
    b: &[u8],
    bound: usize,
    rows: &mut (Vec<usize>, Vec<usize>),
) -> Option<usize> {
    if a.len().abs_diff(b.len()) > bound {
        return None;
    }
    let (prev, cur) = rows;
    prev.clear();
    prev.extend(0..=b.len());
    cur.clear();
    cur.resize(b.len() + 1, 0);
    for (i, &x) in a.iter().enumerate() {
        cur[0] = i + 1;
        let mut row_min = cur[0];
        for (j, &y) in b.iter().enumerate() {
            let cost = usize::from(!x.eq_ignore_ascii_case(&y));
            cur[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
            row_min = row_min.min(cur[j + 1]);
        }
        // Every later row is at least this row's minimum.
        if row_min > bound {
            return None;
        }
        std::mem::swap(prev, cur);
    }
    let d = prev[b.len()];
    (d <= bound).then_some(d)
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
    fn a_span_stays_small() {
        // Every node of a parsed policy holds spans; a 5 MiB policy has millions.
        assert_eq!(std::mem::size_of::<Span>(), 32);
    }

    #[test]
    fn spans_in_a_decoded_text_are_placed_at_its_string() {
        let file = "{\"document\": \"{\\n  \\\"Version\\\": 1}\"}";
        let idx = LineIndex::new(file);
        let start = file.find("\"{").unwrap_or_default();
        let literal = idx.span(file, start, file.len() - 1);
        let mut map = SourceMap::default();
        let id = map.add(DecodedText {
            literal,
            name: Some("P".into()),
            path: "document".into(),
            encoding: Encoding::JsonString,
        });
        assert!(!id.is_file());
        let decoded = map.get(id).and_then(|d| d.text(file)).unwrap_or_default();
        assert_eq!(decoded, "{\n  \"Version\": 1}");
        let inner = LineIndex::in_source(&decoded, id).span(&decoded, 4, 13);
        assert_eq!((inner.line, inner.column, inner.source), (2, 3, id));
        let d = Diagnostic::error(inner, "bad");
        assert_eq!(
            map.describe(&d),
            "1:14: in the policy string of \"P\" (decoded line 2, column 3): bad"
        );
        // A span in the file itself is shown as it is.
        assert_eq!(map.describe(&Diagnostic::error(literal, "x")), "1:14: x");
        assert_eq!(map.get(SourceId::FILE), None);
    }

    #[test]
    fn spans_in_an_included_file_are_placed_there() {
        let mut map = SourceMap::default();
        let named_at = Span {
            start: 20,
            end: 34,
            line: 3,
            column: 13,
            source: SourceId::FILE,
        };
        let file = map.add_file(IncludedFile {
            path: "infra/template.yaml".into(),
            entry: "{\"file\": \"template.yaml\"}".into(),
            named_at,
            added_levels: AddedLevels::default(),
        });
        assert!(map.get(file).is_none(), "not a decoded text");
        assert_eq!(map.iter().count(), 0);
        let in_template = Span {
            start: 400,
            end: 410,
            line: 27,
            column: 17,
            source: file,
        };
        let d = Diagnostic::error(in_template, "bad");
        assert_eq!(map.locate("s.json", &d), "infra/template.yaml:27:17: bad");
        assert_eq!(map.file_id_of(&in_template), file);
        // A policy string of the template: placed at its literal, in the template.
        let literal = Span {
            line: 40,
            column: 9,
            ..in_template
        };
        let decoded = map.add(DecodedText {
            literal,
            name: Some("P".into()),
            path: "P".into(),
            encoding: Encoding::TemplateString,
        });
        let inner = Span {
            line: 2,
            column: 3,
            source: decoded,
            ..in_template
        };
        assert_eq!(
            map.locate("s.json", &Diagnostic::error(inner, "x")),
            "infra/template.yaml:40:9: in the template string of \"P\" (decoded line 2, column 3): x"
        );
        assert_eq!(map.file_id_of(&inner), file);
        // The scenario's own spans stay the scenario's.
        assert_eq!(
            map.locate("s.json", &Diagnostic::error(named_at, "y")),
            "s.json:3:13: y"
        );
        assert!(map.file_of(&named_at).is_none());
        assert_eq!(map.files().count(), 1);
    }

    #[test]
    fn suggestions_only_when_close() {
        assert_eq!(
            did_you_mean("StringEqual", ["StringEquals", "Bool"]),
            " (did you mean StringEquals?)"
        );
        assert_eq!(did_you_mean("Banana", ["StringEquals", "Bool"]), "");
    }

    #[test]
    fn bounded_distance_agrees_with_levenshtein() {
        // The early exits change nothing: the same distance as the plain algorithm
        // whenever it is within the bound, `None` otherwise.
        let words = [
            "",
            "s3",
            "S3",
            "GetObject",
            "getobjekt",
            "PutObjectAcl",
            "ListBuckets",
            "DescribeInstances",
            "describeinstance",
            "ec2",
            "iam",
            "PassRole",
            "passrol",
            "CreatePolicyVersion",
            "abc",
            "cab",
            "kitten",
            "sitting",
        ];
        let mut rows = (Vec::new(), Vec::new());
        for a in words {
            for b in words {
                let plain = strsim::levenshtein(&a.to_ascii_lowercase(), &b.to_ascii_lowercase());
                for bound in 0..8 {
                    let got = bounded_distance(a.as_bytes(), b.as_bytes(), bound, &mut rows);
                    assert_eq!(got, (plain <= bound).then_some(plain), "{a} {b} {bound}");
                }
            }
        }
        // The bag distance never exceeds the distance.
        for a in words {
            for b in words {
                let plain = strsim::levenshtein(&a.to_ascii_lowercase(), &b.to_ascii_lowercase());
                assert!(
                    bag_distance(&letters(a.as_bytes()), b.as_bytes()) <= plain,
                    "{a} {b}"
                );
            }
        }
        // The first of equally close candidates wins.
        assert_eq!(
            did_you_mean("GetObjekt", ["GetObjectX", "GetObject", "GetObjects"]),
            " (did you mean GetObject?)"
        );
        assert_eq!(
            did_you_mean("abcd", ["abXd", "abYd"]),
            " (did you mean abXd?)"
        );
    }
}
