//! The layout fits what the panes hold: the editor as wide as its longest line within
//! its share, the request pane as tall as its rows, tabs whole or shortened or scrolled
//! around the current one, long values cut with … and the edited one scrolled to its
//! cursor — checked at 80×24, 120×35 and 200×50 by snapshots and by what must show.

mod common;

use common::{app_from, app_from_text, ctrl, key, press, screen_text};
use crossterm::event::KeyCode;
use iamtrace::tui::app::Focus;
use ratatui::layout::Rect;

const SIZES: [(u16, u16); 3] = [(80, 24), (120, 35), (200, 50)];

/// The wanted Client VPN scenario on request 2 (denied, its expectation failing, the
/// documented fix offered), trace focused, at each size.
#[test]
fn the_fix_in_place_screen_at_three_sizes() {
    let mut app = app_from("assets/scenarios/client-vpn-wanted.json");
    press(&mut app, ctrl('n'));
    app.fixes_now();
    press(&mut app, key(KeyCode::Tab));
    press(&mut app, key(KeyCode::Tab));
    assert_eq!(app.focus, Focus::Trace);
    for (w, h) in SIZES {
        let s = screen_text(&app, w, h);
        let status = s.lines().last().unwrap();
        assert!(status.contains("Ctrl+Q quit"), "{w}×{h}: {status}");
        assert!(status.contains("F1 help"), "{w}×{h}: {status}");
        assert!(s.contains("Fix: policy edits"), "{w}×{h}:\n{s}");
        insta::assert_snapshot!(format!("fix_in_place_{w}x{h}"), s);
    }
}

/// The editor is as wide as its longest line (gutter and borders included) within
/// 30–55% of the screen, and the request pane as tall as its rows within half the
/// right column; the trace takes the rest.
#[test]
fn panes_take_the_room_their_content_needs() {
    let app = app_from("assets/scenarios/client-vpn-source-ip.json");
    let a = app.areas(Rect::new(0, 0, 120, 35));
    let editor = &app.policies.editors[app.policies.current];
    let wanted = editor.wanted_width() + 2;
    let policies = a.policies.unwrap();
    // As wide as its longest line and its title, within 40 columns and 55%.
    assert!(policies.width >= wanted.clamp(40, 66), "wanted {wanted}");
    assert!(policies.width <= 66);
    let s = screen_text(&app, 120, 35);
    assert!(
        s.contains("┌ Policy 1/3: AdministratorAccess (identity policy) ┐"),
        "{s}"
    );
    let request = a.request.unwrap();
    let trace = a.trace.unwrap();
    assert_eq!(request.x, policies.width);
    assert_eq!(request.width, 120 - policies.width);
    assert_eq!(request.height + trace.height, 35 - 3);
    // A wide line widens the editor, up to 55%.
    let wide = "x".repeat(50);
    let text = format!(
        r#"{{"policies": {{"identity": [{{"name": "Wide", "document": {{"Version": "2012-10-17", "Statement": [{{"Sid": "{wide}", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}}]}}}}]}},
 "requests": [{{"principal": "arn:aws:iam::111122223333:user/alice", "action": "s3:GetObject", "resource": "arn:aws:s3:::b/k"}}]}}"#
    );
    let app = app_from_text(&text);
    let a = app.areas(Rect::new(0, 0, 200, 50));
    assert!(a.policies.unwrap().width > 100, "{:?}", a.policies);
    assert_eq!(a.policies.unwrap().width, 110, "55% of 200");
}

/// Five policies with long names: every one is reachable with F2 and its tab shows
/// while it is edited, at every size; tabs left out are marked.
#[test]
fn policy_tabs_scroll_to_the_one_edited() {
    let policy = |name: &str| {
        format!(
            r#"{{"name": "{name}", "document": {{"Version": "2012-10-17", "Statement": [{{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}}]}}}}"#
        )
    };
    let names = [
        "ReadOnlyAccessForAuditors",
        "DenyOutsideTheOfficeNetwork",
        "BoundaryForDevelopers",
        "KmsKeyUsageForTheDataTeam",
        "FifthPolicyWithALongName",
    ];
    let identity: Vec<String> = names.iter().map(|n| policy(n)).collect();
    let text = format!(
        r#"{{"policies": {{"identity": [{}]}}, "requests": [{{"principal": "arn:aws:iam::111122223333:user/alice", "action": "s3:GetObject", "resource": "arn:aws:s3:::b/k"}}]}}"#,
        identity.join(",")
    );
    let mut app = app_from_text(&text);
    for (w, h) in [(100, 28), (120, 35), (200, 50)] {
        for (i, name) in names.iter().enumerate() {
            while app.policies.current != i {
                press(&mut app, key(KeyCode::F(2)));
            }
            let s = screen_text(&app, w, h);
            let tabs = s.lines().nth(2).unwrap();
            assert!(
                tabs.contains(&format!("{} {name}", i + 1)),
                "{w}×{h}, {name}: {tabs}"
            );
            // The others are there, by number at least.
            for k in 1..=names.len() {
                assert!(tabs.contains(&format!(" {k} ")), "{w}×{h}: {k} in {tabs}");
            }
        }
    }
}

/// A value longer than the request pane is cut with …; edited, the row scrolls so the
/// cursor stays in view.
#[test]
fn a_long_value_is_cut_and_scrolls_while_edited() {
    let mut app = app_from("assets/scenarios/client-vpn-source-ip.json");
    press(&mut app, key(KeyCode::Tab));
    assert_eq!(app.focus, Focus::Request);
    let s = screen_text(&app, 100, 28);
    let resource_row = s.lines().find(|l| l.contains("resource  ")).unwrap();
    assert!(resource_row.contains('…'), "{resource_row}");
    // Down to the resource row; End puts the cursor after its last character.
    press(&mut app, key(KeyCode::Down));
    press(&mut app, key(KeyCode::Down));
    press(&mut app, key(KeyCode::End));
    let s = screen_text(&app, 100, 28);
    let row = s.lines().find(|l| l.contains("▶ resource")).unwrap();
    assert!(row.contains("client-vpn-endpoint/*"), "{row}");
    assert!(row.contains('…'), "the start is cut: {row}");
}
