//! Every page of the default site meets the standards: the Nu Html Checker (vnu) reports no
//! error and no warning, and axe-core, run in a real headless chromium with all its rules,
//! reports no violation, in the light and the dark theme, at desktop and phone widths.
//!
//! vnu-jar and axe-core come from npm into `<target dir>/npm` (see `NPM_PACKAGES`); vnu runs on
//! Java. When a tool is missing the test says what to install in one line and passes, unless
//! `SPRAVKA_BROWSER_TESTS=required` (as in `.ci/run`).

mod common;
mod webdriver;

use common::{Fixture, Server};
use fantoccini::key::Key;
use fantoccini::{Client, Locator};
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;
use webdriver::{browser_or_skip, js, on_path, skip, wait_js, Driver};

/// The npm packages, pinned: a new checker release with new rules is an upgrade made on
/// purpose, not a red CI one morning. `.ci/run` installs the same.
const NPM_PACKAGES: &str = "vnu-jar@26.9.27 axe-core@4.14.1";

/// Where the tests look for the npm packages: `$SPRAVKA_NODE_MODULES`, or where
/// `npm_install()` puts them.
fn node_modules() -> PathBuf {
    match std::env::var_os("SPRAVKA_NODE_MODULES") {
        Some(dir) => dir.into(),
        None => npm_prefix().join("node_modules"),
    }
}

/// `<target dir>/npm`: the test binary's `target/debug/spravka` names cargo's target dir, so
/// `CARGO_TARGET_DIR` is followed.
fn npm_prefix() -> PathBuf {
    let bin = Path::new(env!("CARGO_BIN_EXE_spravka"));
    bin.parent()
        .and_then(Path::parent)
        .expect("target/<profile>/spravka")
        .join("npm")
}

fn npm_install() -> String {
    let prefix = npm_prefix();
    format!("npm install --prefix {} {NPM_PACKAGES}", prefix.display())
}

/// The HTML files of a built site, relative to it, sorted.
fn html_files(out: &Path) -> Vec<String> {
    let mut files: Vec<String> = walkdir::WalkDir::new(out)
        .into_iter()
        .map(Result::unwrap)
        .filter(|e| e.path().extension().is_some_and(|x| x == "html"))
        .map(|e| {
            let rel = e.path().strip_prefix(out).unwrap();
            rel.to_string_lossy().into_owned()
        })
        .collect();
    files.sort();
    files
}

/// The default content built as `spravka build` does, into a temp folder.
fn built_default_site() -> Fixture {
    let mut kb = Fixture::default_content();
    kb.build().success();
    kb
}

/// The fixture whose pages use the YFM blocks (notes, cuts, tabs), which the default content
/// does not: its pages are held to the same standards. Built keeping going: it has warnings
/// on purpose.
fn built_blocks_site() -> Fixture {
    let mut kb = Fixture::new("yfm-blocks");
    kb.build_keep_going().success();
    kb
}

/* ------------------------------------------------------------------ Nu Html Checker */

/// One vnu message as `file:line:column: type: message «extract»`, or `None` for plain
/// information (such as "trailing slash on void elements has no effect"): errors, fatal
/// errors, warnings and files vnu could not check all count.
fn vnu_finding(message: &Value, out: &Path) -> Option<String> {
    let kind = message["type"].as_str().unwrap_or("?");
    let sub = message["subType"].as_str().unwrap_or("");
    let kind = match (kind, sub) {
        ("info", "warning") => "warning",
        ("info", _) => return None,
        ("error", "fatal") => "fatal error",
        (other, _) => other,
    };
    let url = message["url"].as_str().unwrap_or("?");
    let path = url.strip_prefix("file:").unwrap_or(url);
    let path = percent_encoding::percent_decode_str(path).decode_utf8_lossy();
    let out = out.display().to_string();
    let file = path
        .strip_prefix(out.as_str())
        .map(|p| p.trim_start_matches('/'))
        .unwrap_or(&path);
    let line = &message["lastLine"];
    let column = &message["firstColumn"];
    let text = message["message"].as_str().unwrap_or("?");
    let extract = message["extract"].as_str().unwrap_or("").trim();
    Some(format!(
        "{file}:{line}:{column}: {kind}: {text} «{}»",
        extract.replace('\n', "⏎")
    ))
}

#[test]
fn every_page_passes_the_nu_html_checker() {
    const TEST: &str = "the Nu Html Checker test (tests/standards.rs)";
    let jar = node_modules().join("vnu-jar/build/dist/vnu.jar");
    let Some(java) = on_path("java") else {
        skip(TEST, "java", "apt-get install default-jre-headless");
        return;
    };
    if !jar.is_file() {
        skip(TEST, &jar.display().to_string(), &npm_install());
        return;
    }
    let kb = built_default_site();
    let out = kb.out();
    let pages = html_files(&out);
    assert!(pages.len() > 90, "only {} pages built", pages.len());
    let blocks = built_blocks_site();

    let run = Command::new(java)
        .arg("-jar")
        .arg(&jar)
        .args(["--format", "json", "--skip-non-html"])
        .arg(&out)
        .arg(blocks.out())
        .output()
        .unwrap();
    // vnu writes its report to stderr; its exit code is 1 when it found errors.
    let report: Value = serde_json::from_slice(&run.stderr).unwrap_or_else(|e| {
        panic!(
            "vnu did not answer JSON ({e}): {}\n{}",
            run.status,
            String::from_utf8_lossy(&run.stderr)
        )
    });
    let messages = report["messages"].as_array().expect("vnu's messages");
    let mut findings: Vec<String> = messages
        .iter()
        .filter_map(|m| vnu_finding(m, &out))
        .collect();
    findings.sort();
    assert!(
        findings.is_empty(),
        "the Nu Html Checker found {} errors and warnings in the {} pages of the default site \
         and the YFM blocks' fixture (templates: themes/default/templates):\n{}",
        findings.len(),
        pages.len(),
        findings.join("\n")
    );
    assert!(
        run.status.success(),
        "vnu failed with no finding: {}",
        run.status
    );
}

/* ------------------------------------------------------------------ axe-core */

const WIDTHS: [(&str, u32, u32); 2] = [("desktop", 1280, 900), ("phone", 390, 844)];

/// Runs every axe rule (the experimental ones too) on the page; the violations, each as
/// `{id, impact, help, nodes: [{target, html, summary}]}`.
const AXE_RUN: &str = "
    const done = arguments[arguments.length - 1];
    const rules = axe.getRules().map(r => r.ruleId);
    axe.run(document, { runOnly: { type: 'rule', values: rules }, resultTypes: ['violations'] })
        .then(r => done(r.violations.map(v => ({
            id: v.id, impact: v.impact, help: v.help,
            nodes: v.nodes.map(n => ({
                target: n.target.map(String).join(' '),
                html: n.html.slice(0, 160),
                summary: n.failureSummary,
            })),
        }))), e => done({ error: String(e && e.stack || e) }));";

/// Violations found so far, by (rule, element, summary): the page states they were seen in.
#[derive(Default)]
struct Findings {
    seen: BTreeMap<(String, String, String), Vec<String>>,
    audits: usize,
}

impl Findings {
    fn add(&mut self, violations: Value, state: &str) {
        self.audits += 1;
        let list = violations
            .as_array()
            .unwrap_or_else(|| panic!("{state}: axe: {violations}"));
        for v in list {
            let rule = format!(
                "{} ({}): {}",
                v["id"].as_str().unwrap_or("?"),
                v["impact"].as_str().unwrap_or("?"),
                v["help"].as_str().unwrap_or("?")
            );
            for n in v["nodes"].as_array().into_iter().flatten() {
                let element = format!(
                    "{}  {}",
                    n["target"].as_str().unwrap_or("?"),
                    n["html"].as_str().unwrap_or("")
                );
                let summary = n["summary"].as_str().unwrap_or("").replace('\n', " ");
                let states = self
                    .seen
                    .entry((rule.clone(), element, summary))
                    .or_default();
                states.push(state.to_string());
            }
        }
    }

    fn merge(&mut self, other: Findings) {
        self.audits += other.audits;
        for (key, states) in other.seen {
            self.seen.entry(key).or_default().extend(states);
        }
    }

    fn report(&self) -> String {
        let mut text = String::new();
        for ((rule, element, summary), states) in &self.seen {
            let shown: Vec<&str> = states.iter().take(4).map(String::as_str).collect();
            let more = states.len().saturating_sub(shown.len());
            text.push_str(&format!(
                "{rule}\n    {element}\n    {summary}\n    on {}{}\n",
                shown.join(", "),
                if more > 0 {
                    format!(" and {more} more")
                } else {
                    String::new()
                }
            ));
        }
        text
    }
}

/// Runs axe-core in the open page of one browser session, collecting what it finds.
struct Auditor<'a> {
    c: &'a Client,
    axe: String,
    findings: Findings,
}

impl Auditor<'_> {
    /// Clicks the theme toggle, as a user would, until it is in `state` (a click cycles
    /// "auto" → "light" → "dark").
    async fn toggle_to(&self, state: &str) {
        let script = format!(
            "const b = document.querySelector('.theme-toggle');
             for (let n = 0; n < 3 && b.getAttribute('data-theme-state') !== {state:?}; n++)
                 b.click();
             return b.getAttribute('data-theme-state');"
        );
        assert_eq!(js(self.c, &script).await, state, "the theme toggle");
    }

    /// Runs every axe rule on the open page once its own script has run, the toggle is in
    /// `toggle`, the window is `width` px wide inside and nothing is still animating (colours
    /// in a transition would be measured half-way). axe-core is injected through WebDriver,
    /// which runs scripts whatever the page's Content-Security-Policy (no inline scripts)
    /// says, so the server's real headers stay on.
    async fn audit(&mut self, toggle: &str, width: u32, state: &str) {
        let scheme = if toggle == "dark" { "dark" } else { "light" };
        wait_js(
            self.c,
            &format!("{state}: the page ready to audit"),
            &format!(
                "return document.readyState === 'complete' && innerWidth === {width}
                    && document.querySelector('.theme-toggle').getAttribute('data-theme-state')
                        === {toggle:?}
                    && getComputedStyle(document.documentElement).colorScheme === {scheme:?}
                    && !document.getAnimations().some(a => a.playState === 'running');"
            ),
        )
        .await;
        if js(self.c, "return !window.axe;").await == true {
            let script = format!("{}\n;return typeof window.axe.run;", self.axe);
            let loaded = self.c.execute(&script, vec![]).await.unwrap();
            assert_eq!(loaded, "function", "{state}: axe-core did not load");
        }
        let violations = self.c.execute_async(AXE_RUN, vec![]).await.unwrap();
        self.findings.add(violations, state);
    }

    /// The open page in the light theme as the toggle starts ("Авто", on a light system),
    /// then in the dark theme chosen with the toggle, which is set back to "Авто" after;
    /// `every_state` adds the light theme chosen by hand.
    async fn audit_themes(&mut self, (width, w): (&str, u32), page: &str, every_state: bool) {
        self.audit("auto", w, &format!("{page} [light, {width}]"))
            .await;
        if every_state {
            self.toggle_to("light").await;
            self.audit("light", w, &format!("{page} [light chosen, {width}]"))
                .await;
        }
        self.toggle_to("dark").await;
        self.audit("dark", w, &format!("{page} [dark, {width}]"))
            .await;
        self.toggle_to("auto").await;
    }

    /// The states a page reaches only by use: the header search with its results open and
    /// one selected, the operator page with suggestions, with its "no article fits" note and
    /// after a vote, and the writers' report (a page the server makes on request).
    async fn audit_interactive(&mut self, server: &Server, width: (&str, u32)) {
        let c = self.c;
        c.goto(&server.url("/")).await.unwrap();
        let input = c.find(Locator::Id("search-input")).await.unwrap();
        input.click().await.unwrap();
        input.send_keys("шлагбаум").await.unwrap();
        wait_js(
            c,
            "search results",
            "return !document.getElementById('search-results').hidden
                && document.querySelectorAll('#search-results [role=option]').length > 1;",
        )
        .await;
        input.send_keys(&Key::Down).await.unwrap();
        self.audit_themes(width, "search results open on /", false)
            .await;
        let still_open = "return !document.getElementById('search-results').hidden
            && !!document.querySelector('#search-results [aria-selected=true]');";
        assert_eq!(js(c, still_open).await, true, "the results stayed open");

        c.goto(&server.url("/podbor/")).await.unwrap();
        for (text, shown) in [
            (
                "Не приходит смс с кодом для входа в приложение, уже полчаса жду",
                "#suggest-results .suggestion-title",
            ),
            (
                "спасибо, всё работает",
                "#suggest-not-confident:not([hidden]) [data-when=weak]:not([hidden])",
            ),
            (
                "ъъъ ыыы",
                "#suggest-not-confident:not([hidden]) [data-when=none]:not([hidden])",
            ),
        ] {
            let area = c.find(Locator::Id("ticket-text")).await.unwrap();
            area.clear().await.unwrap();
            area.send_keys(text).await.unwrap();
            let button = c.find(Locator::Css("#suggest-form [type=submit]")).await;
            button.unwrap().click().await.unwrap();
            wait_js(
                c,
                &format!("the operator page's answer to {text:?}"),
                &format!("return !!document.querySelector({shown:?});"),
            )
            .await;
            let page = format!("/podbor/ answering {text:?}");
            self.audit_themes(width, &page, false).await;
        }
        // A vote confirmed, then the writers' report counting it.
        c.find(Locator::Css("#suggest-none button"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        wait_js(
            c,
            "the vote's confirmation",
            "return document.querySelector('#suggest-none .vote-note').textContent;",
        )
        .await;
        self.audit_themes(width, "/podbor/ after a vote", false)
            .await;
        c.goto(&server.url("/stats/")).await.unwrap();
        self.audit_themes(width, "/stats/", false).await;
    }
}

/// Audits `urls` at both widths in both themes in a session of its own; with `interactive`,
/// also the states reached by use (`Auditor::audit_interactive`).
async fn audit_site(
    driver: &Driver,
    server: &Server,
    axe: &str,
    urls: &[String],
    interactive: bool,
) -> Findings {
    let c = driver.session().await;
    let mut auditor = Auditor {
        c: &c,
        axe: axe.to_string(),
        findings: Findings::default(),
    };
    c.goto(&server.url("/")).await.unwrap();
    let dark_system = js(
        &c,
        "return matchMedia('(prefers-color-scheme: dark)').matches;",
    );
    assert_eq!(dark_system.await, false, "headless chromium prefers light");
    let stored = js(&c, "return localStorage.length;").await;
    assert_eq!(stored, 0, "a fresh profile");
    // Every page at both widths: one load, four audits. The widths take turns to come first,
    // so that a page needs one resize.
    let mut widths = WIDTHS;
    for (n, url) in urls.iter().enumerate() {
        c.goto(&server.url(url)).await.unwrap();
        for (i, (width, w, h)) in widths.into_iter().enumerate() {
            if i > 0 || n == 0 {
                c.set_window_size(w, h).await.unwrap();
            }
            auditor.audit_themes((width, w), url, url == "/").await;
        }
        widths.reverse();
    }
    if interactive {
        for (width, w, h) in WIDTHS {
            c.set_window_size(w, h).await.unwrap();
            auditor.audit_interactive(server, (width, w)).await;
        }
    }
    let findings = auditor.findings;
    c.close().await.unwrap();
    findings
}

/// The site URL of a built file: `x/index.html` → `/x/`; 404.html is the answer to a path
/// that does not exist.
fn url_of(file: &str) -> String {
    if file == "404.html" {
        return "/net-takoy-stranitsy/".into();
    }
    let dir = file.strip_suffix("index.html").expect("an index.html");
    format!("/{dir}")
}

#[test]
fn axe_finds_no_violation_in_light_and_dark_at_desktop_and_phone_widths() {
    const TEST: &str = "the axe-core test (tests/standards.rs)";
    let Some((chromedriver, chromium)) = browser_or_skip(TEST) else {
        return;
    };
    let axe_path = node_modules().join("axe-core/axe.min.js");
    if !axe_path.is_file() {
        skip(TEST, &axe_path.display().to_string(), &npm_install());
        return;
    }
    let kb = built_default_site();
    let urls: Vec<String> = html_files(&kb.out()).iter().map(|f| url_of(f)).collect();
    let server = Server::start(kb.root());
    let axe = std::fs::read_to_string(&axe_path).unwrap();
    let started = Instant::now();
    // Two browsers share the pages, the second one also plays the interactive states: on the
    // project's busy 2-core machine the test took 83 s so, 97 s with one.
    let drivers = [0, 1].map(|_| Driver::start(&chromedriver, chromium.clone()));
    let (half, rest) = urls.split_at(urls.len() / 2);
    let mut findings = Findings::default();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let (first, second) = runtime.block_on(async {
        tokio::join!(
            audit_site(&drivers[0], &server, &axe, half, false),
            audit_site(&drivers[1], &server, &axe, rest, true),
        )
    });
    findings.merge(first);
    findings.merge(second);
    // The pages with notes, cuts and tabs, which the default content has none of.
    let blocks = built_blocks_site();
    let block_urls: Vec<String> = html_files(&blocks.out())
        .iter()
        .map(|f| url_of(f))
        .collect();
    let blocks_server = Server::start(blocks.root());
    let third = runtime.block_on(audit_site(
        &drivers[0],
        &blocks_server,
        &axe,
        &block_urls,
        false,
    ));
    findings.merge(third);
    eprintln!(
        "axe: {} audits of {} pages in {:.1} s",
        findings.audits,
        urls.len(),
        started.elapsed().as_secs_f64()
    );
    assert!(
        findings.seen.is_empty(),
        "axe-core found {} violations (rule × element; {} in all pages and states) in {} audits \
         of the default site and the YFM blocks' fixture:\n{}",
        findings.seen.len(),
        findings.seen.values().map(Vec::len).sum::<usize>(),
        findings.audits,
        findings.report()
    );
}
