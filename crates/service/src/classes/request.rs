//! A seat's certificate signing request (PKCS#10): read and its signature
//! checked by rcgen over x509-parser, its key judged by the domain's rule.

use kaigo_domain::class::{request_key_acceptable, RequestKey};
use kaigo_domain::ErrorCode;
use sha2::{Digest, Sha256};
use x509_parser::oid_registry::{OID_EC_P256, OID_KEY_TYPE_EC_PUBLIC_KEY, OID_NIST_EC_P384, OID_PKCS1_RSAENCRYPTION, OID_SIG_ED25519};
use x509_parser::prelude::FromDer as _;

/// A request whose signature verifies and whose key is strong enough.
pub struct CheckedRequest {
    pub params: rcgen::CertificateSigningRequestParams,
    /// SHA-256 (hex) of the request's SubjectPublicKeyInfo: which PC asks.
    pub key_fingerprint: String,
}

/// Reads a PEM request, verifies its signature and judges its key.
pub fn check_request(pem: &str) -> Result<CheckedRequest, ErrorCode> {
    let der = match rustls_pemfile::csr(&mut pem.as_bytes()) {
        Ok(Some(der)) => der,
        _ => return Err(ErrorCode::CertificateRequestInvalid),
    };
    let (_, parsed) = x509_parser::certification_request::X509CertificationRequest::from_der(der.as_ref())
        .map_err(|_| ErrorCode::CertificateRequestInvalid)?;
    let spki = &parsed.certification_request_info.subject_pki;
    let key = key_of(spki);
    request_key_acceptable(key)?;
    let key_fingerprint = hex::encode(Sha256::digest(spki.raw));
    // rcgen verifies the request's signature with its own key.
    let params = rcgen::CertificateSigningRequestParams::from_der(&der).map_err(|_| ErrorCode::CertificateRequestInvalid)?;
    // rcgen takes the key's curve from the signature's algorithm (its issue
    // 448): a P-384 key signed with SHA-256, which RFC 5480 allows, would be
    // certified as a P-256 key, a certificate no one can use. Such a request
    // is refused rather than answered with a broken certificate.
    if !certifies_as_it_is(key, params.public_key.algorithm()) {
        return Err(ErrorCode::CertificateRequestInvalid);
    }
    Ok(CheckedRequest { params, key_fingerprint })
}

/// Whether rcgen would write the request's key as it is: the algorithm it
/// read is the one that goes with the key's own type and curve.
fn certifies_as_it_is(key: RequestKey, read_as: &rcgen::SignatureAlgorithm) -> bool {
    match key {
        RequestKey::EcdsaP256 => *read_as == rcgen::PKCS_ECDSA_P256_SHA256,
        RequestKey::EcdsaP384 => *read_as == rcgen::PKCS_ECDSA_P384_SHA384,
        RequestKey::Ed25519 => *read_as == rcgen::PKCS_ED25519,
        // An RSA key's description is the same whatever hash signs with it.
        RequestKey::Rsa { .. } => [&rcgen::PKCS_RSA_SHA256, &rcgen::PKCS_RSA_SHA384, &rcgen::PKCS_RSA_SHA512].contains(&read_as),
        RequestKey::Other => false,
    }
}

fn key_of(spki: &x509_parser::x509::SubjectPublicKeyInfo<'_>) -> RequestKey {
    let algorithm = &spki.algorithm.algorithm;
    if *algorithm == OID_PKCS1_RSAENCRYPTION {
        return match spki.parsed() {
            Ok(x509_parser::public_key::PublicKey::RSA(rsa)) => RequestKey::Rsa { bits: u32::try_from(rsa.key_size()).unwrap_or(0) },
            _ => RequestKey::Other,
        };
    }
    if *algorithm == OID_SIG_ED25519 {
        return RequestKey::Ed25519;
    }
    if *algorithm == OID_KEY_TYPE_EC_PUBLIC_KEY {
        let curve = spki.algorithm.parameters.as_ref().and_then(|p| p.as_oid().ok());
        return match curve {
            Some(c) if c == OID_EC_P256 => RequestKey::EcdsaP256,
            Some(c) if c == OID_NIST_EC_P384 => RequestKey::EcdsaP384,
            _ => RequestKey::Other,
        };
    }
    RequestKey::Other
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request_for(key: &rcgen::KeyPair) -> String {
        rcgen::CertificateParams::default().serialize_request(key).unwrap().pem().unwrap()
    }

    #[test]
    fn a_request_signed_by_its_own_key_is_read_with_its_keys_fingerprint() {
        let key = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).unwrap();
        let checked = check_request(&request_for(&key)).unwrap();
        let again = check_request(&request_for(&key)).unwrap();
        assert_eq!(checked.key_fingerprint, again.key_fingerprint, "the same key, the same PC");
        let other = rcgen::KeyPair::generate_for(&rcgen::PKCS_ED25519).unwrap();
        assert_ne!(check_request(&request_for(&other)).unwrap().key_fingerprint, checked.key_fingerprint);
    }

    #[test]
    fn a_request_whose_signature_does_not_verify_is_refused() {
        let key = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).unwrap();
        let pem = request_for(&key);
        let der = rustls_pemfile::csr(&mut pem.as_bytes()).unwrap().unwrap();
        let mut bytes = der.as_ref().to_vec();
        let last = bytes.len() - 3;
        bytes[last] ^= 0x01; // inside the signature
        use base64::Engine as _;
        let body = base64::engine::general_purpose::STANDARD.encode(bytes);
        let broken = format!("-----BEGIN CERTIFICATE REQUEST-----\n{body}\n-----END CERTIFICATE REQUEST-----\n");
        assert_eq!(check_request(&broken).err(), Some(ErrorCode::CertificateRequestInvalid));
        assert_eq!(check_request("not a request").err(), Some(ErrorCode::CertificateRequestInvalid));
    }

    #[test]
    fn a_p384_key_signed_with_sha256_is_refused_rather_than_certified_as_p256() {
        // Made by OpenSSL (`openssl req -new -key <P-384 key> -sha256`): rcgen
        // would read its key as P-256.
        let mixed = include_str!("../../tests/data/p384-sha256.csr.pem");
        assert_eq!(check_request(mixed).err(), Some(ErrorCode::CertificateRequestInvalid));
        // P-384 signed as its curve goes, and the other kinds, pass.
        for alg in [&rcgen::PKCS_ECDSA_P384_SHA384, &rcgen::PKCS_ECDSA_P256_SHA256, &rcgen::PKCS_ED25519] {
            let key = rcgen::KeyPair::generate_for(alg).unwrap();
            assert!(check_request(&request_for(&key)).is_ok(), "{alg:?}");
        }
    }

    #[test]
    fn a_request_for_a_weak_key_is_refused() {
        // A 1024-bit RSA request made by OpenSSL (no library here makes such keys).
        let weak = include_str!("../../tests/data/rsa1024.csr.pem");
        assert_eq!(check_request(weak).err(), Some(ErrorCode::CertificateRequestKeyWeak));
    }
}
