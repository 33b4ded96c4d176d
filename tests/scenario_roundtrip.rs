//! Saving a scenario and loading it again keeps its meaning: the same requests, the
//! same policies and the same decisions; saving is stable and atomic.

use iamtrace::eval::{Detail, PreparedRequest, evaluate};
use iamtrace::input::{LoadOptions, load_str, load_with};
use iamtrace::scenario::{save_atomic, to_json};
use std::path::{Path, PathBuf};

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).expect("test folder").flatten() {
        let p = e.path();
        if p.is_dir() {
            files(&p, out);
        } else if p.extension().is_some_and(|x| x == "json") {
            out.push(p);
        }
    }
}

#[test]
fn save_then_load_keeps_every_decision() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut all = Vec::new();
    files(&root.join("tests/cases"), &mut all);
    files(&root.join("assets/scenarios"), &mut all);
    assert!(all.len() > 20);
    for file in all {
        let text = std::fs::read_to_string(&file).unwrap();
        // A case's `policiesFrom` is relative to its directory; saved, it is read from
        // there again (the file's policies are not written into the saved scenario).
        let options = LoadOptions {
            path: Some(file.clone()),
            ..Default::default()
        };
        let original =
            load_with(&text, &options).unwrap_or_else(|e| panic!("{}: {:?}", file.display(), e));
        let saved = to_json(&original);
        let reloaded = load_with(&saved, &options).unwrap_or_else(|e| {
            panic!(
                "{}: saved text does not load: {:?}\n{saved}",
                file.display(),
                e
            )
        });
        assert_eq!(
            original.requests.len(),
            reloaded.requests.len(),
            "{}",
            file.display()
        );
        assert_eq!(
            original.set.policies.len(),
            reloaded.set.policies.len(),
            "{}",
            file.display()
        );
        assert_eq!(original.set.scp_levels, reloaded.set.scp_levels);
        assert_eq!(original.set.rcp_levels, reloaded.set.rcp_levels);
        for (a, b) in original.requests.iter().zip(&reloaded.requests) {
            assert_eq!(a.request, b.request, "{}", file.display());
            assert_eq!(a.expect, b.expect);
            assert_eq!(a.via, b.via);
            let da = evaluate(
                &original.set,
                &PreparedRequest::new(&a.request),
                Detail::Decision,
            );
            let db = evaluate(
                &reloaded.set,
                &PreparedRequest::new(&b.request),
                Detail::Decision,
            );
            assert_eq!(da.decision, db.decision, "{}: {:?}", file.display(), a.name);
        }
        // Saving is stable: a second save writes the same text.
        assert_eq!(saved, to_json(&reloaded), "{}", file.display());
    }
}

#[test]
fn invalid_policy_text_is_saved_as_a_string_not_lost() {
    let text = r#"{"policies": {"identity": [{"name": "p", "document": {"Statement": []}}]}, "requests": []}"#;
    let mut s = load_str(text).unwrap();
    s.sources[0].text = "{\"Statement\": [ half-typed".into();
    let saved = to_json(&s);
    assert!(
        saved.contains(r#""document": "{\"Statement\": [ half-typed""#),
        "{saved}"
    );
}

#[test]
fn atomic_save_replaces_the_file_and_leaves_no_temporary() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("scenario.json");
    std::fs::write(&path, "old").unwrap();
    save_atomic(&path, "new contents\n").unwrap();
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "new contents\n");
    let names: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .flatten()
        .map(|e| e.file_name())
        .collect();
    assert_eq!(names.len(), 1, "{names:?}");
}
