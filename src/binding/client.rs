//! `NativeClient`: one `mix_core::Client` (and so one connection pool) per
//! `Mix`/`MixCore` instance, with one async method per operation.

use std::sync::Arc;

use mix_core::transport::ExternalTransport;
use mix_core::{CallOptions, Client, ClientConfig, Limits};
use napi::bindgen_prelude::{Function, Promise};
use napi::{Env, Error, Result, Status};
use napi_derive::napi;
use tokio::time::Instant;

use super::cancel::CancelHandle;
use super::completions::{Completions, SettleFunction};
use super::fetch::{AttemptArgs, AttemptFunction, JsFetch, NativeRawResponse};
use super::options::{NativeCallOptions, NativeClientOptions};
use super::outcome::Settled;
use super::runtime;

#[napi]
pub struct NativeClient {
    /// One per I/O thread, each with its own connection pool: a connection
    /// is driven by the thread that opened it, and a call on another thread
    /// using it would wake that thread twice per request.
    shards: Vec<Arc<Client>>,
    completions: Completions,
}

#[napi]
impl NativeClient {
    /// Throws when the base URL does not parse or the HTTP stack cannot start.
    /// `settle(valueIds, values, ids, outcomes)` receives finished calls in batches (see
    /// `completions.rs`). `attempt`, when given, sends each attempt instead
    /// of reqwest (the caller's `HTTPClient`):
    /// `(method, url, headers) => Promise<NativeRawResponse>`.
    #[napi(constructor)]
    pub fn new(
        env: &Env,
        options: NativeClientOptions,
        settle: SettleFunction,
        attempt: Option<Function<AttemptArgs, Promise<NativeRawResponse>>>,
    ) -> Result<Self> {
        let io = runtime::io()?;
        let external = match attempt {
            Some(function) => {
                let function: AttemptFunction = function
                    .build_threadsafe_function()
                    .callee_handled::<false>()
                    .weak::<true>()
                    .build()?;
                Some(Arc::new(JsFetch::new(function)) as Arc<dyn ExternalTransport>)
            }
            None => None,
        };
        let retry = options.retry_config.map(Into::into);
        let config = || ClientConfig {
            server_url: options.server_url.clone(),
            user_agent: options.user_agent.clone(),
            retry,
            timeout_ms: options.timeout_ms,
            debug: options.debug.unwrap_or(false),
            limits: Limits::default(),
            external: external.clone(),
        };
        let shards = (0..io.count())
            .map(|_| {
                Client::new(config())
                    .map(Arc::new)
                    .map_err(|e| Error::new(Status::InvalidArg, e.detail))
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(NativeClient {
            shards,
            completions: Completions::new(env, settle)?,
        })
    }

    /// Starts `refreshOAuthTokens`; its outcome reaches `settle` under `slot`
    /// (the caller's number for it, free again once settled).
    /// Every started call is settled exactly once, with an outcome that
    /// says whether it is a value or which error it is.
    #[napi(js_name = "refreshOAuthTokens")]
    pub fn refresh_oauth_tokens(
        &self,
        slot: u32,
        call: Option<NativeCallOptions>,
        cancel: Option<&CancelHandle>,
    ) -> Result<()> {
        // The time limit counts from here, before the runtime picks the task up.
        let started = Instant::now();
        let call = call.map(CallOptions::from).unwrap_or_default();
        let token = cancel.map(|c| c.token.clone());
        // Counted as pending only once the I/O threads are known to be
        // running, so a call that cannot start never holds the event loop.
        let (shard, io) = runtime::io()?.pick();
        let client = Arc::clone(&self.shards[shard]);
        let completer = self.completions.start(slot);
        io.submit(|in_flight| {
            Box::pin(async move {
                let result = client.refresh_oauth_tokens(call, token, started).await;
                completer.finish(Settled::from(result));
                drop(in_flight);
            })
        });
        Ok(())
    }
}
