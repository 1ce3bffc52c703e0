//! `spravka.toml`: the site's settings, every field optional with a sensible default.

use serde::Deserialize;
use std::path::{Path, PathBuf};

/// The file name looked up at the site root.
pub const CONFIG_FILE: &str = "spravka.toml";

/// How page URLs are made from file names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum UrlMode {
    /// Russian transliterated to readable Latin (`/reglamenty/eskalatsiya-v-otdel-razrabotki/`):
    /// operators paste these into replies, so they must survive any mail client.
    #[default]
    Ascii,
    /// Keep the Unicode letters (`/регламенты/эскалация-в-отдел-разработки/`).
    Unicode,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// Site title shown in the header and the feed.
    pub title: String,
    /// Absolute URL or path prefix the site is published under (`/`, `/kb/`, `https://kb.local/`).
    pub base_url: String,
    /// Value of `<html lang>`.
    pub language: String,
    /// Theme directory name under `themes/`; the embedded default is used for missing files.
    pub theme: String,
    /// A page whose last update is older than this many days gets a "may be stale" warning.
    pub stale_days: i64,
    /// Folder with the markdown, relative to the root.
    pub content_dir: PathBuf,
    /// Where `build` writes the site, relative to the root.
    pub output_dir: PathBuf,
    pub url_mode: UrlMode,
    /// Escape raw HTML in documents instead of passing it through (writers are trusted by default).
    pub escape_html: bool,
    /// Links end in `index.html`, so that a copy of the site opens from the file system.
    pub local_links: bool,
    /// Synonyms file inside the content folder, read by search.
    pub synonyms_file: String,
    /// Markdown files or folders (relative to the content folder) that pages include and that
    /// are not pages themselves; files under a folder named `_…` always are.
    pub fragments: Vec<String>,
    pub build: BuildConfig,
    pub serve: ServeConfig,
    pub suggest: SuggestConfig,
    pub feedback: FeedbackConfig,
}

/// Operators' feedback and the searches that found nothing (`feedback`): where it is kept and
/// for how long, and what of a ticket is kept.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct FeedbackConfig {
    /// A SQLite file relative to the root (created with its folder), or a
    /// `postgres://user@host:port/db` URL that several servers share. Empty turns feedback off.
    pub database: String,
    /// Keep the ticket's text (masked) as well as its analysed words. Off by default: tickets
    /// carry personal data, and the words are all that learning and the report need.
    pub store_text: bool,
    /// Rows older than this many days are deleted (at start-up and daily).
    pub retention_days: u32,
    /// How many distinct clients' confirmations of a word for an article count at most: one
    /// enthusiastic operator (or a hostile script) cannot take an article over.
    pub confirmation_cap: u32,
    /// Feedback writes a client may make per minute before it is answered 429.
    pub writes_per_minute: u32,
}

impl Default for FeedbackConfig {
    fn default() -> Self {
        FeedbackConfig {
            database: "data/feedback.sqlite".into(),
            store_text: false,
            retention_days: 180,
            confirmation_cap: 3,
            writes_per_minute: 60,
        }
    }
}

/// What `spravka build` does when the content has errors (broken links and anchors, links
/// leaving content/, unreadable files, bad dates, URL collisions).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum OnError {
    /// Exit 1 and write nothing: the previous output stays (the default; a CI gate).
    #[default]
    Fail,
    /// Build anyway, broken links marked in the pages, and say how many errors it carries
    /// (an imported base still being fixed); as `--keep-going`.
    Warn,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct BuildConfig {
    pub on_error: OnError,
}

/// `[suggest] min_probability` when spravka.toml does not set it.
pub const DEFAULT_MIN_PROBABILITY: f32 = 0.425;

/// Suggest's settings. The tuned numbers (boosts, the confidence model) live in
/// `suggest-model.toml`, written by `spravka tune`; these are the department's choices.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SuggestConfig {
    /// `confident` means the top suggestion's probability of answering the ticket is at least
    /// this (0–1). Raise it for fewer, surer "this is it"; lower it for fewer escalations.
    pub min_probability: f32,
    /// Values of «Тип документа» (matched as case-insensitive substrings) that mark a
    /// regulation: the answer to an operator's question about the support process.
    pub procedural_kinds: Vec<String>,
}

impl Default for SuggestConfig {
    fn default() -> Self {
        SuggestConfig {
            // The cut `spravka tune` recommends for the shipped model (the lowest that keeps
            // 90 % of the project's out-of-scope tickets not confident, held out, alone and
            // among 10,000 documents); `search::model`'s tests keep the two equal.
            min_probability: DEFAULT_MIN_PROBABILITY,
            procedural_kinds: vec!["Регламент".into()],
        }
    }
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ServeConfig {
    /// Origins allowed by CORS on `/api`; empty means CORS is off.
    pub cors_origins: Vec<String>,
    /// Largest accepted request body in bytes.
    pub max_body_bytes: usize,
    /// Seconds a request may take before it is answered 408.
    pub request_timeout_secs: u64,
    /// A bearer token that lets programs (a helpdesk, a script) write feedback and read
    /// `/stats/`; browsers on the site's own pages need none. Empty: no token.
    pub api_token: String,
    /// `/stats/` needs the token too (it shows what operators asked).
    pub stats_need_token: bool,
    /// Addresses of reverse proxies or load balancers in front of `serve`: for a request from
    /// one of them, the client is the address it names in `X-Forwarded-For`.
    pub trusted_proxies: Vec<std::net::IpAddr>,
}

impl Default for ServeConfig {
    fn default() -> Self {
        ServeConfig {
            cors_origins: vec![],
            max_body_bytes: 64 * 1024,
            request_timeout_secs: 10,
            api_token: String::new(),
            stats_need_token: false,
            trusted_proxies: vec![],
        }
    }
}

impl Default for Config {
    fn default() -> Self {
        Config {
            title: "База знаний технической поддержки".into(),
            base_url: "/".into(),
            language: "ru".into(),
            theme: "default".into(),
            stale_days: 365,
            content_dir: "content".into(),
            output_dir: "public".into(),
            url_mode: UrlMode::Ascii,
            escape_html: false,
            local_links: false,
            synonyms_file: "synonyms.toml".into(),
            fragments: vec![],
            build: BuildConfig::default(),
            serve: ServeConfig::default(),
            suggest: SuggestConfig::default(),
            feedback: FeedbackConfig::default(),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("{path}: cannot read: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}:{line}:{column}: {message}")]
    Parse {
        path: PathBuf,
        line: usize,
        column: usize,
        message: String,
    },
}

impl Config {
    /// Reads `spravka.toml` from `root`; a missing file means all defaults.
    pub fn load(root: &Path) -> Result<Config, ConfigError> {
        let path = root.join(CONFIG_FILE);
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Config::default()),
            Err(source) => return Err(ConfigError::Read { path, source }),
        };
        Self::parse(&text).map_err(|(line, column, message)| ConfigError::Parse {
            path,
            line,
            column,
            message,
        })
    }

    /// Parses config text; errors carry a 1-based line and column.
    pub fn parse(text: &str) -> Result<Config, (usize, usize, String)> {
        toml::from_str::<Config>(text).map_err(|e| {
            let offset = e.span().map_or(0, |s| s.start);
            let before = &text[..offset.min(text.len())];
            let line = before.matches('\n').count() + 1;
            let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
            (line, column, e.message().to_string())
        })
    }

    /// The path prefix of `base_url` (`https://kb.local/docs/` → `/docs/`), always ending in `/`.
    pub fn base_path(&self) -> String {
        let without_scheme = self
            .base_url
            .split_once("://")
            .map_or(self.base_url.as_str(), |(_, rest)| {
                rest.find('/').map_or("/", |i| &rest[i..])
            });
        let trimmed = without_scheme.trim_matches('/');
        if trimmed.is_empty() {
            "/".into()
        } else {
            format!("/{trimmed}/")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_config_is_all_defaults() {
        let c = Config::parse("").unwrap();
        assert_eq!(c.stale_days, 365);
        assert_eq!(c.url_mode, UrlMode::Ascii);
        assert_eq!(c.base_path(), "/");
    }

    #[test]
    fn base_path_from_absolute_url() {
        let c = Config::parse("base_url = \"https://kb.local/docs\"").unwrap();
        assert_eq!(c.base_path(), "/docs/");
    }

    #[test]
    fn build_on_error_is_fail_or_warn() {
        assert_eq!(Config::default().build.on_error, OnError::Fail);
        let c = Config::parse("[build]\non_error = \"warn\"\n").unwrap();
        assert_eq!(c.build.on_error, OnError::Warn);
        let (line, _, message) = Config::parse("[build]\non_error = \"ignore\"\n").unwrap_err();
        assert_eq!(line, 2, "{message}");
        let (line, _, message) = Config::parse("[build]\non_eror = \"warn\"\n").unwrap_err();
        assert_eq!(line, 2);
        assert!(message.contains("on_eror"), "{message}");
    }

    #[test]
    fn unknown_key_is_an_error_with_position() {
        let (line, _, message) = Config::parse("title = \"x\"\nstale_dayz = 3\n").unwrap_err();
        assert_eq!(line, 2);
        assert!(message.contains("stale_dayz"), "{message}");
    }
}
