//! The rules of onboarding Step 3 (アカウント登録・事前設定), defined once and
//! shared by the desktop app, the HTTP client and the onboarding service.
//!
//! Nothing here performs I/O or reads the clock: every rule that depends on
//! time takes `now` as a parameter. A deadline is an instant plus a span of
//! the [`Policy`], which an operator or a peer may make any length: past the
//! end of the calendar (year 9999) it is the calendar's last instant
//! ("never"), not a panic.

pub mod activation;
pub mod challenge;
pub mod contact;
pub mod error;
pub mod ids;
pub mod limits;
pub mod login;
mod normalize;
pub mod one_time_code;
pub mod password;
pub mod readiness;
pub mod reference;
pub mod registration;
pub mod session;
pub mod terminal;
pub mod text;
pub mod texts;

pub use activation::ActivationCode;
pub use contact::{Contact, DeliveryChannel, EmailAddress, PhoneNumber};
pub use error::ErrorCode;
pub use ids::{ElectronicBillingId, OfficeNumber, UserId};
pub use limits::{certificate_status, CertificateStatus, LoginGate, Policy};
pub use login::{Account, FailureRecord, Refusal};
pub use one_time_code::{OneTimeCode, SecurityCode};
pub use password::{check_new_password, PasswordReport};
pub use readiness::{readiness_checklist, HelpDesk, ReadinessItem};
pub use reference::{JobCategory, ReferenceLists, ServiceType};
pub use registration::{check_admin_application, initial_password_destination, AdminApplication, CheckedAdmin, FieldRefusal};
pub use text::{PersonName, TerminalName};
