//! The TLS rule: which connections are encrypted, how the server's certificate is checked, which
//! CAs are trusted, which client certificate is shown. Any host that is not this machine gets
//! verify-full, whatever `sslmode` says, unless the loud opt-in [`super::INSECURE_ENV`] is set.

use super::{Env, Host, INSECURE_ENV};
use crate::pg::error::SharedError;
use std::net::IpAddr;
use std::path::{Path, PathBuf};

/// The `sslmode` asked for, as libpq spells it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum SslMode {
    /// Plaintext only.
    Disable,
    /// Plaintext, TLS if the server insists.
    Allow,
    /// TLS if the server offers it, unverified.
    Prefer,
    /// TLS, unverified (verified against the CA when a root certificate file exists).
    Require,
    /// TLS, certificate checked against the CA.
    VerifyCa,
    /// TLS, certificate and host name checked.
    VerifyFull,
}

impl SslMode {
    pub(super) fn parse(s: &str) -> Result<SslMode, SharedError> {
        Ok(match s {
            "disable" => SslMode::Disable,
            "allow" => SslMode::Allow,
            "prefer" => SslMode::Prefer,
            "require" => SslMode::Require,
            "verify-ca" => SslMode::VerifyCa,
            "verify-full" => SslMode::VerifyFull,
            other => {
                return Err(SharedError::Config(format!(
                    "sslmode “{other}”: expected disable, allow, prefer, require, verify-ca or verify-full"
                )));
            }
        })
    }

    /// libpq's name.
    pub fn as_str(self) -> &'static str {
        match self {
            SslMode::Disable => "disable",
            SslMode::Allow => "allow",
            SslMode::Prefer => "prefer",
            SslMode::Require => "require",
            SslMode::VerifyCa => "verify-ca",
            SslMode::VerifyFull => "verify-full",
        }
    }
}

/// Whether the connection is encrypted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transport {
    /// Never (unix sockets; `sslmode=disable` on this machine).
    Plain,
    /// TLS when the server offers it, else plaintext (`prefer`/`allow` on this machine only).
    Opportunistic,
    /// TLS or no connection.
    Required,
}

/// How the server's certificate is checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verify {
    /// Not checked.
    None,
    /// Signed by a trusted CA.
    Ca,
    /// Signed by a trusted CA and issued for the host name connected to.
    Full,
}

/// Which CA certificates are trusted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Roots {
    /// The certificates in this PEM file only.
    File(PathBuf),
    /// The system's trust store.
    System,
}

/// What TLS this connection gets, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TlsPlan {
    /// Encrypted or not.
    pub transport: Transport,
    /// Certificate checks.
    pub verify: Verify,
    /// Trusted CAs (when verifying).
    pub roots: Roots,
    /// A client certificate and key (PEM) to present.
    pub client_cert: Option<(PathBuf, PathBuf)>,
    /// One line for `db status` and messages: `verify-full (db.example.com is not local)`.
    pub summary: String,
}

pub(super) fn tls_plan(
    hosts: &[Host],
    hostaddrs: &[IpAddr],
    requested: Option<SslMode>,
    get: &dyn Fn(&str, &str) -> Option<String>,
    env: &dyn Env,
    warnings: &mut Vec<String>,
) -> Result<TlsPlan, SharedError> {
    let pg_dir = env.home().map(|h| h.join(".postgresql"));
    let root_file = get("sslrootcert", "PGSSLROOTCERT");
    let default_root = pg_dir
        .as_ref()
        .map(|d| d.join("root.crt"))
        .filter(|p| p.is_file());
    let roots = match root_file.as_deref() {
        Some("system") => Roots::System,
        Some(f) => {
            let p = PathBuf::from(f);
            if !p.is_file() {
                return Err(SharedError::Config(format!(
                    "sslrootcert {f}: no such file (give the CA certificate, in PEM, that signed the server's certificate, or sslrootcert=system)"
                )));
            }
            Roots::File(p)
        }
        None => default_root.clone().map_or(Roots::System, Roots::File),
    };
    let cert = get("sslcert", "PGSSLCERT").map(PathBuf::from).or_else(|| {
        pg_dir
            .as_ref()
            .map(|d| d.join("postgresql.crt"))
            .filter(|p| p.is_file())
    });
    let client_cert = match cert {
        Some(c) => {
            let key = get("sslkey", "PGSSLKEY")
                .map(PathBuf::from)
                .or_else(|| pg_dir.as_ref().map(|d| d.join("postgresql.key")))
                .ok_or_else(|| SharedError::Config("sslcert given without sslkey".to_owned()))?;
            check_key_file(&key)?;
            Some((c, key))
        }
        None => None,
    };
    let tcp = hosts.iter().any(|h| matches!(h, Host::Tcp(_)))
        || (hosts.is_empty() && !hostaddrs.is_empty());
    let remote: Vec<String> = if hosts.is_empty() {
        hostaddrs
            .iter()
            .filter(|a| !a.is_loopback())
            .map(ToString::to_string)
            .collect()
    } else {
        hosts
            .iter()
            .filter(|h| !h.is_local())
            .map(|h| match h {
                Host::Tcp(n) => n.clone(),
                Host::Socket(p) => p.display().to_string(),
            })
            .collect()
    };
    let plan = |transport, verify, summary: String| TlsPlan {
        transport,
        verify,
        roots: roots.clone(),
        client_cert: client_cert.clone(),
        summary,
    };
    if !tcp {
        return Ok(plan(
            Transport::Plain,
            Verify::None,
            "not needed (unix socket: never leaves this machine)".to_owned(),
        ));
    }
    let insecure = env.var(INSECURE_ENV).is_some_and(|v| v != "0");
    let has_root =
        default_root.is_some() || matches!(root_file.as_deref(), Some(f) if f != "system");
    if !remote.is_empty() {
        let mode = requested.unwrap_or(SslMode::VerifyFull);
        if mode < SslMode::VerifyFull && insecure {
            warnings.push(format!(
                "{INSECURE_ENV} is set: sslmode={} is honoured for {} — {}",
                mode.as_str(),
                remote.join(", "),
                if mode <= SslMode::Allow {
                    "your events and the login cross the network IN PLAINTEXT"
                } else {
                    "the server's certificate is NOT fully checked: anyone on the path can pose as the server"
                }
            ));
            return Ok(local_plan(mode, has_root, &plan));
        }
        if mode == SslMode::Disable {
            return Err(SharedError::Config(format!(
                "sslmode=disable is refused for {} (not on this machine): runsheet needs TLS with a \
                 verified certificate for any other host. Remove sslmode, or set {INSECURE_ENV}=1 to \
                 send the login and every event in plaintext anyway",
                remote.join(", ")
            )));
        }
        return Ok(plan(
            Transport::Required,
            Verify::Full,
            format!(
                "verify-full ({} is not local{})",
                remote.join(", "),
                if mode < SslMode::VerifyFull {
                    format!("; sslmode={} is raised to verify-full", mode.as_str())
                } else {
                    String::new()
                }
            ),
        ));
    }
    Ok(local_plan(
        requested.unwrap_or(SslMode::Prefer),
        has_root,
        &plan,
    ))
}

fn local_plan(
    mode: SslMode,
    has_root: bool,
    plan: &dyn Fn(Transport, Verify, String) -> TlsPlan,
) -> TlsPlan {
    match mode {
        SslMode::Disable => plan(Transport::Plain, Verify::None, "disable".to_owned()),
        SslMode::Allow | SslMode::Prefer => plan(
            Transport::Opportunistic,
            Verify::None,
            format!(
                "{} (local host: TLS when offered, unverified)",
                mode.as_str()
            ),
        ),
        // libpq: `require` with a root certificate file present behaves like verify-ca.
        SslMode::Require if has_root => plan(
            Transport::Required,
            Verify::Ca,
            "require (a root certificate is present: checked as verify-ca)".to_owned(),
        ),
        SslMode::Require => plan(
            Transport::Required,
            Verify::None,
            "require (unverified)".to_owned(),
        ),
        SslMode::VerifyCa => plan(Transport::Required, Verify::Ca, "verify-ca".to_owned()),
        SslMode::VerifyFull => plan(Transport::Required, Verify::Full, "verify-full".to_owned()),
    }
}

fn check_key_file(key: &Path) -> Result<(), SharedError> {
    use std::os::unix::fs::{MetadataExt, PermissionsExt};
    let meta = std::fs::metadata(key)
        .map_err(|e| SharedError::Config(format!("sslkey {}: {e}", key.display())))?;
    let mode = meta.permissions().mode();
    // libpq: 0600 or less when owned by us, 0640 or less when owned by root.
    let ok = if meta.uid() == 0 {
        mode & 0o037 == 0
    } else {
        mode & 0o077 == 0
    };
    if !ok {
        return Err(SharedError::Config(format!(
            "private key file {} has group or world access: permissions should be u=rw (0600) or less (chmod 600 {})",
            key.display(),
            key.display()
        )));
    }
    Ok(())
}
