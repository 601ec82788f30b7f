//! Connections are bounded in time and number: a client that opens
//! connections and sends nothing, sends its headers a byte at a time, or
//! keeps idle keep-alives, is cut off; one office holding many connections
//! does not starve another; and the service stops gracefully.

use crate::harness::*;
use kaigo_service::connections::ConnectionLimits;
use kaigo_service::pki::IssuedIdentity;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::TcpStream;
use tokio_rustls::client::TlsStream;

/// Short limits, so that the test sees them act.
fn short_limits() -> ConnectionLimits {
    ConnectionLimits {
        max_per_certificate: 4,
        max_without_certificate: 2,
        handshake_timeout: Duration::from_secs(1),
        header_timeout: Duration::from_secs(1),
        drain_timeout: Duration::from_secs(10),
        ..ConnectionLimits::default()
    }
}

/// A TLS connection to `addr`, with `cert` as the client certificate if given.
pub async fn tls_connection(addr: std::net::SocketAddr, ca_pem: &str, cert: Option<&IssuedIdentity>) -> TlsStream<TcpStream> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut roots = rustls::RootCertStore::empty();
    for c in rustls_pemfile::certs(&mut ca_pem.as_bytes()) {
        roots.add(c.unwrap()).unwrap();
    }
    let builder =
        rustls::ClientConfig::builder_with_provider(provider).with_safe_default_protocol_versions().unwrap().with_root_certificates(roots);
    let mut config = match cert {
        Some(c) => {
            let chain = rustls_pemfile::certs(&mut c.cert_pem.as_bytes()).collect::<Result<Vec<_>, _>>().unwrap();
            let key = rustls_pemfile::private_key(&mut c.key_pem.as_bytes()).unwrap().unwrap();
            builder.with_client_auth_cert(chain, key).unwrap()
        }
        None => builder.with_no_client_auth(),
    };
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    let tcp = TcpStream::connect(addr).await.unwrap();
    let name = rustls_pki_types::ServerName::try_from("localhost").unwrap();
    tokio_rustls::TlsConnector::from(Arc::new(config)).connect(name, tcp).await.unwrap()
}

/// An HTTP/1.1 response as read off the wire.
pub struct RawResponse {
    pub status: u16,
    pub head: String,
    pub body: String,
}

impl RawResponse {
    pub fn closes(&self) -> bool {
        self.head.to_ascii_lowercase().contains("connection: close")
    }
}

/// Reads one response (Content-Length bodies only, as the service sends).
pub async fn read_response<S: tokio::io::AsyncRead + Unpin>(s: &mut S) -> Option<RawResponse> {
    let mut buf = Vec::new();
    let mut byte = [0u8; 1];
    while !buf.ends_with(b"\r\n\r\n") {
        match tokio::time::timeout(Duration::from_secs(15), s.read(&mut byte)).await {
            Ok(Ok(1)) => buf.push(byte[0]),
            _ => return None,
        }
    }
    let head = String::from_utf8(buf).unwrap();
    let status = head.split(' ').nth(1).unwrap().parse().unwrap();
    let len: usize =
        head.lines().find_map(|l| l.to_ascii_lowercase().strip_prefix("content-length:").map(|v| v.trim().parse().unwrap())).unwrap_or(0);
    let mut body = vec![0u8; len];
    s.read_exact(&mut body).await.ok()?;
    Some(RawResponse { status, head, body: String::from_utf8(body).unwrap() })
}

/// One GET on a kept-alive connection.
async fn get<S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin>(s: &mut S, path: &str) -> Option<RawResponse> {
    s.write_all(format!("GET {path} HTTP/1.1\r\nHost: localhost\r\n\r\n").as_bytes()).await.ok()?;
    read_response(s).await
}

/// Whether the peer closes `s` within `within` (end of stream or an error).
pub async fn closed_within<S: tokio::io::AsyncRead + Unpin>(s: &mut S, within: Duration) -> bool {
    let mut sink = [0u8; 256];
    let deadline = Instant::now() + within;
    loop {
        match tokio::time::timeout_at(deadline.into(), s.read(&mut sink)).await {
            Err(_) => return false,
            Ok(Ok(0) | Err(_)) => return true,
            Ok(Ok(_)) => continue,
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn idle_slow_and_surplus_connections_are_cut_and_another_office_is_served_meanwhile() {
    let app = spawn_with(Options { connections: short_limits(), ..Options::default() }).await.unwrap();
    let addr = app.service.addr;
    let ca = app.pki.ca_pem.clone();

    // Connections that never start TLS are dropped after the handshake time.
    let mut silent = Vec::new();
    for _ in 0..40 {
        silent.push(TcpStream::connect(addr).await.unwrap());
    }
    // A connection that finishes its handshake and never sends a request.
    let mut mute = tls_connection(addr, &ca, Some(&app.b.cert)).await;
    // Office A takes its share of four connections, each kept alive …
    let mut held = Vec::new();
    for _ in 0..4 {
        let mut c = tls_connection(addr, &ca, Some(&app.a.cert)).await;
        let r = get(&mut c, "/v1/health").await.expect("a connection within the share is served");
        assert_eq!(r.status, 200);
        held.push(c);
    }
    // … a fifth is answered rate_limited, in the API's error body, and closed.
    let mut surplus = tls_connection(addr, &ca, Some(&app.a.cert)).await;
    let r = get(&mut surplus, "/v1/health").await.expect("an answer, not a dropped connection");
    assert_eq!(r.status, 429, "{}", r.head);
    assert!(r.body.contains("\"code\":\"rate_limited\""), "{}", r.body);
    assert!(r.head.to_ascii_lowercase().contains("retry-after: 1"), "{}", r.head);
    assert!(r.closes());
    assert!(closed_within(&mut surplus, Duration::from_secs(5)).await);

    // Meanwhile office B is served at once through the client crate.
    let started = Instant::now();
    assert_eq!(app.client(&app.b).health().await.unwrap().status, "ok");
    eprintln!("office B's first call with 40 silent connections and A's share held: {:?}", started.elapsed());

    // The silent connections and A's idle keep-alives are all closed by the
    // server (handshake and header times are one second here).
    for s in &mut silent {
        assert!(closed_within(s, Duration::from_secs(5)).await, "a connection that never started TLS is still open");
    }
    for c in &mut held {
        assert!(closed_within(c, Duration::from_secs(5)).await, "an idle keep-alive is still open");
    }
    assert!(closed_within(&mut mute, Duration::from_secs(5)).await, "a connection that sent nothing after its handshake is still open");
    // Their places are given back.
    let mut again = tls_connection(addr, &ca, Some(&app.a.cert)).await;
    assert_eq!(get(&mut again, "/v1/health").await.unwrap().status, 200);

    // Headers sent a byte at a time are cut off when the header time is up.
    let mut slow = tls_connection(addr, &ca, Some(&app.b.cert)).await;
    let started = Instant::now();
    let request = b"GET /v1/health HTTP/1.1\r\nHost: localhost\r\nX-Padding: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n\r\n";
    let mut cut = false;
    for b in request {
        if slow.write_all(&[*b]).await.is_err() || slow.flush().await.is_err() {
            cut = true;
            break;
        }
        if closed_within(&mut slow, Duration::from_millis(200)).await {
            cut = true;
            break;
        }
    }
    assert!(cut, "a request trickled over {:?} was not cut off", started.elapsed());

    // Without a certificate (a phone redeeming its code) there is a share too.
    let mut phones = Vec::new();
    for _ in 0..2 {
        let mut c = tls_connection(addr, &ca, None).await;
        assert_eq!(get(&mut c, "/v1/health").await.unwrap().status, 401, "no certificate: only the device routes");
        phones.push(c);
    }
    let mut third = tls_connection(addr, &ca, None).await;
    assert_eq!(get(&mut third, "/v1/health").await.unwrap().status, 429);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_graceful_stop_finishes_requests_in_flight_and_closes_idle_connections() {
    let limits = ConnectionLimits { header_timeout: Duration::from_secs(5), ..ConnectionLimits::default() };
    let app = spawn_with(Options { connections: limits, ..Options::default() }).await.unwrap();
    let addr = app.service.addr;
    // Twelve logins in flight: headers sent, body half sent.
    let body = format!(r#"{{"electronic_billing_id":"{}","password":"{}"}}"#, app.b.kj, app.b.password);
    let (first, rest) = body.split_at(body.len() / 2);
    let mut in_flight = Vec::new();
    for _ in 0..12 {
        let mut c = tls_connection(addr, &app.pki.ca_pem, Some(&app.b.cert)).await;
        let head = format!(
            "POST /v1/office/login HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{first}",
            body.len()
        );
        c.write_all(head.as_bytes()).await.unwrap();
        c.flush().await.unwrap();
        in_flight.push(c);
    }
    // And one idle keep-alive.
    let mut idle = tls_connection(addr, &app.pki.ca_pem, Some(&app.a.cert)).await;
    assert_eq!(get(&mut idle, "/v1/health").await.unwrap().status, 200);
    tokio::time::sleep(Duration::from_millis(300)).await;

    let onboarding = app.service.onboarding.clone();
    let TestApp { service, .. } = app;
    let stopping = tokio::spawn(service.shutdown());
    assert!(closed_within(&mut idle, Duration::from_secs(5)).await, "the idle connection is closed at once");
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(TcpStream::connect(addr).await.is_err(), "new connections are refused while stopping");

    for c in &mut in_flight {
        c.write_all(rest.as_bytes()).await.unwrap();
        c.flush().await.unwrap();
    }
    for (i, c) in in_flight.iter_mut().enumerate() {
        let r = read_response(c).await.unwrap_or_else(|| panic!("request {i} in flight was cut"));
        assert_eq!(r.status, 201, "request {i}: {}", r.body);
        assert!(r.closes(), "the connection closes after its last answer");
    }
    tokio::time::timeout(Duration::from_secs(15), stopping).await.expect("the stop ends within the drain time").unwrap();
    // The worker sent every code the drained logins queued before it stopped.
    let mut conn = onboarding.db.acquire().await.unwrap();
    let status = kaigo_service::store::outbox::status(&mut conn).await.unwrap();
    assert_eq!(status.len(), 12, "a code for each login");
    assert!(status.iter().all(|m| m.delivered_at.is_some()), "a message queued before the stop was left unsent");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_still_unfinished_when_the_drain_time_is_over_is_cut_and_the_stop_ends() {
    // The request's own timeout is far longer than the drain time: only the
    // drain time can end this stop soon.
    let limits = ConnectionLimits {
        drain_timeout: Duration::from_secs(1),
        request_timeout: Duration::from_secs(120),
        header_timeout: Duration::from_secs(120),
        ..ConnectionLimits::default()
    };
    let app = spawn_with(Options { connections: limits, ..Options::default() }).await.unwrap();
    let mut stuck = tls_connection(app.service.addr, &app.pki.ca_pem, Some(&app.b.cert)).await;
    stuck.write_all(b"POST /v1/office/login HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"electron").await.unwrap();
    stuck.flush().await.unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;

    let TestApp { service, .. } = app;
    let started = Instant::now();
    tokio::time::timeout(Duration::from_secs(60), service.shutdown())
        .await
        .expect("the stop waits for the drain time, not for the request's own timeout");
    eprintln!("stopped {:?} after the stop began, drain time 1 s", started.elapsed());
    assert!(
        closed_within(&mut stuck, Duration::from_secs(5)).await,
        "the request still unfinished after the drain time is cut, not left running"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_body_a_body_too_large_and_a_malformed_request_are_each_answered_and_the_connection_closed() {
    let limits = ConnectionLimits { request_timeout: Duration::from_secs(1), ..ConnectionLimits::default() };
    let app = spawn_with(Options { connections: limits, ..Options::default() }).await.unwrap();
    let addr = app.service.addr;

    // Headers in, ten bytes of a hundred-byte body, then nothing.
    let mut short = tls_connection(addr, &app.pki.ca_pem, Some(&app.b.cert)).await;
    short.write_all(b"POST /v1/office/login HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"electron").await.unwrap();
    short.flush().await.unwrap();
    let started = Instant::now();
    let r = read_response(&mut short).await.expect("an answer to a body that never came");
    assert_eq!(r.status, 408, "{}", r.head);
    assert!(r.head.to_ascii_lowercase().contains("content-type: application/json"), "{}", r.head);
    assert!(r.body.contains("\"code\":\"request_timeout\""), "{}", r.body);
    assert!(r.closes(), "the rest of the body must not be read as the next request: {}", r.head);
    assert!(closed_within(&mut short, Duration::from_secs(5)).await);
    eprintln!("a stalled body was answered after {:?}", started.elapsed());

    // A body announced over the limit is refused before it is sent.
    let mut large = tls_connection(addr, &app.pki.ca_pem, Some(&app.b.cert)).await;
    let over = kaigo_service::http::MAX_REQUEST_BODY_BYTES + 1;
    large
        .write_all(
            format!(
                "POST /v1/office/login HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: {over}\r\n\r\n"
            )
            .as_bytes(),
        )
        .await
        .unwrap();
    large.flush().await.unwrap();
    let r = read_response(&mut large).await.expect("an answer before the body");
    assert_eq!(r.status, 413, "{}", r.head);
    assert!(r.body.contains("\"code\":\"payload_too_large\""), "{}", r.body);
    assert!(r.closes(), "the unread body must not be read as the next request: {}", r.head);

    // A Content-Length that is not a number is refused by the HTTP parser
    // itself, before there is a request to answer in JSON: a bare 400, and
    // the connection closed so nothing after it is misread.
    let mut bad = tls_connection(addr, &app.pki.ca_pem, Some(&app.b.cert)).await;
    bad.write_all(b"POST /v1/office/login HTTP/1.1\r\nHost: localhost\r\nContent-Length: ten\r\n\r\n{}GET /v1/health HTTP/1.1\r\n\r\n")
        .await
        .unwrap();
    bad.flush().await.unwrap();
    let r = read_response(&mut bad).await.expect("an answer to a malformed request");
    assert_eq!(r.status, 400, "{}", r.head);
    assert!(closed_within(&mut bad, Duration::from_secs(5)).await, "the request after a malformed one was read");

    // Too many headers: hyper refuses before there is a request, too — a
    // bare 431, as SECURITY.md says, and the connection closed.
    let mut crowded = tls_connection(addr, &app.pki.ca_pem, Some(&app.b.cert)).await;
    let headers: String = (0..150).map(|i| format!("X-Filler-{i}: {i}\r\n")).collect();
    crowded.write_all(format!("GET /v1/health HTTP/1.1\r\nHost: localhost\r\n{headers}\r\n").as_bytes()).await.unwrap();
    crowded.flush().await.unwrap();
    let r = read_response(&mut crowded).await.expect("an answer to too many headers");
    assert_eq!(r.status, 431, "{}", r.head);
    assert!(r.body.is_empty(), "{}", r.body);
    assert!(closed_within(&mut crowded, Duration::from_secs(5)).await);
    let security = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../SECURITY.md")).unwrap().replace('\n', " ");
    for said in ["bare 400", "bare 431"] {
        assert!(security.contains(said), "SECURITY.md must say that the parser answers a {said}");
    }

    // The service goes on serving.
    assert_eq!(app.client(&app.b).health().await.unwrap().status, "ok");
}

/// The hard limit on open files this test may give the service.
#[cfg(target_os = "linux")]
fn open_file_hard_limit() -> u64 {
    let limits = std::fs::read_to_string("/proc/self/limits").unwrap();
    let line = limits.lines().find(|l| l.starts_with("Max open files")).unwrap();
    let hard = line.split_whitespace().nth(4).unwrap();
    hard.parse().unwrap_or(1 << 20)
}

#[cfg(target_os = "linux")]
fn soft_open_file_limit_of(pid: u32) -> u64 {
    let limits = std::fs::read_to_string(format!("/proc/{pid}/limits")).unwrap();
    let line = limits.lines().find(|l| l.starts_with("Max open files")).unwrap();
    line.split_whitespace().nth(3).unwrap().parse().unwrap()
}

/// Linux: open-file limits and signals are POSIX (Windows has neither; the
/// service's stop there is Ctrl-C, the same code path).
#[cfg(target_os = "linux")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_service_process_raises_its_open_file_limit_and_exits_0_on_sigterm_and_ctrl_c() {
    let pki = TestPki::new();
    let hard = open_file_hard_limit().min(1 << 16);
    for signal in ["TERM", "INT"] {
        let (dir, database, office) = service_folder(&pki, 4).await;
        // Started with a soft limit of 256 open files, as many systems give.
        let nofile = format!("--nofile=256:{hard}");
        let mut service = start_service_process_under(&["prlimit", &nofile, "--"], dir.path(), &database, &["--practice-mailbox"]).await;
        let pid = service.child.id().unwrap();
        assert_eq!(soft_open_file_limit_of(pid), hard, "the soft limit was not raised to the hard one");

        // More connections than 256 descriptors would allow, and a client still served.
        let addr: std::net::SocketAddr = service.url.trim_start_matches("https://").parse().unwrap();
        let mut held = Vec::new();
        for _ in 0..400 {
            held.push(TcpStream::connect(addr).await.unwrap());
        }
        let client = kaigo_client::OnboardingClient::new(
            &service.url,
            &kaigo_client::ServerTrust::CaPem(pki.ca_pem.clone()),
            Some(&identity(&office.cert)),
        )
        .unwrap();
        let started = Instant::now();
        assert_eq!(client.health().await.unwrap().status, "ok");
        eprintln!("a call with 400 connections held by another client: {:?}", started.elapsed());
        drop(held);

        let kill = std::process::Command::new("kill").args(["-s", signal, &pid.to_string()]).status().unwrap();
        assert!(kill.success());
        let status = tokio::time::timeout(Duration::from_secs(30), service.child.wait())
            .await
            .expect("the service stops within its drain time")
            .unwrap();
        assert_eq!(status.code(), Some(0), "SIG{signal}: {status}");
    }
}

/// Linux: a hard open-file limit the service cannot raise.
#[cfg(target_os = "linux")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn under_a_low_hard_open_file_limit_surplus_connections_wait_without_failed_accepts() {
    let pki = TestPki::new();
    let (dir, database, office) = service_folder(&pki, 6).await;
    let mut service =
        spawn_service_process(&["prlimit", "--nofile=256:256", "--"], dir.path(), &database, &["--practice-mailbox"], Some("warn")).await;
    // Drained while the test runs, so a full pipe can never stall the service.
    let mut stderr = service.child.stderr.take().unwrap();
    let log = tokio::spawn(async move {
        let mut log = String::new();
        let _ = stderr.read_to_string(&mut log).await;
        log
    });
    // More connections than 256 descriptors allow, none of them starting TLS.
    let addr: std::net::SocketAddr = service.url.trim_start_matches("https://").parse().unwrap();
    let mut held = Vec::new();
    for _ in 0..200 {
        held.push(TcpStream::connect(addr).await.unwrap());
    }
    // A client behind them in the backlog is served once the first silent
    // ones have been cut at their handshake time.
    let client = kaigo_client::OnboardingClient::new(
        &service.url,
        &kaigo_client::ServerTrust::CaPem(pki.ca_pem.clone()),
        Some(&identity(&office.cert)),
    )
    .unwrap();
    let started = Instant::now();
    assert_eq!(client.health().await.unwrap().status, "ok");
    eprintln!("a call behind 200 silent connections under a hard limit of 256 files: {:?}", started.elapsed());
    drop(held);
    service.child.start_kill().unwrap();
    service.child.wait().await.unwrap();
    let log = tokio::time::timeout(Duration::from_secs(10), log).await.unwrap().unwrap();
    assert!(log.contains("the open-file limit caps the connections"), "{log}");
    assert!(!log.contains("accept failed"), "the connections outran the descriptors:\n{log}");
}

/// The kernel queues as many new connections as it allows (not tokio's
/// 128): read back from the listening socket with `ss`, whose Send-Q of a
/// listener is its backlog.
#[cfg(target_os = "linux")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_listening_socket_queues_as_many_connections_as_the_kernel_allows() {
    let app = spawn_app().await;
    let port = app.service.addr.port();
    let Ok(out) = std::process::Command::new("ss").args(["-ltnH", &format!("sport = :{port}")]).output() else {
        assert!(std::env::var_os("KAIGO_FULL_SUITE").is_none(), "the full suite needs ss (iproute2)");
        return eprintln!("ss (iproute2) missing: the backlog is not read back");
    };
    let text = String::from_utf8_lossy(&out.stdout);
    let backlog: u32 = text.split_whitespace().nth(2).and_then(|s| s.parse().ok()).unwrap_or_else(|| panic!("ss said: {text}"));
    let somaxconn: u32 = std::fs::read_to_string("/proc/sys/net/core/somaxconn").unwrap().trim().parse().unwrap();
    assert_eq!(backlog, kaigo_service::startup::LISTEN_BACKLOG.min(somaxconn), "{text}");
    // Where the kernel allows no more than 128 (before Linux 5.4), that is all.
    assert!(backlog > 128 || somaxconn <= 128, "backlog {backlog}");
}
