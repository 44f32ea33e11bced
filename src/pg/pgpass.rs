//! `~/.pgpass` (or `PGPASSFILE`): `hostname:port:database:username:password` lines, `*` matching
//! anything, `\:` and `\\` escaped, `#` comments. Like libpq, a file that the group or others can
//! read is ignored with a warning.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;

/// What looking a password up gave.
#[derive(Debug, Default)]
pub struct Lookup {
    /// The password, if a line matched.
    pub password: Option<String>,
    /// Why the file was not used (permissions, not a file), for the user.
    pub warning: Option<String>,
}

/// Looks up the password for (`host`, `port`, `dbname`, `user`) in `path`. `host` is `localhost`
/// for a unix-socket connection, as libpq does. A missing file is no error.
pub fn lookup(path: &Path, host: &str, port: &str, dbname: &str, user: &str) -> Lookup {
    let meta = match std::fs::metadata(path) {
        Ok(m) => m,
        Err(_) => return Lookup::default(),
    };
    if !meta.is_file() {
        return Lookup {
            password: None,
            warning: Some(format!(
                "password file {} is not a plain file: ignored",
                path.display()
            )),
        };
    }
    if meta.permissions().mode() & 0o077 != 0 {
        return Lookup {
            password: None,
            warning: Some(format!(
                "password file {} has group or world access: ignored (permissions should be u=rw, 0600: \
                 chmod 600 {})",
                path.display(),
                path.display()
            )),
        };
    }
    let Ok(text) = std::fs::read_to_string(path) else {
        return Lookup {
            password: None,
            warning: Some(format!(
                "password file {} is unreadable or not UTF-8: ignored",
                path.display()
            )),
        };
    };
    let wanted = [host, port, dbname, user];
    for line in text.lines() {
        if line.starts_with('#') || line.trim().is_empty() {
            continue;
        }
        let fields = split(line);
        if fields.len() < 5 {
            continue;
        }
        let matches = fields
            .iter()
            .zip(wanted)
            .all(|(f, w)| f.as_str() == "*" || f.as_str() == w);
        if matches {
            return Lookup {
                password: Some(fields[4..].join(":")),
                warning: None,
            };
        }
    }
    Lookup::default()
}

fn split(line: &str) -> Vec<String> {
    let mut out = vec![String::new()];
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                if let Some(n) = chars.next()
                    && let Some(last) = out.last_mut()
                {
                    last.push(n);
                }
            }
            ':' if out.len() < 5 => out.push(String::new()),
            _ => {
                if let Some(last) = out.last_mut() {
                    last.push(c);
                }
            }
        }
    }
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use std::fs::Permissions;

    fn file(text: &str, mode: u32) -> (tempfile::TempDir, std::path::PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("pgpass");
        std::fs::write(&p, text).unwrap();
        std::fs::set_permissions(&p, Permissions::from_mode(mode)).unwrap();
        (dir, p)
    }

    #[test]
    fn first_matching_line_wins_with_wildcards_and_escapes() {
        let (_d, p) = file(
            "# comment\n\
             other:5432:*:alice:nope\n\
             db.example.com:*:runs:alice:s\\:ecret\\\\x\n\
             *:*:*:*:fallback\n",
            0o600,
        );
        let l = lookup(&p, "db.example.com", "5432", "runs", "alice");
        assert_eq!(l.password.as_deref(), Some("s:ecret\\x"));
        let l = lookup(&p, "localhost", "5432", "x", "bob");
        assert_eq!(l.password.as_deref(), Some("fallback"));
    }

    #[test]
    fn a_file_others_can_read_is_ignored_with_a_warning() {
        let (_d, p) = file("*:*:*:*:secret\n", 0o644);
        let l = lookup(&p, "h", "5432", "d", "u");
        assert_eq!(l.password, None);
        let w = l.warning.unwrap();
        assert!(w.contains("group or world access"), "{w}");
        assert!(!w.contains("secret"));
    }

    #[test]
    fn a_missing_file_is_silent() {
        let l = lookup(Path::new("/nonexistent/pgpass"), "h", "1", "d", "u");
        assert!(l.password.is_none() && l.warning.is_none());
    }
}
