//! `runsheet window` and `runsheet hold`: the run's window and its holds, journaled with a reason.

use super::change::Who;
use super::common::{CmdResult, ack_any, exit, line, now, out, snapshot_after_any, warn_any};
use crate::run::event::show_time;
use crate::run::intent::{Intent, find_item};
use crate::store::StoreError;
use crate::store::identity;
use clap::Args;

/// `window`.
#[derive(Debug, Clone, Args)]
pub struct WindowArgs {
    /// Run: an id, a unique prefix of one, or `latest`.
    pub run: String,
    /// New start: `22:00`, `2026-12-02 22:00`, `2026-12-02T22:00+01:00`, `22:00 Europe/Berlin`,
    /// `22:00-02:00 CET`, `22:00 for 4h`. Without it, the window is shown.
    pub start: Option<String>,
    /// Why it is set or moved (required with START).
    #[arg(long, value_name = "TEXT")]
    pub reason: Option<String>,
    /// Who.
    #[command(flatten)]
    pub who: Who,
}

/// `hold`.
#[derive(Debug, Clone, Args)]
pub struct HoldArgs {
    /// Run: an id, a unique prefix of one, or `latest`.
    pub run: String,
    /// Why (required).
    #[arg(long, value_name = "TEXT")]
    pub reason: String,
    /// Lift the hold instead (a journaled `resume`; unresolved NO-GO decisions count as resolved).
    #[arg(long)]
    pub release: bool,
    /// The gate whose NO-GO leads to the hold (default: the latest unresolved NO-GO).
    #[arg(long, value_name = "ITEM", conflicts_with = "release")]
    pub gate: Option<String>,
    /// Who.
    #[command(flatten)]
    pub who: Who,
}

/// `window`: shows the window, or sets / moves it (journaled, with a reason).
pub fn window(a: WindowArgs) -> color_eyre::Result<i32> {
    exit((|| -> CmdResult {
        let mut open = a.who.store.open_any(&a.run)?;
        let now = now()?;
        let Some(spec_text) = a.start else {
            let w = crate::run::window::resolve(open.run(), open.template());
            line(
                &mut out(),
                &format!(
                    "{}{} · {} · {}",
                    w.describe(),
                    if w.is_guess() { " (a guess)" } else { "" },
                    w.t_label(&now),
                    w.source_text(open.template())
                ),
            )?;
            return Ok(());
        };
        warn_any(&open);
        let reason = a.reason.ok_or_else(|| {
            StoreError::Invalid(
                "setting the window needs --reason TEXT (it is recorded)".to_owned(),
            )
        })?;
        let intent = window_intent(&spec_text, open.template(), now, reason)?;
        let actor = identity::current(a.who.as_name.as_deref());
        let ev = open.append(&intent, &actor, now)?;
        line(&mut out(), &ack_any(&open, &ev))?;
        let w = crate::run::window::resolve(open.run(), open.template());
        line(
            &mut out(),
            &format!("window {} · {}", w.describe(), w.t_label(&now)),
        )?;
        snapshot_after_any(&mut open);
        Ok(())
    })())
}

/// The `window` intent for a START as written, resolved at `now` against the template.
pub fn window_intent(
    spec: &str,
    template: &crate::model::Template,
    now: chrono::DateTime<chrono::FixedOffset>,
    reason: String,
) -> Result<Intent, StoreError> {
    let spec = crate::when::window_spec(spec, true)
        .map_err(|e| StoreError::Invalid(format!("window: {e}")))?;
    let r = crate::run::window::resolve_spec(&spec, template, now)
        .map_err(|e| StoreError::Invalid(format!("window: {e}")))?;
    Ok(Intent::Window {
        start: r.start,
        zone: r.zone,
        end: r.end,
        reason,
    })
}

/// `hold`: puts the run on HOLD, or lifts it with `--release` (a journaled `resume`).
pub fn hold(a: HoldArgs) -> color_eyre::Result<i32> {
    exit((|| -> CmdResult {
        let mut open = a.who.store.open_any(&a.run)?;
        warn_any(&open);
        let intent = if a.release {
            Intent::Resume { reason: a.reason }
        } else {
            let gate = match &a.gate {
                Some(q) => Some(find_item(open.run(), open.template(), q)?),
                None => open
                    .run()
                    .open_no_go
                    .iter()
                    .max_by_key(|(_, s)| **s)
                    .map(|(g, _)| g.clone()),
            };
            Intent::Hold {
                reason: a.reason,
                gate,
            }
        };
        let actor = identity::current(a.who.as_name.as_deref());
        let ev = open.append(&intent, &actor, now()?)?;
        line(&mut out(), &ack_any(&open, &ev))?;
        if let Some(h) = open.run().active_hold() {
            line(
                &mut out(),
                &format!(
                    "HOLD since {} by {}: {}",
                    show_time(&h.at),
                    h.by.describe(),
                    h.reason.replace('\n', " ")
                ),
            )?;
        }
        snapshot_after_any(&mut open);
        Ok(())
    })())
}
