//! The writers' knowledge-gap report end to end: a history imported with `spravka feedback
//! import`, then `spravka report` (json, csv, human) and a real server's `/api/stats` and
//! `/stats/` giving the same report; the token and a disabled feedback.

mod common;

use common::{Fixture, Server};
use reqwest::blocking::Client;
use serde_json::Value;

const SMS: &str = "База типичных запросов/Не приходит SMS с кодом подтверждения.md";
const BARRIER: &str = "База типичных запросов/Шлагбаум не открывается по номеру автомобиля.md";
/// Last updated in 2025 or before: stale by 2026-11-18 (`SOURCE_DATE_EPOCH` of `Fixture::run`).
const TAXI: &str = "База типичных запросов/Разовый пропуск для такси и курьера.md";

/// Three tickets about a vet's car at the gate (one the server was not confident of), one
/// about a scooter, votes on two articles, a stale article opened twice from search, searches
/// for «самокат» twice; and a row from before the period.
fn history() -> String {
    let lines = r#"{"ticket": "Ветеринара не пускают на территорию, как оформить пропуск?", "path": null, "verdict": "none", "at": "2026-11-02T10:00:00Z"}
{"ticket": "Не могу оформить пропуск ветеринару, он приедет вечером", "path": null, "verdict": "none", "at": "2026-11-09T10:00:00Z"}
{"kind": "not_confident", "path": "@BARRIER", "terms": ["ветеринар", "пропуск", "срочн"], "at": "2026-11-10T10:00:00Z"}
{"ticket": "Куда поставить электросамокат во дворе?", "path": null, "verdict": "none", "at": "2026-11-11T10:00:00Z"}
{"ticket": "Не приходит смс с кодом", "path": "@SMS", "verdict": "helped", "rank": 1, "at": "2026-11-03T10:00:00Z"}
{"ticket": "Не приходит смс с кодом", "path": "@BARRIER", "verdict": "wrong", "rank": 2, "at": "2026-11-03T10:01:00Z"}
{"kind": "opened", "path": "@TAXI", "terms": ["такси"], "at": "2026-11-12T10:00:00Z"}
{"kind": "opened", "path": "@TAXI", "terms": ["курьер"], "at": "2026-11-13T10:00:00Z"}
{"kind": "zero_results", "terms": ["самокат"], "at": "2026-11-14T10:00:00Z"}
{"kind": "zero_results", "terms": ["самокат"], "at": "2026-11-15T10:00:00Z"}
{"ticket": "Старое обращение про ветеринара и пропуск", "path": null, "verdict": "none", "at": "2026-10-01T10:00:00Z"}
"#;
    lines
        .replace("@BARRIER", BARRIER)
        .replace("@SMS", SMS)
        .replace("@TAXI", TAXI)
}

/// The default content with the history imported into its SQLite database.
fn imported() -> Fixture {
    let mut f = Fixture::default_content();
    f.write("history.jsonl", &history());
    let file = f.root().join("history.jsonl");
    f.run(&["feedback", "import", file.to_str().unwrap()])
        .success();
    assert!(f.stdout().contains("imported 11 rows"), "{}", f.stdout());
    f
}

fn groups(report: &Value, list: &str) -> Vec<(String, u64)> {
    report[list]["groups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| {
            let terms: Vec<&str> = g["terms"]
                .as_array()
                .unwrap()
                .iter()
                .map(|t| t.as_str().unwrap())
                .collect();
            (terms.join("+"), g["count"].as_u64().unwrap())
        })
        .collect()
}

fn articles(report: &Value, list: &str) -> Vec<(String, u64, u64, u64)> {
    report[list]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            let n = |k: &str| a[k].as_u64().unwrap();
            (
                a["path"].as_str().unwrap().to_string(),
                n("helped"),
                n("wrong"),
                n("opened"),
            )
        })
        .collect()
}

#[test]
fn an_imported_history_gives_the_same_report_on_the_command_line_and_the_server() {
    let mut f = imported();
    f.run(&["report", "--since", "2026-11-01", "--format", "json"])
        .success();
    let cli: Value = serde_json::from_str(&f.stdout()).unwrap();
    assert_eq!(cli["since"], "2026-11-01");
    assert_eq!(cli["until"], "2026-11-18");
    // The ticket of October is outside the period.
    assert_eq!(cli["gaps"]["tickets"], 4);
    let gaps = groups(&cli, "gaps");
    assert_eq!(gaps[0], ("ветеринар+пропуск".to_string(), 3), "{gaps:?}");
    assert_eq!(gaps.len(), 2, "the scooter ticket on its own: {gaps:?}");
    assert_eq!(groups(&cli, "zero_results"), [("самокат".to_string(), 2)]);
    assert_eq!(
        articles(&cli, "articles"),
        [
            (TAXI.to_string(), 0, 0, 2),
            (SMS.to_string(), 1, 0, 0),
            (BARRIER.to_string(), 0, 1, 0),
        ]
    );
    assert_eq!(articles(&cli, "stale"), [(TAXI.to_string(), 0, 0, 2)]);
    let unused = cli["unused"].as_array().unwrap();
    assert!(unused
        .iter()
        .all(|a| a["path"] != SMS && a["path"] != BARRIER));
    assert!(
        !unused.iter().any(|a| a["path"] == "README.md"),
        "section pages are not articles"
    );
    let weeks: Vec<(&str, u64, u64)> = cli["weeks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| {
            (
                w["week"].as_str().unwrap(),
                w["votes"].as_u64().unwrap(),
                w["misses"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        weeks,
        [
            ("2026-W44", 0, 0),
            ("2026-W45", 2, 1),
            ("2026-W46", 2, 5),
            ("2026-W47", 0, 0)
        ]
    );

    let server = Server::start(f.root());
    let api: Value = reqwest::blocking::get(server.url("/api/stats?since=2026-11-01"))
        .unwrap()
        .json()
        .unwrap();
    for key in ["totals", "gaps", "zero_results", "articles", "unused"] {
        assert_eq!(api[key], cli[key], "{key}");
    }
    let page = reqwest::blocking::get(server.url("/stats/?since=2026-11-01")).unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().unwrap();
    for needle in [
        "Отчёт для авторов",
        "ветеринар",
        "Разовый пропуск для такси и курьера",
        "role=\"img\"",
    ] {
        assert!(html.contains(needle), "/stats/ lacks {needle:?}");
    }
}

#[test]
fn the_report_prints_for_a_terminal_and_a_spreadsheet() {
    let mut f = imported();
    f.run(&["report", "--since", "2026-11-01"]).success();
    let human = f.stdout();
    assert!(
        human.contains("Knowledge-gap report, 01.11.2026 to 18.11.2026"),
        "{human}"
    );
    assert!(human.contains("   3  ветеринар + пропуск"), "{human}");
    assert!(
        human.contains("Разовый пропуск для такси и курьера (updated"),
        "{human}"
    );
    f.run(&["report", "--since", "2026-11-01", "--format", "csv"])
        .success();
    let csv = f.stdout();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(
        lines[0],
        "section,item,title,count,helped,wrong,opened,updated,examples"
    );
    assert!(
        lines[1].starts_with("gap,ветеринар+пропуск,,3,,,,,"),
        "{csv}"
    );
    assert!(
        csv.contains(&format!(
            "\narticle,{SMS},Не приходит SMS с кодом подтверждения,,1,0,0,"
        )),
        "{csv}"
    );
    assert!(
        csv.contains("\nweek_misses,2026-W46,2026-11-09,5,"),
        "{csv}"
    );
    f.run(&["report", "--since", "ноябрь"]);
    assert_eq!(
        f.code(),
        Some(2),
        "a bad date is a usage error: {}",
        f.stderr()
    );
}

#[test]
fn the_report_needs_the_token_when_configured_and_says_when_feedback_is_off() {
    let mut f = imported();
    f.write(
        "spravka.toml",
        "[serve]\napi_token = \"s3cret-token\"\nstats_need_token = true\n",
    );
    let server = Server::start(f.root());
    let client = Client::new();
    let get = |path: &str, token: Option<&str>| {
        let mut request = client.get(server.url(path));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        let response = request.send().unwrap();
        (response.status().as_u16(), response.text().unwrap())
    };
    let (status, body) = get("/api/stats", None);
    assert_eq!(status, 401, "{body}");
    assert!(body.contains("api_token"), "{body}");
    assert_eq!(get("/api/stats", Some("wrong")).0, 401);
    assert_eq!(get("/stats/", None).0, 401);
    let (status, body) = get("/api/stats?since=2026-11-01", Some("s3cret-token"));
    assert_eq!(status, 200, "{body}");
    assert_eq!(get("/stats/", Some("s3cret-token")).0, 200);
    let (status, body) = get("/api/stats?since=1.11.2026", Some("s3cret-token"));
    assert_eq!(status, 400, "{body}");
    drop(server);

    f.write("spravka.toml", "[feedback]\ndatabase = \"\"\n");
    let server = Server::start(f.root());
    let response = reqwest::blocking::get(server.url("/api/stats")).unwrap();
    assert_eq!(response.status(), 503);
    assert!(response.text().unwrap().contains("отзывы выключены"));
    let page = reqwest::blocking::get(server.url("/stats/")).unwrap();
    assert_eq!(page.status(), 503);
    assert!(page.text().unwrap().contains("отзывы выключены"));
    f.run(&["report"]);
    assert_eq!(f.code(), Some(2), "an error, as every command's");
    assert!(f.stderr().contains("feedback is off"), "{}", f.stderr());
}
