//! The writer thread: it owns the open run (the store handle), so appends — which take the journal's
//! lock, and wait for it while another process holds it — never run on the thread that reads keys
//! and draws. Changes go through the [`Outbox`]; what happened comes back through the loop's one
//! channel, every event of the journal exactly once and in order (our own, and other processes'
//! read before ours or by the once-a-second poll).

use super::outbox::{Outbox, Report};
use crate::backend::Opened;
use crate::model::Template;
use crate::run::event::{Actor, Event};
use crate::run::intent::Intent;
use crate::run::presence::Viewer;
use crate::store::{Committed, NewRun, OpenRun};
use chrono::{DateTime, FixedOffset, Local};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::thread::JoinHandle;
use std::time::Duration;

/// How often a change that could not be written is retried.
pub const RETRY: Duration = Duration::from_secs(1);

/// What the writer reports.
#[derive(Debug)]
pub enum StoreMsg {
    /// Events of other processes, oldest first; with the new template when they re-based the run.
    Remote {
        /// The events.
        events: Vec<Event>,
        /// The template the run follows after them, when it changed.
        template: Option<Box<Template>>,
    },
    /// Our change was written after `caught_up` (other processes' events read first).
    Written {
        /// Events read before ours.
        caught_up: Vec<Event>,
        /// The template after them, when it changed.
        template: Option<Box<Template>>,
        /// Ours.
        event: Box<Event>,
    },
    /// The change was refused (nothing written).
    Refused(String),
    /// A change could not be written; it waits and is retried.
    NotSaved(String),
    /// Everything that waited is written.
    Saved,
    /// Reading other processes' appends failed (said once until it works again).
    Problem(String),
    /// Shared store: changes kept in the durable outbox, not shared yet (0: all shared now).
    NotShared {
        /// Changes waiting.
        pending: usize,
        /// Why (the link error), when some wait.
        why: String,
    },
    /// Shared store: an undo took back a change that was still waiting (never shared).
    Withdrawn(String),
    /// Who else has the run open now (sent when it changes).
    Presence(Vec<Viewer>),
    /// A command's `command_started` is durable (after `caught_up`): spawn it now.
    CommandStarted {
        /// Events read before it.
        caught_up: Vec<Event>,
        /// The template after them, when it changed.
        template: Option<Box<Template>>,
        /// The `command_started` event.
        event: Box<Event>,
        /// What started.
        started: crate::exec::record::Started,
        /// Its output file.
        file: Box<crate::exec::output::OutputFile>,
        /// What runs.
        prepared: Box<crate::exec::Prepared>,
    },
    /// The command was not started (nothing ran), and why.
    CommandRefused(String),
    /// Whether each command without a result still runs (sent when that changes).
    CommandLiveness(Vec<crate::app::command::CommandLive>),
}

enum Job {
    Append(Intent),
    StartCommand {
        prepared: Box<crate::exec::Prepared>,
        confirmed: String,
        keep: u64,
    },
    Poll,
    Finish {
        snapshot: bool,
        reply: Sender<Finished>,
    },
}

/// What was left when the writer finished.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finished {
    /// Changes that could not be written.
    pub unsaved: usize,
    /// Shared store: changes kept in the durable outbox, sent when the run is opened again.
    pub not_shared: usize,
    /// Why the last one failed, if one did.
    pub error: Option<String>,
}

/// The running writer.
#[derive(Debug)]
pub struct Writer {
    tx: Sender<Job>,
    handle: Option<JoinHandle<()>>,
}

fn now() -> DateTime<FixedOffset> {
    Local::now().fixed_offset()
}

/// The run the writer writes to: open, or still to be created.
pub enum Target {
    /// An existing run (in either store).
    Open(Box<Opened>),
    /// A new run, created durably by the writer before anything else (the first frame does not
    /// wait for it; the first change does).
    New(Box<NewRun>),
}

struct State<F: FnMut(StoreMsg) -> bool> {
    open: Option<Opened>,
    creating: Option<NewRun>,
    actor: Actor,
    outbox: Outbox,
    /// `seq` of the last event handed to the app.
    delivered: u64,
    base: String,
    create_failed: bool,
    last_error: Option<String>,
    problem: Option<String>,
    /// This screen's presence file (local runs) and the last list of others sent.
    presence: Presence,
    /// Shared store: changes in its outbox when last reported.
    not_shared: usize,
    /// Commands without a result and whether each ran, when last reported.
    liveness: Vec<(u64, bool)>,
    /// Shared store: LISTEN on its own connection, waking this thread (kept for its lifetime).
    #[cfg(feature = "postgres")]
    _listener: Option<crate::pg::follow::Listener>,
    out: F,
}

/// Presence bookkeeping: heartbeats, and what the app was last told.
#[derive(Default)]
struct Presence {
    local: Option<crate::store::presence::Presence>,
    beat: Option<std::time::Instant>,
    shown: Option<Vec<Viewer>>,
}

impl Writer {
    /// Starts the writer on `open`; reports go to `out` (which returns `false` when nobody listens).
    pub fn spawn(
        open: OpenRun,
        actor: Actor,
        out: impl FnMut(StoreMsg) -> bool + Send + 'static,
    ) -> std::io::Result<Writer> {
        Writer::spawn_on(
            Target::Open(Box::new(Opened::File(Box::new(open)))),
            actor,
            out,
        )
    }

    /// Starts the writer on an open run or on one it creates first.
    pub fn spawn_on(
        target: Target,
        actor: Actor,
        out: impl FnMut(StoreMsg) -> bool + Send + 'static,
    ) -> std::io::Result<Writer> {
        let (tx, rx) = mpsc::channel();
        #[cfg(feature = "postgres")]
        let listener = match &target {
            Target::Open(o) => match o.as_ref() {
                Opened::Shared(s) => {
                    let wake = std::sync::Mutex::new(tx.clone());
                    crate::pg::follow::Listener::spawn(s.settings(), move |_| {
                        if let Ok(t) = wake.lock() {
                            let _ = t.send(Job::Poll);
                        }
                    })
                    .ok()
                }
                Opened::File(_) => None,
            },
            Target::New(_) => None,
        };
        let handle = std::thread::Builder::new()
            .name("writer".into())
            .spawn(move || {
                let (open, creating, seq, base) = match target {
                    Target::Open(o) => {
                        let (seq, base) = (o.run().seq, o.run().base_sha256.clone());
                        (Some(*o), None, seq, base)
                    }
                    Target::New(n) => {
                        let (seq, base) = (n.run.seq, n.run.base_sha256.clone());
                        (None, Some(*n), seq, base)
                    }
                };
                let mut s = State {
                    delivered: seq,
                    base,
                    open,
                    creating,
                    actor,
                    outbox: Outbox::new(),
                    create_failed: false,
                    last_error: None,
                    problem: None,
                    presence: Presence::default(),
                    not_shared: 0,
                    liveness: Vec::new(),
                    #[cfg(feature = "postgres")]
                    _listener: listener,
                    out,
                };
                s.run(&rx);
            })?;
        Ok(Writer {
            tx,
            handle: Some(handle),
        })
    }

    /// Queues a change to write.
    pub fn append(&self, intent: Intent) {
        let _ = self.tx.send(Job::Append(intent));
    }

    /// Records the start of a confirmed command (after every change queued before it); the
    /// answer is [`StoreMsg::CommandStarted`] or [`StoreMsg::CommandRefused`].
    pub fn start_command(&self, prepared: crate::exec::Prepared, confirmed: String, keep: u64) {
        let _ = self.tx.send(Job::StartCommand {
            prepared: Box::new(prepared),
            confirmed,
            keep,
        });
    }

    /// Asks for other processes' new events (the clock's tick).
    pub fn poll(&self) {
        let _ = self.tx.send(Job::Poll);
    }

    /// Writes what waits (one more try), saves the snapshot when asked and nothing is left, and
    /// ends. Waits up to `within` for the answer (the writer may be waiting for a lock).
    pub fn finish(mut self, snapshot: bool, within: Duration) -> Option<Finished> {
        let (reply, answer) = mpsc::channel();
        let _ = self.tx.send(Job::Finish { snapshot, reply });
        let got = answer.recv_timeout(within).ok();
        if got.is_some()
            && let Some(h) = self.handle.take()
        {
            let _ = h.join();
        }
        got
    }
}

impl<F: FnMut(StoreMsg) -> bool> State<F> {
    /// Creates the new run if it is not yet; returns whether the run exists (a failure is reported
    /// as NOT SAVED and retried like any write).
    fn ensure_created(&mut self) -> bool {
        if self.open.is_some() {
            return true;
        }
        let Some(new) = &self.creating else {
            return false;
        };
        match new.commit() {
            Ok(mut open) => {
                if let Err(e) = open.save_snapshot() {
                    tracing::warn!(run = %open.run.id, "first state.toml not written: {e}");
                }
                tracing::info!(run = %open.run.id, "run created");
                self.open = Some(Opened::File(Box::new(open)));
                self.creating = None;
                if self.create_failed {
                    self.create_failed = false;
                    self.last_error = None;
                    if self.outbox.is_empty() {
                        (self.out)(StoreMsg::Saved);
                    }
                }
                true
            }
            Err(e) => {
                let msg = match e {
                    Committed::Taken => format!(
                        "creating the run: its id {} was taken by another run meanwhile; quit and start again",
                        new.dir().display()
                    ),
                    Committed::Failed(e) => format!("creating the run: {e}"),
                };
                tracing::error!(dir = %new.dir().display(), "{msg}");
                self.create_failed = true;
                self.last_error = Some(msg.clone());
                (self.out)(StoreMsg::NotSaved(format!(
                    "{msg} ({} change(s) waiting)",
                    self.outbox.len()
                )));
                false
            }
        }
    }

    fn failing(&self) -> bool {
        self.outbox.is_failing() || self.create_failed
    }

    fn run(&mut self, rx: &Receiver<Job>) {
        // A new run is made durable first: the first frame did not wait for it, the first change
        // does (it queues behind).
        if self.creating.is_some() {
            self.ensure_created();
        } else if let Some(open) = &self.open
            && let crate::store::open::Drift::Changed { .. } = open.drift()
        {
            let id = open.id().to_owned();
            tracing::warn!(run = %id, "template drift");
            (self.out)(StoreMsg::Problem(format!(
                "the template file changed since this run started: `runsheet rebase {id}` follows it"
            )));
        }
        // Changes an earlier session kept in the shared store's outbox are said and sent first.
        if self.shared_pending() > 0 && !self.flush() {
            return;
        }
        self.beat();
        if !self.report_liveness() {
            return;
        }
        loop {
            let job = if self.failing() {
                match rx.recv_timeout(RETRY) {
                    Ok(j) => j,
                    Err(RecvTimeoutError::Timeout) => Job::Poll,
                    Err(RecvTimeoutError::Disconnected) => return,
                }
            } else {
                match rx.recv() {
                    Ok(j) => j,
                    Err(_) => return,
                }
            };
            match job {
                Job::Append(intent) => {
                    self.outbox.push(intent);
                    if !self.flush() {
                        return;
                    }
                }
                Job::StartCommand {
                    prepared,
                    confirmed,
                    keep,
                } => {
                    if !self.start_command(prepared, &confirmed, keep) {
                        return;
                    }
                }
                Job::Poll => {
                    if (!self.outbox.is_empty() || self.create_failed || self.shared_pending() > 0)
                        && !self.flush()
                    {
                        return;
                    }
                    if self.open.is_some() && !self.read_new() {
                        return;
                    }
                    if !self.beat() || !self.report_liveness() {
                        return;
                    }
                }
                Job::Finish { snapshot, reply } => {
                    let _ = self.flush();
                    if snapshot
                        && self.outbox.is_empty()
                        && let Some(open) = &mut self.open
                        && let Err(e) = open.save_snapshot()
                    {
                        tracing::warn!(run = %open.id(), "state.toml not updated on exit (the journal has every change): {e}");
                    }
                    self.leave();
                    let missing = usize::from(self.open.is_none());
                    let _ = reply.send(Finished {
                        unsaved: self.outbox.len() + missing,
                        error: self.last_error.clone(),
                        not_shared: self.shared_pending(),
                    });
                    return;
                }
            }
        }
    }

    /// Tries the queue; returns `false` when nobody listens any more.
    fn flush(&mut self) -> bool {
        if !self.ensure_created() {
            return true;
        }
        #[cfg(feature = "postgres")]
        if let Some(Opened::Shared(_)) = &self.open {
            return self.flush_shared();
        }
        let Some(Opened::File(open)) = self.open.as_mut() else {
            return true;
        };
        let open = open.as_mut();
        let actor = self.actor.clone();
        let open_id = open.run.id.clone();
        let reports = self.outbox.flush(open, &actor, now);
        for r in reports {
            let ok = match r {
                Report::Written { caught_up, event } => {
                    tracing::debug!(run = %open_id, seq = event.seq, kind = event.change.kind(), "appended");
                    self.last_error = None;
                    self.deliver(caught_up, Some(*event))
                }
                Report::Refused(e) => {
                    tracing::warn!(run = %open_id, "change refused: {e}");
                    self.send_gap() && (self.out)(StoreMsg::Refused(e))
                }
                Report::NotSaved { error, waiting } => {
                    tracing::warn!(run = %open_id, waiting, "not saved, retrying: {error}");
                    self.last_error = Some(error.clone());
                    self.send_gap()
                        && (self.out)(StoreMsg::NotSaved(format!(
                            "{error} ({waiting} change(s) waiting)"
                        )))
                }
                Report::Saved => (self.out)(StoreMsg::Saved),
            };
            if !ok {
                return false;
            }
        }
        true
    }

    /// The template, if the run follows another one since the last report.
    fn template_change(&mut self) -> Option<Box<Template>> {
        let open = self.open.as_ref()?;
        if open.run().base_sha256 == self.base {
            return None;
        }
        self.base.clone_from(&open.run().base_sha256);
        Some(Box::new(open.template().clone()))
    }

    /// Events the store applied that the app has not had (read during an append that then failed):
    /// read back from the journal.
    fn missing(&mut self, before: u64) -> Vec<Event> {
        let delivered = self.delivered;
        let Some(open) = self.open.as_mut().filter(|_| before > delivered + 1) else {
            return Vec::new();
        };
        open.events()
            .unwrap_or_default()
            .into_iter()
            .filter(|e| e.seq > self.delivered && e.seq < before)
            .collect()
    }

    fn send_gap(&mut self) -> bool {
        let seq = self.open.as_ref().map_or(0, |o| o.run().seq);
        if seq <= self.delivered {
            return true;
        }
        let events = self.missing(seq + 1);
        self.deliver(events, None)
    }

    fn deliver(&mut self, events: Vec<Event>, own: Option<Event>) -> bool {
        let first = events.first().or(own.as_ref()).map(|e| e.seq);
        let mut all = first.map(|f| self.missing(f)).unwrap_or_default();
        all.extend(events);
        let template = self.template_change();
        if let Some(last) = own.as_ref().or(all.last()) {
            self.delivered = last.seq;
        }
        match own {
            Some(event) => (self.out)(StoreMsg::Written {
                caught_up: all,
                template,
                event: Box::new(event),
            }),
            None if all.is_empty() && template.is_none() => true,
            None => (self.out)(StoreMsg::Remote {
                events: all,
                template,
            }),
        }
    }

    fn read_new(&mut self) -> bool {
        let Some(open) = self.open.as_mut() else {
            return true;
        };
        match open.read_new_events() {
            Ok(events) => {
                self.problem = None;
                if events.is_empty() {
                    return true;
                }
                self.deliver(events, None)
            }
            Err(e) => {
                let msg = format!("reading the journal: {e}");
                if self.problem.as_ref() == Some(&msg) {
                    return true;
                }
                tracing::warn!("{msg}");
                self.problem = Some(msg.clone());
                (self.out)(StoreMsg::Problem(msg))
            }
        }
    }
}

mod commands;
mod shared;

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests;
