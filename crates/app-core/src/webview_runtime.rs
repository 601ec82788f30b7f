//! What staff are told when the window cannot open because Windows lacks
//! the Microsoft Edge WebView2 runtime, which draws every screen of the app.
//! Windows 11 has it; some Windows 10 PCs and locked-down office PCs do not.
//! The installer checks for it too and says the same (installer/windows).

/// Microsoft's permanent link to the WebView2 runtime's small installer
/// (the "Evergreen Bootstrapper"). A data file, so that the installer's
/// build and the package tests read the same address without this crate.
pub const DOWNLOAD_URL: &str = include_str!("../data/webview2-download-url").trim_ascii_end();

/// The explanation, in plain Japanese, with what to do next. `app_name` is
/// the name on the desktop shortcut.
pub fn missing_message(app_name: &str) -> String {
    format!(
        "このパソコンには、画面を表示するための部品「Microsoft Edge WebView2 ランタイム」が入っていないため、アプリを開けません。\n\n\
         次のアドレスを Microsoft Edge で開くと、Microsoft の無料の部品をインストールできます。インストールが終わったら、デスクトップの「{app_name}」をもう一度開いてください。\n\n\
         {DOWNLOAD_URL}\n\n\
         会社のパソコンでインストールできないときは、パソコンの管理者にこの画面を見せてください。"
    )
}

/// What the window-less start tells staff after `detail` (the system's own
/// words) made it impossible to open the window.
pub fn window_failed_message(app_name: &str, detail: &str) -> String {
    format!(
        "画面を開けませんでした。パソコンを再起動してから、もう一度「{app_name}」を開いてください。\n\
         それでも開けないときは、この画面の内容をサポート窓口にお伝えください。\n\n（詳細：{detail}）"
    )
}

/// Whether the window could not open because the app's previous window
/// was still closing: the launch found it (the single-instance plugin) and
/// it went away before taking the launch over. Starting again a moment
/// later opens the window; nothing needs restarting.
pub fn previous_instance_was_closing(detail: &str) -> bool {
    detail.contains("single-instance")
        && (detail.contains("NoReply") || detail.contains("disconnected") || detail.contains("ServiceUnknown"))
}

/// How often, and after what pause, a launch that met a closing window
/// tries again before it says it could not open.
pub const RELAUNCH_TRIES: u32 = 10;
pub const RELAUNCH_PAUSE: std::time::Duration = std::time::Duration::from_millis(500);

#[cfg(test)]
mod tests {
    #[test]
    fn a_launch_that_met_a_closing_window_is_told_apart_from_a_broken_webview() {
        let met_closing = "failed to initialize plugin `single-instance`: failed to forward arguments to the running instance: org.freedesktop.DBus.Error.NoReply: Message recipient disconnected from message bus without replying";
        assert!(super::previous_instance_was_closing(met_closing));
        assert!(!super::previous_instance_was_closing("failed to create webview: WebView2 runtime not found"));
        assert!(!super::previous_instance_was_closing("failed to initialize plugin `single-instance`: permission denied"));
    }

    #[test]
    fn the_missing_runtime_message_names_it_says_what_to_do_and_where() {
        let text = super::missing_message("介護WEBサービス 初期設定");
        for expected in ["WebView2", super::DOWNLOAD_URL, "「介護WEBサービス 初期設定」をもう一度開いて", "管理者"] {
            assert!(text.contains(expected), "{expected} missing from {text}");
        }
    }
}
