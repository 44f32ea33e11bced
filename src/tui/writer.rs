//! The writer thread: it owns the open run (the store handle), so appends — which take the journal's
//! lock, and wait for it while another process holds it — never run on the thread that reads keys
//! and draws. Changes go through the [`Outbox`]; what happened comes back through the loop's one
//! channel, every event of the journal exactly once and in order (our own, and other processes'
//! read before ours or by the once-a-second poll).

use super::outbox::{Outbox, Report};
use crate::model::Template;
use crate::run::event::{Actor, Event};
use crate::run::intent::Intent;
use crate::store::OpenRun;
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
}

enum Job {
    Append(Intent),
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

struct State<F: FnMut(StoreMsg) -> bool> {
    open: OpenRun,
    actor: Actor,
    outbox: Outbox,
    /// `seq` of the last event handed to the app.
    delivered: u64,
    base: String,
    last_error: Option<String>,
    problem: Option<String>,
    out: F,
}

impl Writer {
    /// Starts the writer on `open`; reports go to `out` (which returns `false` when nobody listens).
    pub fn spawn(
        open: OpenRun,
        actor: Actor,
        out: impl FnMut(StoreMsg) -> bool + Send + 'static,
    ) -> std::io::Result<Writer> {
        let (tx, rx) = mpsc::channel();
        let handle = std::thread::Builder::new()
            .name("writer".into())
            .spawn(move || {
                let mut s = State {
                    delivered: open.run.seq,
                    base: open.run.base_sha256.clone(),
                    open,
                    actor,
                    outbox: Outbox::new(),
                    last_error: None,
                    problem: None,
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
    fn run(&mut self, rx: &Receiver<Job>) {
        loop {
            let job = if self.outbox.is_failing() {
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
                Job::Poll => {
                    if !self.outbox.is_empty() && !self.flush() {
                        return;
                    }
                    if !self.read_new() {
                        return;
                    }
                }
                Job::Finish { snapshot, reply } => {
                    let _ = self.flush();
                    if snapshot && self.outbox.is_empty() {
                        let _ = self.open.save_snapshot();
                    }
                    let _ = reply.send(Finished {
                        unsaved: self.outbox.len(),
                        error: self.last_error.clone(),
                    });
                    return;
                }
            }
        }
    }

    /// Tries the queue; returns `false` when nobody listens any more.
    fn flush(&mut self) -> bool {
        let actor = self.actor.clone();
        let reports = self.outbox.flush(&mut self.open, &actor, now);
        for r in reports {
            let ok = match r {
                Report::Written { caught_up, event } => {
                    self.last_error = None;
                    self.deliver(caught_up, Some(*event))
                }
                Report::Refused(e) => self.send_gap() && (self.out)(StoreMsg::Refused(e)),
                Report::NotSaved { error, waiting } => {
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
        if self.open.run.base_sha256 == self.base {
            return None;
        }
        self.base.clone_from(&self.open.run.base_sha256);
        Some(Box::new(self.open.template.clone()))
    }

    /// Events the store applied that the app has not had (read during an append that then failed):
    /// read back from the journal.
    fn missing(&self, before: u64) -> Vec<Event> {
        if before <= self.delivered + 1 {
            return Vec::new();
        }
        self.open
            .events()
            .unwrap_or_default()
            .into_iter()
            .filter(|e| e.seq > self.delivered && e.seq < before)
            .collect()
    }

    fn send_gap(&mut self) -> bool {
        if self.open.run.seq <= self.delivered {
            return true;
        }
        let events = self.missing(self.open.run.seq + 1);
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
        match self.open.read_new_events() {
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
                self.problem = Some(msg.clone());
                (self.out)(StoreMsg::Problem(msg))
            }
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::store::{StartOptions, Store};
    use std::sync::mpsc::Receiver;

    fn actor(name: &str) -> Actor {
        Actor {
            user: name.to_lowercase(),
            host: "h".into(),
            name: name.into(),
        }
    }

    fn tick(open: &OpenRun, k: usize) -> Intent {
        Intent::Tick {
            item: open.template.items[k].id.clone(),
            note: None,
        }
    }

    fn next(rx: &Receiver<StoreMsg>) -> StoreMsg {
        rx.recv_timeout(Duration::from_secs(20)).unwrap()
    }

    fn seqs(events: &[Event]) -> Vec<u64> {
        events.iter().map(|e| e.seq).collect()
    }

    /// Appends come back with the events other processes wrote before them; a refusal that read
    /// other processes' events still delivers them; the poll delivers the rest: every event of
    /// the journal reaches the screen exactly once, in order.
    #[test]
    fn every_event_reaches_the_screen_once_in_order() {
        let dir = tempfile::tempdir().unwrap();
        let tpl = dir.path().join("t.md");
        std::fs::write(
            &tpl,
            "# T\n\n- [ ] one\n- [ ] two\n- [ ] three\n- [ ] four\n",
        )
        .unwrap();
        let store = Store::at(&dir.path().join("data"));
        let alice = actor("Alice");
        let open = store
            .create(&tpl, &StartOptions::default(), &alice, now())
            .unwrap();
        let mut bob = OpenRun::open(&open.dir).unwrap();
        let items: Vec<Intent> = (0..4).map(|k| tick(&open, k)).collect();
        let (tx, rx) = mpsc::channel();
        let w = Writer::spawn(open, alice, move |m| tx.send(m).is_ok()).unwrap();
        let mut seen = Vec::new();

        bob.append(&items[0], &actor("Bob"), now()).unwrap(); // seq 2
        w.append(items[1].clone()); // seq 3, after Bob's
        match next(&rx) {
            StoreMsg::Written {
                caught_up, event, ..
            } => {
                assert_eq!(seqs(&caught_up), [2]);
                assert_eq!(event.seq, 3);
                seen.extend(seqs(&caught_up));
                seen.push(event.seq);
            }
            other => panic!("{other:?}"),
        }

        bob.append(&items[2], &actor("Bob"), now()).unwrap(); // seq 4
        w.append(items[0].clone()); // already done by Bob: refused, after reading seq 4
        match next(&rx) {
            StoreMsg::Remote { events, .. } => seen.extend(seqs(&events)),
            other => panic!("{other:?}"),
        }
        assert!(matches!(next(&rx), StoreMsg::Refused(e) if e.contains("already")));

        bob.append(&items[3], &actor("Bob"), now()).unwrap(); // seq 5
        w.poll();
        match next(&rx) {
            StoreMsg::Remote { events, .. } => seen.extend(seqs(&events)),
            other => panic!("{other:?}"),
        }
        assert_eq!(seen, [2, 3, 4, 5]);
        let done = w.finish(true, Duration::from_secs(20)).unwrap();
        assert_eq!(done.unsaved, 0);
    }

    /// A lock held by another process: the change waits (NOT SAVED), is retried every second, and
    /// is written once the lock is free; the thread that sent it never waited.
    #[test]
    fn a_held_lock_makes_the_change_wait_not_the_caller() {
        let dir = tempfile::tempdir().unwrap();
        let tpl = dir.path().join("t.md");
        std::fs::write(&tpl, "# T\n\n- [ ] one\n").unwrap();
        let store = Store::at(&dir.path().join("data"));
        let open = store
            .create(&tpl, &StartOptions::default(), &actor("Alice"), now())
            .unwrap();
        let lock = std::fs::File::options()
            .append(true)
            .open(open.dir.join(crate::store::LOCK))
            .unwrap();
        lock.lock().unwrap();
        let intent = tick(&open, 0);
        let (tx, rx) = mpsc::channel();
        let w = Writer::spawn(open, actor("Alice"), move |m| tx.send(m).is_ok()).unwrap();
        let t0 = std::time::Instant::now();
        w.append(intent);
        assert!(
            t0.elapsed() < Duration::from_millis(200),
            "append blocked the caller"
        );
        // Nothing is acknowledged while the lock is held.
        assert!(rx.recv_timeout(Duration::from_millis(500)).is_err());
        lock.unlock().unwrap();
        let mut written = false;
        while !written {
            match next(&rx) {
                StoreMsg::NotSaved(e) => assert!(e.contains("locked"), "{e}"),
                StoreMsg::Written { event, .. } => {
                    assert_eq!(event.seq, 2);
                    written = true;
                }
                other => panic!("{other:?}"),
            }
        }
        drop(w);
    }
}
