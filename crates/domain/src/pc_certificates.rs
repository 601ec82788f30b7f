//! 本番の日の前に、このPCの証明書: the client certificates a browser on this
//! PC would offer the real service, checked before the day for what makes
//! the day go wrong (`../shared/FACTS.md`): several of them in Edge's
//! picker, one that expires before a new one could come (an application
//! takes about a month), one our rehearsals made. Each warning names the
//! guide's hint that says what to do.

use serde::Serialize;
use time::{Duration, OffsetDateTime};

/// A certificate expiring within this is renewed before the day: a new one
/// takes about a month, and applications close on the 20th.
pub const EXPIRING_WITHIN: Duration = Duration::days(90);

/// The common names of the CAs our rehearsals make (the practice service,
/// a class, an operator's `init-ca`): a certificate they issued works only
/// in a rehearsal.
pub mod rehearsal_ca {
    pub const PRACTICE: &str = "Kaigo Onboard Practice CA";
    pub const CLASS: &str = "Kaigo Onboard Class CA";
    pub const HOSTED: &str = "Kaigo Onboard CA";
    pub const ALL: [&str; 3] = [PRACTICE, CLASS, HOSTED];
}

/// Whether the issuer's common name (read from the certificate's
/// attributes, never from its printed name) is one of our rehearsal CAs'.
pub fn issued_by_rehearsal(issuer_common_name: Option<&str>) -> bool {
    issuer_common_name.is_some_and(|cn| rehearsal_ca::ALL.contains(&cn))
}

/// One certificate of the PC that can log in to a site.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PcCertificate {
    /// 発行先: usually the office's name.
    pub holder: String,
    /// 発行者's common name.
    pub issuer_common_name: Option<String>,
    pub not_after: OffsetDateTime,
}

/// What the check found that needs doing before the day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum PcCertificateWarning {
    /// No certificate here can log in: the office's must be put on this PC.
    NoneFound,
    /// Edge will ask which one; a wrong pick is remembered.
    Several {
        count: usize,
    },
    Expired {
        holder: String,
    },
    /// Expires within [`EXPIRING_WITHIN`].
    ExpiringSoon {
        holder: String,
        days_left: i64,
    },
    /// Made by a rehearsal: it never works on the real service.
    Rehearsal {
        holder: String,
    },
}

impl PcCertificateWarning {
    /// The guide's hint (`real_day::guide().hints`) that says what to do.
    pub fn hint(&self) -> Option<&'static str> {
        match self {
            PcCertificateWarning::NoneFound => None,
            PcCertificateWarning::Several { .. } => Some("several_certificates"),
            PcCertificateWarning::Expired { .. } | PcCertificateWarning::ExpiringSoon { .. } => Some("expired_certificate"),
            PcCertificateWarning::Rehearsal { .. } => Some("rehearsal_certificate"),
        }
    }
}

/// The warnings for the PC's certificates at `now`: the whole set first
/// (none, several), then each certificate's own.
pub fn pc_certificate_warnings(certificates: &[PcCertificate], now: OffsetDateTime) -> Vec<PcCertificateWarning> {
    let mut warnings = Vec::new();
    match certificates.len() {
        0 => warnings.push(PcCertificateWarning::NoneFound),
        1 => {}
        count => warnings.push(PcCertificateWarning::Several { count }),
    }
    for c in certificates {
        if issued_by_rehearsal(c.issuer_common_name.as_deref()) {
            // Its expiry does not matter: it is never the one to use.
            warnings.push(PcCertificateWarning::Rehearsal { holder: c.holder.clone() });
        } else if c.not_after <= now {
            warnings.push(PcCertificateWarning::Expired { holder: c.holder.clone() });
        } else if c.not_after - now < EXPIRING_WITHIN {
            warnings.push(PcCertificateWarning::ExpiringSoon { holder: c.holder.clone(), days_left: (c.not_after - now).whole_days() });
        }
    }
    warnings
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    const NOW: OffsetDateTime = datetime!(2026-12-08 10:00 +9);

    fn cert(holder: &str, issuer: &str, days: i64) -> PcCertificate {
        PcCertificate { holder: holder.into(), issuer_common_name: Some(issuer.into()), not_after: NOW + Duration::days(days) }
    }

    #[test]
    fn one_good_certificate_gives_no_warning_and_none_gives_one() {
        assert_eq!(pc_certificate_warnings(&[cert("介護事業所", "介護保険証明書CA", 400)], NOW), []);
        assert_eq!(pc_certificate_warnings(&[], NOW), [PcCertificateWarning::NoneFound]);
    }

    #[test]
    fn several_one_expiring_within_90_days_and_a_rehearsal_s_are_each_said() {
        let certs = [
            cert("介護事業所", "介護保険証明書CA", 400),
            cert("古い証明書", "介護保険証明書CA", 89),
            cert("練習用", "Kaigo Onboard Class CA", 10),
            cert("切れた証明書", "介護保険証明書CA", -1),
        ];
        let warnings = pc_certificate_warnings(&certs, NOW);
        assert_eq!(
            warnings,
            [
                PcCertificateWarning::Several { count: 4 },
                PcCertificateWarning::ExpiringSoon { holder: "古い証明書".into(), days_left: 89 },
                PcCertificateWarning::Rehearsal { holder: "練習用".into() },
                PcCertificateWarning::Expired { holder: "切れた証明書".into() },
            ]
        );
        // 90 days left is not soon.
        assert_eq!(pc_certificate_warnings(&[cert("介護事業所", "介護保険証明書CA", 90)], NOW), []);
        let hints: Vec<_> = warnings.iter().map(PcCertificateWarning::hint).collect();
        assert_eq!(
            hints,
            [Some("several_certificates"), Some("expired_certificate"), Some("rehearsal_certificate"), Some("expired_certificate")]
        );
    }

    #[test]
    fn a_rehearsal_ca_is_known_by_its_whole_common_name() {
        for name in rehearsal_ca::ALL {
            assert!(issued_by_rehearsal(Some(name)), "{name}");
        }
        assert!(!issued_by_rehearsal(Some("Kaigo Onboard Class CA 2")));
        assert!(!issued_by_rehearsal(Some("介護保険証明書CA")));
        assert!(!issued_by_rehearsal(None));
    }

    #[test]
    fn every_hint_a_warning_names_is_in_the_guide() {
        let hints: Vec<&str> = crate::real_day::guide().hints.iter().map(|h| h.id.as_str()).collect();
        for w in [
            PcCertificateWarning::Several { count: 2 },
            PcCertificateWarning::Expired { holder: String::new() },
            PcCertificateWarning::ExpiringSoon { holder: String::new(), days_left: 1 },
            PcCertificateWarning::Rehearsal { holder: String::new() },
        ] {
            assert!(hints.contains(&w.hint().unwrap()), "{w:?}");
        }
    }
}
