//! サービス種類 / 職種区分 lists read from JSON (a confirmed list replaces the
//! built-in one as data): a list that loads is consistent and reloads the same.
#![no_main]

use kaigo_domain::ReferenceLists;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(json) = std::str::from_utf8(data) else { return };
    let Ok(lists) = ReferenceLists::from_json(json) else { return };

    // Codes are unique within each list and every service type is in a group.
    let mut seen = std::collections::HashSet::new();
    for s in &lists.service_types {
        assert!(seen.insert(("s", s.code.as_str())), "service type {:?} twice", s.code);
        assert!(lists.groups.iter().any(|g| g.id == s.group), "service type {:?} in no group", s.code);
        assert_eq!(lists.service_type(&s.code), Some(s));
    }
    for j in &lists.job_categories {
        assert!(seen.insert(("j", j.code.as_str())), "job category {:?} twice", j.code);
        assert_eq!(lists.job_category(&j.code), Some(j));
    }

    // It serialises and loads back unchanged.
    let again = serde_json::to_string(&lists).expect("serialises");
    assert_eq!(ReferenceLists::from_json(&again).as_ref(), Ok(&lists));

    // Every offered service type with every job category is a valid choice;
    // a past one never is.
    for s in lists.service_types.iter().take(8) {
        for j in lists.job_categories.iter().take(8) {
            let answer = lists.check_selection(std::slice::from_ref(&s.code), &j.code);
            if s.past {
                assert_eq!(answer, Err(kaigo_domain::ErrorCode::ServiceTypePast));
            } else {
                assert_eq!(answer, Ok(vec![s.code.clone()]));
            }
        }
    }
});
