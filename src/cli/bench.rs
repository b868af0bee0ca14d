//! `nnviz bench` and `nnviz bench-csv`: performance figures, printed (never asserted in tests).

use std::time::Instant;

use clap::Args;
use rand::SeedableRng as _;
use rand::rngs::StdRng;
use serde::Serialize;

use super::{CliError, Output, outln};
use crate::data::{Builtin, Dataset, bench_csv, bench_csv_file};
use crate::nn::{Activation, Architecture, HiddenLayer, Init, OutputHead};
use crate::train::{TrainConfig, Trainer};

/// Options of `nnviz bench`.
#[derive(Debug, Args)]
pub struct BenchArgs {
    /// Iterations per case (the article trains 100 000).
    #[arg(long, default_value_t = 100_000)]
    pub iterations: u64,
    /// Repeat each case and keep the fastest run.
    #[arg(long, default_value_t = 3)]
    pub repeats: u32,
    /// Only the cases whose name contains this (e.g. `hidden 30`).
    #[arg(long)]
    pub only: Option<String>,
    /// End with one line of JSON.
    #[arg(long)]
    pub json: bool,
}

/// Options of `nnviz bench-csv`.
#[derive(Debug, Args)]
pub struct BenchCsvArgs {
    /// Rows of the generated file.
    #[arg(long, default_value_t = 1_000_000)]
    pub rows: usize,
    /// Numeric columns of the generated file.
    #[arg(long, default_value_t = 10)]
    pub cols: usize,
    /// Measure this file (the last column the target) instead of a generated one.
    #[arg(long, value_name = "FILE.csv")]
    pub data: Option<std::path::PathBuf>,
}

/// Timing of one benchmark case.
#[derive(Clone, Debug, Serialize)]
pub struct BenchCase {
    /// What was trained.
    pub name: String,
    /// Iterations per run.
    pub iterations: u64,
    /// Fastest run, seconds.
    pub seconds: f64,
    /// Iterations per second of the fastest run.
    pub iterations_per_second: f64,
    /// Seconds per 100 000 iterations.
    pub seconds_per_100k: f64,
}

/// Trains the article's networks (full-batch GD, sigmoid, sum) and times them.
pub fn bench_engine(
    iterations: u64,
    repeats: u32,
    only: Option<&str>,
) -> Result<Vec<BenchCase>, CliError> {
    let hotdogs = Builtin::HotDogs.generate(&Builtin::HotDogs.default_options());
    let iris = Builtin::Iris.generate(&Builtin::Iris.default_options());
    let cases: [(&str, &Dataset, usize, f64); 4] = [
        ("hot dogs, hidden 1", &hotdogs, 1, 0.01),
        ("hot dogs, hidden 5", &hotdogs, 5, 0.01),
        ("hot dogs, hidden 30", &hotdogs, 30, 0.01),
        ("iris, hidden 5 (softmax)", &iris, 5, 1e-4),
    ];
    cases
        .into_iter()
        .filter(|(name, ..)| only.is_none_or(|o| name.contains(o)))
        .map(|(name, data, hidden, learning_rate)| {
            let y = data.targets();
            let outputs = data.class_names().len();
            let head = if outputs == 2 {
                OutputHead::Sigmoid
            } else {
                OutputHead::Softmax
            };
            let architecture = Architecture {
                inputs: data.feature_names.len(),
                hidden: vec![HiddenLayer {
                    units: hidden,
                    activation: Activation::Sigmoid,
                }],
                outputs: y.output_units(head),
                head,
            };
            let mut best = f64::INFINITY;
            for _ in 0..repeats.max(1) {
                let network = architecture.init(Init::Normal, &mut StdRng::seed_from_u64(1))?;
                let config = TrainConfig {
                    learning_rate,
                    ..TrainConfig::default()
                };
                let mut trainer = Trainer::new(network, config);
                let start = Instant::now();
                trainer.train(&data.features, &y, iterations, |_| false, |_| {})?;
                best = best.min(start.elapsed().as_secs_f64());
            }
            Ok(BenchCase {
                name: name.to_string(),
                iterations,
                seconds: best,
                iterations_per_second: iterations as f64 / best,
                seconds_per_100k: best * 100_000.0 / iterations as f64,
            })
        })
        .collect()
}

pub(super) fn run(args: &BenchArgs) -> Result<(), CliError> {
    let cases = bench_engine(args.iterations, args.repeats, args.only.as_deref())?;
    let mut out = Output::new();
    for c in &cases {
        outln!(
            out,
            "{:<26} {:>12.0} iterations/s   {:>8.3} s per 100 000 iterations",
            c.name,
            c.iterations_per_second,
            c.seconds_per_100k
        );
    }
    if args.json {
        outln!(out, "{}", serde_json::to_string(&cases)?);
    }
    out.finish()
}

pub(super) fn run_csv(args: &BenchCsvArgs) -> Result<(), CliError> {
    let report = match &args.data {
        Some(path) => bench_csv_file(path)?,
        None => bench_csv(args.rows, args.cols)?,
    };
    let mut out = Output::new();
    outln!(out, "{report}");
    out.finish()
}
