//! Recognisers for what GFM does not know, as pure functions over text: go/no-go gates
//! ([`gates`]), status glyphs and status columns ([`status`]), sign-off lines and metadata
//! placeholders ([`signoffs`]), and timed headings (below).

pub mod gates;
pub mod signoffs;
pub mod status;

pub use gates::mentions_go_no_go;
pub use signoffs::{
    Fill, blank_rest, bracket_placeholders, is_label, is_role_like, metadata_placeholders,
    signoff_role, signoff_role_line, split_label,
};
pub use status::{
    CellStatus, checkbox_glyph, glyph_status, is_status_header, leading_glyph, word_status,
};

use crate::model::PlannedTime;

fn take_number(s: &str) -> Option<(u32, &str)> {
    let end = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
    if end == 0 || end > 4 {
        return None;
    }
    Some((s[..end].parse().ok()?, &s[end..]))
}

fn clock_at_start(s: &str) -> Option<PlannedTime> {
    let (hour, rest) = take_number(s)?;
    let rest = rest.strip_prefix(':').or_else(|| rest.strip_prefix('h'))?;
    let (minute, rest) = take_number(rest)?;
    if rest.starts_with(|c: char| c.is_ascii_digit()) || hour > 23 || minute > 59 {
        return None;
    }
    let rest = rest
        .strip_prefix(':')
        .and_then(|r| take_number(r).map(|(_, r)| r))
        .unwrap_or(rest);
    let suffix = rest.trim_start().to_ascii_lowercase();
    let is_pm = suffix.starts_with("pm") || suffix.starts_with("p.m");
    let is_am = suffix.starts_with("am") || suffix.starts_with("a.m");
    let hour = match (hour, is_am, is_pm) {
        (12, true, _) => 0,
        (h, _, true) if h < 12 => h + 12,
        (h, _, _) => h,
    };
    Some(PlannedTime::Clock {
        hour: u8::try_from(hour).ok()?,
        minute: u8::try_from(minute).ok()?,
    })
}

fn offset_at(s: &str) -> Option<PlannedTime> {
    let s = s.strip_prefix(['T', 't'])?.trim_start();
    let (sign, rest) = match s.chars().next()? {
        '-' | '−' | '–' => (-1, &s[s.chars().next()?.len_utf8()..]),
        '+' => (1, &s[1..]),
        '0' => (1, s),
        _ => return None,
    };
    let (n, rest) = take_number(rest.trim_start())?;
    let unit = rest.trim_start().to_ascii_lowercase();
    let word_end = unit
        .find(|c: char| !c.is_ascii_alphabetic())
        .unwrap_or(unit.len());
    let factor = match &unit[..word_end] {
        "" | "m" | "min" | "mins" | "minute" | "minutes" => 1,
        "h" | "hr" | "hrs" | "hour" | "hours" => 60,
        "d" | "day" | "days" => 1440,
        _ => return None,
    };
    let minutes = i32::try_from(n)
        .ok()?
        .checked_mul(factor)?
        .checked_mul(sign)?;
    Some(PlannedTime::Offset { minutes })
}

/// The planned time of a heading: a clock time at its start (`08:00 - Start`, `13:30 Verify`,
/// `9:15 PM`), or a window offset at its start or in parentheses (`T-60 min`, `T+15`,
/// `Pre-Deployment (T-60 minutes)`).
pub fn planned_time(title: &str) -> Option<PlannedTime> {
    let t = title.trim_start().trim_start_matches(['(', '[', '*', '_']);
    if let Some(p) = clock_at_start(t).or_else(|| offset_at(t)) {
        return Some(p);
    }
    title
        .match_indices('(')
        .find_map(|(i, _)| offset_at(title[i + 1..].trim_start()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timed_headings() {
        let clock = |hour, minute| Some(PlannedTime::Clock { hour, minute });
        let off = |minutes| Some(PlannedTime::Offset { minutes });
        assert_eq!(planned_time("08:00 - Deployment Start"), clock(8, 0));
        assert_eq!(planned_time("13:30 Verify"), clock(13, 30));
        assert_eq!(planned_time("9:15 PM rollback cut-off"), clock(21, 15));
        assert_eq!(planned_time("12:05 am"), clock(0, 5));
        assert_eq!(planned_time("T-60 min"), off(-60));
        assert_eq!(planned_time("T+15"), off(15));
        assert_eq!(planned_time("T-2h prep"), off(-120));
        assert_eq!(planned_time("Pre-Deployment (T-60 minutes)"), off(-60));
        assert_eq!(planned_time("Deployment Start (T-0)"), off(0));
        assert_eq!(planned_time("Monitoring (15-30 minutes)"), None);
        assert_eq!(planned_time("T-Shirt sizes"), None);
        assert_eq!(planned_time("25:00 nonsense"), None);
        assert_eq!(planned_time("2024 plans"), None);
        assert_eq!(planned_time("Phase 1: Prep"), None);
    }
}
