//! The theme: tera templates and static files, embedded default overridden file by file by
//! the site's own `themes/<name>/`.

use std::collections::BTreeMap;
use std::path::Path;

include!(concat!(env!("OUT_DIR"), "/embedded_theme.rs"));

/// Template sources and static files, keyed by their path inside the theme.
#[derive(Debug, Clone, Default)]
pub struct Theme {
    /// `page.html` → source.
    pub templates: BTreeMap<String, String>,
    /// `style.css` → bytes, published under `/static/`.
    pub statics: BTreeMap<String, Vec<u8>>,
}

impl Theme {
    /// The embedded default theme, then `root/themes/<name>/` over it when that folder exists.
    pub fn load(root: &Path, name: &str) -> std::io::Result<Theme> {
        let mut theme = Theme::default();
        for (path, bytes) in EMBEDDED_THEME {
            theme.insert(path, bytes.to_vec());
        }
        let dir = root.join("themes").join(name);
        if dir.is_dir() {
            for entry in walkdir::WalkDir::new(&dir)
                .sort_by_file_name()
                .follow_links(false)
            {
                let entry = entry.map_err(std::io::Error::other)?;
                if entry.file_type().is_file() {
                    let rel = entry
                        .path()
                        .strip_prefix(&dir)
                        .unwrap_or(entry.path())
                        .to_string_lossy()
                        .replace('\\', "/");
                    theme.insert(&rel, std::fs::read(entry.path())?);
                }
            }
        }
        Ok(theme)
    }

    fn insert(&mut self, path: &str, bytes: Vec<u8>) {
        if let Some(name) = path.strip_prefix("templates/") {
            self.templates.insert(
                name.to_string(),
                String::from_utf8_lossy(&bytes).into_owned(),
            );
        } else if let Some(name) = path.strip_prefix("static/") {
            self.statics.insert(name.to_string(), bytes);
        }
    }
}
