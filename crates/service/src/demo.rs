//! A ready-to-use service for practice mode and demonstrations: a CA, a
//! server certificate for loopback, one demo office with its client
//! certificate, and the practice mailbox. Made once into a folder, reused after.

use crate::clock::{Clock as _, SharedClock, SystemClock};
use crate::config::{default_hashing_concurrency, Config, DeliveryConfig};
use crate::offices::{add_certificate, add_office, NewOffice};
use crate::pki::CertificateAuthority;
use crate::secrets::{CodeKey, PasswordHasher};
use crate::store::{DatabaseLocation, Db};
use crate::tls::TlsMaterial;
use anyhow::Context as _;
use secrecy::SecretString;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use time::Duration;

/// The demo office (デモ事業所). Its secrets are public on purpose: practice only.
pub const OFFICE_NUMBER: &str = "1310000001";
pub const OFFICE_NAME: &str = "デモ介護事業所（練習用）";
pub const ELECTRONIC_BILLING_ID: &str = "KJ0000000001";
pub const PASSWORD: &str = "Demo-pass-2026";
pub const SECURITY_CODE: &str = "1234";
pub const OFFICE_EMAIL: &str = "office@demo.kaigo-onboard.invalid";
pub const P12_PASSWORD: &str = "demo-p12";

/// Paths of everything `prepare` made.
#[derive(Debug, Clone)]
pub struct DemoFiles {
    pub dir: PathBuf,
    pub database: DatabaseLocation,
    pub ca_cert: PathBuf,
    pub server_cert: PathBuf,
    pub server_key: PathBuf,
    pub client_p12: PathBuf,
    pub client_cert: PathBuf,
    pub client_key: PathBuf,
    pub code_key: PathBuf,
}

impl DemoFiles {
    pub fn in_dir(dir: &Path) -> Self {
        Self {
            dir: dir.to_owned(),
            database: DatabaseLocation::sqlite_file(dir.join("onboarding.db")),
            ca_cert: dir.join("ca.pem"),
            server_cert: dir.join("server.pem"),
            server_key: dir.join("server-key.pem"),
            client_p12: dir.join("demo-office.p12"),
            client_cert: dir.join("demo-office.pem"),
            client_key: dir.join("demo-office-key.pem"),
            code_key: dir.join("service.key"),
        }
    }
}

/// Writes a file readable by its owner only (keys, PKCS#12).
pub fn write_private(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    use std::io::Write as _;
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        opts.mode(0o600);
    }
    opts.open(path).with_context(|| format!("writing {}", path.display()))?.write_all(bytes)?;
    Ok(())
}

/// Makes the demo folder if it is not complete yet; returns its files.
pub async fn prepare(dir: &Path) -> anyhow::Result<DemoFiles> {
    let files = DemoFiles::in_dir(dir);
    if files.client_p12.exists() && files.code_key.exists() {
        return Ok(files);
    }
    std::fs::create_dir_all(dir)?;
    let now = SystemClock.now();
    let ca = CertificateAuthority::create(kaigo_domain::pc_certificates::rehearsal_ca::PRACTICE, now)?;
    let server = ca.issue_server(&["localhost", "127.0.0.1", "::1"], now)?;
    let client = ca.issue_office_client(OFFICE_NUMBER, OFFICE_NAME, now - Duration::hours(1), now + Duration::days(365))?;
    std::fs::write(&files.ca_cert, ca.cert_pem())?;
    write_private(&dir.join("ca-key.pem"), ca.key_pem().as_bytes())?;
    std::fs::write(&files.server_cert, &server.cert_pem)?;
    write_private(&files.server_key, server.key_pem.as_bytes())?;
    std::fs::write(&files.client_cert, &client.cert_pem)?;
    write_private(&files.client_key, client.key_pem.as_bytes())?;
    write_private(&files.client_p12, &client.to_pkcs12(&ca.cert_pem(), P12_PASSWORD, "demo-office")?)?;

    let db = Db::connect(&files.database).await?;
    let hasher = PasswordHasher::new(default_hashing_concurrency());
    let office = NewOffice {
        office_number: OFFICE_NUMBER.into(),
        name: OFFICE_NAME.into(),
        electronic_billing_id: ELECTRONIC_BILLING_ID.into(),
        password: SecretString::from(PASSWORD),
        security_code: Some(SecretString::from(SECURITY_CODE)),
        email: OFFICE_EMAIL.into(),
    };
    match add_office(&db, &hasher, &office, now).await {
        Ok(_) | Err(crate::offices::AddOfficeError::Exists) => {}
        Err(e) => return Err(e.into()),
    }
    add_certificate(&db, ELECTRONIC_BILLING_ID, &client.cert_der, OFFICE_NAME, client.not_after, now).await?;
    db.close().await;
    // Written last: its presence marks the folder complete.
    write_private(&files.code_key, CodeKey::generate().to_hex().as_bytes())?;
    Ok(files)
}

/// The practice-mode configuration for a prepared folder.
pub fn config(files: &DemoFiles, listen: SocketAddr) -> anyhow::Result<Config> {
    let tls = TlsMaterial {
        server_cert_chain_pem: std::fs::read_to_string(&files.server_cert)?,
        server_key_pem: std::fs::read_to_string(&files.server_key)?,
        client_ca_pem: std::fs::read_to_string(&files.ca_cert)?,
        client_crl: None,
    };
    let mut config = config_for(files.database.clone(), tls, listen);
    config.code_key = CodeKey::from_hex(&std::fs::read_to_string(&files.code_key)?)?;
    Ok(config)
}

/// A practice-mode configuration (every message kept in the practice
/// mailbox) for a database and TLS material, with a fresh service key.
pub fn config_for(database: DatabaseLocation, tls: TlsMaterial, listen: SocketAddr) -> Config {
    Config {
        listen,
        database,
        tls,
        code_key: CodeKey::generate(),
        delivery: DeliveryConfig { practice_mailbox: true, poll: std::time::Duration::from_millis(500), ..DeliveryConfig::default() },
        policy: kaigo_domain::Policy::default(),
        rate_limit: Default::default(),
        connections: Default::default(),
        hashing_concurrency: default_hashing_concurrency(),
        public_url: None,
        classes: None,
    }
}

pub fn clock() -> SharedClock {
    Arc::new(SystemClock)
}
