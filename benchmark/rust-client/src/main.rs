//! Pure-Rust ceiling for the benchmark: the same POST + JSON decode the
//! package does, with no JavaScript in the loop. Prints one JSON line.
//!
//! Usage:
//!   mix-bench-rust-client --url URL --mode latency --warmup N --calls N
//!   mix-bench-rust-client --url URL --mode throughput --warmup N \
//!       --concurrency N --duration-ms N

mod args;
mod call;
mod modes;

use std::process::ExitCode;

use args::{Args, Mode};

fn main() -> ExitCode {
    let args = match Args::parse(std::env::args().skip(1)) {
        Ok(args) => args,
        Err(message) => return fail(&message),
    };
    // Multi-thread with the default worker count (one per core): what a
    // pure-Rust program would use. The addon instead runs one single-threaded
    // runtime per I/O thread (src/binding/runtime.rs), up to two.
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => return fail(&format!("could not start the tokio runtime: {e}")),
    };
    match runtime.block_on(run(args)) {
        Ok(line) => {
            println!("{line}");
            ExitCode::SUCCESS
        }
        Err(message) => fail(&message),
    }
}

fn fail(message: &str) -> ExitCode {
    eprintln!("mix-bench-rust-client: {message}");
    ExitCode::FAILURE
}

async fn run(args: Args) -> Result<serde_json::Value, String> {
    let caller = call::Caller::new(&args.url)?;
    // Refuse to time anything until the answer is known to be right.
    caller.check().await?;
    let results = match args.mode {
        Mode::Latency => modes::latency(&caller, args.warmup, args.calls).await?,
        Mode::Throughput => {
            modes::throughput(&caller, args.warmup, args.concurrency, args.duration).await?
        }
    };
    Ok(serde_json::json!({
        "client": "rust",
        "mode": args.mode.name(),
        "results": results,
    }))
}
