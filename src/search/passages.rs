//! Passages: which section of a suggested article answers the ticket. A regulation answers
//! an operator's question in one of a dozen sections; the suggestion names that section and
//! links to its heading, so that the operator lands on the answer, not on the top of a long
//! page.
//!
//! A passage is the text under a heading of level 1 to 3 (and the lead before the first
//! one) of a long page ([`LONG_PAGE_BYTES`]), cut at token positions of the body field. The index records where each passage
//! starts and ends; at query time the body's positions of the ticket's terms are counted per
//! passage of the shown suggestions and each passage scored by BM25. No second index: the
//! body's postings already hold everything but the cuts.
//!
//! Adding the best passage's score to every article's was measured and left out of ranking:
//! on the project's tickets it moved Recall@1 by at most a ticket at any weight (0.847 →
//! 0.844 in-sample) and lowered it cross-validated (0.803 → 0.786); the fields «Симптомы»
//! and title already do what passages do for a typical article (BENCHMARKS.md). For a
//! procedural question the regulations found are raised by theirs
//! (`suggest::candidates`): long pages that share one vocabulary, told apart by the one
//! section about the procedure asked.

use super::analyzer::token_offsets;
use super::engine::SearchEngine;
use super::vocabulary::QueryTerm;
use crate::content::Document;
use serde::Serialize;
use tantivy::postings::Postings;
use tantivy::schema::{IndexRecordOption, Value};
use tantivy::{DocAddress, DocSet, Searcher, TantivyDocument, Term};

/// BM25's usual constants (tantivy's own), for passages scored outside tantivy's scorer.
const K1: f32 = 1.2;
const B: f32 = 0.75;

/// A ticket term in a passage's heading adds this many times its weight, outside BM25's
/// saturation: the heading says what the passage is about, as the title does for the page
/// (without it «Краткое описание», which mentions every topic in a few words, outscored the
/// section about the ticket's).
const HEADING_BOOST: f32 = 2.0;

/// Headings of these levels open a passage; deeper ones stay inside their passage.
const DEEPEST_PASSAGE_HEADING: u8 = 3;

/// The passages of one page, in order: each one's token positions in the body field (from,
/// to), and the id and text of the heading that opens it (empty for the lead).
#[derive(Debug, Default, Clone, PartialEq)]
pub struct PagePassages {
    pub starts: Vec<u64>,
    /// Where each passage's heading ends (its start for the lead).
    pub heading_ends: Vec<u64>,
    pub ends: Vec<u64>,
    pub anchors: Vec<String>,
    pub headings: Vec<String>,
}

/// Where a passage is cut in the body (bytes), and what opens it.
struct Cut<'a> {
    at: usize,
    anchor: &'a str,
    heading: &'a str,
    link_bytes: usize,
}

/// A page whose body has at least this many bytes is long enough to be cut into passages and
/// for its suggestion to name the section that matched: a typical article (a body of 5–6 KB,
/// 300–400 words) is read whole, and naming its «Симптомы» would only repeat why it matched;
/// a regulation (11–20 KB) is not. Measured in bytes, known without analysing the body:
/// cutting a page costs a second analysis of it, a third of the index's time when every page
/// was cut.
pub const LONG_PAGE_BYTES: usize = 8 * 1024;

/// The passages of `doc`, whose plain text is `plain` (its searchable body is a suffix of
/// it, see [`Document::readable_body`]); none for a page shorter than [`LONG_PAGE_BYTES`]. A passage that
/// is mostly link text is navigation («Связанные материалы» listing other articles' titles)
/// and is left out: it would answer for them.
pub fn page_passages(doc: &Document, plain: &str) -> PagePassages {
    let body = doc.readable_body(plain);
    if body.len() < LONG_PAGE_BYTES {
        return PagePassages::default();
    }
    cut(doc, plain.len(), body)
}

/// The text of each passage of `doc` (whose plain text is `plain`), whatever the page's
/// length, navigation left out, and only those of more than a few words: what the article
/// model reads of an article (`article_model::BaseTexts`).
pub fn passage_texts<'t>(doc: &Document, plain: &'t str) -> Vec<&'t str> {
    const MORE_WORDS_THAN: usize = 5;
    let body = doc.readable_body(plain);
    let cuts = byte_cuts(doc, plain.len(), body);
    (0..cuts.len())
        .filter_map(|i| {
            let next = cuts.get(i + 1).map_or(body.len(), |c| c.at);
            let text = body.get(cuts[i].at..next)?;
            let words = text.split_whitespace().count();
            (!cuts[i].is_navigation(next) && words > MORE_WORDS_THAN).then_some(text)
        })
        .collect()
}

impl Cut<'_> {
    /// Whether the passage from this cut to `next` is mostly link text: navigation
    /// («Связанные материалы» listing other articles' titles), which would answer for them.
    fn is_navigation(&self, next: usize) -> bool {
        self.link_bytes * 2 > next.saturating_sub(self.at)
    }
}

/// Where `doc`'s passages start in `body` (its readable body; its plain text `plain_len`
/// bytes long), the lead first.
fn byte_cuts<'d>(doc: &'d Document, plain_len: usize, body: &str) -> Vec<Cut<'d>> {
    let body_start = plain_len.saturating_sub(body.len());
    let mut cuts = vec![Cut {
        at: 0,
        anchor: "",
        heading: "",
        link_bytes: 0,
    }];
    for h in doc.rendered.headings.iter().filter(|h| h.in_body) {
        if h.level <= DEEPEST_PASSAGE_HEADING && h.text_offset >= body_start {
            cuts.push(Cut {
                at: h.text_offset - body_start,
                anchor: &h.id,
                heading: &h.text,
                link_bytes: h.link_bytes,
            });
        } else if let Some(last) = cuts.last_mut() {
            last.link_bytes += h.link_bytes;
        }
    }
    cuts
}

/// The passages of `doc` (its plain text `plain_len` bytes long), whatever its length.
fn cut(doc: &Document, plain_len: usize, body: &str) -> PagePassages {
    let cuts = byte_cuts(doc, plain_len, body);
    let tokens = token_offsets(body);
    let end = tokens.last().map_or(0, |&(_, p)| u64::from(p) + 1);
    let position_at = |offset: usize| {
        let i = tokens.partition_point(|&(o, _)| o < offset);
        tokens.get(i).map_or(end, |&(_, p)| u64::from(p))
    };
    let mut out = PagePassages::default();
    for (i, cut) in cuts.iter().enumerate() {
        let next = cuts.get(i + 1).map_or(body.len(), |c| c.at);
        let (from, to) = (position_at(cut.at), position_at(next));
        if to > from && !cut.is_navigation(next) {
            out.starts.push(from);
            out.heading_ends
                .push(position_at(cut.at + cut.heading.len()).min(to));
            out.ends.push(to);
            out.anchors.push(cut.anchor.to_string());
            out.headings.push(cut.heading.to_string());
        }
    }
    out
}

/// A candidate's best passage: its BM25 over the ticket's terms, and its index among the
/// page's passages.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BestPassage {
    pub score: f32,
    pub index: usize,
}

/// The section of an article that answers best, as a suggestion names it.
#[derive(Debug, Clone, Serialize, PartialEq, utoipa::ToSchema)]
pub struct HeadingLink {
    /// The heading's text.
    pub title: String,
    /// The page's URL with the heading's anchor (`/razdel/stranitsa/#id`).
    pub url: String,
}

/// One page's passages while the ticket's terms are counted in them.
struct Scoring {
    /// Its index among the candidates asked about.
    candidate: usize,
    doc: tantivy::DocId,
    starts: Vec<u32>,
    heading_ends: Vec<u32>,
    ends: Vec<u32>,
    /// The page's mean passage length: passages are only compared within their page.
    average: f32,
    scores: Vec<f32>,
}

impl Scoring {
    /// Adds a term of weight `factor` found at `positions` of the page's body: BM25 per
    /// passage, plus [`HEADING_BOOST`] where the passage's heading has it.
    fn add(&mut self, positions: &[u32], factor: f32) {
        let mut counts = vec![(0u32, false); self.scores.len()];
        for &p in positions {
            let at = self.starts.partition_point(|&s| s <= p);
            if at == 0 || at > counts.len() || p >= self.ends[at - 1] {
                continue;
            }
            if p < self.heading_ends[at - 1] {
                counts[at - 1].1 = true;
            } else {
                counts[at - 1].0 += 1;
            }
        }
        for (k, &(tf, in_heading)) in counts.iter().enumerate() {
            let length = (self.ends[k] - self.starts[k]) as f32;
            let tf = tf as f32;
            let norm = K1 * (1.0 - B + B * length / self.average);
            self.scores[k] += factor * tf * (K1 + 1.0) / (tf + norm);
            if in_heading {
                self.scores[k] += factor * HEADING_BOOST;
            }
        }
    }

    /// The passage that scored highest (the earlier of equals), if any scored.
    fn best(&self) -> Option<BestPassage> {
        self.scores
            .iter()
            .enumerate()
            .filter(|(_, &s)| s > 0.0)
            .fold(
                None,
                |acc: Option<BestPassage>, (index, &score)| match acc {
                    Some(b) if b.score >= score => Some(b),
                    _ => Some(BestPassage { score, index }),
                },
            )
    }
}

impl SearchEngine {
    /// For each of `addresses`, its best passage for `terms` (each weighted by `weight`
    /// on top of its IDF), or none when it has no passages or none has any of them. One
    /// postings list per term and segment, walked forward through the sorted documents.
    pub(super) fn best_passages(
        &self,
        searcher: &Searcher,
        addresses: &[DocAddress],
        terms: &[QueryTerm],
        weight: impl Fn(&QueryTerm) -> f32,
    ) -> Vec<Option<BestPassage>> {
        let mut best = vec![None; addresses.len()];
        let mut order: Vec<usize> = (0..addresses.len()).collect();
        order.sort_by_key(|&i| (addresses[i].segment_ord, addresses[i].doc_id));
        let mut positions = Vec::new();
        for group in order.chunk_by(|&a, &b| addresses[a].segment_ord == addresses[b].segment_ord) {
            let segment = searcher.segment_reader(addresses[group[0]].segment_ord);
            let mut pages = passages_of(segment, group, addresses);
            // Short pages have no passages: their postings are not read at all.
            if pages.is_empty() {
                continue;
            }
            let Ok(inverted) = segment.inverted_index(self.fields.body) else {
                continue;
            };
            for term in terms {
                let key = Term::from_field_text(self.fields.body, &term.term);
                let Ok(Some(mut postings)) =
                    inverted.read_postings(&key, IndexRecordOption::WithFreqsAndPositions)
                else {
                    continue;
                };
                let factor = weight(term) * term.idf;
                for page in &mut pages {
                    // `seek` only moves forward, and the documents are in order.
                    if postings.doc() <= page.doc && postings.seek(page.doc) == page.doc {
                        postings.positions(&mut positions);
                        page.add(&positions, factor);
                    }
                }
            }
            for page in &pages {
                best[page.candidate] = page.best();
            }
        }
        best
    }
    /// The heading and link of passage `index` of the page at `address`; none for the lead
    /// (the page itself is the link then).
    pub(super) fn heading_link(
        &self,
        searcher: &Searcher,
        address: DocAddress,
        index: usize,
    ) -> Option<HeadingLink> {
        let doc: TantivyDocument = searcher.doc(address).ok()?;
        let nth = |field| {
            doc.get_all(field)
                .nth(index)
                .and_then(|v| v.as_str().map(String::from))
        };
        let anchor = nth(self.fields.passage_anchor).filter(|a| !a.is_empty())?;
        let url = doc.get_first(self.fields.url).and_then(|v| v.as_str())?;
        Some(HeadingLink {
            title: nth(self.fields.passage_heading).unwrap_or_default(),
            url: format!("{url}#{anchor}"),
        })
    }
}

/// The passages of the candidates `group` (indexes into `addresses`, all in `segment`, in
/// document order) that have any, read from the index's columns.
fn passages_of(
    segment: &tantivy::SegmentReader,
    group: &[usize],
    addresses: &[DocAddress],
) -> Vec<Scoring> {
    let fast = segment.fast_fields();
    let (Ok(starts), Ok(heading_ends), Ok(ends)) = (
        fast.u64("passage_starts"),
        fast.u64("passage_heading_ends"),
        fast.u64("passage_ends"),
    ) else {
        return Vec::new();
    };
    group
        .iter()
        .filter_map(|&candidate| {
            let doc = addresses[candidate].doc_id;
            let read = |column: &tantivy::columnar::Column<u64>| {
                let mut v: Vec<u32> = column.values_for_doc(doc).map(|v| v as u32).collect();
                // Each is increasing in the page's order; sorted, they stay paired.
                v.sort_unstable();
                v
            };
            let (starts, heading_ends, ends) = (read(&starts), read(&heading_ends), read(&ends));
            let count = starts.len().min(heading_ends.len()).min(ends.len());
            if count == 0 {
                return None;
            }
            let total: u32 = (0..count).map(|k| ends[k] - starts[k]).sum();
            Some(Scoring {
                candidate,
                doc,
                starts,
                heading_ends,
                ends,
                average: (total as f32 / count as f32).max(1.0),
                scores: vec![0.0; count],
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::content::document::parse_document;
    use crate::content::markdown::MarkdownOptions;
    use crate::search::analyzer::analyze;

    /// The passages of `source` as (heading, the terms inside it).
    fn passages_of(source: &str) -> Vec<(String, Vec<String>)> {
        let doc = parse_document("x.md", source.to_string(), MarkdownOptions::default());
        let plain = doc.rendered.plain_text.read();
        let body = doc.readable_body(&plain);
        let terms = analyze(body);
        let p = cut(&doc, plain.len(), body);
        (0..p.starts.len())
            .map(|i| {
                let inside = terms
                    .iter()
                    .filter(|t| (p.starts[i]..p.ends[i]).contains(&u64::from(t.position)))
                    .map(|t| t.term.clone())
                    .collect();
                (p.headings[i].clone(), inside)
            })
            .collect()
    }

    #[test]
    fn passages_are_cut_at_headings_up_to_level_three() {
        let found = passages_of(
            "# Заголовок\n\nВступление про шлагбаум.\n\n## Коды закрытия\n\nТаблица кодов.\n\n### Автозакрытие\n\nЧерез семь дней.\n\n#### Мелочь\n\nЕщё про автозакрытие.\n",
        );
        let headings: Vec<&str> = found.iter().map(|(h, _)| h.as_str()).collect();
        assert_eq!(headings, ["", "Коды закрытия", "Автозакрытие"]);
        assert_eq!(
            found[0].1,
            analyze("Вступление про шлагбаум")
                .into_iter()
                .map(|t| t.term)
                .collect::<Vec<_>>()
        );
        assert_eq!(
            found[1].1,
            analyze("Коды закрытия Таблица кодов")
                .into_iter()
                .map(|t| t.term)
                .collect::<Vec<_>>()
        );
        assert_eq!(
            found[2].1,
            analyze("Автозакрытие Через семь дней Мелочь Ещё про автозакрытие")
                .into_iter()
                .map(|t| t.term)
                .collect::<Vec<_>>(),
            "a level-4 heading stays inside its passage"
        );
    }

    #[test]
    fn a_short_page_is_not_cut() {
        let doc = parse_document(
            "x.md",
            "# T\n\n## A\n\nТекст.\n".into(),
            MarkdownOptions::default(),
        );
        assert_eq!(
            page_passages(&doc, &doc.rendered.plain_text.read()),
            PagePassages::default()
        );
    }

    #[test]
    fn a_section_of_links_is_navigation_not_a_passage() {
        let found = passages_of(
            "# Статья\n\n## Решение\n\nПерезапустите контроллер.\n\n## Связанные материалы\n\n- [Контроллер шлагбаума не на связи](./a.md)\n- [Шлагбаум не открывается](./b.md)\n",
        );
        let headings: Vec<&str> = found.iter().map(|(h, _)| h.as_str()).collect();
        assert_eq!(headings, ["Решение"], "{found:?}");
    }
}
