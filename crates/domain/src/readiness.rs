//! 「準備できていますか」: what an office needs at hand before 3-1, asked as
//! plain questions; each "no" says what to do and whom to call. The help
//! desk's number and hours come from `data/help-desks.json` (with its source).

use serde::{Deserialize, Serialize};
use std::sync::OnceLock;

const HELP_DESKS: &str = include_str!("../data/help-desks.json");

/// A help desk as staff call it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HelpDesk {
    pub name: String,
    pub name_en: String,
    pub phone: String,
    pub hours: String,
    pub hours_en: String,
    /// What it answers.
    pub covers: String,
    /// Where the number and hours were read.
    pub source: String,
}

#[derive(Debug, Deserialize)]
struct HelpDesks {
    electronic_billing: HelpDesk,
}

/// 介護電子請求ヘルプデスク (electronic-billing ID, password, certificate).
pub fn electronic_billing_help_desk() -> &'static HelpDesk {
    static DESKS: OnceLock<HelpDesks> = OnceLock::new();
    #[allow(clippy::expect_used)] // built into the program and checked by a test
    &DESKS.get_or_init(|| serde_json::from_str(HELP_DESKS).expect("data/help-desks.json is valid")).electronic_billing
}

/// One question of the checklist.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReadinessItem {
    pub id: &'static str,
    pub question: &'static str,
    pub question_en: &'static str,
    /// What to do when the answer is "no", the help desk written in.
    pub if_not: String,
    pub if_not_en: String,
    /// Whether 3-1 can go on without it (the card reader is needed only in 3-4).
    pub needed_for_login: bool,
}

/// id, question and "if not" in Japanese, then in English, and whether 3-1 needs it.
const ITEMS: &[(&str, &str, &str, &str, &str, bool)] = &[
    (
        "electronic_billing_login",
        "電子請求受付システムのユーザID（KJで始まるもの）と、いま使えるパスワード（仮や期限切れでないもの）がありますか",
        "仮パスワードや期限切れのパスワードは、先に電子請求受付システムで変更してください。ユーザIDやパスワードが分からないときは{help_desk}へお問い合わせください。再発行は郵送で届きます。{hours}パスワードは3回まちがえると30分以上ログインできなくなります。",
        "Do you have the electronic-billing system's user ID (starting with KJ) and a password that works now (not a temporary or expired one)?",
        "Change a temporary or expired password in the electronic-billing system first. If you do not know the user ID or password, ask {help_desk} (a new one comes by post). {hours} Three wrong passwords lock the login for 30 minutes or more.",
        true,
    ),
    (
        "security_mail",
        "電子請求受付システムに「セキュリティ用メールアドレス」を登録していますか",
        "3-1のワンタイム認証コードはこのメールアドレスに届きます。登録がないとコードが届かず、先に進めません。電子請求受付システムにログインして登録してから始めてください。分からないときは{help_desk}へ。{hours}",
        "Is a security mail address (セキュリティ用メールアドレス) registered in the electronic-billing system?",
        "The one-time code of 3-1 is sent to that address. Without it no code arrives and you cannot go on: log in to the electronic-billing system and register it first. If unsure, ask {help_desk}. {hours}",
        true,
    ),
    (
        "certificate",
        "事業所のクライアント証明書がこのPCに入っていますか（または証明書ファイル .p12 とそのパスワードが手元にありますか）",
        "証明書は事業所番号ごとに発行されます（介護保険証明書または介護DX証明書）。申請から届くまで1か月ほどかかります。{help_desk}に確認してください。{hours}",
        "Is the office's client certificate installed on this PC (or do you have its .p12 file and password at hand)?",
        "A certificate is issued per office number (介護保険証明書 or 介護DX証明書) and takes about a month to arrive after applying. Check with {help_desk}. {hours}",
        true,
    ),
    (
        "card_reader",
        "マイナ資格確認アプリが対応するカードリーダー（またはNFCで読み取れるスマートフォン・タブレット）がありますか",
        "3-4（端末の事前設定）で使います。3-1〜3-3は先に進められます。対応機種はマイナ資格確認アプリの案内で確かめてください。",
        "Do you have a card reader the マイナ資格確認アプリ supports (or a phone or tablet that reads by NFC)?",
        "It is needed in 3-4 (terminal pre-setup); 3-1 to 3-3 can go on without it. Check the supported models in the app's guide.",
        false,
    ),
];

/// The checklist, in the order staff are asked.
pub fn readiness_checklist() -> Vec<ReadinessItem> {
    let desk = electronic_billing_help_desk();
    // The desk and its number in the sentence, its hours in one of their
    // own: together they made a sentence of over 100 characters.
    let help_desk = format!("{}（電話 {}）", desk.name, desk.phone);
    let hours = format!("ヘルプデスクの受付は{}です。", desk.hours);
    let help_desk_en = format!("{} (phone {})", desk.name_en, desk.phone);
    let hours_en = format!("The help desk answers {}.", desk.hours_en);
    ITEMS
        .iter()
        .map(|(id, question, if_not, question_en, if_not_en, needed_for_login)| ReadinessItem {
            id,
            question,
            question_en,
            if_not: if_not.replace("{help_desk}", &help_desk).replace("{hours}", &hours),
            if_not_en: if_not_en.replace("{help_desk}", &help_desk_en).replace("{hours}", &hours_en),
            needed_for_login: *needed_for_login,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn the_help_desk_comes_from_its_data_file_with_a_source() {
        let desk = electronic_billing_help_desk();
        assert_eq!(desk.phone, "0570-059-402");
        assert!(!desk.source.is_empty() && !desk.hours.is_empty());
    }

    #[test]
    fn every_no_says_what_to_do_and_the_desk_is_written_in() {
        let items = readiness_checklist();
        assert_eq!(
            items.iter().map(|i| i.id).collect::<Vec<_>>(),
            ["electronic_billing_login", "security_mail", "certificate", "card_reader"]
        );
        for item in &items {
            assert!(!item.if_not.contains('{'), "{}", item.if_not);
        }
        assert!(items[1].if_not.contains("0570-059-402") && items[1].if_not.contains("平日10時〜17時"), "{}", items[1].if_not);
        assert!(!items[3].needed_for_login, "a card reader is needed only in 3-4");
    }
}
