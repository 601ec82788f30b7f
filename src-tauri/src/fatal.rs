//! The last word when the window cannot open: a system message box on
//! Windows (the app has no console there), the error stream elsewhere.
//! Never a bare panic.

use kaigo_app_core::webview_runtime;

/// Why the window cannot be shown, found before trying: on Windows, a
/// missing WebView2 runtime (Tauri would otherwise panic while opening it).
/// `app_name` is the product name staff know the app by.
pub fn webview_problem(app_name: &str) -> Option<String> {
    #[cfg(windows)]
    if let Err(e) = tauri::webview_version() {
        tracing::error!(error = %e, "the WebView2 runtime is not installed");
        return Some(webview_runtime::missing_message(app_name));
    }
    #[cfg(not(windows))]
    let _ = app_name;
    None
}

/// Tells staff, then the caller exits.
pub fn show(app_name: &str, message: &str) {
    tracing::error!(message, "the app cannot start");
    eprintln!("{app_name}: {message}");
    #[cfg(windows)]
    {
        let _ = rfd::MessageDialog::new()
            .set_level(rfd::MessageLevel::Error)
            .set_title(app_name)
            .set_description(message)
            .set_buttons(rfd::MessageButtons::Ok)
            .show();
    }
}

/// Tauri reports a window it could not create by panicking inside its
/// event loop ("Failed to setup app"): turn that into a message.
pub fn explain_panics(app_name: String) {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        default(info);
        let detail = info
            .payload()
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| info.payload().downcast_ref::<&str>().copied())
            .unwrap_or("panic");
        show(&app_name, &webview_runtime::window_failed_message(&app_name, detail));
    }));
}

#[cfg(test)]
mod tests {
    /// Under Wine (set by scripts/windows/wine-run.sh) there is no WebView2
    /// runtime: the real check must find that and explain it. On Linux the
    /// window uses WebKitGTK, a package dependency, so there is nothing to find.
    #[test]
    fn a_missing_webview2_runtime_is_found_and_explained_before_any_window_opens() {
        let problem = super::webview_problem("介護WEBサービス 初期設定");
        if cfg!(windows) && std::env::var_os("KAIGO_UNDER_WINE").is_some() {
            let text = problem.expect("Wine has no WebView2 runtime");
            assert!(text.contains("WebView2") && text.contains(kaigo_app_core::webview_runtime::DOWNLOAD_URL), "{text}");
        } else {
            assert_eq!(problem, None);
        }
    }
}
