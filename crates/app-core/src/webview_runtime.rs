//! What staff are told when the window cannot open because Windows lacks
//! the Microsoft Edge WebView2 runtime, which draws every screen of the app.
//! Windows 11 has it; some Windows 10 PCs and locked-down office PCs do not.
//! The installer checks for it too and says the same (installer/windows).

/// Microsoft's permanent link to the WebView2 runtime's small installer
/// (the "Evergreen Bootstrapper").
pub const DOWNLOAD_URL: &str = "https://go.microsoft.com/fwlink/p/?LinkId=2124703";

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

#[cfg(test)]
mod tests {
    #[test]
    fn the_missing_runtime_message_names_it_says_what_to_do_and_where() {
        let text = super::missing_message("介護WEBサービス 初期設定");
        for expected in ["WebView2", super::DOWNLOAD_URL, "「介護WEBサービス 初期設定」をもう一度開いて", "管理者"] {
            assert!(text.contains(expected), "{expected} missing from {text}");
        }
    }
}
