//! Templates and plans in the TUI. A CloudFormation template opens as one principal's
//! scenario (chosen in the picker, or with `--principal`): each of the template's own
//! policy documents in an editor, on the template's lines and columns, as written (YAML
//! or JSON, short-form tags and intrinsic functions included), evaluated again on every
//! keystroke with the template around it; Ctrl+S writes the edited documents back into
//! the template, every other byte as it was. What the template does not write (an AWS
//! managed policy it attaches, the statement a Lambda permission adds) is shown as JSON
//! and read-only. A Terraform plan opens the same way, its documents decoded from the
//! plan's strings, to try changes on: nothing is written back into a plan (saving asks
//! for a scenario file's name).

use super::app::{App, Picker};
use super::file::{OpenedFile, Shape, ToSave};
use crate::iac::PrincipalKind;
use crate::input::{Kind, LoadOptions, Loaded, PrincipalChoice};
use crate::scenario::DocumentForm;
use std::path::{Path, PathBuf};

/// The users and roles of a template or plan `text` of `kind`, as the picker offers
/// them (the role's or user's ARN, placeholders and all, chooses it); `None` when the
/// file does not read.
pub fn choices(kind: Kind, text: &str, options: &LoadOptions) -> Option<Vec<PrincipalChoice>> {
    let inventory = crate::input::iac::inventory(kind, text, options).ok()?;
    Some(
        inventory
            .principals
            .iter()
            .filter(|p| p.kind != PrincipalKind::Group)
            .map(|p| {
                let attached: Vec<_> = inventory.attached(&p.id).collect();
                let boundary = attached
                    .iter()
                    .any(|f| f.kind == crate::policy::PolicyKind::Boundary);
                let policies = attached.len() - usize::from(boundary);
                let mut summary = format!(
                    "{policies} {}",
                    if policies == 1 { "policy" } else { "policies" }
                );
                if boundary {
                    summary.push_str(", boundary");
                }
                if let Some(n) = p.name.as_ref().filter(|n| **n != p.id) {
                    summary.push_str(&format!(", named {n}"));
                }
                PrincipalChoice {
                    kind: match p.kind {
                        PrincipalKind::User => "user",
                        _ => "role",
                    },
                    name: p.id.clone(),
                    arn: p.arn.clone(),
                    summary,
                }
            })
            .collect(),
    )
}

impl App {
    /// The TUI on a template or plan `text` (of `kind`, from `path`, shown as
    /// `shown`) read as `loaded` by [`crate::input::iac::load_for_editing`] with
    /// `options`: a template is saved back into its file, a plan never is.
    pub fn for_template(
        kind: Kind,
        text: String,
        loaded: Loaded,
        path: Option<PathBuf>,
        options: LoadOptions,
    ) -> App {
        let mut scenario = loaded.scenario;
        if !loaded.notes.is_empty() && scenario.description.is_none() {
            scenario.description = Some(format!(
                "Read with {}: {}",
                if loaded.notes.len() == 1 {
                    "one warning"
                } else {
                    "warnings"
                },
                loaded.notes.join("; ")
            ));
        }
        let template = kind == Kind::CloudFormation;
        let mut app = App::new(scenario, path.filter(|_| template));
        if template {
            app = app.with_file(text, Shape::Template);
            if let Some(f) = &mut app.file {
                f.options = Some(options);
            }
        }
        let first = app
            .scenario
            .sources
            .iter()
            .position(|s| s.form.editable())
            .unwrap_or(0);
        app.policies.current = first;
        app.message = Some(match (template, loaded.notes.len()) {
            (true, 0) => {
                "the template's policies as written: Ctrl+S saves them back into it".into()
            }
            (true, n) => format!(
                "the template's policies as written: Ctrl+S saves them back into it; {n} {} (Ctrl+O)",
                if n == 1 { "warning" } else { "warnings" }
            ),
            (false, _) => {
                "a plan is read-only: edits here are what-ifs, saved only as a new scenario file"
                    .into()
            }
        });
        app
    }

    /// The picker over a template's or plan's users and roles (`path` is the file's,
    /// for saving a template back).
    pub fn pick_from_template(
        kind: Kind,
        text: String,
        shown: String,
        choices: Vec<PrincipalChoice>,
        path: Option<PathBuf>,
        options: LoadOptions,
    ) -> App {
        let mut app = App::pick_principal(text, shown, choices);
        if let Some(p) = &mut app.picker {
            p.template = Some((kind, path, options));
        }
        app
    }

    /// Opens the template's or plan's scenario of `choice` (from the picker).
    pub(super) fn choose_template_principal(&mut self, index: usize) {
        let Some(picker) = &mut self.picker else {
            return;
        };
        let (Some(choice), Some((kind, path, options))) =
            (picker.choices.get(index), picker.template.clone())
        else {
            return;
        };
        let options = LoadOptions {
            principal: Some(choice.arn.clone()),
            ..options
        };
        match crate::input::iac::load_for_editing(kind, &picker.text, &options) {
            Ok(loaded) => {
                let Picker { text, .. } = self.picker.take().unwrap_or_else(|| unreachable!());
                let test_panic = self.test_panic;
                let origin = std::mem::replace(&mut self.origin, super::recover::Origin::Unnamed);
                let disk = self.disk.take();
                *self = App::for_template(kind, text, loaded, path, options);
                self.test_panic = test_panic;
                self.origin = origin;
                self.disk = disk.or(self.disk.take());
                // What an earlier session left of this file is offered now that the
                // file is open (the picker was in the way at start).
                self.check_leftovers();
            }
            Err(e) => {
                picker.error = e
                    .diagnostics
                    .first()
                    .map(|d| format!("{}:{}", picker.shown, e.source_map.describe(d)));
            }
        }
    }

    /// Why policy `pi`'s text cannot be changed by a tool (a fix, a suggestion,
    /// pretty-printing): a derived document is read-only, and a template's is written
    /// in the template's own layout, which those edits do not know.
    pub fn tool_edit_refused(&self, pi: usize) -> Option<String> {
        let src = self.scenario.sources.get(pi)?;
        let name = self.policy_name(pi);
        match src.form {
            DocumentForm::Derived => Some(read_only(&name)),
            DocumentForm::Template => Some(format!(
                "\"{name}\" is written in the template's own layout: edit it by hand (this edit is made for JSON policy text)"
            )),
            _ => None,
        }
    }

    /// Why the list of policies cannot change: a template's policies are the
    /// template's (adding, deleting, renaming or placing one is an edit of its
    /// resources).
    pub fn policy_list_fixed(&self) -> Option<String> {
        self.scenario.template.as_ref().map(|_| {
            "the template decides its policies and where they apply: edit its resources to add, remove or move one".to_string()
        })
    }

    /// Typing in a read-only policy: the editor is put back, and the status says why.
    /// True when it was refused.
    pub(super) fn refuse_read_only_edit(&mut self) -> bool {
        let pi = self.policies.current;
        let Some(src) = self.scenario.sources.get(pi).filter(|s| !s.form.editable()) else {
            return false;
        };
        let text = src.text.clone();
        if let Some(e) = self.policies.editors.get_mut(pi) {
            let (line, column) = e.cursor();
            e.set_text(&text, 0);
            e.jump(line, column);
        }
        self.message = Some(read_only(&self.policy_name(pi)));
        true
    }

    /// Policy `pi`'s text given to every other policy that is the same document of
    /// the template (a bucket policy on the bucket and on its objects, a managed policy
    /// that is also a boundary, a queue policy on several queues): one document, one
    /// text, evaluated and saved alike.
    pub fn mirror_shared(&mut self, pi: usize) {
        let Some(src) = self.scenario.sources.get(pi) else {
            return;
        };
        if src.form != DocumentForm::Template || src.at.is_none() {
            return;
        }
        let (at, text) = (src.at, src.text.clone());
        for j in 0..self.scenario.sources.len() {
            let other = &mut self.scenario.sources[j];
            if j == pi || other.form != DocumentForm::Template || other.at != at {
                continue;
            }
            if other.text != text {
                other.text = text.clone();
                if let Some(e) = self.policies.editors.get_mut(j) {
                    let (line, column) = e.cursor();
                    e.set_text(&text, 0);
                    e.jump(line, column);
                }
            }
        }
    }

    /// What Ctrl+S writes into a template: its text with the edited documents in
    /// their places.
    pub(super) fn template_to_save(&self, file: &OpenedFile) -> Result<ToSave, String> {
        let (text, _) =
            crate::scenario::splice::splice_template(&file.text, &file.loaded, &self.scenario)?;
        let mut notes = Vec::new();
        let (_, errors) = crate::scenario::compile_sources(&self.scenario);
        match errors.iter().position(|e| !e.is_empty()) {
            Some(i) => notes.push(format!(
                "saved as typed: \"{}\" does not parse yet",
                self.policy_name(i)
            )),
            // What is written must read back as what was evaluated.
            None => self.reads_back(file, &text)?,
        }
        if self.scenario.requests != file.loaded.requests {
            notes.push(
                "the requests are not part of the template: they stay unsaved (Ctrl+E writes them in a scenario file that takes its policies from the template)"
                    .into(),
            );
        }
        Ok(ToSave {
            text,
            note: (!notes.is_empty()).then(|| notes.join("; ")),
            in_place: true,
        })
    }

    /// The scenario file Ctrl+E writes at `path` for this template's session: the
    /// requests (with their expected decisions), and the principal's policies taken
    /// from the template (`policiesFrom`: the template's path relative to the scenario
    /// file, the principal's logical ID, the parameters given), so that `iamtrace eval`
    /// checks the template's policies on them in CI. `Err` says why it cannot.
    pub(super) fn template_scenario_text(&self, path: &Path) -> Result<String, String> {
        let file = self
            .file
            .as_ref()
            .filter(|f| f.shape == Shape::Template)
            .ok_or("only a template's session is saved this way")?;
        let template = self
            .path
            .as_deref()
            .ok_or("the template has no file name yet: save it first (Ctrl+Alt+S)")?;
        let options = file.options.clone().unwrap_or_default();
        let key = options.principal.clone().unwrap_or_default();
        // The logical ID names the principal steadily (its ARN may hold placeholders).
        let principal = crate::input::iac::inventory(Kind::CloudFormation, &file.text, &options)
            .ok()
            .and_then(|inv| inv.principal(&key).map(|p| p.id.clone()))
            .unwrap_or(key);
        let mut entry = String::from("{\"file\": ");
        crate::json::write_string(&relative_to(template, path), &mut entry);
        entry.push_str(", \"principal\": ");
        crate::json::write_string(&principal, &mut entry);
        if !options.parameters.is_empty() {
            entry.push_str(", \"parameters\": {");
            for (i, (k, v)) in options.parameters.iter().enumerate() {
                if i > 0 {
                    entry.push_str(", ");
                }
                crate::json::write_string(k, &mut entry);
                entry.push_str(": ");
                crate::json::write_string(v, &mut entry);
            }
            entry.push('}');
        }
        entry.push('}');
        let mut source_map = crate::source::SourceMap::default();
        source_map.add_file(crate::source::IncludedFile {
            path: template.display().to_string(),
            entry,
            named_at: crate::iac::assemble::FILE_START,
            added_levels: Default::default(),
        });
        let scenario = crate::scenario::Scenario {
            name: self.scenario.name.clone(),
            description: None,
            sources: Vec::new(),
            set: crate::policy::PolicySet::new(),
            requests: self.scenario.requests.clone(),
            source_map,
            template: None,
        };
        Ok(crate::scenario::to_json(&scenario))
    }

    /// Ctrl+E in a template's session: writes [`Self::template_scenario_text`] to
    /// the file `job` names (asking before replacing one); the template stays open,
    /// its own edits as they were.
    pub(super) fn save_template_scenario(&mut self, job: super::saving::SaveJob) {
        use crate::save::{Expect, Outcome, save};
        let text = match self.template_scenario_text(&job.path) {
            Ok(t) => t,
            Err(why) => {
                self.message = Some(format!("could not save {}: {why}", job.path.display()));
                return;
            }
        };
        match save(&job.path, text.as_bytes(), Expect::Absent, job.allow) {
            Ok(Outcome::Saved(_)) => {
                self.message = Some(format!(
                    "saved {}: the requests, with the policies taken from the template (policiesFrom); `iamtrace eval {}` checks them",
                    job.path.display(),
                    job.path.display()
                ));
            }
            Ok(Outcome::Ask(refusal)) => {
                self.mode =
                    super::app::Mode::ConfirmSave(super::saving::SaveQuestion { job, refusal });
            }
            Err(e) => self.message = Some(format!("could not save {}: {e}", job.path.display())),
        }
    }

    /// `Ok` when `text`, the template as saving would write it, reads back with each
    /// of its documents as the editors hold them; else why not (the template no longer
    /// reads, or a document would be read short or long: a YAML alias or a line left of
    /// the document's column).
    fn reads_back(&self, file: &OpenedFile, text: &str) -> Result<(), String> {
        let options = file.options.clone().unwrap_or_default();
        let again = crate::input::iac::load_for_editing(Kind::CloudFormation, text, &options)
            .map_err(|e| {
                let first = e
                    .diagnostics
                    .first()
                    .map(|d| format!("{}:{}: {}", d.span.line, d.span.column, d.message));
                format!(
                    "not saved: with these edits the template does not read ({})",
                    first.unwrap_or_default()
                )
            })?;
        if again.scenario.sources.len() != self.scenario.sources.len() {
            return Err("not saved: with these edits the template has other policies".into());
        }
        for (i, (now, read)) in self
            .scenario
            .sources
            .iter()
            .zip(&again.scenario.sources)
            .enumerate()
        {
            if now.form != DocumentForm::Template {
                continue;
            }
            let Some(at) = now.at else { continue };
            let written = crate::scenario::splice::template_document_text(&file.text, at, now);
            let back = read.at.and_then(|at| text.get(at.range()));
            if !back.is_some_and(|back| same_document(&written, back)) {
                return Err(format!(
                    "not saved: \"{}\" would not read back from the template as it is edited (is every line indented under its first?)",
                    self.policy_name(i)
                ));
            }
        }
        Ok(())
    }

    /// Takes note that `saved` is the template's text now: each policy's place in it,
    /// and the template its documents are read with.
    pub(super) fn template_saved(&mut self, saved: &ToSave) {
        let Some(file) = &mut self.file else {
            return;
        };
        if let Ok((_, places)) =
            crate::scenario::splice::splice_template(&file.text, &file.loaded, &self.scenario)
        {
            for (i, at) in places.into_iter().enumerate() {
                let src = &mut self.scenario.sources[i];
                src.at = at;
                // Each document as the template now holds it, on its line's new column
                // (a document before it on the line may have changed length), its lines
                // moved right under its key when they were typed further left.
                let written = at
                    .filter(|_| src.form == DocumentForm::Template)
                    .and_then(|at| saved.text.get(at.range()))
                    .map(|doc| {
                        let pad = crate::scenario::splice::pad(src);
                        format!("{}{}", " ".repeat(pad), doc.replace("\r\n", "\n"))
                    });
                if let Some(text) = written.filter(|t| *t != src.text) {
                    src.text = text;
                    if let Some(e) = self.policies.editors.get_mut(i) {
                        let (line, column) = e.cursor();
                        e.set_text(&src.text, 0);
                        e.jump(line, column);
                    }
                }
                if let Some(e) = self.policies.editors.get_mut(i) {
                    e.set_first_line(crate::scenario::splice::first_line(src));
                }
            }
        }
        let options = file.options.clone().unwrap_or_default();
        let cfn = crate::input::iac::cfn_options(&options);
        // A template saved with a document that does not parse keeps reading the
        // others with the template as it was.
        if let Ok(context) = crate::iac::cfn::fragment::TemplateContext::new(&saved.text, cfn) {
            self.scenario.template = Some(std::sync::Arc::new(context));
        }
        file.loaded = self.scenario.clone();
        file.text = saved.text.clone();
    }

    /// A recovery file's text (the template as saving would write it), restored as
    /// the template's unsaved edits: `None` when it does not read as the template.
    pub(super) fn restore_template(&self, text: &str) -> Option<App> {
        let file = self.file.as_ref().filter(|f| f.shape == Shape::Template)?;
        let options = file.options.clone().unwrap_or_default();
        let read = |t: &str| crate::input::iac::load_for_editing(Kind::CloudFormation, t, &options);
        if let Ok(loaded) = read(text) {
            return Some(App::for_template(
                Kind::CloudFormation,
                text.to_string(),
                loaded,
                self.path.clone(),
                options.clone(),
            ));
        }
        // The recovered template does not read (a document was being typed): its
        // documents are what stands between the parts of the file as it was opened,
        // put in that file's editors.
        let loaded = read(&file.text).ok()?;
        let mut app = App::for_template(
            Kind::CloudFormation,
            file.text.clone(),
            loaded,
            self.path.clone(),
            options.clone(),
        );
        let docs = documents_between(&file.text, &app.scenario.sources, text)?;
        for (i, src) in app.scenario.sources.iter_mut().enumerate() {
            let Some(doc) = src
                .at
                .and_then(|at| docs.iter().find(|(r, _)| *r == at.range()))
            else {
                continue;
            };
            let pad = crate::scenario::splice::pad(src);
            let now = format!("{}{}", " ".repeat(pad), doc.1.replace("\r\n", "\n"));
            if now != src.text {
                src.text = now;
                if let Some(e) = app.policies.editors.get_mut(i) {
                    e.set_text(&src.text, 0);
                }
            }
        }
        app.changed();
        Some(app)
    }
}

/// The documents of `recovered`, the template `original` with its documents (the
/// places of `sources` written as templates) replaced: each place's range in
/// `original` with the text standing there in `recovered`. `None` when `recovered` is
/// not `original` with only those places changed.
fn documents_between(
    original: &str,
    sources: &[crate::scenario::PolicySource],
    recovered: &str,
) -> Option<Vec<(std::ops::Range<usize>, String)>> {
    let mut ranges: Vec<std::ops::Range<usize>> = sources
        .iter()
        .filter(|s| s.form == DocumentForm::Template)
        .filter_map(|s| s.at.map(|a| a.range()))
        .collect();
    ranges.sort_by_key(|r| (r.start, r.end));
    ranges.dedup();
    if ranges.windows(2).any(|w| w[0].end > w[1].start) {
        return None;
    }
    // The parts of the file around the documents, in order.
    let mut parts = Vec::with_capacity(ranges.len() + 1);
    let mut at = 0;
    for r in &ranges {
        parts.push(original.get(at..r.start)?);
        at = r.end;
    }
    parts.push(original.get(at..)?);
    let last = parts.pop()?;
    let body = recovered.strip_suffix(last)?;
    let first = parts.first().copied().unwrap_or_default();
    let mut pos = body.strip_prefix(first).map(|_| first.len())?;
    let mut docs = Vec::with_capacity(ranges.len());
    for (k, r) in ranges.iter().enumerate() {
        let end = match parts.get(k + 1) {
            Some(next) => pos + body.get(pos..)?.find(next)?,
            None => body.len(),
        };
        docs.push((r.clone(), body.get(pos..end)?.to_string()));
        pos = end + parts.get(k + 1).map_or(0, |p| p.len());
    }
    (pos == body.len()).then_some(docs)
}

/// `written` (a document as saved) reads back as `back` (what the template's reader
/// takes for it): the same text, but for blank lines and comments before its first
/// value or after its last, which the reader leaves out of the document.
fn same_document(written: &str, back: &str) -> bool {
    let aside = |t: &str| {
        t.lines()
            .all(|l| l.trim().is_empty() || l.trim_start().starts_with('#'))
    };
    written
        .match_indices(back)
        .any(|(i, _)| aside(&written[..i]) && aside(&written[i + back.len()..]))
}

/// `target` as a scenario file at `from` names it: relative to the scenario file's
/// folder when it is in that folder or below, else as an absolute path.
fn relative_to(target: &Path, from: &Path) -> String {
    let full = |p: &Path| std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf());
    let (target, from) = (full(target), full(from));
    let dir = from.parent().unwrap_or(Path::new("/"));
    match target.strip_prefix(dir) {
        Ok(rel) => rel.display().to_string(),
        Err(_) => target.display().to_string(),
    }
}

fn read_only(name: &str) -> String {
    format!(
        "\"{name}\" is not written in the file (an AWS managed policy, or built from a Lambda permission): read-only"
    )
}
