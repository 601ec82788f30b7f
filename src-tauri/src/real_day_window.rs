//! 本番の日's window: narrow enough to sit beside Edge on a 1366×768 screen
//! (the common office laptop), the app's own page in its 本番の日 view.

use kaigo_app_core::catalogue::Text;
use kaigo_app_core::{AppError, AppResult};
use kaigo_domain::{Language, Policy};
use tauri::{AppHandle, Manager as _, Runtime, WebviewUrl, WebviewWindowBuilder};

/// Its label (capabilities/main.json lets it call the app's commands).
pub const LABEL: &str = "real-day";

/// Width and height: 1366 − 400 leaves Edge 966 pixels.
pub const SIZE: (f64, f64) = (400.0, 720.0);

/// Opens the window (or brings it forward), in front of other windows when
/// staff chose so.
pub fn show<R: Runtime>(app: &AppHandle<R>, language: Language, on_top: bool) -> AppResult<()> {
    if let Some(window) = app.get_webview_window(LABEL) {
        let _ = window.unminimize();
        let _ = window.set_focus();
        return Ok(());
    }
    let window = WebviewWindowBuilder::new(app, LABEL, WebviewUrl::App("index.html?view=real-day".into()))
        .title(Text::RealDayWindowTitle.render(&Policy::default(), language))
        .inner_size(SIZE.0, SIZE.1)
        .min_inner_size(320.0, 480.0)
        .always_on_top(on_top)
        .focused(true)
        .build()
        .map_err(AppError::internal)?;
    // Staff go on in it by keyboard: the keys (and the focus ring) are its.
    let _ = window.set_focus();
    Ok(())
}

/// Keeps the open window in front of other windows (Edge), or not.
pub fn keep_on_top<R: Runtime>(app: &AppHandle<R>, on_top: bool) -> AppResult<()> {
    match app.get_webview_window(LABEL) {
        Some(window) => window.set_always_on_top(on_top).map_err(AppError::internal),
        None => Ok(()),
    }
}
