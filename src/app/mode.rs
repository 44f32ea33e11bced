//! What the screen is doing (`Mode`: the list or one of its popups), and the drafts a note editor
//! leaves behind.

use super::editor::Editor;
use crate::model::ItemId;
use crate::run::event::Decision;
use serde::{Deserialize, Serialize};

/// Why an item is being closed with a reason.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReasonKind {
    /// Skip.
    Skip,
    /// Not applicable.
    Na,
    /// Failed.
    Fail,
}

/// What the screen is doing: walking the list, or a popup. Popups name their item by id, so text
/// being typed stays with its item whatever other operators or a re-base do to the rows.
#[derive(Debug, Clone, PartialEq)]
pub enum Mode {
    /// Walking the checklist.
    Normal,
    /// Keys overlay.
    Help {
        /// First line shown.
        scroll: u16,
    },
    /// Multi-line note editor.
    Note {
        /// The item.
        item: ItemId,
        /// Text.
        editor: Editor,
    },
    /// Skip / n-a / fail reason.
    Reason {
        /// The item.
        item: ItemId,
        /// Which.
        kind: ReasonKind,
        /// Text.
        editor: Editor,
    },
    /// Sign-off confirmation.
    Sign {
        /// The item.
        item: ItemId,
        /// Signer's name (prefilled with the operator).
        name: Editor,
    },
    /// Gate decision.
    Gate {
        /// The item.
        item: ItemId,
        /// GO or NO-GO.
        decision: Decision,
        /// Reason (required for NO-GO).
        reason: Editor,
    },
    /// Search prompt (incremental).
    Search {
        /// Query.
        query: Editor,
        /// Cursor row before the search (restored on cancel).
        origin: usize,
        /// Fuzzy rather than substring.
        fuzzy: bool,
    },
    /// Values for `{{ VARIABLES }}` not set yet.
    Vars {
        /// Missing names.
        names: Vec<String>,
        /// The one being asked.
        current: usize,
        /// Value.
        editor: Editor,
    },
    /// Run summary (on completion, or `finish`).
    Summary,
    /// Timeline: planned slot vs actual span per section, on a time axis.
    Timeline {
        /// First section row shown.
        scroll: u16,
    },
    /// The selected row's detail, full-screen.
    Zoom {
        /// First row shown.
        scroll: u16,
        /// Columns of code scrolled off to the left.
        hscroll: u16,
    },
    /// Which code block to copy (a digit chooses).
    Copy {
        /// Back to the zoom view afterwards.
        from_zoom: bool,
    },
    /// The message log.
    Messages {
        /// First line shown.
        scroll: u16,
    },
}

/// A note being typed when the program had to stop, kept in the run dir and offered back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Draft {
    /// Item id.
    pub item: String,
    /// Text typed so far.
    pub text: String,
}
