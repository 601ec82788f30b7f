//! What a machine that runs classes serves them with: a CA (attendees pin
//! it for the class), the key that seals the class's codes, and a server
//! certificate for the addresses the room reaches it by (made anew each
//! time, as the machine's address may change from one room to the next).
//! The two secrets are kept by a [`RoomSecrets`]: the command's are files
//! in the room's folder that only their owner reads; the app's, the OS
//! keychain. The app keeps the server's key nowhere: it lives as long as
//! the service that uses it. The command writes it beside the CA, for the
//! `serve` instances that share the room's classes.

use crate::demo::write_private;
use crate::pki::CertificateAuthority;
use crate::secrets::CodeKey;
use secrecy::{ExposeSecret as _, SecretString};
use std::path::{Path, PathBuf};
use time::OffsetDateTime;

/// A secret of the room.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RoomSecret {
    /// The class CA's private key (PEM).
    CaKey,
    /// The key that seals the class's codes (hex).
    ServiceKey,
}

impl RoomSecret {
    pub const ALL: [RoomSecret; 2] = [RoomSecret::CaKey, RoomSecret::ServiceKey];

    /// Its file name in a room's folder, and its name in a keychain.
    pub fn name(self) -> &'static str {
        match self {
            RoomSecret::CaKey => "ca-key.pem",
            RoomSecret::ServiceKey => "service.key",
        }
    }
}

/// Where a room's secrets are kept.
pub trait RoomSecrets: Send + Sync {
    /// The secret, or `None` when it was never kept.
    fn get(&self, secret: RoomSecret) -> anyhow::Result<Option<SecretString>>;
    fn set(&self, secret: RoomSecret, value: &SecretString) -> anyhow::Result<()>;
}

/// The command's way: files in the room's folder, readable by their owner
/// only (the hosted `serve` reads them by path).
pub struct FolderSecrets(pub PathBuf);

impl RoomSecrets for FolderSecrets {
    fn get(&self, secret: RoomSecret) -> anyhow::Result<Option<SecretString>> {
        match std::fs::read_to_string(self.0.join(secret.name())) {
            Ok(text) => Ok(Some(SecretString::from(text))),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(anyhow::anyhow!("{}: {e}", self.0.join(secret.name()).display())),
        }
    }

    fn set(&self, secret: RoomSecret, value: &SecretString) -> anyhow::Result<()> {
        write_private(&self.0.join(secret.name()), value.expose_secret().as_bytes())
    }
}

/// The room's material, in memory.
pub struct Room {
    /// The class CA's certificate (`ca.pem` in the room's folder: public).
    pub ca_cert_pem: String,
    pub ca_key_pem: SecretString,
    /// The server's certificate followed by the CA's: the app finds the
    /// pinned CA by it too.
    pub server_cert_chain_pem: String,
    pub server_key_pem: SecretString,
    pub service_key: CodeKey,
}

impl Room {
    /// The server's certificate and key as files beside the CA, for the
    /// `serve` instances that read the room by path (the command's way).
    pub fn write_server_files(&self, dir: &Path) -> anyhow::Result<()> {
        std::fs::write(dir.join("server.pem"), &self.server_cert_chain_pem)?;
        write_private(&dir.join("server-key.pem"), self.server_key_pem.expose_secret().as_bytes())
    }
}

/// A room served again lacks a secret it was made with (a keychain
/// emptied by hand, a folder copied elsewhere): its classes cannot go on —
/// a new CA or service key would turn away every attendee's PC and code.
#[derive(Debug, thiserror::Error)]
#[error("the room's {0} is missing: its classes cannot go on")]
pub struct SecretsLost(pub &'static str);

/// Whether [`prepare`] may make what is missing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Preparing {
    /// A class is being opened: a room without its CA or keys gets new ones.
    Opening,
    /// A class is served again: everything must be there as it was.
    Resuming,
}

/// The room's CA (its certificate in `dir`, its key with `secrets`) and
/// service key — made when missing and `preparing` a class's opening —
/// and a server certificate for loopback and `hosts`.
pub fn prepare(dir: &Path, secrets: &dyn RoomSecrets, hosts: &[String], now: OffsetDateTime, preparing: Preparing) -> anyhow::Result<Room> {
    std::fs::create_dir_all(dir)?;
    let ca_cert = dir.join("ca.pem");
    let kept = match (std::fs::read_to_string(&ca_cert), secrets.get(RoomSecret::CaKey)?) {
        (Ok(cert), Some(key)) => Some((CertificateAuthority::from_pem(&cert, key.expose_secret())?, cert)),
        _ if preparing == Preparing::Resuming => return Err(SecretsLost(RoomSecret::CaKey.name()).into()),
        _ => None,
    };
    // The certificate as written: the one attendees pinned (the CA read
    // back signs itself anew, with other bytes).
    let (ca, ca_cert_pem) = match kept {
        Some(kept) => kept,
        None => {
            let ca = CertificateAuthority::create(kaigo_domain::pc_certificates::rehearsal_ca::CLASS, now)?;
            secrets.set(RoomSecret::CaKey, &SecretString::from(ca.key_pem()))?;
            let pem = ca.cert_pem();
            std::fs::write(&ca_cert, &pem)?;
            (ca, pem)
        }
    };
    let service_key = match secrets.get(RoomSecret::ServiceKey)? {
        Some(hex) => CodeKey::from_hex(hex.expose_secret())?,
        None if preparing == Preparing::Resuming => return Err(SecretsLost(RoomSecret::ServiceKey.name()).into()),
        None => {
            let key = CodeKey::generate();
            secrets.set(RoomSecret::ServiceKey, &SecretString::from(key.to_hex()))?;
            key
        }
    };
    let mut names: Vec<&str> = vec!["localhost", "127.0.0.1", "::1"];
    names.extend(hosts.iter().map(String::as_str).filter(|h| !["localhost", "127.0.0.1", "::1"].contains(h)));
    let server = ca.issue_server(&names, now)?;
    Ok(Room {
        server_cert_chain_pem: format!("{}{}", server.cert_pem, ca_cert_pem),
        server_key_pem: SecretString::from(server.key_pem),
        ca_key_pem: SecretString::from(ca.key_pem()),
        ca_cert_pem,
        service_key,
    })
}
