//! `POST /api/feedback`: an operator's verdict on a suggestion (or an opened search result),
//! checked (same-origin browser or bearer token; a per-client rate limit in `app`), masked and
//! stored; and what the server records itself — searches that found nothing, suggestions it
//! was not confident of.

use super::api::{json_body, ApiError, ErrorBody};
use super::client::client_address;
use super::state::AppState;
use crate::feedback::privacy::{mask, ticket_terms};
use crate::feedback::{now, Event, Feedback, Kind};
use axum::extract::connect_info::ConnectInfo;
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Extension;
use axum::Json;
use serde::{Deserialize, Serialize};
use std::net::SocketAddr;
use std::sync::Arc;
use utoipa::ToSchema;

/// An operator's verdict, as the client sends it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    Helped,
    Wrong,
    None,
}

/// Where the verdict was given: on a suggestion (the default) or by opening a search result.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Source {
    #[default]
    Suggest,
    Search,
}

/// What `POST /api/feedback` takes.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"text": "Здравствуйте! Не приходит смс с кодом для входа в приложение", "path": "База типичных запросов/Не приходит SMS с кодом подтверждения.md", "verdict": "helped", "suggestion_rank": 1}))]
pub struct FeedbackRequest {
    /// The ticket (or the search query) the verdict is about.
    #[schema(min_length = 1)]
    pub text: String,
    /// The article's source path, as suggest and search return it; `null` with `none`.
    pub path: Option<String>,
    pub verdict: Verdict,
    /// The suggestion's place in the list, 1 for the first.
    #[schema(minimum = 1, maximum = 50)]
    pub suggestion_rank: Option<u32>,
    #[serde(default)]
    pub source: Source,
}

/// What `POST /api/feedback` answers once the verdict is stored.
#[derive(Debug, Serialize, ToSchema)]
pub struct FeedbackStored {
    /// The stored row's id.
    pub id: i64,
}

/// An operator's verdict
///
/// «Помогло» (`helped`), «Не то» (`wrong`) on a suggested article, or «Подходящей статьи нет»
/// (`none`, `path` null); `source: "search"` with `helped` records an article opened from the
/// search results. Suggest learns from `helped` and `wrong` within a second. Browsers on the
/// site's own pages need nothing else; programs send `Authorization: Bearer` with `[serve]
/// api_token` (when one is set, it is required; when none is, the header is ignored). Only
/// the ticket's analysed words are kept, personal data masked, unless `[feedback] store_text`
/// is on.
#[utoipa::path(
    post,
    path = "/api/feedback",
    tag = "feedback",
    request_body = FeedbackRequest,
    responses(
        (status = 201, description = "Stored", body = FeedbackStored),
        (status = 400, description = "Not JSON, a missing or empty `text`, an unknown field or `verdict`", body = ErrorBody),
        (status = 401, description = "A wrong token, or none from a program when `[serve] api_token` is set", body = ErrorBody),
        (status = 403, description = "Sent by a page of another site", body = ErrorBody),
        (status = 413, description = "A body over `[serve] max_body_bytes`", body = ErrorBody),
        (status = 415, description = "Not sent as `Content-Type: application/json`", body = ErrorBody),
        (status = 422, description = "An article the base does not have, a verdict on an article without `path`, `none` with a `path`, or `suggestion_rank` 0", body = ErrorBody),
        (status = 429, description = "More than `[feedback] writes_per_minute` writes a minute from this client", body = ErrorBody),
        (status = 503, description = "The feedback database is unavailable (logged) or feedback is off; search and suggest still answer", body = ErrorBody),
    )
)]
pub async fn post_feedback(
    State(state): State<Arc<AppState>>,
    connect_info: Option<Extension<ConnectInfo<SocketAddr>>>,
    headers: HeaderMap,
    body: axum::body::Body,
) -> Result<Response, ApiError> {
    let config = state.current().site.config.serve.clone();
    let address = client_address(
        &headers,
        connect_info.map(|c| c.0 .0),
        &config.trusted_proxies,
    );
    let client = authorised_client(&headers, address, &config.api_token)?;
    let value = json_body(&state, &headers, body).await?;
    let request: FeedbackRequest = serde_path_to_error::deserialize(value).map_err(|e| {
        ApiError::BadRequest(format!("некорректный отзыв: {}: {}", e.path(), e.inner()))
    })?;
    let kind = checked_kind(&state, &request)?;
    let Some(feedback) = state.feedback.get() else {
        return Err(ApiError::Unavailable(
            "отзывы выключены: [feedback] database в spravka.toml".into(),
        ));
    };
    let event = Event {
        at: now(),
        kind,
        path: request.path,
        rank: request.suggestion_rank,
        terms: ticket_terms(&request.text),
        text: feedback.settings().store_text.then(|| mask(&request.text)),
        client,
    };
    let stored = feedback.record(&event).await;
    super::metrics::feedback_write(stored.is_ok());
    let id = stored.map_err(|e| ApiError::Unavailable(e.to_string()))?;
    Ok((StatusCode::CREATED, Json(FeedbackStored { id })).into_response())
}

/// The stored kind of a valid request: a verdict on an article names an article of the site,
/// «no article» names none.
fn checked_kind(state: &AppState, request: &FeedbackRequest) -> Result<Kind, ApiError> {
    if request.text.trim().is_empty() {
        return Err(ApiError::BadRequest("поле text пустое".into()));
    }
    if request
        .suggestion_rank
        .is_some_and(|r| !crate::feedback::RANKS.contains(&r))
    {
        return Err(ApiError::Unprocessable(
            "suggestion_rank: место подсказки в списке, от 1 до 50".into(),
        ));
    }
    let kind = match (request.verdict, request.source) {
        (Verdict::Helped, Source::Suggest) => Kind::Helped,
        (Verdict::Helped, Source::Search) => Kind::Opened,
        (Verdict::Wrong, _) => Kind::Wrong,
        (Verdict::None, _) => Kind::NoArticle,
    };
    match (&request.path, kind) {
        (Some(_), Kind::NoArticle) => Err(ApiError::Unprocessable(
            "с verdict \"none\" path должен быть null".into(),
        )),
        (None, Kind::NoArticle) => Ok(kind),
        (None, _) => Err(ApiError::Unprocessable(
            "нужен path статьи, о которой отзыв".into(),
        )),
        (Some(path), _) if state.current().site.page_by_path(path).is_none() => Err(
            ApiError::Unprocessable(format!("нет статьи {path:?} в базе")),
        ),
        (Some(_), _) => Ok(kind),
    }
}

/// Why a request was refused the token's rights, told apart: a client without the header
/// should add it, one with a wrong token should fix its value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TokenRefused {
    #[error("нужен заголовок Authorization: Bearer с токеном из [serve] api_token")]
    Missing,
    #[error("неверный токен: Authorization: Bearer не совпадает с [serve] api_token")]
    Wrong,
}

/// The token a request sends as `Authorization: Bearer <token>` (the scheme in any case, as
/// RFC 7235 has it), if it sends one: the one reading of the header, for writes, the rate
/// limit and the report alike.
pub fn bearer_token(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
}

/// Whether the request sends the configured token, and if not, why not (with none
/// configured, no token is right).
pub fn check_token(headers: &HeaderMap, api_token: &str) -> Result<(), TokenRefused> {
    match bearer_token(headers) {
        None => Err(TokenRefused::Missing),
        Some(token) if is_the_token(token, api_token) => Ok(()),
        Some(_) => Err(TokenRefused::Wrong),
    }
}

/// Who may write, and who they are (the raw identity, hashed when stored): a request with the
/// configured bearer token, or one a browser made from the site's own pages
/// (`Sec-Fetch-Site: same-origin`, or an `Origin` equal to the `Host`); a program without
/// browser headers when no token is configured. A page of another site can never write (a
/// browser always sends one of the two headers).
pub fn authorised_client(
    headers: &HeaderMap,
    address: Option<std::net::IpAddr>,
    api_token: &str,
) -> Result<String, ApiError> {
    // Only a configured token is checked: without one, a bearer header proves nothing
    // (README's example sends one before any is set) and its value must not name a client
    // (any value would be a new one, and it takes two to agree). A request without the token
    // is judged by its browser headers.
    if !api_token.is_empty() {
        match check_token(headers, api_token) {
            Ok(()) => return Ok(format!("token:{api_token}")),
            Err(TokenRefused::Wrong) => return Err(TokenRefused::Wrong.into()),
            Err(TokenRefused::Missing) => {}
        }
    }
    let by_address = || {
        format!(
            "ip:{}",
            address.map_or("local".to_string(), |a| a.to_string())
        )
    };
    let fetch_site = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok());
    let origin = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok());
    match (fetch_site, origin) {
        (Some("same-origin"), _) => Ok(by_address()),
        (Some(_), _) => Err(ApiError::Forbidden),
        (None, Some(origin)) if same_origin(origin, headers) => Ok(by_address()),
        (None, Some(_)) => Err(ApiError::Forbidden),
        (None, None) if api_token.is_empty() => Ok(by_address()),
        (None, None) => Err(TokenRefused::Missing.into()),
    }
}

/// Whether `origin` (`http://host:port`) names the host the request was sent to.
fn same_origin(origin: &str, headers: &HeaderMap) -> bool {
    let host = headers.get(header::HOST).and_then(|v| v.to_str().ok());
    let origin_host = origin
        .split_once("://")
        .map(|(_, rest)| rest.trim_end_matches('/'));
    matches!((origin_host, host), (Some(o), Some(h)) if o.eq_ignore_ascii_case(h))
}

/// Whether `token` is the configured one (never when none is configured).
fn is_the_token(token: &str, api_token: &str) -> bool {
    !api_token.is_empty() && constant_time_eq(token, api_token)
}

/// Compares without stopping at the first difference, so the time taken does not tell how
/// much of a guessed token was right.
fn constant_time_eq(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0u8, |d, (x, y)| d | (x ^ y)) == 0
}

/// Records what the server saw without waiting for the database: a search with no hits or a
/// ticket it was not confident of (its words only, masked). Nothing when feedback is off.
pub fn record_miss(feedback: Option<&Arc<Feedback>>, kind: Kind, text: &str, path: Option<String>) {
    let Some(feedback) = feedback else { return };
    let terms = ticket_terms(text);
    if terms.is_empty() {
        return;
    }
    feedback.record_later(Event {
        at: now(),
        kind,
        path,
        rank: None,
        terms,
        text: feedback.settings().store_text.then(|| mask(text)),
        client: "server".into(),
    });
}
