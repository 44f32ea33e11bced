//! Directories held open by file descriptor, and files opened relative to them without following
//! links.
//!
//! Every file of a run dir is reached through a [`Dir`]: the directory is opened once with
//! `O_DIRECTORY|O_NOFOLLOW` and checked (`fstat`: type, owner, mode; see [`super::trust`]); a file in
//! it is first looked at with `fstatat(AT_SYMLINK_NOFOLLOW)` — so a FIFO, device, directory or
//! symbolic link is refused without ever being opened — then opened with `openat(O_NOFOLLOW |
//! O_NONBLOCK)` and checked again on the open descriptor (same inode, regular, one link, trusted
//! owner). A mode is only ever set on a file or directory this process has just created.

use super::StoreError;
use super::trust::{self, FileFacts, Sharing};
use rustix::fs::{AtFlags, Mode, OFlags};
use rustix::io::Errno;
use std::fs::File;
use std::io::Read;
use std::os::fd::{AsFd, BorrowedFd, OwnedFd};
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

mod create;

/// How a file is opened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Read only.
    Read,
    /// Read and append (`O_RDWR | O_APPEND`): the journal.
    Append,
    /// Read and write: the lock file.
    ReadWrite,
}

/// A directory held open, with what its checks found.
#[derive(Debug)]
pub struct Dir {
    path: PathBuf,
    fd: OwnedFd,
    uid: u32,
    sharing: Sharing,
}

fn io_err(op: &'static str, path: &Path) -> impl FnOnce(Errno) -> StoreError {
    let path = path.to_owned();
    move |e| StoreError::Io {
        op,
        path,
        source: e.into(),
    }
}

fn dir_flags(follow: bool) -> OFlags {
    let f = OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC;
    if follow { f } else { f | OFlags::NOFOLLOW }
}

impl Dir {
    /// Opens the directory at `path` (following a link only if `follow`) and checks it. `Ok(None)`
    /// when it does not exist.
    pub fn open(path: &Path, follow: bool) -> Result<Option<Dir>, StoreError> {
        match rustix::fs::open(path, dir_flags(follow), Mode::empty()) {
            Ok(fd) => Dir::checked(path.to_owned(), fd).map(Some),
            Err(Errno::NOENT) => Ok(None),
            Err(Errno::NOTDIR | Errno::LOOP) => Err(not_a_dir(path, None)),
            Err(e) => Err(io_err("opening directory", path)(e)),
        }
    }

    /// Opens the data root, creating it (0700, and missing parents 0700) when `create`.
    pub fn root(path: &Path, create: bool) -> Result<Option<Dir>, StoreError> {
        if let Some(d) = Dir::open(path, true)? {
            return Ok(Some(d));
        }
        if !create {
            return Ok(None);
        }
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            super::fsutil::create_private_dir_all(parent)?;
        }
        let created = match rustix::fs::mkdir(path, Mode::from_raw_mode(0o700)) {
            Ok(()) => true,
            Err(Errno::EXIST) => false,
            Err(e) => return Err(io_err("creating directory", path)(e)),
        };
        let fd = rustix::fs::open(path, dir_flags(!created), Mode::empty()).map_err(|e| {
            if matches!(e, Errno::NOTDIR | Errno::LOOP) {
                not_a_dir(path, None)
            } else {
                io_err("opening directory", path)(e)
            }
        })?;
        if created {
            set_mode_if_mine(&fd, path, 0o700)?;
        }
        Dir::checked(path.to_owned(), fd).map(Some)
    }

    fn checked(path: PathBuf, fd: OwnedFd) -> Result<Dir, StoreError> {
        let st = rustix::fs::fstat(&fd).map_err(io_err("reading metadata of", &path))?;
        let sharing = trust::check_dir(&path, st.st_uid, st.st_gid, st.st_mode)?;
        Ok(Dir {
            path,
            fd,
            uid: st.st_uid,
            sharing,
        })
    }

    /// The directory's path (for messages).
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// `path/name` (for messages).
    pub fn join(&self, name: &str) -> PathBuf {
        self.path.join(name)
    }

    /// Its owner's uid.
    pub fn uid(&self) -> u32 {
        self.uid
    }

    /// Private or shared with a group.
    pub fn sharing(&self) -> Sharing {
        self.sharing
    }

    /// The descriptor.
    pub fn fd(&self) -> BorrowedFd<'_> {
        self.fd.as_fd()
    }

    /// A second handle on the same directory (a duplicated descriptor: the same directory, even
    /// if its path is renamed or replaced meanwhile), with the checks the first one passed.
    pub fn try_clone(&self) -> Result<Dir, StoreError> {
        let fd = self
            .fd
            .try_clone()
            .map_err(StoreError::io("duplicating the descriptor of", &self.path))?;
        Ok(Dir {
            path: self.path.clone(),
            fd,
            uid: self.uid,
            sharing: self.sharing,
        })
    }

    /// Opens the subdirectory `name` (never through a link) and checks it.
    pub fn child(&self, name: &str) -> Result<Option<Dir>, StoreError> {
        let path = self.join(name);
        match rustix::fs::openat(&self.fd, name, dir_flags(false), Mode::empty()) {
            Ok(fd) => Dir::checked(path, fd).map(Some),
            Err(Errno::NOENT) => Ok(None),
            Err(Errno::NOTDIR | Errno::LOOP) => Err(not_a_dir(&path, self.lstat(name)?)),
            Err(e) => Err(io_err("opening directory", &path)(e)),
        }
    }

    /// Creates the subdirectory `name` with this directory's sharing (2770 in a shared directory,
    /// else 0700); with `exclusive`, fails if it exists, else opens an existing one.
    pub fn create_child(&self, name: &str, exclusive: bool) -> Result<Dir, StoreError> {
        let path = self.join(name);
        let mode = self.sharing.dir_mode();
        match rustix::fs::mkdirat(&self.fd, name, Mode::from_raw_mode(0o700)) {
            Ok(()) => {
                let fd = rustix::fs::openat(&self.fd, name, dir_flags(false), Mode::empty())
                    .map_err(io_err("opening directory", &path))?;
                set_mode_if_mine(&fd, &path, mode)?;
                Dir::checked(path, fd)
            }
            Err(Errno::EXIST) if !exclusive => self.child(name)?.ok_or_else(|| StoreError::Io {
                op: "opening directory",
                path,
                source: std::io::ErrorKind::NotFound.into(),
            }),
            Err(e) => Err(io_err("creating directory", &path)(e)),
        }
    }

    /// `fstatat(name, AT_SYMLINK_NOFOLLOW)`: the entry itself, never what a link points to.
    pub fn lstat(&self, name: &str) -> Result<Option<rustix::fs::Stat>, StoreError> {
        match rustix::fs::statat(&self.fd, name, AtFlags::SYMLINK_NOFOLLOW) {
            Ok(st) => Ok(Some(st)),
            Err(Errno::NOENT) => Ok(None),
            Err(e) => Err(io_err("reading metadata of", &self.join(name))(e)),
        }
    }

    /// Names in the directory with their type bits (`None`: unknown), `.` and `..` left out.
    pub fn entries(&self) -> Result<Vec<(String, Option<rustix::fs::FileType>)>, StoreError> {
        let mut d = rustix::fs::Dir::read_from(&self.fd).map_err(io_err("listing", &self.path))?;
        let mut out = Vec::new();
        while let Some(e) = d.read() {
            let e = e.map_err(io_err("listing", &self.path))?;
            let Ok(name) = e.file_name().to_str() else {
                continue;
            };
            if name == "." || name == ".." {
                continue;
            }
            let t = e.file_type();
            let t = (t != rustix::fs::FileType::Unknown).then_some(t);
            out.push((name.to_owned(), t));
        }
        Ok(out)
    }

    /// Checks the entry `name` without opening it: `Ok(None)` when missing, an error naming it when
    /// it is not a regular file this store may use.
    pub fn inspect(&self, name: &str) -> Result<Option<()>, StoreError> {
        let Some(st) = self.lstat(name)? else {
            return Ok(None);
        };
        trust::check_file(&self.join(name), facts(&st), self.uid, self.sharing).map(Some)
    }

    /// Opens the regular file `name` without following links and checks it; `Ok(None)` when it
    /// does not exist. FIFOs, devices, directories and links are refused before any `open`.
    pub fn open_file(&self, name: &str, access: Access) -> Result<Option<File>, StoreError> {
        let path = self.join(name);
        let Some(before) = self.lstat(name)? else {
            return Ok(None);
        };
        trust::check_file(&path, facts(&before), self.uid, self.sharing)?;
        let base = match access {
            Access::Read => OFlags::RDONLY,
            Access::Append => OFlags::RDWR | OFlags::APPEND,
            Access::ReadWrite => OFlags::RDWR,
        };
        let flags = base | OFlags::NOFOLLOW | OFlags::NONBLOCK | OFlags::CLOEXEC | OFlags::NOCTTY;
        let fd = match rustix::fs::openat(&self.fd, name, flags, Mode::empty()) {
            Ok(fd) => fd,
            Err(Errno::NOENT) => return Ok(None),
            Err(Errno::LOOP) => {
                return Err(StoreError::NotRegular {
                    path,
                    found: "a symbolic link",
                    expected: "a regular file",
                });
            }
            Err(e) => return Err(io_err("opening", &path)(e)),
        };
        let st = rustix::fs::fstat(&fd).map_err(io_err("reading metadata of", &path))?;
        if st.st_ino != before.st_ino || st.st_dev != before.st_dev {
            return Err(StoreError::Untrusted {
                path,
                message: "was replaced while being opened; try again".to_owned(),
            });
        }
        trust::check_file(&path, facts(&st), self.uid, self.sharing)?;
        rustix::fs::fcntl_setfl(&fd, base & OFlags::APPEND).map_err(io_err("opening", &path))?;
        Ok(Some(File::from(fd)))
    }

    /// Reads the whole regular file `name` (at most `max` bytes, else an error naming it).
    pub fn read_file(&self, name: &str, max: u64) -> Result<Option<Vec<u8>>, StoreError> {
        let path = self.join(name);
        let Some(f) = self.open_file(name, Access::Read)? else {
            return Ok(None);
        };
        let len = f
            .metadata()
            .map_err(StoreError::io("reading metadata of", &path))?
            .len();
        if len > max {
            return Err(StoreError::Invalid(format!(
                "{}: {len} bytes, more than the {max} runsheet reads for this file: it is not one \
                 runsheet wrote",
                path.display()
            )));
        }
        let mut bytes = Vec::with_capacity(usize::try_from(len).unwrap_or(0));
        f.take(max + 1)
            .read_to_end(&mut bytes)
            .map_err(StoreError::io("reading", &path))?;
        if bytes.len() as u64 > max {
            return Err(StoreError::Invalid(format!(
                "{}: grew past {max} bytes while being read",
                path.display()
            )));
        }
        Ok(Some(bytes))
    }

    /// fsyncs the directory, so new entries and renames in it are durable.
    pub fn sync(&self) -> Result<(), StoreError> {
        rustix::fs::fsync(&self.fd).map_err(io_err("syncing directory", &self.path))
    }
}

/// The facts [`trust::check_file`] judges, from a `stat`.
pub fn facts(st: &rustix::fs::Stat) -> FileFacts {
    FileFacts {
        mode: st.st_mode,
        uid: st.st_uid,
        gid: st.st_gid,
        #[allow(clippy::useless_conversion, clippy::unnecessary_cast)]
        nlink: st.st_nlink as u64,
    }
}

fn not_a_dir(path: &Path, st: Option<rustix::fs::Stat>) -> StoreError {
    let found = match st {
        Some(st) => trust::kind_name(st.st_mode),
        None => std::fs::symlink_metadata(path)
            .map_or("not a directory", |m| trust::kind_name(m.mode())),
    };
    StoreError::NotRegular {
        path: path.to_owned(),
        found,
        expected: "a directory",
    }
}

/// Sets `mode` on a directory this process just created (refuses if it is somehow not ours).
fn set_mode_if_mine(fd: &OwnedFd, path: &Path, mode: u32) -> Result<(), StoreError> {
    let st = rustix::fs::fstat(fd).map_err(io_err("reading metadata of", path))?;
    if st.st_uid != trust::Me::get().uid {
        return Err(StoreError::Untrusted {
            path: path.to_owned(),
            message: "was replaced by another user's directory while being created".to_owned(),
        });
    }
    rustix::fs::fchmod(fd, Mode::from_raw_mode(mode))
        .map_err(io_err("setting permissions of", path))
}

/// Opens a file outside the store (a template the operator names) for reading, refusing FIFOs,
/// devices and directories before reading a byte (links are followed: the operator chose the path).
pub fn read_regular(path: &Path, max: u64) -> Result<Vec<u8>, StoreError> {
    let meta = std::fs::metadata(path).map_err(StoreError::io("reading", path))?;
    if !meta.is_file() {
        return Err(StoreError::NotRegular {
            path: path.to_owned(),
            found: trust::kind_name(meta.mode()),
            expected: "a regular file",
        });
    }
    let fd = rustix::fs::open(
        path,
        OFlags::RDONLY | OFlags::NONBLOCK | OFlags::CLOEXEC | OFlags::NOCTTY,
        Mode::empty(),
    )
    .map_err(io_err("opening", path))?;
    let st = rustix::fs::fstat(&fd).map_err(io_err("reading metadata of", path))?;
    if st.st_mode & 0o170000 != 0o100000 {
        return Err(StoreError::NotRegular {
            path: path.to_owned(),
            found: trust::kind_name(st.st_mode),
            expected: "a regular file",
        });
    }
    let mut bytes = Vec::new();
    File::from(fd)
        .take(max + 1)
        .read_to_end(&mut bytes)
        .map_err(StoreError::io("reading", path))?;
    if bytes.len() as u64 > max {
        return Err(StoreError::Invalid(format!(
            "{}: larger than {max} bytes",
            path.display()
        )));
    }
    Ok(bytes)
}
