//! The runtime state rebuilt from [`Settings`]: data, prepared matrices, trainer, history,
//! baseline and metrics. No egui here, so it can be driven and tested headless.

use std::time::{Duration, Instant};

use rand::SeedableRng;
use rand::rngs::StdRng;

use crate::data::{ColumnRoles, ColumnSummary, Dataset, PrepareOptions, Prepared, Table, prepare};
use crate::model::{SavedModel, SavedScaling};
use crate::nn::{Architecture, Init, Loss, Matrix, Network, OutputHead, Reduction, Targets};
use crate::train::{
    Evaluation, History, HistoryPoint, Metrics, Optimizer, Stop, TrainConfig, Trainer, evaluate,
};

use super::Command;
use super::settings::{Settings, Speed};

/// Iterations the logistic-regression baseline trains for (the article's count).
pub const BASELINE_ITERATIONS: u64 = 100_000;

/// Test sets larger than this are evaluated at most every [`LARGE_TEST_INTERVAL`].
const LARGE_TEST_ROWS: usize = 5_000;
/// How often a large test set is evaluated for the curves.
const LARGE_TEST_INTERVAL: Duration = Duration::from_millis(200);

/// A message shown in the window.
#[derive(Clone, Debug, PartialEq)]
pub struct Notice {
    /// What to say.
    pub text: String,
    /// Errors are drawn in the error colour.
    pub is_error: bool,
    /// A button offered with the message: its text and what it does.
    pub action: Option<(String, Command)>,
}

impl Notice {
    /// An error message.
    pub fn error(text: impl Into<String>) -> Self {
        Self {
            text: text.into(),
            is_error: true,
            action: None,
        }
    }

    /// An informational message.
    pub fn info(text: impl Into<String>) -> Self {
        Self {
            text: text.into(),
            is_error: false,
            action: None,
        }
    }

    /// The message with a button that carries out `command`.
    pub fn with_action(mut self, label: impl Into<String>, command: Command) -> Self {
        self.action = Some((label.into(), command));
        self
    }
}

/// The engine's account of a divergence for a student: "the loss overflowed" rather than
/// "the loss is NaN".
fn plain_words(what: &str) -> String {
    if !(what.contains("NaN") || what.contains("inf")) {
        return what.to_owned();
    }
    let part = ["loss", "gradient", "weight"]
        .into_iter()
        .find(|p| what.contains(p))
        .map_or("a number", |p| match p {
            "loss" => "the loss",
            "gradient" => "a gradient",
            _ => "a weight",
        });
    format!("{part} overflowed")
}

/// The message for a run that stopped by itself: one sentence on what happened and one on what
/// to do.
pub fn stop_notice(stop: &Stop) -> Notice {
    match stop {
        Stop::Diverged { iteration, what } => Notice::error(format!(
            "Training diverged at iteration {iteration}: {}. Paused; the plot and figures show \
             the last finite state. Lower the learning rate, then press Play.",
            plain_words(what)
        )),
        Stop::Tolerance { loss } => {
            let loss = if loss.abs() < 1e-3 {
                format!("{loss:.2e}")
            } else {
                format!("{loss:.4}")
            };
            Notice::info(format!(
                "Stopped: the training loss {loss} is below the tolerance (Training: stop when \
                 loss <)."
            ))
        }
    }
}

/// A loaded CSV file: the parsed table, kept so target and features can be re-picked.
#[derive(Clone, Debug)]
pub struct CsvSource {
    /// The parsed file.
    pub table: Table,
    /// The roles the current data set was built with.
    pub roles: ColumnRoles,
    /// A summary of each column for the pickers (computed once: a pass over every cell).
    pub columns: Vec<ColumnSummary>,
}

impl CsvSource {
    /// A parsed file and the roles its data set was built with.
    pub fn new(table: Table, roles: ColumnRoles) -> Self {
        let columns = table.columns();
        Self {
            table,
            roles,
            columns,
        }
    }
}

/// The logistic regression (no hidden layer) trained beside the network, for comparison.
#[derive(Debug)]
pub struct Baseline {
    /// Its trainer; `None` if it could not be built (the message says why).
    pub trainer: Option<Trainer>,
    /// The seed of its initial weights (N(0, 1)), so that the network can repeat it exactly.
    pub network_seed: u64,
    /// Mean loss per training row once finished (regression: the mean squared error).
    pub train_loss: Option<f64>,
    /// R² on the training rows once finished (regression only).
    pub train_r2: Option<f64>,
    /// R² on the test rows once finished (regression with a test set only).
    pub test_r2: Option<f64>,
    /// Training accuracy of its last iteration.
    pub train_accuracy: Option<f64>,
    /// Test accuracy once finished.
    pub test_accuracy: Option<f64>,
    /// Why it stopped, or could not start.
    pub status: Option<String>,
}

impl Baseline {
    /// No baseline (yet), with the reason if there is one.
    fn none(status: Option<String>) -> Self {
        Self {
            trainer: None,
            network_seed: 0,
            train_loss: None,
            train_r2: None,
            test_r2: None,
            train_accuracy: None,
            test_accuracy: None,
            status,
        }
    }

    /// True once it has trained [`BASELINE_ITERATIONS`] or stopped.
    pub fn finished(&self) -> bool {
        self.trainer
            .as_ref()
            .is_none_or(|t| t.iteration() >= BASELINE_ITERATIONS || t.stopped().is_some())
    }
}

/// Data sets with more rows than this are trained on mini-batches by default, and their metrics
/// are computed a piece per frame so that no frame stalls.
pub const LARGE_ROWS: usize = 20_000;
/// The mini-batch size a large data set gets when it is loaded.
pub const LARGE_BATCH: usize = 256;
/// Rows evaluated per piece of a metrics job.
const EVALUATION_PIECE: usize = 4096;

/// Train and test metrics of one network state, computed a piece at a time.
#[derive(Debug)]
struct MetricsJob {
    /// Weights version and network version of the state evaluated.
    key: (u64, u64),
    /// The iteration of that state.
    iteration: u64,
    /// Time spent on the job so far (it may run over many frames).
    spent: Duration,
    train: Evaluation,
    test: Option<Evaluation>,
    train_done: Option<Metrics>,
    test_done: Option<Metrics>,
}

/// Smoothed speed figures.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Stats {
    /// Iterations trained per second of wall time (smoothed).
    pub iterations_per_second: f64,
    /// Time of the last frame's own work (training, grid, layout), milliseconds.
    pub frame_ms: f64,
    /// Iterations trained in the last frame.
    pub last_frame_iterations: u64,
}

/// Everything the app computes from the settings.
#[derive(Debug)]
pub struct Session {
    /// The data set, raw units.
    pub dataset: Dataset,
    /// The CSV it came from, if any.
    pub csv: Option<CsvSource>,
    /// Split and scaled matrices.
    pub prepared: Prepared,
    /// Min and max of each feature over all rows, raw units.
    pub ranges: Vec<(f64, f64)>,
    /// Value of each feature held fixed in the plot plane (raw units; x and y ignored).
    pub slice: Vec<f64>,
    /// Increased on every change of the data (new set, added point…).
    pub data_version: u64,
    /// Increased on every new network.
    pub network_version: u64,
    /// The network's trainer.
    pub trainer: Trainer,
    /// Loss and accuracy curves.
    pub history: History,
    /// Training runs each frame while true.
    pub playing: bool,
    /// Iterations still to train while paused (the Step key).
    pub pending_steps: u64,
    /// The message in the window.
    pub notice: Option<Notice>,
    /// The logistic-regression baseline.
    pub baseline: Baseline,
    /// Metrics on the training rows at `metrics_iteration`.
    pub train_metrics: Option<Metrics>,
    /// Metrics on the test rows (if any).
    pub test_metrics: Option<Metrics>,
    /// Weights version ([`Trainer::weights_version`]) and network version the metrics were
    /// last computed for.
    pub metrics_key: (u64, u64),
    /// The iteration `train_metrics` and `test_metrics` show (older than `metrics_key` when
    /// the newer weights gave figures that are not finite).
    pub metrics_iteration: Option<u64>,
    /// When the metrics were last computed and how long that took.
    metrics_at: Option<(Instant, Duration)>,
    /// Metrics of a large data set being computed a piece per frame.
    metrics_job: Option<MetricsJob>,
    /// Speed figures.
    pub stats: Stats,
    /// Iterations per call of the trainer, adapted so each call takes about a quarter of a
    /// millisecond (the most a frame overruns its training budget by).
    chunk: u64,
    last_test_eval: Option<Instant>,
    last_frame: Option<Instant>,
}

/// The output head for these targets: one sigmoid unit for two classes, softmax for more,
/// identity for numbers.
pub fn head_for(targets: &Targets) -> OutputHead {
    match targets {
        Targets::Classes { n_classes: 2, .. } => OutputHead::Sigmoid,
        Targets::Classes { .. } => OutputHead::Softmax,
        Targets::Values(_) => OutputHead::Identity,
    }
}

/// The training settings as used: squared error for regression (cross-entropy needs classes).
pub fn effective_config(settings: &Settings, targets: &Targets) -> TrainConfig {
    let mut config = settings.train.clone();
    if matches!(targets, Targets::Values(_)) {
        config.loss = Loss::SquaredError;
    }
    config
}

/// The baseline's training settings, whatever the user chose: the article fits its logistic
/// regression to convergence (R's `glm`), and Adam on the mean loss gets there on any data set,
/// where plain gradient descent on the summed loss may oscillate or diverge. Cross-entropy for
/// classes, squared error for numbers; no penalties; mini-batches on large data.
pub fn baseline_config(prepared: &Prepared) -> TrainConfig {
    let loss = match prepared.train_y {
        Targets::Values(_) => Loss::SquaredError,
        Targets::Classes { .. } => Loss::CrossEntropy,
    };
    TrainConfig {
        loss,
        reduction: Reduction::Mean,
        optimizer: Optimizer::Adam,
        learning_rate: 0.05,
        batch_size: (prepared.train_x.rows() > LARGE_ROWS).then_some(LARGE_BATCH),
        ..TrainConfig::default()
    }
}

/// A fresh network for `hidden` layers on the prepared data.
pub fn build_network(
    settings: &Settings,
    hidden: &[crate::nn::HiddenLayer],
    init: Init,
    prepared: &Prepared,
) -> Result<Network, String> {
    let head = head_for(&prepared.train_y);
    let architecture = Architecture {
        inputs: prepared.train_x.cols(),
        hidden: hidden.to_vec(),
        outputs: prepared.train_y.output_units(head),
        head,
    };
    let mut rng = StdRng::seed_from_u64(settings.network_seed);
    architecture
        .init(init, &mut rng)
        .map_err(|e| format!("cannot build the network: {e}"))
}

/// Min and max of each column of `x` (`(0, 1)` for an empty or constant column).
fn column_ranges(x: &Matrix) -> Vec<(f64, f64)> {
    (0..x.cols())
        .map(|j| {
            let (lo, hi) = x
                .iter_rows()
                .map(|r| r[j])
                .filter(|v| v.is_finite())
                .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
                    (lo.min(v), hi.max(v))
                });
            if lo.is_finite() && hi.is_finite() {
                (lo, hi)
            } else {
                (0.0, 1.0)
            }
        })
        .collect()
}

/// Mean of each column of `x` (0 for an empty one).
fn column_means(x: &Matrix) -> Vec<f64> {
    let n = x.rows().max(1) as f64;
    (0..x.cols())
        .map(|j| x.iter_rows().map(|r| r[j]).sum::<f64>() / n)
        .collect()
}

impl Session {
    /// A session on `dataset` with `settings`; fails (with a message for the window) if the data
    /// cannot be prepared or the network built.
    pub fn new(
        settings: &Settings,
        dataset: Dataset,
        csv: Option<CsvSource>,
    ) -> Result<Self, String> {
        let prepared = prepare_data(settings, &dataset)?;
        let network = build_network(settings, &settings.hidden, settings.init, &prepared)?;
        let trainer = Trainer::new(network, effective_config(settings, &prepared.train_y));
        let ranges = column_ranges(&dataset.features);
        let slice = column_means(&dataset.features);
        let mut session = Self {
            dataset,
            csv,
            prepared,
            ranges,
            slice,
            data_version: 0,
            network_version: 0,
            trainer,
            history: History::default(),
            playing: false,
            pending_steps: 0,
            notice: None,
            baseline: Baseline::none(None),
            train_metrics: None,
            test_metrics: None,
            metrics_key: (u64::MAX, u64::MAX),
            metrics_iteration: None,
            metrics_at: None,
            metrics_job: None,
            stats: Stats::default(),
            chunk: 1,
            last_test_eval: None,
            last_frame: None,
        };
        session.restart_baseline(settings);
        Ok(session)
    }

    /// The model file for the current network: weights plus what predicting on raw rows needs.
    pub fn saved_model(&self) -> SavedModel {
        let scaling = self.prepared.scaling.as_ref().map(|s| SavedScaling {
            mean: s.mean.clone(),
            sd: s.sd.clone(),
        });
        SavedModel::new(
            self.trainer.network(),
            self.dataset.feature_names.clone(),
            self.dataset.target_name.clone(),
            self.dataset.class_names().to_vec(),
            scaling,
        )
        .with_levels(self.dataset.levels.clone())
    }

    /// Replaces the network with a saved model's, if it fits the current data: the same
    /// features, classes and standardisation. On any mismatch nothing changes.
    pub fn load_model(&mut self, name: &str, text: &str) -> Result<(), String> {
        let model = SavedModel::from_json(name, text).map_err(|e| e.to_string())?;
        if model.features != self.dataset.feature_names {
            return Err(format!(
                "{name}: the model takes features [{}], the data has [{}]",
                model.features.join(", "),
                self.dataset.feature_names.join(", ")
            ));
        }
        if model.classes != self.dataset.class_names() {
            return Err(format!(
                "{name}: the model predicts classes [{}], the data has [{}]",
                model.classes.join(", "),
                self.dataset.class_names().join(", ")
            ));
        }
        let same_scaling = match (&model.scaling, &self.prepared.scaling) {
            (None, None) => true,
            (Some(m), Some(p)) => {
                let close = |a: &[f64], b: &[f64]| {
                    a.len() == b.len()
                        && a.iter()
                            .zip(b)
                            .all(|(x, y)| (x - y).abs() <= 1e-9 * y.abs().max(1.0))
                };
                close(&m.mean, &p.mean) && close(&m.sd, &p.sd)
            }
            _ => false,
        };
        if !same_scaling {
            return Err(format!(
                "{name}: the model was trained with other feature standardisation than the current data and split"
            ));
        }
        let network = model.network().map_err(|e| format!("{name}: {e}"))?;
        if network.architecture().outputs != self.trainer.network().architecture().outputs {
            return Err(format!(
                "{name}: the model's output does not fit the current data"
            ));
        }
        self.trainer.set_network(network);
        self.history.clear();
        self.network_version += 1;
        Ok(())
    }

    /// True for a classification data set.
    pub fn is_classification(&self) -> bool {
        matches!(self.prepared.train_y, Targets::Classes { .. })
    }

    /// Replaces the data (keeping everything else), rebuilding network and baseline; on failure
    /// nothing changes and the message is returned.
    pub fn replace_data(
        &mut self,
        settings: &Settings,
        dataset: Dataset,
        csv: Option<CsvSource>,
    ) -> Result<(), String> {
        let prepared = prepare_data(settings, &dataset)?;
        let network = build_network(settings, &settings.hidden, settings.init, &prepared)?;
        self.ranges = column_ranges(&dataset.features);
        self.slice = column_means(&dataset.features);
        self.dataset = dataset;
        if csv.is_some() {
            self.csv = csv;
        }
        self.prepared = prepared;
        self.data_version += 1;
        self.set_network(settings, network);
        self.restart_baseline(settings);
        Ok(())
    }

    /// Re-splits and re-scales the current data (test fraction, standardisation, split seed),
    /// then starts the network and the baseline over: their inputs changed meaning.
    pub fn reprepare(&mut self, settings: &Settings) -> Result<(), String> {
        let prepared = prepare_data(settings, &self.dataset)?;
        self.ranges = column_ranges(&self.dataset.features);
        if self.slice.len() != self.dataset.n_features() {
            self.slice = column_means(&self.dataset.features);
        }
        self.prepared = prepared;
        self.data_version += 1;
        self.forget_metrics();
        self.rebuild_network(settings)?;
        self.restart_baseline(settings);
        Ok(())
    }

    /// After a row was appended to the data set (a clicked point): it joins the training rows,
    /// and every other row keeps its side of the split.
    pub fn row_added(&mut self, settings: &Settings) {
        let new = self.dataset.n_rows().saturating_sub(1);
        let mut train = self.prepared.train_rows.clone();
        train.push(new);
        let test = self.prepared.test_rows.clone();
        self.set_rows(settings, train, test);
    }

    /// Erases the point nearest to `at` within `radius` (raw units); every other row keeps its
    /// side of the split. Returns whether a point was erased; refuses to erase the last
    /// training row.
    pub fn remove_point(
        &mut self,
        settings: &Settings,
        at: &[f64],
        radius: f64,
    ) -> Result<bool, String> {
        let Some(removed) = self.dataset.nearest_row(at, radius) else {
            return Ok(false);
        };
        let shift = |rows: &[usize]| -> Vec<usize> {
            rows.iter()
                .filter(|&&i| i != removed)
                .map(|&i| if i > removed { i - 1 } else { i })
                .collect()
        };
        let train = shift(&self.prepared.train_rows);
        if train.is_empty() {
            return Err("cannot erase the last training point".to_owned());
        }
        self.dataset.remove_row(removed);
        let test = shift(&self.prepared.test_rows);
        self.set_rows(settings, train, test);
        Ok(true)
    }

    /// Uses these train and test rows of the (edited) data set, keeping the weights; the
    /// baseline starts over on the new data.
    fn set_rows(&mut self, settings: &Settings, train: Vec<usize>, test: Vec<usize>) {
        let standardize = settings
            .standardize
            .unwrap_or(self.dataset.standardize_by_default);
        self.prepared = Prepared::from_rows(&self.dataset, train, test, standardize);
        self.ranges = column_ranges(&self.dataset.features);
        self.data_version += 1;
        self.forget_metrics();
        self.restart_baseline(settings);
    }

    /// Drops the metrics of weights or data that are gone (and any computation of them).
    fn forget_metrics(&mut self) {
        self.train_metrics = None;
        self.test_metrics = None;
        self.metrics_key = (u64::MAX, u64::MAX);
        self.metrics_iteration = None;
        self.metrics_job = None;
    }

    /// A new network from the seed (architecture, initialisation or seed changed, or reset).
    pub fn rebuild_network(&mut self, settings: &Settings) -> Result<(), String> {
        let network = build_network(settings, &settings.hidden, settings.init, &self.prepared)?;
        self.set_network(settings, network);
        Ok(())
    }

    fn set_network(&mut self, settings: &Settings, network: Network) {
        self.trainer = Trainer::new(network, effective_config(settings, &self.prepared.train_y));
        self.network_version += 1;
        self.history.clear();
        self.pending_steps = 0;
        self.forget_metrics();
        self.chunk = 1;
    }

    /// Applies new training settings, keeping the weights. A run the trainer stopped for
    /// diverging may go on with other settings: the message then says so.
    pub fn set_train_config(&mut self, settings: &Settings) {
        let diverged = self.diverged_at().is_some();
        self.trainer
            .set_config(effective_config(settings, &self.prepared.train_y));
        if diverged && self.trainer.stopped().is_none() {
            self.notice = Some(Notice::info(format!(
                "Training settings changed (learning rate {}): press Play to go on from \
                 iteration {}.",
                settings.train.learning_rate,
                self.trainer.iteration()
            )));
        }
    }

    /// With a summed loss, the rows behind each training and test loss figure of the history
    /// (a training figure covers one batch); `None` for a mean loss. Dividing by them gives the
    /// loss per row, comparable across training, test and batch sizes.
    pub fn rows_per_loss(&self) -> Option<(usize, usize)> {
        let config = self.trainer.config();
        let train = self.prepared.train_rows.len();
        (config.reduction == Reduction::Sum).then(|| {
            (
                config.batch_size.map_or(train, |b| b.min(train)),
                self.prepared.test_rows.len(),
            )
        })
    }

    /// The iteration whose pass diverged, if training stopped for that.
    pub fn diverged_at(&self) -> Option<u64> {
        match self.trainer.stopped() {
            Some(Stop::Diverged { iteration, .. }) => Some(*iteration),
            _ => None,
        }
    }

    /// Starts the baseline over on the current data.
    pub fn restart_baseline(&mut self, settings: &Settings) {
        let config = baseline_config(&self.prepared);
        let built = build_network(settings, &[], Init::Normal, &self.prepared);
        self.baseline = match built {
            Ok(network) => Baseline {
                trainer: Some(Trainer::new(network, config)),
                network_seed: settings.network_seed,
                ..Baseline::none(None)
            },
            Err(e) => Baseline::none(Some(e)),
        };
    }

    /// Trains the network for this frame within `budget` (and the speed setting), records the
    /// curves and pauses on a stop; then gives the baseline a little time.
    pub fn train_frame(&mut self, settings: &Settings, budget: Duration) {
        let start = Instant::now();
        let baseline_budget = if self.baseline.finished() {
            Duration::ZERO
        } else {
            (budget / 5).min(Duration::from_micros(1500))
        };
        let budget = budget.saturating_sub(baseline_budget);
        let wall = self.last_frame.map(|t| start.duration_since(t));
        self.last_frame = Some(start);
        let mut done = 0_u64;
        let wanted = if self.playing {
            match settings.speed {
                Speed::Auto => u64::MAX,
                Speed::PerFrame { iterations } => u64::from(iterations.max(1)),
            }
        } else {
            self.pending_steps
        };
        // Every frame advances a playing run by at least one call of the trainer, however long
        // the frame's other work took: a slow or busy machine trains slower, never not at all.
        let mut calls = 0_u32;
        while done < wanted && (calls == 0 || start.elapsed() < budget) {
            calls += 1;
            let iteration = self.trainer.iteration();
            if let Some(limit) = settings.stop_after
                && iteration >= limit
            {
                self.playing = false;
                self.pending_steps = 0;
                self.notice = Some(Notice::info(format!(
                    "Finished: {limit} iterations (the stopping rule)."
                )));
                break;
            }
            let stride = self.history.stride();
            let next_wanted = if iteration == 0 {
                1
            } else {
                (iteration / stride + 1) * stride
            };
            let mut n = (next_wanted - iteration).min(self.chunk).min(wanted - done);
            if let Some(limit) = settings.stop_after {
                n = n.min(limit - iteration);
            }
            let call = Instant::now();
            let mut reports = Vec::new();
            let history = &self.history;
            let result = self.trainer.train(
                &self.prepared.train_x,
                &self.prepared.train_y,
                n,
                |i| history.wants(i),
                |r| reports.push(*r),
            );
            let took = call.elapsed().as_secs_f64();
            match result {
                Err(e) => {
                    self.playing = false;
                    self.pending_steps = 0;
                    self.notice = Some(Notice::error(format!("cannot train: {e}")));
                    break;
                }
                Ok(step) => {
                    done += step.iterations;
                    if step.iterations > 0 {
                        let per_iteration = took / step.iterations as f64;
                        let target = 0.000_25 / per_iteration.max(1e-9);
                        self.chunk = (target as u64).clamp(1, 100_000);
                    }
                    let last = reports.len().saturating_sub(1);
                    for (k, r) in reports.iter().enumerate() {
                        let test = if k == last { self.test_point() } else { None };
                        self.history.push(HistoryPoint {
                            iteration: r.iteration,
                            train_loss: r.loss,
                            train_accuracy: r.accuracy,
                            test_loss: test.map(|t| t.0),
                            test_accuracy: test.and_then(|t| t.1),
                        });
                    }
                    if let Some(stop) = step.stop {
                        self.playing = false;
                        self.pending_steps = 0;
                        self.notice = Some(stop_notice(&stop));
                        break;
                    }
                    if step.iterations == 0 {
                        break;
                    }
                }
            }
        }
        if !self.playing {
            self.pending_steps = self.pending_steps.saturating_sub(done);
        }
        self.stats.last_frame_iterations = done;
        if !self.playing && self.pending_steps == 0 {
            // Nothing trains until the user acts, and no frames may come meanwhile: a decaying
            // figure would stay on screen as if training went on.
            self.stats.iterations_per_second = 0.0;
        } else if let Some(wall) = wall {
            let rate = done as f64 / wall.as_secs_f64().max(1e-6);
            let s = &mut self.stats.iterations_per_second;
            *s = if *s == 0.0 {
                rate
            } else {
                0.8 * *s + 0.2 * rate
            };
        }
        self.train_baseline(baseline_budget);
    }

    /// Test loss and accuracy with the current weights, if there is a test set and it is time.
    fn test_point(&mut self) -> Option<(f64, Option<f64>)> {
        let rows = self.prepared.test_x.rows();
        if rows == 0 || rows + self.prepared.train_x.rows() > LARGE_ROWS {
            return None;
        }
        if rows > LARGE_TEST_ROWS
            && self
                .last_test_eval
                .is_some_and(|t| t.elapsed() < LARGE_TEST_INTERVAL)
        {
            return None;
        }
        self.last_test_eval = Some(Instant::now());
        let c = self.trainer.config();
        evaluate(
            self.trainer.network(),
            &self.prepared.test_x,
            &self.prepared.test_y,
            c.loss,
            c.reduction,
            c.l1,
            c.l2,
        )
        .ok()
        .map(|m| (m.loss, m.accuracy))
    }

    fn train_baseline(&mut self, budget: Duration) {
        if self.baseline.finished() {
            return;
        }
        let start = Instant::now();
        let Some(trainer) = self.baseline.trainer.as_mut() else {
            return;
        };
        let mut chunk = 1_u64;
        let mut calls = 0_u32;
        while (calls == 0 || start.elapsed() < budget) && trainer.iteration() < BASELINE_ITERATIONS {
            calls += 1;
            let n = chunk.min(BASELINE_ITERATIONS - trainer.iteration());
            let call = Instant::now();
            match trainer.train(
                &self.prepared.train_x,
                &self.prepared.train_y,
                n,
                |_| false,
                |_| {},
            ) {
                Ok(step) => {
                    if let Some(last) = step.last {
                        self.baseline.train_accuracy = last.accuracy;
                    }
                    if let Some(stop) = step.stop {
                        self.baseline.status = Some(stop.to_string());
                        break;
                    }
                    if step.iterations == 0 {
                        break;
                    }
                    let per = call.elapsed().as_secs_f64() / step.iterations as f64;
                    chunk = ((0.0003 / per.max(1e-9)) as u64).clamp(1, 50_000);
                }
                Err(e) => {
                    self.baseline.status = Some(e.to_string());
                    self.baseline.trainer = None;
                    return;
                }
            }
        }
        if self.baseline.finished()
            && let Some(trainer) = &self.baseline.trainer
        {
            let c = trainer.config();
            let metrics = |x: &Matrix, y: &Targets| {
                evaluate(trainer.network(), x, y, c.loss, c.reduction, c.l1, c.l2).ok()
            };
            let p = &self.prepared;
            if let Some(m) = metrics(&p.train_x, &p.train_y) {
                self.baseline.train_accuracy = m.accuracy;
                self.baseline.train_loss = m.loss.is_finite().then_some(m.loss);
            }
            self.baseline.train_r2 = r_squared(trainer.network(), &p.train_x, &p.train_y);
            if p.test_x.rows() > 0 {
                self.baseline.test_accuracy =
                    metrics(&p.test_x, &p.test_y).and_then(|m| m.accuracy);
                self.baseline.test_r2 = r_squared(trainer.network(), &p.test_x, &p.test_y);
            }
        }
    }

    /// Recomputes the confusion matrices and losses if the weights changed, at most every
    /// quarter second (or ten times their cost) while training.
    pub fn update_metrics(&mut self, budget: Duration) {
        let key = (self.trainer.weights_version(), self.network_version);
        if self.metrics_job.is_none() && key == self.metrics_key {
            return;
        }
        let large = self.prepared.train_x.rows() + self.prepared.test_x.rows() > LARGE_ROWS;
        if self.metrics_job.is_none() {
            if let Some((at, cost)) = self.metrics_at
                && at.elapsed() < (cost * 10).max(Duration::from_millis(250))
                && self.playing
            {
                return;
            }
            let c = self.trainer.config();
            let evaluation = || {
                Evaluation::new(
                    self.trainer.network().clone(),
                    c.loss,
                    c.reduction,
                    c.l1,
                    c.l2,
                )
            };
            self.metrics_job = Some(MetricsJob {
                key,
                iteration: self.trainer.iteration(),
                spent: Duration::ZERO,
                train: evaluation(),
                test: (self.prepared.test_x.rows() > 0).then(evaluation),
                train_done: None,
                test_done: None,
            });
        }
        let start = Instant::now();
        let Some(job) = self.metrics_job.as_mut() else {
            return;
        };
        // Small sets are done at once; large ones a piece at a time within the budget.
        let piece = if large { EVALUATION_PIECE } else { usize::MAX };
        let finished = loop {
            let step = if job.train_done.is_none() {
                job.train
                    .step(&self.prepared.train_x, &self.prepared.train_y, piece)
                    .map(|m| {
                        job.train_done = m;
                        job.train_done.is_some() && job.test.is_none()
                    })
            } else if let Some(test) = &mut job.test {
                test.step(&self.prepared.test_x, &self.prepared.test_y, piece)
                    .map(|m| {
                        job.test_done = m;
                        job.test_done.is_some()
                    })
            } else {
                Ok(true)
            };
            match step {
                Ok(true) => break true,
                Ok(false) if start.elapsed() < budget => {}
                Ok(false) => break false,
                Err(_) => {
                    // These weights give no figures; the last ones stay until the next.
                    self.metrics_key = job.key;
                    self.metrics_job = None;
                    return;
                }
            }
        };
        job.spent += start.elapsed();
        if finished && let Some(job) = self.metrics_job.take() {
            let finite = |m: &Option<Metrics>| m.as_ref().is_none_or(|m| m.loss.is_finite());
            self.metrics_key = job.key;
            if !(finite(&job.train_done) && finite(&job.test_done)) {
                // Weights whose pass overflows (a diverging run): the last finite figures stay.
                return;
            }
            self.train_metrics = job.train_done;
            self.test_metrics = job.test_done;
            self.metrics_iteration = Some(job.iteration);
            if large && let Some(test) = &self.test_metrics {
                // Large test sets are not evaluated during training: their curve comes from here.
                self.history
                    .set_test(job.iteration, test.loss, test.accuracy);
            }
            // Throttled by the work it took, not by the frames it was spread over.
            self.metrics_at = Some((Instant::now(), job.spent));
        }
    }

    /// True while the metrics lag the weights (or are being computed a piece at a time).
    pub fn metrics_behind(&self) -> bool {
        self.metrics_job.is_some()
            || self.metrics_key != (self.trainer.weights_version(), self.network_version)
    }

    /// Records the frame's own work time.
    pub fn record_frame_time(&mut self, ms: f64) {
        self.stats.frame_ms = ms;
    }
}

/// R² = 1 − SSE / SST of `network`'s predictions on rows `x` (regression targets only; `None`
/// for classes, fewer than two rows, constant targets or a pass that is not finite).
fn r_squared(network: &Network, x: &Matrix, y: &Targets) -> Option<f64> {
    let Targets::Values(values) = y else {
        return None;
    };
    let n = values.rows();
    if n < 2 {
        return None;
    }
    let predicted = network.forward(x).ok()?; // [n, 1]
    let mean = values.as_slice().iter().sum::<f64>() / n as f64;
    let (mut sse, mut sst) = (0.0, 0.0);
    for (p, v) in predicted.as_slice().iter().zip(values.as_slice()) {
        sse += (v - p) * (v - p);
        sst += (v - mean) * (v - mean);
    }
    let r2 = 1.0 - sse / sst;
    (sst > 0.0 && r2.is_finite()).then_some(r2)
}

/// Splits and scales `dataset` as `settings` say.
pub fn prepare_data(settings: &Settings, dataset: &Dataset) -> Result<Prepared, String> {
    let options = PrepareOptions {
        test_fraction: settings.test_fraction,
        standardize: settings
            .standardize
            .unwrap_or(dataset.standardize_by_default),
        seed: settings.split_seed,
    };
    prepare(dataset, &options).map_err(|e| format!("cannot use {}: {e}", dataset.name))
}
