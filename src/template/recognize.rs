//! Recognisers for what GFM does not know, as pure functions over text: go/no-go gates
//! ([`gates`]), status glyphs and status columns ([`status`]), sign-off lines and metadata
//! placeholders ([`signoffs`]), timed headings ([`times`]) and numbered step headings ([`steps`]).

pub mod gates;
pub mod signoffs;
pub mod status;
pub mod steps;
pub mod times;

pub use gates::mentions_go_no_go;
pub use signoffs::{
    Fill, blank_rest, bracket_placeholders, is_label, is_role_header, is_role_like,
    is_signature_header, metadata_placeholders, signoff_role, signoff_role_line, split_label,
};
pub use status::{
    CellStatus, checkbox_glyph, glyph_status, is_numbering_header, is_status_header, leading_glyph,
    with_header_lower, word_status,
};
pub use steps::is_step_heading;
pub use times::planned_time;
