//! The Step-3 wizard: every action the UI can take, one file per step.
//! Each action loads what it needs, asks [`plan`] (pure decisions) or the
//! domain's rules, then calls the service, the keychain and the files.
//! Tokens live in memory only; what must survive a restart is in
//! [`Progress`] (nothing secret) or in the keychain.

mod admin;
mod certificate;
mod fields;
mod office;
pub mod plan;
mod terminal;
mod user;

pub use admin::{RegistrationReview, ReviewRow};
pub use fields::check_field;
pub use terminal::DeviceActivation;
pub use user::UserLoginView;

use crate::certificates::{AppStore, Certificates};
use crate::keychain::SecretStore;
use crate::paths::AppPaths;
#[cfg(feature = "practice")]
use crate::practice::{PracticeInfo, PracticeService, INFO};
use crate::progress::{Progress, Step};
use crate::settings::{ServiceSetting, Settings};
use crate::{AppError, AppResult};
use kaigo_api::service::MailboxMessage;
use kaigo_client::{OnboardingClient, ServerTrust};
use kaigo_domain::{ErrorCode, Policy};
use plan::{Notice, Screen, SignedIn};
use secrecy::SecretString;
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use time::OffsetDateTime;

/// The time as the app reads it; tests pass a clock of their own.
pub type Clock = Arc<dyn Fn() -> OffsetDateTime + Send + Sync>;

/// Tokens and open logins of this run; gone when the app closes.
#[derive(Default)]
struct Connection {
    client: Option<OnboardingClient>,
    office_challenge: Option<String>,
    office_token: Option<SecretString>,
    /// The admin's open login: challenge id and user ID.
    user_challenge: Option<(String, String)>,
    user_token: Option<SecretString>,
    /// The password the admin logged in with, kept (in memory, for this
    /// run only) for the forced change, so the page never holds it.
    admin_password: Option<SecretString>,
    must_change_password: bool,
}

impl Connection {
    fn signed_in(&self) -> SignedIn {
        SignedIn { office: self.office_token.is_some(), admin: self.user_token.is_some(), must_change_password: self.must_change_password }
    }
}

/// A notice with its words.
#[derive(Debug, Clone, Serialize)]
pub struct NoticeView {
    pub code: Notice,
    pub message: &'static str,
    pub message_en: &'static str,
}

/// What the UI needs to draw: which screen, what to tell staff, and the
/// words that state the numbers of the policy in force.
#[derive(Debug, Clone, Serialize)]
pub struct AppStatus {
    pub step: Step,
    pub screen: Screen,
    pub notice: Option<NoticeView>,
    pub texts: BTreeMap<&'static str, String>,
    pub progress: Progress,
    pub settings: Settings,
    /// The demo office's sign-in data, in practice mode.
    #[cfg(feature = "practice")]
    pub practice: Option<PracticeInfo>,
}

pub struct AppCore {
    paths: AppPaths,
    secrets: Arc<dyn SecretStore>,
    certificates: Certificates,
    settings: Mutex<Settings>,
    progress: Mutex<Progress>,
    /// The policy of the service in use, as it states it on connecting.
    policy: Mutex<Policy>,
    conn: tokio::sync::Mutex<Connection>,
    #[cfg(feature = "practice")]
    practice: tokio::sync::Mutex<Option<PracticeService>>,
    clock: Clock,
}

#[allow(clippy::disallowed_methods)] // the app's one read of the wall clock
fn wall_clock() -> OffsetDateTime {
    OffsetDateTime::now_utc()
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl AppCore {
    pub fn new(paths: AppPaths, secrets: Arc<dyn SecretStore>) -> AppCore {
        Self::with_clock(paths, secrets, Arc::new(wall_clock))
    }

    pub fn with_clock(paths: AppPaths, secrets: Arc<dyn SecretStore>, clock: Clock) -> AppCore {
        let settings = Settings::load(&paths.settings());
        let progress = Progress::load(&paths.progress());
        AppCore {
            certificates: Certificates::for_platform(AppStore::new(paths.certificates(), secrets.clone()), paths.home()),
            paths,
            secrets,
            settings: Mutex::new(settings),
            progress: Mutex::new(progress),
            policy: Mutex::new(Policy::default()),
            conn: tokio::sync::Mutex::new(Connection::default()),
            #[cfg(feature = "practice")]
            practice: tokio::sync::Mutex::new(None),
            clock,
        }
    }

    pub fn paths(&self) -> &AppPaths {
        &self.paths
    }

    fn now(&self) -> OffsetDateTime {
        (self.clock)()
    }

    fn update_progress(&self, f: impl FnOnce(&mut Progress)) -> AppResult<Progress> {
        let mut p = lock(&self.progress);
        f(&mut p);
        p.save(&self.paths.progress())?;
        Ok(p.clone())
    }

    fn is_practice(&self) -> bool {
        lock(&self.settings).service == ServiceSetting::Practice
    }

    pub async fn status(&self) -> AppStatus {
        let signed_in = self.conn.lock().await.signed_in();
        let progress = lock(&self.progress).clone();
        let (screen, notice) = plan::resume_screen(progress.step, signed_in);
        // Each lock taken and let go on its own: a guard kept alive to the
        // end of the struct expression would deadlock the next one.
        let settings = lock(&self.settings).clone();
        let texts = crate::texts::screen_texts(&lock(&self.policy), settings.language);
        AppStatus {
            step: progress.step,
            screen,
            notice: notice.map(|code| NoticeView { code, message: code.message(), message_en: code.message_en() }),
            texts,
            #[cfg(feature = "practice")]
            practice: self.is_practice().then_some(INFO),
            settings,
            progress,
        }
    }

    // ---- the service ----

    /// Starts the practice service if needed; returns where to connect.
    async fn service(&self) -> AppResult<(String, ServerTrust)> {
        let setting = lock(&self.settings).service.clone();
        match setting {
            ServiceSetting::Remote { url, ca_pem } => Ok((url, ca_pem.map(ServerTrust::CaPem).unwrap_or(ServerTrust::PublicRoots))),
            ServiceSetting::Practice => self.practice_service().await,
        }
    }

    #[cfg(feature = "practice")]
    async fn practice_service(&self) -> AppResult<(String, ServerTrust)> {
        let mut practice = self.practice.lock().await;
        if practice.is_none() {
            let started = PracticeService::start(&self.paths).await?;
            // The demo office's certificate is there to be chosen.
            let p12 = std::fs::read(&started.files.client_p12)?;
            self.certificates.app_store().import(&p12, &SecretString::from(crate::practice::P12_PASSWORD), self.now())?;
            *practice = Some(started);
        }
        let running = practice.as_ref().ok_or(AppError::new(ErrorCode::ServiceUnavailable))?;
        Ok((running.url(), ServerTrust::CaPem(running.ca_pem()?)))
    }

    #[cfg(not(feature = "practice"))]
    async fn practice_service(&self) -> AppResult<(String, ServerTrust)> {
        tracing::warn!("practice mode chosen in a build without it");
        Err(AppError::new(ErrorCode::ServiceUnavailable))
    }

    /// Starts what the chosen mode needs (the practice service).
    pub async fn start(&self) -> AppResult<AppStatus> {
        self.service().await?;
        Ok(self.status().await)
    }

    /// The client for the chosen certificate; on first connecting, the
    /// service's policy is asked so the screen states its numbers.
    async fn client(&self) -> AppResult<OnboardingClient> {
        if let Some(c) = &self.conn.lock().await.client {
            return Ok(c.clone());
        }
        let (url, trust) = self.service().await?;
        let id = lock(&self.progress).certificate_id.clone().ok_or(AppError::new(ErrorCode::CertificateNotChosen))?;
        let identity = self.certificates.identity(&id)?;
        let client = OnboardingClient::new(&url, &trust, Some(&identity))?;
        match client.policy().await {
            Ok(policy) => *lock(&self.policy) = policy,
            // The call that follows meets the same fault and explains it.
            Err(e) => tracing::warn!(code = e.code().as_str(), "service policy not read"),
        }
        self.conn.lock().await.client = Some(client.clone());
        Ok(client)
    }

    // ---- practice mailbox, settings, support ----

    pub async fn mailbox(&self) -> AppResult<Vec<MailboxMessage>> {
        if !self.is_practice() {
            return Err(AppError::new(ErrorCode::PracticeModeOnly));
        }
        Ok(self.client().await?.practice_mailbox(None).await?)
    }

    pub async fn save_settings(&self, settings: Settings) -> AppResult<Settings> {
        settings.validate()?;
        settings.save(&self.paths.settings())?;
        let before = std::mem::replace(&mut *lock(&self.settings), settings.clone());
        // Another service means new sessions; another language does not.
        if before.service != settings.service {
            *self.conn.lock().await = Connection::default();
            *lock(&self.policy) = Policy::default();
        }
        Ok(settings)
    }

    /// Starts Step 3 over (the keychain keeps remembered PCs).
    pub async fn restart(&self) -> AppResult<Progress> {
        *self.conn.lock().await = Connection::default();
        let fresh = plan::restarted(&lock(&self.progress));
        self.update_progress(|p| *p = fresh)
    }

    /// Writes the support bundle into the Downloads folder; returns its path.
    /// 完了報告書 as a page, once Step 3 is finished.
    pub fn completion_report(&self) -> AppResult<String> {
        let report =
            crate::report::CompletionReport::from_progress(&lock(&self.progress)).ok_or(AppError::new(ErrorCode::StepOutOfOrder))?;
        let language = lock(&self.settings).language;
        Ok(report.body_html(language))
    }

    /// Saves the report in Downloads (to keep, or print later).
    pub fn save_completion_report(&self) -> AppResult<PathBuf> {
        let language = lock(&self.settings).language;
        let report =
            crate::report::CompletionReport::from_progress(&lock(&self.progress)).ok_or(AppError::new(ErrorCode::StepOutOfOrder))?;
        let html = report.to_html(language);
        let dest = self.paths.downloads().join("kaigo-onboard-report.html");
        std::fs::write(&dest, html)?;
        Ok(dest)
    }

    pub fn support_bundle(&self) -> AppResult<PathBuf> {
        let dest = self.paths.downloads().join("kaigo-onboard-support.zip");
        crate::support::write_bundle(&self.paths, &dest, env!("CARGO_PKG_VERSION"))?;
        Ok(dest)
    }
}
