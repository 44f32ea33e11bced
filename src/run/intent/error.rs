//! Why a change is refused.

use crate::model::ItemId;
use crate::run::state::ItemState;

/// Why a change is refused. Nothing is appended.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IntentError {
    /// The run is completed or aborted.
    #[error("run {id} is {status}: it takes no more changes")]
    Closed {
        /// Run id.
        id: String,
        /// `completed` or `aborted`.
        status: &'static str,
    },
    /// A command's result for a command that is not running (no such `command_started`, another
    /// target's, or it has its result already).
    #[error("no command without a result was started at seq {0} for this item")]
    NoCommand(u64),
    /// No such item in the template.
    #[error("no item {0} in the template this run follows")]
    UnknownItem(ItemId),
    /// The command does not fit the item's kind.
    #[error("“{text}” is a {kind} item: {hint}")]
    WrongKind {
        /// Item text.
        text: String,
        /// Its kind.
        kind: &'static str,
        /// What to use instead.
        hint: &'static str,
    },
    /// The item already has that state.
    #[error("“{text}” is already {state}{who}")]
    Already {
        /// Item text.
        text: String,
        /// State.
        state: ItemState,
        /// ` (by …, at …)` when known.
        who: String,
    },
    /// A reason, note or text is required.
    #[error("{0} must not be empty")]
    Empty(&'static str),
    /// Variable not declared by the template.
    #[error("the template has no variable {name}; it has: {known}")]
    UnknownVar {
        /// Name given.
        name: String,
        /// Declared names.
        known: String,
    },
    /// The item has no blank cell under that column.
    #[error("“{text}” has no field {column} to fill in; {}", fillable_hint(.fillable))]
    NoField {
        /// Item text.
        text: String,
        /// Column given.
        column: String,
        /// Its fillable columns.
        fillable: Vec<String>,
    },
    /// The template declares the variable secret: its value is never recorded.
    #[error(
        "{0} is a secret variable (the template's `secrets:`): its value is never written to the run; give it to the command with `runsheet exec RUN ITEM --secret {0}`"
    )]
    Secret(String),
    /// Nothing of this operator's to undo.
    #[error("nothing of {0}'s to undo")]
    NothingToUndo(String),
    /// The change an undo named is no longer this operator's last one (another session of the
    /// same operator changed the run since): nothing is reverted.
    #[error(
        "the run changed since the undo was asked: your last change is now {}; nothing was undone, look again",
        .latest.map_or_else(|| "none".to_owned(), |s| format!("seq {s}"))
    )]
    UndoMoved {
        /// `seq` the undo named.
        named: u64,
        /// `seq` of the operator's last undoable change now.
        latest: Option<u64>,
    },
    /// Items still open.
    #[error("{count} item(s) still open, e.g. {first}: tick, skip or n/a them first")]
    OpenItems {
        /// How many.
        count: usize,
        /// The first few, quoted.
        first: String,
    },
    /// A tick, sign-off or GO while a NO-GO is unresolved or the run is on HOLD, not confirmed.
    #[error(
        "there is a {blocker}; this would proceed after it. Resolve it first (decide the gate GO, or `runsheet hold RUN --release --reason TEXT`), or confirm with --after-no-go to record it as made after the NO-GO"
    )]
    AfterNoGo {
        /// What holds the run back, described.
        blocker: String,
    },
    /// Finishing with failed items or NO-GO decisions needs them accepted.
    #[error(
        "the run has exceptions ({summary}): finish it with --accept-exceptions --reason TEXT to accept them, or `runsheet abort RUN --reason TEXT`"
    )]
    Exceptions {
        /// `1 failed, 1 no-go`.
        summary: String,
    },
    /// The run is on HOLD: it cannot be finished, or held twice.
    #[error(
        "the run is on {0}: lift it first with `runsheet hold RUN --release --reason TEXT`, or abort it"
    )]
    OnHold(String),
    /// Nothing to resume.
    #[error("the run is not on HOLD and has no unresolved NO-GO: nothing to resume")]
    NotHeld,
}

fn fillable_hint(fillable: &[String]) -> String {
    if fillable.is_empty() {
        "it has none (only the empty cells of a status-table row are fields)".to_owned()
    } else {
        format!("its fields: {}", fillable.join(", "))
    }
}
