//! The Tauri commands: each one line over `AppCore`, translating only
//! (secret strings are wrapped as soon as they arrive).
//!
//! A command that is a plain `fn` runs on the window's own thread, which
//! then draws nothing and answers nothing until it returns: one that reads
//! the keychain or the disk is `async` (a keychain waiting for its unlock
//! prompt would otherwise freeze the window). Only pure rules stay plain.

use kaigo_api::office::{AdminRegistrationRequest, CodeDelivery, OfficeChallenge};
use kaigo_api::service::MailboxMessage;
use kaigo_api::terminal::{Terminal, TerminalSettings};
use kaigo_app_core::card_check::CardCheck;
use kaigo_app_core::certificates::{CertificateSummary, PcCertificateCheck};
use kaigo_app_core::class_discovery::{self, FoundClass};
use kaigo_app_core::class_network::ClassNetwork;
use kaigo_app_core::preflight::PreflightReport;
use kaigo_app_core::progress::Progress;
use kaigo_app_core::real_day::{DayResults, PreparedValues};
use kaigo_app_core::settings::Settings;
use kaigo_app_core::updates::UpdateOffer;
use kaigo_app_core::wizard::{
    check_field as check, AppStatus, ConnectionTest, DeviceActivation, FieldKind, FormField, JoinForm, PasswordChecklist, ProxyForm,
    RegistrationReview, UserLoginView,
};
use kaigo_app_core::wizard::{CopiedValue, RealDayView};
use kaigo_app_core::{AppCore, AppError, AppResult};
use kaigo_domain::real_day::DayClock;
use kaigo_domain::{DeliveryChannel, ReadinessItem, ReferenceLists};
use kaigo_practice::class_host::{ClassHosting, ClassOpening, HostedClass, TrainerPage};
use secrecy::SecretString;
use tauri::{Runtime, State};

type Core<'a> = State<'a, AppCore>;

#[tauri::command]
pub async fn status(core: Core<'_>) -> AppResult<AppStatus> {
    Ok(core.status().await)
}

#[tauri::command]
pub async fn start(core: Core<'_>) -> AppResult<AppStatus> {
    core.start().await
}

#[tauri::command]
pub async fn list_certificates(core: Core<'_>) -> AppResult<Vec<CertificateSummary>> {
    core.list_certificates().await
}

#[tauri::command]
pub async fn import_certificate(core: Core<'_>, contents: Vec<u8>, password: String) -> AppResult<CertificateSummary> {
    core.import_certificate(&contents, &SecretString::from(password)).await
}

#[tauri::command]
pub async fn choose_certificate(core: Core<'_>, id: String) -> AppResult<CertificateSummary> {
    core.choose_certificate(&id).await
}

#[tauri::command]
pub async fn preflight(core: Core<'_>) -> AppResult<PreflightReport> {
    core.preflight().await
}

#[tauri::command]
pub async fn office_login(core: Core<'_>, electronic_billing_id: String, password: String, remember: bool) -> AppResult<OfficeChallenge> {
    core.office_login(&electronic_billing_id, &SecretString::from(password), remember).await
}

/// 「準備できていますか」: what to have at hand before 3-1.
#[tauri::command]
pub fn readiness_checklist() -> Vec<ReadinessItem> {
    kaigo_domain::readiness_checklist()
}

#[tauri::command(async)]
pub fn saved_office_login(core: Core<'_>) -> AppResult<Option<String>> {
    core.saved_office_login()
}

#[tauri::command]
pub async fn office_resend_code(core: Core<'_>) -> AppResult<CodeDelivery> {
    core.office_resend_code().await
}

#[tauri::command]
pub async fn office_verify(core: Core<'_>, code: String, security_code: Option<String>) -> AppResult<Progress> {
    core.office_verify(&code, security_code.as_deref().filter(|s| !s.is_empty())).await
}

#[tauri::command]
pub async fn reference_lists(core: Core<'_>) -> AppResult<ReferenceLists> {
    core.reference_lists().await
}

#[tauri::command]
pub async fn review_registration(core: Core<'_>, request: AdminRegistrationRequest) -> AppResult<RegistrationReview> {
    core.review_registration(&request).await
}

/// Registers what the confirmation screen showed.
#[tauri::command]
pub async fn register_admin(core: Core<'_>) -> AppResult<Progress> {
    core.register_reviewed().await
}

/// 「戻って直す」 on the confirmation screen.
#[tauri::command]
pub async fn edit_registration(core: Core<'_>) -> AppResult<AppStatus> {
    Ok(core.edit_registration().await)
}

/// The registration's completion was seen: on to the admin's login.
#[tauri::command]
pub async fn acknowledge_registration(core: Core<'_>) -> AppResult<AppStatus> {
    Ok(core.acknowledge_registration().await)
}

#[tauri::command]
pub async fn user_login(core: Core<'_>, user_id: String, password: String) -> AppResult<UserLoginView> {
    core.user_login(&user_id, &SecretString::from(password)).await
}

#[tauri::command]
pub async fn send_user_code(core: Core<'_>, channel: DeliveryChannel) -> AppResult<CodeDelivery> {
    core.send_user_code(channel).await
}

#[tauri::command]
pub async fn user_verify(core: Core<'_>, code: String, remember_device: bool) -> AppResult<UserLoginView> {
    core.user_verify(&code, remember_device).await
}

#[tauri::command]
pub fn password_report(candidate: String, again: Option<String>, user_id: Option<String>) -> PasswordChecklist {
    AppCore::password_report(&candidate, again.as_deref(), user_id.as_deref())
}

#[tauri::command]
pub async fn change_password(core: Core<'_>, new_password: String, new_password_again: String) -> AppResult<Progress> {
    core.change_password(&SecretString::from(new_password), &SecretString::from(new_password_again)).await
}

#[tauri::command]
pub async fn setup_terminal(core: Core<'_>, name: String) -> AppResult<Progress> {
    core.setup_terminal(&name).await
}

#[tauri::command]
pub async fn issue_device_terminal(core: Core<'_>, name: String) -> AppResult<DeviceActivation> {
    core.issue_device_terminal(&name).await
}

#[tauri::command]
pub async fn reissue_device_activation(core: Core<'_>, terminal_id: String) -> AppResult<DeviceActivation> {
    core.reissue_device_activation(&terminal_id).await
}

#[tauri::command]
pub async fn list_terminals(core: Core<'_>) -> AppResult<Vec<Terminal>> {
    core.list_terminals().await
}

#[tauri::command]
pub async fn unlink_terminal(core: Core<'_>, terminal_id: String) -> AppResult<Vec<Terminal>> {
    core.unlink_terminal(&terminal_id).await
}

#[tauri::command]
pub async fn finish_terminals(core: Core<'_>) -> AppResult<Progress> {
    core.finish_terminals().await
}

/// 練習モード only: the simulated phone scans the QR code's link.
#[tauri::command]
pub async fn practice_device_scan(core: Core<'_>, link: String) -> AppResult<TerminalSettings> {
    core.practice_device_scan(&link).await
}

/// The card-reading test talks to the reader; off the async runtime.
#[tauri::command]
pub async fn card_check() -> AppResult<CardCheck> {
    tokio::task::spawn_blocking(kaigo_app_core::card_check::check_card).await.map_err(kaigo_app_core::AppError::internal)
}

#[tauri::command(async)]
pub fn completion_report(core: Core<'_>) -> AppResult<String> {
    core.completion_report()
}

/// Writes the completion report into the Downloads folder; returns its path.
#[tauri::command(async)]
pub fn save_completion_report(core: Core<'_>) -> AppResult<String> {
    core.save_completion_report().map(|dest| dest.display().to_string())
}

#[tauri::command]
pub async fn mailbox(core: Core<'_>) -> AppResult<Vec<MailboxMessage>> {
    core.mailbox().await
}

#[tauri::command]
pub async fn save_settings(core: Core<'_>, settings: Settings) -> AppResult<Settings> {
    core.save_settings(settings).await
}

/// 設定 →「プロキシ」 (its password to the keychain).
#[tauri::command]
pub async fn save_proxy(core: Core<'_>, form: ProxyForm) -> AppResult<Settings> {
    core.save_proxy(form).await
}

/// 設定 →「接続テスト」.
#[tauri::command]
pub async fn connection_test(core: Core<'_>) -> AppResult<ConnectionTest> {
    core.connection_test().await
}

/// 研修に参加する: by the three codes, or by a join link when `link` is given.
#[tauri::command]
pub async fn join_class(core: Core<'_>, form: Option<JoinForm>, link: Option<String>) -> AppResult<AppStatus> {
    let form = match (form, link) {
        (_, Some(link)) => JoinForm::from_link(&link)?,
        (Some(form), None) => form,
        (None, None) => return Err(AppError::field(kaigo_domain::ErrorCode::ClassLinkInvalid, FormField::JoinLink)),
    };
    core.join_class(form).await
}

#[tauri::command]
pub async fn leave_class(core: Core<'_>) -> AppResult<AppStatus> {
    core.leave_class().await
}

#[tauri::command]
pub async fn restart(core: Core<'_>) -> AppResult<Progress> {
    core.restart().await
}

#[tauri::command]
pub fn check_field(kind: FieldKind, value: String) -> AppResult<()> {
    check(kind, &value)
}

/// Writes the support bundle into the Downloads folder; returns its path.
#[tauri::command(async)]
pub fn support_bundle(core: Core<'_>) -> AppResult<String> {
    core.support_bundle().map(|dest| dest.display().to_string())
}

/// The UI shows its first interactive screen (used by the start-up benchmark).
#[tauri::command]
pub fn ui_ready<R: Runtime>(app: tauri::AppHandle<R>) {
    crate::startup_probe::ui_ready(&app)
}

/// 「アプリの更新」: a newer version from the update server, if any.
#[tauri::command]
pub async fn check_update(core: Core<'_>) -> AppResult<Option<UpdateOffer>> {
    core.check_update().await
}

/// Installs the version staff agreed to. On Windows the installer takes
/// over and the app ends; elsewhere the new version is in place and the
/// app opens again as it.
#[tauri::command]
pub async fn install_update<R: Runtime>(app: tauri::AppHandle<R>, core: Core<'_>, version: String) -> AppResult<()> {
    core.install_update(&version).await?;
    app.restart()
}

// ---- 研修を開く: the class this PC serves ----

type Hosting<'a> = State<'a, std::sync::Arc<ClassHosting>>;

/// The networks this PC can serve a class on, the default route's first.
#[tauri::command]
pub async fn class_networks() -> AppResult<Vec<ClassNetwork>> {
    tauri::async_runtime::spawn_blocking(kaigo_app_core::class_network::this_pcs_class_networks).await.map_err(AppError::internal)
}

/// 研修をさがす: the classes announced on this PC's networks. Where
/// multicast cannot be used the list is empty, and the screen says to type
/// the address: a class is joined all the same.
#[tauri::command]
pub async fn find_classes() -> AppResult<Vec<FoundClass>> {
    let heard =
        tauri::async_runtime::spawn_blocking(|| class_discovery::listen(class_discovery::LISTEN_FOR)).await.map_err(AppError::internal)?;
    Ok(heard.unwrap_or_else(|e| {
        tracing::warn!(error = %e, "classes: cannot listen on the network");
        Vec::new()
    }))
}

/// Opens a class, serves it, and opens the trainer's grid in a window.
#[tauri::command]
pub async fn open_class<R: Runtime>(
    app: tauri::AppHandle<R>, core: Core<'_>, hosting: Hosting<'_>, opening: ClassOpening,
) -> AppResult<HostedClass> {
    let hosted = hosting.open(&opening).await?;
    crate::trainer_windows::close_all(&app);
    crate::trainer_windows::show(&app, &hosting, TrainerPage::Grid, core.language()).await?;
    Ok(hosted)
}

/// The class this PC serves, if any (resumed after a restart).
#[tauri::command]
pub async fn hosted_class(hosting: Hosting<'_>) -> AppResult<Option<HostedClass>> {
    hosting.current().await
}

/// Brings the grid's or the projector's window forward (opening it).
#[tauri::command]
pub async fn show_trainer_window<R: Runtime>(
    app: tauri::AppHandle<R>, core: Core<'_>, hosting: Hosting<'_>, page: TrainerPage,
) -> AppResult<()> {
    crate::trainer_windows::show(&app, &hosting, page, core.language()).await
}

/// Closes the app after staff said so while a class runs: the class stops
/// being served (it resumes when the app opens again), and the wizard's
/// window goes without asking again — the trainer's windows with it, and
/// with the last window the app.
#[tauri::command]
pub async fn close_app<R: Runtime>(window: tauri::WebviewWindow<R>, hosting: Hosting<'_>) -> AppResult<()> {
    hosting.stop().await;
    window.destroy().map_err(AppError::internal)
}

// ---- 本番の日: the window beside Edge ----

#[tauri::command]
pub async fn real_day(core: Core<'_>) -> AppResult<RealDayView> {
    Ok(core.real_day())
}

#[tauri::command]
pub async fn save_real_day_values(core: Core<'_>, values: PreparedValues) -> AppResult<RealDayView> {
    core.save_real_day_values(&values)
}

#[tauri::command]
pub async fn tick_real_day_step(core: Core<'_>, step: String, done: bool) -> AppResult<RealDayView> {
    core.tick_real_day_step(&step, done)
}

#[tauri::command]
pub async fn start_day_clock(core: Core<'_>, clock: DayClock) -> AppResult<RealDayView> {
    core.start_day_clock(clock)
}

/// 本番の日's window kept in front of Edge, or not (remembered).
#[tauri::command]
pub async fn keep_real_day_on_top<R: Runtime>(app: tauri::AppHandle<R>, core: Core<'_>, on_top: bool) -> AppResult<RealDayView> {
    // The window first: what is kept is what is in force.
    crate::real_day_window::keep_on_top(&app, on_top)?;
    core.keep_real_day_on_top(on_top)
}

/// The IDs the day decided, kept for its record.
#[tauri::command]
pub async fn save_real_day_results(core: Core<'_>, results: DayResults) -> AppResult<RealDayView> {
    core.save_real_day_results(&results)
}

/// 本番の日の記録, to show and print.
#[tauri::command]
pub async fn real_day_record(core: Core<'_>) -> AppResult<String> {
    Ok(core.real_day_record())
}

/// 本番の日の前に: the certificates a browser on this PC offers, checked.
#[tauri::command]
pub async fn check_pc_certificates(core: Core<'_>) -> AppResult<PcCertificateCheck> {
    core.check_pc_certificates().await
}

/// A prepared value on the clipboard for a short while (a copy button).
#[tauri::command]
pub async fn copy_real_day_value(core: Core<'_>, field: FormField) -> AppResult<CopiedValue> {
    core.copy_real_day_value(field)
}

/// Opens (or brings forward) the narrow 本番の日 window, to sit beside Edge.
#[tauri::command]
pub async fn open_real_day_window<R: Runtime>(app: tauri::AppHandle<R>, core: Core<'_>) -> AppResult<()> {
    crate::real_day_window::show(&app, core.language(), core.real_day().on_top)
}
