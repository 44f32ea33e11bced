//! Unit and property tests of the time readers.

use super::*;
use proptest::prelude::*;

fn hm(h: u8, m: u8) -> ClockTime {
    ClockTime { hour: h, minute: m }
}

#[test]
fn clock_times_in_every_spelling() {
    for (s, want, rest) in [
        ("08:00", hm(8, 0), ""),
        ("8:05 Deploy", hm(8, 5), " Deploy"),
        ("08:00:30 x", hm(8, 0), " x"),
        ("8:30 PM", hm(20, 30), ""),
        ("8:30pm cut-over", hm(20, 30), " cut-over"),
        ("12:05 am", hm(0, 5), ""),
        ("12:00 PM", hm(12, 0), ""),
        ("9 PM", hm(21, 0), ""),
        ("20:30h Go-live", hm(20, 30), " Go-live"),
        ("20h30", hm(20, 30), ""),
        ("2030h", hm(20, 30), ""),
        ("0800 hrs", hm(8, 0), ""),
        ("8:30 a.m. start", hm(8, 30), " start"),
    ] {
        let (c, _, r) = clock_prefix(s).unwrap_or_else(|| panic!("{s}"));
        assert_eq!((c, r), (want, rest), "{s}");
    }
    for s in [
        "25:00",
        "8:60",
        "13:00 PM",
        "2024 plans",
        "2h soak",
        "16:9",
        "1.2.3",
        "10:30:45:12",
        "x",
        "8 hours",
        "3:1",
        "100:00",
    ] {
        assert!(clock_prefix(s).is_none(), "{s}");
    }
}

#[test]
fn offsets_from_the_window_start() {
    for (s, want, rest) in [
        ("T-30 Prep", -30, " Prep"),
        ("T+15 Verification", 15, " Verification"),
        ("T+0 Failover", 0, " Failover"),
        ("T-0", 0, ""),
        ("T0 go", 0, " go"),
        ("T-1h", -60, ""),
        ("T+1h30m", 90, ""),
        ("T+1h30 smoke", 90, " smoke"),
        ("T-60 min", -60, ""),
        ("T-60min: prep", -60, ": prep"),
        ("T - 2 hours", -120, ""),
        ("T-1:30", -90, ""),
        ("T+1d", 1440, ""),
        ("t-5 mins)", -5, ")"),
        ("T−10", -10, ""),
    ] {
        let (m, r) = offset_prefix(s).unwrap_or_else(|| panic!("{s}"));
        assert_eq!((m, r), (want, rest), "{s}");
    }
    for s in [
        "T-Shirt sizes",
        "Test plan",
        "T-30Prep",
        "T+",
        "Timeline",
        "T-Mobile",
    ] {
        assert!(offset_prefix(s).is_none(), "{s}");
    }
}

#[test]
fn durations_need_a_unit() {
    for (s, want) in [
        ("30 min)", 30),
        ("45m", 45),
        ("1h", 60),
        ("1h30m", 90),
        ("1.5 hours", 90),
        ("~30 minutes", 30),
        ("15-30 minutes", 30),
        ("2 hrs", 120),
    ] {
        assert_eq!(duration_prefix(s).map(|d| d.0), Some(want), "{s}");
    }
    for s in ["30", "v2", "minutes", "30 servers"] {
        assert_eq!(duration_prefix(s), None, "{s}");
    }
}

#[test]
fn ranges_zones_days_and_dates() {
    let (m, rest) = clock_range_prefix("08:00 - 09:00 Deploy").unwrap();
    assert_eq!(m.clock, hm(8, 0));
    assert_eq!(
        m.end,
        Some(End::Clock {
            clock: hm(9, 0),
            zone: None
        })
    );
    assert_eq!(rest, " Deploy");
    let (m, rest) = clock_range_prefix("08:00 - Deployment Start").unwrap();
    assert_eq!((m.end, rest), (None, " - Deployment Start"));
    let (m, _) = clock_range_prefix("08:00–08:30").unwrap();
    assert!(matches!(m.end, Some(End::Clock { clock, .. }) if clock == hm(8, 30)));
    let (m, _) = clock_range_prefix("22:00-02:00 CET").unwrap();
    assert_eq!(m.zone.map(|z| z.name()).as_deref(), Some("CET"));
    assert!(matches!(m.end, Some(End::Clock { clock, .. }) if clock == hm(2, 0)));
    let (m, _) = clock_range_prefix("8:00 - 9:30 PM").unwrap();
    assert_eq!(m.clock, hm(20, 0));
    let (m, rest) = clock_range_prefix("08:00 AM UTC+7 Go-live").unwrap();
    assert_eq!(m.zone.map(|z| z.name()).as_deref(), Some("UTC+07:00"));
    assert_eq!(rest, " Go-live");
    let (m, _) = clock_range_prefix("08:00 UTC").unwrap();
    assert_eq!(m.zone, Some(Zone::UTC));

    let (m, rest) = moment_prefix("Day 2 08:00 Verify").unwrap().unwrap();
    assert_eq!((m.day, m.clock, rest), (Some(2), hm(8, 0), " Verify"));
    let (m, _) = moment_prefix("2024-12-10 08:00").unwrap().unwrap();
    assert_eq!(m.date, NaiveDate::from_ymd_opt(2024, 12, 10));
    let (m, _) = moment_prefix("2024-12-10T08:00").unwrap().unwrap();
    assert_eq!(m.clock, hm(8, 0));
    assert!(moment_prefix("Day 2: wrap up").unwrap().is_none());
    assert_eq!(day_prefix("Day 3 - 09:00").map(|d| d.0), Some(3));
    assert!(day_prefix("Daylight").is_none());
}

#[test]
fn window_specs_from_the_command_line() {
    let w = window_spec("22:00", true).unwrap();
    assert_eq!((w.date, w.time, w.zone), (None, Some(hm(22, 0)), None));
    let w = window_spec("2026-12-02 22:00", true).unwrap();
    assert_eq!(w.date, NaiveDate::from_ymd_opt(2026, 12, 2));
    let w = window_spec("2026-12-02T22:00+01:00", true).unwrap();
    assert_eq!(
        w.instant.map(|t| t.to_rfc3339()).as_deref(),
        Some("2026-12-02T22:00:00+01:00")
    );
    let w = window_spec("22:00 Europe/Berlin", true).unwrap();
    assert_eq!(w.zone.map(|z| z.name()).as_deref(), Some("Europe/Berlin"));
    let w = window_spec("22:00 +01:00", true).unwrap();
    assert_eq!(w.zone.map(|z| z.name()).as_deref(), Some("UTC+01:00"));
    let w = window_spec("2026-12-02 22:00-02:00 CET", true).unwrap();
    assert_eq!(w.zone.map(|z| z.name()).as_deref(), Some("CET"));
    assert!(matches!(w.end, Some(End::Clock { clock, .. }) if clock == hm(2, 0)));
    let w = window_spec("22:00 for 4h", true).unwrap();
    assert_eq!(w.end, Some(End::Minutes(240)));
    let w = window_spec("December 10, 2024", true).unwrap();
    assert_eq!((w.date.is_some(), w.time), (true, None));
    let w = window_spec("08:00 AM UTC+7", true).unwrap();
    assert_eq!(w.time, Some(hm(8, 0)));
    for bad in [
        "",
        "soon",
        "22:00 Mars/Olympus",
        "03/04/2026 10:00",
        "Day 2 08:00",
    ] {
        let e = window_spec(bad, true).unwrap_err();
        assert!(!e.is_empty(), "{bad}");
    }
    assert!(
        window_spec("22:00 Mars/Olympus", true)
            .unwrap_err()
            .contains("time zone")
    );
    assert!(window_spec("22:00 (Tuesday night)", false).is_ok());
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn readers_never_panic(s in "\\PC{0,40}") {
        let _ = clock_prefix(&s);
        let _ = offset_prefix(&s);
        let _ = duration_prefix(&s);
        let _ = day_prefix(&s);
        let _ = moment_prefix(&s);
        let _ = window_spec(&s, true);
        let _ = window_spec(&s, false);
        let _ = Zone::parse(&s);
        let _ = Zone::in_text(&s);
        let _ = date::date(&s);
    }

    #[test]
    fn time_like_inputs_never_panic(s in "[0-9T+\\-–:hHmM ./apmAPMUTC()~Day]{0,24}") {
        let _ = moment_prefix(&s);
        let _ = offset_prefix(&s);
        let _ = duration_prefix(&s);
        let _ = window_spec(&s, true);
    }

    #[test]
    fn every_clock_time_reads_back(h in 0u8..24, m in 0u8..60) {
        let s = format!("{h:02}:{m:02} Title");
        let (c, _, rest) = clock_prefix(&s).expect("reads");
        prop_assert_eq!(c, hm(h, m));
        prop_assert_eq!(rest, " Title");
    }

    #[test]
    fn every_offset_reads_back(n in -5000i32..5000) {
        let s = format!("T{}{} Step", if n < 0 { '-' } else { '+' }, n.unsigned_abs());
        prop_assert_eq!(offset_prefix(&s).map(|o| o.0), Some(n));
    }
}

#[test]
fn zone_labels_at_an_instant() {
    let winter = chrono::DateTime::parse_from_rfc3339("2026-12-02T20:10:00Z").unwrap();
    let summer = chrono::DateTime::parse_from_rfc3339("2026-07-02T20:10:00Z").unwrap();
    let berlin = Zone::parse("Europe/Berlin").unwrap();
    assert_eq!(berlin.label_at(&winter), "CET");
    assert_eq!(berlin.label_at(&summer), "CEST");
    assert_eq!(Zone::parse("UTC+7").unwrap().label_at(&winter), "UTC+07:00");
    assert_eq!(Zone::UTC.label_at(&winter), "UTC");
    assert_eq!(Zone::parse("CEST").unwrap().label_at(&winter), "CEST");
}
