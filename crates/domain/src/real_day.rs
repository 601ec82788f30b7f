//! 本番の日: staff do Step 3 on the real 介護WEBサービス in Edge, with the
//! app beside it. The rules of the day's clocks and of the help desk's
//! hours, as pure functions of the time; the guide's words are data
//! (`data/real-day.json`), each step and hint naming where it was read.

use crate::messages::JAPAN_TIME;
use serde::{Deserialize, Serialize};
use std::sync::OnceLock;
use time::{Date, Duration, OffsetDateTime, Time, Weekday};

/// A clock that matters on the day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DayClock {
    /// The one-time code of 3-1 or 3-3 is good for 30 minutes from its sending (seed column, 3-1).
    Code,
    /// After 3 wrong passwords the electronic-billing account is locked
    /// for 30 minutes or more (FACTS.md, Identity and accounts).
    Lockout,
    /// After a login, the admin's one-time code may be skipped for 24 hours (seed column, 3-3).
    DeviceTrust,
}

impl DayClock {
    pub const ALL: [DayClock; 3] = [DayClock::Code, DayClock::Lockout, DayClock::DeviceTrust];

    /// How long it runs. The lockout's is the shortest it may be: the
    /// service may keep the account locked longer.
    pub fn length(self) -> Duration {
        match self {
            DayClock::Code => Duration::minutes(30),
            DayClock::Lockout => Duration::minutes(30),
            DayClock::DeviceTrust => Duration::hours(24),
        }
    }
}

/// A clock as the window shows it: the time it ends, and whether it has.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ClockReading {
    pub clock: DayClock,
    #[serde(with = "time::serde::rfc3339")]
    pub ends_at: OffsetDateTime,
    pub over: bool,
}

/// The clock `clock` started at `started_at`, read at `now`.
pub fn read_clock(clock: DayClock, started_at: OffsetDateTime, now: OffsetDateTime) -> ClockReading {
    let ends_at = started_at.saturating_add(clock.length()).to_offset(JAPAN_TIME);
    ClockReading { clock, ends_at, over: now >= ends_at }
}

/// The help desk's published hours on one day (Japan time): weekdays
/// 10–17; on the 1st–10th of each month weekdays 10–19 and Saturdays
/// 10–17 (FACTS.md, Help desk). Sundays closed. National holidays and the
/// year's end are not in the published hours we hold: the window says
/// plainly that the desk may be closed then.
pub fn help_desk_hours_on(date: Date) -> Option<(Time, Time)> {
    let early_month = date.day() <= 10;
    let ten = Time::MIDNIGHT + Duration::hours(10);
    match date.weekday() {
        Weekday::Sunday => None,
        Weekday::Saturday if early_month => Some((ten, Time::MIDNIGHT + Duration::hours(17))),
        Weekday::Saturday => None,
        _ if early_month => Some((ten, Time::MIDNIGHT + Duration::hours(19))),
        _ => Some((ten, Time::MIDNIGHT + Duration::hours(17))),
    }
}

/// Whether the help desk answers now, by its published hours.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum HelpDeskNow {
    Open {
        #[serde(with = "time::serde::rfc3339")]
        closes_at: OffsetDateTime,
    },
    Closed {
        /// When it opens next (within two weeks).
        #[serde(with = "time::serde::rfc3339::option")]
        opens_at: Option<OffsetDateTime>,
    },
}

pub fn help_desk_now(now: OffsetDateTime) -> HelpDeskNow {
    let local = now.to_offset(JAPAN_TIME);
    let at = |date: Date, time: Time| date.with_time(time).assume_offset(JAPAN_TIME);
    if let Some((opens, closes)) = help_desk_hours_on(local.date()) {
        if local.time() >= opens && local.time() < closes {
            return HelpDeskNow::Open { closes_at: at(local.date(), closes) };
        }
        if local.time() < opens {
            return HelpDeskNow::Closed { opens_at: Some(at(local.date(), opens)) };
        }
    }
    let mut date = local.date();
    for _ in 0..14 {
        let Some(next) = date.next_day() else { break };
        date = next;
        if let Some((opens, _)) = help_desk_hours_on(date) {
            return HelpDeskNow::Closed { opens_at: Some(at(date, opens)) };
        }
    }
    HelpDeskNow::Closed { opens_at: None }
}

/// Where a sentence of the guide was read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    /// `../shared/seed/step3-column.ja.txt`, citing the 介護情報基盤ポータルサイト.
    SeedColumn,
    /// `../shared/FACTS.md`, an official or secondary source named there.
    Facts,
}

/// One step of the real Step 3, as the guide walks it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GuideStep {
    /// 3-1 … 3-4.
    pub id: String,
    pub title: String,
    pub title_en: String,
    /// What the screen in Edge will ask, one line each.
    pub asks: Vec<String>,
    pub asks_en: Vec<String>,
    /// What to have ready.
    pub ready: Vec<String>,
    pub ready_en: Vec<String>,
    /// What comes next.
    pub next: String,
    pub next_en: String,
    pub source: Source,
}

/// A known failure of the day and what to do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Hint {
    pub id: String,
    pub title: String,
    pub title_en: String,
    pub what_to_do: Vec<String>,
    pub what_to_do_en: Vec<String>,
    pub source: Source,
}

/// The guide: the steps and the hints.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Guide {
    pub steps: Vec<GuideStep>,
    pub hints: Vec<Hint>,
}

const GUIDE: &str = include_str!("../data/real-day.json");

pub fn guide() -> &'static Guide {
    static PARSED: OnceLock<Guide> = OnceLock::new();
    #[allow(clippy::expect_used)] // built into the program and checked by a test
    PARSED.get_or_init(|| serde_json::from_str(GUIDE).expect("data/real-day.json is valid"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn each_clock_ends_when_its_length_has_passed() {
        let sent = datetime!(2026-12-07 10:00 +9);
        let code = read_clock(DayClock::Code, sent, datetime!(2026-12-07 10:29:59 +9));
        assert_eq!((code.ends_at, code.over), (datetime!(2026-12-07 10:30 +9), false));
        assert!(read_clock(DayClock::Code, sent, datetime!(2026-12-07 10:30 +9)).over);
        assert_eq!(read_clock(DayClock::Lockout, sent, sent).ends_at, datetime!(2026-12-07 10:30 +9));
        assert_eq!(read_clock(DayClock::DeviceTrust, sent, sent).ends_at, datetime!(2026-12-08 10:00 +9));
        // Shown in Japan time whatever the PC's clock says.
        assert_eq!(read_clock(DayClock::Code, datetime!(2026-12-07 01:00 UTC), sent).ends_at.offset(), JAPAN_TIME);
    }

    #[test]
    fn the_help_desks_hours_follow_the_day_of_the_month() {
        use HelpDeskNow::*;
        // Monday 7 December: the early-month hours, until 19:00.
        assert_eq!(help_desk_now(datetime!(2026-12-07 18:30 +9)), Open { closes_at: datetime!(2026-12-07 19:00 +9) });
        // Monday 14 December: until 17:00, so closed at 18:30 until Tuesday 10:00.
        assert_eq!(help_desk_now(datetime!(2026-12-14 18:30 +9)), Closed { opens_at: Some(datetime!(2026-12-15 10:00 +9)) });
        assert_eq!(help_desk_now(datetime!(2026-12-14 09:59 +9)), Closed { opens_at: Some(datetime!(2026-12-14 10:00 +9)) });
        // Saturday 5 December is early in the month: open 10–17; Saturday 12th is not.
        assert_eq!(help_desk_now(datetime!(2026-12-05 16:59 +9)), Open { closes_at: datetime!(2026-12-05 17:00 +9) });
        assert_eq!(help_desk_now(datetime!(2026-12-12 11:00 +9)), Closed { opens_at: Some(datetime!(2026-12-14 10:00 +9)) });
        // Sunday 6 December: closed, opens Monday.
        assert_eq!(help_desk_now(datetime!(2026-12-06 11:00 +9)), Closed { opens_at: Some(datetime!(2026-12-07 10:00 +9)) });
        // Read in Japan time: 01:30 UTC is 10:30 in Japan.
        assert!(matches!(help_desk_now(datetime!(2026-12-14 01:30 UTC)), Open { .. }));
    }

    #[test]
    fn the_guide_reads_walks_3_1_to_3_4_and_names_a_source_for_everything() {
        let g = guide();
        let ids: Vec<&str> = g.steps.iter().map(|s| s.id.as_str()).collect();
        assert_eq!(ids, ["3-1", "3-2", "3-3", "3-4"]);
        for s in &g.steps {
            assert!(!s.asks.is_empty() && s.asks.len() == s.asks_en.len(), "{}", s.id);
            assert_eq!(s.ready.len(), s.ready_en.len(), "{}", s.id);
            assert!(!s.next.is_empty() && !s.next_en.is_empty(), "{}", s.id);
        }
        let hints: Vec<&str> = g.hints.iter().map(|h| h.id.as_str()).collect();
        for needed in [
            "locked",
            "no_code_mail",
            "temporary_password",
            "edge_certificate",
            "expired_certificate",
            "several_certificates",
            "rehearsal_certificate",
        ] {
            assert!(hints.contains(&needed), "a hint for {needed}");
        }
        for h in &g.hints {
            assert!(!h.what_to_do.is_empty() && h.what_to_do.len() == h.what_to_do_en.len(), "{}", h.id);
        }
    }
}
