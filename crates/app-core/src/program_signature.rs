//! Is the running program the one we signed? On Windows, WinTrust's answer
//! (Authenticode, as Explorer's 「デジタル署名」 tab and Smart App Control
//! read it), through `codesign-verify`; elsewhere the package manager
//! vouches for the program and nothing is checked here.

use serde::Serialize;

/// What Windows says of a program's signature.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ProgramSignature {
    /// Signed, unchanged, by a publisher Windows trusts.
    Trusted {
        publisher: String,
    },
    Unsigned,
    /// Changed since it was signed.
    Altered,
    /// Signed and unchanged, but the publisher's certificate does not chain
    /// to a root Windows trusts (a test signature, or an expired one).
    PublisherUnknown,
    /// Another answer of WinTrust (its code).
    NotVerified {
        code: i32,
    },
    /// Not a Windows program: nothing to check.
    NotChecked,
}

// WinTrust's answers (winerror.h).
const TRUST_E_NOSIGNATURE: u32 = 0x800B_0100;
const TRUST_E_BAD_DIGEST: u32 = 0x8009_6010;
const CERT_E_UNTRUSTEDROOT: u32 = 0x800B_0109;
const CERT_E_CHAINING: u32 = 0x800B_010A;
const CERT_E_EXPIRED: u32 = 0x800B_0101;
const CERT_E_UNTRUSTEDTESTROOT: u32 = 0x800B_010D;
const TRUST_E_EXPLICIT_DISTRUST: u32 = 0x800B_0111;

/// WinTrust's failure code as a finding.
pub fn from_wintrust_code(code: i32) -> ProgramSignature {
    match code as u32 {
        TRUST_E_NOSIGNATURE => ProgramSignature::Unsigned,
        TRUST_E_BAD_DIGEST => ProgramSignature::Altered,
        CERT_E_UNTRUSTEDROOT | CERT_E_CHAINING | CERT_E_EXPIRED | CERT_E_UNTRUSTEDTESTROOT | TRUST_E_EXPLICIT_DISTRUST => {
            ProgramSignature::PublisherUnknown
        }
        _ => ProgramSignature::NotVerified { code },
    }
}

/// The signature of the program file at `path`.
#[cfg(windows)]
pub fn of_file(path: &std::path::Path) -> ProgramSignature {
    use codesign_verify::{CodeSignVerifier, Error};
    let verified = CodeSignVerifier::for_file(path).and_then(CodeSignVerifier::verify);
    match verified {
        Ok(context) => {
            let subject = context.subject_name();
            let publisher = subject.organization.or(subject.common_name).unwrap_or_default();
            ProgramSignature::Trusted { publisher }
        }
        Err(Error::Unsigned) => ProgramSignature::Unsigned,
        Err(Error::OsError(code)) => from_wintrust_code(code),
        Err(Error::IoError(e)) => from_wintrust_code(e.raw_os_error().unwrap_or_default()),
        Err(_) => ProgramSignature::NotVerified { code: 0 },
    }
}

/// The running program's signature.
pub fn running_program() -> ProgramSignature {
    #[cfg(windows)]
    {
        match std::env::current_exe() {
            Ok(exe) => of_file(&exe),
            Err(_) => ProgramSignature::NotVerified { code: 0 },
        }
    }
    #[cfg(not(windows))]
    {
        ProgramSignature::NotChecked
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wintrust_codes_read_as_findings() {
        assert_eq!(from_wintrust_code(0x800B_0100_u32 as i32), ProgramSignature::Unsigned);
        assert_eq!(from_wintrust_code(0x8009_6010_u32 as i32), ProgramSignature::Altered);
        assert_eq!(from_wintrust_code(0x800B_0109_u32 as i32), ProgramSignature::PublisherUnknown);
        assert_eq!(from_wintrust_code(5), ProgramSignature::NotVerified { code: 5 });
    }

    /// WinTrust itself (Wine's in the suite): the test program is unsigned;
    /// Microsoft's WebView2 loader is signed, and one changed byte of it is
    /// an altered file.
    #[cfg(windows)]
    #[test]
    fn wintrust_tells_unsigned_signed_and_altered_apart() {
        assert_eq!(running_program(), ProgramSignature::Unsigned);
        let exe = std::env::current_exe().unwrap_or_default();
        let loader = exe.parent().and_then(|deps| deps.parent()).map(|d| d.join("WebView2Loader.dll")).unwrap_or_default();
        let signed = of_file(&loader);
        assert!(
            matches!(signed, ProgramSignature::Trusted { .. } | ProgramSignature::PublisherUnknown),
            "{}: {signed:?}",
            loader.display()
        );
        let mut bytes = std::fs::read(&loader).unwrap_or_default();
        let middle = bytes.len() / 2;
        bytes[middle] ^= 1;
        let altered = std::env::temp_dir().join(format!("kaigo-altered-{}.dll", std::process::id()));
        std::fs::write(&altered, &bytes).unwrap_or_default();
        assert_eq!(of_file(&altered), ProgramSignature::Altered);
        let _ = std::fs::remove_file(&altered);
    }
}
