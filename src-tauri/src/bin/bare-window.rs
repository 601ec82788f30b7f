//! A bare Tauri window built the same way as the app (same crate, features
//! and profile): the baseline of the start-up benchmark.

#[tauri::command]
fn ui_ready<R: tauri::Runtime>(app: tauri::AppHandle<R>) {
    kaigo_onboard_app::startup_probe::ui_ready(&app)
}

fn main() {
    let result = tauri::Builder::default()
        .invoke_handler(tauri::generate_handler![ui_ready])
        .run(tauri::generate_context!("bare-window/tauri.conf.json"));
    if let Err(e) = result {
        eprintln!("bare window: {e}");
        std::process::exit(1);
    }
}
