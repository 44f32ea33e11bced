//! The commands that change a run: tick, untick, skip, na, fail, sign, gate, note, set, undo, finish,
//! abort. Each appends one event and acknowledges it only once it is durable.

use super::common::{StoreArgs, ack, exit, snapshot_after, warn};
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

/// `tick` / `untick`.
#[derive(Debug, Clone, Args)]
pub struct TickArgs {
    /// Which item.
    #[command(flatten)]
    pub target: Target,
    /// A note recorded with the change.
    #[arg(long, value_name = "TEXT")]
    pub note: Option<String>,
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
    /// Who (`--as` is also the signer's name).
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

/// `undo` / `finish`.
#[derive(Debug, Clone, Args)]
pub struct RunArgs {
    /// Run: an id, a unique prefix of one, or `latest`.
    pub run: String,
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

fn apply_inner(run: &str, who: &Who, req: Request) -> Result<(), StoreError> {
    let mut open = who.store.open(run)?;
    warn(&open);
    let intent = match req {
        Request::Run(i) => i,
        Request::Item(query, build) => build(find_item(&open.run, &open.template, &query)?),
    };
    let actor = identity::current(who.as_name.as_deref());
    let ev = open.append(&intent, &actor, chrono::Local::now().fixed_offset())?;
    println!("{}", ack(&open, &ev));
    snapshot_after(&mut open);
    Ok(())
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

/// `tick`.
pub fn tick(a: TickArgs) -> color_eyre::Result<i32> {
    let note = a.note;
    apply_item(a.target, &a.who, move |item| Intent::Tick { item, note })
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
    let signer = a.who.as_name.clone();
    apply_item(a.target, &a.who, move |item| Intent::Sign { item, signer })
}

/// `gate`.
pub fn gate(a: GateArgs) -> color_eyre::Result<i32> {
    let decision = match a.decision {
        GateArg::Go => Decision::Go,
        GateArg::NoGo => Decision::NoGo,
    };
    let reason = a.reason;
    apply_item(a.target, &a.who, move |item| Intent::Gate {
        item,
        decision,
        reason,
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

/// `undo`.
pub fn undo(a: RunArgs) -> color_eyre::Result<i32> {
    apply(&a.run, &a.who, Request::Run(Intent::Undo))
}

/// `finish`.
pub fn finish(a: RunArgs) -> color_eyre::Result<i32> {
    apply(&a.run, &a.who, Request::Run(Intent::Finish))
}

/// `abort`.
pub fn abort(a: AbortArgs) -> color_eyre::Result<i32> {
    apply(
        &a.run,
        &a.who,
        Request::Run(Intent::Abort { reason: a.reason }),
    )
}
