//! The rules of onboarding Step 3 (アカウント登録・事前設定), defined once and
//! shared by the desktop app, the HTTP client and the onboarding service.
//!
//! Nothing here performs I/O or reads the clock: every rule that depends on
//! time takes `now` as a parameter. A deadline is an instant plus a span of
//! the [`Policy`], which an operator or a peer may make any length: past the
//! end of the calendar (year 9999) it is the calendar's last instant
//! ("never"), not a panic.
//!
//! The modules form layers, and no module uses one above it (a test reads
//! the sources and fails on a cycle):
//! - `error`, `language`, `policy`, `normalize`, `newtype`: the vocabulary;
//! - the values staff type (`ids`, `contact`, `names`, `password`,
//!   `one_time_code`, `activation`, `proxy`) and the lists (`reference`, `readiness`,
//!   `glossary`);
//! - `refusal`, then the rules of each step (`login`, `challenge`, `session`,
//!   `registration`, `terminal`, `certificate`, `class`);
//! - `messages`, the words of all of them, on top.

pub mod activation;
pub mod certificate;
pub mod challenge;
pub mod class;
pub mod contact;
pub mod error;
pub mod glossary;
pub mod ids;
pub mod language;
pub mod login;
pub mod messages;
pub mod names;
mod newtype;
mod normalize;
pub mod one_time_code;
pub mod password;
pub mod pc_certificates;
pub mod policy;
pub mod proxy;
pub mod readiness;
pub mod real_day;
pub mod reference;
pub mod refusal;
pub mod registration;
pub mod session;
pub mod terminal;

#[cfg(test)]
mod module_graph;

pub use activation::ActivationCode;
pub use certificate::{certificate_status, CertificateStatus};
pub use contact::{Contact, DeliveryChannel, EmailAddress, PhoneNumber};
pub use error::{ApiErrorCode, ErrorCode};
pub use ids::{ElectronicBillingId, OfficeNumber, RealTerminalId, UserId};
pub use language::Language;
pub use login::{Account, FailureRecord, LoginGate};
pub use names::{ClassName, PersonName, TerminalName};
pub use one_time_code::{OneTimeCode, SecurityCode};
pub use password::{check_new_password, PasswordReport};
pub use policy::Policy;
pub use readiness::{readiness_checklist, HelpDesk, ReadinessItem};
pub use reference::{JobCategory, ReferenceLists, ServiceType};
pub use refusal::Refusal;
pub use registration::{check_admin_application, initial_password_destination, AdminApplication, CheckedAdmin, FieldRefusal};
