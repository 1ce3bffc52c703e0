//! What reading content/ gives before the model is assembled: the documents, the assets and
//! the problems of reading them.

use super::{urls, Asset, DocumentCache};
use crate::config::Config;
use crate::content::walk::FileKind;
use crate::content::{walk, Document, MarkdownOptions};
use crate::diagnostics::Diagnostic;
use std::path::{Path, PathBuf};
use std::sync::Arc;

pub(super) struct Loaded {
    pub content_dir: PathBuf,
    /// Sorted by source path.
    pub docs: Vec<Arc<Document>>,
    pub assets: Vec<Asset>,
    /// The walk's, presets' and unreadable files' problems.
    pub diagnostics: Vec<Diagnostic>,
}

impl Loaded {
    /// Walks content/ under `root` (or reuses `cache`'s listing) and parses the documents
    /// `cache` does not hold unchanged.
    pub fn read(root: &Path, config: &Config, cache: &mut DocumentCache) -> Loaded {
        let content_dir = root.join(&config.content_dir);
        let listing =
            cache.listing(|| walk(&content_dir, &config.synonyms_file, &config.fragments));
        let (files, walk_problems) = &*listing;
        let mut diagnostics = walk_problems.clone();
        let options = MarkdownOptions {
            escape_html: config.escape_html,
        };
        let (presets, presets_problems) = crate::content::presets::Presets::load(files);
        diagnostics.extend(presets_problems);
        // In the listing's order, which is by path.
        let (docs, unreadable) = cache.load(files, options, &presets);
        diagnostics.extend(unreadable);
        debug_assert!(docs.is_sorted_by(|a, b| a.rel_path <= b.rel_path));
        let mode = config.url_mode;
        let assets = files
            .iter()
            .filter(|f| f.kind == FileKind::Asset)
            .map(|f| Asset {
                url: urls::asset_url(&f.rel_path, mode),
                rel_path: f.rel_path.clone(),
                abs_path: f.abs_path.clone(),
            })
            .collect();
        Loaded {
            content_dir,
            docs,
            assets,
            diagnostics,
        }
    }
}
