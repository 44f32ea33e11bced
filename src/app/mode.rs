//! What the screen is doing (`Mode`: the list or one of its popups), and the drafts a note editor
//! leaves behind.

use super::editor::Editor;
use crate::model::ItemId;
use crate::run::event::Decision;
use crate::run::intent::Intent;
use crate::run::undo::UndoPreview;
use crate::when::Zone;
use chrono::{DateTime, FixedOffset};
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

/// A change to the run itself that needs a reason (it is recorded).
#[derive(Debug, Clone, PartialEq)]
pub enum RunReasonKind {
    /// Put the run on HOLD (after the NO-GO on `gate`, if any).
    Hold {
        /// The gate whose NO-GO led to it.
        gate: Option<ItemId>,
    },
    /// Lift the HOLD and resolve the NO-GO decisions before it.
    Resume,
    /// Abort the run (a confirmation follows).
    Abort,
    /// Finish although items failed or gates were decided NO-GO (a confirmation follows).
    FinishAccepting {
        /// `1 failed, 1 no-go`.
        exceptions: String,
    },
    /// Move the window to this start (already read and resolved).
    Window {
        /// Start.
        start: DateTime<FixedOffset>,
        /// Zone.
        zone: Zone,
        /// End, when given.
        end: Option<DateTime<FixedOffset>>,
        /// The new window, in words.
        shown: String,
    },
}

/// A yes/no question before a change is sent.
#[derive(Debug, Clone, PartialEq)]
pub struct Question {
    /// Popup title.
    pub title: String,
    /// What is asked, line by line (the first is the question itself).
    pub lines: Vec<String>,
    /// What `y` sends.
    pub intent: Intent,
    /// The item the change is about (the cursor moves on after it, as after a tick).
    pub item: Option<ItemId>,
    /// The undo being asked about (its `done()` text is the message after it).
    pub undo: Option<UndoPreview>,
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
    /// A blank cell of a status-table row being filled in (`Intent::Field`).
    Field {
        /// The item.
        item: ItemId,
        /// Which of the item's fillable columns (index into `Item::fillable`).
        column: usize,
        /// The value.
        editor: Editor,
    },
    /// Sign-off confirmation.
    Sign {
        /// The item.
        item: ItemId,
        /// Signer's name (prefilled with the operator).
        name: Editor,
    },
    /// Gate decision: it starts with nothing chosen (the gate's scope listed), then GO or NO-GO
    /// and a reason.
    Gate {
        /// The item.
        item: ItemId,
        /// GO or NO-GO, once chosen.
        decision: Option<Decision>,
        /// Reason (required for NO-GO, and for GO when the config says so).
        reason: Editor,
        /// What is still open, failed or NO-GO in the gate's scope (item indices, document
        /// order), kept current while the dialog is open.
        scope: Vec<usize>,
    },
    /// A yes/no question before a change (after an unresolved NO-GO, undoing a decision, aborting,
    /// finishing with exceptions).
    Confirm(Box<Question>),
    /// Our NO-GO was recorded: hold, go to the rollback section, or abort.
    AfterNoGo {
        /// The gate decided NO-GO.
        gate: ItemId,
    },
    /// A reason for a change to the run itself.
    RunReason {
        /// Which change.
        kind: RunReasonKind,
        /// Text.
        editor: Editor,
    },
    /// When the window starts: asked at the start of a new run whose window would be a guess
    /// (prefilled with the guess), or to move it (`w`).
    Window {
        /// Asked at the start of a new run (Esc keeps the guess; no reason asked).
        initial: bool,
        /// The start as written.
        start: Editor,
        /// The text it was prefilled with.
        prefill: String,
        /// Why the last Enter was not taken.
        error: Option<String>,
    },
    /// The run: title, template metadata, window, state.
    Info {
        /// First row shown.
        scroll: u16,
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
    /// What a command will run, before it runs: Enter runs it (a destructive block needs the
    /// item's code typed first).
    RunConfirm {
        /// What will run.
        preview: Box<super::command::CommandPreview>,
        /// The code typed back (destructive blocks).
        code: Editor,
        /// The unresolved NO-GO or HOLD it would run after, in words.
        blocked: Option<String>,
        /// Why the last Enter did not run it.
        error: Option<String>,
    },
    /// A secret variable's value for a command (not shown as typed, never recorded).
    Secret {
        /// What runs once every value is known.
        target: crate::exec::Target,
        /// The secrets without a value.
        names: Vec<String>,
        /// The one being asked.
        current: usize,
        /// Its value.
        editor: Editor,
    },
    /// The command ended: tick it (exit 0) or mark it failed (anything else)?
    CommandDone {
        /// The item.
        item: ItemId,
        /// It exited 0.
        ok: bool,
    },
    /// A note to go with the tick or the failure after a command.
    CommandNote {
        /// The item.
        item: ItemId,
        /// It exited 0.
        ok: bool,
        /// The note.
        editor: Editor,
    },
    /// The command's whole output, full-screen.
    Output {
        /// First line shown; `None` follows the end.
        scroll: Option<usize>,
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
