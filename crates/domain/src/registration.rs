//! 3-2 管理者ユーザの登録: the checks of an admin's application, in the
//! order the form shows its fields, and where the initial password goes.
//! The app runs them before anything is sent; the service runs them again.

use crate::contact::{DeliveryChannel, EmailAddress, PhoneNumber};
use crate::error::ErrorCode;
use crate::ids::UserId;
use crate::names::PersonName;
use crate::reference::ReferenceLists;

/// A refusal and the form field it concerns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FieldRefusal {
    pub code: ErrorCode,
    pub field: &'static str,
}

impl FieldRefusal {
    fn at(field: &'static str) -> impl Fn(ErrorCode) -> FieldRefusal {
        move |code| FieldRefusal { code, field }
    }
}

/// An application as typed (empty contact fields count as absent).
#[derive(Debug, Clone, Copy)]
pub struct AdminApplication<'a> {
    pub name: &'a str,
    pub email: Option<&'a str>,
    pub phone: Option<&'a str>,
    pub service_types: &'a [String],
    pub job_category: &'a str,
    pub user_id: &'a str,
}

/// Where the initial password (初期パスワード) is sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InitialPasswordDestination {
    pub channel: DeliveryChannel,
    /// The address or E.164 number itself.
    pub recipient: String,
    /// As shown to staff (kaig***@example.jp).
    pub masked: String,
}

/// An application that passed every check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckedAdmin {
    pub name: PersonName,
    pub email: Option<EmailAddress>,
    pub phone: Option<PhoneNumber>,
    /// De-duplicated, in the order chosen.
    pub service_types: Vec<String>,
    pub job_category: String,
    pub user_id: UserId,
    pub destination: InitialPasswordDestination,
}

fn present(s: Option<&str>) -> Option<&str> {
    s.filter(|s| !s.trim().is_empty())
}

/// By mail if there is an address, else by SMS to a mobile number; a
/// landline alone cannot receive it.
pub fn initial_password_destination(
    email: Option<&EmailAddress>, phone: Option<&PhoneNumber>,
) -> Result<InitialPasswordDestination, FieldRefusal> {
    match (email, phone) {
        (Some(e), _) => {
            Ok(InitialPasswordDestination { channel: DeliveryChannel::Email, recipient: e.as_str().to_owned(), masked: e.masked() })
        }
        (None, Some(p)) if p.is_mobile() => {
            Ok(InitialPasswordDestination { channel: DeliveryChannel::Sms, recipient: p.e164(), masked: p.masked() })
        }
        (None, Some(_)) => Err(FieldRefusal { code: ErrorCode::DeliveryChannelUnavailable, field: "phone" }),
        (None, None) => Err(FieldRefusal { code: ErrorCode::ContactMissing, field: "email" }),
    }
}

/// Checks an application field by field, the first refusal first.
pub fn check_admin_application(app: &AdminApplication<'_>, lists: &ReferenceLists) -> Result<CheckedAdmin, FieldRefusal> {
    let name = PersonName::parse(app.name).map_err(FieldRefusal::at("name"))?;
    let email = present(app.email).map(EmailAddress::parse).transpose().map_err(FieldRefusal::at("email"))?;
    let phone = present(app.phone).map(PhoneNumber::parse).transpose().map_err(FieldRefusal::at("phone"))?;
    let destination = initial_password_destination(email.as_ref(), phone.as_ref())?;
    let service_types = lists.check_selection(app.service_types, app.job_category).map_err(|code| FieldRefusal {
        code,
        field: if code == ErrorCode::JobCategoryUnknown { "job_category" } else { "service_types" },
    })?;
    let user_id = UserId::parse(app.user_id).map_err(FieldRefusal::at("user_id"))?;
    Ok(CheckedAdmin { name, email, phone, service_types, job_category: app.job_category.to_owned(), user_id, destination })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn lists() -> ReferenceLists {
        ReferenceLists::built_in().clone()
    }

    fn refusal(edit: impl Fn(&mut AdminApplication<'_>)) -> Option<(ErrorCode, &'static str)> {
        let lists = lists();
        let services = vec![lists.service_types[0].code.clone()];
        let job = lists.job_categories[0].code.clone();
        let mut app = AdminApplication {
            name: "介護 花子",
            email: Some("hanako@example.jp"),
            phone: None,
            service_types: &services,
            job_category: &job,
            user_id: "kaigo01",
        };
        edit(&mut app);
        check_admin_application(&app, &lists).err().map(|r| (r.code, r.field))
    }

    #[test]
    fn a_complete_application_passes_and_mail_is_preferred() {
        let lists = lists();
        let services = vec![lists.service_types[0].code.clone(), lists.service_types[0].code.clone()];
        let job = lists.job_categories[0].code.clone();
        let app = AdminApplication {
            name: "介護 花子",
            email: Some("hanako@example.jp"),
            phone: Some("090-1234-5678"),
            service_types: &services,
            job_category: &job,
            user_id: "kaigo01",
        };
        let checked = check_admin_application(&app, &lists).unwrap();
        assert_eq!(checked.destination.channel, DeliveryChannel::Email);
        assert_eq!(checked.service_types.len(), 1);
    }

    #[test]
    fn each_field_is_refused_with_its_code_and_field() {
        assert_eq!(refusal(|_| {}), None);
        assert_eq!(refusal(|a| a.name = ""), Some((ErrorCode::NameInvalid, "name")));
        assert_eq!(refusal(|a| a.email = Some("not-mail")), Some((ErrorCode::EmailInvalid, "email")));
        assert_eq!(refusal(|a| a.email = Some("  ")), Some((ErrorCode::ContactMissing, "email")));
        assert_eq!(
            refusal(|a| {
                a.email = None;
                a.phone = Some("12")
            }),
            Some((ErrorCode::PhoneInvalid, "phone"))
        );
        // A landline cannot receive the initial password by SMS.
        assert_eq!(
            refusal(|a| {
                a.email = None;
                a.phone = Some("03-1234-5678")
            }),
            Some((ErrorCode::DeliveryChannelUnavailable, "phone"))
        );
        assert_eq!(
            refusal(|a| {
                a.email = None;
                a.phone = Some("090-1234-5678")
            }),
            None
        );
        assert_eq!(refusal(|a| a.service_types = &[]), Some((ErrorCode::ServiceTypesMissing, "service_types")));
        assert_eq!(refusal(|a| a.job_category = ""), Some((ErrorCode::JobCategoryUnknown, "job_category")));
        assert_eq!(refusal(|a| a.user_id = "ab"), Some((ErrorCode::UserIdInvalid, "user_id")));
    }
}
