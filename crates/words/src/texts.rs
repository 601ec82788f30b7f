//! The texts themselves are data (`data/texts.json`); `build.rs` makes the
//! `Text` enum of their keys. `page`: placed on the page by key
//! (`data-text` in `ui/index.html`, `text(…)` in `ui/js`); a test holds the
//! page and this list to each other. `composed`: sentences Rust puts
//! together (check results, notices, advice), which reach the page inside
//! an answer. `trainer`: the trainer's pages' words, served by the class
//! service (`/trainer/assets/words.json`) and placed by key (`data-t` and
//! `{{key}}` in `crates/service/trainer`, `say(…)` in its script); a test
//! in the service holds those files and this list to each other.

use kaigo_domain::Language;
use serde::Serialize;

/// Names the page may fill in itself (values of the moment), beside the
/// numbers of the rules.
pub const VALUES_OF_THE_MOMENT: &[&str] = &[
    "name",
    "path",
    "label",
    "days",
    "office_number",
    "office_name",
    "class_name",
    "seat_number",
    "issuer",
    "date",
    "status",
    "where",
    "electronic_billing_id",
    "password",
    "security_code",
    "channel",
    "destination",
    "user_id",
    "email",
    "phone",
    "version",
    "seats",
    "until",
    "service_url",
    "minutes",
    "holder",
    "count",
    "step",
];

include!(concat!(env!("OUT_DIR"), "/texts.rs"));
