//! The policy editor: everything that touches tui-textarea lives here. tui-textarea 0.7
//! keeps its scroll position private and has no gutter marks, so after it renders we
//! read the line numbers back from its gutter cells to learn which text line each
//! screen row shows, then restyle those rows for error marks and highlights.

use crossterm::event::KeyEvent;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::widgets::{Block, Widget};
use tui_textarea::{CursorMove, TextArea};

/// One policy's text being edited, with its undo history.
pub struct PolicyEditor {
    area: TextArea<'static>,
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
    /// An editor holding `text`.
    pub fn new(text: &str) -> Self {
        let lines: Vec<String> = text.lines().map(str::to_string).collect();
        let mut area = TextArea::new(if lines.is_empty() {
            vec![String::new()]
        } else {
            lines
        });
        area.set_line_number_style(Style::default().fg(Color::DarkGray));
        area.set_cursor_line_style(Style::default());
        area.set_tab_length(2);
        area.set_max_histories(500);
        PolicyEditor { area }
    }

    /// The whole text.
    pub fn text(&self) -> String {
        self.area.lines().join("\n")
    }

    /// Hands a key to the text area. True when the text changed.
    pub fn input(&mut self, key: KeyEvent) -> bool {
        self.area.input(key)
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
        self.area.paste()
    }

    /// Inserts pasted text at the cursor. True when anything was inserted.
    pub fn paste(&mut self, text: &str) -> bool {
        let text = text.replace("\r\n", "\n").replace('\r', "\n");
        self.area.insert_str(text)
    }

    /// Undoes the last edit. True when the text changed.
    pub fn undo(&mut self) -> bool {
        self.area.undo()
    }

    /// Redoes the last undone edit. True when the text changed.
    pub fn redo(&mut self) -> bool {
        self.area.redo()
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
        true
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
    }

    /// Shows the cursor (when the editor has focus) or hides it.
    pub fn set_focused(&mut self, focused: bool) {
        self.area.set_cursor_style(if focused {
            Style::default().add_modifier(Modifier::REVERSED)
        } else {
            Style::default()
        });
    }

    /// Renders the editor inside `block` with the error marks and highlights.
    pub fn render(&self, block: Block<'_>, marks: &Marks, area: Rect, buf: &mut Buffer) {
        let inner = block.inner(area);
        block.render(area, buf);
        (&self.area).render(inner, buf);
        restyle(marks, inner, buf);
    }
}

/// The 1-based text line a screen row shows, read from the gutter (`None` when the row
/// shows no line, or the gutter is scrolled out of view).
fn gutter_line(buf: &Buffer, area: Rect, y: u16) -> Option<(u64, u16)> {
    let mut digits = String::new();
    let mut x = area.x;
    while x < area.x + area.width {
        let sym = buf[(x, y)].symbol();
        if let Some(c) = sym.chars().next().filter(|c| c.is_ascii_digit()) {
            digits.push(c);
        } else if !digits.is_empty() {
            break;
        } else if sym != " " {
            return None;
        }
        x += 1;
    }
    digits.parse().ok().map(|n| (n, x))
}

fn restyle(marks: &Marks, area: Rect, buf: &mut Buffer) {
    for y in area.y..area.y + area.height {
        let Some((line, gutter_end)) = gutter_line(buf, area, y) else {
            continue;
        };
        if marks
            .highlights
            .iter()
            .any(|&(from, to)| line >= from && line <= to)
        {
            for x in gutter_end..area.x + area.width {
                let cell = &mut buf[(x, y)];
                cell.set_bg(Color::Rgb(40, 40, 70));
            }
        }
        if let Some((_, severity)) = marks.findings.iter().find(|(l, _)| *l == line) {
            let cell = &mut buf[(area.x, y)];
            cell.set_symbol("▲");
            cell.set_fg(crate::tui::ui::lint::severity_color(*severity));
        }
        if marks.errors.iter().any(|(l, _)| *l == line) {
            // The gutter's first cell becomes a red marker.
            let cell = &mut buf[(area.x, y)];
            cell.set_symbol("●");
            cell.set_fg(Color::Red);
            for x in area.x + 1..gutter_end {
                buf[(x, y)].set_fg(Color::Red);
            }
        }
    }
}
