//! `nnviz train`: load, prepare, train headless, report.

use std::path::PathBuf;
use std::time::Instant;

use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use clap::Args;

use super::{BatchSize, CliError, Output, outln};
use crate::data::{Builtin, ColumnRoles, Dataset, GeneratorOptions, Prepared, Task};
use crate::model::{SavedModel, SavedScaling, read_weights};
use crate::nn::{Activation, HiddenLayer, Init, Loss, Network, OutputHead, Reduction, Targets};
use crate::train::spec::Defaults;
use crate::train::{
    DataSource, NetworkSpec, Optimizer, Preparation, Run, RunSpec, Schedule, ScheduleKind, Spec,
    Stop, TrainingSpec, evaluate,
};

/// Options of `nnviz train` (names are stable: scripts rely on them).
#[derive(Clone, Debug, Args)]
pub struct TrainArgs {
    /// A CSV file with a header row.
    #[arg(long, value_name = "FILE.csv", conflicts_with = "dataset")]
    pub data: Option<PathBuf>,
    /// A built-in data set: hotdogs, circle, xor, gauss, moons, spirals, plane, bumps, iris.
    #[arg(long)]
    pub dataset: Option<String>,
    /// Points of a generated data set.
    #[arg(long, allow_negative_numbers = true)]
    pub points: Option<usize>,
    /// Noise of a generated data set.
    #[arg(long, allow_negative_numbers = true)]
    pub noise: Option<f64>,
    /// Arms of the spirals (2 to 6).
    #[arg(long, allow_negative_numbers = true)]
    pub arms: Option<usize>,
    /// The target column (default: the last).
    #[arg(long, value_name = "COLUMN")]
    pub target: Option<String>,
    /// Feature columns, comma-separated (default: all other columns, like `Species ~ .`).
    #[arg(long, value_delimiter = ',', value_name = "A,B,...")]
    pub features: Option<Vec<String>>,
    /// Class order, comma-separated; the last of two is the positive class.
    #[arg(long, value_delimiter = ',')]
    pub classes: Option<Vec<String>>,
    /// The network's inputs as terms over the features, comma-separated: NAME, NAME^2,
    /// NAME*NAME, sin(NAME), cos(NAME) (e.g. 'x1,x2,x1^2,x2^2,x1*x2,sin(x1),sin(x2)'); default:
    /// the features themselves. The model file keeps them, so `predict` takes raw rows.
    #[arg(long, value_name = "TERMS")]
    pub inputs: Option<String>,
    /// Treat the target as classes or numbers (default: decide from the column).
    #[arg(long, value_enum, default_value = "auto")]
    pub task: Task,
    /// Hidden layer sizes, comma-separated; 0 for none (logistic / softmax regression).
    #[arg(long, default_value = "5", allow_negative_numbers = true)]
    pub hidden: String,
    /// Activation of the hidden layers: one for all, or one per layer, comma-separated.
    #[arg(long, default_value = "sigmoid")]
    pub activation: String,
    /// Output head (default: two classes → sigmoid, more → softmax, numeric → identity).
    #[arg(long, value_enum)]
    pub output: Option<OutputHead>,
    /// Loss (default: cross-entropy for classes, squared error for numbers).
    #[arg(long, value_enum)]
    pub loss: Option<Loss>,
    /// Optimiser.
    #[arg(long, value_enum, default_value = "gd")]
    pub optimizer: Optimizer,
    /// Rows per iteration: `full` or a number.
    #[arg(long, default_value = "full", allow_negative_numbers = true)]
    pub batch_size: BatchSize,
    /// Learning rate. Unless given: 0.01 on the hot dogs (the article's), else 0.5 on the mean
    /// loss (see `--reduction`).
    #[arg(long, allow_negative_numbers = true)]
    pub learning_rate: Option<f64>,
    /// Learning-rate schedule.
    #[arg(long, value_enum, default_value = "constant")]
    pub schedule: ScheduleKind,
    /// Decay of the schedule: the factor for `step`, the rate for `exponential` and `inverse-time`.
    #[arg(long, allow_negative_numbers = true)]
    pub decay: Option<f64>,
    /// Iterations between drops of the `step` schedule.
    #[arg(long, default_value_t = 1000, allow_negative_numbers = true)]
    pub decay_every: u64,
    /// Sum or mean of the per-row losses. Unless given: on the hot dogs the article's sum (the
    /// mean for numbers), else the mean, whose step does not grow with the rows.
    #[arg(long, value_enum)]
    pub reduction: Option<Reduction>,
    /// L1 penalty.
    #[arg(long, default_value_t = 0.0, allow_negative_numbers = true)]
    pub l1: f64,
    /// L2 penalty.
    #[arg(long, default_value_t = 0.0, allow_negative_numbers = true)]
    pub l2: f64,
    /// Iterations to train (10 000 unless given); 0 loads, prepares and reports without
    /// training.
    #[arg(long, allow_negative_numbers = true)]
    pub iterations: Option<u64>,
    /// Stop once the loss is below this.
    #[arg(long, allow_negative_numbers = true)]
    pub tolerance: Option<f64>,
    /// Initial weights. Unless given: the article's N(0, 1) on the hot dogs (its experiments),
    /// else `auto` (Xavier, He for ReLU layers), so that wide layers do not start with huge
    /// outputs. Any option given wins over these defaults.
    #[arg(long, value_enum)]
    pub init: Option<Init>,
    /// Seed of everything random: generated data, split, initial weights, batch order.
    #[arg(long, default_value_t = 1, allow_negative_numbers = true)]
    pub seed: u64,
    /// Train once per seed of this list (`1-10`, `1,4,9` or both: `1-3,7`), each exactly as
    /// `--seed k` would, and summarise them (mean, standard deviation, min and max). The seeds
    /// train side by side on the free cores.
    #[arg(long, value_name = "LIST", conflicts_with_all = ["trace", "save_model"])]
    pub seeds: Option<String>,
    /// Seed of the generated data alone (default: `--seed`), to vary the network on fixed data.
    #[arg(long, allow_negative_numbers = true)]
    pub data_seed: Option<u64>,
    /// Initial weights from a JSON file: one matrix (array of rows, row 0 the bias) per layer.
    #[arg(long, value_name = "W.json")]
    pub init_weights: Option<PathBuf>,
    /// Standardise features (default: on for CSVs, off for the article's data sets).
    #[arg(long, overrides_with = "no_standardize")]
    pub standardize: bool,
    /// Do not standardise features.
    #[arg(long)]
    pub no_standardize: bool,
    /// Share of rows held out for testing.
    #[arg(long, default_value_t = 0.2, allow_negative_numbers = true)]
    pub test_fraction: f64,
    /// Print `Iteration N<TAB>Loss L<TAB>Accuracy A` every N iterations.
    #[arg(long, value_name = "N", allow_negative_numbers = true)]
    pub trace: Option<u64>,
    /// End with one line of JSON on stdout.
    #[arg(long)]
    pub json: bool,
    /// Save the trained model (the file `nnviz predict` reads).
    #[arg(long, value_name = "M.json")]
    pub save_model: Option<PathBuf>,
}

/// Where the options say the rows come from.
pub fn data_source(args: &TrainArgs) -> Result<DataSource, CliError> {
    match (&args.data, &args.dataset) {
        (Some(path), None) => {
            // Items are trimmed like the file's fields: "x1, x2" names x1 and x2.
            let trimmed = |items: &Option<Vec<String>>| {
                items
                    .as_ref()
                    .map(|v| v.iter().map(|s| s.trim().to_string()).collect())
            };
            Ok(DataSource::Csv {
                path: path.clone(),
                roles: ColumnRoles {
                    target: args.target.as_ref().map(|t| t.trim().to_string()),
                    features: trimmed(&args.features),
                    class_order: trimmed(&args.classes),
                    task: args.task,
                },
            })
        }
        (None, Some(name)) => {
            let builtin: Builtin = name
                .parse()
                .map_err(|e| CliError(format!("--dataset: {e}")))?;
            let defaults = builtin.default_options();
            Ok(DataSource::Builtin {
                name: builtin,
                options: GeneratorOptions {
                    points: args.points.unwrap_or(defaults.points),
                    noise: args.noise.unwrap_or(defaults.noise),
                    seed: args.data_seed.unwrap_or(args.seed),
                    arms: args.arms.unwrap_or(defaults.arms),
                },
            })
        }
        _ => Err(CliError(
            "say what to train on: --data FILE.csv or --dataset NAME".into(),
        )),
    }
}

/// The experiment the options describe: `--seed` seeds the generated data (unless
/// `--data-seed` does), the split, the initial weights and the batch order.
pub fn spec(args: &TrainArgs) -> Result<Spec, CliError> {
    if !(0.0..1.0).contains(&args.test_fraction) {
        return Err(CliError(format!(
            "--test-fraction {} must be at least 0 and below 1",
            args.test_fraction
        )));
    }
    let data = data_source(args)?;
    let defaults = Defaults::for_source(&data);
    Ok(Spec {
        data,
        preparation: Preparation {
            test_fraction: args.test_fraction,
            standardize: if args.no_standardize {
                Some(false)
            } else if args.standardize {
                Some(true)
            } else {
                None
            },
            split_seed: args.seed,
            inputs: args.inputs.clone(),
        },
        run: RunSpec {
            network: NetworkSpec {
                hidden: hidden_layers(&args.hidden, &args.activation)?,
                output: args.output,
                init: args.init.unwrap_or(defaults.init()),
                seed: args.seed,
            },
            training: TrainingSpec {
                loss: args.loss,
                reduction: args.reduction.or(defaults.reduction()),
                optimizer: args.optimizer,
                learning_rate: args.learning_rate.unwrap_or(defaults.learning_rate()),
                schedule: schedule(args.schedule, args.decay, args.decay_every)?,
                batch_size: match args.batch_size {
                    BatchSize::Full => None,
                    BatchSize::Rows(n) => Some(n),
                },
                l1: args.l1,
                l2: args.l2,
                tolerance: args.tolerance,
                seed: args.seed,
                stop_after: None,
            },
        },
    })
}

/// The run the options describe, on its prepared data: the one pipeline of the app too.
pub fn build_run(args: &TrainArgs) -> Result<(Spec, Dataset, Run), CliError> {
    let spec = spec(args)?;
    let dataset = spec.data.load()?;
    let prepared = spec.preparation.prepare(&dataset)?;
    let run = run_on(args, &spec, prepared)?;
    Ok((spec, dataset, run))
}

/// What `nnviz train` says about its data set once the rows have gone into the prepared
/// matrices.
#[derive(Clone, Debug)]
pub struct DataFacts {
    /// The data set's name (the file name for a CSV).
    pub name: String,
    /// Its rows (missing values dropped).
    pub rows: usize,
    /// Rows dropped for a missing value.
    pub dropped_rows: usize,
    /// Feature names, after one-hot encoding.
    pub feature_names: Vec<String>,
    /// The target column's name.
    pub target_name: String,
    /// Class names in label order; empty for regression.
    pub class_names: Vec<String>,
    /// The levels of each one-hot encoded text column (see [`Dataset::levels`]).
    pub levels: std::collections::BTreeMap<String, Vec<String>>,
    /// Whether the features are standardised.
    pub standardized: bool,
}

/// [`build_run`] for a caller that reports on the data but never looks at its rows again
/// (`nnviz train`): the rows move into the prepared matrices instead of being copied there, so
/// a large file's values are held once, not twice. The run is the same, bit for bit.
pub fn build_run_once(args: &TrainArgs) -> Result<(Spec, DataFacts, Run), CliError> {
    let spec = spec(args)?;
    let dataset = spec.data.load()?;
    let facts = DataFacts {
        name: dataset.name.clone(),
        rows: dataset.n_rows(),
        dropped_rows: dataset.dropped_rows,
        feature_names: dataset.feature_names.clone(),
        target_name: dataset.target_name.clone(),
        class_names: dataset.class_names().to_vec(),
        levels: dataset.levels.clone(),
        standardized: spec.preparation.standardizes(&dataset),
    };
    let prepared = spec.preparation.prepare_owned(dataset)?;
    let run = run_on(args, &spec, prepared)?;
    Ok((spec, facts, run))
}

/// The run of `spec` on `prepared`, from `--init-weights` if given.
fn run_on(args: &TrainArgs, spec: &Spec, prepared: Prepared) -> Result<Run, CliError> {
    let prepared = Arc::new(prepared);
    let mut run = match &args.init_weights {
        Some(path) => {
            let architecture = spec
                .run
                .network
                .architecture(prepared.train_x.cols(), &prepared.train_y)?;
            let network = Network::new(architecture, read_weights(path)?)
                .map_err(|e| CliError(format!("{}: {e}", path.display())))?;
            Run::with_network(spec.run.clone(), prepared, network)?
        }
        None => Run::new(spec.run.clone(), prepared)?,
    };
    // Nothing looks back at a run on the command line.
    run.set_timeline_budget(0);
    Ok(run)
}

impl TrainArgs {
    /// The iterations to train: `--iterations`, or 10 000.
    pub fn iterations(&self) -> u64 {
        self.iterations.unwrap_or(DEFAULT_ITERATIONS)
    }
}

/// Iterations `nnviz train` runs unless told.
pub const DEFAULT_ITERATIONS: u64 = 10_000;

/// Parses `--hidden` and `--activation` into hidden layers.
pub fn hidden_layers(hidden: &str, activation: &str) -> Result<Vec<HiddenLayer>, CliError> {
    let sizes: Vec<usize> = hidden
        .split(',')
        .map(|s| {
            s.trim().parse::<usize>().map_err(|_| {
                CliError(format!(
                    "--hidden \"{}\": \"{}\" is not a layer size (e.g. 5, 8,8 or 0)",
                    crate::text::short(hidden),
                    crate::text::short(s)
                ))
            })
        })
        .collect::<Result<_, _>>()?;
    let sizes: Vec<usize> = if sizes == [0] { Vec::new() } else { sizes };
    if sizes.contains(&0) {
        return Err(CliError(format!(
            "--hidden \"{}\": a hidden layer needs at least 1 unit (use 0 alone for none)",
            crate::text::short(hidden)
        )));
    }
    let names: Vec<&str> = activation.split(',').map(str::trim).collect();
    if names.len() != 1 && names.len() != sizes.len() {
        return Err(CliError(format!(
            "--activation lists {} activations for {} hidden layers",
            names.len(),
            sizes.len()
        )));
    }
    let parse = |name: &str| {
        name.parse::<Activation>()
            .map_err(|e| CliError(format!("--activation: {e}")))
    };
    sizes
        .iter()
        .enumerate()
        .map(|(i, &units)| {
            Ok(HiddenLayer {
                units,
                activation: parse(names[if names.len() == 1 { 0 } else { i }])?,
            })
        })
        .collect()
}

/// The schedule the options describe.
pub fn schedule(name: ScheduleKind, decay: Option<f64>, every: u64) -> Result<Schedule, CliError> {
    let check = |v: f64, what: &str| {
        if v.is_finite() && v >= 0.0 {
            Ok(v)
        } else {
            Err(CliError(format!(
                "--decay {v} must be a non-negative {what}"
            )))
        }
    };
    Ok(match name {
        ScheduleKind::Constant => Schedule::Constant,
        ScheduleKind::Step => Schedule::Step {
            every: every.max(1),
            factor: match decay.unwrap_or(0.5) {
                factor if (0.0..=1.0).contains(&factor) => factor,
                factor => {
                    return Err(CliError(format!(
                        "--decay {factor}: a step schedule multiplies the learning rate by a factor from 0 to 1 (e.g. 0.5)"
                    )));
                }
            },
        },
        ScheduleKind::Exponential => Schedule::Exponential {
            rate: check(decay.unwrap_or(1e-4), "rate")?,
        },
        ScheduleKind::InverseTime => Schedule::InverseTime {
            rate: check(decay.unwrap_or(1e-3), "rate")?,
        },
    })
}

/// What training a built run gave: its report, time and figures.
pub(super) struct Trained {
    report: crate::train::StepReport,
    seconds: f64,
    train_metrics: crate::train::Metrics,
    test_metrics: Option<crate::train::Metrics>,
    /// The article's figures: the last iteration's forward pass (the start without one; after
    /// divergence, the weights kept).
    loss_value: f64,
    train_accuracy: Option<f64>,
    iterations: u64,
    per_second: f64,
    stop_message: Option<String>,
}

impl Trained {
    /// The fields `--json` reports of a run.
    fn json(&self, run: &Run) -> serde_json::Value {
        let prepared = run.data();
        serde_json::json!({
            "iterations": self.iterations,
            "loss": self.loss_value,
            "train_accuracy": self.train_accuracy,
            "test_accuracy": self.test_metrics.as_ref().and_then(|m| m.accuracy),
            "test_loss": self.test_metrics.as_ref().map(|m| m.loss),
            "final_train_loss": self.train_metrics.loss,
            "final_train_accuracy": self.train_metrics.accuracy,
            "seconds": self.seconds,
            "iterations_per_second": self.per_second,
            "stopped": self.stop_message,
            "train_rows": prepared.train_rows.len(),
            "test_rows": prepared.test_rows.len(),
            "parameters": run.network().parameter_count(),
        })
    }
}

/// Trains `run` as `args` say (printing `--trace` lines to `out`, if given) and measures it.
fn train_built(
    args: &TrainArgs,
    run: &mut Run,
    mut out: Option<&mut Output>,
) -> Result<Trained, CliError> {
    let prepared = Arc::clone(run.data());
    let config = run.config().clone();
    let loss = config.loss;
    let trace = args.trace.filter(|&n| n > 0);
    let start = Instant::now();
    let report = run.train(
        args.iterations(),
        &AtomicBool::new(false),
        |i| trace.is_some_and(|n| i % n == 0),
        |r| {
            if let Some(out) = out.as_deref_mut()
                && trace.is_some_and(|n| r.iteration % n == 0)
            {
                let accuracy = r.accuracy.map_or("NA".to_string(), |a| a.to_string());
                outln!(
                    out,
                    "Iteration {}\tLoss {}\tAccuracy {}",
                    r.iteration,
                    r.loss,
                    accuracy
                );
            }
        },
    )?;
    let seconds = start.elapsed().as_secs_f64();

    let network = run.network();
    let (l1, l2, reduction) = (config.l1, config.l2, config.reduction);
    let train_metrics = evaluate(
        network,
        &prepared.train_x,
        &prepared.train_y,
        loss,
        reduction,
        l1,
        l2,
    )?;
    let test_metrics = (!prepared.test_rows.is_empty())
        .then(|| {
            evaluate(
                network,
                &prepared.test_x,
                &prepared.test_y,
                loss,
                reduction,
                l1,
                l2,
            )
        })
        .transpose()?;
    // The article reports the last iteration's forward pass; with no iteration, the start;
    // after divergence, the weights kept.
    let diverged = matches!(report.stop, Some(Stop::Diverged { .. }));
    let (loss_value, train_accuracy) = match report.last {
        Some(last) if !diverged => (last.loss, last.accuracy),
        _ => (train_metrics.loss, train_metrics.accuracy),
    };
    let iterations = run.iteration();
    let per_second = if seconds > 0.0 {
        iterations as f64 / seconds
    } else {
        0.0
    };
    let stop_message = report.stop.as_ref().map(|stop| {
        let cause = matches!(stop, Stop::Diverged { .. })
            .then(|| {
                let (x, y) = crate::train::health::sample_rows(
                    run.data(),
                    crate::train::health::HEALTH_ROWS,
                );
                crate::train::diagnose::divergence(
                    run.history(),
                    run.network(),
                    run.config(),
                    (&x, &y),
                    run.iteration() + 1,
                )
            })
            .and_then(Result::ok)
            .flatten()
            .map_or_else(String::new, |f| {
                format!(" (likely cause: {})", f.describe(run.network()))
            });
        format!("{stop}{cause}")
    });

    Ok(Trained {
        report,
        seconds,
        train_metrics,
        test_metrics,
        loss_value,
        train_accuracy,
        iterations,
        per_second,
        stop_message,
    })
}

pub(super) fn run(args: &TrainArgs) -> Result<(), CliError> {
    if let Some(list) = &args.seeds {
        return run_seeds(args, &parse_seeds(list)?);
    }
    let (_, dataset, mut run) = build_run_once(args)?;
    let standardize = dataset.standardized;
    let prepared = Arc::clone(run.data());
    let classification = matches!(prepared.train_y, Targets::Classes { .. });
    let config = run.config().clone();
    let network = run.network();
    let head = network.architecture().head;

    let mut out = Output::new();
    if !args.json {
        outln!(
            out,
            "data: {} — {} rows ({} train, {} test), {} features{}{}",
            dataset.name,
            dataset.rows,
            prepared.train_rows.len(),
            prepared.test_rows.len(),
            dataset.feature_names.len(),
            if standardize { ", standardised" } else { "" },
            if dataset.dropped_rows > 0 {
                let n = dataset.dropped_rows;
                format!(
                    ", {n} row{} with missing values dropped",
                    if n == 1 { "" } else { "s" }
                )
            } else {
                String::new()
            }
        );
        if classification {
            outln!(out, "classes: {}", dataset.class_names.join(", "));
        }
        let layers: Vec<String> = network
            .architecture()
            .hidden
            .iter()
            .map(|h| format!("{} {}", h.units, h.activation))
            .collect();
        outln!(
            out,
            "network: {} inputs → [{}] → {} {} ({} weights); {:?} loss, {:?}, {} at rate {}",
            network.architecture().inputs,
            layers.join(", "),
            network.architecture().outputs,
            head,
            network.parameter_count(),
            config.loss,
            config.reduction,
            config.optimizer.name(),
            config.learning_rate
        );
    }

    let trained = train_built(args, &mut run, Some(&mut out))?;
    let json_fields = trained.json(&run);
    let Trained {
        report,
        seconds,
        train_metrics,
        test_metrics,
        loss_value,
        train_accuracy,
        iterations,
        per_second,
        stop_message,
    } = trained;
    let network = run.network();
    if let Some(path) = &args.save_model {
        let scaling = prepared.scaling.as_ref().map(|s| SavedScaling {
            mean: s.mean.clone(),
            sd: s.sd.clone(),
        });
        SavedModel::new(
            network,
            dataset.feature_names.clone(),
            dataset.target_name.clone(),
            dataset.class_names.clone(),
            scaling,
        )
        .with_levels(dataset.levels.clone())
        .with_inputs(prepared.inputs.clone())
        .save(path)?;
    }

    if args.json {
        let json = json_fields;
        outln!(out, "{json}");
    } else {
        let pct = |a: Option<f64>| a.map_or("—".to_string(), |a| format!("{:.2} %", 100.0 * a));
        outln!(
            out,
            "after {iterations} iterations in {seconds:.3} s ({per_second:.0} iterations/s): loss {}, train accuracy {}",
            loss_text(loss_value),
            pct(train_accuracy)
        );
        if let Some(test) = &test_metrics {
            outln!(
                out,
                "test: loss {}, accuracy {}",
                loss_text(test.loss),
                pct(test.accuracy)
            );
        }
        if classification {
            print_confusion(
                &mut out,
                "train",
                &dataset.class_names,
                &train_metrics.confusion,
            );
            if let Some(test) = &test_metrics {
                print_confusion(&mut out, "test", &dataset.class_names, &test.confusion);
            }
        }
        if let Some(path) = &args.save_model {
            outln!(out, "model saved to {}", path.display());
        }
    }
    out.finish()?;
    match report.stop {
        Some(Stop::Diverged { .. }) => Err(CliError {
            message: stop_message.unwrap_or_default(),
            status: 1,
        }),
        _ => Ok(()),
    }
}

/// The most seeds one `--seeds` may list.
const MAX_SEEDS: usize = 1_000;

/// `1-10`, `1,4,9` or `1-3,7`: the seeds in order, each once.
pub fn parse_seeds(list: &str) -> Result<Vec<u64>, CliError> {
    let bad = |part: &str, why: &str| {
        CliError(format!(
            "--seeds {list:?}: {part:?} {why} (write seeds as 1-10, 1,4,9 or 1-3,7)"
        ))
    };
    let mut seeds = Vec::new();
    for part in list.split(',').map(str::trim) {
        let number = |t: &str| {
            t.trim()
                .parse::<u64>()
                .map_err(|_| bad(part, "is not a seed"))
        };
        let (from, to) = match part.split_once('-') {
            Some((a, b)) => (number(a)?, number(b)?),
            None => {
                let k = number(part)?;
                (k, k)
            }
        };
        if to < from {
            return Err(bad(part, "runs backwards"));
        }
        if to - from >= MAX_SEEDS as u64 || seeds.len() + (to - from) as usize >= MAX_SEEDS {
            return Err(bad(part, &format!("makes more than {MAX_SEEDS} seeds")));
        }
        for k in from..=to {
            if !seeds.contains(&k) {
                seeds.push(k);
            }
        }
    }
    Ok(seeds)
}

/// Mean, standard deviation (of the sample, n − 1), min and max of the finite `values`.
fn spread(values: &[Option<f64>]) -> serde_json::Value {
    let v: Vec<f64> = values
        .iter()
        .flatten()
        .copied()
        .filter(|v| v.is_finite())
        .collect();
    if v.is_empty() {
        return serde_json::Value::Null;
    }
    let n = v.len() as f64;
    let mean = v.iter().sum::<f64>() / n;
    let sd = if v.len() > 1 {
        (v.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0)).sqrt()
    } else {
        0.0
    };
    let min = v.iter().copied().fold(f64::INFINITY, f64::min);
    let max = v.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    serde_json::json!({"mean": mean, "sd": sd, "min": min, "max": max})
}

/// `nnviz train --seeds`: one run per seed, on the free cores, then a row each and a summary.
fn run_seeds(args: &TrainArgs, seeds: &[u64]) -> Result<(), CliError> {
    let workers = std::thread::available_parallelism()
        .map_or(1, std::num::NonZero::get)
        .min(seeds.len())
        .max(1);
    let next = std::sync::atomic::AtomicUsize::new(0);
    let results: std::sync::Mutex<Vec<Option<Result<serde_json::Value, CliError>>>> =
        std::sync::Mutex::new((0..seeds.len()).map(|_| None).collect());
    std::thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| {
                loop {
                    let k = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    let Some(&seed) = seeds.get(k) else { break };
                    let mut one = args.clone();
                    one.seed = seed;
                    one.seeds = None;
                    let result = build_run_once(&one).and_then(|(_, _, mut run)| {
                        let trained = train_built(&one, &mut run, None)?;
                        let mut json = trained.json(&run);
                        json["seed"] = seed.into();
                        Ok(json)
                    });
                    if let Ok(mut slots) = results.lock() {
                        slots[k] = Some(result);
                    }
                }
            });
        }
    });
    let runs = results
        .into_inner()
        .map_err(|_| CliError("a seed's run failed".into()))?
        .into_iter()
        .map(|r| r.unwrap_or_else(|| Err(CliError("a seed's run did not finish".into()))))
        .collect::<Result<Vec<_>, _>>()?;
    let field =
        |name: &str| -> Vec<Option<f64>> { runs.iter().map(|r| r[name].as_f64()).collect() };
    let summary = serde_json::json!({
        "seeds": seeds.len(),
        "loss": spread(&field("loss")),
        "train_accuracy": spread(&field("train_accuracy")),
        "test_accuracy": spread(&field("test_accuracy")),
        "test_loss": spread(&field("test_loss")),
    });
    let diverged = runs.iter().filter(|r| !r["stopped"].is_null()).count();
    let mut out = Output::new();
    if args.json {
        outln!(
            out,
            "{}",
            serde_json::json!({"runs": runs, "summary": summary})
        );
    } else {
        let pct = |v: &serde_json::Value| {
            v.as_f64()
                .map_or("—".to_owned(), |a| format!("{:.2} %", 100.0 * a))
        };
        outln!(out, "seed\tloss\ttrain accuracy\ttest accuracy\titerations");
        for r in &runs {
            outln!(
                out,
                "{}\t{}\t{}\t{}\t{}{}",
                r["seed"],
                r["loss"]
                    .as_f64()
                    .map_or("not finite".to_owned(), crate::text::number),
                pct(&r["train_accuracy"]),
                pct(&r["test_accuracy"]),
                r["iterations"],
                r["stopped"]
                    .as_str()
                    .map_or(String::new(), |s| format!("\t({s})"))
            );
        }
        for (name, key, percent) in [
            ("loss", "loss", false),
            ("train accuracy", "train_accuracy", true),
            ("test accuracy", "test_accuracy", true),
        ] {
            let s = &summary[key];
            if s.is_null() {
                continue;
            }
            let f = |v: &serde_json::Value| {
                let v = v.as_f64().unwrap_or(f64::NAN);
                if percent {
                    format!("{:.2} %", 100.0 * v)
                } else {
                    crate::text::significant(v, 4)
                }
            };
            outln!(
                out,
                "{name}: mean {}, sd {}, min {}, max {} (over {} seeds)",
                f(&s["mean"]),
                f(&s["sd"]),
                f(&s["min"]),
                f(&s["max"]),
                seeds.len()
            );
        }
    }
    out.finish()?;
    if diverged > 0 {
        return Err(CliError {
            message: format!("{diverged} of {} seeds diverged", seeds.len()),
            status: 1,
        });
    }
    Ok(())
}

/// A loss for the summary: the number, or "not finite" (a run that diverged on its first
/// iteration keeps weights whose loss overflows).
fn loss_text(loss: f64) -> String {
    if loss.is_finite() {
        crate::text::number(loss)
    } else {
        "not finite".into()
    }
}

fn print_confusion(out: &mut Output, title: &str, classes: &[String], confusion: &[Vec<usize>]) {
    use std::fmt::Write as _;
    let width = classes
        .iter()
        .map(|c| c.chars().count())
        .max()
        .unwrap_or(0)
        .max(6);
    outln!(out, "{title} confusion (rows actual, columns predicted):");
    let mut line = format!("  {:width$}", "");
    for c in classes {
        let _ = write!(line, " {c:>width$}");
    }
    outln!(out, "{line}");
    for (c, row) in classes.iter().zip(confusion) {
        let mut line = format!("  {c:>width$}");
        for n in row {
            let _ = write!(line, " {n:>width$}");
        }
        outln!(out, "{line}");
    }
}
