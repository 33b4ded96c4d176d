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
use std::path::PathBuf;

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

    /// What Ctrl+S writes into a template: its text with the edited documents in
    /// their places.
    pub(super) fn template_to_save(&self, file: &OpenedFile) -> Result<ToSave, String> {
        let (text, _) =
            crate::scenario::splice::splice_template(&file.text, &file.loaded, &self.scenario)?;
        let mut notes = Vec::new();
        if let Some((i, _)) = self.errors.iter().enumerate().find(|(_, e)| !e.is_empty()) {
            notes.push(format!(
                "saved as typed: \"{}\" does not parse yet",
                self.policy_name(i)
            ));
        }
        if self.scenario.requests != file.loaded.requests {
            notes.push(
                "the requests are not part of the template: they stay unsaved (a scenario file can keep them)"
                    .into(),
            );
        }
        Ok(ToSave {
            text,
            note: (!notes.is_empty()).then(|| notes.join("; ")),
            in_place: true,
        })
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
            for ((src, at), e) in self
                .scenario
                .sources
                .iter_mut()
                .zip(places)
                .zip(self.policies.editors.iter_mut())
            {
                src.at = at;
                e.set_first_line(crate::scenario::splice::first_line(src));
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
        let loaded =
            crate::input::iac::load_for_editing(Kind::CloudFormation, text, &options).ok()?;
        Some(App::for_template(
            Kind::CloudFormation,
            text.to_string(),
            loaded,
            self.path.clone(),
            options,
        ))
    }
}

fn read_only(name: &str) -> String {
    format!(
        "\"{name}\" is not written in the file (an AWS managed policy, or built from a Lambda permission): read-only"
    )
}
