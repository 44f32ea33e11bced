//! Running a prepared command: its own session and process group (`setsid`, so it has no
//! controlling terminal and `/dev/tty` cannot reach ours), stdin from `/dev/null`, stdout and
//! stderr merged in order through one pipe, a time limit, an interrupt for the whole group, and
//! the output cleaned, kept in the output file and handed to the caller as it arrives.

use super::Prepared;
use super::clean::Cleaner;
use super::output::OutputFile;
use crate::run::event::CommandEnd;
use process_wrap::std::{ChildWrapper, CommandWrap, ProcessSession};
use std::io::Read;
use std::os::fd::AsFd;
use std::os::unix::process::ExitStatusExt;
use std::process::{ExitStatus, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::thread;
use std::time::{Duration, Instant};

/// How long output is still read after the command exited, for what its background children
/// print; then runsheet stops reading (they are left running, see `docs/commands.md`).
const DRAIN: Duration = Duration::from_secs(1);
/// How often the supervisor looks at the child.
const TICK: Duration = Duration::from_millis(20);

/// What a running command reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExecEvent {
    /// Clean output text (lines end with `\n`; the last piece may be an unfinished line).
    Output(String),
    /// The command ended and its output file is complete.
    Finished(Finished),
}

/// How a command ended, with what the `command_finished` event records.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finished {
    /// How it ended.
    pub end: CommandEnd,
    /// Exit status.
    pub exit_code: Option<i32>,
    /// Signal that ended it.
    pub signal: Option<i32>,
    /// From spawn to exit.
    pub duration: Duration,
    /// Raw bytes the command printed.
    pub output_bytes: u64,
    /// Bytes in the output file.
    pub stored_bytes: u64,
    /// SHA-256 of the output file.
    pub output_sha256: String,
    /// Why it did not start, or what went wrong keeping its output.
    pub error: Option<String>,
}

impl Finished {
    /// Whether it exited 0.
    pub fn succeeded(&self) -> bool {
        self.end == CommandEnd::Exited && self.exit_code == Some(0)
    }

    /// The status a shell would give: the exit code, 128 + signal, 130 interrupted, 124 timed out,
    /// 127 not started.
    pub fn shell_status(&self) -> i32 {
        match self.end {
            CommandEnd::Exited => self.exit_code.unwrap_or(1),
            CommandEnd::Killed => 128 + self.signal.unwrap_or(9),
            CommandEnd::Interrupted => 130,
            CommandEnd::TimedOut => 124,
            CommandEnd::NotStarted => 127,
        }
    }

    /// `exit 3`, `killed by signal 9`, `interrupted`, `timed out`, `not started: …`.
    pub fn describe(&self) -> String {
        match self.end {
            CommandEnd::Exited => format!("exit {}", self.exit_code.unwrap_or(-1)),
            CommandEnd::Killed => format!("killed by signal {}", self.signal.unwrap_or(0)),
            CommandEnd::Interrupted => "interrupted".to_owned(),
            CommandEnd::TimedOut => "timed out".to_owned(),
            CommandEnd::NotStarted => format!(
                "not started: {}",
                self.error.as_deref().unwrap_or("unknown error")
            ),
        }
    }
}

/// Options for [`spawn`].
#[derive(Debug, Clone)]
pub struct SpawnOptions {
    /// Wait between an interrupt (SIGINT) or the time limit (SIGTERM) and the next, harder signal.
    pub kill_grace: Duration,
}

impl Default for SpawnOptions {
    fn default() -> SpawnOptions {
        SpawnOptions {
            kill_grace: super::settings::DEFAULT_KILL_GRACE,
        }
    }
}

#[derive(Debug)]
enum Control {
    Interrupt,
}

/// Interrupts a running command from another thread (see [`Running::interrupt`]).
#[derive(Debug, Clone)]
pub struct Interrupter(Sender<Control>);

impl Interrupter {
    /// Same as [`Running::interrupt`].
    pub fn interrupt(&self) {
        let _ = self.0.send(Control::Interrupt);
    }

    /// Ends the command now: SIGKILL to its process group without the grace period (a second
    /// interrupt does the same). Recorded as `interrupted`.
    pub fn kill(&self) {
        let _ = self.0.send(Control::Interrupt);
        let _ = self.0.send(Control::Interrupt);
    }
}

/// A command that was started: its events, and a way to interrupt it.
#[derive(Debug)]
pub struct Running {
    events: Receiver<ExecEvent>,
    control: Sender<Control>,
    pid: Option<u32>,
    started: Instant,
}

impl Running {
    /// Output as it arrives, then exactly one [`ExecEvent::Finished`].
    pub fn events(&self) -> &Receiver<ExecEvent> {
        &self.events
    }

    /// Interrupts the command: SIGINT to its process group, SIGTERM after the grace period, then
    /// SIGKILL. Recorded as `interrupted`.
    pub fn interrupt(&self) {
        let _ = self.control.send(Control::Interrupt);
    }

    /// A handle another thread (a signal handler's) can interrupt the command with.
    pub fn interrupter(&self) -> Interrupter {
        Interrupter(self.control.clone())
    }

    /// Process id of the command's shell (also its process group and session id), once started.
    pub fn pid(&self) -> Option<u32> {
        self.pid
    }

    /// Time since it started.
    pub fn elapsed(&self) -> Duration {
        self.started.elapsed()
    }

    /// Its events and its interrupter apart, so another thread can wait for the events (the
    /// screen forwards them into its own loop).
    pub fn split(self) -> (Receiver<ExecEvent>, Interrupter) {
        (self.events, Interrupter(self.control))
    }
}

/// Starts the command. It never fails: a command that cannot start reports
/// [`ExecEvent::Finished`] with [`CommandEnd::NotStarted`] straight away (the output file still
/// completed), so every started event gets its finished event.
pub fn spawn(prepared: &Prepared, output: OutputFile, opts: &SpawnOptions) -> Running {
    let (tx, rx) = mpsc::channel();
    let (ctl_tx, ctl_rx) = mpsc::channel();
    let started = Instant::now();
    let pid = launch(prepared, output, opts, tx, ctl_rx, started);
    Running {
        events: rx,
        control: ctl_tx,
        pid,
        started,
    }
}

/// Reports a command that could not start (its output file completed, empty).
fn not_started(
    output: Option<OutputFile>,
    tx: &Sender<ExecEvent>,
    started: Instant,
    error: String,
) {
    let stored = output.map(OutputFile::finish);
    let (stored_bytes, output_sha256) = match stored {
        Some(Ok(s)) => (s.bytes, s.sha256),
        _ => (0, String::new()),
    };
    let _ = tx.send(ExecEvent::Finished(Finished {
        end: CommandEnd::NotStarted,
        exit_code: None,
        signal: None,
        duration: started.elapsed(),
        output_bytes: 0,
        stored_bytes,
        output_sha256,
        error: Some(error),
    }));
}

/// Spawns the command and its two threads; the pid when it started.
fn launch(
    prepared: &Prepared,
    output: OutputFile,
    opts: &SpawnOptions,
    tx: Sender<ExecEvent>,
    ctl_rx: Receiver<Control>,
    started: Instant,
) -> Option<u32> {
    let pipe = std::io::pipe().and_then(|(r, w)| Ok((r, w.try_clone()?, w)));
    let (reader, writer2, writer) = match pipe {
        Ok(p) => p,
        Err(e) => {
            not_started(Some(output), &tx, started, format!("creating a pipe: {e}"));
            return None;
        }
    };
    let mut cmd = std::process::Command::new(&prepared.program);
    cmd.args(&prepared.args)
        .arg(prepared.script.expose())
        .current_dir(&prepared.cwd)
        .stdin(Stdio::null())
        .stdout(Stdio::from(writer))
        .stderr(Stdio::from(writer2));
    for (k, v) in &prepared.env {
        cmd.env(k, v.expose());
    }
    let mut wrap = CommandWrap::from(cmd);
    wrap.wrap(ProcessSession);
    let spawned = wrap.spawn();
    // The command's copies of the pipe's write end must go, or the reader never sees the end.
    drop(wrap);
    let mut child = match spawned {
        Ok(c) => c,
        Err(e) => {
            drop(reader);
            let why = format!("{}: {e}", prepared.program.display());
            not_started(Some(output), &tx, started, why);
            return None;
        }
    };
    let pid = child.id();
    let stop = Arc::new(AtomicBool::new(false));
    let reader_thread = {
        let stop = Arc::clone(&stop);
        let tx = tx.clone();
        let secrets = prepared.secrets.clone();
        thread::Builder::new()
            .name("runsheet-exec-output".into())
            .spawn(move || read_output(reader, output, Cleaner::new(secrets), &tx, &stop))
    };
    let reader_thread = match reader_thread {
        Ok(t) => t,
        Err(e) => {
            let _ = child.signal(9);
            let _ = child.wait();
            not_started(
                None,
                &tx,
                started,
                format!("starting the output thread: {e}"),
            );
            return Some(pid);
        }
    };
    let timeout = prepared.timeout;
    let grace = opts.kill_grace;
    let _ = thread::Builder::new()
        .name("runsheet-exec-supervisor".into())
        .spawn(move || {
            let sup = Supervisor {
                child,
                started,
                timeout,
                grace,
            };
            let finished = sup.run(&ctl_rx, reader_thread, &stop);
            let _ = tx.send(ExecEvent::Finished(finished));
        });
    Some(pid)
}

/// What the output thread hands back.
struct ReadResult {
    raw: u64,
    stored: Option<super::output::Stored>,
    error: Option<String>,
}

fn read_output(
    reader: std::io::PipeReader,
    mut output: OutputFile,
    mut cleaner: Cleaner,
    tx: &Sender<ExecEvent>,
    stop: &AtomicBool,
) -> ReadResult {
    let mut reader = reader;
    let mut buf = vec![0u8; 64 * 1024];
    let mut raw = 0u64;
    let mut error: Option<String> = None;
    let mut text = String::new();
    let deliver = |text: &mut String, output: &mut OutputFile, error: &mut Option<String>| {
        if text.is_empty() {
            return;
        }
        if let Err(e) = output.write(text)
            && error.is_none()
        {
            *error = Some(format!("writing {}: {e}", output.path().display()));
        }
        let _ = tx.send(ExecEvent::Output(std::mem::take(text)));
    };
    loop {
        if stop.load(Ordering::Relaxed) {
            break;
        }
        let fd = reader.as_fd();
        let mut fds = [rustix::event::PollFd::new(
            &fd,
            rustix::event::PollFlags::IN,
        )];
        let timeout = rustix::event::Timespec {
            tv_sec: 0,
            tv_nsec: 100_000_000,
        };
        let ready = match rustix::event::poll(&mut fds, Some(&timeout)) {
            Ok(n) => n > 0,
            Err(rustix::io::Errno::INTR) => false,
            Err(e) => {
                error.get_or_insert_with(|| format!("waiting for output: {e}"));
                break;
            }
        };
        if !ready {
            continue;
        }
        match reader.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => {
                raw += n as u64;
                cleaner.push(&buf[..n], &mut text);
                deliver(&mut text, &mut output, &mut error);
            }
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => {
                error.get_or_insert_with(|| format!("reading output: {e}"));
                break;
            }
        }
    }
    cleaner.finish(&mut text);
    deliver(&mut text, &mut output, &mut error);
    let path = output.path();
    let stored = match output.finish() {
        Ok(s) => Some(s),
        Err(e) => {
            error.get_or_insert_with(|| format!("completing {}: {e}", path.display()));
            None
        }
    };
    ReadResult { raw, stored, error }
}

struct Supervisor {
    child: Box<dyn ChildWrapper>,
    started: Instant,
    timeout: Duration,
    grace: Duration,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Why {
    Interrupted,
    TimedOut,
}

impl Supervisor {
    fn signal(&self, sig: i32) {
        let _ = self.child.signal(sig);
    }

    fn run(
        mut self,
        control: &Receiver<Control>,
        reader: thread::JoinHandle<ReadResult>,
        stop: &AtomicBool,
    ) -> Finished {
        let deadline = self.started + self.timeout;
        let mut why: Option<Why> = None;
        // The next signal to send if the command is still there, and when.
        let mut escalate: Option<(Instant, i32)> = None;
        let mut wait_error = None;
        let status: Option<ExitStatus> = loop {
            match self.child.try_wait() {
                Ok(Some(s)) => break Some(s),
                Ok(None) => {}
                Err(e) => {
                    wait_error = Some(format!("waiting for the command: {e}"));
                    self.signal(9);
                    break self.child.wait().ok();
                }
            }
            let now = Instant::now();
            if why.is_none() && now >= deadline {
                why = Some(Why::TimedOut);
                self.signal(15);
                escalate = Some((now + self.grace, 9));
            }
            if let Some((at, sig)) = escalate
                && now >= at
            {
                self.signal(sig);
                escalate = (sig != 9).then(|| (now + self.grace, 9));
            }
            match control.recv_timeout(TICK) {
                Ok(Control::Interrupt) => match why {
                    None => {
                        why = Some(Why::Interrupted);
                        self.signal(2);
                        escalate = Some((Instant::now() + self.grace, 15));
                    }
                    // A second interrupt: no more waiting.
                    Some(_) => {
                        self.signal(9);
                        escalate = None;
                    }
                },
                Err(RecvTimeoutError::Timeout | RecvTimeoutError::Disconnected) => {}
            }
        };
        let duration = self.started.elapsed();
        if why.is_some() {
            // Whatever of the group outlived its shell goes too.
            self.signal(15);
            thread::sleep(Duration::from_millis(50));
            self.signal(9);
        }
        let drain_until = Instant::now() + DRAIN;
        while !reader.is_finished() && Instant::now() < drain_until {
            thread::sleep(Duration::from_millis(10));
        }
        stop.store(true, Ordering::Relaxed);
        let read = reader.join().unwrap_or(ReadResult {
            raw: 0,
            stored: None,
            error: Some("the output thread panicked".to_owned()),
        });
        let (exit_code, signal) = match status {
            Some(s) => (s.code(), s.signal()),
            None => (None, None),
        };
        let end = match why {
            Some(Why::TimedOut) => CommandEnd::TimedOut,
            Some(Why::Interrupted) => CommandEnd::Interrupted,
            None if exit_code.is_some() => CommandEnd::Exited,
            None => CommandEnd::Killed,
        };
        let (stored_bytes, output_sha256) = read
            .stored
            .as_ref()
            .map_or((0, String::new()), |s| (s.bytes, s.sha256.clone()));
        Finished {
            end,
            exit_code,
            signal,
            duration,
            output_bytes: read.raw,
            stored_bytes,
            output_sha256,
            error: wait_error.or(read.error),
        }
    }
}
