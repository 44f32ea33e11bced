//! A command's output file, `outputs/<name>.log` in the run dir: clean text (sanitised, secrets
//! masked), written as it arrives so a `kill -9` of runsheet keeps what was printed, and capped:
//! past `keep` bytes from the start, only the last `keep` bytes are kept after a marker line
//! saying how much was left out. While the command runs the file is locked (`flock`), which tells
//! other processes it is still running; a file nobody locks belongs to a command that ended, or
//! whose runsheet stopped.

use crate::run::event::sha256_hex;
use crate::store::StoreError;
use crate::store::safe::Dir;
use std::collections::VecDeque;
use std::fs::File;
use std::io::{Read, Seek, SeekFrom, Write};
use std::os::unix::fs::FileExt;
use std::path::PathBuf;

pub use crate::store::outputs::{
    DIR, Liveness, digest, liveness, open_recorded, read_all, read_tail, valid_name,
};

/// What the output file holds when it is complete.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stored {
    /// Bytes in the file.
    pub bytes: u64,
    /// Its SHA-256.
    pub sha256: String,
    /// Clean bytes written to it in all (before the cap).
    pub written: u64,
}

/// The output file of a running command.
#[derive(Debug)]
pub struct OutputFile {
    /// The run dir's `outputs` folder, held by descriptor.
    dir: Dir,
    name: String,
    file: File,
    keep: u64,
    /// Bytes of the head (the start, kept whole).
    head: u64,
    /// Whether the head is full: everything else is tail.
    head_full: bool,
    /// The last `keep` bytes written after the head.
    tail: VecDeque<u8>,
    /// Length of the file now.
    len: u64,
    /// Clean bytes written in all.
    written: u64,
    /// Bytes the file leaves out now (between head and the kept tail).
    omitted: u64,
}

fn to_io(e: StoreError) -> std::io::Error {
    std::io::Error::other(e.to_string())
}

impl OutputFile {
    /// Creates `outputs/<stem>-<random>.log` in the run dir `rundir`, locked. The folder is made
    /// with the run dir's sharing (0700, or 2770 in a shared group dir) and the file with its file
    /// mode (0600, or 0660), both through descriptors: never through a link, never over an
    /// existing file.
    pub fn create(rundir: &Dir, stem: &str, keep: u64) -> Result<OutputFile, StoreError> {
        let new_dir = rundir.lstat(DIR)?.is_none();
        let dir = rundir.create_child(DIR, false)?;
        if new_dir {
            rundir.sync()?;
        }
        let stem: String = stem
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '-' {
                    c
                } else {
                    '-'
                }
            })
            .take(80)
            .collect();
        for _ in 0..16 {
            let mut r = [0u8; 3];
            let _ = getrandom::fill(&mut r);
            let name = format!("{stem}-{:02x}{:02x}{:02x}.log", r[0], r[1], r[2]);
            let file = match dir.create_empty(&name) {
                Ok(f) => f,
                Err(StoreError::Io { source, .. })
                    if source.kind() == std::io::ErrorKind::AlreadyExists =>
                {
                    continue;
                }
                Err(e) => return Err(e),
            };
            if let Err(e) = file.try_lock() {
                drop(file);
                let _ = dir.remove(&name);
                return Err(StoreError::Invalid(format!(
                    "{}: cannot lock: {e}",
                    dir.join(&name).display()
                )));
            }
            if let Err(e) = dir.sync() {
                drop(file);
                let _ = dir.remove(&name);
                return Err(e);
            }
            return Ok(OutputFile {
                dir,
                name,
                file,
                keep: keep.max(1024),
                head: 0,
                head_full: false,
                tail: VecDeque::new(),
                len: 0,
                written: 0,
                omitted: 0,
            });
        }
        Err(StoreError::Invalid(format!(
            "{}: could not find a free output file name",
            dir.path().display()
        )))
    }

    /// Removes the file again (its `command_started` event could not be written, so the record
    /// never names it).
    pub fn discard(self) {
        let OutputFile {
            dir, name, file, ..
        } = self;
        drop(file);
        let _ = dir.remove(&name);
    }

    /// `outputs/<name>`, as recorded in the journal.
    pub fn rel(&self) -> String {
        format!("{DIR}/{}", self.name)
    }

    /// Path of the file (for messages).
    pub fn path(&self) -> PathBuf {
        self.dir.join(&self.name)
    }

    /// Appends clean text (as it arrives: nothing is buffered in memory beyond the kept tail).
    pub fn write(&mut self, text: &str) -> std::io::Result<()> {
        if text.is_empty() {
            return Ok(());
        }
        self.written += text.len() as u64;
        let mut rest = text;
        if !self.head_full {
            let room = usize::try_from(self.keep - self.head).unwrap_or(usize::MAX);
            let mut cut = room.min(rest.len());
            while !rest.is_char_boundary(cut) {
                cut -= 1;
            }
            if cut > 0 {
                self.file.write_all(&rest.as_bytes()[..cut])?;
                self.head += cut as u64;
                self.len += cut as u64;
            }
            rest = &rest[cut..];
            if !rest.is_empty() {
                self.head_full = true;
            }
        }
        if rest.is_empty() {
            return Ok(());
        }
        self.file.write_all(rest.as_bytes())?;
        self.len += rest.len() as u64;
        self.tail.extend(rest.as_bytes());
        while self.tail.len() as u64 > self.keep {
            self.tail.pop_front();
        }
        if self.len > self.head + 2 * self.keep + 256 {
            self.compact()?;
        }
        Ok(())
    }

    /// Rewrites the file as head + marker + kept tail (a new file renamed over the old one, locked
    /// before it takes the name, so the lock never lapses).
    fn compact(&mut self) -> std::io::Result<()> {
        let tail_bytes: Vec<u8> = self.tail.iter().copied().collect();
        // Start the kept tail at a character, and at a line when one starts soon.
        let mut start = 0;
        while start < tail_bytes.len() && (tail_bytes[start] & 0xC0) == 0x80 {
            start += 1;
        }
        if let Some(nl) = tail_bytes[start..]
            .iter()
            .take(4096)
            .position(|&b| b == b'\n')
        {
            start += nl + 1;
        }
        let kept = &tail_bytes[start..];
        self.omitted = self.written - self.head - kept.len() as u64;
        let marker = format!(
            "\n[runsheet: {} bytes of output left out here; the first {} and the last {} bytes are kept]\n",
            self.omitted,
            self.head,
            kept.len()
        );
        let tmp_name = format!(".{}.tmp", self.name);
        // A copy a killed runsheet left is ours to replace (the name is never recorded).
        self.dir.remove(&tmp_name).map_err(to_io)?;
        let mut tmp = self.dir.create_empty(&tmp_name).map_err(to_io)?;
        if let Err(e) = tmp.try_lock() {
            drop(tmp);
            let _ = self.dir.remove(&tmp_name);
            return Err(std::io::Error::other(e));
        }
        let mut head = vec![0u8; usize::try_from(self.head).unwrap_or(0)];
        self.file.read_exact_at(&mut head, 0)?;
        tmp.write_all(&head)?;
        tmp.write_all(marker.as_bytes())?;
        tmp.write_all(kept)?;
        self.dir.rename_over(&tmp_name, &self.name).map_err(to_io)?;
        self.len = self.head + marker.len() as u64 + kept.len() as u64;
        self.tail = kept.iter().copied().collect();
        self.file = tmp;
        Ok(())
    }

    /// Bytes left out of the file so far.
    pub fn omitted(&self) -> u64 {
        self.omitted
    }

    /// Completes the file: compacted to head + tail if it must be, synced, its digest taken. The
    /// lock is released when the returned value's file handle is dropped (here).
    pub fn finish(mut self) -> std::io::Result<Stored> {
        if self.head_full && self.len > self.head + self.keep + 256 {
            self.compact()?;
        }
        self.file.sync_all()?;
        let _ = self.dir.sync();
        let mut buf = Vec::with_capacity(usize::try_from(self.len).unwrap_or(0));
        self.file.seek(SeekFrom::Start(0))?;
        (&self.file).read_to_end(&mut buf)?;
        Ok(Stored {
            bytes: buf.len() as u64,
            sha256: sha256_hex(&buf),
            written: self.written,
        })
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use std::fs;
    use std::os::unix::fs::PermissionsExt;

    fn rundir(t: &tempfile::TempDir) -> Dir {
        Dir::open(t.path(), false).unwrap().unwrap()
    }

    #[test]
    fn small_output_is_kept_whole_and_digested() {
        let t = tempfile::tempdir().unwrap();
        let dir = rundir(&t);
        let mut f = OutputFile::create(&dir, "item-1", 1 << 20).unwrap();
        let rel = f.rel();
        assert!(valid_name(&rel).is_some());
        f.write("hello\n").unwrap();
        assert_eq!(liveness(&dir, &rel), Liveness::Running);
        let mode = fs::metadata(f.path()).unwrap().permissions().mode() & 0o7777;
        assert_eq!(mode, 0o600);
        let dmode = fs::metadata(t.path().join(DIR))
            .unwrap()
            .permissions()
            .mode()
            & 0o7777;
        assert_eq!(dmode, 0o700);
        let s = f.finish().unwrap();
        assert_eq!(s.bytes, 6);
        assert_eq!(s.sha256, sha256_hex(b"hello\n"));
        assert_eq!(liveness(&dir, &rel), Liveness::Stopped);
        assert_eq!(digest(&dir, &rel).unwrap(), (s.sha256, 6));
    }

    #[test]
    fn huge_output_keeps_head_and_tail_and_stays_bounded_while_written() {
        let t = tempfile::tempdir().unwrap();
        let dir = rundir(&t);
        let keep = 4096;
        let mut f = OutputFile::create(&dir, "big", keep).unwrap();
        let rel = f.rel();
        for i in 0..20_000 {
            f.write(&format!("line {i:06}\n")).unwrap();
            let len = fs::metadata(f.path()).unwrap().len();
            assert!(len <= 3 * keep + 512, "file grew to {len}");
        }
        // Compaction replaced the file: still locked, still 0600, no temporary left.
        assert_eq!(liveness(&dir, &rel), Liveness::Running);
        let mode = fs::metadata(f.path()).unwrap().permissions().mode() & 0o7777;
        assert_eq!(mode, 0o600);
        let s = f.finish().unwrap();
        assert!(s.bytes <= 2 * keep + 256, "{}", s.bytes);
        let text = read_all(&dir, &rel, 1 << 20).unwrap().unwrap();
        assert!(text.starts_with("line 000000\n"));
        assert!(text.ends_with("line 019999\n"));
        assert!(text.contains("bytes of output left out here"));
        assert_eq!(
            read_tail(&dir, &rel, 2, 1024).unwrap(),
            vec!["line 019998", "line 019999"]
        );
        assert_eq!(s.written, 20_000 * 12);
        let names: Vec<String> = fs::read_dir(t.path().join(DIR))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names.len(), 1, "{names:?}");
    }

    #[test]
    fn names_outside_outputs_are_refused() {
        for bad in [
            "../journal.jsonl",
            "outputs/../x",
            "outputs/.hidden",
            "x.log",
            "outputs/a/b",
        ] {
            assert!(valid_name(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn an_outputs_link_is_neither_written_through_nor_read_through() {
        let t = tempfile::tempdir().unwrap();
        let elsewhere = tempfile::tempdir().unwrap();
        std::os::unix::fs::symlink(elsewhere.path(), t.path().join(DIR)).unwrap();
        let dir = rundir(&t);
        let e = OutputFile::create(&dir, "x", 4096).unwrap_err();
        assert!(e.to_string().contains("symbolic link"), "{e}");
        fs::write(elsewhere.path().join("a.log"), "planted").unwrap();
        assert!(digest(&dir, "outputs/a.log").is_err());
        assert_eq!(liveness(&dir, "outputs/a.log"), Liveness::Missing);
        assert_eq!(fs::read_dir(elsewhere.path()).unwrap().count(), 1);
    }

    #[test]
    fn a_recorded_file_replaced_by_a_link_or_a_fifo_is_refused() {
        let t = tempfile::tempdir().unwrap();
        let dir = rundir(&t);
        let f = OutputFile::create(&dir, "x", 4096).unwrap();
        let (rel, path) = (f.rel(), f.path());
        f.finish().unwrap();
        let secret = t.path().join("secret.txt");
        fs::write(&secret, "not an output").unwrap();
        fs::remove_file(&path).unwrap();
        std::os::unix::fs::symlink(&secret, &path).unwrap();
        let e = digest(&dir, &rel).unwrap_err();
        assert!(e.to_string().contains("symbolic link"), "{e}");
        assert!(read_all(&dir, &rel, 1 << 20).is_err());
        fs::remove_file(&path).unwrap();
        rustix::fs::mknodat(
            rustix::fs::CWD,
            &path,
            rustix::fs::FileType::Fifo,
            rustix::fs::Mode::from_raw_mode(0o600),
            0,
        )
        .unwrap();
        // A FIFO would block a reader forever: refused before it is opened.
        let e = read_tail(&dir, &rel, 5, 1024).unwrap_err();
        assert!(e.to_string().contains("FIFO"), "{e}");
    }
}
