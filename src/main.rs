//! The `spravka` command line: parses arguments and hands over to `cli::<command>`.

use clap::Parser;
use std::process::ExitCode;

/// Building a site allocates and frees many page-sized strings from two threads; glibc's
/// allocator spent a fifth of build time in malloc/free and re-zeroing returned pages.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// mimalloc asks the kernel for transparent huge pages, and the kernel then zeroes 2 MB on
/// every first touch: a tenth of a 10,000-page build's CPU time went to `clear_page`, and a
/// page-sized string kept a whole huge page resident. Small pages make the build faster and
/// `serve`'s resident memory honest.
#[cfg(target_os = "linux")]
fn small_pages_only() {
    // SAFETY: PR_SET_THP_DISABLE takes plain integers and touches no memory of ours.
    unsafe {
        libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0);
    }
}

#[cfg(not(target_os = "linux"))]
fn small_pages_only() {}

/// A command whose output is piped into `head` stops quietly when the pipe closes, as other
/// Unix tools do: Rust ignores SIGPIPE, and `println!` then panics on the closed pipe. Only
/// for the commands that write to no socket (`pipes_quietly`): the feedback database's client
/// writes to a Unix socket with a plain `write`, so `build`, `report` and `feedback` would die
/// of a restarted PostgreSQL instead of reporting it, and `serve` must outlive every
/// connection.
#[cfg(unix)]
fn die_quietly_on_a_closed_pipe() {
    // SAFETY: restores the default disposition of one signal; no handler of ours runs.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}

#[cfg(not(unix))]
fn die_quietly_on_a_closed_pipe() {}

fn main() -> ExitCode {
    small_pages_only();
    let cli = spravka::cli::Cli::parse();
    if cli.command.pipes_quietly() {
        die_quietly_on_a_closed_pipe();
    }
    spravka::cli::init_logging();
    match spravka::cli::run(cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(2)
        }
    }
}
