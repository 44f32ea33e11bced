//! Undo you can see: what an `undo` would revert, named before it is done ("undo GO on
//! “Phase 4 Go/No-Go” (you, 08:46)?"), whether to ask first (gates, sign-offs, run-level events),
//! and the message after it.

use super::Run;
use super::event::Actor;
use super::state::ItemState;
use super::vars::substitute;
use crate::model::Template;
use chrono::{DateTime, FixedOffset};

/// What an undo would revert.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UndoPreview {
    /// `seq` of the change it reverts.
    pub seq: u64,
    /// The change, in words: `GO on “Phase 4 Go/No-Go”`, `tick of “Drain pool”`, `HOLD`.
    pub what: String,
    /// Who made it.
    pub by: Actor,
    /// When.
    pub at: DateTime<FixedOffset>,
    /// Ask before undoing it: gate decisions, sign-offs and run-level changes (variables, window,
    /// hold, resume).
    pub confirm: bool,
}

impl UndoPreview {
    /// `undo GO on “Phase 4 Go/No-Go” (you, 08:46)?` as `actor` would be asked.
    pub fn question(&self, actor: &Actor) -> String {
        let who = if self.by.same_operator(actor) {
            "you".to_owned()
        } else {
            self.by.name.clone()
        };
        format!("undo {} ({who}, {})?", self.what, self.at.format("%H:%M"))
    }

    /// `undid GO on “Phase 4 Go/No-Go”`: the message after the undo.
    pub fn done(&self) -> String {
        format!("undid {}", self.what)
    }
}

fn verb(state: ItemState) -> (&'static str, bool) {
    match state {
        ItemState::Done => ("tick of", false),
        ItemState::Open => ("reopening of", false),
        ItemState::Skipped => ("skip of", false),
        ItemState::Na => ("n/a of", false),
        ItemState::Failed => ("failure of", false),
        ItemState::Go => ("GO on", true),
        ItemState::NoGo => ("NO-GO on", true),
        ItemState::Signed => ("sign-off", true),
    }
}

/// What `actor`'s next `undo` would revert, if anything.
pub fn preview(run: &Run, template: &Template, actor: &Actor) -> Option<UndoPreview> {
    describe(run, template, run.last_undoable(actor)?)
}

/// The change `seq`, in words, as an undo of it would name it (`None` when `seq` is nothing an
/// undo can revert, or is undone already).
pub fn describe(run: &Run, template: &Template, seq: u64) -> Option<UndoPreview> {
    let vars = run.var_values();
    let text_of = |id: &crate::model::ItemId| {
        template.item(id).map_or_else(
            || id.to_string(),
            |i| substitute(&i.text, &vars).into_owned(),
        )
    };
    for (id, rec) in &run.items {
        if let Some(e) = rec.history.iter().find(|e| e.seq == seq && !e.undone) {
            let (v, confirm) = verb(e.state);
            let signer = e
                .signer
                .as_deref()
                .map(|s| format!(" (signed as {s})"))
                .unwrap_or_default();
            return Some(UndoPreview {
                seq,
                what: format!("{v} “{}”{signer}", text_of(id)),
                by: e.by.clone(),
                at: e.at,
                confirm,
            });
        }
        if let Some(n) = rec.notes.iter().find(|n| n.seq == seq && !n.undone) {
            return Some(UndoPreview {
                seq,
                what: format!("note on “{}”", text_of(id)),
                by: n.by.clone(),
                at: n.at,
                confirm: false,
            });
        }
        if let Some(f) = rec.fields.iter().find(|f| f.seq == seq && !f.undone) {
            return Some(UndoPreview {
                seq,
                what: format!("{} = {} on “{}”", f.column, f.value, text_of(id)),
                by: f.by.clone(),
                at: f.at,
                confirm: false,
            });
        }
    }
    for (name, values) in &run.vars {
        if let Some(v) = values
            .iter()
            .find(|v| v.seq == seq && v.seq > 1 && !v.undone)
        {
            return Some(UndoPreview {
                seq,
                what: format!("{name} = {}", v.value),
                by: v.by.clone(),
                at: v.at,
                confirm: true,
            });
        }
    }
    if let Some(w) = run
        .windows
        .iter()
        .find(|w| w.seq == seq && w.undone_by.is_none())
    {
        return Some(UndoPreview {
            seq,
            what: format!(
                "window set to {} {}",
                w.start.format("%Y-%m-%d %H:%M"),
                w.zone
            ),
            by: w.by.clone(),
            at: w.at,
            confirm: true,
        });
    }
    if let Some(h) = run
        .holds
        .iter()
        .find(|h| h.seq == seq && h.undone_by.is_none())
    {
        return Some(UndoPreview {
            seq,
            what: if h.hold { "HOLD" } else { "resume" }.to_owned(),
            by: h.by.clone(),
            at: h.at,
            confirm: true,
        });
    }
    None
}
