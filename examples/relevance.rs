//! Relevance benchmark: runs the dev tickets through `suggest` on the default knowledge base
//! and prints Recall@1, Recall@3, MRR@5, confidence shares and every miss, for spravka and for
//! a plain baseline (no stemming, synonyms, fuzziness or transliteration).
//!
//! cargo run --release --example relevance -- [--tickets ../shared/eval/dev-tickets.jsonl] [--root .] [--verbose]

use spravka::config::Config;
use spravka::search::synonyms::Synonyms;
use spravka::search::{FieldBoosts, SearchEngine, SuggestOptions};
use spravka::site::Site;
use std::path::PathBuf;

#[derive(serde::Deserialize)]
struct Ticket {
    id: String,
    text: String,
    expected: Vec<String>,
}

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let arg = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .cloned()
    };
    let root = PathBuf::from(arg("--root").unwrap_or_else(|| ".".into()));
    let tickets_path =
        arg("--tickets").unwrap_or_else(|| "../shared/eval/dev-tickets.jsonl".into());
    let verbose = args.iter().any(|a| a == "--verbose");
    let tickets: Vec<Ticket> = std::fs::read_to_string(&tickets_path)?
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(serde_json::from_str)
        .collect::<Result<_, _>>()?;
    let config = Config::load(&root)?;
    let synonyms_path = root.join(&config.content_dir).join(&config.synonyms_file);
    let site = Site::load(&root, config);
    let synonyms = Synonyms::parse(&std::fs::read_to_string(synonyms_path).unwrap_or_default())?;
    // The site's own `[suggest]` thresholds, so that a recalibration can be checked here.
    let engine = SearchEngine::new(spravka::search::index::build_in_ram(&site)?, synonyms)?
        .with_confidence(site.config.suggest);
    println!(
        "{} tickets, {} documents\n",
        tickets.len(),
        engine.num_docs()
    );
    println!("| method | Recall@1 | Recall@3 | MRR@5 | matchable confident | out-of-scope not confident |");
    println!("|---|---|---|---|---|---|");
    if args.iter().any(|a| a == "--tune") {
        tune(&engine, &tickets);
        return Ok(());
    }
    let techniques = [
        ("spravka", SuggestOptions::default()),
        ("baseline", SuggestOptions::baseline()),
        (
            "without stemming",
            SuggestOptions {
                stemming: false,
                ..Default::default()
            },
        ),
        (
            "without synonyms",
            SuggestOptions {
                synonyms: false,
                ..Default::default()
            },
        ),
        (
            "without fuzzy",
            SuggestOptions {
                fuzzy: false,
                ..Default::default()
            },
        ),
        (
            "without translit/layout",
            SuggestOptions {
                transliteration: false,
                ..Default::default()
            },
        ),
    ];
    for (name, options) in techniques {
        let (mut r1, mut r3, mut mrr, mut conf, mut matchable, mut oos, mut oos_ok) =
            (0.0, 0.0, 0.0, 0, 0, 0, 0);
        let mut misses = vec![];
        for t in &tickets {
            let response = engine.suggest_with(&t.text, 5, options);
            let paths: Vec<&str> = response
                .suggestions
                .iter()
                .map(|s| s.hit.path.as_str())
                .collect();
            if verbose && name == "spravka" {
                let top = response.suggestions.first();
                println!(
                    "{} conf={} score={:.2} cov={:.2} matched={:?} top={:?}",
                    t.id,
                    response.confident,
                    top.map_or(0.0, |s| s.hit.score),
                    response.coverage,
                    top.map(|s| &s.matched_terms),
                    top.map(|s| &s.hit.title)
                );
            }
            if t.expected.is_empty() {
                oos += 1;
                if !response.confident {
                    oos_ok += 1;
                } else {
                    misses.push(format!(
                        "{}: out of scope but confident → {:?}",
                        t.id,
                        paths.first()
                    ));
                }
                continue;
            }
            matchable += 1;
            if response.confident {
                conf += 1;
            }
            let rank = paths.iter().position(|p| t.expected.iter().any(|e| e == p));
            match rank {
                Some(0) => {
                    r1 += 1.0;
                    r3 += 1.0;
                }
                Some(r) if r < 3 => r3 += 1.0,
                _ => {}
            }
            if let Some(r) = rank {
                mrr += 1.0 / (r as f64 + 1.0);
            }
            if rank != Some(0) {
                misses.push(format!(
                    "{}: expected {:?} at rank {:?}; got {:?}",
                    t.id,
                    t.expected,
                    rank.map(|r| r + 1),
                    &paths[..paths.len().min(3)]
                ));
            }
        }
        let n = matchable as f64;
        println!(
            "| {name} | {:.3} | {:.3} | {:.3} | {}/{} | {}/{} |",
            r1 / n,
            r3 / n,
            mrr / n,
            conf,
            matchable,
            oos_ok,
            oos
        );
        if name == "spravka" || (verbose && name == "baseline") {
            for m in &misses {
                eprintln!("  miss ({name}) {m}");
            }
        }
    }
    // In-process latency of suggest over the same tickets, 20 rounds, per configuration.
    println!();
    for (name, options) in [
        ("spravka", SuggestOptions::default()),
        (
            "without fuzzy",
            SuggestOptions {
                fuzzy: false,
                ..Default::default()
            },
        ),
        ("baseline", SuggestOptions::baseline()),
    ] {
        let mut times: Vec<std::time::Duration> = Vec::new();
        for _ in 0..20 {
            for t in &tickets {
                let started = std::time::Instant::now();
                std::hint::black_box(engine.suggest_with(&t.text, 5, options));
                times.push(started.elapsed());
            }
        }
        times.sort();
        let pct = |p: f64| times[((times.len() as f64 - 1.0) * p) as usize];
        println!(
            "suggest latency ({name}) over {} calls: p50 {:.2?}, p99 {:.2?}",
            times.len(),
            pct(0.5),
            pct(0.99)
        );
    }
    Ok(())
}

/// Recall@1, MRR@5 and the confidence separation (lowest answerable top score over the highest
/// out-of-scope one: the larger, the safer the `confident` threshold) for a grid of boosts.
fn tune(engine: &SearchEngine, tickets: &[Ticket]) {
    println!("| title | symptoms | headings | tags | body | Recall@1 | MRR@5 | lowest answerable | highest out-of-scope | ratio |");
    println!("|---|---|---|---|---|---|---|---|---|---|");
    for title in [1.0, 2.0, 3.0, 4.0] {
        for symptoms in [1.0, 2.0, 3.0] {
            for headings in [0.5, 1.0] {
                let boosts = FieldBoosts {
                    title,
                    symptoms,
                    headings,
                    tags: 1.0,
                    body: 1.0,
                };
                let options = SuggestOptions {
                    boosts,
                    ..Default::default()
                };
                let (mut r1, mut mrr, mut n, mut low, mut high) = (0.0, 0.0, 0.0, f32::MAX, 0.0f32);
                for t in tickets {
                    let r = engine.suggest_with(&t.text, 5, options);
                    let top = r.suggestions.first().map_or(0.0, |s| s.hit.score);
                    if t.expected.is_empty() {
                        high = high.max(top);
                        continue;
                    }
                    n += 1.0;
                    low = low.min(top);
                    if let Some(rank) = r
                        .suggestions
                        .iter()
                        .position(|s| t.expected.contains(&s.hit.path))
                    {
                        mrr += 1.0 / (rank as f64 + 1.0);
                        if rank == 0 {
                            r1 += 1.0;
                        }
                    }
                }
                println!(
                    "| {title} | {symptoms} | {headings} | 1 | 1 | {:.3} | {:.3} | {low:.1} | {high:.1} | {:.2} |",
                    r1 / n,
                    mrr / n,
                    low / high
                );
            }
        }
    }
}
