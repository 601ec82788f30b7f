//! 研修を開く on this machine, the command's way and the app's: the room's
//! folder (`room`), a class opened in its database, and the service that
//! serves it — attendees over mutual TLS, the trainer's pages on loopback.

use super::room::{self, Room, RoomSecrets};
use super::{open_class, ClassRequest, OpenedClass};
use crate::clock::SharedClock;
use crate::config::{default_hashing_concurrency, ClassesConfig, Config, DeliveryConfig};
use crate::secrets::PasswordHasher;
use crate::startup::Application;
use crate::store::{DatabaseLocation, Db};
use crate::tls::TlsMaterial;
use secrecy::ExposeSecret as _;
use std::net::SocketAddr;
use std::path::PathBuf;
use time::OffsetDateTime;

/// Where and how a room's classes are served.
#[derive(Clone, Debug)]
pub struct HostSettings {
    /// The room's folder: its CA, keys and (by default) database.
    pub dir: PathBuf,
    /// Where the attendees' PCs connect.
    pub listen: SocketAddr,
    /// Host names or addresses the room reaches this machine by; the first
    /// is the one attendees type.
    pub hosts: Vec<String>,
    /// The trainer's plain-HTTP pages, on a loopback address.
    pub trainer_listen: Option<SocketAddr>,
    /// `class.db` in `dir` unless set (`postgres://…` for several instances).
    pub database: Option<DatabaseLocation>,
    /// The address attendees type, when it is not `https://<first host>:<port>`.
    pub public_url: Option<String>,
}

impl HostSettings {
    pub fn database(&self) -> DatabaseLocation {
        self.database.clone().unwrap_or_else(|| DatabaseLocation::sqlite_file(self.dir.join("class.db")))
    }

    /// The address attendees type, for a service listening on `port`.
    pub fn public_url(&self, port: u16) -> String {
        self.public_url.clone().unwrap_or_else(|| {
            let host = self.hosts.first().map_or("127.0.0.1", String::as_str);
            kaigo_api::class::class_service_url(host, port)
        })
    }
}

/// Opens a class in the room's database (the folder and the room's
/// secrets made first when missing). The class is whole or absent
/// (`open_class`).
pub async fn open(
    settings: &HostSettings, secrets: &dyn RoomSecrets, request: &ClassRequest, now: OffsetDateTime,
) -> anyhow::Result<(Room, OpenedClass)> {
    let room = room::prepare(&settings.dir, secrets, &settings.hosts, now, room::Preparing::Opening)?;
    let db = Db::connect(&settings.database()).await?;
    let hasher = PasswordHasher::new(default_hashing_concurrency());
    let policy = kaigo_domain::class::ClassPolicy::default();
    let opened = open_class(&db, &hasher, &room.service_key, &policy, request, now).await;
    db.close().await;
    let opened = opened.map_err(|e| anyhow::Error::new(ClassRefused(e.code())))?;
    Ok((room, opened))
}

/// A class the service refused to open: the rule it broke.
#[derive(Debug, thiserror::Error)]
#[error("{}: {}", .0.as_str(), .0.template_en())]
pub struct ClassRefused(pub kaigo_domain::ErrorCode);

/// The room's service, built (listening) but not yet started. When
/// `settings.listen` has no port, the system's choice is what attendees type.
pub async fn build(settings: &HostSettings, room: &Room, clock: SharedClock) -> anyhow::Result<Application> {
    let listen = match settings.listen.port() {
        0 => crate::startup::listen(settings.listen)?.local_addr()?,
        _ => settings.listen,
    };
    let mut config = Config {
        listen,
        database: settings.database(),
        tls: TlsMaterial {
            server_cert_chain_pem: room.server_cert_chain_pem.clone(),
            server_key_pem: room.server_key_pem.expose_secret().to_owned(),
            client_ca_pem: room.ca_cert_pem.clone(),
            client_crl: None,
        },
        code_key: room.service_key.clone(),
        delivery: DeliveryConfig { practice_mailbox: true, poll: std::time::Duration::from_millis(200), ..DeliveryConfig::default() },
        policy: kaigo_domain::Policy::default(),
        rate_limit: Default::default(),
        connections: Default::default(),
        hashing_concurrency: default_hashing_concurrency(),
        public_url: Some(settings.public_url(listen.port())),
        classes: Some(ClassesConfig {
            ca_cert_pem: room.ca_cert_pem.clone(),
            ca_key_pem: room.ca_key_pem.expose_secret().to_owned(),
            trainer_listen: settings.trainer_listen,
        }),
    };
    // A room shares a few addresses (one NAT): the limit is per certificate.
    config.rate_limit.burst = config.rate_limit.burst.max(60);
    Application::build(config, clock).await
}
