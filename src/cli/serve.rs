//! `spravka serve`: site + API + watcher + live reload.

use super::RootArg;
use std::process::ExitCode;

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    root: RootArg,
    /// Address to listen on (loopback by default).
    #[arg(long, default_value = "127.0.0.1:8080")]
    bind: std::net::SocketAddr,
    /// Do not watch for changes (no live reload).
    #[arg(long)]
    no_watch: bool,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    args.root.config()?;
    let runtime = tokio::runtime::Runtime::new()?;
    runtime.block_on(crate::serve::run(crate::serve::ServeOptions {
        root: args.root.root,
        bind: args.bind,
        watch: !args.no_watch,
    }))?;
    Ok(ExitCode::SUCCESS)
}
