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
/// Not `Terminal::clear`: it asks the terminal for the cursor position and waits for the answer on
/// the input, which only the input thread reads.
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
