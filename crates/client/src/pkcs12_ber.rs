//! PKCS#12 files in BER — indefinite lengths, OCTET STRINGs in pieces — as
//! Firefox and NSS's `pk12util` write them, re-encoded as DER for
//! p12-keystore, which reads DER only.
//!
//! No ASN.1 is read here by hand: RustCrypto's `der` reads the BER (its
//! `ber` rules) into the `pkcs12` and `cms` types — the same crates
//! p12-keystore is built on — and writes them back as DER. Re-encoded are
//! the layers NSS writes with indefinite lengths: the PFX, its
//! AuthenticatedSafe and each ContentInfo in it, whose OCTET STRINGs come
//! out whole. The SafeContents within, and all p12-keystore decrypts, are
//! passed on as they are (NSS writes them in DER; were they BER, p12-keystore
//! would refuse the file as before).
//!
//! The MAC covers the authenticated contents byte for byte, so once they are
//! re-encoded it no longer matches. The password is therefore checked by
//! p12-keystore on a first file, [`Reencoded::mac_check`]: the outer layer in
//! DER around the *original* contents with the original MAC. p12-keystore
//! verifies the MAC before it reads those contents: a wrong password fails
//! there as it does for any file (`MacError`); a right one passes and the
//! BER contents then fail as DER (`DerError`). Only then is the fully
//! re-encoded file, [`Reencoded::contents`], read — without a MAC, as
//! p12-keystore reads MAC-less files.

use cms::content_info::ContentInfo;
use cms::encrypted_data::EncryptedData;
use der::asn1::{ContextSpecific, ObjectIdentifier, OctetString};
use der::{Any, Decode, DecodeValue, Encode, FixedTag, Header, Reader, Sequence, Tag, TagNumber};
use pkcs12::pfx::{Pfx, Version};
use pkcs12::MacData;

/// PKCS#7 `data` and `encryptedData` (RFC 5652 §4, §8).
const ID_DATA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.7.1");
const ID_ENCRYPTED_DATA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.7.6");

/// A BER PKCS#12 file as the two DER files p12-keystore is given.
pub(crate) struct Reencoded {
    /// The outer layer in DER around the original authenticated contents,
    /// with the original MAC: checks the password.
    pub mac_check: Vec<u8>,
    /// Everything p12-keystore reads in DER, without the MAC, which no longer
    /// matches: to be read only once `mac_check` has passed the MAC.
    pub contents: Vec<u8>,
}

/// `PFX` (RFC 7292 §4) whose `authSafe` is read as `data`, so that a
/// constructed OCTET STRING comes out whole (`cms::ContentInfo` would keep
/// its pieces as they are, in an `Any`).
#[derive(Sequence)]
struct BerPfx {
    version: Version,
    auth_safe: DataContentInfo,
    mac_data: Option<MacData>,
}

/// `ContentInfo` of type `data`.
#[derive(Sequence)]
struct DataContentInfo {
    content_type: ObjectIdentifier,
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT")]
    content: OctetString,
}

/// One `ContentInfo` of the `AuthenticatedSafe` (RFC 7292 §4.1): plain or
/// password-encrypted. (Public-key `envelopedData` p12-keystore does not
/// read at all.)
enum SafeContentInfo {
    Data(OctetString),
    Encrypted(EncryptedData),
}

impl FixedTag for SafeContentInfo {
    const TAG: Tag = Tag::Sequence;
}

impl<'a> DecodeValue<'a> for SafeContentInfo {
    type Error = der::Error;

    fn decode_value<R: Reader<'a>>(reader: &mut R, _header: Header) -> der::Result<Self> {
        let content_type: ObjectIdentifier = reader.decode()?;
        let missing = || der::Error::from(der::ErrorKind::TagNumberInvalid);
        match content_type {
            ID_DATA => {
                let content = ContextSpecific::<OctetString>::decode_explicit(reader, TagNumber(0))?.ok_or_else(missing)?;
                Ok(Self::Data(content.value))
            }
            ID_ENCRYPTED_DATA => {
                let content = ContextSpecific::<EncryptedData>::decode_explicit(reader, TagNumber(0))?.ok_or_else(missing)?;
                Ok(Self::Encrypted(content.value))
            }
            oid => Err(der::ErrorKind::OidUnknown { oid }.into()),
        }
    }
}

impl SafeContentInfo {
    fn to_der_content_info(&self) -> der::Result<ContentInfo> {
        Ok(match self {
            Self::Data(safe_contents) => ContentInfo { content_type: ID_DATA, content: Any::encode_from(safe_contents)? },
            Self::Encrypted(data) => ContentInfo { content_type: ID_ENCRYPTED_DATA, content: Any::encode_from(data)? },
        })
    }
}

fn pfx_der(version: Version, auth_safe: impl Into<Box<[u8]>>, mac_data: Option<MacData>) -> der::Result<Vec<u8>> {
    let auth_safe = ContentInfo { content_type: ID_DATA, content: Any::encode_from(&OctetString::new(auth_safe.into())?)? };
    Pfx { version, auth_safe, mac_data }.to_der()
}

/// Reads `ber` as a BER-encoded PKCS#12 file; fails if it is not one.
pub(crate) fn reencode(ber: &[u8]) -> der::Result<Reencoded> {
    let pfx = BerPfx::from_ber(ber)?;
    if pfx.auth_safe.content_type != ID_DATA {
        // Public-key integrity (signedData): p12-keystore does not read it either.
        return Err(der::ErrorKind::OidUnknown { oid: pfx.auth_safe.content_type }.into());
    }
    let authenticated = pfx.auth_safe.content.into_bytes();
    let safes = Vec::<SafeContentInfo>::from_ber(&authenticated)?;
    let safes_der = safes.iter().map(SafeContentInfo::to_der_content_info).collect::<der::Result<Vec<_>>>()?.to_der()?;
    let mac_check = pfx_der(pfx.version, authenticated, pfx.mac_data)?;
    // p12-keystore reads this much as DER before the MAC, so a DER error
    // from it can only come from past the MAC.
    Pfx::from_der(&mac_check)?;
    Ok(Reencoded { contents: pfx_der(pfx.version, safes_der, None)?, mac_check })
}
