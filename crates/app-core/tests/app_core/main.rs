//! The app core's tests, in one program (each extra test program is another
//! slow link, on Linux and for Windows): the wizard against the practice
//! service, the certificate sources, the OS keychain, the card reader and
//! the completion report and the real day's record.

mod card_reader;
mod class;
mod day_report_pdf;
mod faults;
mod keychain;
mod nss;
mod pkcs12_ber;
mod plain_words;
mod proxy;
mod report_pdf;
mod updates;
mod windows_store;
mod wizard;

use kaigo_app_core::keychain::SecretStore;
use kaigo_app_core::paths::AppPaths;
use kaigo_app_core::wizard::Clock;
use kaigo_app_core::AppCore;
use kaigo_practice::PracticeMode;
use std::path::Path;
use std::sync::Arc;

/// A part of the machine a test needs is missing (`what`, and how to get
/// it): the full suite (KAIGO_FULL_SUITE) fails, elsewhere the test is
/// skipped with a notice.
pub fn missing(what: &str, how: &str) {
    assert!(std::env::var_os("KAIGO_FULL_SUITE").is_none(), "the full suite needs {what}: {how}");
    eprintln!("{what} missing ({how}): test skipped");
}

/// The one-time code in a mail: the first six digits standing alone (a
/// seat's mail address may hold six digits in a row, before the code).
pub fn code_in(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let alone = |i: Option<usize>| i.and_then(|i| chars.get(i)).is_none_or(|c| !c.is_ascii_alphanumeric());
    (0..chars.len().saturating_sub(5))
        .find(|&i| chars[i..i + 6].iter().all(char::is_ascii_digit) && alone(i.checked_sub(1)) && alone(Some(i + 6)))
        .map(|i| chars[i..i + 6].iter().collect())
        .expect("a code")
}

/// The body of the newest message to `to` once there are more than `seen`.
#[allow(clippy::unwrap_used)] // tests: failing loudly is right
pub async fn newest_to(core: &AppCore, to: &str, seen: usize) -> String {
    for _ in 0..200 {
        let mail: Vec<_> = core.mailbox().await.unwrap().into_iter().filter(|m| m.recipient == to).collect();
        if mail.len() > seen {
            return mail[0].body.clone();
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("no message to {to}");
}

/// The app core in `dir`, with 練習モード plugged in as the app does.
pub fn practice_core(dir: &Path, secrets: Arc<dyn SecretStore>) -> AppCore {
    #[allow(clippy::unwrap_used)] // tests: failing loudly is right
    let paths = AppPaths::new(dir).unwrap();
    let practice = Arc::new(PracticeMode::new(paths.practice()));
    AppCore::new(paths, secrets).with_rehearsal(practice)
}

/// The same, with its practice mode at hand (to stop the service under it).
pub fn practice_core_and_mode(dir: &Path, secrets: Arc<dyn SecretStore>) -> (AppCore, Arc<PracticeMode>) {
    #[allow(clippy::unwrap_used)] // tests: failing loudly is right
    let paths = AppPaths::new(dir).unwrap();
    let practice = Arc::new(PracticeMode::new(paths.practice()));
    (AppCore::new(paths, secrets).with_rehearsal(practice.clone()), practice)
}

/// The same, reading the time from `clock`.
pub fn practice_core_at(dir: &Path, secrets: Arc<dyn SecretStore>, clock: Clock) -> AppCore {
    #[allow(clippy::unwrap_used)] // tests: failing loudly is right
    let paths = AppPaths::new(dir).unwrap();
    let practice = Arc::new(PracticeMode::new(paths.practice()));
    AppCore::with_clock(paths, secrets, clock).with_rehearsal(practice)
}
