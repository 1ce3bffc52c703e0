//! `spravka feedback import FILE` and `spravka feedback export`: operators' feedback as JSON
//! lines, in and out of the configured database.

use super::RootArg;
use crate::feedback::exchange::{export_line, read_import};
use crate::feedback::Store;
use anyhow::Context;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, clap::Subcommand)]
enum Command {
    /// Store verdicts from a JSON-lines file: {"ticket", "path", "verdict"} a line (or rows
    /// written by export). A file with a bad line stores nothing.
    Import {
        #[command(flatten)]
        root: RootArg,
        file: PathBuf,
    },
    /// Write every stored row as JSON lines, oldest first.
    Export {
        #[command(flatten)]
        root: RootArg,
        /// Write here instead of standard output.
        #[arg(long)]
        out: Option<PathBuf>,
    },
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let runtime = tokio::runtime::Runtime::new()?;
    match args.command {
        Command::Import { root, file } => runtime.block_on(import(root, file)),
        Command::Export { root, out } => runtime.block_on(export(root, out)),
    }
}

/// The configured store, or why there is none.
async fn open(root: &RootArg) -> anyhow::Result<(crate::config::Config, Store)> {
    let config = root.config()?;
    anyhow::ensure!(
        !config.feedback.database.trim().is_empty(),
        "feedback is off: [feedback] database is empty in spravka.toml"
    );
    let store = Store::open(&config.feedback.database, &root.root).await?;
    Ok((config, store))
}

async fn import(root: RootArg, file: PathBuf) -> anyhow::Result<ExitCode> {
    let text = std::fs::read_to_string(&file)
        .with_context(|| format!("{}: cannot read", file.display()))?;
    let (config, store) = open(&root).await?;
    let store_text = config.feedback.store_text;
    let site = crate::site::Site::load(&root.root, config);
    let events = match read_import(&file, &text, |p| site.page_by_path(p).is_some(), store_text) {
        Ok(events) => events,
        Err(errors) => {
            for e in &errors {
                eprintln!("error: {e}");
            }
            eprintln!("nothing imported: {} bad lines", errors.len());
            return Ok(ExitCode::FAILURE);
        }
    };
    let ids = store.insert_many(events).await?;
    println!("imported {} rows from {}", ids.len(), file.display());
    Ok(ExitCode::SUCCESS)
}

async fn export(root: RootArg, out: Option<PathBuf>) -> anyhow::Result<ExitCode> {
    let (_, store) = open(&root).await?;
    let rows = store.since(i64::MIN).await?;
    let mut text = String::new();
    for row in &rows {
        text.push_str(&export_line(row));
        text.push('\n');
    }
    match out {
        Some(path) => {
            std::fs::write(&path, text)
                .with_context(|| format!("{}: cannot write", path.display()))?;
            eprintln!("exported {} rows to {}", rows.len(), path.display());
        }
        None => std::io::stdout().write_all(text.as_bytes())?,
    }
    Ok(ExitCode::SUCCESS)
}
