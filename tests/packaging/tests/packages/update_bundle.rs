//! The update bundle of the run's packages (scripts/publish-update.sh):
//! the manifest tauri-plugin-updater reads, each file's minisign signature
//! checked with Debian's `minisign` against the key the programs carry,
//! the signed version and file name in the trusted comment, and the
//! installer in it still Authenticode-signed (the update signature is made
//! over the final signed installer).

use kaigo_packaging::{app_config, built_package, signing_root, verify_authenticode};
use std::path::{Path, PathBuf};
use std::process::Command;

/// The public key the run's programs were built with.
fn public_key() -> PathBuf {
    if let Some(file) = std::env::var_os("KAIGO_UPDATE_PUBKEY").filter(|f| !f.is_empty()) {
        return PathBuf::from(file);
    }
    let dir =
        std::env::var_os("KAIGO_UPDATE_TEST_KEY_DIR").expect("KAIGO_UPDATE_TEST_KEY_DIR names the run's update key (scripts/test.sh)");
    PathBuf::from(dir).join("update.pub")
}

fn minisign_verifies(file: &Path, signature: &Path) -> bool {
    Command::new("minisign")
        .arg("-V")
        .arg("-q")
        .arg("-p")
        .arg(public_key())
        .arg("-m")
        .arg(file)
        .arg("-x")
        .arg(signature)
        .status()
        .expect("minisign runs")
        .success()
}

fn base64_decode(text: &str) -> Vec<u8> {
    let out = Command::new("base64")
        .arg("-d")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .and_then(|mut child| {
            use std::io::Write as _;
            child.stdin.take().unwrap().write_all(text.as_bytes())?;
            child.wait_with_output()
        })
        .expect("base64 runs");
    assert!(out.status.success(), "the manifest's signature is base64");
    out.stdout
}

#[test]
fn the_update_bundle_is_signed_for_its_version_with_the_key_the_programs_carry() {
    let Some(bundle) = built_package("KAIGO_UPDATE_BUNDLE") else { return };
    let version = app_config()["version"].as_str().unwrap().to_owned();
    let manifest: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(bundle.join("latest.json")).unwrap()).unwrap();
    assert_eq!(manifest["version"], version.as_str());
    let notes = manifest["notes"].as_str().unwrap();
    assert!(notes.chars().any(|c| ('\u{3040}'..='\u{30ff}').contains(&c)), "what is new, in Japanese: {notes}");
    assert!(manifest["pub_date"].as_str().is_some_and(|d| d.ends_with('Z')));

    let platforms = manifest["platforms"].as_object().unwrap();
    let keys: Vec<&str> = platforms.keys().map(String::as_str).collect();
    // Our NSIS program is not marked by Tauri's bundler (it asks for
    // `windows-x86_64`); the .deb's is (it asks for `linux-x86_64-deb`).
    assert_eq!(keys, ["linux-x86_64-deb", "windows-x86_64"]);
    for (key, entry) in platforms {
        let url = entry["url"].as_str().unwrap();
        let name = url.rsplit('/').next().unwrap();
        assert!(url.starts_with("https://"), "{key}: {url}");
        assert!(url.ends_with(&format!("/{version}/{name}")), "{key}: {url}");
        let file = bundle.join(name);
        let signature_text = String::from_utf8(base64_decode(entry["signature"].as_str().unwrap())).unwrap();
        assert_eq!(
            signature_text,
            std::fs::read_to_string(bundle.join(format!("{name}.sig"))).unwrap(),
            "{key}: the manifest carries the .sig"
        );
        let trusted = signature_text.lines().find_map(|l| l.strip_prefix("trusted comment: ")).unwrap();
        assert!(trusted.split('\t').any(|f| f == format!("version:{version}")), "{key}: {trusted}");
        assert!(trusted.split('\t').any(|f| f == format!("file:{name}")), "{key}: {trusted}");
        assert!(minisign_verifies(&file, &bundle.join(format!("{name}.sig"))), "{key}: {name} verifies");

        // One changed byte, and the signature no longer holds.
        let dir = tempfile_dir();
        let altered = dir.join(name);
        let mut bytes = std::fs::read(&file).unwrap();
        let middle = bytes.len() / 2;
        bytes[middle] ^= 1;
        std::fs::write(&altered, bytes).unwrap();
        assert!(!minisign_verifies(&altered, &bundle.join(format!("{name}.sig"))), "{key}: an altered {name} is refused");
        std::fs::remove_dir_all(dir).unwrap();
    }

    let installer = platforms["windows-x86_64"]["url"].as_str().unwrap().rsplit('/').next().unwrap();
    verify_authenticode(&bundle.join(installer), &signing_root()).expect("the installer in the bundle is the signed one");
}

/// The programs of the run carry the public key the bundle verifies with
/// (`plugins.updater.pubkey`, built in through TAURI_CONFIG).
#[test]
fn the_packaged_program_carries_the_update_key() {
    let Some(deb) = built_package("KAIGO_DEB") else { return };
    let dir = tempfile_dir();
    let status = Command::new("dpkg-deb").arg("-x").arg(&deb).arg(&dir).status().expect("dpkg-deb");
    assert!(status.success());
    let program = std::fs::read(dir.join("usr/bin").join(app_config()["mainBinaryName"].as_str().unwrap())).unwrap();
    let encoded = Command::new("base64").arg("-w0").arg(public_key()).output().expect("base64").stdout;
    assert!(encoded.len() > 100, "a minisign public key file");
    assert!(contains(&program, &encoded), "the .deb's program carries the run's update key");
    // Marked by Tauri's bundler as a .deb's: the updater asks the manifest
    // for `linux-x86_64-deb` and installs with dpkg.
    assert!(contains(&program, b"__TAURI_BUNDLE_TYPE_VAR_DEB"), "the .deb's program is marked as a .deb's");
    std::fs::remove_dir_all(dir).unwrap();

    // Our NSIS installer's program is unmarked: the updater asks for
    // `windows-x86_64` and runs what it downloads as an NSIS installer.
    let Some(installer) = built_package("KAIGO_WINDOWS_INSTALLER") else { return };
    let windows_program =
        std::fs::read(installer.with_file_name(format!("{}.exe", app_config()["mainBinaryName"].as_str().unwrap()))).unwrap();
    assert!(contains(&windows_program, &encoded), "the Windows program carries the run's update key");
    assert!(contains(&windows_program, b"__TAURI_BUNDLE_TYPE_VAR_UNK"), "the Windows program is unmarked");
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

fn tempfile_dir() -> PathBuf {
    let out = Command::new("mktemp").arg("-d").output().expect("mktemp");
    PathBuf::from(String::from_utf8(out.stdout).unwrap().trim())
}
