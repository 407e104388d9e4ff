//! The I/O thread every call runs on: one per process, shared by all
//! clients (and all Node worker threads), driving a single-threaded tokio
//! runtime.
//!
//! Why one thread with a current-thread runtime: a client's work per request
//! is small, and every extra worker is one more thread to wake and to compete
//! with the JS thread (and, on small machines, with the server) for a core.
//! The multi-thread scheduler with one worker was measured to cost about a
//! quarter more CPU per call than this, for its work-stealing bookkeeping.
//!
//! Why calls are handed over through our own queue: spawning onto a tokio
//! runtime from another thread always wakes the runtime's thread (a write to
//! an eventfd, then an epoll wake-up), even when that thread is already busy.
//! Here the JS thread only pushes the call to a queue; the I/O thread drains
//! the queue as it loops, and is woken only when it sleeps.
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
//! Left alone, each call would pay for it twice on the I/O thread (its start
//! wakes it; the response wakes it again). So after a call starts or ends the
//! I/O thread keeps polling its sockets and its queue, without sleeping, for
//! [`BUSY_POLL`]: back-to-back calls and fast responses then find it awake.
//! After that quiet period it sleeps as usual, so an idle client, or one
//! waiting on a slow server, costs no CPU.

use std::cell::{Cell, RefCell};
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

use napi::{Error, Result, Status};
use tokio::runtime::{Builder, Runtime};
use tokio::sync::Notify;

/// How long the I/O thread keeps polling after the last call started or ended.
const BUSY_POLL: Duration = Duration::from_micros(200);

/// A call, ready to run on the I/O thread.
pub type Job = Pin<Box<dyn Future<Output = ()> + Send + 'static>>;

/// The I/O thread's runtime, its queue of submitted calls, and whether it
/// is busy.
pub struct IoThread {
    runtime: Runtime,
    submitted: Mutex<Vec<Job>>,
    activity: Activity,
}

static IO: OnceLock<std::result::Result<IoThread, String>> = OnceLock::new();

thread_local! {
    /// Set on the I/O thread only.
    static ON_IO_THREAD: Cell<bool> = const { Cell::new(false) };
    /// Work queued by [`after_ready_tasks`], run by the I/O thread's loop.
    static AFTER_READY: RefCell<Vec<Box<dyn FnOnce()>>> = const { RefCell::new(Vec::new()) };
}

/// Runs `work` (a wake-up of a JS thread) on the I/O thread once the tasks
/// ready to run there have run, or at once on any other thread.
pub fn after_ready_tasks(work: impl FnOnce() + 'static) {
    if !ON_IO_THREAD.get() {
        return work();
    }
    AFTER_READY.with_borrow_mut(|queued| queued.push(Box::new(work)));
    // The loop may be asleep (e.g. a call that ended without marking itself
    // busy); it runs the queued work as soon as it wakes.
    if let Some(Ok(io)) = IO.get() {
        io.activity.mark_busy();
    }
}

/// Runs the work queued by [`after_ready_tasks`]; true if there was any.
fn run_after_ready() -> bool {
    let queued = AFTER_READY.with_borrow_mut(std::mem::take);
    let any = !queued.is_empty();
    for work in queued {
        work();
    }
    any
}

/// The I/O thread, started on first use; an error if it could not start.
pub fn io() -> Result<&'static IoThread> {
    IO.get_or_init(start)
        .as_ref()
        .map_err(|message| Error::new(Status::GenericFailure, message.clone()))
}

fn start() -> std::result::Result<IoThread, String> {
    let runtime = Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("could not start the I/O runtime: {e}"))?;
    // The thread looks the runtime up through `io()`, which waits until
    // this initialisation has returned.
    std::thread::Builder::new()
        .name("mix-io".into())
        .spawn(|| {
            ON_IO_THREAD.set(true);
            if let Ok(io) = io() {
                io.runtime.block_on(io.serve());
            }
        })
        .map_err(|e| format!("could not start the I/O thread: {e}"))?;
    Ok(IoThread {
        runtime,
        submitted: Mutex::new(Vec::new()),
        activity: Activity::new(),
    })
}

impl IoThread {
    /// Queues a call to run on the I/O thread, waking it if it sleeps.
    pub fn submit(&self, job: Job) {
        self.queue().push(job);
        self.activity.mark_busy();
    }

    /// Called on the I/O thread as a call ends: keeps it polling a while.
    pub fn mark_busy(&self) {
        self.activity.mark_busy();
    }

    fn queue(&self) -> std::sync::MutexGuard<'_, Vec<Job>> {
        // Nothing panics while holding the lock (a push or a swap), so a
        // poisoned lock still holds a consistent queue.
        self.submitted.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The I/O thread's loop: sends the wake-ups queued while the ready
    /// tasks ran, starts submitted calls as tasks, and yields while calls
    /// are active, which makes the runtime poll its sockets and timers
    /// without blocking between tasks; sleeps once quiet.
    ///
    /// The runtime polls this loop whenever it has run out of ready tasks
    /// (or every 61 tasks), so a queued wake-up waits at most that long.
    async fn serve(&self) {
        let mut starting = Vec::new();
        loop {
            run_after_ready();
            std::mem::swap(&mut *self.queue(), &mut starting);
            for job in starting.drain(..) {
                // On the runtime's own thread: a local push, no wake-up.
                tokio::spawn(job);
            }
            if !self.activity.quiet() {
                tokio::task::yield_now().await;
                continue;
            }
            self.activity.asleep.store(true, Ordering::SeqCst);
            // A call submitted or marked busy between the check above and
            // the store would not have woken us: look once more.
            if !self.activity.quiet() || !self.queue().is_empty() {
                self.activity.asleep.store(false, Ordering::SeqCst);
                continue;
            }
            self.activity.wake.notified().await;
        }
    }
}

/// When calls last started or ended, and whether the I/O thread sleeps.
struct Activity {
    epoch: Instant,
    /// Nanoseconds since `epoch` of the last start or end of a call.
    last: AtomicU64,
    /// The loop is asleep (or about to be) and must be woken by `wake`.
    asleep: AtomicBool,
    wake: Notify,
}

impl Activity {
    fn new() -> Activity {
        Activity {
            epoch: Instant::now(),
            last: AtomicU64::new(0),
            asleep: AtomicBool::new(false),
            wake: Notify::new(),
        }
    }

    fn now(&self) -> u64 {
        u64::try_from(self.epoch.elapsed().as_nanos()).unwrap_or(u64::MAX)
    }

    fn quiet(&self) -> bool {
        let since = self.now().saturating_sub(self.last.load(Ordering::SeqCst));
        since >= BUSY_POLL.as_nanos() as u64
    }

    fn mark_busy(&self) {
        self.last.store(self.now(), Ordering::SeqCst);
        if self.asleep.swap(false, Ordering::SeqCst) {
            self.wake.notify_one();
        }
    }
}
