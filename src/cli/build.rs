//! `spravka build`: the site and the search index, with every problem listed.

use super::RootArg;
use crate::diagnostics::{Diagnostic, Severity};
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
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let report = match crate::publish::build(&args.root.root, args.out.as_deref()) {
        Ok(report) => report,
        Err(e) => {
            eprintln!("error: build failed, the previous output is left as it was:\n{e}");
            return Ok(ExitCode::FAILURE);
        }
    };
    let color = super::use_color();
    let mut warnings_shown = 0;
    for d in report.diagnostics.iter() {
        if d.severity == Severity::Warning {
            if warnings_shown == SHOWN_WARNINGS {
                continue;
            }
            warnings_shown += 1;
        }
        eprintln!("{}", d.render_human(color));
    }
    if let Some(note) = hidden_warnings(report.diagnostics.iter()) {
        eprintln!("{note}");
    }
    let broken = report
        .diagnostics
        .iter()
        .filter(|d| {
            matches!(
                d.code,
                "broken-link" | "broken-anchor" | "link-outside-content"
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
    Ok(ExitCode::SUCCESS)
}

/// Warnings a build prints in full; a large base with one habitual slip (say, spaces in link
/// targets) would otherwise bury the summary under megabytes. `check` always lists them all.
const SHOWN_WARNINGS: usize = 50;

/// One line for the warnings beyond `SHOWN_WARNINGS`, counted by code.
fn hidden_warnings<'a>(diagnostics: impl Iterator<Item = &'a Diagnostic>) -> Option<String> {
    let mut by_code: BTreeMap<&str, usize> = BTreeMap::new();
    for d in diagnostics
        .filter(|d| d.severity == Severity::Warning)
        .skip(SHOWN_WARNINGS)
    {
        *by_code.entry(d.code).or_default() += 1;
    }
    let hidden: usize = by_code.values().sum();
    (hidden > 0).then(|| {
        let codes: Vec<String> = by_code.iter().map(|(c, n)| format!("{c}: {n}")).collect();
        format!(
            "note: {hidden} more warnings not shown ({}); `spravka check` lists them all",
            codes.join(", ")
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn warnings_beyond_the_limit_are_summed_by_code() {
        let mut all: Vec<Diagnostic> = (0..SHOWN_WARNINGS)
            .map(|i| Diagnostic::warning("stale", format!("{i}.md"), "old"))
            .collect();
        all.push(Diagnostic::error("broken-link", "e.md", "gone"));
        assert_eq!(hidden_warnings(all.iter()), None, "errors never count");
        all.extend((0..3).map(|_| Diagnostic::warning("raw-space-link", "a.md", "spaces")));
        all.push(Diagnostic::warning("stale", "b.md", "old"));
        assert_eq!(
            hidden_warnings(all.iter()).as_deref(),
            Some("note: 4 more warnings not shown (raw-space-link: 3, stale: 1); `spravka check` lists them all")
        );
    }
}
