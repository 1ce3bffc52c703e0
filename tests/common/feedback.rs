//! Helpers of the feedback tests (`tests/feedback.rs`, `tests/learning.rs`): the databases to
//! run on, the config, votes as the site's pages send them, and the stored rows.

use super::{Fixture, Server};
use serde_json::{json, Value};

/// A ticket operators confirm an answer for, and a paraphrase of it for which the default
/// base ranks that answer second (after the barrier that does not open by plate): what
/// they taught must lift it. (The article model, fitted on the project's tickets, already
/// answers paraphrases its tickets and articles cover, such as a slow web cabinet or a
/// camera that mixes up a plate's letters.)
pub const CONFIRMED_TICKET: &str = "камера не читает номер машины, шлагбаум не пускает";
pub const PARAPHRASE: &str = "камера не читает номер машины, шлагбаум не поднимается";
pub const ANSWER: &str = "База типичных запросов/Номер автомобиля распознается с ошибками.md";

/// The databases to run a test on: SQLite, and a fresh PostgreSQL database when one is
/// configured (skipped loudly otherwise).
pub fn databases(test: &str) -> Vec<String> {
    let mut all = vec!["data/feedback.sqlite".to_string()];
    match std::env::var("SPRAVKA_TEST_POSTGRES") {
        Ok(url) => all.push(fresh_postgres_database(&url, test)),
        Err(_) if std::env::var("SPRAVKA_POSTGRES_TESTS").as_deref() == Ok("required") => {
            panic!("SPRAVKA_POSTGRES_TESTS=required but SPRAVKA_TEST_POSTGRES is not set (.ci/postgres starts a server)")
        }
        Err(_) => eprintln!(
            "SKIPPED {test} on PostgreSQL: set SPRAVKA_TEST_POSTGRES=postgres://… (install postgresql; .ci/postgres starts a throw-away server)"
        ),
    }
    all
}

/// Creates (anew) a database for one test on the server at `url`; its URL.
fn fresh_postgres_database(url: &str, test: &str) -> String {
    let name = format!("spravka_{test}");
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let (client, connection) = tokio_postgres::connect(url, tokio_postgres::NoTls)
            .await
            .unwrap_or_else(|e| panic!("{url}: {e}"));
        tokio::spawn(connection);
        // Two statements: neither may run inside the implicit transaction of a batch.
        for statement in [
            format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"),
            format!("CREATE DATABASE {name}"),
        ] {
            client.batch_execute(&statement).await.unwrap();
        }
    });
    let (base, _) = url.rsplit_once('/').unwrap();
    format!("{base}/{name}")
}

/// Writes spravka.toml: `database` and `feedback` lines in `[feedback]`, then `tables`.
pub fn configure(f: &Fixture, database: &str, feedback: &str, tables: &str) {
    std::fs::write(
        f.root().join("spravka.toml"),
        format!("[feedback]\ndatabase = {database:?}\n{feedback}\n{tables}\n"),
    )
    .unwrap();
}

/// Posts feedback as the site's own pages do; the status and the JSON answer.
pub fn vote(server: &Server, client: &reqwest::blocking::Client, body: Value) -> (u16, Value) {
    let response = client
        .post(server.url("/api/feedback"))
        .header("Sec-Fetch-Site", "same-origin")
        .json(&body)
        .send()
        .unwrap();
    let status = response.status().as_u16();
    (status, response.json().unwrap_or(Value::Null))
}

pub fn helped(text: &str, path: &str) -> Value {
    json!({"text": text, "path": path, "verdict": "helped", "suggestion_rank": 2})
}

/// Every stored row, through `spravka feedback export`.
pub fn export(f: &mut Fixture) -> Vec<Value> {
    f.run(&["feedback", "export"]).success();
    f.stdout()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

pub fn top_path(server: &Server, text: &str) -> String {
    let response: Value = reqwest::blocking::Client::new()
        .post(server.url("/api/suggest"))
        .json(&json!({ "text": text }))
        .send()
        .unwrap()
        .json()
        .unwrap();
    response["suggestions"][0]["path"]
        .as_str()
        .unwrap()
        .to_string()
}

/// A client of its own address on loopback (127.0.0.N), as distinct operators are.
pub fn client_from(n: u8) -> reqwest::blocking::Client {
    reqwest::blocking::Client::builder()
        .local_address(std::net::IpAddr::from([127, 0, 0, n]))
        .build()
        .unwrap()
}
