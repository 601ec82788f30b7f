//! The desktop shell: one window, the wizard in `ui/`, commands over
//! `kaigo-app-core`. `app_builder` takes any runtime so the IPC contract
//! tests can use Tauri's mock runtime.

pub mod commands;
pub mod fatal;
pub mod real_day_window;
pub mod startup_probe;
pub mod trainer_windows;
pub mod updates;

use kaigo_app_core::keychain::{Keychain, SecretStore, SERVICE};
use kaigo_app_core::paths::AppPaths;
use kaigo_app_core::webview_runtime;
use kaigo_app_core::AppCore;
use kaigo_practice::class_host::ClassHosting;
use kaigo_practice::PracticeMode;
use std::sync::Arc;
use tauri::{Manager as _, Runtime};

include!("command_names.rs");

macro_rules! handlers {
    ($($name:ident),* $(,)?) => { tauri::generate_handler![$(commands::$name),*] };
}

macro_rules! names {
    ($($name:ident),* $(,)?) => { &[$(stringify!($name)),*] };
}

/// Every command the window may call, as the UI names it.
pub const COMMANDS: &[&str] = app_commands!(names);

/// The composition root: the app core, with 練習モード plugged in.
pub fn compose(paths: AppPaths, secrets: Arc<dyn SecretStore>) -> AppCore {
    let practice = Arc::new(PracticeMode::new(paths.practice()));
    AppCore::new(paths, secrets).with_rehearsal(practice)
}

/// 研修を開く: the class this PC serves, kept in the app's folder, its
/// secrets in the keychain.
pub fn class_hosting(paths: &AppPaths, secrets: Arc<dyn SecretStore>) -> Arc<ClassHosting> {
    Arc::new(ClassHosting::new(paths.hosted_class(), secrets))
}

/// Adds the commands and the core to a builder.
pub fn app_builder<R: Runtime>(builder: tauri::Builder<R>) -> tauri::Builder<R> {
    let updater = tauri_plugin_updater::Builder::new().build();
    builder.plugin(updater).invoke_handler(app_commands!(handlers)).on_window_event(main_window_closing).setup(|app| {
        // KAIGO_ONBOARD_DATA_DIR lets tests and support staff use a folder of their own.
        let paths = match std::env::var_os("KAIGO_ONBOARD_DATA_DIR") {
            Some(dir) => AppPaths::new(std::path::PathBuf::from(dir))?.with_user_folders(),
            None => AppPaths::for_user(&app.config().identifier)?,
        };
        init_logging(&paths);
        let service = std::env::var("KAIGO_ONBOARD_KEYCHAIN_SERVICE").unwrap_or_else(|_| SERVICE.to_owned());
        let updates = Arc::new(updates::PluginUpdates::new(app.handle().clone()));
        let keychain: Arc<dyn SecretStore> = Arc::new(Keychain::new(&service));
        app.manage(class_hosting(&paths, keychain.clone()));
        app.manage(compose(paths, keychain).with_updates(updates));
        // Opened by a join link (研修): the system passes it as an argument.
        if let Some(link) = kaigo_api::class::join_link_in_args(std::env::args().skip(1)) {
            app.state::<AppCore>().offer_join_link(link);
        }
        main_window(app)?;
        // Nothing is started here: the practice service (its keys and
        // database on the first start) is made once the first screen is up,
        // when the page asks (`start`), so it never slows the window.
        Ok(())
    })
}

/// The wizard's window, made here rather than by Tauri from the config so
/// that it comes with the status to draw its first screen with: the page
/// needs no round trip before it. Made after a join link was offered, so
/// the status given says so.
fn main_window<R: Runtime>(app: &tauri::App<R>) -> Result<(), Box<dyn std::error::Error>> {
    // Without it the app would run with no window at all: said, not skipped.
    let config = app.config().app.windows.iter().find(|w| w.label == MAIN_WINDOW).ok_or("tauri.conf.json names no main window")?;
    let status = tauri::async_runtime::block_on(app.state::<AppCore>().status());
    tauri::WebviewWindowBuilder::from_config(app.handle(), config)?.initialization_script(first_status_script(&status)).build()?;
    Ok(())
}

/// The wizard's window, as the config and the capability name it.
pub const MAIN_WINDOW: &str = "main";

/// Where the page finds its first status (`ui/js/main.js` reads it once).
pub const FIRST_STATUS_GLOBAL: &str = "__KAIGO_FIRST_STATUS__";

/// Run before the page: sets the first status, unless this page has used
/// one before (a reload asks the app, whose status may have moved on).
pub fn first_status_script(status: &kaigo_app_core::wizard::AppStatus) -> String {
    let json = serde_json::to_string(status).unwrap_or_else(|_| "null".to_owned());
    format!("try {{ if (!sessionStorage.getItem(\"{FIRST_STATUS_GLOBAL}\")) window.{FIRST_STATUS_GLOBAL} = {json}; }} catch (_) {{}}")
}

/// Asks the page when the wizard's window is closed while this PC serves a
/// class (`close_app` closes for good); the trainer's windows go with it.
fn main_window_closing<R: Runtime>(window: &tauri::Window<R>, event: &tauri::WindowEvent) {
    if window.label() != MAIN_WINDOW {
        return;
    }
    match event {
        tauri::WindowEvent::CloseRequested { api, .. } => {
            let serving = window.try_state::<Arc<ClassHosting>>().is_some_and(|h| h.is_serving());
            if serving {
                api.prevent_close();
                if let Some(main) = window.get_webview_window(MAIN_WINDOW) {
                    let _ = main.eval(CLOSE_ASKED_EVENT_SCRIPT);
                }
            }
        }
        tauri::WindowEvent::Destroyed => {
            trainer_windows::close_all(window.app_handle());
            // The app is closing: a copied value does not outlive it.
            if let Some(core) = window.try_state::<AppCore>() {
                core.clear_copied_value();
            }
        }
        _ => {}
    }
}

/// Tells the page the window is being closed during a class (`ui/js/screens/classhost.js`).
const CLOSE_ASKED_EVENT_SCRIPT: &str = "window.dispatchEvent(new Event('kaigo-close-asked'))";

/// Logs to `logs/app.log` in the data folder (ids and codes only, never secrets).
fn init_logging(paths: &AppPaths) {
    let file = std::fs::OpenOptions::new().create(true).append(true).open(paths.logs().join("app.log"));
    if let Ok(file) = file {
        let filter = tracing_subscriber::EnvFilter::try_from_env("KAIGO_LOG").unwrap_or_else(|_| "info,sqlx=warn".into());
        let _ = tracing_subscriber::fmt().with_env_filter(filter).with_ansi(false).with_writer(std::sync::Mutex::new(file)).try_init();
    }
}

/// Tells the page a join link arrived (`ui/js/screens/classjoin.js` listens).
const JOIN_LINK_EVENT_SCRIPT: &str = "window.dispatchEvent(new Event('kaigo-join-link'))";

pub fn run() {
    let context = tauri::generate_context!("../tauri.conf.json");
    let app_name = context.config().product_name.clone().unwrap_or_default();
    if let Some(message) = fatal::webview_problem(&app_name) {
        fatal::show(&app_name, &message);
        std::process::exit(2);
    }
    fatal::explain_panics(app_name.clone());
    let builder = tauri::Builder::default().plugin(tauri_plugin_single_instance::init(|app, args, _cwd| {
        // A second launch from the shortcut brings the open window forward;
        // one from a join link hands the link over to the open window.
        let link = kaigo_api::class::join_link_in_args(args.iter().skip(1));
        if let (Some(link), Some(core)) = (&link, app.try_state::<AppCore>()) {
            core.offer_join_link(link.clone());
        }
        if let Some(window) = app.get_webview_window(MAIN_WINDOW) {
            let _ = window.unminimize();
            let _ = window.set_focus();
            if link.is_some() {
                // No data in the script: the page asks for the status.
                let _ = window.eval(JOIN_LINK_EVENT_SCRIPT);
            }
        }
    }));
    if let Err(e) = app_builder(builder).run(context) {
        let detail = e.to_string();
        if webview_runtime::previous_instance_was_closing(&detail) {
            relaunch_after_a_pause();
        }
        fatal::show(&app_name, &webview_runtime::window_failed_message(&app_name, &detail));
        std::process::exit(1);
    }
}

/// Starts the app again, as the same process where the system allows it
/// (a WebDriver or a shortcut keeps following it), unless it has tried
/// often enough already: then returns, to say it could not open.
fn relaunch_after_a_pause() {
    const TRIES: &str = "KAIGO_ONBOARD_RELAUNCH_TRIES";
    let tried: u32 = std::env::var(TRIES).ok().and_then(|v| v.parse().ok()).unwrap_or(0);
    if tried >= webview_runtime::RELAUNCH_TRIES {
        return;
    }
    std::thread::sleep(webview_runtime::RELAUNCH_PAUSE);
    let Ok(exe) = std::env::current_exe() else { return };
    let mut again = std::process::Command::new(exe);
    again.args(std::env::args_os().skip(1)).env(TRIES, (tried + 1).to_string());
    #[cfg(unix)]
    {
        use std::os::unix::process::CommandExt as _;
        // Only returns if it failed.
        let _ = again.exec();
    }
    #[cfg(not(unix))]
    if again.spawn().is_ok() {
        std::process::exit(0);
    }
}
