//! `spravka tune`: refits suggest's ranking numbers and confidence model on a department's
//! own labelled tickets, prints the cross-validated figures, and writes `suggest-model.toml`.

use super::RootArg;
use crate::search::article_model::BaseTexts;
use crate::search::distractors::AmongDistractors;
use crate::search::eval::{self, Metrics, Tuned};
use crate::search::model::MODEL_FILE;
use crate::search::{engine_in_ram, SearchEngine, SuggestModel, SuggestOptions};
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
    /// A folder of other documents (e.g. `cargo run --release --example gen_corpus -- --docs
    /// 10000 --out DIR`) to search the base among as well: every number is then chosen for
    /// the base alone and for the base grown to that size at once. Repeat it to grow the
    /// base in several ways (each folder is a base of its own).
    #[arg(long)]
    distractors: Vec<PathBuf>,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let root = &args.root.root;
    let config = args.root.config()?;
    let site = crate::site::Site::load(root, config);
    let tickets = eval::read_tickets(&args.tickets)?;
    anyhow::ensure!(
        !tickets.is_empty(),
        "{}: no tickets",
        args.tickets.display()
    );
    check_expected_paths(&tickets, &args.tickets, &site)?;
    if let Some(warning) = coverage_warning(&tickets, &site) {
        eprintln!("warning: {warning}");
    }
    let model = SuggestModel::load(root)?;
    let mut bases = vec![engine_in_ram(&site, model.clone())?];
    for dir in &args.distractors {
        let among = AmongDistractors::new(&site.content_dir, &site.config, dir)?;
        bases.push(engine_in_ram(&among.site(), model.clone())?);
    }
    let sizes: Vec<String> = bases.iter().map(|b| b.num_docs().to_string()).collect();
    eprintln!(
        "tuning on {} tickets ({} folds) over {} documents…",
        tickets.len(),
        args.folds,
        sizes.join(" and ")
    );
    let bases: Vec<&SearchEngine> = bases.iter().collect();
    let tuned = eval::tune(
        &bases,
        &BaseTexts::of(&site),
        &tickets,
        SuggestOptions::default(),
        args.folds.into(),
    );
    let summary = format!(
        "{}\n\n{}",
        summary(&tuned, &bases, &args.distractors, tickets.len()),
        cuts(&tuned, &bases, site.config.suggest.min_probability)
    );
    println!("{summary}");
    let out = args.out.unwrap_or_else(|| root.join(MODEL_FILE));
    let distractors_flag: String = args
        .distractors
        .iter()
        .map(|d| format!(" --distractors {}", d.display()))
        .collect();
    let comment = format!(
        "Written by `spravka tune --tickets {}{distractors_flag}`: every number below was chosen on these tickets.\n{summary}",
        args.tickets.display()
    );
    std::fs::write(&out, tuned.model.to_toml(&comment))
        .map_err(|e| anyhow::anyhow!("{}: {e}", out.display()))?;
    println!("wrote {}", out.display());
    Ok(ExitCode::SUCCESS)
}

/// Every article a ticket expects is a document of the base: a typo in a label would
/// otherwise count as a miss in every figure.
fn check_expected_paths(
    tickets: &[eval::Ticket],
    file: &std::path::Path,
    site: &crate::site::Site,
) -> anyhow::Result<()> {
    for t in tickets {
        for path in &t.expected {
            anyhow::ensure!(
                site.page_by_path(path).is_some(),
                "{}: ticket {} expects {path}, which is not a document of {}",
                file.display(),
                t.id,
                site.content_dir.display()
            );
        }
    }
    Ok(())
}

/// What a ticket file too narrow to tune on lacks, if it lacks anything: the models learn
/// only the articles the tickets name, and when to say «escalate» only from tickets no
/// article answers. Tuning still runs (a department may mean it), but a few dozen tickets
/// about five articles quietly unlearn the rest of the base.
fn coverage_warning(tickets: &[eval::Ticket], site: &crate::site::Site) -> Option<String> {
    let articles: std::collections::BTreeSet<&str> = (site.pages.iter())
        .filter(|p| !p.is_index)
        .map(|p| p.doc.rel_path.as_str())
        .collect();
    let named: std::collections::BTreeSet<&str> = (tickets.iter())
        .flat_map(|t| t.expected.iter().map(String::as_str))
        .filter(|path| articles.contains(path))
        .collect();
    let out_of_scope = tickets.iter().filter(|t| t.expected.is_empty()).count();
    let mut lacks = vec![];
    if named.len() * 2 < articles.len() {
        lacks.push(format!(
            "they name {} of the base's {} articles (suggest will learn to favour those)",
            named.len(),
            articles.len()
        ));
    }
    if out_of_scope * 10 < tickets.len() {
        lacks.push(format!(
            "{out_of_scope} of them are out of scope (no expected article), too few to learn \
             when to say «escalate»"
        ));
    }
    (!lacks.is_empty()).then(|| {
        format!(
            "these {} tickets are a narrow base to tune on: {}. Tune on tickets covering every \
             article, a tenth or more of them out of scope (eval/README.md says how to write \
             them).",
            tickets.len(),
            lacks.join("; ")
        )
    })
}

/// The held-out figures that depend on where `confident` is cut, a row per cut, and the cut
/// [`ByCut::recommended`](eval::ByCut::recommended) names beside the site's own.
fn cuts(tuned: &Tuned, bases: &[&SearchEngine], current: f32) -> String {
    let columns: Vec<String> = bases
        .iter()
        .map(|b| format!("{} documents", b.num_docs()))
        .collect();
    let mut out = format!(
        "Held out, by where `[suggest] min_probability` cuts (answerable confident / out-of-scope not confident / right when confident):\n| min_probability | {} |\n|---|{}\n",
        columns.join(" | "),
        "---|".repeat(columns.len())
    );
    for (cut, metrics) in tuned.by_cut.rows() {
        let cells: Vec<String> = metrics
            .iter()
            .map(|m| m.share_texts().join(" / "))
            .collect();
        out.push_str(&format!("| {cut} | {} |\n", cells.join(" | ")));
    }
    let share = eval::OUT_OF_SCOPE_NOT_CONFIDENT * 100.0;
    out.push_str(&match tuned.by_cut.recommended() {
        Some(r) if r.holds => format!(
            "Lowest cut that keeps {share:.0} % of out-of-scope tickets not confident in every base: {} (this site's min_probability: {current}). The cut is chosen on these figures, so at it they are a little optimistic.",
            r.cut
        ),
        Some(r) => format!(
            "No cut keeps {share:.0} % of out-of-scope tickets not confident in every base; the most cautious is {} (this site's min_probability: {current}).",
            r.cut
        ),
        None => format!("No out-of-scope tickets to choose a cut on (this site's min_probability: {current})."),
    });
    out
}

/// The cross-validated figures, a row per base: the base alone, then among each folder of
/// `distractors`, named.
fn summary(
    tuned: &Tuned,
    bases: &[&SearchEngine],
    distractors: &[PathBuf],
    tickets: usize,
) -> String {
    let among = std::iter::once(String::new()).chain(
        distractors
            .iter()
            .map(|d| format!(" among {}", d.display())),
    );
    let rows: Vec<String> = tuned
        .cross_validated
        .iter()
        .zip(bases)
        .zip(among)
        .map(|((m, base), among)| {
            m.table_row(&format!("spravka, {} documents{among}", base.num_docs()))
        })
        .collect();
    format!(
        "Cross-validated ({} folds, {tickets} tickets):\n{}\n{}",
        tuned.folds,
        Metrics::table_header(),
        rows.join("\n")
    )
}
