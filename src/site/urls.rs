//! Page URLs from source paths, and relative hrefs between pages.

use crate::config::UrlMode;
use crate::content::slug::url_segment;
use crate::content::walk::is_index_name;

/// The tag pages' folder.
pub const TAGS_URL: &str = "/tags/";
/// The operator's ticket → articles page.
pub const OPERATOR_URL: &str = "/podbor/";
/// The static search's index (`render::client_index::ENTRY` is in it).
pub const SEARCH_URL: &str = "/search/";
/// The theme's static files.
pub const STATIC_URL: &str = "/static/";

/// The folders the renderer fills besides the content's own, with what fills them: no page
/// or section takes one of these URLs (it gets `-2`, with a `url-collision` error).
pub const GENERATED_URLS: [(&str, &str); 4] = [
    (TAGS_URL, "the tag pages"),
    (OPERATOR_URL, "the operator page"),
    (SEARCH_URL, "the static search index"),
    (STATIC_URL, "the theme's files"),
];

/// The page of tag `name`: `/tags/shlagbaum/`.
pub fn tag_url(name: &str, mode: UrlMode) -> String {
    format!("{TAGS_URL}{}/", url_segment(name, mode))
}

/// `wanted` (a URL ending in `/`), or with `-2`, `-3`… before its slash: the first one
/// `is_taken` says is free. Pages and tags that would share a URL are told apart this way.
pub fn first_free(wanted: &str, is_taken: impl Fn(&str) -> bool) -> String {
    let mut url = wanted.to_string();
    let mut n = 2;
    while is_taken(&url) {
        url = format!("{}-{n}/", wanted.trim_end_matches('/'));
        n += 1;
    }
    url
}

/// `Регламенты/Эскалация в отдел разработки.md` → `/reglamenty/eskalatsiya-v-otdel-razrabotki/`;
/// a folder's README.md → the folder's URL. Root-relative, before collision suffixes.
pub fn page_url(rel_path: &str, mode: UrlMode) -> String {
    let mut parts: Vec<&str> = rel_path.split('/').collect();
    let file = parts.pop().unwrap_or_default();
    let mut url = dir_url(&parts.join("/"), mode);
    if !is_index_name(file) {
        let stem = file
            .strip_suffix(".md")
            .or_else(|| file.strip_suffix(".MD"))
            .unwrap_or(file);
        url.push_str(&url_segment(stem, mode));
        url.push('/');
    }
    url
}

/// URL of a content folder (`""` is the root, `/`).
pub fn dir_url(dir: &str, mode: UrlMode) -> String {
    let mut url = String::from("/");
    for segment in dir.split('/').filter(|s| !s.is_empty()) {
        url.push_str(&url_segment(segment, mode));
        url.push('/');
    }
    url
}

/// URL of an asset: folders slugged like pages, the file name kept (lowercased extension).
pub fn asset_url(rel_path: &str, mode: UrlMode) -> String {
    let (dir, file) = rel_path.rsplit_once('/').unwrap_or(("", rel_path));
    let (stem, ext) = file.rsplit_once('.').unwrap_or((file, ""));
    let mut url = dir_url(dir, mode);
    url.push_str(&url_segment(stem, mode));
    if !ext.is_empty() {
        url.push('.');
        url.push_str(&ext.to_lowercase());
    }
    url
}

/// Where a URL's file lives in the output: `/a/b/` → `a/b/index.html`, `/x.png` → `x.png`.
pub fn output_path(url: &str) -> String {
    let trimmed = url.trim_start_matches('/');
    if trimmed.is_empty() || trimmed.ends_with('/') {
        format!("{trimmed}index.html")
    } else {
        trimmed.to_string()
    }
}

/// A relative href from the page at `from` to `to` (both root-relative URLs). Relative links
/// make the site work under any base path and from the file system; `local` appends
/// `index.html`, which a browser needs to open folders from disk.
pub fn relative_href(from: &str, to: &str, local: bool) -> String {
    let from_dir: Vec<&str> = from
        .trim_matches('/')
        .split('/')
        .filter(|s| !s.is_empty())
        .collect();
    let from_dir = if from.ends_with('/') {
        &from_dir[..]
    } else {
        &from_dir[..from_dir.len().saturating_sub(1)]
    };
    let (to_path, fragment) = to.split_once('#').map_or((to, None), |(p, f)| (p, Some(f)));
    let to_parts: Vec<&str> = to_path.trim_start_matches('/').split('/').collect();
    let common = from_dir
        .iter()
        .zip(&to_parts)
        .take_while(|(a, b)| a == b)
        .count();
    let mut href = "../".repeat(from_dir.len() - common);
    href.push_str(&to_parts[common..].join("/"));
    if local && (href.is_empty() || href.ends_with('/')) {
        href.push_str("index.html");
    } else if href.is_empty() {
        href.push_str("./");
    }
    if let Some(fragment) = fragment {
        href.push('#');
        href.push_str(fragment);
    }
    href
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_from_paths() {
        assert_eq!(page_url("README.md", UrlMode::Ascii), "/");
        assert_eq!(
            page_url("Регламенты/README.md", UrlMode::Ascii),
            "/reglamenty/"
        );
        assert_eq!(
            page_url("Регламенты/Эскалация в отдел разработки.md", UrlMode::Ascii),
            "/reglamenty/eskalatsiya-v-otdel-razrabotki/"
        );
        assert_eq!(
            page_url("Регламенты/Диагностика проблем.md", UrlMode::Unicode),
            "/регламенты/диагностика-проблем/"
        );
        assert_eq!(
            asset_url("img/Схема сети.PNG", UrlMode::Ascii),
            "/img/skhema-seti.png"
        );
        assert_eq!(output_path("/"), "index.html");
        assert_eq!(output_path("/a/b/"), "a/b/index.html");
    }

    #[test]
    fn relative_hrefs() {
        assert_eq!(relative_href("/a/b/", "/a/c/", false), "../c/");
        assert_eq!(relative_href("/", "/a/", false), "a/");
        assert_eq!(relative_href("/a/", "/", false), "../");
        assert_eq!(relative_href("/a/", "/a/", false), "./");
        assert_eq!(relative_href("/a/", "/a/#x", false), "./#x");
        assert_eq!(
            relative_href("/a/b/", "/static/style.css", false),
            "../../static/style.css"
        );
        assert_eq!(relative_href("/a/b/", "/a/c/", true), "../c/index.html");
        assert_eq!(relative_href("/a/", "/", true), "../index.html");
        assert_eq!(relative_href("/404.html", "/a/", false), "a/");
    }
}
