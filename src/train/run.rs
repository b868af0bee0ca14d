//! A run: one network training on shared prepared data, with its curves and its figures.
//!
//! A [`Run`] is built from a [`RunSpec`] by [`Run::new`], the one builder the command line, the
//! app (its networks and its baseline alike), the presets and the tests use. It owns its trainer,
//! its history and its metrics, and one **generation** counter that changes whenever anything
//! its outputs depend on changes (weights, network or data): every cache of a run's outputs is
//! keyed on it.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use crate::data::Prepared;
use crate::nn::{Matrix, Network, NnError, Targets};

use super::spec::RunSpec;
use super::timeline::Timeline;
use super::{
    History, HistoryPoint, IterationReport, Metrics, StepReport, Stop, TrainConfig, Trainer,
    TrainerState, evaluate,
};

/// Test sets larger than this get a point on the test curve only when the metrics are
/// refreshed, not at every point of the training curve (their pass would cost more than the
/// training iterations between points).
pub const LARGE_TEST_ROWS: usize = 5_000;

/// A run's figures for one state of its weights.
#[derive(Clone, Debug, PartialEq)]
pub struct RunMetrics {
    /// The generation of the state measured.
    pub generation: u64,
    /// Its iteration.
    pub iteration: u64,
    /// On the training rows.
    pub train: Metrics,
    /// On the test rows, if there are any.
    pub test: Option<Metrics>,
    /// R² on the training rows (regression only).
    pub train_r2: Option<f64>,
    /// R² on the test rows (regression only).
    pub test_r2: Option<f64>,
}

impl RunMetrics {
    /// The figures of `network` on `data` under `config`, labelled with `(generation,
    /// iteration)`; `None` if a loss is not finite or the network does not fit.
    pub fn measure(
        network: &Network,
        config: &TrainConfig,
        data: &Prepared,
        (generation, iteration): (u64, u64),
    ) -> Option<Self> {
        let c = config;
        let on =
            |x: &Matrix, y: &Targets| evaluate(network, x, y, c.loss, c.reduction, c.l1, c.l2).ok();
        let train = on(&data.train_x, &data.train_y)?;
        let test = if data.test_rows.is_empty() {
            None
        } else {
            Some(on(&data.test_x, &data.test_y)?)
        };
        let finite = train.loss.is_finite() && test.as_ref().is_none_or(|t| t.loss.is_finite());
        finite.then(|| Self {
            generation,
            iteration,
            train_r2: r_squared(network, &data.train_x, &data.train_y),
            test_r2: (!data.test_rows.is_empty())
                .then(|| r_squared(network, &data.test_x, &data.test_y))
                .flatten(),
            train,
            test,
        })
    }
}

/// One network training on prepared data.
#[derive(Debug)]
pub struct Run {
    id: u64,
    spec: RunSpec,
    data: Arc<Prepared>,
    trainer: Trainer,
    history: History,
    timeline: Timeline,
    generation: u64,
    metrics: Option<RunMetrics>,
}

/// What [`Run::new`] and [`Run::set_spec`] refuse: a network or settings that do not fit the
/// data.
pub type SpecError = NnError;

impl Run {
    /// A run of `spec` on `data`, with initial weights drawn from the spec's seed.
    pub fn new(spec: RunSpec, data: Arc<Prepared>) -> Result<Self, SpecError> {
        let network = Self::fresh_network(&spec, &data)?;
        Self::with_network(spec, data, network)
    }

    /// A run of `spec` on `data` starting from `network` (weights read from a file); the
    /// network must have the spec's inputs and outputs.
    pub fn with_network(
        spec: RunSpec,
        data: Arc<Prepared>,
        network: Network,
    ) -> Result<Self, SpecError> {
        let config = Self::config_for(&spec, &data, &network)?;
        Self::check_fits(&network, &data)?;
        let trainer = Trainer::new(network, config);
        let mut timeline = Timeline::default();
        timeline.push(trainer.state(), true);
        Ok(Self {
            id: fresh_id(),
            spec,
            data,
            trainer,
            history: History::default(),
            timeline,
            generation: 0,
            metrics: None,
        })
    }

    /// Puts the run at a saved moment: `state` (taken from a run of the same spec on the same
    /// rows; see [`super::saved::SavedState::state_for`], which checks it) and the curves up
    /// to it. It trains on exactly as the run it was taken from would have; its timeline starts
    /// at that moment. Fails, changing nothing, if the weights do not fit the network.
    pub fn restore(&mut self, state: TrainerState, history: History) -> Result<(), SpecError> {
        self.trainer.restore(&state)?;
        self.history = history;
        self.timeline.clear();
        self.timeline.push(state, true);
        self.metrics = None;
        self.bump();
        Ok(())
    }

    fn fresh_network(spec: &RunSpec, data: &Prepared) -> Result<Network, SpecError> {
        let architecture = spec
            .network
            .architecture(data.train_x.cols(), &data.train_y)?;
        let mut rng = rand::SeedableRng::seed_from_u64(spec.network.seed);
        let rng: &mut rand::rngs::StdRng = &mut rng;
        architecture.init(spec.network.init, rng)
    }

    fn config_for(
        spec: &RunSpec,
        data: &Prepared,
        network: &Network,
    ) -> Result<TrainConfig, SpecError> {
        spec.training
            .config(network.architecture().head, &data.train_y)
    }

    fn check_fits(network: &Network, data: &Prepared) -> Result<(), SpecError> {
        let arch = network.architecture();
        let head = arch.head;
        if arch.inputs != data.train_x.cols() || arch.outputs != data.train_y.output_units(head) {
            return Err(NnError::Shape(format!(
                "the network takes {} inputs and gives {} outputs; the data has {} features and needs {} outputs",
                arch.inputs,
                arch.outputs,
                data.train_x.cols(),
                data.train_y.output_units(head)
            )));
        }
        Ok(())
    }

    /// Unique to this network: a new network (a reset, another architecture, a loaded model)
    /// gets a new id, so that caches tell a new picture from newer weights of the same one.
    pub fn id(&self) -> u64 {
        self.id
    }

    /// What the run was built from.
    pub fn spec(&self) -> &RunSpec {
        &self.spec
    }

    /// The data it trains on.
    pub fn data(&self) -> &Arc<Prepared> {
        &self.data
    }

    /// The network being trained.
    pub fn network(&self) -> &Network {
        self.trainer.network()
    }

    /// The trainer (settings as resolved for the data, optimiser state, stop).
    pub fn trainer(&self) -> &Trainer {
        &self.trainer
    }

    /// The trainer's settings as resolved for the data (loss, reduction, …).
    pub fn config(&self) -> &TrainConfig {
        self.trainer.config()
    }

    /// The loss and accuracy curves.
    pub fn history(&self) -> &History {
        &self.history
    }

    /// The moments kept to look back at and to go on from.
    pub fn timeline(&self) -> &Timeline {
        &self.timeline
    }

    /// Bounds the timeline to `bytes` (0 keeps none: the command line has no use for it),
    /// starting it again from now.
    pub fn set_timeline_budget(&mut self, bytes: usize) {
        self.timeline = Timeline::new(bytes);
        self.timeline.push(self.trainer.state(), true);
    }

    /// Goes back to the latest kept moment at or before `iteration` and trains on from there
    /// (under the present settings), exactly as the run did from it: the later moments, curve
    /// points and hand edits are dropped. Fails, changing nothing, if no moment is kept there.
    pub fn continue_from(&mut self, iteration: u64) -> Result<(), SpecError> {
        let state = self
            .timeline
            .at_or_before(iteration)
            .cloned()
            .ok_or_else(|| NnError::Invalid(format!("no moment kept at iteration {iteration}")))?;
        self.trainer.restore(&state)?;
        let k = state.iteration();
        self.timeline.truncate_after(k);
        self.history.truncate_after(k);
        self.metrics = None;
        self.bump();
        Ok(())
    }

    /// Completed iterations.
    pub fn iteration(&self) -> u64 {
        self.trainer.iteration()
    }

    /// Changes whenever the weights, the network or the data do; never returns to an earlier
    /// value. Caches of the run's outputs key on it.
    pub fn generation(&self) -> u64 {
        self.generation
    }

    /// Why the trainer stopped by itself (tolerance or divergence), if it did.
    pub fn stopped(&self) -> Option<&Stop> {
        self.trainer.stopped()
    }

    /// True once the run reached its spec's iteration limit.
    pub fn reached_limit(&self) -> bool {
        self.spec
            .training
            .stop_after
            .is_some_and(|limit| self.iteration() >= limit)
    }

    /// True when training would do nothing: stopped by itself or at its limit.
    pub fn finished(&self) -> bool {
        self.stopped().is_some() || self.reached_limit()
    }

    /// The latest figures, if computed (see [`Self::refresh_metrics`]).
    pub fn metrics(&self) -> Option<&RunMetrics> {
        self.metrics.as_ref()
    }

    /// True if the figures are missing or older than the weights.
    pub fn metrics_behind(&self) -> bool {
        self.metrics
            .as_ref()
            .is_none_or(|m| m.generation != self.generation)
    }

    fn bump(&mut self) {
        self.generation += 1;
    }

    /// Trains up to `n` iterations (fewer at the spec's iteration limit, a stop, or once
    /// `interrupt` is set, which is checked before every iteration), recording the curves.
    /// `observe` sees each iteration `wants_report` selects, and the last of the call.
    pub fn train(
        &mut self,
        n: u64,
        interrupt: &AtomicBool,
        mut wants_report: impl FnMut(u64) -> bool,
        mut observe: impl FnMut(&IterationReport),
    ) -> Result<StepReport, NnError> {
        let limit = self.spec.training.stop_after.unwrap_or(u64::MAX);
        let n = n.min(limit.saturating_sub(self.iteration()));
        let before = self.trainer.weights_version();
        let mut total = StepReport {
            iterations: 0,
            last: None,
            stop: self.trainer.stopped().cloned(),
        };
        let data = Arc::clone(&self.data);
        let small_test = !data.test_rows.is_empty() && data.test_rows.len() <= LARGE_TEST_ROWS;
        while total.iterations < n && total.stop.is_none() {
            // Calls end on the history's next point, whose test figures are taken then.
            let iteration = self.iteration();
            let stride = self.history.stride();
            let next_point = if iteration == 0 {
                1
            } else {
                (iteration / stride + 1) * stride
            };
            let next_moment = self.timeline.next_wanted(iteration);
            let chunk = (next_point.min(next_moment) - iteration).min(n - total.iterations);
            let history = &self.history;
            let mut last = None;
            let step = self.trainer.train_until(
                &data.train_x,
                &data.train_y,
                chunk,
                interrupt,
                |i| history.wants(i) || wants_report(i),
                |r, moment| {
                    last = Some((*r, history.wants(r.iteration).then(|| moment.norms())));
                    observe(r);
                },
            )?;
            total.iterations += step.iterations;
            total.stop = step.stop;
            if step.last.is_some() {
                total.last = step.last;
            }
            if let Some((r, Some(norms))) = last {
                let test = if small_test { self.test_point() } else { None };
                self.history.push_with_norms(
                    HistoryPoint {
                        iteration: r.iteration,
                        train_loss: r.loss,
                        train_accuracy: r.accuracy,
                        test_loss: test.as_ref().map(|m| m.loss),
                        test_accuracy: test.and_then(|m| m.accuracy),
                    },
                    norms,
                );
            }
            if step.iterations > 0 && self.timeline.wants(self.iteration()) {
                self.timeline.push(self.trainer.state(), false);
            }
            if total.stop.is_some() {
                // An undone update may leave a moment past the weights kept.
                self.timeline.truncate_after(self.iteration());
            }
            if step.iterations < chunk {
                break; // interrupted or stopped
            }
        }
        if self.trainer.weights_version() != before {
            self.bump();
        }
        Ok(total)
    }

    /// The test figures of the current weights.
    fn test_point(&self) -> Option<Metrics> {
        let c = self.trainer.config();
        let d = &self.data;
        evaluate(
            self.network(),
            &d.test_x,
            &d.test_y,
            c.loss,
            c.reduction,
            c.l1,
            c.l2,
        )
        .ok()
    }

    /// Computes the figures of the current weights unless they are up to date. Weights whose
    /// pass is not finite (a diverging run) keep the last finite figures.
    pub fn refresh_metrics(&mut self) {
        if !self.metrics_behind() {
            return;
        }
        let iteration = self.iteration();
        let measured = RunMetrics::measure(
            self.trainer.network(),
            self.trainer.config(),
            &self.data,
            (self.generation, iteration),
        );
        let Some(metrics) = measured else {
            // Not finite (or not measurable): mark these weights as measured so nobody waits
            // for figures that will not come.
            if let Some(m) = &mut self.metrics {
                m.generation = self.generation;
            }
            return;
        };
        if self.data.test_rows.len() > LARGE_TEST_ROWS
            && let Some(test) = &metrics.test
        {
            // Large test sets are not evaluated during training: their curve comes from here.
            self.history.set_test(iteration, test.loss, test.accuracy);
        }
        self.metrics = Some(metrics);
    }

    /// Applies a changed spec. A change of the network (layers, output, initial weights, seed)
    /// starts over from new weights; a change of the training alone keeps the weights, the
    /// iteration count and the curves (a run stopped by diverging may then go on). On error
    /// nothing changes.
    pub fn set_spec(&mut self, spec: RunSpec) -> Result<(), SpecError> {
        if spec.network != self.spec.network {
            let fresh = Self::new(spec, Arc::clone(&self.data))?;
            self.replace_with(fresh);
            return Ok(());
        }
        let config = Self::config_for(&spec, &self.data, self.trainer.network())?;
        self.trainer.set_config(config);
        self.spec = spec;
        Ok(())
    }

    /// Starts over from the spec's initial weights.
    pub fn reset(&mut self) -> Result<(), SpecError> {
        let fresh = Self::new(self.spec.clone(), Arc::clone(&self.data))?;
        self.replace_with(fresh);
        Ok(())
    }

    /// Takes `fresh`'s state, keeping the generation counter going.
    fn replace_with(&mut self, fresh: Self) {
        let generation = self.generation;
        *self = fresh;
        self.generation = generation + 1;
    }

    /// Sets one weight by hand and goes on from it (the count and the curves go on); the
    /// history keeps the edit.
    pub fn set_weight(
        &mut self,
        layer: usize,
        row: usize,
        col: usize,
        value: f64,
    ) -> Result<(), SpecError> {
        let from = self.trainer.set_weight(layer, row, col, value)?;
        self.timeline.push(self.trainer.state(), true);
        self.history.record_edit(super::history::WeightEdit {
            iteration: self.trainer.iteration(),
            layer,
            row,
            col,
            from,
            to: value,
        });
        self.metrics = None;
        self.bump();
        Ok(())
    }

    /// Goes on from `network` (a loaded model, edited weights): the count starts over.
    pub fn set_network(&mut self, network: Network) -> Result<(), SpecError> {
        Self::check_fits(&network, &self.data)?;
        self.trainer.set_network(network);
        self.history.clear();
        self.timeline.clear();
        self.timeline.push(self.trainer.state(), true);
        self.metrics = None;
        self.id = fresh_id();
        self.bump();
        Ok(())
    }

    /// Trains on other rows of the same features and targets (an added or erased point),
    /// keeping the weights.
    pub fn set_data(&mut self, data: Arc<Prepared>) -> Result<(), SpecError> {
        Self::check_fits(self.trainer.network(), &data)?;
        let config = Self::config_for(&self.spec, &data, self.trainer.network())?;
        self.trainer.set_config(config);
        self.data = data;
        self.metrics = None;
        self.bump();
        Ok(())
    }

    /// Lets a run stopped by its tolerance go on.
    pub fn resume(&mut self) {
        self.trainer.resume();
    }
}

/// A number no other network of this process has.
fn fresh_id() -> u64 {
    static NEXT: AtomicU64 = AtomicU64::new(1);
    NEXT.fetch_add(1, Ordering::Relaxed)
}

/// R² = 1 − SSE / SST of `network`'s predictions on rows `x` (regression targets only; `None`
/// for classes, fewer than two rows, constant targets or a pass that is not finite).
pub fn r_squared(network: &Network, x: &Matrix, y: &Targets) -> Option<f64> {
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
