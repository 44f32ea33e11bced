//! The NOT SAVED queue: changes waiting to be written, in the operator's order, over a narrow
//! journal interface.
//!
//! Rules: changes are written oldest first; a change that fails for a reason that can pass (an I/O
//! error, the lock held by another process) stays at the head and everything after it waits, so the
//! journal keeps the operator's order; a change the journal refuses (already done, run closed, a
//! damaged journal, a read-only run, any error that retrying cannot fix) is dropped with its reason
//! and the next one is tried. When the queue empties after a failure, that is reported once.

use crate::run::event::{Actor, Event};
use crate::run::intent::Intent;
use crate::store::{OpenRun, StoreError};
use chrono::{DateTime, FixedOffset};
use std::collections::VecDeque;

/// What the queue needs of a journal: append one change, returning the events of other processes
/// read first and the change's own event.
pub trait Journal {
    /// Checks and appends `intent` (durably, before returning).
    fn append(
        &mut self,
        intent: &Intent,
        actor: &Actor,
        now: DateTime<FixedOffset>,
    ) -> Result<(Vec<Event>, Event), StoreError>;
}

impl Journal for OpenRun {
    fn append(
        &mut self,
        intent: &Intent,
        actor: &Actor,
        now: DateTime<FixedOffset>,
    ) -> Result<(Vec<Event>, Event), StoreError> {
        self.append_caught_up(intent, actor, now)
    }
}

/// Whether retrying can fix the error. Everything else is a refusal shown to the operator.
pub fn retryable(e: &StoreError) -> bool {
    matches!(e, StoreError::Io { .. } | StoreError::Locked { .. })
}

/// What one attempt to write found, in order.
#[derive(Debug, Clone, PartialEq)]
pub enum Report {
    /// The head change was written (after these events of other processes).
    Written {
        /// Other processes' events read before it, oldest first.
        caught_up: Vec<Event>,
        /// Ours.
        event: Box<Event>,
    },
    /// The head change was refused and dropped.
    Refused(String),
    /// The head change could not be written; it and everything after it wait.
    NotSaved {
        /// Why.
        error: String,
        /// Changes waiting (the head included).
        waiting: usize,
    },
    /// Everything that waited is written.
    Saved,
}

/// Changes waiting to be written.
#[derive(Debug, Default)]
pub struct Outbox {
    queue: VecDeque<Intent>,
    failing: bool,
}

impl Outbox {
    /// An empty queue.
    pub fn new() -> Outbox {
        Outbox::default()
    }

    /// Adds a change behind the ones waiting.
    pub fn push(&mut self, intent: Intent) {
        self.queue.push_back(intent);
    }

    /// Changes waiting.
    pub fn len(&self) -> usize {
        self.queue.len()
    }

    /// Whether nothing waits.
    pub fn is_empty(&self) -> bool {
        self.queue.is_empty()
    }

    /// Takes every waiting change, oldest first (a store with its own durable outbox, the shared
    /// store, takes them at once).
    pub fn take(&mut self) -> Vec<Intent> {
        self.failing = false;
        self.queue.drain(..).collect()
    }

    /// Whether the last attempt failed (the loop retries every second).
    pub fn is_failing(&self) -> bool {
        self.failing
    }

    /// Writes waiting changes, oldest first, until one cannot be written yet.
    pub fn flush<J: Journal>(
        &mut self,
        journal: &mut J,
        actor: &Actor,
        mut now: impl FnMut() -> DateTime<FixedOffset>,
    ) -> Vec<Report> {
        let mut out = Vec::new();
        while let Some(intent) = self.queue.front() {
            match journal.append(intent, actor, now()) {
                Ok((caught_up, event)) => {
                    self.queue.pop_front();
                    out.push(Report::Written {
                        caught_up,
                        event: Box::new(event),
                    });
                }
                Err(e) if retryable(&e) => {
                    self.failing = true;
                    out.push(Report::NotSaved {
                        error: e.to_string(),
                        waiting: self.queue.len(),
                    });
                    return out;
                }
                Err(e) => {
                    self.queue.pop_front();
                    out.push(Report::Refused(e.to_string()));
                }
            }
        }
        if self.failing {
            self.failing = false;
            out.push(Report::Saved);
        }
        out
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::model::ItemId;
    use crate::run::event::{Change, GENESIS};
    use crate::run::intent::IntentError;
    use std::path::PathBuf;

    /// A journal that answers from a script and records what it wrote.
    #[derive(Default)]
    struct Fake {
        script: VecDeque<Result<(), StoreError>>,
        written: Vec<Intent>,
        other: Vec<Event>,
    }

    fn t() -> DateTime<FixedOffset> {
        DateTime::parse_from_rfc3339("2026-11-23T08:50:00+01:00").unwrap()
    }

    fn actor() -> Actor {
        Actor {
            user: "alice".into(),
            host: "h".into(),
            name: "Alice".into(),
        }
    }

    fn event(seq: u64) -> Event {
        Event::seal(
            seq,
            t(),
            actor(),
            Change::Finish {
                reason: None,
                exceptions: None,
            },
            GENESIS,
        )
        .unwrap()
        .0
    }

    impl Journal for Fake {
        fn append(
            &mut self,
            intent: &Intent,
            _: &Actor,
            _: DateTime<FixedOffset>,
        ) -> Result<(Vec<Event>, Event), StoreError> {
            self.script.pop_front().unwrap_or(Ok(()))?;
            self.written.push(intent.clone());
            let seq = (self.written.len() + self.other.len()) as u64 + 1;
            Ok((std::mem::take(&mut self.other), event(seq)))
        }
    }

    fn tick(n: u8) -> Intent {
        Intent::Tick {
            item: ItemId::new(format!("item-{n}")),
            note: None,
        }
    }

    fn locked() -> StoreError {
        StoreError::Locked {
            path: PathBuf::from("lock"),
            holder: None,
            waited: std::time::Duration::from_secs(10),
        }
    }

    fn io() -> StoreError {
        StoreError::Io {
            op: "appending to",
            path: PathBuf::from("journal.jsonl"),
            source: std::io::Error::other("No space left on device"),
        }
    }

    fn refused() -> StoreError {
        StoreError::Intent(IntentError::Closed {
            id: "r".into(),
            status: "completed",
        })
    }

    fn kinds(r: &[Report]) -> Vec<&'static str> {
        r.iter()
            .map(|r| match r {
                Report::Written { .. } => "written",
                Report::Refused(_) => "refused",
                Report::NotSaved { .. } => "not saved",
                Report::Saved => "saved",
            })
            .collect()
    }

    #[test]
    fn changes_are_written_in_order() {
        let mut j = Fake::default();
        let mut o = Outbox::new();
        for n in 1..=3 {
            o.push(tick(n));
        }
        let r = o.flush(&mut j, &actor(), t);
        assert_eq!(kinds(&r), ["written", "written", "written"]);
        assert_eq!(j.written, vec![tick(1), tick(2), tick(3)]);
        assert!(o.is_empty() && !o.is_failing());
    }

    #[test]
    fn a_failing_change_holds_back_the_ones_after_it_until_it_is_written() {
        let mut j = Fake {
            script: VecDeque::from([Ok(()), Err(locked())]),
            ..Fake::default()
        };
        let mut o = Outbox::new();
        o.push(tick(1));
        o.push(tick(2));
        o.push(tick(3));
        let r = o.flush(&mut j, &actor(), t);
        assert_eq!(kinds(&r), ["written", "not saved"]);
        assert!(
            matches!(&r[1], Report::NotSaved { waiting: 2, .. }),
            "{r:?}"
        );
        assert!(o.is_failing());
        assert_eq!(o.len(), 2);
        // A later change queues behind: the journal keeps the operator's order.
        o.push(tick(4));
        j.script = VecDeque::from([Err(io())]);
        let r = o.flush(&mut j, &actor(), t);
        assert_eq!(kinds(&r), ["not saved"]);
        assert!(r.iter().any(
            |x| matches!(x, Report::NotSaved { error, waiting: 3 } if error.contains("No space"))
        ));
        let r = o.flush(&mut j, &actor(), t);
        assert_eq!(kinds(&r), ["written", "written", "written", "saved"]);
        assert_eq!(j.written, vec![tick(1), tick(2), tick(3), tick(4)]);
        assert!(!o.is_failing());
        // Saved is said once.
        o.push(tick(5));
        assert_eq!(kinds(&o.flush(&mut j, &actor(), t)), ["written"]);
    }

    #[test]
    fn a_refusal_is_dropped_and_the_next_change_goes_on() {
        let mut j = Fake {
            script: VecDeque::from([Err(refused()), Ok(())]),
            ..Fake::default()
        };
        let mut o = Outbox::new();
        o.push(tick(1));
        o.push(tick(2));
        let r = o.flush(&mut j, &actor(), t);
        assert_eq!(kinds(&r), ["refused", "written"]);
        assert_eq!(j.written, vec![tick(2)]);
        assert!(!o.is_failing(), "a refusal is not a failure to retry");
    }

    #[test]
    fn errors_that_retrying_cannot_fix_are_refusals() {
        assert!(retryable(&locked()));
        assert!(retryable(&io()));
        assert!(!retryable(&refused()));
        assert!(!retryable(&StoreError::ReadOnly {
            path: PathBuf::from("journal.jsonl"),
            found: 9,
            supported: 1
        }));
        assert!(!retryable(&StoreError::TornTail {
            path: PathBuf::from("journal.jsonl"),
            offset: 1,
            len: 1,
            line: 2
        }));
    }

    #[test]
    fn events_of_other_processes_come_with_ours_in_order() {
        let mut j = Fake {
            other: vec![event(2)],
            ..Fake::default()
        };
        let mut o = Outbox::new();
        o.push(tick(1));
        let r = o.flush(&mut j, &actor(), t);
        match &r[..] {
            [Report::Written { caught_up, event }] => {
                assert_eq!(caught_up.iter().map(|e| e.seq).collect::<Vec<_>>(), [2]);
                assert_eq!(event.seq, 3);
            }
            other => panic!("{other:?}"),
        }
    }
}
