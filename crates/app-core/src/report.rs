//! 完了報告書: a one-page hand-over sheet at the end of Step 3, for staff to
//! print or keep — who the office is, when, the admin's user ID (never a
//! password), the linked terminals, and what comes next. Built from the
//! saved progress alone, so it can be shown again after the app restarts.

use crate::progress::Progress;
use kaigo_domain::messages::JAPAN_TIME;
use kaigo_domain::terminal::TerminalKind;
use kaigo_domain::Language;

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

/// The sheet's words in one language.
struct Words {
    lang: &'static str,
    title: &'static str,
    office_number: &'static str,
    office_name: &'static str,
    date: &'static str,
    admin: &'static str,
    no_password: &'static str,
    terminals: &'static str,
    terminal_head: [&'static str; 3],
    next: &'static str,
    steps: [&'static str; 3],
    footer: &'static str,
}

const JA: Words = Words {
    lang: "ja",
    title: "介護WEBサービス 初期設定（ステップ3）完了報告書",
    office_number: "事業所番号",
    office_name: "事業所名",
    date: "完了日",
    admin: "管理者ユーザID",
    no_password: "パスワードはこの用紙に書きません。管理者ユーザのパスワードは、管理者本人だけが知っている状態にしてください。",
    terminals: "利用開始した資格確認端末",
    terminal_head: ["端末名", "種類", "端末ID"],
    next: "このあとすること",
    steps: [
        "職員ごとに<strong>一般ユーザ</strong>を作ります。管理者ユーザでログインし、ユーザ管理から、介護WEBサービスを使う職員の人数分を登録してください。ユーザIDとパスワードは一人ひとり別にします。",
        "資格確認端末にマイナ資格確認アプリを入れていない場合は入れて、端末の利用開始コードで設定します。",
        "利用者の情報が表示されるには、<strong>利用者ご本人の本人確認と同意</strong>が必要です。また、<strong>市町村のデータ移行</strong>が済むまでは、情報が空に見えることがあります。故障ではありません。",
    ],
    footer: "この用紙は「介護WEBサービス 初期設定」アプリが作りました。大切に保管してください。",
};

const EN: Words = Words {
    lang: "en",
    title: "介護WEBサービス set-up (Step 3) completion report",
    office_number: "Office number",
    office_name: "Office name",
    date: "Completed on",
    admin: "Admin user ID",
    no_password: "No password is written on this sheet. Only the admin should know the admin user's password.",
    terminals: "Linked card-reading terminals",
    terminal_head: ["Terminal name", "Kind", "Terminal ID"],
    next: "What comes next",
    steps: [
        "Create a <strong>general user</strong> (一般ユーザ) for each staff member: log in as the admin user and register, in user management, everyone who will use the service. Each person gets their own user ID and password.",
        "Install the マイナ資格確認アプリ on each card-reading terminal that does not have it yet and set it up with the terminal's activation code.",
        "A care recipient's information shows only after <strong>their identity check and consent</strong>, and may look empty until <strong>the municipality's data migration</strong> is done. That is not a fault.",
    ],
    footer: "This sheet was made by the 介護WEBサービス set-up app. Keep it in a safe place.",
};

fn kind_name(kind: TerminalKind, language: Language) -> &'static str {
    match (kind, language) {
        (TerminalKind::ThisPc, Language::Japanese) => "このPC",
        (TerminalKind::Mobile, Language::Japanese) => "スマートフォン・タブレット",
        (TerminalKind::ThisPc, Language::English) => "This PC",
        (TerminalKind::Mobile, Language::English) => "Phone or tablet",
    }
}

fn date_in(d: time::Date, language: Language) -> String {
    match language {
        Language::Japanese => format!("{}年{}月{}日", d.year(), u8::from(d.month()), d.day()),
        Language::English => format!("{} {} {}", d.day(), d.month(), d.year()),
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
        let w = if language == Language::English { &EN } else { &JA };
        let e = |s: &str| html_escape::encode_text(s).into_owned();
        let rows: String = self
            .terminals
            .iter()
            .map(|(name, id, kind)| {
                format!("<tr><td>{}</td><td>{}</td><td class=\"id\">{}</td></tr>", e(name), kind_name(*kind, language), e(id))
            })
            .collect();
        let [h1, h2, h3] = w.terminal_head;
        let steps: String = w.steps.iter().map(|s| format!("<li>{s}</li>\n")).collect();
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
            lang = w.lang,
            title = w.title,
            l_number = w.office_number,
            l_name = w.office_name,
            l_date = w.date,
            l_admin = w.admin,
            no_password = w.no_password,
            l_terminals = w.terminals,
            l_next = w.next,
            footer = w.footer,
            number = e(&self.office_number),
            name = e(&self.office_name),
            date = date_in(self.date, language),
            admin = e(&self.admin_user_id),
        )
    }

    /// The sheet as a file of its own, to keep or print later.
    pub fn to_html(&self, language: Language) -> String {
        let w = if language == Language::English { &EN } else { &JA };
        format!(
            "<!doctype html>\n<html lang=\"{}\"><head><meta charset=\"utf-8\"><title>{}</title>\n<style>\nbody {{ margin: 0; }}\n{SHEET_CSS}</style></head>\n<body>\n{}\n</body></html>\n",
            w.lang,
            w.title,
            self.body_html(language)
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
        let en = r.to_html(Language::English);
        assert!(en.contains("<td>26 November 2026</td>") && en.contains("This PC") && en.contains("general user"), "{en}");
        assert!(CompletionReport::from_progress(&Progress::default()).is_none());
    }
}
