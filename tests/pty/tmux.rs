//! A private tmux server: a real terminal that tests can resize, split, paste into and hang up.
#![allow(dead_code)]

#[path = "../support/tools.rs"]
mod tools;

use std::time::{Duration, Instant};

/// One tmux server (its own socket) with a session named `p`.
pub struct Tmux {
    sock: String,
}

impl Tmux {
    /// Starts `cmd` (a shell command line) in a `w`×`h` window, or `None` (skipped) without tmux.
    pub fn start_sized(name: &str, cmd: &str, w: u16, h: u16) -> Option<Tmux> {
        if !tools::require(
            tools::runs("tmux", &["-V"]),
            "tmux",
            name,
            "install Debian's tmux; .ci/run does",
        ) {
            return None;
        }
        let t = Tmux {
            sock: format!("rs-test-{name}-{}", std::process::id()),
        };
        let (w, h) = (w.to_string(), h.to_string());
        t.run(&[
            "new-session",
            "-d",
            "-s",
            "p",
            "-x",
            &w,
            "-y",
            &h,
            "-c",
            env!("CARGO_MANIFEST_DIR"),
            cmd,
        ]);
        // Keep the pane (and its exit status) when the program ends, so a test can see how.
        t.run(&["set-option", "-t", "p", "remain-on-exit", "on"]);
        Some(t)
    }

    /// [`Tmux::start_sized`] at 100×30.
    pub fn start(name: &str, cmd: &str) -> Option<Tmux> {
        Tmux::start_sized(name, cmd, 100, 30)
    }

    /// Runs a tmux command on this server.
    pub fn run(&self, args: &[&str]) -> std::process::Output {
        std::process::Command::new("tmux")
            .arg("-L")
            .arg(&self.sock)
            .args(args)
            .output()
            .expect("tmux")
    }

    /// The first pane's screen.
    pub fn screen(&self) -> String {
        self.screen_of("p:0.0")
    }

    /// A pane's screen.
    pub fn screen_of(&self, pane: &str) -> String {
        String::from_utf8_lossy(&self.run(&["capture-pane", "-p", "-t", pane]).stdout).into_owned()
    }

    /// Waits up to 10 s for `needle` on the first pane.
    pub fn wait(&self, needle: &str) -> String {
        self.wait_until(10, needle, |s| s.contains(needle))
    }

    /// Waits up to `secs` for the first pane's screen to satisfy `f`.
    pub fn wait_until(&self, secs: u64, what: &str, f: impl Fn(&str) -> bool) -> String {
        self.wait_pane("p:0.0", secs, what, f)
    }

    /// Waits up to `secs` for a pane's screen to satisfy `f`; panics with the screen.
    pub fn wait_pane(&self, pane: &str, secs: u64, what: &str, f: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + Duration::from_secs(secs);
        loop {
            let s = self.screen_of(pane);
            if f(&s) {
                return s;
            }
            assert!(
                Instant::now() < deadline,
                "timed out waiting for {what} on {pane} (dead: {}); screen:\n{s}",
                self.pane_dead(pane)
            );
            std::thread::sleep(Duration::from_millis(30));
        }
    }

    /// Sends text as typed (no key names).
    pub fn type_text(&self, pane: &str, text: &str) {
        self.run(&["send-keys", "-t", pane, "-l", text]);
    }

    /// Sends tmux key names (`Enter`, `C-s`, `Escape`).
    pub fn keys(&self, pane: &str, keys: &[&str]) {
        let mut args = vec!["send-keys", "-t", pane];
        args.extend_from_slice(keys);
        self.run(&args);
    }

    /// Pastes `text` as the terminal would (bracketed, newlines as typed Enter keys).
    pub fn paste(&self, pane: &str, text: &str) {
        self.run(&["set-buffer", "-b", "rs", text]);
        self.run(&["paste-buffer", "-p", "-d", "-b", "rs", "-t", pane]);
    }

    /// `(width, height)` of a pane.
    pub fn pane_size(&self, pane: &str) -> (u16, u16) {
        let out = self.run(&[
            "display-message",
            "-p",
            "-t",
            pane,
            "#{pane_width} #{pane_height}",
        ]);
        let s = String::from_utf8_lossy(&out.stdout);
        let mut it = s.split_whitespace().map(|v| v.parse::<u16>().unwrap_or(0));
        (it.next().unwrap_or(0), it.next().unwrap_or(0))
    }

    /// Whether the pane's program has ended.
    pub fn pane_dead(&self, pane: &str) -> bool {
        let out = self.run(&["display-message", "-p", "-t", pane, "#{pane_dead}"]);
        String::from_utf8_lossy(&out.stdout).trim() == "1"
    }

    /// The exit status of the pane's program once it ended.
    pub fn pane_status(&self, pane: &str) -> String {
        let out = self.run(&["display-message", "-p", "-t", pane, "#{pane_dead_status}"]);
        String::from_utf8_lossy(&out.stdout).trim().to_owned()
    }

    /// The pid of the pane's program.
    pub fn pane_pid(&self) -> String {
        self.pid_of("p:0.0")
    }

    /// The pid of a pane's program.
    pub fn pid_of(&self, pane: &str) -> String {
        String::from_utf8_lossy(
            &self
                .run(&["display-message", "-p", "-t", pane, "#{pane_pid}"])
                .stdout,
        )
        .trim()
        .to_owned()
    }

    /// Kills the server (every pane's terminal hangs up) and asserts `pid` is gone within 2 s.
    pub fn hang_up_and_expect_exit(&self, pid: &str) -> Duration {
        let t0 = Instant::now();
        self.run(&["kill-server"]);
        while alive(pid) {
            if t0.elapsed() > Duration::from_secs(2) {
                // Only a real pid: an empty or zero one would be `kill(0)`, this test's group.
                if pid.parse::<u32>().is_ok_and(|n| n > 1) {
                    let _ = std::process::Command::new("kill")
                        .args(["-9", "--", pid])
                        .status();
                }
                panic!("still running 2 s after the hang-up");
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        t0.elapsed()
    }
}

/// The first child process of `pid` (the program a shell started).
pub fn child_of(pid: &str) -> Option<String> {
    let children =
        std::fs::read_to_string(format!("/proc/{pid}/task/{pid}/children")).unwrap_or_default();
    children.split_whitespace().next().map(str::to_owned)
}

/// A process's state letter (`R`, `S`, `T` for stopped …), from `/proc/PID/stat`.
pub fn proc_state(pid: &str) -> Option<char> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    stat.rsplit_once(')')?.1.trim_start().chars().next()
}

/// Whether a process exists and is not a zombie.
pub fn alive(pid: &str) -> bool {
    std::path::Path::new(&format!("/proc/{pid}")).exists()
        && !std::fs::read_to_string(format!("/proc/{pid}/stat")).is_ok_and(|s| s.contains(") Z"))
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = std::process::Command::new("tmux")
            .arg("-L")
            .arg(&self.sock)
            .arg("kill-server")
            .output();
    }
}
