//! Finds out why the service refused a connection when the HTTP layer could
//! not say: opens a bare TLS connection with the same settings and reads
//! the server's alert.

use crate::error::tls_code;
use crate::Network;
use hyper_util::client::legacy::connect::proxy::Tunnel;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioIo;
use kaigo_domain::ErrorCode;
use rustls_pki_types::ServerName;
use std::sync::Arc;
use std::time::Duration;
use tokio::io::AsyncReadExt as _;

/// The error code of the server's TLS alert, if the server refuses us.
pub(crate) async fn handshake_refusal(base_url: &str, tls: Arc<rustls::ClientConfig>, network: &Network) -> Option<ErrorCode> {
    let url = reqwest::Url::parse(base_url).ok()?;
    let host = url.host_str()?.trim_start_matches('[').trim_end_matches(']').to_owned();
    let port = url.port_or_known_default()?;
    let name = ServerName::try_from(host.clone()).ok()?;
    let attempt = async {
        let tcp = connect(network, &host, port).await?;
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

/// A byte stream to the service: a TCP connection, or a tunnel through the
/// proxy (hyper-util's CONNECT client).
async fn connect(network: &Network, host: &str, port: u16) -> Option<Box<dyn Stream>> {
    match network {
        Network::Direct => Some(Box::new(tokio::net::TcpStream::connect((host, port)).await.ok()?)),
        Network::Proxy { address, credentials } => {
            use tower_service::Service as _;
            let mut http = HttpConnector::new();
            http.enforce_http(false);
            let mut tunnel = Tunnel::new(address.url().parse().ok()?, http);
            if let Some(c) = credentials {
                tunnel = tunnel.with_auth(c.header());
            }
            let target: http::Uri = format!("https://{}", authority(host, port)).parse().ok()?;
            std::future::poll_fn(|cx| tunnel.poll_ready(cx)).await.ok()?;
            let io = tunnel.call(target).await.ok()?;
            Some(Box::new(TokioIo::new(io)))
        }
    }
}

fn authority(host: &str, port: u16) -> String {
    if host.contains(':') {
        format!("[{host}]:{port}")
    } else {
        format!("{host}:{port}")
    }
}

trait Stream: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send {}
impl<T: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send> Stream for T {}

fn rustls_error(e: &std::io::Error) -> Option<&rustls::Error> {
    e.get_ref().and_then(|inner| inner.downcast_ref::<rustls::Error>())
}
