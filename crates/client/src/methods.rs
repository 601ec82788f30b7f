//! One method per call of the onboarding API.

use crate::trust::tls_config;
use crate::{ClientError, ClientIdentity, Network, ServerTrust};
use kaigo_api::office::*;
use kaigo_api::service::{Health, MailboxMessage, ServerTime};
use kaigo_api::terminal::*;
use kaigo_api::user::*;
use kaigo_api::{ErrorBody, IDEMPOTENCY_KEY, IDEMPOTENT_REPLAYED};
use kaigo_domain::{DeliveryChannel, ErrorCode, Policy, ReferenceLists};
use reqwest::{Method, RequestBuilder, StatusCode};
use serde::de::DeserializeOwned;
use std::time::Duration;

#[derive(Clone, Debug)]
pub struct OnboardingClient {
    http: reqwest::Client,
    base: String,
    tls: std::sync::Arc<rustls::ClientConfig>,
    network: Network,
}

/// An admin registration, and whether the service replayed an earlier answer.
#[derive(Debug, Clone)]
pub struct Registration {
    pub registration: AdminRegistration,
    pub replayed: bool,
}

/// A successful answer, or the refusal it carries (the API's `ErrorBody`;
/// `service_unavailable` when it carries none).
pub(crate) async fn answered(resp: reqwest::Response) -> Result<reqwest::Response, ClientError> {
    if resp.status().is_success() {
        return Ok(resp);
    }
    let status = resp.status().as_u16();
    let bytes = resp.bytes().await.map_err(ClientError::from_transport)?;
    match serde_json::from_slice::<ErrorBody>(&bytes) {
        Ok(body) => Err(ClientError::Api { status, body }),
        Err(_) => Err(ClientError::local(ErrorCode::ServiceUnavailable, format!("HTTP {status} without an error body"))),
    }
}

/// A successful answer's JSON body.
pub(crate) async fn read_json<T: DeserializeOwned>(resp: reqwest::Response) -> Result<T, ClientError> {
    resp.json().await.map_err(|e| ClientError::local(ErrorCode::ServiceUnavailable, format!("unreadable answer: {e}")))
}

impl OnboardingClient {
    /// `identity` is the office's client certificate; `None` only to test
    /// that the service refuses such calls.
    pub fn new(base_url: &str, trust: &ServerTrust, identity: Option<&ClientIdentity>) -> Result<Self, ClientError> {
        Self::new_via(base_url, trust, identity, &Network::Direct)
    }

    /// As [`Self::new`], its connections going out by `network`.
    pub fn new_via(base_url: &str, trust: &ServerTrust, identity: Option<&ClientIdentity>, network: &Network) -> Result<Self, ClientError> {
        let tls = tls_config(trust, identity)?;
        let http = network
            .apply(reqwest::Client::builder())?
            .use_preconfigured_tls(tls.clone())
            .https_only(true)
            .connect_timeout(Duration::from_secs(10))
            .timeout(Duration::from_secs(60))
            .pool_idle_timeout(Duration::from_secs(50))
            .user_agent(concat!("kaigo-onboard/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| ClientError::local(ErrorCode::Internal, e.to_string()))?;
        Ok(Self { http, base: base_url.trim_end_matches('/').to_owned(), tls: std::sync::Arc::new(tls), network: network.clone() })
    }

    /// A fresh key for one registration attempt: reuse it when retrying.
    pub fn new_idempotency_key() -> String {
        uuid::Uuid::new_v4().to_string()
    }

    fn request(&self, method: Method, path: &str, token: Option<&str>) -> RequestBuilder {
        let req = self.http.request(method, format!("{}{path}", self.base));
        match token {
            Some(t) => req.bearer_auth(t),
            None => req,
        }
    }

    async fn send(&self, req: RequestBuilder) -> Result<reqwest::Response, ClientError> {
        let resp = match req.send().await {
            Ok(resp) => resp,
            Err(e) => {
                let err = ClientError::from_transport_via(e, self.network.is_proxied());
                // Under TLS 1.3 a refused client certificate is told after the
                // handshake, and the HTTP layer may only see a closed
                // connection. A bare handshake then reads the server's reason.
                if err.code() == ErrorCode::ServiceUnavailable {
                    if let Some(code) = crate::diagnose::handshake_refusal(&self.base, self.tls.clone(), &self.network).await {
                        return Err(ClientError::local(code, err.to_string()));
                    }
                }
                return Err(err);
            }
        };
        answered(resp).await
    }

    async fn json<T: DeserializeOwned>(&self, req: RequestBuilder) -> Result<T, ClientError> {
        read_json(self.send(req).await?).await
    }

    /// An unauthenticated JSON call (its own module's methods use it).
    pub(crate) async fn post_json<T: DeserializeOwned>(&self, path: &str, body: &impl serde::Serialize) -> Result<T, ClientError> {
        self.json(self.request(Method::POST, path, None).json(body)).await
    }

    async fn empty(&self, req: RequestBuilder) -> Result<(), ClientError> {
        let resp = self.send(req).await?;
        debug_assert!(resp.status() == StatusCode::NO_CONTENT || resp.status().is_success());
        Ok(())
    }

    // ---- service ----

    pub async fn health(&self) -> Result<Health, ClientError> {
        self.json(self.request(Method::GET, "/v1/health", None)).await
    }

    pub async fn server_time(&self) -> Result<ServerTime, ClientError> {
        self.json(self.request(Method::GET, "/v1/time", None)).await
    }

    pub async fn reference_lists(&self) -> Result<ReferenceLists, ClientError> {
        self.json(self.request(Method::GET, "/v1/reference-lists", None)).await
    }

    /// The lifetimes and counts the service enforces: the numbers the app's
    /// texts state.
    pub async fn policy(&self) -> Result<Policy, ClientError> {
        self.json(self.request(Method::GET, "/v1/policy", None)).await
    }

    /// The service's OpenAPI document.
    pub async fn openapi_document(&self) -> Result<serde_json::Value, ClientError> {
        self.json(self.request(Method::GET, "/openapi.json", None)).await
    }

    // ---- 3-1 office user ----

    pub async fn office_login(&self, electronic_billing_id: &str, password: &str) -> Result<OfficeChallenge, ClientError> {
        let body = OfficeLoginRequest { electronic_billing_id: electronic_billing_id.into(), password: password.into() };
        self.json(self.request(Method::POST, "/v1/office/login", None).json(&body)).await
    }

    pub async fn office_resend_code(&self, challenge_id: &str) -> Result<CodeDelivery, ClientError> {
        self.json(self.request(Method::POST, &format!("/v1/office/login/{challenge_id}/resend"), None)).await
    }

    pub async fn office_verify(&self, challenge_id: &str, code: &str, security_code: Option<&str>) -> Result<OfficeSession, ClientError> {
        let body = OfficeVerifyRequest { code: code.into(), security_code: security_code.map(str::to_owned) };
        self.json(self.request(Method::POST, &format!("/v1/office/login/{challenge_id}/verify"), None).json(&body)).await
    }

    pub async fn office_logout(&self, office_token: &str) -> Result<(), ClientError> {
        self.empty(self.request(Method::POST, "/v1/office/logout", Some(office_token))).await
    }

    // ---- 3-2 admin registration ----

    pub async fn register_admin(
        &self, office_token: &str, idempotency_key: &str, req: &AdminRegistrationRequest,
    ) -> Result<Registration, ClientError> {
        let resp = self
            .send(
                self.request(Method::POST, "/v1/office/admin-users", Some(office_token)).header(IDEMPOTENCY_KEY, idempotency_key).json(req),
            )
            .await?;
        let replayed = resp.headers().get(IDEMPOTENT_REPLAYED).is_some_and(|v| v == "true");
        let registration = resp.json().await.map_err(|e| ClientError::local(ErrorCode::ServiceUnavailable, e.to_string()))?;
        Ok(Registration { registration, replayed })
    }

    pub async fn user_id_availability(&self, office_token: &str, user_id: &str) -> Result<UserIdAvailability, ClientError> {
        self.json(self.request(Method::GET, "/v1/office/user-id-availability", Some(office_token)).query(&[("user_id", user_id)])).await
    }

    pub async fn unlock_user(&self, office_token: &str, user_id: &str) -> Result<(), ClientError> {
        self.empty(self.request(Method::POST, &format!("/v1/office/users/{user_id}/unlock"), Some(office_token))).await
    }

    pub async fn reissue_initial_password(&self, office_token: &str, user_id: &str) -> Result<InitialPasswordReissued, ClientError> {
        self.json(self.request(Method::POST, &format!("/v1/office/users/{user_id}/initial-password"), Some(office_token))).await
    }

    // ---- 3-3 user login ----

    pub async fn user_login(
        &self, user_id: &str, password: &str, device_trust_token: Option<&str>,
    ) -> Result<UserLoginOutcome, ClientError> {
        let body = UserLoginRequest {
            user_id: user_id.into(),
            password: password.into(),
            device_trust_token: device_trust_token.map(str::to_owned),
        };
        self.json(self.request(Method::POST, "/v1/user/login", None).json(&body)).await
    }

    pub async fn send_user_code(&self, challenge_id: &str, channel: DeliveryChannel) -> Result<CodeDelivery, ClientError> {
        self.json(self.request(Method::POST, &format!("/v1/user/login/{challenge_id}/send"), None).json(&SendCodeRequest { channel })).await
    }

    pub async fn user_verify(&self, challenge_id: &str, code: &str, remember_device: bool) -> Result<UserVerified, ClientError> {
        let body = UserVerifyRequest { code: code.into(), remember_device };
        self.json(self.request(Method::POST, &format!("/v1/user/login/{challenge_id}/verify"), None).json(&body)).await
    }

    pub async fn change_password(&self, user_token: &str, current_password: &str, new_password: &str) -> Result<UserSession, ClientError> {
        let body = ChangePasswordRequest { current_password: current_password.into(), new_password: new_password.into() };
        self.json(self.request(Method::POST, "/v1/user/password", Some(user_token)).json(&body)).await
    }

    pub async fn revoke_device_trust(&self, user_token: &str) -> Result<(), ClientError> {
        self.empty(self.request(Method::DELETE, "/v1/user/device-trust", Some(user_token))).await
    }

    pub async fn user_logout(&self, user_token: &str) -> Result<(), ClientError> {
        self.empty(self.request(Method::POST, "/v1/user/logout", Some(user_token))).await
    }

    // ---- 3-4 terminal pre-setup ----

    /// The admin issues a terminal and gets its one-time activation code.
    pub async fn issue_terminal(
        &self, user_token: &str, name: &str, kind: kaigo_domain::terminal::TerminalKind,
    ) -> Result<TerminalIssued, ClientError> {
        let body = TerminalIssueRequest { name: name.into(), kind };
        self.json(self.request(Method::POST, "/v1/terminals", Some(user_token)).json(&body)).await
    }

    /// A new activation code for a terminal not yet linked.
    pub async fn reissue_terminal_activation(&self, user_token: &str, terminal_id: &str) -> Result<TerminalIssued, ClientError> {
        self.json(self.request(Method::POST, &format!("/v1/terminals/{terminal_id}/activation"), Some(user_token))).await
    }

    /// The device redeems its activation code with its public key (needs no
    /// client certificate: a client made with `identity: None` will do).
    pub async fn redeem_terminal_activation(
        &self, terminal_id: &str, activation_code: &str, public_key_b64: &str,
    ) -> Result<TerminalChallenge, ClientError> {
        let body = ActivationRedeemRequest {
            terminal_id: terminal_id.into(),
            activation_code: activation_code.into(),
            public_key: public_key_b64.into(),
        };
        self.json(self.request(Method::POST, "/v1/terminal-activations", None).json(&body)).await
    }

    /// The device's signature over its challenge; answers its settings.
    pub async fn prove_terminal(&self, terminal_id: &str, signature_b64: &str) -> Result<TerminalSettings, ClientError> {
        let body = TerminalProofRequest { signature: signature_b64.into() };
        self.json(self.request(Method::POST, &format!("/v1/terminal-activations/{terminal_id}/proof"), None).json(&body)).await
    }

    pub async fn terminals(&self, user_token: &str) -> Result<Vec<Terminal>, ClientError> {
        self.json(self.request(Method::GET, "/v1/terminals", Some(user_token))).await
    }

    pub async fn unlink_terminal(&self, user_token: &str, terminal_id: &str) -> Result<(), ClientError> {
        self.empty(self.request(Method::DELETE, &format!("/v1/terminals/{terminal_id}"), Some(user_token))).await
    }

    // ---- practice mode ----

    pub async fn practice_mailbox(&self, recipient: Option<&str>) -> Result<Vec<MailboxMessage>, ClientError> {
        let mut req = self.request(Method::GET, "/v1/practice/mailbox", None);
        if let Some(r) = recipient {
            req = req.query(&[("recipient", r)]);
        }
        self.json(req).await
    }
}
