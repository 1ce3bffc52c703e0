//! `spravka new`: a document from the department's template.

use super::RootArg;
use crate::scaffold::{create, Kind};
use std::process::ExitCode;

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    root: RootArg,
    /// Section folder inside content/ (default: by kind, «База типичных запросов» or «Регламенты»).
    #[arg(long = "in")]
    section: Option<String>,
    #[arg(long, value_enum)]
    kind: Option<Kind>,
    /// The document's title, which is also its file name.
    title: Vec<String>,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let kind = args.kind.unwrap_or(match &args.section {
        Some(s) if s.to_lowercase().contains("регламент") => Kind::Regulation,
        _ => Kind::Typical,
    });
    let section = args.section.unwrap_or_else(|| match kind {
        Kind::Typical => "База типичных запросов".into(),
        Kind::Regulation => "Регламенты".into(),
    });
    match create(
        &args.root.root,
        &args.title.join(" "),
        &section,
        kind,
        crate::render::today(),
    ) {
        Ok(created) => {
            println!("created {}", created.path.display());
            println!("url     {}", created.url);
            if let Some(readme) = created.readme_updated {
                println!("listed in {}", readme.display());
            }
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => {
            eprintln!("error: {e}");
            Ok(ExitCode::FAILURE)
        }
    }
}
