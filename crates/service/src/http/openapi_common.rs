//! What the handlers' annotations leave out of the OpenAPI document, added
//! in one place: the answers every call can give (from layers around the
//! handlers), and the formats of IDs and codes — taken from the domain's
//! rules, so that the document and the service cannot disagree.

use kaigo_domain::{ActivationCode, ElectronicBillingId, OneTimeCode, PersonName, ReferenceLists, TerminalName, UserId};
use utoipa::openapi::path::{Operation, ParameterIn};
use utoipa::openapi::schema::{Object, Schema};
use utoipa::openapi::{Content, OpenApi, Ref, RefOr, ResponseBuilder};
use utoipa::Modify;

/// The answers any call may give, besides those its handler documents.
pub struct CommonAnswers;

/// Statuses every operation can answer: (status, when). 413 too on an
/// operation that takes no body: the limit is the connection's, and a
/// client may send one anyway.
fn common() -> [(&'static str, String); 7] {
    [
        ("400", "`invalid_request`: the body, a query or a path parameter is not what the operation takes.".into()),
        ("401", "`client_certificate_required` (no client certificate in the TLS handshake), `client_certificate_revoked` (the certificate was revoked), `unauthenticated` (no session, or one that has ended), or the operation's own refusal.".into()),
        ("408", "`request_timeout`: the request was not received in time.".into()),
        ("413", format!("`payload_too_large`: the body is over {} KiB (any body sent, also to an operation that takes none).", super::MAX_REQUEST_BODY_BYTES / 1024)),
        ("429", "`rate_limited`: too many requests, or too many connections for this client certificate; `retry_after_seconds` and the `Retry-After` header say when to try again.".into()),
        ("500", "`internal`: a fault of the service.".into()),
        ("503", "`service_unavailable`: the database cannot be reached; try again after `retry_after_seconds`.".into()),
    ]
}

fn error_answer(description: &str) -> utoipa::openapi::Response {
    ResponseBuilder::new()
        .description(description)
        .content("application/json", Content::new(Some(Ref::from_schema_name("ErrorBody"))))
        .build()
}

fn operations(openapi: &mut OpenApi) -> impl Iterator<Item = &mut Operation> {
    openapi
        .paths
        .paths
        .values_mut()
        .flat_map(|item| [&mut item.get, &mut item.post, &mut item.put, &mut item.delete, &mut item.patch].into_iter().flatten())
}

impl Modify for CommonAnswers {
    fn modify(&self, openapi: &mut OpenApi) {
        for op in operations(openapi) {
            for (status, when) in common() {
                op.responses.responses.entry(status.to_owned()).or_insert_with(|| RefOr::T(error_answer(&when)));
            }
        }
    }
}

/// Each operation's own refusals (`operations::REFUSALS`), under the
/// status each code is answered with.
pub struct OperationRefusals;

impl Modify for OperationRefusals {
    fn modify(&self, openapi: &mut OpenApi) {
        for op in operations(openapi) {
            let Some(codes) = op.operation_id.as_deref().and_then(super::operations::refusals) else { continue };
            let mut by_status: std::collections::BTreeMap<u16, Vec<String>> = std::collections::BTreeMap::new();
            for code in codes {
                let status = super::error::status_of(code).as_u16();
                by_status.entry(status).or_default().push(format!("`{}`{}", code.as_str(), super::operations::note(code)));
            }
            for (status, described) in by_status {
                op.responses.responses.insert(status.to_string(), RefOr::T(error_answer(&described.join(", "))));
            }
        }
    }
}

/// The formats of IDs and codes, from the domain's constants.
pub struct Formats;

fn string_with(pattern: Option<String>, description: Option<&str>) -> Object {
    let mut o = Object::with_type(utoipa::openapi::schema::Type::String);
    o.pattern = pattern;
    o.description = description.map(str::to_owned);
    o
}

pub fn electronic_billing_id_pattern() -> String {
    let [short, long] = ElectronicBillingId::LENGTHS;
    format!("^KJ[0-9A-Za-z]{{{}}}([0-9A-Za-z]{{{}}})?$", short - 2, long - short)
}

pub fn user_id_pattern() -> String {
    format!("^[0-9A-Za-z]{{{},{}}}$", UserId::MIN_LEN, UserId::MAX_LEN)
}

pub fn one_time_code_pattern() -> String {
    format!("^[0-9]{{{}}}$", OneTimeCode::DIGITS)
}

/// An activation code as sent: the grouped form the service hands out
/// (`ABCD-EFGH-JKLM`) or its symbols alone. (`ActivationCode::parse` takes
/// more — lower case, full width, spaces — as people type it; a client
/// sends one of these two.)
pub fn activation_code_pattern() -> String {
    activation_code_groups("-?")
}

/// An activation code as the service answers it: grouped.
pub fn issued_activation_code_pattern() -> String {
    activation_code_groups("-")
}

fn activation_code_groups(separator: &str) -> String {
    let alphabet = std::str::from_utf8(ActivationCode::ALPHABET).unwrap_or_default();
    let group = ActivationCode::GROUP;
    format!("^[{alphabet}]{{{group}}}({separator}[{alphabet}]{{{group}}}){{{}}}$", ActivationCode::LEN / group - 1)
}

/// A property of a component schema, when it is a plain object schema.
fn property<'a>(openapi: &'a mut OpenApi, schema: &str, property: &str) -> Option<&'a mut Object> {
    let Some(RefOr::T(Schema::Object(object))) = openapi.components.as_mut()?.schemas.get_mut(schema) else { return None };
    match object.properties.get_mut(property)? {
        RefOr::T(Schema::Object(p)) => Some(p),
        _ => None,
    }
}

fn constrain(openapi: &mut OpenApi, schema: &str, name: &str, pattern: &str) {
    if let Some(p) = property(openapi, schema, name) {
        p.pattern = Some(pattern.to_owned());
    }
}

fn describe(openapi: &mut OpenApi, schema: &str, name: &str, description: &str) {
    if let Some(p) = property(openapi, schema, name) {
        p.description = Some(description.to_owned());
    }
}

impl Modify for Formats {
    fn modify(&self, openapi: &mut OpenApi) {
        let kj = electronic_billing_id_pattern();
        let user = user_id_pattern();
        let code = one_time_code_pattern();
        constrain(openapi, "OfficeLoginRequest", "electronic_billing_id", &kj);
        constrain(openapi, "OfficeVerifyRequest", "code", &code);
        constrain(openapi, "OfficeVerifyRequest", "security_code", "^[0-9A-Za-z]{4,16}$");
        constrain(openapi, "UserVerifyRequest", "code", &code);
        constrain(openapi, "UserLoginRequest", "user_id", &user);
        constrain(openapi, "AdminRegistrationRequest", "user_id", &user);
        constrain(openapi, "ActivationRedeemRequest", "activation_code", &activation_code_pattern());
        constrain(openapi, "TerminalActivation", "code", &issued_activation_code_pattern());
        constrain(openapi, "ActivationRedeemRequest", "terminal_id", UUID_PATTERN);
        // Ed25519: a 32-byte key and a 64-byte signature, base64 (padded).
        constrain(openapi, "ActivationRedeemRequest", "public_key", "^[A-Za-z0-9+/]{43}=$");
        constrain(openapi, "TerminalProofRequest", "signature", "^[A-Za-z0-9+/]{86}==$");
        // Names: 1 to MAX_CHARS characters (blank or control characters are
        // refused too, which a schema cannot say).
        for (schema, name, max) in
            [("AdminRegistrationRequest", "name", PersonName::MAX_CHARS), ("TerminalIssueRequest", "name", TerminalName::MAX_CHARS)]
        {
            if let Some(p) = property(openapi, schema, name) {
                p.min_length = Some(1);
                p.max_length = Some(max);
            }
        }
        // An empty password is refused (`password_missing`) before anything.
        for (schema, name) in [
            ("OfficeLoginRequest", "password"),
            ("UserLoginRequest", "password"),
            ("ChangePasswordRequest", "current_password"),
            ("ChangePasswordRequest", "new_password"),
        ] {
            if let Some(p) = property(openapi, schema, name) {
                p.min_length = Some(1);
            }
        }
        // What a terminal signs, written out from the function that makes it.
        let message =
            String::from_utf8_lossy(&kaigo_api::terminal::terminal_link_message("{terminal_id}", "{challenge}")).replace('\n', "\\n");
        let signed = format!(
            "Ed25519 signature (64 bytes, base64, standard alphabet, padded) by the key sent with the activation code, over the UTF-8 bytes `{message}` — `\\n` a line feed (0x0A), `{{terminal_id}}` the terminal's ID as issued, `{{challenge}}` the challenge exactly as received (base64 text)."
        );
        describe(openapi, "TerminalProofRequest", "signature", &signed);
        describe(openapi, "TerminalChallenge", "challenge", "Random bytes, base64 (standard, padded); single use, valid until `expires_at`. Sign it as `TerminalProofRequest.signature` says.");
        // Service types and job categories offered now (past ones are refused).
        let lists = ReferenceLists::built_in();
        if let Some(j) = property(openapi, "AdminRegistrationRequest", "job_category") {
            j.enum_values = Some(lists.job_categories.iter().map(|j| serde_json::Value::from(j.code.clone())).collect());
        }
        if let Some(RefOr::T(Schema::Object(o))) = openapi.components.as_mut().and_then(|c| c.schemas.get_mut("AdminRegistrationRequest")) {
            if let Some(RefOr::T(Schema::Array(a))) = o.properties.get_mut("service_types") {
                if let utoipa::openapi::schema::ArrayItems::RefOrSchema(items) = &mut a.items {
                    if let RefOr::T(Schema::Object(item)) = items.as_mut() {
                        item.enum_values =
                            Some(lists.service_types.iter().filter(|s| !s.past).map(|s| serde_json::Value::from(s.code.clone())).collect());
                    }
                }
            }
        }
        // Path and query parameters.
        for op in operations(openapi) {
            for p in op.parameters.iter_mut().flatten() {
                let schema = match (p.name.as_str(), &p.parameter_in) {
                    ("challenge_id" | "terminal_id", ParameterIn::Path) => string_with(Some(UUID_PATTERN.to_owned()), None),
                    ("user_id", ParameterIn::Path | ParameterIn::Query) => string_with(Some(user.clone()), None),
                    ("Idempotency-Key", ParameterIn::Header) => {
                        let len = crate::onboarding::registration::IDEMPOTENCY_KEY_LEN;
                        string_with(Some(format!("^[A-Za-z0-9_-]{{{},{}}}$", len.start(), len.end())), None)
                    }
                    _ => continue,
                };
                p.schema = Some(RefOr::T(Schema::Object(schema)));
            }
        }
    }
}

/// IDs the service makes (challenges, terminals) are UUIDs.
const UUID_PATTERN: &str = "^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_patterns_state_the_domains_rules() {
        assert_eq!(electronic_billing_id_pattern(), "^KJ[0-9A-Za-z]{10}([0-9A-Za-z]{2})?$");
        assert_eq!(user_id_pattern(), "^[0-9A-Za-z]{6,32}$");
        assert_eq!(one_time_code_pattern(), "^[0-9]{6}$");
        let a = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
        assert_eq!(activation_code_pattern(), format!("^[{a}]{{4}}(-?[{a}]{{4}}){{2}}$"));
        assert_eq!(issued_activation_code_pattern(), format!("^[{a}]{{4}}(-[{a}]{{4}}){{2}}$"));
    }
}
