//! Helpers for driving the app's window through WebDriver.
//!
//! The test needs, in its environment: `KAIGO_E2E_APP` (the built app),
//! `KAIGO_E2E_WEBDRIVER` (tauri-driver's URL: it listens on a port the
//! kernel chose) and a display; `scripts/test.sh` starts Xvfb and
//! tauri-driver for it.

/// Whether staff can see an element, as the page scripts judge it (one
/// rule for the keyboard pass and the layout measurement): it has boxes, is
/// not hidden, and lies in no closed `<details>` — WebKitGTK keeps boxes for
/// a closed details' content (content-visibility: hidden) though nothing of
/// it is drawn, which `checkVisibility()` also says where it exists.
macro_rules! shown_js {
    () => {
        "const shown = (el) => el.getClientRects().length > 0 && getComputedStyle(el).visibility !== 'hidden' && !el.closest('[hidden]') &&\n  !el.closest('details:not([open]) > :not(summary)') && (!el.checkVisibility || el.checkVisibility());\n"
    };
}

pub mod axe;
mod browser;
pub mod keyboard;
pub mod layout;
pub use browser::Browser;

use fantoccini::{elements::Element, Client, ClientBuilder, Locator};
use std::future::Future;
use std::path::PathBuf;
use std::sync::Mutex;
use std::time::{Duration, Instant};

pub type E2eResult<T> = Result<T, Box<dyn std::error::Error + Send + Sync>>;

/// The app under test, or `None` when the end-to-end set-up is absent
/// (a plain `cargo test`, or scripts/check.sh). The full suite must have it.
pub fn app_under_test() -> Option<PathBuf> {
    match std::env::var_os("KAIGO_E2E_APP") {
        Some(p) => Some(PathBuf::from(p)),
        None if std::env::var_os("KAIGO_FULL_SUITE").is_some() => {
            panic!("the full suite runs the end-to-end test (scripts/test.sh sets KAIGO_E2E_APP)")
        }
        None => {
            eprintln!("KAIGO_E2E_APP not set: end-to-end test skipped (run scripts/test.sh)");
            None
        }
    }
}

/// Whether a process of `app` runs (Linux: its executable in /proc).
fn app_running(app: &std::path::Path) -> bool {
    let Ok(entries) = std::fs::read_dir("/proc") else { return false };
    entries.flatten().any(|e| std::fs::read_link(e.path().join("exe")).is_ok_and(|exe| exe == app))
}

/// How tauri-driver starts the app: `program` (the app, or a script that
/// sets its environment and execs it) with `args`.
pub struct Launch {
    pub program: PathBuf,
    pub app: PathBuf,
    pub args: Vec<String>,
}

impl Launch {
    pub fn plain(app: &std::path::Path) -> Launch {
        Launch { program: app.to_owned(), app: app.to_owned(), args: Vec::new() }
    }

    /// The app with a data folder and keychain entries of its own (the
    /// environment tauri-driver hands on is the suite's): a script in
    /// `dir` sets them and execs the app.
    pub fn with_own_data(app: &std::path::Path, dir: &std::path::Path, keychain_service: &str) -> E2eResult<Launch> {
        use std::os::unix::fs::PermissionsExt as _;
        let data = dir.join("data");
        std::fs::create_dir_all(&data)?;
        let script = dir.join("launch.sh");
        let quote = |p: &std::path::Path| format!("'{}'", p.display().to_string().replace('\'', "'\\''"));
        std::fs::write(
            &script,
            format!(
                "#!/bin/sh\nexport KAIGO_ONBOARD_DATA_DIR={}\nexport KAIGO_ONBOARD_KEYCHAIN_SERVICE='{keychain_service}'\nexec {} \"$@\"\n",
                quote(&data),
                quote(app)
            ),
        )?;
        std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755))?;
        Ok(Launch { program: script, app: app.to_owned(), args: Vec::new() })
    }
}

pub struct Window {
    pub client: Client,
    shots: PathBuf,
    app: PathBuf,
}

impl Window {
    /// Starts the app through tauri-driver.
    pub async fn open(app: &std::path::Path) -> E2eResult<Window> {
        Window::open_as(&Launch::plain(app)).await
    }

    /// Starts the app through tauri-driver as `launch` says.
    pub async fn open_as(launch: &Launch) -> E2eResult<Window> {
        let url = std::env::var("KAIGO_E2E_WEBDRIVER")
            .map_err(|_| "KAIGO_E2E_WEBDRIVER must name tauri-driver's URL (scripts/test.sh and scripts/e2e.sh start it)")?;
        let mut caps = serde_json::Map::new();
        caps.insert("tauri:options".into(), serde_json::json!({ "application": launch.program, "args": launch.args }));
        caps.insert("browserName".into(), "wry".into());
        let connector = hyper_util::client::legacy::connect::HttpConnector::new();
        let client = ClientBuilder::new(connector).capabilities(caps).connect(&url).await?;
        let shots = screenshot_dir();
        std::fs::create_dir_all(&shots)?;
        let app = std::fs::canonicalize(&launch.app).unwrap_or_else(|_| launch.app.clone());
        Ok(Window { client, shots, app })
    }

    /// Closes the window and waits until the app's process has ended: the
    /// next launch must not meet this one still on its way out (it would
    /// hand itself over to it, as a second launch from the shortcut does).
    pub async fn close(self) -> E2eResult<()> {
        self.client.close().await?;
        let deadline = Instant::now() + Duration::from_secs(30);
        while app_running(&self.app) {
            if Instant::now() > deadline {
                return Err(format!("{} still runs 30 s after its window was closed", self.app.display()).into());
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        Ok(())
    }

    /// Waits for an element to be shown.
    pub async fn visible(&self, css: &str) -> E2eResult<Element> {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Ok(e) = self.client.find(Locator::Css(css)).await {
                if e.is_displayed().await.unwrap_or(false) {
                    return Ok(e);
                }
            }
            if Instant::now() > deadline {
                let _ = self.shot("failure").await;
                let error = self.client.execute("return document.getElementById('error').textContent", vec![]).await.unwrap_or_default();
                return Err(format!(
                    "{css} never became visible (screen: {}, error shown: {error})",
                    self.screen().await.unwrap_or_default()
                )
                .into());
            }
            tokio::time::sleep(Duration::from_millis(150)).await;
        }
    }

    /// The name of the screen shown (`body[data-screen]`).
    pub async fn screen(&self) -> E2eResult<String> {
        let v = self.client.execute("return document.body.dataset.screen || ''", vec![]).await?;
        Ok(v.as_str().unwrap_or_default().to_owned())
    }

    /// Switches to the app's window whose `expression` (a script's value,
    /// such as `location.pathname`) is `wanted`, waiting up to 30 s for the
    /// app to open it.
    pub async fn switch_to(&self, expression: &str, wanted: &str) -> E2eResult<()> {
        let deadline = std::time::Instant::now() + Duration::from_secs(30);
        loop {
            for handle in self.client.windows().await? {
                self.client.switch_to_window(handle).await?;
                if self.client.execute(&format!("return {expression}"), vec![]).await?.as_str() == Some(wanted) {
                    return Ok(());
                }
            }
            if std::time::Instant::now() > deadline {
                return Err(format!("no window of the app has {expression} = {wanted}").into());
            }
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
    }

    pub async fn wait_screen(&self, name: &str) -> E2eResult<()> {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let now = self.screen().await?;
            if now == name {
                return Ok(());
            }
            if Instant::now() > deadline {
                let _ = self.shot(&format!("failure-screen-{name}")).await;
                let error = self
                    .client
                    .execute(
                        "return [document.getElementById('error').textContent, ...[...document.querySelectorAll('.field-error')].map((e) => e.textContent)].filter((t) => t).join(' / ')",
                        vec![],
                    )
                    .await?;
                return Err(format!("expected screen {name}, still on {now}; error shown: {error}").into());
            }
            tokio::time::sleep(Duration::from_millis(150)).await;
        }
    }

    /// Waits until `script` (a JavaScript expression) is true in the page.
    pub async fn wait_true(&self, script: &str) -> E2eResult<()> {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if self.client.execute(&format!("return !!({script})"), vec![]).await?.as_bool() == Some(true) {
                return Ok(());
            }
            if Instant::now() > deadline {
                let _ = self.shot("failure").await;
                // The wizard's error line, or a trainer page's notice.
                let error = self
                    .client
                    .execute(
                        "const e = document.getElementById('error') || document.getElementById('notice'); return e ? e.textContent : ''",
                        vec![],
                    )
                    .await?;
                return Err(format!("never true: {script}; error shown: {error}").into());
            }
            tokio::time::sleep(Duration::from_millis(150)).await;
        }
    }

    /// Empties the field and types `text` (nothing, to leave it empty).
    pub async fn type_into(&self, css: &str, text: &str) -> E2eResult<()> {
        let e = self.visible(css).await?;
        e.clear().await?;
        if !text.is_empty() {
            e.send_keys(text).await?;
        }
        Ok(())
    }

    pub async fn click(&self, css: &str) -> E2eResult<()> {
        self.visible(css).await?.click().await?;
        Ok(())
    }

    /// Scrolls `css` into the middle of the window, at once (a smooth
    /// scroll would still be under way when a screenshot is taken).
    pub async fn scroll_to(&self, css: &str) -> E2eResult<()> {
        self.client
            .execute(
                "document.querySelector(arguments[0]).scrollIntoView({block: 'center', behavior: 'instant'})",
                vec![serde_json::Value::String(css.to_owned())],
            )
            .await?;
        tokio::time::sleep(Duration::from_millis(200)).await;
        Ok(())
    }

    /// Saves a screenshot of the window as `<name>.png`, and checks the
    /// page as shown against the WCAG A/AA rules (axe-core) and for its
    /// layout (no sideways scrolling or cut-off text, 44 px targets):
    /// every state the test shows is checked, and any fault fails it.
    pub async fn shot(&self, name: &str) -> E2eResult<PathBuf> {
        note_shot(name);
        let png = self.client.screenshot().await?;
        let path = self.shots.join(format!("{name}.png"));
        std::fs::write(&path, png)?;
        if !is_failure_shot(name) {
            axe::check(&self.client, &self.shots, name).await?;
            layout::check(&self.client, &self.shots, name).await?;
        }
        Ok(path)
    }

    /// Waits for a practice-mailbox message to `recipient` beyond the first
    /// `seen`, and returns its text.
    pub async fn mail_to(&self, recipient: &str, seen: usize) -> E2eResult<String> {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            // Staff's 更新 button, clicked for real (the list also refreshes
            // itself every 2 s).
            self.client.find(Locator::Id("mailbox-refresh")).await?.click().await?;
            let v = self
                .client
                .execute(
                    "return [...document.querySelectorAll('#mailbox-list .message')].map(m => m.innerText).filter(t => t.includes(arguments[0]))",
                    vec![serde_json::Value::String(recipient.to_owned())],
                )
                .await?;
            let list: Vec<String> = serde_json::from_value(v)?;
            if list.len() > seen {
                return Ok(list[0].clone());
            }
            if Instant::now() > deadline {
                return Err(format!("no mail to {recipient}").into());
            }
            tokio::time::sleep(Duration::from_millis(300)).await;
        }
    }
}

/// The screenshot taken last: where a part that hangs had got to.
static LAST_SHOT: Mutex<String> = Mutex::new(String::new());

/// How long one part of an end-to-end test may take: about ten times what
/// the longest takes on a loaded two-core machine.
pub const PART_LIMIT: Duration = Duration::from_secs(300);

/// Runs one part of an end-to-end test within [`PART_LIMIT`]. A WebDriver
/// call has no time limit of its own, so a window or driver that stops
/// answering would otherwise hold the suite until CI's own limit ends it
/// without a word; here the part fails, naming itself, the last screenshot
/// and the last lines of the driver's log (`KAIGO_E2E_DRIVER_LOG`) and the app's.
pub async fn within<T>(part: &str, run: impl Future<Output = E2eResult<T>>) -> E2eResult<T> {
    within_limit(part, PART_LIMIT, run).await
}

async fn within_limit<T>(part: &str, limit: Duration, run: impl Future<Output = E2eResult<T>>) -> E2eResult<T> {
    match tokio::time::timeout(limit, run).await {
        Ok(result) => result,
        Err(_) => Err(overdue(part, limit).into()),
    }
}

/// Notes `name` as the screenshot taken last.
pub(crate) fn note_shot(name: &str) {
    name.clone_into(&mut LAST_SHOT.lock().unwrap_or_else(|e| e.into_inner()));
}

fn overdue(part: &str, limit: Duration) -> String {
    let last = LAST_SHOT.lock().unwrap_or_else(|e| e.into_inner()).clone();
    let driver = std::env::var_os("KAIGO_E2E_DRIVER_LOG")
        .map(|p| last_lines(&PathBuf::from(p)))
        .unwrap_or_else(|| "(KAIGO_E2E_DRIVER_LOG not set)".into());
    let app = std::env::var_os("KAIGO_ONBOARD_DATA_DIR").map(|dir| last_lines(&PathBuf::from(dir).join("logs/app.log")));
    format!(
        "{part} did not finish within {limit:?}; last screenshot: {last:?}; the driver's last lines:\n{driver}\nthe app's last lines:\n{}",
        app.unwrap_or_else(|| "(KAIGO_ONBOARD_DATA_DIR not set)".into())
    )
}

/// A log file's last 40 lines (or why there are none).
fn last_lines(file: &std::path::Path) -> String {
    match std::fs::read_to_string(file) {
        Ok(log) => {
            let lines: Vec<&str> = log.lines().collect();
            lines[lines.len().saturating_sub(40)..].join("\n")
        }
        Err(e) => format!("({}: {e})", file.display()),
    }
}

/// `KAIGO_E2E_REPORT_ONLY`: the accessibility and layout checks record what
/// they find without failing (to measure the figures before a fix). Never
/// in the full suite (`KAIGO_FULL_SUITE`), where it would turn failures
/// into passes.
pub fn report_only() -> bool {
    report_only_with(std::env::var_os("KAIGO_E2E_REPORT_ONLY").is_some(), std::env::var_os("KAIGO_FULL_SUITE").is_some())
        .unwrap_or_else(|refused| panic!("{refused}"))
}

fn report_only_with(asked: bool, full_suite: bool) -> Result<bool, &'static str> {
    match (asked, full_suite) {
        (true, true) => Err("KAIGO_E2E_REPORT_ONLY turns the accessibility and layout failures into records: unset it for the full suite"),
        (asked, _) => Ok(asked),
    }
}

/// A screenshot kept to explain a failure: not itself checked.
pub(crate) fn is_failure_shot(name: &str) -> bool {
    name.contains("failure")
}

/// The first code of six digits standing alone: not part of a longer run
/// or of a word — a mail's recipient (`seat001@class-1f123456.…`) may hold
/// six digits in a row, and the code is never the first run of them.
pub fn code_in(text: &str) -> Option<String> {
    let chars: Vec<char> = text.chars().collect();
    let alone = |i: Option<usize>| i.and_then(|i| chars.get(i)).is_none_or(|c| !c.is_ascii_alphanumeric());
    (0..chars.len().saturating_sub(5))
        .find(|&i| chars[i..i + 6].iter().all(char::is_ascii_digit) && alone(i.checked_sub(1)) && alone(Some(i + 6)))
        .map(|i| chars[i..i + 6].iter().collect())
}

/// Decodes a PNG's width and height (to check screenshots are real images).
pub fn png_size(bytes: &[u8]) -> Option<(u32, u32)> {
    if bytes.len() < 24 || &bytes[..8] != b"\x89PNG\r\n\x1a\n" {
        return None;
    }
    let w = u32::from_be_bytes(bytes[16..20].try_into().ok()?);
    let h = u32::from_be_bytes(bytes[20..24].try_into().ok()?);
    Some((w, h))
}

/// A loopback port free at the moment (for a process that must be told its
/// port before it starts).
pub fn free_port() -> std::io::Result<u16> {
    Ok(std::net::TcpListener::bind(("127.0.0.1", 0))?.local_addr()?.port())
}

/// Where the screenshots go (`KAIGO_E2E_SCREENSHOTS`, set by scripts/test.sh).
pub fn screenshot_dir() -> PathBuf {
    std::env::var_os("KAIGO_E2E_SCREENSHOTS").map(PathBuf::from).unwrap_or_else(|| PathBuf::from("target/e2e-screenshots"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_code_is_the_six_digits_standing_alone_not_a_run_in_an_address() {
        let mail = "seat001@class-1f123456.kaigo-onboard.invalid\n研修事業所 001 ご担当者様\n\n  654321\n\n有効期限：12:30 まで";
        assert_eq!(code_in(mail).as_deref(), Some("654321"));
        assert_eq!(code_in("seat001@class-12345678.kaigo-onboard.invalid コード：246810（12:30まで有効）").as_deref(), Some("246810"));
        assert_eq!(code_in("事業所番号 9912345678 のみ"), None);
        assert_eq!(code_in("123456").as_deref(), Some("123456"));
    }

    #[tokio::test]
    async fn a_part_that_hangs_fails_naming_itself_and_where_it_had_got_to() {
        note_shot("07-admin-done");
        let hung = within_limit("second run", Duration::from_millis(50), std::future::pending::<E2eResult<()>>()).await;
        let said = hung.unwrap_err().to_string();
        assert!(said.starts_with("second run did not finish within 50ms"), "{said}");
        assert!(said.contains("\"07-admin-done\""), "{said}");
        let done = within_limit("first run", Duration::from_secs(5), async { Ok(7) }).await;
        assert_eq!(done.unwrap(), 7);
    }

    #[test]
    fn report_only_is_refused_in_the_full_suite() {
        assert!(report_only_with(true, true).unwrap_err().contains("full suite"));
        assert_eq!(report_only_with(true, false), Ok(true));
        assert_eq!(report_only_with(false, true), Ok(false));
    }
}
