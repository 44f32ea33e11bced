//! Holds, resumes and undos as JSON.

use crate::report::data::ActorJson;
use crate::report::time;
use crate::run::view::RunView;
use serde::Serialize;

/// Who reverted a change.
#[derive(Debug, Clone, Serialize)]
pub struct UndoneJson {
    /// `seq` of the undo.
    pub seq: u64,
    /// Display name.
    pub by: String,
    /// Identity.
    pub actor: ActorJson,
    /// When (RFC 3339).
    pub at: String,
}

impl From<&crate::run::state::Undone> for UndoneJson {
    fn from(u: &crate::run::state::Undone) -> Self {
        UndoneJson {
            seq: u.seq,
            by: u.by.name.clone(),
            actor: (&u.by).into(),
            at: time(&u.at),
        }
    }
}

/// A hold or a resume.
#[derive(Debug, Clone, Serialize)]
pub struct HoldJson {
    /// Event seq.
    pub seq: u64,
    /// `hold` or `resume`.
    pub kind: &'static str,
    /// Why.
    pub reason: String,
    /// Display name.
    pub by: String,
    /// Identity.
    pub actor: ActorJson,
    /// When (RFC 3339).
    pub at: String,
    /// The gate whose NO-GO led to the hold.
    pub gate: Option<String>,
    /// That gate's text.
    pub gate_text: Option<String>,
    /// Reverted by an undo.
    pub undone_by: Option<UndoneJson>,
}

/// Holds and resumes, oldest first.
pub fn holds_json(view: &RunView<'_>) -> Vec<HoldJson> {
    view.run
        .holds
        .iter()
        .map(|h| HoldJson {
            seq: h.seq,
            kind: if h.hold { "hold" } else { "resume" },
            reason: h.reason.clone(),
            by: h.by.name.clone(),
            actor: (&h.by).into(),
            at: time(&h.at),
            gate: h.gate.as_ref().map(ToString::to_string),
            gate_text: h
                .gate
                .as_ref()
                .and_then(|g| view.row(g))
                .map(|r| r.text.to_string()),
            undone_by: h.undone_by.as_ref().map(Into::into),
        })
        .collect()
}

/// The hold in force.
pub fn hold_json(view: &RunView<'_>) -> Option<HoldJson> {
    let seq = view.run.active_hold()?.seq;
    holds_json(view).into_iter().find(|h| h.seq == seq)
}
