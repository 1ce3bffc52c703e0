//! `--topical`: every document is about one article of the real content. Its title, headings
//! and text draw half their words from that article (as often as the article uses them) and
//! half from the whole vocabulary, and it is a regulation only when its article is one.
//!
//! Why: words drawn one by one from the whole vocabulary make every document mention a bit of
//! everything, so every word is common and a third of the documents are regulations. A grown
//! base is rather many articles on the same few topics (the same barrier at another estate,
//! another app version): rare words stay rare outside their topic, and near-duplicates compete
//! for a ticket. Measuring suggest among both kinds keeps a figure from resting on one
//! generator's quirks.

use super::{capitalize, markdown_files, phrase, words, Doc, Rng};
use std::collections::BTreeSet;
use std::path::Path;

/// One article of the real content, as a source of words.
pub struct Topic {
    /// The article's words (repeated so that they are half of the list), then the whole
    /// vocabulary: a word drawn from here is the topic's half of the time.
    pub words: Vec<String>,
    /// A typical request (it has «Симптомы» or says so), not a regulation.
    pub typical: bool,
}

/// The articles of `from` (section indexes left out) as topics over `vocab`.
pub fn topics(from: &Path, vocab: &[String]) -> Result<Vec<Topic>, String> {
    let mut topics = Vec::new();
    for file in markdown_files(from)? {
        if file.file_name().is_some_and(|n| n == "README.md") {
            continue;
        }
        let text =
            std::fs::read_to_string(&file).map_err(|e| format!("{}: {e}", file.display()))?;
        let own: Vec<String> = super::cyrillic_words(&text).collect();
        if own.is_empty() {
            continue;
        }
        let repeat = vocab.len().div_ceil(own.len());
        let mut words = Vec::with_capacity(own.len() * repeat + vocab.len());
        for _ in 0..repeat {
            words.extend(own.iter().cloned());
        }
        words.extend(vocab.iter().cloned());
        topics.push(Topic {
            words,
            typical: text.contains("Типичный запрос") || text.contains("## Симптомы"),
        });
    }
    if topics.is_empty() {
        return Err(format!("no articles in {}", from.display()));
    }
    Ok(topics)
}

/// Gives every planned document a topic, and its title and headings from that topic's words
/// (the number keeps titles unique).
pub fn assign(rng: &mut Rng, topics: &[Topic], docs: &mut [Doc]) {
    for (i, doc) in docs.iter_mut().enumerate() {
        let t = rng.below(topics.len());
        let vocab = &topics[t].words;
        doc.topic = Some(t);
        doc.typical = topics[t].typical;
        doc.title = format!(
            "{} {} {}",
            capitalize(rng.pick(vocab).as_str()),
            words(rng, vocab, 2),
            i + 1
        );
        let mut seen = BTreeSet::new();
        doc.headings = (0..rng.range(2, 4))
            .map(|_| phrase(rng, vocab, 1, 3))
            .filter(|h| seen.insert(h.to_lowercase()))
            .collect();
    }
}
