//! The onboarding service: every call of Step 3 over mutual-TLS HTTPS.
//!
//! `onboarding` holds the rules of each call with no HTTP in it; `http` only
//! translates; `store` is the database; `delivery` sends what the outbox holds.

pub mod classes;
pub mod clock;
pub mod config;
pub mod connections;
pub mod delivery;
pub mod demo;
pub mod http;
pub mod offices;
pub mod onboarding;
pub mod password_hashing;
pub mod pki;
pub mod revocation;
pub mod secrets;
pub mod startup;
pub mod store;
#[cfg(feature = "cli")]
pub mod telemetry;
pub mod tls;

pub use config::{Config, DeliveryConfig};
pub use startup::{Application, RunningService};
