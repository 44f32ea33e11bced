//! Everything that can happen to the app, and what the app asks the loop to do in return.

use super::Draft;
use super::key::KeyPress;
use crate::model::Template;
use crate::run::event::Event;
use crate::run::intent::Intent;

macro_rules! named_actions {
    ($($variant:ident = $name:literal : $doc:literal,)*) => {
        /// Every change to the app. Key bindings name the variants listed in [`Action::NAMES`].
        #[derive(Debug, Clone, PartialEq)]
        pub enum Action {
            $(#[doc = $doc] $variant,)*
            /// A key typed into the current editor (note, reason, name, search).
            Edit(KeyPress),
            /// Pasted text.
            Paste(String),
            /// The terminal has a new size.
            Resize(u16, u16),
            /// The clock ticked (once a second).
            Clock,
            /// Our own change was appended durably.
            Applied(Box<Event>),
            /// Other processes appended these events (each is folded once, in order).
            Remote(Vec<Event>),
            /// The run now follows this template (another process re-based it; its events came
            /// first as `Remote`).
            Rebased(Box<Template>),
            /// Something to tell the operator (start-up warnings, `$EDITOR` failures).
            Notice {
                /// Text.
                text: String,
                /// A problem (error style, kept until seen).
                error: bool,
            },
            /// Settings from `config.toml` and the environment (sent once, before the first key).
            Settings(Box<super::Settings>),
            /// A new run started without `--window`: ask when the window starts if it would
            /// otherwise be a guess.
            AskWindow,
            /// Notes this operator was typing when an earlier session had to stop.
            OfferDrafts(Vec<Draft>),
            /// Rows of the help overlay (it is generated from the keymap, which the app does not
            /// hold).
            HelpLength(u16),
            /// A change was refused (nothing was written).
            Refused(String),
            /// A change could not be written; it is being retried.
            NotSaved(String),
            /// The retried change was written.
            Saved,
            /// Shared store: this many changes wait in the durable outbox, not shared yet (0: all
            /// shared), and why.
            NotShared {
                /// Changes waiting.
                pending: usize,
                /// The link error.
                why: String,
            },
            /// Shared store: an undo took back a change still waiting (it was never shared).
            Withdrawn(String),
            /// Who else has the run open now.
            Presence(Vec<crate::run::presence::Viewer>),
            /// `$EDITOR` finished with this text (`None`: it failed or was cancelled).
            EditorDone(Option<String>),
            /// The command is prepared: confirm it.
            CommandPrepared(Box<super::command::CommandPreview>),
            /// The command needs these secret values first.
            SecretsNeeded {
                /// What runs once they are given.
                target: crate::exec::Target,
                /// Secret variables without a value.
                names: Vec<String>,
            },
            /// The command was not prepared or not started (nothing ran), and why.
            CommandRefused(String),
            /// Its `command_started` is durable and it runs.
            CommandStarted {
                /// The event.
                event: Box<Event>,
                /// What it started.
                started: crate::exec::record::Started,
            },
            /// Output of the running command (clean text).
            CommandOutput(String),
            /// The running command ended.
            CommandEnded(Box<crate::exec::spawn::Finished>),
            /// Whether each command without a result still runs (from the writer).
            CommandLiveness(Vec<super::command::CommandLive>),
            /// A mouse click at a cell.
            Click(u16, u16),
            /// Mouse wheel: negative up, positive down.
            Wheel(i8),
        }

        impl Action {
            /// Names usable in a keymap, with the action each stands for.
            pub const NAMES: &'static [(&'static str, Action)] = &[$(($name, Action::$variant),)*];

            /// The keymap name of a bindable action.
            pub fn name(&self) -> Option<&'static str> {
                match self {
                    $(Action::$variant => Some($name),)*
                    _ => None,
                }
            }

            /// The bindable action with this keymap name.
            pub fn from_name(name: &str) -> Option<Action> {
                match name {
                    $($name => Some(Action::$variant),)*
                    _ => None,
                }
            }
        }
    };
}

named_actions! {
    Up = "up": "Move up one row.",
    Down = "down": "Move down one row.",
    PageUp = "page-up": "Move up a page.",
    PageDown = "page-down": "Move down a page.",
    Top = "top": "First row.",
    Bottom = "bottom": "Last row.",
    Open = "open": "Show the item full-screen, or fold / unfold the section.",
    Zoom = "zoom": "Show the selected item full-screen (code scrolls sideways).",
    FoldToggle = "fold-toggle": "Fold or unfold the section at or around the cursor.",
    FoldAll = "fold-all": "Fold every section.",
    UnfoldAll = "unfold-all": "Unfold every section.",
    FoldClose = "fold-close": "Fold the section (or go to the section heading).",
    FoldOpen = "fold-open": "Unfold the section.",
    NextOpen = "next-open": "Next open item.",
    PrevOpen = "prev-open": "Previous open item.",
    NextSection = "next-section": "Next section.",
    PrevSection = "prev-section": "Previous section.",
    Tick = "tick": "Tick or untick the item (sign-offs and gates open their dialog).",
    Sign = "sign": "Sign a sign-off item.",
    Note = "note": "Add a note to the item.",
    FillField = "fill-field": "Fill in a blank cell of a status-table row (the next blank column first).",
    Skip = "skip": "Skip the item, with a reason.",
    Na = "na": "Mark the item not applicable, with a reason.",
    Fail = "fail": "Mark the item failed, with a note.",
    Gate = "gate": "Decide a gate: GO or NO-GO.",
    Copy = "copy": "Copy the item's code block(s) to the clipboard.",
    Undo = "undo": "Revert your last change.",
    Search = "search": "Search items.",
    NextMatch = "next-match": "Next search match.",
    PrevMatch = "prev-match": "Previous search match.",
    ClearSearch = "clear-search": "Leave the search.",
    Finish = "finish": "Run summary; finish the run.",
    Timeline = "timeline": "Show or hide the timeline (planned vs actual per section).",
    Help = "help": "Show or hide the keys.",
    Messages = "messages": "Show the recent messages.",
    Left = "left": "Scroll left.",
    Right = "right": "Scroll right.",
    DetailDown = "detail-down": "Scroll the detail pane down.",
    DetailUp = "detail-up": "Scroll the detail pane up.",
    Quit = "quit": "Quit (everything is already saved).",
    Suspend = "suspend": "Suspend to the shell (fg to come back).",
    Submit = "submit": "Confirm.",
    Cancel = "cancel": "Cancel.",
    Toggle = "toggle": "Switch the choice (GO / NO-GO; substring / fuzzy search).",
    ExternalEditor = "external-editor": "Edit the note in $EDITOR.",
    Go = "go": "Choose GO in the gate dialog.",
    NoGo = "no-go": "Choose NO-GO in the gate dialog (a reason is required).",
    Hold = "hold": "Put the run on HOLD, with a reason (every screen shows it).",
    Resume = "resume": "Lift the HOLD and resolve the NO-GO decisions, with a reason.",
    Abort = "abort": "Abort the run, with a reason and a confirmation.",
    Rollback = "rollback": "Go to the rollback section (cursor there, unfolded).",
    Window = "window": "Set or move the window's start, with a reason.",
    Info = "info": "Show the run: template metadata, window, state.",
    Run = "run": "Run the item's (or section's) command: shows exactly what runs, then asks.",
    Interrupt = "interrupt": "Interrupt the running command (twice: kill it); with none running, quit.",
    Output = "output": "Show the command's whole output, full-screen.",
    HideOutput = "hide-output": "Hide the docked output pane until the next command.",
}

/// Which set of bindings applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum KeyMode {
    /// Bindings that apply everywhere (checked last).
    Global,
    /// Walking the checklist.
    Normal,
    /// A search is active: overrides some normal keys (`n`/`N`).
    Found,
    /// Help overlay.
    Help,
    /// Note editor.
    Note,
    /// Skip / n-a / fail reason.
    Reason,
    /// Filling in a blank cell of a status-table row.
    Field,
    /// Sign-off dialog.
    Sign,
    /// Gate dialog before GO or NO-GO is chosen.
    Decide,
    /// Gate decision: the reason, GO or NO-GO chosen.
    Gate,
    /// A yes/no question before a change.
    Confirm,
    /// Choosing what follows our NO-GO.
    AfterNoGo,
    /// The window's start.
    Window,
    /// The run's information.
    Info,
    /// Search prompt.
    Search,
    /// Variables form.
    Vars,
    /// Run summary.
    Summary,
    /// Timeline view.
    Timeline,
    /// The selected item full-screen.
    Zoom,
    /// Choosing which code block to copy.
    Copy,
    /// The message log.
    Messages,
    /// Confirming a command before it runs.
    RunConfirm,
    /// Confirming a destructive command: the item's code typed back.
    RunCode,
    /// A secret value for a command.
    Secret,
    /// After a command: tick / mark failed?
    CommandDone,
    /// A command's whole output.
    Output,
}

impl KeyMode {
    /// All modes.
    pub const ALL: [KeyMode; 26] = [
        KeyMode::Global,
        KeyMode::Normal,
        KeyMode::Found,
        KeyMode::Help,
        KeyMode::Note,
        KeyMode::Reason,
        KeyMode::Field,
        KeyMode::Sign,
        KeyMode::Decide,
        KeyMode::Gate,
        KeyMode::Confirm,
        KeyMode::AfterNoGo,
        KeyMode::Window,
        KeyMode::Info,
        KeyMode::Search,
        KeyMode::Vars,
        KeyMode::Summary,
        KeyMode::Timeline,
        KeyMode::Zoom,
        KeyMode::Copy,
        KeyMode::Messages,
        KeyMode::RunConfirm,
        KeyMode::RunCode,
        KeyMode::Secret,
        KeyMode::CommandDone,
        KeyMode::Output,
    ];

    /// Keymap spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            KeyMode::Global => "global",
            KeyMode::Normal => "normal",
            KeyMode::Found => "found",
            KeyMode::Help => "help",
            KeyMode::Note => "note",
            KeyMode::Reason => "reason",
            KeyMode::Field => "field",
            KeyMode::Sign => "sign",
            KeyMode::Decide => "decide",
            KeyMode::Gate => "gate",
            KeyMode::Confirm => "confirm",
            KeyMode::AfterNoGo => "after-no-go",
            KeyMode::Window => "window",
            KeyMode::Info => "info",
            KeyMode::Search => "search",
            KeyMode::Vars => "vars",
            KeyMode::Summary => "summary",
            KeyMode::Timeline => "timeline",
            KeyMode::Zoom => "zoom",
            KeyMode::Copy => "copy",
            KeyMode::Messages => "messages",
            KeyMode::RunConfirm => "run",
            KeyMode::RunCode => "run-code",
            KeyMode::Secret => "secret",
            KeyMode::CommandDone => "command-done",
            KeyMode::Output => "output",
        }
    }

    /// Parses the keymap spelling.
    pub fn parse(s: &str) -> Option<KeyMode> {
        KeyMode::ALL.into_iter().find(|m| m.as_str() == s)
    }

    /// Whether unbound keys are typed into an editor.
    pub fn takes_text(self) -> bool {
        matches!(
            self,
            KeyMode::Note
                | KeyMode::Reason
                | KeyMode::Field
                | KeyMode::Sign
                | KeyMode::Gate
                | KeyMode::Search
                | KeyMode::Vars
                | KeyMode::Window
                | KeyMode::Copy
                | KeyMode::RunCode
                | KeyMode::Secret
        )
    }
}

/// What `update` asks the event loop to do.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Outcome {
    /// The screen changed.
    pub redraw: bool,
    /// Append this change to the journal (and report back with `Applied`, `Refused` or `NotSaved`).
    pub append: Option<Intent>,
    /// Leave (after saving any draft).
    pub quit: bool,
    /// Suspend to the shell.
    pub suspend: bool,
    /// Put this text on the clipboard.
    pub copy: Option<String>,
    /// Open `$EDITOR` on this text (report back with `EditorDone`).
    pub external_edit: Option<String>,
    /// Prepare, start or interrupt a command, or keep a secret (see [`super::command`]).
    pub command: Option<super::command::CommandRequest>,
}

impl Outcome {
    /// Just redraw.
    pub fn redraw() -> Outcome {
        Outcome {
            redraw: true,
            ..Outcome::default()
        }
    }

    /// Redraw and append.
    pub fn append(intent: Intent) -> Outcome {
        Outcome {
            redraw: true,
            append: Some(intent),
            ..Outcome::default()
        }
    }
}
