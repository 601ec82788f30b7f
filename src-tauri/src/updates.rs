//! The updater the core asks (`kaigo_app_core::updates::UpdateChannel`),
//! over tauri-plugin-updater: it fetches the manifest, verifies the
//! downloaded file's minisign signature and the version signed with it
//! (`requireSignedVersion` in `tauri.conf.json`), refuses an older version,
//! and installs (on Windows by running our NSIS installer with
//! `/P /UPDATE /R /ARGS …`). This file only translates: the way out, the
//! plugin's errors into our codes.

use kaigo_app_core::updates::{UpdateChannel, UpdateOffer, UpdateSource};
use kaigo_app_core::{AppError, AppResult};
use kaigo_client::Network;
use kaigo_domain::ErrorCode;
use std::time::Duration;
use tauri::{AppHandle, Runtime};
use tauri_plugin_updater::{Error as UpdaterError, Update, UpdaterBuilder, UpdaterExt as _};

/// How long asking the update server may take: the check at start must
/// never hold the window up for long.
const CHECK_TIMEOUT: Duration = Duration::from_secs(15);
/// How long the download may take, on a slow office line.
const DOWNLOAD_TIMEOUT: Duration = Duration::from_secs(30 * 60);

/// The plugin's updater, for one app.
pub struct PluginUpdates<R: Runtime> {
    app: AppHandle<R>,
    /// The program file an update replaces where the update is a single
    /// program (an AppImage); `None`: the running one.
    program: Option<std::path::PathBuf>,
}

impl<R: Runtime> PluginUpdates<R> {
    pub fn new(app: AppHandle<R>) -> Self {
        PluginUpdates { app, program: None }
    }

    /// Updates `program` in place of the running one.
    pub fn for_program(mut self, program: std::path::PathBuf) -> Self {
        self.program = Some(program);
        self
    }

    fn configured(&self, name: &str) -> Option<serde_json::Value> {
        self.app.config().plugins.0.get("updater").and_then(|c| c.get(name)).cloned()
    }

    /// The plugin's builder for `source`: its endpoint, our way out.
    pub fn builder(&self, source: &UpdateSource) -> AppResult<UpdaterBuilder> {
        let endpoint = source.endpoint.parse().map_err(|_| AppError::new(ErrorCode::UpdateEndpointInvalid))?;
        let mut builder = self.app.updater_builder().endpoints(vec![endpoint]).map_err(refusal)?.timeout(CHECK_TIMEOUT);
        if let Some(program) = &self.program {
            builder = builder.executable_path(program);
        }
        Ok(match proxy_url(&source.network) {
            Some(proxy) => builder.proxy(proxy),
            None => builder.no_proxy(),
        })
    }

    /// The release the server offers, if newer than this version.
    pub async fn find(&self, source: &UpdateSource) -> AppResult<Option<Update>> {
        let updater = self.builder(source)?.build().map_err(refusal)?;
        updater.check().await.map_err(refusal)
    }

    /// `version`'s file, downloaded and verified (signature and signed
    /// version), not yet installed.
    pub async fn download(&self, source: &UpdateSource, version: &str) -> AppResult<(Update, Vec<u8>)> {
        let Some(mut update) = self.find(source).await? else { return Err(AppError::new(ErrorCode::UpdateVersionMismatch)) };
        if update.version != version {
            // What staff agreed to is no longer what is offered.
            return Err(AppError::new(ErrorCode::UpdateVersionMismatch));
        }
        update.timeout = Some(DOWNLOAD_TIMEOUT);
        let bytes = update.download(|_, _| {}, || {}).await.map_err(refusal)?;
        Ok((update, bytes))
    }
}

#[async_trait::async_trait]
impl<R: Runtime> UpdateChannel for PluginUpdates<R> {
    fn built_in_endpoint(&self) -> Option<String> {
        let endpoints = self.configured("endpoints")?;
        endpoints.as_array()?.first()?.as_str().map(str::to_owned)
    }

    fn has_key(&self) -> bool {
        self.configured("pubkey").and_then(|k| k.as_str().map(|k| !k.trim().is_empty())).unwrap_or(false)
    }

    async fn check(&self, source: &UpdateSource) -> AppResult<Option<UpdateOffer>> {
        Ok(self.find(source).await?.map(|update| UpdateOffer {
            notes: update.body.clone().filter(|n| !n.trim().is_empty()),
            date: update.raw_json.get("pub_date").and_then(|d| d.as_str()).map(str::to_owned),
            version: update.version,
            current_version: update.current_version,
        }))
    }

    async fn install(&self, source: &UpdateSource, version: &str) -> AppResult<()> {
        let (update, bytes) = self.download(source, version).await?;
        // Verified again before anything is written; on Windows this starts
        // the installer and ends the app.
        update.install(bytes).map_err(refusal)
    }
}

/// The proxy as the plugin's client takes it, credentials in the URL;
/// `None`: straight out (never the plugin's own reading of the system).
pub fn proxy_url(network: &Network) -> Option<url::Url> {
    let Network::Proxy { address, credentials } = network else { return None };
    let mut url = url::Url::parse(&address.url()).ok()?;
    if let Some(c) = credentials {
        url.set_username(&c.user).ok()?;
        url.set_password(Some(&c.password)).ok()?;
    }
    Some(url)
}

/// The plugin's error as staff are told it.
pub fn refusal(e: UpdaterError) -> AppError {
    use UpdaterError as E;
    let code = match &e {
        E::Minisign(_) | E::Base64(_) | E::SignatureUtf8(_) => ErrorCode::UpdateSignatureInvalid,
        E::SignedVersionMismatch { .. } | E::MissingSignedVersion => ErrorCode::UpdateVersionMismatch,
        E::Reqwest(_) | E::Network(_) | E::ReleaseNotFound => ErrorCode::UpdateUnreachable,
        E::Serialization(_) | E::Semver(_) | E::UrlParse(_) => ErrorCode::UpdateManifestInvalid,
        E::TargetNotFound(_) | E::TargetsNotFound(_) | E::UnsupportedArch | E::UnsupportedOs => ErrorCode::UpdateNotForThisPc,
        E::EmptyEndpoints | E::InsecureTransportProtocol => ErrorCode::UpdateEndpointInvalid,
        _ => ErrorCode::UpdateInstallFailed,
    };
    tracing::warn!(code = code.as_str(), error = %e, "update refused");
    AppError::new(code)
}
