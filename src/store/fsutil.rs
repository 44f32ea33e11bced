//! Path-based helpers for places outside a run dir (the data root's parents, a report written with
//! `-o`, drafts): private directories, directory fsync, atomic replace. Inside a run dir everything
//! goes through [`super::safe::Dir`].

use super::StoreError;
use std::fs::{self, DirBuilder, File, Permissions};
use std::io::Write;
use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
use std::path::Path;

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

/// Creates one 0700 directory (an existing directory is left alone; a file there is an error
/// saying so). The mode is set on the directory just created, through a descriptor opened without
/// following links.
pub fn create_private_dir(path: &Path) -> Result<(), StoreError> {
    match DirBuilder::new().mode(DIR_MODE).create(path) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            return match fs::symlink_metadata(path) {
                Ok(m) if m.is_dir() || (m.file_type().is_symlink() && path.is_dir()) => Ok(()),
                Ok(m) => Err(StoreError::NotRegular {
                    path: path.to_owned(),
                    found: super::trust::kind_name(std::os::unix::fs::MetadataExt::mode(&m)),
                    expected: "a directory",
                }),
                Err(e) => Err(StoreError::io("creating directory", path)(e)),
            };
        }
        Err(e) => return Err(StoreError::io("creating directory", path)(e)),
    }
    let fd = rustix::fs::open(
        path,
        rustix::fs::OFlags::RDONLY
            | rustix::fs::OFlags::DIRECTORY
            | rustix::fs::OFlags::NOFOLLOW
            | rustix::fs::OFlags::CLOEXEC,
        rustix::fs::Mode::empty(),
    )
    .map_err(|e| StoreError::io("opening directory", path)(e.into()))?;
    rustix::fs::fchmod(&fd, rustix::fs::Mode::from_raw_mode(DIR_MODE))
        .map_err(|e| StoreError::io("setting permissions of", path)(e.into()))
}

/// Forces 0600 on a file this process just created (the umask may have removed bits).
fn ensure_mode(f: &File, path: &Path) -> Result<(), StoreError> {
    let meta = f
        .metadata()
        .map_err(StoreError::io("reading metadata of", path))?;
    if meta.permissions().mode() & 0o7777 != FILE_MODE {
        f.set_permissions(Permissions::from_mode(FILE_MODE))
            .map_err(StoreError::io("setting permissions of", path))?;
    }
    Ok(())
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
