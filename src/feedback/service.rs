//! Feedback as the server uses it: a store that may be missing, locked, corrupt or full
//! without taking search down (writes answer [`Unavailable`], the problem logged once), and
//! what suggest has learned from it, kept current by polling the store every second — which
//! also brings in the votes other replicas wrote to a shared PostgreSQL.

use super::privacy::{mask, ticket_terms};
use super::{now, Event, Kind, Store, StoreError};
use crate::config::FeedbackConfig;
use crate::search::learned::Learned;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

/// The store could not take the write; the server answers 503 (the cause is in the log).
#[derive(Debug, thiserror::Error)]
#[error("отзывы сейчас не сохраняются: база отзывов недоступна")]
pub struct Unavailable;

/// How often learning looks for new votes.
pub const REFRESH_EVERY: Duration = Duration::from_secs(1);
/// How long after a failed open the next request may try again.
const REOPEN_AFTER: Duration = Duration::from_secs(5);
/// Votes read per poll.
const BATCH: i64 = 10_000;
/// How often everything is learned again from the database ([`Feedback::relearn`]).
const RELEARN_EVERY: Duration = Duration::from_secs(600);
/// The server's own records (misses) waiting for the database, at most.
const MAX_WAITING_RECORDS: usize = 256;

pub struct Feedback {
    settings: FeedbackConfig,
    root: PathBuf,
    store: tokio::sync::Mutex<Option<Store>>,
    last_open_attempt: std::sync::Mutex<Option<Instant>>,
    /// Set while writes (or reads) fail, so that a failure is logged once and the recovery
    /// too. Kept apart because a locked SQLite file still reads: a poll that reads must not
    /// announce a recovery while every vote still fails.
    failing_writes: AtomicBool,
    failing_reads: AtomicBool,
    learned: RwLock<Arc<Learned>>,
    newest_vote: AtomicI64,
    /// Called on every failed database operation (the server counts them in `/metrics`).
    on_error: fn(),
    /// The server's own records started and not yet stored.
    waiting: std::sync::atomic::AtomicUsize,
    /// The installation's key for clients' hashes, read from the store when it opens.
    client_key: std::sync::OnceLock<[u8; 32]>,
    /// Per client, the last search that found nothing and when: see [`Feedback::record_typed`].
    typed: std::sync::Mutex<HashMap<String, (String, Instant)>>,
}

/// A search is final once its client has not searched again for this long.
pub const TYPING_PAUSE: Duration = Duration::from_secs(3);

impl Feedback {
    /// Opens the configured store; a failure is logged and retried on later requests, never
    /// fatal; `on_error` is called on every failed operation. `None` when feedback is off
    /// (`database = ""`).
    pub async fn start(
        settings: &FeedbackConfig,
        root: &Path,
        on_error: fn(),
    ) -> Option<Arc<Feedback>> {
        if settings.database.trim().is_empty() {
            return None;
        }
        let feedback = Arc::new(Feedback {
            settings: settings.clone(),
            root: root.to_path_buf(),
            store: tokio::sync::Mutex::new(None),
            last_open_attempt: std::sync::Mutex::new(None),
            failing_writes: AtomicBool::new(false),
            failing_reads: AtomicBool::new(false),
            learned: RwLock::new(Arc::new(Learned::new(settings.confirmation_cap))),
            newest_vote: AtomicI64::new(0),
            typed: std::sync::Mutex::new(HashMap::new()),
            on_error,
            waiting: Default::default(),
            client_key: std::sync::OnceLock::new(),
        });
        feedback.purge_expired().await;
        feedback.relearn().await;
        Some(feedback)
    }

    pub fn settings(&self) -> &FeedbackConfig {
        &self.settings
    }

    /// What suggest has learned so far.
    pub fn learned(&self) -> Arc<Learned> {
        self.learned.read().expect("learned lock").clone()
    }

    /// Stores `event`; its id once durable.
    /// `event.client` is the raw identity (token or address): it is stored hashed.
    pub async fn record(&self, event: &Event) -> Result<i64, Unavailable> {
        let store = self.store().await?;
        let Some(key) = self.client_key.get() else {
            return Err(Unavailable);
        };
        let event = Event {
            client: super::hashed_client(key, &event.client),
            ..event.clone()
        };
        let result = self.checked(Op::Write, store.insert(&event).await);
        drop(store);
        if let (Ok(id), Some(_)) = (&result, event.kind.lesson()) {
            // Learned at once on this server (the next poll reads it again, to no effect).
            let stored = super::Stored { id: *id, event };
            self.learn(std::slice::from_ref(&stored));
        }
        result
    }

    /// Teaches what is learned these rows, under the write lock, so that a vote and a poll
    /// learning at once never lose each other's lessons (suggests in flight keep the state
    /// they started with).
    fn learn(&self, rows: &[super::Stored]) {
        let mut learned = self.learned.write().expect("learned lock");
        super::learn_votes(Arc::make_mut(&mut learned), rows);
    }

    /// Stores `event` without waiting: what the server records itself (a search that found
    /// nothing) must not slow the answer, and is dropped if the store is down.
    pub fn record_later(self: &Arc<Self>, event: Event) {
        // While the database is slow, writes would pile up with the traffic: past this many
        // waiting, the server's own records are dropped (votes are never recorded this way).
        if self.waiting.fetch_add(1, Ordering::Relaxed) >= MAX_WAITING_RECORDS {
            self.waiting.fetch_sub(1, Ordering::Relaxed);
            return;
        }
        let feedback = self.clone();
        tokio::spawn(async move {
            let _ = feedback.record(&event).await;
            feedback.waiting.fetch_sub(1, Ordering::Relaxed);
        });
    }

    /// Notes a search of `client` that found nothing. The search box asks as the operator
    /// types, so only the last query before a [`TYPING_PAUSE`] is stored: «ветеринар», not
    /// «ветери» and «ветерин» as well.
    pub fn record_typed(&self, client: &str, query: &str) {
        self.typed
            .lock()
            .expect("typed lock")
            .insert(client.to_string(), (query.to_string(), Instant::now()));
    }

    /// Forgets the noted search of `client`: its next search found something, so the one
    /// before was only on the way to it.
    pub fn clear_typed(&self, client: &str) {
        self.typed.lock().expect("typed lock").remove(client);
    }

    /// Stores the noted searches whose client paused typing.
    async fn flush_typed(&self, pause: Duration) {
        let done: Vec<(String, String)> = {
            let mut typed = self.typed.lock().expect("typed lock");
            let finished: Vec<String> = typed
                .iter()
                .filter(|(_, (_, at))| at.elapsed() >= pause)
                .map(|(client, _)| client.clone())
                .collect();
            finished
                .into_iter()
                .filter_map(|c| typed.remove(&c).map(|(query, _)| (c, query)))
                .collect()
        };
        for (client, query) in done {
            let terms = ticket_terms(&query);
            if terms.is_empty() {
                continue;
            }
            let event = Event {
                at: now(),
                kind: Kind::ZeroResults,
                path: None,
                rank: None,
                terms,
                text: self.settings.store_text.then(|| mask(&query)),
                client,
            };
            let _ = self.record(&event).await;
        }
    }

    /// Every event since `since` (seconds), for the report.
    pub async fn events_since(&self, since: i64) -> Result<Vec<super::Stored>, Unavailable> {
        let store = self.store().await?;
        self.checked(Op::Read, store.since(since).await)
    }

    /// Reads the votes written since the last look (by any replica) into what is learned. A
    /// vote whose transaction commits after a higher id was seen (concurrent PostgreSQL
    /// writers, a long import) is learned at the next [`Feedback::relearn`].
    pub async fn refresh(&self) {
        let from = self.newest_vote.load(Ordering::Relaxed);
        let kinds = [Kind::Helped, Kind::Wrong];
        let Ok(store) = self.store().await else {
            return;
        };
        let Ok(votes) = self.checked(Op::Read, store.after(from, &kinds, BATCH).await) else {
            return;
        };
        drop(store);
        if votes.is_empty() {
            return;
        }
        self.learn(&votes);
        if let Some(newest) = votes.iter().map(|v| v.id).max() {
            self.newest_vote.fetch_max(newest, Ordering::Relaxed);
        }
    }

    /// Learns everything again from the votes within the retention period: what expired is
    /// forgotten (also when another replica deleted it), and a vote whose transaction
    /// committed after the polls had passed its id (a long import) is learned at last.
    pub async fn relearn(&self) {
        let cutoff = now() - i64::from(self.settings.retention_days) * 86_400;
        let Ok(store) = self.store().await else {
            return;
        };
        // Votes only (misses, far more numerous, teach nothing).
        let kinds = [Kind::Helped, Kind::Wrong];
        let Ok(rows) = self.checked(Op::Read, store.after(0, &kinds, i64::MAX).await) else {
            return;
        };
        drop(store);
        let votes: Vec<super::Stored> = rows.into_iter().filter(|r| r.event.at >= cutoff).collect();
        let mut fresh = Learned::new(self.settings.confirmation_cap);
        super::learn_votes(&mut fresh, &votes);
        if let Some(newest) = votes.iter().map(|v| v.id).max() {
            self.newest_vote.fetch_max(newest, Ordering::Relaxed);
        }
        *self.learned.write().expect("learned lock") = Arc::new(fresh);
    }

    /// Deletes rows older than `retention_days` ([`Feedback::relearn`] forgets them).
    pub async fn purge_expired(&self) {
        let before = now() - i64::from(self.settings.retention_days) * 86_400;
        let Ok(store) = self.store().await else {
            return;
        };
        let purged = self.checked(Op::Write, store.purge(before).await);
        if let Ok(purged @ 1..) = purged {
            tracing::info!("feedback: {purged} rows older than the retention period deleted");
        }
    }

    /// Polls for new votes every [`REFRESH_EVERY`] and purges expired rows daily, for as long
    /// as the server runs.
    pub fn spawn_maintenance(self: &Arc<Self>) {
        let feedback = self.clone();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(REFRESH_EVERY);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            let (mut last_purge, mut last_relearn) = (Instant::now(), Instant::now());
            loop {
                tick.tick().await;
                feedback.refresh().await;
                feedback.flush_typed(TYPING_PAUSE).await;
                if last_purge.elapsed() > Duration::from_secs(86_400) {
                    feedback.purge_expired().await;
                    last_purge = Instant::now();
                }
                if last_relearn.elapsed() > RELEARN_EVERY {
                    feedback.relearn().await;
                    last_relearn = Instant::now();
                }
            }
        });
    }

    /// The store, opened first if needed (at most every [`REOPEN_AFTER`] after a failure);
    /// holding it makes operations one at a time, which both backends' single connection
    /// needs anyway.
    async fn store(&self) -> Result<StoreGuard<'_>, Unavailable> {
        let mut slot = self.store.lock().await;
        if slot.as_ref().is_some_and(Store::is_closed) {
            *slot = None;
        }
        if slot.is_none() && self.may_try_opening() {
            let opened = match Store::open(&self.settings.database, &self.root).await {
                Ok(store) => store.client_key().await.map(|key| (store, key)),
                Err(e) => Err(e),
            };
            match opened {
                Ok((store, key)) => {
                    let _ = self.client_key.set(key);
                    *slot = Some(store);
                }
                Err(e) => self.failed(Op::Write, &e),
            }
        }
        if slot.is_some() {
            Ok(StoreGuard(slot))
        } else {
            Err(Unavailable)
        }
    }

    /// An operation's outcome: a failure is logged once until an operation succeeds again.
    fn checked<T>(&self, op: Op, result: Result<T, StoreError>) -> Result<T, Unavailable> {
        match result {
            Ok(value) => {
                if self.flag(op).swap(false, Ordering::Relaxed) {
                    tracing::info!("feedback database: {} work again", op.name());
                }
                Ok(value)
            }
            Err(e) => {
                self.failed(op, &e);
                Err(Unavailable)
            }
        }
    }

    fn flag(&self, op: Op) -> &AtomicBool {
        match op {
            Op::Write => &self.failing_writes,
            Op::Read => &self.failing_reads,
        }
    }

    fn may_try_opening(&self) -> bool {
        let mut last = self.last_open_attempt.lock().expect("open attempt lock");
        let due = last.is_none_or(|at| at.elapsed() >= REOPEN_AFTER);
        if due {
            *last = Some(Instant::now());
        }
        due
    }

    fn failed(&self, op: Op, error: &StoreError) {
        (self.on_error)();
        if !self.flag(op).swap(true, Ordering::Relaxed) {
            tracing::error!(
                "{error}; search and suggest go on, feedback answers 503 until it works again"
            );
        }
    }
}

/// What an operation does, for logging its failure once.
#[derive(Debug, Clone, Copy)]
enum Op {
    Write,
    Read,
}

impl Op {
    fn name(self) -> &'static str {
        match self {
            Op::Write => "writes",
            Op::Read => "reads",
        }
    }
}

/// The open store, held for one operation.
struct StoreGuard<'a>(tokio::sync::MutexGuard<'a, Option<Store>>);

impl std::ops::Deref for StoreGuard<'_> {
    type Target = Store;

    fn deref(&self) -> &Store {
        self.0
            .as_ref()
            .expect("a guard is made only over an open store")
    }
}
