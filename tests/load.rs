//! A bounded load test over loopback: many concurrent clients send mixed page, search and
//! suggest requests to a real `spravka serve` while a writer keeps editing an article, so the
//! watcher rebuilds underneath. Zero errors and zero wrong answers are allowed; it stops by
//! itself after a few seconds.

mod common;

use common::{Fixture, Server};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

const CLIENTS: usize = 8;
const RUN_FOR: Duration = Duration::from_secs(4);
const EDITED: &str = "База типичных запросов/Шлагбаум не открывается по номеру автомобиля.md";
const TICKET: &str = "Здравствуйте. Мой автомобиль внесён в систему, номер указан правильно, но \
    шлагбаум на въезде перестал открываться по номеру — камера как будто не видит машину.";

#[derive(Default)]
struct Tally {
    requests: AtomicUsize,
    failures: AtomicUsize,
}

/// One request of the mix; `Err` says what was wrong with the answer.
fn one_request(
    client: &reqwest::blocking::Client,
    server: &Server,
    n: usize,
) -> Result<(), String> {
    let json = |response: reqwest::blocking::Response| -> Result<serde_json::Value, String> {
        if !response.status().is_success() {
            return Err(format!("status {}", response.status()));
        }
        response.json().map_err(|e| format!("not JSON: {e}"))
    };
    let send =
        |request: reqwest::blocking::RequestBuilder| request.send().map_err(|e| e.to_string());
    match n % 3 {
        0 => {
            let page = send(client.get(server.url("/")))?;
            let status = page.status();
            let html = page.text().map_err(|e| e.to_string())?;
            (status.is_success() && html.contains("</main>"))
                .then_some(())
                .ok_or(format!("home page: {status}"))
        }
        1 => {
            // The edited article's own word: found before, during and after every rebuild.
            let body = json(send(
                client.get(server.url("/api/search?q=шлагбаум&limit=10")),
            )?)?;
            let paths: Vec<&str> = body["hits"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|h| h["path"].as_str())
                .collect();
            paths
                .contains(&EDITED)
                .then_some(())
                .ok_or(format!("search lost it: {paths:?}"))
        }
        _ => {
            let body = json(send(
                client
                    .post(server.url("/api/suggest"))
                    .json(&serde_json::json!({"text": TICKET})),
            )?)?;
            let top = body["suggestions"][0]["path"]
                .as_str()
                .unwrap_or_default()
                .to_string();
            (top == EDITED && body["confident"] == true)
                .then_some(())
                .ok_or(format!(
                    "suggest answered {top:?}, confident {}",
                    body["confident"]
                ))
        }
    }
}

#[test]
fn mixed_requests_while_the_content_is_rebuilt_never_fail() {
    let f = Fixture::default_content();
    let server = Arc::new(Server::start(f.root()));
    let tally = Arc::new(Tally::default());
    let problems = Arc::new(std::sync::Mutex::new(Vec::<String>::new()));
    let deadline = Instant::now() + RUN_FOR;
    let clients: Vec<_> = (0..CLIENTS)
        .map(|c| {
            let (server, tally, problems) = (server.clone(), tally.clone(), problems.clone());
            std::thread::spawn(move || {
                let client = reqwest::blocking::Client::builder()
                    .timeout(Duration::from_secs(10))
                    .build()
                    .unwrap();
                let mut n = c;
                while Instant::now() < deadline {
                    if let Err(problem) = one_request(&client, &server, n) {
                        tally.failures.fetch_add(1, Ordering::Relaxed);
                        problems.lock().unwrap().push(problem);
                    }
                    tally.requests.fetch_add(1, Ordering::Relaxed);
                    n += 1;
                }
            })
        })
        .collect();
    let path = f.root().join("content").join(EDITED);
    let original = std::fs::read_to_string(&path).unwrap();
    let mut edits = 0;
    // Saved as most editors save: a hidden temporary file renamed over the article. (Written in
    // place, a rebuild may read the file between the truncation and the write; the next event
    // serves it whole again, but a request in between would see the article missing.)
    let temporary = path.with_file_name(".spravka-load-edit.tmp");
    while Instant::now() + Duration::from_millis(300) < deadline {
        edits += 1;
        std::fs::write(
            &temporary,
            format!("{original}\nПравка номер {edits}: слово правкаслово{edits}.\n"),
        )
        .unwrap();
        std::fs::rename(&temporary, &path).unwrap();
        std::thread::sleep(Duration::from_millis(150));
    }
    for client in clients {
        client.join().unwrap();
    }
    let requests = tally.requests.load(Ordering::Relaxed);
    let failures = tally.failures.load(Ordering::Relaxed);
    let problems = problems.lock().unwrap();
    eprintln!("{requests} requests from {CLIENTS} clients, {edits} edits, {failures} failures");
    assert_eq!(
        failures,
        0,
        "{failures} of {requests} failed, e.g. {:?}",
        problems.first()
    );
    assert!(requests >= 300, "only {requests} requests in {RUN_FOR:?}");
    assert!(edits >= 10, "only {edits} edits");
    // The rebuilds really happened under the load: the last edit becomes searchable.
    let last = format!("/api/search?q=правкаслово{edits}");
    let found_by = Instant::now() + Duration::from_secs(15);
    loop {
        let body: serde_json::Value = reqwest::blocking::get(server.url(&last))
            .unwrap()
            .json()
            .unwrap();
        if body["hits"][0]["path"] == EDITED {
            break;
        }
        assert!(
            Instant::now() < found_by,
            "the last edit never became searchable: {body}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    let health: serde_json::Value = reqwest::blocking::get(server.url("/api/health"))
        .unwrap()
        .json()
        .unwrap();
    assert!(
        health["generation"].as_u64().unwrap() >= 2,
        "rebuilt under load: {health}"
    );
}
