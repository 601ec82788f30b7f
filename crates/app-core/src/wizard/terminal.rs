//! 3-4 マイナ資格確認アプリの事前設定: terminals are issued with a one-time
//! activation code. For this PC the app is also the device: it makes the
//! key pair (kept in the keychain), redeems the code and signs. For a phone
//! or tablet it shows the code and its QR code and waits; in practice mode a
//! simulated device can scan it.

use super::plan::{self, TerminalPlan};
use super::{lock, AppCore};
use crate::progress::{Progress, Step, TerminalProgress};
use crate::terminal_keys::TerminalKey;
use crate::wizard::FormField;
use crate::{AppError, AppResult};
use kaigo_api::terminal::{terminal_link_message, Terminal, TerminalIssued, TerminalSettings};
use kaigo_client::{ClientError, OnboardingClient};
use kaigo_domain::terminal::TerminalKind;
use kaigo_domain::ErrorCode;
use secrecy::ExposeSecret;
use serde::Serialize;

/// A device's activation code on screen: the code to type, the QR code to
/// scan (SVG), and how long it still works.
#[derive(Debug, Clone, Serialize)]
pub struct DeviceActivation {
    pub terminal: Terminal,
    pub code: String,
    pub link: String,
    pub qr_svg: String,
    #[serde(with = "time::serde::rfc3339")]
    pub expires_at: time::OffsetDateTime,
    pub seconds_left: i64,
}

/// The QR code of an activation link, as an SVG the page shows as is.
fn qr_svg(link: &str) -> AppResult<String> {
    let code = qrcode::QrCode::with_error_correction_level(link.as_bytes(), qrcode::EcLevel::M).map_err(AppError::internal)?;
    Ok(code.render::<qrcode::render::svg::Color<'_>>().min_dimensions(220, 220).quiet_zone(true).build())
}

/// The device's part: redeem the code with the key, sign the challenge.
async fn activate(device: &OnboardingClient, terminal_id: &str, code: &str, key: &TerminalKey) -> Result<TerminalSettings, ClientError> {
    let challenge = device.redeem_terminal_activation(terminal_id, code, &key.public_key_b64()).await?;
    let signature = key.sign_b64(&terminal_link_message(terminal_id, &challenge.challenge));
    device.prove_terminal(terminal_id, &signature).await
}

impl AppCore {
    /// 「このPC」: issues the terminal (or a new code for the one left
    /// unproven), then redeems and signs as the device with the kept key.
    pub async fn setup_terminal(&self, name: &str) -> AppResult<Progress> {
        kaigo_domain::TerminalName::parse(name).map_err(|c| AppError::field(c, FormField::Name))?;
        let token = self.user_token().await?;
        let next = plan::terminal_plan(lock(&self.progress).terminal.as_ref());
        let client = self.client().await?;
        let (issued, key): (TerminalIssued, TerminalKey) = match next {
            TerminalPlan::Done => return self.refresh_linked_terminals().await,
            TerminalPlan::Prove { terminal_id, key_name } => {
                let key = TerminalKey::load(self.secrets.as_ref(), &key_name)?;
                (self.call(client.reissue_terminal_activation(token.expose_secret(), &terminal_id)).await?, key)
            }
            TerminalPlan::Register => {
                let issued = self.call(client.issue_terminal(token.expose_secret(), name, TerminalKind::ThisPc)).await?;
                let key = TerminalKey::create(self.secrets.as_ref())?;
                let t = &issued.terminal;
                self.update_progress(|p| {
                    p.terminal = Some(TerminalProgress {
                        terminal_id: t.terminal_id.clone(),
                        name: t.name.clone(),
                        linked: false,
                        settings: t.settings.clone(),
                        key_name: key.name.clone(),
                    })
                })?;
                (issued, key)
            }
        };
        let t = issued.terminal;
        let settings = self.call(activate(&client, &t.terminal_id, &issued.activation.code, &key)).await?;
        self.update_progress(|p| {
            p.terminal =
                Some(TerminalProgress { terminal_id: t.terminal_id, name: t.name, linked: true, settings, key_name: key.name.clone() })
        })?;
        self.refresh_linked_terminals().await
    }

    /// 「スマートフォン・タブレット」: issues the terminal and shows its code.
    pub async fn issue_device_terminal(&self, name: &str) -> AppResult<DeviceActivation> {
        kaigo_domain::TerminalName::parse(name).map_err(|c| AppError::field(c, FormField::Name))?;
        let token = self.user_token().await?;
        let client = self.client().await?;
        let issued = self.call(client.issue_terminal(token.expose_secret(), name, TerminalKind::Mobile)).await?;
        self.device_activation(issued)
    }

    /// A new code for a device's terminal whose code ran out.
    pub async fn reissue_device_activation(&self, terminal_id: &str) -> AppResult<DeviceActivation> {
        let token = self.user_token().await?;
        let client = self.client().await?;
        let issued = self.call(client.reissue_terminal_activation(token.expose_secret(), terminal_id)).await?;
        self.device_activation(issued)
    }

    fn device_activation(&self, issued: TerminalIssued) -> AppResult<DeviceActivation> {
        let a = issued.activation;
        Ok(DeviceActivation {
            qr_svg: qr_svg(&a.link)?,
            seconds_left: (a.expires_at - self.now()).whole_seconds().max(0),
            expires_at: a.expires_at,
            code: a.code,
            link: a.link,
            terminal: issued.terminal,
        })
    }

    /// The office's terminals; the linked ones are remembered for the report.
    pub async fn list_terminals(&self) -> AppResult<Vec<Terminal>> {
        let token = self.user_token().await?;
        let client = self.client().await?;
        let terminals = self.call(client.terminals(token.expose_secret())).await?;
        let linked = plan::linked_terminals(&terminals);
        self.update_progress(|p| p.linked_terminals = linked)?;
        Ok(terminals)
    }

    async fn refresh_linked_terminals(&self) -> AppResult<Progress> {
        self.list_terminals().await?;
        Ok(lock(&self.progress).clone())
    }

    /// 「登録を解除」: the terminal can no longer be used; this PC's own
    /// terminal is then set up afresh if asked again.
    pub async fn unlink_terminal(&self, terminal_id: &str) -> AppResult<Vec<Terminal>> {
        let token = self.user_token().await?;
        let client = self.client().await?;
        self.call(client.unlink_terminal(token.expose_secret(), terminal_id)).await?;
        let own = lock(&self.progress).terminal.as_ref().is_some_and(|t| t.terminal_id == terminal_id);
        if own {
            self.update_progress(|p| p.terminal = None)?;
        }
        self.list_terminals().await
    }

    /// 「設定を終える」: at least one terminal must be linked.
    pub async fn finish_terminals(&self) -> AppResult<Progress> {
        let terminals = self.list_terminals().await?;
        plan::finishable(&terminals)?;
        let now = self.now();
        self.update_progress(|p| {
            p.finished_at.get_or_insert(now);
            p.reach(Step::Finished);
        })
    }

    /// 練習モード: a simulated phone scans the QR code — it reads the link,
    /// makes its own key, and redeems the code over a connection with no
    /// office certificate, as a real device would.
    pub async fn practice_device_scan(&self, link: &str) -> AppResult<TerminalSettings> {
        if !self.is_practice() {
            return Err(AppError::new(ErrorCode::PracticeModeOnly));
        }
        let crate::service_access::ServiceEndpoint { url, trust } = self.service().await?;
        let link = plan::activation_link_for(link, &url)?;
        let (_, network) = self.network(&url)?;
        let device = OnboardingClient::new_via(&url, &trust, None, &network).map_err(|e| self.refused(e))?;
        let key = TerminalKey::ephemeral();
        self.call(activate(&device, &link.terminal_id, &link.code, &key)).await
    }
}
