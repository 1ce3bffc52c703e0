//! Search: the Russian analyzer, the tantivy index, search-as-you-type and ticket suggestions.

pub mod analyzer;
pub mod article_model;
mod cache_directory;
pub mod calibrate;
mod columns;
pub mod distractors;
pub mod engine;
pub mod eval;
pub mod features;
pub mod index;
pub mod learned;
pub mod model;
pub mod passages;
pub mod query;
pub mod snippet;
pub mod suggest;
pub mod synonyms;
pub mod ticket;
pub mod update;
pub mod vocabulary;
pub mod word_model;

pub use engine::{Hit, SearchEngine};
pub use model::{Ranking, SuggestModel};
pub use query::{SearchRequest, SearchResponse, FACET_VALUES};
pub use suggest::{order, FieldBoosts, SuggestOptions, SuggestResponse, Suggestion};
pub use vocabulary::Forgiveness;

/// Why a search engine could not be made for a site.
#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    #[error("{0}")]
    Synonyms(String),
    #[error(transparent)]
    Index(#[from] index::IndexError),
}

/// The engine of `site` with its index built in memory, suggesting under `model` with the
/// site's own `[suggest]` settings: what tuning and measuring search (`serve` and the CLI's
/// searches keep their index on disk).
pub fn engine_in_ram(
    site: &crate::site::Site,
    model: SuggestModel,
) -> Result<SearchEngine, EngineError> {
    let synonyms = load_synonyms(site).map_err(EngineError::Synonyms)?;
    let engine = SearchEngine::new(index::build_in_ram(site)?, synonyms)?;
    Ok(engine.with_suggest(site.config.suggest.clone(), model))
}

/// Loads the synonyms file of a site; a missing file means no synonyms, a broken one is an
/// error naming the line.
pub fn load_synonyms(site: &crate::site::Site) -> Result<synonyms::Synonyms, String> {
    let path = site.content_dir.join(&site.config.synonyms_file);
    match std::fs::read_to_string(&path) {
        Ok(text) => {
            synonyms::Synonyms::parse(&text).map_err(|e| format!("{}: {e}", path.display()))
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(synonyms::Synonyms::empty()),
        Err(e) => Err(format!("{}: {e}", path.display())),
    }
}
