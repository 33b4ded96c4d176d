//! Reading a lesson file (docs/lessons.md): a JSON object whose `scenario` is an inline
//! scenario (read by the scenario loader, so its errors point into the lesson file),
//! with goals, hints and predictions checked against that scenario. Every problem is
//! reported with its line and column; an unknown key is one (a typo must not pass).

use crate::json::{self, Member, Node, Value};
use crate::scenario::{LoadError, Scenario, display_names, load_tree};
use crate::source::{Diagnostic, SourceMap, Span, did_you_mean};
use crate::trace::Decision;

/// The keys of a lesson object.
const TOP_KEYS: &[&str] = &[
    "title", "read", "source", "task", "scenario", "goals", "hints", "predict",
];
const DECISION_GOAL_KEYS: &[&str] = &["request", "decision"];
const LINT_GOAL_KEYS: &[&str] = &["lint", "gone"];
const HINT_KEYS: &[&str] = &["text", "edit"];
const EDIT_KEYS: &[&str] = &["policy", "before", "after"];
const PREDICT_KEYS: &[&str] = &["request", "answer"];

/// A lesson, loaded and validated.
#[derive(Debug, Clone, PartialEq)]
pub struct Lesson {
    /// One line naming what the lesson teaches.
    pub title: String,
    /// What to read first: a few sentences.
    pub read: String,
    /// The AWS documentation page the lesson follows (a URL).
    pub source: String,
    /// What to do, in one sentence.
    pub task: String,
    /// The policies and requests the learner works on, as shipped.
    pub scenario: Scenario,
    /// What must hold for the lesson to be done.
    pub goals: Vec<Goal>,
    /// Hints in the order they are given; the last one carries the answer's edit.
    pub hints: Vec<Hint>,
    /// Decisions the learner predicts before seeing them.
    pub predict: Vec<Predict>,
}

impl Lesson {
    /// The answer: the last hint's policy edit (validation guarantees there is one).
    pub fn answer(&self) -> Option<&PolicyEdit> {
        self.hints.last().and_then(|h| h.edit.as_ref())
    }
}

/// One goal of a lesson, with where it is written.
#[derive(Debug, Clone, PartialEq)]
pub struct Goal {
    /// What must hold.
    pub kind: GoalKind,
    /// The goal's object in the lesson file.
    pub span: Span,
}

/// What a goal asks for.
#[derive(Debug, Clone, PartialEq)]
pub enum GoalKind {
    /// Request `request` (0-based index into the scenario's requests) is decided so.
    Decision {
        /// The request's index.
        request: usize,
        /// The decision wanted.
        decision: Decision,
    },
    /// No lint finding of this rule remains in any policy.
    LintGone {
        /// The rule's code (a code of [`crate::lint::RULES`]).
        code: &'static str,
    },
}

impl Goal {
    /// The goal in words, for people: `request 3 ("bob reads"): Allow`.
    pub fn describe(&self, scenario: &Scenario) -> String {
        match &self.kind {
            GoalKind::Decision { request, decision } => format!(
                "{}: {}",
                request_label(scenario, *request),
                decision.label()
            ),
            GoalKind::LintGone { code } => format!("no \"{code}\" lint finding remains"),
        }
    }
}

/// `request N ("name")`, or `request N` for an unnamed one (N 1-based).
pub fn request_label(scenario: &Scenario, request: usize) -> String {
    match scenario
        .requests
        .get(request)
        .and_then(|r| r.name.as_deref())
    {
        Some(name) => format!("request {} (\"{name}\")", request + 1),
        None => format!("request {}", request + 1),
    }
}

/// One hint.
#[derive(Debug, Clone, PartialEq)]
pub struct Hint {
    /// What the hint says.
    pub text: String,
    /// The policy edit it proposes, if any (the last hint always has one).
    pub edit: Option<PolicyEdit>,
    /// The hint in the lesson file.
    pub span: Span,
}

/// A policy edit: `before`, which occurs exactly once in the policy's text, replaced
/// by `after`.
#[derive(Debug, Clone, PartialEq)]
pub struct PolicyEdit {
    /// Index of the policy in the scenario's sources.
    pub policy: usize,
    /// Its name as the scenario shows it.
    pub policy_name: String,
    /// The exact text replaced.
    pub before: String,
    /// What replaces it.
    pub after: String,
    /// The edit's object in the lesson file.
    pub span: Span,
}

/// A decision the learner predicts.
#[derive(Debug, Clone, PartialEq)]
pub struct Predict {
    /// The request (0-based index).
    pub request: usize,
    /// The right answer, as the lesson states it (`--check` verifies it).
    pub answer: Decision,
    /// The step's object in the lesson file.
    pub span: Span,
}

/// Reads a lesson file's text: the lesson, or every problem with its position.
pub fn load_lesson(text: &str) -> Result<Lesson, LoadError> {
    let node = json::parse(text).map_err(|d| LoadError::in_file(vec![d]))?;
    let mut r = Reader::default();
    let lesson = r.lesson(&node, text);
    match lesson {
        Some(l) if r.errors.is_empty() => Ok(l),
        _ => {
            // In file order; a problem inside a policy held in a string sorts at that
            // string.
            let map = &r.source_map;
            let at = |d: &Diagnostic| {
                map.get(d.span.source)
                    .map_or(d.span.start, |t| t.literal.start)
            };
            r.errors.sort_by_key(at);
            Err(LoadError {
                diagnostics: r.errors,
                source_map: r.source_map,
            })
        }
    }
}

#[derive(Default)]
struct Reader {
    errors: Vec<Diagnostic>,
    source_map: SourceMap,
}

fn get<'a>(members: &'a [Member], key: &str) -> Option<&'a Node> {
    members.iter().find(|m| m.key == key).map(|m| &m.value)
}

impl Reader {
    fn error(&mut self, span: Span, message: impl Into<String>) {
        self.errors.push(Diagnostic::error(span, message));
    }

    /// The members of an object at `node`, its duplicates and unknown keys reported.
    fn object<'a>(&mut self, node: &'a Node, what: &str, keys: &[&str]) -> Option<&'a [Member]> {
        let Value::Object(members) = &node.value else {
            self.error(
                node.span,
                format!("{what} must be an object, not {}", node.value.kind_name()),
            );
            return None;
        };
        json::duplicate_keys(members, &mut self.errors);
        for m in members {
            if !keys.contains(&m.key.as_str()) {
                let hint = did_you_mean(&m.key, keys.iter().copied());
                self.error(
                    m.key_span,
                    format!("unknown {what} key \"{}\"{hint}", m.key),
                );
            }
        }
        Some(members)
    }

    /// The string at `key`, required: a message at `at` (the object) when missing.
    fn string(&mut self, members: &[Member], key: &str, what: &str, at: Span) -> Option<String> {
        match get(members, key) {
            None => {
                self.error(at, format!("{what} needs \"{key}\""));
                None
            }
            Some(n) => self.string_at(n, key),
        }
    }

    fn string_at(&mut self, node: &Node, key: &str) -> Option<String> {
        match &node.value {
            Value::String(s) if !s.trim().is_empty() => Some(s.clone()),
            Value::String(_) => {
                self.error(node.span, format!("{key} must not be empty"));
                None
            }
            other => {
                self.error(
                    node.span,
                    format!("{key} must be a string, not {}", other.kind_name()),
                );
                None
            }
        }
    }

    fn array<'a>(&mut self, node: &'a Node, key: &str) -> &'a [Node] {
        match &node.value {
            Value::Array(items) if !items.is_empty() => items,
            Value::Array(_) => {
                self.error(node.span, format!("{key} must not be empty"));
                &[]
            }
            other => {
                self.error(
                    node.span,
                    format!("{key} must be an array, not {}", other.kind_name()),
                );
                &[]
            }
        }
    }

    fn lesson(&mut self, node: &Node, text: &str) -> Option<Lesson> {
        let members = self.object(node, "lesson", TOP_KEYS)?;
        let at = node.span;
        let title = self.string(members, "title", "a lesson", at);
        let read = self.string(members, "read", "a lesson", at);
        let source = self.string(members, "source", "a lesson", at);
        if let (Some(s), Some(n)) = (&source, get(members, "source")) {
            if !s.starts_with("https://") {
                self.error(
                    n.span,
                    "source must be the https:// address of the page the lesson follows",
                );
            }
        }
        let task = self.string(members, "task", "a lesson", at);
        let scenario = match get(members, "scenario") {
            None => {
                self.error(at, "a lesson needs \"scenario\"");
                None
            }
            Some(n) => match load_tree(n, text, false) {
                Ok(s) => Some(s),
                Err(e) => {
                    self.errors.extend(e.diagnostics);
                    self.source_map = e.source_map;
                    None
                }
            },
        };
        let goals = match get(members, "goals") {
            None => {
                self.error(at, "a lesson needs \"goals\"");
                Vec::new()
            }
            Some(n) => {
                let items = self.array(n, "goals");
                items
                    .iter()
                    .filter_map(|g| self.goal(g, scenario.as_ref()))
                    .collect()
            }
        };
        let hints = match get(members, "hints") {
            None => {
                self.error(at, "a lesson needs \"hints\"");
                Vec::new()
            }
            Some(n) => self.hints(n, scenario.as_ref()),
        };
        let predict = match get(members, "predict") {
            None => Vec::new(),
            Some(n) => {
                let items = self.array(n, "predict");
                items
                    .iter()
                    .filter_map(|p| self.predict(p, scenario.as_ref()))
                    .collect()
            }
        };
        Some(Lesson {
            title: title?,
            read: read?,
            source: source?,
            task: task?,
            scenario: scenario?,
            goals,
            hints,
            predict,
        })
    }

    /// A 1-based request number at `key` of `members`, as a 0-based index checked
    /// against the scenario's requests (when the scenario loaded).
    fn request(
        &mut self,
        members: &[Member],
        what: &str,
        at: Span,
        scenario: Option<&Scenario>,
    ) -> Option<usize> {
        let Some(node) = get(members, "request") else {
            self.error(
                at,
                format!("{what} needs \"request\" (a request's number, from 1)"),
            );
            return None;
        };
        let count = scenario.map(|s| s.requests.len());
        let range = match count {
            Some(n) => format!(" from 1 to {n}"),
            None => String::new(),
        };
        let n = match &node.value {
            Value::Number(n) => n.parse::<usize>().ok().filter(|&n| n >= 1),
            _ => None,
        };
        match (n, count) {
            (Some(n), Some(c)) if n > c => {
                self.error(
                    node.span,
                    format!(
                        "request {n} does not exist: the scenario's requests are numbered{range}"
                    ),
                );
                None
            }
            (Some(n), _) => Some(n - 1),
            (None, _) => {
                self.error(
                    node.span,
                    format!("request must be a request's number{range}"),
                );
                None
            }
        }
    }

    fn decision(
        &mut self,
        members: &[Member],
        key: &str,
        what: &str,
        at: Span,
    ) -> Option<Decision> {
        let word = self.string(members, key, what, at)?;
        match Decision::from_word(&word) {
            Some(d) => Some(d),
            None => {
                let span = get(members, key).map_or(at, |n| n.span);
                let hint = did_you_mean(&word, ["allow", "explicit_deny", "implicit_deny"]);
                self.error(
                    span,
                    format!("{key} \"{word}\" must be allow, explicit_deny or implicit_deny{hint}"),
                );
                None
            }
        }
    }

    fn goal(&mut self, node: &Node, scenario: Option<&Scenario>) -> Option<Goal> {
        let lint = matches!(&node.value, Value::Object(m) if get(m, "lint").is_some());
        if lint {
            let members = self.object(node, "lint goal", LINT_GOAL_KEYS)?;
            let code_node = get(members, "lint")?;
            let code = self.string_at(code_node, "lint")?;
            let Some(rule) = crate::lint::rule_for(&code) else {
                let hint = did_you_mean(&code, crate::lint::RULES.iter().map(|r| r.code));
                self.error(
                    code_node.span,
                    format!("no lint rule is named \"{code}\"{hint}"),
                );
                return None;
            };
            match get(members, "gone") {
                Some(Node {
                    value: Value::Bool(true),
                    ..
                }) => {}
                Some(n) => {
                    self.error(
                        n.span,
                        "gone must be true: a lint goal is a finding that must disappear",
                    );
                    return None;
                }
                None => {
                    self.error(node.span, "a lint goal needs \"gone\": true");
                    return None;
                }
            }
            return Some(Goal {
                kind: GoalKind::LintGone { code: rule.code },
                span: node.span,
            });
        }
        let members = self.object(node, "goal", DECISION_GOAL_KEYS)?;
        let request = self.request(members, "a goal", node.span, scenario);
        let decision = self.decision(members, "decision", "a goal", node.span);
        Some(Goal {
            kind: GoalKind::Decision {
                request: request?,
                decision: decision?,
            },
            span: node.span,
        })
    }

    fn predict(&mut self, node: &Node, scenario: Option<&Scenario>) -> Option<Predict> {
        let members = self.object(node, "predict step", PREDICT_KEYS)?;
        let request = self.request(members, "a predict step", node.span, scenario);
        let answer = self.decision(members, "answer", "a predict step", node.span);
        Some(Predict {
            request: request?,
            answer: answer?,
            span: node.span,
        })
    }

    fn hints(&mut self, node: &Node, scenario: Option<&Scenario>) -> Vec<Hint> {
        let items = self.array(node, "hints");
        let mut hints = Vec::new();
        for item in items {
            let hint = match &item.value {
                Value::String(_) => self.string_at(item, "a hint").map(|text| Hint {
                    text,
                    edit: None,
                    span: item.span,
                }),
                _ => self.hint(item, scenario),
            };
            hints.extend(hint);
        }
        if let Some(last) = items.last() {
            let has_edit = matches!(&last.value, Value::Object(m) if get(m, "edit").is_some());
            if !has_edit {
                self.error(
                    last.span,
                    "the last hint must give the answer as {\"text\", \"edit\": {\"policy\", \"before\", \"after\"}}",
                );
            }
        }
        hints
    }

    fn hint(&mut self, node: &Node, scenario: Option<&Scenario>) -> Option<Hint> {
        let members = self.object(node, "hint", HINT_KEYS)?;
        let text = self.string(members, "text", "a hint", node.span);
        let edit = match get(members, "edit") {
            None => None,
            Some(e) => Some(self.edit(e, scenario)?),
        };
        Some(Hint {
            text: text?,
            edit,
            span: node.span,
        })
    }

    fn edit(&mut self, node: &Node, scenario: Option<&Scenario>) -> Option<PolicyEdit> {
        let members = self.object(node, "edit", EDIT_KEYS)?;
        let name = self.string(members, "policy", "an edit", node.span);
        let before = self.string(members, "before", "an edit", node.span);
        let after = match get(members, "after") {
            None => {
                self.error(node.span, "an edit needs \"after\"");
                None
            }
            Some(Node {
                value: Value::String(s),
                ..
            }) => Some(s.clone()),
            Some(n) => {
                self.error(
                    n.span,
                    format!("after must be a string, not {}", n.value.kind_name()),
                );
                None
            }
        };
        let (name, before, after, scenario) = (name?, before?, after?, scenario?);
        let names = display_names(&scenario.sources);
        let policy_node = get(members, "policy").map_or(node.span, |n| n.span);
        let found: Vec<usize> = (0..names.len()).filter(|&i| names[i] == name).collect();
        let policy = match found.as_slice() {
            [i] => *i,
            [] => {
                let hint = did_you_mean(&name, names.iter().map(String::as_str));
                self.error(
                    policy_node,
                    format!("the scenario has no policy named \"{name}\"{hint}"),
                );
                return None;
            }
            _ => {
                self.error(
                    policy_node,
                    format!(
                        "{} policies are named \"{name}\": name them apart",
                        found.len()
                    ),
                );
                return None;
            }
        };
        let before_node = get(members, "before").map_or(node.span, |n| n.span);
        match scenario.sources[policy]
            .text
            .matches(before.as_str())
            .count()
        {
            1 => {}
            0 => {
                self.error(
                    before_node,
                    format!("before is not in policy \"{name}\": it must be its exact text (spaces included)"),
                );
                return None;
            }
            n => {
                self.error(
                    before_node,
                    format!("before occurs {n} times in policy \"{name}\": it must occur once (take more of the text around it)"),
                );
                return None;
            }
        }
        Some(PolicyEdit {
            policy,
            policy_name: name,
            before,
            after,
            span: node.span,
        })
    }
}
