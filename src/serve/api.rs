//! The JSON API: /api/health, /api/search, /api/suggest; errors as `{"error": "..."}`.

use super::feedback::record_miss;
use super::state::AppState;
use crate::feedback::{client_id, Kind};
use crate::search::query::SearchRequest;
use axum::extract::connect_info::ConnectInfo;
use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Extension;
use axum::Json;
use serde::Deserialize;
use std::net::SocketAddr;
use std::sync::Arc;

pub const MAX_LIMIT: u64 = 50;

/// Everything an API call can fail with; the message is for the client, internals are logged.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("{0}")]
    BadRequest(String),
    #[error("limit должен быть от 1 до {MAX_LIMIT}")]
    BadLimit,
    #[error("отправьте обращение в JSON: Content-Type: application/json")]
    UnsupportedMediaType,
    #[error("тело запроса больше допустимого размера")]
    TooLarge,
    #[error("{0}")]
    Unprocessable(String),
    #[error("нужен заголовок Authorization: Bearer с токеном из [serve] api_token")]
    Unauthorized,
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
    fn status(&self) -> StatusCode {
        match self {
            ApiError::BadRequest(_) => StatusCode::BAD_REQUEST,
            ApiError::BadLimit => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ApiError::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::Unprocessable(_) => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::Unauthorized => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden => StatusCode::FORBIDDEN,
            ApiError::TooManyRequests => StatusCode::TOO_MANY_REQUESTS,
            ApiError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (
            self.status(),
            Json(serde_json::json!({ "error": self.to_string() })),
        )
            .into_response()
    }
}

pub async fn health(State(state): State<Arc<AppState>>) -> Json<serde_json::Value> {
    let snapshot = state.current();
    Json(serde_json::json!({
        "status": "ok",
        "documents": snapshot.site.pages.len(),
        "generation": snapshot.generation,
        "errors": snapshot.diagnostics.errors(),
        "warnings": snapshot.diagnostics.warnings(),
    }))
}

#[derive(Debug, Deserialize)]
pub struct SearchParams {
    q: Option<String>,
    limit: Option<String>,
    section: Option<String>,
    tag: Option<String>,
}

fn check_limit(limit: Option<u64>) -> Result<usize, ApiError> {
    match limit {
        Some(limit) if (1..=MAX_LIMIT).contains(&limit) => Ok(limit as usize),
        _ => Err(ApiError::BadLimit),
    }
}

pub async fn search(
    State(state): State<Arc<AppState>>,
    connect_info: Option<Extension<ConnectInfo<SocketAddr>>>,
    Query(params): Query<SearchParams>,
) -> Result<Response, ApiError> {
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
    let response = tokio::task::spawn_blocking(move || snapshot.engine.search(&request))
        .await
        .map_err(|e| {
            tracing::error!("search task failed: {e}");
            ApiError::Internal
        })?;
    if response.hits.is_empty() {
        if let Some(feedback) = state.feedback.get() {
            let client =
                client_id(&connect_info.map_or("local".into(), |c| c.0 .0.ip().to_string()));
            feedback.record_typed(&client, &query);
        }
    }
    Ok(Json(response).into_response())
}

pub async fn suggest(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    body: axum::body::Body,
) -> Result<Response, ApiError> {
    let value = read_json_body(&state, &headers, body).await?;
    let text = match value.get("text") {
        Some(serde_json::Value::String(text)) if !text.trim().is_empty() => text.clone(),
        Some(serde_json::Value::String(_)) => {
            return Err(ApiError::BadRequest("поле text пустое".into()))
        }
        Some(_) => return Err(ApiError::BadRequest("поле text должно быть строкой".into())),
        None => {
            return Err(ApiError::BadRequest(
                "нет поля text с текстом обращения".into(),
            ))
        }
    };
    let limit = match value.get("limit") {
        None | Some(serde_json::Value::Null) => 5,
        Some(serde_json::Value::Number(n)) => check_limit(n.as_u64())?,
        Some(_) => return Err(ApiError::BadLimit),
    };
    let snapshot = state.current();
    let feedback = state.feedback.get().cloned();
    let learned = feedback.as_ref().map(|f| f.learned()).unwrap_or_default();
    let ticket = text.clone();
    let response = tokio::task::spawn_blocking(move || {
        snapshot.engine.suggest_learning(&ticket, limit, &learned)
    })
    .await
    .map_err(|e| {
        tracing::error!("suggest task failed: {e}");
        ApiError::Internal
    })?;
    if !response.confident {
        let top = response.suggestions.first().map(|s| s.hit.path.clone());
        record_miss(feedback.as_ref(), Kind::NotConfident, &text, top);
    }
    Ok(Json(response).into_response())
}

/// A JSON request body: `Content-Type: application/json`, at most `max_body_bytes` (a declared
/// length over it is refused before a byte is read, an undeclared one read only up to it).
pub async fn read_json_body(
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
    let json_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.split(';')
                .next()
                .is_some_and(|m| m.trim().eq_ignore_ascii_case("application/json"))
        });
    if !json_type {
        return Err(ApiError::UnsupportedMediaType);
    }
    serde_json::from_slice(&body)
        .map_err(|e| ApiError::BadRequest(format!("некорректный JSON: {e}")))
}
