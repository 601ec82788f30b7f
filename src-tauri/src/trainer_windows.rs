//! 研修を開く: the trainer's windows — the grid of seats and steps
//! (進み具合) and 投影用の画面 for the projector — are the app's own
//! windows on the class's loopback pages, signed in by a one-time ticket.
//! They call no command of the app (no capability names them).

use kaigo_app_core::catalogue::Text;
use kaigo_app_core::{AppError, AppResult};
use kaigo_domain::{Language, Policy};
use kaigo_practice::class_host::{ClassHosting, TrainerPage};
use tauri::{AppHandle, Manager as _, Runtime, WebviewUrl, WebviewWindowBuilder};

/// Every trainer window, by its label.
pub const LABELS: [&str; 2] = ["trainer", "projector"];

fn label(page: TrainerPage) -> &'static str {
    match page {
        TrainerPage::Grid => LABELS[0],
        TrainerPage::Projector => LABELS[1],
    }
}

/// Brings the page's window forward, opening it first when it is not open.
pub async fn show<R: Runtime>(app: &AppHandle<R>, hosting: &ClassHosting, page: TrainerPage, language: Language) -> AppResult<()> {
    if let Some(window) = app.get_webview_window(label(page)) {
        let _ = window.unminimize();
        let _ = window.set_focus();
        return Ok(());
    }
    // One sign-in for the windows open together (they share their cookies).
    let another_open = LABELS.iter().any(|l| app.get_webview_window(l).is_some());
    let url = if another_open { hosting.trainer_page_url(page).await? } else { hosting.trainer_url(page).await? };
    let url = url.parse().map_err(AppError::internal)?;
    let (title, width, height) = match page {
        TrainerPage::Grid => (Text::TrainerWindowTitle, 1100.0, 760.0),
        TrainerPage::Projector => (Text::ProjectorWindowTitle, 1024.0, 720.0),
    };
    WebviewWindowBuilder::new(app, label(page), WebviewUrl::External(url))
        .title(title.render(&Policy::default(), language))
        .inner_size(width, height)
        .min_inner_size(640.0, 480.0)
        .build()
        .map_err(AppError::internal)?;
    Ok(())
}

/// Closes the trainer's windows (a new class opens; the app closes).
pub fn close_all<R: Runtime>(app: &AppHandle<R>) {
    for label in LABELS {
        if let Some(window) = app.get_webview_window(label) {
            let _ = window.destroy();
        }
    }
}
