//! The tokio runtime every call runs on: one per process, shared by all
//! clients (and all Node worker threads), with one I/O thread.
//!
//! Why one thread: a client's work per request is small, and every extra
//! worker is one more thread to wake and to compete with the JS thread (and,
//! on small machines, with the server) for a core. One thread does all the
//! HTTP work while the JS thread only starts calls and settles promises.
//!
//! Why it busy-polls for a moment: waking a sleeping thread costs tens of
//! microseconds on virtual machines, more than a loopback request itself.
//! Left alone, each call would pay for it twice on the I/O thread (its start
//! wakes it; the response wakes it again). So after a call starts or ends the
//! I/O thread keeps polling its sockets, without sleeping, for
//! [`BUSY_POLL`]: back-to-back calls and fast responses then find it awake.
//! After that quiet period it sleeps as usual, so an idle client, or one
//! waiting on a slow server, costs no CPU.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{LazyLock, OnceLock};
use std::time::{Duration, Instant};

use napi::{Error, Result, Status};
use tokio::runtime::{Builder, Runtime};
use tokio::sync::Notify;

/// How long the I/O thread keeps polling after the last call started or ended.
const BUSY_POLL: Duration = Duration::from_micros(200);

static RUNTIME: OnceLock<std::result::Result<Runtime, String>> = OnceLock::new();

/// The runtime, started on first use; an error if it could not start.
pub fn runtime() -> Result<&'static Runtime> {
    RUNTIME
        .get_or_init(|| {
            let runtime = Builder::new_multi_thread()
                .worker_threads(1)
                .thread_name("mix-io")
                .enable_all()
                .build()
                .map_err(|e| format!("could not start the I/O runtime: {e}"))?;
            runtime.spawn(poll_while_busy());
            Ok(runtime)
        })
        .as_ref()
        .map_err(|message| Error::new(Status::GenericFailure, message.clone()))
}

/// When calls last started or ended, and whether the poller sleeps.
struct Activity {
    epoch: Instant,
    /// Nanoseconds since `epoch` of the last start or end of a call.
    last: AtomicU64,
    /// The poller is asleep (or about to be) and must be woken by `wake`.
    asleep: AtomicBool,
    wake: Notify,
}

static ACTIVITY: LazyLock<Activity> = LazyLock::new(|| Activity {
    epoch: Instant::now(),
    last: AtomicU64::new(0),
    asleep: AtomicBool::new(false),
    wake: Notify::new(),
});

impl Activity {
    fn now(&self) -> u64 {
        u64::try_from(self.epoch.elapsed().as_nanos()).unwrap_or(u64::MAX)
    }

    fn quiet(&self) -> bool {
        let since = self.now().saturating_sub(self.last.load(Ordering::SeqCst));
        since >= BUSY_POLL.as_nanos() as u64
    }
}

/// Called as a call starts and as it ends, on the I/O thread: keeps the
/// I/O thread polling for another [`BUSY_POLL`].
pub fn mark_busy() {
    let activity = &*ACTIVITY;
    activity.last.store(activity.now(), Ordering::SeqCst);
    if activity.asleep.swap(false, Ordering::SeqCst) {
        activity.wake.notify_one();
    }
}

/// A task that yields in a loop while calls are active, which makes the
/// runtime poll its sockets and timers without blocking between tasks.
async fn poll_while_busy() {
    let activity = &*ACTIVITY;
    loop {
        while !activity.quiet() {
            tokio::task::yield_now().await;
        }
        activity.asleep.store(true, Ordering::SeqCst);
        // A call that marked itself busy between the check above and the
        // store would not have woken us: look once more before sleeping.
        if !activity.quiet() {
            activity.asleep.store(false, Ordering::SeqCst);
            continue;
        }
        activity.wake.notified().await;
    }
}
