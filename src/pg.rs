//! The shared store: runs in PostgreSQL, for teams spread over machines, with the local journal's
//! guarantees (see `docs/teams.md` and `ARCHITECTURE.md`).
//!
//! - [`conninfo`], [`settings`], [`pgpass`], [`service`]: connection strings and the libpq
//!   conventions (`PG*`, `~/.pgpass`, service files), the TLS rule. Pure: no server, no feature.
//! - [`schema`]: the embedded, versioned migrations (`db init`, `--print-sql`).
//! - [`outbox`]: the durable local queue for a dropped link.
//! - with the `postgres` feature: [`connect`] (sessions), [`tls`], [`engine`] (the store and an
//!   open run: create, open, append, catch up, push, export, outbox sending), [`presence`],
//!   [`follow`] (LISTEN).
//!
//! The event line stored is the sealed journal line, byte for byte, so an exported run is a local
//! run that `verify` checks offline. The database checks the chain itself (constraints).

pub mod conninfo;
pub mod error;
pub mod outbox;
pub mod pgpass;
pub mod schema;
pub mod service;
pub mod settings;

#[cfg(feature = "postgres")]
pub mod connect;
#[cfg(feature = "postgres")]
pub mod engine;
#[cfg(feature = "postgres")]
pub mod follow;
#[cfg(feature = "postgres")]
pub mod presence;
#[cfg(feature = "postgres")]
pub mod tls;

pub use error::SharedError;
pub use settings::Settings;

/// Whether this build has the PostgreSQL client (the `postgres` cargo feature).
pub const ENABLED: bool = cfg!(feature = "postgres");

/// `Ok` when the PostgreSQL client is built in, else [`SharedError::FeatureOff`].
pub fn require_feature() -> Result<(), SharedError> {
    if ENABLED {
        Ok(())
    } else {
        Err(SharedError::FeatureOff)
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_build_without_the_feature_says_so() {
        let r = super::require_feature();
        assert_eq!(r.is_ok(), cfg!(feature = "postgres"));
        if let Err(e) = r {
            assert!(
                e.to_string()
                    .contains("built without the `postgres` feature"),
                "{e}"
            );
            assert!(e.is_unavailable());
        }
    }
}
