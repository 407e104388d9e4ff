//! `GET /api/sessions/{id}/files/bytes-<n>`: a binary download of `n`
//! bytes (`application/octet-stream`, with `content-length`), the route the
//! SDK's `files.get({ id, filename })` calls. The session id is ignored;
//! the file name gives the size. And `POST /api/sessions/{id}/files/upload`
//! ([`receive`]): an upload, read to its end and counted.
//!
//! The body is one [`BLOCK_BYTES`] block of pseudo-random bytes (SplitMix64
//! from a fixed seed, each value little-endian), generated once at start
//! ([`prepare`]) and repeated, the last copy cut short: byte `i` of every
//! file is `block[i % BLOCK_BYTES]`, which `benchmark/lib/download.mjs`
//! regenerates to check a download byte for byte. Each frame is a
//! reference to the block (no copy), so the server's cost per byte is the
//! socket write and the client is the bottleneck.

use std::convert::Infallible;
use std::pin::Pin;
use std::sync::LazyLock;
use std::task::{Context, Poll};

use bytes::Bytes;
use http_body_util::BodyExt;
use hyper::body::{Body, Frame, Incoming, SizeHint};

/// The route is `{PREFIX}{id}{FILES}{filename}`.
const PREFIX: &str = "/api/sessions/";
const FILES: &str = "/files/";

/// The repeated block, and the largest frame handed to hyper.
pub const BLOCK_BYTES: usize = 1024 * 1024;

/// The seed the JS check uses too (`benchmark/lib/download.mjs`).
const SEED: u64 = 0x5EED_2025_0002;

/// Generates the block now rather than during the first client's run.
pub fn prepare() {
    LazyLock::force(&BLOCK);
}

/// The body for a request path, or `None` when the path is not a file
/// route (the caller then answers 404) or the name is not `bytes-<n>`.
pub fn open(path: &str) -> Option<FileBody> {
    let rest = path.strip_prefix(PREFIX)?;
    let (id, filename) = rest.split_once(FILES)?;
    if id.is_empty() || id.contains('/') {
        return None;
    }
    let len: u64 = filename.strip_prefix("bytes-")?.parse().ok()?;
    Some(FileBody { left: len, len })
}

/// Whether a path is the upload route.
pub fn is_upload(path: &str) -> bool {
    path.strip_prefix(PREFIX)
        .and_then(|rest| rest.strip_suffix("/files/upload"))
        .is_some_and(|id| !id.is_empty() && !id.contains('/'))
}

/// Reads an upload's body to its end as it arrives (nothing kept: the
/// client is measured, not the server) and answers with a `FileInfo` whose
/// `size` is the number of body bytes received, framing included.
pub async fn receive(mut body: Incoming) -> Result<Bytes, hyper::Error> {
    let mut size: u64 = 0;
    while let Some(frame) = body.frame().await {
        if let Ok(data) = frame?.into_data() {
            size += data.len() as u64;
        }
    }
    Ok(Bytes::from(format!(
        r#"{{"isDir":false,"modified":1700000000,"name":"upload","size":{size},"url":"/files/upload"}}"#
    )))
}

/// `len` bytes of the repeated block, `left` of them still to send.
pub struct FileBody {
    left: u64,
    len: u64,
}

impl FileBody {
    /// The whole body's size, for `content-length`.
    pub fn len(&self) -> u64 {
        self.len
    }
}

impl Body for FileBody {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(
        self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        let this = self.get_mut();
        if this.left == 0 {
            return Poll::Ready(None);
        }
        // Offset into the block of the next byte, so every frame continues
        // the pattern where the last one stopped.
        let sent = this.len - this.left;
        let start = (sent % BLOCK_BYTES as u64) as usize;
        let take = (BLOCK_BYTES - start).min(usize::try_from(this.left).unwrap_or(usize::MAX));
        this.left -= take as u64;
        Poll::Ready(Some(Ok(Frame::data(BLOCK.slice(start..start + take)))))
    }

    fn is_end_stream(&self) -> bool {
        self.left == 0
    }

    fn size_hint(&self) -> SizeHint {
        SizeHint::with_exact(self.left)
    }
}

static BLOCK: LazyLock<Bytes> = LazyLock::new(|| {
    let mut state = SEED;
    let mut block = Vec::with_capacity(BLOCK_BYTES);
    while block.len() < BLOCK_BYTES {
        block.extend_from_slice(&split_mix64(&mut state).to_le_bytes());
    }
    Bytes::from(block)
});

/// `SplitMix64`, the same generator as the event streams' (there with
/// another seed).
fn split_mix64(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}
