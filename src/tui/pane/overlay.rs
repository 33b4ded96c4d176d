//! What is drawn over the panes — help, questions, prompts, the principal picker, the
//! list of actions a pattern matches — and what their keys do. The overlay's state is
//! the [`Mode`]; an answer gives the next mode and the [`Effect`]s it asks for, so an
//! overlay never saves, deletes or loads anything itself.

use super::Effect;
use crate::save::Refusal;
use crate::tui::action::Action;
use crate::tui::app::Mode;
use crate::tui::saving::{SaveJob, Target};
use std::path::PathBuf;

/// Carries out `action` in `mode`: the mode that follows and what to do. `choices` is
/// how many entries the principal picker has; `fresh` says the prompt still shows its
/// suggested text (the first key replaces it, as a selection would).
pub fn handle(mode: Mode, action: Action, choices: usize, fresh: &mut bool) -> (Mode, Vec<Effect>) {
    let none = Vec::new();
    match mode {
        Mode::Normal => (Mode::Normal, none),
        Mode::Help => match action {
            Action::Cancel | Action::ToggleHelp => (Mode::Normal, none),
            _ => (Mode::Help, none),
        },
        Mode::About => match action {
            Action::Cancel | Action::ToggleHelp | Action::About => (Mode::Normal, none),
            _ => (Mode::About, none),
        },
        Mode::Expansion(pattern, items, first) => match action {
            Action::Up => (
                Mode::Expansion(pattern, items, first.saturating_sub(1)),
                none,
            ),
            Action::Down => {
                let last = items.len().saturating_sub(1);
                (Mode::Expansion(pattern, items, (first + 1).min(last)), none)
            }
            Action::Cancel | Action::Confirm => (Mode::Normal, none),
            _ => (Mode::Expansion(pattern, items, first), none),
        },
        Mode::PickPrincipal(selected) => match action {
            Action::Up => (Mode::PickPrincipal(selected.saturating_sub(1)), none),
            Action::Down => {
                let last = choices.saturating_sub(1);
                (Mode::PickPrincipal((selected + 1).min(last)), none)
            }
            // The picker stays (with the error) when the choice cannot be assembled.
            Action::Confirm => (
                Mode::PickPrincipal(selected),
                vec![Effect::LoadPrincipal(selected)],
            ),
            // Nothing is loaded yet: closing the picker ends the program.
            Action::Cancel => (Mode::PickPrincipal(selected), vec![Effect::Quit]),
            _ => (Mode::PickPrincipal(selected), none),
        },
        Mode::Lessons(selected) => match action {
            Action::Up => (Mode::Lessons(selected.saturating_sub(1)), none),
            Action::Down => {
                let last = crate::learn::builtin::LESSONS.len().saturating_sub(1);
                (Mode::Lessons((selected + 1).min(last)), none)
            }
            Action::Confirm => (Mode::Normal, vec![Effect::ChooseLesson(selected)]),
            Action::Cancel => (Mode::Normal, none),
            _ => (Mode::Lessons(selected), none),
        },
        Mode::ConfirmLeaveLesson(target) => match action {
            Action::Yes => (Mode::Normal, vec![Effect::OpenLesson(target)]),
            Action::No | Action::Cancel => (Mode::Normal, none),
            _ => (Mode::ConfirmLeaveLesson(target), none),
        },
        Mode::ConfirmRestore(path) => match action {
            Action::Yes => (Mode::Normal, vec![Effect::Restore(path)]),
            // Only an explicit no deletes the file: Esc just puts the question away,
            // and the file is offered again next time.
            Action::No => (Mode::Normal, vec![Effect::DeleteFile(path)]),
            Action::Cancel => (Mode::Normal, vec![Effect::KeepFile(path)]),
            _ => (Mode::ConfirmRestore(path), none),
        },
        Mode::ConfirmTempFile(path, rest) => match action {
            // Opened as unsaved edits, as a recovery file is: removed once saved.
            Action::Yes => (
                Mode::Normal,
                vec![Effect::Restore(path), Effect::AlsoKept(rest)],
            ),
            Action::No => (
                Mode::Normal,
                vec![Effect::DeleteFile(path), Effect::OfferLeftovers(rest)],
            ),
            Action::Cancel => (
                Mode::Normal,
                vec![Effect::KeepFile(path), Effect::OfferLeftovers(rest)],
            ),
            _ => (Mode::ConfirmTempFile(path, rest), none),
        },
        Mode::ConfirmQuit => match action {
            Action::Yes => (Mode::ConfirmQuit, vec![Effect::QuitDiscarding]),
            Action::Cancel | Action::No => (Mode::Normal, none),
            _ => (Mode::ConfirmQuit, none),
        },
        Mode::ConfirmDelete => match action {
            Action::Yes => (Mode::Normal, vec![Effect::DeletePolicy]),
            Action::Cancel | Action::No => (Mode::Normal, none),
            _ => (Mode::ConfirmDelete, none),
        },
        Mode::NewRequest(selected) => match action {
            Action::Up => (Mode::NewRequest(selected.saturating_sub(1)), none),
            Action::Down => {
                let last = choices.saturating_sub(1);
                (Mode::NewRequest((selected + 1).min(last)), none)
            }
            Action::Confirm => (Mode::Normal, vec![Effect::AddRequest(selected)]),
            Action::Cancel => (Mode::Normal, none),
            _ => (Mode::NewRequest(selected), none),
        },
        Mode::ConfirmDeleteRequest => match action {
            Action::Yes => (Mode::Normal, vec![Effect::DeleteRequest]),
            Action::Cancel | Action::No => (Mode::Normal, none),
            _ => (Mode::ConfirmDeleteRequest, none),
        },
        Mode::SaveAs(text) => prompt(text, action, fresh, Mode::SaveAs, |t| {
            let t = t.trim();
            (!t.is_empty()).then(|| Effect::Save(SaveJob::new(PathBuf::from(t), Target::NewName)))
        }),
        Mode::SaveScenarioAs(text) => prompt(text, action, fresh, Mode::SaveScenarioAs, |t| {
            let t = t.trim();
            (!t.is_empty()).then(|| Effect::Save(SaveJob::new(PathBuf::from(t), Target::Scenario)))
        }),
        Mode::ConfirmSave(question) => match action {
            // Not a regular file: yes offers another name rather than writing into it.
            Action::Yes if matches!(question.refusal, Refusal::NotRegular(_)) => {
                *fresh = true;
                (Mode::SaveAs(question.job.path.display().to_string()), none)
            }
            Action::Yes => {
                let mut job = question.job;
                job.allow = job.allow.with(question.refusal);
                (Mode::Normal, vec![Effect::Save(job)])
            }
            Action::No | Action::Cancel => (Mode::Normal, vec![not_saved()]),
            _ => (Mode::ConfirmSave(question), none),
        },
        Mode::ConfirmDraft(about, draft) => match action {
            Action::Yes => (
                Mode::Normal,
                vec![Effect::Save(SaveJob::new(draft, Target::Draft))],
            ),
            Action::No | Action::Cancel => (Mode::Normal, vec![not_saved()]),
            _ => (Mode::ConfirmDraft(about, draft), none),
        },
        Mode::ConfirmOpenDraft(draft) => match action {
            Action::Yes => (Mode::Normal, vec![Effect::OpenDraft(draft)]),
            Action::No | Action::Cancel => (
                Mode::Normal,
                vec![Effect::Message(format!(
                    "opened the file; the draft {} is kept",
                    draft.display()
                ))],
            ),
            _ => (Mode::ConfirmOpenDraft(draft), none),
        },
        Mode::Rename(text) => prompt(text, action, fresh, Mode::Rename, |t| {
            Some(Effect::RenamePolicy(t))
        }),
        Mode::RenameRequest(text) => prompt(text, action, fresh, Mode::RenameRequest, |t| {
            Some(Effect::RenameRequest(t))
        }),
        Mode::Placement(text) => prompt(text, action, fresh, Mode::Placement, |t| {
            Some(Effect::PlacePolicy(t))
        }),
        Mode::Axes(mut picker) => match picker.handle(action) {
            super::axes::Outcome::Open => (Mode::Axes(picker), none),
            super::axes::Outcome::Closed => (Mode::Normal, none),
            super::axes::Outcome::Chosen(axes) => (Mode::Normal, vec![Effect::SetAxes(axes)]),
        },
        Mode::GoTo(text) => prompt(text, action, fresh, Mode::GoTo, |t| Some(Effect::GoTo(t))),
    }
}

/// The answer to a save question that was not yes.
fn not_saved() -> Effect {
    Effect::Message("not saved".into())
}

/// A one-line prompt holding `text`: typing edits it (`again` rebuilds the mode with
/// the new text), Enter gives it to `confirmed`, Esc closes it.
fn prompt(
    mut text: String,
    action: Action,
    fresh: &mut bool,
    again: fn(String) -> Mode,
    confirmed: impl FnOnce(String) -> Option<Effect>,
) -> (Mode, Vec<Effect>) {
    match action {
        Action::Cancel => (Mode::Normal, Vec::new()),
        Action::Confirm => (Mode::Normal, confirmed(text).into_iter().collect()),
        Action::DeleteBack => {
            if std::mem::take(fresh) {
                text.clear();
            } else {
                text.pop();
            }
            (again(text), Vec::new())
        }
        Action::Type(c) => {
            if std::mem::take(fresh) {
                text.clear();
            }
            text.push(c);
            (again(text), Vec::new())
        }
        _ => (again(text), Vec::new()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_no_deletes_a_recovery_file() {
        let p = PathBuf::from("/x/.s.json.iamtrace-recover");
        let ask = || Mode::ConfirmRestore(p.clone());
        let mut fresh = false;
        let (m, e) = handle(ask(), Action::Cancel, 0, &mut fresh);
        assert_eq!((m, e), (Mode::Normal, vec![Effect::KeepFile(p.clone())]));
        let (m, e) = handle(ask(), Action::No, 0, &mut fresh);
        assert_eq!((m, e), (Mode::Normal, vec![Effect::DeleteFile(p.clone())]));
        let (_, e) = handle(ask(), Action::Yes, 0, &mut fresh);
        assert_eq!(e, vec![Effect::Restore(p.clone())]);
        // Other keys leave the question open and do nothing.
        let (m, e) = handle(ask(), Action::Up, 0, &mut fresh);
        assert_eq!((m, e), (ask(), Vec::new()));
    }

    #[test]
    fn a_prompt_replaces_its_suggestion_on_the_first_key_and_saves_on_enter() {
        let mut fresh = true;
        let (m, _) = handle(
            Mode::SaveAs("scenario.json".into()),
            Action::Type('a'),
            0,
            &mut fresh,
        );
        assert_eq!(m, Mode::SaveAs("a".into()));
        assert!(!fresh);
        let (m, _) = handle(m, Action::Type('b'), 0, &mut fresh);
        let (m, _) = handle(m, Action::DeleteBack, 0, &mut fresh);
        let (m, e) = handle(m, Action::Confirm, 0, &mut fresh);
        let job = SaveJob::new("a".into(), Target::NewName);
        assert_eq!((m, e), (Mode::Normal, vec![Effect::Save(job)]));
        // An empty name saves nothing.
        let (_, e) = handle(Mode::SaveAs(" ".into()), Action::Confirm, 0, &mut fresh);
        assert!(e.is_empty());
    }

    #[test]
    fn the_picker_stays_within_its_choices_and_esc_quits() {
        let mut fresh = false;
        let (m, _) = handle(Mode::PickPrincipal(2), Action::Down, 3, &mut fresh);
        assert_eq!(m, Mode::PickPrincipal(2));
        let (m, _) = handle(Mode::PickPrincipal(0), Action::Up, 3, &mut fresh);
        assert_eq!(m, Mode::PickPrincipal(0));
        let (_, e) = handle(Mode::PickPrincipal(1), Action::Confirm, 3, &mut fresh);
        assert_eq!(e, vec![Effect::LoadPrincipal(1)]);
        let (_, e) = handle(Mode::PickPrincipal(1), Action::Cancel, 3, &mut fresh);
        assert_eq!(e, vec![Effect::Quit]);
    }
}
