//! 研修: joining a class (no certificate yet) and the trainer's calls
//! (a session cookie from the trainer's link; every change carries the
//! session's CSRF token).

use super::error::{ApiError, ApiResult};
use super::extract::{ApiJson, PeerAddress};
use super::AppState;
use crate::store::classes::{Class, TrainerSession};
use axum::extract::{FromRequestParts, Path, Query, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::sse::{Event, Sse};
use axum::response::{IntoResponse, Response};
use axum::Json;
use kaigo_api::class::*;
use kaigo_domain::ErrorCode;
use std::time::Duration;

/// The session cookie of the trainer's browser.
pub const TRAINER_COOKIE: &str = "kaigo_trainer";
/// The header every trainer action carries.
pub const CSRF_HEADER: &str = "x-csrf-token";

/// The class's CA, for the app to check against the trainer's pin before
/// it trusts this service (as EST's `/cacerts` is checked out of band).
#[utoipa::path(operation_id = "class_authority", get, path = "/v1/class/authority", tag = "研修 class",
    responses((status = 200, body = ClassAuthority)))]
pub async fn authority(State(s): State<AppState>) -> ApiResult<Json<ClassAuthority>> {
    Ok(Json(ClassAuthority { ca_pem: s.ob.class_ca_pem()? }))
}

/// Takes a seat: the join code and a certificate request for the PC's own
/// key. The seat the key holds already, or the first free one; wrong codes
/// are counted per address (`tries_left`).
#[utoipa::path(operation_id = "class_join", post, path = "/v1/class/join", tag = "研修 class", request_body = JoinRequest,
    responses((status = 201, body = JoinedClass)))]
pub async fn join(
    State(s): State<AppState>, address: Option<axum::Extension<PeerAddress>>, ApiJson(req): ApiJson<JoinRequest>,
) -> ApiResult<(StatusCode, Json<JoinedClass>)> {
    let address = address.map_or_else(|| "unknown".to_owned(), |a| a.0 .0.to_string());
    Ok((StatusCode::CREATED, Json(s.ob.join_class(&address, &req.join_code, &req.certificate_request_pem).await?)))
}

/// The trainer's session and class, from the cookie.
pub struct Trainer(pub TrainerSession, pub Class);

fn cookie_token(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(cookie::Cookie::split_parse)
        .filter_map(Result::ok)
        .find(|c| c.name() == TRAINER_COOKIE)
        .map(|c| c.value().to_owned())
}

impl FromRequestParts<AppState> for Trainer {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let token = cookie_token(&parts.headers);
        let (session, class) = state.ob.trainer_session(token.as_deref()).await.map_err(|e| ApiError(e).into_response())?;
        Ok(Trainer(session, class))
    }
}

/// A trainer's session whose request carries its CSRF token.
pub struct TrainerAction(pub TrainerSession, pub Class);

impl FromRequestParts<AppState> for TrainerAction {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let Trainer(session, class) = Trainer::from_request_parts(parts, state).await?;
        let sent = parts.headers.get(CSRF_HEADER).and_then(|v| v.to_str().ok()).unwrap_or("");
        if !crate::secrets::same(sent, &session.csrf_token) {
            return Err(ApiError(ErrorCode::CsrfTokenInvalid.into()).into_response());
        }
        Ok(TrainerAction(session, class))
    }
}

#[derive(serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SignInQuery {
    /// The secret of the trainer's link (a class opened by the command).
    pub secret: Option<String>,
    /// A one-time ticket the app that runs the class gave its own window
    /// (good once, for a minute): no secret stays in the window's history.
    pub ticket: Option<String>,
    /// `projector`: go on to the projector's page rather than the grid.
    pub next: Option<String>,
}

/// The trainer's link: sets the session cookie (HttpOnly, SameSite=Strict,
/// and Secure except over the loopback listener's plain HTTP) and sends the browser on to the page — by a page of
/// its own, so that the cookie is sent even when the link was opened from
/// another site (a mail reader), which a redirect would not do.
#[utoipa::path(operation_id = "trainer_sign_in", get, path = "/trainer/sign-in", tag = "研修 trainer", params(SignInQuery),
    responses((status = 200, description = "Signed in; the page goes on to /trainer", content_type = "text/html")))]
pub async fn sign_in(
    State(s): State<AppState>, loopback: Option<axum::Extension<super::PlainLoopback>>, Query(q): Query<SignInQuery>,
) -> ApiResult<Response> {
    let (token, session) = match (&q.secret, &q.ticket) {
        (Some(secret), None) => s.ob.trainer_sign_in(secret).await?,
        (None, Some(ticket)) => s.ob.trainer_sign_in_with_ticket(ticket).await?,
        _ => return Err(ErrorCode::TrainerSignInRequired.into()),
    };
    let max_age = (session.expires_at - s.ob.now()).whole_seconds().max(0);
    let cookie = cookie::Cookie::build((TRAINER_COOKIE, secrecy::ExposeSecret::expose_secret(&token).to_owned()))
        .http_only(true)
        .secure(loopback.is_none())
        .same_site(cookie::SameSite::Strict)
        .path("/")
        .max_age(cookie::time::Duration::seconds(max_age))
        .build();
    let mut resp = super::trainer_page::signed_in(q.next.as_deref(), &s.ob.policy);
    if let Ok(v) = HeaderValue::from_str(&cookie.to_string()) {
        resp.headers_mut().insert(header::SET_COOKIE, v);
    }
    Ok(resp)
}

/// The class, the codes for the projector and the CSRF token.
#[utoipa::path(operation_id = "trainer_session", get, path = "/v1/trainer/session", tag = "研修 trainer",
    security(("trainer_cookie" = [])), responses((status = 200, body = TrainerSessionInfo)))]
pub async fn session(State(s): State<AppState>, Trainer(session, class): Trainer) -> ApiResult<Json<TrainerSessionInfo>> {
    let invitation = s.ob.class_invitation(&class)?;
    Ok(Json(TrainerSessionInfo {
        class_name: class.name,
        ends_at: class.ends_at,
        seats: class.seats,
        csrf_token: session.csrf_token,
        service_url: invitation.service_url,
        join_code: invitation.join_code,
        short_pin: invitation.short_pin,
        join_link: invitation.join_link,
    }))
}

/// The join link as a QR code, for the projector: a PC's camera app reads
/// it and opens the link in the app (which asks staff to confirm).
#[utoipa::path(operation_id = "trainer_join_qr", get, path = "/v1/trainer/join-qr.svg", tag = "研修 trainer",
    security(("trainer_cookie" = [])), responses((status = 200, description = "The join link as a QR code", content_type = "image/svg+xml")))]
pub async fn join_qr(State(s): State<AppState>, Trainer(_, class): Trainer) -> ApiResult<Response> {
    let invitation = s.ob.class_invitation(&class)?;
    let svg = crate::classes::join_qr_svg(&invitation.join_link).map_err(crate::onboarding::Failure::Internal)?;
    Ok(([(header::CONTENT_TYPE, "image/svg+xml")], svg).into_response())
}

/// Every seat and the counts per step, now.
#[utoipa::path(operation_id = "trainer_grid", get, path = "/v1/trainer/grid", tag = "研修 trainer",
    security(("trainer_cookie" = [])), responses((status = 200, body = TrainerGrid)))]
pub async fn grid(State(s): State<AppState>, Trainer(_, class): Trainer) -> ApiResult<Json<TrainerGrid>> {
    Ok(Json(s.ob.class_grid(&class).await?))
}

/// How often the grid is looked at for changes: a seat's move reaches the
/// page within this and the page's drawing.
const GRID_POLL: Duration = Duration::from_millis(250);

/// The longest the trainer's stream stays silent.
const KEEP_ALIVE: Duration = Duration::from_secs(15);

/// The grid as server-sent events: one `grid` event at once (a
/// TrainerGrid), then a `change` event (a TrainerGridChange: the seats that
/// moved) each time a seat moves — every instance sees every seat, the
/// grid is read from the database — and a comment now and then to keep the
/// connection. The page counts idle times on by itself.
#[utoipa::path(operation_id = "trainer_events", get, path = "/v1/trainer/events", tag = "研修 trainer",
    security(("trainer_cookie" = [])),
    responses((status = 200, description = "A `grid` event (a TrainerGrid), then `change` events (each a TrainerGridChange)", content_type = "text/event-stream")))]
pub async fn events(State(s): State<AppState>, Trainer(_, class): Trainer) -> Response {
    struct Watch {
        s: AppState,
        class: Class,
        sent: Option<crate::classes::GridSent>,
        /// When the stream last sent anything.
        last: std::time::Instant,
    }
    let start = Watch { s, class, sent: None, last: std::time::Instant::now() };
    let stream = futures_util::stream::unfold(start, |mut w| async move {
        loop {
            // The first grid at once; after it, one look every GRID_POLL,
            // whether the last look was sent or not (while seats keep
            // moving, a look right after each event would read the whole
            // grid as fast as the page takes it).
            if w.sent.is_some() {
                tokio::time::sleep(GRID_POLL).await;
            }
            let grid = match w.s.ob.class_grid(&w.class).await {
                Ok(g) => g,
                // The class is gone (closed, ended): the stream ends.
                Err(_) => return None,
            };
            let event = match &mut w.sent {
                None => {
                    w.sent = Some(crate::classes::GridSent::first(&grid));
                    Event::default().event("grid").json_data(&grid)
                }
                Some(sent) => match sent.change(grid) {
                    Some(change) => Event::default().event("change").json_data(&change),
                    // A quiet room: a comment now and then keeps proxies and
                    // the page from taking the connection for dead.
                    None if w.last.elapsed() >= KEEP_ALIVE => Ok(Event::default().comment("")),
                    None => continue,
                },
            };
            w.last = std::time::Instant::now();
            let event = event.unwrap_or_else(|_| Event::default().comment("unencodable"));
            return Some((Ok::<_, std::convert::Infallible>(event), w));
        }
    });
    Sse::new(stream).into_response()
}

/// ロック解除: the seat's office and admin may log in again at once.
#[utoipa::path(operation_id = "trainer_unlock_seat", post, path = "/v1/trainer/seats/{seat}/unlock", tag = "研修 trainer",
    params(("seat" = u32, Path)), security(("trainer_cookie" = [], "csrf_token" = [])),
    responses((status = 204, description = "Unlocked")))]
pub async fn unlock_seat(
    State(s): State<AppState>, TrainerAction(_, class): TrainerAction, Path(seat): Path<u32>,
) -> ApiResult<StatusCode> {
    s.ob.unlock_seat(&class.id, seat).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// 最初からやり直す: the seat's Step 3 is undone; its PC keeps the seat.
#[utoipa::path(operation_id = "trainer_reset_seat", post, path = "/v1/trainer/seats/{seat}/reset", tag = "研修 trainer",
    params(("seat" = u32, Path)), security(("trainer_cookie" = [], "csrf_token" = [])),
    responses((status = 204, description = "Reset")))]
pub async fn reset_seat(State(s): State<AppState>, TrainerAction(_, class): TrainerAction, Path(seat): Path<u32>) -> ApiResult<StatusCode> {
    s.ob.reset_seat(&class.id, seat).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// 研修を終える: answers the class's last grid (for the summary), then
/// deletes everything of the class.
#[utoipa::path(operation_id = "trainer_close_class", post, path = "/v1/trainer/close", tag = "研修 trainer",
    security(("trainer_cookie" = [], "csrf_token" = [])), responses((status = 200, body = TrainerGrid)))]
pub async fn close_class(State(s): State<AppState>, TrainerAction(_, class): TrainerAction) -> ApiResult<Json<TrainerGrid>> {
    Ok(Json(s.ob.close_class(&class).await?))
}

/// The grid as CSV (UTF-8 with a byte-order mark, so spreadsheet programs
/// read the Japanese right).
#[utoipa::path(operation_id = "trainer_summary_csv", get, path = "/v1/trainer/summary.csv", tag = "研修 trainer",
    security(("trainer_cookie" = [])), responses((status = 200, description = "One line a seat", content_type = "text/csv")))]
pub async fn summary_csv(State(s): State<AppState>, Trainer(_, class): Trainer) -> ApiResult<Response> {
    let grid = s.ob.class_grid(&class).await?;
    let csv = crate::classes::summary_csv(&grid, &s.ob.policy).map_err(crate::onboarding::Failure::Internal)?;
    Ok((
        [(header::CONTENT_TYPE, "text/csv; charset=utf-8"), (header::CONTENT_DISPOSITION, "attachment; filename=\"class-summary.csv\"")],
        csv,
    )
        .into_response())
}
