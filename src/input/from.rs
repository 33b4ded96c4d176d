//! A scenario's `policiesFrom` (docs/iac.md): the file it names read from the
//! scenario's directory, recognised by [`super::detect`] (a CloudFormation template or
//! a Terraform plan, nothing else), and its principal's policies assembled
//! ([`crate::iac::assemble::assemble_into`]) into the scenario being loaded, every
//! span in that file ([`IncludedFile`]). Each problem is an error at the entry's value
//! in the scenario.

use super::Kind;
use super::iac::read_with;
use crate::iac::Side;
use crate::iac::assemble::{Decoded, Join, JoinError, assemble_into, choices};
use crate::scenario::{Assembler, PoliciesFrom};
use crate::source::{Diagnostic, IncludedFile, did_you_mean};
use std::path::{Path, PathBuf};

/// Where `file` is read from: relative to the directory of `scenario` (the scenario
/// file's path), or to the current directory when the scenario has no path.
pub fn resolve(scenario: Option<&Path>, file: &str) -> PathBuf {
    match scenario.and_then(Path::parent) {
        Some(dir) => dir.join(file),
        None => PathBuf::from(file),
    }
}

/// Reads the file `entry` names into `a`; warnings go to `notes` (each starting with
/// the file's path), problems are errors of `a` at the entry's values.
pub(super) fn include(
    scenario: Option<&Path>,
    entry: &PoliciesFrom,
    a: &mut Assembler,
    notes: &mut Vec<String>,
) {
    let (written, file_at) = &entry.file;
    let path = resolve(scenario, written);
    let shown = path.display().to_string();
    let err = |a: &mut Assembler, span, message: String| a.error(Diagnostic::error(span, message));
    let text = match read(&path) {
        Ok(t) => t,
        Err(e) => {
            return err(
                a,
                *file_at,
                format!("policiesFrom: cannot read {shown}: {e}"),
            );
        }
    };
    let kind = super::kind(&text);
    if !matches!(kind, Kind::CloudFormation | Kind::TerraformPlan) {
        return err(
            a,
            *file_at,
            format!(
                "policiesFrom: {shown} is {}, not a CloudFormation template or a Terraform plan",
                kind.describe()
            ),
        );
    }
    if let (Some((_, span)), Kind::CloudFormation) = (&entry.side, kind) {
        return err(
            a,
            *span,
            format!(
                "policiesFrom side is for a Terraform plan; {shown} is a CloudFormation template"
            ),
        );
    }
    if let (Some(span), Kind::TerraformPlan) = (entry.parameters_at, kind) {
        return err(
            a,
            span,
            format!(
                "policiesFrom parameters are for a CloudFormation template; {shown} is a Terraform plan"
            ),
        );
    }
    if kind == Kind::CloudFormation && !parameters_declared(entry, &text, a) {
        return;
    }
    // The account (and partition) of the deployed principal are the stack's.
    let mut cfn = crate::iac::cfn::CfnOptions::from_values(
        entry
            .parameters
            .iter()
            .map(|(k, v, _)| (k.as_str(), v.as_str())),
    );
    if let Some((arn, _)) = &entry.arn {
        let parts: Vec<&str> = arn.splitn(6, ':').collect();
        if let [_, partition, _, _, account, _] = parts.as_slice() {
            if crate::policy::principal::is_account_id(account) {
                cfn.account = account.to_string();
            }
            if !partition.is_empty() {
                cfn.partition = partition.to_string();
            }
        }
    }
    let side = entry.side.map_or(Side::After, |(s, _)| s);
    let read = match read_with(kind, &text, side, cfn) {
        Ok(r) => r,
        Err(e) => {
            for d in &e.diagnostics {
                let place = e.source_map.locate(&shown, d);
                err(
                    a,
                    *file_at,
                    format!("policiesFrom: {shown} cannot be read: {place}"),
                );
            }
            return;
        }
    };
    let Some((principal, principal_at)) = &entry.principal else {
        let list = choices(&read.inventory);
        let message = if list.is_empty() {
            format!("policiesFrom: {shown} declares no user or role whose policies to take")
        } else {
            format!(
                "policiesFrom needs \"principal\": whose policies to take from {shown} (a logical ID, address, IAM name or ARN): {}",
                list.join(", ")
            )
        };
        return err(a, entry.at, message);
    };
    let id = a.include_file(IncludedFile {
        path: shown.clone(),
        entry: entry.text.clone(),
        named_at: *file_at,
        added_levels: Default::default(),
    });
    let decoded = Decoded {
        texts: &read.decoded,
        map: Some(&read.map),
    };
    let join = Join {
        file: id,
        arn: entry.arn.as_ref().map(|(a, _)| a.clone()),
    };
    let before = a.sources().len();
    match assemble_into(a, &read.inventory, &text, decoded, principal, &join) {
        Ok(found) => {
            notes.extend(found.into_iter().map(|n| format!("{shown}: {n}")));
            one_boundary(a, before, *principal_at, &shown);
        }
        Err(JoinError::Principal(m)) => {
            err(a, *principal_at, format!("policiesFrom: {shown}: {m}"))
        }
        Err(JoinError::Arn(m)) => {
            let at = entry.arn.as_ref().map_or(entry.at, |(_, s)| *s);
            err(a, at, format!("policiesFrom: {m}"))
        }
    }
}

/// At most one permissions boundary per principal (SPEC §6): an error at the entry's
/// `principal` when the boundary the file gives (among the policies from index
/// `from` on) meets one the scenario already has for that principal (an unbound one
/// applies to every principal).
fn one_boundary(a: &mut Assembler, from: usize, at: crate::source::Span, shown: &str) {
    use crate::policy::{BoundPrincipal, PolicyKind, PrincipalRef};
    let boundary = |s: &&crate::scenario::PolicySource| s.kind == PolicyKind::Boundary;
    let Some(added) = a.sources()[from..].iter().find(boundary) else {
        return;
    };
    let mine = added.principal.as_deref();
    let clash = a.sources()[..from].iter().filter(boundary).find(|s| {
        match (s.principal.as_deref(), mine) {
            (None, _) | (_, None) => true,
            (Some(theirs), Some(mine)) => {
                let covers = |b: &str, who: &str| {
                    BoundPrincipal::new(b).is_some_and(|b| b.covers(&PrincipalRef::parse(who)))
                };
                covers(theirs, mine) || covers(mine, theirs)
            }
        }
    });
    if let Some(other) = clash {
        let place = other
            .at
            .map(|s| format!(" (line {}, column {})", s.line, s.column))
            .unwrap_or_default();
        let message = format!(
            "policiesFrom: a principal has at most one permissions boundary: {shown} gives this principal one, and the scenario's boundary{place} applies to it too"
        );
        a.error(Diagnostic::error(at, message));
    }
}

/// The regular file at `path` as text (gzip decompressed, UTF-8 checked, at most the
/// default input limit), or why not.
fn read(path: &Path) -> Result<String, String> {
    let file = std::fs::File::open(path).map_err(|e| e.to_string())?;
    let meta = file.metadata().map_err(|e| e.to_string())?;
    // A directory, a pipe or a device is no template (and a pipe could wait forever).
    if !meta.is_file() {
        return Err("not a regular file".into());
    }
    let size = meta.len();
    crate::read::read_text_sized(file, crate::read::DEFAULT_MAX_INPUT, size)
}

/// False (each error recorded) when `entry` gives a parameter the template `text`
/// does not declare: a misspelt name must not pass unnoticed.
fn parameters_declared(entry: &PoliciesFrom, text: &str, a: &mut Assembler) -> bool {
    if entry.parameters.is_empty() {
        return true;
    }
    // A template that does not parse is reported by its reader.
    let Ok(root) = crate::iac::cfn::parse(text).0 else {
        return true;
    };
    let declared: Vec<&str> = crate::iac::cfn::get(&root, "Parameters")
        .map(|p| {
            crate::iac::cfn::resolve::members(p)
                .iter()
                .map(|m| m.key.as_str())
                .collect()
        })
        .unwrap_or_default();
    let mut ok = true;
    for (key, _, span) in &entry.parameters {
        let pseudo = crate::iac::cfn::SETTABLE_PSEUDO.contains(&key.as_str());
        if !pseudo && !declared.contains(&key.as_str()) {
            ok = false;
            let hint = did_you_mean(key, declared.iter().copied());
            a.error(Diagnostic::error(
                *span,
                format!(
                    "policiesFrom parameters: the template declares no parameter \"{key}\"{hint}"
                ),
            ));
        }
    }
    ok
}
