//! `serve`: the site, the JSON API, the file watcher and live reload in one process.
//! `app` builds the router used by `main` and by the tests alike.

pub mod api;
mod blobs;
pub mod client;
mod cpu;
pub mod feedback;
pub mod files;
pub mod metrics;
pub mod openapi;
mod rate_limit;
pub mod state;
pub mod stats;
mod watch;

pub use state::{AppState, Builder, FeedsLeft, FeedsWriter, LiveEvent, Snapshot};
pub use watch::{complete, feeds_to_write, rebuild, serve_completed, serve_completed_locked};
pub use watch::{swap_in, Change};

use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use futures_util::Stream;
use std::convert::Infallible;
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};
use std::time::Duration;
use tokio_stream::wrappers::BroadcastStream;
use tokio_stream::StreamExt;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::compression::CompressionLayer;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::TimeoutLayer;

/// The theme satisfies it: scripts and styles from files only, API calls to the same origin.
pub const CONTENT_SECURITY_POLICY: &str =
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

/// Builds the state for `root`: the first snapshot (its files in the blob store in
/// `cache_dir`) and the live-event channel.
pub fn state(
    root: &Path,
    cache_dir: &Path,
    live_reload: bool,
) -> Result<Arc<AppState>, state::SnapshotError> {
    let (builder, snapshot) = Builder::full(root, cache_dir, 0, live_reload)?;
    let (events, _) = tokio::sync::broadcast::channel(64);
    let problems = state::overlay_text(None, &snapshot.summary);
    Ok(Arc::new(AppState {
        root: root.to_path_buf(),
        snapshot: arc_swap::ArcSwap::from_pointee(snapshot),
        events,
        builder: std::sync::Mutex::new(builder),
        problems: RwLock::new(problems),
        feedback: std::sync::OnceLock::new(),
    }))
}

/// Opens the feedback store the config names (a failure is logged, and feedback answers 503
/// until the store works) and starts learning from it. Nothing when feedback is off.
pub async fn start_feedback(state: &AppState) {
    let settings = state.current().site.config.feedback.clone();
    if let Some(feedback) =
        crate::feedback::Feedback::start(&settings, &state.root, metrics::database_error).await
    {
        feedback.spawn_maintenance();
        let _ = state.feedback.set(feedback);
    }
}

/// The router: API (its routes and its OpenAPI document from `openapi::routes`), metrics, the
/// writers' report page, live-reload endpoints, static site; limits and security headers.
pub fn app(state: Arc<AppState>) -> Router {
    let config = state.current().site.config.serve.clone();
    let (mut api, _) = openapi::routes(&state.current().site.config)
        .layer(axum::middleware::map_response(api::json_method_not_allowed))
        .layer(axum::extract::DefaultBodyLimit::max(config.max_body_bytes))
        .split_for_parts();
    if !config.cors_origins.is_empty() {
        let origins: Vec<HeaderValue> = config
            .cors_origins
            .iter()
            .filter_map(|o| o.parse().ok())
            .collect();
        api = api.layer(
            tower_http::cors::CorsLayer::new()
                .allow_origin(origins)
                .allow_methods([Method::GET, Method::POST])
                .allow_headers([header::CONTENT_TYPE, header::AUTHORIZATION]),
        );
    }
    let router = Router::new()
        .merge(api)
        .route("/metrics", get(metrics::render))
        .route(crate::render::stats::STATS_URL, get(stats::stats_page))
        .route("/__spravka/livereload.js", get(livereload_js))
        .route("/__spravka/events", get(events))
        .route("/__spravka/problems", get(problems))
        .fallback(get(files::serve_file))
        .with_state(state);
    harden(router, Duration::from_secs(config.request_timeout_secs))
}

/// Compression, the request timeout, a caught panic as a JSON 500, the security headers,
/// and (outermost, so it sees the answers of all of these) the request metrics: what every
/// response of the server goes through.
fn harden(router: Router, timeout: Duration) -> Router {
    router
        .layer(CompressionLayer::new())
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            timeout,
        ))
        .layer(CatchPanicLayer::custom(|_| {
            tracing::error!("a request handler panicked");
            api::ApiError::Internal.into_response()
        }))
        .layer(SetResponseHeaderLayer::overriding(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(CONTENT_SECURITY_POLICY),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::REFERRER_POLICY,
            HeaderValue::from_static("same-origin"),
        ))
        .layer(metrics::TrackLayer)
}

async fn livereload_js() -> Response {
    (
        [(header::CONTENT_TYPE, "text/javascript; charset=utf-8")],
        include_str!("livereload.js"),
    )
        .into_response()
}

async fn events(
    axum::extract::State(state): axum::extract::State<Arc<AppState>>,
) -> Sse<impl Stream<Item = Result<Event, Infallible>>> {
    // A browser that connects while a problem is shown gets it at once.
    let pending = state.problems.read().expect("problems lock").clone();
    let initial =
        tokio_stream::iter(pending.map(|p| Ok(Event::default().event("problems").data(p))));
    let live = BroadcastStream::new(state.events.subscribe()).filter_map(|event| match event {
        Ok(LiveEvent::Reload) => Some(Ok(Event::default().event("reload").data("reload"))),
        Ok(LiveEvent::Problems(text)) => Some(Ok(Event::default().event("problems").data(text))),
        Err(_) => None,
    });
    Sse::new(initial.chain(live)).keep_alive(KeepAlive::default())
}

/// What the overlay shows, as JSON for tools and tests: `{"overlay": text or null, "errors":
/// [the served site's error diagnostics]}`.
async fn problems(axum::extract::State(state): axum::extract::State<Arc<AppState>>) -> Response {
    let overlay = state.problems.read().expect("problems lock").clone();
    let snapshot = state.current();
    let errors = &snapshot.summary.errors;
    (
        [(header::CACHE_CONTROL, "no-store")],
        axum::Json(serde_json::json!({ "overlay": overlay, "errors": errors })),
    )
        .into_response()
}

/// Options of `spravka serve`.
pub struct ServeOptions {
    pub root: PathBuf,
    pub bind: std::net::SocketAddr,
    pub watch: bool,
}

/// Runs the server until Ctrl-C or SIGTERM.
pub async fn run(options: ServeOptions) -> anyhow::Result<()> {
    // Absolute from here on: the watcher hears absolute paths (notify makes a watched path
    // absolute), and matches them against the content folder and the builder's. With the
    // default root, ".", nothing a writer saved was ever rebuilt.
    use anyhow::Context;
    let root = std::path::absolute(&options.root).with_context(|| {
        format!(
            "{}: cannot make the site root absolute",
            options.root.display()
        )
    })?;
    let cache_dir = root.join(".spravka").join("serve");
    let watch = options.watch;
    let state = tokio::task::spawn_blocking(move || state(&root, &cache_dir, watch)).await??;
    let snapshot = state.current();
    for d in snapshot.summary.errors.iter() {
        eprintln!("{}", d.render_human(false));
    }
    if options.watch {
        watch::spawn(state.clone())?;
    }
    start_feedback(&state).await;
    let listener = (tokio::net::TcpListener::bind(options.bind).await).with_context(|| {
        format!(
            "cannot listen on {} (another server there? pick a free address with --bind)",
            options.bind
        )
    })?;
    println!(
        "spravka: {} documents, serving http://{}/ (API: /api/openapi.json, metrics: /metrics){}",
        snapshot.site.pages.len(),
        listener.local_addr()?,
        if options.watch {
            ", watching for changes"
        } else {
            ""
        }
    );
    let app = app(state);
    let shutdown = shutdown_signal();
    tokio::pin!(shutdown);
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let Ok((stream, peer)) = accepted else { continue };
                let connection = graceful.watch(connection(stream, peer, app.clone()));
                tokio::spawn(async move {
                    if let Err(e) = connection.await {
                        tracing::debug!("connection closed: {e}");
                    }
                });
            }
            _ = &mut shutdown => break,
        }
    }
    drop(listener);
    // Requests in flight finish; live-reload streams never end by themselves, hence the cap.
    tokio::select! {
        _ = graceful.shutdown() => {}
        _ = tokio::time::sleep(SHUTDOWN_GRACE) => {}
    }
    Ok(())
}

/// One HTTP/1 connection. A client that does not finish its headers in time is dropped, so
/// stalled or slow clients cannot hold connections open.
/// The peer's address goes into every request (`ConnectInfo`), for the rate limit and the
/// feedback client.
fn connection(
    stream: tokio::net::TcpStream,
    peer: std::net::SocketAddr,
    app: Router,
) -> impl hyper_util::server::graceful::GracefulConnection<Error = hyper::Error> {
    let app = tower::ServiceExt::map_request(
        app,
        move |mut request: axum::http::Request<hyper::body::Incoming>| {
            request
                .extensions_mut()
                .insert(axum::extract::ConnectInfo(peer));
            request
        },
    );
    hyper::server::conn::http1::Builder::new()
        .timer(hyper_util::rt::TokioTimer::new())
        .header_read_timeout(HEADER_READ_TIMEOUT)
        .serve_connection(
            hyper_util::rt::TokioIo::new(stream),
            hyper_util::service::TowerToHyperService::new(app),
        )
}

/// How long shutdown waits for requests in flight.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(5);

/// How long a client may take to send its request line and headers.
const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(5);

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = terminate => {} }
    println!("spravka: shutting down");
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::Body;
    use tower::ServiceExt;

    async fn panics() -> &'static str {
        panic!("a bug in a handler")
    }

    async fn stalls() -> &'static str {
        tokio::time::sleep(Duration::from_secs(60)).await;
        "late"
    }

    async fn status_and_body(
        router: &Router,
        path: &str,
    ) -> (StatusCode, axum::http::HeaderMap, String) {
        let request = axum::http::Request::get(path).body(Body::empty()).unwrap();
        let response = router.clone().oneshot(request).await.unwrap();
        let (status, headers) = (response.status(), response.headers().clone());
        let body = axum::body::to_bytes(response.into_body(), 1 << 20)
            .await
            .unwrap();
        (status, headers, String::from_utf8_lossy(&body).into_owned())
    }

    /// A panicking handler becomes a JSON 500 that reveals nothing, the server keeps
    /// answering, a handler slower than the timeout gets 408, and every answer carries the
    /// security headers.
    #[tokio::test]
    async fn panics_and_slow_handlers_are_contained() {
        let router = harden(
            Router::new()
                .route("/panic", get(panics))
                .route("/slow", get(stalls))
                .route("/ok", get(|| async { "ok" })),
            Duration::from_millis(100),
        );
        let (status, headers, body) = status_and_body(&router, "/panic").await;
        assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(body, r#"{"error":"внутренняя ошибка сервера"}"#);
        assert_eq!(headers[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
        assert_eq!(
            headers[header::CONTENT_SECURITY_POLICY],
            CONTENT_SECURITY_POLICY
        );
        assert_eq!(headers[header::REFERRER_POLICY], "same-origin");
        assert_eq!(status_and_body(&router, "/ok").await.0, StatusCode::OK);
        assert_eq!(
            status_and_body(&router, "/slow").await.0,
            StatusCode::REQUEST_TIMEOUT
        );
    }
}
