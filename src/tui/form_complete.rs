//! The request form against the service catalog: the action row checked (an action the
//! catalog does not know is a warning on the row; evaluation still runs, as AWS
//! evaluates the strings it is given), and completion on the selected row (Ctrl+Space):
//! service prefixes then actions for the action, the action's ARN templates for the
//! resource (the partition, region and account filled in where the request says them),
//! and for a new context key the keys the action supports, then the global `aws:`
//! keys. The candidates come from [`complete`], as the editor's do.

use super::action::Action;
use super::complete::{self, Candidate, Completion, Site, SiteKind};
use super::form::{FIELDS, RequestForm};
use super::keymap::{Scope, key_label};
use super::pane::Effect;
use crate::catalog::services::{catalog, loaded};

/// The rows of the fixed fields.
const PRINCIPAL: usize = 0;
const ACTION: usize = 1;
const RESOURCE: usize = 2;
const ACCOUNT: usize = 3;

/// What the catalog says of a request's action.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ActionCheck {
    /// Nothing typed yet.
    Empty,
    /// An action of the catalog, with its access level.
    Known(&'static str),
    /// Not `service:Action`.
    NotAnAction,
    /// A pattern: a request names one action.
    Pattern,
    /// No service has this prefix.
    UnknownService(String),
    /// The service (its prefix) has no action of this name.
    UnknownAction {
        /// The service's prefix.
        service: String,
        /// The name typed after it.
        name: String,
    },
    /// The catalog is still loading: nothing to say yet.
    NotChecked,
}

/// `action` checked against the catalog (never waits for it to load).
pub fn check_action(action: &str) -> ActionCheck {
    let action = action.trim();
    if action.is_empty() {
        return ActionCheck::Empty;
    }
    let Some(cat) = loaded() else {
        return ActionCheck::NotChecked;
    };
    if action.contains(['*', '?']) {
        return ActionCheck::Pattern;
    }
    let Some((service, name)) = action.split_once(':') else {
        return ActionCheck::NotAnAction;
    };
    if name.is_empty() {
        return ActionCheck::NotAnAction;
    }
    let Some(s) = cat.service(service) else {
        return ActionCheck::UnknownService(service.to_string());
    };
    match s.action(name) {
        Some(a) => ActionCheck::Known(a.access.label()),
        None => ActionCheck::UnknownAction {
            service: s.prefix.to_string(),
            name: name.to_string(),
        },
    }
}

impl ActionCheck {
    /// The warning to show on the row, if any.
    pub fn warning(&self) -> Option<String> {
        Some(match self {
            ActionCheck::Empty | ActionCheck::Known(_) | ActionCheck::NotChecked => return None,
            ActionCheck::NotAnAction => "not service:Action".into(),
            ActionCheck::Pattern => "a request names one action, not a pattern".into(),
            ActionCheck::UnknownService(s) => format!("no service has the prefix \"{s}\""),
            ActionCheck::UnknownAction { service, name } => {
                format!("{service} has no action \"{name}\" (evaluated as typed)")
            }
        })
    }
}

/// The fields of an ARN: partition, service, region, account (empty when absent).
fn arn_fields(arn: &str) -> Option<[&str; 4]> {
    let mut parts = arn.trim().splitn(6, ':');
    if parts.next()? != "arn" {
        return None;
    }
    let p = parts.next()?;
    let s = parts.next()?;
    let r = parts.next()?;
    let a = parts.next()?;
    Some([p, s, r, a])
}

/// `format` (an ARN template of the catalog) with `${Partition}`, `${Region}` and
/// `${Account}` filled from the form where it says them; the resource's own
/// placeholders stay, to be edited.
fn fill(format: &str, form: &RequestForm) -> String {
    let row = |i: usize| form.rows.get(i).map_or("", |r| r.trim());
    let principal = arn_fields(row(PRINCIPAL));
    let resource = arn_fields(row(RESOURCE));
    let partition = principal
        .or(resource)
        .map(|f| f[0])
        .filter(|p| !p.is_empty())
        .unwrap_or("aws");
    let region = resource.map(|f| f[2]).filter(|r| !r.is_empty());
    let account = Some(row(ACCOUNT))
        .filter(|a| !a.is_empty())
        .or(resource.map(|f| f[3]).filter(|a| !a.is_empty()))
        .or(principal.map(|f| f[3]).filter(|a| !a.is_empty()));
    let mut out = format.replace("${Partition}", partition);
    if let Some(r) = region {
        out = out.replace("${Region}", r);
    }
    if let Some(a) = account {
        out = out.replace("${Account}", a);
    }
    out
}

fn starts_with_ci(text: &str, prefix: &str) -> bool {
    text.get(..prefix.len())
        .is_some_and(|t| t.eq_ignore_ascii_case(prefix))
}

impl RequestForm {
    /// The text of the selected row before the cursor.
    fn before_cursor(&self) -> String {
        self.rows
            .get(self.selected)
            .map(|r| r.chars().take(self.cursor).collect())
            .unwrap_or_default()
    }

    /// The completion candidates for the selected row, or why there are none.
    pub fn completion_candidates(&self) -> Result<Completion, String> {
        let action = self.rows.get(ACTION).map_or("", |r| r.trim()).to_string();
        let prefix = self.before_cursor().trim_start().to_string();
        let (site, items) = match self.selected {
            ACTION => {
                let site = Site {
                    kind: SiteKind::Action,
                    prefix,
                    actions: Vec::new(),
                };
                let items = complete::candidates(&site);
                (site, items)
            }
            RESOURCE => {
                let found = catalog().expand(&action);
                if found.is_empty() || action.contains(['*', '?']) {
                    return Err(format!(
                        "the action \"{action}\" is not one of the catalog: no ARN templates to offer"
                    ));
                }
                let mut all: Vec<Candidate> = Vec::new();
                for (s, a) in found {
                    for rt in &a.resource_types {
                        for format in rt.arn_formats() {
                            let text = fill(format, self);
                            if !all.iter().any(|c| c.text == text) {
                                all.push(Candidate {
                                    text,
                                    detail: format!(
                                        "{}{} of {}:{}",
                                        rt.name,
                                        if rt.required { "" } else { " (optional)" },
                                        s.prefix,
                                        a.name
                                    ),
                                });
                            }
                        }
                    }
                    if a.resource_types.is_empty() {
                        all.push(Candidate {
                            text: "*".into(),
                            detail: format!("{}:{} acts on no resource type", s.prefix, a.name),
                        });
                    }
                }
                // What matches the text typed; every template when nothing does (the
                // row is replaced whole).
                let matching: Vec<Candidate> = all
                    .iter()
                    .filter(|c| starts_with_ci(&c.text, &prefix))
                    .cloned()
                    .collect();
                let items = if matching.is_empty() { all } else { matching };
                let site = Site {
                    kind: SiteKind::Resource,
                    prefix,
                    actions: vec![action],
                };
                (site, items)
            }
            i if i >= FIELDS.len() => {
                if self.rows[i].contains('=') {
                    return Err(
                        "a context value: nothing to complete (keys are completed before the =)"
                            .into(),
                    );
                }
                let site = Site {
                    kind: SiteKind::Key,
                    prefix: prefix.trim().to_string(),
                    actions: if action.is_empty() {
                        Vec::new()
                    } else {
                        vec![action]
                    },
                };
                let items = complete::candidates(&site);
                (site, items)
            }
            _ => {
                return Err(format!(
                    "{} completes the action, the resource and a new context key's name",
                    key_label(Action::Complete, Scope::Request)
                ));
            }
        };
        if items.is_empty() {
            return Err(format!(
                "nothing in the catalog starts with \"{}\"",
                site.prefix
            ));
        }
        Ok(Completion {
            site,
            items,
            selected: 0,
        })
    }

    /// Opens (or refreshes) the completion list on the selected row. `explicit`: asked
    /// for with Ctrl+Space (says why when there is nothing), else following the typing
    /// (closes quietly).
    pub fn open_completion(&mut self, explicit: bool) -> Vec<Effect> {
        match self.completion_candidates() {
            Ok(c) => {
                self.completion = Some(c);
                Vec::new()
            }
            Err(why) => {
                self.completion = None;
                if explicit {
                    vec![Effect::Message(why)]
                } else {
                    Vec::new()
                }
            }
        }
    }

    /// An action while the completion list is open: ↑ ↓ choose, Enter or Tab put the
    /// choice in the row, Esc closes.
    pub fn completion_action(&mut self, action: Action) -> Vec<Effect> {
        let Some(c) = self.completion.as_mut() else {
            return Vec::new();
        };
        if c.step(action) {
            return Vec::new();
        }
        match action {
            Action::Cancel => self.completion = None,
            Action::Confirm => {
                let chosen = c.items.get(c.selected).cloned();
                self.completion = None;
                let Some(chosen) = chosen else {
                    return Vec::new();
                };
                let i = self.selected;
                let Some(row) = self.rows.get_mut(i) else {
                    return Vec::new();
                };
                *row = if i >= FIELDS.len() {
                    format!("{} = ", chosen.text)
                } else {
                    chosen.text.clone()
                };
                // The cursor on the first placeholder left to edit, else at the end.
                self.cursor = match row.find("${") {
                    Some(b) if i < FIELDS.len() || b < chosen.text.len() => {
                        row[..b].chars().count()
                    }
                    _ => row.chars().count(),
                };
                let mut effects = vec![Effect::RequestEdited];
                // A service prefix ("s3:") goes on to its actions.
                if i == ACTION && chosen.text.ends_with(':') {
                    effects.extend(self.open_completion(false));
                }
                return effects;
            }
            _ => {}
        }
        Vec::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::eval::Request;

    fn form(action: &str, resource: &str) -> RequestForm {
        RequestForm::new(&Request {
            principal: "arn:aws:iam::111122223333:user/alice".into(),
            action: action.into(),
            resource: resource.into(),
            ..Default::default()
        })
    }

    #[test]
    fn arn_templates_are_filled_from_the_request() {
        catalog();
        let mut f = form(
            "kms:DescribeKey",
            "arn:aws:kms:ca-central-1:444455556666:key/k",
        );
        f.selected = RESOURCE;
        f.cursor = 0;
        let c = f.completion_candidates().unwrap();
        assert!(
            c.items
                .iter()
                .any(|c| c.text == "arn:aws:kms:ca-central-1:444455556666:key/${KeyId}"),
            "{:?}",
            c.items
        );
        // Without a region in the resource, the region stays to be edited; the
        // account is the principal's.
        let mut f = form("kms:DescribeKey", "*");
        f.selected = RESOURCE;
        f.cursor = 0;
        let c = f.completion_candidates().unwrap();
        assert!(
            c.items
                .iter()
                .any(|c| c.text == "arn:aws:kms:${Region}:111122223333:key/${KeyId}"),
            "{:?}",
            c.items
        );
        assert_eq!(check_action("kms:DescribeKey"), ActionCheck::Known("Read"));
        assert_eq!(
            check_action("iam:CreateSerkms:Desc"),
            ActionCheck::UnknownAction {
                service: "iam".into(),
                name: "CreateSerkms:Desc".into()
            }
        );
        assert_eq!(check_action("kms"), ActionCheck::NotAnAction);
        assert_eq!(
            check_action("nope:Get"),
            ActionCheck::UnknownService("nope".into())
        );
        assert_eq!(check_action("s3:Get*"), ActionCheck::Pattern);
    }
}
