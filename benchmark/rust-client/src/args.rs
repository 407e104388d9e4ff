//! Command-line flags, mirroring those of the JS client scripts.

use std::time::Duration;

#[derive(Clone, Copy)]
pub enum Mode {
    Latency,
    Throughput,
}

impl Mode {
    pub fn name(self) -> &'static str {
        match self {
            Mode::Latency => "latency",
            Mode::Throughput => "throughput",
        }
    }
}

pub struct Args {
    pub url: String,
    pub mode: Mode,
    pub warmup: usize,
    pub calls: usize,
    pub concurrency: usize,
    pub duration: Duration,
}

impl Args {
    pub fn parse(mut argv: impl Iterator<Item = String>) -> Result<Args, String> {
        let mut url = None;
        let mut mode = None;
        let mut args = Args {
            url: String::new(),
            mode: Mode::Latency,
            warmup: 500,
            calls: 5_000,
            concurrency: 64,
            duration: Duration::from_secs(5),
        };
        while let Some(flag) = argv.next() {
            let value = argv
                .next()
                .ok_or_else(|| format!("flag {flag} needs a value"))?;
            match flag.as_str() {
                "--url" => url = Some(value),
                "--mode" => {
                    mode = Some(match value.as_str() {
                        "latency" => Mode::Latency,
                        "throughput" => Mode::Throughput,
                        other => return Err(format!("unknown mode {other:?}")),
                    })
                }
                "--warmup" => args.warmup = number(&flag, &value)?,
                "--calls" => args.calls = number(&flag, &value)?,
                "--concurrency" => args.concurrency = number::<usize>(&flag, &value)?.max(1),
                "--duration-ms" => args.duration = Duration::from_millis(number(&flag, &value)?),
                other => return Err(format!("unknown flag {other:?}")),
            }
        }
        args.url = url.ok_or("--url is required")?;
        args.mode = mode.ok_or("--mode is required (latency or throughput)")?;
        Ok(args)
    }
}

fn number<T: std::str::FromStr>(flag: &str, value: &str) -> Result<T, String> {
    value
        .parse()
        .map_err(|_| format!("{flag} needs a whole number, got {value:?}"))
}
