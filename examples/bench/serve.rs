//! Figures (2), (4), (5): a real `spravka serve` on a copy of the corpus: edit → page and
//! search latency, wrk load from a separate process, and the server's memory.

use super::util::{copy_tree, fail, percentile, rss_mb};
use reqwest::blocking::Client;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub struct ServeFigures {
    pub edit_page: (f64, f64),
    pub edit_search: (f64, f64),
    /// Median and worst of [`ROUNDS`] adds, renames and deletes.
    pub add_ms: (f64, f64),
    pub rename_ms: (f64, f64),
    pub delete_ms: (f64, f64),
    pub rss_start: f64,
    pub rss_after: f64,
    pub hwm_after: f64,
    pub suggest_load: Load,
    pub search_load: Load,
    pub static_load: Load,
}

#[derive(Default)]
pub struct Load {
    pub rps: f64,
    pub p99_ms: f64,
    pub errors: u64,
}

/// Kills the server when the benchmark ends, however it ends.
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

const TIMEOUT: Duration = Duration::from_secs(30);
/// Rounds of add, rename, delete: one sample of each said little on a shared machine (the
/// rename of one round waited for the add's feeds, of the next not).
pub const ROUNDS: usize = 5;

/// Milliseconds until `ready` holds, polling every millisecond; fails after 30 s.
fn until(start: Instant, what: &str, mut ready: impl FnMut() -> bool) -> f64 {
    while !ready() {
        if start.elapsed() > TIMEOUT {
            fail(&format!("serve: {what} not seen after 30 s"));
        }
        std::thread::sleep(Duration::from_millis(1));
    }
    start.elapsed().as_secs_f64() * 1000.0
}

fn search(client: &Client, base: &str, word: &str) -> serde_json::Value {
    client
        .get(format!("{base}/api/search?q={word}&limit=5"))
        .send()
        .and_then(|r| r.json())
        .unwrap_or_default()
}

fn first_url(hits: &serde_json::Value) -> Option<String> {
    hits["hits"][0]["url"].as_str().map(str::to_owned)
}

fn page(client: &Client, base: &str, url: &str) -> String {
    client
        .get(format!("{base}{url}"))
        .send()
        .and_then(|r| r.text())
        .unwrap_or_default()
}

pub fn measure(
    spravka: &Path,
    corpus: &Path,
    work: &Path,
    edits: usize,
    load_secs: u64,
) -> ServeFigures {
    let _ = std::fs::remove_dir_all(work);
    copy_tree(&corpus.join("content"), &work.join("content"));
    let port = 18000 + (std::process::id() % 1000) as u16;
    let base = format!("http://127.0.0.1:{port}");
    let child = Command::new(spravka)
        .args([
            "serve",
            "--root",
            &work.to_string_lossy(),
            "--bind",
            &format!("127.0.0.1:{port}"),
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| fail(&format!("spravka serve: {e}")));
    let server = Server(child);
    let pid = server.0.id();
    let client = Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
        .expect("client");
    until(Instant::now(), "/api/health", || {
        client
            .get(format!("{base}/api/health"))
            .send()
            .is_ok_and(|r| r.status().is_success())
    });
    std::thread::sleep(Duration::from_secs(1));
    let (rss_start, _) = rss_mb(pid);

    // The edited document: the first of the corpus, found by its title through the API.
    let content = work.join("content");
    let file = super::util::walk(&content)
        .into_iter()
        .find(|p| p.extension().is_some_and(|e| e == "md") && !p.ends_with("README.md"))
        .expect("corpus has documents");
    let original = std::fs::read_to_string(&file).expect("readable");
    std::fs::write(&file, format!("{original}\nzqstartmark\n")).expect("writable");
    let start = Instant::now();
    until(start, "the first edit in search", || {
        first_url(&search(&client, &base, "zqstartmark")).is_some()
    });
    let url = first_url(&search(&client, &base, "zqstartmark")).expect("found");
    let (mut page_ms, mut search_ms) = (Vec::new(), Vec::new());
    for i in 0..edits {
        let word = format!("zqedit{i}mark");
        std::fs::write(&file, format!("{original}\n{word}\n")).expect("writable");
        let start = Instant::now();
        let mut seen_page = None;
        let mut seen_search = None;
        until(start, "an edit", || {
            if seen_page.is_none() && page(&client, &base, &url).contains(&word) {
                seen_page = Some(start.elapsed().as_secs_f64() * 1000.0);
            }
            if seen_search.is_none() && first_url(&search(&client, &base, &word)).is_some() {
                seen_search = Some(start.elapsed().as_secs_f64() * 1000.0);
            }
            seen_page.is_some() && seen_search.is_some()
        });
        page_ms.push(seen_page.expect("seen"));
        search_ms.push(seen_search.expect("seen"));
        std::thread::sleep(Duration::from_millis(300));
    }
    let (mut add_ms, mut rename_ms, mut delete_ms) = (Vec::new(), Vec::new(), Vec::new());
    for round in 0..ROUNDS {
        let mark = format!("zqadded{round}mark");
        let added = file.with_file_name(format!("Добавленный документ бенчмарка {round}.md"));
        let doc = format!("# Добавленный документ бенчмарка {round}\n\n{mark}\n");
        std::fs::write(&added, doc).expect("writable");
        let start = Instant::now();
        add_ms.push(until(start, "the added document", || {
            first_url(&search(&client, &base, &mark)).is_some()
        }));
        let old_url = first_url(&search(&client, &base, &mark)).expect("found");
        let renamed = added.with_file_name(format!("Переименованный документ {round}.md"));
        std::fs::rename(&added, &renamed).expect("rename");
        let start = Instant::now();
        rename_ms.push(until(start, "the renamed document", || {
            first_url(&search(&client, &base, &mark)).is_some_and(|u| u != old_url)
        }));
        std::fs::remove_file(&renamed).expect("delete");
        let start = Instant::now();
        delete_ms.push(until(start, "the deleted document gone", || {
            search(&client, &base, &mark)["total"].as_u64() == Some(0)
        }));
        std::thread::sleep(Duration::from_millis(500));
    }
    let median_and_worst = |samples: &mut Vec<f64>| {
        let worst = samples.iter().copied().fold(0.0, f64::max);
        (percentile(samples, 50.0), worst)
    };

    let suggest_load = wrk(&base, "/api/suggest", load_secs, Some((work, SUGGEST_LUA)));
    let search_load = wrk(&base, "/api/search", load_secs, Some((work, &search_lua())));
    let static_load = wrk(&base, &url, load_secs, None);
    let (rss_after, hwm_after) = rss_mb(pid);
    drop(server);
    ServeFigures {
        edit_page: (
            percentile(&mut page_ms, 50.0),
            percentile(&mut page_ms, 95.0),
        ),
        edit_search: (
            percentile(&mut search_ms, 50.0),
            percentile(&mut search_ms, 95.0),
        ),
        add_ms: median_and_worst(&mut add_ms),
        rename_ms: median_and_worst(&mut rename_ms),
        delete_ms: median_and_worst(&mut delete_ms),
        rss_start,
        rss_after,
        hwm_after,
        suggest_load,
        search_load,
        static_load,
    }
}

const SUGGEST_LUA: &str = "wrk.method = \"POST\"\nwrk.headers[\"Content-Type\"] = \"application/json\"\nwrk.body = '{\"text\": \"Здравствуйте, не открывается шлагбаум по номеру автомобиля, камера не распознает номер\", \"limit\": 5}'\n";

/// What staff type in the search box, each as it stands while typed (the last word cut
/// short, as search-as-you-type sends it): wrk cycles through them.
const TYPED: [&str; 12] = [
    "шлагб",
    "не приходит см",
    "пропуск для кур",
    "ikfu,f",
    "shlagbaum",
    "код подтвержд",
    "камера не расп",
    "охрана не вид",
    "приложение ios",
    "личный каб",
    "гостевой проп",
    "qr",
];

fn search_lua() -> String {
    let paths: Vec<String> = TYPED
        .iter()
        .map(|q| {
            let q = percent_encoding::utf8_percent_encode(q, percent_encoding::NON_ALPHANUMERIC);
            format!("\"/api/search?q={q}&limit=10\"")
        })
        .collect();
    format!(
        "paths = {{{}}}\ni = 0\nrequest = function()\n  i = i % #paths + 1\n  return wrk.format(\"GET\", paths[i])\nend\n",
        paths.join(", ")
    )
}

/// wrk, 32 connections on 2 threads, with latency percentiles; `script`: a folder to write
/// the Lua script in, and the script.
fn wrk(base: &str, path: &str, secs: u64, script: Option<(&Path, &str)>) -> Load {
    if Command::new("wrk").arg("--version").output().is_err() {
        fail("wrk is missing: apt-get install -y wrk");
    }
    let mut cmd = Command::new("wrk");
    cmd.args(["-t2", "-c32", &format!("-d{secs}s"), "--latency"]);
    if let Some((dir, lua)) = script {
        let file = dir.join("load.lua");
        std::fs::write(&file, lua).expect("writable");
        cmd.arg("-s").arg(file);
    }
    let out = cmd
        .arg(format!("{base}{path}"))
        .output()
        .unwrap_or_else(|e| fail(&format!("wrk: {e}")));
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    parse_wrk(&text)
}

fn parse_wrk(text: &str) -> Load {
    let mut load = Load::default();
    for line in text.lines().map(str::trim) {
        let fields: Vec<&str> = line.split_whitespace().collect();
        if line.starts_with("Requests/sec:") {
            load.rps = fields[1].parse().unwrap_or(0.0);
        } else if line.starts_with("99%") {
            load.p99_ms = duration_ms(fields[1]);
        } else if line.starts_with("Non-2xx") {
            load.errors += fields.last().and_then(|n| n.parse().ok()).unwrap_or(0);
        } else if line.starts_with("Socket errors:") {
            load.errors += line
                .split(',')
                .filter_map(|p| p.split_whitespace().last()?.parse::<u64>().ok())
                .sum::<u64>();
        }
    }
    load
}

/// wrk prints durations as `812.00us`, `3.21ms`, `1.02s`.
fn duration_ms(text: &str) -> f64 {
    let (number, factor) = if let Some(n) = text.strip_suffix("us") {
        (n, 0.001)
    } else if let Some(n) = text.strip_suffix("ms") {
        (n, 1.0)
    } else if let Some(n) = text.strip_suffix('s') {
        (n, 1000.0)
    } else {
        (text, 1.0)
    };
    number.parse::<f64>().unwrap_or(0.0) * factor
}
