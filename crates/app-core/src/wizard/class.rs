//! 研修に参加する: this PC joins a trainer's class. The class's CA is
//! trusted only once it matches the check code (or the join link's pin);
//! the PC makes its own key, which never leaves it, and asks for a seat
//! with a certificate request; the seat's certificate goes in the app's
//! own store (never the Windows store, whose leftovers would show in
//! Edge's certificate picker on the real day) and leaving the class takes
//! it out again.

use super::{lock, AppCore, AppStatus, Connection, FormField};
use crate::service_access::RehearsalSignIn;
use crate::settings::ServiceSetting;
use crate::{AppError, AppResult};
use kaigo_client::class::fetch_class_authority_via;
use kaigo_client::{OnboardingClient, Unreached};
use kaigo_domain::class::{CaPin, JoinCode};
use kaigo_domain::ErrorCode;
use secrecy::{ExposeSecret as _, SecretString};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

/// What staff type from the projector, or the join link's contents.
#[derive(Debug, Clone, Deserialize)]
pub struct JoinForm {
    /// 接続先.
    pub url: String,
    /// 参加コード.
    pub join_code: String,
    /// 確認コード, or the link's whole fingerprint.
    pub check_code: String,
}

impl JoinForm {
    /// The form a join link fills in.
    pub fn from_link(link: &str) -> AppResult<JoinForm> {
        let read =
            kaigo_api::class::parse_join_link(link).ok_or_else(|| AppError::field(ErrorCode::ClassLinkInvalid, FormField::JoinLink))?;
        Ok(JoinForm { url: read.service_url, join_code: read.join_code, check_code: read.pin })
    }
}

/// The seat this PC holds, kept in the keychain while the class runs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClassSeat {
    pub class_name: String,
    pub seat_number: u32,
    #[serde(with = "time::serde::rfc3339")]
    pub ends_at: OffsetDateTime,
    pub office_number: String,
    pub office_name: String,
    pub sign_in: RehearsalSignIn,
    /// The seat's certificate in the app's store.
    pub certificate_id: String,
}

/// What the page shows of the class (the 研修 mark on every screen).
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct ClassView {
    pub class_name: String,
    pub seat_number: u32,
    #[serde(with = "time::serde::rfc3339")]
    pub ends_at: OffsetDateTime,
    pub office_name: String,
    /// What 3-2 offers instead of real personal data.
    pub made_up_admin: kaigo_domain::class::MadeUpAdmin,
}

const SEAT: &str = "class-seat";

fn key_name(url: &str) -> String {
    format!("class-key:{url}")
}

/// The seat's identity as a PKCS#12 for the app's store: the key made
/// here, the certificate and the class's CA; its password is random and
/// kept in the keychain by the store.
fn seat_pkcs12(key: &rcgen::KeyPair, certificate_pem: &str, ca_pem: &str) -> AppResult<(Vec<u8>, SecretString)> {
    use p12_keystore::{Certificate, KeyStore, KeyStoreEntry, PrivateKey, PrivateKeyChain};
    let der = |pem: &str| -> AppResult<Vec<u8>> {
        let cert = rustls_pemfile::certs(&mut pem.as_bytes()).next().ok_or(AppError::new(ErrorCode::ServiceUnavailable))?;
        Ok(cert.map_err(AppError::internal)?.as_ref().to_vec())
    };
    let (leaf, ca) = (der(certificate_pem)?, der(ca_pem)?);
    let chain = PrivateKeyChain::new(
        <sha2::Sha256 as sha2::Digest>::digest(&leaf).to_vec(),
        PrivateKey::from_der(&key.serialize_der()).map_err(AppError::internal)?,
        [Certificate::from_der(&leaf).map_err(AppError::internal)?, Certificate::from_der(&ca).map_err(AppError::internal)?],
    );
    let mut store = KeyStore::new();
    store.add_entry("class-seat", KeyStoreEntry::PrivateKeyChain(chain));
    let password = SecretString::from(uuid::Uuid::new_v4().simple().to_string());
    let bytes = store.writer(password.expose_secret()).write().map_err(AppError::internal)?;
    Ok((bytes, password))
}

impl AppCore {
    /// The seat held, if this PC is in a class.
    pub(super) fn class_seat(&self) -> Option<ClassSeat> {
        if !matches!(lock(&self.settings).service, ServiceSetting::Class { .. }) {
            return None;
        }
        let json = self.secrets.get(SEAT).ok().flatten()?;
        serde_json::from_str(json.expose_secret()).ok()
    }

    /// A join link the system opened the app with: kept for the join
    /// screen, where staff confirm it (a link alone never joins).
    pub fn offer_join_link(&self, link: String) {
        *lock(&self.join_link) = Some(link);
    }

    /// Joins the class `form` names and starts Step 3 on its seat.
    pub async fn join_class(&self, form: JoinForm) -> AppResult<AppStatus> {
        let url = form.url.trim().trim_end_matches('/').to_owned();
        crate::settings::check_service_url(&url)?;
        let code = JoinCode::parse(&form.join_code).map_err(|c| AppError::field(c, FormField::JoinCode))?;
        let pin = CaPin::parse(&form.check_code).map_err(|c| AppError::field(c, FormField::CheckCode))?;
        let (_, network) = self.network_to(&url)?;
        // No class reached: which case it is, and what to tell the trainer.
        let ca_pem = fetch_class_authority_via(&url, &pin, &network)
            .await
            .map_err(|e| match e.unreached() {
                Some(Unreached::NoAnswer) => AppError::field(ErrorCode::ClassNoAnswer, FormField::Url),
                Some(Unreached::Refused) => AppError::field(ErrorCode::ClassRefused, FormField::Url),
                Some(Unreached::NameNotFound) => AppError::field(ErrorCode::ClassAddressNotFound, FormField::Url),
                None => self.refused(e),
            })
            .map_err(|e| e.at_field_if(&[ErrorCode::ClassPinMismatch], FormField::CheckCode))?;
        // The same PC, the same key: joining again keeps the seat.
        let key = match self.secrets.get(&key_name(&url))? {
            Some(pem) => rcgen::KeyPair::from_pem(pem.expose_secret()).map_err(AppError::internal)?,
            None => {
                let key = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).map_err(AppError::internal)?;
                self.secrets.set(&key_name(&url), &SecretString::from(key.serialize_pem()))?;
                key
            }
        };
        let request = rcgen::CertificateParams::default().serialize_request(&key).and_then(|r| r.pem()).map_err(AppError::internal)?;
        let joining = OnboardingClient::for_joining_via(&url, &ca_pem, &network).map_err(|e| self.refused(e))?;
        let joined = self
            .call(joining.join_class(code.as_str(), &request))
            .await
            .map_err(|e| e.at_field_if(&[ErrorCode::JoinCodeWrong, ErrorCode::JoinCodeFormat], FormField::JoinCode))?;
        let (p12, password) = seat_pkcs12(&key, &joined.certificate_pem, &joined.ca_pem)?;
        let summary = self.certificates.app_store().import(&p12, &password, self.now())?;
        // Joining again gives the seat a new certificate: the old one goes.
        if let Some(old) = self.class_seat().filter(|old| old.certificate_id != summary.id) {
            self.certificates.app_store().remove(&old.certificate_id)?;
        }
        let s = joined.sign_in;
        let seat = ClassSeat {
            class_name: joined.class_name,
            seat_number: joined.seat_number,
            ends_at: joined.ends_at,
            office_number: s.office_number,
            office_name: s.office_name,
            sign_in: RehearsalSignIn {
                electronic_billing_id: s.electronic_billing_id,
                password: s.password,
                security_code: s.security_code.unwrap_or_default(),
                office_email: s.office_email,
            },
            certificate_id: summary.id.clone(),
        };
        self.secrets.set(SEAT, &SecretString::from(serde_json::to_string(&seat).map_err(AppError::internal)?))?;
        let mut settings = lock(&self.settings).clone();
        settings.service = ServiceSetting::Class { url, ca_pem };
        self.save_settings(settings).await?;
        self.restart().await?;
        self.choose_certificate(&summary.id).await?;
        *lock(&self.join_link) = None;
        Ok(self.status().await)
    }

    /// Leaves the class: its certificate, key and seat go; practice mode
    /// and Step 3 from the start come back.
    pub async fn leave_class(&self) -> AppResult<AppStatus> {
        let url = match &lock(&self.settings).service {
            ServiceSetting::Class { url, .. } => Some(url.clone()),
            _ => None,
        };
        if let Some(seat) = self.class_seat() {
            self.certificates.app_store().remove(&seat.certificate_id)?;
        }
        self.secrets.delete(SEAT)?;
        if let Some(url) = url {
            self.secrets.delete(&key_name(&url))?;
        }
        let mut settings = lock(&self.settings).clone();
        settings.service = ServiceSetting::Practice;
        self.save_settings(settings).await?;
        *self.conn.lock().await = Connection::default();
        self.restart().await?;
        self.update_progress(|p| p.certificate_id = None)?;
        Ok(self.status().await)
    }
}
