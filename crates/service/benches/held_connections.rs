#![allow(clippy::unwrap_used)] // a benchmark: failing loudly is right
//! A normal client's call while another client holds connections open, as
//! an attacker (or a runaway script) would: 1,000 TCP connections that never
//! start TLS, and 200 TLS connections without a certificate that send
//! nothing. The office's calls (`GET /v1/health`, a new connection and a
//! full handshake each, through the client crate) are timed with nothing
//! held, then while the connections are held — in the same run, on the same
//! cores — and the ratio printed (goal: near 1; before the connection caps
//! and timeouts, such calls waited seconds or timed out). Then the service
//! is stopped gracefully with them still open and the drain time printed.
//! Run: `cargo bench -p kaigo-service --bench held_connections`.

use kaigo_client::{ClientIdentity, OnboardingClient, ServerTrust};
use kaigo_service::{demo, Application};
use std::time::{Duration, Instant};
use tokio::net::TcpStream;

const CALLS: usize = 100;
const SILENT_TCP: usize = 1000;
const IDLE_TLS: usize = 200;

fn median_ms(mut v: Vec<Duration>) -> f64 {
    v.sort();
    v[v.len() / 2].as_secs_f64() * 1000.0
}

async fn timed_calls(url: &str, trust: &ServerTrust, identity: &ClientIdentity) -> Vec<Duration> {
    let mut times = Vec::with_capacity(CALLS);
    for _ in 0..CALLS {
        let started = Instant::now();
        let client = OnboardingClient::new(url, trust, Some(identity)).unwrap();
        assert_eq!(client.health().await.unwrap().status, "ok");
        times.push(started.elapsed());
    }
    times
}

/// A TLS connection without a client certificate, left idle.
async fn idle_tls(addr: std::net::SocketAddr, ca_pem: &str) -> Option<tokio_rustls::client::TlsStream<TcpStream>> {
    let provider = std::sync::Arc::new(rustls::crypto::ring::default_provider());
    let mut roots = rustls::RootCertStore::empty();
    for c in rustls_pemfile::certs(&mut ca_pem.as_bytes()) {
        roots.add(c.unwrap()).unwrap();
    }
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
    let tcp = TcpStream::connect(addr).await.ok()?;
    let name = rustls_pki_types::ServerName::try_from("localhost").unwrap();
    tokio_rustls::TlsConnector::from(std::sync::Arc::new(config)).connect(name, tcp).await.ok()
}

#[tokio::main(flavor = "multi_thread")]
async fn main() {
    let dir = tempfile::tempdir().unwrap();
    let files = demo::prepare(dir.path()).await.unwrap();
    let mut config = demo::config(&files, "127.0.0.1:0".parse().unwrap()).unwrap();
    config.rate_limit.per_second = 10_000;
    config.rate_limit.burst = 10_000;
    let service = Application::build(config, demo::clock()).await.unwrap().spawn();
    let url = service.url();
    let ca_pem = std::fs::read_to_string(&files.ca_cert).unwrap();
    let trust = ServerTrust::CaPem(ca_pem.clone());
    let identity = ClientIdentity::from_pem(
        &std::fs::read_to_string(&files.client_cert).unwrap(),
        &std::fs::read_to_string(&files.client_key).unwrap(),
    )
    .unwrap();

    // Warm up, then the floor: nothing held.
    timed_calls(&url, &trust, &identity).await;
    let free = median_ms(timed_calls(&url, &trust, &identity).await);

    let mut silent = Vec::with_capacity(SILENT_TCP);
    for _ in 0..SILENT_TCP {
        silent.push(TcpStream::connect(service.addr).await.unwrap());
    }
    let mut idle = Vec::with_capacity(IDLE_TLS);
    for _ in 0..IDLE_TLS {
        if let Some(c) = idle_tls(service.addr, &ca_pem).await {
            idle.push(c);
        }
    }
    let started = Instant::now();
    let held = median_ms(timed_calls(&url, &trust, &identity).await);
    let measured_in = started.elapsed();

    println!("held_connections: {SILENT_TCP} silent TCP + {IDLE_TLS} idle TLS (no certificate) connections held");
    println!("  office call, new connection each, median of {CALLS}: {free:.2} ms with nothing held, {held:.2} ms while held (measured in {:.1} s)", measured_in.as_secs_f64());
    println!("  ratio held / free: {:.2} (goal: near 1)", held / free);

    let onboarding = service.onboarding.clone();
    let started = Instant::now();
    service.shutdown().await;
    println!("  graceful stop with them still open: {:.0} ms", started.elapsed().as_secs_f64() * 1000.0);
    drop((silent, idle, onboarding));
}
