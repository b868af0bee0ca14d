//! Training: optimisers, learning-rate schedules, stopping rules, metrics and history.
//!
//! A [`Trainer`] owns a network and trains it in steps (`train(n)`), so the app can train a batch
//! of iterations per frame and the command line can loop. The loss and accuracy reported for
//! iteration *i* come from that iteration's forward pass, before its update (the article's
//! convention). No UI code lives here.
//!
//! # Divergence
//!
//! Every iteration's data loss (the summed per-row loss, penalties left out) is checked against
//! a **reference** per row: the larger of the loss of a constant guess and the loss the run
//! started from. A constant guess is the uniform prediction for cross-entropy (`ln k` a row for
//! a softmax over `k` classes, `ln 2` a row for each sigmoid unit: what a network whose weights
//! are all zero predicts) and the targets' mean for squared error (`½ Σ (y − ȳ)²` over the rows).
//! Training has diverged when the loss is NaN or infinite, or when it exceeds
//! [`DIVERGENCE_FACTOR`] (100) times the reference: gradient descent that ends two orders of
//! magnitude above both where it began and what ignoring the inputs would give is not descending
//! any more, and has in practice started the oscillation that ends in overflow (the article's
//! hot dogs at learning rate 10, or unscaled features of size 10⁶). Ordinary runs stay far below
//! it: a start above the constant guess (unscaled data, large initial weights) raises the
//! reference with it, and the check is on the loss, not the weights, so features in tiny units
//! that need huge weights are fine. The reference is at least half a squared unit a row, so a
//! regression target fitted exactly from the start does not make every later wobble count. A
//! mini-batch of fewer than 32 rows is held to the limit of 32 rows, so that one confidently
//! wrong row (a batch of one) is not taken for a run blowing up.
//!
//! The check costs a few integer operations a row (an upper bound on the loss read from the
//! exponents of the predicted probabilities); the exact loss is computed only when the bound
//! comes near the limit.

pub mod diagnose;
pub mod explain;
pub mod health;
pub mod hidden_space;
mod history;
mod metrics;
mod run;
pub mod saved;
pub mod spec;
pub mod timeline;
pub mod worker;

pub use history::{History, HistoryPoint, WeightEdit};
pub use metrics::{Evaluation, MAX_WRONG_KEPT, Metrics, confusion_matrix, evaluate};
pub use run::{LARGE_TEST_ROWS, Run, RunMetrics, SpecError, r_squared};
pub use spec::{
    BASELINE_ITERATIONS, DataSource, NetworkSpec, Preparation, RunSpec, Spec, TrainingSpec,
};

use std::f64::consts::LN_2;
use std::sync::Arc;

use chacha20::ChaCha12Rng;
use std::sync::atomic::{AtomicBool, Ordering};

use rand::SeedableRng as _;
use rand::seq::SliceRandom as _;
use serde::{Deserialize, Serialize};

use crate::nn::exp::Simd;
use crate::nn::{
    Gradients, Loss, Matrix, Network, NnError, OutputHead, PassSpec, Reduction, Targets, Workspace,
    forward_backward,
};

/// The optimiser that turns gradients into weight updates.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Optimizer {
    /// Plain gradient descent `w ← w − η g`, the article's.
    #[default]
    Gd,
    /// Heavy-ball momentum: `v ← μ v − η g`, `w ← w + v`, μ = 0.9.
    Momentum,
    /// Adam (Kingma and Ba), β₁ = 0.9, β₂ = 0.999, ε = 1e-8, bias-corrected.
    Adam,
}

crate::name_table!(Optimizer, "optimiser" {
    Gd => "gd": "gradient descent",
    Momentum => "momentum": "momentum",
    Adam => "adam": "Adam",
});

/// How the learning rate changes over iterations `t` (0-based).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize, Default)]
#[serde(rename_all = "kebab-case", tag = "kind")]
pub enum Schedule {
    /// `η` throughout.
    #[default]
    Constant,
    /// `η · factor^⌊t / every⌋`.
    Step {
        /// Iterations between drops.
        every: u64,
        /// Multiplier at each drop.
        factor: f64,
    },
    /// `η · exp(−rate · t)`.
    Exponential {
        /// Decay per iteration.
        rate: f64,
    },
    /// `η / (1 + rate · t)`.
    InverseTime {
        /// Decay per iteration.
        rate: f64,
    },
}

impl Schedule {
    /// The learning rate at iteration `t` (0-based) for base rate `base`.
    pub fn rate(&self, base: f64, t: u64) -> f64 {
        match *self {
            Self::Constant => base,
            Self::Step { every, factor } => {
                let drops = t / every.max(1);
                base * factor.powi(i32::try_from(drops).unwrap_or(i32::MAX))
            }
            Self::Exponential { rate } => base * (-rate * t as f64).exp(),
            Self::InverseTime { rate } => base / (1.0 + rate * t as f64),
        }
    }

    /// Checks the parameters: a step factor from 0 to 1 (a rate that grows by steps only ever
    /// diverges), non-negative finite decay rates.
    pub fn validate(&self) -> Result<(), NnError> {
        match *self {
            Self::Constant => Ok(()),
            Self::Step { factor, .. } if (0.0..=1.0).contains(&factor) => Ok(()),
            Self::Step { factor, .. } => Err(NnError::Invalid(format!(
                "step factor {factor} must be from 0 to 1"
            ))),
            Self::Exponential { rate } | Self::InverseTime { rate }
                if rate.is_finite() && rate >= 0.0 =>
            {
                Ok(())
            }
            Self::Exponential { rate } | Self::InverseTime { rate } => Err(NnError::Invalid(
                format!("decay rate {rate} must be zero or a positive number"),
            )),
        }
    }

    /// A schedule of `kind` with the numbers the window starts it with.
    pub fn starting(kind: ScheduleKind) -> Self {
        match kind {
            ScheduleKind::Constant => Self::Constant,
            ScheduleKind::Step => Self::Step {
                every: 10_000,
                factor: 0.5,
            },
            ScheduleKind::Exponential => Self::Exponential { rate: 1e-5 },
            ScheduleKind::InverseTime => Self::InverseTime { rate: 1e-4 },
        }
    }

    /// Which kind of schedule this is.
    pub fn kind(&self) -> ScheduleKind {
        match self {
            Self::Constant => ScheduleKind::Constant,
            Self::Step { .. } => ScheduleKind::Step,
            Self::Exponential { .. } => ScheduleKind::Exponential,
            Self::InverseTime { .. } => ScheduleKind::InverseTime,
        }
    }

    /// The name used on the command line and in files (the `kind` of its JSON).
    pub fn name(&self) -> &'static str {
        self.kind().name()
    }
}

/// The kinds of [`Schedule`], without their numbers: the command line's `--schedule`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ScheduleKind {
    /// Constant rate.
    Constant,
    /// Multiply by a factor every so many iterations.
    Step,
    /// `η · exp(−decay · t)`.
    Exponential,
    /// `η / (1 + decay · t)`.
    InverseTime,
}

crate::name_table!(ScheduleKind, "schedule" {
    Constant => "constant": "constant",
    Step => "step": "step",
    Exponential => "exponential": "exponential",
    InverseTime => "inverse-time": "inverse time",
});

/// What the user chose for training; the network itself is built from its own architecture.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct TrainConfig {
    /// The loss minimised.
    pub loss: Loss,
    /// Sum (the article's) or mean over rows.
    pub reduction: Reduction,
    /// The optimiser.
    pub optimizer: Optimizer,
    /// Base learning rate η.
    pub learning_rate: f64,
    /// How η changes over time.
    pub schedule: Schedule,
    /// Rows per iteration; `None` for the full batch (the article's).
    pub batch_size: Option<usize>,
    /// L1 penalty `λ₁ Σ|w|` over non-bias weights, included in the reported loss.
    pub l1: f64,
    /// L2 penalty `λ₂/2 Σ w²` over non-bias weights, included in the reported loss.
    pub l2: f64,
    /// Stop once the reported loss is below this (the R6 class's `tolerance`); `None` never.
    pub tolerance: Option<f64>,
    /// Seed of the mini-batch order.
    pub seed: u64,
}

impl Default for TrainConfig {
    fn default() -> Self {
        Self {
            loss: Loss::CrossEntropy,
            reduction: Reduction::Sum,
            optimizer: Optimizer::Gd,
            learning_rate: 0.01,
            schedule: Schedule::Constant,
            batch_size: None,
            l1: 0.0,
            l2: 0.0,
            tolerance: None,
            seed: 1,
        }
    }
}

impl TrainConfig {
    /// Checks the settings against each other and against the targets.
    pub fn validate(&self, head: OutputHead, targets: &Targets) -> Result<(), NnError> {
        if !(self.learning_rate.is_finite() && self.learning_rate > 0.0) {
            return Err(NnError::Invalid(format!(
                "learning rate {} must be a positive number",
                self.learning_rate
            )));
        }
        for (name, v) in [("l1", self.l1), ("l2", self.l2)] {
            if !(v.is_finite() && v >= 0.0) {
                return Err(NnError::Invalid(format!(
                    "{name} penalty {v} must be zero or positive"
                )));
            }
        }
        if let Some(tolerance) = self.tolerance
            && !(tolerance.is_finite() && tolerance >= 0.0)
        {
            return Err(NnError::Invalid(format!(
                "tolerance {tolerance} must be zero or a positive number"
            )));
        }
        self.schedule.validate()?;
        if self.batch_size == Some(0) {
            return Err(NnError::Invalid("batch size must be at least 1".into()));
        }
        if self.loss == Loss::CrossEntropy {
            if head == OutputHead::Identity {
                return Err(NnError::Invalid(
                    "cross-entropy needs a sigmoid or softmax output; use squared error for an identity output".into(),
                ));
            }
            if matches!(targets, Targets::Values(_)) {
                return Err(NnError::Invalid(
                    "cross-entropy needs class targets; numeric targets need squared error".into(),
                ));
            }
        }
        Ok(())
    }
}

/// Why training stopped.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "kebab-case", tag = "reason")]
pub enum Stop {
    /// The reported loss fell below the tolerance.
    Tolerance {
        /// The loss that did.
        loss: f64,
    },
    /// The loss exploded (see the module docs) or a loss, gradient or weight became NaN or
    /// infinite. The weights kept are the last ones whose loss passed the check: when
    /// iteration *i*'s forward pass shows the explosion, the update of iteration *i − 1* that
    /// caused it is undone too, so [`Trainer::iteration`] reads *i − 2*; when only the gradient
    /// or the new weights of iteration *i* are not finite, its update is not applied.
    Diverged {
        /// The iteration (1-based) that failed.
        iteration: u64,
        /// What became non-finite.
        what: String,
    },
}

impl std::fmt::Display for Stop {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Tolerance { loss } => write!(f, "loss {loss} is below the tolerance"),
            Self::Diverged { iteration, what } => write!(
                f,
                "training diverged at iteration {iteration}: {what}; the last weights before it are kept (try a lower learning rate)"
            ),
        }
    }
}

/// Training has diverged once an iteration's loss exceeds this many times its reference (see
/// the module docs).
pub const DIVERGENCE_FACTOR: f64 = 100.0;

/// The smallest reference loss per row: half a squared unit, an output one unit off.
const REFERENCE_FLOOR: f64 = 0.5;

/// The fewest rows a batch's divergence limit counts (see `Trainer::check_loss`).
const LIMIT_ROWS: f64 = 32.0;

/// One iteration as its observer sees it, before its update: the weights its forward pass
/// used and the training objective's gradient there (reduced and penalised, bias rows included).
#[derive(Clone, Copy, Debug)]
pub struct Moment<'a> {
    /// The weights, one matrix per layer.
    pub weights: &'a [Matrix],
    /// The gradient, in the weights' shapes.
    pub gradient: &'a [Matrix],
}

impl Moment<'_> {
    /// Each layer's weight and gradient norms (see [`LayerNorms`]).
    pub fn norms(&self) -> Vec<LayerNorms> {
        layer_norms(self.weights, self.gradient)
    }
}

/// One weight layer's size at one moment.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct LayerNorms {
    /// `‖W‖`, the Frobenius norm of the weights without the bias row.
    pub weight: f64,
    /// `‖∇W‖`, the Frobenius norm of the objective's gradient (bias row included).
    pub gradient: f64,
}

/// The norms of each layer of `weights` and of `gradient` (the same shapes).
pub fn layer_norms(weights: &[Matrix], gradient: &[Matrix]) -> Vec<LayerNorms> {
    let frobenius = |values: &[f64]| values.iter().map(|v| v * v).sum::<f64>().sqrt();
    weights
        .iter()
        .zip(gradient)
        .map(|(w, g)| LayerNorms {
            weight: frobenius(&w.as_slice()[w.cols()..]),
            gradient: frobenius(g.as_slice()),
        })
        .collect()
}

/// The loss and accuracy of one iteration, from its forward pass (before its update).
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct IterationReport {
    /// 1-based iteration number.
    pub iteration: u64,
    /// Reduced data loss plus penalties.
    pub loss: f64,
    /// Share of rows classified correctly (`None` for regression).
    pub accuracy: Option<f64>,
}

/// What one call of [`Trainer::train`] did.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct StepReport {
    /// Iterations completed in this call.
    pub iterations: u64,
    /// The report of the last iteration completed, if any.
    pub last: Option<IterationReport>,
    /// Set if training stopped by itself (tolerance or divergence).
    pub stop: Option<Stop>,
}

/// Everything a [`Trainer`] needs to go on from one moment exactly as it would have gone on:
/// the weights, the iteration count, the batch order and its random generator, the optimiser's
/// moments and step count, the weights before the last update (to undo it) and the divergence
/// reference. Taken by [`Trainer::state`], put back by [`Trainer::restore`].
#[derive(Clone, Debug)]
pub struct TrainerState {
    weights: Vec<Matrix>,
    iteration: u64,
    rng: chacha20::SerializedRngState,
    /// Shared between the states of one epoch: it changes only when the rows are reshuffled.
    order: Arc<Vec<usize>>,
    position: usize,
    moment1: Vec<Matrix>,
    moment2: Vec<Matrix>,
    previous: Vec<Matrix>,
    reference: Option<f64>,
    optimizer_steps: u64,
}

impl TrainerState {
    /// Completed iterations at this moment.
    pub fn iteration(&self) -> u64 {
        self.iteration
    }

    /// The weights at this moment.
    pub fn weights(&self) -> &[Matrix] {
        &self.weights
    }

    /// The bytes it holds, the batch order left out (see [`Self::order_bytes`]).
    pub fn bytes(&self) -> usize {
        let matrices = |m: &[Matrix]| m.iter().map(|m| m.as_slice().len() * 8).sum::<usize>();
        std::mem::size_of::<Self>()
            + matrices(&self.weights)
            + matrices(&self.moment1)
            + matrices(&self.moment2)
            + matrices(&self.previous)
    }

    /// The bytes of its batch order, which states of the same epoch share.
    pub fn order_bytes(&self) -> usize {
        self.order.len() * std::mem::size_of::<usize>()
    }

    /// True if it shares its batch order with `other`.
    pub fn shares_order(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.order, &other.order)
    }
}

/// Trains one network on one set of rows.
#[derive(Debug)]
pub struct Trainer {
    network: Network,
    config: TrainConfig,
    /// 0-based count of completed iterations.
    iteration: u64,
    /// The batch order's generator: rand's `StdRng` itself (ChaCha12, seeded alike, the same
    /// stream), whose state [`TrainerState`] can keep.
    rng: ChaCha12Rng,
    order: Arc<Vec<usize>>,
    position: usize,
    workspace: Workspace,
    grads: Gradients,
    /// First-moment (momentum velocity or Adam m) and second-moment (Adam v) buffers.
    moment1: Vec<Matrix>,
    moment2: Vec<Matrix>,
    batch_x: Matrix,
    stopped: Option<Stop>,
    /// The weights before the last update (empty if none since the start): kept to undo an
    /// update whose result the next forward pass shows to have exploded.
    previous: Vec<Matrix>,
    /// The divergence reference, data loss per row (see the module docs); set by the first
    /// iteration after a reset.
    reference: Option<f64>,
    /// Updates since the optimiser's state (the moments) was last cleared: Adam's `t`.
    optimizer_steps: u64,
    /// Changes whenever the weights do (an update, an undo, a new network): what caches of
    /// the weights' outputs are keyed by (the iteration count can go back after an undo).
    weights_version: u64,
}

impl Trainer {
    /// A trainer for `network` with `config`.
    pub fn new(network: Network, config: TrainConfig) -> Self {
        let rng = ChaCha12Rng::seed_from_u64(config.seed);
        Self {
            network,
            config,
            iteration: 0,
            rng,
            order: Arc::default(),
            position: 0,
            workspace: Workspace::default(),
            grads: Gradients::default(),
            moment1: Vec::new(),
            moment2: Vec::new(),
            batch_x: Matrix::default(),
            stopped: None,
            previous: Vec::new(),
            reference: None,
            optimizer_steps: 0,
            weights_version: 0,
        }
    }

    /// The network being trained.
    pub fn network(&self) -> &Network {
        &self.network
    }

    /// Sets one weight (`layer`, `row` — 0 is the bias —, `col`) to `value` and goes on from
    /// it: the count, the optimiser's state and the other weights stay. Returns the value
    /// before; refuses a weight that does not exist or a value that is not finite.
    pub fn set_weight(
        &mut self,
        layer: usize,
        row: usize,
        col: usize,
        value: f64,
    ) -> Result<f64, NnError> {
        if !value.is_finite() {
            return Err(NnError::Invalid(format!(
                "a weight must be a finite number, not {value}"
            )));
        }
        let w = self
            .network
            .weights_mut()
            .get_mut(layer)
            .filter(|w| row < w.rows() && col < w.cols())
            .ok_or_else(|| {
                NnError::Invalid(format!(
                    "no weight at layer {}, row {row}, column {col}",
                    layer + 1
                ))
            })?;
        let from = w.get(row, col);
        w.set(row, col, value);
        self.weights_version += 1;
        Ok(from)
    }

    /// Replaces the network (e.g. weights loaded from a file) and restarts the count.
    pub fn set_network(&mut self, network: Network) {
        self.network = network;
        self.reset_state();
        self.weights_version += 1;
    }

    /// A number that changes whenever the weights do (an update, an undone update, a new
    /// network); unlike [`Self::iteration`], it never comes back to an earlier value.
    pub fn weights_version(&self) -> u64 {
        self.weights_version
    }

    /// This moment's state, to go on from later (see [`TrainerState`]).
    pub fn state(&self) -> TrainerState {
        TrainerState {
            weights: self.network.weights().to_vec(),
            iteration: self.iteration,
            rng: self.rng.serialize_state(),
            order: Arc::clone(&self.order),
            position: self.position,
            moment1: self.moment1.clone(),
            moment2: self.moment2.clone(),
            previous: self.previous.clone(),
            reference: self.reference,
            optimizer_steps: self.optimizer_steps,
        }
    }

    /// Goes back (or on) to `state`, taken from this trainer's network: training goes on from
    /// it exactly as it did from that moment, under the present settings. Fails, changing
    /// nothing, if its weights do not fit the network.
    pub fn restore(&mut self, state: &TrainerState) -> Result<(), NnError> {
        self.network.set_weights(state.weights.clone())?;
        self.iteration = state.iteration;
        self.rng = ChaCha12Rng::deserialize_state(&state.rng);
        self.order = Arc::clone(&state.order);
        self.position = state.position;
        self.moment1 = state.moment1.clone();
        self.moment2 = state.moment2.clone();
        self.previous = state.previous.clone();
        self.reference = state.reference;
        self.optimizer_steps = state.optimizer_steps;
        self.stopped = None;
        self.grads = Gradients::default();
        self.weights_version += 1;
        Ok(())
    }

    /// Drops the optimiser's state (momentum, Adam's moments and step count).
    fn clear_moments(&mut self) {
        self.moment1.clear();
        self.moment2.clear();
        self.optimizer_steps = 0;
    }

    /// The settings.
    pub fn config(&self) -> &TrainConfig {
        &self.config
    }

    /// Changes settings, keeping the weights (learning rate, optimiser, penalties, …).
    ///
    /// Optimiser state is dropped if the optimiser changes; the batch order restarts if the
    /// batch size or seed changes. A stop by the tolerance is lifted, and so is a stop by
    /// divergence if anything changed (a lower learning rate goes on from the weights kept).
    pub fn set_config(&mut self, config: TrainConfig) {
        if config != self.config && matches!(self.stopped, Some(Stop::Diverged { .. })) {
            self.stopped = None;
        }
        if config.loss != self.config.loss {
            self.reference = None;
        }
        if config.optimizer != self.config.optimizer {
            self.clear_moments();
        }
        if config.batch_size != self.config.batch_size || config.seed != self.config.seed {
            self.rng = ChaCha12Rng::seed_from_u64(config.seed);
            self.order = Arc::default();
            self.position = 0;
        }
        self.config = config;
        if matches!(self.stopped, Some(Stop::Tolerance { .. })) {
            self.stopped = None;
        }
    }

    /// Completed iterations.
    pub fn iteration(&self) -> u64 {
        self.iteration
    }

    /// Why training stopped, if it did; a stopped trainer trains no further until reset.
    pub fn stopped(&self) -> Option<&Stop> {
        self.stopped.as_ref()
    }

    /// Lets a trainer stopped by its tolerance go on (e.g. after the user lowers it).
    pub fn resume(&mut self) {
        if matches!(self.stopped, Some(Stop::Tolerance { .. })) {
            self.stopped = None;
        }
    }

    fn reset_state(&mut self) {
        self.iteration = 0;
        self.rng = ChaCha12Rng::seed_from_u64(self.config.seed);
        self.order = Arc::default();
        self.position = 0;
        self.clear_moments();
        self.stopped = None;
        self.previous.clear();
        self.reference = None;
        // The gradient buffers take turns holding weights (see `update`): a new network may
        // have other shapes.
        self.grads = Gradients::default();
    }

    /// The learning rate the next iteration uses.
    pub fn current_learning_rate(&self) -> f64 {
        self.config
            .schedule
            .rate(self.config.learning_rate, self.iteration)
    }

    /// Trains up to `n` iterations on rows `x` with targets `y`.
    ///
    /// `observe` is called after each iteration that `wants_report(iteration)` selects (and after
    /// the last one of the call), with the loss and accuracy of that iteration's forward pass.
    /// Stops early on the tolerance or on divergence (see [`Stop`]).
    pub fn train(
        &mut self,
        x: &Matrix,
        y: &Targets,
        n: u64,
        wants_report: impl FnMut(u64) -> bool,
        mut observe: impl FnMut(&IterationReport),
    ) -> Result<StepReport, NnError> {
        self.train_until(x, y, n, &AtomicBool::new(false), wants_report, |r, _| {
            observe(r);
        })
    }

    /// [`Self::train`] that also stops, between two iterations, once `interrupt` is set: a
    /// worker thread's trainer answers a pause within one iteration. Where the call stops never
    /// changes what an iteration computes, so a run's weights depend on its iteration count only.
    /// `observe` also sees the iteration's [`Moment`]: its weights and objective gradient.
    pub fn train_until(
        &mut self,
        x: &Matrix,
        y: &Targets,
        n: u64,
        interrupt: &AtomicBool,
        mut wants_report: impl FnMut(u64) -> bool,
        mut observe: impl FnMut(&IterationReport, &Moment<'_>),
    ) -> Result<StepReport, NnError> {
        let head = self.network.architecture().head;
        self.config.validate(head, y)?;
        if x.rows() != y.len() || x.rows() == 0 {
            return Err(NnError::Shape(format!(
                "{} data rows but {} targets",
                x.rows(),
                y.len()
            )));
        }
        if x.cols() != self.network.architecture().inputs {
            return Err(NnError::Shape(format!(
                "data has {} features, the network takes {}",
                x.cols(),
                self.network.architecture().inputs
            )));
        }
        let hidden = self.network.architecture().hidden_activations();
        let spec = PassSpec {
            hidden: &hidden,
            head,
            loss: self.config.loss,
            simd: Simd::best(),
        };
        let report = StepReport {
            iterations: 0,
            last: None,
            stop: self.stopped.clone(),
        };
        if self.stopped.is_some() {
            return Ok(report);
        }
        Ok(self.train_loop(
            spec,
            (x, y),
            n,
            interrupt,
            &mut wants_report,
            &mut observe,
            report,
        ))
    }

    #[allow(clippy::too_many_arguments)]
    fn train_loop(
        &mut self,
        spec: PassSpec<'_>,
        (x, y): (&Matrix, &Targets),
        n: u64,
        interrupt: &AtomicBool,
        wants_report: &mut dyn FnMut(u64) -> bool,
        observe: &mut dyn FnMut(&IterationReport, &Moment<'_>),
        mut report: StepReport,
    ) -> StepReport {
        let head = spec.head;
        let full_batch = self.config.batch_size.is_none_or(|b| b >= x.rows());
        if full_batch {
            self.workspace.set_input(x);
        }
        let mut batch_y = None;
        for done in 0..n {
            if interrupt.load(Ordering::Relaxed) {
                break;
            }
            let i = self.iteration + 1;
            let by = if full_batch {
                y
            } else {
                let rows = self.next_batch(x.rows());
                self.batch_x = x.select_rows(&rows);
                self.workspace.set_input(&self.batch_x);
                &*batch_y.insert(y.select(&rows))
            };
            forward_backward(
                spec,
                self.network.weights(),
                by,
                &mut self.workspace,
                &mut self.grads,
            );
            let check_loss = self.config.tolerance.is_some();
            let wanted = wants_report(i) || done + 1 == n || check_loss;
            let computed = wanted.then(|| self.report(i, head, by));
            let mut checked = self.check_loss(head, y, by, computed.map(|(_, data)| data));
            let iteration_report = computed.map(|(r, _)| r);
            if let Some(r) = iteration_report.filter(|r| checked.is_ok() && !r.loss.is_finite()) {
                // A finite data loss but an infinite penalty: the weights overflowed.
                checked = Err(format!("the loss is {}", r.loss));
            }
            if let Err(what) = checked {
                if self.undo_last_update() {
                    report.iterations = report.iterations.saturating_sub(1);
                }
                return self.diverge(report, i, what);
            }
            if !self.grads.is_finite() {
                return self.diverge(report, i, "a gradient is NaN or infinite".into());
            }
            reduce_and_penalise(
                &mut self.grads,
                self.network.weights(),
                &self.config,
                by.len(),
            );
            if let Some(r) = iteration_report {
                let moment = Moment {
                    weights: self.network.weights(),
                    gradient: &self.grads.layers,
                };
                observe(&r, &moment);
                report.last = Some(r);
            }
            if let Err(what) = self.update() {
                return self.diverge(report, i, what);
            }
            self.iteration = i;
            report.iterations += 1;
            if let (Some(tol), Some(last)) = (self.config.tolerance, &report.last)
                && last.iteration == i
                && last.loss < tol
            {
                let stop = Stop::Tolerance { loss: last.loss };
                self.stopped = Some(stop.clone());
                report.stop = Some(stop);
                return report;
            }
        }
        report
    }

    /// Checks iteration's data loss (`exact`, if already computed) against the divergence
    /// limit; `y` are all the training targets, `batch` this iteration's. Sets the reference on
    /// the first iteration after a reset.
    fn check_loss(
        &mut self,
        head: OutputHead,
        y: &Targets,
        batch: &Targets,
        exact: Option<f64>,
    ) -> Result<(), String> {
        let rows = batch.len() as f64;
        let Some(reference) = self.reference else {
            let start = exact.unwrap_or_else(|| self.data_loss(head, batch));
            if !start.is_finite() {
                return Err(format!("the loss is {start}"));
            }
            let trivial = trivial_loss_per_row(head, self.config.loss, y);
            self.reference = Some((start / rows).max(trivial).max(REFERENCE_FLOOR));
            return Ok(());
        };
        // A small mini-batch is judged as if it had `LIMIT_ROWS` rows: one confidently wrong
        // row is an outlier, not a run blowing up.
        let limit = DIVERGENCE_FACTOR * reference * rows.max(LIMIT_ROWS);
        let loss = match exact {
            Some(loss) => loss,
            None => match self.loss_bound(head, batch) {
                Some(bound) if bound <= limit => return Ok(()),
                _ => self.data_loss(head, batch),
            },
        };
        if !loss.is_finite() {
            return Err(format!("the loss is {loss}"));
        }
        if loss > limit {
            // In the units the user sees: summed, or per row for the mean.
            let shown = |v: f64| match self.config.reduction {
                Reduction::Sum => v,
                Reduction::Mean => v / rows,
            };
            return Err(format!(
                "the loss rose to {}, over {DIVERGENCE_FACTOR} times its reference {} (the larger of the starting loss and a constant guess's)",
                readable(shown(loss)),
                readable(shown(reference * rows))
            ));
        }
        Ok(())
    }

    /// The summed data loss (no penalties) of the pass in the workspace.
    fn data_loss(&self, head: OutputHead, y: &Targets) -> f64 {
        self.workspace.summed_loss(head, self.config.loss, y)
    }

    /// An upper bound on the summed data loss of the pass in the workspace, read from the
    /// outputs alone, cheaply: exact for squared error; for cross-entropy `Σ −ln q` (q the
    /// probability given to the right answer, or `1 − p` for a sigmoid unit whose answer is 0)
    /// through [`product_bound`]. `None` where only the logits tell.
    fn loss_bound(&self, head: OutputHead, y: &Targets) -> Option<f64> {
        let last = self.network.weights().len().checked_sub(1)?;
        let units = self.network.architecture().outputs;
        let p = |j: usize| self.workspace.unit_values(last, j);
        match (self.config.loss, y) {
            (Loss::SquaredError, _) => {
                let mut total = 0.0;
                for j in 0..units {
                    let pj = p(j)?;
                    for (s, &ps) in pj.iter().enumerate() {
                        let e = ps - target_value(y, s, j, units);
                        total += 0.5 * e * e;
                    }
                }
                Some(total)
            }
            (Loss::CrossEntropy, Targets::Classes { labels, .. }) => {
                let n = labels.len();
                match head {
                    OutputHead::Sigmoid if units == 1 => {
                        let p0 = p(0)?;
                        product_bound(n, |s| if labels[s] == 1 { p0[s] } else { 1.0 - p0[s] })
                    }
                    OutputHead::Sigmoid => {
                        let mut total = 0.0;
                        for j in 0..units {
                            let pj = p(j)?;
                            total +=
                                product_bound(
                                    n,
                                    |s| {
                                        if labels[s] == j { pj[s] } else { 1.0 - pj[s] }
                                    },
                                )?;
                        }
                        Some(total)
                    }
                    OutputHead::Softmax => {
                        // All the outputs, unit-major: row s of unit j at j · stride + s.
                        let all = self.workspace.layer_values(last)?;
                        let stride = all.len() / units.max(1);
                        product_bound(n, |s| all[labels[s] * stride + s])
                    }
                    OutputHead::Identity => None,
                }
            }
            (Loss::CrossEntropy, Targets::Values(_)) => None,
        }
    }

    /// Puts back the weights from before the last update; false if there were none to put back.
    /// Optimiser state is dropped: it belongs to the weights undone.
    fn undo_last_update(&mut self) -> bool {
        if self.iteration == 0 || self.previous.len() != self.network.weights().len() {
            return false;
        }
        for (w, before) in self
            .network
            .weights_mut()
            .iter_mut()
            .zip(&mut self.previous)
        {
            std::mem::swap(w, before);
        }
        self.previous.clear();
        self.clear_moments();
        self.iteration -= 1;
        self.weights_version += 1;
        true
    }

    fn diverge(&mut self, mut report: StepReport, iteration: u64, what: String) -> StepReport {
        let stop = Stop::Diverged { iteration, what };
        self.stopped = Some(stop.clone());
        report.stop = Some(stop);
        report
    }

    /// Rows of the next mini-batch: consecutive slices of a shuffled order, reshuffled each epoch.
    fn next_batch(&mut self, n: usize) -> Vec<usize> {
        let size = self.config.batch_size.unwrap_or(n).min(n);
        if self.order.len() != n {
            self.order = Arc::new((0..n).collect());
            self.position = n;
        }
        if self.position + size > n {
            // A copy only while a kept state shares the order.
            Arc::make_mut(&mut self.order).shuffle(&mut self.rng);
            self.position = 0;
        }
        let rows = self.order[self.position..self.position + size].to_vec();
        self.position += size;
        rows
    }

    /// Loss (reduced, plus penalties) and accuracy of the pass just made, and its summed data
    /// loss.
    fn report(&self, iteration: u64, head: OutputHead, y: &Targets) -> (IterationReport, f64) {
        let data = self.data_loss(head, y);
        let mut loss = data;
        if self.config.reduction == Reduction::Mean {
            loss /= y.len() as f64;
        }
        loss += penalty(self.network.weights(), self.config.l1, self.config.l2);
        let accuracy = match y {
            Targets::Classes { labels, .. } => {
                Some(self.workspace.correct(labels) as f64 / labels.len() as f64)
            }
            Targets::Values(_) => None,
        };
        (
            IterationReport {
                iteration,
                loss,
                accuracy,
            },
            data,
        )
    }

    /// Applies the optimiser to the objective's gradient just computed (reduced and
    /// penalised). Fails (changing nothing) if a new weight would not be finite.
    fn update(&mut self) -> Result<(), String> {
        let cfg = &self.config;
        let eta = cfg.schedule.rate(cfg.learning_rate, self.iteration);
        let weights = self.network.weights();
        let t = self.optimizer_steps + 1;
        // Each gradient matrix becomes the candidate new weights in place; they replace the
        // weights only if all are finite.
        match cfg.optimizer {
            Optimizer::Gd => {
                for (g, w) in self.grads.layers.iter_mut().zip(weights) {
                    zip_apply(g, w, |g, w| w - eta * g);
                }
            }
            Optimizer::Momentum => {
                const MU: f64 = 0.9;
                if self.moment1.len() != weights.len() {
                    self.moment1 = Gradients::zeros_like(weights).layers;
                }
                for ((g, w), v) in self
                    .grads
                    .layers
                    .iter_mut()
                    .zip(weights)
                    .zip(&mut self.moment1)
                {
                    zip_apply(v, g, |v, g| MU * v - eta * g);
                    g.as_mut_slice().copy_from_slice(w.as_slice());
                    zip_apply(g, &*v, |w, v| w + v);
                }
            }
            Optimizer::Adam => {
                const B1: f64 = 0.9;
                const B2: f64 = 0.999;
                const EPS: f64 = 1e-8;
                if self.moment1.len() != weights.len() || self.moment2.len() != weights.len() {
                    self.moment1 = Gradients::zeros_like(weights).layers;
                    self.moment2 = Gradients::zeros_like(weights).layers;
                }
                let steps = i32::try_from(t).unwrap_or(i32::MAX);
                let (c1, c2) = (1.0 - B1.powi(steps), 1.0 - B2.powi(steps));
                for (((g, w), m), v) in self
                    .grads
                    .layers
                    .iter_mut()
                    .zip(weights)
                    .zip(&mut self.moment1)
                    .zip(&mut self.moment2)
                {
                    zip_apply(m, g, |m, g| B1 * m + (1.0 - B1) * g);
                    zip_apply(v, g, |v, g| B2 * v + (1.0 - B2) * g * g);
                    for (((gv, &wv), &mv), &vv) in g
                        .as_mut_slice()
                        .iter_mut()
                        .zip(w.as_slice())
                        .zip(m.as_slice())
                        .zip(v.as_slice())
                    {
                        *gv = wv - eta * (mv / c1) / ((vv / c2).sqrt() + EPS);
                    }
                }
            }
        }
        if !self.grads.is_finite() {
            return Err("a weight became NaN or infinite".into());
        }
        for (w, new) in self
            .network
            .weights_mut()
            .iter_mut()
            .zip(&mut self.grads.layers)
        {
            std::mem::swap(w, new);
        }
        // The old weights, now in the gradient buffers, become `previous`; the next pass
        // overwrites whatever buffers the gradients get back.
        std::mem::swap(&mut self.grads.layers, &mut self.previous);
        self.optimizer_steps = t;
        self.weights_version += 1;
        Ok(())
    }
}

/// An upper bound on `Σ −ln q(s)` over `s < n` for probabilities `q(s)`, in a few operations a
/// row: the q are multiplied eight at a time and each product's binary exponent e bounds its
/// `−log₂` by `1023 − e`; one bit a row more covers the rounding of a q computed as `1 − p`.
/// `None` if a product is zero, subnormal, NaN or above 1 (a q below about 2^-127, a row's loss
/// above 88), where only the exact loss tells.
#[inline(always)]
fn product_bound(n: usize, q: impl Fn(usize) -> f64) -> Option<f64> {
    let mut bits: u64 = 0;
    let mut bad = false;
    let mut s = 0;
    while s < n {
        let end = (s + 8).min(n);
        let mut product = 1.0_f64;
        for k in s..end {
            product *= q(k);
        }
        let exponent = (product.to_bits() >> 52) & 0x7ff;
        bad |= exponent.wrapping_sub(1) >= 1023;
        bits = bits.wrapping_add((1023 + (end - s) as u64).wrapping_sub(exponent));
        s = end;
    }
    (!bad).then_some(bits as f64 * LN_2)
}

/// The data loss per row of a constant guess (see the module docs): `ln k` for a softmax over
/// `k` classes, `ln 2` per sigmoid unit for cross-entropy; `½ Σ_j var(y_j)` for squared error.
fn trivial_loss_per_row(head: OutputHead, loss: Loss, y: &Targets) -> f64 {
    let units = y.output_units(head);
    match loss {
        Loss::CrossEntropy if head == OutputHead::Softmax => (units as f64).ln(),
        Loss::CrossEntropy => units as f64 * LN_2,
        Loss::SquaredError => {
            let n = y.len();
            if n == 0 {
                return 0.0;
            }
            let mut total = 0.0;
            for j in 0..units {
                let mean = (0..n).map(|s| target_value(y, s, j, units)).sum::<f64>() / n as f64;
                let squares: f64 = (0..n)
                    .map(|s| (target_value(y, s, j, units) - mean).powi(2))
                    .sum();
                total += 0.5 * squares / n as f64;
            }
            total
        }
    }
}

/// The target of output unit `j` for row `s` (one-hot for classes, the label itself for a
/// single sigmoid unit).
fn target_value(y: &Targets, s: usize, j: usize, units: usize) -> f64 {
    match y {
        Targets::Classes { labels, .. } if units == 1 => labels[s] as f64,
        Targets::Classes { labels, .. } => f64::from(u8::from(labels[s] == j)),
        Targets::Values(v) => v.get(s, j),
    }
}

/// A number for a message: four significant digits, scientific when very large or small.
fn readable(v: f64) -> String {
    if v == 0.0 {
        return "0".into();
    }
    if !(1e-3..1e6).contains(&v.abs()) {
        return format!("{v:.3e}");
    }
    let decimals = (3 - v.abs().log10().floor() as i32).clamp(0, 6) as usize;
    format!("{v:.decimals$}")
}

fn sign(v: f64) -> f64 {
    if v > 0.0 {
        1.0
    } else if v < 0.0 {
        -1.0
    } else {
        0.0
    }
}

/// `a[i] = f(a[i], b[i])` for every element.
fn zip_apply(a: &mut Matrix, b: &Matrix, f: impl Fn(f64, f64) -> f64) {
    for (av, &bv) in a.as_mut_slice().iter_mut().zip(b.as_slice()) {
        *av = f(*av, bv);
    }
}

/// Turns the gradient of the summed loss into that of the training objective: divided by the rows
/// for a mean, plus `λ₁ sign(w) + λ₂ w` for the penalties (not on the bias row).
fn reduce_and_penalise(grads: &mut Gradients, weights: &[Matrix], cfg: &TrainConfig, rows: usize) {
    let scale = match cfg.reduction {
        Reduction::Sum => None,
        Reduction::Mean => Some(1.0 / rows as f64),
    };
    for (g, w) in grads.layers.iter_mut().zip(weights) {
        if let Some(scale) = scale {
            g.as_mut_slice().iter_mut().for_each(|v| *v *= scale);
        }
        if cfg.l1 > 0.0 || cfg.l2 > 0.0 {
            let cols = w.cols();
            for (gv, &wv) in g.as_mut_slice()[cols..]
                .iter_mut()
                .zip(&w.as_slice()[cols..])
            {
                *gv += cfg.l1 * sign(wv) + cfg.l2 * wv;
            }
        }
    }
}

/// The gradient of the training objective (reduced loss plus penalties) at the network's
/// weights, over rows `x` with targets `y`: what one full-batch iteration descends along.
pub fn objective_gradient(
    network: &Network,
    config: &TrainConfig,
    x: &Matrix,
    y: &Targets,
) -> Result<Gradients, NnError> {
    let head = network.architecture().head;
    config.validate(head, y)?;
    if x.rows() != y.len() || x.cols() != network.architecture().inputs {
        return Err(NnError::Shape(format!(
            "{} × {} data for {} targets and {} inputs",
            x.rows(),
            x.cols(),
            y.len(),
            network.architecture().inputs
        )));
    }
    let hidden = network.architecture().hidden_activations();
    let spec = PassSpec {
        hidden: &hidden,
        head,
        loss: config.loss,
        simd: Simd::best(),
    };
    let mut ws = Workspace::default();
    ws.set_input(x);
    let mut grads = Gradients::default();
    forward_backward(spec, network.weights(), y, &mut ws, &mut grads);
    reduce_and_penalise(&mut grads, network.weights(), config, y.len());
    Ok(grads)
}

/// `λ₁ Σ|w| + λ₂/2 Σ w²` over all non-bias weights (row 0 of each matrix is the bias).
pub fn penalty(weights: &[Matrix], l1: f64, l2: f64) -> f64 {
    if l1 == 0.0 && l2 == 0.0 {
        return 0.0;
    }
    let mut total = 0.0;
    for w in weights {
        for &v in &w.as_slice()[w.cols()..] {
            total += l1 * v.abs() + 0.5 * l2 * v * v;
        }
    }
    total
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_batch_generator_is_rands_std_rng() {
        use rand::Rng as _;
        for seed in [0, 1, 42, u64::MAX] {
            let mut ours = ChaCha12Rng::seed_from_u64(seed);
            let mut std = rand::rngs::StdRng::seed_from_u64(seed);
            for _ in 0..100 {
                assert_eq!(ours.next_u64(), std.next_u64());
            }
            // And a kept state goes on with the same numbers.
            let mut again = ChaCha12Rng::deserialize_state(&ours.serialize_state());
            assert_eq!(again.next_u64(), std.next_u64());
        }
    }
    use rand::RngExt as _;

    #[test]
    fn the_cheap_bound_is_above_the_loss_and_close_to_it() {
        let mut rng = rand::rngs::StdRng::seed_from_u64(3);
        for n in [1, 7, 8, 9, 160, 1001] {
            for spread in [1.0, 20.0, 80.0] {
                // q from 1 down to e^-spread, logarithmically.
                let q: Vec<f64> = (0..n)
                    .map(|_| (-spread * rng.random_range(0.0..1.0_f64)).exp())
                    .collect();
                let exact: f64 = q.iter().map(|v| -v.ln()).sum();
                let bound = product_bound(n, |s| q[s]).unwrap();
                assert!(bound >= exact, "{n} {spread}: {bound} < {exact}");
                assert!(
                    bound <= exact + 2.0 * n as f64 * LN_2,
                    "{n} {spread}: {bound} ≫ {exact}"
                );
            }
        }
        assert_eq!(product_bound(3, |s| [0.5, 0.0, 1.0][s]), None);
        assert_eq!(product_bound(3, |s| [0.5, f64::NAN, 1.0][s]), None);
        assert_eq!(product_bound(2, |_| 1e-200), None, "a product underflows");
        assert_eq!(product_bound(0, |_| 1.0), Some(0.0));
    }

    #[test]
    fn the_trivial_loss_is_the_constant_guess() {
        let classes = Targets::Classes {
            labels: vec![0, 1, 2, 1],
            n_classes: 3,
        };
        let ln3 = 3_f64.ln();
        assert_eq!(
            trivial_loss_per_row(OutputHead::Softmax, Loss::CrossEntropy, &classes),
            ln3
        );
        let two = Targets::Classes {
            labels: vec![0, 1, 1, 1],
            n_classes: 2,
        };
        assert_eq!(
            trivial_loss_per_row(OutputHead::Sigmoid, Loss::CrossEntropy, &two),
            LN_2
        );
        // ½ var of the labels 0, 1, 1, 1: ½ · 3/16.
        assert_eq!(
            trivial_loss_per_row(OutputHead::Sigmoid, Loss::SquaredError, &two),
            0.5 * 3.0 / 16.0
        );
        let values = Targets::Values(Matrix::from_vec(4, 1, vec![1.0, 3.0, 1.0, 3.0]).unwrap());
        assert_eq!(
            trivial_loss_per_row(OutputHead::Identity, Loss::SquaredError, &values),
            0.5
        );
    }
}
