//! 練習モード: the onboarding service, started inside the app on loopback
//! with a demo office, so staff can rehearse the whole of Step 3. It plugs
//! into the app core through its `Rehearsal` seam; the app core knows
//! nothing of the service.

pub mod class_host;

use kaigo_app_core::service_access::{ProvidedIdentity, Rehearsal, RehearsalSignIn, ServiceEndpoint};
use kaigo_app_core::{AppError, AppResult};
use kaigo_client::ServerTrust;
pub use kaigo_service::demo::P12_PASSWORD;
use kaigo_service::demo::{self, DemoFiles};
use kaigo_service::{Application, RunningService};
use secrecy::SecretString;
use std::path::PathBuf;

/// The practice service, running.
pub struct PracticeService {
    pub service: RunningService,
    pub files: DemoFiles,
}

impl PracticeService {
    /// Makes the demo office's files in `folder` (once; reused after) and
    /// serves them on a loopback port of the system's choosing.
    pub async fn start(folder: PathBuf) -> AppResult<PracticeService> {
        Self::start_at(folder, 0).await
    }

    /// The same on `port` of loopback when it is free (a restart keeps the
    /// address the app knows), else on one of the system's choosing.
    pub async fn start_at(folder: PathBuf, port: u16) -> AppResult<PracticeService> {
        let started = std::time::Instant::now();
        let files = demo::prepare(&folder).await.map_err(AppError::internal)?;
        let build = |port: u16| {
            let files = &files;
            async move {
                let config = demo::config(files, ([127, 0, 0, 1], port).into())?;
                Application::build(config, demo::clock()).await
            }
        };
        let app = match build(port).await {
            Err(e) if port != 0 => {
                tracing::warn!(error = %e, port, "practice service: its former port is taken");
                build(0).await
            }
            built => built,
        }
        .map_err(AppError::internal)?;
        let service = app.spawn();
        tracing::info!(elapsed_ms = started.elapsed().as_millis() as u64, "practice service started");
        Ok(PracticeService { service, files })
    }

    pub fn url(&self) -> String {
        self.service.url()
    }

    pub fn ca_pem(&self) -> AppResult<String> {
        Ok(std::fs::read_to_string(&self.files.ca_cert)?)
    }

    pub fn endpoint(&self) -> AppResult<ServiceEndpoint> {
        Ok(ServiceEndpoint { url: self.url(), trust: ServerTrust::CaPem(self.ca_pem()?) })
    }
}

/// 練習モード as the app core sees it: started on first use.
pub struct PracticeMode {
    folder: PathBuf,
    running: tokio::sync::Mutex<Option<PracticeService>>,
    /// The port it last ran on (0: none yet).
    port: std::sync::atomic::AtomicU16,
}

impl PracticeMode {
    /// `folder`: where the demo office's files are kept (the app's `practice` folder).
    pub fn new(folder: PathBuf) -> PracticeMode {
        PracticeMode { folder, running: tokio::sync::Mutex::new(None), port: Default::default() }
    }

    /// Stops the practice service (as if it had died); the next call that
    /// needs it starts it again, on the same port when it can, with its
    /// database — so sessions and the steps done are still there.
    pub async fn stop(&self) {
        if let Some(running) = self.running.lock().await.take() {
            running.service.shutdown().await;
        }
    }
}

/// The demo office's sign-in data, as the screen shows it.
pub fn sign_in() -> RehearsalSignIn {
    RehearsalSignIn {
        electronic_billing_id: demo::ELECTRONIC_BILLING_ID.to_owned(),
        password: demo::PASSWORD.to_owned(),
        security_code: demo::SECURITY_CODE.to_owned(),
        office_email: demo::OFFICE_EMAIL.to_owned(),
    }
}

#[async_trait::async_trait]
impl Rehearsal for PracticeMode {
    async fn reach(&self) -> AppResult<ServiceEndpoint> {
        let mut running = self.running.lock().await;
        if running.is_none() {
            let port = self.port.load(std::sync::atomic::Ordering::Relaxed);
            let started = PracticeService::start_at(self.folder.clone(), port).await?;
            self.port.store(started.service.addr.port(), std::sync::atomic::Ordering::Relaxed);
            *running = Some(started);
        }
        match running.as_ref() {
            Some(service) => service.endpoint(),
            None => Err(AppError::new(kaigo_domain::ErrorCode::ServiceUnavailable)),
        }
    }

    fn identity(&self) -> AppResult<Option<ProvidedIdentity>> {
        let pkcs12 = std::fs::read(DemoFiles::in_dir(&self.folder).client_p12)?;
        Ok(Some(ProvidedIdentity { pkcs12, password: SecretString::from(P12_PASSWORD) }))
    }

    fn sign_in(&self) -> RehearsalSignIn {
        sign_in()
    }
}
