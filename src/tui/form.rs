//! The request form: principal, action, resource, resource account, then one row per
//! context key written `key = value` (a value starting with `[` is a JSON array: a
//! multi-valued key). Each row is a line of text with a cursor.

use crate::catalog;
use crate::eval::{ContextValue, Request, Scalar, ScalarKind};

/// The fixed fields, in order.
pub const FIELDS: [&str; 4] = ["principal", "action", "resource", "resource account"];

/// The form for one request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestForm {
    /// Row texts: the four fields, then the context rows.
    pub rows: Vec<String>,
    /// The selected row.
    pub selected: usize,
    /// The cursor, in characters, within the selected row.
    pub cursor: usize,
    /// The context rows as first shown, with their values: a row left as it was
    /// keeps its JSON types (a boolean stays a boolean when saved).
    original: Vec<(String, ContextValue)>,
    /// The completion list open on the selected row (Ctrl+Space; see
    /// [`form_complete`](super::form_complete)).
    pub completion: Option<crate::tui::complete::Completion>,
}

fn scalar_text(s: &Scalar) -> String {
    match s.kind {
        ScalarKind::String => serde_json::to_string(&s.text).unwrap_or_default(),
        _ => s.text.clone(),
    }
}

impl RequestForm {
    /// The form showing the request of `spec`, or an empty one (a scenario without
    /// requests: typing in it adds the first).
    pub fn for_spec(spec: Option<&crate::scenario::RequestSpec>) -> Self {
        match spec {
            Some(s) => RequestForm::new(&s.request),
            None => RequestForm::new(&Default::default()),
        }
    }

    /// The form showing `r`.
    pub fn new(r: &Request) -> Self {
        let mut original = Vec::new();
        let mut rows = vec![
            r.principal.clone(),
            r.action.clone(),
            r.resource.clone(),
            r.resource_account.clone().unwrap_or_default(),
        ];
        for (k, v) in &r.context {
            let value = match v {
                ContextValue::One(s) => s.text.clone(),
                ContextValue::Many(items) => format!(
                    "[{}]",
                    items.iter().map(scalar_text).collect::<Vec<_>>().join(", ")
                ),
            };
            let row = format!("{k} = {value}");
            original.push((row.clone(), v.clone()));
            rows.push(row);
        }
        RequestForm {
            rows,
            selected: 0,
            cursor: r.principal.chars().count(),
            original,
            completion: None,
        }
    }

    /// The request the form describes.
    pub fn to_request(&self) -> Request {
        let field = |i: usize| {
            self.rows
                .get(i)
                .map(|s| s.trim().to_string())
                .unwrap_or_default()
        };
        let account = field(3);
        Request {
            principal: field(0),
            action: field(1),
            resource: field(2),
            resource_account: (!account.is_empty()).then_some(account),
            context: self.context(),
        }
    }

    /// The context keys of the rows; a key written twice (in any letter case) keeps
    /// its last value, as AWS would read it.
    fn context(&self) -> Vec<(String, ContextValue)> {
        let mut out: Vec<(String, ContextValue)> = Vec::new();
        for row in &self.rows[FIELDS.len().min(self.rows.len())..] {
            let kept = self.original.iter().find(|(text, _)| text == row);
            let Some((key, value)) = parse_row(row) else {
                continue;
            };
            let value = kept.map_or(value, |(_, v)| v.clone());
            out.retain(|(k, _)| !k.eq_ignore_ascii_case(&key));
            out.push((key, value));
        }
        out
    }

    /// True when row `i` is a context key that a later row writes again.
    pub fn is_overridden(&self, i: usize) -> bool {
        let key = |r: &String| split_row(r).map(|(k, _)| k.to_ascii_lowercase());
        match self.rows.get(i).filter(|_| i >= FIELDS.len()).and_then(key) {
            Some(k) => self.rows[i + 1..]
                .iter()
                .any(|r| key(r).as_deref() == Some(&k)),
            None => false,
        }
    }

    /// Keeps the cursor inside the selected row.
    pub fn clamp_cursor(&mut self) {
        let len = self
            .rows
            .get(self.selected)
            .map_or(0, |r| r.chars().count());
        self.cursor = self.cursor.min(len);
    }

    /// Selects the row above.
    pub fn up(&mut self) {
        self.selected = self.selected.saturating_sub(1);
        self.cursor = usize::MAX;
        self.clamp_cursor();
    }

    /// Selects the row below.
    pub fn down(&mut self) {
        if self.selected + 1 < self.rows.len() {
            self.selected += 1;
        }
        self.cursor = usize::MAX;
        self.clamp_cursor();
    }

    fn byte_at(&self, chars: usize) -> usize {
        let row = &self.rows[self.selected];
        row.char_indices().nth(chars).map_or(row.len(), |(i, _)| i)
    }

    /// Inserts text at the cursor (newlines become spaces).
    pub fn insert(&mut self, text: &str) {
        if self.selected >= self.rows.len() {
            return;
        }
        self.clamp_cursor();
        let clean: String = text
            .chars()
            .map(|c| if c.is_control() { ' ' } else { c })
            .collect();
        let at = self.byte_at(self.cursor);
        self.rows[self.selected].insert_str(at, &clean);
        self.cursor += clean.chars().count();
    }

    /// Deletes the character before the cursor. True when something was deleted.
    pub fn backspace(&mut self) -> bool {
        if self.selected >= self.rows.len() {
            return false;
        }
        self.clamp_cursor();
        if self.cursor == 0 {
            return false;
        }
        self.cursor -= 1;
        let at = self.byte_at(self.cursor);
        self.rows[self.selected].remove(at);
        true
    }

    /// Deletes the character at the cursor. True when something was deleted.
    pub fn delete(&mut self) -> bool {
        if self.selected >= self.rows.len() {
            return false;
        }
        self.clamp_cursor();
        let at = self.byte_at(self.cursor);
        if at >= self.rows[self.selected].len() {
            return false;
        }
        self.rows[self.selected].remove(at);
        true
    }

    /// Moves the cursor by `delta` characters.
    pub fn move_cursor(&mut self, delta: isize) {
        self.cursor = self.cursor.saturating_add_signed(delta);
        self.clamp_cursor();
    }

    /// Moves the cursor to the start or end of the row.
    pub fn home_end(&mut self, end: bool) {
        self.cursor = if end { usize::MAX } else { 0 };
        self.clamp_cursor();
    }

    /// Adds an empty context row and selects it.
    pub fn add_context_row(&mut self) {
        self.rows.push(String::new());
        self.selected = self.rows.len() - 1;
        self.cursor = 0;
    }

    /// Deletes the selected context row (fixed fields are not deleted). True when a
    /// row was deleted.
    pub fn delete_context_row(&mut self) -> bool {
        if self.selected < FIELDS.len() || self.selected >= self.rows.len() {
            return false;
        }
        self.rows.remove(self.selected);
        self.selected = self.selected.min(self.rows.len() - 1);
        self.cursor = 0;
        true
    }

    /// A hint for row `i`: the field's name, or for a context key its type from the
    /// global key table and whether the value parses for it.
    pub fn hint(&self, i: usize) -> RowHint {
        if i == 1 {
            return RowHint::Action(super::form_complete::check_action(&self.rows[1]));
        }
        if i < FIELDS.len() {
            return RowHint::Field(FIELDS[i]);
        }
        let Some((key, value)) = self.rows.get(i).and_then(|r| split_row(r)) else {
            return RowHint::Incomplete;
        };
        let Some(g) = catalog::global_key(key) else {
            return RowHint::UnknownKey;
        };
        let values: Vec<String> = match parse_value(value) {
            ContextValue::One(s) => vec![s.text],
            ContextValue::Many(v) => v.into_iter().map(|s| s.text).collect(),
        };
        let parses = values.iter().all(|v| g.key_type.accepts(v));
        RowHint::Global {
            type_label: g.key_type.label(),
            multi: g.multi,
            given_multi: value.trim_start().starts_with('['),
            parses,
        }
    }
}

/// What the form knows about a row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RowHint {
    /// One of the fixed fields.
    Field(&'static str),
    /// The action, checked against the catalog.
    Action(super::form_complete::ActionCheck),
    /// A context row without `key = value` yet.
    Incomplete,
    /// A key not in the global key table (service keys are not checked yet).
    UnknownKey,
    /// A global key.
    Global {
        /// Its type.
        type_label: &'static str,
        /// AWS sends it multi-valued.
        multi: bool,
        /// The row gives an array.
        given_multi: bool,
        /// Every value parses for the type.
        parses: bool,
    },
}

fn split_row(row: &str) -> Option<(&str, &str)> {
    let (k, v) = row.split_once('=')?;
    let k = k.trim();
    (!k.is_empty()).then_some((k, v.trim()))
}

fn parse_value(value: &str) -> ContextValue {
    if value.starts_with('[') {
        if let Ok(serde_json::Value::Array(items)) =
            serde_json::from_str::<serde_json::Value>(value)
        {
            let scalars: Option<Vec<Scalar>> = items
                .into_iter()
                .map(|v| match v {
                    serde_json::Value::String(s) => Some(Scalar::string(s)),
                    serde_json::Value::Number(n) => Some(Scalar {
                        text: n.to_string(),
                        kind: ScalarKind::Number,
                    }),
                    serde_json::Value::Bool(b) => Some(Scalar {
                        text: b.to_string(),
                        kind: ScalarKind::Bool,
                    }),
                    _ => None,
                })
                .collect();
            if let Some(s) = scalars {
                return ContextValue::Many(s);
            }
        }
    }
    ContextValue::One(Scalar::string(value))
}

/// A context row as a key and value (`None` while it has no `key =`).
pub fn parse_row(row: &str) -> Option<(String, ContextValue)> {
    let (k, v) = split_row(row)?;
    Some((k.to_string(), parse_value(v)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_a_request_and_edits_rows() {
        let r = Request {
            principal: "arn:aws:iam::111122223333:user/alice".into(),
            action: "kms:DescribeKey".into(),
            resource: "*".into(),
            resource_account: None,
            context: vec![
                (
                    "aws:SourceIp".into(),
                    ContextValue::One(Scalar::string("203.0.113.5")),
                ),
                (
                    "aws:CalledVia".into(),
                    ContextValue::Many(vec![Scalar::string("ec2.amazonaws.com")]),
                ),
            ],
        };
        let mut f = RequestForm::new(&r);
        assert_eq!(f.to_request(), r);
        f.selected = 4;
        f.home_end(true);
        f.backspace();
        f.insert("9");
        assert_eq!(f.rows[4], "aws:SourceIp = 203.0.113.9");
        assert_eq!(
            f.hint(4),
            RowHint::Global {
                type_label: "IP",
                multi: false,
                given_multi: false,
                parses: true
            }
        );
        f.insert("x");
        assert!(matches!(f.hint(4), RowHint::Global { parses: false, .. }));
        assert!(f.delete_context_row());
        assert_eq!(f.to_request().context.len(), 1);
    }
}
