//! The policy editor: everything that touches tui-textarea lives here. The editor
//! draws its own gutter — the file's line numbers (a policy that starts at line 24 of a
//! scenario shows 24, 25, …), error and lint marks — beside the text area, which is
//! drawn without line numbers. tui-textarea 0.7 keeps its scroll position private, so
//! the editor follows it with the same rule the widget applies on every render (the
//! view moves just enough to keep the cursor in sight; scrolling moves it by rows).

use crossterm::event::KeyEvent;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::widgets::{Block, Widget};
use std::cell::Cell;
use tui_textarea::{CursorMove, TextArea};

/// One policy's text being edited.
pub struct PolicyEditor {
    area: TextArea<'static>,
    /// The file's line number of the text's first line.
    first_line: u64,
    /// The first text row in view, as the text area computed it at the last render.
    top: Cell<u16>,
    /// The width of the longest line, once measured (forgotten on every change).
    longest: Cell<Option<usize>>,
}

/// Line marks drawn over the editor.
#[derive(Debug, Clone, Default)]
pub struct Marks {
    /// 1-based lines with an error, with the first message for each.
    pub errors: Vec<(u64, String)>,
    /// 1-based line ranges (inclusive) to highlight: the statements that decided.
    pub highlights: Vec<(u64, u64)>,
    /// 1-based lines with lint findings, with the most serious grade on each.
    pub findings: Vec<(u64, crate::lint::Severity)>,
}

impl PolicyEditor {
    /// An editor holding `text`, numbered from line 1.
    pub fn new(text: &str) -> Self {
        Self::numbered(text, 1)
    }

    /// An editor holding `text` whose first line is line `first_line` of its file.
    pub fn numbered(text: &str, first_line: u64) -> Self {
        let mut area = TextArea::new(split_lines(text));
        area.set_cursor_line_style(Style::default());
        area.set_tab_length(2);
        // The app keeps one history of every change (see `history`).
        area.set_max_histories(0);
        PolicyEditor {
            area,
            first_line: first_line.max(1),
            top: Cell::new(0),
            longest: Cell::new(None),
        }
    }

    /// The file's line number of the text's first line.
    pub fn first_line(&self) -> u64 {
        self.first_line
    }

    /// Numbers the text from the file's line `first_line` (its place moved on saving).
    pub fn set_first_line(&mut self, first_line: u64) {
        self.first_line = first_line.max(1);
    }

    /// The whole text.
    pub fn text(&self) -> String {
        self.area.lines().join("\n")
    }

    /// Hands a key to the text area. True when the text changed.
    pub fn input(&mut self, key: KeyEvent) -> bool {
        let changed = self.area.input(key);
        self.changed(changed)
    }

    /// Forgets what was measured of the text when `changed`; returns `changed`.
    fn changed(&self, changed: bool) -> bool {
        if changed {
            self.longest.set(None);
        }
        changed
    }

    /// Copies the selection into the editor's clipboard (what Ctrl+V pastes). False
    /// when nothing is selected.
    pub fn copy(&mut self) -> bool {
        if self.area.selection_range().is_none() {
            return false;
        }
        self.area.copy();
        true
    }

    /// Pastes what [`Self::copy`] (or a cut) took. True when the text changed.
    pub fn paste_copied(&mut self) -> bool {
        let changed = self.area.paste();
        self.changed(changed)
    }

    /// Inserts pasted text at the cursor. True when anything was inserted.
    pub fn paste(&mut self, text: &str) -> bool {
        let text = text.replace("\r\n", "\n").replace('\r', "\n");
        let changed = self.area.insert_str(text);
        self.changed(changed)
    }

    /// Shows `text` instead (an undo or redo), the cursor at byte `offset` and the
    /// view where it was as far as it can be.
    pub fn set_text(&mut self, text: &str, offset: usize) {
        let focused = self.area.cursor_style() != Style::default();
        let mut fresh = Self::numbered(text, self.first_line);
        fresh.top.set(self.top.get());
        fresh.set_focused(focused);
        let offset = offset.min(text.len());
        let before = text.get(..offset).unwrap_or(text);
        let row = before.matches('\n').count();
        let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count());
        fresh.area.move_cursor(CursorMove::Jump(
            row.min(u16::MAX as usize) as u16,
            col.min(u16::MAX as usize) as u16,
        ));
        *self = fresh;
    }

    /// Moves the cursor to 1-based `line`, `column` (characters).
    pub fn jump(&mut self, line: u64, column: u64) {
        let row = line.saturating_sub(1).min(u16::MAX as u64) as u16;
        let col = column.saturating_sub(1).min(u16::MAX as u64) as u16;
        self.area.move_cursor(CursorMove::Jump(row, col));
    }

    /// The whole text and the cursor's byte offset in it.
    pub fn text_and_offset(&self) -> (String, usize) {
        let (row, col) = self.area.cursor();
        let lines = self.area.lines();
        let before: usize = lines[..row.min(lines.len())]
            .iter()
            .map(|l| l.len() + 1)
            .sum();
        let in_line = lines
            .get(row)
            .map_or(0, |l| l.char_indices().nth(col).map_or(l.len(), |(i, _)| i));
        (lines.join("\n"), before + in_line)
    }

    /// Replaces the word under the cursor — the `before` characters before it and the
    /// rest of the string after it, up to the closing quote — with `with`.
    pub fn replace_word(&mut self, before: usize, with: &str) -> bool {
        let (row, col) = self.area.cursor();
        let back = before.min(col);
        let after = self.area.lines().get(row).map_or(0, |line| {
            line.chars().skip(col).take_while(|&c| c != '"').count()
        });
        self.area
            .move_cursor(CursorMove::Jump(row as u16, (col - back) as u16));
        self.area.delete_str(back + after);
        self.area.insert_str(with);
        self.changed(true)
    }

    /// The quoted string the cursor is in (on its line), without the quotes.
    pub fn string_at_cursor(&self) -> Option<String> {
        let (row, col) = self.area.cursor();
        let line: Vec<char> = self.area.lines().get(row)?.chars().collect();
        let quotes: Vec<usize> = line
            .iter()
            .enumerate()
            .filter(|&(i, c)| *c == '"' && (i == 0 || line[i - 1] != '\\'))
            .map(|(i, _)| i)
            .collect();
        quotes
            .chunks(2)
            .find(|pair| pair.len() == 2 && pair[0] < col && col <= pair[1])
            .map(|pair| line[pair[0] + 1..pair[1]].iter().collect())
    }

    /// The cursor as 1-based line and column.
    pub fn cursor(&self) -> (u64, u64) {
        let (r, c) = self.area.cursor();
        (r as u64 + 1, c as u64 + 1)
    }

    /// Scrolls the view by `rows` (the cursor follows when it would leave the view).
    pub fn scroll(&mut self, rows: i16) {
        self.area.scroll((rows, 0));
        // The text area moves its own view the same way (saturating at row 0).
        let top = self.top.get();
        self.top.set(if rows >= 0 {
            top.saturating_add(rows as u16)
        } else {
            top.saturating_sub(rows.unsigned_abs())
        });
    }

    /// Shows the cursor (when the editor has focus) or hides it.
    pub fn set_focused(&mut self, focused: bool) {
        self.area.set_cursor_style(if focused {
            Style::default().add_modifier(Modifier::REVERSED)
        } else {
            Style::default()
        });
    }

    /// Columns the editor needs to show every line whole: the gutter, the longest line
    /// and a column for the cursor after it (the block's borders not included).
    pub fn wanted_width(&self) -> u16 {
        let lines = self.area.lines();
        let last = self.first_line + lines.len().max(1) as u64 - 1;
        let longest = self.longest.get().unwrap_or_else(|| {
            let w = lines
                .iter()
                .map(|l| ratatui::text::Span::raw(l.as_str()).width())
                .max()
                .unwrap_or(0);
            self.longest.set(Some(w));
            w
        });
        (digits(last) + 2 + longest + 1).min(usize::from(u16::MAX)) as u16
    }

    /// Renders the editor inside `block`: the gutter (file line numbers and marks),
    /// then the text, with the deciding statements' lines highlighted.
    pub fn render(&self, block: Block<'_>, marks: &Marks, area: Rect, buf: &mut Buffer) {
        let inner = block.inner(area);
        block.render(area, buf);
        let lines = self.area.lines().len();
        let last = self.first_line + lines.max(1) as u64 - 1;
        // Digits of the highest line number, a mark column before them and a space after.
        let gutter = (digits(last) + 2).min(inner.width.saturating_sub(1) as usize) as u16;
        let text = Rect {
            x: inner.x + gutter,
            width: inner.width - gutter,
            ..inner
        };
        // The rule tui-textarea applies when it renders (`next_scroll_top`): the view
        // moves just enough to show the cursor.
        // Same arithmetic as the widget, u16 casts included, so both agree on every row.
        let cursor = self.area.cursor().0 as u16;
        let prev = self.top.get();
        let top = if cursor < prev {
            cursor
        } else if prev.saturating_add(text.height) <= cursor {
            (cursor + 1).saturating_sub(text.height)
        } else {
            prev
        };
        self.top.set(top);
        (&self.area).render(text, buf);
        for y in 0..inner.height {
            let row = top as usize + y as usize;
            if row >= lines {
                break;
            }
            let line = row as u64 + 1;
            draw_gutter(
                marks,
                line,
                self.first_line + row as u64,
                Rect {
                    y: inner.y + y,
                    height: 1,
                    width: gutter,
                    ..inner
                },
                buf,
            );
            if marks
                .highlights
                .iter()
                .any(|&(from, to)| line >= from && line <= to)
            {
                for x in text.x..text.x + text.width {
                    buf[(x, inner.y + y)].set_bg(Color::Rgb(40, 40, 70));
                }
            }
        }
    }
}

/// `text` as the text area's lines (one empty line for an empty text).
fn split_lines(text: &str) -> Vec<String> {
    let lines: Vec<String> = text.lines().map(str::to_string).collect();
    if lines.is_empty() {
        vec![String::new()]
    } else {
        lines
    }
}

/// The number of decimal digits of `n`.
fn digits(n: u64) -> usize {
    n.max(1).ilog10() as usize + 1
}

/// One row of the gutter: a mark (error ●, lint finding ▲), the file's line number,
/// a space. `line` is the text's 1-based line (what marks name); `shown` the file's.
fn draw_gutter(marks: &Marks, line: u64, shown: u64, area: Rect, buf: &mut Buffer) {
    if area.width == 0 {
        return;
    }
    let error = marks.errors.iter().any(|(l, _)| *l == line);
    let finding = marks.findings.iter().find(|(l, _)| *l == line);
    let number_style = if error {
        Style::default().fg(Color::Red)
    } else {
        Style::default().fg(Color::DarkGray)
    };
    let width = area.width as usize;
    let number = format!("{shown:>w$} ", w = width.saturating_sub(2));
    buf.set_stringn(area.x + 1, area.y, &number, width - 1, number_style);
    let cell = &mut buf[(area.x, area.y)];
    if error {
        cell.set_symbol("●");
        cell.set_fg(Color::Red);
    } else if let Some((_, severity)) = finding {
        cell.set_symbol("▲");
        cell.set_fg(crate::tui::ui::lint::severity_color(*severity));
    }
}
