//! Finding a ticket's candidates: the ticket's query (`ticket_query`: every term in every
//! boosted field, weighted by how it was found, with phrase pairs); a regulation's score
//! scaled by the ticket's intent and, for a procedural question, raised by its best section;
//! and each found article described for the model (the article model's affinity and what
//! operators taught come after, `suggest`).

use super::ticket_query::{tied_across, TicketQuery};
use super::{Candidate, Pool, Reading, SuggestOptions, POOL};
use crate::search::engine::{by_score_then_path, SearchEngine};
use crate::search::features::{ArticleFacts, TicketFacts, WordMatches};
use crate::search::index::Role;
use crate::search::model::Ranking;
use crate::search::vocabulary::{QueryTerm, TextTerms};
use tantivy::{DocAddress, Searcher};

impl SearchEngine {
    /// The candidates of a ticket's [`understood`](super::understood) problem, found and described (unordered) for
    /// a ticket read as `reading`: at least [`POOL`] of them to order, more when more
    /// suggestions are asked for, and the articles `nominated` by the article model
    /// ([`nominated`](super::nominated)) where the search did not find them. The article
    /// model's affinity and what operators taught come after
    /// ([`add_affinities`](super::add_affinities),
    /// [`Pool::apply_learned`](super::Pool::apply_learned)).
    pub fn pool(
        &self,
        searcher: &Searcher,
        problem: &str,
        (reading, nominated): (Reading, &[String]),
        limit: usize,
        options: SuggestOptions,
        ranking: &Ranking,
    ) -> Pool {
        let vocabulary = self.text_terms(searcher, problem, options.forgiveness);
        if vocabulary.terms.is_empty() {
            return Pool {
                candidates: vec![],
                terms: vec![],
            };
        }
        let Some(query) = self.ticket_query(searcher, &vocabulary.terms, ranking) else {
            return Pool {
                candidates: vec![],
                terms: vec![],
            };
        };
        let mut found = self.found(
            searcher,
            &query,
            limit.max(POOL),
            reading.procedural,
            ranking,
            options,
        );
        let addresses: Vec<DocAddress> = found.iter().map(|f| f.address).collect();
        let mut paths = self.paths(searcher, &addresses);
        // A nominee found past the pool (more suggestions were asked for) joins it as one
        // the search missed does: asking for more must not change what the pool holds.
        for (f, path) in found.iter_mut().zip(&paths) {
            f.beyond_pool &= !nominated.contains(path);
        }
        let missing: Vec<&String> = nominated.iter().filter(|n| !paths.contains(n)).collect();
        let (scored, missing_paths) = self.nominees(searcher, &query, &missing);
        found.extend(self.found_at(searcher, &scored, reading.procedural, ranking, options));
        paths.extend(missing_paths);
        if options.intent && ranking.reads_procedural(reading.procedural) {
            self.add_section_match(searcher, &mut found, &vocabulary.terms, ranking);
        }
        let scores: Vec<f32> = found.iter().map(|f| f.score).collect();
        // The pool first (stable: by score within it), then what more suggestions asked for.
        let mut order = by_score_then_path(&scores, &paths);
        order.sort_by_key(|&i| found[i].beyond_pool);
        let (found, paths): (Vec<Found>, Vec<String>) = order
            .into_iter()
            .map(|i| (found[i], paths[i].clone()))
            .unzip();
        let candidates = self.describe(searcher, &vocabulary, (&found, paths), reading);
        Pool {
            candidates,
            terms: vocabulary.terms,
        }
    }

    /// The top `size` articles for `query`, with their role factor applied (a regulation's
    /// score is scaled by what the ticket is) and their title's term count; articles tied at
    /// a cut (of `size`, and of the pool's [`POOL`]) are kept or left by path.
    fn found(
        &self,
        searcher: &Searcher,
        query: &TicketQuery,
        size: usize,
        procedural: f32,
        ranking: &Ranking,
        options: SuggestOptions,
    ) -> Vec<Found> {
        let mut top = query.top(searcher, size);
        self.order_ties_by_path(searcher, &mut top, size);
        top.truncate(size);
        self.order_ties_by_path(searcher, &mut top, POOL);
        let mut found = self.found_at(searcher, &top, procedural, ranking, options);
        for f in found.iter_mut().skip(POOL) {
            f.beyond_pool = true;
        }
        found
    }

    /// Orders the articles of `top` (best first) tied across a cut of the first `at` by path,
    /// so that which of them the cut keeps does not depend on the order the index holds them
    /// in (built on several threads, or edit by edit).
    fn order_ties_by_path(&self, searcher: &Searcher, top: &mut [(f32, DocAddress)], at: usize) {
        let tied = tied_across(top, at);
        if tied.is_empty() {
            return;
        }
        let group = &mut top[tied];
        let addresses: Vec<DocAddress> = group.iter().map(|&(_, a)| a).collect();
        let paths = self.paths(searcher, &addresses);
        let mut by_path: Vec<usize> = (0..group.len()).collect();
        by_path.sort_by(|&a, &b| paths[a].cmp(&paths[b]));
        let ordered: Vec<(f32, DocAddress)> = by_path.iter().map(|&i| group[i]).collect();
        group.copy_from_slice(&ordered);
    }

    /// Each scored address as found, its role factor applied, in the pool.
    fn found_at(
        &self,
        searcher: &Searcher,
        scored: &[(f32, DocAddress)],
        procedural: f32,
        ranking: &Ranking,
        options: SuggestOptions,
    ) -> Vec<Found> {
        let procedural = ranking.reads_procedural(procedural);
        let addresses: Vec<DocAddress> = scored.iter().map(|&(_, a)| a).collect();
        scored
            .iter()
            .zip(self.roles(searcher, &addresses))
            .map(|(&(score, address), (role, title_terms))| {
                let factor = match (role, options.intent, procedural) {
                    (Role::Regulation, true, true) => ranking.procedural_regulation,
                    (Role::Regulation, true, false) => ranking.customer_regulation,
                    _ => 1.0,
                };
                Found {
                    address,
                    score: score * factor,
                    role,
                    title_terms,
                    beyond_pool: false,
                }
            })
            .collect()
    }

    /// The articles at `paths` that the index has, each with its score for `query` (0 when
    /// it matches none of the ticket's words: the article model alone may know it), and
    /// their paths.
    fn nominees(
        &self,
        searcher: &Searcher,
        query: &TicketQuery,
        paths: &[&String],
    ) -> (Vec<(f32, DocAddress)>, Vec<String>) {
        let (addresses, paths): (Vec<DocAddress>, Vec<String>) = paths
            .iter()
            .filter_map(|&path| Some((self.address_of_path(searcher, path)?, path.clone())))
            .unzip();
        let scores = query.scores_at(searcher, &addresses);
        (scores.into_iter().zip(addresses).collect(), paths)
    }

    /// For a procedural question, each regulation of the pool (the first [`POOL`] found and
    /// the nominated) gains by
    /// its best section ([`best_passages`](SearchEngine::best_passages)): `procedural_section`
    /// × the highest score found (role factor applied) × its best section's score over the
    /// best of those regulations'. Regulations share their whole vocabulary (обращение,
    /// клиент, приоритет), so over a 15 KB page BM25 hears the customer's problem the operator
    /// quotes louder than the procedure asked about; the one section about that procedure
    /// tells them apart. Only the pool: asking for more suggestions must not
    /// change the order of the first ones. The gain is relative, so the best-matching
    /// regulation gains the full share however weakly it matched: the intent decided that a
    /// regulation is wanted. A regulation too short to have sections gains nothing.
    fn add_section_match(
        &self,
        searcher: &Searcher,
        found: &mut [Found],
        terms: &[QueryTerm],
        ranking: &Ranking,
    ) {
        if ranking.procedural_section <= 0.0 {
            return;
        }
        let regulations: Vec<usize> = (0..found.len())
            .filter(|&i| !found[i].beyond_pool && found[i].role == Role::Regulation)
            .collect();
        let addresses: Vec<DocAddress> = regulations.iter().map(|&i| found[i].address).collect();
        let best = self.best_passages(searcher, &addresses, terms, |t| {
            ranking.origin_weight(t.origin)
        });
        let best_of_all = best.iter().flatten().map(|b| b.score).fold(0.0, f32::max);
        if best_of_all <= 0.0 {
            return;
        }
        let first = found
            .iter()
            .filter(|f| !f.beyond_pool)
            .map(|f| f.score)
            .fold(0.0, f32::max);
        for (&i, passage) in regulations.iter().zip(best) {
            if let Some(passage) = passage {
                found[i].score += ranking.procedural_section * first * passage.score / best_of_all;
            }
        }
    }

    /// Every found article with its matched words and features.
    fn describe(
        &self,
        searcher: &Searcher,
        vocabulary: &TextTerms,
        (found, paths): (&[Found], Vec<String>),
        reading: Reading,
    ) -> Vec<Candidate> {
        let terms = &vocabulary.terms;
        let words: Vec<&str> = terms.iter().map(|t| t.term.as_str()).collect();
        let addresses: Vec<DocAddress> = found.iter().map(|f| f.address).collect();
        let matches = self.field_matches(searcher, &addresses, &words);
        let ticket = TicketFacts::new(vocabulary);
        let top_score = found
            .first()
            .map_or(0.0, |f| f.score)
            .max(f32::MIN_POSITIVE);
        found
            .iter()
            .zip(matches.into_iter().zip(paths))
            .enumerate()
            .map(|(i, (f, (m, path)))| {
                // Within its group: the pool is described as if nothing more was asked for.
                let next_score = found
                    .get(i + 1)
                    .filter(|n| n.beyond_pool == f.beyond_pool)
                    .map_or(0.0, |n| n.score);
                let matches = WordMatches::new(terms, &m);
                let article = ArticleFacts {
                    score: f.score,
                    top_score,
                    next_score,
                    regulation: f.role == Role::Regulation,
                    title_terms: f.title_terms,
                };
                Candidate {
                    address: f.address,
                    path,
                    beyond_pool: f.beyond_pool,
                    score: f.score,
                    role: f.role,
                    features: ticket.features(&matches, &article, reading),
                    matches,
                }
            })
            .collect()
    }
}

/// A found article, before it is described.
#[derive(Clone, Copy)]
struct Found {
    address: DocAddress,
    /// BM25 with the role factor and a procedural question's section gain.
    score: f32,
    role: Role,
    /// Its title's distinct term count.
    title_terms: u64,
    /// Found past the first [`POOL`] by the search itself.
    beyond_pool: bool,
}
