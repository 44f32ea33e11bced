//! The writer thread: it owns the open run (the store handle), so appends — which take the journal's
//! lock, and wait for it while another process holds it — never run on the thread that reads keys
//! and draws. Changes go through the [`Outbox`]; what happened comes back through the loop's one
//! channel, every event of the journal exactly once and in order (our own, and other processes'
//! read before ours or by the once-a-second poll).

use super::outbox::{Outbox, Report};
use crate::model::Template;
use crate::run::event::{Actor, Event};
use crate::run::intent::Intent;
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

/// The run the writer writes to: open, or still to be created.
pub enum Target {
    /// An existing run.
    Open(Box<OpenRun>),
    /// A new run, created durably by the writer before anything else (the first frame does not
    /// wait for it; the first change does).
    New(Box<NewRun>),
}

struct State<F: FnMut(StoreMsg) -> bool> {
    open: Option<OpenRun>,
    creating: Option<NewRun>,
    actor: Actor,
    outbox: Outbox,
    /// `seq` of the last event handed to the app.
    delivered: u64,
    base: String,
    create_failed: bool,
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
        Writer::spawn_on(Target::Open(Box::new(open)), actor, out)
    }

    /// Starts the writer on an open run or on one it creates first.
    pub fn spawn_on(
        target: Target,
        actor: Actor,
        out: impl FnMut(StoreMsg) -> bool + Send + 'static,
    ) -> std::io::Result<Writer> {
        let (tx, rx) = mpsc::channel();
        let handle = std::thread::Builder::new()
            .name("writer".into())
            .spawn(move || {
                let (open, creating, seq, base) = match target {
                    Target::Open(o) => {
                        let (seq, base) = (o.run.seq, o.run.base_sha256.clone());
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
                let _ = open.save_snapshot();
                self.open = Some(open);
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
            let id = open.run.id.clone();
            (self.out)(StoreMsg::Problem(format!(
                "the template file changed since this run started: `runsheet rebase {id}` follows it"
            )));
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
                Job::Poll => {
                    if (!self.outbox.is_empty() || self.create_failed) && !self.flush() {
                        return;
                    }
                    if self.open.is_some() && !self.read_new() {
                        return;
                    }
                }
                Job::Finish { snapshot, reply } => {
                    let _ = self.flush();
                    if snapshot
                        && self.outbox.is_empty()
                        && let Some(open) = &mut self.open
                    {
                        let _ = open.save_snapshot();
                    }
                    let missing = usize::from(self.open.is_none());
                    let _ = reply.send(Finished {
                        unsaved: self.outbox.len() + missing,
                        error: self.last_error.clone(),
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
        let Some(open) = self.open.as_mut() else {
            return true;
        };
        let actor = self.actor.clone();
        let reports = self.outbox.flush(open, &actor, now);
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
        let open = self.open.as_ref()?;
        if open.run.base_sha256 == self.base {
            return None;
        }
        self.base.clone_from(&open.run.base_sha256);
        Some(Box::new(open.template.clone()))
    }

    /// Events the store applied that the app has not had (read during an append that then failed):
    /// read back from the journal.
    fn missing(&self, before: u64) -> Vec<Event> {
        let Some(open) = self.open.as_ref().filter(|_| before > self.delivered + 1) else {
            return Vec::new();
        };
        open.events()
            .unwrap_or_default()
            .into_iter()
            .filter(|e| e.seq > self.delivered && e.seq < before)
            .collect()
    }

    fn send_gap(&mut self) -> bool {
        let seq = self.open.as_ref().map_or(0, |o| o.run.seq);
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

    /// A new run is created by the writer (the screen did not wait for it); the first change is
    /// written after it, and nothing is acknowledged before the run exists on disk.
    #[test]
    fn a_new_run_is_created_before_its_first_change() {
        let dir = tempfile::tempdir().unwrap();
        let tpl = dir.path().join("t.md");
        std::fs::write(&tpl, "# T\n\n- [ ] one\n").unwrap();
        let store = Store::at(&dir.path().join("data"));
        let source = crate::catalog::Source::File(tpl.clone());
        let new = store
            .prepare_from(&source, &StartOptions::default(), &actor("Alice"), now())
            .unwrap();
        let run_dir = new.dir();
        assert!(!run_dir.exists(), "prepared, not written");
        let intent = Intent::Tick {
            item: new.template.items[0].id.clone(),
            note: None,
        };
        let (tx, rx) = mpsc::channel();
        let w = Writer::spawn_on(Target::New(Box::new(new)), actor("Alice"), move |m| {
            tx.send(m).is_ok()
        })
        .unwrap();
        w.append(intent);
        match next(&rx) {
            StoreMsg::Written { event, .. } => assert_eq!(event.seq, 2),
            other => panic!("{other:?}"),
        }
        let journal = std::fs::read_to_string(run_dir.join(crate::store::JOURNAL)).unwrap();
        assert_eq!(journal.lines().count(), 2);
        let done = w.finish(true, Duration::from_secs(20)).unwrap();
        assert_eq!(done.unsaved, 0);
        assert!(run_dir.join("state.toml").exists());
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
