//! `spravka build`: the site and the search index, with every problem listed.

use super::RootArg;
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
    for d in report.diagnostics.iter() {
        eprintln!("{}", d.render_human(color));
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
