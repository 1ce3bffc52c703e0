//! Snippets of hits: the densest window of the body for the query's terms, highlighted.
//!
//! Russian Snowball stems are prefixes of their word forms once lowercased and ё→е folded, so
//! one Aho-Corasick pass over the folded body finds every candidate place; only the chosen
//! window is then analysed for exact highlighting. Everything that depends on the query alone
//! (the automaton, tantivy's generator) is made once per query, not per hit.

use super::analyzer::text_analyzer;
use aho_corasick::AhoCorasick;
use std::collections::BTreeMap;
use tantivy::schema::Field;
use tantivy::snippet::SnippetGenerator;

/// Longest snippet, in characters.
const SNIPPET_CHARS: usize = 220;
/// The window searched for the densest part, in bytes (Cyrillic: two per character).
const WINDOW_BYTES: usize = SNIPPET_CHARS * 3;

/// The query side of snippet making.
pub struct Snippets {
    generator: SnippetGenerator,
    /// Finds the terms in folded text; pattern `i` has weight `weights[i]`.
    matcher: Option<AhoCorasick>,
    weights: Vec<f32>,
}

impl Snippets {
    /// `terms`: index terms with their weight (IDF, or 1 for search-as-you-type).
    pub fn new(terms: &BTreeMap<String, f32>, body: Field) -> Snippets {
        let generator = SnippetGenerator::new(terms.clone(), text_analyzer(), body, SNIPPET_CHARS);
        Snippets {
            generator,
            matcher: AhoCorasick::new(terms.keys()).ok(),
            weights: terms.values().copied().collect(),
        }
    }

    /// Highlighted HTML of the best window of `body`, or `None` when no term occurs in it.
    pub fn html(&self, body: &str) -> Option<String> {
        let mut snippet = self.generator.snippet(self.best_window(body, WINDOW_BYTES));
        snippet.set_snippet_prefix_postfix("<mark>", "</mark>");
        let html = snippet.to_html();
        let html = html.trim();
        (!html.is_empty()).then(|| html.to_string())
    }

    /// The part of `text` (about `window` bytes) where the most, and the rarest, terms occur.
    fn best_window<'a>(&self, text: &'a str, window: usize) -> &'a str {
        if text.len() <= window {
            return text;
        }
        let Some(matcher) = &self.matcher else {
            return &text[..floor_boundary(text, window)];
        };
        let folded = fold_for_snippets(text);
        let mut hits: Vec<(usize, usize)> = matcher
            .find_overlapping_iter(&folded)
            .filter(|m| {
                folded[..m.start()]
                    .chars()
                    .next_back()
                    .is_none_or(|c| !c.is_alphanumeric())
            })
            .map(|m| (m.start(), m.pattern().as_usize()))
            .collect();
        if hits.is_empty() {
            return &text[..floor_boundary(text, window)];
        }
        hits.sort_unstable();
        // A sliding window over the sorted places: each distinct term counts once per window.
        let mut count = vec![0u32; self.weights.len()];
        let (mut score, mut end) = (0.0f32, 0);
        let (mut best_start, mut best_score) = (hits[0].0, f32::MIN);
        for &(start, term) in &hits {
            while end < hits.len() && hits[end].0 < start + window {
                let t = hits[end].1;
                if count[t] == 0 {
                    score += self.weights[t];
                }
                count[t] += 1;
                end += 1;
            }
            if score > best_score {
                (best_start, best_score) = (start, score);
            }
            count[term] -= 1;
            if count[term] == 0 {
                score -= self.weights[term];
            }
        }
        // Start a little before the first hit, at a line or word break, for context.
        let from = floor_boundary(text, best_start.saturating_sub(window / 6));
        let from = text[..best_start]
            .rfind('\n')
            .filter(|&n| n >= from)
            .map_or(from, |n| n + 1);
        let to = floor_boundary(text, (from + window).min(text.len()));
        &text[from..to]
    }
}

/// Lowercase with ё→е, keeping every character's byte length, so that offsets in the folded
/// text are offsets in the original. Done per hit at query time: storing it beside the body
/// doubled the stored documents every hit decompresses.
pub fn fold_for_snippets(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            'A'..='Z' => c.to_ascii_lowercase(),
            'Ё' | 'ё' => 'е',
            // А..Я → а..я: the same two-byte length, so a plain offset.
            'А'..='Я' => char::from_u32(c as u32 + 0x20).unwrap_or(c),
            c if c.is_ascii() || ('а'..='я').contains(&c) => c,
            c => {
                let lower = c.to_lowercase().next().unwrap_or(c);
                if lower.len_utf8() == c.len_utf8() {
                    lower
                } else {
                    c
                }
            }
        })
        .collect()
}

fn floor_boundary(text: &str, mut at: usize) -> usize {
    at = at.min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

pub fn truncate_chars(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((i, _)) => format!("{}…", &text[..i]),
        None => text.to_string(),
    }
}

/// Longest summary shown when the body has no term.
pub const SUMMARY_CHARS: usize = SNIPPET_CHARS;

#[cfg(test)]
mod tests {
    use super::*;

    fn snippets(terms: &[(&str, f32)]) -> Snippets {
        let (schema, fields) = super::super::index::schema();
        drop(schema);
        let terms: BTreeMap<String, f32> = terms.iter().map(|(t, w)| (t.to_string(), *w)).collect();
        Snippets::new(&terms, fields.body)
    }

    #[test]
    fn best_window_finds_the_dense_part() {
        let text = format!(
            "{}Шлагбаум не открывается: камера не видит номер. {}",
            "вступление ".repeat(100),
            "хвост ".repeat(100)
        );
        let s = snippets(&[("шлагбаум", 1.0), ("камер", 1.0), ("номер", 1.0)]);
        let w = s.best_window(&text, 200);
        assert!(
            w.contains("Шлагбаум") && w.contains("камера") && w.contains("номер"),
            "{w}"
        );
        assert!(w.len() <= 200);
        assert_eq!(s.best_window("коротко", 200), "коротко");
    }

    #[test]
    fn a_rare_term_outweighs_a_repeated_common_one() {
        let text = format!(
            "{}{}{}",
            "пропуск пропуск пропуск. ".repeat(20),
            "вода ".repeat(200),
            "Здесь про шлагбаум и пропуск. "
        );
        let s = snippets(&[("пропуск", 0.1), ("шлагбаум", 5.0)]);
        assert!(s.best_window(&text, 200).contains("шлагбаум"));
        let html = s.html(&text).unwrap();
        assert!(html.contains("<mark>шлагбаум</mark>"), "{html}");
    }

    #[test]
    fn folding_keeps_byte_offsets() {
        for text in ["ЁЛКА Шлагбаум ß İ Ω", "mixed ЛАТИНИЦА and ёж"] {
            assert_eq!(fold_for_snippets(text).len(), text.len(), "{text}");
        }
        assert_eq!(fold_for_snippets("ЁЛКА Шлагбаум"), "елка шлагбаум");
    }
}
