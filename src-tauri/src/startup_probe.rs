//! For the start-up benchmark: when `KAIGO_BENCH_READY_FILE` is set, the
//! first interactive screen writes the process's RSS there and the app
//! exits. Otherwise the call does nothing.

use tauri::{AppHandle, Runtime};

fn rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| s.lines().find_map(|l| l.strip_prefix("VmRSS:").map(|v| v.trim().trim_end_matches("kB").trim().parse().unwrap_or(0))))
        .unwrap_or(0)
}

pub fn ui_ready<R: Runtime>(app: &AppHandle<R>) {
    if let Some(path) = std::env::var_os("KAIGO_BENCH_READY_FILE") {
        let _ = std::fs::write(path, format!("{}\n", rss_kib()));
        app.exit(0);
    }
}
