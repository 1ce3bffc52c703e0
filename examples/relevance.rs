//! Relevance of suggest. Cross-validated on the project's own tickets (every tuned number
//! chosen on the other folds, for spravka and with each technique off), then measured, never
//! tuned, on outside ticket sets, and timed.
//!
//! cargo run --release --example relevance -- [--root .] [--cv eval/tickets.jsonl]
//!     [--tickets FILE]... [--folds 5] [--only spravka] [--verbose] [--dump FILE]
//!     [--dump-held-out FILE] [--distractors DIR]...
//!
//! `--distractors DIR` (a folder of other documents, e.g. `gen_corpus --docs 10000 --out DIR`;
//! repeatable) tunes, as `spravka tune --distractors` does, for the base alone and among each
//! folder at once, and prints a row for each base in every table; the styles, `--verbose`, `--dump` and the
//! latency are of the base alone.
//!
//! `--dump FILE` also writes, for every ticket of every set, the shipped model's first 20
//! suggestions (path, score, probability) as JSON lines: the input of experiments outside
//! Rust (`eval/experiments/`). `--dump-held-out FILE` writes the project's tickets the same
//! way, each ranked by the model of the fold it was held out of: the shipped model's rankings
//! of them are in-sample, so an experiment that chooses its numbers on them must use these.
//!
//! Without `--tickets`, the project's held-out operators' questions
//! (`eval/operator-questions.jsonl` and `eval/operator-voices.jsonl`, never tuned on) and the
//! outside sets
//! `../shared/eval/dev-tickets.jsonl` and `dev-hard.jsonl` are measured when they exist (the
//! outside ones do only on the project's machines).

use spravka::config::Config;
use spravka::search::article_model::BaseTexts;
use spravka::search::distractors::AmongDistractors;
use spravka::search::eval::{self, Metrics, Ticket};
use spravka::search::{engine_in_ram, Forgiveness, SearchEngine, SuggestModel, SuggestOptions};
use spravka::site::Site;
use std::path::{Path, PathBuf};

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let values = |name: &str| -> Vec<String> {
        args.windows(2)
            .filter(|w| w[0] == name)
            .map(|w| w[1].clone())
            .collect()
    };
    let root = PathBuf::from(values("--root").pop().unwrap_or_else(|| ".".into()));
    let cv_path = values("--cv")
        .pop()
        .unwrap_or_else(|| "eval/tickets.jsonl".into());
    let folds: usize = values("--folds").pop().map_or(Ok(5), |f| f.parse())?;
    let mut outside = values("--tickets");
    if outside.is_empty() {
        outside = [
            "eval/operator-questions.jsonl",
            "eval/operator-voices.jsonl",
            "../shared/eval/dev-tickets.jsonl",
            "../shared/eval/dev-hard.jsonl",
        ]
        .into_iter()
        .filter(|p| Path::new(p).exists())
        .map(String::from)
        .collect();
    }
    let site = Site::load(&root, Config::load(&root)?);
    let model = SuggestModel::load(&root)?;
    let engine = engine_in_ram(&site, model.clone())?;
    let distractors = values("--distractors");
    let mut grown = Vec::new();
    for dir in &distractors {
        let among = AmongDistractors::new(&site.content_dir, &site.config, Path::new(dir))?;
        grown.push(engine_in_ram(&among.site(), model.clone())?);
    }
    let texts = BaseTexts::of(&site);
    let tables = Tables {
        bases: std::iter::once(&engine).chain(&grown).collect(),
        texts: &texts,
        distractors,
        // `--only spravka`: one row per table (each cross-validated row takes a while).
        only: values("--only").pop(),
        verbose: args.iter().any(|a| a == "--verbose"),
    };
    let sizes: Vec<String> = tables
        .bases
        .iter()
        .map(|b| b.num_docs().to_string())
        .collect();
    println!("{} documents\n", sizes.join(" and "));

    let own = eval::read_tickets(Path::new(&cv_path))?;
    println!(
        "## Cross-validated on {cv_path} ({} tickets, {folds} folds)\n",
        own.len()
    );
    header();
    // `--no-cv`: only the measured tables (for looking at misses with `--verbose`).
    if !args.iter().any(|a| a == "--no-cv") {
        tables.cross_validated(&own, folds);
    }
    for path in &outside {
        tables.measured(path, &eval::read_tickets(Path::new(path))?);
    }
    if let Some(file) = values("--dump-held-out").pop() {
        dump_held_out(&engine, &texts, &cv_path, &own, folds, Path::new(&file))?;
    }
    if let Some(file) = values("--dump").pop() {
        let mut sets = vec![(cv_path.clone(), own.clone())];
        for path in &outside {
            sets.push((path.clone(), eval::read_tickets(Path::new(path))?));
        }
        dump(&engine, &sets, Path::new(&file))?;
    }
    println!();
    latency(&engine, &own);
    Ok(())
}

/// The bases measured (the first is the base alone) and what the tables show of them.
struct Tables<'a> {
    bases: Vec<&'a SearchEngine>,
    /// The base's own articles, which the article model reads beside the tickets.
    texts: &'a BaseTexts,
    /// The folder each base after the first was grown with.
    distractors: Vec<String>,
    /// Only this technique's rows.
    only: Option<String>,
    verbose: bool,
}

impl Tables<'_> {
    fn techniques(&self) -> impl Iterator<Item = (&'static str, SuggestOptions)> + '_ {
        techniques()
            .into_iter()
            .filter(|(name, _)| self.only.as_deref().is_none_or(|o| o == *name))
    }

    /// A row's name: the technique's, and with several bases the base's size and the folder it
    /// was grown with.
    fn sized(&self, name: &str, base: usize) -> String {
        match (self.bases.len(), base) {
            (1, _) => name.to_string(),
            (_, 0) => format!("{name}, {} documents", self.bases[0].num_docs()),
            (_, i) => format!(
                "{name}, {} documents among {}",
                self.bases[i].num_docs(),
                self.distractors[i - 1]
            ),
        }
    }

    /// Each technique tuned and measured on held-out folds of `own`, a row per base.
    fn cross_validated(&self, own: &[Ticket], folds: usize) {
        let none = BaseTexts::none();
        for (name, options) in self.techniques() {
            let texts = match name {
                WITHOUT_BASE_TEXTS => &none,
                _ => self.texts,
            };
            let tuned = eval::tune(&self.bases, texts, own, options, folds);
            for (base, metrics) in tuned.cross_validated.iter().enumerate() {
                row(&self.sized(name, base), metrics);
            }
            if name == "spravka" {
                styles(&tuned.cross_validated[0]);
                if self.verbose {
                    held_out_misses(self.bases[0], texts, own, options, folds);
                }
            }
        }
    }

    /// The shipped model on `tickets` (never tuned on), a row per technique and base.
    fn measured(&self, path: &str, tickets: &[Ticket]) {
        println!(
            "\n## {path} ({} tickets), measured with the shipped model\n",
            tickets.len()
        );
        header();
        // The shipped model was fitted once: a row that differs in fitting alone has nothing to show.
        for (name, options) in self
            .techniques()
            .filter(|(name, _)| *name != WITHOUT_BASE_TEXTS)
        {
            let metrics = eval::measure(self.bases[0], tickets, options);
            row(&self.sized(name, 0), &metrics);
            for (i, base) in self.bases.iter().enumerate().skip(1) {
                row(&self.sized(name, i), &eval::measure(base, tickets, options));
            }
            if name == "spravka" {
                styles(&metrics);
                if self.verbose {
                    misses(self.bases[0], tickets);
                }
            }
        }
    }
}

/// Each ticket with the shipped model's first 20 suggestions, one JSON line per ticket.
fn dump(engine: &SearchEngine, sets: &[(String, Vec<Ticket>)], file: &Path) -> anyhow::Result<()> {
    let mut out = String::new();
    for (set, tickets) in sets {
        for t in tickets {
            let response = engine.suggest(&t.text, 20);
            let top = response
                .suggestions
                .iter()
                .map(|s| (s.hit.path.clone(), s.hit.score, s.probability));
            out.push_str(&dump_line(set, t, response.confident, None, top));
        }
    }
    std::fs::write(file, out)?;
    println!("\nwrote {}", file.display());
    Ok(())
}

/// `dump`'s lines for the project's tickets as the cross-validation sees them: each ranked by
/// the model of the fold it was held out of (the shipped model was fitted on all of them, so
/// its rankings of them are in-sample).
fn dump_held_out(
    engine: &SearchEngine,
    texts: &BaseTexts,
    set: &str,
    tickets: &[Ticket],
    folds: usize,
    file: &Path,
) -> anyhow::Result<()> {
    let mut out = String::new();
    for h in held_out(engine, texts, tickets, SuggestOptions::default(), folds, 20) {
        out.push_str(&dump_line(
            set,
            h.ticket,
            h.confident,
            Some(h.fold),
            h.top.into_iter(),
        ));
    }
    std::fs::write(file, out)?;
    println!("\nwrote {}", file.display());
    Ok(())
}

/// One ticket of a dump: its suggestions as (path, score, probability), and for a held-out
/// ranking the fold it was held out of.
fn dump_line(
    set: &str,
    t: &Ticket,
    confident: bool,
    fold: Option<usize>,
    top: impl Iterator<Item = (String, f32, f32)>,
) -> String {
    let suggestions: Vec<_> = top
        .map(|(path, score, probability)| serde_json::json!({"path": path, "score": score, "probability": probability}))
        .collect();
    let mut line = serde_json::json!({"set": set, "id": t.id, "style": t.style, "text": t.text, "expected": t.expected, "confident": confident, "suggestions": suggestions});
    if let Some(fold) = fold {
        line["fold"] = fold.into();
    }
    format!("{line}\n")
}

/// A ticket ranked by the model of the fold it was held out of.
struct HeldOut<'t> {
    ticket: &'t Ticket,
    fold: usize,
    rank: Option<usize>,
    confident: bool,
    /// The first `depth` suggestions: path, score, probability.
    top: Vec<(String, f32, f32)>,
}

/// Every ticket of `tickets` ranked as the cross-validation ranks it.
fn held_out<'t>(
    engine: &SearchEngine,
    texts: &BaseTexts,
    tickets: &'t [Ticket],
    options: SuggestOptions,
    folds: usize,
    depth: usize,
) -> Vec<HeldOut<'t>> {
    let (fold_of, models) = eval::fold_models(engine, texts, tickets, options, folds);
    let searcher = engine.searcher();
    tickets
        .iter()
        .zip(fold_of)
        .map(|(ticket, fold)| {
            let model = &models[fold];
            let outcome = eval::outcome(engine, ticket, options, model);
            let ranked = outcome.ranked(&model.confidence, options, engine.min_probability());
            let top = spravka::search::order(&outcome.candidates, options)
                .iter()
                .take(depth)
                .map(|&i| {
                    let c = &outcome.candidates[i];
                    let p = model.confidence.probability(&c.features);
                    (engine.path_of(&searcher, c.address), c.score, p)
                })
                .collect();
            HeldOut {
                ticket,
                fold,
                rank: ranked.rank,
                confident: ranked.confident,
                top,
            }
        })
        .collect()
}

/// The row whose article model reads the tickets alone, not the base's own articles: it
/// differs from `spravka` in what tuning fits on, not in a serving option.
const WITHOUT_BASE_TEXTS: &str = "without the base's texts in the article model";

fn techniques() -> Vec<(&'static str, SuggestOptions)> {
    let on = SuggestOptions::default();
    let off = |f: fn(&mut SuggestOptions)| {
        let mut o = on;
        f(&mut o);
        o
    };
    vec![
        ("spravka", on),
        ("baseline (all off)", SuggestOptions::baseline()),
        ("without ticket cleaning", off(|o| o.understanding = false)),
        ("without procedural intent", off(|o| o.intent = false)),
        ("without scope", off(|o| o.scope = false)),
        ("without the article model", off(|o| o.articles = false)),
        (
            "without the article model's nominations",
            off(|o| o.nominations = false),
        ),
        (WITHOUT_BASE_TEXTS, on),
        (
            "without section demotion",
            off(|o| o.demote_sections = false),
        ),
        ("without stemming", off(|o| o.forgiveness.stemming = false)),
        ("without synonyms", off(|o| o.forgiveness.synonyms = false)),
        ("without fuzzy", off(|o| o.forgiveness.fuzzy = false)),
        (
            "without translit/layout",
            off(|o| o.forgiveness.transliteration = false),
        ),
    ]
}

fn header() {
    println!("{}", Metrics::table_header());
}

fn row(name: &str, m: &Metrics) {
    println!("{}", m.table_row(name));
}

fn styles(m: &Metrics) {
    let line: Vec<String> = m
        .by_style
        .iter()
        .map(|(style, (n, first, confident))| {
            format!("{style} {n}: R@1 {first}, confident {confident}")
        })
        .collect();
    println!("|  by style: {} | | | | | | | |", line.join("; "));
}

fn misses(engine: &SearchEngine, tickets: &[Ticket]) {
    for t in tickets {
        let r = engine.suggest(&t.text, 5);
        let top = r.suggestions.first();
        let right = top.is_some_and(|s| t.expected.contains(&s.hit.path));
        if !right || r.confident == t.expected.is_empty() {
            eprintln!(
                "{} [{}] confident={} p={:.2} top={:?} expected={:?}",
                t.id,
                t.style,
                r.confident,
                top.map_or(0.0, |s| s.probability),
                top.map(|s| &s.hit.path),
                t.expected
            );
        }
    }
}

/// The project's tickets that each fold's model (fitted on the other folds) gets wrong: a
/// wrong first answer, or a confidence that says the opposite of the truth.
fn held_out_misses(
    engine: &SearchEngine,
    texts: &BaseTexts,
    tickets: &[Ticket],
    options: SuggestOptions,
    folds: usize,
) {
    for h in held_out(engine, texts, tickets, options, folds, 3) {
        let t = h.ticket;
        let wrong_first = !t.expected.is_empty() && h.rank != Some(0);
        if wrong_first || h.confident == t.expected.is_empty() {
            let top: Vec<String> = h
                .top
                .iter()
                .map(|(path, _, p)| format!("{path} {p:.2}"))
                .collect();
            eprintln!(
                "CV {} [{}] rank={:?} confident={} top={:?} expected={:?}\n   {}",
                t.id,
                t.style,
                h.rank,
                h.confident,
                top,
                t.expected,
                t.text.replace('\n', " / ")
            );
        }
    }
}

/// In-process latency of suggest over the tickets, 5 rounds, with and without forgiveness.
fn latency(engine: &SearchEngine, tickets: &[Ticket]) {
    for (name, options) in [
        ("spravka", SuggestOptions::default()),
        (
            "without fuzzy",
            SuggestOptions {
                forgiveness: Forgiveness {
                    fuzzy: false,
                    ..Default::default()
                },
                ..Default::default()
            },
        ),
        ("baseline", SuggestOptions::baseline()),
    ] {
        let mut times: Vec<std::time::Duration> = Vec::new();
        for _ in 0..5 {
            for t in tickets {
                let started = std::time::Instant::now();
                std::hint::black_box(engine.suggest_with(&t.text, 5, options, engine.model()));
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
}
