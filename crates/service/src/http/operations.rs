//! Each operation's own refusals, listed once, by operationId. The OpenAPI
//! document's error answers are written from this list (each code under the
//! status [`super::error::status_of`] gives it), and a test holds the
//! document, the list and the handlers' annotations together. The answers
//! every operation can give (a missing certificate, an ended session, the
//! body limit, …) are `openapi_common`'s.

use kaigo_domain::ApiErrorCode::{self, *};

/// A registration's fields, checked in the form's order.
const ADMIN_FIELDS: &[ApiErrorCode] = &[
    NameInvalid,
    EmailInvalid,
    PhoneInvalid,
    ContactMissing,
    DeliveryChannelUnavailable,
    ServiceTypesMissing,
    ServiceTypeUnknown,
    ServiceTypePast,
    JobCategoryUnknown,
    UserIdInvalid,
];

/// A new password against the policy.
const NEW_PASSWORD: &[ApiErrorCode] = &[
    PasswordMissing,
    PasswordTooShort,
    PasswordTooLong,
    PasswordInvalidCharacters,
    PasswordTooFewKinds,
    PasswordContainsUserId,
    PasswordTooCommon,
    PasswordUnchanged,
];

/// (operationId, the refusals of its own, beside its fields' groups above).
pub const REFUSALS: &[(&str, &[&[ApiErrorCode]])] = &[
    ("health", &[&[ServiceUnavailable]]),
    ("server_time", &[]),
    ("reference_lists", &[]),
    ("policy", &[]),
    ("office_login", &[&[ElectronicBillingIdInvalid, PasswordMissing, InvalidCredentials, CertificateOfficeMismatch, OfficeLocked]]),
    ("office_resend", &[&[ChallengeNotFound, CodeResendTooSoon]]),
    (
        "office_verify",
        &[&[
            OneTimeCodeFormat,
            ChallengeNotFound,
            CodeNotSent,
            CodeIncorrect,
            CodeExpired,
            CodeAttemptsExhausted,
            SecurityCodeRequired,
            SecurityCodeFormat,
            SecurityCodeIncorrect,
        ]],
    ),
    ("office_register_admin", &[&[IdempotencyKeyInvalid, IdempotencyKeyReused, UserIdTaken], ADMIN_FIELDS]),
    ("office_user_id_availability", &[&[UserIdInvalid]]),
    ("office_unlock_user", &[&[UserIdInvalid, NotFound]]),
    ("office_reissue_initial_password", &[&[UserIdInvalid, NotFound, ContactMissing, DeliveryChannelUnavailable]]),
    ("office_logout", &[]),
    ("user_login", &[&[UserIdInvalid, PasswordMissing, InvalidCredentials, LoginThrottled, UserLocked, InitialPasswordExpired]]),
    ("user_send_code", &[&[ChallengeNotFound, DeliveryChannelUnavailable, CodeResendTooSoon]]),
    ("user_verify", &[&[OneTimeCodeFormat, ChallengeNotFound, CodeNotSent, CodeIncorrect, CodeExpired, CodeAttemptsExhausted]]),
    ("user_change_password", &[&[InvalidCredentials, LoginThrottled, UserLocked], NEW_PASSWORD]),
    ("user_revoke_device_trust", &[&[PasswordChangeRequired]]),
    ("user_logout", &[]),
    ("terminal_issue", &[&[PasswordChangeRequired, TerminalNameInvalid, TerminalKindInvalid, TerminalNameTaken]]),
    ("terminal_reissue_activation", &[&[PasswordChangeRequired, TerminalNotFound, TerminalAlreadyLinked]]),
    (
        "terminal_activation_redeem",
        &[&[ActivationCodeInvalid, TerminalKeyInvalid, ActivationCodeIncorrect, ActivationCodeExpired, ActivationCodeUsed]],
    ),
    ("terminal_activation_prove", &[&[TerminalSignatureInvalid, TerminalKeyInvalid, TerminalAlreadyLinked, TerminalChallengeExpired]]),
    ("terminal_list", &[&[PasswordChangeRequired]]),
    ("terminal_unlink", &[&[PasswordChangeRequired, TerminalNotFound]]),
    ("practice_mailbox", &[&[PracticeModeOnly]]),
    ("class_authority", &[&[ClassesNotOffered]]),
    (
        "class_join",
        &[&[
            ClassesNotOffered,
            JoinCodeFormat,
            JoinTriesExhausted,
            JoinCodeWrong,
            CertificateRequestInvalid,
            CertificateRequestKeyWeak,
            ClassClosed,
            ClassFull,
        ]],
    ),
    ("trainer_sign_in", &[&[TrainerSignInRequired]]),
    ("trainer_session", &[&[TrainerSignInRequired, ClassesNotOffered]]),
    ("trainer_grid", &[&[TrainerSignInRequired]]),
    ("trainer_join_qr", &[&[TrainerSignInRequired, ClassesNotOffered]]),
    ("trainer_events", &[&[TrainerSignInRequired]]),
    ("trainer_summary_csv", &[&[TrainerSignInRequired]]),
    ("trainer_unlock_seat", &[&[TrainerSignInRequired, CsrfTokenInvalid, NotFound]]),
    ("trainer_reset_seat", &[&[TrainerSignInRequired, CsrfTokenInvalid, NotFound]]),
    ("trainer_close_class", &[&[TrainerSignInRequired, CsrfTokenInvalid]]),
];

/// The codes any operation may answer, from the layers around the handlers
/// (`openapi_common` describes them): a body or parameter not taken, no
/// client certificate or session (or a certificate revoked while its
/// session was open), time, size and rate limits, the database away, a
/// fault.
pub const ANY_OPERATION: &[ApiErrorCode] = &[
    InvalidRequest,
    ClientCertificateRequired,
    ClientCertificateRevoked,
    Unauthenticated,
    RequestTimeout,
    PayloadTooLarge,
    RateLimited,
    Internal,
    ServiceUnavailable,
];

/// The answers to a request that is no operation: a path or a method the
/// API does not have.
pub const NO_OPERATION: &[ApiErrorCode] = &[NotFound, MethodNotAllowed];

/// The refusals of `operation_id`, or `None` for an operation not listed.
pub fn refusals(operation_id: &str) -> Option<Vec<ApiErrorCode>> {
    REFUSALS.iter().find(|(id, _)| *id == operation_id).map(|(_, groups)| groups.iter().flat_map(|g| g.iter().copied()).collect())
}

/// What an answer's description adds to a code: how to go on.
pub fn note(code: ApiErrorCode) -> &'static str {
    match code {
        OfficeLocked | LoginThrottled | CodeResendTooSoon | RateLimited | ServiceUnavailable | JoinTriesExhausted => " (Retry-After)",
        InvalidCredentials | ActivationCodeIncorrect | JoinCodeWrong => " (tries_left where a lock or a void code follows)",
        _ => "",
    }
}
