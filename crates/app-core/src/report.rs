//! 完了報告書: a one-page hand-over sheet at the end of Step 3, for staff to
//! print or keep — who the office is, when, the admin's user ID (never a
//! password), the linked terminals, and what comes next. Built from the
//! saved progress alone, so it can be shown again after the app restarts.

use crate::progress::Progress;
use kaigo_domain::terminal::TerminalKind;
use time::UtcOffset;

/// What the sheet says, read from the progress.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompletionReport {
    pub office_number: String,
    pub office_name: String,
    /// 完了日 in Japan's time (JST), as 2026年11月25日.
    pub date: String,
    pub admin_user_id: String,
    pub terminals: Vec<(String, String, &'static str)>,
}

/// 日本標準時: the date staff see is Japan's, whatever the PC's zone.
const JST: UtcOffset = match UtcOffset::from_hms(9, 0, 0) {
    Ok(o) => o,
    Err(_) => UtcOffset::UTC,
};

fn kind_ja(kind: TerminalKind) -> &'static str {
    match kind {
        TerminalKind::ThisPc => "このPC",
        TerminalKind::Mobile => "スマートフォン・タブレット",
    }
}

impl CompletionReport {
    /// `None` until Step 3 is finished.
    pub fn from_progress(p: &Progress) -> Option<CompletionReport> {
        let finished = p.finished_at?;
        let office = p.office.as_ref()?;
        let d = finished.to_offset(JST);
        Some(CompletionReport {
            office_number: office.office_number.clone(),
            office_name: office.name.clone(),
            date: format!("{}年{}月{}日", d.year(), u8::from(d.month()), d.day()),
            admin_user_id: p.admin.as_ref().map(|a| a.user_id.clone()).unwrap_or_default(),
            terminals: p.linked_terminals.iter().map(|t| (t.name.clone(), t.terminal_id.clone(), kind_ja(t.kind))).collect(),
        })
    }

    /// The sheet itself: what the app's finished screen shows and prints.
    /// Styled by `ui/report.css` (classes only: the app's page allows no
    /// inline styles).
    pub fn body_html(&self) -> String {
        let e = |s: &str| html_escape::encode_text(s).into_owned();
        let rows: String = self
            .terminals
            .iter()
            .map(|(name, id, kind)| format!("<tr><td>{}</td><td>{}</td><td class=\"id\">{}</td></tr>", e(name), kind, e(id)))
            .collect();
        format!(
            r#"<article class="report-sheet">
<h1>介護WEBサービス 初期設定（ステップ3）完了報告書</h1>
<table class="facts">
<tr><th>事業所番号</th><td>{number}</td></tr>
<tr><th>事業所名</th><td>{name}</td></tr>
<tr><th>完了日</th><td>{date}</td></tr>
<tr><th>管理者ユーザID</th><td>{admin}</td></tr>
</table>
<p class="note">パスワードはこの用紙に書きません。管理者ユーザのパスワードは、管理者本人だけが知っている状態にしてください。</p>
<h2>利用開始した資格確認端末</h2>
<table><tr><th>端末名</th><th>種類</th><th>端末ID</th></tr>{rows}</table>
<h2>このあとすること</h2>
<ol>
<li>職員ごとに<strong>一般ユーザ</strong>を作ります。管理者ユーザでログインし、ユーザ管理から、介護WEBサービスを使う職員の人数分を登録してください。ユーザIDとパスワードは一人ひとり別にします。</li>
<li>資格確認端末にマイナ資格確認アプリを入れていない場合は入れて、端末の利用開始コードで設定します。</li>
<li>利用者の情報が表示されるには、<strong>利用者ご本人の本人確認と同意</strong>が必要です。また、<strong>市町村のデータ移行</strong>が済むまでは、情報が空に見えることがあります。故障ではありません。</li>
</ol>
<p class="note">この用紙は「介護WEBサービス 初期設定」アプリが作りました。大切に保管してください。</p>
</article>"#,
            number = e(&self.office_number),
            name = e(&self.office_name),
            date = e(&self.date),
            admin = e(&self.admin_user_id),
            rows = rows,
        )
    }

    /// The sheet as a file of its own, to keep or print later.
    pub fn to_html(&self) -> String {
        format!(
            "<!doctype html>\n<html lang=\"ja\"><head><meta charset=\"utf-8\"><title>介護WEBサービス 初期設定 完了報告書</title>\n<style>\nbody {{ margin: 0; }}\n{SHEET_CSS}</style></head>\n<body>\n{}\n</body></html>\n",
            self.body_html()
        )
    }
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
            office: Some(OfficeSummary { office_number: "1312345678".into(), name: "さくら<介護>センター".into(), electronic_billing_id: "KJ1234567890".into() }),
            admin: Some(AdminProgress { user_id: "hanako01".into(), initial_password_channel: DeliveryChannel::Email, initial_password_sent_to: "h***@example.jp".into() }),
            linked_terminals: vec![LinkedTerminal { terminal_id: "t-1".into(), name: "受付PC1".into(), kind: TerminalKind::ThisPc }],
            finished_at: Some(datetime!(2026-11-25 16:30 UTC)),
            ..Progress::default()
        }
    }

    #[test]
    fn the_report_names_the_office_admin_and_terminals_in_japans_date() {
        let r = CompletionReport::from_progress(&finished()).unwrap();
        assert_eq!(r.date, "2026年11月26日", "16:30 UTC is the next morning in Japan");
        let html = r.to_html();
        assert!(html.contains("さくら&lt;介護&gt;センター"), "names are escaped");
        assert!(html.contains("hanako01") && html.contains("受付PC1") && html.contains("このPC"));
        assert!(CompletionReport::from_progress(&Progress::default()).is_none());
    }
}
