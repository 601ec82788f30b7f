//! What the package tests share: where the built packages are and what the
//! app is called. The packages are built by scripts/test.sh
//! (scripts/build-windows-installer.sh, scripts/build-deb.sh), which names
//! them in `KAIGO_WINDOWS_INSTALLER` and `KAIGO_DEB`.

use std::path::{Path, PathBuf};
use std::process::Command;

/// The package named by `var`, or `None` outside the full suite (a plain
/// `cargo test`). Inside it (`KAIGO_FULL_SUITE`), a missing package fails.
pub fn built_package(var: &str) -> Option<PathBuf> {
    match std::env::var_os(var) {
        Some(path) if !path.is_empty() => Some(PathBuf::from(path)),
        _ if std::env::var_os("KAIGO_FULL_SUITE").is_some() => panic!("{var} must name the built package (scripts/test.sh builds it)"),
        _ => {
            eprintln!("{var} not set: package test skipped (scripts/test.sh runs it)");
            None
        }
    }
}

/// The product as tauri.conf.json names it: the shortcut and menu name.
pub fn app_config() -> serde_json::Value {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../tauri.conf.json")).expect("tauri.conf.json");
    serde_json::from_str(&text).expect("tauri.conf.json is JSON")
}

pub fn product_name() -> String {
    app_config()["productName"].as_str().expect("productName").to_owned()
}

pub fn identifier() -> String {
    app_config()["identifier"].as_str().expect("identifier").to_owned()
}

/// The root that signed the Windows build: the run's own test CA
/// (scripts/signing/test-ca.sh in `KAIGO_SIGN_TEST_CA_DIR`), or with a real
/// certificate its root, named in `KAIGO_SIGN_VERIFY_CAFILE`.
pub fn signing_root() -> PathBuf {
    if let Some(file) = std::env::var_os("KAIGO_SIGN_VERIFY_CAFILE").filter(|f| !f.is_empty()) {
        return PathBuf::from(file);
    }
    let dir = std::env::var_os("KAIGO_SIGN_TEST_CA_DIR").expect("KAIGO_SIGN_TEST_CA_DIR names the run's signing CA (scripts/test.sh)");
    PathBuf::from(dir).join("ca.pem")
}

/// `osslsigncode verify` of a Windows program against `root`: its
/// Authenticode signature and the timestamp's, both chaining to `root`.
/// `Err` carries what osslsigncode said.
pub fn verify_authenticode(file: &Path, root: &Path) -> Result<String, String> {
    let out = Command::new("osslsigncode")
        .arg("verify")
        .arg("-CAfile")
        .arg(root)
        .arg("-TSA-CAfile")
        .arg(root)
        .arg("-in")
        .arg(file)
        .output()
        .expect("osslsigncode runs");
    let said = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    if !out.status.success() {
        return Err(said);
    }
    if !said.contains("Timestamp Server Signature verification: ok") {
        return Err(format!("no verified RFC 3161 timestamp:\n{said}"));
    }
    if !said.contains("Message digest algorithm  : SHA256") {
        return Err(format!("not SHA-256:\n{said}"));
    }
    Ok(said)
}

/// A file signed by someone else (Microsoft's WebView2 loader): its
/// signature present and its digest that of the file as it is, the signer
/// `subject`. Microsoft's root is not in Debian's list, so the chain itself
/// is Windows' to check.
pub fn verify_vendor_signature(file: &Path, subject: &str) -> Result<(), String> {
    let out = Command::new("osslsigncode").arg("verify").arg("-in").arg(file).output().expect("osslsigncode runs");
    let said = String::from_utf8_lossy(&out.stdout).into_owned();
    let digest = |label: &str| {
        said.lines().find(|l| l.trim_start().starts_with(label)).and_then(|l| l.split(':').nth(1)).map(|d| d.trim().to_owned())
    };
    match (digest("Current message digest"), digest("Calculated message digest")) {
        (Some(a), Some(b)) if a == b && !a.is_empty() => {}
        _ => return Err(format!("the signature does not match the file:\n{said}")),
    }
    if !said.contains(&format!("Subject: {subject}")) {
        return Err(format!("not signed by {subject}:\n{said}"));
    }
    Ok(())
}
