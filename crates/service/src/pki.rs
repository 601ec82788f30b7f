//! Certificates for running the service: a certificate authority, the
//! server's own certificate, and the client certificates that prove offices
//! (minted as a password-protected PKCS#12 file plus PEM). Built on rcgen and
//! p12-keystore; nothing here parses or encrypts by hand.

use anyhow::Context as _;
use p12_keystore::{Certificate as P12Cert, KeyStore, KeyStoreEntry, PrivateKey, PrivateKeyChain};
use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, ExtendedKeyUsagePurpose, IsCa, KeyPair, KeyUsagePurpose, SanType,
};
use sha2::{Digest, Sha256};
use time::{Duration, OffsetDateTime};

/// A certificate authority able to sign server and client certificates.
pub struct CertificateAuthority {
    cert: rcgen::Certificate,
    key: KeyPair,
}

/// A certificate with its private key, as PEM.
#[derive(Clone)]
pub struct IssuedIdentity {
    pub cert_pem: String,
    pub key_pem: String,
    pub cert_der: Vec<u8>,
    pub not_after: OffsetDateTime,
}

impl IssuedIdentity {
    /// SHA-256 of the DER certificate: how the service recognises it.
    pub fn fingerprint(&self) -> String {
        fingerprint(&self.cert_der)
    }

    /// The identity as a PKCS#12 file (PBES2/AES-256, HMAC-SHA256), with the
    /// issuing CA in the chain, protected by `password`.
    pub fn to_pkcs12(&self, ca_pem: &str, password: &str, alias: &str) -> anyhow::Result<Vec<u8>> {
        let key_der = rustls_pemfile::private_key(&mut self.key_pem.as_bytes())?.context("no private key in PEM")?;
        let ca_der = rustls_pemfile::certs(&mut ca_pem.as_bytes()).next().context("no CA certificate")??;
        let chain = PrivateKeyChain::new(
            Sha256::digest(&self.cert_der).to_vec(),
            PrivateKey::from_der(key_der.secret_der())?,
            [P12Cert::from_der(&self.cert_der)?, P12Cert::from_der(ca_der.as_ref())?],
        );
        let mut store = KeyStore::new();
        store.add_entry(alias, KeyStoreEntry::PrivateKeyChain(chain));
        Ok(store.writer(password).write()?)
    }
}

pub fn fingerprint(der: &[u8]) -> String {
    hex::encode(Sha256::digest(der))
}

fn validity(params: &mut CertificateParams, now: OffsetDateTime, days: i64) {
    params.not_before = now - Duration::hours(1);
    params.not_after = now + Duration::days(days);
}

impl CertificateAuthority {
    pub fn create(common_name: &str, now: OffsetDateTime) -> anyhow::Result<Self> {
        let key = KeyPair::generate()?;
        let mut params = CertificateParams::default();
        let mut dn = DistinguishedName::new();
        dn.push(DnType::CommonName, common_name);
        dn.push(DnType::OrganizationName, "Kaigo Onboard");
        params.distinguished_name = dn;
        params.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
        params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign, KeyUsagePurpose::DigitalSignature];
        validity(&mut params, now, 365 * 10);
        let cert = params.self_signed(&key)?;
        Ok(Self { cert, key })
    }

    /// Loads a CA written by [`CertificateAuthority::cert_pem`] and `key_pem`.
    pub fn from_pem(cert_pem: &str, key_pem: &str) -> anyhow::Result<Self> {
        let key = KeyPair::from_pem(key_pem)?;
        let params = CertificateParams::from_ca_cert_pem(cert_pem)?;
        // Re-signing the same parameters with the same key gives a certificate
        // with the same subject and key, which is all that signing needs.
        let cert = params.self_signed(&key)?;
        Ok(Self { cert, key })
    }

    pub fn cert_pem(&self) -> String {
        self.cert.pem()
    }

    pub fn key_pem(&self) -> String {
        self.key.serialize_pem()
    }

    /// The service's TLS certificate for the given host names / IP addresses.
    pub fn issue_server(&self, hosts: &[&str], now: OffsetDateTime) -> anyhow::Result<IssuedIdentity> {
        let mut params = CertificateParams::new(hosts.iter().map(|h| h.to_string()).collect::<Vec<_>>())?;
        params.subject_alt_names = hosts
            .iter()
            .map(|h| match h.parse::<std::net::IpAddr>() {
                Ok(ip) => Ok(SanType::IpAddress(ip)),
                Err(_) => Ok(SanType::DnsName((*h).try_into()?)),
            })
            .collect::<Result<_, rcgen::Error>>()?;
        params.distinguished_name.push(DnType::CommonName, hosts.first().copied().unwrap_or("localhost"));
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
        params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
        validity(&mut params, now, 825);
        self.sign(params)
    }

    /// A client certificate proving an office (its 事業所番号 and name in the
    /// subject), valid from `not_before` to `not_after`.
    pub fn issue_office_client(
        &self, office_number: &str, office_name: &str, not_before: OffsetDateTime, not_after: OffsetDateTime,
    ) -> anyhow::Result<IssuedIdentity> {
        self.sign(office_client_params(office_number, office_name, not_before, not_after))
    }

    /// The same certificate for a key kept elsewhere — a smart card, the
    /// Windows key store — of which only the public half is given.
    pub fn issue_office_client_for(
        &self, subject_key: &impl rcgen::PublicKeyData, office_number: &str, office_name: &str, not_before: OffsetDateTime,
        not_after: OffsetDateTime,
    ) -> anyhow::Result<IssuedCertificate> {
        let cert = office_client_params(office_number, office_name, not_before, not_after).signed_by(subject_key, &self.cert, &self.key)?;
        Ok(IssuedCertificate { cert_pem: cert.pem(), cert_der: cert.der().to_vec(), not_after })
    }

    /// A certificate revocation list (CRL, PEM) naming `revoked` — DER
    /// certificates this CA issued — as revoked at `now` (key compromise:
    /// a lost or stolen PC), valid for `valid_days`.
    pub fn revocation_list(&self, revoked: &[&[u8]], crl_number: u64, now: OffsetDateTime, valid_days: i64) -> anyhow::Result<String> {
        let revoked_certs = revoked
            .iter()
            .map(|der| {
                let (_, cert) = x509_parser::parse_x509_certificate(der).context("a certificate to revoke")?;
                Ok(rcgen::RevokedCertParams {
                    serial_number: rcgen::SerialNumber::from_slice(cert.raw_serial()),
                    revocation_time: now,
                    reason_code: Some(rcgen::RevocationReason::KeyCompromise),
                    invalidity_date: None,
                })
            })
            .collect::<anyhow::Result<Vec<_>>>()?;
        let params = rcgen::CertificateRevocationListParams {
            this_update: now,
            next_update: now + Duration::days(valid_days),
            crl_number: rcgen::SerialNumber::from(crl_number),
            issuing_distribution_point: None,
            revoked_certs,
            key_identifier_method: rcgen::KeyIdMethod::Sha256,
        };
        Ok(params.signed_by(&self.cert, &self.key)?.pem()?)
    }

    fn sign(&self, params: CertificateParams) -> anyhow::Result<IssuedIdentity> {
        let key = KeyPair::generate()?;
        let not_after = params.not_after;
        let cert = params.signed_by(&key, &self.cert, &self.key)?;
        Ok(IssuedIdentity { cert_pem: cert.pem(), key_pem: key.serialize_pem(), cert_der: cert.der().to_vec(), not_after })
    }
}

fn office_client_params(
    office_number: &str, office_name: &str, not_before: OffsetDateTime, not_after: OffsetDateTime,
) -> CertificateParams {
    let mut params = CertificateParams::default();
    params.distinguished_name.push(DnType::CommonName, office_name);
    params.distinguished_name.push(DnType::OrganizationName, office_name);
    params.distinguished_name.push(DnType::CustomDnType(vec![2, 5, 4, 5]), office_number); // serialNumber
    params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ClientAuth];
    params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    params.not_before = not_before;
    params.not_after = not_after;
    params
}

/// A certificate whose key was made and is kept elsewhere.
#[derive(Debug, Clone)]
pub struct IssuedCertificate {
    pub cert_pem: String,
    pub cert_der: Vec<u8>,
    pub not_after: OffsetDateTime,
}

/// Subject and expiry of a PEM certificate (for registering one made elsewhere).
pub fn describe_certificate(cert_pem: &str) -> anyhow::Result<(String, Vec<u8>, OffsetDateTime)> {
    let der = rustls_pemfile::certs(&mut cert_pem.as_bytes()).next().context("no certificate in PEM")??;
    let (_, parsed) = x509_parser::parse_x509_certificate(der.as_ref()).map_err(|e| anyhow::anyhow!("certificate: {e}"))?;
    let subject = parsed.subject().to_string();
    let not_after = parsed.validity().not_after.to_datetime();
    Ok((subject, der.as_ref().to_vec(), not_after))
}
