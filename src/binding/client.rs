//! `NativeClient`: the native side of one `Mix`/`MixCore` instance, with one
//! method for every operation (`call`, given the operation's number). Nothing in it waits for the garbage collector: its
//! connections live in the process-wide pools (`mix_core::pool`), shared
//! with every client of equal network settings, and its calls are handed
//! back through its environment's `CallDelivery`.

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;

use mix_core::operation::BodyKind;
use mix_core::transport::ExternalTransport;
use mix_core::upload::UploadSource;
use mix_core::{CallOptions, Client, ClientConfig, ClientErrorKind, Limits};
use napi::bindgen_prelude::{Function, Promise};
use napi::{Error, Result, Status};
use napi_derive::napi;
use tokio::time::Instant;

use super::cancel::CancelHandle;
use super::completions::{CallDelivery, Completions};
use super::fetch::{AttemptArgs, AttemptFunction, JsFetch, NativeRawResponse};
use super::options::{NativeCallOptions, NativeClientOptions, NativeRequest};
use super::outcome::Settled;
use super::runtime;
use super::stream::{drive, NativeStream};
use super::upload::{JsSource, Piece};

#[napi]
pub struct NativeClient {
    /// One per I/O thread, each using that thread's pools: a connection is
    /// driven by the thread that opened it, and a call on another thread
    /// using it would wake that thread twice per request.
    shards: Vec<Arc<Client>>,
    completions: Completions,
}

/// `NativeClient`s not yet dropped, across the process.
static LIVE_CLIENTS: AtomicU32 = AtomicU32::new(0);

/// How many native clients are alive. For the leak tests; not part of the
/// package API.
#[napi]
pub fn live_native_clients() -> u32 {
    LIVE_CLIENTS.load(Ordering::SeqCst)
}

impl Drop for NativeClient {
    fn drop(&mut self) {
        LIVE_CLIENTS.fetch_sub(1, Ordering::SeqCst);
    }
}

#[napi]
impl NativeClient {
    /// Throws when the options cannot make a client: an error with code
    /// `InvalidArg` for a bad base URL or proxy URL (JS makes it a
    /// `TypeError`), `GenericFailure` when the HTTP stack cannot start.
    /// Finished calls go to `delivery`, the environment's (see
    /// `completions.rs`). `attempt`, when given, sends each attempt instead
    /// of reqwest (the caller's `HTTPClient`, see `fetch.rs`).
    #[napi(constructor)]
    pub fn new(
        options: NativeClientOptions,
        delivery: &CallDelivery,
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
        let network = options.network();
        let retry = options.retry_config.map(Into::into);
        let shards = (0..io.count())
            .map(|shard| {
                Client::new(ClientConfig {
                    server_url: options.server_url.clone(),
                    user_agent: options.user_agent.clone(),
                    retry,
                    timeout_ms: options.timeout_ms,
                    debug: options.debug.unwrap_or(false),
                    limits: Limits::default(),
                    network: network.clone(),
                    shard,
                    external: external.clone(),
                })
                .map(Arc::new)
                .map_err(|e| {
                    let status = match e.kind {
                        ClientErrorKind::InvalidRequest => Status::InvalidArg,
                        _ => Status::GenericFailure,
                    };
                    Error::new(status, e.detail)
                })
            })
            .collect::<Result<Vec<_>>>()?;
        LIVE_CLIENTS.fetch_add(1, Ordering::SeqCst);
        Ok(NativeClient {
            shards,
            completions: delivery.completions(),
        })
    }

    /// What went wrong setting up the trust store without stopping the
    /// client (e.g. an unreadable `NODE_EXTRA_CA_CERTS`), for the debug log.
    #[napi(getter)]
    pub fn warnings(&self) -> Vec<String> {
        self.shards
            .first()
            .map(|client| client.warnings().to_vec())
            .unwrap_or_default()
    }

    /// The base URL every call starts from (the `_baseURL` of the JS
    /// client): normalised here, the one owner of URL rules.
    #[napi(getter)]
    pub fn base_url(&self) -> String {
        self.shards
            .first()
            .map(|client| client.base().to_string())
            .unwrap_or_default()
    }

    /// Starts operation `operation` (its index in the generated table) with
    /// the caller's `request` values; its outcome reaches `settle` under
    /// `slot` (the caller's number for it, free again once settled).
    /// `cancel` must come from the delivery's `cancelHandle()`. Every
    /// started call is settled exactly once, with an outcome that says
    /// whether it is a value or which error it is. An event-stream
    /// operation's events are read through `stream` (see `stream.rs`); an
    /// upload's content that is not bytes through `source` (see `upload.rs`).
    #[napi]
    #[allow(clippy::too_many_arguments)]
    pub fn call(
        &self,
        slot: u32,
        operation: u32,
        request: Option<NativeRequest>,
        call: Option<NativeCallOptions>,
        cancel: Option<&CancelHandle>,
        stream: Option<&NativeStream>,
        source: Option<Function<u32, Promise<Piece>>>,
    ) -> Result<()> {
        // The time limit counts from here, before the runtime picks the task up.
        let started = Instant::now();
        let call = match call {
            Some(call) => call.into_call(slot),
            None => CallOptions {
                tag: slot,
                ..CallOptions::default()
            },
        };
        let kind = mix_core::generated::OPERATIONS
            .get(operation as usize)
            .map_or(BodyKind::None, |op| op.body);
        let source = match source {
            Some(read) => Some(Box::new(JsSource::new(read)?) as Box<dyn UploadSource>),
            None => None,
        };
        let request = request
            .map(|r| r.into_request(kind, source))
            .unwrap_or_default();
        let token = match cancel {
            Some(handle) => handle.token.clone(),
            None => self.completions.lifetime().clone(),
        };
        // Counted as pending only once the I/O threads are known to be
        // running, so a call that cannot start never holds the event loop.
        let (shard, io) = runtime::io()?.pick();
        let client = Arc::clone(&self.shards[shard]);
        let attached = stream.and_then(|s| s.attach(&self.completions));
        let completer = self.completions.start(slot);
        io.submit(|in_flight| {
            Box::pin(async move {
                let stream_token = token.clone();
                let mut result = client
                    .call(operation as usize, request, call, Some(token), started)
                    .await;
                let opened = result.events.take();
                completer.finish(Settled::from(result));
                drop(in_flight);
                if let (Some(opened), Some(attached)) = (opened, attached) {
                    // This task stays on as the stream's driver.
                    drive(opened, attached, stream_token, client.debug()).await;
                }
            })
        });
        Ok(())
    }
}
