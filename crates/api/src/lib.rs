//! The onboarding API's request and response bodies (JSON), one module per
//! step of SPEC.md. Secrets (passwords, codes, tokens) are plain `String`s on
//! the wire; the service and client wrap them as soon as they are read.

pub mod class;
pub mod error;
pub mod office;
pub mod service;
pub mod terminal;
pub mod user;

pub use error::ErrorBody;

/// Header that makes a registration safe to retry.
pub const IDEMPOTENCY_KEY: &str = "Idempotency-Key";
/// Response header set when a stored response is replayed.
pub const IDEMPOTENT_REPLAYED: &str = "Idempotent-Replayed";

/// RFC 3339 timestamps on the wire.
pub type Timestamp = time::OffsetDateTime;
