//! The service reached through an office's HTTP proxy (CONNECT), mutual
//! TLS end to end inside the tunnel; a proxy that refuses, one that asks
//! for a user name and password, one that is not there, and one that
//! decrypts HTTPS (TLS inspection), each told apart by its code.

use crate::harness::*;
use crate::test_proxy::{ProxyMode, TestProxy};
use kaigo_client::{ErrorCode, Network, OnboardingClient, ProxyCredentials, ServerTrust};
use kaigo_domain::proxy::ProxyAddress;
use kaigo_service::pki::CertificateAuthority;

fn via(proxy: &TestProxy, credentials: Option<(&str, &str)>) -> Network {
    Network::Proxy {
        address: ProxyAddress::parse(&proxy.address_text()).unwrap(),
        credentials: credentials.map(|(user, password)| ProxyCredentials { user: user.into(), password: password.into() }),
    }
}

fn client_via(app: &TestApp, office: &TestOffice, network: &Network) -> OnboardingClient {
    OnboardingClient::new_via(&app.url(), &ServerTrust::CaPem(app.pki.ca_pem.clone()), Some(&identity(&office.cert)), network).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn step_3_1_goes_through_a_connect_proxy_with_the_client_certificate() {
    let app = spawn_app().await;
    let proxy = TestProxy::start(ProxyMode::Open).await;
    let client = client_via(&app, &app.a, &via(&proxy, None));
    client.health().await.expect("health through the proxy");
    // The office's login and its mailed code: the certificate was presented
    // inside the tunnel (the service tells offices apart by it).
    let seen = app.mailbox_count(&app.a.email).await;
    let challenge = client.office_login(&app.a.kj, &app.a.password).await.unwrap();
    let mail = app.message_to(&app.a.email, seen).await;
    client
        .office_verify(&challenge.challenge_id, &code_in(&mail.body), app.a.security_code.as_deref())
        .await
        .expect("3-1 done through the proxy");
    assert!(proxy.tunnels_opened() >= 1, "the calls went through the proxy");

    // A certificate the service does not accept is still named as such
    // (the bare handshake that reads the refusal goes through the tunnel too).
    let other = CertificateAuthority::create("Other CA", now()).unwrap();
    let stranger =
        other.issue_office_client(&app.a.number, &app.a.name, now() - time::Duration::hours(1), now() + time::Duration::days(30)).unwrap();
    let before = proxy.tunnels_opened();
    let client =
        OnboardingClient::new_via(&app.url(), &ServerTrust::CaPem(app.pki.ca_pem.clone()), Some(&identity(&stranger)), &via(&proxy, None))
            .unwrap();
    expect_code(client.health().await, ErrorCode::ClientCertificateRejected);
    assert!(proxy.tunnels_opened() > before);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_proxy_that_refuses_is_named() {
    let app = spawn_app().await;
    let proxy = TestProxy::start(ProxyMode::Refusing).await;
    expect_code(client_via(&app, &app.a, &via(&proxy, None)).health().await, ErrorCode::ProxyRefused);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_proxy_asking_for_a_password_gets_it_or_says_so() {
    let app = spawn_app().await;
    let proxy = TestProxy::start(ProxyMode::NeedsCredentials { user: "kaigo".into(), password: "p@ss:word".into() }).await;
    expect_code(client_via(&app, &app.a, &via(&proxy, None)).health().await, ErrorCode::ProxyAuthenticationRequired);
    expect_code(client_via(&app, &app.a, &via(&proxy, Some(("kaigo", "wrong")))).health().await, ErrorCode::ProxyAuthenticationRequired);
    assert_eq!(proxy.tunnels_opened(), 0);
    client_via(&app, &app.a, &via(&proxy, Some(("kaigo", "p@ss:word")))).health().await.expect("with the right password");
    assert_eq!(proxy.tunnels_opened(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_proxy_that_is_not_there_is_named() {
    let app = spawn_app().await;
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let address = closed.local_addr().unwrap();
    drop(closed);
    let network = Network::Proxy { address: ProxyAddress::parse(&address.to_string()).unwrap(), credentials: None };
    expect_code(client_via(&app, &app.a, &network).health().await, ErrorCode::ProxyUnreachable);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_firewall_decrypting_https_is_named_as_tls_inspection() {
    let app = spawn_app().await;
    let proxy = TestProxy::start(ProxyMode::Inspecting).await;
    let e = expect_code(client_via(&app, &app.a, &via(&proxy, None)).health().await, ErrorCode::TlsInspected);
    assert!(e.to_string().contains("Corporate Firewall CA"), "the box's CA is named for the log: {e}");
    assert!(e.message_ja().contains("検査"), "{}", e.message_ja());
}
