//! 完了報告書: a one-page hand-over sheet at the end of Step 3, for staff to
//! print or keep — who the office is, when, the admin's user ID (never a
//! password), the linked terminals, and what comes next. Built from the
//! saved progress alone, so it can be shown again after the app restarts.

use crate::catalogue::Text;
use crate::progress::Progress;
use kaigo_domain::messages::JAPAN_TIME;
use kaigo_domain::terminal::TerminalKind;
use kaigo_domain::{Language, Policy};

/// What the sheet says, read from the progress.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompletionReport {
    pub office_number: String,
    pub office_name: String,
    /// 完了日 in Japan's time (JST).
    pub date: time::Date,
    pub admin_user_id: String,
    /// Name, terminal ID, kind.
    pub terminals: Vec<(String, String, TerminalKind)>,
}

/// A text of the sheet in `language` (its words state no number of the policy).
pub(crate) fn said(text: Text, language: Language, values: &[(&str, &str)]) -> String {
    text.render_with(&Policy::default(), language, values)
}

/// Escaped for the page, `**…**` made bold.
pub(crate) fn html(text: &str) -> String {
    let escaped = html_escape::encode_text(text);
    escaped.split("**").enumerate().map(|(i, part)| if i % 2 == 1 { format!("<strong>{part}</strong>") } else { part.to_owned() }).collect()
}

fn kind_name(kind: TerminalKind) -> Text {
    match kind {
        TerminalKind::ThisPc => Text::TerminalKindThisPc,
        TerminalKind::Mobile => Text::TerminalKindMobile,
    }
}

pub(crate) fn date_in(d: time::Date, language: Language) -> String {
    let (year, month, day) = (d.year().to_string(), u8::from(d.month()).to_string(), d.day().to_string());
    let month_name = d.month().to_string();
    said(Text::ReportDate, language, &[("year", &year), ("month", &month), ("day", &day), ("month_name", &month_name)])
}

pub(crate) fn lang(language: Language) -> &'static str {
    match language {
        Language::Japanese => "ja",
        Language::English => "en",
    }
}

impl CompletionReport {
    /// `None` until Step 3 is finished.
    pub fn from_progress(p: &Progress) -> Option<CompletionReport> {
        let finished = p.finished_at?;
        let office = p.office.as_ref()?;
        Some(CompletionReport {
            office_number: office.office_number.clone(),
            office_name: office.name.clone(),
            date: finished.to_offset(JAPAN_TIME).date(),
            admin_user_id: p.admin.as_ref().map(|a| a.user_id.clone()).unwrap_or_default(),
            terminals: p.linked_terminals.iter().map(|t| (t.name.clone(), t.terminal_id.clone(), t.kind)).collect(),
        })
    }

    /// The sheet itself: what the app's finished screen shows and prints.
    /// Styled by `ui/report.css` (classes only: the app's page allows no
    /// inline styles).
    pub fn body_html(&self, language: Language) -> String {
        let t = |text: Text| html(&said(text, language, &[]));
        let rows: String = self
            .terminals
            .iter()
            .map(|(name, id, kind)| {
                format!("<tr><td>{}</td><td>{}</td><td class=\"id\">{}</td></tr>", html(name), t(kind_name(*kind)), html(id))
            })
            .collect();
        let steps: String = [Text::ReportStepUsers, Text::ReportStepApp, Text::ReportStepConsent, Text::ReportStepEdge]
            .into_iter()
            .map(|s| format!("<li>{}</li>\n", t(s)))
            .collect();
        format!(
            r#"<article class="report-sheet" lang="{lang}">
<h1>{title}</h1>
<table class="facts">
<tr><th>{l_number}</th><td>{number}</td></tr>
<tr><th>{l_name}</th><td>{name}</td></tr>
<tr><th>{l_date}</th><td>{date}</td></tr>
<tr><th>{l_admin}</th><td>{admin}</td></tr>
</table>
<p class="note">{no_password}</p>
<h2>{l_terminals}</h2>
<table><tr><th>{h1}</th><th>{h2}</th><th>{h3}</th></tr>{rows}</table>
<h2>{l_next}</h2>
<ol>
{steps}</ol>
<p class="note">{footer}</p>
</article>"#,
            lang = lang(language),
            title = t(Text::ReportTitle),
            l_number = t(Text::ReportOfficeNumber),
            l_name = t(Text::ReportOfficeName),
            l_date = t(Text::ReportCompletedOn),
            l_admin = t(Text::ReportAdminUserId),
            no_password = t(Text::ReportNoPassword),
            l_terminals = t(Text::ReportTerminals),
            h1 = t(Text::TerminalNameLabel),
            h2 = t(Text::ColumnKind),
            h3 = t(Text::ReportTerminalId),
            l_next = t(Text::ReportNext),
            footer = t(Text::ReportFooter),
            number = html(&self.office_number),
            name = html(&self.office_name),
            date = date_in(self.date, language),
            admin = html(&self.admin_user_id),
        )
    }

    /// The sheet as a file of its own, to keep or print later.
    pub fn to_html(&self, language: Language) -> String {
        sheet_file(&said(Text::ReportTitle, language, &[]), &self.body_html(language), language)
    }
}

/// A sheet as a file of its own: its title, its body, the sheets' look.
pub(crate) fn sheet_file(title: &str, body: &str, language: Language) -> String {
    format!(
        "<!doctype html>\n<html lang=\"{}\"><head><meta charset=\"utf-8\"><title>{}</title>\n<style>\nbody {{ margin: 0; }}\n{SHEET_CSS}</style></head>\n<body>\n{body}\n</body></html>\n",
        lang(language),
        html(title),
    )
}

/// The sheet's look, shared with the app's screen.
const SHEET_CSS: &str = include_str!("../../../ui/report.css");

#[cfg(test)]
mod tests {
    use super::*;
    use crate::progress::{AdminProgress, LinkedTerminal, Step};
    use kaigo_api::office::OfficeSummary;
    use kaigo_domain::DeliveryChannel;
    use time::macros::datetime;

    pub(crate) fn finished() -> Progress {
        Progress {
            step: Step::Finished,
            office: Some(OfficeSummary {
                office_number: "1312345678".into(),
                name: "さくら<介護>センター".into(),
                electronic_billing_id: "KJ1234567890".into(),
            }),
            admin: Some(AdminProgress {
                user_id: "hanako01".into(),
                initial_password_channel: DeliveryChannel::Email,
                initial_password_sent_to: "h***@example.jp".into(),
            }),
            linked_terminals: vec![LinkedTerminal { terminal_id: "t-1".into(), name: "受付PC1".into(), kind: TerminalKind::ThisPc }],
            finished_at: Some(datetime!(2026-11-25 16:30 UTC)),
            ..Progress::default()
        }
    }

    #[test]
    fn the_report_names_the_office_admin_and_terminals_in_japans_date() {
        let r = CompletionReport::from_progress(&finished()).unwrap();
        let html = r.to_html(Language::Japanese);
        assert!(html.contains("<td>2026年11月26日</td>"), "16:30 UTC is the next morning in Japan");
        assert!(html.contains("さくら&lt;介護&gt;センター"), "names are escaped");
        assert!(html.contains("hanako01") && html.contains("受付PC1") && html.contains("このPC"));
        assert!(
            html.contains("ERR_BAD_SSL_CLIENT_AUTH_CERT") && html.contains("Edgeの画面をすべて閉じてから"),
            "what Edge does with a wrong pick"
        );
        let en = r.to_html(Language::English);
        assert!(en.contains("<td>26 November 2026</td>") && en.contains("This PC") && en.contains("general user"), "{en}");
        assert!(CompletionReport::from_progress(&Progress::default()).is_none());
    }
}
