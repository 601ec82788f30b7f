//! What the package tests share: where the built packages are and what the
//! app is called. The packages are built by scripts/test.sh
//! (scripts/build-windows-installer.sh, scripts/build-deb.sh), which names
//! them in `KAIGO_WINDOWS_INSTALLER` and `KAIGO_DEB`.

use std::path::PathBuf;

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
