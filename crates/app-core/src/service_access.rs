//! Where the onboarding service is, how to trust it, and how to prove to it:
//! the one seam between the wizard and the ways of reaching a service — the
//! real one named in the settings, 練習モード (a service the app starts
//! for itself, plugged in by the app's composition root), and whatever
//! comes next (研修モード). The wizard never knows which it talks to.

use crate::AppResult;
use kaigo_client::ServerTrust;
use secrecy::SecretString;
use serde::Serialize;

/// Where to connect and what to trust there.
#[derive(Debug, Clone)]
pub struct ServiceEndpoint {
    pub url: String,
    pub trust: ServerTrust,
}

/// An office identity a way of reaching a service brings with it (the
/// practice office's certificate): offered in the certificate list like
/// one staff imported.
pub struct ProvidedIdentity {
    pub pkcs12: Vec<u8>,
    pub password: SecretString,
}

/// What the screen tells staff to type in a rehearsal (練習用の事業所).
#[derive(Debug, Clone, Serialize, serde::Deserialize, PartialEq, Eq)]
pub struct RehearsalSignIn {
    pub electronic_billing_id: String,
    pub password: String,
    pub security_code: String,
    pub office_email: String,
}

/// A way of reaching a service the app runs for staff to rehearse with.
#[async_trait::async_trait]
pub trait Rehearsal: Send + Sync {
    /// Brings the service within reach (the first call may start it; later
    /// ones answer at once) and says where it is.
    async fn reach(&self) -> AppResult<ServiceEndpoint>;

    /// The office identity to offer, once the service is within reach.
    fn identity(&self) -> AppResult<Option<ProvidedIdentity>>;

    /// The rehearsal office's sign-in data.
    fn sign_in(&self) -> RehearsalSignIn;
}
