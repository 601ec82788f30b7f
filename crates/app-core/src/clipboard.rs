//! 本番の日's copy buttons: a prepared value on the system clipboard for a
//! short while ([`COPIED_VALUE_LIFETIME`]), marked to stay out of Windows'
//! clipboard history and cloud clipboard (and Linux clipboard managers'
//! histories), then taken off again — unless staff copied something else
//! meanwhile, which is theirs and stays.
//!
//! [`COPIED_VALUE_LIFETIME`]: kaigo_domain::policy::COPIED_VALUE_LIFETIME

use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

#[derive(Debug, thiserror::Error)]
#[error("clipboard: {0}")]
pub struct ClipboardError(#[from] arboard::Error);

/// Whether the clipboard is to be emptied when a copy's time is over: only
/// if that copy is the last one made and the clipboard still holds it.
pub fn to_clear(last_copy: u64, this_copy: u64, on_clipboard: Option<&str>, copied: &str) -> bool {
    last_copy == this_copy && on_clipboard == Some(copied)
}

#[derive(Default)]
struct Held {
    /// Opened at the first copy and kept: on Linux the app serves what it
    /// copied for as long as this lives.
    clipboard: Option<arboard::Clipboard>,
    copies: u64,
    /// The value copied last (a prepared value: nothing secret).
    last: Option<String>,
}

/// The app's hold on the clipboard.
#[derive(Clone, Default)]
pub struct CopyBoard {
    held: Arc<Mutex<Held>>,
}

impl CopyBoard {
    /// Puts `value` on the clipboard and takes it off after `lifetime`.
    pub fn copy_for_a_while(&self, value: &str, lifetime: Duration) -> Result<(), ClipboardError> {
        let this_copy = {
            let mut held = self.held.lock().unwrap_or_else(PoisonError::into_inner);
            if held.clipboard.is_none() {
                held.clipboard = Some(arboard::Clipboard::new()?);
            }
            let Some(clipboard) = held.clipboard.as_mut() else { unreachable!("opened above") };
            put(clipboard, value)?;
            held.copies += 1;
            held.last = Some(value.to_owned());
            held.copies
        };
        let (held, copied) = (self.held.clone(), value.to_owned());
        std::thread::spawn(move || {
            std::thread::sleep(lifetime);
            let mut held = held.lock().unwrap_or_else(PoisonError::into_inner);
            let last_copy = held.copies;
            if let Some(clipboard) = held.clipboard.as_mut() {
                let on_clipboard = clipboard.get_text().ok();
                if to_clear(last_copy, this_copy, on_clipboard.as_deref(), &copied) {
                    if let Err(e) = clipboard.clear() {
                        tracing::warn!(error = %e, "a copied value could not be taken off the clipboard");
                    }
                }
            }
        });
        Ok(())
    }

    /// Takes the value copied last off the clipboard now, if it is still
    /// there: the app is closing, and Windows would keep it after the app.
    pub fn clear_now(&self) {
        let mut held = self.held.lock().unwrap_or_else(PoisonError::into_inner);
        let (copies, last) = (held.copies, held.last.take());
        if let (Some(clipboard), Some(last)) = (held.clipboard.as_mut(), last) {
            let on_clipboard = clipboard.get_text().ok();
            if to_clear(copies, copies, on_clipboard.as_deref(), &last) {
                let _ = clipboard.clear();
            }
        }
    }
}

#[cfg(windows)]
fn put(clipboard: &mut arboard::Clipboard, value: &str) -> Result<(), arboard::Error> {
    use arboard::SetExtWindows as _;
    clipboard.set().exclude_from_history().exclude_from_cloud().text(value)
}

#[cfg(all(unix, not(target_os = "macos")))]
fn put(clipboard: &mut arboard::Clipboard, value: &str) -> Result<(), arboard::Error> {
    use arboard::SetExtLinux as _;
    clipboard.set().exclude_from_history().text(value)
}

#[cfg(target_os = "macos")]
fn put(clipboard: &mut arboard::Clipboard, value: &str) -> Result<(), arboard::Error> {
    clipboard.set_text(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_last_copy_still_on_the_clipboard_is_taken_off() {
        assert!(to_clear(2, 2, Some("KJ0000000001"), "KJ0000000001"));
        assert!(!to_clear(3, 2, Some("KJ0000000001"), "KJ0000000001"), "copied again since: the later copy's time counts");
        assert!(!to_clear(2, 2, Some("staff's own text"), "KJ0000000001"), "staff copied something else: theirs stays");
        assert!(!to_clear(2, 2, None, "KJ0000000001"), "already empty");
    }
}
