//! The client certificate: required in the handshake (but for joining a
//! class and the trainer's calls), from the configured CA,
//! not expired, and belonging to the office whose ID is used.

use crate::harness::*;
use kaigo_client::{ClientIdentity, ErrorCode, OnboardingClient, ServerTrust};
use kaigo_service::pki::CertificateAuthority;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_call_without_a_client_certificate_is_refused_but_a_devices_redemption() {
    let app = spawn_app().await;
    expect_code(app.client_with(None).health().await, ErrorCode::ClientCertificateRequired);
    // Every operation of the API document, called over TLS without a
    // certificate: only the two device calls of 3-4 get past the check.
    let http = http_without_certificate(&app);
    let doc: serde_json::Value = serde_json::from_str(&kaigo_service::http::openapi::json()).unwrap();
    let mut open = Vec::new();
    for (path, ops) in doc["paths"].as_object().unwrap() {
        for method in ops.as_object().unwrap().keys() {
            let url = format!("{}{}", app.url(), path.replace("{", "x").replace("}", ""));
            let resp = http
                .request(method.to_uppercase().parse().unwrap(), url)
                .header("content-type", "application/json")
                .body("{}")
                .send()
                .await
                .unwrap();
            let body: serde_json::Value = resp.json().await.unwrap_or_default();
            if body["code"] != "client_certificate_required" {
                open.push(format!("{method} {path}"));
            }
        }
    }
    open.sort();
    // … and those of 研修, which a join code or the trainer's cookie authorises.
    assert_eq!(
        open,
        [
            "get /trainer/sign-in",
            "get /v1/class/authority",
            "get /v1/trainer/events",
            "get /v1/trainer/grid",
            "get /v1/trainer/join-qr.svg",
            "get /v1/trainer/session",
            "get /v1/trainer/summary.csv",
            "post /v1/class/join",
            "post /v1/terminal-activations",
            "post /v1/terminal-activations/{terminal_id}/proof",
            "post /v1/trainer/close",
            "post /v1/trainer/seats/{seat}/reset",
            "post /v1/trainer/seats/{seat}/unlock",
        ]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_certificate_from_another_ca_is_refused() {
    let app = spawn_app().await;
    let other = CertificateAuthority::create("Other CA", now()).unwrap();
    let cert =
        other.issue_office_client(&app.a.number, &app.a.name, now() - time::Duration::hours(1), now() + time::Duration::days(30)).unwrap();
    expect_code(app.client_with(Some(&identity(&cert))).health().await, ErrorCode::ClientCertificateRejected);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_expired_certificate_is_refused() {
    let app = spawn_app().await;
    let cert = app
        .pki
        .ca
        .issue_office_client(&app.a.number, &app.a.name, now() - time::Duration::days(30), now() - time::Duration::days(1))
        .unwrap();
    expect_code(app.client_with(Some(&identity(&cert))).health().await, ErrorCode::ClientCertificateExpired);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_certificate_of_another_office_cannot_log_in_with_this_offices_id() {
    let app = spawn_app().await;
    let client_b = app.client(&app.b);
    // Only the right password earns "another office's ID": that caller knows it already.
    let e = expect_code(client_b.office_login(&app.a.kj, &app.a.password).await, ErrorCode::CertificateOfficeMismatch);
    assert!(matches!(e, kaigo_client::ClientError::Api { status: 403, .. }));
    // A wrong one is answered exactly as for an ID nobody has — and counts
    // against office B's own tries, never office A's.
    let other = client_b.office_login(&app.a.kj, "wrong-password").await.unwrap_err();
    let unknown = client_b.office_login("KJ9999999999", "wrong-password").await.unwrap_err();
    let shape = |e: &kaigo_client::ClientError| match e {
        kaigo_client::ClientError::Api { status, body } => {
            (*status, body.code, body.message.clone(), body.field.clone(), body.retry_after_seconds)
        }
        other => panic!("{other:?}"),
    };
    assert_eq!(shape(&other).0, 401);
    assert_eq!((shape(&other).1, shape(&other).2, shape(&other).3), (shape(&unknown).1, shape(&unknown).2, shape(&unknown).3));
    assert_eq!((other.tries_left(), unknown.tries_left()), (Some(2), Some(1)));
    app.office_session(&app.a).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn another_offices_user_id_is_unknown_here_even_with_its_password() {
    let app = spawn_app().await;
    let initial = app.register_admin(&app.a, "mtlsother").await;
    let b = app.client(&app.b);
    let other = b.user_login("mtlsother", "Wrong-pass-2026", None).await.err().unwrap();
    let unknown = b.user_login("nobody0001", "Wrong-pass-2026", None).await.err().unwrap();
    assert_eq!((other.code(), other.message_ja()), (unknown.code(), unknown.message_ja()));
    assert_eq!(other.code(), ErrorCode::InvalidCredentials);
    // User IDs are the office's own: even the right password of another
    // office's user finds nobody here.
    let right = b.user_login("mtlsother", &initial, None).await.err().unwrap();
    assert_eq!((right.code(), right.message_ja()), (unknown.code(), unknown.message_ja()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_valid_certificate_registered_to_no_office_cannot_log_in() {
    let app = spawn_app().await;
    let stray = app.pki.office_cert("1399999999", "未登録事業所");
    let client = app.client_with(Some(&identity(&stray)));
    assert_eq!(client.health().await.unwrap().status, "ok");
    expect_code(client.office_login(&app.a.kj, &app.a.password).await, ErrorCode::CertificateOfficeMismatch);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_admin_logs_in_only_with_a_certificate_of_the_admins_office() {
    let app = spawn_app().await;
    let initial = app.register_admin(&app.a, "mtlsadmin").await;
    expect_code(app.client(&app.b).user_login("mtlsadmin", &initial, None).await, ErrorCode::InvalidCredentials);
    assert!(app.client(&app.a).user_login("mtlsadmin", &initial, None).await.is_ok());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_session_is_useless_over_another_certificate() {
    let app = spawn_app().await;
    let (_, session) = app.office_session(&app.a).await;
    let other = app.client(&app.b);
    expect_code(other.user_id_availability(&session.session_token, "abcdef").await, ErrorCode::Unauthenticated);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_client_refuses_a_server_certified_by_another_ca() {
    let app = spawn_app().await;
    let other = CertificateAuthority::create("Other CA", now()).unwrap();
    let client = OnboardingClient::new(&app.url(), &ServerTrust::CaPem(other.cert_pem()), Some(&identity(&app.a.cert))).unwrap();
    // A certificate for this very host from an authority other than the
    // one expected: what a firewall decrypting HTTPS presents.
    expect_code(client.health().await, ErrorCode::TlsInspected);
    // An authority of the same name with another key (a CA made again) is
    // only untrusted (classes.rs: a stranger's class CA).
}

#[test]
fn a_pkcs12_file_opens_with_its_password_only() {
    let pki = TestPki::new();
    let cert = pki.office_cert("1300000001", "テスト事業所");
    let p12 = cert.to_pkcs12(&pki.ca_pem, "p12-secret", "office").unwrap();
    let id = ClientIdentity::from_pkcs12(&p12, "p12-secret").unwrap();
    let info = id.info().unwrap();
    assert_eq!(info.common_name.as_deref(), Some("テスト事業所"));
    assert_eq!(info.serial_number.as_deref(), Some("1300000001"));
    assert!(info.issuer.contains("Test CA"));
    assert_eq!(info.fingerprint, cert.fingerprint());
    assert_eq!(ClientIdentity::from_pkcs12(&p12, "wrong").unwrap_err().code(), ErrorCode::CertificatePasswordIncorrect);
    assert_eq!(ClientIdentity::from_pkcs12(b"not a p12", "x").unwrap_err().code(), ErrorCode::CertificateFileInvalid);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pkcs12_identity_works_for_the_whole_handshake() {
    let app = spawn_app().await;
    let p12 = app.a.cert.to_pkcs12(&app.pki.ca_pem, "pw", "a").unwrap();
    let id = ClientIdentity::from_pkcs12(&p12, "pw").unwrap();
    let client = app.client_with(Some(&id));
    assert!(client.office_login(&app.a.kj, &app.a.password).await.is_ok());
}

/// A plain HTTPS client that trusts the service and shows no certificate.
fn http_without_certificate(app: &TestApp) -> reqwest::Client {
    plain_https(&app.pki.ca_pem, None)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_error_is_the_json_error_body_and_an_unread_body_closes_the_connection() {
    let app = spawn_app().await;
    let http = http_without_certificate(&app);
    let office = plain_https(&app.pki.ca_pem, Some(&app.a.cert));
    let (_, session) = app.office_session(&app.a).await;
    let url = |path: &str| format!("{}{path}", app.url());
    let activations = url("/v1/terminal-activations");
    // (request, status, code, whether it came with a body and so closes)
    let cases = [
        // A path parameter that is not UTF-8 once decoded, a query string
        // without its parameter.
        (http.post(url("/v1/terminal-activations/%FF/proof")), 400, "invalid_request", false),
        (office.get(url("/v1/office/user-id-availability?user=x")).bearer_auth(&session.session_token), 400, "invalid_request", false),
        (http.get(&activations), 405, "method_not_allowed", false),
        (
            http.post(&activations)
                .header("content-type", "application/json")
                .body(vec![b' '; kaigo_service::http::MAX_REQUEST_BODY_BYTES + 1]),
            413,
            "payload_too_large",
            true,
        ),
        (
            http.post(&activations)
                .header("content-type", "application/json")
                .body("{\"terminal_id\": 1, \"activation_code\": \"secret-typed\""),
            400,
            "invalid_request",
            true,
        ),
        (http.post(&activations).body("{}"), 400, "invalid_request", true),
        (http.get(url("/v1/no-such-thing")), 404, "not_found", false),
        (
            http.post(url("/v1/office/login"))
                .header("content-type", "application/json")
                .body("{\"electronic_billing_id\": \"KJ0000000001\", \"password\": \"x\"}"),
            401,
            "client_certificate_required",
            true,
        ),
    ];
    for (request, status, code, had_body) in cases {
        let resp = match request.send().await {
            Ok(resp) => resp,
            // An over-size body is refused before it is read and the
            // connection closed: a client still writing it may see the
            // close before the answer.
            Err(e) if status == 413 && e.is_request() => continue,
            Err(e) => panic!("{code}: {e}"),
        };
        assert_eq!(resp.status().as_u16(), status, "{code}");
        assert_eq!(
            resp.headers().get("content-type").map(|v| v.to_str().unwrap().to_owned()).as_deref(),
            Some("application/json"),
            "{code}"
        );
        assert_eq!(resp.headers().get("connection").is_some_and(|v| v == "close"), had_body, "{code}: connection");
        let body: kaigo_api::ErrorBody = resp.json().await.unwrap();
        assert_eq!(body.code.as_str(), code);
        assert!(!body.message.is_empty() && !body.message_en.contains("secret-typed"));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn user_ids_and_practice_messages_are_each_offices_own() {
    let app = spawn_app().await;
    let a_initial = app.register_admin(&app.a, "sameid01").await;
    // Office B cannot tell that office A uses the ID: it is free here …
    let (b, b_session) = app.office_session(&app.b).await;
    assert!(b.user_id_availability(&b_session.session_token, "sameid01").await.unwrap().available);
    // … and B can take it too.
    let b_initial = app.register_admin(&app.b, "sameid01").await;
    let (a, a_session) = app.office_session(&app.a).await;
    assert!(!a.user_id_availability(&a_session.session_token, "sameid01").await.unwrap().available);
    // Each user signs in under their own office's certificate only.
    assert!(app.client(&app.a).user_login("sameid01", &a_initial, None).await.is_ok());
    assert!(app.client(&app.b).user_login("sameid01", &b_initial, None).await.is_ok());
    expect_code(app.client(&app.b).user_login("sameid01", &a_initial, None).await, ErrorCode::InvalidCredentials);

    // The practice mailbox shows an office its own messages only.
    let for_a = app.client(&app.a).practice_mailbox(None).await.unwrap();
    assert!(for_a.iter().any(|m| m.recipient == app.a.email));
    let for_b = app.client(&app.b).practice_mailbox(None).await.unwrap();
    assert!(!for_b.is_empty());
    assert!(for_b.iter().all(|m| m.recipient != app.a.email && !m.body.contains(&a_initial)), "office B read office A's messages");
    assert!(app.client(&app.b).practice_mailbox(Some(&app.a.email)).await.unwrap().is_empty());
}
