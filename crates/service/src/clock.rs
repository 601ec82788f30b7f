//! The only place the service reads the time; everything else is given `now`.

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;
use time::{Duration, OffsetDateTime};

pub trait Clock: Send + Sync + 'static {
    fn now(&self) -> OffsetDateTime;
}

pub type SharedClock = Arc<dyn Clock>;

#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    #[allow(clippy::disallowed_methods)] // the one sanctioned read of the wall clock
    fn now(&self) -> OffsetDateTime {
        OffsetDateTime::now_utc()
    }
}

/// The wall clock moved by an offset that tests can advance (expiry of codes,
/// lockouts and device trust) while time keeps flowing for everything else.
#[derive(Debug, Default)]
pub struct OffsetClock {
    offset_ms: AtomicI64,
}

impl OffsetClock {
    pub fn advance(&self, by: Duration) {
        self.offset_ms.fetch_add(by.whole_milliseconds() as i64, Ordering::SeqCst);
    }
}

impl Clock for OffsetClock {
    fn now(&self) -> OffsetDateTime {
        SystemClock.now() + Duration::milliseconds(self.offset_ms.load(Ordering::SeqCst))
    }
}
