//! The desktop app's logic, with no Tauri in it: the Tauri commands are one
//! line each over [`AppCore`]. Everything here is tested without a window.

pub mod accessibility;
pub mod card_check;
/// Every word the app shows: the words crate, under the name the app's
/// code has always used.
pub use kaigo_words as catalogue;
pub mod certificates;
pub mod class_discovery;
pub mod class_network;
pub mod clipboard;
pub mod day_report;
pub mod error;
pub mod keychain;
pub mod network;
pub mod paths;
pub mod preflight;
pub mod program_signature;
pub mod progress;
pub mod real_day;
pub mod report;
pub mod service_access;
pub mod settings;
pub mod support;
pub mod terminal_keys;
pub mod updates;
pub mod webview_runtime;
pub mod wizard;

pub use error::{AppError, AppResult};

/// This app's version (「アプリの更新」 shows it; the updater compares
/// `tauri.conf.json`'s, which a test holds to this).
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
pub use wizard::AppCore;
