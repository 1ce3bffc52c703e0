//! `spravka build`: the site and the search index, with every problem listed. Exit 1 when the
//! content has errors (nothing written) unless told to keep going.

use super::RootArg;
use crate::diagnostics::{Code, Diagnostic, Diagnostics, Severity};
use crate::publish::{first_error, BuildError};
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    root: RootArg,
    /// Output folder (default: output_dir of spravka.toml, `public`).
    #[arg(long)]
    out: Option<PathBuf>,
    /// Build even when the content has errors (broken links are marked in the pages) and exit
    /// 0 with a warning; as `[build] on_error = "warn"` in spravka.toml.
    #[arg(long)]
    keep_going: bool,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    // A broken spravka.toml is the build's own failure (exit 1, as `build_with` reports it);
    // a missing content folder is a command run in the wrong place.
    if let Ok(config) = crate::config::Config::load(&args.root.root) {
        args.root.holds_content(&config)?;
    }
    let learned = shipped_learning(&args.root.root);
    let report = match crate::publish::build_with(
        &args.root.root,
        args.out.as_deref(),
        args.keep_going,
        learned.as_ref(),
    ) {
        Ok(report) => report,
        Err(BuildError::ContentErrors(diagnostics)) => {
            print_diagnostics(&diagnostics);
            eprintln!(
                "error: {}; nothing was written (any earlier output is left as it was): fix the content (`spravka check` lists every problem), or build anyway with --keep-going or `[build] on_error = \"warn\"` in spravka.toml",
                errors_summary(&diagnostics)
            );
            return Ok(ExitCode::FAILURE);
        }
        Err(e) => {
            eprintln!("error: build failed, nothing was written (any earlier output is left as it was):\n{e}");
            return Ok(ExitCode::FAILURE);
        }
    };
    print_diagnostics(&report.diagnostics);
    let broken = report
        .diagnostics
        .iter()
        .filter(|d| {
            matches!(
                d.code,
                Code::BrokenLink | Code::BrokenAnchor | Code::LinkOutsideContent
            )
        })
        .count();
    println!(
        "built {} pages, {} sections, {} assets into {} ({} broken links, {} errors, {} warnings) in {:.2?}",
        report.stats.pages,
        report.stats.sections,
        report.stats.assets,
        report.out_dir.display(),
        broken,
        report.diagnostics.errors(),
        report.diagnostics.warnings(),
        report.elapsed
    );
    if report.diagnostics.errors() > 0 {
        eprintln!(
            "warning: built anyway: the output carries {} (broken links are marked in the pages; `spravka check` lists every problem)",
            errors_summary(&report.diagnostics)
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// Every error and the first warnings, then the count of the rest.
fn print_diagnostics(diagnostics: &Diagnostics) {
    let color = super::use_color();
    let (shown, note) = shown_and_hidden(diagnostics.iter());
    for d in shown {
        eprintln!("{}", d.render_human(color));
    }
    if let Some(note) = note {
        eprintln!("{note}");
    }
}

/// `3 errors, the first at a.md:12:5`.
fn errors_summary(diagnostics: &Diagnostics) -> String {
    let count = diagnostics.errors();
    let noun = if count == 1 { "error" } else { "errors" };
    match first_error(diagnostics) {
        Some(first) => format!("{count} {noun}, the first at {}", first.location()),
        None => format!("{count} {noun}"),
    }
}

/// Warnings a build prints in full; a large base with one habitual slip (say, spaces in link
/// targets) would otherwise bury the summary under megabytes. `check` always lists them all.
const SHOWN_WARNINGS: usize = 50;

/// Every error and the first `SHOWN_WARNINGS` warnings, in order, and one line counting the
/// other warnings by code.
fn shown_and_hidden<'a>(
    diagnostics: impl Iterator<Item = &'a Diagnostic>,
) -> (Vec<&'a Diagnostic>, Option<String>) {
    let mut shown = vec![];
    let mut warnings = 0;
    let mut hidden: BTreeMap<&str, usize> = BTreeMap::new();
    for d in diagnostics {
        if d.severity == Severity::Warning {
            warnings += 1;
            if warnings > SHOWN_WARNINGS {
                *hidden.entry(d.code.as_str()).or_default() += 1;
                continue;
            }
        }
        shown.push(d);
    }
    let count: usize = hidden.values().sum();
    let note = (count > 0).then(|| {
        let codes: Vec<String> = hidden.iter().map(|(c, n)| format!("{c}: {n}")).collect();
        format!(
            "note: {count} more warnings not shown ({}); `spravka check` lists them all",
            codes.join(", ")
        )
    });
    (shown, note)
}

/// What operators taught suggest, from the configured feedback database, to ship beside the
/// index. A database that cannot be read costs the build nothing but a warning.
fn shipped_learning(root: &std::path::Path) -> Option<crate::search::learned::Learned> {
    let config = crate::config::Config::load(root).ok()?;
    let runtime = tokio::runtime::Runtime::new().ok()?;
    match runtime.block_on(crate::feedback::learned_from_database(
        &config.feedback,
        root,
    )) {
        Ok(learned) => learned,
        Err(e) => {
            eprintln!("warning: {e}: the index ships without what operators taught suggest");
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn warnings_beyond_the_limit_are_summed_by_code() {
        let mut all: Vec<Diagnostic> = (0..SHOWN_WARNINGS)
            .map(|i| Diagnostic::warning(Code::Stale, format!("{i}.md"), "old"))
            .collect();
        all.push(Diagnostic::error(Code::BrokenLink, "e.md", "gone"));
        let (shown, note) = shown_and_hidden(all.iter());
        assert_eq!(
            (shown.len(), note),
            (SHOWN_WARNINGS + 1, None),
            "errors never count"
        );
        all.extend((0..3).map(|_| Diagnostic::warning(Code::RawSpaces, "a.md", "spaces")));
        all.push(Diagnostic::warning(Code::Stale, "b.md", "old"));
        all.push(Diagnostic::error(Code::BrokenLink, "f.md", "gone"));
        let (shown, note) = shown_and_hidden(all.iter());
        assert_eq!(
            shown.len(),
            SHOWN_WARNINGS + 2,
            "every error is shown, after the limit too"
        );
        assert_eq!(shown.last().unwrap().file, "f.md");
        assert_eq!(
            note.as_deref(),
            Some("note: 4 more warnings not shown (raw-spaces: 3, stale: 1); `spravka check` lists them all")
        );
    }
}
