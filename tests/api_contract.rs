//! The API's contract: `/api/openapi.json` held against the real answers of a real `spravka
//! serve` (every path and method, every status the test can provoke, each body validated
//! against the schema the document gives for that status), and the router's `/api` routes
//! held against the document.

mod common;
use common::{Fixture, Server};
use reqwest::blocking::Client;
use reqwest::Method;
use serde_json::{json, Value};
use std::collections::{BTreeMap, BTreeSet};

/// The methods every path is called with: the documented ones must answer as documented, the
/// others 405.
const METHODS: [Method; 5] = [
    Method::GET,
    Method::POST,
    Method::PUT,
    Method::PATCH,
    Method::DELETE,
];

/// Statuses a client can provoke: each one an operation documents must have been seen. The
/// others (408 timeout, 500 panic) cannot be provoked from outside; `serve::tests::
/// panics_and_slow_handlers_are_contained` answers them through the same layers.
const PROVOKABLE: [u16; 7] = [200, 201, 400, 405, 413, 415, 422];

/// One request of the test.
#[derive(Clone)]
struct Probe {
    method: Method,
    path: String,
    query: Vec<(String, String)>,
    body: Option<(&'static str, Vec<u8>)>,
}

impl Probe {
    fn new(method: &Method, path: &str) -> Probe {
        Probe {
            method: method.clone(),
            path: path.to_string(),
            query: vec![],
            body: None,
        }
    }

    fn query(mut self, pairs: &[(&str, &str)]) -> Probe {
        self.query
            .extend(pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())));
        self
    }

    fn body(mut self, content_type: &'static str, body: impl Into<Vec<u8>>) -> Probe {
        self.body = Some((content_type, body.into()));
        self
    }

    fn describe(&self) -> String {
        let body = self.body.as_ref().map_or(String::new(), |(t, b)| {
            let text = String::from_utf8_lossy(b);
            format!(" [{t}] {}", text.chars().take(80).collect::<String>())
        });
        format!("{} {} {:?}{body}", self.method, self.path, self.query)
    }
}

/// A status, content type and body as the server answered.
struct Answer {
    status: u16,
    content_type: String,
    body: Vec<u8>,
}

fn send(client: &Client, server: &Server, probe: &Probe) -> Answer {
    let mut request = client
        .request(probe.method.clone(), server.url(&probe.path))
        .query(&probe.query);
    if let Some((content_type, body)) = &probe.body {
        request = request
            .header("content-type", *content_type)
            .body(body.clone());
    }
    let response = request.send().unwrap();
    let content_type = response
        .headers()
        .get("content-type")
        .map_or("", |v| v.to_str().unwrap())
        .to_string();
    Answer {
        status: response.status().as_u16(),
        content_type,
        body: response.bytes().unwrap().to_vec(),
    }
}

/// Follows a `$ref` of the document (`#/components/...`) to what it names.
fn resolve<'d>(doc: &'d Value, value: &'d Value) -> &'d Value {
    match value["$ref"].as_str() {
        Some(pointer) => doc
            .pointer(pointer.trim_start_matches('#'))
            .unwrap_or_else(|| panic!("{pointer} is not in the document")),
        None => value,
    }
}

/// Checks one answer against the operation's documented response for its status: the status
/// must be listed, a documented JSON body must be JSON valid against its schema (its `$ref`s
/// resolved in the document's components), a response documented without content has none.
fn check(doc: &Value, operation: &Value, probe: &Probe, answer: &Answer) {
    let what = format!("{} → {}", probe.describe(), answer.status);
    let body = String::from_utf8_lossy(&answer.body);
    let Some(documented) = operation["responses"].get(answer.status.to_string()) else {
        panic!("{what} is not documented: {body}");
    };
    let documented = resolve(doc, documented);
    let Some(schema) = documented.pointer("/content/application~1json/schema") else {
        assert!(answer.body.is_empty(), "{what} has a body, documented none");
        return;
    };
    assert!(
        answer.content_type.starts_with("application/json"),
        "{what}: content-type {}",
        answer.content_type
    );
    let instance: Value = serde_json::from_slice(&answer.body)
        .unwrap_or_else(|e| panic!("{what}: not JSON ({e}): {body}"));
    let mut root = json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "components": doc["components"],
    });
    root.as_object_mut()
        .unwrap()
        .extend(schema.as_object().unwrap().clone());
    let validator = jsonschema::validator_for(&root).expect("a valid schema");
    let errors: Vec<String> = validator
        .iter_errors(&instance)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{what}: {errors:?}\n{body}");
}

/// A request made of the document's own examples (every required parameter and every
/// request body must have one); with `omit_required`, the same without the required query
/// parameters.
fn from_examples(doc: &Value, method: &Method, path: &str, omit_required: bool) -> Probe {
    let operation = &doc["paths"][path][method.as_str().to_lowercase()];
    let mut probe = Probe::new(method, path);
    for parameter in operation["parameters"].as_array().into_iter().flatten() {
        let (name, example) = (parameter["name"].as_str().unwrap(), &parameter["example"]);
        let required = parameter["required"] == true;
        assert!(
            !required || !example.is_null(),
            "{method} {path}: the required parameter {name} has no example"
        );
        if example.is_null() || (required && omit_required) {
            continue;
        }
        let value = example
            .as_str()
            .map_or_else(|| example.to_string(), String::from);
        probe.query.push((name.to_string(), value));
    }
    if let Some(schema) = operation.pointer("/requestBody/content/application~1json/schema") {
        let example = &resolve(doc, schema)["example"];
        assert!(
            !example.is_null(),
            "{method} {path}: the request body has no example"
        );
        probe = probe.body("application/json", example.to_string());
    }
    probe
}

/// What a client can get wrong with any operation, derived from the document: its own
/// example; without its required parameters; a JSON body sent as text, cut short, or over the
/// body limit.
fn derived_probes(doc: &Value, method: &Method, path: &str) -> Vec<Probe> {
    let operation = &doc["paths"][path][method.as_str().to_lowercase()];
    let example = from_examples(doc, method, path, false);
    let mut probes = vec![];
    let has_required = operation["parameters"]
        .as_array()
        .is_some_and(|p| p.iter().any(|p| p["required"] == true));
    if has_required {
        probes.push(from_examples(doc, method, path, true));
    }
    if let Some((_, body)) = &example.body {
        let json = "application/json";
        probes.push(example.clone().body("text/plain", body.clone()));
        probes.push(example.clone().body(json, &body[..body.len() / 2]));
        // The default `[serve] max_body_bytes`, plus one.
        probes.push(example.clone().body(json, vec![b' '; 64 * 1024 + 1]));
    }
    probes.push(example);
    probes
}

/// Mistakes particular to one operation: what the document's description of it promises.
fn particular_probes(method: &Method, path: &str) -> Vec<Probe> {
    let json = "application/json";
    let search = |q: &[(&str, &str)]| Probe::new(method, path).query(q);
    let suggest = |body: &str| Probe::new(method, path).body(json, body.to_string());
    let long = "ш".repeat(600);
    match (method.as_str(), path) {
        ("GET", "/api/search") => vec![
            search(&[("q", "шлагбаум"), ("limit", "0")]),
            search(&[("q", "шлагбаум"), ("limit", "51")]),
            search(&[("q", "шлагбаум"), ("limit", "пять")]),
            search(&[("q", "шлагбаум"), ("q", "турникет")]),
            search(&[("q", &long)]),
            search(&[("q", "   ")]),
            search(&[("q", "шлагбаум"), ("section", "Нет такого"), ("tag", "нет")]),
        ],
        ("POST", "/api/suggest") => vec![
            suggest(r#"{"text": "не работает шлагбаум", "limit": 0}"#),
            suggest(r#"{"text": "не работает шлагбаум", "limit": "5"}"#),
            suggest(r#"{"text": "не работает шлагбаум", "limit": 2.5}"#),
            suggest(r#"{"text": "не работает шлагбаум", "limit": null}"#),
            suggest(r#"{"text": 5}"#),
            suggest(r#"{"text": "  "}"#),
            suggest(r#"{"limit": 5}"#),
            suggest("[]"),
            Probe::new(method, path),
        ],
        ("GET", "/api/stats") => vec![
            search(&[("since", "вчера")]),
            search(&[("since", "2026-11-01"), ("since", "2026-11-02")]),
            search(&[]),
        ],
        ("POST", "/api/feedback") => vec![
            suggest(r#"{"text": "шлагбаум", "path": "нет/такой.md", "verdict": "helped"}"#),
            suggest(r#"{"text": "шлагбаум", "path": null, "verdict": "wrong"}"#),
            suggest(
                r#"{"text": "шлагбаум", "path": null, "verdict": "none", "suggestion_rank": 0}"#,
            ),
            suggest(r#"{"text": "ветеринар", "path": null, "verdict": "none"}"#),
            suggest(r#"{"text": "шлагбаум", "path": null, "verdict": "maybe"}"#),
            suggest(r#"{"text": "", "path": null, "verdict": "none"}"#),
        ],
        _ => vec![],
    }
}

/// Every path and method of the served document called, the documented methods with the
/// document's examples and with each mistake a client can make, the others expecting 405:
/// every answer must be a documented status with a body valid against its schema, and every
/// provokable status an operation documents must have been seen.
#[test]
fn the_openapi_document_describes_every_answer_of_every_route() {
    let f = Fixture::default_content();
    let server = Server::start(f.root());
    let client = Client::new();
    let doc: Value = client
        .get(server.url("/api/openapi.json"))
        .send()
        .unwrap()
        .json()
        .unwrap();
    assert_eq!(doc["openapi"], "3.1.0");
    let paths = doc["paths"].as_object().expect("paths");
    assert!(paths.contains_key("/api/suggest"), "{paths:?}");
    let mut seen = Seen::new();
    for path in paths.keys() {
        call_every_method(&doc, path, &client, &server, &mut seen);
    }
    for (path, item) in paths {
        for (method, operation) in item.as_object().unwrap() {
            let statuses = seen
                .get(&(method.clone(), path.clone()))
                .cloned()
                .unwrap_or_default();
            for status in operation["responses"].as_object().unwrap().keys() {
                let status: u16 = status.parse().expect("a numeric status");
                assert!(
                    !PROVOKABLE.contains(&status) || statuses.contains(&status),
                    "{method} {path} documents {status}, which no request of the test provoked \
                     (add one to particular_probes): seen {statuses:?}"
                );
            }
        }
    }
}

/// The statuses each operation (method, path) answered.
type Seen = BTreeMap<(String, String), BTreeSet<u16>>;

/// Calls `path` with every method of [`METHODS`], each answer checked against the document.
fn call_every_method(doc: &Value, path: &str, client: &Client, server: &Server, seen: &mut Seen) {
    let item = &doc["paths"][path];
    let documented: Vec<String> = METHODS
        .iter()
        .map(|m| m.as_str().to_lowercase())
        .filter(|m| item.get(m).is_some())
        .collect();
    for method in &METHODS {
        let key = method.as_str().to_lowercase();
        if let Some(operation) = item.get(&key) {
            let probes = derived_probes(doc, method, path);
            for probe in probes.into_iter().chain(particular_probes(method, path)) {
                let answer = send(client, server, &probe);
                check(doc, operation, &probe, &answer);
                let statuses = seen.entry((key.clone(), path.to_string())).or_default();
                statuses.insert(answer.status);
            }
            continue;
        }
        let probe = Probe::new(method, path);
        let answer = send(client, server, &probe);
        assert_eq!(answer.status, 405, "{}", probe.describe());
        // The 405 is an answer of the path: each of its operations must document it.
        for other in &documented {
            check(doc, &item[other], &probe, &answer);
            let statuses = seen.entry((other.clone(), path.to_string())).or_default();
            statuses.insert(405);
        }
    }
}

/// The `/api` paths a router's `Debug` form names: axum's only view of its routes.
fn api_paths_in(debug: &str) -> BTreeSet<String> {
    debug
        .split('"')
        .filter(|s| s.starts_with("/api/"))
        .map(String::from)
        .collect()
}

/// The real router has no `/api` route the document does not describe, and the document no
/// path the router lacks.
#[test]
fn the_router_has_no_api_route_the_document_does_not_describe() {
    let f = Fixture::new("basic");
    let state = spravka::serve::state(f.root(), &f.root().join(".cache"), false).unwrap();
    let routes = api_paths_in(&format!("{:?}", spravka::serve::app(state)));
    assert!(
        routes.contains("/api/suggest"),
        "the router's Debug form no longer names its paths: read them another way ({routes:?})"
    );
    let documented: BTreeSet<String> = spravka::serve::openapi::document()
        .paths
        .paths
        .into_keys()
        .collect();
    assert_eq!(routes, documented);
}
