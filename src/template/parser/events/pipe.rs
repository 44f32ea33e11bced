//! The bounded queue of batches between the parse thread and the walk ([`super`]).

use super::compact::Batch;
use std::collections::VecDeque;
use std::sync::{Condvar, Mutex, MutexGuard, PoisonError};

/// Batches parsed ahead of the walk at most: bounds the memory the events take when the walk is
/// the slower side. A parse that has filled them sleeps until the walk has taken half, so that
/// the two threads wake each other once every few batches, not at every one.
const AHEAD: usize = 16;

/// The batches between the parse and the walk.
pub struct Pipe<'a> {
    state: Mutex<State<'a>>,
    /// The walk waits here for a batch.
    ready: Condvar,
    /// The parse waits here for room.
    room: Condvar,
}

impl Default for Pipe<'_> {
    fn default() -> Self {
        Pipe {
            state: Mutex::new(State::default()),
            ready: Condvar::new(),
            room: Condvar::new(),
        }
    }
}

#[derive(Default)]
struct State<'a> {
    /// Parsed batches, oldest first.
    full: VecDeque<Batch<'a>>,
    /// Walked batches, emptied, to be filled again.
    spent: VecDeque<Batch<'a>>,
    /// The parse has ended.
    done: bool,
    /// The walk has ended.
    closed: bool,
    walk_waits: bool,
    parse_waits: bool,
}

impl<'a> Pipe<'a> {
    fn lock(&self) -> MutexGuard<'_, State<'a>> {
        // A panic while the lock was held can only have been in this file's few lines, which
        // leave the state whole: the state is read as it is.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Hands `batch` to the walk, waiting while [`AHEAD`] batches are waiting; returns an empty
    /// batch to fill next (one walked already, else a new one with room for `events`), or `None`
    /// when the walk has ended.
    pub fn send(&self, batch: Batch<'a>, events: usize) -> Option<Batch<'a>> {
        let mut state = self.lock();
        while state.full.len() >= AHEAD && !state.closed {
            state.parse_waits = true;
            state = self
                .room
                .wait(state)
                .unwrap_or_else(PoisonError::into_inner);
        }
        state.parse_waits = false;
        if state.closed {
            return None;
        }
        state.full.push_back(batch);
        if state.walk_waits {
            self.ready.notify_one();
        }
        let next = state.spent.pop_front();
        drop(state);
        Some(next.unwrap_or_else(|| Batch::with_capacity(events)))
    }

    /// The next batch for the walk (giving back the one it has walked), waiting while none is
    /// parsed; `None` once the parse has ended and every batch was taken.
    pub fn receive(&self, spent: Option<Batch<'a>>) -> Option<Batch<'a>> {
        let mut state = self.lock();
        state.spent.extend(spent);
        loop {
            if let Some(batch) = state.full.pop_front() {
                if state.parse_waits && state.full.len() <= AHEAD / 2 {
                    self.room.notify_one();
                }
                return Some(batch);
            }
            if state.done {
                return None;
            }
            state.walk_waits = true;
            state = self
                .ready
                .wait(state)
                .unwrap_or_else(PoisonError::into_inner);
            state.walk_waits = false;
        }
    }
}

/// Marks the parse ended when dropped.
pub struct Done<'p, 'a>(pub &'p Pipe<'a>);

impl Drop for Done<'_, '_> {
    fn drop(&mut self) {
        self.0.lock().done = true;
        self.0.ready.notify_one();
    }
}

/// Marks the walk ended when dropped (the parse then stops at its next hand-over).
pub struct Closed<'p, 'a>(pub &'p Pipe<'a>);

impl Drop for Closed<'_, '_> {
    fn drop(&mut self) {
        self.0.lock().closed = true;
        self.0.room.notify_one();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_full_queue_holds_the_parse_until_the_walk_ends() {
        let pipe = Pipe::default();
        std::thread::scope(|s| {
            let parse = s.spawn(|| {
                let mut sent = 0;
                while pipe.send(Batch::with_capacity(1), 1).is_some() {
                    sent += 1;
                }
                sent
            });
            while pipe.lock().full.len() < AHEAD {
                std::thread::yield_now();
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
            assert_eq!(pipe.lock().full.len(), AHEAD, "no more than {AHEAD} wait");
            assert!(!parse.is_finished(), "the parse waits for room");
            drop(Closed(&pipe));
            assert_eq!(parse.join().ok(), Some(AHEAD));
        });
    }

    #[test]
    fn the_walk_takes_every_batch_then_hears_the_parse_has_ended() {
        let pipe = Pipe::default();
        std::thread::scope(|s| {
            let walk = s.spawn(|| {
                let mut taken = 0;
                let mut spent = None;
                while let Some(batch) = pipe.receive(spent.take()) {
                    taken += 1;
                    spent = Some(batch);
                }
                taken
            });
            for _ in 0..3 * AHEAD {
                assert!(pipe.send(Batch::with_capacity(1), 1).is_some());
            }
            drop(Done(&pipe));
            assert_eq!(walk.join().ok(), Some(3 * AHEAD));
        });
    }
}
