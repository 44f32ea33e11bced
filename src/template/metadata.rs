//! The document's own context: `**Key:** value` and `Key: value` lines between the title and the
//! first item (with clean keys), and the window that they or the front matter give
//! (`**Deployment Date:** December 10, 2024`, `**Deployment Time:** 08:00 AM UTC+7`,
//! `Window: 2026-12-02 22:00-02:00 CET`, front matter `window:` / `date:` / `timezone:`).

use super::recognize;
use crate::model::{MetaField, PlannedEnd, TemplateWindow};
use crate::text::sanitize::clean_line;
use crate::when::{self, End, Zone};

/// A metadata line: its key (markup removed) and value, if the line is one. `raw` is one source
/// line of a paragraph (block-quote markers already removed).
pub fn line(raw: &str) -> Option<(String, String)> {
    let raw = raw.trim();
    if raw.starts_with(['#', '|', '>', '-', '+', '`']) {
        return None;
    }
    let (label, rest) = recognize::split_label(raw)?;
    if rest.starts_with("//")
        || label.eq_ignore_ascii_case("http")
        || label.eq_ignore_ascii_case("https")
    {
        return None;
    }
    let value = rest
        .trim_end_matches('\\')
        .trim()
        .trim_matches(|c: char| c == '*' || c == '_')
        .trim();
    if value.is_empty() {
        return None;
    }
    Some((clean_line(label), clean_line(value)))
}

/// Whether every non-empty line of a paragraph is a metadata line.
pub fn is_metadata_paragraph(raw: &str) -> bool {
    let mut any = false;
    for l in raw.split('\n') {
        let l = l.trim_start().trim_start_matches('>').trim();
        if l.is_empty() {
            continue;
        }
        if line(l).is_none() {
            return false;
        }
        any = true;
    }
    any
}

/// What a metadata key says about the window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    /// `Window:`, `Maintenance window:`, `Start:` — date, time, end and zone in one.
    Window,
    /// `Date:`, `Deployment Date:`.
    Date,
    /// `Time:`, `Deployment Time:`, `Start time:`.
    Time,
    /// `End:`, `End time:`.
    End,
    /// `Timezone:`, `Time zone:`, `TZ:`.
    Zone,
}

/// Words that make `… Date` / `… Time` / `… Window` about the run's window (`Last Updated` or
/// `Project End Date` are not).
const CONTEXT: &[&str] = &[
    "deployment",
    "deploy",
    "window",
    "maintenance",
    "change",
    "release",
    "go-live",
    "golive",
    "go live",
    "cutover",
    "cut-over",
    "migration",
    "rollout",
    "launch",
    "execution",
    "scheduled",
    "planned",
    "implementation",
    "upgrade",
    "failover",
    "drill",
    "start",
    "event",
];

fn role(key: &str) -> Option<Role> {
    let k: String = key
        .to_lowercase()
        .chars()
        .map(|c| if c == '_' { ' ' } else { c })
        .collect();
    let k = k.trim();
    match k {
        "timezone" | "time zone" | "tz" | "zone" | "time-zone" => return Some(Role::Zone),
        "window" | "start" | "starts" | "window start" | "when" => return Some(Role::Window),
        "date" => return Some(Role::Date),
        "time" | "start time" => return Some(Role::Time),
        "end" | "ends" | "end time" | "window end" => return Some(Role::End),
        _ => {}
    }
    let about_window = || CONTEXT.iter().any(|w| k.starts_with(w));
    if k.ends_with(" window") && about_window() {
        Some(Role::Window)
    } else if k.ends_with(" date") && about_window() {
        Some(Role::Date)
    } else if (k.ends_with(" time") || k.ends_with(" start")) && about_window() {
        Some(Role::Time)
    } else if k.ends_with(" zone") || k.ends_with(" timezone") {
        Some(Role::Zone)
    } else {
        None
    }
}

fn end_of(e: End) -> PlannedEnd {
    match e {
        End::Clock { clock, zone } => PlannedEnd::Clock {
            hour: clock.hour,
            minute: clock.minute,
            zone,
        },
        End::Minutes(minutes) => PlannedEnd::Duration { minutes },
    }
}

/// The window the metadata gives (front matter first, then lines, each part from the first entry
/// that has it), or `None` when no entry gives a date, time or zone of the window.
pub fn window(fields: &[MetaField]) -> Option<TemplateWindow> {
    let mut w = TemplateWindow {
        date: None,
        time: None,
        zone: None,
        end: None,
        source_line: 0,
        source: Vec::new(),
    };
    for f in fields {
        let Some(role) = role(&f.name) else {
            continue;
        };
        let mut used = false;
        match role {
            Role::Zone => {
                if w.zone.is_none()
                    && let Some(z) = Zone::parse(&f.value)
                {
                    w.zone = Some(z);
                    used = true;
                }
            }
            Role::End => {
                if w.end.is_none()
                    && let Ok(spec) = when::window_spec(&f.value, false)
                    && let Some(t) = spec.time
                {
                    w.end = Some(end_of(End::Clock {
                        clock: t,
                        zone: spec.zone,
                    }));
                    used = true;
                }
            }
            Role::Window | Role::Date | Role::Time => {
                let Ok(spec) = when::window_spec(&f.value, false) else {
                    continue;
                };
                if w.date.is_none() && spec.date.is_some() {
                    w.date = spec.date;
                    used = true;
                }
                if w.time.is_none() && spec.time.is_some() {
                    w.time = spec.time;
                    used = true;
                }
                if w.zone.is_none() && spec.zone.is_some() {
                    w.zone = spec.zone;
                    used = true;
                }
                if w.end.is_none()
                    && let Some(e) = spec.end
                {
                    w.end = Some(end_of(e));
                    used = true;
                }
            }
        }
        if used {
            if w.source.is_empty() {
                w.source_line = f.line;
            }
            w.source.push(format!("{}: {}", f.name, f.value));
        }
    }
    (!w.source.is_empty()).then_some(w)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn meta(pairs: &[(&str, &str)]) -> Vec<MetaField> {
        pairs
            .iter()
            .enumerate()
            .map(|(i, (k, v))| MetaField {
                name: (*k).to_owned(),
                value: (*v).to_owned(),
                line: i + 3,
            })
            .collect()
    }

    #[test]
    fn metadata_lines_have_clean_keys() {
        assert_eq!(
            line("**Deployment Date:** December 10, 2024  "),
            Some(("Deployment Date".into(), "December 10, 2024".into()))
        );
        assert_eq!(
            line("**Owner**: platform-sre"),
            Some(("Owner".into(), "platform-sre".into()))
        );
        assert_eq!(
            line("Window: 2026-12-02 22:00-02:00 CET"),
            Some(("Window".into(), "2026-12-02 22:00-02:00 CET".into()))
        );
        assert_eq!(
            line("Version: 1.0\\"),
            Some(("Version".into(), "1.0".into()))
        );
        for not in [
            "https://example.com/runbook",
            "08:00 Deploy",
            "- [ ] item",
            "Just a sentence without a colon",
            "**Owner:**",
            "# Heading: x",
            "See [the docs](http://x): later",
        ] {
            assert_eq!(line(not), None, "{not}");
        }
        assert!(is_metadata_paragraph("**A:** 1  \n**B:** 2"));
        assert!(!is_metadata_paragraph("**A:** 1\nand then prose"));
    }

    #[test]
    fn window_from_date_and_time_lines() {
        let w = window(&meta(&[
            ("Deployment Date", "December 10, 2024"),
            ("Deployment Time", "08:00 AM UTC+7"),
            ("Deployment Lead", "[Name]"),
        ]))
        .unwrap();
        assert_eq!(w.date, NaiveDate::from_ymd_opt(2024, 12, 10));
        assert_eq!(w.time.map(|t| t.to_string()).as_deref(), Some("08:00"));
        assert_eq!(w.zone.map(|z| z.name()).as_deref(), Some("UTC+07:00"));
        assert_eq!(w.source_line, 3);
        assert_eq!(w.source.len(), 2);
    }

    #[test]
    fn window_from_one_line_or_front_matter_keys() {
        let w = window(&meta(&[("Window", "2026-12-02 22:00-02:00 CET")])).unwrap();
        assert_eq!(w.date, NaiveDate::from_ymd_opt(2026, 12, 2));
        assert_eq!(w.zone.map(|z| z.name()).as_deref(), Some("CET"));
        assert!(matches!(w.end, Some(PlannedEnd::Clock { hour: 2, .. })));
        let w = window(&meta(&[
            ("date", "2026-12-02"),
            ("timezone", "Europe/Berlin"),
            ("owner", "sre"),
        ]))
        .unwrap();
        assert_eq!(w.zone.map(|z| z.name()).as_deref(), Some("Europe/Berlin"));
        assert_eq!(w.time, None);
        assert!(window(&meta(&[("Last Updated", "January 2026"), ("Owner", "x")])).is_none());
        assert!(window(&meta(&[("Project End Date", "[MM/DD/YYYY]")])).is_none());
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(2000))]

        #[test]
        fn any_line_reads_without_panic_or_control_characters(raw in "\\PC{0,60}") {
            if let Some((k, v)) = line(&raw) {
                proptest::prop_assert!(!k.chars().chain(v.chars()).any(char::is_control));
                proptest::prop_assert!(!k.contains("**"), "{k:?}");
            }
        }

        #[test]
        fn any_metadata_gives_a_window_without_panic(
            pairs in proptest::collection::vec(("[A-Za-z ]{1,16}", "\\PC{0,40}"), 0..6)
        ) {
            let fields: Vec<(&str, &str)> =
                pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
            let _ = window(&meta(&fields));
        }
    }
}
