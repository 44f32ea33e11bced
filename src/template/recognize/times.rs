//! Timed headings: the planned time a section heading carries, read with [`crate::when`].
//!
//! Where the time may stand: at the start of the heading (`08:00 - Deploy`, `T-30 Prep`,
//! `Day 2 08:00 Verify`, `2024-12-10 08:00 Cut-over`), after a short label (`Phase 3: 10:00 - 11:00
//! Cutover`, `Cutover — 22:00 CET`), or in parentheses anywhere (`Pre-deployment (T-60 minutes)`,
//! `Deploy (08:00-09:00)`). A duration in parentheses (`(30 min)`) after the time gives the end.

use crate::model::{PlannedAt, PlannedEnd, PlannedTime};
use crate::when::{self, End, Moment};

fn from_moment(m: Moment) -> PlannedTime {
    PlannedTime {
        at: PlannedAt::Clock {
            hour: m.clock.hour,
            minute: m.clock.minute,
        },
        date: m.date,
        day: m.day,
        zone: m.zone,
        end: m.end.map(|e| match e {
            End::Clock { clock, zone } => PlannedEnd::Clock {
                hour: clock.hour,
                minute: clock.minute,
                zone,
            },
            End::Minutes(minutes) => PlannedEnd::Duration { minutes },
        }),
    }
}

/// Whether `s` opens with a clock time, a dated time or a window offset (`08:00 Start`, `T+15`).
pub fn starts_with_time(s: &str) -> bool {
    time_at_start(s).is_some()
}

/// A clock time or a window offset at the very start of `s`, and the rest of the text.
fn time_at_start(s: &str) -> Option<(PlannedTime, &str)> {
    if let Ok(Some((m, rest))) = when::moment_prefix(s) {
        return Some((from_moment(m), rest));
    }
    let (minutes, rest) = when::offset_prefix(s)?;
    let mut p = PlannedTime::offset(minutes);
    // `T+0 - T+30 Failover`: a range of offsets gives the end.
    if let Some(after) = range_sep(rest)
        && let Some((end, r)) = when::offset_prefix(after)
        && end > minutes
        && let Ok(len) = u32::try_from(end - minutes)
    {
        p.end = Some(PlannedEnd::Duration { minutes: len });
        return Some((p, r));
    }
    Some((p, rest))
}

fn range_sep(s: &str) -> Option<&str> {
    let t = s.trim_start();
    ["-", "–", "—", "to "]
        .iter()
        .find_map(|sep| t.strip_prefix(sep))
        .map(str::trim_start)
}

/// A duration in parentheses or brackets anywhere in `s` (`(30 min)`, `[~45 minutes]`).
fn duration_in(s: &str) -> Option<u32> {
    s.match_indices(['(', '['])
        .find_map(|(i, _)| when::duration_prefix(s[i + 1..].trim_start()).map(|d| d.0))
}

/// The planned time of a heading, if it carries one.
pub fn planned_time(title: &str) -> Option<PlannedTime> {
    let t = title.trim_start().trim_start_matches(['(', '[', '*', '_']);
    let found = time_at_start(t)
        .or_else(|| after_label(t))
        .or_else(|| in_parentheses(title));
    let (mut p, rest) = found?;
    if p.end.is_none()
        && let Some(minutes) = duration_in(rest)
    {
        p.end = Some(PlannedEnd::Duration { minutes });
    }
    Some(p)
}

/// `Phase 3: 10:00 - 11:00 Cutover`, `Cutover — 22:00 CET`: a clock time right after a label of at
/// most four words and a colon or dash. Offsets count here too (`Prep: T-30`).
fn after_label(t: &str) -> Option<(PlannedTime, &str)> {
    for sep in [": ", " — ", " – ", " - "] {
        if let Some((label, rest)) = t.split_once(sep)
            && !label.is_empty()
            && label.split_whitespace().count() <= 4
            && label.chars().count() <= 40
            && let Some(found) = time_at_start(rest.trim_start())
        {
            return Some(found);
        }
    }
    None
}

fn in_parentheses(title: &str) -> Option<(PlannedTime, &str)> {
    title
        .match_indices(['(', '['])
        .find_map(|(i, _)| time_at_start(title[i + 1..].trim_start()))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::when::Zone;
    use chrono::NaiveDate;

    fn clock(hour: u8, minute: u8) -> Option<PlannedTime> {
        Some(PlannedTime::clock(hour, minute))
    }

    fn off(minutes: i32) -> Option<PlannedTime> {
        Some(PlannedTime::offset(minutes))
    }

    fn shown(title: &str) -> Option<String> {
        planned_time(title).map(|p| p.to_string())
    }

    #[test]
    fn timed_headings() {
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
        assert_eq!(planned_time("Step 3: 2 servers"), None);
    }

    #[test]
    fn every_way_people_write_a_time() {
        for (title, want) in [
            ("T+0 Failover", "T+0m"),
            ("T+15 Verification", "T+15m"),
            ("T-30 Prep", "T-30m"),
            ("T-1h", "T-60m"),
            ("T+1h30m Soak", "T+90m"),
            ("08:00 - 09:00 Deploy", "08:00–09:00"),
            ("08:00–08:30 Smoke tests", "08:00–08:30"),
            ("8:30 PM Cut-over", "20:30"),
            ("20:30h Go-live", "20:30"),
            ("08:00 UTC Freeze", "08:00 UTC"),
            ("08:00 AM UTC+7 Start", "08:00 UTC+07:00"),
            ("08:00 CET Start", "08:00 CET"),
            ("Day 2 08:00 Verify", "Day 2 08:00"),
            ("2024-12-10 08:00 Deploy", "2024-12-10 08:00"),
            ("08:00 Deploy (30 min)", "08:00 (30 min)"),
            ("T+15 Verify (~45 minutes)", "T+15m (45 min)"),
            ("Phase 3: 10:00 - 11:00 Cutover", "10:00–11:00"),
            ("Cutover — 22:00 Europe/Berlin", "22:00 Europe/Berlin"),
            ("Deploy (08:00-09:00)", "08:00–09:00"),
            ("T+0 – T+30 Failover", "T+0m (30 min)"),
            ("22:00-02:00 CET Maintenance", "22:00–02:00 CET"),
        ] {
            assert_eq!(shown(title).as_deref(), Some(want), "{title}");
        }
        let p = planned_time("2024-12-10 08:00 AM UTC+7 Deploy").unwrap();
        assert_eq!(p.date, NaiveDate::from_ymd_opt(2024, 12, 10));
        assert_eq!(p.zone, Zone::parse("UTC+7"));
    }

    #[test]
    fn planned_times_read_back_from_json_old_and_new() {
        // As written before zones, dates and ends existed.
        let old: PlannedTime =
            serde_json::from_str(r#"{"type":"clock","hour":8,"minute":0}"#).expect("old clock");
        assert_eq!(old, PlannedTime::clock(8, 0));
        let old: PlannedTime =
            serde_json::from_str(r#"{"type":"offset","minutes":-60}"#).expect("old offset");
        assert_eq!(old, PlannedTime::offset(-60));
        for title in [
            "2024-12-10 08:00 AM UTC+7 - 09:00 Deploy",
            "Day 2 22:00-02:00 CET",
            "T+15 Soak (45 min)",
        ] {
            let p = planned_time(title).expect(title);
            let json = serde_json::to_string(&p).expect("json");
            assert_eq!(
                serde_json::from_str::<PlannedTime>(&json).expect(&json),
                p,
                "{json}"
            );
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(3000))]

        #[test]
        fn any_heading_reads_without_panic_or_control_characters(title in "\\PC{0,60}") {
            if let Some(p) = planned_time(&title) {
                let shown = p.to_string();
                proptest::prop_assert!(!shown.chars().any(char::is_control), "{shown:?}");
            }
        }

        #[test]
        fn time_like_headings_read_without_panic(
            title in "[0-9T+\\-–—:hHmM ./()\\[\\]~apmAPMUTCDay]{0,30}[A-Za-z ]{0,10}"
        ) {
            let _ = planned_time(&title);
        }
    }
}
