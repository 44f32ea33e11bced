//! An event in words for the report's event log.

use crate::run::event::{Change, Decision};

pub(super) fn detail(c: &Change) -> Option<String> {
    match c {
        Change::Tick { note, .. } | Change::Untick { note, .. } => note.clone(),
        Change::Skip { reason, .. } | Change::Na { reason, .. } | Change::Abort { reason } => {
            Some(reason.clone())
        }
        Change::Fail { note, .. } => Some(note.clone()),
        Change::Sign { signer, role, .. } => Some(match role {
            Some(r) => format!("{signer} as {r}"),
            None => signer.clone(),
        }),
        Change::Gate {
            decision, reason, ..
        } => {
            let d = match decision {
                Decision::Go => "GO",
                Decision::NoGo => "NO-GO",
            };
            Some(
                reason
                    .as_ref()
                    .map_or_else(|| d.to_owned(), |r| format!("{d}: {r}")),
            )
        }
        Change::Note { text, .. } => Some(text.clone()),
        Change::Field { column, value, .. } => Some(format!("{column} = {value}")),
        Change::Set { var, value } => Some(format!("{var} = {value}")),
        Change::Undo { target } => Some(format!("reverts seq {target}")),
        Change::Rebase {
            from_sha256,
            to_sha256,
            orphans,
        } => Some(format!(
            "template {} → {}; {} orphaned",
            from_sha256.get(..12).unwrap_or(from_sha256),
            to_sha256.get(..12).unwrap_or(to_sha256),
            orphans.len()
        )),
        Change::Start { title, .. } => Some(title.clone()),
        Change::Finish { reason, exceptions } => match (exceptions, reason) {
            (Some(e), Some(r)) => Some(format!("accepted exceptions ({e}): {r}")),
            (None, Some(r)) => Some(r.clone()),
            _ => None,
        },
        Change::Window {
            start,
            zone,
            end,
            reason,
        } => Some(format!(
            "{start} {zone}{}: {reason}",
            end.as_ref().map(|e| format!(" – {e}")).unwrap_or_default()
        )),
        Change::Hold { reason, .. } | Change::Resume { reason } => Some(reason.clone()),
        Change::TornTail {
            offset,
            len,
            kept_as,
            ..
        } => Some(format!(
            "a partial line ({len} bytes at byte {offset}) left by a killed writer, never acknowledged, moved aside to {kept_as}"
        )),
        Change::Repair {
            problem,
            kept,
            dropped_lines,
        } => Some(format!(
            "repaired after damage ({problem}); {dropped_lines} line(s) dropped; kept: {}",
            kept.join(", ")
        )),
        Change::CommandStarted { .. } | Change::CommandFinished { .. } => {
            crate::report::commands::timeline_detail(c)
        }
    }
}

pub(super) fn after_no_go(c: &Change) -> bool {
    matches!(
        c,
        Change::Tick {
            after_no_go: true,
            ..
        } | Change::Sign {
            after_no_go: true,
            ..
        } | Change::Gate {
            after_no_go: true,
            ..
        }
    )
}
