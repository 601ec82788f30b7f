//! 3-2 管理者ユーザの登録: the form checked whole before the confirmation
//! screen, then the registration, sent once even across a crash.

use super::{lock, plan, AppCore, AppStatus};
use crate::catalogue::Text;
use crate::progress::{AdminProgress, Progress, Step};
use crate::wizard::FormField;
use crate::{AppError, AppResult};
use kaigo_api::office::AdminRegistrationRequest;
use kaigo_client::OnboardingClient;
use kaigo_domain::{check_admin_application, DeliveryChannel, ErrorCode, ReferenceLists};
use secrecy::ExposeSecret;
use serde::Serialize;

/// One line of the confirmation screen.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct ReviewRow {
    pub label: String,
    pub label_en: String,
    pub value: String,
}

/// 「登録内容の確認」: what will be registered, in staff's words.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct RegistrationReview {
    pub rows: Vec<ReviewRow>,
}

impl AppCore {
    pub async fn reference_lists(&self) -> AppResult<ReferenceLists> {
        let client = self.client().await?;
        self.call(client.reference_lists()).await
    }

    /// Checks the whole form by the service's own rules and lists, and that
    /// the user ID is free, before the confirmation screen.
    pub async fn review_registration(&self, req: &AdminRegistrationRequest) -> AppResult<RegistrationReview> {
        let lists = self.reference_lists().await?;
        let admin = check_admin_application(&req.application(), &lists).map_err(|r| AppError::field(r.code, r.field))?;
        let token = self.office_token().await?;
        let client = self.client().await?;
        let availability = self.call(client.user_id_availability(token.expose_secret(), admin.user_id.as_str())).await?;
        if !availability.available {
            return Err(AppError::field(ErrorCode::UserIdTaken, FormField::UserId));
        }
        let services = admin
            .service_types
            .iter()
            .map(|code| format!("{code} {}", lists.service_type(code).map_or("", |s| s.name.as_str())))
            .collect::<Vec<_>>()
            .join("、");
        let job = lists.job_category(&admin.job_category).map_or(String::new(), |j| j.name.clone());
        let policy = lock(&self.policy).clone();
        let channel = match admin.destination.channel {
            DeliveryChannel::Email => Text::ChannelEmail.said(&policy, &[]),
            DeliveryChannel::Sms => Text::ChannelSms.said(&policy, &[]),
        };
        let by =
            if channel.message == channel.message_en { channel.message } else { format!("{} / {}", channel.message, channel.message_en) };
        let sent_to = format!("{by}: {}", admin.destination.masked);
        let row = |label: Text, value: String| {
            let said = label.said(&policy, &[]);
            ReviewRow { label: said.message, label_en: said.message_en, value }
        };
        let rows = vec![
            row(Text::ReviewName, admin.name.as_str().to_owned()),
            row(Text::ReviewEmail, admin.email.as_ref().map_or("—".into(), |e| e.as_str().to_owned())),
            row(Text::ReviewPhone, admin.phone.as_ref().map_or("—".into(), |p| p.as_str().to_owned())),
            row(Text::ReviewServiceTypes, services),
            row(Text::ReviewJobCategory, job),
            row(Text::ReviewUserId, admin.user_id.as_str().to_owned()),
            row(Text::ReviewSentTo, sent_to),
        ];
        let review = RegistrationReview { rows };
        self.conn.lock().await.review = Some((req.clone(), review.clone()));
        Ok(review)
    }

    /// 「戻って直す」: back to the form; the review is dropped.
    pub async fn edit_registration(&self) -> AppStatus {
        self.conn.lock().await.review = None;
        self.status().await
    }

    /// 「管理者ユーザの登録を完了する」 on the confirmation screen: registers
    /// exactly what staff confirmed.
    pub async fn register_reviewed(&self) -> AppResult<Progress> {
        let reviewed = self.conn.lock().await.review.as_ref().map(|(req, _)| req.clone());
        self.register_admin(reviewed.ok_or(AppError::new(ErrorCode::StepOutOfOrder))?).await
    }

    /// The completion was seen: on to the admin's login.
    pub async fn acknowledge_registration(&self) -> AppStatus {
        self.conn.lock().await.registration_unseen = false;
        self.status().await
    }

    /// 「管理者ユーザの登録を完了する」. The request and its idempotency key
    /// are saved before sending, so a retry after a crash or a lost answer
    /// reuses the key and never creates a second account.
    pub async fn register_admin(&self, req: AdminRegistrationRequest) -> AppResult<Progress> {
        let token = self.office_token().await?;
        let reused = plan::registration_key(lock(&self.progress).pending_registration.as_ref(), &req);
        let key = reused.unwrap_or_else(OnboardingClient::new_idempotency_key);
        self.update_progress(|p| p.pending_registration = Some((key.clone(), req.clone())))?;
        let client = self.client().await?;
        let done = self.call(client.register_admin(token.expose_secret(), &key, &req)).await?;
        let r = done.registration;
        {
            let mut conn = self.conn.lock().await;
            conn.review = None;
            conn.registration_unseen = true;
        }
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
