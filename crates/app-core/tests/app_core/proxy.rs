#![allow(clippy::unwrap_used)] // tests: failing loudly is right
//! 設定 →「プロキシ」: the choice checked and kept, its password only in
//! the keychain, and 「接続テスト」 naming what it met. (Mutual TLS through
//! real proxies is the service tests' `proxy.rs`.)

use crate::practice_core;
use kaigo_app_core::keychain::{MemorySecrets, SecretStore};
use kaigo_app_core::network::PROXY_PASSWORD_KEY;
use kaigo_app_core::settings::{ServiceSetting, Settings};
use kaigo_app_core::wizard::ProxyForm;
use kaigo_domain::proxy::{ProxyChoice, Route};
use kaigo_domain::ErrorCode;
use secrecy::ExposeSecret;
use std::sync::Arc;

fn form(mode: &str, address: &str, user: &str, password: Option<&str>) -> ProxyForm {
    ProxyForm { mode: mode.into(), address: address.into(), user: user.into(), password: password.map(str::to_owned) }
}

/// A loopback port nothing listens on.
fn closed_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    l.local_addr().unwrap().port()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_proxy_choice_is_checked_kept_and_its_password_goes_to_the_keychain() {
    let dir = tempfile::tempdir().unwrap();
    let secrets = Arc::new(MemorySecrets::default());
    let core = practice_core(dir.path(), secrets.clone());
    let e = core.save_proxy(form("manual", "proxy.office", "", None)).await.unwrap_err();
    assert_eq!((e.code, e.field.as_deref()), (ErrorCode::ProxyAddressInvalid, Some("proxy_address")));
    assert!(e.message.contains("8080"), "an example of what to type: {}", e.message);

    let saved = core.save_proxy(form("manual", "ｐｒｏｘｙ.office：3128", "staff", Some("pa55"))).await.unwrap();
    let ProxyChoice::Manual { address, user } = &saved.proxy else { panic!("{:?}", saved.proxy) };
    assert_eq!((address.to_string().as_str(), user.as_deref()), ("proxy.office:3128", Some("staff")));
    assert_eq!(secrets.get(PROXY_PASSWORD_KEY).unwrap().unwrap().expose_secret(), "pa55");
    let on_disk = std::fs::read_to_string(dir.path().join("settings.json")).unwrap();
    assert!(on_disk.contains("proxy.office:3128") && !on_disk.contains("pa55"), "no password in the settings file: {on_disk}");
    let reloaded = practice_core(dir.path(), secrets.clone());
    assert_eq!(reloaded.status().await.settings.proxy, saved.proxy, "kept across a restart");

    // Saving again without typing the password keeps it; without a user
    // name no password is kept.
    core.save_proxy(form("manual", "proxy.office:3128", "staff", None)).await.unwrap();
    assert!(secrets.get(PROXY_PASSWORD_KEY).unwrap().is_some());
    core.save_proxy(form("direct", "", "", None)).await.unwrap();
    assert!(secrets.get(PROXY_PASSWORD_KEY).unwrap().is_none());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_connection_test_names_a_missing_proxy_and_a_missing_service() {
    let dir = tempfile::tempdir().unwrap();
    let core = practice_core(dir.path(), Arc::new(MemorySecrets::default()));
    let service = format!("https://127.0.0.1:{}", closed_port());
    core.save_settings(Settings { service: ServiceSetting::Remote { url: service, ca_pem: None }, ..Settings::default() }).await.unwrap();

    core.save_proxy(form("manual", &format!("127.0.0.1:{}", closed_port()), "", None)).await.unwrap();
    let test = core.connection_test().await.unwrap();
    assert!(!test.reached);
    assert!(matches!(test.route, Route::Via { .. }));
    assert_eq!(test.said.message, ErrorCode::ProxyUnreachable.message_ja(&kaigo_domain::Policy::default()));

    core.save_proxy(form("direct", "", "", None)).await.unwrap();
    let test = core.connection_test().await.unwrap();
    assert!(!test.reached && test.route == Route::Direct);
    assert!(test.said.message.contains("接続できません"), "{}", test.said.message);

    // Practice mode lives inside the app: it never goes through a proxy.
    core.save_settings(Settings { service: ServiceSetting::Practice, ..core.status().await.settings }).await.unwrap();
    core.save_proxy(form("manual", &format!("127.0.0.1:{}", closed_port()), "", None)).await.unwrap();
    let test = core.connection_test().await.unwrap();
    assert!(test.reached && test.route == Route::Direct, "{test:?}");
}
