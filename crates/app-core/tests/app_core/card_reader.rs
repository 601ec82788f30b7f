//! The card-reading test of 3-4, for real through PC/SC: vsmartcard's
//! virtual reader (vpcd, in a pcscd started by `scripts/virtual-card/
//! reader.sh`, whose port is in KAIGO_TEST_VPCD_PORT) with virtual cards
//! (`scripts/virtual-card/card.py`) put on and taken off by the test.

#![cfg(target_os = "linux")]

use kaigo_app_core::card_check::{check_card, CardOutcome};
use std::process::{Child, Command};
use std::time::{Duration, Instant};

fn vpcd_port() -> Option<String> {
    let port = std::env::var("KAIGO_TEST_VPCD_PORT").ok();
    if port.is_none() {
        crate::missing("the virtual card reader (KAIGO_TEST_VPCD_PORT)", "start scripts/virtual-card/reader.sh; scripts/test.sh does");
    }
    port
}

/// A virtual card on the reader until dropped.
struct Card(Child);

impl Card {
    fn put(port: &str, kind: &str) -> Card {
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/../../scripts/virtual-card/card.py");
        Card(Command::new("/usr/bin/python3").args([script, port, kind]).spawn().expect("card.py starts"))
    }
}

impl Drop for Card {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// The check once it answers `expected`; after 30 s the last answer with what
/// PC/SC itself saw and the end of pcscd's log, so that a failure says why: a
/// card takes a moment to be seen (or to be gone).
fn check_until(expected: CardOutcome) -> (kaigo_app_core::card_check::CardCheck, String) {
    let start = Instant::now();
    loop {
        let c = check_card();
        if c.outcome == expected {
            return (c, String::new());
        }
        if start.elapsed() > Duration::from_secs(30) {
            // Where scripts/virtual-card/reader.sh keeps it.
            let log = std::path::PathBuf::from("/tmp/kaigo-virtual-reader/pcscd.log");
            let log = std::fs::read_to_string(&log).unwrap_or_else(|e| format!("{}: {e}", log.display()));
            let tail: Vec<&str> = log.lines().rev().take(40).collect();
            let seen = kaigo_app_core::card_check::observe();
            let why = format!("PC/SC saw {seen:?}; pcscd's log ends:\n{}", tail.into_iter().rev().collect::<Vec<_>>().join("\n"));
            return (c, why);
        }
        std::thread::sleep(Duration::from_millis(200));
    }
}

#[test]
fn a_my_number_card_another_card_and_no_card_are_told_apart() {
    let Some(port) = vpcd_port() else { return };
    // pcscd lists the virtual reader a moment after it is started.
    let (empty, why) = check_until(CardOutcome::NoCard);
    assert_eq!(empty.outcome, CardOutcome::NoCard, "{empty:?}\n{why}");
    assert!(empty.reader.as_deref().is_some_and(|r| r.contains("Kaigo Virtual Reader")), "{empty:?}");
    assert!(empty.said.message.contains("カードリーダーにカードがありません"));

    let card = Card::put(&port, "mynumber");
    let (seen, why) = check_until(CardOutcome::MyNumberCard);
    assert_eq!(seen.outcome, CardOutcome::MyNumberCard, "{seen:?}\n{why}");
    assert!(seen.passed && seen.said.message.contains("読み取れました"));
    drop(card);
    let (gone, why) = check_until(CardOutcome::NoCard);
    assert_eq!(gone.outcome, CardOutcome::NoCard, "{gone:?}\n{why}");

    let card = Card::put(&port, "other");
    let (other, why) = check_until(CardOutcome::NotMyNumberCard);
    assert_eq!(other.outcome, CardOutcome::NotMyNumberCard, "{other:?}\n{why}");
    assert!(!other.passed && other.said.message.contains("マイナンバーカードではない"));
    drop(card);
    let (gone, why) = check_until(CardOutcome::NoCard);
    assert_eq!(gone.outcome, CardOutcome::NoCard, "{gone:?}\n{why}");
}

/// With no reader attached Windows stops its smart-card service, so the app
/// meets "no service"; here the PC/SC library is pointed at a daemon that is
/// not there, in a child process (the library reads the socket once).
#[test]
fn no_reader_is_told_as_such() {
    if std::env::var_os("KAIGO_CARD_CHILD").is_some() {
        let c = check_card();
        assert_eq!(c.outcome, CardOutcome::NoReader, "{c:?}");
        assert!(c.said.message.contains("カードリーダーが見つかりません"));
        return;
    }
    let child = Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "card_reader::no_reader_is_told_as_such", "--test-threads=1"])
        .env("KAIGO_CARD_CHILD", "1")
        .env("PCSCLITE_CSOCK_NAME", "/nonexistent/kaigo-no-pcscd.comm")
        .output()
        .unwrap();
    let out = String::from_utf8_lossy(&child.stdout);
    // The child must have run the check, not filtered it away.
    assert!(child.status.success() && out.contains("1 passed"), "the child's check: {out}");
}
