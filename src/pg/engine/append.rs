//! Appending to a shared run: checked against the latest state at the server's head.
//!
//! The fast path is one conditional insert at head + 1 (one round trip). Losing the race (someone
//! appended first) means: read what landed, check again, seal again, retry. An append that keeps
//! losing — a client one round trip behind a writer that appends back to back would lose every
//! time — queues for the run's advisory lock after [`FAIR_AFTER`] lost races: it takes the lock
//! exclusively, reads the head, checks, inserts and commits, while fast-path inserts (which take
//! the lock shared, inside their one statement) step aside for it. So every append makes progress.

use super::line::{self, EVENTS_FROM, INSERT_EVENT, INSERT_PLAIN};
use super::run::{SharedRun, explain_forbidden, template_from};
use crate::model::Template;
use crate::pg::error::SharedError;
use crate::run::Run;
use crate::run::event::{Actor, Change, Event, sha256_hex};
use crate::run::intent::{self, Intent};
use chrono::{DateTime, FixedOffset};
use postgres::types::Type;
use std::time::{Duration, Instant};

/// How many times an append goes back for the new head before giving up.
pub const MAX_ATTEMPTS: u32 = 100;
/// How long an append keeps trying.
pub const APPEND_DEADLINE: Duration = Duration::from_secs(10);
/// Lost races after which an append queues for the run's lock instead of racing again.
pub const FAIR_AFTER: u32 = 3;

/// Folds `ev` into `run`; after a re-base, loads the new template copy through `c` (the
/// transaction of a locked turn). The inner error is a bad copy.
fn apply_via(
    c: &mut impl postgres::GenericClient,
    run: &mut Run,
    template: &mut Template,
    ev: &Event,
) -> Result<Result<(), SharedError>, postgres::Error> {
    let base = run.base_sha256.clone();
    run.apply(ev);
    if run.base_sha256 == base {
        return Ok(Ok(()));
    }
    let body: Vec<u8> = c
        .query_one(
            "SELECT body FROM runsheet.templates WHERE run_id = $1 AND sha256 = $2",
            &[&run.id, &run.base_sha256],
        )?
        .get(0);
    Ok(template_from(run, &body).map(|t| *template = t))
}

/// The advisory lock of a run: (`"runs"`, the first 32 bits of the SHA-256 of its id). Two runs
/// sharing one is harmless (their appends serialise a little more).
pub fn lock_key(run_id: &str) -> (i32, i32) {
    let h = sha256_hex(run_id.as_bytes());
    let id = u32::from_str_radix(h.get(..8).unwrap_or("0"), 16).unwrap_or(0);
    (0x7275_6e73, i32::from_ne_bytes(id.to_ne_bytes()))
}

enum InsertError {
    /// Someone appended at this seq first, or holds the run's lock for a fair turn.
    Taken,
    /// This intent id is already recorded: our own earlier try committed.
    Duplicate,
    /// The previous event is not the one we chained to.
    WrongHead,
    Fail(SharedError),
}

fn classify(e: &postgres::Error) -> Option<InsertError> {
    let db = e.as_db_error()?;
    match (db.code().code(), db.constraint()) {
        ("23505", Some("events_pkey" | "events_link_target")) => Some(InsertError::Taken),
        ("23505", Some("events_intent")) => Some(InsertError::Duplicate),
        ("23503", Some("events_chain")) => Some(InsertError::WrongHead),
        _ => None,
    }
}

/// What the locked turn came to.
enum Turn {
    /// Recorded: ours, committed, not yet folded in.
    Committed(Event),
    /// Recorded and folded in (or found: an earlier try of ours).
    Done(Event),
    Refused(SharedError),
    Duplicate,
}

impl SharedRun {
    /// Checks `intent` against the latest state at the server's head and appends it; the event is
    /// returned only once committed with `synchronous_commit=on` (acknowledged).
    pub fn append(
        &mut self,
        intent: &Intent,
        actor: &Actor,
        now: DateTime<FixedOffset>,
    ) -> Result<Event, SharedError> {
        let id = line::new_intent_id();
        self.append_as(&id, intent, actor, now)
    }

    /// [`SharedRun::append`] with the caller's intent id (a resend with the same id is harmless).
    pub fn append_as(
        &mut self,
        intent_id: &str,
        intent: &Intent,
        actor: &Actor,
        at: DateTime<FixedOffset>,
    ) -> Result<Event, SharedError> {
        let actor = self.actor_for(actor);
        if let (
            Intent::Sign {
                signer: Some(s), ..
            },
            Some(n),
        ) = (intent, &self.registered)
            && s.trim() != n
        {
            return Err(SharedError::Forbidden(format!(
                "the DBA registered role {} as “{n}”: on this store it signs only as “{n}”, not “{}”",
                self.role(),
                s.trim()
            )));
        }
        let who = actor.clone();
        self.commit_as(intent_id, &actor, at, move |run, template| {
            Ok(intent::check(run, template, &who, intent)?)
        })
    }

    /// Appends the change `make` builds from the latest state (see [`SharedRun::append`]).
    pub fn commit(
        &mut self,
        actor: &Actor,
        now: DateTime<FixedOffset>,
        make: impl FnMut(&Run, &Template) -> Result<Change, SharedError>,
    ) -> Result<Event, SharedError> {
        let actor = self.actor_for(actor);
        self.commit_as(&line::new_intent_id(), &actor, now, make)
    }

    /// The append loop (see the module documentation). `make` runs against the latest state each
    /// time; a duplicate intent id means our earlier try committed, and that event is returned.
    pub fn commit_as(
        &mut self,
        intent_id: &str,
        actor: &Actor,
        at: DateTime<FixedOffset>,
        mut make: impl FnMut(&Run, &Template) -> Result<Change, SharedError>,
    ) -> Result<Event, SharedError> {
        self.session.ensure_writable()?;
        let started = Instant::now();
        let role = self.session.role().to_owned();
        let mut attempt = 0u32;
        loop {
            if attempt >= FAIR_AFTER {
                let r = self.locked_turn(intent_id, actor, at, &mut make, &role);
                let r = match r {
                    Ok(Turn::Done(ev) | Turn::Committed(ev)) => Ok(ev),
                    Ok(Turn::Refused(e)) => Err(e),
                    Ok(Turn::Duplicate) => self.settle(intent_id),
                    Err(e) if e.sqlstate() == Some("55P03") => Err(SharedError::Busy(format!(
                        "waited {:.1} s for a turn on run {}: another client holds its lock",
                        started.elapsed().as_secs_f64(),
                        self.run.id
                    ))),
                    Err(e) => Err(explain_forbidden(e, &self.run.id, &role, Some(&self.team))),
                };
                if r.is_ok() {
                    self.stats.appends += 1;
                    self.stats.max_tries = self.stats.max_tries.max(attempt + 1);
                }
                return r;
            }
            let change = make(&self.run, &self.template)?;
            let (event, text) = Event::seal_as(
                self.run.seq + 1,
                at,
                actor.clone(),
                Some(&role),
                change,
                &self.run.head,
            )
            .map_err(|e| SharedError::Invalid(format!("serialising an event: {e}")))?;
            match self.insert(&event, text.trim_end(), intent_id) {
                Ok(()) => {
                    self.applied_own(&event);
                    self.stats.appends += 1;
                    self.stats.max_tries = self.stats.max_tries.max(attempt + 1);
                    return Ok(event);
                }
                Err(InsertError::Duplicate) => return self.settle(intent_id),
                Err(InsertError::Taken) | Err(InsertError::WrongHead) => {
                    let caught = self.catch_up()?;
                    if let Some((ev, _)) = caught.into_iter().find(|(_, id)| id == intent_id) {
                        return Ok(ev);
                    }
                }
                Err(InsertError::Fail(e)) => {
                    return Err(explain_forbidden(e, &self.run.id, &role, Some(&self.team)));
                }
            }
            attempt += 1;
            self.stats.conflicts += 1;
            if attempt >= MAX_ATTEMPTS || started.elapsed() >= APPEND_DEADLINE {
                return Err(SharedError::Busy(format!(
                    "{attempt} tries in {:.1} s, other changes landed first every time; nothing \
                     was recorded, try again",
                    started.elapsed().as_secs_f64()
                )));
            }
            std::thread::sleep(line::backoff(attempt));
        }
    }

    /// The fast path's insert: `Ok` when recorded; [`InsertError::Taken`] also when the run's lock
    /// is held for someone's fair turn (the insert then writes nothing).
    fn insert(&mut self, event: &Event, text: &str, intent_id: &str) -> Result<(), InsertError> {
        let seq = i64::try_from(event.seq).unwrap_or(i64::MAX);
        let (k1, k2) = lock_key(&self.run.id);
        let mut tries = 0;
        let r = loop {
            tries += 1;
            let was_up = self.session.is_up();
            let stmt = match self.session.prepared(INSERT_EVENT) {
                Ok(s) => s,
                Err(e) if e.is_offline() && was_up && tries == 1 => continue,
                Err(e) => return Err(InsertError::Fail(e)),
            };
            let r = match self.session.client() {
                Ok(c) => c.execute(
                    &stmt,
                    &[
                        &self.run.id,
                        &seq,
                        &event.prev,
                        &event.hash,
                        &text,
                        &intent_id,
                        &k1,
                        &k2,
                    ],
                ),
                Err(e) => return Err(InsertError::Fail(e)),
            };
            match r {
                // A connection that died while idle (a server restart): send again on a new one.
                // Harmless even if the first one arrived: the intent id settles it.
                Err(e) if e.as_db_error().is_none() && was_up && tries == 1 => {
                    let err = self.session.fail(e);
                    if !err.is_offline() {
                        return Err(InsertError::Fail(err));
                    }
                }
                r => break r,
            }
        };
        match r {
            Ok(1) => Ok(()),
            Ok(_) => Err(InsertError::Taken),
            Err(e) => match classify(&e) {
                Some(c) => Err(c),
                None => Err(InsertError::Fail(self.session.fail(e))),
            },
        }
    }

    /// One append in a transaction holding the run's lock exclusively: read the head, check, seal,
    /// insert, commit. Nobody can append in between, so it cannot lose.
    fn locked_turn(
        &mut self,
        intent_id: &str,
        actor: &Actor,
        at: DateTime<FixedOffset>,
        make: &mut dyn FnMut(&Run, &Template) -> Result<Change, SharedError>,
        role: &str,
    ) -> Result<Turn, SharedError> {
        let (k1, k2) = lock_key(&self.run.id);
        let run_id = self.run.id.clone();
        let run = &mut self.run;
        let template = &mut self.template;
        self.session.retry(|c| {
            let mut tx = c.transaction()?;
            tx.execute("SELECT pg_advisory_xact_lock($1, $2)", &[&k1, &k2])?;
            let seq = i64::try_from(run.seq).unwrap_or(i64::MAX);
            let rows = tx.query_typed(EVENTS_FROM, &[(&run_id, Type::TEXT), (&seq, Type::INT8)])?;
            let mut rows = rows.iter();
            let head_ok = rows.next().is_some_and(|row| {
                let text: String = row.get(1);
                text.ends_with(&format!("\"hash\":\"{}\"}}", run.head))
            });
            if !head_ok {
                return Ok(Turn::Refused(SharedError::Diverged(format!(
                    "run {run_id}: the shared store no longer has the event this client read at seq {}",
                    run.seq
                ))));
            }
            for row in rows {
                let text: String = row.get(1);
                let id: String = row.get(2);
                let ev = match line::check(&run_id, run.seq + 1, &run.head, &text) {
                    Ok(ev) => ev,
                    Err(e) => return Ok(Turn::Refused(e)),
                };
                if let Err(e) = apply_via(&mut tx, run, template, &ev)? {
                    return Ok(Turn::Refused(e));
                }
                if id == intent_id {
                    // An earlier try of ours committed after all (its answer was lost).
                    return Ok(Turn::Done(ev));
                }
            }
            let change = match make(run, template) {
                Ok(c) => c,
                Err(e) => return Ok(Turn::Refused(e)),
            };
            let (event, text) =
                match Event::seal_as(run.seq + 1, at, actor.clone(), Some(role), change, &run.head) {
                    Ok(x) => x,
                    Err(e) => {
                        return Ok(Turn::Refused(SharedError::Invalid(format!(
                            "serialising an event: {e}"
                        ))));
                    }
                };
            let seq = i64::try_from(event.seq).unwrap_or(i64::MAX);
            let r = tx.execute(
                INSERT_PLAIN,
                &[
                    &run_id,
                    &seq,
                    &event.prev,
                    &event.hash,
                    &text.trim_end(),
                    &intent_id,
                ],
            );
            match r {
                Ok(1) => {}
                Ok(_) => {
                    return Ok(Turn::Refused(SharedError::Busy(
                        "the run's lock was not ours after all".to_owned(),
                    )));
                }
                Err(e) if matches!(classify(&e), Some(InsertError::Duplicate)) => {
                    return Ok(Turn::Duplicate);
                }
                Err(e) => return Err(e),
            }
            tx.commit()?;
            Ok(Turn::Committed(event))
        })
        .map(|turn| match turn {
            Turn::Committed(ev) => {
                self.applied_own(&ev);
                Turn::Done(ev)
            }
            other => other,
        })
    }

    /// Folds in an event of ours that is committed (acknowledged whatever happens next): a template
    /// copy that cannot be read after a re-base is a warning, not a failure of the append.
    pub(super) fn applied_own(&mut self, ev: &Event) {
        if let Err(e) = self.apply(ev) {
            self.warnings
                .push(format!("seq {} is recorded, but {e}", ev.seq));
        }
    }

    /// Our intent id is already recorded: read the events up to it and return it.
    fn settle(&mut self, intent_id: &str) -> Result<Event, SharedError> {
        let caught = self.catch_up()?;
        if let Some((ev, _)) = caught.into_iter().find(|(_, id)| id == intent_id) {
            return Ok(ev);
        }
        // Recorded before what we had already read (an earlier resend was read back meanwhile).
        self.recorded(intent_id)?
            .ok_or_else(|| SharedError::Corrupt {
                run_id: self.run.id.clone(),
                seq: self.run.seq,
                message: format!("intent {intent_id} was reported recorded but is not there"),
            })
    }
}
