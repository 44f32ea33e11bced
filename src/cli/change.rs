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
    /// Variable name (as in `{{ NAME }}`).
    pub var: String,
    /// Value.
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

/// What the command asks, with the item still to be found.
#[derive(Debug, Clone)]
pub enum Request {
    /// A change to one item: the query, and how to build the intent once it is resolved.
    Item(
        String,
        fn(crate::model::ItemId, &ItemExtra) -> Intent,
        ItemExtra,
    ),
    /// A change to the run.
    Run(Intent),
}

/// Extra arguments of an item change.
#[derive(Debug, Clone, Default)]
pub struct ItemExtra {
    /// Note or reason or text.
    pub text: Option<String>,
    /// Signer.
    pub signer: Option<String>,
    /// Gate decision.
    pub decision: Option<Decision>,
}

/// Applies a request to RUN and prints the acknowledgement.
pub fn apply(run: &str, who: &Who, req: Request) -> color_eyre::Result<i32> {
    exit(apply_inner(run, who, req))
}

fn apply_inner(run: &str, who: &Who, req: Request) -> Result<(), StoreError> {
    let mut open = who.store.open(run)?;
    warn(&open);
    let intent = match req {
        Request::Run(i) => i,
        Request::Item(query, build, extra) => {
            let id = find_item(&open.run, &open.template, &query)?;
            build(id, &extra)
        }
    };
    let actor = identity::current(who.as_name.as_deref());
    let ev = open.append(&intent, &actor, chrono::Local::now().fixed_offset())?;
    println!("{}", ack(&open, &ev));
    snapshot_after(&mut open);
    Ok(())
}

fn text(e: &ItemExtra) -> String {
    e.text.clone().unwrap_or_default()
}

/// `tick`.
pub fn tick(a: TickArgs) -> color_eyre::Result<i32> {
    let extra = ItemExtra {
        text: a.note,
        ..ItemExtra::default()
    };
    let req = Request::Item(
        a.target.item,
        |item, e| Intent::Tick {
            item,
            note: e.text.clone(),
        },
        extra,
    );
    apply(&a.target.run, &a.who, req)
}

/// `untick`.
pub fn untick(a: TickArgs) -> color_eyre::Result<i32> {
    let extra = ItemExtra {
        text: a.note,
        ..ItemExtra::default()
    };
    let req = Request::Item(
        a.target.item,
        |item, e| Intent::Untick {
            item,
            note: e.text.clone(),
        },
        extra,
    );
    apply(&a.target.run, &a.who, req)
}

/// `skip`.
pub fn skip(a: ReasonArgs) -> color_eyre::Result<i32> {
    let extra = ItemExtra {
        text: Some(a.reason),
        ..ItemExtra::default()
    };
    let req = Request::Item(
        a.target.item,
        |item, e| Intent::Skip {
            item,
            reason: text(e),
        },
        extra,
    );
    apply(&a.target.run, &a.who, req)
}

/// `na`.
pub fn na(a: ReasonArgs) -> color_eyre::Result<i32> {
    let extra = ItemExtra {
        text: Some(a.reason),
        ..ItemExtra::default()
    };
    let req = Request::Item(
        a.target.item,
        |item, e| Intent::Na {
            item,
            reason: text(e),
        },
        extra,
    );
    apply(&a.target.run, &a.who, req)
}

/// `fail`.
pub fn fail(a: FailArgs) -> color_eyre::Result<i32> {
    let extra = ItemExtra {
        text: Some(a.note),
        ..ItemExtra::default()
    };
    let req = Request::Item(
        a.target.item,
        |item, e| Intent::Fail {
            item,
            note: text(e),
        },
        extra,
    );
    apply(&a.target.run, &a.who, req)
}

/// `sign`.
pub fn sign(a: SignArgs) -> color_eyre::Result<i32> {
    let extra = ItemExtra {
        signer: a.who.as_name.clone(),
        ..ItemExtra::default()
    };
    let req = Request::Item(
        a.target.item,
        |item, e| Intent::Sign {
            item,
            signer: e.signer.clone(),
        },
        extra,
    );
    apply(&a.target.run, &a.who, req)
}

/// `gate`.
pub fn gate(a: GateArgs) -> color_eyre::Result<i32> {
    let extra = ItemExtra {
        text: a.reason,
        decision: Some(match a.decision {
            GateArg::Go => Decision::Go,
            GateArg::NoGo => Decision::NoGo,
        }),
        ..ItemExtra::default()
    };
    let build = |item, e: &ItemExtra| Intent::Gate {
        item,
        decision: e.decision.unwrap_or(Decision::Go),
        reason: e.text.clone(),
    };
    apply(
        &a.target.run,
        &a.who,
        Request::Item(a.target.item, build, extra),
    )
}

/// `note`.
pub fn note(a: NoteArgs) -> color_eyre::Result<i32> {
    let extra = ItemExtra {
        text: Some(a.text),
        ..ItemExtra::default()
    };
    let req = Request::Item(
        a.target.item,
        |item, e| Intent::Note {
            item,
            text: text(e),
        },
        extra,
    );
    apply(&a.target.run, &a.who, req)
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
