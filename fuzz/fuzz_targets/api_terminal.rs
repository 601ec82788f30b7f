//! The request bodies of 3-4 as the service reads them: arbitrary bytes
//! through serde_json into `TerminalIssueRequest`, `ActivationRedeemRequest`
//! and `TerminalProofRequest`, then the checks the service runs
//! (crates/service/src/onboarding/terminals.rs), with the key and signature
//! read by the same kaigo_api functions it uses.
#![no_main]

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine as _;
use ed25519_dalek::{Signer, SigningKey, Verifier};
use kaigo_api::terminal::{
    parse_terminal_public_key as parse_public_key, parse_terminal_signature, terminal_link_message, ActivationRedeemRequest,
    TerminalIssueRequest, TerminalProofRequest,
};
use kaigo_domain::terminal::TerminalKind;
use kaigo_domain::{ActivationCode, ErrorCode, TerminalName};
use kaigo_fuzz::check_json_round_trip;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // POST /v1/terminals
    if let Ok(req) = serde_json::from_slice::<TerminalIssueRequest>(data) {
        check_json_round_trip(&req);
        assert_eq!(TerminalKind::parse(req.kind.as_str()), Ok(req.kind));
        match TerminalName::parse(&req.name) {
            Ok(name) => assert_eq!(TerminalName::parse(name.as_str()).as_ref(), Ok(&name)),
            Err(code) => assert_eq!(code, ErrorCode::TerminalNameInvalid),
        }
    }

    // POST /v1/terminal-activations
    if let Ok(req) = serde_json::from_slice::<ActivationRedeemRequest>(data) {
        check_json_round_trip(&req);
        match ActivationCode::parse(&req.activation_code) {
            Ok(code) => assert_eq!(ActivationCode::parse(&code.grouped()).as_ref(), Ok(&code)),
            Err(code) => assert_eq!(code, ErrorCode::ActivationCodeInvalid),
        }
        match parse_public_key(&req.public_key) {
            // A key that reads is the canonical encoding of 32 bytes (the
            // service stores the trimmed text and reads it again at the proof).
            Ok(key) => {
                assert_eq!(B64.encode(key.as_bytes()), req.public_key.trim());
                assert_eq!(parse_public_key(req.public_key.trim()), Ok(key));
                assert!(!key.is_weak());
            }
            Err(code) => assert_eq!(code, ErrorCode::TerminalKeyInvalid),
        }
        // A device that made its key pair from these bytes, redeemed it and
        // signed its challenge is linked: the whole path of 3-4 by the wire
        // formats (base64 key, base64 challenge, base64 signature).
        let mut seed = [0u8; 32];
        seed.iter_mut().zip(data.iter().rev()).for_each(|(s, d)| *s = *d);
        let device = SigningKey::from_bytes(&seed);
        let public_key = B64.encode(device.verifying_key().as_bytes());
        let key = parse_public_key(&public_key).expect("a device's own key reads");
        let challenge = B64.encode(&data[..data.len().min(32)]);
        let message = terminal_link_message(&req.terminal_id, &challenge);
        let signature = B64.encode(device.sign(&message).to_bytes());
        let read = parse_terminal_signature(&signature).expect("a signature reads");
        assert!(key.verify(&message, &read).is_ok(), "a device's own signature is refused");
        // Signed for another terminal, it is refused.
        let other = terminal_link_message(&format!("{}x", req.terminal_id), &challenge);
        assert!(key.verify(&other, &read).is_err(), "a signature for one terminal links another");
    }

    // POST /v1/terminal-activations/{id}/proof
    if let Ok(req) = serde_json::from_slice::<TerminalProofRequest>(data) {
        check_json_round_trip(&req);
        let parsed = parse_terminal_signature(&req.signature);
        if let Err(code) = parsed {
            assert_eq!(code, ErrorCode::TerminalSignatureInvalid);
        }
        if let Ok(sig) = parsed {
            assert_eq!(sig.to_bytes().len(), 64);
            // Nobody but the device signs for it.
            let device = SigningKey::from_bytes(&[7; 32]);
            let message = terminal_link_message("t-1", "Y2hhbGxlbmdl");
            if device.verifying_key().verify(&message, &sig).is_ok() {
                assert_eq!(sig, device.sign(&message), "a second valid signature without the key");
            }
        }
    }
});
