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
use std::sync::Mutex;
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
    /// The verified download, until it is installed.
    downloaded: Mutex<Option<(Update, Vec<u8>)>>,
}

impl<R: Runtime> PluginUpdates<R> {
    pub fn new(app: AppHandle<R>) -> Self {
        PluginUpdates { app, program: None, downloaded: Mutex::new(None) }
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
        route(builder, &source.network)
    }

    /// The release the server offers, if newer than this version.
    pub async fn find(&self, source: &UpdateSource) -> AppResult<Option<Update>> {
        let updater = self.builder(source)?.build().map_err(refusal)?;
        updater.check().await.map_err(refusal)
    }

    /// `version`'s file, downloaded and verified (signature and signed
    /// version), not yet installed.
    pub async fn fetch(&self, source: &UpdateSource, version: &str) -> AppResult<(Update, Vec<u8>)> {
        // What staff agreed to is no longer what is offered.
        let changed = || AppError::new(ErrorCode::UpdateOfferChanged);
        let mut update = self.find(source).await?.ok_or_else(changed)?;
        if update.version != version {
            return Err(changed());
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

    async fn download(&self, source: &UpdateSource, version: &str) -> AppResult<()> {
        let downloaded = self.fetch(source, version).await?;
        *self.downloaded.lock().unwrap_or_else(|p| p.into_inner()) = Some(downloaded);
        Ok(())
    }

    async fn install_downloaded(&self) -> AppResult<()> {
        let taken = self.downloaded.lock().unwrap_or_else(|p| p.into_inner()).take();
        let (update, bytes) = taken.ok_or_else(|| AppError::new(ErrorCode::UpdateOfferChanged))?;
        // Verified again before anything is written. dpkg (through pkexec)
        // waits for the password, off the async workers; on Windows this
        // starts the installer and ends the app.
        let installed = tauri::async_runtime::spawn_blocking(move || update.install(bytes)).await.map_err(AppError::internal)?;
        installed.map_err(refusal)
    }
}

/// Staff's way out for the plugin's client: straight out (never the
/// plugin's own reading of the system), or the proxy with its credentials
/// given to the client, never written into a URL the plugin logs.
fn route(builder: UpdaterBuilder, network: &Network) -> AppResult<UpdaterBuilder> {
    let builder = builder.no_proxy();
    let Network::Proxy { address, credentials } = network else { return Ok(builder) };
    let mut proxy = reqwest::Proxy::all(address.url()).map_err(|_| AppError::new(ErrorCode::ProxyAddressInvalid))?;
    if let Some(c) = credentials {
        proxy = proxy.basic_auth(&c.user, &c.password);
    }
    Ok(builder.configure_client(move |client| client.proxy(proxy.clone())))
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
