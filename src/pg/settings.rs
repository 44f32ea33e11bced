//! From a connection string to everything a connection needs, with the libpq conventions users
//! expect: explicit settings, then the service file, then the `PG*` environment, then defaults;
//! the password from `PGPASSWORD` or `~/.pgpass`; and the TLS rule (see [`TlsPlan`]).

mod tls_plan;

use tls_plan::tls_plan;
pub use tls_plan::{Roots, SslMode, TlsPlan, Transport, Verify};

use super::conninfo::{self, ConnParams};
use super::error::SharedError;
use super::{pgpass, service};
use std::collections::BTreeMap;
use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Opt-in to honour a weak `sslmode` (`disable`, `allow`, `prefer`, `require`, `verify-ca`) for a
/// host that is not on this machine. Loud: a warning is printed at every connection.
pub const INSECURE_ENV: &str = "RUNSHEET_PG_INSECURE";

/// Where environment variables and the home directory come from (the process, or a test's map).
pub trait Env {
    /// An environment variable (`None` when unset or empty).
    fn var(&self, key: &str) -> Option<String>;
    /// The home directory.
    fn home(&self) -> Option<PathBuf>;
    /// The OS user name (libpq's default role name).
    fn os_user(&self) -> String;
}

/// The real process environment.
#[derive(Debug, Clone, Copy, Default)]
pub struct ProcessEnv;

impl Env for ProcessEnv {
    fn var(&self, key: &str) -> Option<String> {
        std::env::var(key).ok().filter(|v| !v.is_empty())
    }
    fn home(&self) -> Option<PathBuf> {
        directories::BaseDirs::new().map(|b| b.home_dir().to_owned())
    }
    fn os_user(&self) -> String {
        crate::store::identity::os_user()
    }
}

/// A fixed environment (tests, and callers that want no surprises from `PG*`).
#[derive(Debug, Clone, Default)]
pub struct MapEnv {
    /// Variables.
    pub vars: BTreeMap<String, String>,
    /// Home directory.
    pub home: Option<PathBuf>,
    /// OS user.
    pub user: String,
}

impl Env for MapEnv {
    fn var(&self, key: &str) -> Option<String> {
        self.vars.get(key).filter(|v| !v.is_empty()).cloned()
    }
    fn home(&self) -> Option<PathBuf> {
        self.home.clone()
    }
    fn os_user(&self) -> String {
        self.user.clone()
    }
}

/// A password, never printed.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// The password's bytes, for the login only.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("(hidden)")
    }
}

/// One server address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Host {
    /// A host name or IP address, over TCP.
    Tcp(String),
    /// A directory holding the server's unix socket.
    Socket(PathBuf),
}

impl Host {
    /// Whether the host is this machine: a unix socket, `localhost`, or a loopback address.
    pub fn is_local(&self) -> bool {
        match self {
            Host::Socket(_) => true,
            Host::Tcp(name) => {
                name.eq_ignore_ascii_case("localhost")
                    || name.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
            }
        }
    }

    /// The name `~/.pgpass` matches against (`localhost` for a socket, as libpq does).
    fn pgpass_name(&self) -> String {
        match self {
            Host::Tcp(n) => n.clone(),
            Host::Socket(_) => "localhost".to_owned(),
        }
    }
}

/// Everything a connection needs, resolved. Its `Debug` never shows the password.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Servers to try, in order.
    pub hosts: Vec<Host>,
    /// IP addresses to connect to instead of resolving `hosts` (libpq's `hostaddr`).
    pub hostaddrs: Vec<IpAddr>,
    /// Ports (one, or one per host).
    pub ports: Vec<u16>,
    /// Database role to log in as.
    pub user: String,
    /// Database.
    pub dbname: String,
    password: Option<Secret>,
    /// Where the password came from (`PGPASSWORD`, a pgpass file), for messages.
    pub password_source: Option<String>,
    /// `application_name` (never carries a run id: every role can read it).
    pub application_name: String,
    /// Server `options` (`-c name=value …`).
    pub options: Option<String>,
    /// Connect timeout.
    pub connect_timeout: Duration,
    /// TCP keepalives (idle, interval, count), or `None` when turned off.
    pub keepalives: Option<(Duration, Duration, u32)>,
    /// How long sent data may stay unacknowledged before the link counts as dead (Linux).
    pub tcp_user_timeout: Duration,
    /// `target_session_attrs=read-write` (also the default with several hosts).
    pub read_write: bool,
    /// `channel_binding`.
    pub channel_binding: Option<String>,
    /// TLS.
    pub tls: TlsPlan,
    /// Things the user should know (a pgpass file ignored, the insecure opt-in, ignored settings).
    pub warnings: Vec<String>,
}

impl Settings {
    /// Resolves `spec` (a URL or `key=value` string) with the process environment.
    pub fn from_spec(spec: &str) -> Result<Settings, SharedError> {
        Settings::resolve(&conninfo::parse(spec)?, &ProcessEnv)
    }

    /// Resolves parsed settings with `env`.
    pub fn resolve(given: &ConnParams, env: &dyn Env) -> Result<Settings, SharedError> {
        let service_name = given
            .get("service")
            .map(str::to_owned)
            .or_else(|| env.var("PGSERVICE"));
        let service = match &service_name {
            Some(name) => service::find(name, &service_files(env))?,
            None => ConnParams::default(),
        };
        let get = |key: &str, var: &str| -> Option<String> {
            given
                .get(key)
                .or_else(|| service.get(key))
                .map(str::to_owned)
                .filter(|v| !v.is_empty())
                .or_else(|| (!var.is_empty()).then(|| env.var(var)).flatten())
        };
        let mut warnings = Vec::new();
        gss(&get, &mut warnings)?;

        let hosts = match get("host", "PGHOST") {
            Some(h) => h.split(',').map(|h| parse_host(h.trim())).collect(),
            None if get("hostaddr", "PGHOSTADDR").is_some() => Vec::new(),
            None => vec![Host::Socket(default_socket_dir())],
        };
        let hostaddrs = match get("hostaddr", "PGHOSTADDR") {
            Some(a) => a
                .split(',')
                .map(|a| {
                    a.trim().parse::<IpAddr>().map_err(|_| {
                        SharedError::Config(format!("hostaddr “{a}” is not an IP address"))
                    })
                })
                .collect::<Result<Vec<_>, _>>()?,
            None => Vec::new(),
        };
        if !hosts.is_empty() && !hostaddrs.is_empty() && hosts.len() != hostaddrs.len() {
            return Err(SharedError::Config(format!(
                "{} hosts but {} hostaddrs: give one hostaddr per host",
                hosts.len(),
                hostaddrs.len()
            )));
        }
        let ports = match get("port", "PGPORT") {
            Some(p) => p
                .split(',')
                .map(|p| {
                    let p = p.trim();
                    if p.is_empty() {
                        return Ok(5432);
                    }
                    p.parse::<u16>().ok().filter(|&n| n > 0).ok_or_else(|| {
                        SharedError::Config(format!("port “{p}” is not a port number"))
                    })
                })
                .collect::<Result<Vec<_>, _>>()?,
            None => vec![5432],
        };
        let n_hosts = hosts.len().max(hostaddrs.len());
        if ports.len() > 1 && ports.len() != n_hosts {
            return Err(SharedError::Config(format!(
                "{} ports for {n_hosts} hosts: give one port, or one per host",
                ports.len()
            )));
        }
        let user = get("user", "PGUSER").unwrap_or_else(|| env.os_user());
        let dbname = get("dbname", "PGDATABASE").unwrap_or_else(|| user.clone());

        let mut password_source = None;
        let password = match env.var("PGPASSWORD") {
            Some(p) => {
                password_source = Some("PGPASSWORD".to_owned());
                Some(Secret(p))
            }
            None => {
                let file = get("passfile", "PGPASSFILE")
                    .map(PathBuf::from)
                    .or_else(|| env.home().map(|h| h.join(".pgpass")));
                let mut found = None;
                if let Some(file) = file {
                    let names: Vec<String> = if hosts.is_empty() {
                        hostaddrs.iter().map(ToString::to_string).collect()
                    } else {
                        hosts.iter().map(Host::pgpass_name).collect()
                    };
                    for (i, host) in names.iter().enumerate() {
                        let port = ports.get(i).or(ports.first()).copied().unwrap_or(5432);
                        let l = pgpass::lookup(&file, host, &port.to_string(), &dbname, &user);
                        if let Some(w) = l.warning {
                            warnings.push(w);
                            break;
                        }
                        if let Some(p) = l.password {
                            password_source = Some(file.display().to_string());
                            found = Some(Secret(p));
                            break;
                        }
                    }
                }
                found
            }
        };

        let application_name = get("application_name", "PGAPPNAME")
            .or_else(|| get("fallback_application_name", ""))
            .unwrap_or_else(|| "runsheet".to_owned());
        let connect_timeout = match get("connect_timeout", "PGCONNECT_TIMEOUT") {
            Some(s) => {
                let secs: u64 = s.trim().parse().map_err(|_| {
                    SharedError::Config(format!("connect_timeout “{s}” is not a number of seconds"))
                })?;
                Duration::from_secs(if secs == 0 { 10 } else { secs.max(2) })
            }
            None => Duration::from_secs(10),
        };
        let keepalives = if get("keepalives", "").as_deref() == Some("0") {
            None
        } else {
            let secs = |key: &str, default: u64| -> Result<u64, SharedError> {
                match get(key, "") {
                    Some(v) => v.trim().parse().map_err(|_| {
                        SharedError::Config(format!("{key} “{v}” is not a number of seconds"))
                    }),
                    None => Ok(default),
                }
            };
            let count = secs("keepalives_count", 3)?;
            Some((
                Duration::from_secs(secs("keepalives_idle", 10)?.max(1)),
                Duration::from_secs(secs("keepalives_interval", 5)?.max(1)),
                u32::try_from(count).unwrap_or(3),
            ))
        };
        let tcp_user_timeout = match get("tcp_user_timeout", "") {
            Some(ms) => Duration::from_millis(ms.trim().parse().map_err(|_| {
                SharedError::Config(format!("tcp_user_timeout “{ms}” is not milliseconds"))
            })?),
            None => Duration::from_secs(10),
        };
        let read_write = match get("target_session_attrs", "PGTARGETSESSIONATTRS").as_deref() {
            None => n_hosts > 1,
            Some("any") => false,
            Some("read-write") | Some("primary") => true,
            Some(other) => {
                return Err(SharedError::Config(format!(
                    "target_session_attrs “{other}”: runsheet writes, so only any, read-write or primary make sense"
                )));
            }
        };
        let channel_binding = get("channel_binding", "PGCHANNELBINDING");
        if let Some(cb) = &channel_binding
            && !matches!(cb.as_str(), "disable" | "prefer" | "require")
        {
            return Err(SharedError::Config(format!(
                "channel_binding “{cb}”: expected disable, prefer or require"
            )));
        }
        let requested = match get("sslmode", "PGSSLMODE") {
            Some(m) => Some(SslMode::parse(&m)?),
            None if get("requiressl", "PGREQUIRESSL").as_deref() == Some("1") => {
                Some(SslMode::Require)
            }
            None => None,
        };
        let tls = tls_plan(&hosts, &hostaddrs, requested, &get, env, &mut warnings)?;
        Ok(Settings {
            hosts,
            hostaddrs,
            ports,
            user,
            dbname,
            password,
            password_source,
            application_name,
            options: get("options", "PGOPTIONS"),
            connect_timeout,
            keepalives,
            tcp_user_timeout,
            read_write,
            channel_binding,
            tls,
            warnings,
        })
    }

    /// The password, for the login only.
    pub fn password(&self) -> Option<&Secret> {
        self.password.as_ref()
    }

    /// `db.example.com:5432/runsheet as alice`: where this goes, for messages (never a password).
    pub fn target(&self) -> String {
        let hosts: Vec<String> = if self.hosts.is_empty() {
            self.hostaddrs.iter().map(ToString::to_string).collect()
        } else {
            self.hosts
                .iter()
                .map(|h| match h {
                    Host::Tcp(n) if n.contains(':') => format!("[{n}]"),
                    Host::Tcp(n) => n.clone(),
                    Host::Socket(p) => p.display().to_string(),
                })
                .collect()
        };
        let ports: Vec<String> = self.ports.iter().map(ToString::to_string).collect();
        format!(
            "{}:{}/{} as {}",
            hosts.join(","),
            ports.join(","),
            self.dbname,
            self.user
        )
    }

    /// A short stable key for this server, database and role (names the outbox directory).
    pub fn store_key(&self) -> String {
        let s = crate::run::event::sha256_hex(self.target().as_bytes());
        s.get(..16).unwrap_or(&s).to_owned()
    }
}

fn gss(
    get: &dyn Fn(&str, &str) -> Option<String>,
    warnings: &mut Vec<String>,
) -> Result<(), SharedError> {
    const NO_GSS: &str = "Kerberos/GSSAPI is not supported by runsheet's PostgreSQL client: ask \
                          your DBA for a password (SCRAM, kept in ~/.pgpass) or a client certificate \
                          login for your role";
    match get("gssencmode", "PGGSSENCMODE").as_deref() {
        Some("require") => {
            return Err(SharedError::Config(format!("gssencmode=require: {NO_GSS}")));
        }
        Some("disable") | Some("prefer") | None => {}
        Some(other) => {
            return Err(SharedError::Config(format!(
                "gssencmode “{other}”: expected disable, prefer or require"
            )));
        }
    }
    for key in ["krbsrvname", "gsslib", "gssdelegation"] {
        let var = match key {
            "krbsrvname" => "PGKRBSRVNAME",
            "gsslib" => "PGGSSLIB",
            _ => "PGGSSDELEGATION",
        };
        if get(key, var).is_some() {
            warnings.push(format!("{key} is ignored: {NO_GSS}"));
        }
    }
    Ok(())
}

fn parse_host(h: &str) -> Host {
    if h.is_empty() {
        Host::Socket(default_socket_dir())
    } else if h.starts_with('/') {
        Host::Socket(PathBuf::from(h))
    } else {
        Host::Tcp(h.to_owned())
    }
}

/// libpq's compiled-in socket directory: Debian's `/var/run/postgresql`, else `/tmp`.
pub fn default_socket_dir() -> PathBuf {
    let debian = Path::new("/var/run/postgresql");
    if debian.is_dir() {
        debian.to_owned()
    } else {
        PathBuf::from("/tmp")
    }
}

fn service_files(env: &dyn Env) -> Vec<PathBuf> {
    let mut files = Vec::new();
    match env.var("PGSERVICEFILE") {
        Some(f) => files.push(PathBuf::from(f)),
        None => {
            if let Some(h) = env.home() {
                files.push(h.join(".pg_service.conf"));
            }
        }
    }
    let sys = env
        .var("PGSYSCONFDIR")
        .map_or_else(|| PathBuf::from("/etc/postgresql-common"), PathBuf::from);
    files.push(sys.join("pg_service.conf"));
    files
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests;
