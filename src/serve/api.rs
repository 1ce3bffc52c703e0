//! The JSON API: /api/health, /api/search, /api/suggest (`/api/feedback` is `feedback`'s,
//! `/api/stats` `stats`');
//! errors as `{"error": "..."}`. Each
//! handler's `#[utoipa::path]` is its part of the OpenAPI document (`serve::openapi`).

use super::client::client_address;
use super::feedback::record_miss;
use super::state::AppState;
use crate::feedback::Kind;
use crate::search::query::SearchRequest;
use crate::search::{SearchResponse, SuggestResponse};
use axum::extract::connect_info::ConnectInfo;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use serde::{Deserialize, Serialize};
use std::net::SocketAddr;
use std::sync::Arc;
use utoipa::{IntoParams, ToSchema};

pub const MAX_LIMIT: u64 = 50;

/// Everything an API call can fail with; the message is for the client, internals are logged.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("{0}")]
    BadRequest(String),
    #[error("limit должен быть целым числом от 1 до {MAX_LIMIT}")]
    BadLimit,
    #[error("метод не поддерживается: разрешённые названы в заголовке Allow")]
    MethodNotAllowed,
    #[error("тело запроса должно быть JSON: Content-Type: application/json")]
    UnsupportedMediaType,
    #[error("тело запроса больше допустимого размера")]
    TooLarge,
    #[error("{0}")]
    Unprocessable(String),
    #[error("{0}")]
    Unauthorized(#[from] super::feedback::TokenRefused),
    #[error("запись разрешена только со страниц самой базы знаний или с токеном")]
    Forbidden,
    #[error("слишком много запросов: подождите немного")]
    TooManyRequests,
    #[error("{0}")]
    Unavailable(String),
    #[error("внутренняя ошибка сервера")]
    Internal,
}

impl ApiError {
    pub fn status(&self) -> StatusCode {
        match self {
            ApiError::BadRequest(_) => StatusCode::BAD_REQUEST,
            ApiError::BadLimit => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            ApiError::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ApiError::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::Unprocessable(_) => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden => StatusCode::FORBIDDEN,
            ApiError::TooManyRequests => StatusCode::TOO_MANY_REQUESTS,
            ApiError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

/// The body of every error answer of the API.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"error": "limit должен быть целым числом от 1 до 50"}))]
pub struct ErrorBody {
    /// What was wrong, in Russian, for a person.
    pub error: String,
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = ErrorBody {
            error: self.to_string(),
        };
        let mut response = (self.status(), Json(body)).into_response();
        if matches!(self, ApiError::TooLarge) {
            // The body was left unread, so the connection cannot carry another request: say
            // so, or a client reusing it finds it closed under its next request.
            response
                .headers_mut()
                .insert(header::CONNECTION, HeaderValue::from_static("close"));
        }
        response
    }
}

/// Axum answers a method a route lacks with an empty 405; API clients get the JSON error
/// every other mistake gets. A layer of the API router, so every route has it; axum adds the
/// `Allow` header after it (so the message cannot name the methods).
pub async fn json_method_not_allowed(response: Response) -> Response {
    use axum::body::HttpBody as _;
    let empty = response.body().size_hint().exact() == Some(0);
    if response.status() == StatusCode::METHOD_NOT_ALLOWED && empty {
        return ApiError::MethodNotAllowed.into_response();
    }
    response
}

/// What `GET /api/health` answers: the server is up, and what it serves.
#[derive(Debug, Serialize, ToSchema)]
pub struct Health {
    /// Always `ok`.
    #[schema(example = "ok")]
    pub status: &'static str,
    /// Pages of the served site.
    pub documents: usize,
    /// The served snapshot: it grows by one with every rebuild.
    pub generation: u64,
    /// Errors in the served content (broken links and the like; `spravka check` lists them).
    pub errors: usize,
    /// Warnings in the served content.
    pub warnings: usize,
}

/// The server is up
///
/// Answers as long as the process serves, with the size and the problems of the served
/// site: for a load balancer's or a helpdesk's health check.
#[utoipa::path(
    get,
    path = "/api/health",
    tag = "service",
    responses((status = 200, description = "The server answers", body = Health))
)]
pub async fn health(State(state): State<Arc<AppState>>) -> Json<Health> {
    let snapshot = state.current();
    Json(Health {
        status: "ok",
        documents: snapshot.site.pages.len(),
        generation: snapshot.generation,
        errors: snapshot.summary.errors.0.len(),
        warnings: snapshot.summary.warnings,
    })
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SearchParams {
    /// The query as typed, at most 1024 bytes: typos, transliteration, the wrong keyboard
    /// layout and synonyms are forgiven, and the last word is a prefix until a space follows
    /// it.
    #[param(required = true, example = "шлагбаум")]
    q: Option<String>,
    /// How many hits, 1..50; 10 when omitted.
    #[param(value_type = Option<u32>, minimum = 1, maximum = 50, example = 5)]
    limit: Option<String>,
    /// Only pages of this section (its name as the facets show it).
    section: Option<String>,
    /// Only pages with this tag (any case).
    tag: Option<String>,
}

fn check_limit(limit: Option<u64>) -> Result<usize, ApiError> {
    match limit {
        Some(limit) if (1..=MAX_LIMIT).contains(&limit) => Ok(limit as usize),
        _ => Err(ApiError::BadLimit),
    }
}

/// Search as you type
///
/// The site's pages for a query, best first, with a highlighted snippet each and facet
/// counts (sections, tags) over the first 200 matches.
#[utoipa::path(
    get,
    path = "/api/search",
    tag = "search",
    params(SearchParams),
    responses(
        (status = 200, description = "The hits, best first", body = SearchResponse),
        (status = 400, description = "No query, a query over 1024 bytes, or a query string that cannot be read (a parameter given twice)", body = ErrorBody),
        (status = 422, description = "`limit` outside 1..50 or not a number", body = ErrorBody),
        (status = 500, description = "The search failed (logged)", body = ErrorBody),
    )
)]
pub async fn search(
    State(state): State<Arc<AppState>>,
    connect_info: Option<Extension<ConnectInfo<SocketAddr>>>,
    headers: HeaderMap,
    params: Result<Query<SearchParams>, QueryRejection>,
) -> Result<Response, ApiError> {
    // Axum's own rejection is plain text; API clients get the JSON error.
    let Query(params) = params.map_err(|e| {
        ApiError::BadRequest(format!("параметры запроса не читаются: {}", e.body_text()))
    })?;
    let query = params.q.unwrap_or_default();
    if query.trim().is_empty() {
        return Err(ApiError::BadRequest(
            "нет запроса: /api/search?q=...".into(),
        ));
    }
    if query.len() > 1024 {
        return Err(ApiError::BadRequest("запрос длиннее 1024 байт".into()));
    }
    let limit = match params.limit.as_deref().map(str::trim) {
        None | Some("") => 10,
        Some(text) => check_limit(text.parse().ok())?,
    };
    let request = SearchRequest {
        query,
        limit,
        section: params.section,
        tag: params.tag,
    };
    let snapshot = state.current();
    let query = request.query.clone();
    let response =
        super::cpu::off_the_async_threads("search", move || snapshot.engine.search(&request))
            .await?;
    if let Some(feedback) = state.feedback.get() {
        let trusted = &state.current().site.config.serve.trusted_proxies;
        let address = client_address(&headers, connect_info.map(|c| c.0 .0), trusted);
        let client = format!("ip:{}", address.map_or("local".into(), |a| a.to_string()));
        if response.hits.is_empty() {
            feedback.record_typed(&client, &query);
        } else {
            feedback.clear_typed(&client);
        }
    }
    Ok(Json(response).into_response())
}

/// What `POST /api/suggest` takes.
#[derive(Debug, ToSchema)]
#[schema(example = json!({"text": "Здравствуйте! Не приходит смс с кодом для входа в приложение", "limit": 3}))]
pub struct SuggestRequest {
    /// The ticket as the customer wrote it, whole: quoted replies, greetings, signatures and
    /// disclaimers are removed before the search.
    #[schema(min_length = 1)]
    pub text: String,
    /// How many articles, 1..50; 5 when omitted or null.
    #[schema(minimum = 1, maximum = 50)]
    pub limit: Option<usize>,
}

impl SuggestRequest {
    /// Reads the request, each mistake with its own message: a `limit` that is not a whole
    /// number in range is 422, anything else wrong 400.
    fn from_json(value: &serde_json::Value) -> Result<SuggestRequest, ApiError> {
        use serde_json::Value;
        let text = match value.get("text") {
            Some(Value::String(text)) if !text.trim().is_empty() => text.clone(),
            Some(Value::String(_)) => return Err(ApiError::BadRequest("поле text пустое".into())),
            Some(_) => return Err(ApiError::BadRequest("поле text должно быть строкой".into())),
            None => {
                return Err(ApiError::BadRequest(
                    "нет поля text с текстом обращения".into(),
                ))
            }
        };
        let limit = match value.get("limit") {
            None | Some(Value::Null) => None,
            Some(Value::Number(n)) => Some(check_limit(n.as_u64())?),
            Some(_) => return Err(ApiError::BadLimit),
        };
        Ok(SuggestRequest { text, limit })
    }
}

/// The body of a POST as JSON: a declared length over the limit is refused before a byte of
/// the body is read (413), an undeclared one is read only up to the limit; then it must be
/// declared JSON (415) and be JSON (400).
pub async fn json_body(
    state: &AppState,
    headers: &HeaderMap,
    body: axum::body::Body,
) -> Result<serde_json::Value, ApiError> {
    let max = state.current().site.config.serve.max_body_bytes;
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > max as u64) {
        return Err(ApiError::TooLarge);
    }
    let body = axum::body::to_bytes(body, max).await.map_err(|e| {
        if std::error::Error::source(&e).is_some_and(|s| s.is::<http_body_util::LengthLimitError>())
        {
            ApiError::TooLarge
        } else {
            ApiError::BadRequest(e.to_string())
        }
    })?;
    if !headers.get(header::CONTENT_TYPE).is_some_and(is_json) {
        return Err(ApiError::UnsupportedMediaType);
    }
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err(ApiError::BadRequest(
            "пустое тело запроса: ожидается JSON-объект".to_string(),
        ));
    }
    serde_json::from_slice(&body)
        .map_err(|e| ApiError::BadRequest(format!("некорректный JSON: {e}")))
}

fn is_json(content_type: &HeaderValue) -> bool {
    content_type.to_str().is_ok_and(|v| {
        v.split(';')
            .next()
            .is_some_and(|m| m.trim().eq_ignore_ascii_case("application/json"))
    })
}

/// Articles for a ticket
///
/// The knowledge base's articles that answer a customer's ticket, best match first, each
/// with the probability that it answers it and the ticket's words it matched. `confident`
/// false means no sure answer: check the articles listed, and follow the escalation
/// regulation when none fits.
#[utoipa::path(
    post,
    path = "/api/suggest",
    tag = "search",
    request_body = SuggestRequest,
    responses(
        (status = 200, description = "The articles, best match first", body = SuggestResponse),
        (status = 400, description = "Not JSON, no `text`, an empty `text` or one that is not a string", body = ErrorBody),
        (status = 413, description = "A body over `[serve] max_body_bytes` (64 KB by default)", body = ErrorBody),
        (status = 415, description = "Not sent as `Content-Type: application/json`", body = ErrorBody),
        (status = 422, description = "`limit` outside 1..50 or not a whole number", body = ErrorBody),
        (status = 500, description = "The search failed (logged)", body = ErrorBody),
    )
)]
pub async fn suggest(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    body: axum::body::Body,
) -> Result<Response, ApiError> {
    let value = json_body(&state, &headers, body).await?;
    let request = SuggestRequest::from_json(&value)?;
    let limit = request.limit.unwrap_or(5);
    let snapshot = state.current();
    let feedback = state.feedback.get().cloned();
    let learned = feedback.as_ref().map(|f| f.learned()).unwrap_or_default();
    let text = request.text.clone();
    let response = super::cpu::off_the_async_threads("suggest", move || {
        snapshot.engine.suggest_learning(&text, limit, &learned)
    })
    .await?;
    if !response.confident {
        let top = response.suggestions.first().map(|s| s.hit.path.clone());
        record_miss(feedback.as_ref(), Kind::NotConfident, &request.text, top);
    }
    Ok(Json(response).into_response())
}
