//! What operators' feedback does for suggest (`spravka::feedback::replay`): each fold of the
//! project's tickets held out, the model fitted on the others, the next fold replayed as
//! operators' votes; before, after, and after with one hostile client. Then the outside sets
//! (never tuned on) before and after the votes of every own ticket, and suggest's latency with
//! those votes learned.
//!
//! cargo run --release --example feedback_replay -- [--root .] [--cv eval/tickets.jsonl]
//!     [--tickets FILE]... [--no-replay]
//!
//! `--no-replay` skips the folds (for a large base, where only the outside sets and the
//! latency are wanted).

use spravka::config::Config;
use spravka::feedback::privacy::ticket_terms;
use spravka::feedback::replay::{replay, Learning};
use spravka::search::article_model::BaseTexts;
use spravka::search::eval::{self, Metrics, Ticket};
use spravka::search::learned::{Learned, Lesson, CONFIRMED_GAIN, REJECTED_LOSS};
use spravka::search::{SearchEngine, SuggestModel, SuggestOptions};
use spravka::site::Site;
use std::path::{Path, PathBuf};
use std::time::Instant;

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let values = |name: &str| -> Vec<String> {
        args.windows(2)
            .filter(|w| w[0] == name)
            .map(|w| w[1].clone())
            .collect()
    };
    let root = PathBuf::from(values("--root").pop().unwrap_or_else(|| ".".into()));
    let cv = values("--cv")
        .pop()
        .unwrap_or_else(|| "eval/tickets.jsonl".into());
    let mut outside = values("--tickets");
    if outside.is_empty() {
        outside = ["../shared/eval/dev-hard.jsonl"]
            .into_iter()
            .filter(|p| Path::new(p).exists())
            .map(String::from)
            .collect();
    }
    let config = Config::load(&root)?;
    let cap = config.feedback.confirmation_cap;
    let site = Site::load(&root, config);
    let engine = spravka::search::engine_in_ram(&site, SuggestModel::load(&root)?)?;
    let own = eval::read_tickets(Path::new(&cv))?;
    println!(
        "{} documents, {} tickets, cap {cap}\n",
        engine.num_docs(),
        own.len()
    );
    if !args.iter().any(|a| a == "--no-replay") {
        replays(&engine, &BaseTexts::of(&site), &own, cap, &cv);
    }
    let learned = votes_of(&own, cap);
    for path in &outside {
        let tickets = eval::read_tickets(Path::new(path))?;
        println!(
            "\n## {path}: before and after the votes of all {} own tickets\n",
            own.len()
        );
        println!("{}", Metrics::table_header());
        let before = measure(&engine, &tickets, &Learned::default());
        println!("{}", before.table_row("before"));
        println!(
            "{}",
            measure(&engine, &tickets, &learned).table_row("after")
        );
    }
    latency(&engine, &own, &learned);
    Ok(())
}

/// The fold replay with the shipped gains and two others.
fn replays(engine: &SearchEngine, texts: &BaseTexts, own: &[Ticket], cap: u32, cv: &str) {
    println!("## Fold replay on {cv}: held-out fold, votes of the next fold\n");
    println!("{}", Metrics::table_header());
    for (gain, loss) in [(CONFIRMED_GAIN, REJECTED_LOSS), (2.0, 2.0), (4.0, 4.0)] {
        let learning = Learning { cap, gain, loss };
        let r = replay(engine, texts, own, SuggestOptions::default(), 5, learning);
        if gain == CONFIRMED_GAIN && loss == REJECTED_LOSS {
            println!("{}", r.before.table_row("before (no feedback)"));
        }
        let name = format!("gain {gain}, loss {loss}");
        let after = format!("after, {name} ({} votes)", r.votes);
        println!("{}", r.after.table_row(&after));
        let hostile = format!("+ one hostile client, {name}");
        println!("{}", r.hostile.table_row(&hostile));
    }
}

/// What the votes of every ticket teach (as an operator would vote: its answer confirmed).
fn votes_of(tickets: &[Ticket], cap: u32) -> Learned {
    let mut learned = Learned::new(cap);
    for t in tickets {
        if let Some(answer) = t.expected.first() {
            learned.learn(answer, Lesson::Confirmed, &ticket_terms(&t.text), &t.id);
        }
    }
    learned
}

fn measure(engine: &SearchEngine, tickets: &[Ticket], learned: &Learned) -> Metrics {
    let (model, options) = (engine.model(), SuggestOptions::default());
    let mut metrics = Metrics::default();
    for t in tickets {
        let outcome = eval::outcome_learning(engine, t, options, model, learned);
        metrics.add(
            t,
            outcome.ranked(&model.confidence, options, engine.min_probability()),
        );
    }
    metrics
}

/// Suggest's latency over the tickets, without and with the learned votes, in one run.
fn latency(engine: &SearchEngine, tickets: &[Ticket], learned: &Learned) {
    for (name, learned) in [
        ("without feedback", &Learned::default()),
        ("with feedback", learned),
    ] {
        let mut times: Vec<f64> = Vec::new();
        for _ in 0..3 {
            for t in tickets {
                let start = Instant::now();
                std::hint::black_box(engine.suggest_learning(&t.text, 5, learned));
                times.push(start.elapsed().as_secs_f64() * 1000.0);
            }
        }
        times.sort_by(f64::total_cmp);
        let at = |q: f64| times[((times.len() - 1) as f64 * q) as usize];
        println!(
            "\nsuggest latency {name}: p50 {:.2} ms, p99 {:.2} ms",
            at(0.5),
            at(0.99)
        );
    }
}
