//! The trainer's pages: static HTML, one script and one style sheet, under
//! a strict Content-Security-Policy; what they show comes from the trainer
//! API (`classes`).

use axum::http::{header, HeaderName, HeaderValue};
use axum::response::{IntoResponse, Response};

pub const GRID: &str = include_str!("../../trainer/grid.html");
pub const PROJECTOR: &str = include_str!("../../trainer/projector.html");
pub const SUMMARY: &str = include_str!("../../trainer/summary.html");
pub const SIGNED_IN: &str = include_str!("../../trainer/signed-in.html");
const SCRIPT: &str = include_str!("../../trainer/trainer.js");
const STYLE: &str = include_str!("../../trainer/trainer.css");

/// No inline script or style, nothing from elsewhere, no framing, no
/// form posting anywhere.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; \
     form-action 'none'; frame-ancestors 'none'; base-uri 'none'";

/// The headers of every trainer page and asset: the sign-in link's secret
/// never leaves in a Referer, nothing is cached.
pub async fn protect(req: axum::extract::Request, next: axum::middleware::Next) -> Response {
    let mut resp = next.run(req).await;
    let h = resp.headers_mut();
    for (name, value) in [
        (header::CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY),
        (header::REFERRER_POLICY, "no-referrer"),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::CACHE_CONTROL, "no-store"),
        (HeaderName::from_static("cross-origin-opener-policy"), "same-origin"),
    ] {
        h.insert(name, HeaderValue::from_static(value));
    }
    resp
}

pub fn page(html: &'static str) -> Response {
    ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], html).into_response()
}

/// The page a sign-in goes on to: the grid, or the projector's page when
/// asked for (`next=projector`); nothing else, so that a link cannot send
/// the trainer's window elsewhere.
pub fn signed_in(next: Option<&str>) -> Response {
    let to = match next {
        Some("projector") => "/trainer/projector",
        _ => "/trainer",
    };
    ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], SIGNED_IN.replace("{{next}}", to)).into_response()
}

pub async fn grid() -> Response {
    page(GRID)
}

pub async fn projector() -> Response {
    page(PROJECTOR)
}

pub async fn summary() -> Response {
    page(SUMMARY)
}

pub async fn script() -> Response {
    ([(header::CONTENT_TYPE, "text/javascript; charset=utf-8")], SCRIPT).into_response()
}

/// ことばの説明: the app's glossary (kaigo_domain), both languages; the
/// page lists the words it shows.
pub async fn glossary() -> Response {
    axum::Json(kaigo_domain::glossary::glossary()).into_response()
}

pub async fn style() -> Response {
    ([(header::CONTENT_TYPE, "text/css; charset=utf-8")], STYLE).into_response()
}
