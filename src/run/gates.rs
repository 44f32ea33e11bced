//! Gates with consequences: what holds a run back (an unresolved NO-GO, a HOLD), the rollback
//! section a NO-GO can send the operator to, and a gate's scope (what is still open or failed in
//! its section and since the previous gate). Pure functions for the CLI and the screen.

use super::Run;
use super::event::{Actor, show_time};
use super::state::ItemState;
use super::vars::substitute;
use super::view::item_state;
use crate::model::{ItemId, ItemKind, Template};
use chrono::{DateTime, FixedOffset};

/// Whether a section title names a rollback: `Rollback`, `Roll back`, `Roll-back plan`,
/// `Back-out`, `Backout procedure`, `Revert` (as words, any case).
pub fn is_rollback_title(title: &str) -> bool {
    let lower = title.to_lowercase();
    let words: Vec<&str> = lower
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    words.iter().enumerate().any(|(i, w)| {
        let next = words.get(i + 1).copied().unwrap_or("");
        w.starts_with("rollback")
            || w.starts_with("backout")
            || *w == "revert"
            || *w == "reverting"
            || (*w == "roll" && next == "back")
            || (*w == "back" && next == "out")
    })
}

/// The first section titled as a rollback, if the template has one.
pub fn rollback_section(template: &Template) -> Option<usize> {
    template
        .sections
        .iter()
        .position(|s| is_rollback_title(&s.title))
}

/// Whether `section` is a rollback section or inside one.
pub fn in_rollback(template: &Template, section: usize) -> bool {
    let mut cur = Some(section);
    let mut guard = 0;
    while let Some(i) = cur {
        let Some(s) = template.sections.get(i) else {
            return false;
        };
        if is_rollback_title(&s.title) {
            return true;
        }
        cur = s.parent;
        guard += 1;
        if guard > 64 {
            return false;
        }
    }
    false
}

/// What holds the run back: the latest unresolved NO-GO or the HOLD in force.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Blocker {
    /// A NO-GO not resolved yet (no GO on that gate since, no `resume`).
    NoGo {
        /// The gate.
        gate: ItemId,
        /// Event `seq` of the decision.
        seq: u64,
        /// Who decided.
        by: Actor,
        /// When.
        at: DateTime<FixedOffset>,
        /// Why.
        reason: Option<String>,
    },
    /// The run is on HOLD.
    Hold {
        /// Event `seq` of the hold.
        seq: u64,
        /// Who put it on hold.
        by: Actor,
        /// When.
        at: DateTime<FixedOffset>,
        /// Why.
        reason: String,
    },
}

impl Blocker {
    /// Event `seq` of the NO-GO or the hold.
    pub fn seq(&self) -> u64 {
        match self {
            Blocker::NoGo { seq, .. } | Blocker::Hold { seq, .. } => *seq,
        }
    }
}

/// The latest unresolved NO-GO or the hold in force, whichever came last.
pub fn blocker(run: &Run) -> Option<Blocker> {
    let no_go = run
        .open_no_go
        .iter()
        .max_by_key(|(_, seq)| **seq)
        .and_then(|(gate, seq)| {
            let e = run
                .items
                .get(gate)?
                .history
                .iter()
                .find(|e| e.seq == *seq)?;
            Some(Blocker::NoGo {
                gate: gate.clone(),
                seq: *seq,
                by: e.by.clone(),
                at: e.at,
                reason: e.reason.clone(),
            })
        });
    let hold = run.active_hold().map(|h| Blocker::Hold {
        seq: h.seq,
        by: h.by.clone(),
        at: h.at,
        reason: h.reason.clone(),
    });
    match (no_go, hold) {
        (Some(n), Some(h)) => Some(if n.seq() > h.seq() { n } else { h }),
        (n, h) => n.or(h),
    }
}

fn item_text(run: &Run, template: &Template, id: &ItemId) -> String {
    template.item(id).map_or_else(
        || id.to_string(),
        |i| substitute(&i.text, &run.var_values()).into_owned(),
    )
}

/// `NO-GO on “Phase 4 Go/No-Go” by Alice (alice@bastion) at …: error rate 2%`, or
/// `HOLD since … by Alice (alice@bastion): waiting for the DBA`.
pub fn describe(run: &Run, template: &Template, b: &Blocker) -> String {
    match b {
        Blocker::NoGo {
            gate,
            by,
            at,
            reason,
            ..
        } => format!(
            "NO-GO on “{}” by {} at {}{}",
            item_text(run, template, gate),
            by.describe(),
            show_time(at),
            reason
                .as_deref()
                .map(|r| format!(": {}", r.replace('\n', " ")))
                .unwrap_or_default()
        ),
        Blocker::Hold { by, at, reason, .. } => format!(
            "HOLD since {} by {}: {}",
            show_time(at),
            by.describe(),
            reason.replace('\n', " ")
        ),
    }
}

/// What a tick, sign-off or GO on item `index` would come after, when that needs the operator to
/// confirm: an unresolved NO-GO or a HOLD. Items of a rollback section need no confirmation (rolling
/// back is what a NO-GO asks for), and a NO-GO decision never does.
pub fn needs_confirmation(run: &Run, template: &Template, index: usize) -> Option<Blocker> {
    let item = template.items.get(index)?;
    if in_rollback(template, item.section) {
        return None;
    }
    blocker(run)
}

/// A gate's scope: the items still open, failed or NO-GO in the gate's own section and among the
/// items since the previous gate, in document order (the gate itself left out). The gate dialog
/// lists these before a decision.
pub fn gate_scope(run: &Run, template: &Template, gate: usize) -> Vec<usize> {
    let Some(g) = template.items.get(gate) else {
        return Vec::new();
    };
    let since = template.items[..gate]
        .iter()
        .rposition(|i| i.kind == ItemKind::Gate)
        .map_or(0, |p| p + 1);
    (0..template.items.len())
        .filter(|&i| i != gate)
        .filter(|&i| (since..gate).contains(&i) || template.items[i].section == g.section)
        .filter(|&i| {
            matches!(
                item_state(run, template, i).0,
                ItemState::Open | ItemState::Failed | ItemState::NoGo
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rollback_titles() {
        for t in [
            "Rollback",
            "Rollback plan",
            "6. Roll back",
            "Roll-back procedure",
            "Back-out plan",
            "Backout",
            "Revert the release",
        ] {
            assert!(is_rollback_title(t), "{t}");
        }
        for t in [
            "Deploy",
            "Reversible changes",
            "Rolling restart",
            "Back up the DB",
        ] {
            assert!(!is_rollback_title(t), "{t}");
        }
    }
}
