//! The commands that change a run: tick, untick, skip, na, fail, sign, gate, note, set, undo, finish,
//! abort, window, hold. Each appends one event and acknowledges it only once it is durable.

use super::common::{
    CmdResult, StoreArgs, ack_any, exit, line, now, out, say, snapshot_after_any, warn_any,
};
use crate::backend::Opened;
use crate::run::event::Decision;
use crate::run::intent::{Intent, find_item};
use crate::store::{StoreError, identity};
use clap::{Args, ValueEnum};

/// RUN and ITEM.
#[derive(Debug, Clone, Args)]
pub struct Target {
    /// Run: an id, a unique prefix of one, or `latest`.
    pub run: String,
    /// Item: its id, or a unique case-insensitive part of its text.
    pub item: String,
}

/// Identity and data dir.
#[derive(Debug, Clone, Args)]
pub struct Who {
    /// Display name recorded with the change (default: $RUNSHEET_OPERATOR, `operator` in
    /// ~/.config/runsheet/config.toml, or the OS user).
    #[arg(long = "as", value_name = "NAME")]
    pub as_name: Option<String>,
    /// Data dir.
    #[command(flatten)]
    pub store: StoreArgs,
}

/// Confirms proceeding after a NO-GO.
#[derive(Debug, Clone, Args)]
pub struct Confirm {
    /// Proceed although a NO-GO is unresolved or the run is on HOLD; the change is recorded as made
    /// "after NO-GO" (without it, such a tick, sign-off or GO is refused).
    #[arg(long)]
    pub after_no_go: bool,
}

/// `tick` / `untick`.
#[derive(Debug, Clone, Args)]
pub struct TickArgs {
    /// Which item.
    #[command(flatten)]
    pub target: Target,
    /// A note recorded with the change.
    #[arg(long, value_name = "TEXT")]
    pub note: Option<String>,
    /// NO-GO confirmation.
    #[command(flatten)]
    pub confirm: Confirm,
    /// Who.
    #[command(flatten)]
    pub who: Who,
}

/// `skip` / `na`.
#[derive(Debug, Clone, Args)]
pub struct ReasonArgs {
    /// Which item.
    #[command(flatten)]
    pub target: Target,
    /// Why (required).
    #[arg(long, value_name = "TEXT")]
    pub reason: String,
    /// Who.
    #[command(flatten)]
    pub who: Who,
}

/// `fail`.
#[derive(Debug, Clone, Args)]
pub struct FailArgs {
    /// Which item.
    #[command(flatten)]
    pub target: Target,
    /// What happened (required).
    #[arg(long, value_name = "TEXT")]
    pub note: String,
    /// Who.
    #[command(flatten)]
    pub who: Who,
}

/// `sign`.
#[derive(Debug, Clone, Args)]
pub struct SignArgs {
    /// Which item.
    #[command(flatten)]
    pub target: Target,
    /// The signer's name when it is not yours (recorded beside you, who recorded it).
    #[arg(long, value_name = "NAME")]
    pub signer: Option<String>,
    /// NO-GO confirmation.
    #[command(flatten)]
    pub confirm: Confirm,
    /// Who (`--as` is also the signer's name unless --signer is given).
    #[command(flatten)]
    pub who: Who,
}

/// A gate decision on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum GateArg {
    /// Proceed.
    Go,
    /// Stop.
    #[value(name = "no-go")]
    NoGo,
}

/// `gate`.
#[derive(Debug, Clone, Args)]
pub struct GateArgs {
    /// Which item.
    #[command(flatten)]
    pub target: Target,
    /// The decision.
    #[arg(value_enum)]
    pub decision: GateArg,
    /// Why (required for no-go).
    #[arg(long, value_name = "TEXT")]
    pub reason: Option<String>,
    /// NO-GO confirmation (for a GO).
    #[command(flatten)]
    pub confirm: Confirm,
    /// Who.
    #[command(flatten)]
    pub who: Who,
}

/// `note`.
#[derive(Debug, Clone, Args)]
pub struct NoteArgs {
    /// Which item.
    #[command(flatten)]
    pub target: Target,
    /// The note.
    pub text: String,
    /// Who.
    #[command(flatten)]
    pub who: Who,
}

/// `set`.
#[derive(Debug, Clone, Args)]
pub struct SetArgs {
    /// Run: an id, a unique prefix of one, or `latest`.
    pub run: String,
    /// Variable name: as in `{{ NAME }}`, or a placeholder's label (`"Deployment Lead"`).
    pub var: String,
    /// Value.
    pub value: String,
    /// Who.
    #[command(flatten)]
    pub who: Who,
}

/// `field`.
#[derive(Debug, Clone, Args)]
pub struct FieldArgs {
    /// Which item (a status-table row).
    #[command(flatten)]
    pub target: Target,
    /// The column of the blank cell (`"Last Success"`; any case).
    pub column: String,
    /// What to write in it.
    pub value: String,
    /// Who.
    #[command(flatten)]
    pub who: Who,
}

/// `undo`.
#[derive(Debug, Clone, Args)]
pub struct UndoArgs {
    /// Run: an id, a unique prefix of one, or `latest`.
    pub run: String,
    /// Undo a gate decision, a sign-off or a run-level change (variable, window, hold) without
    /// asking; without it, such an undo only says what it would revert.
    #[arg(long, short = 'y')]
    pub yes: bool,
    /// Only say what the undo would revert.
    #[arg(long)]
    pub dry_run: bool,
    /// Who.
    #[command(flatten)]
    pub who: Who,
}

/// `finish`.
#[derive(Debug, Clone, Args)]
pub struct FinishArgs {
    /// Run: an id, a unique prefix of one, or `latest`.
    pub run: String,
    /// Finish although items failed or gates were decided NO-GO (needs --reason; recorded).
    #[arg(long, requires = "reason")]
    pub accept_exceptions: bool,
    /// Why the exceptions are accepted.
    #[arg(long, value_name = "TEXT")]
    pub reason: Option<String>,
    /// Who.
    #[command(flatten)]
    pub who: Who,
}

/// `abort`.
#[derive(Debug, Clone, Args)]
pub struct AbortArgs {
    /// Run: an id, a unique prefix of one, or `latest`.
    pub run: String,
    /// Why (required).
    #[arg(long, value_name = "TEXT")]
    pub reason: String,
    /// Who.
    #[command(flatten)]
    pub who: Who,
}

/// What a command asks for: a change to one item (built once the item is resolved) or to the run.
pub enum Request {
    /// An item query (id or unique text) and how to build the change from the resolved id.
    Item(String, Box<dyn FnOnce(crate::model::ItemId) -> Intent>),
    /// A change to the run itself.
    Run(Intent),
}

/// Resolves the run (and item), appends the change, acknowledges once durable.
pub fn apply(run: &str, who: &Who, req: Request) -> color_eyre::Result<i32> {
    exit(apply_inner(run, who, req))
}

fn apply_inner(run: &str, who: &Who, req: Request) -> CmdResult {
    let mut open = who.store.open_any(run)?;
    warn_any(&open);
    let intent = match req {
        Request::Run(i) => i,
        Request::Item(query, build) => build(find_item(open.run(), open.template(), &query)?),
    };
    let actor = identity::current(who.as_name.as_deref());
    let ev = open.append(&intent, &actor, now()?)?;
    // Acknowledged first (the change is durable); the snapshot, a cache, follows.
    let shown = line(&mut out(), &ack_any(&open, &ev));
    after_effects(&open, &ev.change);
    snapshot_after_any(&mut open);
    Ok(shown?)
}

/// What a NO-GO leaves the operator to choose, on stderr: hold, roll back, or abort.
fn after_effects(open: &Opened, change: &crate::run::event::Change) {
    use crate::run::event::Change;
    if let Change::Gate {
        decision: Decision::NoGo,
        ..
    } = change
    {
        let id = open.id();
        let rollback = match crate::run::gates::rollback_section(open.template()) {
            Some(s) => format!(
                "  roll back: work the section “{}” (its items need no confirmation)",
                open.template().sections[s].title
            ),
            None => "  roll back: the template has no section titled rollback / back-out / revert"
                .to_owned(),
        };
        say(&format!(
            "runsheet: NO-GO recorded. Next, one of:\n  hold:     runsheet hold {id} --reason TEXT\n{rollback}\n  abort:    runsheet abort {id} --reason TEXT\n  Ticks, sign-offs and GO decisions until then are refused unless confirmed with --after-no-go."
        ));
    }
}

fn apply_item(
    target: Target,
    who: &Who,
    build: impl FnOnce(crate::model::ItemId) -> Intent + 'static,
) -> color_eyre::Result<i32> {
    apply(
        &target.run,
        who,
        Request::Item(target.item, Box::new(build)),
    )
}

fn confirmed(c: &Confirm, i: Intent) -> Intent {
    if c.after_no_go {
        Intent::AfterNoGo(Box::new(i))
    } else {
        i
    }
}

/// `tick`.
pub fn tick(a: TickArgs) -> color_eyre::Result<i32> {
    let note = a.note;
    let c = a.confirm;
    apply_item(a.target, &a.who, move |item| {
        confirmed(&c, Intent::Tick { item, note })
    })
}

/// `untick`.
pub fn untick(a: TickArgs) -> color_eyre::Result<i32> {
    let note = a.note;
    apply_item(a.target, &a.who, move |item| Intent::Untick { item, note })
}

/// `skip`.
pub fn skip(a: ReasonArgs) -> color_eyre::Result<i32> {
    let reason = a.reason;
    apply_item(a.target, &a.who, move |item| Intent::Skip { item, reason })
}

/// `na`.
pub fn na(a: ReasonArgs) -> color_eyre::Result<i32> {
    let reason = a.reason;
    apply_item(a.target, &a.who, move |item| Intent::Na { item, reason })
}

/// `fail`.
pub fn fail(a: FailArgs) -> color_eyre::Result<i32> {
    let note = a.note;
    apply_item(a.target, &a.who, move |item| Intent::Fail { item, note })
}

/// `sign`.
pub fn sign(a: SignArgs) -> color_eyre::Result<i32> {
    let signer = a.signer.or_else(|| a.who.as_name.clone());
    let c = a.confirm;
    apply_item(a.target, &a.who, move |item| {
        confirmed(&c, Intent::Sign { item, signer })
    })
}

/// `gate`.
pub fn gate(a: GateArgs) -> color_eyre::Result<i32> {
    let decision = match a.decision {
        GateArg::Go => Decision::Go,
        GateArg::NoGo => Decision::NoGo,
    };
    let reason = a.reason;
    let blank = reason.as_deref().is_none_or(|r| r.trim().is_empty());
    if decision == Decision::Go
        && blank
        && crate::config::load().0.gates.go_reason == crate::config::GoReason::Required
    {
        return exit(Err(StoreError::Invalid(
            "a GO needs a reason here (config.toml: [gates] go_reason = \"required\"): add --reason TEXT"
                .to_owned(),
        )
        .into()));
    }
    let c = a.confirm;
    apply_item(a.target, &a.who, move |item| {
        confirmed(
            &c,
            Intent::Gate {
                item,
                decision,
                reason,
            },
        )
    })
}

/// `note`.
pub fn note(a: NoteArgs) -> color_eyre::Result<i32> {
    let text = a.text;
    apply_item(a.target, &a.who, move |item| Intent::Note { item, text })
}

/// `field`.
pub fn field(a: FieldArgs) -> color_eyre::Result<i32> {
    let (column, value) = (a.column, a.value);
    apply_item(a.target, &a.who, move |item| Intent::Field {
        item,
        column,
        value,
    })
}

/// `set`.
pub fn set(a: SetArgs) -> color_eyre::Result<i32> {
    let req = Request::Run(Intent::Set {
        var: a.var,
        value: a.value,
    });
    apply(&a.run, &a.who, req)
}

/// `undo`: names what it reverts; gate decisions, sign-offs and run-level changes need `--yes`.
pub fn undo(a: UndoArgs) -> color_eyre::Result<i32> {
    exit((|| -> CmdResult {
        let mut open = a.who.store.open_any(&a.run)?;
        warn_any(&open);
        let actor = identity::current(a.who.as_name.as_deref());
        let Some(p) = crate::run::undo::preview(open.run(), open.template(), &actor) else {
            return Err(
                StoreError::from(crate::run::intent::IntentError::NothingToUndo(
                    actor.name.clone(),
                ))
                .into(),
            );
        };
        if a.dry_run {
            line(
                &mut out(),
                &format!("would {}", p.question(&actor).trim_end_matches('?')),
            )?;
            return Ok(());
        }
        if p.confirm && !a.yes {
            return Err(StoreError::Invalid(format!(
                "{} — this reverts a decision others may rely on; run again with --yes to undo it",
                p.question(&actor)
            ))
            .into());
        }
        let ev = open.commit(&actor, now()?, |run, template| {
            // Under the lock: the latest change may not be the one previewed any more.
            let latest = run.last_undoable(&actor);
            if latest != Some(p.seq) {
                return Err(StoreError::Invalid(format!(
                    "the run changed since: your last change is now seq {}; look again with --dry-run",
                    latest.map_or_else(|| "none".to_owned(), |s| s.to_string())
                )));
            }
            Ok(crate::run::intent::check(run, template, &actor, &Intent::Undo)?)
        })?;
        let shown = line(
            &mut out(),
            &format!("{} — {}", ack_any(&open, &ev), p.done()),
        );
        snapshot_after_any(&mut open);
        Ok(shown?)
    })())
}

/// `finish`.
pub fn finish(a: FinishArgs) -> color_eyre::Result<i32> {
    let intent = match (a.accept_exceptions, a.reason) {
        (true, Some(reason)) => Intent::FinishAccepting { reason },
        _ => Intent::Finish,
    };
    apply(&a.run, &a.who, Request::Run(intent))
}

/// `abort`.
pub fn abort(a: AbortArgs) -> color_eyre::Result<i32> {
    apply(
        &a.run,
        &a.who,
        Request::Run(Intent::Abort { reason: a.reason }),
    )
}
