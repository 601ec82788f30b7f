//! The Step-3 wizard: every action the UI can take, one file per step.
//! Each action loads what it needs, asks [`plan`] (pure decisions) or the
//! domain's rules, then calls the service, the keychain and the files.
//! Tokens live in memory only; what must survive a restart is in
//! [`Progress`] (nothing secret) or in the keychain.

mod admin;
mod certificate;
mod class;
mod connection;
mod fields;
mod office;
pub mod plan;
mod real_day;
mod terminal;
mod update;
mod user;

pub use admin::{RegistrationReview, ReviewRow};
pub use class::{ClassSeat, ClassView, JoinForm};
pub use connection::{ConnectionTest, ProxyForm};
pub use fields::{check_field, FieldKind, FormField};
pub use real_day::{CopiedValue, RealDayView};
pub use terminal::DeviceActivation;
pub use user::{PasswordChecklist, UserLoginView, CHECKLIST_RULES};

use crate::catalogue::{page_texts, Said};
use crate::certificates::{AppStore, Certificates};
use crate::error::{explain, Refused};
use crate::keychain::SecretStore;
use crate::paths::AppPaths;
use crate::progress::{Progress, Step};
use crate::service_access::{Rehearsal, RehearsalSignIn, ServiceEndpoint};
use crate::settings::{ServiceSetting, Settings};
use crate::updates::UpdateChannel;
use crate::{AppError, AppResult};
use kaigo_api::office::{AdminRegistrationRequest, CodeDelivery, OfficeChallenge};
use kaigo_api::service::MailboxMessage;
use kaigo_client::ClientError;
use kaigo_client::{Network, OnboardingClient, ServerTrust};
use kaigo_domain::proxy::Route;
use kaigo_domain::DeliveryChannel;
use kaigo_domain::{ErrorCode, Policy};
use plan::{Notice, OpenInThisRun, Screen, SignedIn};
use secrecy::SecretString;
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use time::OffsetDateTime;

/// The time as the app reads it; tests pass a clock of their own.
pub type Clock = Arc<dyn Fn() -> OffsetDateTime + Send + Sync>;

/// The admin's open login.
#[derive(Clone)]
struct UserChallenge {
    id: String,
    user_id: String,
    channels: Vec<DeliveryChannel>,
    /// The code last sent for it.
    delivery: Option<CodeDelivery>,
}

/// Tokens and open logins of this run; gone when the app closes.
#[derive(Default)]
struct Connection {
    client: Option<OnboardingClient>,
    office_challenge: Option<OfficeChallenge>,
    office_token: Option<SecretString>,
    /// A registration checked and shown for confirmation, not yet sent:
    /// what is registered is what staff confirmed.
    review: Option<(AdminRegistrationRequest, RegistrationReview)>,
    /// A registration made whose completion staff have not seen yet.
    registration_unseen: bool,
    user_challenge: Option<UserChallenge>,
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

    fn open(&self) -> OpenInThisRun {
        OpenInThisRun {
            office_code: self.office_challenge.is_some(),
            review: self.review.is_some(),
            registration_unseen: self.registration_unseen,
            admin_code: self.user_challenge.is_some(),
        }
    }

    /// What a code screen shows: where the code went, what else is asked.
    fn code_step(&self, screen: Screen) -> Option<CodeStep> {
        match screen {
            Screen::OfficeCode => self.office_challenge.as_ref().map(|c| CodeStep {
                delivery: Some(c.delivery.clone()),
                security_code_required: c.security_code_required,
                channels: vec![c.delivery.channel],
            }),
            Screen::AdminCode => self.user_challenge.as_ref().map(|c| CodeStep {
                delivery: c.delivery.clone(),
                security_code_required: false,
                channels: c.channels.clone(),
            }),
            _ => None,
        }
    }
}

/// A word of the glossary as the page finds and explains it.
#[derive(Debug, Clone, Serialize)]
pub struct GlossaryEntry {
    pub id: &'static str,
    pub term: &'static str,
    /// Every form the page looks for, the longest first.
    pub forms: Vec<&'static str>,
    pub explanation: &'static str,
}

fn glossary_in(language: kaigo_domain::Language) -> Vec<GlossaryEntry> {
    kaigo_domain::glossary::glossary()
        .iter()
        .map(|t| GlossaryEntry {
            id: &t.id,
            term: match language {
                kaigo_domain::Language::Japanese => &t.term,
                kaigo_domain::Language::English => &t.term_en,
            },
            forms: t.forms(language),
            explanation: t.explanation(language),
        })
        .collect()
}

/// A notice with its words.
#[derive(Debug, Clone, Serialize)]
pub struct NoticeView {
    pub code: Notice,
    #[serde(flatten)]
    pub said: Said,
}

/// A one-time code's screen: where the code went (once sent), the channels
/// staff may choose, and whether the security code is asked too.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct CodeStep {
    pub delivery: Option<CodeDelivery>,
    pub channels: Vec<DeliveryChannel>,
    pub security_code_required: bool,
}

/// What the UI needs to draw: which screen, what to tell staff, and every
/// word of the page in the language chosen, the policy's numbers written in.
#[derive(Debug, Clone, Serialize)]
pub struct AppStatus {
    /// The step reached (saved).
    pub step: Step,
    pub screen: Screen,
    /// The step the progress bar shows with this screen.
    pub progress_bar: Step,
    pub notice: Option<NoticeView>,
    pub texts: BTreeMap<&'static str, String>,
    pub progress: Progress,
    pub settings: Settings,
    /// The version in use (「アプリの更新」).
    pub app_version: &'static str,
    /// ことばの説明, in the language chosen: the page lists those found on
    /// the screen shown.
    pub glossary: Vec<GlossaryEntry>,
    /// アクセシビリティ方針 (ACCESSIBILITY.md), in the language chosen.
    pub accessibility_statement: &'static str,
    /// The rehearsal office's sign-in data, in practice mode.
    pub practice: Option<RehearsalSignIn>,
    /// On a code screen: where the code went and what is asked.
    pub code_step: Option<CodeStep>,
    /// On the confirmation screen: what will be registered.
    pub review: Option<RegistrationReview>,
    /// 研修: the class this PC has joined.
    pub class: Option<ClassView>,
    /// A join link the system handed the app (opened from mail or a
    /// page), waiting for staff to press 参加する.
    pub join_link: Option<String>,
}

/// Faults of this PC the steps went on through.
#[derive(Debug, Default)]
struct LocalFaults {
    progress_not_saved: bool,
    keychain_not_used: bool,
}

impl LocalFaults {
    fn notice(&self) -> Option<plan::Notice> {
        if self.progress_not_saved {
            Some(plan::Notice::ProgressNotSaved)
        } else if self.keychain_not_used {
            Some(plan::Notice::KeychainNotUsed)
        } else {
            None
        }
    }
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
    /// 練習モード, when the app was built with it (`with_rehearsal`).
    practice: Option<Arc<dyn Rehearsal>>,
    /// Whether the practice office's certificate was put in the list this run.
    practice_identity_offered: tokio::sync::Mutex<bool>,
    /// Faults of this PC the steps went on through (said as a notice).
    local_faults: Mutex<LocalFaults>,
    /// The service could not be reached on the last call: the next one
    /// asks again where it is (a practice service is started again).
    client_stale: std::sync::atomic::AtomicBool,
    /// A join link received, until it is used.
    join_link: Mutex<Option<String>>,
    /// The updater, when the shell plugged one in (`with_updates`).
    updates: Option<Arc<dyn UpdateChannel>>,
    /// 本番の日's copy buttons' hold on the clipboard.
    copy_board: crate::clipboard::CopyBoard,
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
            practice: None,
            practice_identity_offered: tokio::sync::Mutex::new(false),
            local_faults: Mutex::new(LocalFaults::default()),
            client_stale: Default::default(),
            join_link: Mutex::new(None),
            updates: None,
            copy_board: Default::default(),
            clock,
        }
    }

    /// Plugs in 練習モード (the app's composition root does; a build or a
    /// test without it answers `service_unavailable` in practice mode).
    pub fn with_rehearsal(mut self, practice: Arc<dyn Rehearsal>) -> AppCore {
        self.practice = Some(practice);
        self
    }

    /// Plugs in the updater (the shell's, over tauri-plugin-updater).
    pub fn with_updates(mut self, updates: Arc<dyn UpdateChannel>) -> AppCore {
        self.updates = Some(updates);
        self
    }

    pub fn paths(&self) -> &AppPaths {
        &self.paths
    }

    fn now(&self) -> OffsetDateTime {
        (self.clock)()
    }

    /// Moves the progress on and saves it. A data folder that cannot be
    /// written does not undo a step the service has done: the progress is
    /// kept in memory, staff are told, and every later step tries again.
    fn update_progress(&self, f: impl FnOnce(&mut Progress)) -> AppResult<Progress> {
        let mut p = lock(&self.progress);
        f(&mut p);
        let saved = p.save(&self.paths.progress());
        if let Err(e) = &saved {
            tracing::warn!(error = %e.0.message_en, "progress not saved: kept in memory");
        }
        lock(&self.local_faults).progress_not_saved = saved.is_err();
        Ok(p.clone())
    }

    /// The keychain failed where it only saves staff typing: said, and
    /// the step goes on.
    fn keychain_not_used(&self, e: &AppError) {
        tracing::warn!(code = e.0.code.as_str(), "keychain not used");
        lock(&self.local_faults).keychain_not_used = true;
    }

    fn is_practice(&self) -> bool {
        lock(&self.settings).service == ServiceSetting::Practice
    }

    /// The language staff chose for the app's words.
    pub fn language(&self) -> kaigo_domain::Language {
        lock(&self.settings).language
    }

    /// How calls to `url` leave the PC: the practice service is inside the
    /// app (always direct); otherwise staff's 「プロキシ」 choice.
    pub(crate) fn network(&self, url: &str) -> AppResult<(Route, Network)> {
        if self.is_practice() {
            return Ok((Route::Direct, Network::Direct));
        }
        self.network_to(url)
    }

    /// How calls to a service outside the app (a class, the real service,
    /// an update server) leave the PC.
    pub(crate) fn network_to(&self, url: &str) -> AppResult<(Route, Network)> {
        let choice = lock(&self.settings).proxy.clone();
        crate::network::network_for(&choice, &crate::network::system_proxy(), self.secrets.as_ref(), url)
    }

    pub async fn status(&self) -> AppStatus {
        let progress = lock(&self.progress).clone();
        let ((screen, notice), code_step, review) = {
            let conn = self.conn.lock().await;
            let (screen, notice) = plan::current_screen(progress.step, conn.signed_in(), conn.open());
            let review = conn.review.as_ref().filter(|_| screen == Screen::AdminConfirm).map(|(_, r)| r.clone());
            ((screen, notice), conn.code_step(screen), review)
        };
        // Each lock taken and let go on its own: a guard kept alive to the
        // end of the struct expression would deadlock the next one.
        let settings = lock(&self.settings).clone();
        let policy = lock(&self.policy).clone();
        let seat = self.class_seat();
        let glossary = glossary_in(settings.language);
        let accessibility_statement = crate::accessibility::statement(settings.language);
        AppStatus {
            step: progress.step,
            screen,
            progress_bar: screen.step().unwrap_or(progress.step),
            notice: notice
                .or_else(|| lock(&self.local_faults).notice())
                .map(|code| NoticeView { code, said: code.text().said(&policy, &[]) }),
            texts: page_texts(&policy, settings.language),
            practice: match &seat {
                Some(seat) => Some(seat.sign_in.clone()),
                None => self.practice.as_ref().filter(|_| self.is_practice()).map(|p| p.sign_in()),
            },
            class: seat.map(|s| ClassView {
                class_name: s.class_name,
                seat_number: s.seat_number,
                ends_at: s.ends_at,
                office_name: s.office_name,
                made_up_admin: kaigo_domain::class::made_up_admin(s.seat_number),
            }),
            join_link: lock(&self.join_link).clone(),
            settings,
            app_version: crate::VERSION,
            glossary,
            accessibility_statement,
            progress,
            code_step,
            review,
        }
    }

    /// A refusal of the service, explained with the policy it stated.
    fn refused(&self, e: ClientError) -> AppError {
        self.note_unreached(&e);
        let (code, refused) = Refused::from_client(e);
        let policy = lock(&self.policy).clone();
        AppError(explain(code, refused, &policy, Some(self.now())))
    }

    /// Awaits a call of the service; a refusal is explained.
    async fn call<T>(&self, answer: impl std::future::Future<Output = Result<T, ClientError>>) -> AppResult<T> {
        answer.await.map_err(|e| self.refused(e))
    }

    /// A call that found no service: the next asks again where it is.
    fn note_unreached(&self, e: &ClientError) {
        if matches!(e, ClientError::Local { code: ErrorCode::ServiceUnreachable | ErrorCode::ServiceUnavailable, .. }) {
            self.client_stale.store(true, std::sync::atomic::Ordering::Relaxed);
        }
    }

    // ---- the service ----

    /// Where the service of the chosen mode is (the practice service is
    /// started on first use, and its office's certificate put in the list).
    async fn service(&self) -> AppResult<ServiceEndpoint> {
        let setting = lock(&self.settings).service.clone();
        match setting {
            ServiceSetting::Remote { url, ca_pem } => {
                Ok(ServiceEndpoint { url, trust: ca_pem.map(ServerTrust::CaPem).unwrap_or(ServerTrust::PublicRoots) })
            }
            ServiceSetting::Class { url, ca_pem } => Ok(ServiceEndpoint { url, trust: ServerTrust::CaPem(ca_pem) }),
            ServiceSetting::Practice => {
                let Some(practice) = &self.practice else {
                    tracing::warn!("practice mode chosen in a build without it");
                    return Err(AppError::new(ErrorCode::ServiceUnavailable));
                };
                // Held while the service starts: a second caller waits for the
                // certificate to be in the list.
                let mut offered = self.practice_identity_offered.lock().await;
                let endpoint = practice.reach().await?;
                if !*offered {
                    if let Some(identity) = practice.identity()? {
                        self.certificates.app_store().import(&identity.pkcs12, &identity.password, self.now())?;
                    }
                    *offered = true;
                }
                Ok(endpoint)
            }
        }
    }

    /// Starts what the chosen mode needs (the practice service).
    pub async fn start(&self) -> AppResult<AppStatus> {
        self.service().await?;
        Ok(self.status().await)
    }

    /// The client for the chosen certificate; on first connecting, the
    /// service's policy is asked so the screen states its numbers.
    async fn client(&self) -> AppResult<OnboardingClient> {
        if self.client_stale.swap(false, std::sync::atomic::Ordering::Relaxed) {
            self.conn.lock().await.client = None;
        }
        if let Some(c) = &self.conn.lock().await.client {
            return Ok(c.clone());
        }
        let ServiceEndpoint { url, trust } = self.service().await?;
        let id = lock(&self.progress).certificate_id.clone().ok_or(AppError::new(ErrorCode::CertificateNotChosen))?;
        let identity = self.certificates.identity(&id)?;
        let (_, network) = self.network(&url)?;
        let client = OnboardingClient::new_via(&url, &trust, Some(&identity), &network).map_err(|e| self.refused(e))?;
        match client.policy().await {
            Ok(policy) => *lock(&self.policy) = policy,
            // The call that follows meets the same fault and explains it.
            Err(e) => {
                self.note_unreached(&e);
                tracing::warn!(code = e.code().as_str(), "service policy not read")
            }
        }
        self.conn.lock().await.client = Some(client.clone());
        Ok(client)
    }

    // ---- practice mailbox, settings, support ----

    pub async fn mailbox(&self) -> AppResult<Vec<MailboxMessage>> {
        // A class keeps its seats' messages in the practice mailbox too.
        let class = matches!(lock(&self.settings).service, ServiceSetting::Class { .. });
        if !self.is_practice() && !class {
            return Err(AppError::new(ErrorCode::PracticeModeOnly));
        }
        let client = self.client().await?;
        self.call(client.practice_mailbox(None)).await
    }

    pub async fn save_settings(&self, settings: Settings) -> AppResult<Settings> {
        settings.validate()?;
        settings.save(&self.paths.settings())?;
        let before = std::mem::replace(&mut *lock(&self.settings), settings.clone());
        // Another service or way out means new connections; another
        // language does not.
        if before.service != settings.service || before.proxy != settings.proxy {
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
