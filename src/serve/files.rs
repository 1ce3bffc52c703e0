//! Static files of the current snapshot: request paths looked up among the files it serves
//! (no traversal in any spelling, no listings), content types, ETags (the blob's hash), and
//! the site's 404 page. Nothing here touches a folder: a snapshot's files are its blobs.

use super::blobs::{Blob, SiteFiles};
use super::state::AppState;
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use percent_encoding::percent_decode_str;
use std::path::Path;
use std::sync::Arc;

/// What a request path names among a snapshot's files.
#[derive(Debug, PartialEq)]
pub enum Resolved<'a> {
    /// A file, by its output path.
    File(&'a str),
    /// A folder asked for without its closing slash: its `index.html` exists.
    Folder,
    Missing,
}

/// Looks `request_path` up in `files`. Decodes once: a double-encoded `%252e%252e` stays the
/// literal name `%2e%2e`, which no page has; dot segments and hidden names are refused
/// outright, though no output path has them.
pub fn resolve<'a>(files: &'a SiteFiles, request_path: &str) -> Resolved<'a> {
    let Ok(decoded) = percent_decode_str(request_path).decode_utf8() else {
        return Resolved::Missing;
    };
    let mut segments = Vec::new();
    for segment in decoded.split('/').filter(|s| !s.is_empty()) {
        if segment.starts_with('.') || segment.contains(['\\', '\0', ':']) {
            return Resolved::Missing;
        }
        segments.push(segment);
    }
    let joined = segments.join("/");
    let index = match joined.as_str() {
        "" => "index.html".to_string(),
        folder => format!("{folder}/index.html"),
    };
    if decoded.ends_with('/') || joined.is_empty() {
        return files.key(&index).map_or(Resolved::Missing, Resolved::File);
    }
    if let Some(path) = files.key(&joined) {
        return Resolved::File(path);
    }
    if files.contains(&index) {
        return Resolved::Folder;
    }
    Resolved::Missing
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
    let path = match resolve(&snapshot.files, request_path) {
        Resolved::File(path) => path,
        // `/reglamenty` (a folder) → `/reglamenty/`, so the page's relative links work.
        Resolved::Folder => {
            // One leading slash: `//razdel/` would name another host.
            let query = uri.query().map(|q| format!("?{q}")).unwrap_or_default();
            let location = format!("/{}/{query}", request_path.trim_start_matches('/'));
            return (
                StatusCode::PERMANENT_REDIRECT,
                [(header::LOCATION, location)],
            )
                .into_response();
        }
        Resolved::Missing => return not_found(&snapshot.files).await,
    };
    let blob = snapshot
        .files
        .get(path)
        .expect("resolved among these files");
    match blob.bytes().await {
        Ok(bytes) => respond(blob, bytes, content_type(Path::new(path)), &headers),
        Err(e) => {
            tracing::error!("cannot read {path} of the served site: {e}");
            (StatusCode::INTERNAL_SERVER_ERROR, "").into_response()
        }
    }
}

fn respond(
    blob: &Blob,
    bytes: axum::body::Bytes,
    content_type: &'static str,
    headers: &HeaderMap,
) -> Response {
    let etag = blob.etag();
    let tag = etag.to_str().unwrap_or_default();
    if headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == tag))
    {
        return (StatusCode::NOT_MODIFIED, [(header::ETAG, etag)]).into_response();
    }
    let mut response = (StatusCode::OK, bytes).into_response();
    let h = response.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    h.insert(header::ETAG, etag);
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    response
}

async fn not_found(files: &SiteFiles) -> Response {
    let page = match files.get("404.html") {
        Some(blob) => blob.bytes().await.ok(),
        None => None,
    };
    (
        StatusCode::NOT_FOUND,
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        page.unwrap_or_else(|| axum::body::Bytes::from_static(b"<h1>404</h1>")),
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_snapshots_files_are_found_in_any_spelling() {
        let dir = tempfile::tempdir().unwrap();
        let store = super::super::blobs::BlobStore::open(dir.path()).unwrap();
        let mut files = SiteFiles::default();
        for path in ["index.html", "a/index.html", "a/b.css", "%2e%2e/x.txt"] {
            files.insert(path, store.put(path.as_bytes()).unwrap());
        }
        assert_eq!(resolve(&files, "/"), Resolved::File("index.html"));
        assert_eq!(resolve(&files, "/a/"), Resolved::File("a/index.html"));
        assert_eq!(resolve(&files, "/a"), Resolved::Folder);
        assert_eq!(resolve(&files, "//a///b.css"), Resolved::File("a/b.css"));
        assert_eq!(resolve(&files, "/%61/b.css"), Resolved::File("a/b.css"));
        assert_eq!(resolve(&files, "/a/b.css/"), Resolved::Missing);
        // Decoded once: the double-encoded dots are a literal name, not a way up.
        assert_eq!(
            resolve(&files, "/%252e%252e/x.txt"),
            Resolved::File("%2e%2e/x.txt")
        );
        for bad in [
            "/../a/b.css",
            "/%2e%2e/a/b.css",
            "/a/..%2fb.css",
            "/..%5ca/b.css",
            "/a/%00",
            "/.%2e/a/b.css",
            "/C:/x",
            "/%ff",
        ] {
            assert_eq!(resolve(&files, bad), Resolved::Missing, "{bad}");
        }
    }
}
