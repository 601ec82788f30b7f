//! 3-2 管理者ユーザの登録: the form checked whole before the confirmation
//! screen, then the registration, sent once even across a crash.

use super::{lock, plan, AppCore};
use crate::progress::{AdminProgress, Progress, Step};
use crate::{AppError, AppResult};
use kaigo_api::office::AdminRegistrationRequest;
use kaigo_client::OnboardingClient;
use kaigo_domain::{check_admin_application, DeliveryChannel, ErrorCode, ReferenceLists};
use secrecy::ExposeSecret;
use serde::Serialize;

/// One line of the confirmation screen.
#[derive(Debug, Clone, Serialize)]
pub struct ReviewRow {
    pub label: &'static str,
    pub label_en: &'static str,
    pub value: String,
}

/// 「登録内容の確認」: what will be registered, in staff's words.
#[derive(Debug, Clone, Serialize)]
pub struct RegistrationReview {
    pub rows: Vec<ReviewRow>,
}

impl AppCore {
    pub async fn reference_lists(&self) -> AppResult<ReferenceLists> {
        Ok(self.client().await?.reference_lists().await?)
    }

    /// Checks the whole form by the service's own rules and lists, and that
    /// the user ID is free, before the confirmation screen.
    pub async fn review_registration(&self, req: &AdminRegistrationRequest) -> AppResult<RegistrationReview> {
        let lists = self.reference_lists().await?;
        let admin = check_admin_application(&req.application(), &lists).map_err(|r| AppError::field(r.code, r.field))?;
        let token = self.office_token().await?;
        let availability = self.client().await?.user_id_availability(token.expose_secret(), admin.user_id.as_str()).await?;
        if !availability.available {
            return Err(AppError::field(ErrorCode::UserIdTaken, "user_id"));
        }
        let services = admin
            .service_types
            .iter()
            .map(|code| format!("{code} {}", lists.service_type(code).map_or("", |s| s.name.as_str())))
            .collect::<Vec<_>>()
            .join("、");
        let job = lists.job_category(&admin.job_category).map_or(String::new(), |j| j.name.clone());
        let channel = match admin.destination.channel {
            DeliveryChannel::Email => "メール / mail",
            DeliveryChannel::Sms => "SMS",
        };
        let row = |label, label_en, value| ReviewRow { label, label_en, value };
        let rows = vec![
            row("氏名", "Name", admin.name.as_str().to_owned()),
            row("メールアドレス", "Mail address", admin.email.as_ref().map_or("—".into(), |e| e.as_str().to_owned())),
            row("電話番号", "Phone number", admin.phone.as_ref().map_or("—".into(), |p| p.as_str().to_owned())),
            row("サービス種類", "Service types", services),
            row("職種区分", "Job category", job),
            row("ユーザID", "User ID", admin.user_id.as_str().to_owned()),
            row("初期パスワードの送り先", "Initial password sent to", format!("{channel}: {}", admin.destination.masked)),
        ];
        Ok(RegistrationReview { rows })
    }

    /// 「管理者ユーザの登録を完了する」. The request and its idempotency key
    /// are saved before sending, so a retry after a crash or a lost answer
    /// reuses the key and never creates a second account.
    pub async fn register_admin(&self, req: AdminRegistrationRequest) -> AppResult<Progress> {
        let token = self.office_token().await?;
        let reused = plan::registration_key(lock(&self.progress).pending_registration.as_ref(), &req);
        let key = reused.unwrap_or_else(OnboardingClient::new_idempotency_key);
        self.update_progress(|p| p.pending_registration = Some((key.clone(), req.clone())))?;
        let done = self.client().await?.register_admin(token.expose_secret(), &key, &req).await?;
        let r = done.registration;
        self.update_progress(|p| {
            p.pending_registration = None;
            p.admin = Some(AdminProgress {
                user_id: r.user_id,
                initial_password_channel: r.initial_password_channel,
                initial_password_sent_to: r.initial_password_sent_to,
            });
            p.reach(Step::AdminLogin);
        })
    }
}
