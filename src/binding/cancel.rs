//! A cancellation handle JS holds for one call: the JS layer listens to the
//! caller's `AbortSignal` (napi's own `AbortSignal` parameter ignores
//! already-aborted signals and leaks) and calls `cancel()`, which wakes the
//! call's engine wherever it is waiting. Handles are made by the
//! environment's `CallDelivery.cancelHandle()`, as children of its lifetime
//! token, so tearing the environment down cancels them too.

use napi_derive::napi;
use tokio_util::sync::CancellationToken;

#[napi]
pub struct CancelHandle {
    pub(crate) token: CancellationToken,
}

#[napi]
impl CancelHandle {
    /// Cancels the call; idempotent.
    #[napi]
    pub fn cancel(&self) {
        self.token.cancel();
    }
}
