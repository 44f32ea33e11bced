//! Entering and leaving the full-screen terminal, safely on every path: restoring never panics on a
//! dead tty, and the panic hook restores before the report is printed.

use crossterm::event::{
    DisableBracketedPaste, DisableMouseCapture, EnableBracketedPaste, EnableMouseCapture,
};
use crossterm::terminal::{EnterAlternateScreen, LeaveAlternateScreen};
use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;
use std::io::{self, Stdout, Write};

/// The terminal type the loop draws on.
pub type Term = Terminal<CrosstermBackend<Stdout>>;

/// Raw mode, alternate screen, bracketed paste, mouse.
pub fn enter() -> io::Result<()> {
    crossterm::terminal::enable_raw_mode()?;
    crossterm::execute!(
        io::stdout(),
        EnterAlternateScreen,
        EnableBracketedPaste,
        EnableMouseCapture
    )
}

/// Undoes [`enter`]; every step is tried and errors are ignored (the tty may be gone).
pub fn leave() {
    let mut out = io::stdout();
    let _ = crossterm::execute!(
        out,
        DisableMouseCapture,
        DisableBracketedPaste,
        LeaveAlternateScreen,
        crossterm::cursor::Show
    );
    let _ = crossterm::terminal::disable_raw_mode();
    let _ = out.flush();
}

/// Enters the full-screen mode and returns a terminal; installs a panic hook that leaves it first.
pub fn init() -> io::Result<Term> {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        leave();
        previous(info);
    }));
    enter()?;
    Terminal::new(CrosstermBackend::new(io::stdout()))
}

/// Forgets what is on screen so the next draw repaints everything (after `fg`, `$EDITOR`).
///
/// Not `Terminal::clear`: it asks the terminal for the cursor position, which times out while the
/// input thread holds crossterm's reader (and then the repaint never happens).
pub fn fresh(terminal: &mut Term) {
    let _ = crossterm::execute!(
        io::stdout(),
        crossterm::terminal::Clear(crossterm::terminal::ClearType::All)
    );
    if let Ok(t) = Terminal::new(CrosstermBackend::new(io::stdout())) {
        let old = std::mem::replace(terminal, t);
        std::mem::forget(old);
    }
}

/// Leaves the screen and exits the process now, without running destructors that could write to a
/// dead terminal (ratatui's `Drop` and `restore` print on failure).
pub fn exit_now(terminal: Term, code: i32) -> ! {
    leave();
    std::mem::forget(terminal);
    std::process::exit(code)
}

/// What waiting on the terminal's input found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputWait {
    /// Bytes to read.
    Ready,
    /// Nothing within the timeout.
    Timeout,
    /// The terminal hung up (ssh drop, tmux kill-session, closed pty).
    HungUp,
    /// The wake descriptor was written to (and has been drained).
    Woken,
}

/// Waits for input on the terminal with `poll(2)`: up to `timeout` (forever with `None`), or until
/// `wake` becomes readable.
///
/// crossterm's `event::poll` spins forever at full CPU once its input reaches end-of-file
/// (crossterm issue 793), so the loops never block in crossterm: they wait here, and call crossterm
/// only with a zero timeout (to drain what it has buffered) or when bytes are ready.
pub fn wait_input(
    timeout: Option<std::time::Duration>,
    wake: Option<&std::os::fd::OwnedFd>,
) -> InputWait {
    use rustix::event::{PollFd, PollFlags, Timespec, poll};
    // crossterm reads stdin when it is a terminal, else /dev/tty: wait on the same one.
    let stdin = rustix::stdio::stdin();
    let tty;
    let fd: std::os::fd::BorrowedFd<'_> = if rustix::termios::isatty(stdin) {
        stdin
    } else {
        match std::fs::File::open("/dev/tty") {
            Ok(f) => {
                tty = f;
                std::os::fd::AsFd::as_fd(&tty)
            }
            Err(_) => return InputWait::HungUp,
        }
    };
    let mut fds = vec![PollFd::new(&fd, PollFlags::IN)];
    if let Some(w) = wake {
        fds.push(PollFd::new(w, PollFlags::IN));
    }
    let ts = timeout.map(|t| Timespec {
        tv_sec: i64::try_from(t.as_secs()).unwrap_or(i64::MAX),
        tv_nsec: i64::from(t.subsec_nanos()),
    });
    match poll(&mut fds, ts.as_ref()) {
        Ok(0) => InputWait::Timeout,
        Ok(_)
            if fds[0]
                .revents()
                .intersects(PollFlags::HUP | PollFlags::ERR | PollFlags::NVAL) =>
        {
            InputWait::HungUp
        }
        Ok(_) if fds[0].revents().contains(PollFlags::IN) => InputWait::Ready,
        Ok(_) => {
            if let Some(w) = wake {
                let mut buf = [0u8; 64];
                let _ = rustix::io::read(w, &mut buf);
            }
            InputWait::Woken
        }
        Err(rustix::io::Errno::INTR) => InputWait::Timeout,
        Err(_) => InputWait::HungUp,
    }
}
