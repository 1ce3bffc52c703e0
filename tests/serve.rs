//! The server: API contract and errors through `app()` with `oneshot`, and a real server over
//! loopback that rebuilds when a file changes.

mod common;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use common::Fixture;
use std::sync::Arc;
use tower::ServiceExt;

fn state(f: &Fixture) -> Arc<spravka::serve::AppState> {
    spravka::serve::state(f.root(), &f.root().join(".cache"), false).unwrap()
}

async fn call(
    app: &axum::Router,
    request: Request<Body>,
) -> (StatusCode, axum::http::HeaderMap, Vec<u8>) {
    let response = app.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let body = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .unwrap()
        .to_vec();
    (status, headers, body)
}

fn suggest(body: &str) -> Request<Body> {
    Request::post("/api/suggest")
        .header("content-type", "application/json")
        .body(Body::from(body.to_string()))
        .unwrap()
}

#[tokio::test]
async fn suggest_contract_and_errors() {
    let f = Fixture::default_content();
    let app = spravka::serve::app(state(&f));
    let (status, _, body) = call(
        &app,
        suggest(r#"{"text": "Не приходит смс с кодом для входа в приложение", "limit": 3}"#),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let json: serde_json::Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(json["confident"], true);
    let first = &json["suggestions"][0];
    assert_eq!(
        first["path"],
        "База типичных запросов/Не приходит SMS с кодом подтверждения.md"
    );
    assert_eq!(
        first["url"],
        "/baza-tipichnykh-zaprosov/ne-prikhodit-sms-s-kodom-podtverzhdeniya/"
    );
    assert!(first["score"].as_f64().unwrap() > 0.0);
    assert!(first["snippet"].as_str().unwrap().contains("<mark>"));
    assert!(first["matched_terms"]
        .as_array()
        .unwrap()
        .iter()
        .any(|t| t == "смс"));
    assert!(json["suggestions"].as_array().unwrap().len() <= 3);

    for (body, expected) in [
        (
            r#"{"text": "x", "limit": 0}"#,
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            r#"{"text": "x", "limit": 100000000000}"#,
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            r#"{"text": "x", "limit": "5"}"#,
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (r#"{"limit": 5}"#, StatusCode::BAD_REQUEST),
        (r#"{"text": 5}"#, StatusCode::BAD_REQUEST),
        (r#"{"text": "#, StatusCode::BAD_REQUEST),
        ("", StatusCode::BAD_REQUEST),
    ] {
        let (status, _, response) = call(&app, suggest(body)).await;
        assert_eq!(status, expected, "{body}");
        let json: serde_json::Value = serde_json::from_slice(&response).unwrap();
        assert!(json["error"].is_string(), "{body}");
    }
    let wrong_type = Request::post("/api/suggest")
        .header("content-type", "text/plain")
        .body(Body::from("{\"text\":\"x\"}"))
        .unwrap();
    assert_eq!(
        call(&app, wrong_type).await.0,
        StatusCode::UNSUPPORTED_MEDIA_TYPE
    );
    let huge = format!(r#"{{"text": "{}"}}"#, "а".repeat(70_000));
    let (status, _, body) = call(&app, suggest(&huge)).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(String::from_utf8_lossy(&body).contains("error"));
}

#[tokio::test]
async fn hostile_ticket_text_never_breaks_suggest() {
    let f = Fixture::default_content();
    let app = spravka::serve::app(state(&f));
    let log = "ERROR 2026-01-01T00:00:00Z [core] NullPointerException at 0xdeadbeef \"quoted\" (AND) OR NOT: *?~^ \n".repeat(500);
    for text in [
        "\"\" AND OR NOT ( ) [ ] { } : ^ ~ * ?",
        "🙂🙂🙂 шлагбаум 🚗",
        "\u{0}\u{1}\u{202e}",
        "<script>alert(1)</script> шлагбаум",
        log.as_str(),
    ] {
        let body = serde_json::json!({ "text": text }).to_string();
        let (status, _, response) = call(&app, suggest(&body)).await;
        assert_eq!(status, StatusCode::OK, "{text:.40}");
        let response = String::from_utf8_lossy(&response);
        assert!(
            !response.contains("<script>"),
            "snippets and titles are escaped: {response}"
        );
    }
}

#[tokio::test]
async fn search_static_files_and_traversal() {
    let mut f = Fixture::new("basic");
    f.write("secret.txt", "секрет");
    let app = spravka::serve::app(state(&f));
    let (status, _, body) = call(
        &app,
        Request::get("/api/search?q=%D1%88%D0%BB%D0%B0%D0%B3%D0%B1%D0%B0%D1%83%D0%BC%D0%B0")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let json: serde_json::Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(json["hits"][0]["path"], "Раздел/Первый документ.md");
    assert!(json["total"].as_u64().unwrap() >= 1);
    assert_eq!(
        call(
            &app,
            Request::get("/api/search?q=x&limit=99")
                .body(Body::empty())
                .unwrap()
        )
        .await
        .0,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    assert_eq!(
        call(
            &app,
            Request::get("/api/search").body(Body::empty()).unwrap()
        )
        .await
        .0,
        StatusCode::BAD_REQUEST
    );

    let (status, headers, body) = call(
        &app,
        Request::get("/razdel/pervyy-dokument/")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers["content-type"], "text/html; charset=utf-8");
    assert_eq!(headers["x-content-type-options"], "nosniff");
    assert!(headers["content-security-policy"]
        .to_str()
        .unwrap()
        .contains("script-src 'self'"));
    assert!(
        headers.contains_key("etag")
            && headers.contains_key("last-modified")
            && headers.contains_key("referrer-policy")
    );
    assert!(String::from_utf8_lossy(&body).contains("Первый документ"));
    let etag = headers["etag"].clone();
    let cached = Request::get("/razdel/pervyy-dokument/")
        .header("if-none-match", etag)
        .body(Body::empty())
        .unwrap();
    assert_eq!(call(&app, cached).await.0, StatusCode::NOT_MODIFIED);

    let (status, _, body) = call(
        &app,
        Request::get("/no/such/page/").body(Body::empty()).unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(String::from_utf8_lossy(&body).contains("Страница не найдена"));
    for bad in [
        "/../secret.txt",
        "/%2e%2e/secret.txt",
        "/%2e%2e%2fsecret.txt",
        "/..%5csecret.txt",
        "/%252e%252e/secret.txt",
        "/static/%00",
        "/..",
        "/.cache/",
    ] {
        let (status, _, body) = call(&app, Request::get(bad).body(Body::empty()).unwrap()).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{bad}");
        assert!(!String::from_utf8_lossy(&body).contains("секрет"), "{bad}");
    }
}

#[test]
fn a_running_server_rebuilds_when_a_file_changes() {
    let mut f = Fixture::new("basic");
    let server = common::Server::start(f.root());
    let get = |path: &str| server.get(path);
    assert!(get("/razdel/pervyy-dokument/").contains("Документ про шлагбаум"));
    let path = "content/Раздел/Первый документ.md";
    let text = std::fs::read_to_string(f.root().join(path)).unwrap();
    f.write(
        path,
        &text.replace(
            "Документ про шлагбаум и пропуска.",
            "Документ про турникет-карусель.",
        ),
    );
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    let mut seen_page = false;
    let mut seen_search = false;
    while std::time::Instant::now() < deadline && !(seen_page && seen_search) {
        seen_page = get("/razdel/pervyy-dokument/").contains("турникет-карусель");
        seen_search = get("/api/search?q=%D0%BA%D0%B0%D1%80%D1%83%D1%81%D0%B5%D0%BB%D1%8C")
            .contains("Раздел/Первый документ.md");
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    drop(server);
    assert!(seen_page, "the new HTML is served without a restart");
    assert!(
        seen_search,
        "the new word is found by search without a restart"
    );
}

/// A rebuild that brings a new error keeps the last good version and reports the problem;
/// fixing the file swaps the new version in.
#[tokio::test]
async fn a_broken_edit_keeps_the_last_good_version() {
    let mut f = Fixture::new("basic");
    let state = spravka::serve::state(f.root(), &f.root().join(".cache"), true).unwrap();
    let app = spravka::serve::app(state.clone());
    let path = "content/Раздел/Второй (со скобками).md";
    let text = std::fs::read_to_string(f.root().join(path)).unwrap();
    f.write(
        path,
        &text.replace("Назад к", "Новый текст, [битая](./Нет.md), назад к"),
    );
    let edited = spravka::serve::Change::Content(vec![f.root().join(path)]);
    spravka::serve::rebuild(&state, &edited);
    let page = |app: axum::Router| async move {
        let (_, _, body) = call(
            &app,
            Request::get("/razdel/vtoroy-so-skobkami/")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
        String::from_utf8(body).unwrap()
    };
    assert!(
        !page(app.clone()).await.contains("Новый текст"),
        "the last good version is served"
    );
    let problems = state
        .problems
        .read()
        .unwrap()
        .clone()
        .expect("problems reported");
    assert!(
        problems.contains("Раздел/Второй (со скобками).md:15:"),
        "{problems}"
    );
    assert_eq!(state.current().generation, 0);
    f.write(path, &text.replace("Назад к", "Новый текст, назад к"));
    spravka::serve::rebuild(&state, &edited);
    assert!(page(app.clone()).await.contains("Новый текст"));
    assert!(
        state.problems.read().unwrap().is_none(),
        "the overlay goes away"
    );
    assert!(
        page(app).await.contains("/__spravka/livereload.js"),
        "serve mode injects live reload"
    );
}

/// SIGTERM stops the server cleanly even while a browser holds a live-reload stream open:
/// it stops accepting, lets requests finish, and gives up on endless streams after a grace.
#[test]
fn sigterm_shuts_down_with_a_live_reload_stream_open() {
    let f = Fixture::new("basic");
    let mut server = common::Server::start(f.root());
    let events = reqwest::blocking::Client::new()
        .get(server.url("/__spravka/events"))
        .send()
        .unwrap();
    assert!(events.status().is_success());
    let started = std::time::Instant::now();
    let status = server
        .terminate(std::time::Duration::from_secs(15))
        .expect("the server did not exit within 15 s of SIGTERM");
    assert!(status.success(), "exit status {status}");
    assert!(started.elapsed() < std::time::Duration::from_secs(10));
    assert!(
        std::net::TcpStream::connect(server.base.trim_start_matches("http://")).is_err(),
        "no longer accepting"
    );
    drop(events);
}

/// CORS is off unless `[serve] cors_origins` lists origins; then only those get the header.
#[tokio::test]
async fn cors_is_off_by_default_and_allows_only_listed_origins() {
    let from = |origin: &str| {
        Request::get("/api/search?q=шлагбаум")
            .header("origin", origin)
            .body(Body::empty())
            .unwrap()
    };
    let allow = axum::http::header::ACCESS_CONTROL_ALLOW_ORIGIN;
    let mut f = Fixture::new("basic");
    let app = spravka::serve::app(state(&f));
    let (status, headers, _) = call(&app, from("http://helpdesk.local")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(headers.get(&allow).is_none(), "CORS is off by default");

    f.write(
        "spravka.toml",
        "[serve]\ncors_origins = [\"http://helpdesk.local\"]\n",
    );
    let app = spravka::serve::app(state(&f));
    let (_, headers, _) = call(&app, from("http://helpdesk.local")).await;
    assert_eq!(headers.get(&allow).unwrap(), "http://helpdesk.local");
    let (_, headers, _) = call(&app, from("http://evil.example")).await;
    assert!(
        headers.get(&allow).is_none(),
        "an unlisted origin gets no header"
    );
    let preflight = Request::options("/api/suggest")
        .header("origin", "http://helpdesk.local")
        .header("access-control-request-method", "POST")
        .header("access-control-request-headers", "content-type")
        .body(Body::empty())
        .unwrap();
    let (status, headers, _) = call(&app, preflight).await;
    assert!(status.is_success(), "{status}");
    assert_eq!(headers.get(&allow).unwrap(), "http://helpdesk.local");
}

/// Files served from memory never outlive their snapshot: the page and the client index
/// (written just after the swap) read before an edit show the edit after the rebuild.
#[tokio::test]
async fn hot_files_follow_each_rebuild() {
    let mut f = Fixture::new("basic");
    let state = spravka::serve::state(f.root(), &f.root().join(".cache"), true).unwrap();
    let app = spravka::serve::app(state.clone());
    let get = |path: &'static str| {
        let app = app.clone();
        async move {
            let (status, _, body) =
                call(&app, Request::get(path).body(Body::empty()).unwrap()).await;
            assert_eq!(status, StatusCode::OK, "{path}");
            String::from_utf8(body).unwrap()
        }
    };
    let page = "/razdel/vtoroy-so-skobkami/";
    for _ in 0..2 {
        assert!(!get(page).await.contains("Переименованный"));
        assert!(!get("/search-index.json").await.contains("Переименованный"));
    }
    let path = "content/Раздел/Второй (со скобками).md";
    let text = std::fs::read_to_string(f.root().join(path)).unwrap();
    let (first, rest) = text.split_once('\n').unwrap();
    assert!(first.starts_with("# "));
    f.write(path, &format!("# Переименованный второй\n{rest}"));
    spravka::serve::rebuild(
        &state,
        &spravka::serve::Change::Content(vec![f.root().join(path)]),
    );
    assert!(get(page).await.contains("Переименованный второй"));
    assert!(get("/search-index.json")
        .await
        .contains("Переименованный второй"));
}

/// The search box forgives what suggest forgives: a typo, transliteration, the wrong keyboard
/// layout (also while the word is still being typed), a synonym.
#[tokio::test]
async fn search_forgives_typos_translit_and_the_wrong_layout() {
    let f = Fixture::default_content();
    let app = spravka::serve::app(state(&f));
    for query in [
        "шлагбам ",
        "shlagbaum",
        "ikfu,fev",
        "ikfu",
        "палка не поднимается ",
    ] {
        let encoded: String =
            percent_encoding::utf8_percent_encode(query, percent_encoding::NON_ALPHANUMERIC)
                .to_string();
        let (status, _, body) = call(
            &app,
            Request::get(format!("/api/search?q={encoded}"))
                .body(Body::empty())
                .unwrap(),
        )
        .await;
        assert_eq!(status, StatusCode::OK);
        let json: serde_json::Value = serde_json::from_slice(&body).unwrap();
        let title = json["hits"][0]["title"].as_str().unwrap_or("");
        assert!(title.starts_with("Шлагбаум"), "{query:?}: {title:?}");
    }
}
