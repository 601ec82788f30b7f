//! 設定 →「プロキシ」: the proxy's password, 「接続テスト」, and what the
//! pre-flight check says about the way out.

use super::{lock, AppCore};
use crate::catalogue::{Said, Text};
use crate::network::PROXY_PASSWORD_KEY;
use crate::preflight::{Check, CheckStatus};
use crate::settings::Settings;
use crate::wizard::FormField;
use crate::{AppError, AppResult};
use kaigo_client::OnboardingClient;
use kaigo_domain::proxy::{ProxyAddress, ProxyChoice, Route, SystemProxy, Unfollowed};
use kaigo_domain::{ErrorCode, Policy};
use secrecy::SecretString;
use serde::Serialize;

/// 「プロキシ」 as the settings form sends it: what staff typed, checked here.
#[derive(Debug, Clone, serde::Deserialize)]
pub struct ProxyForm {
    /// `system`, `manual` or `direct`.
    pub mode: String,
    #[serde(default)]
    pub address: String,
    #[serde(default)]
    pub user: String,
    /// Typed only to change it: `None` keeps the one in the keychain.
    #[serde(default)]
    pub password: Option<String>,
}

impl ProxyForm {
    pub fn choice(&self) -> AppResult<ProxyChoice> {
        match self.mode.as_str() {
            "direct" => Ok(ProxyChoice::Direct),
            "manual" => {
                let address = ProxyAddress::parse(&self.address).map_err(|c| AppError::field(c, FormField::ProxyAddress))?;
                let user = Some(self.user.trim().to_owned()).filter(|u| !u.is_empty());
                Ok(ProxyChoice::Manual { address, user })
            }
            _ => Ok(ProxyChoice::System),
        }
    }
}

/// The result of 「接続テスト」.
#[derive(Debug, Clone, Serialize)]
pub struct ConnectionTest {
    pub reached: bool,
    pub route: Route,
    /// What was found, and what to do when it failed.
    #[serde(flatten)]
    pub said: Said,
    /// What the app cannot follow of the PC's setting, in words.
    pub notes: Vec<Said>,
}

/// The PC's setting as staff should hear it: what it uses that this app
/// cannot follow. Only said when staff left the choice to the PC.
pub fn unfollowed_notes(choice: &ProxyChoice, system: &SystemProxy) -> Vec<Said> {
    if *choice != ProxyChoice::System {
        return Vec::new();
    }
    let policy = Policy::default();
    let mut notes: Vec<Said> = system
        .unfollowed
        .iter()
        .map(|u| match u {
            Unfollowed::ConfigurationScript { url } => Text::ProxyUnfollowedScript.said(&policy, &[("where", url)]),
            Unfollowed::AutoDetect => Text::ProxyUnfollowedDetect.said(&policy, &[]),
            Unfollowed::Socks { address } => Text::ProxyUnfollowedSocks.said(&policy, &[("where", address)]),
        })
        .collect();
    if let Some(text) = &system.unreadable {
        notes.push(Text::ProxyUnreadable.said(&policy, &[("where", text)]));
    }
    notes
}

impl AppCore {
    /// Saves 「プロキシ」: the choice in the settings, a password typed
    /// for it in the keychain (an empty one removes it; without a user
    /// name none is kept).
    pub async fn save_proxy(&self, form: ProxyForm) -> AppResult<Settings> {
        let choice = form.choice()?;
        let has_user = matches!(&choice, ProxyChoice::Manual { user: Some(_), .. });
        match form.password.as_deref() {
            _ if !has_user => self.secrets.delete(PROXY_PASSWORD_KEY)?,
            Some("") => self.secrets.delete(PROXY_PASSWORD_KEY)?,
            Some(p) => self.secrets.set(PROXY_PASSWORD_KEY, &SecretString::from(p.to_owned()))?,
            None => {}
        }
        let mut settings = lock(&self.settings).clone();
        settings.proxy = choice;
        // A new password over the same choice still needs new connections.
        *self.conn.lock().await = super::Connection::default();
        self.save_settings(settings).await
    }

    /// 接続テスト: reaches the service the settings name, the way the
    /// settings say, with the chosen certificate when there is one. A
    /// service that asks for a certificate has been reached.
    pub async fn connection_test(&self) -> AppResult<ConnectionTest> {
        let endpoint = self.service().await?;
        let (route, network) = self.network(&endpoint.url)?;
        let choice = lock(&self.settings).proxy.clone();
        let mut notes = unfollowed_notes(&choice, &crate::network::system_proxy());
        let chosen = lock(&self.progress).certificate_id.clone();
        let identity = chosen.and_then(|id| self.certificates.identity(&id).ok());
        let client = OnboardingClient::new_via(&endpoint.url, &endpoint.trust, identity.as_ref(), &network).map_err(|e| self.refused(e))?;
        let (reached, said) = match client.health().await {
            Ok(_) => (true, reached_said(&route)),
            Err(e) if identity.is_none() && e.code() == ErrorCode::ClientCertificateRequired => (true, reached_said(&route)),
            Err(e) => {
                // A proxy asking for a password may be one that signs in
                // with the Windows account, which the app cannot do.
                if e.code() == ErrorCode::ProxyAuthenticationRequired {
                    notes.push(Text::ProxySignInNote.said(&Policy::default(), &[]));
                }
                let crate::AppError(body) = self.refused(e);
                (false, Said { message: body.message, message_en: body.message_en })
            }
        };
        Ok(ConnectionTest { reached, route, said, notes })
    }

    /// The pre-flight check's line about the way out: the proxy in use, or
    /// what of the PC's setting cannot be followed.
    pub(crate) fn proxy_checks(&self, url: &str) -> Vec<Check> {
        let choice = lock(&self.settings).proxy.clone();
        let mut checks: Vec<Check> = unfollowed_notes(&choice, &crate::network::system_proxy())
            .into_iter()
            .map(|said| Check::new("proxy", CheckStatus::Warning, said))
            .collect();
        if let Ok((Route::Via { proxy, .. }, _)) = self.network(url) {
            checks.push(Check::new(
                "proxy",
                CheckStatus::Ok,
                Text::CheckProxyInUse.said(&Policy::default(), &[("where", &proxy.to_string())]),
            ));
        }
        checks
    }
}

fn reached_said(route: &Route) -> Said {
    let policy = Policy::default();
    match route {
        Route::Direct => Text::ConnectionDirectOk.said(&policy, &[]),
        Route::Via { proxy, .. } => Text::ConnectionProxyOk.said(&policy, &[("where", &proxy.to_string())]),
    }
}
