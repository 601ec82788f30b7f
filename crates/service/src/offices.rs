//! Operator actions on offices: register an office of the electronic billing
//! system and the client certificate that proves it, and revoke that
//! certificate when the PC holding it is lost.

use crate::secrets::PasswordHasher;
use crate::store::{new_id, offices, Db};
use kaigo_domain::{ElectronicBillingId, EmailAddress, OfficeNumber, SecurityCode};
use secrecy::{ExposeSecret, SecretString};
use time::OffsetDateTime;

/// What an operator gives to add an office.
pub struct NewOffice {
    pub office_number: String,
    pub name: String,
    pub electronic_billing_id: String,
    pub password: SecretString,
    pub security_code: Option<SecretString>,
    pub email: String,
}

#[derive(Debug, thiserror::Error)]
pub enum AddOfficeError {
    #[error("{field}: {code}")]
    Invalid { field: &'static str, code: kaigo_domain::ErrorCode },
    #[error("an office with this number or KJ ID already exists")]
    Exists,
    #[error(transparent)]
    Other(#[from] anyhow::Error),
}

/// Adds the office; returns its internal id.
pub async fn add_office(db: &Db, hasher: &PasswordHasher, o: &NewOffice, now: OffsetDateTime) -> Result<String, AddOfficeError> {
    let inv = |field| move |code| AddOfficeError::Invalid { field, code };
    let number = OfficeNumber::parse(&o.office_number).map_err(inv("office_number"))?;
    let kj = ElectronicBillingId::parse(&o.electronic_billing_id).map_err(inv("electronic_billing_id"))?;
    let email = EmailAddress::parse(&o.email).map_err(inv("email"))?;
    // The electronic billing system sets its own passwords; ours only keeps
    // out what could not be one of them.
    if o.password.expose_secret().chars().count() < kaigo_domain::password::MIN_LEN {
        return Err(AddOfficeError::Invalid { field: "password", code: kaigo_domain::ErrorCode::PasswordTooShort });
    }
    let security_hash = match &o.security_code {
        Some(code) => {
            let code = SecurityCode::parse(code.expose_secret()).map_err(inv("security_code"))?;
            Some(hasher.hash(&SecretString::from(code.expose())).await?)
        }
        None => None,
    };
    let password_hash = hasher.hash(&o.password).await?;
    let id = new_id();
    let mut conn = db.acquire().await.map_err(anyhow::Error::from)?;
    let r = offices::insert(
        &mut conn,
        offices::NewOffice {
            id: &id,
            office_number: number.as_str(),
            name: o.name.trim(),
            electronic_billing_id: kj.as_str(),
            password_hash: &password_hash,
            security_code_hash: security_hash.as_deref(),
            email: email.as_str(),
            now,
        },
    )
    .await;
    match r {
        Err(crate::store::StoreError::Conflict(_)) => Err(AddOfficeError::Exists),
        other => other.map_err(|e| AddOfficeError::Other(e.into())).map(|()| id),
    }
}

/// Binds a client certificate (DER) to an office, by KJ ID.
pub async fn add_certificate(
    db: &Db, electronic_billing_id: &str, cert_der: &[u8], subject: &str, not_after: OffsetDateTime, now: OffsetDateTime,
) -> anyhow::Result<()> {
    let mut conn = db.acquire().await?;
    let office = offices::find_by_billing_id(&mut conn, electronic_billing_id)
        .await?
        .ok_or_else(|| anyhow::anyhow!("no office with KJ ID {electronic_billing_id}"))?;
    offices::add_certificate(&mut conn, &office.id, &crate::pki::fingerprint(cert_der), subject, not_after, now).await?;
    Ok(())
}

/// Which certificates an operator revokes.
#[derive(Debug, Clone)]
pub enum CertificatesToRevoke {
    /// Every certificate in force of the office with this KJ ID or 事業所番号.
    OfOffice(String),
    /// One certificate, by its SHA-256 fingerprint (hex, any case, colons allowed).
    Fingerprint(String),
}

#[derive(Debug, thiserror::Error)]
pub enum RevokeError {
    #[error("no office with KJ ID or office number {0}")]
    NoSuchOffice(String),
    #[error("no certificate in force matches: {0}")]
    NothingToRevoke(String),
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
}

/// Revokes certificates (失効), with the operator's reason; returns those
/// revoked now. Nothing in force to revoke is an error: the operator has
/// named the wrong office or file.
pub async fn revoke_certificates(
    db: &Db, which: &CertificatesToRevoke, reason: &str, now: OffsetDateTime,
) -> Result<Vec<offices::OfficeCertificate>, RevokeError> {
    let mut tx = db.begin().await?;
    let candidates = match which {
        CertificatesToRevoke::OfOffice(key) => {
            let key = key.trim();
            let office = match ElectronicBillingId::parse(key) {
                Ok(kj) => offices::find_by_billing_id(&mut tx, kj.as_str()).await?,
                Err(_) => offices::find_by_number(&mut tx, key).await?,
            }
            .ok_or_else(|| RevokeError::NoSuchOffice(key.to_owned()))?;
            offices::certificates_of(&mut tx, &office.id).await?
        }
        CertificatesToRevoke::Fingerprint(fp) => {
            let fp = fp.trim().replace(':', "").to_ascii_lowercase();
            offices::certificate(&mut tx, &fp).await?.into_iter().collect()
        }
    };
    let mut revoked = Vec::new();
    for c in candidates.into_iter().filter(|c| c.revoked_at.is_none()) {
        if offices::revoke_certificate(&mut tx, &c.fingerprint, reason, now).await? {
            revoked.push(offices::OfficeCertificate { revoked_at: Some(now), ..c });
        }
    }
    if revoked.is_empty() {
        return Err(RevokeError::NothingToRevoke(format!("{which:?}")));
    }
    tx.commit().await.map_err(crate::store::StoreError::from)?;
    Ok(revoked)
}
