//! Text cleaning and scanning shared by every layer: the leaf module that the loader, the run, the
//! store and the screen may all use (it imports nothing of the crate).
//!
//! - [`sanitize`]: control, escape, bidi and zero-width characters → visible marks.
//! - [`mustache`]: `{{ NAME }}` occurrences.
//! - [`columns`]: rows of cells laid out as aligned columns (tables in the detail pane and reports).
//! - [`bytes`]: byte tests a word at a time, for short texts looked at many times.

pub mod bytes;
pub mod columns;
pub mod mustache;
pub mod sanitize;

pub use sanitize::{clean_line, clean_multiline};
