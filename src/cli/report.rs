//! `spravka report`: the writers' knowledge-gap report (`feedback::report`) read from the
//! configured database, for a terminal, a program (JSON, as `/api/stats`) or a spreadsheet.

use super::RootArg;
use crate::feedback::report::{self, ArticleUse, Groups, Report, DEFAULT_DAYS};
use crate::feedback::Store;
use chrono::NaiveDate;
use std::fmt::Write;
use std::process::ExitCode;

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    root: RootArg,
    /// The period's first day, YYYY-MM-DD (UTC); 30 days ago by default. It ends today.
    #[arg(long)]
    since: Option<NaiveDate>,
    /// human: for a terminal; json: the report as `/api/stats` answers it; csv: one table, a
    /// row per group, article and week, its `section` column saying which (gap,
    /// zero_results, article, stale, unused, week_votes, week_misses).
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Format {
    Human,
    Json,
    Csv,
}

/// Articles listed by name in the human output's «unused» line.
const UNUSED_SHOWN: usize = 10;

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let root = &args.root.root;
    let config = args.root.config()?;
    anyhow::ensure!(
        !config.feedback.database.trim().is_empty(),
        "feedback is off: [feedback] database is empty in spravka.toml"
    );
    let today = report::today();
    let since = report::period_start(
        args.since,
        today,
        DEFAULT_DAYS,
        config.feedback.retention_days,
    )
    .map_err(|e| anyhow::anyhow!("--since: {e}"))?;
    let start = since.and_hms_opt(0, 0, 0).expect("midnight").and_utc();
    let rows = tokio::runtime::Runtime::new()?.block_on(async {
        let store = Store::open(&config.feedback.database, root).await?;
        store.since(start.timestamp()).await
    })?;
    let site = crate::site::Site::load(root, config);
    let report = report::compute(&rows, &site, since, today);
    let text = match args.format {
        Format::Human => human(&report),
        Format::Json => serde_json::to_string_pretty(&report)? + "\n",
        Format::Csv => csv(&report),
    };
    print!("{text}");
    Ok(ExitCode::SUCCESS)
}

/// `2026-11-03` → `03.11.2026`, as the site writes dates.
fn date(iso: &str) -> String {
    iso.split('-').rev().collect::<Vec<_>>().join(".")
}

fn human(r: &Report) -> String {
    let mut out = String::new();
    let t = &r.totals;
    let _ = writeln!(
        out,
        "Knowledge-gap report, {} to {}\n\
         helped {} · wrong {} · opened from search {} · no article {} · not confident {} · searches with no results {}",
        date(&r.since),
        date(&r.until),
        t.helped,
        t.wrong,
        t.opened,
        t.no_article,
        t.not_confident,
        t.zero_results
    );
    human_groups(
        &mut out,
        "What to write: tickets no article fitted",
        &r.gaps,
    );
    human_groups(&mut out, "Searches that found nothing", &r.zero_results);
    let _ = writeln!(
        out,
        "\nArticles by votes (helped / wrong / opened from search)"
    );
    human_articles(&mut out, &r.articles);
    let _ = writeln!(out, "\nStale but used: re-check these first");
    human_articles(&mut out, &r.stale);
    let names: Vec<&str> = r
        .unused
        .iter()
        .take(UNUSED_SHOWN)
        .map(|a| a.title.as_str())
        .collect();
    let _ = write!(out, "\nNot used in the period: {} articles", r.unused.len());
    if !names.is_empty() {
        let more = r.unused.len() - names.len();
        let _ = write!(out, ": {}", names.join("; "));
        if more > 0 {
            let _ = write!(out, "; and {more} more (--format json lists them all)");
        }
    }
    let _ = writeln!(out, "\n\nBy week (votes, misses)");
    let max = r
        .weeks
        .iter()
        .map(|w| w.votes.max(w.misses))
        .max()
        .unwrap_or(0)
        .max(1);
    let bar = |n: usize| "█".repeat((n * 20).div_ceil(max));
    for w in &r.weeks {
        let line = format!(
            "  {} {:>4} {:<20} {:>4} {}",
            w.week,
            w.votes,
            bar(w.votes),
            w.misses,
            bar(w.misses)
        );
        let _ = writeln!(out, "{}", line.trim_end());
    }
    out
}

fn human_groups(out: &mut String, title: &str, groups: &Groups) {
    let _ = writeln!(out, "\n{title}: {}", groups.tickets);
    if groups.groups.is_empty() {
        let _ = writeln!(out, "  none");
    }
    for g in &groups.groups {
        let name = match g.terms.is_empty() {
            true => "(no words shared with others)".to_string(),
            false => g.terms.join(" + "),
        };
        let _ = writeln!(out, "  {:>4}  {name}", g.count);
        for e in &g.examples {
            let example = e.text.clone().unwrap_or_else(|| e.terms.join(" "));
            let _ = writeln!(out, "          {example}");
        }
    }
    if groups.not_shown > 0 {
        let _ = writeln!(out, "  and {} more in smaller groups", groups.not_shown);
    }
}

fn human_articles(out: &mut String, articles: &[ArticleUse]) {
    if articles.is_empty() {
        let _ = writeln!(out, "  none");
    }
    for a in articles {
        let updated = a
            .updated
            .as_deref()
            .map_or(String::new(), |d| format!(" (updated {})", date(d)));
        let gone = if a.article.url.is_none() {
            " (no longer in the base)"
        } else {
            ""
        };
        let _ = writeln!(
            out,
            "  {:>4} {:>4} {:>4}  {}{updated}{gone}",
            a.helped, a.wrong, a.opened, a.article.title
        );
    }
}

/// A CSV field, quoted when it must be (RFC 4180).
fn field(value: &str) -> String {
    // A cell a spreadsheet would read as a formula (customers' text, with store_text) is
    // kept as text.
    let value = if value.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{value}")
    } else {
        value.to_string()
    };
    let value = value.as_str();
    if value.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", value.replace('"', "\"\""))
    } else {
        value.to_string()
    }
}

/// One table, so that a spreadsheet filters it by `section`:
/// `section,item,title,count,helped,wrong,opened,updated,examples`. A group's item is its
/// words joined by `+`, `count` its tickets, `examples` a few joined by ` | `; an article's
/// item is its path; a week is two rows (`week_votes`, `week_misses`), its item `2026-W48`,
/// its title the Monday, `count` the number: each number column means one thing.
fn csv(r: &Report) -> String {
    let mut out = String::from("section,item,title,count,helped,wrong,opened,updated,examples\n");
    let mut row = |cells: [&str; 9]| {
        let line: Vec<String> = cells.iter().map(|c| field(c)).collect();
        out.push_str(&line.join(","));
        out.push('\n');
    };
    for (section, groups) in [("gap", &r.gaps), ("zero_results", &r.zero_results)] {
        for g in &groups.groups {
            let examples: Vec<String> = g
                .examples
                .iter()
                .map(|e| e.text.clone().unwrap_or_else(|| e.terms.join(" ")))
                .collect();
            let count = g.count.to_string();
            row([
                section,
                &g.terms.join("+"),
                "",
                &count,
                "",
                "",
                "",
                "",
                &examples.join(" | "),
            ]);
        }
    }
    for (section, articles) in [("article", &r.articles), ("stale", &r.stale)] {
        for a in articles {
            let [helped, wrong, opened] = [a.helped, a.wrong, a.opened].map(|n| n.to_string());
            let updated = a.updated.as_deref().unwrap_or("");
            let (path, title) = (&a.article.path, &a.article.title);
            row([
                section, path, title, "", &helped, &wrong, &opened, updated, "",
            ]);
        }
    }
    for a in &r.unused {
        row(["unused", &a.path, &a.title, "", "", "", "", "", ""]);
    }
    for w in &r.weeks {
        for (section, n) in [("week_votes", w.votes), ("week_misses", w.misses)] {
            row([
                section,
                &w.week,
                &w.monday,
                &n.to_string(),
                "",
                "",
                "",
                "",
                "",
            ]);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_formula_in_a_cell_stays_text() {
        assert_eq!(
            super::field("=HYPERLINK(\"x\")"),
            "\"'=HYPERLINK(\"\"x\"\")\""
        );
        assert_eq!(super::field("-1"), "'-1");
        assert_eq!(super::field("шлагбаум"), "шлагбаум");
    }
}
