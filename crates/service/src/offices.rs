//! Operator actions on offices: register an office of the electronic billing
//! system and the client certificate that proves it.

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
