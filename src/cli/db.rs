//! `runsheet db init` and `runsheet db status`: the shared store's schema and the server's facts.

#[cfg(feature = "postgres")]
use super::EXIT_ERROR;
use super::EXIT_OK;
use super::shared::{SharedArgs, exit};
use crate::pg::{SharedError, schema};
use clap::{Args, Subcommand};

/// `db`.
#[derive(Debug, Clone, Args)]
pub struct DbArgs {
    /// What to do.
    #[command(subcommand)]
    pub command: DbCommand,
}

/// The `db` subcommands.
#[derive(Debug, Clone, Subcommand)]
pub enum DbCommand {
    /// Create or migrate the shared store's schema (one transaction; safe to run again).
    ///
    /// Example: runsheet db init --store postgresql://db.example.com/runsheet
    Init(InitArgs),
    /// Show the schema version and the server's durability facts (exit 1 when changes cannot be
    /// recorded there).
    ///
    /// Example: runsheet db status --store postgresql://db.example.com/runsheet --json
    Status(DbStatusArgs),
}

/// `db init`.
#[derive(Debug, Clone, Args)]
pub struct InitArgs {
    /// Print the SQL instead (for a DBA to review and run with psql); needs no connection.
    #[arg(long)]
    pub print_sql: bool,
    /// With --print-sql: only the migrations after this schema version.
    #[arg(long, value_name = "N", requires = "print_sql", default_value_t = 0)]
    pub from_version: i32,
    /// Create the tables as this role (`SET ROLE`; you must be a member): the owner, apart from
    /// the people's roles.
    #[arg(long, value_name = "ROLE")]
    pub owner: Option<String>,
    /// The store.
    #[command(flatten)]
    pub shared: SharedArgs,
}

/// `db status`.
#[derive(Debug, Clone, Args)]
pub struct DbStatusArgs {
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
    /// The store.
    #[command(flatten)]
    pub shared: SharedArgs,
}

/// Runs `db`.
pub fn run(a: DbArgs) -> color_eyre::Result<i32> {
    match a.command {
        DbCommand::Init(a) if a.print_sql => {
            print!("{}", schema::script(a.from_version, a.owner.as_deref()));
            Ok(EXIT_OK)
        }
        DbCommand::Init(a) => exit(init(&a)),
        DbCommand::Status(a) => status(&a),
    }
}

#[cfg(feature = "postgres")]
fn init(a: &InitArgs) -> Result<(), SharedError> {
    let settings = a.shared.settings()?;
    let mut session = crate::pg::connect::Session::connect(std::sync::Arc::new(settings))?;
    let r = schema::init(&mut session, a.owner.as_deref())?;
    if r.from == r.to {
        println!(
            "{}: schema version {} is current; nothing to do",
            session.target(),
            r.to
        );
    } else if r.from == 0 {
        println!("{}: schema created (version {})", session.target(), r.to);
    } else {
        println!(
            "{}: schema migrated from version {} to {}",
            session.target(),
            r.from,
            r.to
        );
    }
    if !session.facts().fsync {
        eprintln!(
            "runsheet: warning: the server runs with fsync=off: runsheet will refuse to record changes there"
        );
    }
    Ok(())
}

#[cfg(not(feature = "postgres"))]
fn init(a: &InitArgs) -> Result<(), SharedError> {
    a.shared.settings().map(|_| ())
}

#[cfg(feature = "postgres")]
fn status(a: &DbStatusArgs) -> color_eyre::Result<i32> {
    let r = (|| -> Result<schema::DbStatus, SharedError> {
        let settings = a.shared.settings()?;
        let mut session = crate::pg::connect::Session::connect(std::sync::Arc::new(settings))?;
        schema::status(&mut session)
    })();
    let st = match r {
        Ok(s) => s,
        Err(e) => return Ok(super::shared::fail(&e)),
    };
    let usable = st.schema_version == st.supported_version && st.fsync && !st.in_recovery;
    if a.json {
        let mut v = serde_json::to_value(&st).unwrap_or_default();
        if let Some(o) = v.as_object_mut() {
            o.insert("usable".into(), serde_json::Value::Bool(usable));
        }
        println!("{}", serde_json::to_string_pretty(&v).unwrap_or_default());
    } else {
        print!("{}", status_text(&st));
    }
    Ok(if usable { EXIT_OK } else { EXIT_ERROR })
}

#[cfg(not(feature = "postgres"))]
fn status(a: &DbStatusArgs) -> color_eyre::Result<i32> {
    Ok(match a.shared.settings() {
        Ok(_) => EXIT_OK,
        Err(e) => super::shared::fail(&e),
    })
}

/// The text `db status` prints.
#[cfg(feature = "postgres")]
pub fn status_text(st: &schema::DbStatus) -> String {
    use std::fmt::Write;
    let mut s = String::new();
    let yes = |b: bool| if b { "on" } else { "OFF" };
    let _ = writeln!(s, "store:      {}", st.target);
    let _ = writeln!(s, "server:     PostgreSQL {}", st.server_version);
    match st.schema_version {
        0 => {
            let _ = writeln!(
                s,
                "schema:     none — `runsheet db init --store …` creates it"
            );
        }
        v if v == st.supported_version => {
            let _ = writeln!(s, "schema:     version {v} (current)");
        }
        v if v < st.supported_version => {
            let _ = writeln!(
                s,
                "schema:     version {v}, older than this runsheet's {} — `runsheet db init` migrates it",
                st.supported_version
            );
        }
        v => {
            let _ = writeln!(
                s,
                "schema:     version {v}, newer than this runsheet's {} — upgrade runsheet",
                st.supported_version
            );
        }
    }
    for (v, at, by) in &st.applied {
        let _ = writeln!(s, "            version {v} applied {at} by {by}");
    }
    let teams = if st.teams.is_empty() {
        "no team: runs it creates are its own".to_owned()
    } else {
        format!("teams: {}", st.teams.join(", "))
    };
    let _ = writeln!(s, "role:       {} ({teams})", st.role);
    if let Some(n) = st.visible_runs {
        let _ = writeln!(s, "runs:       {n} visible to this role");
    }
    let _ = writeln!(
        s,
        "tls:        {} — {}",
        st.tls.as_deref().unwrap_or("off"),
        st.tls_plan
    );
    let _ = writeln!(
        s,
        "fsync:      {}{}",
        yes(st.fsync),
        if st.fsync {
            ""
        } else {
            " — a crash can lose committed events: runsheet refuses to record changes here"
        }
    );
    let _ = writeln!(
        s,
        "synchronous_commit: server gives {}, this session runs {} (every event is committed with `on`)",
        st.server_synchronous_commit, st.session_synchronous_commit
    );
    let _ = writeln!(
        s,
        "standbys:   {}",
        if st.synchronous_standby_names.is_empty() {
            "no synchronous standby: a failover to an asynchronous standby can lose acknowledged events".to_owned()
        } else {
            format!(
                "synchronous_standby_names = {}",
                st.synchronous_standby_names
            )
        }
    );
    let _ = writeln!(s, "full_page_writes: {}", yes(st.full_page_writes));
    if st.in_recovery {
        let _ = writeln!(
            s,
            "mode:       read-only standby — connect to the primary to record changes"
        );
    }
    s
}
