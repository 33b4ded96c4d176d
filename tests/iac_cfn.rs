//! CloudFormation templates read into an inventory: the public templates of the shared
//! corpus (every file opens; a per-file count of principals, policies by kind and notes
//! is checked in as `tests/iac_cfn_corpus.txt`, so that a regression shows), positions
//! that point at the policy text, and the fixtures under `tests/fixtures/iac/`.

use iamtrace::iac::cfn::{self, CfnOptions, Template};
use iamtrace::iac::{Document, Inventory, PrincipalKind};
use iamtrace::policy::PolicyKind;
use iamtrace::policy::{ParseContext, parse_policy_node};
use std::path::PathBuf;

/// The shared corpus of templates, if present.
fn corpus() -> Option<PathBuf> {
    let candidates = [
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/corpora/iac/cloudformation"),
        PathBuf::from("/work/shared/corpora/iac/cloudformation"),
    ];
    let found = candidates.into_iter().find(|p| p.is_dir());
    if found.is_none() {
        println!("skipped: the shared corpus (../shared/corpora/iac/cloudformation) is absent");
    }
    found
}

fn fixture(name: &str) -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/iac")
        .join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn read(text: &str) -> Template {
    match cfn::read(text, &CfnOptions::default()) {
        Ok(t) => t,
        Err(e) => panic!("{e:?}"),
    }
}

/// The policy errors of every inline document, parsed as its kind.
fn policy_errors(inv: &Inventory) -> Vec<String> {
    let mut out = Vec::new();
    for p in &inv.policies {
        if let Document::Inline(node) = &p.document {
            let ctx = ParseContext {
                kind: p.kind,
                resource_implied: p.trust,
            };
            let mut errors = Vec::new();
            parse_policy_node(node, ctx, &mut errors);
            // Placeholders where the parser wants an ARN or a principal are the
            // engine's side (how placeholders are read), not the template reader's.
            errors.retain(|e| !iamtrace::iac::placeholder::contains(&e.message));
            out.extend(
                errors
                    .iter()
                    .map(|e| format!("{} {}:{} {}", p.name, e.span.line, e.span.column, e.message)),
            );
        }
    }
    out
}

/// One line per file: what was found.
fn summary(inv: &Inventory) -> String {
    let count = |k: PrincipalKind| inv.principals.iter().filter(|p| p.kind == k).count();
    let kinds = |k: PolicyKind| inv.policies.iter().filter(|p| p.kind == k).count();
    let trust = inv.policies.iter().filter(|p| p.trust).count();
    let managed = inv
        .policies
        .iter()
        .filter(|p| matches!(p.document, Document::Managed { .. }))
        .count();
    let unknown = inv
        .policies
        .iter()
        .filter(|p| matches!(p.document, Document::Unknown { .. }))
        .count();
    format!(
        "users {} roles {} groups {} | identity {} resource {} (trust {trust}) boundary {} scp {} rcp {} | managed {managed} unknown {unknown} | notes {} | policy errors {}",
        count(PrincipalKind::User),
        count(PrincipalKind::Role),
        count(PrincipalKind::Group),
        kinds(PolicyKind::Identity),
        kinds(PolicyKind::Resource),
        kinds(PolicyKind::Boundary),
        kinds(PolicyKind::Scp),
        kinds(PolicyKind::Rcp),
        inv.notes.len(),
        policy_errors(inv).len(),
    )
}

#[test]
fn every_corpus_template_opens_and_the_counts_hold() {
    let Some(dir) = corpus() else { return };
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .map(|d| d.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    files.sort();
    let mut lines = Vec::new();
    for path in files {
        let name = path
            .file_name()
            .unwrap_or_default()
            .to_string_lossy()
            .to_string();
        let Ok(text) = std::fs::read_to_string(&path) else {
            continue;
        };
        let line = match cfn::read(&text, &CfnOptions::default()) {
            Ok(t) => summary(&t.inventory),
            Err(e) => format!(
                "ERROR {}",
                e.iter()
                    .map(|d| format!("{}:{} {}", d.span.line, d.span.column, d.message))
                    .collect::<Vec<_>>()
                    .join("; ")
            ),
        };
        lines.push(format!("{name}\n    {line}"));
    }
    let got = lines.join("\n") + "\n";
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/iac_cfn_corpus.txt");
    if std::env::var_os("IAMTRACE_BLESS").is_some() {
        std::fs::write(&path, &got).unwrap_or_else(|e| panic!("{e}"));
    }
    let want = std::fs::read_to_string(&path).unwrap_or_default();
    assert_eq!(
        got, want,
        "the per-file counts changed; run with IAMTRACE_BLESS=1 to accept after checking"
    );
}
