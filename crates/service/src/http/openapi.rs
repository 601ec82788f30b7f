//! The OpenAPI document, generated from the handlers and wire types so it
//! cannot drift from what the service does. A copy is committed as
//! `openapi.json` at the repository root; a test keeps the two equal.

use super::openapi_common::{CommonAnswers, Formats, OperationRefusals};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

#[derive(OpenApi)]
#[openapi(
    info(title = "Kaigo Onboard service", description = "Step 3 of onboarding to the 介護保険資格確認等WEBサービス: office user login, admin registration, admin first login and terminal pre-setup. Every call requires the office's client certificate in the TLS handshake (mutual TLS), except the two `/v1/terminal-activations` calls a card-reading device makes with its one-time activation code. Errors are `{code, message, message_en}` with a stable `code`, and `retry_after_seconds`, `tries_left` and `field` when they apply."),
    paths(
        super::meta::health, super::meta::server_time, super::meta::reference_lists, super::meta::policy,
        super::office::login, super::office::resend, super::office::verify, super::office::register_admin,
        super::office::user_id_availability, super::office::unlock_user, super::office::reissue_initial_password, super::office::logout,
        super::user::login, super::user::send_code, super::user::verify, super::user::change_password,
        super::user::revoke_device_trust, super::user::logout,
        super::terminals::issue, super::terminals::reissue_activation, super::terminals::redeem, super::terminals::prove,
        super::terminals::list, super::terminals::unlink,
        super::practice::mailbox,
    ),
    components(schemas(kaigo_domain::ErrorCode, kaigo_domain::DeliveryChannel)),
    modifiers(&Sessions, &OperationRefusals, &CommonAnswers, &Formats)
)]
pub struct ApiDoc;

struct Sessions;

impl Modify for Sessions {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        for name in ["office_session", "user_session"] {
            components.add_security_scheme(name, SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()));
        }
    }
}

pub fn document() -> utoipa::openapi::OpenApi {
    ApiDoc::openapi()
}

pub fn json() -> String {
    #[allow(clippy::expect_used)] // the document is plain data
    let mut s = document().to_pretty_json().expect("OpenAPI serialises");
    s.push('\n');
    s
}
