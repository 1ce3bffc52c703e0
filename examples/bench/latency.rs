//! Figure (3): suggest and search latency in-process over the project's tickets, index in RAM as
//! `examples/relevance.rs` opens it.

use super::util::{fail, percentile};
use spravka::config::Config;
use spravka::search::synonyms::Synonyms;
use spravka::search::{SearchEngine, SearchRequest};
use spravka::site::Site;
use std::path::Path;
use std::time::Instant;

pub struct Latency {
    pub suggest: (f64, f64),
    pub search: (f64, f64),
}

pub fn measure(corpus: &Path, tickets: &Path, rounds: usize) -> Latency {
    let text = std::fs::read_to_string(tickets).unwrap_or_else(|e| {
        fail(&format!(
            "{}: {e} (the project's tickets live in eval/)",
            tickets.display()
        ))
    });
    let tickets: Vec<String> = text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            serde_json::from_str::<serde_json::Value>(l)
                .ok()
                .and_then(|v| v["text"].as_str().map(str::to_owned))
                .unwrap_or_else(|| fail("a dev ticket without text"))
        })
        .collect();
    let config = Config::load(corpus).unwrap_or_else(|e| fail(&e.to_string()));
    let synonyms = Synonyms::parse(
        &std::fs::read_to_string(corpus.join("content/synonyms.toml")).unwrap_or_default(),
    )
    .unwrap_or_else(|e| fail(&e.to_string()));
    let site = Site::load(corpus, config);
    let index =
        spravka::search::index::build_in_ram(&site).unwrap_or_else(|e| fail(&e.to_string()));
    let engine = SearchEngine::new(index, synonyms).unwrap_or_else(|e| fail(&e.to_string()));
    let (mut suggest, mut search) = (Vec::new(), Vec::new());
    for _ in 0..rounds {
        for ticket in &tickets {
            let start = Instant::now();
            std::hint::black_box(engine.suggest(ticket, 5));
            suggest.push(start.elapsed().as_secs_f64() * 1000.0);
            // Search-as-you-type: the ticket's first three words, the last one half typed.
            let words: Vec<&str> = ticket.split_whitespace().take(3).collect();
            let mut query = words.join(" ");
            let cut = query
                .char_indices()
                .rev()
                .nth(2)
                .map_or(query.len(), |(i, _)| i);
            query.truncate(cut);
            let request = SearchRequest {
                query,
                limit: 10,
                section: None,
                tag: None,
            };
            let start = Instant::now();
            std::hint::black_box(engine.search(&request));
            search.push(start.elapsed().as_secs_f64() * 1000.0);
        }
    }
    Latency {
        suggest: (
            percentile(&mut suggest, 50.0),
            percentile(&mut suggest, 99.0),
        ),
        search: (percentile(&mut search, 50.0), percentile(&mut search, 99.0)),
    }
}
