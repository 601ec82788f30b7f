//! What a terminal's QR code holds (`ActivationLink`) and the exact bytes a
//! terminal signs (`terminal_link_message`).
//! Input: a scanned text; its lines also serve as a link's three fields.
#![no_main]

use kaigo_api::terminal::{terminal_link_message, ActivationLink};
use kaigo_domain::ActivationCode;
use libfuzzer_sys::fuzz_target;

const PREFIX: &[u8] = b"kaigo-onboard/terminal-link/v1\n";

fuzz_target!(|input: &str| {
    // A scanned link that reads writes back as a link that reads the same.
    if let Some(link) = ActivationLink::parse(input) {
        let uri = link.to_uri();
        assert_eq!(ActivationLink::parse(&uri).as_ref(), Some(&link), "{input:?} → {uri:?}");
        assert!(uri.starts_with("kaigo-onboard:activate?v=1&"), "{uri:?}");
    }

    // Any three fields make a link that reads back exactly (service URLs
    // with their own queries, IDs and codes of any text).
    let mut fields = input.splitn(3, '\n');
    let link = ActivationLink {
        service_url: fields.next().unwrap_or_default().to_owned(),
        terminal_id: fields.next().unwrap_or_default().to_owned(),
        code: fields.next().unwrap_or_default().to_owned(),
    };
    let uri = link.to_uri();
    assert!(uri.is_ascii() && !uri.contains([' ', '\n', '#']), "{uri:?} is not a plain URI");
    assert_eq!(ActivationLink::parse(&uri).as_ref(), Some(&link), "{uri:?}");
    // As the admin's screen makes it: the grouped code reads as the code.
    if let Ok(code) = ActivationCode::parse(&link.code) {
        let shown = ActivationLink { code: code.grouped(), ..link.clone() };
        let scanned = ActivationLink::parse(&shown.to_uri()).expect("reads");
        assert_eq!(ActivationCode::parse(&scanned.code).ok(), Some(code));
    }

    // The signed message: the purpose first, then the terminal and the
    // challenge, one per line, so that a signature for one (terminal,
    // challenge) is never one for another when neither holds a newline
    // (terminal IDs and base64 challenges do not).
    let (terminal_id, challenge) = (link.service_url.as_str(), link.terminal_id.as_str());
    let message = terminal_link_message(terminal_id, challenge);
    assert!(message.starts_with(PREFIX));
    let rest = std::str::from_utf8(&message[PREFIX.len()..]).expect("UTF-8");
    if !terminal_id.contains('\n') {
        assert_eq!(rest.split_once('\n'), Some((terminal_id, challenge)), "{message:?}");
    }
});
