//! Hands finished calls back to JavaScript in batches.
//!
//! napi's way (a promise per call, settled through a threadsafe function)
//! costs every request a libuv handle, a cleanup hook and a wake-up of the
//! JS thread made while holding the function's queue lock. Profiling the
//! benchmark showed the JS thread and the tokio workers taking turns
//! blocking on that lock (a third of all context switches). Instead each JS
//! environment (the main thread, each worker) has one `CallDelivery`, made
//! by the JS layer with its first client and shared by all its clients: one
//! libuv async handle and one queue. An I/O thread, as it
//! finishes a call, pushes its outcome and, only if no wake-up is already on
//! its way, calls `uv_async_send` (lock-free, outside our own lock) once it
//! has run its other ready tasks (see `runtime::after_ready_tasks`), so that
//! calls ending together cost one wake-up. On the JS thread
//! the handle's callback takes everything queued by then and makes one call,
//! `settle(valueIds, values, ids, outcomes)`, which resolves the matching
//! promises (`lib/internal/sdk.js`). A plain value (the common case) travels
//! as its JSON text (see `text.rs`), and JS parses it: creating objects
//! property by property through napi costs far more than `JSON.parse`.
//!
//! The handle is unref'd while no call is pending, so an idle client never
//! keeps Node alive, and ref'd from the first pending call until the last is
//! settled, as a promise per call was. One per environment rather than per
//! client: a program that makes a client per request would otherwise leave
//! a handle, a reference and an async context per client waiting for the
//! garbage collector. It is closed when Node tears the environment down,
//! which also cancels the environment's lifetime token, so calls still in
//! flight (a worker terminated) end and their connections close at once.

use std::alloc::{alloc_zeroed, dealloc, Layout};
use std::ffi::{c_int, c_void};
use std::ptr;
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use napi::bindgen_prelude::{Function, ToNapiValue};
use napi::{check_status, sys, Env, Error, JsValue, Result, Status};
use napi_derive::napi;
use tokio_util::sync::CancellationToken;

use super::cancel::CancelHandle;
use super::outcome::{NativeOutcome, Settled};
use super::runtime;
use super::text::Delivered;

/// Completion handles not yet closed, across the process (see
/// [`open_completion_handles`]).
static OPEN_HANDLES: AtomicU32 = AtomicU32::new(0);

/// How many completion handles are open: one per environment that made a
/// client. For the leak tests; not part of the package API.
#[napi]
pub fn open_completion_handles() -> u32 {
    OPEN_HANDLES.load(Ordering::SeqCst)
}

/// Rounds of draining per wake-up of the JS thread (see `deliver`).
const ROUNDS_PER_WAKE: usize = 4;

/// libuv's handle type number for `uv_async_t` (`UV_ASYNC` in uv.h).
const UV_ASYNC: c_int = 1;

// libuv is linked into Node and its symbols are exported to addons.
extern "C" {
    fn uv_handle_size(kind: c_int) -> usize;
    fn uv_async_init(
        event_loop: *mut sys::uv_loop_s,
        handle: *mut c_void,
        callback: unsafe extern "C" fn(*mut c_void),
    ) -> c_int;
    fn uv_async_send(handle: *mut c_void) -> c_int;
    fn uv_close(handle: *mut c_void, callback: Option<unsafe extern "C" fn(*mut c_void)>);
    fn uv_ref(handle: *mut c_void);
    fn uv_unref(handle: *mut c_void);
}

/// `(valueIds, values, ids, outcomes)`: calls that ended with a plain value
/// (`values` holds its JSON text per call, `""` for no value, or a batch of
/// an event stream's events), then every other call with its outcome
/// object.
pub type SettleArgs = (Vec<u32>, Vec<Delivered>, Vec<u32>, Vec<NativeOutcome>);

/// The JS function the outcomes are handed to.
pub type SettleFunction<'a> = Function<'a, SettleArgs, ()>;

#[derive(Default)]
struct Batch {
    value_ids: Vec<u32>,
    values: Vec<Delivered>,
    ids: Vec<u32>,
    outcomes: Vec<NativeOutcome>,
    /// A wake-up of the JS thread is on its way and will take this batch.
    wake_pending: bool,
}

impl Batch {
    fn is_empty(&self) -> bool {
        self.value_ids.is_empty() && self.ids.is_empty()
    }
}

/// State shared by a client, its calls in flight and its libuv handle.
struct Shared {
    batch: Mutex<Batch>,
    /// The `uv_async_t`; valid until `closed` is set and `sending` is zero.
    handle: *mut c_void,
    handle_layout: Layout,
    /// Set once, on the JS thread, before the handle is closed.
    closed: AtomicBool,
    /// Threads between checking `closed` and returning from `uv_async_send`.
    sending: AtomicUsize,
    // The fields below are only touched on the JS thread.
    env: sys::napi_env,
    settle: sys::napi_ref,
    async_context: sys::napi_async_context,
    /// Calls started and not yet handed to JS.
    pending: AtomicU32,
    /// The `CallDelivery` was dropped: close once nothing is pending.
    owner_gone: AtomicBool,
    /// Cancelled on environment teardown; every call's token descends from it.
    lifetime: CancellationToken,
}

// SAFETY: the raw pointers are either the `uv_async_t` (which libuv allows
// `uv_async_send` on from any thread, and which is only closed after every
// sender is done, see `close`) or napi handles used only on the JS thread.
unsafe impl Send for Shared {}
unsafe impl Sync for Shared {}

/// A poisoned lock only means another thread panicked mid-push; the batch is
/// still a valid list, so keep going rather than lose outcomes.
fn lock(batch: &Mutex<Batch>) -> MutexGuard<'_, Batch> {
    batch
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// The delivery of one JS environment, owned by the JS layer for the
/// environment's lifetime (`lib/internal/sdk.js`); dropping it closes the
/// handle once no call is pending.
#[napi]
pub struct CallDelivery {
    shared: Arc<Shared>,
}

/// What a `NativeClient` keeps of its environment's delivery: how to start
/// a call and the token that ends calls with the environment.
#[derive(Clone)]
pub struct Completions {
    shared: Arc<Shared>,
}

/// Held by one call in flight, to hand its outcome back. Dropped without
/// `finish` (the call's task panicked or was dropped), it settles the call
/// with an `UnexpectedClientError` rather than leave its promise pending.
pub struct Completer {
    shared: Arc<Shared>,
    id: u32,
    finished: bool,
}

#[napi]
impl CallDelivery {
    /// `settle(valueIds, values, ids, outcomes)` receives the finished
    /// calls of every client of this environment, in batches.
    #[napi(constructor)]
    pub fn new(env: &Env, settle: SettleFunction) -> Result<CallDelivery> {
        let raw_env = env.raw();
        // SAFETY: `uv_handle_size` only reads a table.
        let size = unsafe { uv_handle_size(UV_ASYNC) };
        let handle_layout = Layout::from_size_align(size.max(1), 16)
            .map_err(|e| Error::new(Status::GenericFailure, e.to_string()))?;
        let mut event_loop = ptr::null_mut();
        let mut settle_ref = ptr::null_mut();
        let mut async_context = ptr::null_mut();
        // SAFETY: plain napi calls on the env's own thread with valid
        // out-pointers; each result is checked before use.
        unsafe {
            check_status!(sys::napi_get_uv_event_loop(raw_env, &mut event_loop))?;
            // Weak while nothing is pending (see `hold`).
            check_status!(sys::napi_create_reference(
                raw_env,
                settle.raw(),
                0,
                &mut settle_ref
            ))?;
            let name = ToNapiValue::to_napi_value(raw_env, "mix.settle")?;
            if let Err(e) = check_status!(sys::napi_async_init(
                raw_env,
                ptr::null_mut(),
                name,
                &mut async_context
            )) {
                sys::napi_delete_reference(raw_env, settle_ref);
                return Err(e);
            }
        }
        // SAFETY: the layout has a non-zero size.
        let handle = unsafe { alloc_zeroed(handle_layout) }.cast::<c_void>();
        if handle.is_null() {
            // SAFETY: created above on this thread and not shared yet.
            unsafe {
                sys::napi_async_destroy(raw_env, async_context);
                sys::napi_delete_reference(raw_env, settle_ref);
            }
            return Err(Error::new(
                Status::GenericFailure,
                "out of memory for the completion handle",
            ));
        }
        let shared = Arc::new(Shared {
            batch: Mutex::new(Batch::default()),
            handle,
            handle_layout,
            closed: AtomicBool::new(false),
            sending: AtomicUsize::new(0),
            env: raw_env,
            settle: settle_ref,
            async_context,
            pending: AtomicU32::new(0),
            owner_gone: AtomicBool::new(false),
            lifetime: CancellationToken::new(),
        });
        // SAFETY: `handle` is zeroed memory of libuv's size for an async
        // handle, initialised on the loop's own thread. Its `data` (the
        // first field of every uv handle) owns one reference to `shared`,
        // given back in `on_closed`.
        unsafe {
            let status = uv_async_init(event_loop, handle, on_wake);
            if status != 0 {
                dealloc(handle.cast(), handle_layout);
                sys::napi_async_destroy(raw_env, async_context);
                sys::napi_delete_reference(raw_env, settle_ref);
                return Err(Error::new(
                    Status::GenericFailure,
                    format!("could not create the completion handle (libuv error {status})"),
                ));
            }
            *handle.cast::<*const Shared>() = Arc::into_raw(Arc::clone(&shared));
            OPEN_HANDLES.fetch_add(1, Ordering::SeqCst);
            uv_unref(handle);
            let hook_arg = Arc::as_ptr(&shared).cast_mut().cast::<c_void>();
            sys::napi_add_env_cleanup_hook(raw_env, Some(on_env_teardown), hook_arg);
        }
        Ok(CallDelivery { shared })
    }

    /// A cancellation handle for one call, ended with the environment too.
    #[napi]
    pub fn cancel_handle(&self) -> CancelHandle {
        CancelHandle {
            token: self.shared.lifetime.child_token(),
        }
    }
}

impl CallDelivery {
    /// For a client of this environment.
    pub fn completions(&self) -> Completions {
        Completions {
            shared: Arc::clone(&self.shared),
        }
    }
}

impl Completions {
    /// The token that is cancelled when the environment is torn down.
    pub fn lifetime(&self) -> &CancellationToken {
        &self.shared.lifetime
    }

    /// Called on the JS thread as call `id` starts; the returned completer
    /// hands back its outcome.
    pub fn start(&self, id: u32) -> Completer {
        let shared = &self.shared;
        if shared.pending.fetch_add(1, Ordering::Relaxed) == 0 && !shared.is_closed() {
            // SAFETY: JS thread, handle open.
            unsafe { shared.hold() };
        }
        Completer {
            shared: Arc::clone(shared),
            id,
            finished: false,
        }
    }
}

impl Drop for CallDelivery {
    /// Runs on the JS thread when the JS layer lets go of it (in practice
    /// as the environment is torn down).
    fn drop(&mut self) {
        let shared = &self.shared;
        shared.owner_gone.store(true, Ordering::Relaxed);
        if shared.pending.load(Ordering::Relaxed) == 0 {
            // SAFETY: JS thread.
            unsafe { shared.close(true) };
        }
    }
}

impl Completer {
    /// Hands back the call's outcome. Any thread.
    pub fn finish(mut self, outcome: Settled) {
        self.finished = true;
        self.shared.push(self.id, outcome, false);
    }

    /// As [`Completer::finish`], waking the JS thread at once rather than
    /// after this I/O thread's other ready work: for a task that goes on
    /// working after it (a stream's driver making its next batch), which
    /// would otherwise hold the wake-up until it is done.
    pub fn finish_now(mut self, outcome: Settled) {
        self.finished = true;
        self.shared.push(self.id, outcome, true);
    }
}

impl Drop for Completer {
    fn drop(&mut self) {
        if !self.finished {
            self.shared.push(
                self.id,
                Settled::Full(Box::new(NativeOutcome::lost())),
                false,
            );
        }
    }
}

impl Shared {
    /// Queues an outcome and wakes the JS thread unless a wake-up is
    /// already on its way (`now`: without waiting for this thread's other
    /// ready work).
    fn push(self: &Arc<Self>, id: u32, outcome: Settled, now: bool) {
        let wake = {
            let mut batch = lock(&self.batch);
            match outcome {
                Settled::Value(value) => {
                    batch.value_ids.push(id);
                    batch.values.push(Delivered::Text(value));
                }
                Settled::Events(events) => {
                    batch.value_ids.push(id);
                    batch.values.push(Delivered::Events(events));
                }
                Settled::Full(outcome) => {
                    batch.ids.push(id);
                    batch.outcomes.push(*outcome);
                }
            }
            !std::mem::replace(&mut batch.wake_pending, true)
        };
        if wake && now {
            self.wake();
        } else if wake {
            // Calls ending together on an I/O thread share one wake-up.
            let shared = Arc::clone(self);
            runtime::after_ready_tasks(move || shared.wake());
        }
    }

    /// Wakes the JS thread to deliver the batch. Any thread.
    fn wake(&self) {
        self.sending.fetch_add(1, Ordering::SeqCst);
        if !self.is_closed() {
            // SAFETY: not closed, and `close` waits for `sending` to
            // drop to zero before closing the handle.
            unsafe { uv_async_send(self.handle) };
        }
        self.sending.fetch_sub(1, Ordering::SeqCst);
    }

    fn is_closed(&self) -> bool {
        self.closed.load(Ordering::SeqCst)
    }

    /// Closes the handle and frees the napi handles; idempotent.
    /// `remove_hook` is false when called from the cleanup hook itself.
    ///
    /// # Safety
    /// On the JS thread of `self.env`, while that environment is alive.
    unsafe fn close(&self, remove_hook: bool) {
        if self.closed.swap(true, Ordering::SeqCst) {
            return;
        }
        // A thread that saw `closed` unset may still be inside
        // `uv_async_send`; that takes a few instructions.
        while self.sending.load(Ordering::SeqCst) != 0 {
            std::hint::spin_loop();
        }
        // SAFETY: the caller's contract; the handle is open (closed was
        // unset) and nothing sends on it any more, and `on_closed` frees it.
        unsafe {
            if remove_hook {
                let hook_arg = (self as *const Shared).cast_mut().cast::<c_void>();
                sys::napi_remove_env_cleanup_hook(self.env, Some(on_env_teardown), hook_arg);
            }
            sys::napi_async_destroy(self.env, self.async_context);
            sys::napi_delete_reference(self.env, self.settle);
            uv_close(self.handle, Some(on_closed));
        }
        OPEN_HANDLES.fetch_sub(1, Ordering::SeqCst);
    }

    /// Hands the queued outcomes to `settle`.
    ///
    /// `wake_pending` stays set while JS runs, so calls that finish
    /// meanwhile need no second `uv_async_send`: they are taken in the next
    /// round of the same wake-up. The rounds are bounded so a steady stream
    /// of completions cannot starve the rest of the event loop.
    ///
    /// # Safety
    /// On the JS thread of `self.env`, from the handle's callback.
    unsafe fn deliver(&self) {
        for _ in 0..ROUNDS_PER_WAKE {
            let batch = {
                let mut queued = lock(&self.batch);
                if queued.is_empty() {
                    queued.wake_pending = false;
                    return;
                }
                let batch = std::mem::take(&mut *queued);
                queued.wake_pending = true;
                batch
            };
            if self.is_closed() {
                return;
            }
            let settled =
                u32::try_from(batch.value_ids.len() + batch.ids.len()).unwrap_or(u32::MAX);
            let left = self.pending.load(Ordering::Relaxed).saturating_sub(settled);
            self.pending.store(left, Ordering::Relaxed);
            // SAFETY: JS thread of a live environment (the caller's
            // contract), handle open (checked above); values made here stay
            // inside the handle scope.
            unsafe {
                let mut scope = ptr::null_mut();
                if sys::napi_open_handle_scope(self.env, &mut scope) != sys::Status::napi_ok {
                    return;
                }
                // Taken while still held: `release` may leave it to the GC.
                let mut settle = ptr::null_mut();
                let status = sys::napi_get_reference_value(self.env, self.settle, &mut settle);
                if left == 0 {
                    self.release();
                }
                if status == sys::Status::napi_ok && !settle.is_null() {
                    self.call_settle(settle, batch);
                }
                sys::napi_close_handle_scope(self.env, scope);
                if left == 0 && self.owner_gone.load(Ordering::Relaxed) {
                    self.close(true);
                    return;
                }
            }
        }
        // Still more after the last round: continue in a later loop turn.
        let more = {
            let mut batch = lock(&self.batch);
            let more = !batch.is_empty();
            batch.wake_pending = more;
            more
        };
        if more && !self.is_closed() {
            // SAFETY: JS thread, handle open.
            unsafe { uv_async_send(self.handle) };
        }
    }

    /// While calls are pending the handle keeps the event loop alive and
    /// `settle` is held strongly; while none is, neither: the JS layer then
    /// holds `settle` itself, and if it lets go (the module is unloaded, as
    /// test runners do), the delivery is collected and closed.
    ///
    /// # Safety
    /// On the JS thread of `self.env`, handle open.
    unsafe fn hold(&self) {
        let mut count = 0;
        // SAFETY: the caller's contract.
        unsafe {
            uv_ref(self.handle);
            sys::napi_reference_ref(self.env, self.settle, &mut count);
        }
    }

    /// See [`Shared::hold`].
    ///
    /// # Safety
    /// On the JS thread of `self.env`, handle open.
    unsafe fn release(&self) {
        let mut count = 0;
        // SAFETY: the caller's contract.
        unsafe {
            uv_unref(self.handle);
            sys::napi_reference_unref(self.env, self.settle, &mut count);
        }
    }

    /// Calls `settle` (`function`) with a batch.
    ///
    /// # Safety
    /// On the JS thread of `self.env`, inside a handle scope that holds
    /// `function`.
    unsafe fn call_settle(&self, function: sys::napi_value, batch: Batch) {
        // Kept to settle the calls one by one should the batch not convert.
        let all_ids: Vec<u32> = batch.value_ids.iter().chain(&batch.ids).copied().collect();
        // SAFETY: the caller's contract.
        let failed = unsafe { self.try_settle(function, batch) }.is_err();
        if !failed {
            return;
        }
        let env = self.env;
        let mut pending = false;
        // SAFETY: the caller's contract.
        unsafe { sys::napi_is_exception_pending(env, &mut pending) };
        if pending {
            // An exception from `settle` (it has none of its own) would
            // otherwise be lost: report it as uncaught, as Node does.
            let mut exception = ptr::null_mut();
            // SAFETY: as above.
            unsafe {
                if sys::napi_get_and_clear_last_exception(env, &mut exception)
                    == sys::Status::napi_ok
                    && !exception.is_null()
                {
                    sys::napi_fatal_exception(env, exception);
                }
            }
            return;
        }
        // The batch could not be made into JS values (no exception was
        // thrown): settle each call as lost rather than never.
        for id in all_ids {
            let lost = Batch {
                ids: vec![id],
                outcomes: vec![NativeOutcome::lost()],
                ..Batch::default()
            };
            // SAFETY: the caller's contract.
            if unsafe { self.try_settle(function, lost) }.is_err() {
                break;
            }
        }
    }

    /// Converts a batch and calls `settle` with it.
    ///
    /// # Safety
    /// As [`Self::call_settle`].
    unsafe fn try_settle(&self, function: sys::napi_value, batch: Batch) -> Result<()> {
        let env = self.env;
        // SAFETY (all blocks): the caller's contract; every value passed to
        // napi was made in this scope.
        // make_callback needs an object receiver; `settle` ignores it.
        let mut receiver = ptr::null_mut();
        check_status!(unsafe { sys::napi_get_global(env, &mut receiver) })?;
        let argv = unsafe {
            [
                ToNapiValue::to_napi_value(env, batch.value_ids)?,
                super::text::value_array(env, batch.values)?,
                ToNapiValue::to_napi_value(env, batch.ids)?,
                ToNapiValue::to_napi_value(env, batch.outcomes)?,
            ]
        };
        let mut result = ptr::null_mut();
        // make_callback, unlike call_function, runs the microtasks the
        // resolutions queue, as any libuv callback into JS must.
        check_status!(unsafe {
            sys::napi_make_callback(
                env,
                self.async_context,
                receiver,
                function,
                argv.len(),
                argv.as_ptr(),
                &mut result,
            )
        })
    }
}

/// The `Shared` a handle's `data` points at.
///
/// # Safety
/// `handle` is a live completion handle (its `data` is set in
/// `CallDelivery::new` and the `Shared` outlives the handle).
unsafe fn shared_of<'a>(handle: *mut c_void) -> &'a Shared {
    // SAFETY: the caller's contract.
    unsafe { &**handle.cast::<*const Shared>() }
}

/// libuv's callback for a wake-up.
///
/// # Safety
/// Called by libuv on the loop's (JS) thread with a live completion handle.
unsafe extern "C" fn on_wake(handle: *mut c_void) {
    // SAFETY: the caller's contract; the JS thread owns the environment.
    unsafe { shared_of(handle).deliver() };
}

/// libuv's callback once the handle is closed: frees it and gives back the
/// reference its `data` owned.
///
/// # Safety
/// Called by libuv once, after `uv_close` of a completion handle.
unsafe extern "C" fn on_closed(handle: *mut c_void) {
    // SAFETY: the caller's contract: `data` holds the pointer made by
    // `Arc::into_raw` in `CallDelivery::new`, and the handle memory was
    // allocated there with this layout.
    unsafe {
        let shared = Arc::from_raw(*handle.cast::<*const Shared>());
        dealloc(handle.cast(), shared.handle_layout);
        drop(shared);
    }
}

/// Node's cleanup hook for the environment: ends its calls, closes the
/// handle.
///
/// # Safety
/// Called by Node on the environment's thread with the `Shared` pointer
/// registered in `CallDelivery::new`, which the handle keeps alive.
unsafe extern "C" fn on_env_teardown(arg: *mut c_void) {
    // SAFETY: the caller's contract.
    unsafe {
        let shared = &*arg.cast::<Shared>();
        shared.lifetime.cancel();
        shared.close(false);
    }
}
