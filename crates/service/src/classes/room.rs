//! The folder of a machine that runs classes: its CA (made once: attendees
//! pin it for the class), the service key, and a server certificate for
//! the addresses the room reaches it by (made anew each time, as the
//! machine's address may change from one room to the next).

use crate::demo::write_private;
use crate::pki::CertificateAuthority;
use crate::secrets::CodeKey;
use std::path::{Path, PathBuf};
use time::OffsetDateTime;

pub struct RoomFiles {
    pub ca_cert: PathBuf,
    pub ca_key: PathBuf,
    pub server_cert: PathBuf,
    pub server_key: PathBuf,
    pub service_key: PathBuf,
}

/// Makes what is missing in `dir`, and the server certificate for
/// loopback and `hosts`.
pub fn prepare(dir: &Path, hosts: &[String], now: OffsetDateTime) -> anyhow::Result<RoomFiles> {
    std::fs::create_dir_all(dir)?;
    let files = RoomFiles {
        ca_cert: dir.join("ca.pem"),
        ca_key: dir.join("ca-key.pem"),
        server_cert: dir.join("server.pem"),
        server_key: dir.join("server-key.pem"),
        service_key: dir.join("service.key"),
    };
    let ca = if files.ca_cert.exists() && files.ca_key.exists() {
        CertificateAuthority::from_pem(&std::fs::read_to_string(&files.ca_cert)?, &std::fs::read_to_string(&files.ca_key)?)?
    } else {
        let ca = CertificateAuthority::create("Kaigo Onboard Class CA", now)?;
        write_private(&files.ca_key, ca.key_pem().as_bytes())?;
        std::fs::write(&files.ca_cert, ca.cert_pem())?;
        ca
    };
    if !files.service_key.exists() {
        write_private(&files.service_key, CodeKey::generate().to_hex().as_bytes())?;
    }
    let mut names: Vec<&str> = vec!["localhost", "127.0.0.1", "::1"];
    names.extend(hosts.iter().map(String::as_str).filter(|h| !["localhost", "127.0.0.1", "::1"].contains(h)));
    let server = ca.issue_server(&names, now)?;
    // The CA goes with the server's certificate: the app finds the pinned
    // CA by it too.
    std::fs::write(&files.server_cert, format!("{}{}", server.cert_pem, std::fs::read_to_string(&files.ca_cert)?))?;
    write_private(&files.server_key, server.key_pem.as_bytes())?;
    Ok(files)
}
