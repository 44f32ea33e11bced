//! Whose files these are: the effective user and groups, the owner of a directory or file, and the
//! rules for trusting what another user could have put there.
//!
//! A directory in the store is used only if it is not writable by every user and either belongs to
//! us (or root), or is a *shared* directory: setgid, group `rwx`, and a group we are in (the layout
//! README's "Shared data dir" sets up). A file in a run dir is used only if it is a regular file with
//! one link, not writable by every user, and belongs to us, to the run dir's owner, to root, or (in a
//! shared run dir) to the run dir's group. Like ssh with `~/.ssh`, anything else is refused with a
//! message that says how to fix it.

use super::StoreError;
use std::path::Path;
use std::sync::OnceLock;

/// Who we are: effective uid and gid, and the supplementary groups.
#[derive(Debug, Clone)]
pub struct Me {
    /// Effective uid.
    pub uid: u32,
    /// Effective gid.
    pub gid: u32,
    /// Supplementary groups.
    pub groups: Vec<u32>,
}

impl Me {
    /// The current process's identity (read once).
    pub fn get() -> &'static Me {
        static ME: OnceLock<Me> = OnceLock::new();
        ME.get_or_init(|| Me {
            uid: rustix::process::geteuid().as_raw(),
            gid: rustix::process::getegid().as_raw(),
            groups: rustix::process::getgroups()
                .map(|g| g.into_iter().map(|g| g.as_raw()).collect())
                .unwrap_or_default(),
        })
    }

    /// Whether we are root.
    pub fn is_root(&self) -> bool {
        self.uid == 0
    }

    /// Whether `gid` is our effective or one of our supplementary groups.
    pub fn in_group(&self, gid: u32) -> bool {
        self.gid == gid || self.groups.contains(&gid)
    }
}

/// Whether a directory is private to its owner or shared with a group.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sharing {
    /// Owner only: new directories 0700, files 0600.
    Private,
    /// A shared group directory (setgid, group rwx): new directories 2770, files 0660.
    Group(u32),
}

impl Sharing {
    /// Mode for a new directory.
    pub fn dir_mode(self) -> u32 {
        match self {
            Sharing::Private => 0o700,
            Sharing::Group(_) => 0o2770,
        }
    }

    /// Mode for a new file.
    pub fn file_mode(self) -> u32 {
        match self {
            Sharing::Private => 0o600,
            Sharing::Group(_) => 0o660,
        }
    }
}

/// The owner of a run directory, for `list` and `status`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Owner {
    /// Its uid.
    pub uid: u32,
    /// The account name, if the user database has one.
    pub name: Option<String>,
}

impl Owner {
    /// The owner with uid `uid` (name looked up).
    pub fn of(uid: u32) -> Owner {
        Owner {
            uid,
            name: user_name(uid),
        }
    }

    /// Whether it is us.
    pub fn is_me(&self) -> bool {
        self.uid == Me::get().uid
    }

    /// `alice (uid 1001)`, or `uid 1001`.
    pub fn describe(&self) -> String {
        match &self.name {
            Some(n) => format!(
                "{} (uid {})",
                crate::text::sanitize::clean_line(n),
                self.uid
            ),
            None => format!("uid {}", self.uid),
        }
    }
}

/// The account name of `uid` from `/etc/passwd` (no NSS: runsheet links no C library for this).
pub fn user_name(uid: u32) -> Option<String> {
    let text = std::fs::read_to_string("/etc/passwd").ok()?;
    text.lines().find_map(|l| {
        let mut f = l.split(':');
        let name = f.next()?;
        let _pw = f.next()?;
        (f.next()?.parse::<u32>().ok()? == uid).then(|| name.to_owned())
    })
}

/// How to set up a shared data dir safely (the fix offered when a directory is refused).
pub const SHARED_HOWTO: &str = "to share runs between OS users, use a group directory: \
     `groupadd ops; usermod -aG ops USER; mkdir -p DIR; chgrp ops DIR; chmod 2770 DIR` \
     (see README, \"Shared data dir\")";

fn mode_str(mode: u32) -> String {
    format!("{:04o}", mode & 0o7777)
}

/// What the type bits of a mode say, for messages (`a FIFO`, `a directory`, …).
pub fn kind_name(mode: u32) -> &'static str {
    match mode & 0o170000 {
        0o100000 => "a regular file",
        0o040000 => "a directory",
        0o120000 => "a symbolic link",
        0o010000 => "a FIFO (named pipe)",
        0o020000 => "a character device",
        0o060000 => "a block device",
        0o140000 => "a socket",
        _ => "not a regular file",
    }
}

/// Checks a directory of the store; returns whether it is private or shared.
pub fn check_dir(path: &Path, uid: u32, gid: u32, mode: u32) -> Result<Sharing, StoreError> {
    let me = Me::get();
    let untrusted = |why: String| StoreError::Untrusted {
        path: path.to_owned(),
        message: why,
    };
    if mode & 0o170000 != 0o040000 {
        return Err(StoreError::NotRegular {
            path: path.to_owned(),
            found: kind_name(mode),
            expected: "a directory",
        });
    }
    if mode & 0o002 != 0 {
        return Err(untrusted(format!(
            "is writable by every user (mode {}): anyone could plant files in it. Fix it with \
             `chmod o-w {}`; {SHARED_HOWTO}",
            mode_str(mode),
            path.display()
        )));
    }
    let shared_layout = mode & 0o2000 != 0 && mode & 0o070 == 0o070;
    let sharing = if shared_layout {
        Sharing::Group(gid)
    } else {
        Sharing::Private
    };
    if uid == me.uid || uid == 0 {
        return Ok(sharing);
    }
    if shared_layout && (me.in_group(gid) || me.is_root()) {
        return Ok(sharing);
    }
    Err(untrusted(format!(
        "belongs to {}, not to you ({}), and is not a shared group directory (mode {}): \
         runsheet does not use a directory another user controls; {SHARED_HOWTO}",
        Owner::of(uid).describe(),
        Owner::of(me.uid).describe(),
        mode_str(mode)
    )))
}

/// The facts about a file that [`check_file`] judges.
#[derive(Debug, Clone, Copy)]
pub struct FileFacts {
    /// `st_mode`.
    pub mode: u32,
    /// Owner.
    pub uid: u32,
    /// Group.
    pub gid: u32,
    /// Hard links.
    pub nlink: u64,
}

/// Checks a file in a run dir owned by `dir_uid` and shared as `sharing`.
pub fn check_file(
    path: &Path,
    f: FileFacts,
    dir_uid: u32,
    sharing: Sharing,
) -> Result<(), StoreError> {
    let me = Me::get();
    if f.mode & 0o170000 != 0o100000 {
        return Err(StoreError::NotRegular {
            path: path.to_owned(),
            found: kind_name(f.mode),
            expected: "a regular file",
        });
    }
    let untrusted = |why: String| StoreError::Untrusted {
        path: path.to_owned(),
        message: why,
    };
    if f.nlink != 1 {
        return Err(untrusted(format!(
            "has {} hard links: the same file is reachable under another name, perhaps outside \
             the run dir; runsheet does not use it. Copy it (`cp`) to a file of its own",
            f.nlink
        )));
    }
    if f.mode & 0o002 != 0 {
        return Err(untrusted(format!(
            "is writable by every user (mode {}); fix it with `chmod o-w {}`",
            mode_str(f.mode),
            path.display()
        )));
    }
    let ok_owner = f.uid == me.uid || f.uid == dir_uid || f.uid == 0;
    let ok_group = matches!(sharing, Sharing::Group(g) if g == f.gid);
    if ok_owner || ok_group {
        return Ok(());
    }
    Err(untrusted(format!(
        "belongs to {}, neither you ({}) nor the run's owner ({}): runsheet does not use a file \
         another user put there",
        Owner::of(f.uid).describe(),
        Owner::of(me.uid).describe(),
        Owner::of(dir_uid).describe()
    )))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    const DIR: u32 = 0o040000;
    const REG: u32 = 0o100000;

    fn me() -> &'static Me {
        Me::get()
    }

    fn other_uid() -> u32 {
        if me().uid == 4242 { 4243 } else { 4242 }
    }

    fn not_my_group() -> u32 {
        (50_000..60_000)
            .find(|g| !me().in_group(*g))
            .unwrap_or(59_999)
    }

    #[test]
    fn own_private_dir_is_trusted_and_world_writable_is_not() {
        let p = Path::new("/d");
        assert_eq!(
            check_dir(p, me().uid, me().gid, DIR | 0o700).ok(),
            Some(Sharing::Private)
        );
        let e = check_dir(p, me().uid, me().gid, DIR | 0o777)
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("writable by every user") && e.contains("2770"),
            "{e}"
        );
        let e = check_dir(p, me().uid, me().gid, DIR | 0o1777)
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("writable by every user"),
            "sticky does not help: {e}"
        );
    }

    #[test]
    fn another_users_dir_only_as_a_shared_group_dir() {
        let p = Path::new("/d");
        let e = check_dir(p, other_uid(), me().gid, DIR | 0o755)
            .unwrap_err()
            .to_string();
        assert!(e.contains("belongs to") && e.contains("chmod 2770"), "{e}");
        assert_eq!(
            check_dir(p, other_uid(), me().gid, DIR | 0o2770).ok(),
            Some(Sharing::Group(me().gid))
        );
        // Group rwx without setgid is not the shared layout.
        assert!(check_dir(p, other_uid(), me().gid, DIR | 0o770).is_err());
        if !me().is_root() {
            assert!(check_dir(p, other_uid(), not_my_group(), DIR | 0o2770).is_err());
        }
    }

    #[test]
    fn files_must_be_regular_single_linked_and_ours_or_the_groups() {
        let p = Path::new("/d/f");
        let f = |mode, uid, gid, nlink| FileFacts {
            mode,
            uid,
            gid,
            nlink,
        };
        let mine = me().uid;
        assert!(check_file(p, f(REG | 0o600, mine, 0, 1), mine, Sharing::Private).is_ok());
        let e = check_file(p, f(0o010600, mine, 0, 1), mine, Sharing::Private).unwrap_err();
        assert!(e.to_string().contains("FIFO"), "{e}");
        let e = check_file(p, f(REG | 0o600, mine, 0, 2), mine, Sharing::Private).unwrap_err();
        assert!(e.to_string().contains("2 hard links"), "{e}");
        let e = check_file(p, f(REG | 0o666, mine, 0, 1), mine, Sharing::Private).unwrap_err();
        assert!(e.to_string().contains("every user"), "{e}");
        let o = other_uid();
        assert!(check_file(p, f(REG | 0o600, o, 77, 1), mine, Sharing::Private).is_err());
        assert!(check_file(p, f(REG | 0o660, o, 77, 1), mine, Sharing::Group(77)).is_ok());
        assert!(check_file(p, f(REG | 0o660, o, 78, 1), mine, Sharing::Group(77)).is_err());
        assert!(check_file(p, f(REG | 0o600, o, 78, 1), o, Sharing::Private).is_ok());
    }
}
