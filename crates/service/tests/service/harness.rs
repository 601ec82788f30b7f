//! `spawn_app()`: the real service on port 0 with a fresh database, a per-run
//! rcgen PKI and two offices, plus helpers that walk the steps through the
//! client crate.

use kaigo_api::office::{AdminRegistrationRequest, OfficeSession};
use kaigo_api::user::{UserLoginOutcome, UserSession};
use kaigo_client::{ClientError, ClientIdentity, ErrorCode, OnboardingClient, ServerTrust};
use kaigo_domain::DeliveryChannel;
use kaigo_service::clock::{Clock, OffsetClock, SystemClock};
use kaigo_service::config::{Config, DeliveryConfig};
use kaigo_service::http::rate_limit::RateLimit;
use kaigo_service::offices::{add_certificate, add_office, NewOffice};
use kaigo_service::pki::{CertificateAuthority, IssuedIdentity};
use kaigo_service::secrets::{CodeKey, PasswordHasher};
use kaigo_service::store::{DatabaseLocation, Db};
use kaigo_service::tls::TlsMaterial;
use kaigo_service::{Application, RunningService};
use secrecy::SecretString;
use std::sync::Arc;
use std::time::Duration;
use time::OffsetDateTime;

pub fn now() -> OffsetDateTime {
    SystemClock.now()
}

/// A fresh certificate authority for this test run.
pub struct TestPki {
    pub ca: CertificateAuthority,
    pub ca_pem: String,
    pub server: IssuedIdentity,
}

impl TestPki {
    pub fn new() -> Self {
        let ca = CertificateAuthority::create("Test CA", now()).unwrap();
        let server = ca.issue_server(&["localhost", "127.0.0.1"], now()).unwrap();
        Self { ca_pem: ca.cert_pem(), ca, server }
    }

    pub fn tls(&self) -> TlsMaterial {
        TlsMaterial {
            server_cert_chain_pem: self.server.cert_pem.clone(),
            server_key_pem: self.server.key_pem.clone(),
            client_ca_pem: self.ca_pem.clone(),
            client_crl: None,
        }
    }

    pub fn office_cert(&self, number: &str, name: &str) -> IssuedIdentity {
        self.ca.issue_office_client(number, name, now() - time::Duration::hours(1), now() + time::Duration::days(365)).unwrap()
    }
}

/// A plain HTTPS client (no client crate) that trusts `ca_pem` and shows
/// `cert` if given: for requests the client crate would never send.
pub fn plain_https(ca_pem: &str, cert: Option<&IssuedIdentity>) -> reqwest::Client {
    let mut roots = kaigo_client::rustls::RootCertStore::empty();
    for ca in rustls_pemfile::certs(&mut ca_pem.as_bytes()) {
        roots.add(ca.unwrap()).unwrap();
    }
    let provider = Arc::new(kaigo_client::rustls::crypto::ring::default_provider());
    let builder = kaigo_client::rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots);
    let tls = match cert {
        Some(c) => {
            let chain = rustls_pemfile::certs(&mut c.cert_pem.as_bytes()).collect::<Result<Vec<_>, _>>().unwrap();
            let key = rustls_pemfile::private_key(&mut c.key_pem.as_bytes()).unwrap().unwrap();
            builder.with_client_auth_cert(chain, key).unwrap()
        }
        None => builder.with_no_client_auth(),
    };
    reqwest::Client::builder().use_preconfigured_tls(tls).build().unwrap()
}

pub fn identity(i: &IssuedIdentity) -> ClientIdentity {
    ClientIdentity::from_pem(&i.cert_pem, &i.key_pem).unwrap()
}

/// An office of the electronic billing system, with its certificate.
#[derive(Clone)]
pub struct TestOffice {
    pub number: String,
    pub name: String,
    pub kj: String,
    pub password: String,
    pub security_code: Option<String>,
    pub email: String,
    pub cert: IssuedIdentity,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Backend {
    Sqlite,
    Postgres,
}

pub enum Delivery {
    Practice,
    Smtp(String),
}

pub struct Options {
    pub backend: Backend,
    pub delivery: Delivery,
    pub rate_limit: RateLimit,
    pub connections: kaigo_service::connections::ConnectionLimits,
    pub sms_webhook: Option<String>,
    pub policy: kaigo_domain::Policy,
    /// Run classes (研修) with the test CA, the trainer's page on loopback.
    pub classes: bool,
    /// A CRL file of the test CA, read in the handshake.
    pub client_crl: Option<std::path::PathBuf>,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            backend: Backend::Sqlite,
            delivery: Delivery::Practice,
            rate_limit: RateLimit { per_second: 1000, burst: 1000 },
            connections: Default::default(),
            sms_webhook: None,
            policy: kaigo_domain::Policy::default(),
            classes: false,
            client_crl: None,
        }
    }
}

pub struct TestApp {
    pub service: RunningService,
    pub clock: Arc<OffsetClock>,
    pub pki: TestPki,
    /// Office A has a security code; office B has none.
    pub a: TestOffice,
    pub b: TestOffice,
    /// The test's folder (its SQLite files live here).
    pub dir: tempfile::TempDir,
    /// What the service was built with: a second instance on the same
    /// database is built from it.
    pub config: Config,
    /// Offices made during the test (a class's seats), whose mailboxes
    /// the helpers read too.
    pub others: std::sync::Mutex<Vec<TestOffice>>,
}

/// A database of its own for one test: a SQLite file, or a new PostgreSQL
/// database on the server named by `KAIGO_TEST_POSTGRES_URL`.
pub async fn fresh_database(backend: Backend, dir: &std::path::Path) -> Option<DatabaseLocation> {
    match backend {
        Backend::Sqlite => Some(DatabaseLocation::sqlite_file(dir.join("test.db"))),
        Backend::Postgres => {
            let admin = postgres_url()?;
            use sqlx::Connection as _;
            sqlx::any::install_default_drivers();
            let mut conn = sqlx::AnyConnection::connect(&admin).await.expect("connect to KAIGO_TEST_POSTGRES_URL");
            let name = format!("kaigo_test_{}", uuid::Uuid::new_v4().simple());
            sqlx::query(&format!("CREATE DATABASE {name}")).execute(&mut conn).await.unwrap();
            let base = admin.rsplit_once('/').map(|(b, _)| b.to_owned()).unwrap_or(admin.clone());
            Some(DatabaseLocation::Url(format!("{base}/{name}")))
        }
    }
}

/// The PostgreSQL server for tests. The full suite (scripts/test.sh, CI)
/// provides one: there the PostgreSQL tests fail instead of being skipped;
/// the fast gate (scripts/check.sh) runs on SQLite alone.
pub fn postgres_url() -> Option<String> {
    match std::env::var("KAIGO_TEST_POSTGRES_URL") {
        Ok(url) if !url.is_empty() => Some(url),
        _ if std::env::var_os("KAIGO_FULL_SUITE").is_some() => panic!("the full suite must set KAIGO_TEST_POSTGRES_URL"),
        _ => {
            eprintln!("KAIGO_TEST_POSTGRES_URL not set: PostgreSQL case skipped");
            None
        }
    }
}

pub fn office(pki: &TestPki, n: u32, security_code: Option<&str>) -> TestOffice {
    let number = format!("13000000{n:02}");
    let name = format!("テスト介護事業所{n}");
    TestOffice {
        cert: pki.office_cert(&number, &name),
        number,
        name,
        kj: format!("KJ00000000{n:02}"),
        password: format!("Office-pass-{n}"),
        security_code: security_code.map(str::to_owned),
        email: format!("office{n}@example.jp"),
    }
}

pub async fn register_office(db: &Db, o: &TestOffice) {
    let hasher = PasswordHasher::new(2);
    let new = NewOffice {
        office_number: o.number.clone(),
        name: o.name.clone(),
        electronic_billing_id: o.kj.clone(),
        password: SecretString::from(o.password.clone()),
        security_code: o.security_code.clone().map(SecretString::from),
        email: o.email.clone(),
    };
    add_office(db, &hasher, &new, now()).await.unwrap();
    add_certificate(db, &o.kj, &o.cert.cert_der, &o.name, o.cert.not_after, now()).await.unwrap();
}

pub fn test_config(pki: &TestPki, database: DatabaseLocation, opts: &Options) -> Config {
    Config {
        listen: "127.0.0.1:0".parse().unwrap(),
        database,
        tls: TlsMaterial { client_crl: opts.client_crl.clone(), ..pki.tls() },
        code_key: CodeKey::generate(),
        delivery: DeliveryConfig {
            practice_mailbox: matches!(opts.delivery, Delivery::Practice),
            smtp_url: match &opts.delivery {
                Delivery::Smtp(url) => Some(url.clone()),
                Delivery::Practice => None,
            },
            mail_from: "Kaigo Onboard <no-reply@example.jp>".into(),
            sms_webhook_url: opts.sms_webhook.clone(),
            retry_base: Duration::from_millis(200),
            max_retry: Duration::from_secs(1),
            poll: Duration::from_millis(100),
            ..DeliveryConfig::default()
        },
        policy: opts.policy.clone(),
        rate_limit: opts.rate_limit,
        connections: opts.connections.clone(),
        hashing_concurrency: 2,
        public_url: None,
        classes: opts.classes.then(|| kaigo_service::config::ClassesConfig {
            ca_cert_pem: pki.ca_pem.clone(),
            ca_key_pem: pki.ca.key_pem(),
            trainer_listen: Some("127.0.0.1:0".parse().unwrap()),
        }),
    }
}

pub async fn spawn_app() -> TestApp {
    spawn_with(Options::default()).await.unwrap()
}

/// `None` when the backend is PostgreSQL and no server is configured.
pub async fn spawn_with(opts: Options) -> Option<TestApp> {
    let dir = tempfile::tempdir().unwrap();
    let database = fresh_database(opts.backend, dir.path()).await?;
    Some(spawn_on(database, dir, opts).await)
}

/// The service on a database the test made (in `dir`, or a server of its own).
pub async fn spawn_on(database: DatabaseLocation, dir: tempfile::TempDir, opts: Options) -> TestApp {
    let pki = TestPki::new();
    let clock = Arc::new(OffsetClock::default());
    let config = test_config(&pki, database, &opts);
    let app = Application::build(config.clone(), clock.clone()).await.unwrap();
    let a = office(&pki, 1, Some("5678"));
    let b = office(&pki, 2, None);
    register_office(&app.onboarding.db, &a).await;
    register_office(&app.onboarding.db, &b).await;
    TestApp { service: app.spawn(), clock, pki, a, b, dir, config, others: Default::default() }
}

/// The first run of six digits in a message.
pub fn code_in(text: &str) -> String {
    let digits: Vec<char> = text.chars().collect();
    for w in digits.windows(6) {
        if w.iter().all(|c| c.is_ascii_digit()) {
            return w.iter().collect();
        }
    }
    panic!("no code in: {text}");
}

/// The value after `label` on its line (e.g. the initial password).
pub fn value_after(text: &str, label: &str) -> String {
    let start = text.find(label).unwrap_or_else(|| panic!("no {label} in: {text}")) + label.len();
    text[start..].split(|c: char| c.is_whitespace()).next().unwrap().to_owned()
}

pub fn admin_request(user_id: &str) -> AdminRegistrationRequest {
    AdminRegistrationRequest {
        name: "介護 花子".into(),
        email: Some(format!("{}@example.jp", user_id.to_lowercase())),
        phone: Some("090-1234-5678".into()),
        service_types: vec!["43".into(), "11".into()],
        job_category: "01".into(),
        user_id: user_id.into(),
    }
}

pub fn expect_code<T>(r: Result<T, ClientError>, code: ErrorCode) -> ClientError {
    match r {
        Ok(_) => panic!("expected {code:?}, got success"),
        Err(e) => {
            assert_eq!(e.code(), code, "{e}");
            e
        }
    }
}

impl TestApp {
    pub fn url(&self) -> String {
        self.service.url()
    }

    pub fn client_with(&self, identity: Option<&ClientIdentity>) -> OnboardingClient {
        OnboardingClient::new(&self.url(), &ServerTrust::CaPem(self.pki.ca_pem.clone()), identity).unwrap()
    }

    pub fn client(&self, office: &TestOffice) -> OnboardingClient {
        self.client_with(Some(&identity(&office.cert)))
    }

    /// The newest practice-mailbox message to `recipient`, waiting for it.
    pub async fn message_to(&self, recipient: &str, newer_than: usize) -> kaigo_api::service::MailboxMessage {
        for _ in 0..200 {
            let msgs = self.messages_to(recipient).await;
            if msgs.len() > newer_than {
                return msgs.into_iter().next().unwrap();
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("no message to {recipient}");
    }

    pub async fn mailbox_count(&self, recipient: &str) -> usize {
        self.messages_to(recipient).await.len()
    }

    /// Newest first, from the mailbox of whichever office the messages
    /// concern (each office reads only its own).
    async fn messages_to(&self, recipient: &str) -> Vec<kaigo_api::service::MailboxMessage> {
        let mut msgs = self.client(&self.a).practice_mailbox(Some(recipient)).await.unwrap();
        msgs.extend(self.client(&self.b).practice_mailbox(Some(recipient)).await.unwrap());
        let others = self.others.lock().unwrap().clone();
        for office in &others {
            msgs.extend(self.client(office).practice_mailbox(Some(recipient)).await.unwrap());
        }
        msgs.sort_by(|x, y| y.delivered_at.cmp(&x.delivered_at).then_with(|| x.id.cmp(&y.id)));
        msgs
    }

    /// 3-1 in full: password, mailed code, security code.
    pub async fn office_session(&self, office: &TestOffice) -> (OnboardingClient, OfficeSession) {
        let client = self.client(office);
        let seen = self.mailbox_count(&office.email).await;
        let ch = client.office_login(&office.kj, &office.password).await.unwrap();
        let mail = self.message_to(&office.email, seen).await;
        let session = client.office_verify(&ch.challenge_id, &code_in(&mail.body), office.security_code.as_deref()).await.unwrap();
        (client, session)
    }

    /// 3-2: registers an admin; returns the initial password from the mail.
    pub async fn register_admin(&self, office: &TestOffice, user_id: &str) -> String {
        let (client, session) = self.office_session(office).await;
        let req = admin_request(user_id);
        let email = req.email.clone().unwrap();
        let seen = self.mailbox_count(&email).await;
        client.register_admin(&session.session_token, &OnboardingClient::new_idempotency_key(), &req).await.unwrap();
        let mail = self.message_to(&email, seen).await;
        value_after(&mail.body, "初期パスワード：")
    }

    /// 3-3 up to a session: password, code by mail.
    pub async fn user_session(&self, office: &TestOffice, user_id: &str, password: &str, remember: bool) -> kaigo_api::user::UserVerified {
        let client = self.client(office);
        let email = format!("{}@example.jp", user_id.to_lowercase());
        let UserLoginOutcome::CodeRequired { challenge_id, .. } = client.user_login(user_id, password, None).await.unwrap() else {
            panic!("expected a code step");
        };
        let seen = self.mailbox_count(&email).await;
        client.send_user_code(&challenge_id, DeliveryChannel::Email).await.unwrap();
        let mail = self.message_to(&email, seen).await;
        client.user_verify(&challenge_id, &code_in(&mail.body), remember).await.unwrap()
    }

    /// An admin who has changed the initial password; returns a full session.
    pub async fn ready_admin(&self, office: &TestOffice, user_id: &str, new_password: &str) -> UserSession {
        let initial = self.register_admin(office, user_id).await;
        let verified = self.user_session(office, user_id, &initial, false).await;
        self.client(office).change_password(&verified.session.session_token, &initial, new_password).await.unwrap()
    }
}

/// A folder with what `serve` needs (`server.pem`, `server-key.pem`,
/// `ca.pem`, `service.key`) and a SQLite database holding `office` number `n`.
pub async fn service_folder(pki: &TestPki, n: u32) -> (tempfile::TempDir, std::path::PathBuf, TestOffice) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("server.pem"), &pki.server.cert_pem).unwrap();
    std::fs::write(dir.path().join("server-key.pem"), &pki.server.key_pem).unwrap();
    std::fs::write(dir.path().join("ca.pem"), &pki.ca_pem).unwrap();
    std::fs::write(dir.path().join("service.key"), CodeKey::generate().to_hex()).unwrap();
    let database = dir.path().join("service.db");
    let office = office(pki, n, None);
    let db = Db::connect(&DatabaseLocation::sqlite_file(&database)).await.unwrap();
    register_office(&db, &office).await;
    db.close().await;
    (dir, database, office)
}

pub use super::process::*;
