//! `/metrics` of a real `spravka serve`, read after a few requests and an edit: the Prometheus
//! text format line by line, the request counters and latency histogram by route, the
//! rebuild and its phases.

mod common;
use common::{Fixture, Server};
use reqwest::blocking::Client;
use serde_json::json;
use std::collections::BTreeMap;

/// One sample line of the Prometheus text format: `name{label="value",...} value`.
fn parse_sample(line: &str) -> (String, Vec<(String, String)>, f64) {
    let name_end = line
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == ':'))
        .unwrap_or_else(|| panic!("no value: {line}"));
    let (name, mut rest) = line.split_at(name_end);
    assert!(
        !name.is_empty() && !name.starts_with(|c: char| c.is_ascii_digit()),
        "{line}"
    );
    let mut labels = vec![];
    if let Some(inner) = rest.strip_prefix('{') {
        rest = inner;
        while !rest.starts_with('}') {
            let (key, value) = rest.split_once("=\"").unwrap_or_else(|| panic!("{line}"));
            let mut text = String::new();
            let mut chars = value.char_indices();
            let end = loop {
                match chars
                    .next()
                    .unwrap_or_else(|| panic!("unclosed label: {line}"))
                {
                    (_, '\\') => text.push(chars.next().unwrap().1),
                    (i, '"') => break i,
                    (_, c) => text.push(c),
                }
            };
            labels.push((key.trim_start_matches(',').to_string(), text));
            rest = &value[end + 1..];
        }
        rest = &rest[1..];
    }
    let value = rest.strip_prefix(' ').unwrap_or_else(|| panic!("{line}"));
    let value = match value {
        "+Inf" => f64::INFINITY,
        v => v.parse().unwrap_or_else(|_| panic!("not a number: {line}")),
    };
    (name.to_string(), labels, value)
}

/// `/metrics` as series (`name{labels}` as printed) → value, every line checked.
fn scrape(client: &Client, server: &Server) -> BTreeMap<String, f64> {
    let response = client.get(server.url("/metrics")).send().unwrap();
    assert_eq!(response.status(), 200);
    let content_type = response.headers()["content-type"].to_str().unwrap();
    assert!(
        content_type.starts_with("text/plain; version=0.0.4"),
        "{content_type}"
    );
    let text = response.text().unwrap();
    let mut series = BTreeMap::new();
    for line in text.lines().filter(|l| !l.is_empty()) {
        if let Some(comment) = line.strip_prefix("# ") {
            assert!(
                comment.starts_with("HELP ") || comment.starts_with("TYPE "),
                "{line}"
            );
            continue;
        }
        let (name, labels, value) = parse_sample(line);
        for (key, value) in &labels {
            if key == "route" {
                let known = value == "static" || value == "/metrics" || value.starts_with("/api/");
                assert!(known || value.starts_with("/__spravka/"), "{line}");
            }
        }
        let key = line.rsplit_once(' ').unwrap().0.to_string();
        assert!(
            series.insert(key, value).is_none(),
            "a series twice: {name}"
        );
    }
    series
}

fn moved(before: &BTreeMap<String, f64>, after: &BTreeMap<String, f64>, series: &str) -> f64 {
    after.get(series).copied().unwrap_or(0.0) - before.get(series).copied().unwrap_or(0.0)
}

fn status(client: &Client, server: &Server, method: reqwest::Method, path: &str) -> u16 {
    let request = client.request(method, server.url(path));
    request.send().unwrap().status().as_u16()
}

/// A few requests move the request counters of their routes (static files as one route,
/// never their URLs) and are timed in a histogram whose buckets add up.
#[test]
fn metrics_count_and_time_requests_by_route() {
    use reqwest::Method;
    let f = Fixture::new("basic");
    let server = Server::start(f.root());
    let client = Client::new();
    let before = scrape(&client, &server);
    let get = |path: &str| status(&client, &server, Method::GET, path);
    assert_eq!(get("/api/search?q=шлагбаум"), 200);
    assert_eq!(get("/razdel/pervyy-dokument/"), 200);
    assert_eq!(get("/no/such/page/"), 404);
    let suggest = client.post(server.url("/api/suggest"));
    let suggest = suggest.json(&json!({"text": "шлагбаум"})).send().unwrap();
    assert_eq!(suggest.status(), 200);
    assert_eq!(status(&client, &server, Method::POST, "/api/search"), 405);
    let after = scrape(&client, &server);
    let requests = |route: &str, status: &str| {
        let series =
            format!("spravka_http_requests_total{{route=\"{route}\",status=\"{status}\"}}");
        moved(&before, &after, &series)
    };
    assert_eq!(requests("/api/search", "2xx"), 1.0);
    assert_eq!(requests("/api/search", "4xx"), 1.0);
    assert_eq!(requests("/api/suggest", "2xx"), 1.0);
    assert_eq!(requests("static", "2xx"), 1.0);
    assert_eq!(requests("static", "4xx"), 1.0);
    assert!(!after.keys().any(|s| s.contains("/no/such/page/")));
    let count = "spravka_http_request_duration_seconds_count{route=\"/api/search\"}";
    assert_eq!(moved(&before, &after, count), 2.0);
    let bucket = "spravka_http_request_duration_seconds_bucket{route=\"/api/search\",le=\"";
    let mut buckets: Vec<(f64, f64)> = after
        .iter()
        .filter_map(|(series, value)| {
            let le = series.strip_prefix(bucket)?.strip_suffix("\"}")?;
            let le = if le == "+Inf" {
                f64::INFINITY
            } else {
                le.parse().unwrap()
            };
            Some((le, *value))
        })
        .collect();
    buckets.sort_by(|a, b| a.0.total_cmp(&b.0));
    assert!(buckets.len() > 5, "{buckets:?}");
    assert!(buckets.windows(2).all(|w| w[0].1 <= w[1].1), "{buckets:?}");
    assert_eq!(buckets.last(), Some(&(f64::INFINITY, after[count])));
}

/// A saved edit shows as one incremental rebuild, with each of its phases timed.
#[test]
fn a_saved_edit_shows_as_an_incremental_rebuild_with_its_phases() {
    let mut f = Fixture::new("basic");
    let server = Server::start(f.root());
    let client = Client::new();
    let rebuilt = "spravka_rebuild_duration_seconds_count{kind=\"incremental\",result=\"ok\"}";
    assert!(!scrape(&client, &server).contains_key(rebuilt));
    f.write(
        "content/Раздел/Первый документ.md",
        "# Первый документ\n\nПро турникет.\n",
    );
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    let mut now = scrape(&client, &server);
    while !now.contains_key(rebuilt) && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(100));
        now = scrape(&client, &server);
    }
    assert_eq!(
        now.get(rebuilt),
        Some(&1.0),
        "the edit is counted as a rebuild"
    );
    for phase in ["load", "check", "render", "index"] {
        let series = format!(
            "spravka_rebuild_phase_duration_seconds_count{{kind=\"incremental\",phase=\"{phase}\"}}"
        );
        assert_eq!(now.get(&series), Some(&1.0), "{series}");
    }
}
