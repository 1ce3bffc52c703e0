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

    // Each mistake is named: a limit given as a string is not a number, an empty body is not
    // broken JSON.
    for (body, expected, says) in [
        (r#"{"text": "x", "limit": "5"}"#, 422, "целым числом"),
        ("", 400, "пустое тело"),
    ] {
        let (status, _, response) = call(&app, suggest(body)).await;
        assert_eq!(status.as_u16(), expected, "{body}");
        assert!(String::from_utf8_lossy(&response).contains(says), "{body}");
    }
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
    assert!(headers.contains_key("etag") && headers.contains_key("referrer-policy"));
    assert!(String::from_utf8_lossy(&body).contains("Первый документ"));
    let etag = headers["etag"].clone();
    let cached = Request::get("/razdel/pervyy-dokument/")
        .header("if-none-match", etag)
        .body(Body::empty())
        .unwrap();
    assert_eq!(call(&app, cached).await.0, StatusCode::NOT_MODIFIED);

    // A folder without its slash is sent to it, on this host, its query kept.
    for (asked, sent) in [("/razdel", "/razdel/"), ("//razdel?x=1", "/razdel/?x=1")] {
        let (status, headers, _) =
            call(&app, Request::get(asked).body(Body::empty()).unwrap()).await;
        assert_eq!(status, StatusCode::PERMANENT_REDIRECT, "{asked}");
        assert_eq!(headers["location"], sent, "{asked}");
    }

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
    rebuilds_when_a_file_changes(common::Server::start);
}

/// README's `cargo run --release -- serve`: started in the site's root with the default root,
/// a relative path, it rebuilds as well (it did not: the watcher's absolute paths never
/// matched the relative content folder).
#[test]
fn a_server_started_in_its_root_rebuilds_when_a_file_changes() {
    rebuilds_when_a_file_changes(common::Server::start_in);
}

fn rebuilds_when_a_file_changes(start: fn(&std::path::Path) -> common::Server) {
    let mut f = Fixture::new("basic");
    let server = start(f.root());
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

async fn get_page(app: &axum::Router, path: &str) -> String {
    let (_, _, body) = call(app, Request::get(path).body(Body::empty()).unwrap()).await;
    String::from_utf8(body).unwrap()
}

fn problems_of(state: &spravka::serve::AppState) -> String {
    state.problems.read().unwrap().clone().unwrap_or_default()
}

/// A save that brings a broken link is served at once, the link marked in the page, and the
/// overlay lists it with file:line beside the errors the site had; each fix clears its entry,
/// and the overlay goes away with the last one.
#[tokio::test]
async fn a_broken_edit_is_served_and_listed_until_fixed() {
    let mut f = Fixture::new("basic");
    let state = spravka::serve::state(f.root(), &f.root().join(".cache"), true).unwrap();
    let app = spravka::serve::app(state.clone());
    let first = "Раздел/Первый документ.md:25:";
    assert!(
        problems_of(&state).contains(first),
        "the fixture's own broken link is listed at start"
    );
    let path = "content/Раздел/Второй (со скобками).md";
    let text = std::fs::read_to_string(f.root().join(path)).unwrap();
    f.write(
        path,
        &text.replace("Назад к", "Новый текст, [битая](./Нет.md), назад к"),
    );
    let edited = spravka::serve::Change::Content(vec![f.root().join(path)]);
    spravka::serve::rebuild(&state, &edited);
    assert_eq!(state.current().generation, 1, "served at once");
    let page = get_page(&app, "/razdel/vtoroy-so-skobkami/").await;
    assert!(page.contains("Новый текст"), "the edit is served");
    assert!(
        page.contains("<span class=\"broken-link\""),
        "the broken link is marked"
    );
    let problems = problems_of(&state);
    for listed in ["Раздел/Второй (со скобками).md:15:", first] {
        assert!(problems.contains(listed), "{listed} in {problems}");
    }
    let json: serde_json::Value =
        serde_json::from_str(&get_page(&app, "/__spravka/problems").await).unwrap();
    assert_eq!(json["errors"].as_array().unwrap().len(), 2, "{json}");
    assert_eq!(json["overlay"].as_str(), Some(problems.as_str()));

    f.write(path, &text.replace("Назад к", "Новый текст, назад к"));
    spravka::serve::rebuild(&state, &edited);
    let problems = problems_of(&state);
    assert!(
        !problems.contains("Второй") && problems.contains(first),
        "{problems}"
    );

    let first_path = "content/Раздел/Первый документ.md";
    let first_text = std::fs::read_to_string(f.root().join(first_path)).unwrap();
    f.write(
        first_path,
        &first_text.replace("Битая: [нет такого](./Третий документ.md).", ""),
    );
    spravka::serve::rebuild(
        &state,
        &spravka::serve::Change::Content(vec![f.root().join(first_path)]),
    );
    assert!(
        state.problems.read().unwrap().is_none(),
        "the overlay goes away"
    );
    let json: serde_json::Value =
        serde_json::from_str(&get_page(&app, "/__spravka/problems").await).unwrap();
    assert_eq!(json, serde_json::json!({"overlay": null, "errors": []}));
    assert!(
        get_page(&app, "/razdel/vtoroy-so-skobkami/")
            .await
            .contains("/__spravka/livereload.js"),
        "serve mode injects live reload"
    );
}

/// A file that cannot be read as text any more keeps the last good version of its page (and
/// is listed); a save of another file in the same burst is served.
#[tokio::test]
async fn an_unreadable_save_keeps_only_that_page() {
    let mut f = Fixture::new("basic");
    let state = spravka::serve::state(f.root(), &f.root().join(".cache"), true).unwrap();
    let app = spravka::serve::app(state.clone());
    let second = "content/Раздел/Второй (со скобками).md";
    let first = "content/Раздел/Первый документ.md";
    let before = get_page(&app, "/razdel/vtoroy-so-skobkami/").await;
    std::fs::write(f.root().join(second), b"# \xd0 half a letter\n").unwrap();
    let text = std::fs::read_to_string(f.root().join(first)).unwrap();
    f.write(
        first,
        &text.replace("Документ про шлагбаум", "Документ про турникет"),
    );
    let change = spravka::serve::Change::Content(vec![f.root().join(second), f.root().join(first)]);
    spravka::serve::rebuild(&state, &change);
    assert_eq!(state.current().generation, 1);
    assert!(get_page(&app, "/razdel/pervyy-dokument/")
        .await
        .contains("Документ про турникет"));
    assert_eq!(
        get_page(&app, "/razdel/vtoroy-so-skobkami/").await,
        before,
        "the last good version of the unreadable page"
    );
    let problems = problems_of(&state);
    assert!(
        problems.contains("[unreadable]") && problems.contains("Раздел/Второй (со скобками).md"),
        "{problems}"
    );
    std::fs::write(f.root().join(second), "# Второй снова\n\nТекст.\n").unwrap();
    spravka::serve::rebuild(&state, &change);
    assert!(get_page(&app, "/razdel/vtoroy-so-skobkami/")
        .await
        .contains("Второй снова"));
    assert!(!problems_of(&state).contains("unreadable"));
}

/// Polls `done` every 100 ms for up to 20 s; false if it never held.
fn eventually(mut done: impl FnMut() -> bool) -> bool {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while std::time::Instant::now() < deadline {
        if done() {
            return true;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    false
}

/// The writer's case of issue 14 on a real server: renaming a document that others link to,
/// then editing another one. Both saves are served at once (the new URL, the old one gone,
/// the edit in the page and in search); the problems endpoint (what the overlay shows) lists
/// every broken link with file:line and "did you mean"; fixing them one file at a time
/// shrinks the list with each save, and the last fix clears it.
#[test]
fn a_rename_of_a_linked_document_never_holds_back_the_next_save() {
    let mut f = Fixture::default_content();
    let server = common::Server::start(f.root());
    let status = |path: &str| reqwest::blocking::get(server.url(path)).unwrap().status();
    let problems = || -> serde_json::Value {
        reqwest::blocking::get(server.url("/__spravka/problems"))
            .unwrap()
            .json()
            .unwrap()
    };
    let dir = f.root().join("content/База типичных запросов");
    let (old_url, new_url) = (
        "/baza-tipichnykh-zaprosov/ischerpan-limit-propuskov/",
        "/baza-tipichnykh-zaprosov/ischerpan-limit-gostevykh-propuskov/",
    );
    assert_eq!(status(old_url), 200);
    assert_eq!(problems()["errors"], serde_json::json!([]));
    std::fs::rename(
        dir.join("Исчерпан лимит пропусков.md"),
        dir.join("Исчерпан лимит гостевых пропусков.md"),
    )
    .unwrap();
    assert!(
        eventually(|| status(new_url) == 200 && status(old_url) == 404),
        "the rename is served: {new_url} {}, {old_url} {}",
        status(new_url),
        status(old_url)
    );

    let bot = "content/База типичных запросов/Telegram-бот не отвечает.md";
    let text = std::fs::read_to_string(f.root().join(bot)).unwrap();
    f.write(
        bot,
        &format!("{text}\nПроверено на стенде квазипростокваша.\n"),
    );
    let bot_url = "/baza-tipichnykh-zaprosov/telegram-bot-ne-otvechaet/";
    let search = "/api/search?q=%D0%BA%D0%B2%D0%B0%D0%B7%D0%B8%D0%BF%D1%80%D0%BE%D1%81%D1%82%D0%BE%D0%BA%D0%B2%D0%B0%D1%88%D0%B0";
    assert!(
        eventually(|| server.get(bot_url).contains("квазипростокваша")
            && server.get(search).contains("Telegram-бот не отвечает.md")),
        "the edit after the rename is served and found"
    );

    let report = problems();
    let errors = report["errors"].as_array().unwrap();
    let overlay = report["overlay"].as_str().unwrap_or_default();
    assert!(errors.len() >= 7, "{report:#}");
    let mut files: Vec<String> = vec![];
    for e in errors {
        assert_eq!(e["code"], "broken-link", "{e}");
        assert!(e["line"].as_u64().unwrap() > 0, "{e}");
        assert_eq!(
            e["help"],
            "did you mean `База типичных запросов/Исчерпан лимит гостевых пропусков.md`?",
            "{e}"
        );
        let file = e["file"].as_str().unwrap().to_string();
        assert!(
            overlay.contains(&format!("{file}:{}:", e["line"])),
            "{file} in {overlay}"
        );
        if !files.contains(&file) {
            files.push(file);
        }
    }
    for (fixed, file) in files.iter().enumerate() {
        let path = format!("content/{file}");
        let text = std::fs::read_to_string(f.root().join(&path)).unwrap();
        f.write(
            &path,
            &text.replace(
                "Исчерпан%20лимит%20пропусков.md",
                "Исчерпан%20лимит%20гостевых%20пропусков.md",
            ),
        );
        let left = files.len() - fixed - 1;
        assert!(
            eventually(|| {
                let report = problems();
                let errors = report["errors"].as_array().unwrap();
                errors.iter().all(|e| e["file"] != file.as_str())
                    && (left > 0 || report["overlay"].is_null())
            }),
            "the fix of {file} is served: {:#}",
            problems()
        );
    }
    assert_eq!(
        problems(),
        serde_json::json!({"overlay": null, "errors": []})
    );
    assert_eq!(status(new_url), 200);
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
    // The server is restarted with the new setting (one server per site at a time).
    drop(app);

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
/// (whose snapshot comes just after the swap) read before an edit show the edit after the
/// rebuild.
#[tokio::test]
async fn hot_files_follow_each_rebuild() {
    let mut f = Fixture::new("basic");
    let state = spravka::serve::state(f.root(), &f.root().join(".cache"), true).unwrap();
    let app = spravka::serve::app(state.clone());
    let get = |path: String| {
        let app = app.clone();
        async move {
            let (status, _, body) =
                call(&app, Request::get(&path).body(Body::empty()).unwrap()).await;
            assert_eq!(status, StatusCode::OK, "{path}");
            String::from_utf8(body).unwrap()
        }
    };
    let page = "/razdel/vtoroy-so-skobkami/".to_string();
    // The page's fragment of the static search index: the one part not named by its hash.
    let mut fragment = None;
    for id in 0..10 {
        let path = format!("/search/f/{id}.js");
        if get(path.clone()).await.contains("Второй (со скобками)") {
            fragment = Some(path);
            break;
        }
    }
    let fragment = fragment.expect("the page has a search fragment");
    let entry = get("/search/index.js".into()).await;
    for _ in 0..2 {
        assert!(!get(page.clone()).await.contains("Переименованный"));
        assert!(!get(fragment.clone()).await.contains("Переименованный"));
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
    assert!(get(fragment).await.contains("Переименованный второй"));
    assert_ne!(
        get("/search/index.js".into()).await,
        entry,
        "the entry names the new postings of «переименованный»"
    );
}

/// The search box forgives what suggest forgives: a typo, transliteration, the wrong keyboard
/// layout (also while the word is still being typed), a synonym.
#[tokio::test]
async fn search_forgives_typos_translit_and_the_wrong_layout() {
    let f = Fixture::default_content();
    let app = spravka::serve::app(state(&f));
    for query in common::FORGIVEN_BARRIER_QUERIES {
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

/// Saving a presets file re-renders the pages that read its variables, and only those change:
/// the document cache's stamp holds each document's variables.
#[test]
fn an_edited_presets_file_re_renders_the_pages_that_use_it() {
    let mut f = Fixture::new("presets");
    let server = common::Server::start(f.root());
    let app = "/guides/mobile/app/";
    assert!(server.get(app).contains("PASS24 Mobile 2.15"));
    f.write(
        "content/guides/mobile/presets.toml",
        "product = \"PASS24 Mobile\"\nversion = 2.16\nrelease_date = \"1 марта\"\n",
    );
    assert!(
        eventually(|| {
            let page = server.get(app);
            page.contains("PASS24 Mobile 2.16") && page.contains("Не задано: 1 марта.")
        }),
        "{}",
        server.get(app)
    );
    let problems: serde_json::Value = reqwest::blocking::get(server.url("/__spravka/problems"))
        .unwrap()
        .json()
        .unwrap();
    assert!(
        !problems.to_string().contains("unknown-variable"),
        "the variable now has a value: {problems:#}"
    );
}

/// Saving an included fragment re-renders every page that includes it, nested includes too,
/// and creating a missing one fixes the page that named it.
#[test]
fn an_edited_fragment_re_renders_the_pages_that_include_it() {
    let mut f = Fixture::new("includes");
    let server = common::Server::start(f.root());
    let (login, guest) = ("/guides/login/", "/guides/guest/");
    assert!(server.get(login).contains("напишите в"));
    f.write(
        "content/_includes/common/support.md",
        "# Поддержка\n\nЗвоните дежурному инженеру.\n",
    );
    assert!(
        eventually(|| server.get(login).contains("Звоните дежурному")
            && server.get(guest).contains("Звоните дежурному")),
        "both pages, one through a nested include: {}",
        server.get(login)
    );
    f.write(
        "content/guides/new.md",
        "# Новое\n\n{% include [позже](../_includes/later.md) %}\n",
    );
    assert!(eventually(|| server
        .get("/__spravka/problems")
        .contains("broken-include")));
    f.write("content/_includes/later.md", "Фрагмент появился.\n");
    assert!(
        eventually(|| server.get("/guides/new/").contains("Фрагмент появился")),
        "{}",
        server.get("/guides/new/")
    );
}

/// Two `serve`s of one site would delete each other's files: the second is refused, and says
/// why once (the error's source was printed again after it).
#[test]
fn a_second_server_of_the_same_site_is_refused_saying_why_once() {
    let f = Fixture::new("basic");
    let _first = common::Server::start(f.root());
    let second = std::process::Command::new(common::binary())
        .args(["serve", "--bind", "127.0.0.1:0", "--no-watch", "--root"])
        .arg(f.root())
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    assert!(!second.status.success());
    let stderr = String::from_utf8_lossy(&second.stderr);
    assert_eq!(
        stderr.matches("another `spravka serve` is using").count(),
        1,
        "{stderr}"
    );
    assert!(stderr.contains("serve a copy of the site"), "{stderr}");
}
