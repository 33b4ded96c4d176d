//! Requests as first-class in the TUI: added (blank, a copy, a copy with a preset),
//! duplicated, renamed, deleted and moved from the request form's keys, each one undo
//! step with its `via` links following; saved in place with every other byte kept; the
//! action checked against the catalog, and completion on the form's rows.

mod common;

use common::{alt, ctrl, key, press, type_text};
use crossterm::event::KeyCode;
use iamtrace::input::load_str;
use iamtrace::trace::Decision;
use iamtrace::tui::app::{App, Focus, Mode};
use iamtrace::tui::form::RowHint;
use iamtrace::tui::form_complete::ActionCheck;
use iamtrace::tui::update::handle_key;
use std::path::{Path, PathBuf};

const CLIENT_VPN: &str = "assets/scenarios/client-vpn-source-ip.json";
const FIRST: &str = "alice creates the endpoint (office)";

fn client_vpn() -> App {
    let text = std::fs::read_to_string(CLIENT_VPN).unwrap();
    let mut app = App::new(load_str(&text).unwrap(), None);
    app.focus = Focus::Request;
    app
}

fn names(app: &App) -> Vec<String> {
    app.scenario
        .requests
        .iter()
        .enumerate()
        .map(|(i, r)| r.label(i))
        .collect()
}

fn vias(app: &App) -> Vec<Option<String>> {
    app.scenario
        .requests
        .iter()
        .map(|r| r.via.clone())
        .collect()
}

fn decisions(app: &App) -> Vec<Decision> {
    app.results.iter().map(|r| r.decision).collect()
}

/// Undo then redo of the last step: the requests as `before`, then as `after`, and the
/// status bar names the step.
fn undo_redo(app: &mut App, before: &[String], after: &[String], step: &str) {
    assert!(press(app, ctrl('z')));
    assert_eq!(names(app), before);
    let said = app.message.clone().unwrap_or_default();
    assert!(said.contains(step), "{said}");
    assert!(press(app, ctrl('y')));
    assert_eq!(names(app), after);
}

#[test]
fn f4_adds_a_blank_request_after_the_one_shown_and_undo_takes_it_away() {
    let mut app = client_vpn();
    let before = names(&app);
    let principal = app.scenario.requests[0].request.principal.clone();
    press(&mut app, key(KeyCode::F(4)));
    assert_eq!(app.mode, Mode::NewRequest(0));
    assert!(press(&mut app, key(KeyCode::Enter)));
    assert_eq!(app.mode, Mode::Normal);
    assert_eq!(app.scenario.requests.len(), before.len() + 1);
    assert_eq!(app.request, 1);
    let new = &app.scenario.requests[1];
    assert_eq!(new.request.principal, principal);
    assert_eq!((new.request.action.as_str(), new.name.as_ref()), ("", None));
    assert_eq!(new.expect, None);
    // The form shows it, on the action row, with the results in step.
    assert_eq!(app.form.selected, 1);
    assert_eq!(app.results.len(), app.scenario.requests.len());
    assert!(app.dirty);
    // Typing fills the action of the new request, not of another.
    type_text(&mut app, "kms:DescribeKey");
    assert_eq!(app.scenario.requests[1].request.action, "kms:DescribeKey");
    assert_eq!(
        app.scenario.requests[2].request.action,
        "iam:CreateServiceLinkedRole"
    );
    // Undo: the typing, then the request.
    press(&mut app, ctrl('z'));
    assert_eq!(app.scenario.requests[1].request.action, "");
    press(&mut app, ctrl('z'));
    assert_eq!(names(&app), before);
    assert!(!app.dirty, "undone back to the state as loaded");
    assert_eq!(decisions(&app).len(), before.len());
}

#[test]
fn f4_copies_with_a_preset_and_esc_adds_nothing() {
    let mut app = client_vpn();
    let n = app.scenario.requests.len();
    press(&mut app, key(KeyCode::F(4)));
    assert!(!press(&mut app, key(KeyCode::Esc)));
    assert_eq!(app.scenario.requests.len(), n);
    // The list: blank, copy, then each preset on a copy.
    let choices = app.new_request_choices();
    let vpce = choices
        .iter()
        .position(|c| c.label().contains("VPC endpoint"))
        .expect("a VPC endpoint preset");
    press(&mut app, key(KeyCode::F(4)));
    for _ in 0..20 {
        // Down past the end stays on the last.
        press(&mut app, key(KeyCode::Down));
    }
    assert_eq!(app.mode, Mode::NewRequest(choices.len() - 1));
    for _ in vpce..choices.len() - 1 {
        press(&mut app, key(KeyCode::Up));
    }
    assert_eq!(app.mode, Mode::NewRequest(vpce));
    assert!(press(&mut app, key(KeyCode::Enter)));
    let new = &app.scenario.requests[1];
    assert_eq!(
        new.name.as_deref(),
        Some("alice creates the endpoint (office) (through a VPC endpoint)")
    );
    assert!(
        new.request
            .context
            .iter()
            .any(|(k, _)| k.eq_ignore_ascii_case("aws:SourceVpce")),
        "{:?}",
        new.request.context
    );
    assert_eq!(new.expect, None, "the original's expectation is not copied");
    // The office call through an endpoint has no source IP: the guardrail denies it.
    assert_eq!(app.results[1].decision, Decision::ExplicitDeny);
    assert_eq!(app.results[0].decision, Decision::Allow);
}

#[test]
fn f6_duplicates_under_a_free_name_and_the_results_follow() {
    let mut app = client_vpn();
    let before = names(&app);
    let was = decisions(&app);
    press(&mut app, ctrl('n'));
    assert!(press(&mut app, key(KeyCode::F(6))));
    let one_copy = names(&app);
    assert!(press(&mut app, key(KeyCode::F(6))));
    let after = names(&app);
    assert_eq!(after.len(), before.len() + 2);
    let second = &before[1];
    assert_eq!(after[1], *second);
    assert_eq!(after[2], format!("{second} copy"));
    assert_eq!(after[3], format!("{second} copy 2"), "names stay unique");
    assert_eq!(app.request, 3);
    // The copies keep `via`, `expect` and the decision.
    assert_eq!(app.scenario.requests[3].via.as_deref(), Some(FIRST));
    assert_eq!(
        app.scenario.requests[3].expect,
        app.scenario.requests[1].expect
    );
    assert_eq!(decisions(&app)[3], was[1]);
    // One undo step per duplicate.
    undo_redo(&mut app, &one_copy[..], &after[..], "duplicating request 3");
    press(&mut app, ctrl('z'));
    press(&mut app, ctrl('z'));
    assert_eq!(names(&app), before);
    assert!(!app.dirty);
}

#[test]
fn f5_renames_and_the_via_links_follow() {
    let mut app = client_vpn();
    let before = names(&app);
    press(&mut app, key(KeyCode::F(5)));
    assert_eq!(app.mode, Mode::RenameRequest(FIRST.into()));
    for _ in 0.."(office)".len() {
        press(&mut app, key(KeyCode::Backspace));
    }
    type_text(&mut app, "at work");
    assert!(press(&mut app, key(KeyCode::Enter)));
    let renamed = "alice creates the endpoint at work";
    assert_eq!(app.scenario.requests[0].name.as_deref(), Some(renamed));
    let linked: Vec<usize> = (0..app.scenario.requests.len())
        .filter(|&i| app.scenario.requests[i].via.is_some())
        .collect();
    assert_eq!(linked, [1, 2, 3, 4, 5, 6]);
    assert!(
        vias(&app).iter().flatten().all(|v| v == renamed),
        "{:?}",
        vias(&app)
    );
    let said = app.message.clone().unwrap_or_default();
    assert!(
        said.contains("via of request 2, 3, 4, 5, 6 and 7 follows"),
        "{said}"
    );
    // One undo step puts back the name and every via.
    press(&mut app, ctrl('z'));
    assert_eq!(names(&app), before);
    assert!(vias(&app).iter().flatten().all(|v| v == FIRST));
    press(&mut app, ctrl('y'));
    assert_eq!(app.scenario.requests[5].via.as_deref(), Some(renamed));

    // A name another request has is refused; so is no name while others name it.
    press(&mut app, ctrl('n'));
    press(&mut app, key(KeyCode::F(5)));
    app.mode = Mode::RenameRequest(renamed.into());
    press(&mut app, key(KeyCode::Enter));
    assert_ne!(app.scenario.requests[1].name.as_deref(), Some(renamed));
    assert!(
        app.message
            .clone()
            .unwrap_or_default()
            .contains("already named")
    );
    press(&mut app, ctrl('p'));
    app.mode = Mode::RenameRequest(String::new());
    press(&mut app, key(KeyCode::Enter));
    assert_eq!(app.scenario.requests[0].name.as_deref(), Some(renamed));
    assert!(
        app.message
            .clone()
            .unwrap_or_default()
            .contains("keeps a name")
    );
    // An unlinked request loses its name: shown by number.
    press(&mut app, ctrl('p'));
    assert_eq!(app.request, 8);
    app.mode = Mode::RenameRequest(" ".into());
    assert!(press(&mut app, key(KeyCode::Enter)));
    assert_eq!(app.scenario.requests[8].name, None);
    assert_eq!(names(&app)[8], "#9");
}

#[test]
fn f8_asks_then_deletes_clearing_the_via_that_named_it() {
    let mut app = client_vpn();
    let before = names(&app);
    let was = decisions(&app);
    press(&mut app, key(KeyCode::F(8)));
    assert_eq!(app.mode, Mode::ConfirmDeleteRequest);
    assert!(!press(&mut app, key(KeyCode::Char('n'))));
    assert_eq!(names(&app), before);
    press(&mut app, key(KeyCode::F(8)));
    // The results follow the requests before any evaluation.
    assert!(handle_key(&mut app, key(KeyCode::Char('y'))));
    assert_eq!(decisions(&app), was[1..]);
    app.evaluate_now();
    assert_eq!(names(&app), before[1..]);
    assert!(vias(&app).iter().all(Option::is_none), "{:?}", vias(&app));
    let said = app.message.clone().unwrap_or_default();
    assert!(said.contains("is cleared"), "{said}");
    // Undo brings back the request and the links.
    press(&mut app, ctrl('z'));
    assert_eq!(names(&app), before);
    assert_eq!(app.scenario.requests[3].via.as_deref(), Some(FIRST));
    assert!(!app.dirty);

    // The last request is never deleted.
    while app.scenario.requests.len() > 1 {
        press(&mut app, key(KeyCode::F(8)));
        press(&mut app, key(KeyCode::Char('y')));
    }
    assert!(!press(&mut app, key(KeyCode::F(8))));
    assert_eq!(app.mode, Mode::Normal);
    assert_eq!(app.scenario.requests.len(), 1);
    assert!(
        app.message
            .clone()
            .unwrap_or_default()
            .contains("at least one request")
    );
}

#[test]
fn alt_up_and_down_move_the_request_with_its_result() {
    let mut app = client_vpn();
    let before = names(&app);
    let was = decisions(&app);
    assert!(!press(&mut app, alt(KeyCode::Up)), "the first stays first");
    assert!(
        app.message
            .clone()
            .unwrap_or_default()
            .contains("first already")
    );
    assert!(handle_key(&mut app, alt(KeyCode::Down)));
    assert_eq!(app.request, 1);
    assert_eq!(names(&app)[..2], [before[1].clone(), before[0].clone()]);
    assert_eq!(decisions(&app)[..2], [was[1], was[0]]);
    app.evaluate_now();
    assert_eq!(decisions(&app)[..2], [was[1], was[0]]);
    assert_eq!(app.form.to_request(), app.scenario.requests[1].request);
    let after = names(&app);
    undo_redo(
        &mut app,
        &before[..],
        &after[..],
        "moving request 1 to place 2",
    );
    // Back up: as loaded again.
    press(&mut app, alt(KeyCode::Up));
    assert_eq!(names(&app), before);
    assert_eq!(app.request, 0);
}

/// A copy of the Client VPN scenario as `s.json`, opened as `iamtrace s.json` does.
fn opened_copy() -> (tempfile::TempDir, PathBuf, App) {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("s.json");
    std::fs::copy(CLIENT_VPN, &file).unwrap();
    let text = std::fs::read_to_string(&file).unwrap();
    let mut app = App::new(load_str(&text).unwrap(), Some(file.clone()))
        .with_origin(iamtrace::tui::recover::Origin::File(file.clone()))
        .with_file(text, iamtrace::tui::file::Shape::Scenario);
    app.focus = Focus::Request;
    (dir, file, app)
}

/// The text of `file` before its `"requests"` member.
fn head(text: &str) -> &str {
    &text[..text.find("\"requests\"").unwrap()]
}

fn save(app: &mut App, file: &Path) -> String {
    press(app, ctrl('s'));
    assert!(!app.dirty, "{:?}", app.message);
    std::fs::read_to_string(file).unwrap()
}

#[test]
fn added_deleted_and_moved_requests_are_saved_in_place() {
    let (_dir, file, mut app) = opened_copy();
    let original = std::fs::read_to_string(&file).unwrap();
    // Request 9 moves to place 8; request 3 is deleted; a copy of 2 follows it.
    for _ in 0..8 {
        press(&mut app, ctrl('n'));
    }
    press(&mut app, alt(KeyCode::Up));
    press(&mut app, ctrl('g'));
    type_text(&mut app, "3");
    press(&mut app, key(KeyCode::Enter));
    assert_eq!(app.request, 2);
    press(&mut app, key(KeyCode::F(8)));
    press(&mut app, key(KeyCode::Char('y')));
    press(&mut app, ctrl('p'));
    press(&mut app, key(KeyCode::F(6)));
    let want = names(&app);
    let saved = save(&mut app, &file);
    assert_eq!(
        head(&saved),
        head(&original),
        "the policies' bytes are kept"
    );
    assert!(saved.ends_with("  ]\n}\n"), "{saved}");
    let read = load_str(&saved).expect("the saved file loads");
    let got: Vec<String> = read
        .requests
        .iter()
        .enumerate()
        .map(|(i, r)| r.label(i))
        .collect();
    assert_eq!(got, want);
    // Each request the file held keeps its bytes.
    let orig = load_str(&original).unwrap();
    for r in &orig.requests {
        if want.contains(r.name.as_ref().unwrap()) {
            let bytes = &original[r.span.range()];
            assert!(saved.contains(bytes), "{bytes}");
        }
    }
    // Saving again after more moves splices into what was saved.
    press(&mut app, alt(KeyCode::Down));
    let again = save(&mut app, &file);
    assert_eq!(head(&again), head(&original));
    let read = load_str(&again).unwrap();
    assert_eq!(
        read.requests[3].name.as_deref(),
        want.get(2).map(String::as_str)
    );
    // The recovery file (a signal while unsaved) holds the same requests.
    press(&mut app, key(KeyCode::F(6)));
    let recovered = load_str(&app.recovery_text()).unwrap();
    assert_eq!(recovered.requests.len(), app.scenario.requests.len());
}

#[test]
fn the_action_row_warns_about_actions_the_catalog_does_not_know() {
    iamtrace::catalog::services::catalog();
    let mut app = client_vpn();
    app.form.selected = 1;
    app.form.home_end(true);
    for _ in 0.."ec2:CreateClientVpnEndpoint".len() {
        press(&mut app, key(KeyCode::Backspace));
    }
    type_text(&mut app, "iam:CreateSerkms:Desc");
    match app.form.hint(1) {
        RowHint::Action(check) => {
            assert_eq!(
                check,
                ActionCheck::UnknownAction {
                    service: "iam".into(),
                    name: "CreateSerkms:Desc".into()
                }
            );
            assert!(check.warning().unwrap().contains("iam has no action"));
        }
        other => panic!("{other:?}"),
    }
    // Evaluated all the same, as AWS would: AdministratorAccess's "*" matches any
    // string, the guardrail's Deny does not name it.
    assert_eq!(
        app.scenario.requests[0].request.action,
        "iam:CreateSerkms:Desc"
    );
    assert_eq!(app.results[0].decision, Decision::Allow);
}

#[test]
fn ctrl_space_completes_the_action_then_its_resource_then_a_key() {
    iamtrace::catalog::services::catalog();
    let mut app = client_vpn();
    press(&mut app, key(KeyCode::F(4)));
    press(&mut app, key(KeyCode::Enter));
    assert_eq!(app.form.selected, 1);
    type_text(&mut app, "km");
    press(&mut app, ctrl(' '));
    let c = app.form.completion.as_ref().expect("a list");
    assert!(c.items.iter().any(|i| i.text == "kms:"), "{:?}", c.items);
    assert!(c.items.iter().all(|i| i.text.starts_with("km")));
    // Typing narrows the list; Enter puts the prefix in and lists its actions.
    press(&mut app, key(KeyCode::Char('s')));
    assert_eq!(app.form.completion.as_ref().unwrap().items[0].text, "kms:");
    press(&mut app, key(KeyCode::Enter));
    assert_eq!(app.form.rows[1], "kms:");
    type_text(&mut app, "DescribeK");
    let c = app.form.completion.as_ref().expect("the actions of kms");
    assert_eq!(c.items[0].text, "kms:DescribeKey");
    press(&mut app, key(KeyCode::Tab));
    assert!(app.form.completion.is_none());
    assert_eq!(app.scenario.requests[1].request.action, "kms:DescribeKey");
    // The resource: the action's ARN templates, the principal's partition and account.
    press(&mut app, key(KeyCode::Down));
    press(&mut app, ctrl(' '));
    let c = app.form.completion.as_ref().expect("templates");
    let texts: Vec<&str> = c.items.iter().map(|i| i.text.as_str()).collect();
    assert!(
        texts.contains(&"arn:aws:kms:${Region}:111122223333:key/${KeyId}"),
        "{texts:?}"
    );
    press(&mut app, key(KeyCode::Enter));
    assert_eq!(
        app.form.rows[2],
        "arn:aws:kms:${Region}:111122223333:key/${KeyId}"
    );
    assert_eq!(
        app.form.cursor,
        "arn:aws:kms:".len(),
        "on the region to edit"
    );
    // A new context key: the action's keys first, then the global ones.
    press(&mut app, ctrl('a'));
    type_text(&mut app, "kms:Via");
    press(&mut app, ctrl(' '));
    let c = app.form.completion.as_ref().expect("keys");
    assert!(
        c.items.iter().any(|i| i.text == "kms:ViaService"),
        "{:?}",
        c.items
    );
    press(&mut app, key(KeyCode::Esc));
    assert!(app.form.completion.is_none());
    let row = app.form.selected;
    app.form.rows[row].clear();
    app.form.cursor = 0;
    type_text(&mut app, "aws:SourceV");
    press(&mut app, ctrl(' '));
    let texts: Vec<String> = app
        .form
        .completion
        .as_ref()
        .unwrap()
        .items
        .iter()
        .map(|i| i.text.clone())
        .collect();
    assert!(texts.contains(&"aws:SourceVpce".to_string()), "{texts:?}");
    press(&mut app, key(KeyCode::Enter));
    assert_eq!(app.form.rows[row], "aws:SourceVpce = ");
    // The principal has nothing to complete: the status bar says what does.
    press(&mut app, key(KeyCode::Home));
    app.form.selected = 0;
    press(&mut app, ctrl(' '));
    assert!(app.form.completion.is_none());
    assert!(
        app.message
            .clone()
            .unwrap_or_default()
            .contains("completes the action")
    );
}

fn screen(app: &App, w: u16, h: u16) -> String {
    let mut t = ratatui::Terminal::new(ratatui::backend::TestBackend::new(w, h)).unwrap();
    t.draw(|f| f.render_widget(&*app, f.area())).unwrap();
    let buf = t.backend().buffer();
    (0..buf.area.height)
        .map(|y| {
            (0..buf.area.width)
                .map(|x| buf[(x, y)].symbol())
                .collect::<String>()
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn the_form_completion_list_is_drawn_by_the_row_it_completes() {
    iamtrace::catalog::services::catalog();
    let mut app = client_vpn();
    app.form.selected = 1;
    app.form.home_end(true);
    for _ in 0.."CreateClientVpnEndpoint".len() {
        press(&mut app, key(KeyCode::Backspace));
    }
    type_text(&mut app, "CreateClientVpnR");
    press(&mut app, ctrl(' '));
    assert!(app.form.completion.is_some());
    for (w, h) in [(120, 35), (80, 24), (200, 50)] {
        let s = screen(&app, w, h);
        assert!(s.contains("ec2:CreateClientVpnRoute"), "{w}×{h}:\n{s}");
        assert!(s.contains("1 match"), "{w}×{h}:\n{s}");
        // The row being typed stays in sight, above the list.
        let row = s
            .lines()
            .position(|l| l.contains("ec2:CreateClientVpnR "))
            .unwrap();
        let list = s.lines().position(|l| l.contains("1 match")).unwrap();
        assert!(row < list, "{w}×{h}:\n{s}");
    }
    // The new-request list names its choices.
    press(&mut app, key(KeyCode::Esc));
    press(&mut app, key(KeyCode::F(4)));
    let s = screen(&app, 120, 35);
    assert!(s.contains("New request after request 1"), "{s}");
    assert!(s.contains("a copy, preset: through a VPC endpoint"), "{s}");
}

#[test]
fn a_request_added_while_a_policy_does_not_parse_gets_the_last_good_results() {
    let mut app = client_vpn();
    app.focus = Focus::Policies;
    app.policies.editors[0].jump(1, 1);
    type_text(&mut app, "{");
    assert!(app.stale, "the text does not parse");
    let was = decisions(&app);
    app.focus = Focus::Request;
    press(&mut app, key(KeyCode::F(4)));
    press(&mut app, key(KeyCode::Down));
    assert!(press(&mut app, key(KeyCode::Enter)));
    assert!(app.stale);
    // The copy has the decision of its original, the others theirs.
    let mut want = was.clone();
    want.insert(1, was[0]);
    assert_eq!(decisions(&app), want);
    assert_eq!(names(&app)[1], format!("{FIRST} copy"));
    // A request not evaluated before is, under the policies as they last parsed: the
    // office call through a VPC endpoint has no source IP, and the guardrail denies it.
    let vpce = app
        .new_request_choices()
        .iter()
        .position(|c| c.label().contains("VPC endpoint"))
        .unwrap();
    press(&mut app, ctrl('p'));
    app.mode = Mode::NewRequest(vpce);
    assert!(press(&mut app, key(KeyCode::Enter)));
    assert!(app.stale);
    want.insert(1, Decision::ExplicitDeny);
    assert_eq!(decisions(&app), want);
}

#[test]
fn a_single_request_file_that_gets_a_second_is_written_anew_and_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("one.json");
    std::fs::copy("tests/cases/decisions/no-policies.json", &file).unwrap();
    let text = std::fs::read_to_string(&file).unwrap();
    let mut app = App::new(load_str(&text).unwrap(), Some(file.clone()))
        .with_file(text, iamtrace::tui::file::Shape::Scenario);
    app.focus = Focus::Request;
    press(&mut app, key(KeyCode::F(6)));
    press(&mut app, ctrl('s'));
    let said = app.message.clone().unwrap_or_default();
    assert!(said.contains("written anew"), "{said}");
    let read = load_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    assert_eq!(
        read.requests
            .iter()
            .map(|r| r.name.clone().unwrap_or_default())
            .collect::<Vec<_>>(),
        [
            "nothing allows listing buckets",
            "nothing allows listing buckets copy"
        ]
    );
}
