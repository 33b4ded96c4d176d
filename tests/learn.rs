//! Lessons (docs/lessons.md): every built-in lesson holds (it loads, has something to
//! do as shipped, is solved by its last hint's edit, and predicts what the engine
//! decides); invalid lesson files are refused with the positioned errors written in
//! `tests/lessons/invalid/NAME.expected`; lessons that do not hold are caught; and the
//! `learn --list` / `learn --check` commands with their exit statuses.

use assert_cmd::Command;
use iamtrace::learn::builtin::{DIR, LESSONS};
use iamtrace::learn::{GoalKind, Problem, check, load_lesson};
use std::path::Path;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The sorted stems of the files ending in `.{ext}` in `dir` (relative to the crate).
fn stems(dir: &str, ext: &str) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(root().join(dir))
        .expect("the folder is readable")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == ext))
        .filter_map(|p| p.file_stem().map(|s| s.to_string_lossy().into_owned()))
        .collect();
    names.sort();
    names
}

#[test]
fn every_builtin_lesson_holds() {
    assert!(LESSONS.len() >= 12, "issue 19 asks for at least 12 lessons");
    let mut failures = Vec::new();
    for (i, builtin) in LESSONS.iter().enumerate() {
        let lesson = match load_lesson(builtin.text) {
            Ok(l) => l,
            Err(e) => {
                for line in e.lines() {
                    failures.push(format!("{DIR}/{}:{line}", builtin.file));
                }
                continue;
            }
        };
        for problem in check(&lesson) {
            failures.push(format!("{DIR}/{}: {problem}", builtin.file));
        }
        if !(2..=5).contains(&lesson.goals.len()) {
            failures.push(format!(
                "{DIR}/{}: {} goals (a lesson has 2 to 5)",
                builtin.file,
                lesson.goals.len()
            ));
        }
        if !builtin.file.starts_with(&format!("{:02}-", i + 1)) {
            failures.push(format!(
                "{DIR}/{}: lesson {} of the list: its file name must start with {:02}-",
                builtin.file,
                i + 1,
                i + 1
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "lessons that do not hold:\n{}",
        failures.join("\n")
    );
}

#[test]
fn every_lesson_file_is_built_in() {
    let files = stems(DIR, "json");
    let listed: Vec<String> = LESSONS
        .iter()
        .map(|l| l.file.trim_end_matches(".json").to_string())
        .collect();
    assert_eq!(files, listed, "assets/lessons/ and builtin::LESSONS differ");
}

/// Lessons mean what the issue lists: each topic is taught by a lesson whose goals
/// include a request or a lint finding, and both kinds of goal and predict steps occur.
#[test]
fn lessons_use_every_kind_of_goal() {
    let lessons: Vec<_> = LESSONS
        .iter()
        .filter_map(|l| load_lesson(l.text).ok())
        .collect();
    let goals = lessons.iter().flat_map(|l| &l.goals);
    let lint = goals
        .clone()
        .filter(|g| matches!(g.kind, GoalKind::LintGone { .. }))
        .count();
    assert!(lint >= 3, "{lint} lint goals");
    assert!(lessons.iter().all(|l| !l.predict.is_empty()));
    assert!(
        lessons
            .iter()
            .all(|l| l.source.starts_with("https://docs.aws.amazon.com/"))
    );
    let last = lessons.last().expect("lessons");
    assert!(
        last.title.contains("Final"),
        "the last lesson is the mixed exercise"
    );
    assert!(
        lessons.iter().any(|l| l.title.contains("Client VPN")),
        "the Client VPN story is told"
    );
}

#[test]
fn invalid_lessons_are_refused_with_positions() {
    let dir = "tests/lessons/invalid";
    let names = stems(dir, "json");
    assert_eq!(
        names,
        stems(dir, "expected"),
        "every fixture has its .expected"
    );
    let mut wrong = Vec::new();
    for name in &names {
        let text = std::fs::read_to_string(root().join(dir).join(format!("{name}.json")))
            .expect("fixture is readable");
        let expected: Vec<String> =
            std::fs::read_to_string(root().join(dir).join(format!("{name}.expected")))
                .expect("expected file is readable")
                .lines()
                .map(str::to_string)
                .collect();
        let got: Vec<String> = match load_lesson(&text) {
            Ok(_) => vec!["(loaded without error)".into()],
            Err(e) => e.lines().collect(),
        };
        if got != expected {
            wrong.push(format!(
                "{name}:\n  expected:\n    {}\n  got:\n    {}",
                expected.join("\n    "),
                got.join("\n    ")
            ));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

/// A small lesson that holds, with one thing changed.
fn small(from: &str, to: &str) -> Vec<Problem> {
    let text = std::fs::read_to_string(root().join("tests/lessons/ok.json")).expect("ok.json");
    assert!(text.contains(from), "ok.json has {from}");
    let lesson = load_lesson(&text.replacen(from, to, 1)).expect("the changed lesson loads");
    check(&lesson)
}

#[test]
fn the_check_catches_what_does_not_hold() {
    assert_eq!(small("", ""), Vec::new(), "ok.json holds");
    let p = small("\\\"s3:PutObject\\\"]", "\\\"s3:PutObjects\\\"]");
    assert!(
        matches!(&p[..], [Problem::GoalUnmetByAnswer { goal: 2, found, .. }] if found == "Implicit deny"),
        "{p:?}"
    );
    let p = small(
        "\"action\": \"s3:PutObject\"",
        "\"action\": \"s3:GetObject\"",
    );
    assert!(p.contains(&Problem::NothingToDo), "{p:?}");
    let p = small("\"answer\": \"implicit_deny\"", "\"answer\": \"allow\"");
    assert!(
        matches!(&p[..], [Problem::WrongPrediction { step: 1, .. }]),
        "{p:?}"
    );
    let p = small("\\\"s3:PutObject\\\"]", "\\\"s3:PutObject\\\"");
    assert!(
        matches!(&p[..], [Problem::AnswerBreaksPolicy { policy, .. }] if policy == "Uploads"),
        "{p:?}"
    );
}

fn iamtrace(args: &[&str]) -> (i32, String, String) {
    let out = Command::cargo_bin("iamtrace")
        .expect("the binary is built")
        .current_dir(root())
        .args(args)
        .output()
        .expect("iamtrace runs");
    (
        out.status.code().expect("an exit status"),
        String::from_utf8(out.stdout).expect("UTF-8"),
        String::from_utf8(out.stderr).expect("UTF-8"),
    )
}

#[test]
fn learn_list_prints_a_lesson_a_line() {
    let (code, out, _) = iamtrace(&["learn", "--list"]);
    assert_eq!(code, 0);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), LESSONS.len());
    assert_eq!(lines[0], " 1  Allow, explicit deny and implicit deny");
    for (i, line) in lines.iter().enumerate() {
        assert!(
            line.trim_start().starts_with(&format!("{}  ", i + 1)),
            "{line}"
        );
    }
    // With no flag and no terminal (the lesson screen needs one): the same list.
    let (code, plain, _) = iamtrace(&["learn"]);
    assert_eq!((code, plain), (0, out));
}

#[test]
fn learn_check_exit_statuses() {
    let (code, out, _) = iamtrace(&["learn", "--check"]);
    assert_eq!(code, 0, "{out}");
    assert_eq!(
        out.lines().filter(|l| l.starts_with("ok ")).count(),
        LESSONS.len()
    );

    let (code, out, _) = iamtrace(&["learn", "--check", "tests/lessons/ok.json"]);
    assert_eq!((code, out.as_str()), (0, "ok     1  A small lesson\n"));

    let failing = "tests/lessons/failing/answer-does-not-meet-goal.json";
    let (code, out, _) = iamtrace(&["learn", "--check", "tests/lessons/ok.json", failing]);
    assert_eq!(code, 1);
    assert!(
        out.contains(&format!("FAIL   2  A small lesson ({failing})")),
        "{out}"
    );
    assert!(
        out.contains(
            "goal 2 (request 2: Allow) is not met after the last hint's edit: got Implicit deny"
        ),
        "{out}"
    );

    // An invalid file wins over a failing one: 2, with the positioned message.
    let invalid = "tests/lessons/invalid/unknown-keys.json";
    let (code, _, err) = iamtrace(&["learn", "--check", failing, invalid]);
    assert_eq!(code, 2);
    assert!(
        err.contains(&format!(
            "{invalid}:6:3: unknown lesson key \"hint\" (did you mean hints?)"
        )),
        "{err}"
    );
    // A folder is searched for lessons.
    let (code, _, _) = iamtrace(&["learn", "--check", "tests/lessons/failing"]);
    assert_eq!(code, 1);
    let (code, _, err) = iamtrace(&["learn", "--check", "tests/lessons/no-such.json"]);
    assert_eq!(code, 2);
    assert!(err.contains("cannot read"), "{err}");
}

/// Built-in lessons by number, for --list and --check alike.
#[test]
fn builtin_lessons_by_number() {
    let (code, out, _) = iamtrace(&["learn", "--check", "3", "12"]);
    assert_eq!(code, 0, "{out}");
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 2, "{out}");
    assert!(lines[0].starts_with("ok     3  Missing keys"), "{out}");
    assert!(
        lines[1].starts_with("ok    12  The Client VPN guardrail"),
        "{out}"
    );
    let (code, out, _) = iamtrace(&["learn", "--list", "2"]);
    assert_eq!(
        (code, out.trim_end()),
        (
            0,
            " 2  Conditions: AND across operators and keys, OR across values"
        )
    );
}
