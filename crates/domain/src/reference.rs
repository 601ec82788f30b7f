//! サービス種類 and 職種区分: the lists offered at admin registration. They
//! decide which care recipients an account may see, so they are never free
//! text. They are data (`data/registration-lists.json`), not code, so that a
//! confirmed list can replace an unconfirmed one without a code change.

use crate::error::ErrorCode;
use serde::{Deserialize, Serialize};
use std::sync::OnceLock;

const BUILT_IN: &str = include_str!("../data/registration-lists.json");

/// How sure we are that an entry is in the national service's list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum EntryStatus {
    /// From the official subsidy guideline (要綱 別添).
    Confirmed,
    /// From a secondary source.
    Secondary,
    /// Inferred: to be confirmed before production use.
    Unconfirmed,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ServiceTypeGroup {
    pub id: String,
    pub name: String,
    /// The group in the app's English (service types keep their official
    /// Japanese names in either language).
    pub name_en: String,
}

/// 介護サービス種類 (e.g. `11` 訪問介護).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ServiceType {
    pub code: String,
    pub name: String,
    pub group: String,
    pub status: EntryStatus,
    pub source: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// No longer a service type of its own (e.g. 61 and 65, moved into
    /// 総合事業): kept so old data reads, never offered or accepted.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub past: bool,
}

/// 職種区分 (e.g. 介護支援専門員).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct JobCategory {
    pub code: String,
    pub name: String,
    pub status: EntryStatus,
    pub source: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ReferenceLists {
    pub about: String,
    pub groups: Vec<ServiceTypeGroup>,
    pub service_types: Vec<ServiceType>,
    pub job_categories: Vec<JobCategory>,
}

impl ReferenceLists {
    /// The lists shipped with this build.
    pub fn built_in() -> &'static ReferenceLists {
        static LISTS: OnceLock<ReferenceLists> = OnceLock::new();
        LISTS.get_or_init(|| {
            #[allow(clippy::expect_used)] // checked by a unit test at build time
            Self::from_json(BUILT_IN).expect("built-in registration lists are valid")
        })
    }

    pub fn from_json(json: &str) -> Result<ReferenceLists, String> {
        let lists: ReferenceLists = serde_json::from_str(json).map_err(|e| e.to_string())?;
        lists.check()?;
        Ok(lists)
    }

    fn check(&self) -> Result<(), String> {
        let mut seen = std::collections::HashSet::new();
        for s in &self.service_types {
            if !seen.insert(("s", s.code.as_str())) {
                return Err(format!("service type {} listed twice", s.code));
            }
            if !self.groups.iter().any(|g| g.id == s.group) {
                return Err(format!("service type {} has unknown group {}", s.code, s.group));
            }
        }
        for j in &self.job_categories {
            if !seen.insert(("j", j.code.as_str())) {
                return Err(format!("job category {} listed twice", j.code));
            }
        }
        Ok(())
    }

    pub fn service_type(&self, code: &str) -> Option<&ServiceType> {
        self.service_types.iter().find(|s| s.code == code)
    }

    pub fn job_category(&self, code: &str) -> Option<&JobCategory> {
        self.job_categories.iter().find(|j| j.code == code)
    }

    /// Checks an admin's service types (one or more, no repeats kept) and job
    /// category against the lists; returns the service codes de-duplicated.
    pub fn check_selection(&self, service_types: &[String], job_category: &str) -> Result<Vec<String>, ErrorCode> {
        if service_types.is_empty() {
            return Err(ErrorCode::ServiceTypesMissing);
        }
        let mut codes: Vec<String> = Vec::with_capacity(service_types.len());
        for code in service_types {
            match self.service_type(code) {
                None => return Err(ErrorCode::ServiceTypeUnknown),
                Some(t) if t.past => return Err(ErrorCode::ServiceTypePast),
                Some(_) => {}
            }
            if !codes.contains(code) {
                codes.push(code.clone());
            }
        }
        if self.job_category(job_category).is_none() {
            return Err(ErrorCode::JobCategoryUnknown);
        }
        Ok(codes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn service_types_moved_into_the_comprehensive_program_are_past_and_refused() {
        let lists = ReferenceLists::built_in();
        let job = lists.job_categories[0].code.clone();
        for code in ["61", "65"] {
            let t = lists.service_type(code).unwrap();
            assert!(t.past, "{code} is past");
            assert_eq!(lists.check_selection(&[code.to_owned()], &job), Err(ErrorCode::ServiceTypePast));
        }
        assert!(!lists.service_type("11").unwrap().past);
        assert!(lists.check_selection(&["11".to_owned()], &job).is_ok());
    }

    #[test]
    fn built_in_lists_load_with_the_official_service_types() {
        let lists = ReferenceLists::built_in();
        assert_eq!(lists.service_type("11").unwrap().name, "訪問介護");
        assert_eq!(lists.service_type("43").unwrap().status, EntryStatus::Confirmed);
        assert_eq!(lists.service_type("2B").unwrap().status, EntryStatus::Unconfirmed);
        assert!(lists.job_categories.iter().all(|j| j.status == EntryStatus::Unconfirmed));
        assert!(lists.job_categories.iter().any(|j| j.name == "介護支援専門員"));
    }

    #[test]
    fn selection_must_come_from_the_lists() {
        let lists = ReferenceLists::built_in();
        let care_manager = &lists.job_categories[0].code;
        assert_eq!(lists.check_selection(&["43".into(), "43".into()], care_manager), Ok(vec!["43".to_string()]));
        assert_eq!(lists.check_selection(&[], care_manager), Err(ErrorCode::ServiceTypesMissing));
        assert_eq!(lists.check_selection(&["訪問介護".into()], care_manager), Err(ErrorCode::ServiceTypeUnknown));
        assert_eq!(lists.check_selection(&["11".into()], "ヘルパー"), Err(ErrorCode::JobCategoryUnknown));
    }

    #[test]
    fn a_list_with_a_repeated_code_is_refused() {
        let mut lists = ReferenceLists::built_in().clone();
        lists.service_types.push(lists.service_types[0].clone());
        let json = serde_json::to_string(&lists).unwrap();
        assert!(ReferenceLists::from_json(&json).is_err());
    }
}
