//! A second OS user for the "another user" tests: created with `useradd` when the tests run as root
//! (user `rsadv`, in group `rsshare`); otherwise there is none and the caller skips through
//! `tools::require` (which fails under `CI=true`).
#![allow(dead_code)]

use std::process::Command;
use std::sync::OnceLock;

/// The second user: name, uid, and the shared group's gid.
#[derive(Debug, Clone)]
pub struct Other {
    pub name: String,
    pub uid: u32,
    pub gid: u32,
}

/// Whether this process is root.
pub fn is_root() -> bool {
    rustix::process::geteuid().is_root()
}

fn id(args: &[&str]) -> Option<u32> {
    let out = Command::new("id").args(args).output().ok()?;
    if !out.status.success() {
        return None;
    }
    String::from_utf8_lossy(&out.stdout).trim().parse().ok()
}

fn group_gid(name: &str) -> Option<u32> {
    let text = std::fs::read_to_string("/etc/group").ok()?;
    text.lines().find_map(|l| {
        let f: Vec<&str> = l.split(':').collect();
        (f.first() == Some(&name)).then(|| f.get(2)?.parse().ok())?
    })
}

/// The second user, created if needed (root only). `None` when there is no way to have one.
pub fn other() -> Option<Other> {
    static OTHER: OnceLock<Option<Other>> = OnceLock::new();
    OTHER
        .get_or_init(|| {
            if !is_root() {
                return None;
            }
            let _ = Command::new("groupadd").args(["-f", "rsshare"]).status();
            if id(&["-u", "rsadv"]).is_none() {
                let _ = Command::new("useradd")
                    .args([
                        "-M",
                        "-N",
                        "-g",
                        "rsshare",
                        "-s",
                        "/usr/sbin/nologin",
                        "rsadv",
                    ])
                    .status();
            }
            Some(Other {
                name: "rsadv".to_owned(),
                uid: id(&["-u", "rsadv"])?,
                gid: group_gid("rsshare")?,
            })
        })
        .clone()
}

/// `runuser -u rsadv -- PROGRAM ARGS…` (env cleared except what the caller adds).
pub fn as_other(program: &str) -> Command {
    let mut c = Command::new("runuser");
    c.args(["-u", "rsadv", "--", program]);
    c
}
