//! One password try at a time per account in this instance.
//!
//! A try is counted as a failure before its password is hashed (see
//! `store::claim_login_try`), so that guesses sent at once cannot all pass
//! the gate on the same count. Were two tries of one account hashed side by
//! side, the second would be judged while the first still counted as a
//! failure: a right password sent twice at once could meet a lock that
//! nobody earned. So the tries of one account take turns — each judged on
//! what the one before it left — and a burst costs one hash after another,
//! ~15 ms each. Across instances sharing one database the claim alone keeps
//! the count exact; there a try judged while another instance's try of the
//! same account is being hashed meets that try as a failure (rare: the same
//! account at two instances within the same ~15 ms).

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError, Weak};
use tokio::sync::OwnedMutexGuard;

/// The accounts whose tries are under way, by account row.
#[derive(Clone, Default)]
pub struct PasswordTurns(Arc<Mutex<HashMap<String, Weak<tokio::sync::Mutex<()>>>>>);

impl PasswordTurns {
    /// Waits for the turn of account row `key`; the turn ends when the
    /// guard is dropped.
    pub async fn turn(&self, key: &str) -> OwnedMutexGuard<()> {
        let lock = {
            let mut map = self.0.lock().unwrap_or_else(PoisonError::into_inner);
            match map.get(key).and_then(Weak::upgrade) {
                Some(lock) => lock,
                None => {
                    // Forget the accounts nobody is trying any more.
                    if map.len() >= 64 {
                        map.retain(|_, w| w.strong_count() > 0);
                    }
                    let lock = Arc::new(tokio::sync::Mutex::new(()));
                    map.insert(key.to_owned(), Arc::downgrade(&lock));
                    lock
                }
            }
        };
        lock.lock_owned().await
    }

    #[cfg(test)]
    fn accounts(&self) -> usize {
        self.0.lock().unwrap_or_else(PoisonError::into_inner).len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[tokio::test]
    async fn tries_of_one_account_take_turns_and_other_accounts_do_not_wait() {
        let turns = PasswordTurns::default();
        let first = turns.turn("office-1").await;
        let waiting = tokio::spawn({
            let turns = turns.clone();
            async move { turns.turn("office-1").await }
        });
        tokio::time::sleep(Duration::from_millis(50)).await;
        assert!(!waiting.is_finished(), "a second try of the same account did not wait");
        let other = tokio::time::timeout(Duration::from_secs(1), turns.turn("office-2")).await;
        assert!(other.is_ok(), "another account waited");
        drop(first);
        let second = tokio::time::timeout(Duration::from_secs(1), waiting).await.expect("the turn passes on").unwrap();
        drop((second, other));
    }

    #[tokio::test]
    async fn accounts_no_longer_tried_are_forgotten() {
        let turns = PasswordTurns::default();
        for i in 0..200 {
            drop(turns.turn(&format!("user-{i}")).await);
        }
        assert!(turns.accounts() <= 64, "{} accounts kept", turns.accounts());
    }
}
