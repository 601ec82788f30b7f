//! The texts of the mails and SMS the service sends, in Japanese.
//! Bodies hold secrets (codes, initial passwords): they are never logged.

use kaigo_domain::messages::span;
use kaigo_domain::Language;
use kaigo_domain::{DeliveryChannel, Policy};
use time::OffsetDateTime;

pub struct Message {
    pub subject: String,
    pub body: String,
}

fn jst(t: OffsetDateTime) -> String {
    let t = t.to_offset(kaigo_domain::messages::JAPAN_TIME);
    format!("{}年{}月{}日 {:02}:{:02}", t.year(), u8::from(t.month()), t.day(), t.hour(), t.minute())
}

pub fn office_code(office_name: &str, code: &str, expires_at: OffsetDateTime, policy: &Policy) -> Message {
    Message {
        subject: "【介護WEBサービス】ワンタイム認証コードのお知らせ".into(),
        body: format!(
            "{office_name} ご担当者様\n\n事業所ユーザのログインに使うワンタイム認証コードは次のとおりです。\n\n  {code}\n\n有効期限：{} まで（{}、1回だけ使えます）\n\nこのメールに心当たりがない場合は、コードを入力せずにサポート窓口へご連絡ください。\n",
            jst(expires_at),
            span(policy.one_time_code_lifetime, Language::Japanese)
        ),
    }
}

pub fn user_code(channel: DeliveryChannel, code: &str, expires_at: OffsetDateTime) -> Message {
    match channel {
        DeliveryChannel::Email => Message {
            subject: "【介護WEBサービス】ワンタイム認証コードのお知らせ".into(),
            body: format!(
                "ログインに使うワンタイム認証コードは次のとおりです。\n\n  {code}\n\n有効期限：{} まで（1回だけ使えます）\n\n心当たりがない場合は、コードを入力せずにサポート窓口へご連絡ください。\n",
                jst(expires_at)
            ),
        },
        DeliveryChannel::Sms => Message {
            subject: String::new(),
            body: format!("介護WEBサービス ワンタイム認証コード：{code}（{}まで有効）。他人に教えないでください。", jst(expires_at)),
        },
    }
}

pub fn initial_password(
    channel: DeliveryChannel, office_name: &str, name: &str, user_id: &str, password: &str, policy: &Policy,
) -> Message {
    let valid_for = span(policy.initial_password_lifetime, Language::Japanese);
    match channel {
        DeliveryChannel::Email => Message {
            subject: "【介護WEBサービス】管理者ユーザ登録完了のお知らせ".into(),
            body: format!(
                "{name} 様\n\n{office_name} の管理者ユーザとして登録されました。\n\nユーザID：{user_id}\n初期パスワード：{password}\n\n「管理者または一般 ユーザログイン」からログインしてください（初期パスワードは{valid_for}使えます）。\n初めてのログインでは、新しいパスワードの設定が必要です。\nこのメールは、パスワードを変更した後は削除してください。\n"
            ),
        },
        DeliveryChannel::Sms => Message {
            subject: String::new(),
            body: format!("介護WEBサービス 管理者ユーザ登録完了 ユーザID：{user_id} 初期パスワード：{password}（{valid_for}有効） 初回ログイン時に変更してください。"),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;
    use time::Duration;

    #[test]
    fn the_mails_state_the_lifetimes_of_the_policy_in_force() {
        let at = datetime!(2026-11-25 00:30 UTC);
        let p = Policy { one_time_code_lifetime: Duration::minutes(10), initial_password_lifetime: Duration::days(3), ..Policy::default() };
        let office = office_code("テスト事業所", "123456", at, &p);
        assert!(office.body.contains("2026年11月25日 09:30 まで（10分間、1回だけ使えます）"), "{}", office.body);
        assert!(initial_password(DeliveryChannel::Email, "事業所", "介護 花子", "hanako01", "x", &p)
            .body
            .contains("初期パスワードは3日間使えます"));
        assert!(initial_password(DeliveryChannel::Sms, "事業所", "介護 花子", "hanako01", "x", &p).body.contains("（3日間有効）"));
    }
}
