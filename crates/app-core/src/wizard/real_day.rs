//! 本番の日 as the window asks for it: the guide, what was prepared, the
//! steps ticked, the clocks read now and the help desk's hours for today.

use super::{AppCore, FormField};
use crate::certificates::PcCertificateCheck;
use crate::real_day::{DayResults, PreparedValues, RealDayRecord};
use crate::{AppError, AppResult};
use kaigo_domain::policy::COPIED_VALUE_LIFETIME;
use kaigo_domain::readiness::{electronic_billing_help_desk, HelpDesk};
use kaigo_domain::real_day::{guide, help_desk_now, ClockReading, DayClock, Guide, HelpDeskNow};
use kaigo_domain::ErrorCode;
use serde::Serialize;
use std::collections::BTreeMap;
use time::OffsetDateTime;

/// Everything the 本番の日 window draws.
#[derive(Debug, Clone, Serialize)]
pub struct RealDayView {
    pub guide: &'static Guide,
    pub values: PreparedValues,
    /// The IDs written down on the day.
    pub results: DayResults,
    /// The copy buttons: the values prepared, in the order asked for.
    pub copies: Vec<CopyButton>,
    #[serde(with = "done_times")]
    pub done: BTreeMap<String, OffsetDateTime>,
    pub clocks: Vec<ClockReading>,
    pub help_desk: &'static HelpDesk,
    pub help_desk_now: HelpDeskNow,
    /// The window kept in front of Edge.
    pub on_top: bool,
}

/// A copy button of the day.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct CopyButton {
    pub field: FormField,
    pub value: String,
}

/// What a copy button did: the value is on the clipboard until `clears_at`.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct CopiedValue {
    pub field: FormField,
    #[serde(with = "time::serde::rfc3339")]
    pub clears_at: OffsetDateTime,
}

mod done_times {
    use std::collections::BTreeMap;
    use time::format_description::well_known::Rfc3339;
    use time::OffsetDateTime;

    pub fn serialize<S: serde::Serializer>(map: &BTreeMap<String, OffsetDateTime>, s: S) -> Result<S::Ok, S::Error> {
        use serde::Serialize as _;
        map.iter().map(|(k, t)| (k, t.format(&Rfc3339).unwrap_or_default())).collect::<BTreeMap<_, _>>().serialize(s)
    }
}

impl AppCore {
    fn real_day_path(&self) -> std::path::PathBuf {
        self.paths.root().join("real-day.json")
    }

    fn load_real_day(&self) -> RealDayRecord {
        std::fs::read(self.real_day_path()).ok().and_then(|b| serde_json::from_slice(&b).ok()).unwrap_or_default()
    }

    fn save_real_day(&self, day: &RealDayRecord) -> AppResult<RealDayView> {
        let json = serde_json::to_vec_pretty(day).map_err(crate::AppError::internal)?;
        crate::paths::write_atomic(&self.real_day_path(), &json)?;
        Ok(self.real_day_view(day))
    }

    fn real_day_view(&self, day: &RealDayRecord) -> RealDayView {
        let now = self.now();
        RealDayView {
            guide: guide(),
            values: day.values.clone(),
            results: day.results.clone(),
            copies: day.values.copies().into_iter().map(|(field, value)| CopyButton { field, value: value.to_owned() }).collect(),
            done: day.done.clone(),
            clocks: day.clock_readings(now),
            help_desk: electronic_billing_help_desk(),
            help_desk_now: help_desk_now(now),
            on_top: day.on_top,
        }
    }

    /// 本番の日: the day as it stands (resumed after the app was closed).
    pub fn real_day(&self) -> RealDayView {
        self.real_day_view(&self.load_real_day())
    }

    /// The values prepared before the day, checked; nothing secret.
    pub fn save_real_day_values(&self, values: &PreparedValues) -> AppResult<RealDayView> {
        let mut day = self.load_real_day();
        day.values = values.checked()?;
        self.save_real_day(&day)
    }

    /// The IDs the day decided, checked, for the record; nothing secret.
    pub fn save_real_day_results(&self, results: &DayResults) -> AppResult<RealDayView> {
        let mut day = self.load_real_day();
        day.results = results.checked()?;
        self.save_real_day(&day)
    }

    /// 本番の日の記録 as a sheet, in the language chosen, for the window to
    /// show and print (every value escaped here).
    pub fn real_day_record(&self) -> String {
        let day = self.load_real_day();
        let language = super::lock(&self.settings).language;
        crate::day_report::DayReport { record: &day, guide: guide(), printed_at: self.now() }.body_html(language)
    }

    /// A step of the real Step 3 ticked as done, or not.
    pub fn tick_real_day_step(&self, step: &str, done: bool) -> AppResult<RealDayView> {
        let mut day = self.load_real_day();
        day.tick(guide(), step, done, self.now())?;
        self.save_real_day(&day)
    }

    /// One of the day's clocks, started now.
    pub fn start_day_clock(&self, clock: DayClock) -> AppResult<RealDayView> {
        let mut day = self.load_real_day();
        day.start_clock(clock, self.now());
        self.save_real_day(&day)
    }

    /// Whether the window stays in front of Edge (kept for the next time
    /// it opens).
    pub fn keep_real_day_on_top(&self, on_top: bool) -> AppResult<RealDayView> {
        let mut day = self.load_real_day();
        day.on_top = on_top;
        self.save_real_day(&day)
    }

    /// The app is closing: a value it copied leaves the clipboard now.
    pub fn clear_copied_value(&self) {
        self.copy_board.clear_now();
    }

    /// The PC's certificates checked before the day.
    pub async fn check_pc_certificates(&self) -> AppResult<PcCertificateCheck> {
        Ok(self.certificates.pc_check(self.now()))
    }

    /// A prepared value put on the clipboard for a short while (a copy
    /// button). Only what was prepared and saved: a password or a code has
    /// no field to be copied from.
    pub fn copy_real_day_value(&self, field: FormField) -> AppResult<CopiedValue> {
        let day = self.load_real_day();
        let value = day.values.value_of(field).ok_or_else(|| AppError::field(ErrorCode::NothingToCopy, field))?;
        self.copy_board.copy_for_a_while(value, COPIED_VALUE_LIFETIME.unsigned_abs()).map_err(|e| {
            tracing::warn!(error = %e, "a prepared value could not be copied");
            AppError::field(ErrorCode::ClipboardUnavailable, field)
        })?;
        Ok(CopiedValue { field, clears_at: (self.now() + COPIED_VALUE_LIFETIME).to_offset(kaigo_domain::messages::JAPAN_TIME) })
    }
}
