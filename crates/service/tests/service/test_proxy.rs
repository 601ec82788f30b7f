//! An office network's HTTP proxy, for the tests: it answers CONNECT as
//! Squid or a UTM box would — opens the tunnel, refuses it (403), asks for
//! a user name and password (407), or decrypts the traffic with a
//! certificate of its own for the host asked for (TLS inspection). Served
//! by hyper on a loopback port; it counts the tunnels it opened.

use hyper::body::Incoming;
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use kaigo_service::pki::CertificateAuthority;
use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

#[derive(Clone)]
pub enum ProxyMode {
    Open,
    Refusing,
    NeedsCredentials {
        user: String,
        password: String,
    },
    /// Decrypts HTTPS with its own CA ("Corporate Firewall CA").
    Inspecting,
}

pub struct TestProxy {
    pub address: SocketAddr,
    pub tunnels: Arc<AtomicUsize>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for TestProxy {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl TestProxy {
    pub async fn start(mode: ProxyMode) -> TestProxy {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        let tunnels = Arc::new(AtomicUsize::new(0));
        let ca = CertificateAuthority::create("Corporate Firewall CA", super::harness::now()).unwrap();
        let forged = ca.issue_server(&["localhost", "127.0.0.1"], super::harness::now()).unwrap();
        let acceptor = tls_acceptor(&forged.cert_pem, &forged.key_pem);
        let counter = tunnels.clone();
        let task = tokio::spawn(async move {
            loop {
                let Ok((tcp, _)) = listener.accept().await else { return };
                let (mode, counter, acceptor) = (mode.clone(), counter.clone(), acceptor.clone());
                tokio::spawn(async move {
                    let service = hyper::service::service_fn(move |req| answer(req, mode.clone(), counter.clone(), acceptor.clone()));
                    let _ = hyper::server::conn::http1::Builder::new().serve_connection(TokioIo::new(tcp), service).with_upgrades().await;
                });
            }
        });
        TestProxy { address, tunnels, task }
    }

    pub fn address_text(&self) -> String {
        self.address.to_string()
    }

    pub fn tunnels_opened(&self) -> usize {
        self.tunnels.load(Ordering::SeqCst)
    }
}

fn tls_acceptor(cert_pem: &str, key_pem: &str) -> tokio_rustls::TlsAcceptor {
    let certs = rustls_pemfile::certs(&mut cert_pem.as_bytes()).collect::<Result<Vec<_>, _>>().unwrap();
    let key = rustls_pemfile::private_key(&mut key_pem.as_bytes()).unwrap().unwrap();
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .unwrap();
    tokio_rustls::TlsAcceptor::from(Arc::new(config))
}

fn status(code: StatusCode) -> Response<String> {
    let mut r = Response::new(String::new());
    *r.status_mut() = code;
    r
}

async fn answer(
    req: Request<Incoming>, mode: ProxyMode, tunnels: Arc<AtomicUsize>, acceptor: tokio_rustls::TlsAcceptor,
) -> Result<Response<String>, Infallible> {
    if req.method() != Method::CONNECT {
        return Ok(status(StatusCode::METHOD_NOT_ALLOWED));
    }
    let Some(target) = req.uri().authority().map(|a| a.to_string()) else { return Ok(status(StatusCode::BAD_REQUEST)) };
    match &mode {
        ProxyMode::Refusing => return Ok(status(StatusCode::FORBIDDEN)),
        ProxyMode::NeedsCredentials { user, password } => {
            use base64::Engine as _;
            let expected = format!("Basic {}", base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}")));
            let given = req.headers().get(hyper::header::PROXY_AUTHORIZATION).and_then(|v| v.to_str().ok());
            if given != Some(expected.as_str()) {
                let mut r = status(StatusCode::PROXY_AUTHENTICATION_REQUIRED);
                r.headers_mut().insert(hyper::header::PROXY_AUTHENTICATE, "Basic realm=\"office\"".parse().unwrap());
                return Ok(r);
            }
        }
        ProxyMode::Open | ProxyMode::Inspecting => {}
    }
    tunnels.fetch_add(1, Ordering::SeqCst);
    tokio::spawn(async move {
        let Ok(upgraded) = hyper::upgrade::on(req).await else { return };
        let mut client_side = TokioIo::new(upgraded);
        if let ProxyMode::Inspecting = mode {
            // The box ends the client's TLS with its own certificate; the
            // client that trusts only the service's CA stops here.
            let _ = acceptor.accept(client_side).await;
            return;
        }
        let Ok(mut service_side) = tokio::net::TcpStream::connect(&target).await else { return };
        let _ = tokio::io::copy_bidirectional(&mut client_side, &mut service_side).await;
    });
    Ok(status(StatusCode::OK))
}
