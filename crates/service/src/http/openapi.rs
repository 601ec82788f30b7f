//! The OpenAPI document, generated from the handlers and wire types so it
//! cannot drift from what the service does. A copy is committed as
//! `openapi.json` at the repository root; a test keeps the two equal.

use super::openapi_common::{CommonAnswers, Formats, OperationRefusals};
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

#[derive(OpenApi)]
#[openapi(
    info(title = "Kaigo Onboard service", description = "Step 3 of onboarding to the 介護保険資格確認等WEBサービス: office user login, admin registration, admin first login and terminal pre-setup. Every call requires the office's client certificate in the TLS handshake (mutual TLS), except the two `/v1/terminal-activations` calls a card-reading device makes with its one-time activation code, and 研修 (classes): a PC joins a class with its join code and a PKCS#10 request for its own key (`/v1/class/…`), and the trainer follows the class with a session cookie from their link, every change carrying the session's CSRF token (`/trainer/sign-in`, `/v1/trainer/…`). Errors are `{code, message, message_en}` with a stable `code`, and `retry_after_seconds`, `tries_left` and `field` when they apply."),
    paths(
        super::meta::health, super::meta::server_time, super::meta::reference_lists, super::meta::policy,
        super::office::login, super::office::resend, super::office::verify, super::office::register_admin,
        super::office::user_id_availability, super::office::unlock_user, super::office::reissue_initial_password, super::office::logout,
        super::user::login, super::user::send_code, super::user::verify, super::user::change_password,
        super::user::revoke_device_trust, super::user::logout,
        super::terminals::issue, super::terminals::reissue_activation, super::terminals::redeem, super::terminals::prove,
        super::terminals::list, super::terminals::unlink,
        super::practice::mailbox,
        super::classes::authority, super::classes::join,
        super::classes::sign_in, super::classes::session, super::classes::grid, super::classes::join_qr, super::classes::events,
        super::classes::unlock_seat, super::classes::reset_seat, super::classes::close_class, super::classes::summary_csv,
    ),
    components(schemas(kaigo_domain::ApiErrorCode, kaigo_domain::DeliveryChannel, kaigo_api::ErrorBody, kaigo_api::class::TrainerGridChange)),
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
        components.add_security_scheme(
            "trainer_cookie",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::new(super::classes::TRAINER_COOKIE))),
        );
        components.add_security_scheme("csrf_token", SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::new("X-CSRF-Token"))));
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
