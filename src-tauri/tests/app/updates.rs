//! Signed updates, offline: a publisher of the test's own (a minisign key
//! made here, the version in the signed trusted comment as our release
//! script writes it) serves a manifest and its files from a loopback
//! server; the app's core asks through tauri-plugin-updater (mock runtime)
//! and installs into a program file of the test (the Linux mechanism, as
//! an AppImage updates: the file replaced by the verified download).

use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use base64::Engine as _;
use kaigo_app_core::keychain::MemorySecrets;
use kaigo_app_core::paths::AppPaths;
use kaigo_app_core::preflight::CheckStatus;
use kaigo_app_core::settings::Settings;
use kaigo_app_core::updates::update_check;
use kaigo_app_core::AppCore;
use kaigo_domain::proxy::{ProxyAddress, ProxyChoice};
use kaigo_domain::ErrorCode;
use kaigo_onboard_app::updates::PluginUpdates;
use serde_json::json;
use std::path::PathBuf;
use std::sync::Arc;

const RUNNING: &str = "0.1.0";

/// A program file of `version`: ELF's magic and enough bytes for the
/// plugin's format check (an ELF header is 64 bytes).
fn program(version: &str) -> Vec<u8> {
    let mut bytes = format!("\x7fELF kaigo-onboard {version}").into_bytes();
    bytes.resize(256, 0);
    bytes
}

fn b64(text: String) -> String {
    base64::engine::general_purpose::STANDARD.encode(text)
}

/// A publisher: a minisign key pair, signing as `scripts/publish-update.sh`.
struct Publisher(minisign::KeyPair);

impl Publisher {
    fn new() -> Self {
        Publisher(minisign::KeyPair::generate_unencrypted_keypair().unwrap())
    }

    /// What `tauri.conf.json`'s `plugins.updater.pubkey` holds.
    fn pubkey(&self) -> String {
        b64(self.0.pk.to_box().unwrap().to_string())
    }

    /// The `.sig` file's text, base64 as the manifest carries it;
    /// `version: None` signs without one (as old releases were).
    fn sign(&self, bytes: &[u8], version: Option<&str>) -> String {
        let trusted = match version {
            Some(v) => format!("timestamp:1765000000\tfile:kaigo-onboard.AppImage\tversion:{v}"),
            None => "timestamp:1765000000\tfile:kaigo-onboard.AppImage".to_owned(),
        };
        let signature = minisign::sign(Some(&self.0.pk), &self.0.sk, std::io::Cursor::new(bytes), Some(&trusted), None).unwrap();
        b64(signature.to_string())
    }
}

/// What the update server serves: the manifest (or 204) and one file.
#[derive(Clone)]
struct Release {
    manifest: Option<serde_json::Value>,
    file: Vec<u8>,
}

/// A static manifest as the release script writes it, every platform key
/// the plugin may look up pointing at the one file.
fn manifest(base: &str, version: &str, signature: &str) -> serde_json::Value {
    let entry = json!({ "signature": signature, "url": format!("{base}/files/kaigo-onboard_{version}.AppImage") });
    json!({
        "version": version,
        "notes": "受付時間の案内を新しくしました。",
        "pub_date": "2026-12-06T00:00:00Z",
        "platforms": { "linux-x86_64": entry, "windows-x86_64": entry, "darwin-x86_64": entry, "darwin-aarch64": entry }
    })
}

/// Serves `release` on a loopback port; gives its address.
fn serve(make: impl FnOnce(&str) -> Release) -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let release = make(&base);
    let manifest = release.manifest.clone();
    let file = release.file.clone();
    let router = Router::new()
        .route(
            "/latest.json",
            get(move || async move {
                match manifest {
                    Some(m) => ([(header::CONTENT_TYPE, "application/json")], m.to_string()).into_response(),
                    None => StatusCode::NO_CONTENT.into_response(),
                }
            }),
        )
        .route("/files/{name}", get(move || async move { Response::new(axum::body::Body::from(file)) }));
    tauri::async_runtime::spawn(async move {
        let listener = tokio::net::TcpListener::from_std(listener).unwrap();
        axum::serve(listener, router).await.unwrap();
    });
    base
}

/// The app at version 0.1.0 with the publisher's key built in (or none),
/// its updater replacing `program`.
struct App {
    core: AppCore,
    program: PathBuf,
    /// Kept alive for the updater (and used directly on Windows).
    _app: tauri::App<tauri::test::MockRuntime>,
    _dir: tempfile::TempDir,
}

fn app(pubkey: Option<&str>, endpoint: &str, proxy: ProxyChoice) -> App {
    let dir = tempfile::tempdir().unwrap();
    let mut context = tauri::generate_context!("../tauri.conf.json");
    context.package_info_mut().version = RUNNING.parse().unwrap();
    let updater = context.config_mut().plugins.0.get_mut("updater").unwrap();
    updater["pubkey"] = json!(pubkey.unwrap_or_default());
    let app = tauri::test::mock_builder().plugin(tauri_plugin_updater::Builder::new().build()).build(context).unwrap();
    let program = dir.path().join("kaigo-onboard");
    std::fs::write(&program, self::program(RUNNING)).unwrap();
    let updates = Arc::new(PluginUpdates::new(app.handle().clone()).for_program(program.clone()));
    let paths = AppPaths::new(dir.path().join("data")).unwrap();
    let core = AppCore::new(paths, Arc::new(MemorySecrets::default())).with_updates(updates);
    let settings = Settings { update_endpoint: Some(format!("{endpoint}/latest.json")), proxy, ..Settings::default() };
    tauri::async_runtime::block_on(core.save_settings(settings)).unwrap();
    App { core, program, _app: app, _dir: dir }
}

fn installed(app: &App) -> Vec<u8> {
    std::fs::read(&app.program).unwrap()
}

/// Version 0.2.0 of the program, as its release file.
fn v2_file() -> Vec<u8> {
    program("0.2.0")
}

/// A release signed by `publisher` for `signed_version`, offered as `offered`.
fn release(publisher: &Publisher, file: Vec<u8>, offered: &str, signed_version: Option<&str>) -> impl FnOnce(&str) -> Release {
    let signature = publisher.sign(&file, signed_version);
    let offered = offered.to_owned();
    move |base| Release { manifest: Some(manifest(base, &offered, &signature)), file }
}

fn refused(app: &App, version: &str) -> ErrorCode {
    tauri::async_runtime::block_on(app.core.install_update(version)).unwrap_err().code()
}

#[test]
fn v1_finds_v2_tells_what_is_new_and_installs_it() {
    let publisher = Publisher::new();
    let base = serve(release(&publisher, v2_file(), "0.2.0", Some("0.2.0")));
    let app = app(Some(&publisher.pubkey()), &base, ProxyChoice::System);

    let offer = tauri::async_runtime::block_on(app.core.check_update()).unwrap().expect("0.2.0 is offered");
    assert_eq!((offer.version.as_str(), offer.current_version.as_str()), ("0.2.0", RUNNING));
    assert_eq!(offer.notes.as_deref(), Some("受付時間の案内を新しくしました。"));
    assert_eq!(offer.date.as_deref(), Some("2026-12-06T00:00:00Z"));
    let line = update_check(&Ok(Some(offer))).unwrap();
    assert_eq!(line.status, CheckStatus::Warning, "an offer never stops the procedure");
    assert!(line.message().contains("0.2.0"), "{}", line.message());

    installs_v2(&app, &base);
}

/// Linux: the core installs it, the program file replaced by the verified
/// download (the AppImage way: this test program is no .deb's, and what a
/// .deb's program does, `pkexec dpkg -i`, cannot run here; the package
/// tests check the .deb's program is marked so that it asks for the
/// manifest's `linux-x86_64-deb`).
#[cfg(not(windows))]
fn installs_v2(app: &App, _base: &str) {
    tauri::async_runtime::block_on(app.core.install_update("0.2.0")).unwrap();
    assert_eq!(installed(app), v2_file(), "the verified download replaced the program");
}

/// Windows: installing starts the installer and ends this process, so the
/// test stops at the verified download; the installer's update path
/// (`/P /UPDATE /R /ARGS`) is the package tests' (under Wine).
#[cfg(windows)]
fn installs_v2(app: &App, base: &str) {
    let updates = PluginUpdates::new(app._app.handle().clone());
    let source = kaigo_app_core::updates::UpdateSource { endpoint: format!("{base}/latest.json"), network: kaigo_client::Network::Direct };
    let (update, bytes) = tauri::async_runtime::block_on(updates.fetch(&source, "0.2.0")).unwrap();
    assert_eq!((update.version.as_str(), bytes), ("0.2.0", v2_file()));
}

#[test]
fn a_tampered_file_is_refused_and_nothing_changes() {
    let publisher = Publisher::new();
    let signature = publisher.sign(&v2_file(), Some("0.2.0"));
    let mut tampered = v2_file();
    let last = tampered.len() - 1;
    tampered[last] ^= 1;
    let base = serve(move |base| Release { manifest: Some(manifest(base, "0.2.0", &signature)), file: tampered });
    let app = app(Some(&publisher.pubkey()), &base, ProxyChoice::System);
    assert_eq!(refused(&app, "0.2.0"), ErrorCode::UpdateSignatureInvalid);
    assert_eq!(installed(&app), program(RUNNING));
}

#[test]
fn a_signature_by_another_key_is_refused() {
    let publisher = Publisher::new();
    let impostor = Publisher::new();
    let base = serve(release(&impostor, v2_file(), "0.2.0", Some("0.2.0")));
    let app = app(Some(&publisher.pubkey()), &base, ProxyChoice::System);
    assert_eq!(refused(&app, "0.2.0"), ErrorCode::UpdateSignatureInvalid);
    assert_eq!(installed(&app), program(RUNNING));
}

#[test]
fn an_older_or_the_same_version_is_not_an_update() {
    let publisher = Publisher::new();
    for version in ["0.0.9", RUNNING] {
        let base = serve(release(&publisher, v2_file(), version, Some(version)));
        let app = app(Some(&publisher.pubkey()), &base, ProxyChoice::System);
        assert_eq!(tauri::async_runtime::block_on(app.core.check_update()).unwrap(), None, "{version} offered");
        assert_eq!(refused(&app, version), ErrorCode::UpdateOfferChanged, "{version} installed on request");
        assert_eq!(installed(&app), program(RUNNING));
    }
}

/// A forged manifest pairing a higher version with an older signed file
/// (a downgrade in disguise), and a file signed without its version.
#[test]
fn a_file_signed_for_another_version_or_none_is_refused() {
    let publisher = Publisher::new();
    for signed in [Some("0.0.9"), Some("0.2.1"), None] {
        let base = serve(release(&publisher, v2_file(), "0.2.0", signed));
        let app = app(Some(&publisher.pubkey()), &base, ProxyChoice::System);
        assert!(tauri::async_runtime::block_on(app.core.check_update()).unwrap().is_some(), "offered as 0.2.0");
        assert_eq!(refused(&app, "0.2.0"), ErrorCode::UpdateVersionMismatch, "signed {signed:?}");
        assert_eq!(installed(&app), program(RUNNING));
    }
}

#[test]
fn no_content_means_up_to_date() {
    let publisher = Publisher::new();
    let base = serve(|_| Release { manifest: None, file: Vec::new() });
    let app = app(Some(&publisher.pubkey()), &base, ProxyChoice::System);
    assert_eq!(tauri::async_runtime::block_on(app.core.check_update()).unwrap(), None);
}

/// Nothing listens: an answer at once, no install, nothing in the
/// pre-flight check.
#[test]
fn an_unreachable_server_is_a_quiet_no_op() {
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let publisher = Publisher::new();
    let app = app(Some(&publisher.pubkey()), &format!("http://127.0.0.1:{port}"), ProxyChoice::System);
    let started = std::time::Instant::now();
    let found = tauri::async_runtime::block_on(app.core.check_update());
    assert_eq!(found.as_ref().unwrap_err().code(), ErrorCode::UpdateUnreachable);
    assert!(started.elapsed() < std::time::Duration::from_secs(15), "answered within the check's timeout");
    assert!(update_check(&found).is_none(), "no line in the pre-flight check when offline");
    assert_eq!(refused(&app, "0.2.0"), ErrorCode::UpdateUnreachable);
    assert_eq!(installed(&app), program(RUNNING));
}

/// Updates leave the PC the way staff chose: through a proxy entered in
/// 設定 that is not there, a reachable server is not reached.
#[test]
fn updates_go_through_the_proxy_chosen() {
    let publisher = Publisher::new();
    let base = serve(release(&publisher, v2_file(), "0.2.0", Some("0.2.0")));
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let proxy = ProxyChoice::Manual { address: ProxyAddress::parse(&format!("127.0.0.1:{port}")).unwrap(), user: None };
    let app = app(Some(&publisher.pubkey()), &base, proxy);
    assert_eq!(tauri::async_runtime::block_on(app.core.check_update()).unwrap_err().code(), ErrorCode::UpdateUnreachable);
}

/// A build without the publisher's key looks for nothing: nothing it
/// found could be verified.
#[test]
fn a_build_without_a_key_does_not_look() {
    let publisher = Publisher::new();
    let base = serve(release(&publisher, v2_file(), "0.2.0", Some("0.2.0")));
    let app = app(None, &base, ProxyChoice::System);
    let found = tauri::async_runtime::block_on(app.core.check_update());
    assert_eq!(found.as_ref().unwrap_err().code(), ErrorCode::UpdateNotConfigured);
    assert!(update_check(&found).is_none(), "nothing said in the pre-flight");
}

/// The version 設定 shows (the core's) is the one the updater compares
/// (`tauri.conf.json`'s).
#[test]
fn the_version_shown_is_the_version_compared() {
    let context: tauri::Context<tauri::test::MockRuntime> = tauri::generate_context!("../tauri.conf.json");
    assert_eq!(context.package_info().version.to_string(), kaigo_app_core::VERSION);
}
