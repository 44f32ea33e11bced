//! A session with the server: connect (TLS as planned), log in, learn who we are and whether the
//! server is safe to acknowledge on, make every commit synchronous; reconnect after a lost link.

use super::error::SharedError;
use super::settings::{Host, Settings, Transport};
use postgres::{Client, NoTls, Statement};
use std::collections::HashMap;
use std::sync::Arc;

/// What the server said about itself at login.
#[derive(Debug, Clone, Default)]
pub struct ServerFacts {
    /// The authenticated role (`session_user`).
    pub role: String,
    /// `server_version`.
    pub version: String,
    /// `server_version_num`.
    pub version_num: i32,
    /// `fsync`.
    pub fsync: bool,
    /// `synchronous_commit` as the server would have it for us (before our `SET`).
    pub synchronous_commit: String,
    /// `synchronous_standby_names` (empty: standbys, if any, are asynchronous).
    pub synchronous_standby_names: String,
    /// `full_page_writes`.
    pub full_page_writes: bool,
    /// A read-only standby.
    pub in_recovery: bool,
    /// TLS version and cipher of this connection, if encrypted.
    pub tls: Option<String>,
}

/// A connection that comes back after a lost link (at the next call).
pub struct Session {
    settings: Arc<Settings>,
    tls: Option<postgres_openssl::MakeTlsConnector>,
    client: Option<Client>,
    facts: ServerFacts,
    generation: u64,
    statements: HashMap<&'static str, Statement>,
}

impl std::fmt::Debug for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Session")
            .field("target", &self.settings.target())
            .field("connected", &self.client.is_some())
            .field("role", &self.facts.role)
            .finish()
    }
}

impl Session {
    /// Connects and logs in.
    pub fn connect(settings: Arc<Settings>) -> Result<Session, SharedError> {
        let tls = match settings.tls.transport {
            Transport::Plain => None,
            _ => Some(super::tls::connector(&settings.tls)?),
        };
        let mut s = Session {
            settings,
            tls,
            client: None,
            facts: ServerFacts::default(),
            generation: 0,
            statements: HashMap::new(),
        };
        s.reconnect()?;
        Ok(s)
    }

    /// The settings.
    pub fn settings(&self) -> &Arc<Settings> {
        &self.settings
    }

    /// `host:port/db as role`, for messages.
    pub fn target(&self) -> String {
        self.settings.target()
    }

    /// What the server said at the last login.
    pub fn facts(&self) -> &ServerFacts {
        &self.facts
    }

    /// The authenticated database role.
    pub fn role(&self) -> &str {
        &self.facts.role
    }

    /// Whether a connection is open (it may still turn out dead at the next request).
    pub fn is_up(&self) -> bool {
        self.client.as_ref().is_some_and(|c| !c.is_closed())
    }

    /// Counts reconnections (prepared statements belong to one connection).
    pub fn generation(&self) -> u64 {
        self.generation
    }

    /// The connected client, reconnecting first if the link was lost.
    pub fn client(&mut self) -> Result<&mut Client, SharedError> {
        if self.client.as_ref().is_none_or(Client::is_closed) {
            self.reconnect()?;
        }
        self.client
            .as_mut()
            .ok_or_else(|| SharedError::Invalid("not connected".to_owned()))
    }

    /// Forgets the connection (after an error that may have killed it): the next call reconnects.
    pub fn reset(&mut self) {
        self.client = None;
        self.statements.clear();
    }

    /// Maps a client error, forgetting the connection when the link is gone.
    pub fn fail(&mut self, e: postgres::Error) -> SharedError {
        let mapped = map_error(&self.settings, &e);
        if mapped.is_offline() || self.client.as_ref().is_none_or(Client::is_closed) {
            self.reset();
        }
        mapped
    }

    /// Runs `f` on the client. If the connection turns out to have died since it was last used (a
    /// server restart, a dropped link), reconnects and runs `f` once more: callers only pass
    /// requests that are harmless to repeat (reads, and inserts carrying an intent id).
    pub fn retry<T>(
        &mut self,
        mut f: impl FnMut(&mut Client) -> Result<T, postgres::Error>,
    ) -> Result<T, SharedError> {
        let was_up = self.is_up();
        let r = f(self.client()?);
        match r {
            Ok(v) => Ok(v),
            Err(e) => {
                let err = self.fail(e);
                if !(was_up && err.is_offline()) {
                    return Err(err);
                }
                let r = f(self.client()?);
                r.map_err(|e| self.fail(e))
            }
        }
    }

    /// A prepared statement for `sql` on the current connection (prepared once per connection).
    pub fn prepared(&mut self, sql: &'static str) -> Result<Statement, SharedError> {
        if let Some(s) = self.statements.get(sql) {
            return Ok(s.clone());
        }
        let r = self.client()?.prepare(sql);
        let stmt = r.map_err(|e| self.fail(e))?;
        self.statements.insert(sql, stmt.clone());
        Ok(stmt)
    }

    /// Refuses to acknowledge anything on a server that could lose it: `fsync=off`, or a
    /// read-only standby.
    pub fn ensure_writable(&mut self) -> Result<(), SharedError> {
        self.client()?;
        if !self.facts.fsync {
            return Err(SharedError::Unsafe(format!(
                "{} runs with fsync=off: a crash can lose committed events, so runsheet will not \
                 record changes there (ask the DBA to turn fsync on)",
                self.target()
            )));
        }
        if self.facts.in_recovery {
            return Err(SharedError::Unsafe(format!(
                "{} is a read-only standby: connect to the primary (target_session_attrs=read-write \
                 with several hosts picks it)",
                self.target()
            )));
        }
        Ok(())
    }

    fn reconnect(&mut self) -> Result<(), SharedError> {
        self.client = None;
        self.statements.clear();
        let config = config(&self.settings);
        let connected = match &self.tls {
            None => config.connect(NoTls),
            Some(tls) => config.connect(tls.clone()),
        };
        let mut client = connected.map_err(|e| map_error(&self.settings, &e))?;
        let facts = login_facts(&mut client).map_err(|e| map_error(&self.settings, &e))?;
        let weaker = matches!(
            facts.synchronous_commit.as_str(),
            "off" | "local" | "remote_write"
        );
        let mut setup = String::from("SET statement_timeout = '30s'; SET lock_timeout = '10s';");
        if weaker {
            setup.push_str(" SET synchronous_commit = on;");
        }
        client
            .batch_execute(&setup)
            .map_err(|e| map_error(&self.settings, &e))?;
        self.facts = facts;
        self.client = Some(client);
        self.generation += 1;
        Ok(())
    }
}

fn login_facts(client: &mut Client) -> Result<ServerFacts, postgres::Error> {
    let row = client.query_one(
        "SELECT session_user::text, current_setting('server_version'), \
                current_setting('server_version_num')::int, current_setting('fsync') = 'on', \
                current_setting('synchronous_commit'), current_setting('synchronous_standby_names'), \
                current_setting('full_page_writes') = 'on', pg_is_in_recovery(), \
                (SELECT version || ' ' || cipher FROM pg_stat_ssl WHERE pid = pg_backend_pid() AND ssl)",
        &[],
    )?;
    Ok(ServerFacts {
        role: row.get(0),
        version: row.get(1),
        version_num: row.get(2),
        fsync: row.get(3),
        synchronous_commit: row.get(4),
        synchronous_standby_names: row.get(5),
        full_page_writes: row.get(6),
        in_recovery: row.get(7),
        tls: row.get(8),
    })
}

/// The client configuration for `settings` (everything but TLS, which is the connector's).
pub fn config(settings: &Settings) -> postgres::Config {
    let mut c = postgres::Config::new();
    for h in &settings.hosts {
        match h {
            Host::Tcp(n) => c.host(n),
            Host::Socket(p) => c.host_path(p),
        };
    }
    for a in &settings.hostaddrs {
        c.hostaddr(*a);
    }
    for p in &settings.ports {
        c.port(*p);
    }
    c.user(&settings.user)
        .dbname(&settings.dbname)
        .application_name(&settings.application_name)
        .connect_timeout(settings.connect_timeout)
        .tcp_user_timeout(settings.tcp_user_timeout);
    if let Some(p) = settings.password() {
        c.password(p.expose());
    }
    if let Some(o) = &settings.options {
        c.options(o);
    }
    match settings.keepalives {
        Some((idle, interval, count)) => {
            c.keepalives(true)
                .keepalives_idle(idle)
                .keepalives_interval(interval)
                .keepalives_retries(count);
        }
        None => {
            c.keepalives(false);
        }
    }
    if settings.read_write {
        c.target_session_attrs(postgres::config::TargetSessionAttrs::ReadWrite);
    }
    if let Some(cb) = &settings.channel_binding {
        use postgres::config::ChannelBinding;
        c.channel_binding(match cb.as_str() {
            "disable" => ChannelBinding::Disable,
            "require" => ChannelBinding::Require,
            _ => ChannelBinding::Prefer,
        });
    }
    c.ssl_mode(match settings.tls.transport {
        Transport::Plain => postgres::config::SslMode::Disable,
        Transport::Opportunistic => postgres::config::SslMode::Prefer,
        Transport::Required => postgres::config::SslMode::Require,
    });
    c
}

/// Turns a client error into what the user needs to know. The password is never part of it: the
/// server never repeats it and neither do we.
pub fn map_error(settings: &Settings, e: &postgres::Error) -> SharedError {
    let target = settings.target();
    if let Some(db) = e.as_db_error() {
        let code = db.code().code();
        let message = db.message().to_owned();
        return match code {
            "28P01" | "28000" => SharedError::Auth {
                target,
                message: format!(
                    "{message}{}",
                    match &settings.password_source {
                        Some(src) => format!(" (the password came from {src})"),
                        None => " (no password was found in PGPASSWORD or ~/.pgpass)".to_owned(),
                    }
                ),
            },
            "3D000" => SharedError::Config(format!(
                "{target}: {message} (create it, or name another with dbname / PGDATABASE)"
            )),
            "57P01" | "57P02" | "57P03" | "53300" | "08000" | "08003" | "08006" | "08001"
            | "08004" => SharedError::Unreachable { target, message },
            "25006" => SharedError::Unsafe(format!(
                "{target} is read-only ({message}): connect to the primary"
            )),
            "42501" => SharedError::Forbidden(format!("{target}: {message}")),
            _ => SharedError::Db {
                code: code.to_owned(),
                message,
                detail: db.detail().map(str::to_owned),
                hint: db.hint().map(str::to_owned),
            },
        };
    }
    let mut text = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        let more = s.to_string();
        if !text.contains(&more) {
            text.push_str(": ");
            text.push_str(&more);
        }
        source = s.source();
    }
    if text.contains("unsupported authentication method") {
        return SharedError::Auth {
            target,
            message: "the server asks for an authentication method runsheet's client does not \
                      support (Kerberos/GSSAPI, SSPI or SCM credentials): ask your DBA for a \
                      SCRAM password (kept in ~/.pgpass) or a client-certificate login"
                .to_owned(),
        };
    }
    if text.contains("password missing") {
        return SharedError::Auth {
            target,
            message: "the server asks for a password and none was found: add a line \
                      host:port:database:user:password to ~/.pgpass (chmod 600), or set PGPASSWORD"
                .to_owned(),
        };
    }
    if text.starts_with("authentication error") {
        return SharedError::Auth {
            target,
            message: text,
        };
    }
    if text.contains("server does not support TLS") {
        return SharedError::Tls {
            target,
            message: format!(
                "the server does not offer TLS, and runsheet does not fall back to plaintext ({})",
                settings.tls.summary
            ),
        };
    }
    if text.starts_with("error performing TLS handshake") {
        let why = text
            .trim_start_matches("error performing TLS handshake")
            .trim_start_matches(": ");
        let advice = if why.contains("hostname mismatch") || why.contains("IP address mismatch") {
            "the certificate is not for the host name connected to: use the name on the \
             certificate in host= (with hostaddr= for the address if needed)"
        } else if why.contains("certificate verify failed") {
            "the server's certificate is not signed by a trusted CA: give the CA's certificate \
             with sslrootcert=FILE (or PGSSLROOTCERT); runsheet checks the certificate for every \
             host that is not on this machine"
        } else {
            "check sslmode, sslrootcert, sslcert and sslkey"
        };
        return SharedError::Tls {
            target,
            message: format!("{why} — {advice}"),
        };
    }
    if text.starts_with("invalid configuration") || text.starts_with("invalid connection string") {
        return SharedError::Config(format!("{target}: {text}"));
    }
    // Only a link problem counts as "unreachable" (a change may then wait and be resent); any
    // other client error is a bug to report, never a reason to queue.
    let link = e.is_closed()
        || [
            "error communicating with the server",
            "error connecting to server",
            "timeout waiting for server",
            "connection closed",
        ]
        .iter()
        .any(|p| text.starts_with(p));
    if link {
        SharedError::Unreachable {
            target,
            message: text,
        }
    } else {
        SharedError::Invalid(format!("{target}: client error: {text}"))
    }
}
