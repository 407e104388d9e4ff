//! Handing freed heap memory back to the system.
//!
//! glibc keeps memory freed by the runtime's worker threads in per-thread
//! arenas, fragmented, instead of returning it. After a burst of a thousand
//! concurrent calls, or after a large body, a process would stay tens of MB
//! larger for good although nothing is live any more. So after such work the
//! client calls `malloc_trim`, which returns free pages of every arena:
//! - after reading a body of 1 MiB or more (see `transport`);
//! - shortly (50 ms) after the last call in flight ends, when at least
//!   [`BURST`] were in flight at once, i.e. when the process goes idle after
//!   a burst.
//!
//! Elsewhere than glibc this does nothing.

use std::sync::atomic::{AtomicUsize, Ordering};

/// Calls in flight at once, across all clients, that count as a burst.
pub const BURST: usize = 64;

static IN_FLIGHT: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

/// Held for the duration of one call; see the module documentation.
pub struct InFlight(());

impl InFlight {
    pub fn enter() -> InFlight {
        let now = IN_FLIGHT.fetch_add(1, Ordering::AcqRel) + 1;
        PEAK.fetch_max(now, Ordering::AcqRel);
        InFlight(())
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        let last = IN_FLIGHT.fetch_sub(1, Ordering::AcqRel) == 1;
        if last && PEAK.swap(0, Ordering::AcqRel) >= BURST {
            // Dropped connections are torn down by their own tasks just after
            // their calls end: trim a moment later, if still idle.
            match tokio::runtime::Handle::try_current() {
                Ok(runtime) => {
                    runtime.spawn(async {
                        tokio::time::sleep(SETTLE).await;
                        if IN_FLIGHT.load(Ordering::Acquire) == 0 {
                            release_freed_memory();
                        }
                    });
                }
                Err(_) => release_freed_memory(),
            }
        }
    }
}

/// How long after a burst ends the memory is handed back.
const SETTLE: std::time::Duration = std::time::Duration::from_millis(50);

/// Returns free heap pages to the system (glibc's `malloc_trim`). It takes
/// a few milliseconds on a large heap, so it is only called after big work.
pub fn release_freed_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        extern "C" {
            fn malloc_trim(pad: usize) -> std::os::raw::c_int;
        }
        // SAFETY: malloc_trim has no preconditions; it only returns free
        // pages of the allocator's own arenas to the system.
        unsafe {
            malloc_trim(0);
        }
    }
}
