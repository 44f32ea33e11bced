//! The one input source of every full-screen view (the operator's screen and the chooser): a thread
//! that sleeps in `poll(2)` on the terminal and on a wake pipe, `read(2)`s whatever bytes are there
//! and turns them into key, mouse and paste events with [`super::parse::Parser`].
//!
//! Why this is sound: the wait and the read are on the same file descriptor, level-triggered, so a
//! readable terminal is always read (nothing else reads it: crossterm's event reader is never
//! started), and bytes are never left in a buffer the wait cannot see. Split sequences wait in the
//! parser with a deadline, which becomes the poll timeout. Resizes come from SIGWINCH in the signal
//! thread, not from here. A hang-up is decided only from what the kernel says: `POLLHUP`,
//! `POLLERR`, `POLLNVAL`, `read` returning 0 (end of file) or failing with `EIO` (and SIGHUP,
//! elsewhere) — never from counting, which a resize or a burst of input could satisfy.

use super::keys::{self, Input};
use super::parse::Parser;
use rustix::event::{PollFd, PollFlags, Timespec, poll};
use rustix::io::Errno;
use std::fs::File;
use std::os::fd::{AsFd, BorrowedFd, OwnedFd};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// What the input thread reports.
#[derive(Debug, Clone, PartialEq)]
pub enum Incoming {
    /// Something the operator did.
    Input(Input),
    /// The terminal is gone (hang-up, end of input, or no terminal at all).
    Gone,
}

#[derive(Debug, Default)]
struct State {
    paused: bool,
    parked: bool,
    stop: bool,
}

#[derive(Debug)]
struct Shared {
    state: Mutex<State>,
    cond: Condvar,
    wake_rx: OwnedFd,
    wake_tx: OwnedFd,
}

impl Shared {
    fn state(&self) -> MutexGuard<'_, State> {
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn wake(&self) {
        let _ = rustix::io::write(&self.wake_tx, b"w");
    }
}

/// The running input thread.
#[derive(Debug)]
pub struct InputThread {
    shared: Arc<Shared>,
    handle: Option<JoinHandle<()>>,
}

/// The terminal's input: stdin when it is a terminal, else `/dev/tty` (as crossterm would).
struct Tty {
    file: Option<File>,
}

impl Tty {
    fn open() -> std::io::Result<Tty> {
        if rustix::termios::isatty(rustix::stdio::stdin()) {
            return Ok(Tty { file: None });
        }
        Ok(Tty {
            file: Some(File::open("/dev/tty")?),
        })
    }

    fn fd(&self) -> BorrowedFd<'_> {
        match &self.file {
            Some(f) => f.as_fd(),
            None => rustix::stdio::stdin(),
        }
    }
}

impl InputThread {
    /// Starts reading the terminal; every event goes to `sink`, which returns `false` when nobody
    /// listens any more (the thread then ends). After [`Incoming::Gone`] the thread ends.
    pub fn spawn(sink: impl FnMut(Incoming) -> bool + Send + 'static) -> std::io::Result<Self> {
        let (wake_rx, wake_tx) = rustix::pipe::pipe()?;
        let shared = Arc::new(Shared {
            state: Mutex::new(State::default()),
            cond: Condvar::new(),
            wake_rx,
            wake_tx,
        });
        let inner = Arc::clone(&shared);
        let handle = std::thread::Builder::new()
            .name("input".into())
            .spawn(move || run(&inner, sink))?;
        Ok(InputThread {
            shared,
            handle: Some(handle),
        })
    }

    /// Stops reading the terminal (another program is about to use it) and waits up to `within`
    /// until the thread has parked; returns whether it did.
    pub fn pause(&self, within: Duration) -> bool {
        let deadline = Instant::now() + within;
        let mut st = self.shared.state();
        st.paused = true;
        self.shared.wake();
        while !st.parked && !st.stop {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return false;
            }
            st = match self.shared.cond.wait_timeout(st, left) {
                Ok((g, _)) => g,
                Err(p) => p.into_inner().0,
            };
        }
        true
    }

    /// Reads the terminal again after [`InputThread::pause`].
    pub fn resume(&self) {
        self.shared.state().paused = false;
        self.shared.cond.notify_all();
    }

    /// Ends the thread and waits for it (it is woken at once).
    pub fn stop(mut self) {
        self.shut();
    }

    fn shut(&mut self) {
        self.shared.state().stop = true;
        self.shared.cond.notify_all();
        self.shared.wake();
        if let Some(h) = self.handle.take() {
            let _ = h.join();
        }
    }
}

impl Drop for InputThread {
    fn drop(&mut self) {
        self.shut();
    }
}

/// What one wait found.
enum Woke {
    /// Bytes were read (possibly none complete an event yet).
    Read(usize),
    /// The wait's deadline passed: the parser flushes what it held.
    Timeout,
    /// The wake pipe: check the state again.
    Woken,
    /// The terminal is gone.
    Gone,
}

fn run(shared: &Shared, mut sink: impl FnMut(Incoming) -> bool) {
    let Ok(tty) = Tty::open() else {
        sink(Incoming::Gone);
        return;
    };
    let mut parser = Parser::new();
    let mut events = Vec::new();
    let mut buf = vec![0u8; 8192];
    loop {
        {
            let mut st = shared.state();
            if st.stop {
                return;
            }
            if st.paused {
                st.parked = true;
                shared.cond.notify_all();
                while st.paused && !st.stop {
                    st = match shared.cond.wait(st) {
                        Ok(g) => g,
                        Err(p) => p.into_inner(),
                    };
                }
                st.parked = false;
                drop(st);
                // Whatever was half-read belonged to the other program.
                parser.clear();
                continue;
            }
        }
        match wait_and_read(&tty, &shared.wake_rx, &parser, &mut buf) {
            Woke::Read(n) => parser.feed(&buf[..n], &mut events),
            Woke::Timeout => parser.flush(&mut events),
            Woke::Woken => continue,
            Woke::Gone => {
                sink(Incoming::Gone);
                return;
            }
        }
        for ev in events.drain(..) {
            if let Some(i) = keys::input(ev)
                && !sink(Incoming::Input(i))
            {
                return;
            }
        }
    }
}

/// Waits on the terminal and the wake pipe (up to the parser's deadline) and reads what is there.
fn wait_and_read(tty: &Tty, wake: &OwnedFd, parser: &Parser, buf: &mut [u8]) -> Woke {
    let fd = tty.fd();
    let mut fds = [
        PollFd::new(&fd, PollFlags::IN),
        PollFd::new(wake, PollFlags::IN),
    ];
    let ts = parser.waiting().timeout().map(|t| Timespec {
        tv_sec: i64::try_from(t.as_secs()).unwrap_or(i64::MAX),
        tv_nsec: i64::from(t.subsec_nanos()),
    });
    match poll(&mut fds, ts.as_ref()) {
        Ok(0) => return Woke::Timeout,
        Ok(_) => {}
        Err(Errno::INTR) => return Woke::Woken,
        Err(_) => return Woke::Gone,
    }
    let tty_ev = fds[0].revents();
    if fds[1].revents().contains(PollFlags::IN) {
        let mut sink = [0u8; 64];
        let _ = rustix::io::read(wake, &mut sink);
        // Check pause / stop before touching the terminal: its bytes may be someone else's.
        return Woke::Woken;
    }
    if tty_ev.contains(PollFlags::IN) {
        return match rustix::io::read(fd, &mut *buf) {
            Ok(0) => Woke::Gone, // end of file
            Ok(n) => Woke::Read(n),
            Err(Errno::INTR | Errno::AGAIN) => Woke::Woken,
            Err(_) => Woke::Gone, // EIO: the terminal hung up
        };
    }
    if tty_ev.intersects(PollFlags::HUP | PollFlags::ERR | PollFlags::NVAL) {
        return Woke::Gone;
    }
    Woke::Woken
}
