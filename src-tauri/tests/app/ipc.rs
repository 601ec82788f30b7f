//! IPC contract: the names the UI uses for commands and arguments, and the
//! API's error body (`{code, message, message_en, field, retry_after_seconds,
//! tries_left}`) as the shape of every error, checked through Tauri's mock
//! runtime.

use kaigo_app_core::keychain::MemorySecrets;
use kaigo_app_core::paths::AppPaths;
use serde_json::{json, Value};
use std::sync::Arc;
use tauri::ipc::{CallbackFn, InvokeBody};
use tauri::test::{get_ipc_response, mock_builder, MockRuntime, INVOKE_KEY};
use tauri::webview::InvokeRequest;
use tauri::Manager as _;
use tauri::WebviewWindow;

fn window() -> (tauri::App<MockRuntime>, WebviewWindow<MockRuntime>, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    // The mock runtime does not run `setup`: the core is managed here, as setup does.
    let paths = AppPaths::new(dir.path()).unwrap();
    let secrets = Arc::new(MemorySecrets::default());
    let hosting = kaigo_onboard_app::class_hosting(&paths, secrets.clone());
    let core = kaigo_onboard_app::compose(paths, secrets);
    // The real context: the app's capability file decides what may be called.
    let builder = mock_builder().manage(core).manage(hosting);
    let app = kaigo_onboard_app::app_builder(builder).build(tauri::generate_context!("../tauri.conf.json")).unwrap();
    let window = match app.get_webview_window("main") {
        Some(w) => w,
        None => tauri::WebviewWindowBuilder::new(&app, "main", Default::default()).build().unwrap(),
    };
    (app, window, dir)
}

/// Where the app's own pages come from: WebView2 serves custom protocols
/// over http on Windows, WebKit uses the scheme itself elsewhere.
const APP_ORIGIN: &str = if cfg!(windows) { "http://tauri.localhost" } else { "tauri://localhost" };

fn invoke(window: &WebviewWindow<MockRuntime>, cmd: &str, args: Value) -> Result<Value, Value> {
    let request = InvokeRequest {
        cmd: cmd.into(),
        callback: CallbackFn(0),
        error: CallbackFn(1),
        url: APP_ORIGIN.parse().unwrap(),
        body: InvokeBody::Json(args),
        headers: Default::default(),
        invoke_key: INVOKE_KEY.to_string(),
    };
    get_ipc_response(window, request).map(|b| b.deserialize::<Value>().unwrap())
}

#[test]
fn commands_take_camel_case_arguments_and_fail_with_code_and_message() {
    let (_app, w, _dir) = window();

    // A field check: ok, then a refusal with the code, the Japanese message and the field.
    assert_eq!(invoke(&w, "check_field", json!({"kind": "user_id", "value": "kaigo01"})).unwrap(), Value::Null);
    let err = invoke(&w, "check_field", json!({"kind": "user_id", "value": "ab"})).unwrap_err();
    assert_eq!(err["code"], "user_id_invalid");
    assert_eq!(err["field"], "user_id");
    assert!(err["message"].as_str().unwrap().contains("6文字以上"));

    // Arguments are camelCase on the JS side.
    let err = invoke(&w, "office_login", json!({"electronicBillingId": "KJ12", "password": "x", "remember": false})).unwrap_err();
    assert_eq!(err["code"], "electronic_billing_id_invalid");
    let err = invoke(&w, "office_verify", json!({"code": "123456", "securityCode": null})).unwrap_err();
    assert_eq!(err["code"], "step_out_of_order");
    let err = invoke(&w, "user_verify", json!({"code": "12", "rememberDevice": true})).unwrap_err();
    assert_eq!(err["code"], "one_time_code_format");
    // A certificate file arrives as its bytes (the page cannot see paths).
    let err = invoke(&w, "import_certificate", json!({"contents": [48, 130, 1], "password": "x"})).unwrap_err();
    assert_eq!((err["code"].as_str(), err["field"].as_str()), (Some("certificate_file_invalid"), Some("file")));

    // The live checklist of the password policy.
    let report = invoke(&w, "password_report", json!({"candidate": "Hana-2026x", "userId": "kaigo01"})).unwrap();
    assert_eq!(report["enough_kinds"], true);
    assert_eq!(report["long_enough"], true);
    assert_eq!(report["same"], false, "no confirmation typed");
    let report = invoke(&w, "password_report", json!({"candidate": "Hana-2026x", "again": "Hana-2026x", "userId": "kaigo01"})).unwrap();
    assert_eq!(report["same"], true);

    // Status before anything started: practice mode, at the pre-flight.
    let status = invoke(&w, "status", json!({})).unwrap();
    assert_eq!(status["step"], "preflight");
    assert_eq!(status["settings"]["service"]["mode"], "practice");
    assert_eq!(status["practice"]["electronic_billing_id"], "KJ0000000001");
    // The status says which screen to draw, the progress bar's step, and every word of the page.
    assert_eq!(status["screen"], "preflight");
    assert_eq!(status["progress_bar"], "preflight");
    assert!(status["texts"]["remember_device"].as_str().unwrap().contains("24時間"));
    assert_eq!(status["texts"]["step_office_login"], "3-1 事業所ユーザの認証");

    // What the page used to check itself is checked here, with a code.
    let err = invoke(&w, "change_password", json!({"newPassword": "Hana-2026x", "newPasswordAgain": "Hana-2026y"})).unwrap_err();
    assert_eq!((err["code"].as_str(), err["field"].as_str()), (Some("password_confirmation_mismatch"), Some("new_password")));
    let err = invoke(&w, "import_certificate", json!({"contents": [], "password": ""})).unwrap_err();
    assert_eq!((err["code"].as_str(), err["field"].as_str()), (Some("certificate_file_missing"), Some("file")));

    // Settings are checked before they are kept.
    let err = invoke(&w, "save_settings", json!({"settings": {"service": {"mode": "remote", "url": "http://x"}}})).unwrap_err();
    assert_eq!(err["code"], "service_url_invalid");
    let err = invoke(&w, "save_proxy", json!({"form": {"mode": "manual", "address": "proxy", "user": ""}})).unwrap_err();
    assert_eq!((err["code"].as_str(), err["field"].as_str()), (Some("proxy_address_invalid"), Some("proxy_address")));

    // A wrongly named argument is refused by the IPC layer, not silently ignored.
    assert!(invoke(&w, "office_login", json!({"electronic_billing_id": "KJ0000000001", "password": "x"})).is_err());
}

/// One call of every command, with the arguments the UI sends.
fn contract() -> Vec<(&'static str, Value)> {
    let request = json!({"name": "介護 花子", "email": "hanako@example.jp", "phone": null, "service_types": ["11"], "job_category": "01", "user_id": "kaigo01"});
    vec![
        ("status", json!({})),
        ("start", json!({})),
        ("list_certificates", json!({})),
        ("import_certificate", json!({"contents": [], "password": ""})),
        ("choose_certificate", json!({"id": "no-such-certificate"})),
        ("preflight", json!({})),
        ("readiness_checklist", json!({})),
        ("office_login", json!({"electronicBillingId": "KJ12", "password": "", "remember": false})),
        ("saved_office_login", json!({})),
        ("office_resend_code", json!({})),
        ("office_verify", json!({"code": "123456", "securityCode": null})),
        ("reference_lists", json!({})),
        ("review_registration", json!({"request": request})),
        ("edit_registration", json!({})),
        ("register_admin", json!({})),
        ("acknowledge_registration", json!({})),
        ("user_login", json!({"userId": "ab", "password": "x"})),
        ("send_user_code", json!({"channel": "email"})),
        ("user_verify", json!({"code": "12", "rememberDevice": false})),
        ("password_report", json!({"candidate": "x", "again": "x", "userId": null})),
        ("change_password", json!({"newPassword": "a", "newPasswordAgain": "b"})),
        ("setup_terminal", json!({"name": ""})),
        ("issue_device_terminal", json!({"name": ""})),
        ("reissue_device_activation", json!({"terminalId": "no-such-terminal"})),
        ("list_terminals", json!({})),
        ("unlink_terminal", json!({"terminalId": "no-such-terminal"})),
        ("finish_terminals", json!({})),
        ("practice_device_scan", json!({"link": "not-a-link"})),
        ("card_check", json!({})),
        ("completion_report", json!({})),
        ("save_completion_report", json!({})),
        ("mailbox", json!({})),
        ("save_settings", json!({"settings": {"service": {"mode": "practice"}}})),
        ("save_proxy", json!({"form": {"mode": "manual", "address": "proxy.example.jp:8080", "user": "", "password": null}})),
        ("connection_test", json!({})),
        ("check_update", json!({})),
        ("install_update", json!({"version": "9.9.9"})),
        ("join_class", json!({"form": null, "link": "not-a-link"})),
        ("leave_class", json!({})),
        ("restart", json!({})),
        ("support_bundle", json!({})),
        ("check_field", json!({"kind": "user_id", "value": "kaigo01"})),
        ("ui_ready", json!({})),
        ("class_networks", json!({})),
        ("find_classes", json!({})),
        ("open_class", json!({"opening": {"name": "", "seats": 3, "hours": 1, "address": "127.0.0.1"}})),
        ("hosted_class", json!({})),
        ("show_trainer_window", json!({"page": "grid"})),
        ("real_day", json!({})),
        ("save_real_day_values", json!({"values": {"office_number": "12"}})),
        ("tick_real_day_step", json!({"step": "3-1", "done": true})),
        ("start_day_clock", json!({"clock": "code"})),
        ("copy_real_day_value", json!({"field": "password"})),
        ("keep_real_day_on_top", json!({"onTop": false})),
        ("open_real_day_window", json!({})),
        ("check_pc_certificates", json!({})),
        ("save_real_day_results", json!({"results": {"admin_user_id": "hanako01", "terminal_id": "端末"}})),
        ("real_day_record", json!({})),
        // Last: it closes the window.
        ("close_app", json!({})),
    ]
}

#[test]
fn every_command_is_registered_allowed_and_called_in_the_contract() {
    use std::collections::BTreeSet;
    let registered: BTreeSet<&str> = kaigo_onboard_app::COMMANDS.iter().copied().collect();
    assert_eq!(registered.len(), kaigo_onboard_app::COMMANDS.len(), "a command is listed twice");

    let capability: Value = serde_json::from_str(include_str!("../../capabilities/main.json")).unwrap();
    let allowed: BTreeSet<String> = capability["permissions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p.as_str().unwrap().strip_prefix("allow-").unwrap().replace('-', "_"))
        .collect();
    assert_eq!(
        allowed.iter().map(String::as_str).collect::<BTreeSet<_>>(),
        registered,
        "capabilities/main.json and the command list differ"
    );

    let calls = contract();
    assert_eq!(calls.iter().map(|(c, _)| *c).collect::<BTreeSet<_>>(), registered, "the contract below and the command list differ");

    // Each call reaches its command: it answers, or refuses with a code and
    // a message. An argument named wrongly would fail before, as plain text.
    let (_app, w, _dir) = window();
    for (cmd, args) in calls {
        if let Err(err) = invoke(&w, cmd, args) {
            assert!(err["code"].is_string() && err["message"].is_string(), "{cmd}: {err}");
        }
    }
}

/// A plain (not `async`) command runs on the window's own thread, which
/// draws and answers nothing until it returns: only pure rules may be one.
/// A command reading the keychain or the disk there froze the window
/// whenever the keychain was slow to answer.
#[test]
fn only_pure_rules_run_on_the_windows_thread() {
    // ui_ready only notes that the first screen is drawn (the start-up benchmark).
    const PURE: [&str; 4] = ["readiness_checklist", "password_report", "check_field", "ui_ready"];
    let source = include_str!("../../src/commands.rs");
    let mut plain = Vec::new();
    let mut lines = source.lines().peekable();
    while let Some(line) = lines.next() {
        if line.trim() != "#[tauri::command]" {
            continue;
        }
        let signature = lines.find(|l| !l.trim_start().starts_with("#[") && !l.trim_start().starts_with("///")).unwrap_or_default();
        if let Some(rest) = signature.trim_start().strip_prefix("pub fn ") {
            plain.push(rest.split(['(', '<']).next().unwrap_or_default().to_owned());
        }
    }
    assert!(plain.contains(&"check_field".to_owned()), "the scan finds plain commands: {plain:?}");
    let unexpected: Vec<_> = plain.iter().filter(|name| !PURE.contains(&name.as_str())).collect();
    assert!(unexpected.is_empty(), "plain commands that are not pure rules (make them async): {unexpected:?}");
}

/// The status the main window is given before its page (so the first screen
/// needs no round trip) is the status the `status` command answers, set
/// once: the guard keeps a reload from drawing it again.
#[test]
fn the_first_status_given_to_the_window_is_the_status_command_s_answer() {
    let (app, w, _dir) = window();
    let link = kaigo_api::class::join_link("https://192.168.1.10:8443", "ABCD-EFGH", "1234");
    app.state::<kaigo_app_core::AppCore>().offer_join_link(link.clone());
    let status = tauri::async_runtime::block_on(app.state::<kaigo_app_core::AppCore>().status());
    let script = kaigo_onboard_app::first_status_script(&status);
    let global = kaigo_onboard_app::FIRST_STATUS_GLOBAL;
    let (guard, rest) = script.split_once(&format!(" window.{global} = ")).unwrap();
    assert_eq!(guard, format!("try {{ if (!sessionStorage.getItem(\"{global}\"))"));
    let given: Value = serde_json::from_str(rest.strip_suffix("; } catch (_) {}").unwrap()).unwrap();
    assert_eq!(given, invoke(&w, "status", json!({})).unwrap());
    assert_eq!(given["join_link"], json!(link), "a join link offered before the window is in its first status");
}
