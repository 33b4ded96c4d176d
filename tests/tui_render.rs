//! What the TUI draws, as text snapshots of a `TestBackend` (insta; `INSTA_UPDATE=always`
//! writes new ones to tests/snapshots/) and as colours read from single cells: the
//! decision badge is green, red or yellow, the stale marker grey, errors red.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use iamtrace::input::load_str;
use iamtrace::trace::Decision;
use iamtrace::tui::app::{App, Focus, Mode};
use iamtrace::tui::update::handle_key;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier};

const CLIENT_VPN: &str = "assets/scenarios/client-vpn-source-ip.json";
const DEFAULT_DENY: &str = "tests/cases/decisions/default-deny.json";

fn app_from(path: &str) -> App {
    let text = std::fs::read_to_string(path).unwrap();
    new_app(load_str(&text).unwrap())
}

/// An app with the service catalog loaded first (the TUI loads it in the background;
/// a snapshot must not depend on whether another test has loaded it already), and the
/// fixes of the request shown found (the event loop searches them on a thread of its
/// own: the screen a user sees once it has answered).
fn new_app(scenario: iamtrace::scenario::Scenario) -> App {
    iamtrace::catalog::services::catalog();
    let mut app = App::new(scenario, None);
    app.fixes_now();
    app
}

fn client_vpn() -> App {
    app_from(CLIENT_VPN)
}

fn press(app: &mut App, code: KeyCode, modifiers: KeyModifiers) {
    if handle_key(app, KeyEvent::new(code, modifiers)) {
        app.evaluate_now();
    }
    app.fixes_now();
}

fn render(app: &App, w: u16, h: u16) -> Terminal<TestBackend> {
    let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
    t.draw(|f| f.render_widget(app, f.area())).unwrap();
    t
}

/// The screen's text, one line per row.
fn screen(t: &Terminal<TestBackend>) -> String {
    let buf = t.backend().buffer();
    let a = buf.area;
    (a.y..a.y + a.height)
        .map(|y| {
            (a.x..a.x + a.width)
                .map(|x| buf[(x, y)].symbol())
                .collect::<String>()
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Where `needle` (ASCII) starts inside `area`, scanning rows top to bottom.
fn find(buf: &Buffer, area: Rect, needle: &str) -> Option<(u16, u16)> {
    let n = needle.len() as u16;
    for y in area.y..area.y + area.height {
        for x in area.x..(area.x + area.width).saturating_sub(n - 1) {
            if needle
                .chars()
                .enumerate()
                .all(|(i, c)| buf[(x + i as u16, y)].symbol() == c.to_string())
            {
                return Some((x, y));
            }
        }
    }
    None
}

/// Asserts the decision badge in the trace pane reads `text` on a `bg` background.
fn assert_badge(t: &Terminal<TestBackend>, app: &App, text: &str, bg: Color) {
    let buf = t.backend().buffer();
    let trace = app.areas(buf.area).trace.expect("the trace pane is shown");
    let (x, y) = find(buf, trace, text)
        .unwrap_or_else(|| panic!("{text:?} not in the trace pane:\n{}", screen(t)));
    // Just below the top border, right after the left one.
    assert_eq!((x, y), (trace.x + 1, trace.y + 1));
    for i in 0..text.len() as u16 {
        let cell = &buf[(x + i, y)];
        assert_eq!(cell.bg, bg, "background of {text:?} at column {i}");
        assert_eq!(
            cell.fg,
            Color::Black,
            "foreground of {text:?} at column {i}"
        );
        assert!(cell.modifier.contains(Modifier::BOLD));
        assert_eq!(cell.style().bg, Some(bg));
    }
    // The cell after the badge is not part of it.
    assert_ne!(buf[(x + text.len() as u16, y)].bg, bg);
}

fn focus_trace(app: &mut App) {
    press(app, KeyCode::Tab, KeyModifiers::NONE);
    press(app, KeyCode::Tab, KeyModifiers::NONE);
    assert_eq!(app.focus, Focus::Trace);
}

// ---------------------------------------------------------------------------------------
// Snapshots

#[test]
fn initial_client_vpn_120x35() {
    let app = client_vpn();
    let t = render(&app, 120, 35);
    let s = screen(&t);
    assert!(s.contains("Policy 1/3: AdministratorAccess"));
    assert!(s.contains("Request 1/9 (expected Allow: ✔ holds): alice creates the en"));
    assert!(
        s.contains("1 ✔ alice creates the endpoint (office)"),
        "the strip names it"
    );
    assert!(
        s.contains("✔ 9 expected hold"),
        "the strip counts the expectations"
    );
    assert!(s.contains(" ALLOW "));
    insta::assert_snapshot!(t.backend());
}

#[test]
fn invalid_json_is_marked_stale_with_its_error_120x35() {
    let mut app = client_vpn();
    press(&mut app, KeyCode::Char('}'), KeyModifiers::NONE);
    assert!(app.stale);
    let t = render(&app, 120, 35);
    let s = screen(&t);
    assert!(s.contains(" STALE "), "{s}");
    assert!(s.contains("the policy text has errors"), "{s}");
    // At the file's line and column (the policy starts at line 8 of the file).
    assert!(s.contains("✘ 8:1 "), "the error line: {s}");
    // The kept decision is still shown.
    assert_badge(&t, &app, " ALLOW ", Color::Green);
    insta::assert_snapshot!(t.backend());
}

#[test]
fn decision_allow_request_1_120x35() {
    let mut app = client_vpn();
    focus_trace(&mut app);
    assert_eq!(app.current_result().unwrap().decision, Decision::Allow);
    let t = render(&app, 120, 35);
    assert_badge(&t, &app, " ALLOW ", Color::Green);
    insta::assert_snapshot!(t.backend());
}

#[test]
fn decision_explicit_deny_request_2_120x35() {
    let mut app = client_vpn();
    press(&mut app, KeyCode::Char('n'), KeyModifiers::CONTROL);
    focus_trace(&mut app);
    assert_eq!(
        app.current_result().unwrap().decision,
        Decision::ExplicitDeny
    );
    let t = render(&app, 120, 35);
    assert_badge(&t, &app, " EXPLICIT DENY ", Color::Red);
    insta::assert_snapshot!(t.backend());
}

#[test]
fn decision_implicit_deny_default_deny_request_2_120x35() {
    let mut app = app_from(DEFAULT_DENY);
    press(&mut app, KeyCode::Char('n'), KeyModifiers::CONTROL);
    focus_trace(&mut app);
    assert_eq!(
        app.current_result().unwrap().decision,
        Decision::ImplicitDeny
    );
    let t = render(&app, 120, 35);
    assert_badge(&t, &app, " IMPLICIT DENY ", Color::Yellow);
    insta::assert_snapshot!(t.backend());
}

#[test]
fn help_open_120x35() {
    let mut app = client_vpn();
    press(&mut app, KeyCode::F(1), KeyModifiers::NONE);
    assert_eq!(app.mode, Mode::Help);
    let t = render(&app, 120, 35);
    let s = screen(&t);
    assert!(s.contains("Help — F1 or Esc closes"), "{s}");
    for label in [
        "Everywhere",
        "Ctrl+S",
        "Ctrl+Q",
        "Trace",
        "only what decided",
    ] {
        assert!(s.contains(label), "{label} in help:\n{s}");
    }
    insta::assert_snapshot!(t.backend());
}

#[test]
fn compact_80x24_policies() {
    let app = client_vpn();
    let t = render(&app, 80, 24);
    let s = screen(&t);
    assert!(s.contains("[policies]"), "{s}");
    assert!(!s.contains("Trace"), "one pane at a time: {s}");
    insta::assert_snapshot!(t.backend());
}

#[test]
fn compact_80x24_trace() {
    let mut app = client_vpn();
    press(&mut app, KeyCode::Char('n'), KeyModifiers::CONTROL);
    focus_trace(&mut app);
    let t = render(&app, 80, 24);
    assert!(screen(&t).contains("[trace]"));
    assert_badge(&t, &app, " EXPLICIT DENY ", Color::Red);
    insta::assert_snapshot!(t.backend());
}

#[test]
fn too_small_40x10() {
    let app = client_vpn();
    let t = render(&app, 40, 10);
    let s = screen(&t);
    assert!(s.contains("too small"), "{s}");
    assert!(s.contains("40×10"), "{s}");
    insta::assert_snapshot!(t.backend());
}

#[test]
fn confirm_quit_120x35() {
    let mut app = client_vpn();
    press(&mut app, KeyCode::Char(' '), KeyModifiers::NONE);
    press(&mut app, KeyCode::Char('q'), KeyModifiers::CONTROL);
    assert_eq!(app.mode, Mode::ConfirmQuit);
    let t = render(&app, 120, 35);
    assert!(screen(&t).contains("Quit without saving?"));
    insta::assert_snapshot!(t.backend());
}

#[test]
fn save_as_prompt_120x35() {
    let mut app = client_vpn();
    press(&mut app, KeyCode::Char('s'), KeyModifiers::CONTROL);
    assert_eq!(app.mode, Mode::SaveAs("scenario.json".into()));
    let t = render(&app, 120, 35);
    assert!(screen(&t).contains("File: scenario.json"));
    insta::assert_snapshot!(t.backend());
}

#[test]
fn the_via_aws_service_fix_shown_on_the_deny_policy_120x35() {
    let mut app = client_vpn();
    press(&mut app, KeyCode::Char('n'), KeyModifiers::CONTROL);
    press(&mut app, KeyCode::F(2), KeyModifiers::NONE);
    let text = app.policies.editors[1].text();
    let line = text
        .lines()
        .position(|l| l.contains("\"NotIpAddress\""))
        .unwrap() as u64
        + 1;
    app.policies.editors[1].jump(line, 9);
    assert!(iamtrace::tui::update::handle_paste(
        &mut app,
        "\"Bool\": {\"aws:ViaAWSService\": \"false\"},\n        "
    ));
    app.evaluate_now();
    app.fixes_now();
    let t = render(&app, 120, 35);
    let s = screen(&t);
    assert!(
        s.contains("\"Bool\": {\"aws:ViaAWSService\": \"false\"},"),
        "{s}"
    );
    assert!(s.contains("● (not saved)"), "dirty marker: {s}");
    assert_badge(&t, &app, " ALLOW ", Color::Green);
    insta::assert_snapshot!(t.backend());
}

// ---------------------------------------------------------------------------------------
// Colours

#[test]
fn the_badge_colour_follows_every_request() {
    let mut app = client_vpn();
    let expected = [
        Decision::Allow,
        Decision::ExplicitDeny,
        Decision::ExplicitDeny,
        Decision::ExplicitDeny,
        Decision::Allow,
        Decision::Allow,
        Decision::Allow,
        Decision::ExplicitDeny,
        Decision::ExplicitDeny,
    ];
    for (i, d) in expected.into_iter().enumerate() {
        assert_eq!(app.request, i);
        let t = render(&app, 120, 35);
        match d {
            Decision::Allow => assert_badge(&t, &app, " ALLOW ", Color::Green),
            Decision::ExplicitDeny => assert_badge(&t, &app, " EXPLICIT DENY ", Color::Red),
            Decision::ImplicitDeny => unreachable!(),
        }
        press(&mut app, KeyCode::Char('n'), KeyModifiers::CONTROL);
    }
}

#[test]
fn the_stale_marker_is_grey_and_the_error_red() {
    let mut app = client_vpn();
    press(&mut app, KeyCode::Char('}'), KeyModifiers::NONE);
    let t = render(&app, 120, 35);
    let buf = t.backend().buffer();
    let a = app.areas(buf.area);
    let trace = a.trace.unwrap();
    let (x, y) = find(buf, trace, " STALE ").unwrap();
    for i in 0..7 {
        assert_eq!(buf[(x + i, y)].bg, Color::DarkGray);
        assert_eq!(buf[(x + i, y)].fg, Color::Black);
    }
    // The error line under the editor, and the gutter marker of the policy's first
    // line (the file's line 8), are red.
    let policies = a.policies.unwrap();
    let (ex, ey) = find(buf, policies, " 8:1 ").unwrap();
    assert_eq!(buf[(ex - 1, ey)].symbol(), "✘");
    assert_eq!(buf[(ex - 1, ey)].fg, Color::Red);
    assert_eq!(buf[(ex + 1, ey)].fg, Color::Red);
    // Editor: below the policy list (1 row) and the border (1 row), after the border.
    let (gx, gy) = (policies.x + 1, policies.y + 2);
    assert_eq!(buf[(gx, gy)].symbol(), "●", "{}", screen(&t));
    assert_eq!(buf[(gx, gy)].fg, Color::Red);
    // The policy with errors is marked ✘ and red in the list.
    let (lx, ly) = find(buf, policies, " AdministratorAccess ").unwrap();
    assert_eq!(ly, policies.y, "the list row");
    assert_eq!(buf[(lx - 1, ly)].symbol(), "✘");
    assert_eq!(buf[(lx + 1, ly)].fg, Color::Red);
}

#[test]
fn the_strip_colours_each_request_by_its_decision() {
    let app = app_from(DEFAULT_DENY);
    let t = render(&app, 120, 35);
    let buf = t.backend().buffer();
    let strip = app.areas(buf.area).strip;
    let decisions: Vec<Decision> = app.results.iter().map(|r| r.decision).collect();
    for (i, d) in decisions.iter().enumerate() {
        let label = format!("{} ", i + 1);
        let mark = match d {
            Decision::Allow => "✔",
            Decision::ExplicitDeny => "✘",
            Decision::ImplicitDeny => "○",
        };
        // "N ✔" / "N ✘": find the number followed by its mark.
        let mut found = false;
        for x in strip.x..strip.x + strip.width - 2 {
            let here: String = (0..3).map(|k| buf[(x + k, strip.y)].symbol()).collect();
            if here == format!("{label}{mark}") {
                let want = match d {
                    Decision::Allow => Color::Green,
                    Decision::ExplicitDeny => Color::Red,
                    Decision::ImplicitDeny => Color::Yellow,
                };
                assert_eq!(buf[(x + 2, strip.y)].fg, want, "request {}", i + 1);
                found = true;
                break;
            }
        }
        assert!(found, "request {} in the strip: {}", i + 1, screen(&t));
    }
    // The request shown is reversed.
    let (x, y) = find(buf, strip, "1 ").unwrap();
    assert!(buf[(x, y)].modifier.contains(Modifier::REVERSED));
}

#[test]
fn the_focused_pane_has_a_cyan_border() {
    let mut app = client_vpn();
    for focus in [Focus::Policies, Focus::Request, Focus::Trace] {
        assert_eq!(app.focus, focus);
        let t = render(&app, 120, 35);
        let buf = t.backend().buffer();
        let a = app.areas(buf.area);
        let border = |r: Option<Rect>| {
            let r = r.unwrap();
            // The policy pane's box starts below its list line.
            let y = if r == a.policies.unwrap() {
                r.y + 1
            } else {
                r.y
            };
            buf[(r.x, y)].fg
        };
        let colours = [border(a.policies), border(a.request), border(a.trace)];
        let want: Vec<Color> = [Focus::Policies, Focus::Request, Focus::Trace]
            .iter()
            .map(|f| {
                if *f == focus {
                    Color::Cyan
                } else {
                    Color::Gray
                }
            })
            .collect();
        assert_eq!(colours.to_vec(), want, "focus {focus:?}");
        press(&mut app, KeyCode::Tab, KeyModifiers::NONE);
    }
}

#[test]
fn the_deciding_statement_is_highlighted_in_the_editor() {
    let mut app = client_vpn();
    press(&mut app, KeyCode::Char('n'), KeyModifiers::CONTROL);
    press(&mut app, KeyCode::F(2), KeyModifiers::NONE);
    assert_eq!(app.policies.current, 1);
    let t = render(&app, 120, 35);
    let buf = t.backend().buffer();
    let p = app.areas(buf.area).policies.unwrap();
    let highlight = Color::Rgb(40, 40, 70);
    let (_, sid_y) = find(buf, p, "\"Sid\": \"DenyOutsideOffice\"").unwrap();
    let (_, version_y) = find(buf, p, "\"Version\"").unwrap();
    let row_has = |y: u16| (p.x + 6..p.x + p.width - 1).any(|x| buf[(x, y)].bg == highlight);
    assert!(row_has(sid_y), "the statement is highlighted");
    assert!(!row_has(version_y), "the rest of the document is not");
}

/// While the text does not parse, the deciding statement stays highlighted on its own
/// text: its span moves through the edits (lines added above it push it down).
#[test]
fn the_highlight_follows_edits_while_the_text_is_invalid() {
    let mut app = client_vpn();
    press(&mut app, KeyCode::Char('n'), KeyModifiers::CONTROL);
    press(&mut app, KeyCode::F(2), KeyModifiers::NONE);
    // At the start of the document's line: an invalid word and two new lines.
    for c in "xx".chars() {
        press(&mut app, KeyCode::Char(c), KeyModifiers::NONE);
    }
    press(&mut app, KeyCode::Enter, KeyModifiers::NONE);
    press(&mut app, KeyCode::Enter, KeyModifiers::NONE);
    assert!(app.stale, "the text does not parse");
    let t = render(&app, 120, 35);
    let buf = t.backend().buffer();
    let p = app.areas(buf.area).policies.unwrap();
    let highlight = Color::Rgb(40, 40, 70);
    let row_has = |y: u16| (p.x + 6..p.x + p.width - 1).any(|x| buf[(x, y)].bg == highlight);
    let (_, sid_y) = find(buf, p, "\"Sid\": \"DenyOutsideOffice\"").unwrap();
    let (_, version_y) = find(buf, p, "\"Version\"").unwrap();
    assert!(
        row_has(sid_y),
        "the statement is still highlighted:\n{}",
        screen(&t)
    );
    assert!(!row_has(version_y), "nothing else is:\n{}", screen(&t));
    // Undone (the same path): still on the statement.
    for _ in 0..3 {
        press(&mut app, KeyCode::Char('z'), KeyModifiers::CONTROL);
    }
    let t = render(&app, 120, 35);
    let buf = t.backend().buffer();
    let (_, sid_y) = find(buf, p, "\"Sid\": \"DenyOutsideOffice\"").unwrap();
    let row_has = |y: u16| (p.x + 6..p.x + p.width - 1).any(|x| buf[(x, y)].bg == highlight);
    assert!(row_has(sid_y), "after undo:\n{}", screen(&t));
}

/// At 120×35 the help shows every binding and the mouse hint at once (paired keys
/// share a line, bindings of several scopes are listed once); at 100×28 it does not
/// fit and shows them all when scrolled through with ↓, saying where the end is. Keys:
/// F1, then ↓ until the end.
#[test]
fn help_shows_every_binding_at_120x35() {
    help_shows_every_binding(120, 35);
}

#[test]
fn help_scrolls_through_every_binding_at_100x28() {
    help_shows_every_binding(100, 28);
}

fn help_shows_every_binding(w: u16, h: u16) {
    let mut app = client_vpn();
    press(&mut app, KeyCode::F(1), KeyModifiers::NONE);
    let mut s = screen(&render(&app, w, h));
    let mut seen = s.clone();
    let mut scrolled = 0;
    for _ in 0..60 {
        press(&mut app, KeyCode::Down, KeyModifiers::NONE);
        let now = screen(&render(&app, w, h));
        if now == s {
            break;
        }
        scrolled += 1;
        seen.push_str(&now);
        s = now;
    }
    if w == 120 {
        assert_eq!(scrolled, 0, "it fits:\n{s}");
    } else {
        assert!(scrolled > 0, "it scrolls:\n{s}");
        assert!(s.contains(": back"), "the end of the help says so:\n{s}");
    }
    let s = seen;
    let mut missing: Vec<String> = iamtrace::tui::keymap::BINDINGS
        .iter()
        .filter(|b| {
            !s.lines()
                .any(|l| l.contains(b.key_label) && l.contains(b.description))
        })
        .map(|b| format!("{} {}", b.key_label, b.description))
        .collect();
    if !s.contains("Mouse: click a pane") {
        missing.push("the mouse hint".into());
    }
    assert_eq!(app.mode, Mode::Help);
    assert!(missing.is_empty(), "not shown in help: {missing:?}\n{s}");
}

/// The principal picker of an account authorization details file.
#[test]
fn principal_picker_120x35() {
    let path = "tests/fixtures/aws/account/authorization-details.json";
    let text = std::fs::read_to_string(path).unwrap();
    let choices = iamtrace::input::account_principals(&text).unwrap();
    iamtrace::catalog::services::catalog();
    let mut app = App::pick_principal(text, path.into(), choices);
    press(&mut app, KeyCode::Down, KeyModifiers::NONE);
    insta::assert_snapshot!(screen(&render(&app, 120, 35)));
}

/// A request converted from CloudTrail shows where it came from and what CloudTrail
/// could not say.
#[test]
fn cloudtrail_request_notes_120x35() {
    let text = std::fs::read_to_string("tests/fixtures/aws/cloudtrail/client-vpn.json").unwrap();
    let app = new_app(load_str(&text).unwrap());
    insta::assert_snapshot!(screen(&render(&app, 120, 35)));
}

/// The completion list over the policy pane, and the finding under the cursor spelled
/// out under the editor.
#[test]
fn completion_list_120x35() {
    let mut app = client_vpn();
    app.policies.editors[0].jump(6, 26);
    press(&mut app, KeyCode::Delete, KeyModifiers::NONE);
    for c in "s3:PutObj".chars() {
        press(&mut app, KeyCode::Char(c), KeyModifiers::NONE);
    }
    press(&mut app, KeyCode::Char(' '), KeyModifiers::CONTROL);
    assert!(app.policies.completion.is_some());
    insta::assert_snapshot!(screen(&render(&app, 120, 35)));
}

/// The lint view (F9 three times) with a finding in each grade's colour.
#[test]
fn lint_view_120x35() {
    let mut app = client_vpn();
    for _ in 0..3 {
        press(&mut app, KeyCode::F(9), KeyModifiers::NONE);
    }
    focus_trace(&mut app);
    let t = render(&app, 120, 35);
    let s = screen(&t);
    assert!(s.contains("security warning"), "{s}");
    insta::assert_snapshot!(s);
}

/// A terminal of more than 65,535 cells (400×200): ratatui 0.29 places cells past that
/// index at wrapped positions, over the text. What reaches the terminal (through the
/// backend's diff) must be exactly what was drawn, within the drawn area, and blank
/// below it.
#[test]
fn huge_terminal_draws_no_stray_cells() {
    use iamtrace::tui::ui::layout::{MAX_DRAWN_CELLS, drawable_area};
    use ratatui::buffer::Buffer;
    let app = client_vpn();
    let (w, h) = (400u16, 200u16);
    assert!(usize::from(w) * usize::from(h) > MAX_DRAWN_CELLS);
    let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
    t.draw(|f| f.render_widget(&app, drawable_area(f.area())))
        .unwrap();
    // The same frame drawn straight into a buffer, without the diff.
    let screen = Rect::new(0, 0, w, h);
    let mut expected = Buffer::empty(screen);
    ratatui::widgets::Widget::render(&app, drawable_area(screen), &mut expected);
    let shown = t.backend().buffer();
    let drawn = drawable_area(screen);
    assert!(drawn.height < h && drawn.height > 100, "{drawn:?}");
    for y in 0..h {
        for x in 0..w {
            assert_eq!(
                shown[(x, y)].symbol(),
                expected[(x, y)].symbol(),
                "cell ({x}, {y}) differs from what was drawn"
            );
        }
    }
    let text = screen_text_rows(shown, 0..3);
    assert!(text.contains("AdministratorAccess"), "{text}");
}

fn screen_text_rows(buf: &ratatui::buffer::Buffer, rows: std::ops::Range<u16>) -> String {
    rows.map(|y| {
        (0..buf.area.width)
            .map(|x| buf[(x, y)].symbol().to_string())
            .collect::<String>()
    })
    .collect::<Vec<_>>()
    .join("\n")
}

/// The trace view keeps its scroll between frames: after scrolling down past the view,
/// moving back up inside it moves the selection, not the view.
#[test]
fn the_trace_keeps_its_scroll_when_moving_back_up() {
    let mut app = client_vpn();
    press(&mut app, KeyCode::Char('n'), KeyModifiers::CONTROL);
    focus_trace(&mut app);
    let rows = app.tree_rows().len();
    for _ in 0..rows {
        press(&mut app, KeyCode::Down, KeyModifiers::NONE);
        render(&app, 120, 35);
    }
    let scrolled = app.trace.scroll.get();
    assert!(scrolled > 0, "{rows} rows fit the view: nothing to scroll");
    press(&mut app, KeyCode::Up, KeyModifiers::NONE);
    render(&app, 120, 35);
    assert_eq!(
        app.trace.scroll.get(),
        scrolled,
        "the view moved with the selection"
    );
}

fn type_text(app: &mut App, text: &str) {
    for c in text.chars() {
        press(app, KeyCode::Char(c), KeyModifiers::NONE);
    }
}

/// F10 on request 2 of the Client VPN scenario: the inputs to vary, the Deny's key
/// first (the only key a statement that applies tests), chosen as the rows.
#[test]
fn axes_picker_inputs_120x35() {
    let mut app = client_vpn();
    press(&mut app, KeyCode::Char('n'), KeyModifiers::CONTROL);
    press(&mut app, KeyCode::F(10), KeyModifiers::NONE);
    let s = screen(&render(&app, 120, 35));
    assert!(s.contains("↓ rows aws:SourceIp"), "{s}");
    assert!(!s.contains("aws:ViaAWSService"), "no policy tests it:\n{s}");
    assert!(s.contains("[a;b]") && s.contains("absent"), "{s}");
    insta::assert_snapshot!(s);
    // At 80×24 the list, the text line and the help still show.
    let s = screen(&render(&app, 80, 24));
    assert!(
        s.contains("↓ rows aws:SourceIp") && s.contains("Axes: aws:SourceIp="),
        "{s}"
    );
    assert!(s.contains("[a;b]"), "{s}");
    insta::assert_snapshot!("axes_picker_inputs_80x24", s);
}

/// The values step, then a typed text that does not read: it stays, the reason beside.
#[test]
fn axes_picker_values_and_a_refused_text_120x35() {
    let mut app = client_vpn();
    press(&mut app, KeyCode::Char('n'), KeyModifiers::CONTROL);
    press(&mut app, KeyCode::F(10), KeyModifiers::NONE);
    press(&mut app, KeyCode::Enter, KeyModifiers::NONE);
    let s = screen(&render(&app, 120, 35));
    assert!(
        s.contains("[x] 52.95.4.1") && s.contains("not listed"),
        "{s}"
    );
    insta::assert_snapshot!("axes_picker_values_120x35", s);
    press(&mut app, KeyCode::Tab, KeyModifiers::NONE);
    type_text(&mut app, " | aws:ViaAWSService");
    press(&mut app, KeyCode::Enter, KeyModifiers::NONE);
    let s = screen(&render(&app, 120, 35));
    assert!(s.contains("aws:ViaAWSService ") && s.contains("✘"), "{s}");
    insta::assert_snapshot!("axes_picker_refused_text_120x35", s);
}

/// Columns of ARNs that share a long prefix are headed by the part that differs;
/// loading a cell flashes the request pane's border until the frames run out.
#[test]
fn grid_headings_and_the_loaded_cell_flash_120x35() {
    let mut app = client_vpn();
    press(&mut app, KeyCode::Char('n'), KeyModifiers::CONTROL);
    press(&mut app, KeyCode::F(10), KeyModifiers::NONE);
    press(&mut app, KeyCode::Tab, KeyModifiers::NONE);
    let text = match &app.mode {
        Mode::Axes(p) => p.text.clone(),
        other => panic!("{other:?}"),
    };
    for _ in 0..text.chars().count() {
        press(&mut app, KeyCode::Backspace, KeyModifiers::NONE);
    }
    type_text(
        &mut app,
        "aws:SourceIp=52.95.4.1,203.0.113.9 | principal=arn:aws:iam::111122223333:user/alice,arn:aws:iam::111122223333:user/bob,arn:aws:iam::111122223333:role/deployer",
    );
    press(&mut app, KeyCode::Enter, KeyModifiers::NONE);
    assert_eq!(app.mode, Mode::Normal);
    press(&mut app, KeyCode::Tab, KeyModifiers::NONE);
    press(&mut app, KeyCode::Tab, KeyModifiers::NONE);
    assert_eq!(app.focus, Focus::Trace);
    let s = screen(&render(&app, 120, 35));
    for heading in ["…user/alice", "…user/bob", "…role/deployer"] {
        assert!(s.contains(heading), "{heading}:\n{s}");
    }
    insta::assert_snapshot!("grid_arn_headings_120x35", s);
    // Load (office address, bob): the request pane's border flashes.
    press(&mut app, KeyCode::Down, KeyModifiers::NONE);
    press(&mut app, KeyCode::Right, KeyModifiers::NONE);
    press(&mut app, KeyCode::Enter, KeyModifiers::NONE);
    let message = app.message.clone().unwrap_or_default();
    assert!(
        message.contains("aws:SourceIp 52.95.4.1 → 203.0.113.9")
            && message.contains("principal arn:aws:iam::111122223333:user/alice → arn:aws:iam::111122223333:user/bob"),
        "{message}"
    );
    let request = app.areas(Rect::new(0, 0, 120, 35)).request.unwrap();
    let corner = |app: &App| {
        let t = render(app, 120, 35);
        t.backend().buffer()[(request.x, request.y)].modifier
    };
    assert!(corner(&app).contains(Modifier::REVERSED), "flashing");
    while app.request_flash > 0 {
        app.tick();
    }
    assert!(
        !corner(&app).contains(Modifier::REVERSED),
        "the flash is over"
    );
}
