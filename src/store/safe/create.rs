//! Creating, replacing, renaming and removing files in a [`Dir`]: `O_EXCL` creation with the
//! directory's mode, unique names (never over an earlier copy), atomic replacement, and undoing a
//! half-done step so a failure leaves nothing behind.

use super::{Dir, io_err};
use crate::store::StoreError;
use rustix::fs::{AtFlags, Mode, OFlags, RenameFlags};
use rustix::io::Errno;
use std::fs::File;
use std::io::Write;

impl Dir {
    /// Creates `name` (must not exist) with this directory's file mode, writes `bytes`, fsyncs it.
    /// On failure nothing is left behind.
    pub fn create_file(&self, name: &str, bytes: &[u8]) -> Result<(), StoreError> {
        self.create_file_parts(name, &[bytes])
    }

    /// [`Dir::create_file`] with the content given in parts (written one after the other).
    pub fn create_file_parts(&self, name: &str, parts: &[&[u8]]) -> Result<(), StoreError> {
        let mut f = self.create_empty(name)?;
        let path = self.join(name);
        let r = parts
            .iter()
            .try_for_each(|p| f.write_all(p))
            .and_then(|()| f.sync_all())
            .map_err(StoreError::io("writing", &path));
        if r.is_err() {
            drop(f);
            let _ = rustix::fs::unlinkat(&self.fd, name, AtFlags::empty());
        }
        r
    }

    /// Creates the empty file `name` (`O_EXCL`, never through a link) with this directory's mode.
    pub fn create_empty(&self, name: &str) -> Result<File, StoreError> {
        let path = self.join(name);
        let flags =
            OFlags::RDWR | OFlags::CREATE | OFlags::EXCL | OFlags::NOFOLLOW | OFlags::CLOEXEC;
        let fd = rustix::fs::openat(&self.fd, name, flags, Mode::from_raw_mode(0o600))
            .map_err(io_err("creating", &path))?;
        rustix::fs::fchmod(&fd, Mode::from_raw_mode(self.sharing.file_mode()))
            .map_err(io_err("setting permissions of", &path))?;
        Ok(File::from(fd))
    }

    /// Writes `bytes` to a new file named `stem`, or `stem-2`, `stem-3`, … (the first free name),
    /// fsyncs it and the directory. Returns the name. On failure nothing is left behind.
    pub fn create_unique(&self, stem: &str, bytes: &[u8]) -> Result<String, StoreError> {
        self.create_unique_with(stem, |f| f.write_all(bytes))
    }

    /// [`Dir::create_unique`] with the content written by `fill`.
    pub fn create_unique_with(
        &self,
        stem: &str,
        fill: impl FnOnce(&mut File) -> std::io::Result<()>,
    ) -> Result<String, StoreError> {
        let (name, mut f) = self.unique(stem, |n| self.create_empty(n))?;
        let path = self.join(&name);
        let r = fill(&mut f)
            .and_then(|()| f.sync_all())
            .map_err(StoreError::io("writing", &path))
            .and_then(|()| self.sync());
        if let Err(e) = r {
            drop(f);
            let _ = rustix::fs::unlinkat(&self.fd, name.as_str(), AtFlags::empty());
            return Err(e);
        }
        Ok(name)
    }

    fn unique<T>(
        &self,
        stem: &str,
        mut attempt: impl FnMut(&str) -> Result<T, StoreError>,
    ) -> Result<(String, T), StoreError> {
        for n in 1..=1000u32 {
            let name = if n == 1 {
                stem.to_owned()
            } else {
                format!("{stem}-{n}")
            };
            match attempt(&name) {
                Ok(t) => return Ok((name, t)),
                Err(StoreError::Io { source, .. })
                    if source.kind() == std::io::ErrorKind::AlreadyExists => {}
                Err(e) => return Err(e),
            }
        }
        Err(StoreError::Invalid(format!(
            "{}: no free name for {stem} (1000 taken)",
            self.path.display()
        )))
    }

    /// Renames `from` to `stem` (or `stem-2`, … : never over an existing file) and fsyncs the
    /// directory. Returns the new name.
    pub fn rename_unique(&self, from: &str, stem: &str) -> Result<String, StoreError> {
        let path = self.join(from);
        let (name, ()) = self.unique(stem, |to| {
            match rustix::fs::renameat_with(&self.fd, from, &self.fd, to, RenameFlags::NOREPLACE) {
                Ok(()) => Ok(()),
                // A file system without RENAME_NOREPLACE: link (fails if `to` exists), unlink.
                Err(Errno::INVAL | Errno::NOSYS) => {
                    rustix::fs::linkat(&self.fd, from, &self.fd, to, AtFlags::empty())
                        .map_err(io_err("renaming", &path))?;
                    rustix::fs::unlinkat(&self.fd, from, AtFlags::empty())
                        .map_err(io_err("renaming", &path))
                }
                Err(e) => Err(io_err("renaming", &path)(e)),
            }
        })?;
        self.sync()?;
        Ok(name)
    }

    /// Renames `from` to `to` in this directory only if nothing is at `to` (`RENAME_NOREPLACE`;
    /// where the file system lacks it, a check then a plain rename). `Ok(false)` when `to` exists.
    pub fn rename_new(&self, from: &str, to: &str) -> Result<bool, StoreError> {
        match rustix::fs::renameat_with(&self.fd, from, &self.fd, to, RenameFlags::NOREPLACE) {
            Ok(()) => Ok(true),
            Err(Errno::EXIST | Errno::NOTEMPTY) => Ok(false),
            Err(Errno::INVAL | Errno::NOSYS) if self.lstat(to)?.is_none() => {
                rustix::fs::renameat(&self.fd, from, &self.fd, to)
                    .map_err(io_err("renaming", &self.join(from)))?;
                Ok(true)
            }
            Err(Errno::INVAL | Errno::NOSYS) => Ok(false),
            Err(e) => Err(io_err("renaming", &self.join(from))(e)),
        }
    }

    /// Replaces `name` atomically: a new temporary file (this directory's mode), write, fsync,
    /// rename over `name` (a rename replaces a link, it never follows one), fsync the directory.
    pub fn replace(&self, name: &str, bytes: &[u8]) -> Result<(), StoreError> {
        self.replace_parts(name, &[bytes])
    }

    /// [`Dir::replace`] with the content in parts (no concatenated copy of a big file).
    pub fn replace_parts(&self, name: &str, parts: &[&[u8]]) -> Result<(), StoreError> {
        let tmp = temp_name(name);
        self.create_file_parts(&tmp, parts)?;
        if let Err(e) = rustix::fs::renameat(&self.fd, tmp.as_str(), &self.fd, name) {
            let _ = rustix::fs::unlinkat(&self.fd, tmp.as_str(), AtFlags::empty());
            return Err(io_err("renaming over", &self.join(name))(e));
        }
        self.sync()
    }

    /// Replaces `name` atomically like [`Dir::replace`] (a new file with this directory's mode,
    /// renamed over `name`; a link there is replaced, never followed) but without any fsync: for
    /// a cache, which a crash may lose or leave stale (its reader checks it) and which nothing
    /// waits on.
    pub fn replace_unsynced(&self, name: &str, bytes: &[u8]) -> Result<(), StoreError> {
        let tmp = temp_name(name);
        let mut f = self.create_empty(&tmp)?;
        let written = f
            .write_all(bytes)
            .map_err(StoreError::io("writing", self.join(&tmp)));
        drop(f);
        let renamed = written.and_then(|()| {
            rustix::fs::renameat(&self.fd, tmp.as_str(), &self.fd, name)
                .map_err(io_err("renaming over", &self.join(name)))
        });
        if renamed.is_err() {
            let _ = rustix::fs::unlinkat(&self.fd, tmp.as_str(), AtFlags::empty());
        }
        renamed
    }

    /// [`Dir::replace`], keeping what was at `name` as `keep_stem` (or the next free name) — the new
    /// content is written and synced first, so a failure (a full disk) moves nothing. Returns the
    /// name it was kept under.
    pub fn replace_keeping(
        &self,
        name: &str,
        parts: &[&[u8]],
        keep_stem: &str,
    ) -> Result<Option<String>, StoreError> {
        let tmp = temp_name(name);
        self.create_file_parts(&tmp, parts)?;
        let kept = if self.lstat(name)?.is_some() {
            match self.rename_unique(name, keep_stem) {
                Ok(k) => Some(k),
                Err(e) => {
                    let _ = self.remove(&tmp);
                    return Err(e);
                }
            }
        } else {
            None
        };
        if let Err(e) = rustix::fs::renameat(&self.fd, tmp.as_str(), &self.fd, name) {
            let _ = rustix::fs::unlinkat(&self.fd, tmp.as_str(), AtFlags::empty());
            return Err(io_err("renaming over", &self.join(name))(e));
        }
        self.sync()?;
        Ok(kept)
    }

    /// Renames `from` over `to` (which this process owns: a placeholder it created).
    pub fn rename_over(&self, from: &str, to: &str) -> Result<(), StoreError> {
        rustix::fs::renameat(&self.fd, from, &self.fd, to)
            .map_err(io_err("renaming", &self.join(from)))
    }

    /// Puts `new` in place of `name`, and what was at `name` at `keep` (a placeholder this process
    /// owns): one atomic exchange where the file system has `RENAME_EXCHANGE`, else two renames.
    pub fn swap_in(&self, new: &str, name: &str, keep: &str) -> Result<(), StoreError> {
        match rustix::fs::renameat_with(&self.fd, new, &self.fd, name, RenameFlags::EXCHANGE) {
            // `new` now names the old file.
            Ok(()) => self.rename_over(new, keep),
            Err(Errno::INVAL | Errno::NOSYS) => {
                self.rename_over(name, keep)?;
                self.rename_over(new, name)
            }
            Err(e) => Err(io_err("renaming", &self.join(new))(e)),
        }
    }

    /// Removes the file `name` (a link is removed, never followed).
    pub fn remove(&self, name: &str) -> Result<(), StoreError> {
        match rustix::fs::unlinkat(&self.fd, name, AtFlags::empty()) {
            Ok(()) | Err(Errno::NOENT) => Ok(()),
            Err(e) => Err(io_err("removing", &self.join(name))(e)),
        }
    }

    /// Removes temporary files a killed [`Dir::replace`] left (call under the run's lock).
    pub fn remove_stale_temps(&self) {
        let Ok(entries) = self.entries() else {
            return;
        };
        for (name, t) in entries {
            if name.starts_with('.')
                && name.ends_with(".tmp")
                && t.is_none_or(|t| t == rustix::fs::FileType::RegularFile)
            {
                let _ = self.remove(&name);
            }
        }
    }
}

/// `.NAME.<12 random hex>.tmp`: a temporary name beside `name` ([`Dir::remove_stale_temps`]
/// removes those a killed process left).
fn temp_name(name: &str) -> String {
    let mut r = [0u8; 6];
    let _ = getrandom::fill(&mut r);
    let suffix: String = r.iter().map(|b| format!("{b:02x}")).collect();
    format!(".{name}.{suffix}.tmp")
}
