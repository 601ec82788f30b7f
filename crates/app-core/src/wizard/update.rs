//! 設定 →「アプリの更新」 and the check at start: where to ask (an
//! operator's address, else the build's), through staff's proxy choice,
//! and installing only at rest.

use super::{lock, AppCore};
use crate::preflight::Check;
use crate::settings::check_update_endpoint;
use crate::updates::{may_install_now, update_check, UpdateChannel, UpdateOffer, UpdateSource};
use crate::{AppError, AppResult};
use kaigo_domain::ErrorCode;
use std::sync::Arc;

impl AppCore {
    fn update_source(&self) -> AppResult<(Arc<dyn UpdateChannel>, UpdateSource)> {
        let not_configured = || AppError::new(ErrorCode::UpdateNotConfigured);
        let channel = self.updates.clone().filter(|c| c.has_key()).ok_or_else(not_configured)?;
        let endpoint = lock(&self.settings).update_endpoint.clone().or_else(|| channel.built_in_endpoint()).ok_or_else(not_configured)?;
        // The build's address meets the same rule as an operator's.
        check_update_endpoint(&endpoint)?;
        let (_, network) = self.network_to(&endpoint)?;
        Ok((channel, UpdateSource { endpoint, network }))
    }

    /// Asks the update server for a newer version. The window asks at start
    /// and keeps quiet about a failure then; 設定 shows it.
    pub async fn check_update(&self) -> AppResult<Option<UpdateOffer>> {
        let (channel, source) = self.update_source()?;
        channel.check(&source).await
    }

    /// Installs `version`, the one staff agreed to, if no step is in
    /// progress: asked before the download (which may take minutes, the
    /// window free meanwhile) and again, the connection locked, before
    /// installing, so that nothing starts half-way through.
    pub async fn install_update(&self, version: &str) -> AppResult<()> {
        self.at_rest().await?;
        let (channel, source) = self.update_source()?;
        channel.download(&source, version).await?;
        let conn = self.conn.lock().await;
        may_install_now(conn.signed_in(), conn.open()).map_err(AppError::new)?;
        tracing::info!(version, "installing an update");
        let installed = channel.install_downloaded().await;
        drop(conn);
        installed
    }

    async fn at_rest(&self) -> AppResult<()> {
        let conn = self.conn.lock().await;
        may_install_now(conn.signed_in(), conn.open()).map_err(AppError::new)
    }

    pub(super) async fn update_preflight(&self) -> Option<Check> {
        update_check(&self.check_update().await)
    }
}
