//! What suggest learns from operators' votes, end to end: a confirmed answer rises for a
//! paraphrase on a running server, one client's flood counts as one vote, and `build` ships
//! what was learned for `spravka suggest`.

mod common;

use common::feedback::*;
use common::{Fixture, Server};
use serde_json::{json, Value};
use std::time::Duration;

#[test]
fn a_confirmed_answer_rises_for_a_paraphrase_without_a_rebuild() {
    let f = Fixture::default_content();
    let server = Server::start(f.root());
    let generation = |s: &Server| -> Value {
        reqwest::blocking::get(s.url("/api/health"))
            .unwrap()
            .json::<Value>()
            .unwrap()["generation"]
            .clone()
    };
    let before = generation(&server);
    assert_ne!(
        top_path(&server, PARAPHRASE),
        ANSWER,
        "the paraphrase needs the lesson"
    );
    for n in 2..=4 {
        let (status, body) = vote(&server, &client_from(n), helped(CONFIRMED_TICKET, ANSWER));
        assert_eq!(status, 201, "{body}");
    }
    // Learned at once by the server that stored the votes (within the poll's second anyway).
    let deadline = std::time::Instant::now() + Duration::from_secs(1);
    while top_path(&server, PARAPHRASE) != ANSWER {
        assert!(
            std::time::Instant::now() < deadline,
            "not learned within a second"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    assert_eq!(generation(&server), before, "no rebuild");
}

/// A hostile stream — one client confirming an article a thousand times — moves it no more
/// than one confirmation does, which alone is nothing; the cap of distinct clients can.
#[test]
fn one_clients_flood_moves_an_article_no_more_than_one_vote() {
    use spravka::feedback::privacy::ticket_terms;
    use spravka::search::learned::{Learned, Lesson};
    let engine = common::default_engine();
    // Found for the paraphrase, second: learning reorders what search finds.
    let flooded = ANSWER;
    let terms = ticket_terms(PARAPHRASE);
    let taught = |votes: usize, clients: usize| {
        let mut learned = Learned::new(3);
        for i in 0..votes {
            learned.learn(
                flooded,
                Lesson::Confirmed,
                &terms,
                &format!("client {}", i % clients),
            );
        }
        engine.suggest_learning(PARAPHRASE, 5, &learned)
    };
    let place = |response: &spravka::search::SuggestResponse| {
        response
            .suggestions
            .iter()
            .position(|s| s.hit.path == flooded)
    };
    let once = taught(1, 1);
    let flood = taught(1000, 1);
    assert_eq!(flood, once, "a thousand votes of one client count as one");
    assert_ne!(
        place(&once),
        Some(0),
        "one client cannot take the ticket over"
    );
    let many = taught(1000, 10);
    assert_eq!(
        place(&many),
        Some(0),
        "the cap of distinct clients can: {many:?}"
    );
}

#[test]
fn build_ships_what_operators_taught_and_suggest_reads_it() {
    let mut f = Fixture::default_content();
    let top = |f: &mut Fixture| -> String {
        f.run(&["suggest", "--json", PARAPHRASE]).success();
        let answer: Value = serde_json::from_str(&f.stdout()).unwrap();
        answer["suggestions"][0]["path"]
            .as_str()
            .unwrap()
            .to_string()
    };
    f.build().success();
    assert_ne!(top(&mut f), ANSWER, "nothing taught yet");
    assert!(!f.root().join("data").exists(), "build creates no database");
    let history: String = ["anna", "boris", "vera"]
        .iter()
        .map(|client| {
            let line = json!({"ticket": CONFIRMED_TICKET, "path": ANSWER, "verdict": "helped", "client": client});
            format!("{line}\n")
        })
        .collect();
    std::fs::write(f.root().join("history.jsonl"), history).unwrap();
    let history = f.root().join("history.jsonl");
    f.run(&["feedback", "import", history.to_str().unwrap()])
        .success();
    f.build().success();
    let shipped = std::fs::read_to_string(f.root().join("public-index/learned.json")).unwrap();
    assert!(
        !shipped.contains("anna"),
        "no client in the shipped file: {shipped}"
    );
    assert_eq!(top(&mut f), ANSWER);

    // `search` and `suggest` rebuild a stale index after an edit; what build shipped beside
    // it, which only the feedback database and the next build can give again, stays.
    let root = f.root().to_path_buf();
    let read = |rel: &str| std::fs::read_to_string(root.join(rel)).unwrap();
    let fingerprint = read("public-index/spravka-fingerprint");
    let added = "content/Новая статья.md";
    std::fs::write(root.join(added), "# Новая статья\n\nПро пропуска.\n").unwrap();
    assert_eq!(top(&mut f), ANSWER, "still lifted after an added page");
    assert_ne!(
        read("public-index/spravka-fingerprint"),
        fingerprint,
        "reindexed"
    );
    assert_eq!(read("public-index/learned.json"), shipped);
    std::fs::remove_file(root.join(added)).unwrap();
    f.run(&["search", "шлагбаум"]).success();
    assert_eq!(read("public-index/learned.json"), shipped, "search too");
    assert_eq!(top(&mut f), ANSWER, "and after a deleted one");
}

/// Two servers behind one load balancer share a PostgreSQL database: votes given through one
/// are learned by the other within a second or two (its poll), without a rebuild.
#[test]
fn replicas_sharing_postgresql_learn_each_others_votes() {
    let databases = databases("replicas");
    let Some(shared) = databases.iter().find(|d| d.starts_with("postgres")) else {
        return; // skipped loudly by `databases`
    };
    let (a, b) = (Fixture::default_content(), Fixture::default_content());
    configure(&a, shared, "", "");
    configure(&b, shared, "", "");
    let (first, second) = (Server::start(a.root()), Server::start(b.root()));
    assert_ne!(top_path(&second, PARAPHRASE), ANSWER);
    for n in 2..=4 {
        let (status, body) = vote(&first, &client_from(n), helped(CONFIRMED_TICKET, ANSWER));
        assert_eq!(status, 201, "{body}");
    }
    let deadline = std::time::Instant::now() + Duration::from_secs(3);
    while top_path(&second, PARAPHRASE) != ANSWER {
        assert!(
            std::time::Instant::now() < deadline,
            "the other replica did not learn within its poll"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// Behind a trusted proxy every operator's request comes from the proxy's address; the
/// client is the one it forwards, so operators stay distinct and are learned from.
#[test]
fn operators_behind_a_trusted_proxy_are_distinct_clients() {
    let f = Fixture::default_content();
    configure(
        &f,
        "data/feedback.sqlite",
        "",
        "[serve]\ntrusted_proxies = [\"127.0.0.1\"]",
    );
    let server = Server::start(f.root());
    let client = reqwest::blocking::Client::new();
    for operator in ["10.1.0.2", "10.1.0.3", "10.1.0.4"] {
        let response = client
            .post(server.url("/api/feedback"))
            .header("Sec-Fetch-Site", "same-origin")
            .header("X-Forwarded-For", operator)
            .json(&helped(CONFIRMED_TICKET, ANSWER))
            .send()
            .unwrap();
        assert_eq!(response.status(), 201);
    }
    assert_eq!(top_path(&server, PARAPHRASE), ANSWER);
}
