//! 事前チェック before Step 3: the PC clock against the service, the service
//! itself, the client certificate, the keychain and a card reader.

use crate::certificates::CertificateSummary;
use crate::keychain::SecretStore;
use crate::AppError;
use kaigo_domain::{CertificateStatus, ErrorCode};
use secrecy::{ExposeSecret, SecretString};
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CheckStatus {
    Ok,
    /// Worth knowing; does not stop the procedure.
    Warning,
    /// Must be fixed before going on.
    Error,
}

#[derive(Debug, Clone, Serialize)]
pub struct Check {
    pub id: &'static str,
    pub status: CheckStatus,
    /// Plain Japanese: what was found and what to do.
    pub message: String,
    pub message_en: String,
}

impl Check {
    pub fn new(id: &'static str, status: CheckStatus, message: impl Into<String>, message_en: impl Into<String>) -> Check {
        Check { id, status, message: message.into(), message_en: message_en.into() }
    }

    /// A check failed with an error the app explains.
    pub fn failed(id: &'static str, e: AppError) -> Check {
        Check { id, status: CheckStatus::Error, message: e.message, message_en: e.message_en }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct PreflightReport {
    pub checks: Vec<Check>,
    pub can_continue: bool,
}

impl PreflightReport {
    pub fn new(checks: Vec<Check>) -> Self {
        let can_continue = checks.iter().all(|c| c.status != CheckStatus::Error);
        Self { checks, can_continue }
    }
}

/// Clock skew beyond which one-time codes and certificates misbehave.
pub fn clock_check(skew: time::Duration) -> Check {
    let secs = skew.whole_seconds().abs();
    let minutes = (secs + 59) / 60;
    if secs <= 60 {
        Check::new("clock", CheckStatus::Ok, "PCの時計は正確です。", "The PC's clock is right.")
    } else if secs <= 300 {
        Check::new(
            "clock",
            CheckStatus::Warning,
            format!("PCの時計が約{minutes}分ずれています。Windowsの「日付と時刻」で「時刻を自動的に設定する」をオンにしてください。"),
            format!("The PC's clock is about {minutes} minutes off. Turn on \"Set time automatically\" in Windows' Date & time settings."),
        )
    } else {
        Check::new(
            "clock",
            CheckStatus::Error,
            format!("PCの時計が約{minutes}分ずれています。このままではワンタイム認証コードが使えません。「日付と時刻」で時刻を合わせてから、もう一度チェックしてください。"),
            format!("The PC's clock is about {minutes} minutes off, so one-time codes will not work. Set the time in Date & time settings, then check again."),
        )
    }
}

/// The chosen certificate: none chosen, chosen but gone, expiring, expired.
pub fn certificate_check(chosen: bool, found: Option<&CertificateSummary>) -> Check {
    let error = |code| Check::failed("certificate", AppError::new(code));
    match found {
        None if !chosen => error(ErrorCode::CertificateNotChosen),
        None => error(ErrorCode::CertificateNotFound),
        Some(c) => match c.status {
            CertificateStatus::Valid => Check::new(
                "certificate",
                CheckStatus::Ok,
                format!("証明書「{}」は{}日後まで使えます。", c.label, c.days_left),
                format!("The certificate \"{}\" is valid for {} more days.", c.label, c.days_left),
            ),
            CertificateStatus::ExpiresSoon => Check::new(
                "certificate",
                CheckStatus::Warning,
                format!("証明書「{}」の有効期限まであと{}日です。早めに更新してください。", c.label, c.days_left),
                format!("The certificate \"{}\" expires in {} days. Renew it soon.", c.label, c.days_left),
            ),
            CertificateStatus::Expired | CertificateStatus::NotYetValid => error(ErrorCode::ClientCertificateExpired),
        },
    }
}

/// The keychain: an entry written, read back and removed. Without it no
/// certificate password, remembered PC or terminal key can be kept.
pub fn keychain_check(secrets: &dyn SecretStore) -> Check {
    const PROBE: &str = "preflight-probe";
    let probe = SecretString::from("kaigo-onboard");
    let works = secrets
        .set(PROBE, &probe)
        .and_then(|()| secrets.get(PROBE))
        .map(|got| got.is_some_and(|v| v.expose_secret() == probe.expose_secret()));
    let _ = secrets.delete(PROBE);
    match works {
        Ok(true) => Check::new(
            "keychain",
            CheckStatus::Ok,
            "パスワードの安全な保管場所（キーチェーン）を使えます。",
            "The safe place for passwords (the keychain) works.",
        ),
        _ => Check::failed("keychain", AppError::new(ErrorCode::KeychainUnavailable)),
    }
}

/// PC/SC card readers (pcscd on Linux). None found is only a warning: the
/// reader may be connected later, or to another PC.
pub fn card_reader_check() -> Check {
    let readers = pcsc::Context::establish(pcsc::Scope::User).and_then(|ctx| ctx.list_readers_owned());
    match readers {
        Ok(list) if !list.is_empty() => {
            let names: Vec<String> = list.iter().map(|r| r.to_string_lossy().into_owned()).collect();
            Check::new("card_reader", CheckStatus::Ok, format!("カードリーダーが見つかりました（{}）。", names.join("、")), format!("Card reader found ({}).", names.join(", ")))
        }
        _ => Check::new(
            "card_reader",
            CheckStatus::Warning,
            "カードリーダーが見つかりません。マイナンバーカードを読み取るPCでは、カードリーダーをつないでください（このまま手続きは続けられます）。",
            "No card reader found. Connect one to the PC that will read My Number Cards (you can go on without it for now).",
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_clock_is_ok_within_a_minute_warns_within_five_and_stops_beyond() {
        assert_eq!(clock_check(time::Duration::seconds(30)).status, CheckStatus::Ok);
        assert_eq!(clock_check(time::Duration::seconds(-200)).status, CheckStatus::Warning);
        let c = clock_check(time::Duration::minutes(12));
        assert_eq!(c.status, CheckStatus::Error);
        assert!(c.message.contains("約12分"));
    }

    #[test]
    fn a_keychain_that_keeps_nothing_stops_the_procedure() {
        use crate::keychain::MemorySecrets;
        use crate::AppResult;
        assert_eq!(keychain_check(&MemorySecrets::default()).status, CheckStatus::Ok);
        struct Broken;
        impl SecretStore for Broken {
            fn get(&self, _: &str) -> AppResult<Option<SecretString>> {
                Ok(None)
            }
            fn set(&self, _: &str, _: &SecretString) -> AppResult<()> {
                Err(AppError::new(ErrorCode::KeychainUnavailable))
            }
            fn delete(&self, _: &str) -> AppResult<()> {
                Ok(())
            }
        }
        let c = keychain_check(&Broken);
        assert_eq!(c.status, CheckStatus::Error);
        assert_eq!(c.message, AppError::new(ErrorCode::KeychainUnavailable).message);
    }

    #[test]
    fn the_certificate_check_names_what_to_fix() {
        assert_eq!(certificate_check(false, None).message, AppError::new(ErrorCode::CertificateNotChosen).message);
        assert_eq!(certificate_check(true, None).message, AppError::new(ErrorCode::CertificateNotFound).message);
    }

    #[test]
    fn a_missing_card_reader_is_a_warning_not_a_stop() {
        // No reader is attached on the test machines.
        let c = card_reader_check();
        assert_ne!(c.status, CheckStatus::Error);
    }
}
