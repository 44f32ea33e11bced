//! What a run looks like to a script or an auditor: `status --json`, human status, and the
//! `report` in Markdown, JSON or self-contained HTML.
//!
//! The JSON shapes are a contract (issue 3); field names here are the ones scripts read. The
//! Markdown and HTML reports are one document ([`doc`]) built from the JSON report; their writers
//! only format and escape it.

pub mod commands;
pub mod data;
pub mod doc;
pub mod html;
pub mod json;
pub mod markdown;
pub mod text;
pub mod timeline;

pub use data::{
    ActorJson, Blockers, HoldJson, ItemJson, NoteJson, ProgressJson, RunJson, SectionJson,
    StatusJson, UndoneJson, WindowJson, item_json, progress_json, run_json, sections_json,
    status_json,
};

use crate::run::event::show_time;
use chrono::{DateTime, FixedOffset, Utc};

/// The context a report is made in: drift and warnings found when the run was opened, and the
/// clock (overdue marks, countdowns and the now-line of an active run are judged against it).
#[derive(Debug, Clone, Default)]
pub struct Context {
    /// SHA-256 of the original template file when it differs from the run's.
    pub drift_sha256: Option<String>,
    /// Warnings (torn journal, damaged snapshot, …).
    pub warnings: Vec<String>,
    /// Whether the run opened read-only.
    pub read_only: bool,
    /// Now; the system clock when `None`.
    pub now: Option<DateTime<FixedOffset>>,
}

impl Context {
    /// The time the report is made at.
    pub fn now(&self) -> DateTime<FixedOffset> {
        self.now.unwrap_or_else(|| Utc::now().fixed_offset())
    }
}

/// RFC 3339 with seconds and offset.
pub fn time(t: &DateTime<FixedOffset>) -> String {
    show_time(t)
}

/// `2026-11-23 21:04:05 +01:00 (20:04:05 UTC)`.
pub fn local_and_utc(t: &DateTime<FixedOffset>) -> String {
    format!(
        "{} ({} UTC)",
        t.format("%Y-%m-%d %H:%M:%S %:z"),
        t.with_timezone(&Utc).format("%H:%M:%S")
    )
}

/// [`local_and_utc`] of an RFC 3339 string (the string itself when it does not parse).
pub fn when(s: &str) -> String {
    DateTime::parse_from_rfc3339(s).map_or_else(|_| s.to_owned(), |t| local_and_utc(&t))
}

/// Parses an RFC 3339 string.
pub fn parse_time(s: Option<&str>) -> Option<DateTime<FixedOffset>> {
    s.and_then(|s| DateTime::parse_from_rfc3339(s).ok())
}
