//! The run's window: when it starts (date, time, zone), optionally when it ends, and where that
//! came from. In order: a journaled `window` event (`--window` at start, `runsheet window`, the
//! TUI), the template's metadata, a timed heading that carries its own date, else a guess — the
//! first clock section on the run's start day, or the run's start. A guess is always said to be one.

use super::Run;
use super::event::{Actor, show_time};
use crate::model::{PlannedAt, PlannedEnd, Template};
use crate::when::{ClockTime, End, WindowSpec, Zone};
use chrono::{DateTime, Duration, FixedOffset, NaiveDate, TimeZone};

/// Where the window came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WindowSource {
    /// A `window` event: `--window` at start, `runsheet window RUN START --reason …`, or the TUI.
    Given {
        /// Event `seq`.
        seq: u64,
        /// Who set it.
        by: Actor,
        /// When.
        at: DateTime<FixedOffset>,
        /// Why.
        reason: String,
    },
    /// The template's metadata (front matter or `**Deployment Date:** …` lines).
    Template {
        /// 1-based line of the first entry.
        line: usize,
        /// The entries, as written.
        source: Vec<String>,
    },
    /// A timed heading that carries its own date (`### 2024-12-10 08:00 Deploy`).
    Heading {
        /// Section index.
        section: usize,
    },
    /// A guess: the first clock section, on the day the run started.
    FirstClock {
        /// Section index.
        section: usize,
    },
    /// A guess: nothing says when the window is, so it starts when the run started.
    RunStart,
}

/// The window a run is measured against.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Window {
    /// Start, in the window's zone.
    pub start: DateTime<FixedOffset>,
    /// The zone clock headings are read in.
    pub zone: Zone,
    /// End, when known.
    pub end: Option<DateTime<FixedOffset>>,
    /// Where it came from.
    pub source: WindowSource,
    /// What was guessed, in words (`the date: the run's start day`), when anything was.
    pub guess: Option<String>,
}

impl Window {
    /// Whether any part of the window is a guess.
    pub fn is_guess(&self) -> bool {
        self.guess.is_some()
    }

    /// Whether the window has started at `now`.
    pub fn started<T: TimeZone>(&self, now: &DateTime<T>) -> bool {
        now.with_timezone(&chrono::Utc) >= self.start.with_timezone(&chrono::Utc)
    }

    /// `T-50m` before the start, `T+1h05` after it.
    pub fn t_label<T: TimeZone>(&self, now: &DateTime<T>) -> String {
        t_label(self.start, now.fixed_offset())
    }

    /// `2026-12-02 22:00 CET (+01:00) – 02:00`, the end when known.
    pub fn describe(&self) -> String {
        let mut s = format!(
            "{} {}",
            self.start.format("%Y-%m-%d %H:%M"),
            self.zone.name()
        );
        if !self.zone.is_fixed() {
            s.push_str(&format!(" ({})", self.start.format("%:z")));
        }
        if let Some(end) = self.end {
            let end = self.zone.at(&end);
            if end.date_naive() == self.start.date_naive() {
                s.push_str(&format!(" – {}", end.format("%H:%M")));
            } else {
                s.push_str(&format!(" – {}", end.format("%Y-%m-%d %H:%M")));
            }
        }
        s
    }

    /// Where it came from, for people: `given by Alice (alice@bastion) at … : reason`,
    /// `from the template (line 5: Deployment Date: December 10, 2024)`, `guessed: …`.
    pub fn source_text(&self, template: &Template) -> String {
        let base = match &self.source {
            WindowSource::Given { by, at, reason, .. } => format!(
                "given by {} at {}: {}",
                by.describe(),
                show_time(at),
                reason.replace('\n', " ")
            ),
            WindowSource::Template { line, source } => {
                format!("from the template (line {line}: {})", source.join("; "))
            }
            WindowSource::Heading { section } => format!(
                "from the template's heading “{}”",
                template
                    .sections
                    .get(*section)
                    .map_or("", |s| s.title.as_str())
            ),
            WindowSource::FirstClock { .. } | WindowSource::RunStart => String::new(),
        };
        match (&self.guess, base.is_empty()) {
            (Some(g), true) => format!("a guess: {g}"),
            (Some(g), false) => format!("{base}; guessed: {g}"),
            (None, _) => base,
        }
    }
}

/// `T-50m`, `T-1h05`, `T-2d03h` before `start`; `T+0m`, `T+12m`, `T+1h05`, `T+1d02h` after it.
/// Minutes before the start are rounded up (21:10:30 for 22:00 is `T-50m`), after it down.
pub fn t_label(start: DateTime<FixedOffset>, now: DateTime<FixedOffset>) -> String {
    let secs = (now - start).num_seconds();
    let (sign, minutes) = if secs < 0 {
        ('-', (-secs + 59) / 60)
    } else {
        ('+', secs / 60)
    };
    let (d, h, m) = (minutes / 1440, (minutes % 1440) / 60, minutes % 60);
    if d > 0 {
        format!("T{sign}{d}d{h:02}h")
    } else if h > 0 {
        format!("T{sign}{h}h{m:02}")
    } else {
        format!("T{sign}{m}m")
    }
}

/// The first section with a clock time, and its planned time.
fn first_clock(template: &Template) -> Option<(usize, crate::model::PlannedTime)> {
    template
        .sections
        .iter()
        .enumerate()
        .find_map(|(i, s)| s.planned_time.filter(|p| p.is_clock()).map(|p| (i, p)))
}

fn clock_of(p: &crate::model::PlannedTime) -> Option<ClockTime> {
    match p.at {
        PlannedAt::Clock { hour, minute } => ClockTime::new(u32::from(hour), u32::from(minute)),
        PlannedAt::Offset { .. } => None,
    }
}

/// The zone a template's times are in, when it says: its metadata, else its first timed heading
/// that names one.
pub fn template_zone(template: &Template) -> Option<Zone> {
    template.window.as_ref().and_then(|w| w.zone).or_else(|| {
        template
            .sections
            .iter()
            .find_map(|s| s.planned_time.and_then(|p| p.zone))
    })
}

fn localize(zone: Zone, date: NaiveDate, t: ClockTime) -> Option<DateTime<FixedOffset>> {
    zone.localize(date.and_time(t.naive()))
}

/// Where a slot or window that starts at `start` ends: after a duration, or at a clock time in
/// `zone` (the next day when that time is not after the start).
pub(super) fn end_at(
    zone: Zone,
    start: DateTime<FixedOffset>,
    end: PlannedEnd,
) -> Option<DateTime<FixedOffset>> {
    match end {
        PlannedEnd::Duration { minutes } => Some(start + Duration::minutes(i64::from(minutes))),
        PlannedEnd::Clock {
            hour,
            minute,
            zone: z,
        } => {
            let z = z.unwrap_or(zone);
            let t = ClockTime::new(u32::from(hour), u32::from(minute))?;
            let day = z.at(&start).date_naive();
            let e = localize(z, day, t)?;
            if e > start {
                Some(e)
            } else {
                localize(z, day.succ_opt()?, t)
            }
        }
    }
}

/// The window of `run` against `template` (see the module documentation for the order).
pub fn resolve(run: &Run, template: &Template) -> Window {
    if let Some(w) = run.windows.iter().rev().find(|w| w.undone_by.is_none()) {
        let zone = Zone::parse(&w.zone).unwrap_or(Zone::Fixed(*w.start.offset()));
        return Window {
            start: zone.at(&w.start),
            zone,
            end: w.end.map(|e| zone.at(&e)),
            source: WindowSource::Given {
                seq: w.seq,
                by: w.by.clone(),
                at: w.at,
                reason: w.reason.clone(),
            },
            guess: None,
        };
    }
    from_template(template, run.started_at)
}

/// The window a template gives a run started at `run_start`, when no `window` event says.
pub fn from_template(template: &Template, run_start: DateTime<FixedOffset>) -> Window {
    let fallback_zone = Zone::Fixed(*run_start.offset());
    let first = first_clock(template);
    if let Some(tw) = &template.window {
        let zone = tw
            .zone
            .or_else(|| first.and_then(|(_, p)| p.zone))
            .unwrap_or(fallback_zone);
        let mut guessed = Vec::new();
        let date = tw.date.unwrap_or_else(|| {
            guessed.push("the date (the day the run started)");
            zone.at(&run_start).date_naive()
        });
        let first_time = first
            .filter(|(_, p)| p.date.is_none() && p.day.is_none_or(|d| d == 1))
            .and_then(|(_, p)| clock_of(&p));
        let time = tw.time.or(first_time).unwrap_or_else(|| {
            guessed.push("the time (the template gives none)");
            let local = zone.at(&run_start);
            if local.date_naive() == date {
                ClockTime::new(
                    chrono::Timelike::hour(&local),
                    chrono::Timelike::minute(&local),
                )
                .unwrap_or(ClockTime { hour: 0, minute: 0 })
            } else {
                ClockTime { hour: 0, minute: 0 }
            }
        });
        if let Some(start) = localize(zone, date, time) {
            return Window {
                start,
                zone,
                end: tw.end.and_then(|e| end_at(zone, start, e)),
                source: WindowSource::Template {
                    line: tw.source_line,
                    source: tw.source.clone(),
                },
                guess: (!guessed.is_empty()).then(|| guessed.join(" and ")),
            };
        }
    }
    if let Some((section, p)) = first
        && let Some(t) = clock_of(&p)
    {
        let zone = p.zone.unwrap_or(fallback_zone);
        let (date, source, guess) = match p.date {
            Some(d) => (d, WindowSource::Heading { section }, None),
            None => (
                zone.at(&run_start).date_naive(),
                WindowSource::FirstClock { section },
                Some(format!(
                    "no window given: the first clock section ({}) on the day the run started",
                    t
                )),
            ),
        };
        if let Some(start) = localize(zone, date, t) {
            return Window {
                start,
                zone,
                end: None,
                source,
                guess,
            };
        }
    }
    Window {
        start: run_start,
        zone: fallback_zone,
        end: None,
        source: WindowSource::RunStart,
        guess: Some("no window given and no clock times: the run's start".to_owned()),
    }
}

/// A `--window` start resolved to instants: start, zone and end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Resolved {
    /// Start, in the zone.
    pub start: DateTime<FixedOffset>,
    /// Zone.
    pub zone: Zone,
    /// End, when given.
    pub end: Option<DateTime<FixedOffset>>,
}

/// Resolves a window as written (`22:00`, `2026-12-02 22:00`, `22:00 Europe/Berlin`, …) at
/// `now`: the zone defaults to the template's, else `now`'s offset; the time to the template's
/// window or first clock section; the date to the day that puts the start nearest `now` (today,
/// or tomorrow when today's would be more than 12 hours ago).
pub fn resolve_spec(
    spec: &WindowSpec,
    template: &Template,
    now: DateTime<FixedOffset>,
) -> Result<Resolved, String> {
    let zone = spec
        .zone
        .or_else(|| template_zone(template))
        .unwrap_or(Zone::Fixed(*now.offset()));
    let start = if let Some(t) = spec.instant {
        zone.at(&t)
    } else {
        let time = spec
            .time
            .or_else(|| template.window.as_ref().and_then(|w| w.time))
            .or_else(|| first_clock(template).and_then(|(_, p)| clock_of(&p)))
            .ok_or_else(|| {
                "give a time as well (22:00, 2026-12-02 22:00): the template has no clock time to take it from".to_owned()
            })?;
        let date = match spec.date {
            Some(d) => d,
            None => {
                let today = zone.at(&now).date_naive();
                let start = localize(zone, today, time)
                    .ok_or_else(|| format!("{time} does not exist on {today} in {zone}"))?;
                if start < now - Duration::hours(12) {
                    today.succ_opt().unwrap_or(today)
                } else {
                    today
                }
            }
        };
        localize(zone, date, time)
            .ok_or_else(|| format!("{time} does not exist on {date} in {zone}"))?
    };
    let end = match spec.end {
        Some(End::Clock { clock, zone: z }) => end_at(
            zone,
            start,
            PlannedEnd::Clock {
                hour: clock.hour,
                minute: clock.minute,
                zone: z,
            },
        ),
        Some(End::Minutes(m)) => end_at(zone, start, PlannedEnd::Duration { minutes: m }),
        None => None,
    };
    Ok(Resolved { start, zone, end })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::when::window_spec;

    fn at(s: &str) -> DateTime<FixedOffset> {
        DateTime::parse_from_rfc3339(s).unwrap()
    }

    fn tpl(src: &str) -> Template {
        crate::template::parse_str("w.md", src).unwrap()
    }

    #[test]
    fn t_labels_count_down_then_up() {
        let start = at("2026-12-02T22:00:00+01:00");
        let l = |s: &str| t_label(start, at(s));
        assert_eq!(l("2026-12-02T21:10:00+01:00"), "T-50m");
        assert_eq!(l("2026-12-02T21:10:30+01:00"), "T-50m");
        assert_eq!(l("2026-12-02T20:55:00+01:00"), "T-1h05");
        assert_eq!(l("2026-11-30T19:00:00+01:00"), "T-2d03h");
        assert_eq!(l("2026-12-02T22:00:00+01:00"), "T+0m");
        assert_eq!(l("2026-12-02T23:05:59+01:00"), "T+1h05");
        assert_eq!(l("2026-12-02T22:12:00Z"), "T+1h12");
    }

    #[test]
    fn metadata_date_and_zone_place_the_window() {
        let t = tpl(
            "# Deploy\n\n**Deployment Date:** December 10, 2024  \n**Deployment Time:** 08:00 AM UTC+7\n\n## Steps\n\n- [ ] a\n",
        );
        let w = from_template(&t, at("2026-01-05T09:00:00+01:00"));
        assert_eq!(w.start, at("2024-12-10T08:00:00+07:00"));
        assert_eq!(w.start.offset().local_minus_utc(), 7 * 3600);
        assert!(!w.is_guess());
        assert!(
            w.source_text(&t).contains("line 3"),
            "{}",
            w.source_text(&t)
        );
    }

    #[test]
    fn without_a_window_the_first_clock_section_is_a_guess() {
        let t = tpl("# W\n\n## T-30 Prep\n- [ ] a\n## 08:00 Deploy\n- [ ] b\n");
        let w = from_template(&t, at("2026-11-23T07:10:00+01:00"));
        assert_eq!(w.start, at("2026-11-23T08:00:00+01:00"));
        assert!(w.is_guess());
        assert!(w.source_text(&t).starts_with("a guess"));
        let t = tpl("# W\n\n## T+15\n- [ ] a\n");
        let w = from_template(&t, at("2026-11-23T22:00:00+00:00"));
        assert_eq!(
            (w.start, &w.source),
            (at("2026-11-23T22:00:00+00:00"), &WindowSource::RunStart)
        );
        let t = tpl("# W\n\n## 2024-12-10 08:00 UTC Deploy\n- [ ] a\n");
        let w = from_template(&t, at("2026-11-23T22:00:00+01:00"));
        assert_eq!(w.start, at("2024-12-10T08:00:00Z"));
        assert!(!w.is_guess());
    }

    #[test]
    fn window_specs_resolve_against_now_and_the_template() {
        let t = tpl("# W\n\n## T-60 Prep\n- [ ] a\n");
        let now = at("2026-12-02T21:10:00+01:00");
        let r = |s: &str| resolve_spec(&window_spec(s, true).unwrap(), &t, now).unwrap();
        assert_eq!(r("22:00").start, at("2026-12-02T22:00:00+01:00"));
        // 00:30 at 21:10 means after midnight, not 20 hours ago.
        assert_eq!(r("00:30").start, at("2026-12-03T00:30:00+01:00"));
        assert_eq!(r("2026-12-05 22:00").start, at("2026-12-05T22:00:00+01:00"));
        assert_eq!(
            r("2026-12-02T22:00+01:00").start,
            at("2026-12-02T22:00:00+01:00")
        );
        let berlin = r("22:00 Europe/Berlin");
        assert_eq!(berlin.zone.name(), "Europe/Berlin");
        let e = r("2026-12-02 22:00-02:00 CET");
        assert_eq!(e.end, Some(at("2026-12-03T02:00:00+01:00")));
        assert_eq!(r("22:00 for 4h").end, Some(at("2026-12-03T02:00:00+01:00")));
        // No time and no clock heading to take one from.
        assert!(resolve_spec(&window_spec("2026-12-05", true).unwrap(), &t, now).is_err());
    }
}
