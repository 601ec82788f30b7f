//! Client of the onboarding API, used by the desktop app and the tests.
//!
//! Every call goes over HTTPS presenting the office's client certificate;
//! every refusal comes back as a [`ClientError`] carrying the domain's
//! [`ErrorCode`], whether the service answered with an error body or the TLS
//! handshake itself failed.

pub mod class;
mod diagnose;
mod error;
mod identity;
mod methods;
mod network;
mod pkcs12_ber;
mod trust;

pub use error::{ClientError, Unreached};
pub use identity::{describe, public_key_kind, CertificateInfo, ClientIdentity, PublicKeyKind};
pub use kaigo_domain::ErrorCode;
pub use methods::{OnboardingClient, Registration};
pub use network::{Network, ProxyCredentials};
/// For platform certificate stores that sign with keys they keep.
pub use rustls;
pub use trust::ServerTrust;
