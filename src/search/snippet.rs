//! Snippets of hits: the densest window of the body for the query's terms, highlighted.
//!
//! Russian Snowball stems are prefixes of their word forms once lowercased and ё→е folded, so
//! one Aho-Corasick pass over the folded body finds every candidate place; only the words
//! that begin at a candidate place inside the chosen window are then analysed, each alone,
//! for exact highlighting. Everything that depends on the query alone (the automaton, the
//! sorted terms) is made once per query, not per hit. Written here rather than with tantivy's
//! `SnippetGenerator`: it analysed the whole window for every hit, a fifth of a search's time
//! at 10,000 pages (BENCHMARKS.md, session 21).

use super::analyzer::{analyze, term_at};
use crate::content::markdown::escape_into;
use aho_corasick::AhoCorasick;
use std::collections::BTreeMap;

/// Longest snippet, in characters: the static client's excerpts are as long (`excerpt(…,
/// 170)` in spravka.js), so a search box shows the same whether the server or the client
/// answers.
const SNIPPET_CHARS: usize = 170;
/// The window searched for the densest part, in bytes (Cyrillic: two per character).
const WINDOW_BYTES: usize = SNIPPET_CHARS * 2;

/// The query side of snippet making.
pub struct Snippets {
    /// Finds the terms in folded text; pattern `i` is `terms[i]`, of weight `weights[i]`.
    matcher: Option<AhoCorasick>,
    /// Sorted, as the map they came from.
    terms: Vec<String>,
    weights: Vec<f32>,
    /// Some term holds a digit: a code or a plate, which folding does not find.
    has_codes: bool,
}

impl Snippets {
    /// `terms`: index terms with their weight (IDF, or 1 for search-as-you-type).
    pub fn new(terms: &BTreeMap<String, f32>) -> Snippets {
        Snippets {
            matcher: AhoCorasick::new(terms.keys()).ok(),
            terms: terms.keys().cloned().collect(),
            weights: terms.values().copied().collect(),
            has_codes: terms.keys().any(|t| t.chars().any(|c| c.is_numeric())),
        }
    }

    /// Highlighted HTML of the best window of `body`, or `None` when no term occurs in it.
    /// A word is marked when the token that begins at a term's place is that term, as the
    /// index reads it (`кодекс` is not `код`; `102` inside `E-102` is not `102`).
    pub fn html(&self, body: &str) -> Option<String> {
        let places = self.places(body);
        let window = self.best_window(body, &places, WINDOW_BYTES);
        let fragment = cut_chars(&body[window.clone()], SNIPPET_CHARS);
        let fragment_end = window.start + fragment.len();
        let marks: Vec<(usize, usize)> = if self.has_codes {
            // A code (`E-102` for the term `e102`) or a plate has no stem's place: it is found
            // only by analysing the fragment as the index did.
            analyze(fragment)
                .into_iter()
                .filter(|t| self.terms.binary_search(&t.term).is_ok())
                .map(|t| (window.start + t.offset_from, window.start + t.offset_to))
                .collect()
        } else {
            let mut starts: Vec<usize> = places
                .iter()
                .map(|&(at, _)| at)
                .filter(|&at| window.start <= at && at < fragment_end)
                .collect();
            starts.dedup();
            starts
                .into_iter()
                .filter_map(|at| {
                    let (end, term) = term_at(body, at)?;
                    let end = end.min(fragment_end);
                    self.terms.binary_search(&term).is_ok().then_some((at, end))
                })
                .collect()
        };
        (!marks.is_empty()).then(|| marked_html(body, window.start..fragment_end, &marks))
    }

    /// Where in `text` each term may begin a word: (byte offset, pattern), in text order.
    fn places(&self, text: &str) -> Vec<(usize, usize)> {
        let Some(matcher) = &self.matcher else {
            return vec![];
        };
        let folded = fold_for_snippets(text);
        let mut places: Vec<(usize, usize)> = matcher
            .find_overlapping_iter(folded.as_slice())
            // A term (valid UTF-8) begins at a character's start, in the folded text and so
            // in `text`, whose characters are as long; folding keeps a letter a letter.
            .filter(|m| {
                text[..m.start()]
                    .chars()
                    .next_back()
                    .is_none_or(|c| !c.is_alphanumeric())
            })
            .map(|m| (m.start(), m.pattern().as_usize()))
            .collect();
        places.sort_unstable();
        places
    }

    /// The part of `text` (about `window` bytes) where the most, and the rarest, terms occur.
    fn best_window(
        &self,
        text: &str,
        places: &[(usize, usize)],
        window: usize,
    ) -> std::ops::Range<usize> {
        // Short enough to be the snippet whole (in bytes, so in characters too).
        if text.len() <= window.min(SNIPPET_CHARS) {
            return 0..text.len();
        }
        if places.is_empty() {
            return 0..crate::text::floor_char_boundary(text, window);
        }
        // A sliding window over the places: each distinct term counts once per window.
        let mut count = vec![0u32; self.weights.len()];
        let (mut score, mut end) = (0.0f32, 0);
        let (mut best_start, mut best_score) = (places[0].0, f32::MIN);
        for &(start, term) in places {
            while end < places.len() && places[end].0 < start + window {
                let t = places[end].1;
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
        // Start a little before the first place, at a line or word break, for context.
        let from = crate::text::floor_char_boundary(text, best_start.saturating_sub(window / 6));
        let from = match text[..best_start].rfind('\n').filter(|&n| n >= from) {
            Some(line) => line + 1,
            None => text[from..best_start]
                .char_indices()
                .find(|(_, c)| c.is_whitespace())
                .map_or(best_start, |(at, space)| from + at + space.len_utf8()),
        };
        from..crate::text::floor_char_boundary(text, from + window)
    }
}

/// At most `max` characters of `text`, ending at a word's end when it is cut.
fn cut_chars(text: &str, max: usize) -> &str {
    let Some((cut, _)) = text.char_indices().nth(max) else {
        return text;
    };
    let end = text[..cut]
        .rfind(char::is_whitespace)
        .filter(|&at| at > cut / 2)
        .unwrap_or(cut);
    &text[..end]
}

/// `text[range]`, escaped, with each of `marks` (sorted, inside the range) in `<mark>`, trimmed.
fn marked_html(text: &str, range: std::ops::Range<usize>, marks: &[(usize, usize)]) -> String {
    let mut html = String::with_capacity(range.len() + marks.len() * 13);
    let mut at = range.start;
    for &(from, to) in marks {
        if from < at {
            continue;
        }
        escape_into(&mut html, &text[at..from]);
        html.push_str("<mark>");
        escape_into(&mut html, &text[from..to]);
        html.push_str("</mark>");
        at = to;
    }
    escape_into(&mut html, &text[at..range.end]);
    html.trim().to_string()
}

/// Lowercase with ё→е, keeping every character's byte length, so that offsets in the folded
/// text are offsets in the original. Done per hit at query time: storing it beside the body
/// doubled the stored documents every hit decompresses. Byte by byte for ASCII and the
/// Russian alphabet (a tenth of a search went to folding a char at a time), [`fold_char`]
/// for the rest. The bytes are UTF-8 but not checked as such (checking them was about 4%
/// of a search at 10,000 pages): the automaton reads bytes.
pub fn fold_for_snippets(text: &str) -> Vec<u8> {
    // Copied whole, then changed in place: a character is only ever replaced by one of the
    // same length.
    let mut out = text.as_bytes().to_vec();
    let mut at = 0;
    while at < out.len() {
        let lead = out[at];
        if lead < 0x80 {
            out[at] = lead.to_ascii_lowercase();
            at += 1;
            continue;
        }
        match (lead, out.get(at + 1).copied().unwrap_or(0)) {
            // Ё, ё → е.
            (0xD0, 0x81) | (0xD1, 0x91) => out[at..at + 2].copy_from_slice("е".as_bytes()),
            // А..П → а..п and Р..Я → р..я.
            (0xD0, next @ 0x90..=0x9F) => out[at + 1] = next + 0x20,
            (0xD0, next @ 0xA0..=0xAF) => out[at..at + 2].copy_from_slice(&[0xD1, next - 0x20]),
            // а..п, р..я and the other lowercase letters of U+0450..U+045F as they are.
            (0xD0, 0xB0..=0xBF) | (0xD1, 0x80..=0x9F) => {}
            _ => {
                let c = text[at..].chars().next().unwrap_or(' ');
                fold_char(c).encode_utf8(&mut out[at..at + c.len_utf8()]);
                at += c.len_utf8();
                continue;
            }
        }
        at += 2;
    }
    out
}

/// One character as [`fold_for_snippets`] folds it: lowercase when that keeps its length.
fn fold_char(c: char) -> char {
    match c {
        'Ё' | 'ё' => 'е',
        c => {
            let lower = c.to_lowercase().next().unwrap_or(c);
            if lower.len_utf8() == c.len_utf8() {
                lower
            } else {
                c
            }
        }
    }
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
        let terms: BTreeMap<String, f32> = terms.iter().map(|(t, w)| (t.to_string(), *w)).collect();
        Snippets::new(&terms)
    }

    #[test]
    fn best_window_finds_the_dense_part() {
        let text = format!(
            "{}Шлагбаум не открывается: камера не видит номер. {}",
            "вступление ".repeat(100),
            "хвост ".repeat(100)
        );
        let s = snippets(&[("шлагбаум", 1.0), ("камер", 1.0), ("номер", 1.0)]);
        let w = &text[s.best_window(&text, &s.places(&text), 200)];
        assert!(
            w.contains("Шлагбаум") && w.contains("камера") && w.contains("номер"),
            "{w}"
        );
        assert!(w.len() <= 200);
        assert_eq!(s.best_window("коротко", &s.places("коротко"), 200), 0..14);
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
        assert!(text[s.best_window(&text, &s.places(&text), 200)].contains("шлагбаум"));
        let html = s.html(&text).unwrap();
        assert!(html.contains("<mark>шлагбаум</mark>"), "{html}");
    }

    #[test]
    fn only_the_terms_own_words_are_marked_from_a_word_start() {
        let text = format!(
            "{}Кодекс не о том. Код не приходит, коды тоже. {}",
            "вступление ".repeat(60),
            "хвост ".repeat(60)
        );
        let html = snippets(&[("код", 1.0)]).html(&text).unwrap();
        assert!(
            html.contains("<mark>Код</mark> не") && html.contains("<mark>коды</mark>"),
            "{html}"
        );
        assert!(
            !html.contains("<mark>Кодекс"),
            "a longer word's own stem: {html}"
        );
        assert!(
            html.starts_with("вступление") || html.starts_with("Кодекс"),
            "{html}"
        );
        assert!(html.chars().count() <= SNIPPET_CHARS + 26, "{html}");
    }

    #[test]
    fn a_code_no_stem_begins_is_marked_as_the_index_reads_it() {
        let text = "Контроллер пишет E-102 & гаснет";
        let code = analyze("E-102").remove(0).term;
        let html = snippets(&[(&code, 1.0)]).html(text).unwrap();
        assert_eq!(html, "Контроллер пишет <mark>E-102</mark> &amp; гаснет");
        assert_eq!(snippets(&[("шлагбаум", 1.0)]).html(text), None);
    }

    #[test]
    fn a_snippet_starts_after_a_space_of_any_width_and_escapes_marked_text() {
        for space in [" ", "\u{a0}", "\u{202f}"] {
            let text = format!("{}{space}шлагбаум и ещё", "x".repeat(400));
            let html = snippets(&[("шлагбаум", 1.0)]).html(&text).unwrap();
            assert_eq!(html, "<mark>шлагбаум</mark> и ещё");
        }
        let html = snippets(&[("пульт", 1.0)]).html("x <пульт> & y").unwrap();
        assert_eq!(html, "x &lt;<mark>пульт</mark>&gt; &amp; y");
    }

    #[test]
    fn a_short_body_is_marked_wherever_its_term_is() {
        let text = format!("{}шлагбаум", "ab ".repeat(80));
        let html = snippets(&[("шлагбаум", 1.0)]).html(&text).unwrap();
        assert!(html.contains("<mark>шлагбаум</mark>"), "{html}");
    }

    #[test]
    fn codes_are_marked_beside_words_and_a_number_inside_a_code_is_not() {
        let text = "Шлагбаум пишет E-102, код 102 отдельно";
        let code = analyze("E-102").remove(0).term;
        let html = snippets(&[("шлагбаум", 1.0), (&code, 1.0)])
            .html(text)
            .unwrap();
        assert!(
            html.starts_with("<mark>Шлагбаум</mark> пишет <mark>E-102</mark>,"),
            "{html}"
        );
        let html = snippets(&[("102", 1.0)]).html(text).unwrap();
        assert!(html.contains("E-102, код <mark>102</mark>"), "{html}");
        assert!(!html.contains("E-<mark>"), "{html}");
    }

    #[test]
    fn folding_keeps_byte_offsets() {
        for text in ["ЁЛКА Шлагбаум ß İ Ω", "mixed ЛАТИНИЦА and ёж"] {
            assert_eq!(fold_for_snippets(text).len(), text.len(), "{text}");
        }
        assert_eq!(
            fold_for_snippets("ЁЛКА Шлагбаум"),
            "елка шлагбаум".as_bytes()
        );
        // The byte paths agree with the character one over Latin, the whole Cyrillic block
        // and a few others.
        let every: String = ('\u{0}'..='\u{24F}')
            .chain('\u{400}'..='\u{52F}')
            .chain("İ ß ẞ Ω ǅ 😀".chars())
            .collect();
        let by_char: String = every.chars().map(fold_char).collect();
        assert_eq!(fold_for_snippets(&every), by_char.as_bytes());
    }
}
