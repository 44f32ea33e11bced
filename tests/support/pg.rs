//! Tests against a real PostgreSQL server. `RUNSHEET_TEST_PG` (from `scripts/pg-test-cluster.sh
//! start`, which `.ci/run` runs) is a key=value connection string for the admin role. Each test
//! makes its own database (and role names prefixed by it) so tests run in parallel; tests that kill
//! or stop a server start a cluster of their own with the same script.
#![allow(dead_code)]

use runsheet::pg::conninfo;
use runsheet::pg::settings::{MapEnv, Settings};
use std::path::{Path, PathBuf};
use std::process::Command;

#[path = "tools.rs"]
pub mod tools;

/// The admin connection string, or `None` (skip; fails under CI=true) when no server is set up.
pub fn admin(test: &str) -> Option<String> {
    let v = std::env::var("RUNSHEET_TEST_PG")
        .ok()
        .filter(|v| !v.is_empty());
    if tools::require(
        v.is_some(),
        "PostgreSQL (RUNSHEET_TEST_PG)",
        test,
        "eval \"$(scripts/pg-test-cluster.sh start)\" first",
    ) {
        v
    } else {
        None
    }
}

/// Whether this machine can start clusters of its own (server binaries + the script).
pub fn can_start_clusters(test: &str) -> bool {
    let ok = std::env::var("RUNSHEET_TEST_PG").is_ok_and(|v| !v.is_empty())
        && std::env::var("RUNSHEET_TEST_PG_BIN")
            .is_ok_and(|b| Path::new(&b).join("initdb").exists());
    tools::require(
        ok,
        "PostgreSQL server binaries (RUNSHEET_TEST_PG_BIN)",
        test,
        "eval \"$(scripts/pg-test-cluster.sh start)\" first",
    )
}

/// A plain client.
pub fn client(conninfo: &str) -> postgres::Client {
    postgres::Client::connect(conninfo, postgres::NoTls).expect("connect to the test server")
}

/// Settings for `conninfo` with an empty environment and a private home (no ~/.pgpass surprises).
pub fn settings(conninfo: &str, home: &Path) -> Settings {
    let env = MapEnv {
        vars: Default::default(),
        home: Some(home.to_owned()),
        user: "nobody".into(),
    };
    Settings::resolve(&conninfo::parse(conninfo).expect("parse"), &env).expect("settings")
}

fn unique(prefix: &str) -> String {
    let mut b = [0u8; 4];
    getrandom::fill(&mut b).expect("random");
    let clean: String = prefix
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '_'
            }
        })
        .take(30)
        .collect();
    format!(
        "rs_{clean}_{:02x}{:02x}{:02x}{:02x}",
        b[0], b[1], b[2], b[3]
    )
}

/// A database of the test's own (dropped, with the roles made for it, at the end).
pub struct TestDb {
    /// Database name (also the prefix of role names).
    pub name: String,
    /// The admin connection string for this database.
    pub conninfo: String,
    server: String,
    roles: Vec<String>,
    /// A private home for settings resolution.
    pub home: tempfile::TempDir,
}

impl TestDb {
    /// A fresh database on the server `server` (a key=value admin connection string).
    pub fn on(server: &str, test: &str) -> TestDb {
        let name = unique(test);
        client(server)
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .expect("create database");
        TestDb {
            conninfo: format!("{server} dbname={name}"),
            name,
            server: server.to_owned(),
            roles: Vec::new(),
            home: tempfile::tempdir().expect("tempdir"),
        }
    }

    /// A fresh database on the shared test server, or `None` (skip).
    pub fn new(test: &str) -> Option<TestDb> {
        admin(test).map(|s| TestDb::on(&s, test))
    }

    /// An admin client on this database.
    pub fn admin(&self) -> postgres::Client {
        client(&self.conninfo)
    }

    /// Settings for the admin role.
    pub fn settings(&self) -> Settings {
        settings(&self.conninfo, self.home.path())
    }

    /// Settings for another role (trust auth on the test socket).
    pub fn settings_as(&self, role: &str) -> Settings {
        settings(&format!("{} user={role}", self.conninfo), self.home.path())
    }

    /// Creates the schema (as the admin).
    pub fn init(&self) {
        let mut s = runsheet::pg::connect::Session::connect(std::sync::Arc::new(self.settings()))
            .expect("connect");
        runsheet::pg::schema::init(&mut s, None).expect("db init");
    }

    /// A role name unique to this database: `<db>_<name>`.
    pub fn role(&self, name: &str) -> String {
        format!("{}_{name}", self.name)
    }

    /// Creates a team role (member of runsheet_team) and returns its name.
    pub fn team(&mut self, name: &str) -> String {
        let r = self.role(name);
        self.admin()
            .batch_execute(&format!("CREATE ROLE {r} NOLOGIN IN ROLE runsheet_team"))
            .expect("create team");
        self.roles.push(r.clone());
        r
    }

    /// Creates a login role in `teams` and returns its name.
    pub fn person(&mut self, name: &str, teams: &[&str]) -> String {
        let r = self.role(name);
        let mut sql = format!("CREATE ROLE {r} LOGIN");
        if !teams.is_empty() {
            sql.push_str(&format!(" IN ROLE {}", teams.join(", ")));
        }
        self.admin().batch_execute(&sql).expect("create person");
        self.roles.push(r.clone());
        r
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Ok(mut c) = postgres::Client::connect(&self.server, postgres::NoTls) {
            let _ = c.batch_execute(&format!(
                "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                self.name
            ));
            for r in self.roles.iter().rev() {
                let _ = c.batch_execute(&format!("DROP ROLE IF EXISTS {r}"));
            }
        }
    }
}

/// The repo's cluster script.
pub fn script() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/pg-test-cluster.sh")
}

/// A cluster of the test's own (for killing, stopping, TLS), stopped and removed at the end.
pub struct Cluster {
    /// Its directory.
    pub dir: PathBuf,
    /// Its port.
    pub port: u16,
    /// Admin key=value connection string (unix socket).
    pub admin: String,
}

impl Cluster {
    /// Starts one with `args` (e.g. `--ssl CERT KEY`, `--hba FILE`).
    pub fn start(args: &[&str]) -> Cluster {
        let out = Command::new("bash")
            .arg(script())
            .arg("start")
            .args(args)
            .output()
            .expect("run pg-test-cluster.sh");
        assert!(
            out.status.success(),
            "pg-test-cluster.sh start failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let text = String::from_utf8_lossy(&out.stdout);
        let get = |key: &str| -> String {
            text.split_whitespace()
                .find_map(|w| w.strip_prefix(&format!("{key}=")))
                .expect("script output")
                .trim_matches('\'')
                .to_owned()
        };
        let dir = PathBuf::from(get("RUNSHEET_TEST_PG_DIR"));
        let port: u16 = get("PGPORT").parse().expect("port");
        Cluster {
            admin: format!(
                "host={} port={port} user=rs_admin dbname=postgres",
                dir.display()
            ),
            dir,
            port,
        }
    }

    fn verb(&self, verb: &str) {
        let out = Command::new("bash")
            .arg(script())
            .arg(verb)
            .arg(&self.dir)
            .output()
            .expect("run pg-test-cluster.sh");
        assert!(
            out.status.success(),
            "pg-test-cluster.sh {verb} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// kill -9 of the postmaster and all its children.
    pub fn kill(&self) {
        self.verb("kill");
    }

    /// Fast shutdown, data kept.
    pub fn halt(&self) {
        self.verb("halt");
    }

    /// Starts it again (crash recovery after `kill`).
    pub fn restart(&self) {
        self.verb("restart");
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let _ = Command::new("bash")
            .arg(script())
            .arg("stop")
            .arg(&self.dir)
            .output();
    }
}

/// A template file in `dir` (a copy of a fixture under tests/fixtures/runs).
pub fn template(dir: &Path, fixture: &str) -> PathBuf {
    let src = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/runs")
        .join(fixture);
    let dst = dir.join(fixture);
    std::fs::copy(src, &dst).expect("copy fixture");
    dst
}

/// An actor.
pub fn actor(name: &str) -> runsheet::run::event::Actor {
    runsheet::run::event::Actor {
        user: "ops".into(),
        host: "test-host".into(),
        name: name.into(),
    }
}

/// Now.
pub fn now() -> chrono::DateTime<chrono::FixedOffset> {
    chrono::Local::now().fixed_offset()
}
