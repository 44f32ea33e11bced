//! Private files and directories (0600/0700 whatever the umask), directory fsync, atomic replace,
//! and the sidecar lock.

use super::StoreError;
use std::fs::{self, DirBuilder, File, OpenOptions, Permissions};
use std::io::Write;
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
use std::path::Path;
use std::thread;
use std::time::{Duration, Instant};

/// Mode of run directories.
pub const DIR_MODE: u32 = 0o700;
/// Mode of run files.
pub const FILE_MODE: u32 = 0o600;

/// Creates `path` and missing parents as 0700 (parents that exist are left alone).
pub fn create_private_dir_all(path: &Path) -> Result<(), StoreError> {
    if path.is_dir() {
        return Ok(());
    }
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        create_private_dir_all(parent)?;
    }
    create_private_dir(path)
}

/// Creates one 0700 directory (fails if it exists).
pub fn create_private_dir(path: &Path) -> Result<(), StoreError> {
    match DirBuilder::new().mode(DIR_MODE).create(path) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists && path.is_dir() => return Ok(()),
        Err(e) => return Err(StoreError::io("creating directory", path)(e)),
    }
    fs::set_permissions(path, Permissions::from_mode(DIR_MODE))
        .map_err(StoreError::io("setting permissions of", path))
}

/// Opens (creating 0600 if needed) a file for appending and reading.
pub fn open_append(path: &Path) -> Result<File, StoreError> {
    let f = OpenOptions::new()
        .read(true)
        .append(true)
        .create(true)
        .mode(FILE_MODE)
        .open(path)
        .map_err(StoreError::io("opening", path))?;
    ensure_mode(&f, path)?;
    Ok(f)
}

/// Forces 0600 on an open file (the umask may have removed bits; an old file may have more).
pub fn ensure_mode(f: &File, path: &Path) -> Result<(), StoreError> {
    let meta = f
        .metadata()
        .map_err(StoreError::io("reading metadata of", path))?;
    if meta.permissions().mode() & 0o7777 != FILE_MODE {
        f.set_permissions(Permissions::from_mode(FILE_MODE))
            .map_err(StoreError::io("setting permissions of", path))?;
    }
    Ok(())
}

/// Writes a new 0600 file with `bytes` and fsyncs it (fails if it exists).
pub fn write_new(path: &Path, bytes: &[u8]) -> Result<(), StoreError> {
    let mut f = OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(FILE_MODE)
        .open(path)
        .map_err(StoreError::io("creating", path))?;
    ensure_mode(&f, path)?;
    f.write_all(bytes)
        .map_err(StoreError::io("writing", path))?;
    f.sync_all().map_err(StoreError::io("syncing", path))
}

/// fsyncs a directory, so a rename or a new entry in it is durable.
pub fn sync_dir(dir: &Path) -> Result<(), StoreError> {
    File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(StoreError::io("syncing directory", dir))
}

/// Replaces `dir/name` atomically: temp file in `dir` (0600), write, fsync, rename, fsync `dir`.
pub fn atomic_replace(dir: &Path, name: &str, bytes: &[u8]) -> Result<(), StoreError> {
    let mut tmp = tempfile::Builder::new()
        .prefix(&format!(".{name}."))
        .suffix(".tmp")
        .permissions(Permissions::from_mode(FILE_MODE))
        .tempfile_in(dir)
        .map_err(StoreError::io("creating a temporary file in", dir))?;
    let tmp_path = tmp.path().to_owned();
    ensure_mode(tmp.as_file(), &tmp_path)?;
    tmp.write_all(bytes)
        .and_then(|()| tmp.as_file().sync_all())
        .map_err(StoreError::io("writing", &tmp_path))?;
    let target = dir.join(name);
    tmp.persist(&target)
        .map_err(|e| StoreError::io("renaming over", &target)(e.error))?;
    sync_dir(dir)
}

/// Removes temporary files left by a process killed during [`atomic_replace`] (call under the lock).
pub fn remove_stale_temps(dir: &Path) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let name = e.file_name();
        let name = name.to_string_lossy();
        if name.starts_with('.') && name.ends_with(".tmp") {
            let _ = fs::remove_file(e.path());
        }
    }
}

/// How long a command waits for another process's lock before giving up.
pub const LOCK_WAIT: Duration = Duration::from_secs(10);

/// Holds a `flock` on the run's lock file until dropped (released by the kernel on `kill -9` too).
#[derive(Debug)]
pub struct LockGuard {
    file: File,
}

impl Drop for LockGuard {
    fn drop(&mut self) {
        let _ = self.file.unlock();
    }
}

/// Takes the lock, exclusive or shared, waiting up to [`LOCK_WAIT`].
pub fn lock(file: &File, path: &Path, exclusive: bool) -> Result<LockGuard, StoreError> {
    let file = file.try_clone().map_err(StoreError::io("opening", path))?;
    let deadline = Instant::now() + LOCK_WAIT;
    let mut pause = Duration::from_micros(50);
    loop {
        let r = if exclusive {
            file.try_lock()
        } else {
            file.try_lock_shared()
        };
        match r {
            Ok(()) => return Ok(LockGuard { file }),
            Err(fs::TryLockError::WouldBlock) if Instant::now() < deadline => {
                thread::sleep(pause);
                pause = (pause * 2).min(Duration::from_millis(5));
            }
            Err(fs::TryLockError::WouldBlock) => {
                return Err(StoreError::Locked {
                    path: path.to_owned(),
                });
            }
            Err(fs::TryLockError::Error(e)) => return Err(StoreError::io("locking", path)(e)),
        }
    }
}
