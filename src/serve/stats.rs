//! `GET /stats/` (the writers' report as a page of the site) and `GET /api/stats` (the same
//! report as JSON): read from the feedback store for a period, computed by
//! `feedback::report`. Both need the bearer token when `[serve] stats_need_token` is set: the
//! report shows what operators asked.

use super::api::{ApiError, ErrorBody};
use super::cpu::off_the_async_threads;
use super::feedback::check_token;
use super::state::AppState;
use crate::feedback::report::{self, Report, DEFAULT_DAYS};
use crate::render::RenderOptions;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::Json;
use chrono::NaiveDate;
use serde::Deserialize;
use std::sync::Arc;
use utoipa::IntoParams;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct StatsParams {
    /// The period's first day (UTC), `YYYY-MM-DD`; 30 days ago when omitted. The period ends
    /// today.
    #[param(value_type = Option<String>, format = Date, example = "2026-11-01")]
    since: Option<String>,
}

/// The knowledge-gap report
///
/// For a period: tickets no article fitted and searches that found nothing, grouped by the
/// words they share (what to write next, largest group first); articles by «Помогло», «Не
/// то» and opens from search; articles nobody used; stale articles operators use most; votes
/// and misses per ISO week. The page `/stats/` shows the same. With `[serve]
/// stats_need_token`, send `Authorization: Bearer` with `[serve] api_token`.
#[utoipa::path(
    get,
    path = "/api/stats",
    tag = "feedback",
    params(StatsParams),
    responses(
        (status = 200, description = "The report", body = Report),
        (status = 400, description = "`since` is not a date `YYYY-MM-DD`, or the query string cannot be read", body = ErrorBody),
        (status = 401, description = "`[serve] stats_need_token` is set and the token is missing or wrong", body = ErrorBody),
        (status = 503, description = "Feedback is off, or its database is unavailable (logged)", body = ErrorBody),
    )
)]
pub async fn api_stats(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    params: Result<Query<StatsParams>, QueryRejection>,
) -> Result<Response, ApiError> {
    let report = report_for(&state, &headers, params).await?;
    Ok(([(header::CACHE_CONTROL, "no-store")], Json(report)).into_response())
}

/// `GET /stats/`: the report as a page of the site; a problem (a missing token, feedback
/// off, the database down, a bad date) is the same page saying so, with its status.
pub async fn stats_page(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    params: Result<Query<StatsParams>, QueryRejection>,
) -> Response {
    let (status, report, problem) = match report_for(&state, &headers, params).await {
        Ok(report) => (StatusCode::OK, Some(report), None),
        Err(e) => (e.status(), None, Some(e.to_string())),
    };
    let snapshot = state.current();
    let options = RenderOptions {
        live_reload: false,
        today: report::today(),
    };
    let page =
        snapshot
            .renderer
            .stats_page(&snapshot.site, report.as_ref(), problem.as_deref(), options);
    match page {
        Ok(html) => (status, [(header::CACHE_CONTROL, "no-store")], Html(html)).into_response(),
        Err(e) => {
            tracing::error!("/stats/: {e}");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                "внутренняя ошибка сервера",
            )
                .into_response()
        }
    }
}

/// The report the request asks for, or why it cannot have it.
async fn report_for(
    state: &Arc<AppState>,
    headers: &HeaderMap,
    params: Result<Query<StatsParams>, QueryRejection>,
) -> Result<Report, ApiError> {
    let config = state.current().site.config.serve.clone();
    if config.stats_need_token {
        if config.api_token.is_empty() {
            // No token can be right: say which setting is missing, not «wrong token».
            return Err(ApiError::Unavailable(
                "отчёт закрыт: stats_need_token = true, но [serve] api_token не задан".into(),
            ));
        }
        check_token(headers, &config.api_token)?;
    }
    let Query(params) = params.map_err(|e| {
        ApiError::BadRequest(format!("параметры запроса не читаются: {}", e.body_text()))
    })?;
    let today = report::today();
    let asked =
        match params.since.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(text) => Some(NaiveDate::parse_from_str(text, "%Y-%m-%d").map_err(|_| {
                ApiError::BadRequest(format!("since: {text:?} — не дата ГГГГ-ММ-ДД"))
            })?),
        };
    let retention = state.current().site.config.feedback.retention_days;
    let since = report::period_start(asked, today, DEFAULT_DAYS, retention)
        .map_err(|e| ApiError::BadRequest(format!("since: дата в будущем ({e})")))?;
    let Some(feedback) = state.feedback.get() else {
        return Err(ApiError::Unavailable(
            "отчёта нет: отзывы выключены ([feedback] database в spravka.toml)".into(),
        ));
    };
    let start = since.and_hms_opt(0, 0, 0).expect("midnight").and_utc();
    let rows = feedback
        .events_since(start.timestamp())
        .await
        .map_err(|e| ApiError::Unavailable(format!("отчёта нет: {e}")))?;
    let snapshot = state.current();
    off_the_async_threads("report", move || {
        report::compute(&rows, &snapshot.site, since, today)
    })
    .await
}
