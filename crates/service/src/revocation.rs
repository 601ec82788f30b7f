//! Client certificates that must stop working (失効): a lost or stolen PC.
//!
//! Two sources, either enough: an operator's revocation in the database
//! (`offices::revoke`), asked at every call that needs a certificate, so it
//! holds at once on every instance sharing the database; and a CRL file from
//! the certificate authority, checked in the TLS handshake (rustls' own
//! verifier) and read again when the file changes, without a restart.

use anyhow::Context as _;
use rustls::client::danger::HandshakeSignatureValid;
use rustls::pki_types::{CertificateDer, CertificateRevocationListDer, UnixTime};
use rustls::server::danger::{ClientCertVerified, ClientCertVerifier};
use rustls::server::WebPkiClientVerifier;
use rustls::{DigitallySignedStruct, DistinguishedName, RootCertStore, SignatureScheme};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant, SystemTime};

/// How often, at most, the CRL file is looked at for a change: a handshake
/// costs far more than one look, but a burst of them need not each look.
const LOOK_INTERVAL: Duration = Duration::from_secs(1);

/// The CRLs in a file: PEM (one or more) or a single DER list.
pub fn read_crls(path: &Path) -> anyhow::Result<Vec<CertificateRevocationListDer<'static>>> {
    let bytes = std::fs::read(path).with_context(|| format!("reading the CRL {}", path.display()))?;
    if bytes.starts_with(b"-----BEGIN") {
        let crls = rustls_pemfile::crls(&mut bytes.as_slice()).collect::<Result<Vec<_>, _>>()?;
        anyhow::ensure!(!crls.is_empty(), "no CRL found in {}", path.display());
        Ok(crls)
    } else {
        Ok(vec![CertificateRevocationListDer::from(bytes)])
    }
}

/// The verifier of client certificates: the configured CA's, with the CRL
/// file's lists when one is given. A certificate that is sent must verify;
/// none at all is let through to the routes, which refuse it but for a
/// device's activation (3-4).
pub fn client_verifier(roots: Arc<RootCertStore>, crl: Option<&Path>) -> anyhow::Result<Arc<dyn ClientCertVerifier>> {
    match crl {
        None => Ok(build(roots, Vec::new())?),
        Some(path) => Ok(Arc::new(CrlVerifier::new(roots, path.to_owned())?)),
    }
}

fn build(roots: Arc<RootCertStore>, crls: Vec<CertificateRevocationListDer<'static>>) -> anyhow::Result<Arc<dyn ClientCertVerifier>> {
    let builder = WebPkiClientVerifier::builder_with_provider(roots, crate::tls::provider()).allow_unauthenticated();
    let builder = if crls.is_empty() {
        builder
    } else {
        // The list is the issuing CA's, of the certificates it issued:
        // intermediates (if any) are not in it, and not refused for that.
        builder.with_crls(crls).only_check_end_entity_revocation().allow_unknown_revocation_status()
    };
    Ok(builder.build()?)
}

/// Client certificates checked against a CRL file, read again when it
/// changes (replace it by renaming a finished copy over it). A file that
/// cannot be read keeps the lists last read (and says so in the log):
/// revocations are never dropped by a bad copy.
#[derive(Debug)]
struct CrlVerifier {
    roots: Arc<RootCertStore>,
    path: PathBuf,
    hints: Vec<DistinguishedName>,
    current: RwLock<Arc<dyn ClientCertVerifier>>,
    /// When the file was last looked at, and the stamp of the copy in force.
    looked: Mutex<(Instant, Option<Stamp>)>,
}

/// What tells one copy of the file from another without reading it.
type Stamp = (SystemTime, u64);

fn modified(path: &Path) -> Option<Stamp> {
    std::fs::metadata(path).and_then(|m| Ok((m.modified()?, m.len()))).ok()
}

impl CrlVerifier {
    fn new(roots: Arc<RootCertStore>, path: PathBuf) -> anyhow::Result<Self> {
        let stamp = modified(&path);
        let inner = build(roots.clone(), read_crls(&path)?)?;
        Ok(Self {
            hints: inner.root_hint_subjects().to_vec(),
            roots,
            current: RwLock::new(inner),
            looked: Mutex::new((Instant::now(), stamp)),
            path,
        })
    }

    fn verifier(&self) -> Arc<dyn ClientCertVerifier> {
        self.reload_if_changed();
        self.current.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    fn reload_if_changed(&self) {
        let mut looked = self.looked.lock().unwrap_or_else(|e| e.into_inner());
        if looked.0.elapsed() < LOOK_INTERVAL {
            return;
        }
        let stamp = modified(&self.path);
        looked.0 = Instant::now();
        if stamp == looked.1 {
            return;
        }
        match read_crls(&self.path).and_then(|crls| build(self.roots.clone(), crls)) {
            Ok(inner) => {
                *self.current.write().unwrap_or_else(|e| e.into_inner()) = inner;
                // A file still being written when it was read is read again
                // at the next look.
                if modified(&self.path) == stamp {
                    looked.1 = stamp;
                }
                tracing::info!(file = %self.path.display(), "client certificates: the CRL was read again");
            }
            // Not recorded: looked at again (and said again) each second
            // until a good copy is there.
            Err(e) => {
                tracing::error!(file = %self.path.display(), error = %e, "client certificates: the changed CRL could not be read; the lists read before stay in force");
            }
        }
    }
}

impl ClientCertVerifier for CrlVerifier {
    fn offer_client_auth(&self) -> bool {
        true
    }

    fn client_auth_mandatory(&self) -> bool {
        false
    }

    fn root_hint_subjects(&self) -> &[DistinguishedName] {
        &self.hints
    }

    fn verify_client_cert(
        &self, end_entity: &CertificateDer<'_>, intermediates: &[CertificateDer<'_>], now: UnixTime,
    ) -> Result<ClientCertVerified, rustls::Error> {
        self.verifier().verify_client_cert(end_entity, intermediates, now)
    }

    fn verify_tls12_signature(
        &self, message: &[u8], cert: &CertificateDer<'_>, dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.current.read().unwrap_or_else(|e| e.into_inner()).verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self, message: &[u8], cert: &CertificateDer<'_>, dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.current.read().unwrap_or_else(|e| e.into_inner()).verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.current.read().unwrap_or_else(|e| e.into_inner()).supported_verify_schemes()
    }
}
