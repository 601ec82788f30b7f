//! Finds out why the service refused a connection when the HTTP layer could
//! not say: opens a bare TLS connection with the same settings and reads
//! the server's alert.

use crate::error::tls_code;
use kaigo_domain::ErrorCode;
use rustls_pki_types::ServerName;
use std::sync::Arc;
use std::time::Duration;
use tokio::io::AsyncReadExt as _;

/// The error code of the server's TLS alert, if the server refuses us.
pub(crate) async fn handshake_refusal(base_url: &str, tls: Arc<rustls::ClientConfig>) -> Option<ErrorCode> {
    let url = reqwest::Url::parse(base_url).ok()?;
    let host = url.host_str()?.trim_start_matches('[').trim_end_matches(']').to_owned();
    let port = url.port_or_known_default()?;
    let name = ServerName::try_from(host.clone()).ok()?;
    let attempt = async {
        let tcp = tokio::net::TcpStream::connect((host.as_str(), port)).await.ok()?;
        let mut stream = match tokio_rustls::TlsConnector::from(tls).connect(name, tcp).await {
            Ok(s) => s,
            Err(e) => return rustls_error(&e).map(tls_code),
        };
        let mut byte = [0u8; 1];
        match stream.read(&mut byte).await {
            Err(e) => rustls_error(&e).map(tls_code),
            Ok(_) => None,
        }
    };
    tokio::time::timeout(Duration::from_secs(5), attempt).await.ok().flatten()
}

fn rustls_error(e: &std::io::Error) -> Option<&rustls::Error> {
    e.get_ref().and_then(|inner| inner.downcast_ref::<rustls::Error>())
}
