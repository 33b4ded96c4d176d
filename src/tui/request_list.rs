//! The scenario's list of requests as the TUI edits it: adding one (blank, a copy, or
//! a copy with a preset), duplicating, renaming, deleting and moving the request
//! shown. Each is one undo step holding the list before and after
//! ([`Change::Requests`]); the `via` links follow: a rename renames them, a delete
//! clears those that named the deleted request (a `via` naming no request would make
//! the saved file fail to load). A trail's requests are its records: these edits are
//! refused there.

use super::action::Action;
use super::app::{App, Focus, Mode};
use super::history::{Change, RequestList};
use super::keymap::{Scope, key_label};
use super::pane::Effect;
use crate::eval::Request;
use crate::scenario::RequestSpec;
use crate::scenario::presets::{self, Preset};

/// What a new request (F4) starts from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NewRequest {
    /// The principal of the request shown; the action and resource to fill in.
    Blank,
    /// A copy of the request shown.
    Copy,
    /// A copy of the request shown with a preset applied.
    Preset(Preset),
}

impl NewRequest {
    /// Every choice, in the order the list shows them.
    pub fn all() -> Vec<NewRequest> {
        let mut all = vec![NewRequest::Blank, NewRequest::Copy];
        all.extend(Preset::ALL.into_iter().map(NewRequest::Preset));
        all
    }

    /// What the list says for it.
    pub fn label(self) -> String {
        match self {
            NewRequest::Blank => {
                "blank: this request's principal, the action and resource to fill in".into()
            }
            NewRequest::Copy => "a copy of this request".into(),
            NewRequest::Preset(p) => format!("a copy, preset: {}", p.label()),
        }
    }
}

/// The message for a structural edit asked for in a trail.
fn refused_in_trail() -> String {
    format!(
        "a trail's requests are its records: none can be added, renamed, deleted or moved here (edit one in the form; {} saves a scenario that can be)",
        key_label(Action::SaveScenarioAs, Scope::Global)
    )
}

/// The 1-based numbers of `indices`, as a list ("2, 3 and 5").
fn numbers(indices: &[usize]) -> String {
    let all: Vec<String> = indices.iter().map(|i| (i + 1).to_string()).collect();
    match all.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} and {last}", rest.join(", ")),
        Some((last, _)) => last.clone(),
        None => String::new(),
    }
}

/// `name` without the " copy" or " copy N" that duplicating added.
fn original_name(name: &str) -> &str {
    let base = match name.rsplit_once(' ') {
        Some((b, n)) if n.bytes().all(|c| c.is_ascii_digit()) && !n.is_empty() => b,
        _ => name,
    };
    match base.strip_suffix(" copy") {
        Some(b) if !b.is_empty() => b,
        _ => name,
    }
}

/// For each request of `new`, the request of `old` with the same content (the one at
/// the same place from either end when there is one, else the first equal one): their
/// evaluations are the same. `None` for a request `old` does not hold.
fn origins(old: &[RequestSpec], new: &[RequestSpec]) -> Vec<Option<usize>> {
    let same = |a: &RequestSpec, b: &RequestSpec| a.request == b.request;
    let prefix = old.iter().zip(new).take_while(|(a, b)| same(a, b)).count();
    let room = old.len().min(new.len()) - prefix;
    let suffix = old
        .iter()
        .rev()
        .zip(new.iter().rev())
        .take(room)
        .take_while(|(a, b)| same(a, b))
        .count();
    let mut out: Vec<Option<usize>> = (0..prefix).map(Some).collect();
    // The part that changed is small (one or two requests): searched for each.
    for r in &new[prefix..new.len() - suffix] {
        let middle = prefix..old.len() - suffix;
        let found = old[middle.clone()]
            .iter()
            .position(|o| same(o, r))
            .map(|k| k + middle.start)
            .or_else(|| old.iter().position(|o| same(o, r)));
        out.push(found);
    }
    out.extend((old.len() - suffix..old.len()).map(Some));
    out
}

impl App {
    /// Carries out an action on the scenario's list of requests; `None` when `action`
    /// is the request form's own.
    pub fn handle_request_list(&mut self, action: Action) -> Option<Vec<Effect>> {
        if !matches!(
            action,
            Action::AddRequest
                | Action::DuplicateRequest
                | Action::RenameRequest
                | Action::DeleteRequest
                | Action::MoveRequestEarlier
                | Action::MoveRequestLater
        ) {
            return None;
        }
        if self.trail.is_some() {
            return Some(vec![Effect::Message(refused_in_trail())]);
        }
        if self
            .learning
            .lesson
            .as_ref()
            .is_some_and(|l| l.next_prediction().is_some())
        {
            // The requests to predict are known by their place.
            return Some(vec![Effect::Message(super::lesson::PREDICT_FIRST.into())]);
        }
        let n = self.scenario.requests.len();
        Some(match action {
            Action::AddRequest => vec![Effect::Overlay(Mode::NewRequest(0))],
            Action::DuplicateRequest => {
                self.add_request(NewRequest::Copy);
                vec![Effect::Evaluate]
            }
            Action::RenameRequest if self.request < n => {
                let name = self.scenario.requests[self.request]
                    .name
                    .clone()
                    .unwrap_or_default();
                vec![Effect::Overlay(Mode::RenameRequest(name))]
            }
            Action::DeleteRequest if n <= 1 => vec![Effect::Message(
                "a scenario keeps at least one request: this one can be edited, not deleted".into(),
            )],
            Action::DeleteRequest => vec![Effect::Overlay(Mode::ConfirmDeleteRequest)],
            Action::MoveRequestEarlier | Action::MoveRequestLater => {
                let later = action == Action::MoveRequestLater;
                if self.move_request(later) {
                    vec![Effect::Evaluate]
                } else {
                    vec![Effect::Message(format!(
                        "request {} is the {} already",
                        self.request + 1,
                        if later { "last" } else { "first" }
                    ))]
                }
            }
            _ => vec![Effect::Message(
                "no request here yet: type one in the form".into(),
            )],
        })
    }

    /// The choices of the new-request list (F4), in order.
    pub fn new_request_choices(&self) -> Vec<NewRequest> {
        NewRequest::all()
    }

    /// The requests and the one shown, for an undo step.
    fn request_list(&self) -> RequestList {
        RequestList {
            requests: self.scenario.requests.clone(),
            current: self.request,
        }
    }

    /// The list of requests changed from `before`: one undo step named `label`, the
    /// results kept for the requests that stay, request `self.request` shown.
    fn requests_changed(&mut self, label: String, before: RequestList) {
        let after = self.request_list();
        if after == before {
            return;
        }
        self.history.record_step(
            label,
            Change::Requests {
                before: Box::new(before.clone()),
                after: Box::new(after),
            },
            std::time::Instant::now(),
        );
        self.follow_requests(&before.requests);
        self.changed();
    }

    /// Puts the list of requests back as `list` was (undo, redo).
    pub fn restore_request_list(&mut self, list: &RequestList) {
        let old = std::mem::replace(&mut self.scenario.requests, list.requests.clone());
        self.request = list.current;
        self.follow_requests(&old);
    }

    /// After the list of requests changed from `old`: the results follow the requests
    /// they belong to, a new request is evaluated under the same (last good) policies
    /// as the others, and the request `self.request` is shown in the form.
    fn follow_requests(&mut self, old: &[RequestSpec]) {
        match &self.set {
            Some(set) if self.results.len() == old.len() => {
                let from = origins(old, &self.scenario.requests);
                self.results = from
                    .iter()
                    .zip(&self.scenario.requests)
                    .map(|(k, r)| match k.and_then(|k| self.results.get(k)) {
                        Some(kept) => kept.clone(),
                        None => super::evaluate::evaluate_one(set, &r.request),
                    })
                    .collect();
            }
            // Nothing evaluated yet: the evaluation that follows fills them.
            _ => self.results.clear(),
        }
        let n = self.scenario.requests.len();
        self.request = self.request.min(n.saturating_sub(1));
        self.select_request(self.request);
        self.focus = Focus::Request;
    }

    /// `wanted`, or `wanted 2`, `wanted 3`, … when another request has that name
    /// (requests are picked by name: names are unique).
    fn free_name(&self, wanted: &str) -> String {
        let taken = |n: &str| {
            self.scenario
                .requests
                .iter()
                .any(|r| r.name.as_deref() == Some(n))
        };
        if !taken(wanted) {
            return wanted.to_string();
        }
        (2..)
            .map(|k| format!("{wanted} {k}"))
            .find(|n| !taken(n))
            .unwrap_or_default()
    }

    /// Adds a request of `kind` after the one shown and shows it: one undo step.
    pub fn add_request(&mut self, kind: NewRequest) {
        let before = self.request_list();
        let base = match self.scenario.requests.get(self.request) {
            Some(r) => r.clone(),
            // No request yet: the form's is the one to start from.
            None => RequestSpec {
                name: None,
                via: None,
                request: self.form.to_request(),
                expect: None,
                span: Default::default(),
                notes: Vec::new(),
            },
        };
        let mut new = RequestSpec {
            span: Default::default(),
            ..base.clone()
        };
        match kind {
            NewRequest::Blank => {
                new = RequestSpec {
                    name: None,
                    via: None,
                    request: Request {
                        principal: base.request.principal.clone(),
                        ..Default::default()
                    },
                    expect: None,
                    span: Default::default(),
                    notes: Vec::new(),
                };
            }
            NewRequest::Copy => {
                // A copy of a copy is "X copy 2", not "X copy copy".
                new.name = base
                    .name
                    .as_ref()
                    .map(|n| self.free_name(&format!("{} copy", original_name(n))));
            }
            NewRequest::Preset(p) => {
                presets::apply(p, &mut new.request, &self.preset_values);
                new.name = base
                    .name
                    .as_ref()
                    .map(|n| self.free_name(&format!("{n} ({})", p.label())));
                // The decision expected was the original's, in its context.
                new.expect = None;
            }
        }
        let at = if self.scenario.requests.is_empty() {
            0
        } else {
            self.request + 1
        };
        self.scenario.requests.insert(at, new);
        self.request = at;
        let label = match kind {
            NewRequest::Blank => format!("adding request {}", at + 1),
            NewRequest::Copy => format!("duplicating request {}", before.current + 1),
            NewRequest::Preset(p) => format!("adding request {} ({})", at + 1, p.label()),
        };
        self.requests_changed(label.clone(), before);
        if kind == NewRequest::Blank {
            // The action is what to type first.
            self.form.selected = 1;
            self.form.cursor = 0;
            self.message = Some(format!(
                "added request {}: type its action and resource ({} completes them)",
                at + 1,
                key_label(Action::Complete, Scope::Request)
            ));
        } else {
            self.message = Some(label);
        }
    }

    /// Renames the request shown (an empty name removes it); the `via` of the requests
    /// that named it follows. Refused when another request has the name, or when
    /// removing the name would leave a `via` naming nothing.
    pub fn rename_request(&mut self, name: &str) {
        let i = self.request;
        let Some(old) = self.scenario.requests.get(i).map(|r| r.name.clone()) else {
            return;
        };
        let name = name.trim();
        let new = (!name.is_empty()).then(|| name.to_string());
        if new == old {
            return;
        }
        if let Some(n) = &new {
            if let Some(j) = self
                .scenario
                .requests
                .iter()
                .position(|r| r.name.as_deref() == Some(n))
            {
                self.message = Some(format!(
                    "request {} is already named \"{n}\": requests are picked by name, so names are unique",
                    j + 1
                ));
                return;
            }
        }
        let callers: Vec<usize> = match &old {
            Some(o) => self
                .scenario
                .requests
                .iter()
                .enumerate()
                .filter(|(_, r)| r.via.as_ref() == Some(o))
                .map(|(j, _)| j)
                .collect(),
            None => Vec::new(),
        };
        if new.is_none() && !callers.is_empty() {
            self.message = Some(format!(
                "request {} names this one in via: it keeps a name (rename it instead)",
                numbers(&callers)
            ));
            return;
        }
        let before = self.request_list();
        self.scenario.requests[i].name.clone_from(&new);
        for &j in &callers {
            self.scenario.requests[j].via.clone_from(&new);
        }
        let label = format!("renaming request {}", i + 1);
        self.requests_changed(label.clone(), before);
        self.message = Some(if callers.is_empty() {
            label
        } else {
            format!("{label}; the via of request {} follows", numbers(&callers))
        });
    }

    /// The requests whose `via` names request `i`.
    pub fn callers_of(&self, i: usize) -> Vec<usize> {
        let Some(name) = self.scenario.requests.get(i).and_then(|r| r.name.as_ref()) else {
            return Vec::new();
        };
        self.scenario
            .requests
            .iter()
            .enumerate()
            .filter(|(j, r)| *j != i && r.via.as_ref() == Some(name))
            .map(|(j, _)| j)
            .collect()
    }

    /// Deletes the request shown (never the last one); the `via` of the requests that
    /// named it is cleared, as a `via` naming no request does not load.
    pub fn delete_request(&mut self) {
        let i = self.request;
        let n = self.scenario.requests.len();
        if n <= 1 || i >= n {
            return;
        }
        let before = self.request_list();
        let callers = self.callers_of(i);
        for &j in &callers {
            self.scenario.requests[j].via = None;
        }
        let gone = self.scenario.requests.remove(i);
        self.request = i.min(n - 2);
        let label = format!("deleting request {} ({})", i + 1, gone.label(i));
        self.requests_changed(label.clone(), before);
        self.message = Some(if callers.is_empty() {
            label
        } else {
            format!(
                "{label}; the via of request {} named it and is cleared",
                numbers(&callers)
            )
        });
    }

    /// Moves the request shown one place earlier or `later`. False when it is at that
    /// end already.
    pub fn move_request(&mut self, later: bool) -> bool {
        let i = self.request;
        let n = self.scenario.requests.len();
        let j = if later { i + 1 } else { i.wrapping_sub(1) };
        if i >= n || j >= n {
            return false;
        }
        let before = self.request_list();
        self.scenario.requests.swap(i, j);
        self.request = j;
        let label = format!("moving request {} to place {}", i + 1, j + 1);
        self.requests_changed(label.clone(), before);
        self.message = Some(label);
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(action: &str) -> RequestSpec {
        RequestSpec {
            name: None,
            via: None,
            request: Request {
                action: action.into(),
                ..Default::default()
            },
            expect: None,
            span: Default::default(),
            notes: Vec::new(),
        }
    }

    #[test]
    fn origins_follow_inserts_deletes_and_swaps() {
        let old: Vec<RequestSpec> = ["a:A", "a:B", "a:C"].map(spec).to_vec();
        let swap: Vec<RequestSpec> = ["a:B", "a:A", "a:C"].map(spec).to_vec();
        assert_eq!(origins(&old, &swap), [Some(1), Some(0), Some(2)]);
        let deleted: Vec<RequestSpec> = ["a:A", "a:C"].map(spec).to_vec();
        assert_eq!(origins(&old, &deleted), [Some(0), Some(2)]);
        let copied: Vec<RequestSpec> = ["a:A", "a:A", "a:B", "a:C"].map(spec).to_vec();
        assert_eq!(origins(&old, &copied), [Some(0), Some(0), Some(1), Some(2)]);
        let new: Vec<RequestSpec> = ["a:A", "x:New", "a:B", "a:C"].map(spec).to_vec();
        assert_eq!(origins(&old, &new), [Some(0), None, Some(1), Some(2)]);
        assert_eq!(numbers(&[1, 2, 4]), "2, 3 and 5");
        assert_eq!(numbers(&[0]), "1");
        assert_eq!(original_name("x copy 3"), "x");
        assert_eq!(original_name("x copy"), "x");
        assert_eq!(original_name("route 53"), "route 53");
        assert_eq!(original_name("copy"), "copy");
    }
}
