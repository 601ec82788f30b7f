//! The OS keychain itself (Secret Service on Linux, Credential Manager on
//! Windows): what the wizard keeps there comes back, "no entry" reads as
//! nothing, and the pre-flight finds it working. The wizard's own tests use
//! a keychain in memory; this one needs the real one, which the full suite
//! provides (`scripts/test.sh`: a private D-Bus session with gnome-keyring,
//! Wine's Credential Manager). Without one it is skipped, with a notice,
//! unless KAIGO_FULL_SUITE is set.
#![allow(clippy::unwrap_used)] // tests: failing loudly is right

use kaigo_app_core::keychain::{Keychain, SecretStore};
use kaigo_app_core::preflight::{keychain_check, CheckStatus};
use secrecy::{ExposeSecret, SecretString};

/// A keychain of this test's own, or `None` (and a notice) where there is none.
fn os_keychain() -> Option<Keychain> {
    let keychain = Keychain::new(&format!("jp.kaigo-onboard.test-{}", uuid::Uuid::new_v4().simple()));
    match keychain.set("probe", &SecretString::from("probe")) {
        Ok(()) => Some(keychain),
        Err(e) => {
            crate::missing("the OS keychain", &format!("{e}; scripts/test.sh provides one"));
            None
        }
    }
}

#[test]
fn what_the_wizard_keeps_comes_back_and_a_missing_entry_reads_as_nothing() {
    let Some(keychain) = os_keychain() else { return };
    // A terminal's private key is the longest secret kept; a password may be Japanese by mistake.
    let key = SecretString::from("k".repeat(200));
    keychain.set("terminal-key:test", &key).unwrap();
    keychain.set("office-password:KJ0000000001", &SecretString::from("パスワード-2026")).unwrap();
    assert_eq!(keychain.get("terminal-key:test").unwrap().unwrap().expose_secret(), key.expose_secret());
    assert_eq!(keychain.get("office-password:KJ0000000001").unwrap().unwrap().expose_secret(), "パスワード-2026");
    // Written again, the entry is replaced, not doubled.
    keychain.set("office-password:KJ0000000001", &SecretString::from("Demo-pass-2026")).unwrap();
    assert_eq!(keychain.get("office-password:KJ0000000001").unwrap().unwrap().expose_secret(), "Demo-pass-2026");
    for entry in ["terminal-key:test", "office-password:KJ0000000001", "probe"] {
        keychain.delete(entry).unwrap();
        assert!(keychain.get(entry).unwrap().is_none(), "{entry} is gone");
    }
    keychain.delete("never-written").unwrap();
    assert!(keychain.get("never-written").unwrap().is_none());
    assert_eq!(keychain_check(&keychain).status, CheckStatus::Ok);
}
