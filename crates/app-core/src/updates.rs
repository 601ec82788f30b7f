//! 更新: new versions of the app from the publisher's update server (or an
//! operator's own), installed only when staff agree and no step is in
//! progress. Finding a release, checking its minisign signature and
//! installing it are tauri-plugin-updater's, plugged in by the shell as an
//! [`UpdateChannel`]; where to ask, when installing may happen and what
//! staff are told are decided here.

use crate::catalogue::Text;
use crate::preflight::{Check, CheckStatus};
use crate::wizard::plan::{OpenInThisRun, SignedIn};
use crate::AppResult;
use kaigo_client::Network;
use kaigo_domain::{ErrorCode, Policy};
use serde::Serialize;

/// A newer version the update server offers. Its file's signature is not
/// checked yet: that happens when it is downloaded, before anything is
/// installed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UpdateOffer {
    pub version: String,
    pub current_version: String,
    /// What is new, as the publisher wrote it for staff.
    pub notes: Option<String>,
    /// When it was published (RFC 3339), if the server says.
    pub date: Option<String>,
}

/// Where to ask, and the way out to it (staff's 「プロキシ」 choice).
#[derive(Debug, Clone)]
pub struct UpdateSource {
    pub endpoint: String,
    pub network: Network,
}

/// The updater the shell plugs in.
#[async_trait::async_trait]
pub trait UpdateChannel: Send + Sync {
    /// The update server named when the app was built, if any.
    fn built_in_endpoint(&self) -> Option<String>;
    /// Whether the build carries the publisher's public key: without it no
    /// update can be verified, so none is looked for.
    fn has_key(&self) -> bool;
    /// Asks `source` for a version newer than this one.
    async fn check(&self, source: &UpdateSource) -> AppResult<Option<UpdateOffer>>;
    /// Downloads `version` and verifies its signature and signed version
    /// against the build's key; keeps it for [`Self::install_downloaded`].
    async fn download(&self, source: &UpdateSource, version: &str) -> AppResult<()>;
    /// Installs what was downloaded (verified again first). On Windows the
    /// installer takes over and the app ends; elsewhere the caller restarts it.
    async fn install_downloaded(&self) -> AppResult<()>;
}

/// Whether an update may be installed now. Sessions live only as long as
/// the app, so installing while one is live (or a step waits for a code or
/// a confirmation) would throw staff back to a login: it waits.
pub fn may_install_now(signed_in: SignedIn, open: OpenInThisRun) -> Result<(), ErrorCode> {
    if signed_in == SignedIn::default() && open == OpenInThisRun::default() {
        Ok(())
    } else {
        Err(ErrorCode::UpdateWaitsForStep)
    }
}

/// The pre-flight check's line for updates: an offer is worth knowing;
/// the update server never stops the procedure, and no answer is no line.
pub fn update_check(found: &AppResult<Option<UpdateOffer>>) -> Option<Check> {
    let policy = Policy::default();
    let (status, said) = match found {
        Ok(Some(offer)) => (CheckStatus::Warning, Text::CheckUpdateAvailable.said(&policy, &[("version", &offer.version)])),
        Ok(None) => (CheckStatus::Ok, Text::CheckUpdateCurrent.said(&policy, &[])),
        // Nothing to say when there is nothing to ask, or no answer (offline).
        Err(e) if matches!(e.code(), ErrorCode::UpdateNotConfigured | ErrorCode::UpdateUnreachable) => return None,
        Err(e) => (CheckStatus::Warning, crate::catalogue::Said { message: e.0.message.clone(), message_en: e.0.message_en.clone() }),
    };
    Some(Check::new("update", status, said))
}
