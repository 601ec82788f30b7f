//! Start-up benchmark: time from launching the release binary to its first
//! interactive screen, and its RSS then, for the app and for a bare Tauri
//! window built the same way (`bare-window`). Needs a display and a session
//! keyring: run `scripts/bench-startup.sh`.
//!
//! The app is measured twice: its very first start (its folder made; the
//! practice service's keys and database come after the first screen, which
//! says so where it waits for them) and later starts.
#![allow(clippy::unwrap_used)] // a benchmark: failing loudly is right

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const RUNS: usize = 7;

/// Launches `bin` and waits for it to report its first interactive screen.
fn start_once(bin: &str, data_dir: &Path) -> (Duration, u64) {
    let ready = data_dir.with_extension("ready");
    let _ = std::fs::remove_file(&ready);
    let started = Instant::now();
    let mut child = Command::new(bin)
        .env("KAIGO_BENCH_READY_FILE", &ready)
        .env("KAIGO_ONBOARD_DATA_DIR", data_dir)
        .env("KAIGO_ONBOARD_KEYCHAIN_SERVICE", "jp.kaigo-onboard.bench")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let result = loop {
        if let Ok(text) = std::fs::read_to_string(&ready) {
            if text.ends_with('\n') {
                let elapsed = started.elapsed();
                break Some((elapsed, text.trim().parse::<u64>().unwrap()));
            }
        }
        if started.elapsed() > Duration::from_secs(60) {
            let _ = child.kill();
            break None;
        }
        std::thread::sleep(Duration::from_millis(2));
    };
    let _ = child.wait();
    result.unwrap_or_else(|| panic!("{bin} never became interactive"))
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    v[v.len() / 2]
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let app = env!("CARGO_BIN_EXE_kaigo-onboard");
    let bare = env!("CARGO_BIN_EXE_bare-window");
    let dir = tempfile::tempdir().unwrap();

    // The first start is measured for the work the app does then (keys,
    // database), not for a disk cache the bare window's runs find warm: the
    // shared libraries are loaded once by a bare start, the app's own file
    // read once.
    start_once(bare, &dir.path().join("bare-warm-up"));
    std::fs::read(app).unwrap();
    let app_dir = dir.path().join("app");
    let (first, first_rss) = start_once(app, &app_dir);
    let mut app_ms = Vec::new();
    let mut app_rss = Vec::new();
    let mut bare_ms = Vec::new();
    let mut bare_rss = Vec::new();
    for i in 0..RUNS {
        let (t, r) = start_once(app, &app_dir);
        app_ms.push(t.as_secs_f64() * 1000.0);
        app_rss.push(r as f64 / 1024.0);
        let (t, r) = start_once(bare, &dir.path().join(format!("bare-{i}")));
        bare_ms.push(t.as_secs_f64() * 1000.0);
        bare_rss.push(r as f64 / 1024.0);
    }
    let (am, ar, bm, br) = (median(app_ms), median(app_rss), median(bare_ms), median(bare_rss));
    let size = |p: &str| std::fs::metadata(p).map(|m| m.len() as f64 / 1_048_576.0).unwrap_or(0.0);
    println!("start-up to first interactive screen (release, median of {RUNS}, Xvfb):");
    println!("  app, first start ever: {:.0} ms, RSS {:.1} MiB", first.as_secs_f64() * 1000.0, first_rss as f64 / 1024.0);
    println!("  app:                   {am:.0} ms, RSS {ar:.1} MiB");
    println!("  bare Tauri window:     {bm:.0} ms, RSS {br:.1} MiB");
    println!("  ratio app / bare:      time {:.2}x, RSS {:.2}x (target <= 1.05x both)", am / bm, ar / br);
    println!("  first start / bare:    time {:.2}x (target <= 1.3x)", first.as_secs_f64() * 1000.0 / bm);
    let (app_size, bare_size) = (size(app), size(bare));
    println!(
        "binary size (same profile): app {app_size:.1} MiB, bare window {bare_size:.1} MiB, ratio {:.2}x (target <= 1.5x)",
        app_size / bare_size
    );
}
