//! `NativeClient`: one `mix_core::Client` (and so one connection pool) per
//! `Mix`/`MixCore` instance, with one async method per operation.

use std::sync::Arc;

use mix_core::transport::ExternalTransport;
use mix_core::{CallOptions, Client, ClientConfig, Limits};
use napi::bindgen_prelude::{AsyncBlock, AsyncBlockBuilder, Function, Promise};
use napi::{Env, Error, Result, Status};
use napi_derive::napi;
use tokio::time::Instant;

use super::cancel::CancelHandle;
use super::fetch::{AttemptArgs, AttemptFunction, JsFetch, NativeRawResponse};
use super::options::{NativeCallOptions, NativeClientOptions};
use super::outcome::NativeOutcome;

#[napi]
pub struct NativeClient {
    inner: Arc<Client>,
}

#[napi]
impl NativeClient {
    /// Throws when the base URL does not parse or the HTTP stack cannot start.
    /// `attempt`, when given, sends each attempt instead of reqwest (the
    /// caller's `HTTPClient`): `(method, url, headers) => Promise<NativeRawResponse>`.
    #[napi(constructor)]
    pub fn new(
        options: NativeClientOptions,
        attempt: Option<Function<AttemptArgs, Promise<NativeRawResponse>>>,
    ) -> Result<Self> {
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
        let config = ClientConfig {
            server_url: options.server_url,
            user_agent: options.user_agent,
            retry: options.retry_config.map(Into::into),
            timeout_ms: options.timeout_ms,
            debug: options.debug.unwrap_or(false),
            limits: Limits::default(),
            external,
        };
        let inner = Client::new(config).map_err(|e| Error::new(Status::InvalidArg, e.detail))?;
        Ok(NativeClient {
            inner: Arc::new(inner),
        })
    }

    /// Runs `refreshOAuthTokens`; the promise always resolves, with an
    /// outcome that says whether it is a value or which error it is.
    #[napi(
        js_name = "refreshOAuthTokens",
        ts_return_type = "Promise<NativeOutcome>"
    )]
    pub fn refresh_oauth_tokens(
        &self,
        env: &Env,
        call: Option<NativeCallOptions>,
        cancel: Option<&CancelHandle>,
    ) -> Result<AsyncBlock<NativeOutcome>> {
        // The time limit counts from here, before the runtime picks the task up.
        let started = Instant::now();
        let client = Arc::clone(&self.inner);
        let call = call.map(CallOptions::from).unwrap_or_default();
        let token = cancel.map(|c| c.token.clone());
        AsyncBlockBuilder::new(async move {
            let result = client.refresh_oauth_tokens(call, token, started).await;
            Ok(NativeOutcome::from(result))
        })
        .build(env)
    }
}
