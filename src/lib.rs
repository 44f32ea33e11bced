//! runsheet: walk a Markdown checklist live in the terminal, with a durable, shared record of the run.
//!
//! Library first: the binary is a thin wrapper over [`run`]. Domain modules (`model`, `template`) never
//! touch the terminal.

pub mod app;
pub mod backend;
pub mod catalog;
pub mod cli;
pub mod config;
pub mod exec;
#[cfg(feature = "test-support")]
pub mod harness;
pub mod input;
pub mod log;
pub mod model;
pub mod pg;
pub mod report;
pub mod run;
pub mod store;
pub mod template;
pub mod text;
pub mod tui;
pub mod ui;
pub mod when;

pub use cli::run;
