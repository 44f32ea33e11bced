//! When timed sections are planned: one rule for the operator's screen and every report.
//!
//! The window starts at the first section with a wall-clock time (`### 08:00 - Deploy`), on the
//! day the run started, in the run's offset; a template without clock times starts its window when
//! the run starts. `T-60 min` means 60 minutes before that window start.

use crate::model::{PlannedTime, Template};
use chrono::{DateTime, Duration, FixedOffset, NaiveTime};

fn at_clock(day_of: &DateTime<FixedOffset>, hour: u8, minute: u8) -> Option<DateTime<FixedOffset>> {
    let t = NaiveTime::from_hms_opt(u32::from(hour), u32::from(minute), 0)?;
    day_of
        .date_naive()
        .and_time(t)
        .and_local_timezone(*day_of.offset())
        .single()
}

/// The first wall-clock section time on the run's start day, if the template has one.
pub fn clock_window_start(
    template: &Template,
    run_start: &DateTime<FixedOffset>,
) -> Option<DateTime<FixedOffset>> {
    template.sections.iter().find_map(|s| match s.planned_time {
        Some(PlannedTime::Clock { hour, minute }) => at_clock(run_start, hour, minute),
        _ => None,
    })
}

/// The window start: [`clock_window_start`], else the run's start.
pub fn window_start(
    template: &Template,
    run_start: &DateTime<FixedOffset>,
) -> DateTime<FixedOffset> {
    clock_window_start(template, run_start).unwrap_or(*run_start)
}

/// When a planned time falls for a run that started at `run_start`.
pub fn planned_at(
    p: PlannedTime,
    template: &Template,
    run_start: &DateTime<FixedOffset>,
) -> Option<DateTime<FixedOffset>> {
    match p {
        PlannedTime::Clock { hour, minute } => at_clock(run_start, hour, minute),
        PlannedTime::Offset { minutes } => {
            Some(window_start(template, run_start) + Duration::minutes(i64::from(minutes)))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<FixedOffset> {
        DateTime::parse_from_rfc3339(s).expect("rfc3339")
    }

    #[test]
    fn offsets_count_from_the_first_clock_section() {
        let t = crate::template::parse_str(
            "w.md",
            "## T-30 min: Prep\n- [ ] a\n## 08:00 Deploy\n- [ ] b\n",
        )
        .expect("loads");
        let start = at("2026-11-23T07:10:00+01:00");
        assert_eq!(window_start(&t, &start), at("2026-11-23T08:00:00+01:00"));
        let prep = t.sections[0].planned_time.expect("timed");
        assert_eq!(
            planned_at(prep, &t, &start),
            Some(at("2026-11-23T07:30:00+01:00"))
        );
    }

    #[test]
    fn without_clock_sections_the_window_starts_with_the_run() {
        let t = crate::template::parse_str("w.md", "## T+15\n- [ ] a\n").expect("loads");
        let start = at("2026-11-23T22:00:00+00:00");
        assert_eq!(window_start(&t, &start), start);
        let p = t.sections[0].planned_time.expect("timed");
        assert_eq!(
            planned_at(p, &t, &start),
            Some(at("2026-11-23T22:15:00+00:00"))
        );
    }
}
