//! The Debian package built by Tauri's bundler, installed with dpkg: the
//! program where the desktop entry says, the entry valid and named as staff
//! look for it, and a removal that takes both away.

use kaigo_packaging::{app_config, built_package, product_name};
use std::path::{Path, PathBuf};
use std::process::Command;

fn dpkg_deb(args: &[&str], deb: &Path) -> String {
    let out = Command::new("dpkg-deb").args(args).arg(deb).output().expect("dpkg-deb");
    assert!(out.status.success(), "dpkg-deb {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

fn is_root() -> bool {
    Command::new("id").arg("-u").output().is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

fn installed(package: &str) -> bool {
    Command::new("dpkg-query")
        .args(["-W", "-f=${Status}", package])
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).contains("install ok installed"))
}

/// `key=value` lines of a desktop entry's main group.
fn desktop_value(entry: &str, key: &str) -> Option<String> {
    entry.lines().find_map(|l| l.strip_prefix(&format!("{key}="))).map(str::to_owned)
}

/// Checks what the package put under `root` ("/" when installed for real):
/// `program` (absolute) and the desktop entry `entry_path` (as the package
/// holds it, relative).
fn check_files(root: &Path, program: &str, entry_path: &str) -> PathBuf {
    let program_path = root.join(program.trim_start_matches('/'));
    let meta = std::fs::metadata(&program_path).unwrap_or_else(|e| panic!("{}: {e}", program_path.display()));
    assert!(std::os::unix::fs::PermissionsExt::mode(&meta.permissions()) & 0o111 != 0, "the program is executable");

    let desktop = root.join(entry_path);
    let validated = Command::new("desktop-file-validate").arg(&desktop).output().expect("desktop-file-validate (desktop-file-utils)");
    let complaints = String::from_utf8_lossy(&validated.stdout).into_owned() + &String::from_utf8_lossy(&validated.stderr);
    assert!(validated.status.success() && !complaints.contains("error"), "{complaints}");

    let entry = std::fs::read_to_string(&desktop).unwrap();
    assert_eq!(desktop_value(&entry, "Name").as_deref(), Some(product_name().as_str()));
    assert_eq!(desktop_value(&entry, "Name[ja]").as_deref(), Some("介護WEBサービス 初期設定"));
    let exec = desktop_value(&entry, "Exec").expect("Exec=");
    let command = exec.split_whitespace().next().unwrap();
    let resolved = if command.starts_with('/') { PathBuf::from(command) } else { Path::new("/usr/bin").join(command) };
    assert_eq!(resolved, Path::new(program), "the menu starts the installed program");
    // Join links of a class (研修) open the app, the link as its argument.
    let scheme = include_str!("../../../../crates/api/data/join-link-scheme").trim();
    let mime = desktop_value(&entry, "MimeType").unwrap_or_default();
    assert!(mime.split(';').any(|m| m == format!("x-scheme-handler/{scheme}")), "MimeType={mime}");
    assert!(exec.ends_with(" %u"), "the link is passed on: Exec={exec}");
    let icon = desktop_value(&entry, "Icon").expect("Icon=");
    let icons = root.join("usr/share/icons/hicolor");
    let found = std::fs::read_dir(&icons).unwrap().any(|size| size.unwrap().path().join("apps").join(format!("{icon}.png")).is_file());
    assert!(found, "icon {icon} not under {}", icons.display());
    desktop
}

#[test]
fn the_deb_installs_with_dpkg_with_a_valid_desktop_entry_that_starts_the_installed_program() {
    let Some(deb) = built_package("KAIGO_DEB") else { return };
    let fields = dpkg_deb(&["-f"], &deb);
    let field = |name: &str| fields.lines().find_map(|l| l.strip_prefix(&format!("{name}: ")).map(str::to_owned)).unwrap_or_default();
    let package = field("Package");
    assert_eq!(package, "kaigo-onboard", "a valid Debian package name (the product name is Japanese)");
    assert_eq!(field("Version"), app_config()["version"].as_str().unwrap());
    assert!(field("Depends").contains("libwebkit2gtk-4.1-0"), "depends on the WebView: {fields}");
    let program = format!("/usr/bin/{}", app_config()["mainBinaryName"].as_str().unwrap());
    let contents = dpkg_deb(&["-c"], &deb);
    // File paths as the package holds them, without tar's leading "./".
    let files: Vec<&str> = contents
        .lines()
        .filter_map(|l| l.split_whitespace().last())
        .map(|p| p.trim_start_matches("./"))
        .filter(|p| !p.ends_with('/'))
        .collect();
    let entries: Vec<&str> =
        files.iter().copied().filter(|p| p.starts_with("usr/share/applications/") && p.ends_with(".desktop")).collect();
    assert_eq!(entries.len(), 1, "one desktop entry: {entries:?}");
    let programs: Vec<&str> = files.iter().copied().filter(|p| p.starts_with("usr/bin/")).collect();
    assert_eq!(programs.len(), 1, "only the app's program, no benchmark baseline: {programs:?}");
    assert_eq!(programs[0], program.trim_start_matches('/'));

    if !is_root() || installed(&package) {
        // The full suite installs for real: an unpack check there would
        // pass without the package ever being installed.
        assert!(
            std::env::var_os("KAIGO_FULL_SUITE").is_none(),
            "the full suite installs the .deb for real: run it as root, with no kaigo-onboard installed (root: {}, installed: {})",
            is_root(),
            installed(&package)
        );
        // Unpacked instead: installing needs root, and a copy already
        // installed on this machine is not ours to remove.
        eprintln!("not installing {package} for real (needs root and no earlier install); checking it unpacked");
        let root = std::env::temp_dir().join(format!("kaigo-deb-{}", std::process::id()));
        let out = Command::new("dpkg-deb").arg("-x").arg(&deb).arg(&root).status().unwrap();
        assert!(out.success());
        check_files(&root, &program, entries[0]);
        std::fs::remove_dir_all(&root).unwrap();
        return;
    }

    let out = Command::new("dpkg").arg("-i").arg(&deb).output().unwrap();
    assert!(out.status.success(), "dpkg -i: {}", String::from_utf8_lossy(&out.stderr));
    let result = std::panic::catch_unwind(|| {
        assert!(installed(&package));
        check_files(Path::new("/"), &program, entries[0])
    });
    let removed = Command::new("dpkg").args(["--purge", &package]).output().unwrap();
    let desktop = result.unwrap_or_else(|e| std::panic::resume_unwind(e));
    assert!(removed.status.success(), "dpkg --purge: {}", String::from_utf8_lossy(&removed.stderr));
    assert!(!installed(&package) && !Path::new(&program).exists() && !desktop.exists(), "removal left files");
}

/// Debian's own checker: no error and no warning, on the release package
/// (scripts/test.sh). A dev package's program keeps its debug symbols, so
/// that one tag is allowed for a package built with KAIGO_DEB_PROFILE=debug
/// only.
#[test]
fn lintian_finds_no_error_or_warning() {
    let Some(deb) = built_package("KAIGO_DEB") else { return };
    let mut lintian = Command::new("lintian");
    lintian.args(["--fail-on", "error,warning", "--display-level", ">=warning"]);
    if deb.to_string_lossy().contains("/debug/") {
        lintian.args(["--suppress-tags", "unstripped-binary-or-object"]);
    }
    let out = lintian.arg(&deb).output().expect("lintian (scripts/setup-tests.sh installs it)");
    let said = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "lintian: {said}");
    // What lintian asked for is there.
    let control = dpkg_deb(&["-f"], &deb);
    assert!(control.contains("Maintainer: Kaigo Onboard <") && control.contains("libc6 (>="), "{control}");
    let contents = dpkg_deb(&["-c"], &deb);
    for file in
        ["usr/share/doc/kaigo-onboard/copyright", "usr/share/doc/kaigo-onboard/changelog.gz", "usr/share/man/man1/kaigo-onboard.1.gz"]
    {
        assert!(contents.contains(file), "{file} missing:\n{contents}");
    }
}
