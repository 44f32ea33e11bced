//! Connection strings as libpq writes them: `postgresql://` / `postgres://` URLs and
//! `key=value` strings, parsed into [`ConnParams`] (the settings given, in order).
//!
//! A password inside a connection string is refused: it would end up in `ps`, shell history,
//! `config.toml` and error messages. Passwords come from `~/.pgpass` (or `PGPASSWORD`).

use super::error::SharedError;

/// Settings runsheet understands, as libpq spells them.
pub const KNOWN_KEYS: &[&str] = &[
    "host",
    "hostaddr",
    "port",
    "dbname",
    "user",
    "password",
    "passfile",
    "service",
    "connect_timeout",
    "application_name",
    "fallback_application_name",
    "options",
    "sslmode",
    "requiressl",
    "sslrootcert",
    "sslcert",
    "sslkey",
    "sslsni",
    "sslcompression",
    "target_session_attrs",
    "channel_binding",
    "keepalives",
    "keepalives_idle",
    "keepalives_interval",
    "keepalives_count",
    "tcp_user_timeout",
    "gssencmode",
    "krbsrvname",
    "gsslib",
    "gssdelegation",
];

/// Settings from a connection string, in the order given (a later one wins).
#[derive(Clone, Default, PartialEq, Eq)]
pub struct ConnParams {
    pairs: Vec<(String, String)>,
}

impl std::fmt::Debug for ConnParams {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.redacted())
    }
}

impl ConnParams {
    /// The value given for `key`, if any (the last one).
    pub fn get(&self, key: &str) -> Option<&str> {
        self.pairs
            .iter()
            .rev()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// Whether `key` was given.
    pub fn has(&self, key: &str) -> bool {
        self.get(key).is_some()
    }

    /// Adds a setting (used for service-file sections too).
    pub fn push(&mut self, key: &str, value: &str) {
        self.pairs.push((key.to_owned(), value.to_owned()));
    }

    /// Every setting given, in order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.pairs.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }

    /// `key=value` form for messages; a password would show as `password=(hidden)` (there never is
    /// one: [`parse`] refuses them).
    pub fn redacted(&self) -> String {
        self.pairs
            .iter()
            .map(|(k, v)| {
                if k == "password" {
                    format!("{k}=(hidden)")
                } else if v.is_empty() || v.contains([' ', '\'', '\\']) {
                    format!("{k}='{}'", v.replace('\\', "\\\\").replace('\'', "\\'"))
                } else {
                    format!("{k}={v}")
                }
            })
            .collect::<Vec<_>>()
            .join(" ")
    }
}

/// Whether `spec` looks like a PostgreSQL connection string (a URL or `key=value` settings) rather
/// than a local directory.
pub fn is_conninfo(spec: &str) -> bool {
    let s = spec.trim_start();
    s.starts_with("postgresql://") || s.starts_with("postgres://") || looks_like_keywords(s)
}

fn looks_like_keywords(s: &str) -> bool {
    let key: String = s
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect();
    !key.is_empty() && s[key.len()..].trim_start().starts_with('=')
}

/// Parses a connection string. Unknown settings and passwords are refused with a message that
/// never repeats the string's secret parts.
pub fn parse(spec: &str) -> Result<ConnParams, SharedError> {
    let s = spec.trim();
    let params = if let Some(rest) = s
        .strip_prefix("postgresql://")
        .or_else(|| s.strip_prefix("postgres://"))
    {
        parse_url(rest)?
    } else if looks_like_keywords(s) || s.is_empty() {
        parse_keywords(s)?
    } else {
        return Err(SharedError::Config(
            "not a PostgreSQL connection string: give postgresql://HOST/DB or `host=… dbname=…`"
                .to_owned(),
        ));
    };
    check_keys(&params)?;
    Ok(params)
}

fn check_keys(p: &ConnParams) -> Result<(), SharedError> {
    for (k, _) in p.iter() {
        if k == "password" {
            return Err(password_refused());
        }
        if !KNOWN_KEYS.contains(&k) {
            return Err(SharedError::Config(format!(
                "unknown connection setting “{k}”; runsheet understands: {}",
                KNOWN_KEYS.join(", ")
            )));
        }
    }
    Ok(())
}

/// The error for a password written into a connection string.
pub fn password_refused() -> SharedError {
    SharedError::Config(
        "the connection string contains a password: it is refused (it would show in `ps`, shell \
         history and config files). Put it in ~/.pgpass (mode 0600: \
         host:port:database:user:password) or PGPASSWORD, and leave it out of --store"
            .to_owned(),
    )
}

fn parse_keywords(s: &str) -> Result<ConnParams, SharedError> {
    let mut out = ConnParams::default();
    let mut chars = s.chars().peekable();
    loop {
        while chars.next_if(|c| c.is_whitespace()).is_some() {}
        if chars.peek().is_none() {
            return Ok(out);
        }
        let mut key = String::new();
        while let Some(c) = chars.next_if(|c| !c.is_whitespace() && *c != '=') {
            key.push(c);
        }
        while chars.next_if(|c| c.is_whitespace()).is_some() {}
        if chars.next() != Some('=') {
            return Err(SharedError::Config(format!(
                "connection string: “{key}” is missing “=” (settings are key=value)"
            )));
        }
        while chars.next_if(|c| c.is_whitespace()).is_some() {}
        let mut value = String::new();
        if chars.next_if_eq(&'\'').is_some() {
            loop {
                match chars.next() {
                    Some('\\') => match chars.next() {
                        Some(c) => value.push(c),
                        None => return Err(unterminated(&key)),
                    },
                    Some('\'') => break,
                    Some(c) => value.push(c),
                    None => return Err(unterminated(&key)),
                }
            }
        } else {
            while let Some(c) = chars.next_if(|c| !c.is_whitespace()) {
                if c == '\\' {
                    if let Some(n) = chars.next() {
                        value.push(n);
                    }
                } else {
                    value.push(c);
                }
            }
        }
        out.push(&key, &value);
    }
}

fn unterminated(key: &str) -> SharedError {
    SharedError::Config(format!(
        "connection string: the quoted value of “{key}” has no closing quote"
    ))
}

fn parse_url(rest: &str) -> Result<ConnParams, SharedError> {
    let mut out = ConnParams::default();
    let (before_query, query) = match rest.split_once('?') {
        Some((a, q)) => (a, Some(q)),
        None => (rest, None),
    };
    let (authority, path) = match before_query.split_once('/') {
        Some((a, p)) => (a, Some(p)),
        None => (before_query, None),
    };
    let hostspec = match authority.rsplit_once('@') {
        Some((userinfo, hosts)) => {
            if userinfo.contains(':') {
                return Err(password_refused());
            }
            if !userinfo.is_empty() {
                out.push("user", &decode(userinfo, "user name")?);
            }
            hosts
        }
        None => authority,
    };
    if !hostspec.is_empty() {
        let mut hosts = Vec::new();
        let mut ports = Vec::new();
        for part in hostspec.split(',') {
            let (host, port) = split_host_port(part)?;
            hosts.push(decode(host, "host")?);
            ports.push(port.to_owned());
        }
        out.push("host", &hosts.join(","));
        if ports.iter().any(|p| !p.is_empty()) {
            out.push("port", &ports.join(","));
        }
    }
    if let Some(db) = path.filter(|p| !p.is_empty()) {
        out.push("dbname", &decode(db, "database name")?);
    }
    if let Some(q) = query {
        for pair in q.split('&').filter(|p| !p.is_empty()) {
            let (k, v) = pair.split_once('=').ok_or_else(|| {
                SharedError::Config(format!(
                    "connection URL: query parameter “{}” has no “=”",
                    pair.chars().take(40).collect::<String>()
                ))
            })?;
            let key = decode(k, "parameter name")?;
            if key == "password" {
                return Err(password_refused());
            }
            let value = decode(v, "parameter value")?;
            out.push(&key, &value);
        }
    }
    Ok(out)
}

fn split_host_port(part: &str) -> Result<(&str, &str), SharedError> {
    if let Some(inner) = part.strip_prefix('[') {
        let (host, after) = inner.split_once(']').ok_or_else(|| {
            SharedError::Config("connection URL: an IPv6 address in [ ] is not closed".to_owned())
        })?;
        let port = after.strip_prefix(':').unwrap_or(after);
        return Ok((host, port));
    }
    Ok(match part.rsplit_once(':') {
        Some((h, p)) => (h, p),
        None => (part, ""),
    })
}

fn decode(s: &str, what: &str) -> Result<String, SharedError> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = bytes
                .get(i + 1..i + 3)
                .and_then(|h| std::str::from_utf8(h).ok())
                .and_then(|h| u8::from_str_radix(h, 16).ok())
                .ok_or_else(|| {
                    SharedError::Config(format!("connection URL: bad %-escape in the {what}"))
                })?;
            out.push(hex);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out)
        .map_err(|_| SharedError::Config(format!("connection URL: the {what} is not UTF-8")))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn urls_decode_hosts_ports_sockets_and_parameters() {
        let p = parse("postgresql://alice@db1.example.com:5433,[::1]:5434/runs?sslmode=verify-full&application_name=rs%20x").unwrap();
        assert_eq!(p.get("user"), Some("alice"));
        assert_eq!(p.get("host"), Some("db1.example.com,::1"));
        assert_eq!(p.get("port"), Some("5433,5434"));
        assert_eq!(p.get("dbname"), Some("runs"));
        assert_eq!(p.get("sslmode"), Some("verify-full"));
        assert_eq!(p.get("application_name"), Some("rs x"));
        let s = parse("postgres://%2Fvar%2Frun%2Fpostgresql/runsheet").unwrap();
        assert_eq!(s.get("host"), Some("/var/run/postgresql"));
        let q = parse("postgresql:///runsheet?host=/tmp&port=5999").unwrap();
        assert_eq!(q.get("host"), Some("/tmp"));
        assert_eq!(q.get("port"), Some("5999"));
        assert_eq!(parse("postgresql://").unwrap(), ConnParams::default());
    }

    #[test]
    fn keyword_strings_handle_quotes_escapes_and_spaces() {
        let p = parse(r"host=db.example.com  port = 5432 dbname='my db' application_name='it\'s' options=-csearch_path\ x").unwrap();
        assert_eq!(p.get("host"), Some("db.example.com"));
        assert_eq!(p.get("port"), Some("5432"));
        assert_eq!(p.get("dbname"), Some("my db"));
        assert_eq!(p.get("application_name"), Some("it's"));
        assert_eq!(p.get("options"), Some("-csearch_path x"));
        assert!(parse("host='unterminated").is_err());
        assert!(parse("host").is_err());
    }

    #[test]
    fn passwords_are_refused_and_never_repeated() {
        for spec in [
            "postgresql://alice:Tr0ub4dor@db.example.com/runs",
            "postgresql://db.example.com/runs?password=Tr0ub4dor",
            "host=db.example.com password=Tr0ub4dor",
            "host=db.example.com password='Tr0ub4dor'",
        ] {
            let e = parse(spec).unwrap_err().to_string();
            assert!(e.contains("password"), "{e}");
            assert!(
                !e.contains("Tr0ub4dor"),
                "{spec}: the password is echoed: {e}"
            );
        }
    }

    #[test]
    fn unknown_settings_are_named() {
        let e = parse("host=x sslmdoe=require").unwrap_err().to_string();
        assert!(e.contains("sslmdoe"), "{e}");
        assert!(parse("/home/ops/runs").is_err());
        assert!(is_conninfo("service=runsheet"));
        assert!(is_conninfo("postgres://x"));
        assert!(!is_conninfo("/srv/runsheet"));
    }
}
