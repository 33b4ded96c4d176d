//! The TUI without colour (`NO_COLOR`) and on 16-colour terminals: focus, selection and
//! decisions still show, by modifiers (read from each cell, not only the text) and
//! symbols. Snapshots hold the text and, below it, a map of the reversed and bold
//! cells. One test drives crossterm itself with colour turned off, reads its output
//! as a terminal would, and checks every cell's reverse and bold against the frame,
//! through several redraws.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use iamtrace::input::load_str;
use iamtrace::tui::app::{App, Focus, View};
use iamtrace::tui::ui::colours::{Colours, Screen};
use iamtrace::tui::update::handle_key;
use ratatui::backend::{CrosstermBackend, TestBackend};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier};
use ratatui::{Terminal, TerminalOptions, Viewport};
use std::cell::RefCell;
use std::rc::Rc;

const CLIENT_VPN: &str = "assets/scenarios/client-vpn-source-ip.json";
const DEFAULT_DENY: &str = "tests/cases/decisions/default-deny.json";

fn app_from(path: &str) -> App {
    let text = std::fs::read_to_string(path).unwrap();
    iamtrace::catalog::services::catalog();
    let mut app = App::new(load_str(&text).unwrap(), None);
    // The screen once the background search of fixes has answered.
    app.fixes_now();
    app
}

fn press(app: &mut App, code: KeyCode) {
    if handle_key(app, KeyEvent::new(code, KeyModifiers::NONE)) {
        app.evaluate_now();
    }
    app.fixes_now();
}

fn press_ctrl(app: &mut App, c: char) {
    if handle_key(app, KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL)) {
        app.evaluate_now();
    }
    app.fixes_now();
}

/// The frame as drawn for a terminal with `colours`.
fn draw(app: &App, colours: Colours) -> Buffer {
    let mut t = Terminal::new(TestBackend::new(120, 35)).unwrap();
    t.draw(|f| f.render_widget(Screen { app, colours }, f.area()))
        .unwrap();
    t.backend().buffer().clone()
}

fn text(buf: &Buffer) -> String {
    let a = buf.area;
    (a.y..a.bottom())
        .map(|y| (a.x..a.right()).map(|x| buf[(x, y)].symbol()).collect())
        .collect::<Vec<String>>()
        .join("\n")
}

/// Each cell as `#` (reversed and bold), `R` (reversed), `B` (bold), `U` (underlined)
/// or `.`.
fn modifier_map(buf: &Buffer) -> String {
    let a = buf.area;
    (a.y..a.bottom())
        .map(|y| {
            (a.x..a.right())
                .map(|x| {
                    let m = buf[(x, y)].modifier;
                    match (
                        m.contains(Modifier::REVERSED),
                        m.contains(Modifier::BOLD),
                        m.contains(Modifier::UNDERLINED),
                    ) {
                        (true, true, _) => '#',
                        (true, false, _) => 'R',
                        (false, true, _) => 'B',
                        (false, false, true) => 'U',
                        _ => '.',
                    }
                })
                .collect()
        })
        .collect::<Vec<String>>()
        .join("\n")
}

fn snapshot(buf: &Buffer) -> String {
    format!(
        "{}\n--- # reversed and bold, R reversed, B bold, U underlined ---\n{}",
        text(buf),
        modifier_map(buf)
    )
}

/// Where `needle` starts inside `area` (rows top to bottom).
fn find(buf: &Buffer, area: Rect, needle: &str) -> Option<(u16, u16)> {
    let chars: Vec<String> = needle.chars().map(String::from).collect();
    let n = chars.len() as u16;
    for y in area.y..area.bottom() {
        for x in area.x..area.right().saturating_sub(n - 1) {
            if (0..n).all(|i| buf[(x + i, y)].symbol() == chars[i as usize]) {
                return Some((x, y));
            }
        }
    }
    None
}

/// Whether every cell of `needle` (found in `area`) has `modifier`.
fn all_have(buf: &Buffer, area: Rect, needle: &str, modifier: Modifier) -> bool {
    let (x, y) =
        find(buf, area, needle).unwrap_or_else(|| panic!("{needle:?} not shown:\n{}", text(buf)));
    (0..needle.chars().count() as u16).all(|i| buf[(x + i, y)].modifier.contains(modifier))
}

fn none_have(buf: &Buffer, area: Rect, needle: &str, modifier: Modifier) -> bool {
    let (x, y) =
        find(buf, area, needle).unwrap_or_else(|| panic!("{needle:?} not shown:\n{}", text(buf)));
    (0..needle.chars().count() as u16).all(|i| !buf[(x + i, y)].modifier.contains(modifier))
}

fn no_colour_anywhere(buf: &Buffer) {
    for (i, cell) in buf.content.iter().enumerate() {
        assert!(
            cell.fg == Color::Reset && cell.bg == Color::Reset,
            "cell {i} keeps a colour: {cell:?}"
        );
    }
}

/// The title rows of the three panes (the policy pane's box starts below its list).
fn titles(buf: &Buffer, app: &App) -> [Rect; 3] {
    let a = app.areas(buf.area);
    let row = |r: Rect, dy: u16| Rect {
        y: r.y + dy,
        height: 1,
        ..r
    };
    [
        row(a.policies.unwrap(), 1),
        row(a.request.unwrap(), 0),
        row(a.trace.unwrap(), 0),
    ]
}

const REVERSED: Modifier = Modifier::REVERSED;

#[test]
fn no_color_start_screen_shows_request_policy_and_focus_120x35() {
    let app = app_from(CLIENT_VPN);
    let buf = draw(&app, Colours::None);
    no_colour_anywhere(&buf);
    let a = app.areas(buf.area);
    // The request shown, reversed and bold in the strip; the others not.
    assert!(all_have(
        &buf,
        a.strip,
        "1 ✔ alice",
        REVERSED | Modifier::BOLD
    ));
    assert!(none_have(&buf, a.strip, "2 ✘", REVERSED));
    // The policy being edited, reversed in the list.
    let list = Rect {
        height: 1,
        ..a.policies.unwrap()
    };
    assert!(all_have(&buf, list, " 1 AdministratorAccess ", REVERSED));
    assert!(none_have(&buf, list, " 2 ", REVERSED));
    // The focused pane's title reversed and bold, the others plain.
    let [policies, request, trace] = titles(&buf, &app);
    assert!(all_have(
        &buf,
        policies,
        "Policy 1/3",
        REVERSED | Modifier::BOLD
    ));
    assert!(none_have(&buf, request, "Request 1/9", REVERSED));
    assert!(none_have(&buf, trace, "Trace", REVERSED));
    // The decision badge: the word, reversed.
    assert!(all_have(&buf, a.trace.unwrap(), " ALLOW ", REVERSED));
    insta::assert_snapshot!(snapshot(&buf));
}

#[test]
fn no_color_focus_follows_tab_and_the_trace_row_is_selected_120x35() {
    let mut app = app_from(CLIENT_VPN);
    press(&mut app, KeyCode::Tab);
    assert_eq!(app.focus, Focus::Request);
    let buf = draw(&app, Colours::None);
    let [policies, request, trace] = titles(&buf, &app);
    assert!(none_have(&buf, policies, "Policy 1/3", REVERSED));
    assert!(all_have(
        &buf,
        request,
        "Request 1/9",
        REVERSED | Modifier::BOLD
    ));
    assert!(none_have(&buf, trace, "Trace", REVERSED));

    press(&mut app, KeyCode::Tab);
    assert_eq!(app.focus, Focus::Trace);
    press(&mut app, KeyCode::Down);
    let buf = draw(&app, Colours::None);
    no_colour_anywhere(&buf);
    let [policies, request, trace] = titles(&buf, &app);
    // (The editor shows the policy of the row moved onto.)
    let shown = format!("Policy {}/3", app.policies.current + 1);
    assert!(none_have(&buf, policies, &shown, REVERSED));
    assert!(none_have(&buf, request, "Request 1/9", REVERSED));
    assert!(all_have(&buf, trace, "Trace", REVERSED | Modifier::BOLD));
    // Exactly one tree row is selected (reversed), below the badge line.
    let area = app.areas(buf.area).trace.unwrap();
    let reversed_rows: Vec<u16> = (area.y + 3..area.bottom() - 1)
        .filter(|&y| {
            (area.x + 1..area.right() - 1).any(|x| buf[(x, y)].modifier.contains(REVERSED))
        })
        .collect();
    assert_eq!(reversed_rows.len(), 1, "{}", snapshot(&buf));
    insta::assert_snapshot!(snapshot(&buf));
}

#[test]
fn no_color_decisions_read_as_words_and_symbols() {
    // Request 2 of the default-deny case is an implicit deny, request 1 an allow.
    let mut app = app_from(DEFAULT_DENY);
    press_ctrl(&mut app, 'n');
    let buf = draw(&app, Colours::None);
    let a = app.areas(buf.area);
    assert!(all_have(
        &buf,
        a.trace.unwrap(),
        " IMPLICIT DENY ",
        REVERSED
    ));
    assert!(find(&buf, a.strip, "1 ✔").is_some(), "{}", text(&buf));
    assert!(all_have(&buf, a.strip, "2 ○", REVERSED | Modifier::BOLD));

    let mut app = app_from(CLIENT_VPN);
    press_ctrl(&mut app, 'n');
    let buf = draw(&app, Colours::None);
    let a = app.areas(buf.area);
    assert!(all_have(
        &buf,
        a.trace.unwrap(),
        " EXPLICIT DENY ",
        REVERSED
    ));
    assert!(all_have(&buf, a.strip, "2 ✘", REVERSED | Modifier::BOLD));
}

#[test]
fn no_color_grid_cell_and_lint_row_are_selected_120x35() {
    let mut app = app_from(CLIENT_VPN);
    press(&mut app, KeyCode::F(9));
    assert_eq!(app.view, View::Grid);
    press(&mut app, KeyCode::Tab);
    press(&mut app, KeyCode::Tab);
    // One axis (the Deny's aws:SourceIp, the only key a statement that applies
    // tests): the second row.
    press(&mut app, KeyCode::Down);
    assert_eq!(app.grid.cursor, (1, 0));
    let buf = draw(&app, Colours::None);
    no_colour_anywhere(&buf);
    let area = app.areas(buf.area).trace.unwrap();
    let selected: Vec<(u16, u16)> = (area.y + 1..area.bottom() - 1)
        .flat_map(|y| (area.x + 1..area.right() - 1).map(move |x| (x, y)))
        .filter(|&(x, y)| buf[(x, y)].modifier.contains(REVERSED | Modifier::BOLD))
        .collect();
    // One cell's text, on one row, reading its decision.
    assert!(!selected.is_empty(), "{}", snapshot(&buf));
    assert!(selected.iter().all(|&(_, y)| y == selected[0].1));
    let word: String = selected
        .iter()
        .map(|&(x, y)| buf[(x, y)].symbol())
        .collect();
    assert!(
        ["Allow", "Expli", "Impli"]
            .iter()
            .any(|w| word.starts_with(w)),
        "selected cell reads {word:?}"
    );
    insta::assert_snapshot!("no_color_grid_120x35", snapshot(&buf));

    // Two more F9: the lint view; its first row selected.
    press(&mut app, KeyCode::F(9));
    press(&mut app, KeyCode::F(9));
    assert_eq!(app.view, View::Lint);
    press(&mut app, KeyCode::Down);
    let buf = draw(&app, Colours::None);
    let area = app.areas(buf.area).trace.unwrap();
    let reversed_rows: Vec<u16> = (area.y + 1..area.bottom() - 1)
        .filter(|&y| {
            (area.x + 1..area.right() - 1).any(|x| buf[(x, y)].modifier.contains(REVERSED))
        })
        .collect();
    assert_eq!(reversed_rows, [area.y + 2], "{}", snapshot(&buf));
    insta::assert_snapshot!("no_color_lint_120x35", snapshot(&buf));
}

#[test]
fn no_color_completion_selection_and_policy_errors_show() {
    let mut app = app_from(CLIENT_VPN);
    app.policies.editors[0].jump(6, 26);
    press(&mut app, KeyCode::Delete);
    for c in "s3:PutObj".chars() {
        press(&mut app, KeyCode::Char(c));
    }
    press_ctrl(&mut app, ' ');
    let items = app.policies.completion.as_ref().unwrap().items.len();
    assert!(items > 1);
    press(&mut app, KeyCode::Down);
    let buf = draw(&app, Colours::None);
    no_colour_anywhere(&buf);
    // The second match is reversed, the first not.
    let c = app.policies.completion.as_ref().unwrap();
    assert_eq!(c.selected, 1);
    let area = buf.area;
    assert!(all_have(&buf, area, &c.items[1].text, REVERSED));
    assert!(none_have(
        &buf,
        area,
        &format!("{}  ", c.items[0].text),
        REVERSED
    ));

    // A policy that does not parse is marked in the list, not only in red.
    let mut app = app_from(CLIENT_VPN);
    app.policies.editors[0].jump(1, 1);
    press(&mut app, KeyCode::Char('x'));
    assert!(app.stale);
    let buf = draw(&app, Colours::None);
    let list = Rect {
        height: 1,
        ..app.areas(buf.area).policies.unwrap()
    };
    assert!(
        find(&buf, list, " 1 ✘ AdministratorAccess ").is_some(),
        "{}",
        text(&buf)
    );
    assert!(find(&buf, list, " 2 ").is_some());
}

#[test]
fn the_deciding_statement_stays_marked_without_colour_and_on_16_colours() {
    let mut app = app_from(CLIENT_VPN);
    press_ctrl(&mut app, 'n');
    press(&mut app, KeyCode::F(2));
    assert_eq!(app.policies.current, 1);
    let p = app.areas(Rect::new(0, 0, 120, 35)).policies.unwrap();
    let inside = |buf: &Buffer, needle: &str| {
        let (_, y) = find(buf, p, needle).unwrap();
        (p.x + 6..p.right() - 1).any(|x| buf[(x, y)].modifier.contains(REVERSED))
    };
    let buf = draw(&app, Colours::None);
    assert!(
        inside(&buf, "\"Sid\": \"DenyOutsideOffice\""),
        "{}",
        snapshot(&buf)
    );
    assert!(!inside(&buf, "\"Version\""));
    // 16 colours: no RGB left, the highlight a named background.
    let buf = draw(&app, Colours::Basic);
    assert!(
        buf.content
            .iter()
            .all(|c| !matches!(c.fg, Color::Rgb(..) | Color::Indexed(_))
                && !matches!(c.bg, Color::Rgb(..) | Color::Indexed(_)))
    );
    let (_, y) = find(&buf, p, "\"Sid\": \"DenyOutsideOffice\"").unwrap();
    assert!((p.x + 6..p.right() - 1).any(|x| buf[(x, y)].bg == Color::DarkGray));
    // 256 colours: a palette entry.
    let buf = draw(&app, Colours::Indexed);
    assert!(buf.content.iter().all(|c| !matches!(c.bg, Color::Rgb(..))));
}

/// The screen a terminal shows after reading `bytes`: each cell's character, reverse
/// and bold. Reads cursor moves (`CSI row;col H`) and SGR (`CSI … m`); skips colours
/// and every other sequence.
struct Vt {
    width: u16,
    cells: Vec<(char, bool, bool)>,
    at: (u16, u16),
    reverse: bool,
    bold: bool,
}

impl Vt {
    fn new(width: u16, height: u16) -> Vt {
        Vt {
            width,
            cells: vec![(' ', false, false); width as usize * height as usize],
            at: (0, 0),
            reverse: false,
            bold: false,
        }
    }

    fn sgr(&mut self, params: &str) {
        let mut it = params.split(';');
        while let Some(p) = it.next() {
            match p {
                "" | "0" => {
                    self.reverse = false;
                    self.bold = false;
                }
                "1" => self.bold = true,
                "22" => self.bold = false,
                "7" => self.reverse = true,
                "27" => self.reverse = false,
                "38" | "48" | "58" => match it.next() {
                    Some("5") => {
                        it.next();
                    }
                    Some("2") => {
                        it.nth(2);
                    }
                    _ => {}
                },
                _ => {}
            }
        }
    }

    fn feed(&mut self, bytes: &[u8]) {
        let s = std::str::from_utf8(bytes).unwrap();
        let mut chars = s.chars().peekable();
        while let Some(c) = chars.next() {
            if c == '\u{1b}' {
                if chars.peek() != Some(&'[') {
                    chars.next();
                    continue;
                }
                chars.next();
                let mut params = String::new();
                let end = loop {
                    match chars.next() {
                        Some(ch) if ('\u{40}'..='\u{7e}').contains(&ch) => break ch,
                        Some(ch) => params.push(ch),
                        None => return,
                    }
                };
                match end {
                    'H' => {
                        let mut p = params.split(';').map(|v| v.parse::<u16>().unwrap_or(1));
                        let row = p.next().unwrap_or(1);
                        let col = p.next().unwrap_or(1);
                        self.at = (col - 1, row - 1);
                    }
                    'm' => self.sgr(&params),
                    _ => {}
                }
            } else {
                let i = self.at.1 as usize * self.width as usize + self.at.0 as usize;
                if let Some(cell) = self.cells.get_mut(i) {
                    *cell = (c, self.reverse, self.bold);
                }
                self.at.0 += 1;
            }
        }
    }

    /// Every cell whose reverse or bold differs from the frame's.
    fn differences(&self, frame: &Buffer) -> Vec<String> {
        let mut out = Vec::new();
        for (i, cell) in frame.content.iter().enumerate() {
            let want = (
                cell.modifier.contains(Modifier::REVERSED),
                cell.modifier.contains(Modifier::BOLD),
            );
            let (c, rev, bold) = self.cells[i];
            if (rev, bold) != want {
                out.push(format!(
                    "({}, {}) {c:?}: reverse {rev} bold {bold}, drawn {want:?}",
                    i % self.width as usize,
                    i / self.width as usize
                ));
            }
        }
        out
    }
}

/// A writer whose bytes the test reads after each frame.
struct Shared(Rc<RefCell<Vec<u8>>>);

impl std::io::Write for Shared {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        self.0.borrow_mut().extend_from_slice(b);
        Ok(b.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// What crossterm writes, read back: with colour off (crossterm's `NO_COLOR`) and then
/// on a 16-colour terminal, through a series of redraws that move focus and selection,
/// every cell's reverse and bold on the terminal is the frame's: none lost, none stray.
#[test]
fn the_terminal_shows_the_frames_modifiers_through_redraws() {
    for (colours, crossterm_colour) in [(Colours::None, false), (Colours::Basic, true)] {
        crossterm::style::force_color_output(crossterm_colour);
        let mut app = app_from(CLIENT_VPN);
        let area = Rect::new(0, 0, 120, 35);
        let written = Rc::new(RefCell::new(Vec::new()));
        let mut t = Terminal::with_options(
            CrosstermBackend::new(Shared(written.clone())),
            TerminalOptions {
                viewport: Viewport::Fixed(area),
            },
        )
        .unwrap();
        let mut vt = Vt::new(area.width, area.height);
        let steps: [&dyn Fn(&mut App); 7] = [
            &|_| {},
            &|a| press(a, KeyCode::Tab),
            &|a| press(a, KeyCode::Tab),
            &|a| press(a, KeyCode::Down),
            &|a| press_ctrl(a, 'n'),
            &|a| press(a, KeyCode::F(9)),
            &|a| press(a, KeyCode::Right),
        ];
        for (n, step) in steps.iter().enumerate() {
            step(&mut app);
            let frame = t
                .draw(|f| f.render_widget(Screen { app: &app, colours }, f.area()))
                .unwrap()
                .buffer
                .clone();
            vt.feed(&std::mem::take(&mut *written.borrow_mut()));
            let wrong = vt.differences(&frame);
            assert!(
                wrong.is_empty(),
                "{colours:?}, frame {n}: {} cells differ, first {:?}",
                wrong.len(),
                &wrong[..wrong.len().min(5)]
            );
        }
    }
    crossterm::style::force_color_output(true);
}
