//! The Step-3 wizard: every action the UI can take, in order, with its rules.
//! Tokens live in memory only; what must survive a restart is in
//! [`Progress`] (nothing secret) or in the keychain.

use crate::certificates::{AppStore, CertificateSummary, Certificates};
use crate::keychain::SecretStore;
use crate::paths::AppPaths;
use crate::practice::{PracticeInfo, PracticeService, INFO};
use crate::preflight::{card_reader_check, clock_check, Check, CheckStatus, PreflightReport};
use crate::progress::{AdminProgress, Progress, Step, TerminalProgress};
use crate::settings::{ServiceSetting, Settings};
use crate::terminal_keys::TerminalKey;
use crate::{AppError, AppResult};
use kaigo_api::office::{AdminRegistrationRequest, CodeDelivery, OfficeChallenge, UserIdAvailability};
use kaigo_api::service::MailboxMessage;
use kaigo_api::terminal::terminal_link_message;
use kaigo_api::user::UserLoginOutcome;
use kaigo_client::{OnboardingClient, ServerTrust};
use kaigo_domain::{CertificateStatus, DeliveryChannel, ErrorCode, PasswordReport, ReferenceLists};
use secrecy::{ExposeSecret, SecretString};
use serde::Serialize;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use time::OffsetDateTime;

/// Tokens and open logins of this run; gone when the app closes.
#[derive(Default)]
struct Connection {
    client: Option<OnboardingClient>,
    office_challenge: Option<String>,
    office_token: Option<SecretString>,
    user_challenge: Option<(String, String)>,
    user_token: Option<SecretString>,
    must_change_password: bool,
}

/// What the UI needs to draw the current screen.
#[derive(Debug, Clone, Serialize)]
pub struct AppStatus {
    pub step: Step,
    pub progress: Progress,
    pub settings: Settings,
    /// The demo office's sign-in data, in practice mode.
    pub practice: Option<PracticeInfo>,
    pub office_logged_in: bool,
    pub user_logged_in: bool,
    pub must_change_password: bool,
}

#[derive(Debug, Clone, Serialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum UserLoginView {
    CodeRequired { channels: Vec<DeliveryChannel> },
    LoggedIn { must_change_password: bool },
}

pub struct AppCore {
    paths: AppPaths,
    secrets: Arc<dyn SecretStore>,
    certificates: Certificates,
    settings: Mutex<Settings>,
    progress: Mutex<Progress>,
    conn: tokio::sync::Mutex<Connection>,
    practice: tokio::sync::Mutex<Option<PracticeService>>,
    clock: fn() -> OffsetDateTime,
}

#[allow(clippy::disallowed_methods)] // the app's one read of the wall clock
fn wall_clock() -> OffsetDateTime {
    OffsetDateTime::now_utc()
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Keychain entry naming the office whose password is kept.
const SAVED_OFFICE_ID: &str = "office-login:id";

fn office_password_key(electronic_billing_id: &str) -> String {
    format!("office-password:{electronic_billing_id}")
}

fn device_trust_key(user_id: &str) -> String {
    format!("device-trust:{user_id}")
}

impl AppCore {
    pub fn new(paths: AppPaths, secrets: Arc<dyn SecretStore>) -> AppCore {
        let settings = Settings::load(&paths.settings());
        let progress = Progress::load(&paths.progress());
        AppCore {
            certificates: Certificates::for_platform(AppStore::new(paths.certificates(), secrets.clone()), paths.home()),
            paths,
            secrets,
            settings: Mutex::new(settings),
            progress: Mutex::new(progress),
            conn: tokio::sync::Mutex::new(Connection::default()),
            practice: tokio::sync::Mutex::new(None),
            clock: wall_clock,
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
        let conn = self.conn.lock().await;
        let progress = lock(&self.progress).clone();
        AppStatus {
            step: progress.step,
            practice: self.is_practice().then_some(INFO),
            settings: lock(&self.settings).clone(),
            progress,
            office_logged_in: conn.office_token.is_some(),
            user_logged_in: conn.user_token.is_some(),
            must_change_password: conn.must_change_password,
        }
    }

    // ---- service and certificate ----

    /// Starts the practice service if needed; returns where to connect.
    async fn service(&self) -> AppResult<(String, ServerTrust)> {
        let setting = lock(&self.settings).service.clone();
        match setting {
            ServiceSetting::Remote { url, ca_pem } => Ok((url, ca_pem.map(ServerTrust::CaPem).unwrap_or(ServerTrust::PublicRoots))),
            ServiceSetting::Practice => {
                let mut practice = self.practice.lock().await;
                if practice.is_none() {
                    let started = PracticeService::start(&self.paths).await?;
                    // The demo office's certificate is there to be chosen.
                    let p12 = std::fs::read(&started.files.client_p12)?;
                    self.certificates.app_store().import(&p12, &SecretString::from(kaigo_service::demo::P12_PASSWORD), self.now())?;
                    *practice = Some(started);
                }
                let running = practice.as_ref().ok_or(AppError::new(ErrorCode::ServiceUnavailable))?;
                Ok((running.url(), ServerTrust::CaPem(running.ca_pem()?)))
            }
        }
    }

    /// Starts what the chosen mode needs (the practice service).
    pub async fn start(&self) -> AppResult<AppStatus> {
        self.service().await?;
        Ok(self.status().await)
    }

    async fn client(&self) -> AppResult<OnboardingClient> {
        if let Some(c) = &self.conn.lock().await.client {
            return Ok(c.clone());
        }
        let (url, trust) = self.service().await?;
        let id = lock(&self.progress).certificate_id.clone().ok_or(AppError::new(ErrorCode::CertificateNotChosen))?;
        let identity = self.certificates.identity(&id)?;
        let client = OnboardingClient::new(&url, &trust, Some(&identity))?;
        self.conn.lock().await.client = Some(client.clone());
        Ok(client)
    }

    pub async fn list_certificates(&self) -> AppResult<Vec<CertificateSummary>> {
        self.service().await?;
        Ok(self.certificates.list(self.now()))
    }

    /// Keeps a PKCS#12 file's contents in the app's store, its password in the keychain.
    pub async fn import_certificate(&self, contents: &[u8], password: &SecretString) -> AppResult<CertificateSummary> {
        self.certificates.app_store().import(contents, password, self.now())
    }

    /// 「クライアント証明書の選択」: refuses an expired certificate.
    pub async fn choose_certificate(&self, id: &str) -> AppResult<CertificateSummary> {
        let chosen = self.certificates.list(self.now()).into_iter().find(|c| c.id == id).ok_or(AppError::new(ErrorCode::CertificateNotFound))?;
        if matches!(chosen.status, CertificateStatus::Expired | CertificateStatus::NotYetValid) {
            return Err(AppError::new(ErrorCode::ClientCertificateExpired));
        }
        self.update_progress(|p| p.certificate_id = Some(id.to_owned()))?;
        *self.conn.lock().await = Connection::default();
        Ok(chosen)
    }

    pub async fn preflight(&self) -> AppResult<PreflightReport> {
        let mut checks = Vec::new();
        let chosen = lock(&self.progress).certificate_id.clone();
        let certificate = match chosen {
            None => Check { id: "certificate", status: CheckStatus::Error, message: AppError::new(ErrorCode::CertificateNotChosen).message },
            Some(id) => match self.certificates.list(self.now()).into_iter().find(|c| c.id == id) {
                None => Check { id: "certificate", status: CheckStatus::Error, message: AppError::new(ErrorCode::CertificateNotFound).message },
                Some(c) => match c.status {
                    CertificateStatus::Valid => Check { id: "certificate", status: CheckStatus::Ok, message: format!("証明書「{}」は{}日後まで使えます。", c.label, c.days_left) },
                    CertificateStatus::ExpiresSoon => Check { id: "certificate", status: CheckStatus::Warning, message: format!("証明書「{}」の有効期限まであと{}日です。早めに更新してください。", c.label, c.days_left) },
                    _ => Check { id: "certificate", status: CheckStatus::Error, message: AppError::new(ErrorCode::ClientCertificateExpired).message },
                },
            },
        };
        let certificate_ok = certificate.status != CheckStatus::Error;
        checks.push(certificate);
        if certificate_ok {
            let client = self.client().await?;
            let before = self.now();
            match client.server_time().await {
                Ok(t) => {
                    let local = before + (self.now() - before) / 2;
                    checks.push(Check { id: "service", status: CheckStatus::Ok, message: "介護WEBサービスに接続できました。".into() });
                    checks.push(clock_check(local - t.now));
                }
                Err(e) => checks.push(Check { id: "service", status: CheckStatus::Error, message: AppError::from(e).message }),
            }
        }
        checks.push(card_reader_check());
        let report = PreflightReport::new(checks);
        if report.can_continue {
            self.update_progress(|p| p.reach(Step::OfficeLogin))?;
        }
        Ok(report)
    }

    // ---- 3-1 office user ----

    /// The office ID whose password this PC keeps (only if staff asked).
    pub fn saved_office_login(&self) -> AppResult<Option<String>> {
        Ok(self.secrets.get(SAVED_OFFICE_ID)?.map(|id| id.expose_secret().to_owned()))
    }

    /// 3-1 ログイン. An empty password means "the one this PC keeps"; with
    /// `remember` the password is kept in the keychain, without it forgotten.
    pub async fn office_login(&self, electronic_billing_id: &str, password: &SecretString, remember: bool) -> AppResult<OfficeChallenge> {
        kaigo_domain::ElectronicBillingId::parse(electronic_billing_id).map_err(|c| AppError::field(c, "electronic_billing_id"))?;
        let key = office_password_key(electronic_billing_id);
        let saved = if password.expose_secret().is_empty() { self.secrets.get(&key)? } else { None };
        let password = saved.as_ref().unwrap_or(password);
        if password.expose_secret().is_empty() {
            return Err(AppError::field(ErrorCode::PasswordMissing, "password"));
        }
        let client = self.client().await?;
        let ch = match client.office_login(electronic_billing_id, password.expose_secret()).await {
            Ok(ch) => ch,
            Err(e) => {
                // A kept password that no longer works is of no use: forget it.
                if saved.is_some() && e.code() == ErrorCode::InvalidCredentials {
                    self.forget_office_password(electronic_billing_id)?;
                }
                return Err(e.into());
            }
        };
        if remember {
            // One office's password at most: a PC serves one office.
            if let Some(other) = self.saved_office_login()?.filter(|id| id != electronic_billing_id) {
                self.secrets.delete(&office_password_key(&other))?;
            }
            self.secrets.set(&key, password)?;
            self.secrets.set(SAVED_OFFICE_ID, &SecretString::from(electronic_billing_id))?;
        } else {
            self.forget_office_password(electronic_billing_id)?;
        }
        self.conn.lock().await.office_challenge = Some(ch.challenge_id.clone());
        Ok(ch)
    }

    fn forget_office_password(&self, electronic_billing_id: &str) -> AppResult<()> {
        self.secrets.delete(&office_password_key(electronic_billing_id))?;
        if self.saved_office_login()?.as_deref() == Some(electronic_billing_id) {
            self.secrets.delete(SAVED_OFFICE_ID)?;
        }
        Ok(())
    }

    pub async fn office_resend_code(&self) -> AppResult<CodeDelivery> {
        let id = self.conn.lock().await.office_challenge.clone().ok_or(AppError::new(ErrorCode::StepOutOfOrder))?;
        Ok(self.client().await?.office_resend_code(&id).await?)
    }

    pub async fn office_verify(&self, code: &str, security_code: Option<&str>) -> AppResult<Progress> {
        kaigo_domain::OneTimeCode::parse(code).map_err(|c| AppError::field(c, "code"))?;
        let id = self.conn.lock().await.office_challenge.clone().ok_or(AppError::new(ErrorCode::StepOutOfOrder))?;
        let session = self.client().await?.office_verify(&id, code, security_code).await?;
        {
            let mut conn = self.conn.lock().await;
            conn.office_token = Some(SecretString::from(session.session_token));
            conn.office_challenge = None;
        }
        self.update_progress(|p| {
            p.office = Some(session.office);
            p.reach(Step::AdminRegistration);
        })
    }

    async fn office_token(&self) -> AppResult<SecretString> {
        self.conn.lock().await.office_token.clone().ok_or(AppError::new(ErrorCode::Unauthenticated))
    }

    // ---- 3-2 admin registration ----

    pub async fn reference_lists(&self) -> AppResult<ReferenceLists> {
        Ok(self.client().await?.reference_lists().await?)
    }

    pub async fn user_id_availability(&self, user_id: &str) -> AppResult<UserIdAvailability> {
        kaigo_domain::UserId::parse(user_id).map_err(|c| AppError::field(c, "user_id"))?;
        let token = self.office_token().await?;
        Ok(self.client().await?.user_id_availability(token.expose_secret(), user_id).await?)
    }

    /// 「管理者ユーザの登録を完了する」. The request and its idempotency key
    /// are saved before sending, so a retry after a crash or a lost answer
    /// reuses the key and never creates a second account.
    pub async fn register_admin(&self, req: AdminRegistrationRequest) -> AppResult<Progress> {
        let token = self.office_token().await?;
        let key = {
            let pending = lock(&self.progress).pending_registration.clone();
            match pending {
                Some((key, earlier)) if earlier == req => key,
                _ => OnboardingClient::new_idempotency_key(),
            }
        };
        self.update_progress(|p| p.pending_registration = Some((key.clone(), req.clone())))?;
        let done = self.client().await?.register_admin(token.expose_secret(), &key, &req).await?;
        let r = done.registration;
        self.update_progress(|p| {
            p.pending_registration = None;
            p.admin = Some(AdminProgress { user_id: r.user_id, initial_password_channel: r.initial_password_channel, initial_password_sent_to: r.initial_password_sent_to });
            p.reach(Step::AdminLogin);
        })
    }

    // ---- 3-3 admin login ----

    pub async fn user_login(&self, user_id: &str, password: &SecretString) -> AppResult<UserLoginView> {
        kaigo_domain::UserId::parse(user_id).map_err(|c| AppError::field(c, "user_id"))?;
        let trust = self.secrets.get(&device_trust_key(user_id))?;
        let client = self.client().await?;
        let outcome = client.user_login(user_id, password.expose_secret(), trust.as_ref().map(|t| t.expose_secret())).await?;
        match outcome {
            UserLoginOutcome::CodeRequired { challenge_id, channels } => {
                self.conn.lock().await.user_challenge = Some((challenge_id, user_id.to_owned()));
                Ok(UserLoginView::CodeRequired { channels })
            }
            UserLoginOutcome::LoggedIn { session } => {
                let must = session.must_change_password;
                self.logged_in(session).await?;
                Ok(UserLoginView::LoggedIn { must_change_password: must })
            }
        }
    }

    pub async fn send_user_code(&self, channel: DeliveryChannel) -> AppResult<CodeDelivery> {
        let (id, _) = self.conn.lock().await.user_challenge.clone().ok_or(AppError::new(ErrorCode::StepOutOfOrder))?;
        Ok(self.client().await?.send_user_code(&id, channel).await?)
    }

    /// Checks the code; "remember this PC" keeps the trust token in the keychain.
    pub async fn user_verify(&self, code: &str, remember_device: bool) -> AppResult<UserLoginView> {
        kaigo_domain::OneTimeCode::parse(code).map_err(|c| AppError::field(c, "code"))?;
        let (id, user_id) = self.conn.lock().await.user_challenge.clone().ok_or(AppError::new(ErrorCode::StepOutOfOrder))?;
        let verified = self.client().await?.user_verify(&id, code, remember_device).await?;
        if let Some(trust) = verified.device_trust {
            self.secrets.set(&device_trust_key(&user_id), &SecretString::from(trust.token))?;
        }
        let must = verified.session.must_change_password;
        self.conn.lock().await.user_challenge = None;
        self.logged_in(verified.session).await?;
        Ok(UserLoginView::LoggedIn { must_change_password: must })
    }

    async fn logged_in(&self, session: kaigo_api::user::UserSession) -> AppResult<()> {
        {
            let mut conn = self.conn.lock().await;
            conn.must_change_password = session.must_change_password;
            conn.user_token = Some(SecretString::from(session.session_token));
        }
        self.update_progress(|p| p.reach(if session.must_change_password { Step::PasswordChange } else { Step::Terminal }))?;
        Ok(())
    }

    /// The live checklist of the password policy.
    pub fn password_report(candidate: &str, user_id: Option<&str>) -> PasswordReport {
        PasswordReport::new(candidate, user_id)
    }

    pub async fn change_password(&self, current: &SecretString, new: &SecretString) -> AppResult<Progress> {
        let user_id = lock(&self.progress).admin.as_ref().map(|a| a.user_id.clone());
        kaigo_domain::check_new_password(new.expose_secret(), user_id.as_deref()).map_err(|c| AppError::field(c, "new_password"))?;
        let token = self.conn.lock().await.user_token.clone().ok_or(AppError::new(ErrorCode::Unauthenticated))?;
        let session = self.client().await?.change_password(token.expose_secret(), current.expose_secret(), new.expose_secret()).await?;
        {
            let mut conn = self.conn.lock().await;
            conn.user_token = Some(SecretString::from(session.session_token));
            conn.must_change_password = false;
        }
        self.update_progress(|p| p.reach(Step::Terminal))
    }

    // ---- 3-4 terminal pre-setup ----

    /// Makes this PC's key pair, registers it and proves it: the terminal
    /// is linked. Resumes a registration left pending.
    pub async fn setup_terminal(&self, name: &str) -> AppResult<Progress> {
        kaigo_domain::TerminalName::parse(name).map_err(|c| AppError::field(c, "name"))?;
        let token = self.conn.lock().await.user_token.clone().ok_or(AppError::new(ErrorCode::Unauthenticated))?;
        let client = self.client().await?;
        let pending = lock(&self.progress).terminal.clone().filter(|t| !t.linked);
        let (terminal_id, key, challenge) = match pending {
            Some(t) => {
                let key = TerminalKey::load(self.secrets.as_ref(), &t.key_name)?;
                let ch = client.renew_terminal_challenge(token.expose_secret(), &t.terminal_id).await?;
                (t.terminal_id, key, ch.challenge)
            }
            None => {
                let key = TerminalKey::create(self.secrets.as_ref())?;
                let reg = client.register_terminal(token.expose_secret(), name, &key.public_key_b64()).await?;
                let t = reg.terminal;
                self.update_progress(|p| {
                    p.terminal = Some(TerminalProgress { terminal_id: t.terminal_id.clone(), name: t.name.clone(), linked: false, settings: t.settings.clone(), key_name: key.name.clone() })
                })?;
                (t.terminal_id, key, reg.challenge.challenge)
            }
        };
        let signature = key.sign_b64(&terminal_link_message(&terminal_id, &challenge));
        let linked = client.verify_terminal(token.expose_secret(), &terminal_id, &signature).await?;
        self.update_progress(|p| {
            p.terminal = Some(TerminalProgress { terminal_id: linked.terminal_id, name: linked.name, linked: true, settings: linked.settings, key_name: key.name.clone() });
            p.reach(Step::Finished);
        })
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
        *lock(&self.settings) = settings.clone();
        *self.conn.lock().await = Connection::default();
        Ok(settings)
    }

    /// Starts Step 3 over (the keychain keeps remembered PCs).
    pub async fn restart(&self) -> AppResult<Progress> {
        let certificate = lock(&self.progress).certificate_id.clone();
        *self.conn.lock().await = Connection::default();
        self.update_progress(|p| *p = Progress { certificate_id: certificate, ..Progress::default() })
    }

    /// Writes the support bundle into the Downloads folder; returns its path.
    pub fn support_bundle(&self) -> AppResult<PathBuf> {
        let dest = self.paths.downloads().join("kaigo-onboard-support.zip");
        crate::support::write_bundle(&self.paths, &dest, env!("CARGO_PKG_VERSION"))?;
        Ok(dest)
    }
}

/// Checks one form field as it is typed, by the same rules the service
/// applies. `kind` names the field.
pub fn check_field(kind: &str, value: &str) -> AppResult<()> {
    use kaigo_domain as d;
    let result = match kind {
        "electronic_billing_id" => d::ElectronicBillingId::parse(value).map(drop),
        "user_id" => d::UserId::parse(value).map(drop),
        "email" => d::EmailAddress::parse(value).map(drop),
        "phone" => d::PhoneNumber::parse(value).map(drop),
        "name" => d::PersonName::parse(value).map(drop),
        "code" => d::OneTimeCode::parse(value).map(drop),
        "security_code" => d::SecurityCode::parse(value).map(drop),
        "terminal_name" => d::TerminalName::parse(value).map(drop),
        _ => Err(ErrorCode::InvalidRequest),
    };
    result.map_err(|code| AppError::field(code, kind))
}
