//! Static files of the current snapshot: safe path mapping (no traversal in any spelling, no
//! listings), content types, ETag / Last-Modified, and the site's 404 page. A file read once
//! is kept in the snapshot's `HotFiles`.

use super::hot::HotFile;
use super::state::AppState;
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use percent_encoding::percent_decode_str;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Maps a request path to a file under `root`, or `None`. Decodes once: a double-encoded
/// `%252e%252e` stays the literal name `%2e%2e`, which no page has.
pub fn resolve(root: &Path, request_path: &str) -> Option<PathBuf> {
    let decoded = percent_decode_str(request_path).decode_utf8().ok()?;
    let mut path = root.to_path_buf();
    for segment in decoded.split('/') {
        if segment.is_empty() {
            continue;
        }
        if segment == "."
            || segment == ".."
            || segment.contains(['\\', '\0', ':'])
            || segment.starts_with('.')
        {
            return None;
        }
        path.push(segment);
    }
    let meta = std::fs::symlink_metadata(&path).ok()?;
    if meta.file_type().is_symlink() {
        return None;
    }
    if meta.is_dir() {
        path.push("index.html");
        return std::fs::metadata(&path)
            .ok()
            .filter(|m| m.is_file())
            .map(|_| path);
    }
    meta.is_file().then_some(path)
}

pub fn content_type(path: &Path) -> &'static str {
    match path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .as_deref()
    {
        Some("html") => "text/html; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        Some("js") => "text/javascript; charset=utf-8",
        Some("json") => "application/json",
        Some("xml") => "application/xml; charset=utf-8",
        Some("svg") => "image/svg+xml",
        Some("png") => "image/png",
        Some("jpg") | Some("jpeg") => "image/jpeg",
        Some("gif") => "image/gif",
        Some("webp") => "image/webp",
        Some("ico") => "image/x-icon",
        Some("pdf") => "application/pdf",
        Some("txt") | Some("md") => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

pub async fn serve_file(
    State(state): State<Arc<AppState>>,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    let snapshot = state.current();
    let request_path = uri.path();
    if let Some(file) = snapshot.hot.get(request_path) {
        return respond(&file, &headers);
    }
    let epoch = snapshot.hot.epoch();
    let Some(path) = resolve(&snapshot.dir, request_path) else {
        return not_found(&snapshot.dir).await;
    };
    // `/reglamenty` (a folder) → `/reglamenty/`, so the page's relative links work.
    if path.ends_with("index.html")
        && !request_path.ends_with('/')
        && !request_path.ends_with("index.html")
    {
        let location = format!("{request_path}/");
        return (
            StatusCode::PERMANENT_REDIRECT,
            [(header::LOCATION, location)],
        )
            .into_response();
    }
    let Ok(bytes) = tokio::fs::read(&path).await else {
        return not_found(&snapshot.dir).await;
    };
    let etag = format!("\"{}\"", &blake3::hash(&bytes).to_hex()[..20]);
    let file = HotFile {
        bytes: bytes.into(),
        etag: HeaderValue::from_str(&etag).expect("hex is a valid header value"),
        last_modified: std::fs::metadata(&path)
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| HeaderValue::from_str(&httpdate::fmt_http_date(t)).ok()),
        content_type: content_type(&path),
    };
    respond(&snapshot.hot.insert(request_path, file, epoch), &headers)
}

fn respond(file: &HotFile, headers: &HeaderMap) -> Response {
    let etag = file.etag.to_str().unwrap_or_default();
    if headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == etag))
    {
        return (
            StatusCode::NOT_MODIFIED,
            [(header::ETAG, file.etag.clone())],
        )
            .into_response();
    }
    let mut response = (StatusCode::OK, file.bytes.clone()).into_response();
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(file.content_type),
    );
    h.insert(header::ETAG, file.etag.clone());
    if let Some(modified) = &file.last_modified {
        h.insert(header::LAST_MODIFIED, modified.clone());
    }
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    response
}

async fn not_found(dir: &Path) -> Response {
    let body = tokio::fs::read(dir.join("404.html"))
        .await
        .unwrap_or_else(|_| b"<h1>404</h1>".to_vec());
    (
        StatusCode::NOT_FOUND,
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        body,
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn traversal_in_every_spelling_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("site/a")).unwrap();
        std::fs::write(dir.path().join("site/a/index.html"), "x").unwrap();
        std::fs::write(dir.path().join("secret.txt"), "s").unwrap();
        let root = dir.path().join("site");
        assert!(resolve(&root, "/a/").is_some());
        for bad in [
            "/../secret.txt",
            "/%2e%2e/secret.txt",
            "/a/..%2fsecret.txt",
            "/..%5csecret.txt",
            "/%252e%252e/secret.txt",
            "/a/%00",
            "/.%2e/secret.txt",
            "//etc/passwd",
            "/C:/x",
        ] {
            assert!(resolve(&root, bad).is_none(), "{bad}");
        }
    }
}
