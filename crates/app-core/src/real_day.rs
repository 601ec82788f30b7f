//! 本番の日: the app beside Edge while staff do the real Step 3. What was
//! prepared before the day (values that are not secret: the office's
//! number and name, the KJ ID, the admin's name and contacts), the steps
//! ticked and the clocks started are kept in `real-day.json`, so that
//! closing and reopening resumes. Passwords and codes are never asked
//! for, kept or copied: the record has no place for them.

use crate::wizard::FormField;
use crate::{AppError, AppResult};
use kaigo_domain::real_day::{read_clock, ClockReading, DayClock, Guide};
use kaigo_domain::{ElectronicBillingId, EmailAddress, OfficeNumber, PersonName, PhoneNumber, RealTerminalId, UserId};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use time::OffsetDateTime;

/// A value typed for the day: empty (not yet), or as `parse` writes it; a
/// value the rule refuses names its field.
fn each<T: AsRef<str>>(value: &str, parse: impl Fn(&str) -> Result<T, kaigo_domain::ErrorCode>, field: FormField) -> AppResult<String> {
    if value.trim().is_empty() {
        return Ok(String::new());
    }
    parse(value).map(|v| v.as_ref().to_owned()).map_err(|code| AppError::field(code, field))
}

/// The values staff prepare before the day, each shown on the day with a
/// copy button. Empty: not prepared.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct PreparedValues {
    pub office_number: String,
    pub electronic_billing_id: String,
    pub office_name: String,
    pub admin_name: String,
    pub admin_email: String,
    pub admin_phone: String,
}

impl PreparedValues {
    /// Each value typed is checked by the rule the real screen applies and
    /// written as the rule writes it (half-width, no hyphen in the number);
    /// the first that breaks one is named.
    pub fn checked(&self) -> AppResult<PreparedValues> {
        Ok(PreparedValues {
            office_number: each(&self.office_number, OfficeNumber::parse, FormField::OfficeNumber)?,
            electronic_billing_id: each(&self.electronic_billing_id, ElectronicBillingId::parse, FormField::ElectronicBillingId)?,
            // The office's name is written as the office writes it.
            office_name: each(&self.office_name, PersonName::parse, FormField::OfficeName)?,
            admin_name: each(&self.admin_name, PersonName::parse, FormField::Name)?,
            admin_email: each(&self.admin_email, EmailAddress::parse, FormField::Email)?,
            admin_phone: each(&self.admin_phone, PhoneNumber::parse, FormField::Phone)?,
        })
    }

    /// The values prepared, each with its field, in the order the real
    /// screens ask for them: the copy buttons of the day.
    pub fn copies(&self) -> Vec<(FormField, &str)> {
        const ORDER: [FormField; 6] = [
            FormField::OfficeNumber,
            FormField::ElectronicBillingId,
            FormField::OfficeName,
            FormField::Name,
            FormField::Email,
            FormField::Phone,
        ];
        ORDER.iter().filter_map(|f| self.value_of(*f).map(|v| (*f, v))).collect()
    }

    /// The value of one prepared field, for the copy button.
    pub fn value_of(&self, field: FormField) -> Option<&str> {
        let v = match field {
            FormField::OfficeNumber => &self.office_number,
            FormField::ElectronicBillingId => &self.electronic_billing_id,
            FormField::OfficeName => &self.office_name,
            FormField::Name => &self.admin_name,
            FormField::Email => &self.admin_email,
            FormField::Phone => &self.admin_phone,
            _ => return None,
        };
        Some(v.as_str()).filter(|v| !v.is_empty())
    }
}

/// What the day decided, written down for the record: the admin user's ID
/// (3-2) and the terminal's ID (3-4). Never a password. Empty: not yet.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct DayResults {
    pub admin_user_id: String,
    pub terminal_id: String,
}

impl DayResults {
    /// Each ID checked by its rule and written as the rule writes it.
    pub fn checked(&self) -> AppResult<DayResults> {
        Ok(DayResults {
            admin_user_id: each(&self.admin_user_id, UserId::parse, FormField::UserId)?,
            terminal_id: each(&self.terminal_id, RealTerminalId::parse, FormField::TerminalId)?,
        })
    }
}

/// What happened when, for the day's record (never a password).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DayEvent {
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
    pub what: DayEventKind,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum DayEventKind {
    StepDone { step: String },
    StepUndone { step: String },
    ClockStarted { clock: DayClock },
}

/// The day as kept between runs of the app.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct RealDayRecord {
    pub values: PreparedValues,
    pub results: DayResults,
    /// The steps ticked (3-1 …), and when.
    #[serde(with = "times")]
    pub done: BTreeMap<String, OffsetDateTime>,
    /// The clocks started, and when.
    #[serde(with = "times")]
    pub clocks: BTreeMap<DayClock, OffsetDateTime>,
    pub log: Vec<DayEvent>,
    /// The window kept in front of Edge, as staff chose.
    pub on_top: bool,
}

impl RealDayRecord {
    /// Ticks a step of the guide as done (or not), noting it in the log.
    pub fn tick(&mut self, guide: &Guide, step: &str, done: bool, now: OffsetDateTime) -> AppResult<()> {
        if !guide.steps.iter().any(|s| s.id == step) {
            return Err(AppError::new(kaigo_domain::ErrorCode::StepOutOfOrder));
        }
        let changed = if done { self.done.insert(step.to_owned(), now).is_none() } else { self.done.remove(step).is_some() };
        if changed {
            let what =
                if done { DayEventKind::StepDone { step: step.to_owned() } } else { DayEventKind::StepUndone { step: step.to_owned() } };
            self.log.push(DayEvent { at: now, what });
        }
        Ok(())
    }

    /// Starts (or starts again) one of the day's clocks.
    pub fn start_clock(&mut self, clock: DayClock, now: OffsetDateTime) {
        self.clocks.insert(clock, now);
        self.log.push(DayEvent { at: now, what: DayEventKind::ClockStarted { clock } });
    }

    /// The clocks started, read now.
    pub fn clock_readings(&self, now: OffsetDateTime) -> Vec<ClockReading> {
        DayClock::ALL.iter().filter_map(|c| self.clocks.get(c).map(|at| read_clock(*c, *at, now))).collect()
    }
}

/// Times kept as RFC 3339 in a map.
mod times {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};
    use std::collections::BTreeMap;
    use time::format_description::well_known::Rfc3339;
    use time::OffsetDateTime;

    pub fn serialize<K: Serialize + Ord, S: Serializer>(map: &BTreeMap<K, OffsetDateTime>, s: S) -> Result<S::Ok, S::Error> {
        let texts: BTreeMap<&K, String> = map.iter().map(|(k, t)| (k, t.format(&Rfc3339).unwrap_or_default())).collect();
        texts.serialize(s)
    }

    pub fn deserialize<'de, K: Deserialize<'de> + Ord, D: Deserializer<'de>>(d: D) -> Result<BTreeMap<K, OffsetDateTime>, D::Error> {
        let texts: BTreeMap<K, String> = BTreeMap::deserialize(d)?;
        texts.into_iter().map(|(k, t)| OffsetDateTime::parse(&t, &Rfc3339).map(|t| (k, t)).map_err(serde::de::Error::custom)).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kaigo_domain::ErrorCode;
    use time::macros::datetime;

    #[test]
    fn prepared_values_are_checked_by_the_real_rules_and_empty_ones_are_left_empty() {
        let typed = PreparedValues {
            office_number: "１３１０-０００００１".into(),
            electronic_billing_id: "KJ0000000001".into(),
            office_name: "ケアプランセンター さくら".into(),
            admin_name: "介護 花子".into(),
            admin_email: "".into(),
            admin_phone: "090-1234-5678".into(),
        };
        let checked = typed.checked().unwrap();
        assert_eq!(checked.office_number, "1310000001");
        assert_eq!(checked.admin_email, "");
        assert_eq!(checked.value_of(FormField::Email), None);
        assert_eq!(checked.value_of(FormField::ElectronicBillingId), Some("KJ0000000001"));
        let fields: Vec<FormField> = checked.copies().iter().map(|(f, _)| *f).collect();
        assert_eq!(
            fields,
            [FormField::OfficeNumber, FormField::ElectronicBillingId, FormField::OfficeName, FormField::Name, FormField::Phone]
        );
        assert_eq!(checked.value_of(FormField::Password), None, "no password can be copied");
        let bad = PreparedValues { electronic_billing_id: "AB12".into(), ..typed };
        let e = bad.checked().unwrap_err();
        assert_eq!((e.code, e.field.as_deref()), (ErrorCode::ElectronicBillingIdInvalid, Some("electronic_billing_id")));
    }

    #[test]
    fn the_day_is_kept_as_it_was_ticked_and_read_back_the_same() {
        let guide = kaigo_domain::real_day::guide();
        let now = datetime!(2026-12-07 10:00 +9);
        let mut day = RealDayRecord::default();
        day.tick(guide, "3-1", true, now).unwrap();
        day.tick(guide, "3-1", true, now).unwrap();
        day.start_clock(DayClock::Code, now);
        assert!(day.tick(guide, "9-9", true, now).is_err(), "no such step");
        assert_eq!(day.log.len(), 2, "a tick given twice is noted once");
        let again: RealDayRecord = serde_json::from_slice(&serde_json::to_vec(&day).unwrap()).unwrap();
        assert_eq!(again, day);
        let clocks = again.clock_readings(datetime!(2026-12-07 10:31 +9));
        assert_eq!((clocks.len(), clocks[0].over), (1, true));
        // Nothing secret can be kept: the record has no field for it.
        let json = serde_json::to_string(&again).unwrap();
        assert!(!json.contains("password") && !json.contains("security_code"), "{json}");
    }
}
