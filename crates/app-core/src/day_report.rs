//! 本番の日の記録: the real day as a sheet to print or keep — the office,
//! the IDs the day decided (the admin user's and the terminal's, never a
//! password), what was done when and what is left. Built from
//! `real-day.json` alone, in the completion report's look.

use crate::catalogue::Text;
use crate::real_day::{DayEventKind, RealDayRecord};
use crate::report::{date_in, html, lang, said, sheet_file};
use kaigo_domain::messages::JAPAN_TIME;
use kaigo_domain::real_day::{DayClock, Guide};
use kaigo_domain::Language;
use time::OffsetDateTime;

/// The day's record as of `printed_at`.
pub struct DayReport<'a> {
    pub record: &'a RealDayRecord,
    pub guide: &'a Guide,
    pub printed_at: OffsetDateTime,
}

fn clock_name(clock: DayClock) -> Text {
    match clock {
        DayClock::Code => Text::RealDayClockCode,
        DayClock::Lockout => Text::RealDayClockLockout,
        DayClock::DeviceTrust => Text::RealDayClockDeviceTrust,
    }
}

impl DayReport<'_> {
    fn step_title(&self, id: &str, language: Language) -> String {
        match self.guide.steps.iter().find(|s| s.id == id) {
            Some(s) if language == Language::English => s.title_en.clone(),
            Some(s) => s.title.clone(),
            None => id.to_owned(),
        }
    }

    fn event(&self, what: &DayEventKind, language: Language) -> String {
        match what {
            DayEventKind::StepDone { step } => said(Text::DayRecordStepDone, language, &[("step", &self.step_title(step, language))]),
            DayEventKind::StepUndone { step } => said(Text::DayRecordStepUndone, language, &[("step", &self.step_title(step, language))]),
            DayEventKind::ClockStarted { clock } => {
                said(Text::DayRecordClockStarted, language, &[("label", &said(clock_name(*clock), language, &[]))])
            }
        }
    }

    /// The sheet itself, for the 本番の日 window to show and print.
    pub fn body_html(&self, language: Language) -> String {
        let t = |text: Text| html(&said(text, language, &[]));
        let values = &self.record.values;
        let results = &self.record.results;
        let or_blank = |v: &str| if v.is_empty() { t(Text::DayRecordNotWritten) } else { html(v) };
        let events: String = self
            .record
            .log
            .iter()
            .map(|e| {
                let at = e.at.to_offset(JAPAN_TIME);
                format!(
                    "<tr><td>{} {:02}:{:02}</td><td>{}</td></tr>",
                    date_in(at.date(), language),
                    at.hour(),
                    at.minute(),
                    html(&self.event(&e.what, language))
                )
            })
            .collect();
        let events = if events.is_empty() { format!("<tr><td colspan=\"2\">{}</td></tr>", t(Text::DayRecordNothingYet)) } else { events };
        let left: Vec<String> = self
            .guide
            .steps
            .iter()
            .filter(|s| !self.record.done.contains_key(&s.id))
            .map(|s| format!("<li>{}</li>\n", html(&self.step_title(&s.id, language))))
            .collect();
        let left =
            if left.is_empty() { format!("<p>{}</p>", t(Text::DayRecordNothingLeft)) } else { format!("<ul>\n{}</ul>", left.concat()) };
        format!(
            r#"<article class="report-sheet" lang="{lang}">
<h1>{title}</h1>
<table class="facts">
<tr><th>{l_number}</th><td>{number}</td></tr>
<tr><th>{l_name}</th><td>{name}</td></tr>
<tr><th>{l_admin}</th><td>{admin}</td></tr>
<tr><th>{l_terminal}</th><td class="id">{terminal}</td></tr>
<tr><th>{l_printed}</th><td>{printed}</td></tr>
</table>
<p class="note">{no_password}</p>
<h2>{l_done}</h2>
<table><tr><th>{l_when}</th><th>{l_what}</th></tr>{events}</table>
<h2>{l_left}</h2>
{left}
<p class="note">{footer}</p>
</article>"#,
            lang = lang(language),
            title = t(Text::DayRecordTitle),
            l_number = t(Text::ReportOfficeNumber),
            l_name = t(Text::ReportOfficeName),
            l_admin = t(Text::ReportAdminUserId),
            l_terminal = t(Text::ReportTerminalId),
            l_printed = t(Text::DayRecordPrintedOn),
            no_password = t(Text::ReportNoPassword),
            l_done = t(Text::DayRecordDone),
            l_when = t(Text::DayRecordWhen),
            l_what = t(Text::DayRecordWhat),
            l_left = t(Text::DayRecordLeft),
            footer = t(Text::ReportFooter),
            number = or_blank(&values.office_number),
            name = or_blank(&values.office_name),
            admin = or_blank(&results.admin_user_id),
            terminal = or_blank(&results.terminal_id),
            printed = date_in(self.printed_at.to_offset(JAPAN_TIME).date(), language),
        )
    }

    /// The sheet as a file of its own.
    pub fn to_html(&self, language: Language) -> String {
        sheet_file(&said(Text::DayRecordTitle, language, &[]), &self.body_html(language), language)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::real_day::{DayResults, PreparedValues};
    use kaigo_domain::real_day::guide;
    use time::macros::datetime;

    fn day() -> RealDayRecord {
        let mut record = RealDayRecord {
            values: PreparedValues {
                office_number: "1312345678".into(), office_name: "さくら<介護>".into(), ..PreparedValues::default()
            },
            results: DayResults { admin_user_id: "hanako01".into(), terminal_id: "TM-0012".into() },
            ..RealDayRecord::default()
        };
        record.start_clock(DayClock::Code, datetime!(2026-12-08 01:05 UTC));
        record.tick(guide(), "3-1", true, datetime!(2026-12-08 01:20 UTC)).unwrap();
        record.tick(guide(), "3-2", true, datetime!(2026-12-08 01:40 UTC)).unwrap();
        record
    }

    #[test]
    fn the_record_says_what_was_done_when_the_ids_and_what_is_left_and_escapes_every_value() {
        let record = day();
        let report = DayReport { record: &record, guide: guide(), printed_at: datetime!(2026-12-08 02:00 UTC) };
        let sheet = report.body_html(Language::Japanese);
        for fact in
            ["本番の日の記録", "1312345678", "さくら&lt;介護&gt;", "hanako01", "TM-0012", "2026年12月8日", "10:05", "10:20", "10:40"]
        {
            assert!(sheet.contains(fact), "{fact} missing: {sheet}");
        }
        assert!(sheet.contains("コードが送られた"), "the clock by its name: {sheet}");
        let left = &sheet[sheet.find("まだ済んでいないこと").unwrap()..];
        let step = |id: &str| guide().steps.iter().find(|s| s.id == id).unwrap().title.clone();
        assert!(left.contains(&step("3-3")) && left.contains(&step("3-4")) && !left.contains(&step("3-1")), "{left}");
        assert!(!sheet.contains("<介護>"), "a value is text, never markup");
        let english = report.body_html(Language::English);
        assert!(english.contains("Record of the real day") && english.contains("8 December 2026"), "{english}");
    }

    #[test]
    fn an_empty_day_says_nothing_was_written_and_everything_is_left() {
        let record = RealDayRecord::default();
        let sheet =
            DayReport { record: &record, guide: guide(), printed_at: datetime!(2026-12-08 02:00 UTC) }.body_html(Language::Japanese);
        assert!(sheet.contains("まだ記録がありません"), "{sheet}");
        assert_eq!(sheet.matches("<li>").count(), guide().steps.len());
    }
}
