//! `spravka tune`: refits suggest's ranking numbers and confidence model on a department's
//! own labelled tickets, prints the cross-validated figures, and writes `suggest-model.toml`.

use super::RootArg;
use crate::search::eval::{self, Metrics};
use crate::search::model::MODEL_FILE;
use crate::search::{SearchEngine, SuggestModel, SuggestOptions};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    root: RootArg,
    /// Labelled tickets, one JSON object a line: {"id", "text", "expected": [paths], "style"}.
    #[arg(long)]
    tickets: PathBuf,
    /// Folds of the cross-validation.
    #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u16).range(2..=20))]
    folds: u16,
    /// Where to write the model (default: suggest-model.toml beside spravka.toml).
    #[arg(long)]
    out: Option<PathBuf>,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let root = &args.root.root;
    let config = crate::config::Config::load(root)?;
    let settings = config.suggest.clone();
    let site = crate::site::Site::load(root, config);
    let tickets = eval::read_tickets(&args.tickets)?;
    anyhow::ensure!(
        !tickets.is_empty(),
        "{}: no tickets",
        args.tickets.display()
    );
    for t in &tickets {
        for path in &t.expected {
            anyhow::ensure!(
                site.page_by_path(path).is_some(),
                "{}: ticket {} expects {path}, which is not a document of {}",
                args.tickets.display(),
                t.id,
                site.content_dir.display()
            );
        }
    }
    let synonyms = crate::search::load_synonyms(&site).map_err(anyhow::Error::msg)?;
    let index = crate::search::index::build_in_ram(&site)?;
    let engine =
        SearchEngine::new(index, synonyms)?.with_suggest(settings, SuggestModel::load(root)?);
    eprintln!(
        "tuning on {} tickets ({} folds) over {} documents…",
        tickets.len(),
        args.folds,
        engine.num_docs()
    );
    let tuned = eval::tune(
        &engine,
        &tickets,
        SuggestOptions::default(),
        args.folds.into(),
    );
    let summary = summary(&tuned.cross_validated, tuned.folds, tickets.len());
    println!("{summary}");
    let out = args.out.unwrap_or_else(|| root.join(MODEL_FILE));
    let comment = format!(
        "Written by `spravka tune --tickets {}`: every number below was chosen on these tickets.\n{summary}",
        args.tickets.display()
    );
    std::fs::write(&out, tuned.model.to_toml(&comment))
        .map_err(|e| anyhow::anyhow!("{}: {e}", out.display()))?;
    println!("wrote {}", out.display());
    Ok(ExitCode::SUCCESS)
}

/// The cross-validated figures as a one-row table.
fn summary(m: &Metrics, folds: usize, tickets: usize) -> String {
    format!(
        "Cross-validated ({folds} folds, {tickets} tickets):\n{}\n{}",
        Metrics::table_header(),
        m.table_row("spravka")
    )
}
