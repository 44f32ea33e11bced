//! A pseudo-terminal running the real binary, its output fed to a vt100 screen read with deadlines.
#![allow(dead_code)]

use portable_pty::{Child, CommandBuilder, MasterPty, PtySize, native_pty_system};
use std::io::{Read, Write};
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// What the emulated terminal was asked to do besides drawing.
#[derive(Debug, Default)]
pub struct Seen {
    pub titles: Vec<Vec<u8>>,
    pub clipboard: Vec<Vec<u8>>,
}

impl vt100::Callbacks for Seen {
    fn set_window_title(&mut self, _: &mut vt100::Screen, title: &[u8]) {
        self.titles.push(title.to_vec());
    }
    fn set_window_icon_name(&mut self, _: &mut vt100::Screen, name: &[u8]) {
        self.titles.push(name.to_vec());
    }
    fn copy_to_clipboard(&mut self, _: &mut vt100::Screen, _ty: &[u8], data: &[u8]) {
        self.clipboard.push(data.to_vec());
    }
}

pub struct Term {
    pub parser: Arc<Mutex<vt100::Parser<Seen>>>,
    pub child: Box<dyn Child + Send + Sync>,
    writer: Option<Box<dyn Write + Send>>,
    _master: Box<dyn MasterPty + Send>,
}

/// The binary under test: this build's, or `RUNSHEET_TEST_BIN` (to run the suite against another
/// build, e.g. to show a regression test fails on the code before a fix).
pub fn bin() -> &'static str {
    match std::env::var("RUNSHEET_TEST_BIN") {
        Ok(b) if !b.is_empty() => Box::leak(b.into_boxed_str()),
        _ => env!("CARGO_BIN_EXE_runsheet"),
    }
}

impl Term {
    pub fn spawn(args: &[&str], env: &[(&str, &str)], rows: u16, cols: u16) -> Term {
        let pair = native_pty_system()
            .openpty(PtySize {
                rows,
                cols,
                pixel_width: 0,
                pixel_height: 0,
            })
            .expect("openpty");
        let mut cmd = CommandBuilder::new(bin());
        cmd.args(args);
        cmd.cwd(env!("CARGO_MANIFEST_DIR"));
        cmd.env("TERM", "xterm-256color");
        cmd.env("LANG", "C.UTF-8");
        cmd.env_remove("NO_COLOR");
        for (k, v) in env {
            cmd.env(k, v);
        }
        let child = pair.slave.spawn_command(cmd).expect("spawn");
        drop(pair.slave);
        let mut reader = pair.master.try_clone_reader().expect("reader");
        let writer = pair.master.take_writer().expect("writer");
        let rows_nz = std::num::NonZeroU16::new(rows).expect("rows");
        let cols_nz = std::num::NonZeroU16::new(cols).expect("cols");
        let parser = Arc::new(Mutex::new(vt100::Parser::new_with_callbacks(
            rows_nz,
            cols_nz,
            0,
            Seen::default(),
        )));
        let p = Arc::clone(&parser);
        std::thread::spawn(move || {
            let mut buf = [0u8; 8192];
            loop {
                match reader.read(&mut buf) {
                    Ok(0) | Err(_) => return,
                    Ok(n) => {
                        if let Ok(mut g) = p.lock() {
                            g.process(&buf[..n]);
                        }
                    }
                }
            }
        });
        Term {
            parser,
            child,
            writer: Some(writer),
            _master: pair.master,
        }
    }

    pub fn screen(&self) -> String {
        self.parser
            .lock()
            .map(|p| p.screen().contents())
            .unwrap_or_default()
    }

    /// Waits until the screen satisfies `f`; panics with the screen after `secs`.
    pub fn wait(&self, secs: u64, what: &str, f: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + Duration::from_secs(secs);
        loop {
            let s = self.screen();
            if f(&s) {
                return s;
            }
            if Instant::now() > deadline {
                panic!("timed out waiting for {what}; screen:\n{s}");
            }
            std::thread::sleep(Duration::from_millis(30));
        }
    }

    pub fn wait_for(&self, needle: &str) -> String {
        self.wait(10, needle, |s| s.contains(needle))
    }

    pub fn send(&mut self, bytes: &str) {
        if let Some(w) = self.writer.as_mut() {
            w.write_all(bytes.as_bytes()).expect("write");
            w.flush().expect("flush");
        }
    }

    /// Waits for the child to exit; returns how long it took.
    pub fn wait_exit(&mut self, secs: u64) -> Duration {
        let t0 = Instant::now();
        loop {
            if let Ok(Some(_)) = self.child.try_wait() {
                return t0.elapsed();
            }
            if t0.elapsed() > Duration::from_secs(secs) {
                panic!(
                    "process still running after {secs}s; screen:\n{}",
                    self.screen()
                );
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Resizes the terminal (the program gets SIGWINCH) and the emulated screen.
    pub fn resize(&mut self, rows: u16, cols: u16) {
        self._master
            .resize(PtySize {
                rows,
                cols,
                pixel_width: 0,
                pixel_height: 0,
            })
            .expect("resize");
        if let Ok(mut p) = self.parser.lock() {
            let r = std::num::NonZeroU16::new(rows).expect("rows");
            let c = std::num::NonZeroU16::new(cols).expect("cols");
            p.screen_mut().set_size(r, c);
        }
    }

    pub fn pid(&self) -> u32 {
        self.child.process_id().expect("pid")
    }
}

impl Drop for Term {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        self.writer.take();
    }
}

/// Runs the binary to completion and returns stdout.
pub fn cli(args: &[&str], env: &[(&str, &str)]) -> String {
    let mut c = std::process::Command::new(bin());
    c.args(args).current_dir(env!("CARGO_MANIFEST_DIR"));
    for (k, v) in env {
        c.env(k, v);
    }
    let out = c.output().expect("run");
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The one run under `data` (waiting up to 5 s for it: a new screen draws its first frame before
/// the run's dir reaches the disk).
pub fn only_run_dir(data: &Path) -> std::path::PathBuf {
    let t0 = Instant::now();
    loop {
        let dirs: Vec<_> = std::fs::read_dir(data.join("runs"))
            .into_iter()
            .flatten()
            .flatten()
            .filter(|e| !e.file_name().to_string_lossy().starts_with('.'))
            .map(|e| e.path())
            .filter(|p| p.join("journal.jsonl").is_file())
            .collect();
        if !dirs.is_empty() {
            assert_eq!(dirs.len(), 1, "{dirs:?}");
            return dirs[0].clone();
        }
        assert!(
            t0.elapsed() < Duration::from_secs(5),
            "no run under {}",
            data.display()
        );
        std::thread::sleep(Duration::from_millis(10));
    }
}
