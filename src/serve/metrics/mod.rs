//! Prometheus metrics, served at `GET /metrics` in the Prometheus text format: requests and
//! latency per route, rebuilds and their phases, feedback writes, database errors.
//!
//! The registry is one per process, in a `OnceLock`, not in `AppState`: the rebuild thread,
//! the request layer (also around routers without state, as in `harden`'s tests) and the
//! feedback store record into it without being handed the state, and one process serves one
//! `/metrics`. Tests in one process therefore share it: they compare before and after.

mod requests;

pub use requests::TrackLayer;

use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::{Registry, Unit};
use requests::{RequestLabels, RouteLabels};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// Upper bounds (seconds) of request latency: a file from memory takes microseconds (the
/// first bucket), a search or a suggest milliseconds, the timeout seconds.
const LATENCY_BUCKETS: [f64; 12] = [
    0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5, 2.5,
];

/// Upper bounds (seconds) of a rebuild or one of its phases: an edit takes milliseconds, a
/// full build of 10,000 pages tens of seconds.
const REBUILD_BUCKETS: [f64; 11] = [
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0, 60.0,
];

type Histograms<L> = Family<L, Histogram, fn() -> Histogram>;

struct Metrics {
    registry: Registry,
    requests: Family<RequestLabels, Counter>,
    latency: Histograms<RouteLabels>,
    rebuilds: Histograms<RebuildLabels>,
    phases: Histograms<PhaseLabels>,
    feedback_writes: Family<ResultLabels, Counter>,
    database_errors: Counter,
}

fn metrics() -> &'static Metrics {
    static METRICS: OnceLock<Metrics> = OnceLock::new();
    METRICS.get_or_init(Metrics::new)
}

impl Metrics {
    fn new() -> Metrics {
        let latency: fn() -> Histogram = || Histogram::new(LATENCY_BUCKETS);
        let rebuild: fn() -> Histogram = || Histogram::new(REBUILD_BUCKETS);
        let metrics = Metrics {
            registry: Registry::with_prefix("spravka"),
            requests: Family::default(),
            latency: Family::new_with_constructor(latency),
            rebuilds: Family::new_with_constructor(rebuild),
            phases: Family::new_with_constructor(rebuild),
            feedback_writes: Family::default(),
            database_errors: Counter::default(),
        };
        // Both results exist from the start, so a rate over them is 0, not absent.
        for result in [outcome(true), outcome(false)] {
            let _ = metrics
                .feedback_writes
                .get_or_create(&ResultLabels { result });
        }
        metrics.register()
    }

    fn register(mut self) -> Metrics {
        let r = &mut self.registry;
        r.register(
            "http_requests",
            "HTTP requests answered, by matched route (static files as one) and status class",
            self.requests.clone(),
        );
        r.register_with_unit(
            "http_request_duration",
            "Time to the response's headers, by matched route",
            Unit::Seconds,
            self.latency.clone(),
        );
        r.register_with_unit(
            "rebuild_duration",
            "Rebuilds after a change on disk (the count is the number of rebuilds), by kind of the last attempt and result",
            Unit::Seconds,
            self.rebuilds.clone(),
        );
        r.register_with_unit(
            "rebuild_phase_duration",
            "Phases of every build of the served site, the first one included",
            Unit::Seconds,
            self.phases.clone(),
        );
        r.register(
            "feedback_writes",
            "Feedback records written, by result",
            self.feedback_writes.clone(),
        );
        r.register(
            "database_errors",
            "Errors of the feedback database",
            self.database_errors.clone(),
        );
        self
    }
}

/// The metrics in the Prometheus text format (version 0.0.4).
pub async fn render() -> Response {
    let mut text = String::new();
    if prometheus_client::encoding::prometheus_text::encode(&mut text, &metrics().registry).is_err()
    {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    }
    (
        [
            (
                header::CONTENT_TYPE,
                prometheus_client::encoding::prometheus_text::CONTENT_TYPE,
            ),
            (header::CACHE_CONTROL, "no-store"),
        ],
        text,
    )
        .into_response()
}

/// A feedback record was written (`ok`) or could not be.
pub fn feedback_write(ok: bool) {
    metrics()
        .feedback_writes
        .get_or_create(&ResultLabels {
            result: outcome(ok),
        })
        .inc();
}

/// The feedback database failed (to open, read or write).
pub fn database_error() {
    metrics().database_errors.inc();
}

/// Which build made (or failed to make) a snapshot.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BuildKind {
    Full,
    Incremental,
}

impl BuildKind {
    pub fn label(self) -> &'static str {
        match self {
            BuildKind::Full => "full",
            BuildKind::Incremental => "incremental",
        }
    }
}

/// A phase of a build: the site loaded (config, templates, documents), checked, rendered,
/// indexed (and the search engine opened). An incremental rebuild updates the index beside
/// the render: `Render` counts both, `Index` the opening of the updated index.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    Load,
    Check,
    Render,
    Index,
}

impl Phase {
    fn label(self) -> &'static str {
        match self {
            Phase::Load => "load",
            Phase::Check => "check",
            Phase::Render => "render",
            Phase::Index => "index",
        }
    }
}

fn outcome(ok: bool) -> &'static str {
    if ok {
        "ok"
    } else {
        "failed"
    }
}

/// One rebuild after a change on disk ended, in `took`.
pub fn rebuild(kind: BuildKind, ok: bool, took: Duration) {
    metrics()
        .rebuilds
        .get_or_create(&RebuildLabels {
            kind: kind.label(),
            result: outcome(ok),
        })
        .observe(took.as_secs_f64());
}

/// Times the phases of one build, each into `spravka_rebuild_phase_duration_seconds`.
pub struct PhaseTimer {
    kind: BuildKind,
    last: Instant,
}

impl PhaseTimer {
    pub fn start(kind: BuildKind) -> PhaseTimer {
        PhaseTimer {
            kind,
            last: Instant::now(),
        }
    }

    /// Records the time since the last lap (or the start) as `phase`, and returns it.
    pub fn lap(&mut self, phase: Phase) -> Duration {
        let now = Instant::now();
        let took = now - self.last;
        self.last = now;
        metrics()
            .phases
            .get_or_create(&PhaseLabels {
                kind: self.kind.label(),
                phase: phase.label(),
            })
            .observe(took.as_secs_f64());
        took
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, EncodeLabelSet)]
struct ResultLabels {
    result: &'static str,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, EncodeLabelSet)]
struct RebuildLabels {
    kind: &'static str,
    result: &'static str,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, EncodeLabelSet)]
struct PhaseLabels {
    kind: &'static str,
    phase: &'static str,
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn text() -> String {
        let response = render().await;
        let body = axum::body::to_bytes(response.into_body(), 1 << 20)
            .await
            .unwrap();
        String::from_utf8(body.to_vec()).unwrap()
    }

    /// The value of the one sample line starting with `series ` (0 when absent).
    fn value(text: &str, series: &str) -> f64 {
        text.lines()
            .find_map(|line| line.strip_prefix(series)?.strip_prefix(' '))
            .map_or(0.0, |v| v.parse().unwrap())
    }

    /// The functions the feedback store calls move their counters, both results of a write
    /// are shown from the start, and a rebuild's phases and total are histograms.
    #[tokio::test]
    async fn feedback_database_and_rebuild_metrics_are_exported() {
        let ok = "spravka_feedback_writes_total{result=\"ok\"}";
        let failed = "spravka_feedback_writes_total{result=\"failed\"}";
        let db = "spravka_database_errors_total";
        let rebuilds =
            "spravka_rebuild_duration_seconds_count{kind=\"incremental\",result=\"failed\"}";
        let before = text().await;
        assert!(before.contains(ok) && before.contains(failed), "{before}");
        feedback_write(true);
        feedback_write(false);
        feedback_write(false);
        database_error();
        rebuild(BuildKind::Incremental, false, Duration::from_millis(3));
        PhaseTimer::start(BuildKind::Incremental).lap(Phase::Render);
        let after = text().await;
        assert_eq!(value(&after, ok) - value(&before, ok), 1.0);
        assert_eq!(value(&after, failed) - value(&before, failed), 2.0);
        assert_eq!(value(&after, db) - value(&before, db), 1.0);
        assert_eq!(value(&after, rebuilds) - value(&before, rebuilds), 1.0);
        assert!(after.contains(
            "spravka_rebuild_phase_duration_seconds_bucket{kind=\"incremental\",phase=\"render\",le=\"0.005\"}"
        ));
    }
}
