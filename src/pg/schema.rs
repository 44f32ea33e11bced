//! Versioned, embedded migrations: `runsheet db init` applies the pending ones in one transaction
//! under an advisory lock; `--print-sql` prints the same statements for a DBA.

/// One migration.
#[derive(Debug, Clone, Copy)]
pub struct Migration {
    /// Schema version it leads to.
    pub version: i32,
    /// What it does.
    pub description: &'static str,
    /// Its SQL.
    pub sql: &'static str,
}

/// Every migration, oldest first.
pub const MIGRATIONS: &[Migration] = &[Migration {
    version: 1,
    description: "shared runs: runs, templates, events (hash chain checked by constraints), presence, people, row-level security per team",
    sql: include_str!("sql/0001-shared-runs.sql"),
}];

/// The schema version this build writes.
pub const LATEST: i32 = 1;

/// The role whose privileges every team role inherits.
pub const TEAM_ROLE: &str = "runsheet_team";

/// Key of the advisory lock that serialises migrations.
pub const MIGRATION_LOCK: i64 = 0x7275_6e73_6865_6574; // "runsheet"

/// Creates the privilege-carrying role if it is missing (when we may).
pub const ROLE_SQL: &str = "DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = 'runsheet_team') THEN
        CREATE ROLE runsheet_team NOLOGIN;
    END IF;
EXCEPTION WHEN duplicate_object OR unique_violation THEN
    NULL; -- created meanwhile by a concurrent db init
END
$$;";

/// The schema and the version table every migration records itself in.
pub const BOOTSTRAP_SQL: &str = "CREATE SCHEMA IF NOT EXISTS runsheet;
CREATE TABLE IF NOT EXISTS runsheet.schema_version (
    version     integer NOT NULL PRIMARY KEY,
    description text NOT NULL,
    applied_at  timestamptz NOT NULL DEFAULT clock_timestamp(),
    applied_by  name NOT NULL DEFAULT session_user
);";

/// Quotes an SQL identifier.
pub fn quote_ident(s: &str) -> String {
    format!("\"{}\"", s.replace('"', "\"\""))
}

/// Quotes an SQL string literal.
pub fn quote_literal(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

/// The SQL a DBA runs instead of `runsheet db init`: the migrations after `from` (0: all), in one
/// transaction, as `owner` when given.
pub fn script(from: i32, owner: Option<&str>) -> String {
    let mut out = String::new();
    out.push_str(&format!(
        "-- runsheet {}: shared-store schema, version {from} → {LATEST}.\n\
         -- Run it once, as a role allowed to create the schema (it will own the tables):\n\
         --   psql -v ON_ERROR_STOP=1 -d DBNAME -f runsheet-schema.sql\n\
         -- The roles it grants to (runsheet_team, one NOLOGIN role per team, one LOGIN role per\n\
         -- person) are described in docs/teams.md.\n\n",
        env!("CARGO_PKG_VERSION")
    ));
    out.push_str("BEGIN;\n");
    if let Some(o) = owner {
        out.push_str(&format!("SET LOCAL ROLE {};\n", quote_ident(o)));
    }
    out.push_str(&format!(
        "SELECT pg_advisory_xact_lock({MIGRATION_LOCK});\n"
    ));
    out.push_str(ROLE_SQL);
    out.push('\n');
    out.push_str(BOOTSTRAP_SQL);
    out.push('\n');
    out.push_str(&format!(
        "DO $$ BEGIN\n    IF (SELECT coalesce(max(version), 0) FROM runsheet.schema_version) <> {from} THEN\n        RAISE EXCEPTION 'this script migrates schema version {from}; the database is at version %', (SELECT coalesce(max(version), 0) FROM runsheet.schema_version);\n    END IF;\nEND $$;\n"
    ));
    for m in MIGRATIONS.iter().filter(|m| m.version > from) {
        out.push_str(&format!(
            "\n-- migration {}: {}\n",
            m.version, m.description
        ));
        out.push_str(m.sql);
        out.push_str(&version_insert(m));
    }
    out.push_str("\nCOMMIT;\n");
    out
}

fn version_insert(m: &Migration) -> String {
    format!(
        "\nINSERT INTO runsheet.schema_version (version, description) VALUES ({}, {});\n",
        m.version,
        quote_literal(m.description)
    )
}

#[cfg(feature = "postgres")]
pub use apply::{DbStatus, InitReport, init, require_current, status};

#[cfg(feature = "postgres")]
mod apply {
    use super::*;
    use crate::pg::connect::Session;
    use crate::pg::error::SharedError;

    /// What `db init` did.
    #[derive(Debug, Clone)]
    pub struct InitReport {
        /// Version found (0: none).
        pub from: i32,
        /// Version now.
        pub to: i32,
    }

    /// Creates or migrates the schema (one transaction, under an advisory lock), as `owner` when
    /// given (`SET LOCAL ROLE`).
    pub fn init(session: &mut Session, owner: Option<&str>) -> Result<InitReport, SharedError> {
        let target = session.target();
        let client = session.client()?;
        let r = (|| -> Result<InitReport, postgres::Error> {
            let mut tx = client.transaction()?;
            if let Some(o) = owner {
                tx.batch_execute(&format!("SET LOCAL ROLE {}", quote_ident(o)))?;
            }
            tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])?;
            tx.batch_execute(ROLE_SQL)?;
            tx.batch_execute(BOOTSTRAP_SQL)?;
            let from: i32 = tx
                .query_one(
                    "SELECT coalesce(max(version), 0) FROM runsheet.schema_version",
                    &[],
                )?
                .get(0);
            if from > LATEST {
                return Ok(InitReport { from, to: from });
            }
            for m in MIGRATIONS.iter().filter(|m| m.version > from) {
                tx.batch_execute(m.sql)?;
                tx.batch_execute(&version_insert(m))?;
            }
            tx.commit()?;
            Ok(InitReport { from, to: LATEST })
        })();
        match r {
            Ok(rep) if rep.from > LATEST => Err(SharedError::Schema(format!(
                "{target} has schema version {}; this runsheet knows up to {LATEST}: upgrade runsheet",
                rep.from
            ))),
            Ok(rep) => Ok(rep),
            Err(e) => {
                let mapped = session.fail(e);
                Err(match mapped {
                    SharedError::Forbidden(m) => SharedError::Forbidden(format!(
                        "{m}\n  db init needs a role that may create the schema (and the role \
                         runsheet_team, unless it exists): a DBA can run `runsheet db init \
                         --print-sql` instead; docs/teams.md has the one-time set-up"
                    )),
                    other => other,
                })
            }
        }
    }

    /// The schema version in the database (0: none), read without creating anything.
    pub fn version(session: &mut Session) -> Result<i32, SharedError> {
        let client = session.client()?;
        let r = (|| -> Result<i32, postgres::Error> {
            let exists: bool = client
                .query_one(
                    "SELECT to_regclass('runsheet.schema_version') IS NOT NULL",
                    &[],
                )?
                .get(0);
            if !exists {
                return Ok(0);
            }
            Ok(client
                .query_one(
                    "SELECT coalesce(max(version), 0) FROM runsheet.schema_version",
                    &[],
                )?
                .get(0))
        })();
        r.map_err(|e| session.fail(e))
    }

    /// Refuses to work on a schema that is missing, older (run `db init`) or newer (upgrade).
    pub fn require_current(session: &mut Session) -> Result<(), SharedError> {
        let v = version(session)?;
        let target = session.target();
        match v {
            LATEST => Ok(()),
            0 => Err(SharedError::Schema(format!(
                "{target} has no runsheet schema (or this role may not see it): run `runsheet db init --store …` \
                 (or have a DBA run `runsheet db init --print-sql`)"
            ))),
            v if v < LATEST => Err(SharedError::Schema(format!(
                "{target} has schema version {v}; this runsheet needs {LATEST}: run `runsheet db init --store …` to migrate"
            ))),
            v => Err(SharedError::Schema(format!(
                "{target} has schema version {v}; this runsheet knows up to {LATEST}: upgrade runsheet"
            ))),
        }
    }

    /// What `db status` shows.
    #[derive(Debug, Clone, serde::Serialize)]
    pub struct DbStatus {
        /// `host:port/db as role`.
        pub target: String,
        /// Schema version (0: none).
        pub schema_version: i32,
        /// The version this build writes.
        pub supported_version: i32,
        /// Migrations applied: (version, when, by whom).
        pub applied: Vec<(i32, String, String)>,
        /// `server_version`.
        pub server_version: String,
        /// The authenticated role.
        pub role: String,
        /// Team roles the role belongs to.
        pub teams: Vec<String>,
        /// `fsync`.
        pub fsync: bool,
        /// `synchronous_commit` the server gave the session.
        pub server_synchronous_commit: String,
        /// `synchronous_commit` of this session (runsheet raises it to `on`).
        pub session_synchronous_commit: String,
        /// `synchronous_standby_names`.
        pub synchronous_standby_names: String,
        /// `full_page_writes`.
        pub full_page_writes: bool,
        /// A read-only standby.
        pub in_recovery: bool,
        /// TLS of this connection, if any.
        pub tls: Option<String>,
        /// What the TLS plan was.
        pub tls_plan: String,
        /// Runs this role can see.
        pub visible_runs: Option<i64>,
    }

    /// Reads the schema version and the server's durability facts.
    pub fn status(session: &mut Session) -> Result<DbStatus, SharedError> {
        let schema_version = version(session)?;
        let facts = session.facts().clone();
        let target = session.target();
        let plan = session.settings().tls.summary.clone();
        let client = session.client()?;
        let r = (|| -> Result<DbStatus, postgres::Error> {
            let sc: String = client
                .query_one("SELECT current_setting('synchronous_commit')", &[])?
                .get(0);
            let mut applied = Vec::new();
            let mut visible = None;
            let mut teams = Vec::new();
            if schema_version > 0 {
                for row in client.query(
                    "SELECT version, to_char(applied_at, 'YYYY-MM-DD\"T\"HH24:MI:SSTZH:TZM'), applied_by::text \
                     FROM runsheet.schema_version ORDER BY version",
                    &[],
                )? {
                    applied.push((row.get(0), row.get(1), row.get(2)));
                }
                visible = client
                    .query_one("SELECT count(*) FROM runsheet.runs", &[])
                    .ok()
                    .map(|r| r.get(0));
                teams = super::super::engine::teams_of(client)?;
            }
            Ok(DbStatus {
                target,
                schema_version,
                supported_version: LATEST,
                applied,
                server_version: facts.version.clone(),
                role: facts.role.clone(),
                teams,
                fsync: facts.fsync,
                server_synchronous_commit: facts.synchronous_commit.clone(),
                session_synchronous_commit: sc,
                synchronous_standby_names: facts.synchronous_standby_names.clone(),
                full_page_writes: facts.full_page_writes,
                in_recovery: facts.in_recovery,
                tls: facts.tls.clone(),
                tls_plan: plan,
                visible_runs: visible,
            })
        })();
        r.map_err(|e| session.fail(e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_script_holds_every_migration_and_records_versions() {
        let s = script(0, Some("runsheet_owner"));
        assert!(s.starts_with("-- runsheet "));
        assert!(s.contains("SET LOCAL ROLE \"runsheet_owner\";"));
        assert!(s.contains("CREATE TABLE runsheet.events"));
        assert!(
            s.contains("INSERT INTO runsheet.schema_version (version, description) VALUES (1, ")
        );
        assert!(s.trim_end().ends_with("COMMIT;"));
        assert_eq!(MIGRATIONS.last().map(|m| m.version), Some(LATEST));
        let none = script(LATEST, None);
        assert!(!none.contains("CREATE TABLE runsheet.events"));
    }

    #[test]
    fn identifiers_and_literals_are_quoted() {
        assert_eq!(quote_ident("a\"b"), "\"a\"\"b\"");
        assert_eq!(quote_literal("it's"), "'it''s'");
    }
}
