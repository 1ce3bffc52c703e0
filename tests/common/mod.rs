//! The chainable fixture helper: copy a fixture knowledge base to a temporary folder, run the
//! real binary on it, look at the output, change a file, run again.
#![allow(dead_code)]

pub mod feedback;
pub mod incremental;

use std::path::{Path, PathBuf};
use std::process::Output;

pub struct Fixture {
    pub dir: tempfile::TempDir,
    pub last: Option<Output>,
}

pub fn binary() -> &'static str {
    env!("CARGO_BIN_EXE_spravka")
}

/// An example program (`gen_corpus`) that `cargo test` builds beside the test binaries.
pub fn example(name: &str) -> PathBuf {
    let examples = Path::new(binary())
        .parent()
        .expect("target/<profile>")
        .join("examples");
    let path = examples.join(format!("{name}{}", std::env::consts::EXE_SUFFIX));
    assert!(
        path.exists(),
        "{} is built by `cargo test` (run the whole suite, not `--test` alone)",
        path.display()
    );
    path
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

impl Fixture {
    /// A copy of tests/fixtures/<name>.
    pub fn new(name: &str) -> Fixture {
        let dir = tempfile::tempdir().unwrap();
        copy_dir(
            &Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("tests/fixtures")
                .join(name),
            dir.path(),
        );
        Fixture { dir, last: None }
    }

    /// An empty folder: not a site (no content/).
    pub fn empty() -> Fixture {
        Fixture {
            dir: tempfile::tempdir().unwrap(),
            last: None,
        }
    }

    /// A copy of the repository's own content/ and synonyms.
    pub fn default_content() -> Fixture {
        let dir = tempfile::tempdir().unwrap();
        copy_dir(
            &Path::new(env!("CARGO_MANIFEST_DIR")).join("content"),
            &dir.path().join("content"),
        );
        Fixture { dir, last: None }
    }

    pub fn root(&self) -> &Path {
        self.dir.path()
    }

    pub fn out(&self) -> PathBuf {
        self.root().join("public")
    }

    pub fn run(&mut self, args: &[&str]) -> &mut Self {
        let output = std::process::Command::new(binary())
            .args(args)
            .arg("--root")
            .arg(self.root())
            .env("NO_COLOR", "1")
            .env("SOURCE_DATE_EPOCH", "1795000000")
            .output()
            .unwrap();
        self.last = Some(output);
        self
    }

    pub fn build(&mut self) -> &mut Self {
        self.run(&["build"])
    }

    /// `build --keep-going`: for content with errors on purpose (the basic fixture has a
    /// broken link), which a plain build refuses.
    pub fn build_keep_going(&mut self) -> &mut Self {
        self.run(&["build", "--keep-going"])
    }

    /// The exit code of the last run.
    pub fn code(&self) -> Option<i32> {
        self.last.as_ref().expect("run first").status.code()
    }

    pub fn success(&mut self) -> &mut Self {
        let out = self.last.as_ref().expect("run first");
        assert!(
            out.status.success(),
            "failed: {}\n{}",
            self.stdout(),
            self.stderr()
        );
        self
    }

    pub fn stdout(&self) -> String {
        String::from_utf8_lossy(&self.last.as_ref().unwrap().stdout).into_owned()
    }

    pub fn stderr(&self) -> String {
        String::from_utf8_lossy(&self.last.as_ref().unwrap().stderr).into_owned()
    }

    /// The HTML of a page by URL (`/razdel/`).
    pub fn page(&self, url: &str) -> String {
        let path = self
            .out()
            .join(url.trim_start_matches('/'))
            .join("index.html");
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
    }

    pub fn assert_page_contains(&mut self, url: &str, needle: &str) -> &mut Self {
        let html = self.page(url);
        assert!(html.contains(needle), "{url} lacks {needle:?}:\n{html}");
        self
    }

    pub fn write(&mut self, rel: &str, text: &str) -> &mut Self {
        let path = self.root().join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
        self
    }

    pub fn remove(&mut self, rel: &str) -> &mut Self {
        std::fs::remove_file(self.root().join(rel)).unwrap();
        self
    }
}

/// `<main …>…</main>` of a page: what snapshots pin.
pub fn main_of(html: &str) -> &str {
    let start = html.find("<main").expect("main");
    let end = html.find("</main>").expect("/main") + "</main>".len();
    &html[start..end]
}

/// Every `href="…"` and `src="…"` value of a page.
pub fn links_of(html: &str) -> Vec<String> {
    let mut out = vec![];
    for attr in ["href=\"", "src=\""] {
        let mut rest = html;
        while let Some(i) = rest.find(attr) {
            rest = &rest[i + attr.len()..];
            let end = rest.find('"').unwrap();
            out.push(rest[..end].replace("&amp;", "&"));
            rest = &rest[end..];
        }
    }
    out
}

/// Checks that every internal href of every HTML file under `out` points to a file.
pub fn assert_internal_links_resolve(out: &Path) {
    let mut checked = 0;
    for entry in walkdir::WalkDir::new(out) {
        let entry = entry.unwrap();
        if entry.path().extension().is_none_or(|e| e != "html") || entry.file_name() == "404.html" {
            continue;
        }
        let html = std::fs::read_to_string(entry.path()).unwrap();
        let dir = entry.path().parent().unwrap();
        for href in links_of(&html) {
            if href.starts_with("http")
                || href.starts_with("mailto:")
                || href.starts_with('#')
                || href.starts_with("/__spravka")
                || href.starts_with("data:")
            {
                continue;
            }
            let path = href.split('#').next().unwrap();
            let decoded = percent_encoding::percent_decode_str(path)
                .decode_utf8()
                .unwrap();
            let mut target = dir.join(&*decoded);
            if decoded.is_empty() || decoded.ends_with('/') {
                target = target.join("index.html");
            }
            assert!(
                target.exists(),
                "{}: href {href:?} → {} does not exist",
                entry.path().display(),
                target.display()
            );
            checked += 1;
        }
    }
    assert!(checked > 0, "no links checked");
}

/// A real `spravka serve` on a free loopback port, killed when dropped (also on a panic).
pub struct Server {
    child: std::process::Child,
    /// `http://127.0.0.1:PORT` without a trailing slash.
    pub base: String,
}

impl Server {
    /// Starts the server on `root` and waits (up to 20 s) until `/api/health` answers.
    pub fn start(root: &Path) -> Server {
        Server::start_logging(root, std::process::Stdio::null())
    }

    /// [`Server::start`], the server's log (stderr) going to `log`.
    pub fn start_logging(root: &Path, log: impl Into<std::process::Stdio>) -> Server {
        let mut command = std::process::Command::new(binary());
        command
            .args(["serve", "--bind", "127.0.0.1:0", "--root"])
            .arg(root);
        Server::launch(command, log)
    }

    /// Starts the server as README's first command does: in `root`, without `--root` (the
    /// default root, `.`, a relative path).
    pub fn start_in(root: &Path) -> Server {
        let mut command = std::process::Command::new(binary());
        command
            .args(["serve", "--bind", "127.0.0.1:0"])
            .current_dir(root);
        Server::launch(command, std::process::Stdio::null())
    }

    fn launch(mut command: std::process::Command, log: impl Into<std::process::Stdio>) -> Server {
        use std::io::{BufRead, BufReader};
        let mut child = command
            .env("NO_COLOR", "1")
            .stdout(std::process::Stdio::piped())
            .stderr(log)
            .spawn()
            .unwrap();
        let mut stdout = BufReader::new(child.stdout.take().unwrap());
        // Port 0 lets the OS pick a free port; the server names it in its first line.
        let mut line = String::new();
        stdout.read_line(&mut line).unwrap();
        // Keep reading so that a later line never meets a closed pipe.
        std::thread::spawn(move || std::io::copy(&mut stdout, &mut std::io::sink()));
        let addr = line
            .split("http://")
            .nth(1)
            .and_then(|s| s.split('/').next())
            .unwrap_or_else(|| panic!("no address in the server's first line: {line:?}"));
        let server = Server {
            child,
            base: format!("http://{addr}"),
        };
        let health = format!("{}/api/health", server.base);
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
        while !reqwest::blocking::get(&health).is_ok_and(|r| r.status().is_success()) {
            assert!(
                std::time::Instant::now() < deadline,
                "{health} did not answer in 20 s"
            );
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        server
    }

    /// Kills the process with SIGKILL, as a crash or the OOM killer would, and reaps it.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// Sends SIGTERM and waits up to `limit` for the process to exit; its exit status.
    pub fn terminate(&mut self, limit: std::time::Duration) -> Option<std::process::ExitStatus> {
        let pid = self.child.id().to_string();
        let sent = std::process::Command::new("kill")
            .args(["-TERM", &pid])
            .status();
        assert!(sent.is_ok_and(|s| s.success()), "kill -TERM {pid} failed");
        let deadline = std::time::Instant::now() + limit;
        while std::time::Instant::now() < deadline {
            if let Some(status) = self.child.try_wait().unwrap() {
                return Some(status);
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        None
    }

    /// The absolute URL of a site path (`/podbor/`).
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// `127.0.0.1:PORT`.
    pub fn addr(&self) -> &str {
        self.base.trim_start_matches("http://")
    }

    /// Writes `request` verbatim (no client normalises the path) and reads the whole answer.
    pub fn raw(&self, request: &[u8]) -> String {
        use std::io::{Read, Write};
        let mut stream = std::net::TcpStream::connect(self.addr()).unwrap();
        stream
            .set_read_timeout(Some(std::time::Duration::from_secs(15)))
            .unwrap();
        stream.write_all(request).unwrap();
        let mut response = Vec::new();
        let _ = stream.read_to_end(&mut response);
        String::from_utf8_lossy(&response).into_owned()
    }

    /// A raw `GET target` with `Connection: close`.
    pub fn get(&self, target: &str) -> String {
        self.raw(
            format!("GET {target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").as_bytes(),
        )
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The search engine over an in-RAM index of the default content/, with the shipped model.
pub fn default_engine() -> spravka::search::SearchEngine {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let site = spravka::site::Site::load(root, spravka::config::Config::default());
    spravka::search::engine_in_ram(&site, spravka::search::SuggestModel::default()).unwrap()
}

/// Queries the search box must forgive, each finding a barrier article first: a typo,
/// transliteration, the wrong layout (whole and half typed), a synonym, a synonym no page
/// uses (content/synonyms.toml names «барьер»; `tests/search.rs` checks no page says it).
/// The server's `/api/search` and the static client are held to the same list.
pub const FORGIVEN_BARRIER_QUERIES: [&str; 6] = [
    "шлагбам ",
    "shlagbaum",
    "ikfu,fev",
    "ikfu",
    "палка не поднимается ",
    "барьер ",
];
