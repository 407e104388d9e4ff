//! The I/O threads every call runs on: one per core, at most two, per
//! process, shared by all clients (and all Node worker threads). Each drives
//! its own single-threaded tokio runtime, and each client keeps one
//! connection pool per thread (see `client.rs`).
//!
//! Why current-thread runtimes, one per thread, rather than one multi-thread
//! runtime: a call and the connection it uses then always run on the same
//! thread, so a request never wakes a second thread. The multi-thread
//! scheduler with one worker was measured to cost about a quarter more CPU
//! per call, for its work-stealing bookkeeping; with two workers sharing one
//! pool, each request woke the other worker.
//!
//! Why two threads: one thread did the HTTP work of every call, and in the
//! 64-in-flight benchmark it was busy all the time while the JS thread was
//! not; whenever the scheduler put it on the core the server was using,
//! throughput fell by a quarter. Two threads, each taking about half the
//! calls, share the machine's cores as a multi-thread runtime would. A new
//! call goes to the thread with the fewest calls in flight (the first on a
//! tie), so calls made one at a time all stay on the first thread.
//!
//! Why calls are handed over through our own queues: spawning onto a tokio
//! runtime from another thread always wakes the runtime's thread (a write to
//! an eventfd, then an epoll wake-up), even when that thread is already busy.
//! Here the JS thread only pushes the call to its I/O thread's queue; the
//! I/O thread drains the queue as it loops, and is woken only when it sleeps.
//!
//! Why wake-ups of the JS thread wait for the ready tasks: a call that ends
//! wakes the JS thread that will settle it, and on virtual machines a
//! wake-up costs about as much as the rest of the call. Calls that end in
//! the same pass over the ready tasks should cost one wake-up, not one each,
//! so their wake-ups are queued with [`after_ready_tasks`] and sent when the
//! pass is over (at most some tens of microseconds later).
//!
//! Why it busy-polls for a moment: waking a sleeping thread costs tens of
//! microseconds on virtual machines, more than a loopback request itself.
//! Left alone, each call would pay for it twice on its I/O thread (its start
//! wakes it; the response wakes it again). So after a call starts or ends
//! its I/O thread keeps polling its sockets and its queue, without sleeping, for
//! [`BUSY_POLL`]: back-to-back calls and fast responses then find it awake.
//! After that quiet period it sleeps as usual, so an idle client, or one
//! waiting on a slow server, costs no CPU.
//!
//! Why it yields the core on each pass while polling: Linux's scheduler
//! (EEVDF) need not preempt a running thread as soon as another thread on
//! its core wakes, so an I/O thread polling on the core of the server (in
//! the benchmark) or of the JS thread could delay them for up to a time
//! slice. Each polling pass therefore calls `sched_yield` first, which hands
//! the core over at once if another thread is waiting for it, and otherwise
//! returns at once. Measured with 64 calls in flight, alternating runs:
//! about a tenth more calls per second, and the slowest runs much less slow.

use std::cell::{Cell, RefCell};
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

use napi::{Error, Result, Status};
use tokio::runtime::{Builder, Runtime};
use tokio::sync::Notify;

/// How long an I/O thread keeps polling after its last call started or ended.
const BUSY_POLL: Duration = Duration::from_micros(200);

/// A call, ready to run on an I/O thread.
pub type Job = Pin<Box<dyn Future<Output = ()> + Send + 'static>>;

/// One I/O thread: its runtime, its queue of submitted calls, and how busy
/// it is.
pub struct IoThread {
    runtime: Runtime,
    submitted: Mutex<Vec<Job>>,
    sleep: Sleep,
    /// Calls submitted to this thread and not yet ended.
    in_flight: AtomicUsize,
}

/// The I/O threads ("shards"), each with its own runtime (and, per client,
/// its own connection pool).
pub struct IoThreads {
    shards: Box<[IoThread]>,
}

/// At most this many I/O threads, fewer on machines with fewer cores.
const MAX_SHARDS: usize = 2;

static IO: OnceLock<std::result::Result<IoThreads, String>> = OnceLock::new();

thread_local! {
    /// The I/O thread this is, on an I/O thread only.
    static CURRENT: Cell<Option<&'static IoThread>> = const { Cell::new(None) };
    /// Work queued by [`after_ready_tasks`], run by the I/O thread's loop.
    static AFTER_READY: RefCell<Vec<Box<dyn FnOnce()>>> = const { RefCell::new(Vec::new()) };
    /// A call ended on this thread since its loop last looked (which then
    /// keeps polling for [`BUSY_POLL`]). A flag rather than a time stamp: the
    /// loop reads the clock once per pass, and reading it per call as well
    /// showed up in profiles.
    static CALL_ENDED: Cell<bool> = const { Cell::new(false) };
}

/// Runs `work` (a wake-up of a JS thread) on this I/O thread once the tasks
/// ready to run here have run, or at once on any other thread.
pub fn after_ready_tasks(work: impl FnOnce() + 'static) {
    let Some(thread) = CURRENT.get() else {
        return work();
    };
    AFTER_READY.with_borrow_mut(|queued| queued.push(Box::new(work)));
    // The loop may sleep while this thread runs a call's task (one whose
    // response came after the quiet period): wake it to run the work.
    thread.sleep.wake();
}

/// Runs the work queued by [`after_ready_tasks`].
fn run_after_ready() {
    for work in AFTER_READY.with_borrow_mut(std::mem::take) {
        work();
    }
}

/// The I/O threads, started on first use; an error if they could not start.
pub fn io() -> Result<&'static IoThreads> {
    IO.get_or_init(start)
        .as_ref()
        .map_err(|message| Error::new(Status::GenericFailure, message.clone()))
}

fn start() -> std::result::Result<IoThreads, String> {
    let count = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .clamp(1, MAX_SHARDS);
    let mut shards = Vec::with_capacity(count);
    for shard in 0..count {
        let runtime = Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| format!("could not start the I/O runtime: {e}"))?;
        // The thread looks its runtime up through `io()`, which waits until
        // this initialisation has returned.
        std::thread::Builder::new()
            .name(format!("mix-io-{shard}"))
            .spawn(move || {
                if let Some(thread) = io().ok().and_then(|io| io.shards.get(shard)) {
                    CURRENT.set(Some(thread));
                    thread.runtime.block_on(thread.serve());
                }
            })
            .map_err(|e| format!("could not start the I/O thread: {e}"))?;
        shards.push(IoThread {
            runtime,
            submitted: Mutex::new(Vec::new()),
            sleep: Sleep::default(),
            in_flight: AtomicUsize::new(0),
        });
    }
    Ok(IoThreads {
        shards: shards.into_boxed_slice(),
    })
}

impl IoThreads {
    /// How many I/O threads there are (each client keeps a pool per thread).
    pub fn count(&self) -> usize {
        self.shards.len()
    }

    /// The thread for a new call: the one with the fewest calls in flight,
    /// the first of those on a tie, so that calls made one at a time always
    /// run on the same thread and find its connections and its polling warm.
    pub fn pick(&'static self) -> (usize, &'static IoThread) {
        let mut best = 0;
        let mut least = usize::MAX;
        for (shard, thread) in self.shards.iter().enumerate() {
            let load = thread.in_flight.load(Ordering::Relaxed);
            if load < least {
                best = shard;
                least = load;
            }
        }
        (best, &self.shards[best])
    }
}

/// Counts a call in flight on its thread until dropped (at the end of the
/// call's task, or as it unwinds).
pub struct InFlightGuard(&'static IoThread);

impl Drop for InFlightGuard {
    fn drop(&mut self) {
        self.0.in_flight.fetch_sub(1, Ordering::Relaxed);
        // Dropped by the call's task on its I/O thread (elsewhere the flag
        // is never read).
        CALL_ENDED.set(true);
    }
}

impl IoThread {
    /// Queues a call to run on this I/O thread, waking it if it sleeps.
    /// The job gets the guard that counts it in flight (drop it when the
    /// call ends).
    pub fn submit(&'static self, job: impl FnOnce(InFlightGuard) -> Job) {
        self.in_flight.fetch_add(1, Ordering::Relaxed);
        let job = job(InFlightGuard(self));
        self.queue().push(job);
        self.sleep.wake();
    }

    fn queue(&self) -> std::sync::MutexGuard<'_, Vec<Job>> {
        // Nothing panics while holding the lock (a push or a swap), so a
        // poisoned lock still holds a consistent queue.
        self.submitted.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The I/O thread's loop: sends the wake-ups queued while the ready
    /// tasks ran, starts submitted calls as tasks, and yields while calls
    /// started or ended in the last [`BUSY_POLL`], which makes the runtime
    /// poll its sockets and timers without blocking between tasks; sleeps
    /// once quiet.
    ///
    /// The runtime polls this loop whenever it has run out of ready tasks
    /// (or every 61 tasks), so a queued wake-up waits at most that long.
    async fn serve(&self) {
        let mut starting = Vec::new();
        let mut last_activity = Instant::now();
        loop {
            run_after_ready();
            std::mem::swap(&mut *self.queue(), &mut starting);
            let started = !starting.is_empty();
            for job in starting.drain(..) {
                // On the runtime's own thread: a local push, no wake-up.
                tokio::spawn(job);
            }
            let now = Instant::now();
            if started || CALL_ENDED.replace(false) {
                last_activity = now;
            }
            if now.duration_since(last_activity) < BUSY_POLL {
                // Hand the core to any other thread waiting for it first
                // (see "Why it yields the core" above).
                std::thread::yield_now();
                tokio::task::yield_now().await;
                continue;
            }
            self.sleep.asleep.store(true, Ordering::SeqCst);
            // A call submitted between the look at the queue above and the
            // store would not have woken us: look once more.
            if !self.queue().is_empty() {
                self.sleep.asleep.store(false, Ordering::SeqCst);
                continue;
            }
            self.sleep.notified.notified().await;
        }
    }
}

/// Whether an I/O thread's loop sleeps, and how to wake it.
#[derive(Default)]
struct Sleep {
    /// The loop is asleep (or about to be) and must be woken by `notified`.
    asleep: AtomicBool,
    notified: Notify,
}

impl Sleep {
    /// Wakes the loop if it sleeps (called after queueing a call or work
    /// for the loop to run).
    fn wake(&self) {
        if self.asleep.swap(false, Ordering::SeqCst) {
            self.notified.notify_one();
        }
    }
}
