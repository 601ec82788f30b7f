//! Requests per client certificate (per address for the device routes, which
//! need none): a burst is allowed, a flood is refused with 429 before it
//! reaches the database or the password hasher.

#[cfg(feature = "rate-limit")]
pub use limiter::{limiter, per_certificate, Limiter};

#[derive(Debug, Clone, Copy)]
pub struct RateLimit {
    pub per_second: u32,
    pub burst: u32,
}

impl Default for RateLimit {
    fn default() -> Self {
        Self { per_second: 10, burst: 30 }
    }
}

/// The limiter itself (the `rate-limit` feature).
#[cfg(feature = "rate-limit")]
mod limiter {
    use super::RateLimit;
    use crate::http::error::error_response;
    use crate::http::extract::{PeerAddress, PeerCertificate};
    use axum::extract::{Request, State};
    use axum::middleware::Next;
    use axum::response::Response;
    use governor::clock::{Clock as _, DefaultClock};
    use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
    use kaigo_domain::ErrorCode;
    use std::num::NonZeroU32;
    use std::sync::Arc;

    pub type Limiter = Arc<DefaultKeyedRateLimiter<String>>;

    pub fn limiter(r: RateLimit) -> Limiter {
        let per_second = NonZeroU32::new(r.per_second.max(1)).unwrap_or(NonZeroU32::MIN);
        let burst = NonZeroU32::new(r.burst.max(1)).unwrap_or(NonZeroU32::MIN);
        Arc::new(RateLimiter::keyed(Quota::per_second(per_second).allow_burst(burst)))
    }

    pub async fn per_certificate(State(limiter): State<Limiter>, req: Request, next: Next) -> Response {
        let key = match (req.extensions().get::<PeerCertificate>(), req.extensions().get::<PeerAddress>()) {
            (Some(cert), _) => Some(cert.fingerprint.clone()),
            (None, Some(PeerAddress(ip))) => Some(format!("address:{ip}")),
            (None, None) => None,
        };
        if let Some(key) = key {
            if let Err(not_until) = limiter.check_key(&key) {
                let wait = not_until.wait_time_from(DefaultClock::default().now());
                let secs = i64::try_from(wait.as_secs()).unwrap_or(i64::MAX).max(1);
                return error_response(ErrorCode::RateLimited, None, Some(time::Duration::seconds(secs)));
            }
        }
        next.run(req).await
    }
}
