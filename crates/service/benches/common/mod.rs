//! What the service benches share: the bench office in a SQLite file, with
//! the client certificates its PCs use.

use kaigo_service::offices::{add_certificate, add_office, NewOffice};
use kaigo_service::pki::IssuedIdentity;
use kaigo_service::secrets::PasswordHasher;
use kaigo_service::store::{DatabaseLocation, Db};
use secrecy::SecretString;
use std::path::Path;
use time::OffsetDateTime;

pub const KJ: &str = "KJ0000000001";
pub const OFFICE_PASSWORD: &str = "Office-pass-1";
pub const OFFICE_NUMBER: &str = "1300000001";
pub const OFFICE_NAME: &str = "ベンチ事業所";

/// Writes `bench.db` in `dir` holding the bench office and `certs`.
pub async fn bench_office(dir: &Path, hasher: &PasswordHasher, certs: &[IssuedIdentity], now: OffsetDateTime) {
    let db = Db::connect(&DatabaseLocation::sqlite_file(dir.join("bench.db"))).await.unwrap();
    let office = NewOffice {
        office_number: OFFICE_NUMBER.into(),
        name: OFFICE_NAME.into(),
        electronic_billing_id: KJ.into(),
        password: SecretString::from(OFFICE_PASSWORD),
        security_code: None,
        email: "office@example.jp".into(),
    };
    add_office(&db, hasher, &office, now).await.unwrap();
    for (i, cert) in certs.iter().enumerate() {
        add_certificate(&db, KJ, &cert.cert_der, &format!("bench PC {i}"), cert.not_after, now).await.unwrap();
    }
    db.close().await;
}

// Shared with the tests, which use more of it.
#[allow(dead_code)]
#[path = "../../tests/service/process.rs"]
mod process;
pub use process::ServiceProcess;

/// The service program serving the bench office of `dir` (`bench.db`,
/// `server.pem`, `server-key.pem`, `ca.pem`, `service.key`) on a loopback
/// port, with no rate limit to speak of.
pub async fn serve(dir: &Path) -> process::ServiceProcess {
    let no_limit = ["--practice-mailbox", "--rate-per-second", "100000", "--rate-burst", "100000"];
    process::start_service_process(dir, &dir.join("bench.db"), &no_limit).await
}
