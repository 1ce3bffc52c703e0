//! What the browser tests share (tests/browser.rs, tests/standards.rs): finding chromium and
//! chromedriver, or skipping with one line; a headless session through chromedriver; polling
//! the page.
#![allow(dead_code)]

use fantoccini::{Client, ClientBuilder};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub const INSTALL: &str = "apt-get install chromium chromium-driver";
/// `required`: a missing browser (or checker) fails the test instead of skipping it
/// (`.ci/run` sets it).
pub const REQUIRED_VAR: &str = "SPRAVKA_BROWSER_TESTS";
/// How long any expected change in the page may take before the test fails.
pub const TIMEOUT: Duration = Duration::from_secs(10);

/// A program on PATH.
pub fn on_path(name: &str) -> Option<PathBuf> {
    std::env::split_paths(&std::env::var_os("PATH")?)
        .map(|dir| dir.join(name))
        .find(|path| path.is_file())
}

/// Whether `SPRAVKA_BROWSER_TESTS=required`.
pub fn required() -> bool {
    match std::env::var(REQUIRED_VAR).as_deref() {
        Ok("required") => true,
        Ok("") | Err(std::env::VarError::NotPresent) => false,
        Ok(other) => panic!("{REQUIRED_VAR}={other:?}: the only value is `required`"),
        Err(e) => panic!("{REQUIRED_VAR}: {e}"),
    }
}

/// `test` cannot run because `missing` is not there: one line saying what to install, and the
/// caller returns (the test passes); with `SPRAVKA_BROWSER_TESTS=required`, a failure.
pub fn skip(test: &str, missing: &str, install: &str) {
    assert!(
        !required(),
        "{REQUIRED_VAR}=required but {missing} not found: {install}"
    );
    // Past the test harness's capture: `cargo test` shows this line although the test passes.
    let line = format!(
        "{test} SKIPPED: {missing} not found; install with `{install}`, or set {REQUIRED_VAR}=required to make this a failure\n"
    );
    let _ = std::io::Write::write_all(&mut std::io::stderr(), line.as_bytes());
}

/// chromedriver and chromium, found on PATH; `None` (after one line saying so) when either is
/// missing, unless `SPRAVKA_BROWSER_TESTS=required`: then the test fails.
pub fn browser_or_skip(test: &str) -> Option<(PathBuf, PathBuf)> {
    let missing: Vec<&str> = ["chromium", "chromedriver"]
        .into_iter()
        .filter(|tool| on_path(tool).is_none())
        .collect();
    if missing.is_empty() {
        return Some((on_path("chromedriver")?, on_path("chromium")?));
    }
    skip(test, &missing.join(" and "), INSTALL);
    None
}

/// chromedriver with its browser, killed (the whole process group) when dropped.
pub struct Driver {
    child: Child,
    port: u16,
    profile: tempfile::TempDir,
    chromium: PathBuf,
}

impl Driver {
    pub fn start(chromedriver: &Path, chromium: PathBuf) -> Driver {
        let port = free_port();
        let child = std::os::unix::process::CommandExt::process_group(
            Command::new(chromedriver)
                .arg(format!("--port={port}"))
                .stdout(Stdio::null())
                .stderr(Stdio::null()),
            0,
        )
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {}: {e}", chromedriver.display()));
        Driver {
            child,
            port,
            profile: tempfile::tempdir().unwrap(),
            chromium,
        }
    }

    /// Waits for chromedriver, then opens a headless session with a fresh profile.
    pub async fn session(&self) -> Client {
        let url = format!("http://127.0.0.1:{}", self.port);
        let status = format!("{url}/status");
        let deadline = Instant::now() + TIMEOUT;
        while !reqwest::get(&status)
            .await
            .is_ok_and(|r| r.status().is_success())
        {
            assert!(
                Instant::now() < deadline,
                "chromedriver did not answer on {status}"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let profile = format!("--user-data-dir={}", self.profile.path().display());
        let capabilities = json!({
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": self.chromium,
                "args": [
                    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                    "--no-first-run", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync",
                    "--window-size=1280,900", profile,
                ],
            },
        });
        let Value::Object(capabilities) = capabilities else {
            unreachable!()
        };
        ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
            .capabilities(capabilities)
            .connect(&url)
            .await
            .unwrap_or_else(|e| {
                panic!(
                    "no chromium session ({e}); is chromium-driver the same version as chromium?"
                )
            })
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        // chromium runs in chromedriver's process group: one signal ends them all.
        let _ = Command::new("kill")
            .args(["-KILL", "--", &format!("-{}", self.child.id())])
            .status();
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

fn truthy(value: &Value) -> bool {
    match value {
        Value::Null | Value::Bool(false) => false,
        Value::String(s) => !s.is_empty(),
        Value::Array(a) => !a.is_empty(),
        _ => true,
    }
}

/// Polls a script (a function body that `return`s) until its value is truthy; the value.
pub async fn wait_js(c: &Client, what: &str, script: &str) -> Value {
    let deadline = Instant::now() + TIMEOUT;
    loop {
        // A page that is reloading answers with an error: not ready yet.
        let last = c.execute(script, vec![]).await;
        if let Ok(value) = &last {
            if truthy(value) {
                return value.clone();
            }
        }
        if Instant::now() >= deadline {
            screenshot(c, "timed-out").await;
            panic!("timed out after {TIMEOUT:?} waiting for {what}; last answer: {last:?} (see timed-out.png)");
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

pub async fn js(c: &Client, script: &str) -> Value {
    c.execute(script, vec![]).await.unwrap()
}

/// A PNG of the viewport in the temp dir, for people looking at the theme.
pub async fn screenshot(c: &Client, name: &str) {
    let png = c.screenshot().await.unwrap();
    assert!(png.starts_with(b"\x89PNG"), "{name}: not a PNG");
    let dir = std::env::temp_dir().join("spravka-browser");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join(format!("{name}.png")), png).unwrap();
}
