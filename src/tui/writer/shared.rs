//! The writer's work that differs by store: a shared run's changes go through its durable outbox
//! (shared now, or kept and sent in order when the link is back, each re-checked at the server's
//! head), and presence (this screen's heartbeat; who else has the run open) for both stores.

use super::{State, StoreMsg, now};
use crate::backend::Opened;
use crate::run::event::Event;
use std::time::Instant;

impl<F: FnMut(StoreMsg) -> bool> State<F> {
    /// Changes waiting in the shared store's outbox (0 for a local run).
    pub(super) fn shared_pending(&self) -> usize {
        match &self.open {
            #[cfg(feature = "postgres")]
            Some(Opened::Shared(s)) => s.pending(),
            _ => 0,
        }
    }

    /// Tells the app how many changes are not shared yet, when that changed.
    #[cfg(feature = "postgres")]
    fn report_pending(&mut self, why: Option<String>) -> bool {
        let pending = self.shared_pending();
        if pending == self.not_shared && why.is_none() {
            return true;
        }
        self.not_shared = pending;
        (self.out)(StoreMsg::NotShared {
            pending,
            why: why.unwrap_or_default(),
        })
    }

    /// Delivers events in `seq` order: each of ours (`own`) as written after the others' before it.
    #[cfg(feature = "postgres")]
    fn deliver_mixed(&mut self, mut events: Vec<Event>, own: &[u64]) -> bool {
        events.sort_by_key(|e| e.seq);
        events.dedup_by_key(|e| e.seq);
        let mut others = Vec::new();
        for ev in events {
            if ev.seq <= self.delivered {
                continue;
            }
            if own.contains(&ev.seq) {
                if !self.deliver(std::mem::take(&mut others), Some(ev)) {
                    return false;
                }
            } else {
                others.push(ev);
            }
        }
        others.is_empty() || self.deliver(others, None)
    }

    /// Sends what an earlier session or a dropped link left in the outbox (in order), then the
    /// screen's new changes; a refusal is reported, never merged.
    #[cfg(feature = "postgres")]
    pub(super) fn flush_shared(&mut self) -> bool {
        use crate::pg::engine::Submitted;
        let intents = self.outbox.take();
        let actor = self.actor.clone();
        let Some(Opened::Shared(run)) = self.open.as_mut() else {
            return true;
        };
        let mut msgs: Vec<StoreMsg> = Vec::new();
        let mut delivered: Vec<Event> = Vec::new();
        let mut own: Vec<u64> = Vec::new();
        let mut why: Option<String> = None;
        if run.pending() > 0 {
            match run.drain() {
                Ok(r) => {
                    for ev in r.settled.iter().chain(&r.shared) {
                        own.push(ev.seq);
                        delivered.push(ev.clone());
                    }
                    for refused in r.refused {
                        msgs.push(StoreMsg::Refused(format!(
                            "not shared — the shared store refused a change made while the link was down: {}",
                            refused.reason
                        )));
                    }
                    why = r.stopped;
                }
                Err(e) => why = Some(e.to_string()),
            }
        }
        for intent in intents {
            match run.submit(&intent, &actor, now()) {
                Ok(Submitted::Shared(ev)) => {
                    own.push(ev.seq);
                    delivered.push(ev);
                }
                Ok(Submitted::Queued { why: w, .. }) => why = Some(w),
                Ok(Submitted::Cancelled(p)) => msgs.push(StoreMsg::Withdrawn(format!(
                    "undone before it was shared: your change of {} never reached the shared store",
                    crate::run::event::show_time(&p.at)
                ))),
                Err(e) => msgs.push(StoreMsg::Refused(e.to_string())),
            }
        }
        let mut all = run.take_caught_up(&own);
        all.extend(delivered);
        if !self.deliver_mixed(all, &own) {
            return false;
        }
        for m in msgs {
            if !(self.out)(m) {
                return false;
            }
        }
        self.report_pending(why)
    }

    /// Presence: joins on the first call, heartbeats every [`crate::store::presence::HEARTBEAT`],
    /// and tells the app who else has the run open when that changed.
    pub(super) fn beat(&mut self) -> bool {
        let due = self
            .presence
            .beat
            .is_none_or(|t| t.elapsed() >= crate::store::presence::HEARTBEAT);
        let first = self.presence.beat.is_none();
        let Some(open) = self.open.as_mut() else {
            return true;
        };
        if due {
            self.presence.beat = Some(Instant::now());
            match open {
                Opened::File(o) => match &mut self.presence.local {
                    Some(p) => {
                        let _ = p.heartbeat();
                    }
                    None if first => {
                        self.presence.local =
                            crate::store::presence::Presence::join(o.rundir(), &self.actor).ok();
                    }
                    None => {}
                },
                #[cfg(feature = "postgres")]
                Opened::Shared(s) => {
                    let _ = if first {
                        s.join_presence(&self.actor)
                    } else {
                        s.heartbeat()
                    };
                }
            }
        }
        let others = match (&self.presence.local, open) {
            (Some(p), Opened::File(_)) => p.others(),
            (None, Opened::File(_)) => Vec::new(),
            #[cfg(feature = "postgres")]
            (_, o @ Opened::Shared(_)) => o.viewers(),
        };
        // Nobody else (the start, or as before): nothing to tell.
        if self.presence.shown.as_deref().unwrap_or_default() == others.as_slice() {
            return true;
        }
        self.presence.shown = Some(others.clone());
        (self.out)(StoreMsg::Presence(others))
    }

    /// Leaves presence (the local file is removed; the shared row deleted).
    pub(super) fn leave(&mut self) {
        self.presence.local = None;
        #[cfg(feature = "postgres")]
        if let Some(Opened::Shared(s)) = self.open.as_mut() {
            let _ = s.leave_presence();
        }
    }
}
