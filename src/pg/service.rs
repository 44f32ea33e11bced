//! Connection service files (`service=NAME` / `PGSERVICE`): `~/.pg_service.conf` or
//! `PGSERVICEFILE`, then `pg_service.conf` in `PGSYSCONFDIR` (Debian: `/etc/postgresql-common`).
//! INI sections of `key=value` settings, as libpq reads them.

use super::conninfo::{ConnParams, KNOWN_KEYS};
use super::error::SharedError;
use std::path::{Path, PathBuf};

/// The settings of service `name` from the first file that defines it.
pub fn find(name: &str, files: &[PathBuf]) -> Result<ConnParams, SharedError> {
    for path in files {
        let Ok(text) = std::fs::read_to_string(path) else {
            continue;
        };
        if let Some(p) = section(path, &text, name)? {
            return Ok(p);
        }
    }
    Err(SharedError::Config(format!(
        "service “{name}” is not defined in {}",
        if files.is_empty() {
            "any service file".to_owned()
        } else {
            files
                .iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()
                .join(" or ")
        }
    )))
}

fn section(path: &Path, text: &str, name: &str) -> Result<Option<ConnParams>, SharedError> {
    let mut inside = false;
    let mut found = false;
    let mut out = ConnParams::default();
    for (i, raw) in text.lines().enumerate() {
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if let Some(rest) = line.strip_prefix('[') {
            if found {
                break;
            }
            inside = rest.strip_suffix(']').map(str::trim) == Some(name);
            found = inside;
            continue;
        }
        if !inside {
            continue;
        }
        let at = |msg: String| SharedError::Config(format!("{}:{}: {msg}", path.display(), i + 1));
        let (k, v) = line
            .split_once('=')
            .ok_or_else(|| at("expected key=value".to_owned()))?;
        let (k, v) = (k.trim(), v.trim());
        if k == "password" {
            return Err(at(
                "a password in a service file is refused: put it in ~/.pgpass (mode 0600)"
                    .to_owned(),
            ));
        }
        if k == "service" {
            return Err(at(
                "nested service specifications are not supported".to_owned()
            ));
        }
        if !KNOWN_KEYS.contains(&k) {
            return Err(at(format!("unknown setting “{k}”")));
        }
        out.push(k, v);
    }
    Ok(found.then_some(out))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn the_first_file_defining_the_service_wins() {
        let dir = tempfile::tempdir().unwrap();
        let user = dir.path().join("user.conf");
        let sys = dir.path().join("sys.conf");
        std::fs::write(&user, "# mine\n[other]\nhost=a\n\n[runsheet]\nhost = db.example.com\ndbname=runs\n[x]\nhost=z\n").unwrap();
        std::fs::write(&sys, "[runsheet]\nhost=system\n[shared]\nport=6000\n").unwrap();
        let files = [user.clone(), sys.clone()];
        let p = find("runsheet", &files).unwrap();
        assert_eq!(p.get("host"), Some("db.example.com"));
        assert_eq!(p.get("dbname"), Some("runs"));
        assert_eq!(find("shared", &files).unwrap().get("port"), Some("6000"));
        let e = find("nope", &files).unwrap_err().to_string();
        assert!(e.contains("nope") && e.contains("user.conf"), "{e}");
    }

    #[test]
    fn passwords_and_unknown_keys_are_refused_with_file_and_line() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("s.conf");
        std::fs::write(&f, "[a]\nhost=x\npassword=hunter2\n").unwrap();
        let e = find("a", std::slice::from_ref(&f)).unwrap_err().to_string();
        assert!(e.contains("s.conf:3") && !e.contains("hunter2"), "{e}");
        std::fs::write(&f, "[a]\nhots=x\n").unwrap();
        let e = find("a", &[f]).unwrap_err().to_string();
        assert!(e.contains("hots"), "{e}");
    }
}
