//! The completion report prints as one A4 page whose text is all there:
//! rendered to PDF by headless Chromium (as a browser or WebView2 prints
//! it), read back with pdftotext.

#![cfg(target_os = "linux")]

use kaigo_api::office::OfficeSummary;
use kaigo_app_core::progress::{AdminProgress, LinkedTerminal, Progress, Step};
use kaigo_app_core::report::CompletionReport;
use kaigo_domain::terminal::TerminalKind;
use kaigo_domain::DeliveryChannel;
use std::process::Command;

pub(crate) fn chromium() -> Option<&'static str> {
    let found =
        ["chromium", "chromium-browser"].into_iter().find(|c| Command::new(c).arg("--version").output().is_ok_and(|o| o.status.success()));
    if found.is_none() {
        crate::missing("chromium", "scripts/setup-tests.sh installs it");
    }
    found
}

#[test]
fn the_report_prints_on_one_page_with_every_fact_and_no_password() {
    let Some(browser) = chromium() else { return };
    let progress = Progress {
        step: Step::Finished,
        office: Some(OfficeSummary {
            office_number: "1312345678".into(),
            name: "さくら介護センター".into(),
            electronic_billing_id: "KJ1234567890".into(),
        }),
        admin: Some(AdminProgress {
            user_id: "hanako01".into(),
            initial_password_channel: DeliveryChannel::Email,
            initial_password_sent_to: "h***@example.jp".into(),
        }),
        linked_terminals: vec![
            LinkedTerminal { terminal_id: "7d0c5a1e-terminal-pc".into(), name: "受付PC1".into(), kind: TerminalKind::ThisPc },
            LinkedTerminal { terminal_id: "9b2f-terminal-phone".into(), name: "職員スマホ1".into(), kind: TerminalKind::Mobile },
        ],
        finished_at: Some(time::macros::datetime!(2026-11-25 05:00 UTC)),
        ..Progress::default()
    };
    let html = CompletionReport::from_progress(&progress).unwrap().to_html(kaigo_domain::Language::Japanese);
    let text = printed(browser, &html);
    let flat: String = text.split_whitespace().collect();
    for fact in [
        "完了報告書",
        "1312345678",
        "さくら介護センター",
        "2026年11月25日",
        "hanako01",
        "受付PC1",
        "職員スマホ1",
        "スマートフォン・タブレット",
        "一般ユーザ",
        "本人確認と同意",
        "市町村のデータ移行",
    ] {
        assert!(flat.contains(fact), "{fact} missing from the PDF:\n{text}");
    }
    assert!(!text.contains("h***@example.jp") && !text.to_lowercase().contains("password:"), "no contact or password on the sheet");
}

/// `html` printed to PDF by `browser`, checked to be one page, read back.
#[allow(clippy::unwrap_used)] // a test's helper: failing loudly is right
pub(crate) fn printed(browser: &str, html: &str) -> String {
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("sheet.html");
    let pdf = dir.path().join("sheet.pdf");
    std::fs::write(&page, html).unwrap();
    let out = Command::new(browser)
        .args(["--headless", "--no-sandbox", "--disable-gpu", "--no-pdf-header-footer"])
        .arg(format!("--user-data-dir={}", dir.path().join("profile").display()))
        .arg(format!("--print-to-pdf={}", pdf.display()))
        .arg(format!("file://{}", page.display()))
        .output()
        .unwrap();
    assert!(pdf.exists(), "no PDF: {}", String::from_utf8_lossy(&out.stderr));
    let info = String::from_utf8(Command::new("pdfinfo").arg(&pdf).output().unwrap().stdout).unwrap();
    assert!(info.lines().any(|l| l.starts_with("Pages:") && l.trim_end().ends_with(" 1")), "one page: {info}");
    String::from_utf8(Command::new("pdftotext").args(["-layout"]).arg(&pdf).arg("-").output().unwrap().stdout).unwrap()
}
