//! Checks of the house itself, run by the fast gate (`cargo test`).
//!
//! [`ports`]: no script, test, benchmark or harness binds a fixed port in
//! the kernel's range for outgoing connections (32768–60999 on Linux): any
//! connection the machine makes may hold such a port at that moment, and a
//! CI run once failed when PostgreSQL's fixed test port was taken. Let the
//! kernel choose (port 0, or `free_port` in scripts/lib.sh) or use a Unix
//! socket.
//!
//! [`environment`]: every `KAIGO_…` variable the code reads is listed, with
//! what it does, in `ENVIRONMENT.md`, and every one listed there is read.

pub mod environment;
pub mod ports;

use std::path::{Path, PathBuf};

/// The folders of the house's own code: scripts, CI, every crate, test,
/// benchmark and harness.
pub const SEARCHED: &[&str] = &["scripts", ".ci", "tests", "crates", "src-tauri", "fuzz"];

/// Whether a file is one the checks read: sources, scripts and their
/// configuration, not data, lock files or what a build left.
fn is_read(path: &Path) -> bool {
    let skipped_folder = path.components().any(|c| {
        let c = c.as_os_str();
        c == "target" || c == "node_modules" || c == "corpus" || c == "gen" || c == ".git"
    });
    let by_extension =
        matches!(path.extension().and_then(|e| e.to_str()), Some("rs" | "sh" | "py" | "toml" | "js" | "conf" | "nsi" | "nsh" | "service"));
    let script_without_extension = path.file_name().is_some_and(|n| n == "run");
    !skipped_folder && (by_extension || script_without_extension)
}

/// Every file the checks read under `root`'s searched folders, by its path
/// from `root`, with its text, in a stable order.
pub fn house_files(root: &Path) -> Vec<(PathBuf, String)> {
    let mut files = Vec::new();
    for folder in SEARCHED {
        for entry in walkdir::WalkDir::new(root.join(folder)).sort_by_file_name().into_iter().flatten() {
            let relative = entry.path().strip_prefix(root).unwrap_or(entry.path()).to_owned();
            if !entry.file_type().is_file() || !is_read(&relative) {
                continue;
            }
            if let Ok(text) = std::fs::read_to_string(entry.path()) {
                files.push((relative, text));
            }
        }
    }
    files
}
