//! The OpenAPI 3.1 document of the JSON API, served at `GET /api/openapi.json`, and the API's
//! routes: both come from the same `routes!` lines, so the router and the document cannot
//! drift apart.
//!
//! To add a route: give its handler a `#[utoipa::path(...)]` (method, path, parameters or
//! request body, a `ToSchema` type for every body, and every status the handler itself can
//! answer, errors with `body = ErrorBody`), then add one `.routes(routes!(module::handler))`
//! line to [`routes()`]. The statuses that the layers around every route answer (405, 408, 500)
//! are added to each operation by [`document`]. A POST route reads its body with
//! `api::json_body` (413, 415 and 400 as JSON errors) and fails with `api::ApiError`.
//! `tests/api_contract.rs` then calls the new route with the document's examples (a request
//! body's schema needs `#[schema(example = ...)]`, a required parameter `example = ...`) and
//! with what a client gets wrong, and checks every answer against the document.

use super::api::{self, ErrorBody};
use super::state::AppState;
use super::{feedback, rate_limit, stats};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use std::sync::{Arc, OnceLock};
use utoipa::openapi::path::{Operation, PathItem};
use utoipa::openapi::{Content, OpenApi, Ref, RefOr, ResponseBuilder};
use utoipa::OpenApi as _;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// What the document says besides its operations.
#[derive(utoipa::OpenApi)]
#[openapi(
    info(
        title = "spravka",
        description = "Search of a support knowledge base, and its articles for a customer's ticket. Errors are `{\"error\": \"...\"}` with a 4xx or 5xx status; the messages are in Russian, for a person."
    ),
    components(schemas(ErrorBody)),
    tags(
        (name = "search", description = "Search the knowledge base, and articles for a ticket"),
        (name = "feedback", description = "Operators' verdicts on suggestions, which suggest learns from, and the writers' report made of them"),
        (name = "service", description = "The server itself")
    )
)]
struct Info;

/// The API's routes with their part of the document; feedback writes limited per client as
/// `config` says.
pub fn routes(config: &crate::config::Config) -> OpenApiRouter<Arc<AppState>> {
    let (paths, operations, feedback) = routes!(feedback::post_feedback);
    OpenApiRouter::with_openapi(Info::openapi())
        .routes(routes!(api::health))
        .routes(routes!(api::search))
        .routes(routes!(api::suggest))
        .routes((paths, operations, feedback.layer(rate_limit::layer(config))))
        .routes(routes!(stats::api_stats))
        .routes(routes!(openapi_json))
}

/// Statuses that the layers around every route can answer, whatever the handler: another
/// method on the path (`api::json_method_not_allowed`), the request timeout and a panic
/// (`serve::harden`).
const LAYER_RESPONSES: [(&str, &str, &str, bool); 3] = [
    (
        "405",
        "MethodNotAllowed",
        "Another method than the documented ones; `Allow` names them",
        true,
    ),
    (
        "408",
        "Timeout",
        "Not answered within `[serve] request_timeout_secs` (10 s by default); no body",
        false,
    ),
    (
        "500",
        "Internal",
        "A bug on the server (logged); nothing about it is revealed",
        true,
    ),
];

/// The whole document: the routes' operations, each with the statuses of the layers.
pub fn document() -> OpenApi {
    let mut doc = routes(&crate::config::Config::default()).into_openapi();
    let components = doc.components.get_or_insert_with(Default::default);
    for (_, name, description, json) in LAYER_RESPONSES {
        let mut response = ResponseBuilder::new().description(description);
        if json {
            let schema = RefOr::Ref(Ref::from_schema_name("ErrorBody"));
            response = response.content("application/json", Content::new(Some(schema)));
        }
        components
            .responses
            .insert(name.to_string(), response.build().into());
    }
    for item in doc.paths.paths.values_mut() {
        for operation in operations(item) {
            for (status, name, _, _) in LAYER_RESPONSES {
                let reference = RefOr::Ref(Ref::from_response_name(name));
                operation
                    .responses
                    .responses
                    .entry(status.to_string())
                    .or_insert(reference);
            }
        }
    }
    doc
}

fn operations(item: &mut PathItem) -> impl Iterator<Item = &mut Operation> {
    [
        &mut item.get,
        &mut item.put,
        &mut item.post,
        &mut item.delete,
        &mut item.options,
        &mut item.head,
        &mut item.patch,
        &mut item.trace,
    ]
    .into_iter()
    .filter_map(Option::as_mut)
}

/// This document
///
/// The OpenAPI 3.1 description of every route of `/api`: import it into a helpdesk's or an
/// HTTP client's integration settings.
#[utoipa::path(
    get,
    path = "/api/openapi.json",
    tag = "service",
    responses((status = 200, description = "The OpenAPI document", body = Object))
)]
async fn openapi_json() -> Response {
    // Made once: it depends on the code only, not on the site or the config.
    static JSON: OnceLock<String> = OnceLock::new();
    let json = JSON.get_or_init(|| {
        serde_json::to_string(&document()).expect("the OpenAPI document serialises")
    });
    ([(header::CONTENT_TYPE, "application/json")], json.as_str()).into_response()
}
