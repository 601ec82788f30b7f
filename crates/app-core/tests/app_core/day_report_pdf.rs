//! 本番の日の記録 prints as one A4 page with everything on it and no
//! password: rendered to PDF by headless Chromium (as a browser or WebView2
//! prints it), read back with pdftotext.

#![cfg(target_os = "linux")]

use kaigo_app_core::day_report::DayReport;
use kaigo_app_core::real_day::{DayResults, PreparedValues, RealDayRecord};
use kaigo_domain::real_day::{guide, DayClock};
use time::macros::datetime;

#[test]
fn the_day_s_record_prints_on_one_page_with_the_ids_the_times_and_what_is_left() {
    let Some(browser) = crate::report_pdf::chromium() else { return };
    let mut record = RealDayRecord {
        values: PreparedValues {
            office_number: "1312345678".into(),
            office_name: "さくら介護センター".into(),
            admin_email: "hanako@example.jp".into(),
            ..PreparedValues::default()
        },
        results: DayResults { admin_user_id: "hanako01".into(), terminal_id: "TM-0012".into() },
        ..RealDayRecord::default()
    };
    record.start_clock(DayClock::Code, datetime!(2026-12-08 01:05 UTC));
    record.tick(guide(), "3-1", true, datetime!(2026-12-08 01:20 UTC)).unwrap();
    record.tick(guide(), "3-2", true, datetime!(2026-12-08 01:40 UTC)).unwrap();
    let html = DayReport { record: &record, guide: guide(), printed_at: datetime!(2026-12-08 02:00 UTC) }
        .to_html(kaigo_domain::Language::Japanese);
    let text = crate::report_pdf::printed(browser, &html);
    let flat: String = text.split_whitespace().collect();
    let step = |id: &str| guide().steps.iter().find(|s| s.id == id).unwrap().title.split_whitespace().collect::<String>();
    for fact in [
        "本番の日の記録".to_owned(),
        "1312345678".into(),
        "さくら介護センター".into(),
        "hanako01".into(),
        "TM-0012".into(),
        "2026年12月8日10:05".into(),
        "コードが送られた".into(),
        "2026年12月8日10:40".into(),
        "まだ済んでいないこと".into(),
        step("3-3"),
        step("3-4"),
    ] {
        assert!(flat.contains(&fact), "{fact} missing from the PDF:\n{text}");
    }
    assert!(!flat.contains("hanako@example.jp"), "a contact is not on the record");
}
