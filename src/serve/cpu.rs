//! CPU-bound request work (search, suggest, the report) run off the async threads, a bounded
//! number of pieces at a time.

use super::api::ApiError;
use std::sync::Arc;

/// Runs CPU-bound search work off the async threads, at most two pieces per core at a time
/// (the rest wait their turn, first come first served); a failure is logged, not returned.
///
/// Without the limit tokio's blocking pool ran one thread per busy connection: under 32
/// connections, 32 searches shared two cores, and each thread's allocator heap kept its own
/// memory (serve's RSS grew by 300 MB under wrk at 10,000 pages, BENCHMARKS.md). One slot
/// per core cost a third of the throughput (a core idles while a slot's thread is
/// preempted); two keep it and most of the memory.
pub(super) async fn off_the_async_threads<T: Send + 'static>(
    what: &str,
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<T, ApiError> {
    let failed = |e: &dyn std::fmt::Display| {
        tracing::error!("{what} task failed: {e}");
        ApiError::Internal
    };
    let slot = cpu_slots().acquire_owned().await.map_err(|e| failed(&e))?;
    // The slot moves into the work: a request dropped while it runs still holds it.
    tokio::task::spawn_blocking(move || {
        let _slot = slot;
        work()
    })
    .await
    .map_err(|e| failed(&e))
}

/// Two per core: how many pieces [`off_the_async_threads`] runs at once.
fn slot_count() -> usize {
    2 * std::thread::available_parallelism().map_or(2, |n| n.get())
}

fn cpu_slots() -> Arc<tokio::sync::Semaphore> {
    static SLOTS: std::sync::OnceLock<Arc<tokio::sync::Semaphore>> = std::sync::OnceLock::new();
    SLOTS
        .get_or_init(|| Arc::new(tokio::sync::Semaphore::new(slot_count())))
        .clone()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::Duration;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn no_more_pieces_run_at_once_than_there_are_slots() {
        let slots = slot_count();
        let (running, most) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
        let pieces: Vec<_> = (0..4 * slots)
            .map(|_| {
                let (running, most) = (running.clone(), most.clone());
                tokio::spawn(off_the_async_threads("test", move || {
                    let now = running.fetch_add(1, Ordering::SeqCst) + 1;
                    most.fetch_max(now, Ordering::SeqCst);
                    std::thread::sleep(Duration::from_millis(20));
                    running.fetch_sub(1, Ordering::SeqCst);
                }))
            })
            .collect();
        for piece in pieces {
            piece.await.unwrap().unwrap();
        }
        // Other tests of this process may hold a slot meanwhile: at least two ran side by side.
        let most = most.load(Ordering::SeqCst);
        assert!((2..=slots).contains(&most), "{most} at once, {slots} slots");
    }
}
