//! The writer's part in running a command from the screen: `command_started` appended (after every
//! change queued before it, so the journal keeps the operator's order) and delivered with the
//! events read before it; and, once a second, whether each command without a result still runs
//! (its output file's lock), so every screen can tell "running" from "its runsheet stopped".

use super::{State, StoreMsg, now};
use crate::app::command::{CommandLive, unfinished};
use crate::backend::Opened;
use crate::exec::Prepared;
use crate::exec::record::{self, StartRecord};
use crate::store::outputs::{self, Liveness};

impl<F: FnMut(StoreMsg) -> bool> State<F> {
    /// Records the start of `prepared` and hands it back to be spawned; returns `false` when
    /// nobody listens any more.
    pub(super) fn start_command(
        &mut self,
        prepared: Box<Prepared>,
        confirmed: &str,
        keep: u64,
    ) -> bool {
        if (!self.outbox.is_empty() || self.create_failed) && !self.flush() {
            return false;
        }
        if !self.outbox.is_empty() || self.create_failed || self.open.is_none() {
            return (self.out)(StoreMsg::CommandRefused(format!(
                "earlier changes are not saved yet ({} waiting): a command starts only once its start can be recorded",
                self.outbox.len()
            )));
        }
        let actor = self.actor.clone();
        let result = match self.open.as_mut() {
            Some(Opened::File(open)) => {
                record::start_recorded(open, &prepared, confirmed, keep, &actor, now())
            }
            _ => {
                return (self.out)(StoreMsg::CommandRefused(
                    "commands run from the screen on local runs only for now: a shared (PostgreSQL) run has no shared home for their output yet"
                        .to_owned(),
                ));
            }
        };
        match result {
            Ok(StartRecord {
                started,
                file,
                caught_up,
                event,
            }) => {
                tracing::info!(seq = event.seq, target = %started.target, "command started");
                let first = caught_up.first().map_or(event.seq, |e| e.seq);
                let mut all = self.missing(first);
                all.extend(caught_up);
                let template = self.template_change();
                self.delivered = event.seq;
                (self.out)(StoreMsg::CommandStarted {
                    caught_up: all,
                    template,
                    event: Box::new(event),
                    started,
                    file: Box::new(file),
                    prepared,
                })
            }
            Err(e) => {
                tracing::warn!("command not started: {e}");
                self.send_gap() && (self.out)(StoreMsg::CommandRefused(e.to_string()))
            }
        }
    }

    /// Tells the app which commands without a result still run, when that changed.
    pub(super) fn report_liveness(&mut self) -> bool {
        let Some(Opened::File(open)) = self.open.as_ref() else {
            return true;
        };
        let list: Vec<CommandLive> = unfinished(&open.run)
            .into_iter()
            .map(|u| {
                let running = outputs::liveness(open.rundir(), &u.output) == Liveness::Running;
                let saved_bytes = outputs::open_recorded(open.rundir(), &u.output)
                    .and_then(|f| {
                        f.metadata()
                            .map(|m| m.len())
                            .map_err(|e| crate::store::StoreError::Invalid(e.to_string()))
                    })
                    .unwrap_or(0);
                CommandLive {
                    seq: u.seq,
                    running,
                    saved_bytes,
                }
            })
            .collect();
        let key: Vec<(u64, bool)> = list.iter().map(|l| (l.seq, l.running)).collect();
        if self.liveness == key {
            return true;
        }
        self.liveness = key;
        (self.out)(StoreMsg::CommandLiveness(list))
    }
}
