//! Benchmark target server: one thread, HTTP/1.1 keep-alive, fixed JSON
//! answers, pre-generated event streams and binary downloads. Kept as cheap as possible so
//! the measured cost is the client's.
//!
//! Usage: `mix-bench-server [PORT]` (0 or absent picks a free port). The
//! first stdout line is `LISTENING <port>`; the server exits when its stdin
//! closes, so it never outlives the runner that spawned it.

mod events;
mod files;
mod respond;

use std::io::Write;
use std::net::Ipv4Addr;
use std::process::ExitCode;
use std::time::Duration;

use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use tokio::io::AsyncReadExt;
use tokio::net::TcpListener;

fn main() -> ExitCode {
    let port = match parse_port(std::env::args().nth(1)) {
        Ok(port) => port,
        Err(message) => return fail(&message),
    };
    // current_thread: one core for the server, leaving the rest to clients.
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_io()
        .enable_time()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => return fail(&format!("could not start the tokio runtime: {e}")),
    };
    match runtime.block_on(serve(port)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => fail(&message),
    }
}

fn parse_port(arg: Option<String>) -> Result<u16, String> {
    match arg {
        None => Ok(0),
        Some(text) => text
            .parse()
            .map_err(|_| format!("port must be a number from 0 to 65535, got {text:?}")),
    }
}

fn fail(message: &str) -> ExitCode {
    eprintln!("mix-bench-server: {message}");
    ExitCode::FAILURE
}

/// Accepts connections until stdin reaches end of file.
async fn serve(port: u16) -> Result<(), String> {
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, port))
        .await
        .map_err(|e| format!("could not listen on 127.0.0.1:{port}: {e}"))?;
    let bound = listener
        .local_addr()
        .map_err(|e| format!("could not read the bound address: {e}"))?;
    // Before announcing: the runner starts timing clients once it sees the port.
    events::prepare();
    files::prepare();
    announce(bound.port())?;

    tokio::select! {
        () = accept_loop(listener) => Ok(()),
        () = stdin_closed() => Ok(()),
    }
}

/// The runner waits for this line before starting clients, so flush it.
fn announce(port: u16) -> Result<(), String> {
    let mut stdout = std::io::stdout().lock();
    writeln!(stdout, "LISTENING {port}")
        .and_then(|()| stdout.flush())
        .map_err(|e| format!("could not write to stdout: {e}"))
}

async fn accept_loop(listener: TcpListener) {
    loop {
        let stream = match listener.accept().await {
            Ok((stream, _peer)) => stream,
            Err(e) => {
                // Usually EMFILE under a connection storm: back off briefly
                // instead of spinning, and keep serving existing sockets.
                eprintln!("mix-bench-server: accept failed: {e}");
                tokio::time::sleep(Duration::from_millis(10)).await;
                continue;
            }
        };
        // Small request/response pairs: Nagle would add delayed-ACK stalls.
        let _ = stream.set_nodelay(true);
        tokio::spawn(async move {
            // A client closing mid-request is normal at the end of a run.
            let _ = http1::Builder::new()
                .keep_alive(true)
                .serve_connection(TokioIo::new(stream), service_fn(respond::respond))
                .await;
        });
    }
}

async fn stdin_closed() {
    let mut stdin = tokio::io::stdin();
    let mut buf = [0u8; 64];
    // Any read error is treated like EOF: the parent is gone either way.
    while let Ok(n) = stdin.read(&mut buf).await {
        if n == 0 {
            return;
        }
    }
}
