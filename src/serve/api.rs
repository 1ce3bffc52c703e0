//! The JSON API: /api/health, /api/search, /api/suggest; errors as `{"error": "..."}`.

use super::state::AppState;
use crate::search::query::SearchRequest;
use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
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

/// Runs CPU-bound search work off the async threads; a failure is logged, not returned.
async fn json_from_blocking<T: serde::Serialize + Send + 'static>(
    what: &str,
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<Response, ApiError> {
    match tokio::task::spawn_blocking(work).await {
        Ok(response) => Ok(Json(response).into_response()),
        Err(e) => {
            tracing::error!("{what} task failed: {e}");
            Err(ApiError::Internal)
        }
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
    json_from_blocking("search", move || snapshot.engine.search(&request)).await
}

pub async fn suggest(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    body: axum::body::Body,
) -> Result<Response, ApiError> {
    // A declared length over the limit is refused before a byte of the body is read; an
    // undeclared one is read only up to the limit.
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
    let value: serde_json::Value = serde_json::from_slice(&body)
        .map_err(|e| ApiError::BadRequest(format!("некорректный JSON: {e}")))?;
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
    json_from_blocking("suggest", move || snapshot.engine.suggest(&text, limit)).await
}
