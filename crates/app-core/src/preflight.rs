//! 事前チェック before Step 3: the PC clock against the service, the service
//! itself, the client certificate, the keychain and a card reader.

use crate::catalogue::{Said, Text};
use crate::certificates::CertificateSummary;
use crate::keychain::SecretStore;
use crate::program_signature::ProgramSignature;
use crate::AppError;
use kaigo_domain::{CertificateStatus, ErrorCode, Policy};
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
    /// Plain words: what was found and what to do.
    #[serde(flatten)]
    pub said: Said,
}

impl Check {
    pub fn new(id: &'static str, status: CheckStatus, said: Said) -> Check {
        Check { id, status, said }
    }

    /// A check failed with an error the app explains.
    pub fn failed(id: &'static str, e: AppError) -> Check {
        let AppError(body) = e;
        Check { id, status: CheckStatus::Error, said: Said { message: body.message, message_en: body.message_en } }
    }

    /// What staff read, in Japanese.
    pub fn message(&self) -> &str {
        &self.said.message
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
/// The running program's Authenticode signature (Windows): an altered
/// program must not be used; an unsigned one is worth knowing.
pub fn signature_check(signature: &ProgramSignature) -> Option<Check> {
    let policy = Policy::default();
    let (status, said) = match signature {
        ProgramSignature::NotChecked => return None,
        ProgramSignature::Trusted { publisher } => (CheckStatus::Ok, Text::CheckSignatureTrusted.said(&policy, &[("name", publisher)])),
        ProgramSignature::Unsigned => (CheckStatus::Warning, Text::CheckSignatureUnsigned.said(&policy, &[])),
        ProgramSignature::Altered => (CheckStatus::Error, Text::CheckSignatureAltered.said(&policy, &[])),
        ProgramSignature::PublisherUnknown => (CheckStatus::Warning, Text::CheckSignaturePublisherUnknown.said(&policy, &[])),
        ProgramSignature::NotVerified { code } => {
            (CheckStatus::Warning, Text::CheckSignatureNotVerified.said(&policy, &[("name", &format!("{:#010x}", *code as u32))]))
        }
    };
    Some(Check::new("signature", status, said))
}

pub fn clock_check(skew: time::Duration) -> Check {
    let secs = skew.whole_seconds().abs();
    let minutes = ((secs + 59) / 60).to_string();
    let said = |text: Text| text.said(&Policy::default(), &[("minutes", &minutes)]);
    if secs <= 60 {
        Check::new("clock", CheckStatus::Ok, said(Text::CheckClockRight))
    } else if secs <= 300 {
        Check::new("clock", CheckStatus::Warning, said(Text::CheckClockOff))
    } else {
        Check::new("clock", CheckStatus::Error, said(Text::CheckClockWrong))
    }
}

/// The chosen certificate: none chosen, chosen but gone, expiring, expired.
pub fn certificate_check(chosen: bool, found: Option<&CertificateSummary>) -> Check {
    let error = |code| Check::failed("certificate", AppError::new(code));
    match found {
        None if !chosen => error(ErrorCode::CertificateNotChosen),
        None => error(ErrorCode::CertificateNotFound),
        Some(c) => {
            let days = c.days_left.to_string();
            let said = |text: Text| text.said(&Policy::default(), &[("label", &c.label), ("days", &days)]);
            match c.status {
                CertificateStatus::Valid => Check::new("certificate", CheckStatus::Ok, said(Text::CheckCertificateValid)),
                CertificateStatus::ExpiresSoon => Check::new("certificate", CheckStatus::Warning, said(Text::CheckCertificateExpiresSoon)),
                CertificateStatus::ForClass => Check::new("certificate", CheckStatus::Ok, said(Text::CheckCertificateForClass)),
                CertificateStatus::Expired | CertificateStatus::NotYetValid => error(ErrorCode::ClientCertificateExpired),
            }
        }
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
        Ok(true) => Check::new("keychain", CheckStatus::Ok, Text::CheckKeychainWorks.said(&Policy::default(), &[])),
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
            let mut said = Text::CheckCardReaderFound.said(&Policy::default(), &[("readers", &names.join("、"))]);
            said.message_en = Text::CheckCardReaderFound.render_with(
                &Policy::default(),
                kaigo_domain::Language::English,
                &[("readers", &names.join(", "))],
            );
            Check::new("card_reader", CheckStatus::Ok, said)
        }
        _ => Check::new("card_reader", CheckStatus::Warning, Text::CheckCardReaderMissing.said(&Policy::default(), &[])),
    }
}

#[cfg(test)]
mod tests {

    #[test]
    fn an_altered_program_stops_the_procedure_an_unsigned_one_warns() {
        use crate::program_signature::ProgramSignature as S;
        let status = |s: S| super::signature_check(&s).map(|c| c.status);
        assert_eq!(status(S::NotChecked), None);
        assert_eq!(status(S::Altered), Some(CheckStatus::Error));
        assert_eq!(status(S::Unsigned), Some(CheckStatus::Warning));
        assert_eq!(status(S::PublisherUnknown), Some(CheckStatus::Warning));
        let trusted = super::signature_check(&S::Trusted { publisher: "Kaigo Onboard".into() }).unwrap();
        assert!(trusted.status == CheckStatus::Ok && trusted.message().contains("Kaigo Onboard"));
        let other = super::signature_check(&S::NotVerified { code: 0x800B_0003_u32 as i32 }).unwrap();
        assert!(other.message().contains("0x800b0003"), "{}", other.message());
    }

    use super::*;

    #[test]
    fn the_clock_is_ok_within_a_minute_warns_within_five_and_stops_beyond() {
        assert_eq!(clock_check(time::Duration::seconds(30)).status, CheckStatus::Ok);
        assert_eq!(clock_check(time::Duration::seconds(-200)).status, CheckStatus::Warning);
        let c = clock_check(time::Duration::minutes(12));
        assert_eq!(c.status, CheckStatus::Error);
        assert!(c.message().contains("約12分"));
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
        assert_eq!(c.message(), AppError::new(ErrorCode::KeychainUnavailable).message);
    }

    #[test]
    fn the_certificate_check_names_what_to_fix() {
        assert_eq!(certificate_check(false, None).message(), AppError::new(ErrorCode::CertificateNotChosen).message);
        assert_eq!(certificate_check(true, None).message(), AppError::new(ErrorCode::CertificateNotFound).message);
    }

    #[test]
    fn a_missing_card_reader_is_a_warning_not_a_stop() {
        // No reader is attached on the test machines.
        let c = card_reader_check();
        assert_ne!(c.status, CheckStatus::Error);
    }
}
