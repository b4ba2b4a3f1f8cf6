//! Per-server medians over runs, printed as a table with ratios, or as JSON.

use serde::Serialize;

use crate::cli::{Args, ServerSpec};
use crate::load::RunSample;
use crate::stats::median;

/// Everything measured for one server across all runs.
#[derive(Debug)]
pub(crate) struct ServerRuns {
    pub(crate) spec: ServerSpec,
    pub(crate) samples: Vec<RunSample>,
    pub(crate) failures: Vec<String>,
}

#[derive(Debug, Serialize)]
struct Summary {
    name: String,
    command: String,
    /// Medians over successful runs.
    calls_per_s: Option<f64>,
    calls_per_s_min: Option<f64>,
    calls_per_s_max: Option<f64>,
    p50_us: Option<f64>,
    p99_us: Option<f64>,
    peak_rss_kib: Option<f64>,
    init_ms: Option<f64>,
    runs_ok: usize,
    runs_failed: usize,
    errors: u64,
    failures: Vec<String>,
    runs: Vec<RunJson>,
}

#[derive(Debug, Serialize)]
struct RunJson {
    calls_per_s: f64,
    p50_us: f64,
    p99_us: f64,
    peak_rss_kib: Option<u64>,
    init_ms: f64,
    errors: u64,
    cpus_allowed: Option<String>,
}

#[derive(Debug, Serialize)]
struct Ratio {
    reference: String,
    other: String,
    /// Reference calls/s divided by the other server's calls/s.
    ratio: Option<f64>,
}

#[derive(Debug, Serialize)]
struct Config {
    calls: u64,
    inflight: u32,
    runs: u32,
    warmup: u64,
    pin: Option<usize>,
    timeout_ms: u64,
}

#[derive(Debug, Serialize)]
struct Document {
    config: Config,
    servers: Vec<Summary>,
    ratios: Vec<Ratio>,
}

fn summarize(runs: &ServerRuns) -> Summary {
    let of = |f: fn(&RunSample) -> f64| median(runs.samples.iter().map(f).collect());
    let rates = runs.samples.iter().map(|s| s.calls_per_s);
    Summary {
        name: runs.spec.name.clone(),
        command: runs.spec.command_line(),
        calls_per_s: of(|s| s.calls_per_s),
        calls_per_s_min: rates.clone().reduce(f64::min),
        calls_per_s_max: rates.reduce(f64::max),
        p50_us: of(|s| s.p50_us),
        p99_us: of(|s| s.p99_us),
        peak_rss_kib: median(
            runs.samples
                .iter()
                .filter_map(|s| s.peak_rss_kib.map(|kib| kib as f64))
                .collect(),
        ),
        init_ms: of(|s| s.init_ms),
        runs_ok: runs.samples.len(),
        runs_failed: runs.failures.len(),
        errors: runs.samples.iter().map(|s| s.errors).sum(),
        failures: runs.failures.clone(),
        runs: runs
            .samples
            .iter()
            .map(|s| RunJson {
                calls_per_s: s.calls_per_s,
                p50_us: s.p50_us,
                p99_us: s.p99_us,
                peak_rss_kib: s.peak_rss_kib,
                init_ms: s.init_ms,
                errors: s.errors,
                cpus_allowed: s.cpus_allowed.clone(),
            })
            .collect(),
    }
}

fn ratios(summaries: &[Summary]) -> Vec<Ratio> {
    let Some((reference, others)) = summaries.split_first() else {
        return Vec::new();
    };
    others
        .iter()
        .map(|other| Ratio {
            reference: reference.name.clone(),
            other: other.name.clone(),
            ratio: reference
                .calls_per_s
                .zip(other.calls_per_s)
                .map(|(a, b)| a / b),
        })
        .collect()
}

/// Prints the report: JSON on stdout with `--json`, else a table.
pub(crate) fn print(args: &Args, all: &[ServerRuns]) -> anyhow::Result<()> {
    let servers: Vec<Summary> = all.iter().map(summarize).collect();
    let ratios = ratios(&servers);
    if args.json {
        let doc = Document {
            config: Config {
                calls: args.calls,
                inflight: args.inflight,
                runs: args.runs,
                warmup: args.warmup,
                pin: args.pin,
                timeout_ms: args.timeout_ms,
            },
            servers,
            ratios,
        };
        println!("{}", serde_json::to_string_pretty(&doc)?);
        return Ok(());
    }

    let pin = args.pin.map_or("unpinned".to_owned(), |core| {
        format!("pinned to core {core}")
    });
    println!(
        "\n{} calls x {} runs, {} in flight, {} warmup, {pin}; medians over runs",
        args.calls, args.runs, args.inflight, args.warmup
    );
    println!(
        "{:<14} {:>10} {:>8} {:>9} {:>9} {:>8} {:>8} {:>5} {:>7}",
        "server", "calls/s", "spread", "p50 µs", "p99 µs", "RSS MiB", "init ms", "runs", "errors"
    );
    let cell =
        |v: Option<f64>, digits: usize| v.map_or("-".to_owned(), |v| format!("{v:.digits$}"));
    for s in &servers {
        let spread = s
            .calls_per_s_min
            .zip(s.calls_per_s_max)
            .zip(s.calls_per_s)
            .map(|((lo, hi), mid)| format!("±{:.1}%", (hi - lo) / mid * 50.0));
        println!(
            "{:<14} {:>10} {:>8} {:>9} {:>9} {:>8} {:>8} {:>5} {:>7}",
            s.name,
            cell(s.calls_per_s, 0),
            spread.unwrap_or_else(|| "-".to_owned()),
            cell(s.p50_us, 1),
            cell(s.p99_us, 1),
            cell(s.peak_rss_kib.map(|kib| kib / 1024.0), 1),
            cell(s.init_ms, 2),
            format!("{}/{}", s.runs_ok, s.runs_ok + s.runs_failed),
            s.errors,
        );
    }
    if !ratios.is_empty() {
        println!();
    }
    for r in &ratios {
        match r.ratio {
            Some(ratio) => println!("{} / {} = {ratio:.2}x", r.reference, r.other),
            None => println!("{} / {} = n/a (no successful run)", r.reference, r.other),
        }
    }
    for s in servers.iter().filter(|s| !s.failures.is_empty()) {
        for failure in &s.failures {
            println!("failed run of {}: {failure}", s.name);
        }
    }
    Ok(())
}
