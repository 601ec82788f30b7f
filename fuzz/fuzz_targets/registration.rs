//! 3-2 管理者ユーザの登録: an application checked field by field against the
//! built-in サービス種類 / 職種区分 lists, and where the initial password goes.
#![no_main]

use arbitrary::Arbitrary;
use kaigo_domain::registration::InitialPasswordDestination;
use kaigo_domain::{
    check_admin_application, initial_password_destination, AdminApplication, DeliveryChannel, EmailAddress, ErrorCode, PersonName,
    PhoneNumber, ReferenceLists, UserId,
};
use libfuzzer_sys::fuzz_target;

/// A code picked from the list (so that the fuzzer reaches accepted
/// applications) or typed freely.
#[derive(Debug, Arbitrary)]
enum Pick {
    Listed(u16),
    Typed(String),
}

#[derive(Debug, Arbitrary)]
struct Input {
    name: String,
    email: Option<String>,
    phone: Option<String>,
    service_types: Vec<Pick>,
    job_category: Pick,
    user_id: String,
}

const FIELDS: [&str; 6] = ["name", "email", "phone", "service_types", "job_category", "user_id"];

fn present(s: Option<&str>) -> Option<&str> {
    s.filter(|s| !s.trim().is_empty())
}

fuzz_target!(|input: Input| {
    let lists = ReferenceLists::built_in();
    let service_types: Vec<String> = input
        .service_types
        .iter()
        .map(|p| match p {
            Pick::Listed(i) => lists.service_types[*i as usize % lists.service_types.len()].code.clone(),
            Pick::Typed(s) => s.clone(),
        })
        .collect();
    let job_category = match &input.job_category {
        Pick::Listed(i) => lists.job_categories[*i as usize % lists.job_categories.len()].code.clone(),
        Pick::Typed(s) => s.clone(),
    };
    let app = AdminApplication {
        name: &input.name,
        email: input.email.as_deref(),
        phone: input.phone.as_deref(),
        service_types: &service_types,
        job_category: &job_category,
        user_id: &input.user_id,
    };

    // Each field on its own.
    let name = PersonName::parse(app.name);
    let email = present(app.email).map(EmailAddress::parse).transpose();
    let phone = present(app.phone).map(PhoneNumber::parse).transpose();
    let selection = lists.check_selection(app.service_types, app.job_category);
    let user_id = UserId::parse(app.user_id);
    check_selection(lists, app.service_types, app.job_category, &selection);

    match check_admin_application(&app, lists) {
        Ok(admin) => {
            assert_eq!(Ok(&admin.name), name.as_ref());
            assert_eq!(Ok(&admin.email), email.as_ref());
            assert_eq!(Ok(&admin.phone), phone.as_ref());
            assert_eq!(Ok(&admin.service_types), selection.as_ref());
            assert_eq!(admin.job_category, app.job_category);
            assert_eq!(Ok(&admin.user_id), user_id.as_ref());
            check_destination(admin.email.as_ref(), admin.phone.as_ref(), &admin.destination);
        }
        Err(refusal) => {
            // The refusal names the first field (in the form's order) that
            // breaks a rule, with that field's own code; every field before it passes.
            let at = FIELDS.iter().position(|f| *f == refusal.field).unwrap_or_else(|| panic!("unknown field {:?}", refusal.field));
            let own = match refusal.field {
                "name" => name.clone().err(),
                "email" => email.clone().err().or_else(|| {
                    email
                        .as_ref()
                        .ok()
                        .and_then(|e| initial_password_destination(e.as_ref(), phone.clone().ok().flatten().as_ref()).err())
                        .map(|r| r.code)
                }),
                "phone" => phone
                    .clone()
                    .err()
                    .or_else(|| initial_password_destination(None, phone.clone().ok().flatten().as_ref()).err().map(|r| r.code)),
                "service_types" | "job_category" => selection.clone().err(),
                "user_id" => user_id.clone().err(),
                _ => unreachable!(),
            };
            assert_eq!(own, Some(refusal.code), "{refusal:?}");
            if at > 0 {
                assert!(name.is_ok(), "{refusal:?} but the name is refused too");
            }
            if at > 1 {
                assert!(email.is_ok(), "{refusal:?} but the e-mail address is refused too");
            }
            if at > 2 {
                assert!(email.is_ok() && phone.is_ok(), "{refusal:?} but the contact is refused too");
                let (e, p) = (email.clone().ok().flatten(), phone.clone().ok().flatten());
                assert!(initial_password_destination(e.as_ref(), p.as_ref()).is_ok());
            }
            if at > 4 {
                assert!(selection.is_ok(), "{refusal:?} but the selection is refused too");
            }
        }
    }
});

/// Mail when there is an address; else SMS to a mobile; a landline alone cannot.
fn check_destination(email: Option<&EmailAddress>, phone: Option<&PhoneNumber>, d: &InitialPasswordDestination) {
    match (email, phone) {
        (Some(e), _) => {
            assert_eq!((d.channel, d.recipient.as_str(), d.masked.clone()), (DeliveryChannel::Email, e.as_str(), e.masked()));
        }
        (None, Some(p)) => {
            assert!(p.is_mobile());
            assert_eq!((d.channel, d.recipient.clone(), d.masked.clone()), (DeliveryChannel::Sms, p.e164(), p.masked()));
            assert!(d.masked.contains("****"), "the masked number shows it all");
        }
        (None, None) => panic!("a destination without a contact"),
    }
}

/// The selection is the chosen codes in order, each once, each offered
/// (listed and not past), with a listed job category.
fn check_selection(lists: &ReferenceLists, chosen: &[String], job: &str, answer: &Result<Vec<String>, ErrorCode>) {
    let first_bad = chosen.iter().find_map(|c| match lists.service_type(c) {
        None => Some(ErrorCode::ServiceTypeUnknown),
        Some(t) if t.past => Some(ErrorCode::ServiceTypePast),
        Some(_) => None,
    });
    let expected_err = if chosen.is_empty() {
        Some(ErrorCode::ServiceTypesMissing)
    } else if let Some(code) = first_bad {
        Some(code)
    } else if lists.job_category(job).is_none() {
        Some(ErrorCode::JobCategoryUnknown)
    } else {
        None
    };
    assert_eq!(answer.as_ref().err().copied(), expected_err);
    if let Ok(codes) = answer {
        let mut seen = std::collections::HashSet::new();
        assert!(codes.iter().all(|c| seen.insert(c.as_str())), "{codes:?} repeats a code");
        let mut firsts: Vec<&String> = Vec::new();
        for c in chosen {
            if !firsts.contains(&c) {
                firsts.push(c);
            }
        }
        assert_eq!(codes.iter().collect::<Vec<_>>(), firsts);
    }
}
