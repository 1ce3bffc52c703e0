//! `spravka check`: the writers' quality gate, human or JSON, exit 1 on errors.

use super::RootArg;
use crate::diagnostics::Severity;
use std::process::ExitCode;

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum Format {
    Human,
    Json,
}

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    root: RootArg,
    #[arg(long, value_enum, default_value = "human")]
    format: Format,
    /// Treat warnings as errors.
    #[arg(long)]
    strict: bool,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let config = args.root.config()?;
    let site = crate::site::Site::load(&args.root.root, config);
    let mut diagnostics = crate::check::diagnostics(&site, crate::render::today());
    if args.strict {
        for d in &mut diagnostics.0 {
            d.severity = Severity::Error;
        }
    }
    let (errors, warnings) = (diagnostics.errors(), diagnostics.warnings());
    match args.format {
        Format::Json => {
            let out = serde_json::json!({"diagnostics": diagnostics, "errors": errors, "warnings": warnings, "documents": site.pages.len()});
            println!("{}", serde_json::to_string_pretty(&out)?);
        }
        Format::Human => {
            let color = super::use_color();
            for d in diagnostics.iter() {
                println!("{}", d.render_human(color));
            }
            println!(
                "checked {} documents: {errors} errors, {warnings} warnings",
                site.pages.len()
            );
        }
    }
    Ok(if errors > 0 {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}
