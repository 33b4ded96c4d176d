//! The keymap is the one place keys live: no code under `src/tui/` outside
//! `keymap.rs` matches a `KeyCode` or `KeyModifiers`, and no string drawn by
//! `src/tui/ui/` names a key (`F10`, `Ctrl+`, `Esc`, …): those come from
//! `keymap::key_label`, so the text cannot drift from the real keys.

use std::path::{Path, PathBuf};

/// The `.rs` files under `dir`, recursively.
fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(rust_files(&path));
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
    out.sort();
    out
}

/// The code of `source` with comments removed (line comments and doc comments, which
/// may name keys freely).
fn code_only(source: &str) -> String {
    source
        .lines()
        .map(|l| match l.trim_start().starts_with("//") {
            true => "",
            false => l,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The string literals of `source` (plain and raw), with comments skipped.
fn string_literals(source: &str) -> Vec<String> {
    let s: Vec<char> = code_only(source).chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < s.len() {
        match s[i] {
            '/' if s.get(i + 1) == Some(&'/') => {
                while i < s.len() && s[i] != '\n' {
                    i += 1;
                }
            }
            // A char literal ('"', '\'', 'x'); a lifetime has no closing quote.
            '\'' => {
                if s.get(i + 1) == Some(&'\\') {
                    i += 2;
                    while i < s.len() && s[i] != '\'' {
                        i += 1;
                    }
                    i += 1;
                } else if s.get(i + 2) == Some(&'\'') {
                    i += 3;
                } else {
                    i += 1;
                }
            }
            'r' if matches!(s.get(i + 1), Some('"' | '#'))
                && (i == 0 || !s[i - 1].is_alphanumeric() && s[i - 1] != '_') =>
            {
                let mut j = i + 1;
                let mut hashes = 0;
                while s.get(j) == Some(&'#') {
                    hashes += 1;
                    j += 1;
                }
                if s.get(j) != Some(&'"') {
                    i += 1;
                    continue;
                }
                let start = j + 1;
                let mut k = start;
                while k < s.len() {
                    if s[k] == '"' && (0..hashes).all(|h| s.get(k + 1 + h) == Some(&'#')) {
                        break;
                    }
                    k += 1;
                }
                out.push(s[start..k.min(s.len())].iter().collect());
                i = k + 1 + hashes;
            }
            '"' => {
                let mut lit = String::new();
                i += 1;
                while i < s.len() && s[i] != '"' {
                    if s[i] == '\\' {
                        i += 1;
                    }
                    if let Some(c) = s.get(i) {
                        lit.push(*c);
                    }
                    i += 1;
                }
                out.push(lit);
                i += 1;
            }
            _ => i += 1,
        }
    }
    out
}

/// Whether `word` occurs in `text` as a whole word.
fn has_word(text: &str, word: &str) -> bool {
    text.match_indices(word).any(|(at, _)| {
        let before = text[..at].chars().next_back();
        let after = text[at + word.len()..].chars().next();
        !before.is_some_and(|c| c.is_alphanumeric())
            && !after.is_some_and(|c| c.is_alphanumeric() || c == '+')
    })
}

/// The key names `literal` contains.
fn key_names(literal: &str) -> Vec<String> {
    let mut found: Vec<String> = ["Ctrl+", "Shift+", "Alt+"]
        .iter()
        .filter(|k| literal.contains(*k))
        .map(|k| k.to_string())
        .collect();
    let words = [
        "Esc",
        "Enter",
        "Tab",
        "Backspace",
        "PgUp",
        "PgDn",
        "Home",
        "End",
    ];
    found.extend(
        words
            .iter()
            .filter(|w| has_word(literal, w))
            .map(|w| w.to_string()),
    );
    found.extend(
        (1..=12)
            .map(|n| format!("F{n}"))
            .filter(|f| has_word(literal, f)),
    );
    found
}

/// The places in `source` that match a key outside the keymap.
fn key_matches(source: &str) -> Vec<String> {
    code_only(source)
        .lines()
        .filter(|l| l.contains("KeyCode::") || l.contains("KeyModifiers::"))
        .map(|l| l.trim().to_string())
        .collect()
}

#[test]
fn the_checks_catch_what_they_are_for() {
    let sample = r##"
        // A comment may say F10 and KeyCode::Esc.
        let c = '"';
        let hint = "press F10 for the axes";
        let raw = r#"Ctrl+Q quits"#;
        let fine = "Fine: F-keys, Enterprise, an Endpoint, 'q'";
        if key.code == KeyCode::Esc {}
    "##;
    let literals = string_literals(sample);
    let named: Vec<Vec<String>> = literals.iter().map(|l| key_names(l)).collect();
    assert_eq!(
        named,
        [vec!["F10".to_string()], vec!["Ctrl+".to_string()], vec![]],
        "{literals:?}"
    );
    assert_eq!(key_matches(sample), ["if key.code == KeyCode::Esc {}"]);
}

#[test]
fn keys_are_matched_only_in_the_keymap() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/tui");
    let mut outside = Vec::new();
    for file in rust_files(&root) {
        if file.ends_with("keymap.rs") {
            continue;
        }
        let text = std::fs::read_to_string(&file).unwrap();
        for m in key_matches(&text) {
            outside.push(format!("{}: {m}", file.display()));
        }
    }
    assert!(
        outside.is_empty(),
        "keys matched outside src/tui/keymap.rs:\n{}",
        outside.join("\n")
    );
}

#[test]
fn no_key_name_is_written_into_the_screens_text() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/tui/ui");
    let mut named = Vec::new();
    for file in rust_files(&root) {
        let text = std::fs::read_to_string(&file).unwrap();
        for lit in string_literals(&text) {
            let keys = key_names(&lit);
            if !keys.is_empty() {
                named.push(format!("{}: {lit:?} names {keys:?}", file.display()));
            }
        }
    }
    assert!(
        named.is_empty(),
        "key names written into text (use keymap::key_label):\n{}",
        named.join("\n")
    );
}
