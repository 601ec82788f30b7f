//! Client identities in the user's NSS database (`~/.pki/nssdb`, which Chrome
//! and other NSS programs on Linux share), opened through NSS's own PKCS#11
//! module, libsoftokn3 (Debian package libnss3). The key never leaves NSS:
//! it signs the TLS handshake in place, like the Windows and macOS stores.
//!
//! A database protected by a password shows no keys without that password;
//! its certificates are then not offered (staff can import the .p12 file).

use super::{CertificateSource, CertificateSummary};
use crate::{AppError, AppResult};
use cryptoki::context::{CInitializeArgs, CInitializeFlags, Pkcs11};
use cryptoki::mechanism::rsa::{PkcsMgfType, PkcsPssParams};
use cryptoki::mechanism::{Mechanism, MechanismType};
use cryptoki::object::{Attribute, AttributeType, ObjectClass, ObjectHandle};
use cryptoki::session::Session;
use cryptoki::slot::Slot;
use kaigo_client::rustls::pki_types::CertificateDer;
use kaigo_client::rustls::sign::{Signer, SigningKey};
use kaigo_client::rustls::{SignatureAlgorithm, SignatureScheme};
use kaigo_client::{ClientIdentity, PublicKeyKind};
use kaigo_domain::ErrorCode;
use sha2::Digest as _;
use std::ffi::CString;
use std::path::{Path, PathBuf};
use std::ptr::NonNull;
use std::sync::{Arc, Mutex, Weak};
use time::OffsetDateTime;

pub struct NssDatabase {
    dir: PathBuf,
    /// Opened on first use and kept: opening NSS costs more than a listing.
    token: Mutex<Option<Arc<Softoken>>>,
}

/// The user's database, where Chrome and `certutil` keep it.
pub fn user_database(home: &Path) -> NssDatabase {
    NssDatabase::new(home.join(".pki").join("nssdb"))
}

/// NSS's PKCS#11 module, initialised on one database. NSS allows one per
/// process at a time: it is shared while in use and finalised after.
struct Softoken {
    dir: PathBuf,
    pkcs11: Pkcs11,
}

impl Drop for Softoken {
    fn drop(&mut self) {
        if let Err(e) = self.pkcs11.clone().finalize() {
            tracing::warn!(error = %e, "NSS module not finalised");
        }
    }
}

static OPEN: Mutex<Option<Weak<Softoken>>> = Mutex::new(None);

fn nss_error(e: cryptoki::error::Error) -> AppError {
    tracing::warn!(error = %e, "NSS database");
    AppError::new(ErrorCode::CertificateNotFound)
}

impl Softoken {
    fn open(dir: &Path) -> AppResult<Arc<Softoken>> {
        let mut open = OPEN.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(token) = open.as_ref().and_then(Weak::upgrade) {
            if token.dir == dir {
                return Ok(token);
            }
            tracing::warn!("another NSS database is open in this process");
            return Err(AppError::new(ErrorCode::CertificateNotFound));
        }
        let pkcs11 = Pkcs11::new("libsoftokn3.so").map_err(nss_error)?;
        // NSS reads its database from "library parameters", which it takes in
        // the place PKCS#11 calls pReserved.
        let parameters =
            CString::new(format!("configdir='sql:{}' certPrefix='' keyPrefix='' secmod='secmod.db' flags=readOnly", dir.display()))
                .map_err(|_| AppError::new(ErrorCode::CertificateNotFound))?;
        let pointer = NonNull::new(parameters.as_ptr().cast_mut().cast()).ok_or(AppError::new(ErrorCode::CertificateNotFound))?;
        // SAFETY: `parameters` is a NUL-terminated string that outlives the
        // call; NSS parses it during C_Initialize and keeps no pointer to it.
        #[allow(unsafe_code)]
        let args = unsafe { CInitializeArgs::new_with_reserved(CInitializeFlags::OS_LOCKING_OK, pointer) };
        pkcs11.initialize(args).map_err(nss_error)?;
        drop(parameters);
        let token = Arc::new(Softoken { dir: dir.to_owned(), pkcs11 });
        *open = Some(Arc::downgrade(&token));
        Ok(token)
    }

    fn sessions(&self) -> AppResult<Vec<(Slot, Session)>> {
        let slots = self.pkcs11.get_slots_with_token().map_err(nss_error)?;
        Ok(slots.into_iter().filter_map(|slot| self.pkcs11.open_ro_session(slot).ok().map(|s| (slot, s))).collect())
    }
}

/// A certificate with its private key in the database.
struct UserCertificate {
    der: Vec<u8>,
    slot: Slot,
    key: ObjectHandle,
}

fn attribute_bytes(session: &Session, object: ObjectHandle, kind: AttributeType) -> Option<Vec<u8>> {
    session.get_attributes(object, &[kind]).ok()?.into_iter().find_map(|a| match a {
        Attribute::Value(v) | Attribute::Id(v) => Some(v),
        _ => None,
    })
}

impl NssDatabase {
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        Self { dir: dir.into(), token: Mutex::new(None) }
    }

    fn open(&self) -> AppResult<Option<Arc<Softoken>>> {
        let mut token = self.token.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(open) = token.as_ref() {
            return Ok(Some(open.clone()));
        }
        if !self.dir.join("cert9.db").is_file() {
            return Ok(None);
        }
        let open = Softoken::open(&self.dir)?;
        *token = Some(open.clone());
        Ok(Some(open))
    }

    fn user_certificates(&self, token: &Softoken) -> AppResult<Vec<UserCertificate>> {
        let mut out = Vec::new();
        for (slot, session) in token.sessions()? {
            let keys: Vec<(Vec<u8>, ObjectHandle)> = session
                .find_objects(&[Attribute::Class(ObjectClass::PRIVATE_KEY)])
                .map_err(nss_error)?
                .into_iter()
                .filter_map(|k| Some((attribute_bytes(&session, k, AttributeType::Id)?, k)))
                .collect();
            for cert in session.find_objects(&[Attribute::Class(ObjectClass::CERTIFICATE)]).map_err(nss_error)? {
                let (Some(id), Some(der)) =
                    (attribute_bytes(&session, cert, AttributeType::Id), attribute_bytes(&session, cert, AttributeType::Value))
                else {
                    continue;
                };
                if let Some((_, key)) = keys.iter().find(|(key_id, _)| *key_id == id) {
                    out.push(UserCertificate { der, slot, key: *key });
                }
            }
        }
        Ok(out)
    }
}

impl CertificateSource for NssDatabase {
    fn name(&self) -> &'static str {
        super::source::NSS
    }

    fn list(&self, now: OffsetDateTime) -> AppResult<Vec<CertificateSummary>> {
        let Some(token) = self.open()? else { return Ok(Vec::new()) };
        Ok(self
            .user_certificates(&token)?
            .iter()
            .filter_map(|c| kaigo_client::describe(&c.der).ok())
            .map(|info| CertificateSummary::new(self.name(), &info, now))
            .collect())
    }

    fn identity(&self, id: &str) -> AppResult<ClientIdentity> {
        let not_found = || AppError::new(ErrorCode::CertificateNotFound);
        let token = self.open()?.ok_or_else(not_found)?;
        let cert = self
            .user_certificates(&token)?
            .into_iter()
            .find(|c| kaigo_client::describe(&c.der).is_ok_and(|i| i.fingerprint == id))
            .ok_or_else(not_found)?;
        let kind = kaigo_client::public_key_kind(&cert.der).ok_or(AppError::new(ErrorCode::CertificateFileInvalid))?;
        let session = token.pkcs11.open_ro_session(cert.slot).map_err(nss_error)?;
        let key = NssKey { session: Arc::new(Mutex::new(session)), key: cert.key, kind, _token: token };
        ClientIdentity::from_signing_key(vec![CertificateDer::from(cert.der)], Arc::new(key)).map_err(AppError::of_client)
    }
}

/// A private key in the NSS database, signing through its session.
struct NssKey {
    session: Arc<Mutex<Session>>,
    key: ObjectHandle,
    kind: PublicKeyKind,
    _token: Arc<Softoken>,
}

impl std::fmt::Debug for NssKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NssKey").field("kind", &self.kind).finish_non_exhaustive()
    }
}

impl SigningKey for NssKey {
    fn choose_scheme(&self, offered: &[SignatureScheme]) -> Option<Box<dyn Signer>> {
        let scheme = self.kind.choose(offered)?;
        Some(Box::new(NssSigner { session: self.session.clone(), key: self.key, scheme, _token: self._token.clone() }))
    }

    fn algorithm(&self) -> SignatureAlgorithm {
        self.kind.algorithm()
    }
}

struct NssSigner {
    session: Arc<Mutex<Session>>,
    key: ObjectHandle,
    scheme: SignatureScheme,
    _token: Arc<Softoken>,
}

impl std::fmt::Debug for NssSigner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NssSigner").field("scheme", &self.scheme).finish_non_exhaustive()
    }
}

/// ECDSA-Sig-Value, the DER form TLS wants of PKCS#11's raw `r || s`.
#[derive(der::Sequence)]
struct EcdsaSignature<'a> {
    r: der::asn1::UintRef<'a>,
    s: der::asn1::UintRef<'a>,
}

fn ecdsa_der(raw: &[u8]) -> Result<Vec<u8>, der::Error> {
    use der::Encode as _;
    let (r, s) = raw.split_at(raw.len() / 2);
    EcdsaSignature { r: der::asn1::UintRef::new(r)?, s: der::asn1::UintRef::new(s)? }.to_der()
}

impl Signer for NssSigner {
    fn sign(&self, message: &[u8]) -> Result<Vec<u8>, kaigo_client::rustls::Error> {
        let session = self.session.lock().unwrap_or_else(|p| p.into_inner());
        let failed = |e: String| kaigo_client::rustls::Error::General(format!("the NSS database did not sign: {e}"));
        let raw_ecdsa = |digest: &[u8]| session.sign(&Mechanism::Ecdsa, self.key, digest).map_err(|e| failed(e.to_string()));
        match self.scheme {
            SignatureScheme::ECDSA_NISTP256_SHA256 => {
                ecdsa_der(&raw_ecdsa(&sha2::Sha256::digest(message))?).map_err(|e| failed(e.to_string()))
            }
            SignatureScheme::ECDSA_NISTP384_SHA384 => {
                ecdsa_der(&raw_ecdsa(&sha2::Sha384::digest(message))?).map_err(|e| failed(e.to_string()))
            }
            SignatureScheme::RSA_PSS_SHA256 => {
                let params = PkcsPssParams { hash_alg: MechanismType::SHA256, mgf: PkcsMgfType::MGF1_SHA256, s_len: 32.into() };
                session.sign(&Mechanism::Sha256RsaPkcsPss(params), self.key, message).map_err(|e| failed(e.to_string()))
            }
            SignatureScheme::RSA_PKCS1_SHA256 => {
                session.sign(&Mechanism::Sha256RsaPkcs, self.key, message).map_err(|e| failed(e.to_string()))
            }
            other => Err(failed(format!("{other:?} not offered"))),
        }
    }

    fn scheme(&self) -> SignatureScheme {
        self.scheme
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_raw_ecdsa_signature_becomes_der_with_minimal_integers() {
        let mut raw = vec![0u8; 64];
        raw[0] = 0x80; // r needs a leading zero in DER
        raw[63] = 1; // s is 1
        let der = super::ecdsa_der(&raw).unwrap();
        assert_eq!(&der[..4], &[0x30, 38, 0x02, 33]);
        assert_eq!(der[4], 0);
        assert_eq!(&der[der.len() - 3..], &[0x02, 1, 1]);
    }
}
