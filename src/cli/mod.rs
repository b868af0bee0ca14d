//! The headless command line: `nnviz train`, `nnviz predict`, `nnviz bench`, `nnviz bench-csv`.

mod bench;
mod predict;
mod train;

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

pub use bench::bench_engine;

/// Watch a neural network learn. Without a command, opens the app on the hot dogs.
#[derive(Debug, Parser)]
#[command(name = "nnviz", version, about)]
pub struct Cli {
    /// What to do; none opens the app.
    #[command(subcommand)]
    pub command: Option<Command>,
    /// Open the app, run it for `--frames` frames, save a screenshot to this PNG and exit.
    #[arg(long, value_name = "FILE.png")]
    pub screenshot: Option<PathBuf>,
    /// Frames to run before the screenshot.
    #[arg(long, default_value_t = 60)]
    pub frames: u32,
    /// Start from an article preset: logistic, hidden-1, hidden-5, hidden-30 or iris (the hyphen
    /// is optional: hidden5 works too).
    #[arg(long)]
    pub preset: Option<String>,
    /// Open the app on this CSV file (a bad one shows its error in the window).
    #[arg(long, value_name = "FILE.csv")]
    pub data: Option<PathBuf>,
    /// Open the app on this built-in data set: hotdogs, circle, xor, gauss, moons, spirals,
    /// plane, bumps (regression) or iris.
    #[arg(long, value_name = "NAME")]
    pub dataset: Option<String>,
}

/// The headless commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Train a network headless and report (the article's `train`).
    Train(Box<train::TrainArgs>),
    /// Apply a saved model to new rows and print the predictions as CSV (the article's `predict`).
    Predict(predict::PredictArgs),
    /// Time the engine on the article's networks (iterations per second).
    Bench(bench::BenchArgs),
    /// Time loading a generated numeric CSV (rows × columns).
    BenchCsv(bench::BenchCsvArgs),
    /// Time the app's per-frame work without a GPU (frame-time p50/p95, iterations per second).
    BenchUi(BenchUiArgs),
}

/// Options of `nnviz bench-ui`.
#[derive(Debug, Args)]
pub struct BenchUiArgs {
    /// Frames to run.
    #[arg(long, default_value_t = 600)]
    pub frames: u32,
    /// Article preset to start from: logistic, hidden-1, hidden-5, hidden-30 or iris (hyphen
    /// optional).
    #[arg(long)]
    pub preset: Option<String>,
    /// Load this CSV instead of a preset (e.g. a big file).
    #[arg(long)]
    pub data: Option<PathBuf>,
}

/// A command-line failure: printed as one line; exit status 2 for bad input, 1 for a run that
/// failed (a diverging training).
#[derive(Debug)]
pub struct CliError {
    /// The one-line message.
    pub message: String,
    /// The process exit status.
    pub status: u8,
}

#[allow(non_snake_case)]
/// A bad-input error (exit status 2).
pub fn CliError(message: String) -> CliError {
    CliError { message, status: 2 }
}

impl<E: std::fmt::Display> From<E> for CliError {
    fn from(e: E) -> Self {
        CliError(e.to_string())
    }
}

/// `full` or a number.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BatchSize {
    /// The whole training set each iteration.
    Full,
    /// This many rows.
    Rows(usize),
}

impl std::str::FromStr for BatchSize {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s == "full" {
            return Ok(Self::Full);
        }
        match s.parse::<usize>() {
            Ok(0) | Err(_) => Err(format!(
                "batch size {s:?} must be `full` or a positive whole number"
            )),
            Ok(n) => Ok(Self::Rows(n)),
        }
    }
}

/// Names of the schedules on the command line.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ScheduleName {
    /// Constant rate.
    Constant,
    /// Multiply by `--decay` every `--decay-every` iterations.
    Step,
    /// `η · exp(−decay · t)`.
    Exponential,
    /// `η / (1 + decay · t)`.
    InverseTime,
}

/// Runs a headless command.
pub fn run(command: Command) -> Result<(), CliError> {
    match command {
        Command::Train(args) => train::run(&args),
        Command::Predict(args) => predict::run(&args),
        Command::Bench(args) => bench::run(&args),
        Command::BenchCsv(args) => bench::run_csv(&args),
        Command::BenchUi(_) => Err(CliError(
            "bench-ui needs the app (build with the `gui` feature)".into(),
        )),
    }
}
