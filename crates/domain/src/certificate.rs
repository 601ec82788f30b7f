//! How usable a client certificate is on a given day, and what follows for
//! choosing it. Validity is read from the certificate itself.

use crate::error::ErrorCode;
use serde::Serialize;
use time::{Duration, OffsetDateTime};

/// How usable a client certificate is on a given day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CertificateStatus {
    Valid,
    /// Less than [`CERTIFICATE_WARNING_DAYS`] left: renew it soon.
    ExpiresSoon,
    NotYetValid,
    Expired,
    /// A class's (研修) practice certificate, within its validity: it lasts
    /// until the class ends and is never renewed, so its few days left
    /// are no warning.
    ForClass,
}

/// Days before expiry from which the app warns.
pub const CERTIFICATE_WARNING_DAYS: i64 = 90;

pub fn certificate_status(not_before: OffsetDateTime, not_after: OffsetDateTime, now: OffsetDateTime) -> CertificateStatus {
    if now < not_before {
        CertificateStatus::NotYetValid
    } else if now >= not_after {
        CertificateStatus::Expired
    } else if not_after - now < Duration::days(CERTIFICATE_WARNING_DAYS) {
        CertificateStatus::ExpiresSoon
    } else {
        CertificateStatus::Valid
    }
}

/// The status of a class seat's certificate, from its dates' status.
pub fn class_certificate_status(status: CertificateStatus) -> CertificateStatus {
    match status {
        CertificateStatus::Valid | CertificateStatus::ExpiresSoon => CertificateStatus::ForClass,
        outside @ (CertificateStatus::Expired | CertificateStatus::NotYetValid | CertificateStatus::ForClass) => outside,
    }
}

/// 「クライアント証明書の選択」: a certificate outside its validity cannot
/// be chosen; one expiring soon can (the pre-flight warns about it).
pub fn certificate_choosable(status: CertificateStatus) -> Result<(), ErrorCode> {
    match status {
        CertificateStatus::Valid | CertificateStatus::ExpiresSoon | CertificateStatus::ForClass => Ok(()),
        CertificateStatus::Expired | CertificateStatus::NotYetValid => Err(ErrorCode::ClientCertificateExpired),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_class_seats_certificate_warns_of_nothing_within_its_validity_and_is_refused_outside_it() {
        assert_eq!(class_certificate_status(CertificateStatus::ExpiresSoon), CertificateStatus::ForClass);
        assert_eq!(class_certificate_status(CertificateStatus::Valid), CertificateStatus::ForClass);
        assert_eq!(class_certificate_status(CertificateStatus::Expired), CertificateStatus::Expired);
        assert_eq!(certificate_choosable(CertificateStatus::ForClass), Ok(()));
        assert!(certificate_choosable(class_certificate_status(CertificateStatus::NotYetValid)).is_err());
    }
    use time::macros::datetime;

    const T0: OffsetDateTime = datetime!(2026-11-25 09:00 UTC);

    #[test]
    fn certificates_warn_from_90_days_and_refuse_when_expired() {
        let from = T0 - Duration::days(300);
        assert_eq!(certificate_status(from, T0 + Duration::days(91), T0), CertificateStatus::Valid);
        assert_eq!(certificate_status(from, T0 + Duration::days(89), T0), CertificateStatus::ExpiresSoon);
        assert_eq!(certificate_status(from, T0, T0), CertificateStatus::Expired);
        assert_eq!(certificate_status(T0 + Duration::days(1), T0 + Duration::days(400), T0), CertificateStatus::NotYetValid);
    }

    #[test]
    fn only_a_certificate_within_its_validity_can_be_chosen() {
        assert_eq!(certificate_choosable(CertificateStatus::Valid), Ok(()));
        assert_eq!(certificate_choosable(CertificateStatus::ExpiresSoon), Ok(()));
        assert_eq!(certificate_choosable(CertificateStatus::Expired), Err(ErrorCode::ClientCertificateExpired));
        assert_eq!(certificate_choosable(CertificateStatus::NotYetValid), Err(ErrorCode::ClientCertificateExpired));
    }
}
