//! The headless command line: `nnviz train`, `nnviz predict`, `nnviz explain`, `nnviz export-code`, `nnviz lesson`, `nnviz bench`, `nnviz bench-csv`.

pub mod animate;
mod bench;
mod explain;
mod export_code;
mod lesson;
mod predict;
mod train;

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

pub use bench::bench_engine;
pub use train::{DEFAULT_ITERATIONS, hidden_layers, schedule};

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
    /// Open the app comparing runs side by side: presets separated by commas
    /// (hidden-1,hidden-5,hidden-30) or a comparison: hidden-sizes, logistic-vs-hidden-5,
    /// activations, optimizers.
    #[arg(long, value_name = "RUNS")]
    pub compare: Option<String>,
    /// Open the app with this setup: the text Copy setup puts on the clipboard
    /// (`nnviz-setup-1 dataset=moons hidden=8,8 …`); a bad one shows its error in the window.
    #[arg(long, value_name = "TEXT")]
    pub setup: Option<String>,
    /// Open the app on a lesson: a built-in lesson's name (article, learning-rate, overfitting;
    /// see `nnviz lesson list`) or a lesson file (TOML).
    #[arg(long, value_name = "NAME|FILE.toml")]
    pub lesson: Option<String>,
    /// Open the app on this session file (Save session…): its data, runs, weights and
    /// optimiser state; a bad one shows its error in the window.
    #[arg(long, value_name = "FILE.nnviz")]
    pub session: Option<PathBuf>,
}

/// The headless commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Train a network headless and report (the article's `train`).
    Train(Box<train::TrainArgs>),
    /// Apply a saved model to new rows and print the predictions as CSV (the article's `predict`).
    Predict(predict::PredictArgs),
    /// Explains one row: its forward pass through a saved model and, given its target, the
    /// backward pass (the deltas and the row's gradient), in the article's notation.
    Explain(explain::ExplainArgs),
    /// Write the run `nnviz train` would train (the same options) as a runnable Python (numpy)
    /// or R script: the prepared rows, the initial weights, the training loop; it prints the
    /// loss `nnviz train --json` reports.
    ExportCode(Box<export_code::ExportCodeArgs>),
    /// Write the decision regions over training as an animated GIF (frames at log-spaced
    /// iterations, each labelled with its iteration and accuracy).
    Animate(Box<animate::AnimateArgs>),
    /// Lessons: list the built-in ones, check a lesson file, play one headless.
    Lesson(lesson::LessonArgs),
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
    /// Hidden layer sizes to train instead of the default network (e.g. 30 or 8,8), set the way
    /// the app's controls set them; training keeps going for every frame.
    #[arg(long)]
    pub hidden: Option<String>,
    /// Activation of those hidden layers.
    #[arg(long, default_value = "sigmoid")]
    pub activation: String,
    /// Initial weights of that network (e.g. `he` for deep ReLU networks, which diverge at once
    /// from N(0, 1)); default: the app's.
    #[arg(long, value_enum)]
    pub init: Option<crate::nn::Init>,
    /// Learning rate of that network (default: the app's); deep networks on the article's
    /// summed loss need a small one (e.g. 0.0001).
    #[arg(long)]
    pub learning_rate: Option<f64>,
    /// Frames per second, as a display paces a window (the frame work is timed, the wait is
    /// not); 0 runs the frames back to back.
    #[arg(long, default_value_t = 60.0)]
    pub fps: f64,
    /// Compare runs side by side, as `nnviz --compare` does (e.g. hidden-1,hidden-5,hidden-30).
    #[arg(long, value_name = "RUNS")]
    pub compare: Option<String>,
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

/// Standard output for a command's report, written through one lock.
///
/// When the reader goes away (a closed pipe: `nnviz train … | head -1`), later lines are dropped
/// and the command still finishes its work (training, saving the model); [`Output::finish`]
/// then succeeds quietly. Any other write error is reported once, at the end.
pub(crate) struct Output {
    out: std::io::StdoutLock<'static>,
    error: Option<std::io::Error>,
}

impl Output {
    /// Locks standard output.
    pub(crate) fn new() -> Self {
        Self {
            out: std::io::stdout().lock(),
            error: None,
        }
    }

    /// Writes one line (dropped once writing has failed).
    pub(crate) fn line(&mut self, args: std::fmt::Arguments<'_>) {
        use std::io::Write as _;
        if self.error.is_none()
            && let Err(e) = self
                .out
                .write_fmt(args)
                .and_then(|()| self.out.write_all(b"\n"))
        {
            self.error = Some(e);
        }
    }

    /// True once a write has failed (the rest of the output is dropped).
    pub(crate) fn failed(&self) -> bool {
        self.error.is_some()
    }

    /// Flushes; fails only on a write error other than a closed pipe.
    pub(crate) fn finish(mut self) -> Result<(), CliError> {
        use std::io::Write as _;
        if self.error.is_none()
            && let Err(e) = self.out.flush()
        {
            self.error = Some(e);
        }
        match self.error {
            Some(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(CliError {
                message: format!("cannot write to standard output: {e}"),
                status: 1,
            }),
            _ => Ok(()),
        }
    }
}

/// Bytes written to an [`Output`] never fail here: a failure is kept for [`Output::finish`].
impl std::io::Write for Output {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        if self.error.is_none()
            && let Err(e) = self.out.write_all(bytes)
        {
            self.error = Some(e);
        }
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// `writeln!` for an [`Output`].
macro_rules! outln {
    ($out:expr) => { $out.line(format_args!("")) };
    ($out:expr, $($arg:tt)*) => { $out.line(format_args!($($arg)*)) };
}
pub(crate) use outln;

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

/// Runs a headless command.
pub fn run(command: Command) -> Result<(), CliError> {
    match command {
        Command::Train(args) => train::run(&args),
        Command::Predict(args) => predict::run(&args),
        Command::Explain(args) => explain::run(&args),
        Command::Animate(args) => {
            if args.preset.is_some() || args.compare.is_some() {
                return Err(CliError(
                    "animate --preset and --compare need the app's presets (build with the \
                     `gui` feature)"
                        .into(),
                ));
            }
            animate::run(&args, || animate::from_train_args(&args.train))
        }
        Command::ExportCode(args) => export_code::run(&args),
        Command::Lesson(args) => lesson::run(&args),
        Command::Bench(args) => bench::run(&args),
        Command::BenchCsv(args) => bench::run_csv(&args),
        Command::BenchUi(_) => Err(CliError(
            "bench-ui needs the app (build with the `gui` feature)".into(),
        )),
    }
}
