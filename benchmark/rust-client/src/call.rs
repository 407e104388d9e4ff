//! One refresh-tokens call: POST, read the body, decode the JSON.

use reqwest::header::{HeaderValue, ACCEPT};
use serde::Deserialize;

#[derive(Deserialize, PartialEq, Debug)]
pub struct Refreshed {
    pub message: String,
    pub status: String,
}

/// Cheap to clone: reqwest's client is a handle to one shared pool.
#[derive(Clone)]
pub struct Caller {
    client: reqwest::Client,
    url: reqwest::Url,
}

impl Caller {
    /// Built like the package's transport (no proxy lookup, no Nagle) so the
    /// ceiling differs from the package only by the JavaScript boundary.
    pub fn new(url: &str) -> Result<Caller, String> {
        let url = reqwest::Url::parse(url).map_err(|e| format!("bad --url {url:?}: {e}"))?;
        let client = reqwest::Client::builder()
            .no_proxy()
            .tcp_nodelay(true)
            .build()
            .map_err(|e| format!("could not build the HTTP client: {e}"))?;
        Ok(Caller { client, url })
    }

    pub async fn call(&self) -> Result<Refreshed, String> {
        let response = self
            .client
            .post(self.url.clone())
            .header(ACCEPT, HeaderValue::from_static("application/json"))
            .send()
            .await
            .map_err(|e| format!("request failed: {e}"))?;
        let status = response.status();
        let body = response
            .bytes()
            .await
            .map_err(|e| format!("reading the body failed: {e}"))?;
        if !status.is_success() {
            return Err(format!("server answered {status}"));
        }
        serde_json::from_slice(&body).map_err(|e| format!("body is not the expected JSON: {e}"))
    }

    pub async fn check(&self) -> Result<(), String> {
        let got = self.call().await?;
        let want = Refreshed {
            message: "Token refresh triggered successfully".into(),
            status: "success".into(),
        };
        if got == want {
            Ok(())
        } else {
            Err(format!("unexpected response {got:?}, wanted {want:?}"))
        }
    }
}
