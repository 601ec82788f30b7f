//! 3-4 マイナ資格確認アプリの事前設定: this PC's key pair, registered and
//! proven; a registration left unproven is resumed, a linked one left alone.

use super::plan::{self, TerminalPlan};
use super::{lock, AppCore};
use crate::progress::{Progress, Step, TerminalProgress};
use crate::terminal_keys::TerminalKey;
use crate::{AppError, AppResult};
use kaigo_api::terminal::terminal_link_message;
use secrecy::ExposeSecret;

impl AppCore {
    pub async fn setup_terminal(&self, name: &str) -> AppResult<Progress> {
        kaigo_domain::TerminalName::parse(name).map_err(|c| AppError::field(c, "name"))?;
        let token = self.user_token().await?;
        let next = plan::terminal_plan(lock(&self.progress).terminal.as_ref());
        let client = self.client().await?;
        let (terminal_id, key, challenge) = match next {
            TerminalPlan::Done => return self.update_progress(|p| p.reach(Step::Finished)),
            TerminalPlan::Prove { terminal_id, key_name } => {
                let key = TerminalKey::load(self.secrets.as_ref(), &key_name)?;
                let ch = client.renew_terminal_challenge(token.expose_secret(), &terminal_id).await?;
                (terminal_id, key, ch.challenge)
            }
            TerminalPlan::Register => {
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
}
