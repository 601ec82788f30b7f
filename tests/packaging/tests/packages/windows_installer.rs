//! The Windows installer, run silently under Wine as an administrator's
//! deployment would: per-user install, the program and both shortcuts
//! pointing at it, the uninstall entry, the WebView2 check, and an
//! uninstall that leaves nothing of the program behind.

use kaigo_packaging::{built_package, identifier, product_name, signing_root, verify_authenticode, verify_vendor_signature};
use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

/// Wine in the prefix scripts/test.sh prepared (`WINEPREFIX`).
struct Wine;

const WEBVIEW2_CLIENT_KEY: &str = r"HKCU\Software\Microsoft\EdgeUpdate\Clients\{F3017226-FE2A-4295-8BDF-00C3A9A7E4C5}";
/// The address staff are sent to for the WebView2 runtime, as the app has it.
const WEBVIEW2_DOWNLOAD_URL: &str = include_str!("../../../../crates/app-core/data/webview2-download-url");
/// The scheme of a class's join links (研修), as the app reads them.
const LINK_SCHEME: &str = include_str!("../../../../crates/api/data/join-link-scheme");

impl Wine {
    fn new() -> Wine {
        assert!(std::env::var_os("WINEPREFIX").is_some(), "WINEPREFIX must name the test prefix (scripts/windows/env.sh)");
        Wine
    }

    fn command(&self, program: impl AsRef<OsStr>) -> Command {
        let mut c = Command::new("/usr/lib/wine/wine64");
        // No display: a message box would wait for a click that never comes.
        c.arg(program).env("WINEDEBUG", "-all").env_remove("DISPLAY").env_remove("WAYLAND_DISPLAY").stdin(Stdio::null());
        c
    }

    /// Runs a program to its end, and every process it left (an NSIS
    /// uninstaller re-starts itself from a temporary copy).
    fn run(&self, program: impl AsRef<OsStr>, args: &[&str]) -> Output {
        let out = self.command(program).args(args).output().expect("wine64 runs");
        let waited = Command::new("wineserver").arg("-w").status().expect("wineserver -w");
        assert!(waited.success());
        out
    }

    /// A Windows folder variable (LOCALAPPDATA…) as a Linux path.
    fn folder(&self, var: &str) -> PathBuf {
        let out = self.run("cmd", &["/c", &format!("echo %{var}%")]);
        let windows = String::from_utf8_lossy(&out.stdout).trim().to_owned();
        assert!(windows.contains(':'), "%{var}% is {windows:?}");
        let unix = Command::new("winepath").arg("-u").arg(&windows).env("WINEDEBUG", "-all").output().unwrap();
        PathBuf::from(String::from_utf8_lossy(&unix.stdout).trim())
    }

    /// A Linux path as Windows names it (C:\…).
    fn windows_path(&self, path: &Path) -> String {
        let out = Command::new("winepath").arg("-w").arg(path).env("WINEDEBUG", "-all").output().unwrap();
        String::from_utf8_lossy(&out.stdout).trim().to_owned()
    }

    fn registry_has(&self, key: &str, value: &str) -> Option<String> {
        let out = self.run("reg", &["query", key, "/v", value]);
        out.status.success().then(|| String::from_utf8_lossy(&out.stdout).into_owned())
    }

    /// A key's default value.
    fn registry_default(&self, key: &str) -> Option<String> {
        let out = self.run("reg", &["query", key, "/ve"]);
        out.status.success().then(|| String::from_utf8_lossy(&out.stdout).into_owned())
    }

    fn registry_set(&self, key: &str, value: &str, data: &str) {
        assert!(self.run("reg", &["add", key, "/v", value, "/t", "REG_SZ", "/d", data, "/f"]).status.success());
    }

    fn registry_delete(&self, key: &str) {
        assert!(self.run("reg", &["delete", key, "/f"]).status.success());
    }
}

/// Where a shortcut points, as Windows stored it.
fn shortcut_target(lnk: &Path) -> String {
    let link = lnk::ShellLink::open(lnk, lnk::encoding::WINDOWS_1252).unwrap_or_else(|e| panic!("{}: {e:?}", lnk.display()));
    let base = link.link_info().as_ref().and_then(|info| info.local_base_path().map(str::to_owned));
    base.or_else(|| link.string_data().relative_path().clone()).unwrap_or_else(|| panic!("{} names no target", lnk.display()))
}

fn install_log(dir: &Path) -> String {
    std::fs::read_to_string(dir.join("install.log")).expect("install.log")
}

/// The installer tests share one Wine prefix (one Windows user): one at a time.
static ONE_WINDOWS_USER: std::sync::Mutex<()> = std::sync::Mutex::new(());

#[test]
fn the_windows_installer_installs_for_the_user_with_both_shortcuts_and_uninstalls_without_a_trace() {
    let Some(setup) = built_package("KAIGO_WINDOWS_INSTALLER") else { return };
    let _user = ONE_WINDOWS_USER.lock().unwrap_or_else(|p| p.into_inner());
    let wine = Wine::new();
    let name = product_name();
    assert_eq!(name, "介護WEBサービス 初期設定", "the name staff look for");
    let local = wine.folder("LOCALAPPDATA");
    let install_dir = local.join("Programs").join("kaigo-onboard");
    let program = install_dir.join("kaigo-onboard.exe");
    let desktop_link = wine.folder("USERPROFILE").join("Desktop").join(format!("{name}.lnk"));
    let menu_link = wine.folder("APPDATA").join(r"Microsoft/Windows/Start Menu/Programs").join(format!("{name}.lnk"));
    let uninstall_key = format!(r"HKCU\Software\Microsoft\Windows\CurrentVersion\Uninstall\{}", identifier());
    let data = local.join(identifier());
    assert!(!install_dir.exists() && !desktop_link.exists(), "a fresh Windows profile");

    // Silent, per user: no administrator rights asked for.
    let out = wine.run(&setup, &["/S"]);
    assert!(out.status.success(), "installer: {out:?}");
    let exe = std::fs::read(&program).expect("the program is installed");
    assert!(exe.starts_with(b"MZ") && exe.len() > 1_000_000, "a Windows program");
    assert!(install_dir.join("WebView2Loader.dll").is_file(), "the WebView2 loader sits beside it");
    assert!(install_dir.join("uninstall.exe").is_file());

    // Everything that runs is signed: the installer, the program and the
    // uninstaller by us (SHA-256, timestamped), Microsoft's loader by Microsoft.
    let root = signing_root();
    for file in [setup.clone(), program.clone(), install_dir.join("uninstall.exe")] {
        if let Err(said) = verify_authenticode(&file, &root) {
            panic!("{} is not signed as it should be: {said}", file.display());
        }
    }
    verify_vendor_signature(
        &install_dir.join("WebView2Loader.dll"),
        "/C=US/ST=Washington/L=Redmond/O=Microsoft Corporation/CN=Microsoft Corporation",
    )
    .unwrap_or_else(|said| panic!("WebView2Loader.dll: {said}"));

    let program_windows = wine.windows_path(&program);
    for link in [&desktop_link, &menu_link] {
        assert!(link.is_file(), "{} is missing", link.display());
        assert!(shortcut_target(link).eq_ignore_ascii_case(&program_windows), "{} points at {}", link.display(), shortcut_target(link));
    }
    let uninstall = wine.registry_has(&uninstall_key, "UninstallString").expect("listed in Apps & features");
    assert!(uninstall.to_lowercase().contains(r"kaigo-onboard\uninstall.exe"), "{uninstall}");
    // Join links open the program, the link as its argument.
    let scheme_key = format!(r"HKCU\Software\Classes\{}", LINK_SCHEME.trim());
    assert!(wine.registry_has(&scheme_key, "URL Protocol").is_some(), "{scheme_key} is a URL protocol");
    let open = wine.registry_default(&format!(r"{scheme_key}\shell\open\command")).expect("join links open the app");
    assert!(open.to_lowercase().contains(&program_windows.to_lowercase()) && open.contains("\"%1\""), "{open}");

    // Wine has no WebView2 runtime: the installer noticed (and told staff,
    // silently here); the program says so and stops instead of crashing.
    assert!(install_log(&install_dir).contains("webview2_runtime=missing"), "{}", install_log(&install_dir));
    let started = Instant::now();
    let mut app = wine.command(&program).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
    let status = loop {
        if let Some(status) = app.try_wait().unwrap() {
            break status;
        }
        if started.elapsed() > Duration::from_secs(60) {
            let _ = app.kill();
            panic!("the program did not stop without WebView2");
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    let said = String::from_utf8_lossy(&app.wait_with_output().unwrap().stderr).into_owned();
    assert_eq!(status.code(), Some(2), "{said}");
    assert!(said.contains("WebView2") && said.contains(WEBVIEW2_DOWNLOAD_URL.trim_end()), "{said}");

    // With the runtime present (as Microsoft's updater records it), the
    // check finds it; installing again over the old one works.
    wine.registry_set(WEBVIEW2_CLIENT_KEY, "pv", "131.0.2903.86");
    assert!(wine.run(&setup, &["/S"]).status.success());
    assert!(install_log(&install_dir).contains("webview2_runtime=131.0.2903.86"), "{}", install_log(&install_dir));
    wine.registry_delete(WEBVIEW2_CLIENT_KEY);

    // The app has been used: progress saved in its data folder.
    std::fs::create_dir_all(&data).unwrap();
    std::fs::write(data.join("progress.json"), "{}").unwrap();

    let out = wine.run(install_dir.join("uninstall.exe"), &["/S"]);
    assert!(out.status.success(), "uninstaller: {out:?}");
    assert!(!install_dir.exists(), "program folder left: {:?}", std::fs::read_dir(&install_dir).map(|d| d.count()));
    assert!(!desktop_link.exists() && !menu_link.exists(), "a shortcut was left");
    assert_eq!(wine.registry_has(&uninstall_key, "UninstallString"), None, "still listed in Apps & features");
    assert_eq!(wine.registry_has(&scheme_key, "URL Protocol"), None, "join links still point at the removed program");
    assert!(data.join("progress.json").is_file(), "staff's progress is kept unless they ask");

    // An administrator removing everything says so.
    assert!(wine.run(&setup, &["/S"]).status.success());
    assert!(wine.run(install_dir.join("uninstall.exe"), &["/S", "/DELETEDATA"]).status.success());
    assert!(!install_dir.exists() && !data.exists(), "/DELETEDATA leaves nothing");
}

/// The signature check itself: one changed byte, or a signature removed,
/// and the file is refused.
#[test]
fn an_altered_or_unsigned_program_fails_the_signature_check() {
    let Some(setup) = built_package("KAIGO_WINDOWS_INSTALLER") else { return };
    let root = signing_root();
    verify_authenticode(&setup, &root).expect("the installer as built is signed");
    let dir = std::env::temp_dir().join(format!("kaigo-signature-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();

    let mut bytes = std::fs::read(&setup).unwrap();
    // A byte of the packed program, well inside the signed part.
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0x01;
    let altered = dir.join("altered-setup.exe");
    std::fs::write(&altered, &bytes).unwrap();
    assert!(verify_authenticode(&altered, &root).is_err(), "one changed byte must break the signature");

    let unsigned = dir.join("unsigned-setup.exe");
    let removed = Command::new("osslsigncode")
        .args(["remove-signature", "-in"])
        .arg(&setup)
        .arg("-out")
        .arg(&unsigned)
        .stdout(Stdio::null())
        .status()
        .unwrap();
    assert!(removed.success());
    assert!(verify_authenticode(&unsigned, &root).is_err(), "an unsigned file must be refused");

    // Signed, but by someone the run does not trust.
    let other_ca = dir.join("other-ca");
    let made = Command::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../../scripts/signing/test-ca.sh")).arg(&other_ca).status().unwrap();
    assert!(made.success());
    assert!(verify_authenticode(&setup, &other_ca.join("ca.pem")).is_err(), "a signature from an untrusted CA must be refused");
    std::fs::remove_dir_all(&dir).unwrap();
}

/// The app's updater runs the new installer as tauri-plugin-updater does,
/// quiet (`/S`), with `/UPDATE /R /ARGS …`: the copy in the folder an
/// administrator chose (`/D=`) is replaced there, staff's data stays, and
/// the app is started again with its arguments.
#[test]
fn an_update_keeps_the_folder_and_the_data_and_starts_the_app_again() {
    let Some(setup) = built_package("KAIGO_WINDOWS_INSTALLER") else { return };
    let _user = ONE_WINDOWS_USER.lock().unwrap_or_else(|p| p.into_inner());
    let wine = Wine::new();
    let local = wine.folder("LOCALAPPDATA");
    let data = local.join(identifier());
    let chosen = wine.folder("USERPROFILE").join("KaigoApps");
    let chosen_windows = wine.windows_path(&chosen);
    let default_dir = local.join("Programs").join("kaigo-onboard");

    // An administrator's silent deployment into a folder of their choice.
    assert!(wine.run(&setup, &["/S", &format!("/D={chosen_windows}")]).status.success());
    assert!(chosen.join("kaigo-onboard.exe").is_file() && !default_dir.exists(), "installed where /D= said");
    std::fs::create_dir_all(&data).unwrap();
    std::fs::write(data.join("progress.json"), r#"{"step":"admin_registration"}"#).unwrap();

    let out = wine.run(&setup, &["/S", "/UPDATE", "/R", "/ARGS", "--after-update"]);
    assert!(out.status.success(), "update: {out:?}");
    let log = install_log(&chosen);
    assert!(log.contains("update=1"), "the update ran in the same folder: {log}");
    assert!(log.contains("relaunched=--after-update"), "the app was started again with its arguments: {log}");
    assert!(!default_dir.exists(), "the update did not move the app");
    assert_eq!(std::fs::read_to_string(data.join("progress.json")).unwrap(), r#"{"step":"admin_registration"}"#, "progress kept");
    verify_authenticode(&chosen.join("kaigo-onboard.exe"), &signing_root()).expect("the updated program is signed");

    // Without /R nobody is started.
    assert!(wine.run(&setup, &["/S", "/UPDATE"]).status.success());
    assert!(!install_log(&chosen).contains("relaunched="), "{}", install_log(&chosen));

    assert!(wine.run(chosen.join("uninstall.exe"), &["/S", "/DELETEDATA"]).status.success());
    assert!(!chosen.join("kaigo-onboard.exe").exists() && !data.exists());
}
