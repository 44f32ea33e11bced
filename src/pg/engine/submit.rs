//! Changes through the outbox: share now if the link is up, else keep them durably, in order,
//! and send them later — each re-checked at the server's head, refusals reported, never merged.

use super::line;
use super::run::SharedRun;
use crate::pg::error::SharedError;
use crate::pg::outbox::{Outbox, Pending, Refused};
use crate::run::event::{Actor, Change, Event};
use crate::run::intent::{self, Intent, IntentError};
use chrono::{DateTime, FixedOffset};
use std::path::Path;

/// What became of a submitted change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Submitted {
    /// Committed on the shared store (acknowledged).
    Shared(Event),
    /// Kept in the outbox: NOT shared yet.
    Queued {
        /// Changes now waiting, this one included.
        pending: usize,
        /// Why (the link error).
        why: String,
    },
    /// An undo that took back a change still waiting in the outbox (it was never shared).
    Cancelled(Pending),
}

/// A waiting change, once the server has it.
enum Sent {
    /// Sent now.
    New(Event),
    /// Already recorded by an earlier try whose acknowledgement was lost.
    Found(Event),
}

/// What sending the outbox did.
#[derive(Debug, Default, Clone)]
pub struct DrainReport {
    /// Changes now shared, in order.
    pub shared: Vec<Event>,
    /// Changes that had been recorded already although their acknowledgement never arrived (the
    /// link dropped after the commit): found by their intent id, not sent twice.
    pub settled: Vec<Event>,
    /// Changes the server's latest state refused (moved aside, with the reason).
    pub refused: Vec<Refused>,
    /// Changes still waiting.
    pub pending: usize,
    /// Why sending stopped early (the link dropped again), if it did.
    pub stopped: Option<String>,
}

impl SharedRun {
    /// Attaches the outbox kept under `root` (`<data root>/outbox`).
    pub fn with_outbox(mut self, root: &Path) -> Result<SharedRun, SharedError> {
        let settings = self.session.settings().clone();
        self.outbox = Some(Outbox::open(
            root,
            &settings.store_key(),
            &settings.target(),
            &self.run.id,
        )?);
        Ok(self)
    }

    /// Changes not shared yet (“N changes not shared yet”).
    pub fn pending(&self) -> usize {
        self.outbox.as_ref().map_or(0, Outbox::len)
    }

    /// The changes not shared yet, oldest first.
    pub fn pending_changes(&self) -> &[Pending] {
        self.outbox.as_ref().map_or(&[], |o| o.pending())
    }

    /// Shares a change, or keeps it in the outbox when the store is unreachable (or changes wait
    /// already: order is kept). A change the latest state refuses is an error, as with
    /// [`SharedRun::append`]. Without an outbox this is [`SharedRun::append`].
    pub fn submit(
        &mut self,
        intent: &Intent,
        actor: &Actor,
        now: DateTime<FixedOffset>,
    ) -> Result<Submitted, SharedError> {
        if self.outbox.is_none() {
            return self.append(intent, actor, now).map(Submitted::Shared);
        }
        if self.pending() > 0 {
            self.drain()?;
        }
        let actor = self.actor_for(actor);
        if matches!(intent, Intent::Undo)
            && let Some(outbox) = self.outbox.as_mut()
            && let Some(p) = outbox.cancel_last_of(&actor)?
        {
            return Ok(Submitted::Cancelled(p));
        }
        let undo_target = match intent {
            Intent::Undo => Some(
                self.run
                    .last_undoable(&actor)
                    .ok_or_else(|| IntentError::NothingToUndo(actor.name.clone()))?,
            ),
            _ => None,
        };
        let intent_id = line::new_intent_id();
        let why = if self.pending() > 0 {
            "changes made earlier are still waiting".to_owned()
        } else {
            match self.send(&intent_id, intent, undo_target, &actor, now) {
                Ok(ev) => return Ok(Submitted::Shared(ev)),
                Err(e) if e.is_offline() => e.to_string(),
                Err(e) => return Err(e),
            }
        };
        // A change that cannot be right whatever the server holds (wrong kind of item, no reason,
        // a closed run as far as we know) is refused now, not after the link is back.
        if !matches!(intent, Intent::Undo) {
            self.check(intent, &actor)?;
        }
        let p = Pending {
            intent_id,
            intent: intent.clone(),
            undo_target,
            by: actor,
            at: now,
            based_on_seq: self.run.seq,
            why: why.clone(),
        };
        let outbox = self
            .outbox
            .as_mut()
            .ok_or_else(|| SharedError::Invalid("no outbox".to_owned()))?;
        outbox.push(p)?;
        Ok(Submitted::Queued {
            pending: outbox.len(),
            why,
        })
    }

    fn send(
        &mut self,
        intent_id: &str,
        intent: &Intent,
        undo_target: Option<u64>,
        actor: &Actor,
        at: DateTime<FixedOffset>,
    ) -> Result<Event, SharedError> {
        match (intent, undo_target) {
            (Intent::Undo, Some(target)) => {
                let who = actor.clone();
                self.commit_as(intent_id, actor, at, move |run, _| {
                    match run.last_undoable(&who) {
                        Some(t) if t == target => Ok(Change::Undo { target }),
                        Some(t) => Err(SharedError::Invalid(format!(
                            "undo was meant for seq {target}, but {}'s last change is now seq {t}: \
                             undo again if you mean that one",
                            who.name
                        ))),
                        None => Err(IntentError::NothingToUndo(who.name.clone()).into()),
                    }
                })
            }
            _ => self.append_as(intent_id, intent, actor, at),
        }
    }

    /// Sends what waits in the outbox, oldest first, each checked at the server's head. A change
    /// the latest state refuses is moved aside and reported; sending stops (keeping the rest) when
    /// the link drops again. Errors only when the outbox file cannot be written, or the history
    /// diverged.
    pub fn drain(&mut self) -> Result<DrainReport, SharedError> {
        let mut report = DrainReport::default();
        while let Some(p) = self
            .outbox
            .as_ref()
            .and_then(|o| o.pending().first().cloned())
        {
            let result = match self.recorded(&p.intent_id) {
                Ok(Some(ev)) => self.read_new_events().map(|_| Sent::Found(ev)),
                Ok(None) => self
                    .send(&p.intent_id, &p.intent, p.undo_target, &p.by, p.at)
                    .map(Sent::New),
                Err(e) => Err(e),
            };
            match result {
                Ok(sent) => {
                    match sent {
                        Sent::New(ev) => report.shared.push(ev),
                        Sent::Found(ev) => report.settled.push(ev),
                    }
                    if let Some(o) = self.outbox.as_mut() {
                        o.remove_first()?;
                    }
                }
                Err(e @ (SharedError::Diverged(_) | SharedError::Corrupt { .. })) => {
                    return Err(e);
                }
                Err(e) if !e.is_refusal() => {
                    // The link, the server or the disk: keep this change and the rest, in order.
                    report.stopped = Some(e.to_string());
                    break;
                }
                Err(refusal) => {
                    let now = chrono::Local::now().fixed_offset();
                    if let Some(o) = self.outbox.as_mut()
                        && let Some(r) = o.refuse_first(&refusal.to_string(), now)?
                    {
                        report.refused.push(r);
                    }
                }
            }
        }
        report.pending = self.pending();
        Ok(report)
    }

    /// Re-checks an intent against the current fold without sending it (the CLI's early refusal).
    pub fn check(&self, intent: &Intent, actor: &Actor) -> Result<Change, SharedError> {
        Ok(intent::check(
            &self.run,
            &self.template,
            &self.actor_for(actor),
            intent,
        )?)
    }
}
