//! The runtime state rebuilt from [`Settings`]: the data, its prepared matrices, and the runs
//! (the network and the baseline beside it) on their worker thread. No egui here, so it can be
//! driven and tested headless.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use crate::data::{CsvSource, Dataset, Prepared};
use crate::model::{SavedModel, SavedScaling};
use crate::nn::{Matrix, Network, Reduction, Targets};
use crate::train::health::{HEALTH_ROWS, sample_rows};
use crate::train::worker::{self, Published, RunView, Worker};
use crate::train::{Preparation, Run, RunMetrics, RunSpec, SpecError, Stop, diagnose};

use super::commands::{Notice, Stats};
use super::settings::{Settings, Speed};

pub use crate::train::BASELINE_ITERATIONS;

/// A moment a run shows while scrubbing: its iteration, network and figures.
type ScrubbedMoment = (u64, Arc<Network>, Option<Arc<RunMetrics>>);

/// Set in the generation of a run's view that shows a kept moment (see
/// [`Session::scrub_to`]): live generations never reach it.
const SCRUBBED_GENERATION: u64 = 1 << 63;

/// The baseline's place among the runs.
pub const BASELINE: usize = 0;
/// The network's place among the runs.
pub const MAIN: usize = 1;

/// The engine's account of a divergence for a student: "the loss overflowed" rather than
/// "the loss is NaN".
fn plain_words(what: &str) -> String {
    if let Some(rest) = what.strip_prefix("the loss rose to ") {
        let value = rest.split(',').next().unwrap_or(rest);
        return format!(
            "the loss shot up to {value}, over a hundred times what it started from: the steps \
             are too big"
        );
    }
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

/// A setting as a person types it: `10`, `0.001` (6 significant digits at most).
fn short_number(v: f64) -> String {
    let rounded: f64 = format!("{v:.5e}").parse().unwrap_or(v);
    format!("{rounded}")
}

/// What to try after run `spec` (its loss reduced by `reduction`) diverged on data
/// standardised or not: a smaller rate first,
/// then what fits this run.
pub fn divergence_advice(spec: &RunSpec, reduction: Reduction, standardized: bool) -> String {
    let rate = spec.training.learning_rate;
    let mut tries = vec![format!(
        "a smaller learning rate (now {}; try {})",
        short_number(rate),
        short_number(rate / 10.0)
    )];
    if !standardized {
        tries.push("ticking \"standardise\" under Data".to_owned());
    }
    let relu = spec.network.hidden.iter().any(|h| {
        matches!(
            h.activation,
            crate::nn::Activation::Relu | crate::nn::Activation::LeakyRelu
        )
    });
    if relu
        && !matches!(
            spec.network.init,
            crate::nn::Init::He | crate::nn::Init::Auto
        )
    {
        tries.push("He initial weights (made for ReLU)".to_owned());
    }
    if spec.training.optimizer == crate::train::Optimizer::Gd && reduction == Reduction::Sum {
        tries.push("the mean loss instead of the sum (More training settings)".to_owned());
    }
    let last = tries.pop().unwrap_or_default();
    if tries.is_empty() {
        format!("Try {last}")
    } else {
        format!("Try {}, or {last}", tries.join(", "))
    }
}

/// The message for a run that stopped by itself: what happened, in plain words, and what to
/// try (`advice`, for a divergence).
/// `cause`, if given, names the layer to blame (see [`crate::train::diagnose`]).
pub fn stop_notice(stop: &Stop, advice: &str, cause: Option<&str>) -> Notice {
    match stop {
        Stop::Diverged { iteration, what } => {
            let cause = cause.map_or_else(String::new, |c| format!(" Likely cause: {c}."));
            Notice::error(format!(
                "Training diverged at iteration {iteration}: {}.{cause} Paused at the last good \
                 weights. {advice}, then press Play.",
                plain_words(what)
            ))
        }
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

/// Data sets with more rows than this are trained on mini-batches by default (a full pass
/// over them takes longer than a frame).
pub const LARGE_ROWS: usize = 20_000;
/// The mini-batch size a large data set gets when it is loaded.
pub const LARGE_BATCH: usize = 256;

/// Everything the app computes from the settings.
#[derive(Debug)]
pub struct Session {
    /// The data set, raw units.
    pub dataset: Dataset,
    /// The CSV it came from, if any.
    pub csv: Option<CsvSource>,
    /// Split and scaled matrices, shared with the runs.
    pub prepared: Arc<Prepared>,
    /// Min and max of each feature over all rows, raw units.
    pub ranges: Vec<(f64, f64)>,
    /// Value of each feature held fixed in the plot plane (raw units; x and y ignored).
    pub slice: Vec<f64>,
    /// Increased on every change of the data (new set, added point…).
    pub data_version: u64,
    /// The message in the window.
    pub notice: Option<Notice>,
    /// Speed figures.
    pub stats: Stats,
    /// The runs' state this frame draws (see [`Self::refresh`]).
    pub view: Arc<Published>,
    worker: Worker,
    /// Each run's stop as last seen, to say once that it stopped.
    seen_stops: Vec<Option<Stop>>,
    /// Per run id, the iteration up to which a stall was told: a stall is told again only
    /// once it lies wholly after that.
    stalls_told: HashMap<u64, u64>,
    /// The iteration every run shows instead of its live state, while scrubbing back.
    scrub: Option<u64>,
    /// Run 1's live iteration.
    live_main: u64,
    /// Per run id, the moment shown while scrubbing: its iteration, network and figures.
    scrubbed: HashMap<u64, ScrubbedMoment>,
    /// How many runs (besides the baseline) the worker was asked to hold.
    run_count: usize,
    /// What the last play, pause or step asked of the network, and how many commands had been
    /// sent with it: until the worker applied them, this is what [`Self::playing`] says.
    asked_playing: Option<(u64, bool)>,
    /// The seed of the baseline's initial weights (N(0, 1)), so that the network can repeat it.
    pub baseline_seed: u64,
}

/// The baseline's spec on `prepared`: mini-batches on large data.
pub fn baseline_spec(settings: &Settings, prepared: &Prepared) -> RunSpec {
    RunSpec::baseline(
        settings.run.network.seed,
        (prepared.train_x.rows() > LARGE_ROWS).then_some(LARGE_BATCH),
    )
}

/// Min and max of each column of `x` (`(0, 1)` for a column without a finite value), in one
/// pass over the rows.
fn column_ranges(x: &Matrix) -> Vec<(f64, f64)> {
    let mut ranges = vec![(f64::INFINITY, f64::NEG_INFINITY); x.cols()];
    for row in x.iter_rows() {
        for ((lo, hi), &v) in ranges.iter_mut().zip(row) {
            if v.is_finite() {
                (*lo, *hi) = (lo.min(v), hi.max(v));
            }
        }
    }
    ranges
        .into_iter()
        .map(|(lo, hi)| {
            if lo.is_finite() && hi.is_finite() {
                (lo, hi)
            } else {
                (0.0, 1.0)
            }
        })
        .collect()
}

/// A data set with what a session derives from it (its prepared matrices, the range of each
/// feature and the row the plot's slice starts at), ready to replace a session's data. Made
/// without the session, so that a large file's can be made off the UI thread.
#[derive(Debug)]
pub struct NewData {
    dataset: Dataset,
    csv: Option<CsvSource>,
    /// What `prepared` was prepared under.
    preparation: Preparation,
    prepared: Arc<Prepared>,
    ranges: Vec<(f64, f64)>,
    slice: Vec<f64>,
}

impl NewData {
    /// `dataset` (and the CSV file it came from, if any) prepared under `preparation`; fails
    /// with a message for the window.
    pub fn new(
        preparation: &Preparation,
        dataset: Dataset,
        csv: Option<CsvSource>,
    ) -> Result<Self, String> {
        let prepared = prepare_with(preparation, &dataset)?;
        Ok(Self::of(preparation, dataset, csv, prepared))
    }

    /// `dataset` (and the CSV file it came from, if any) split into these training and test
    /// rows (each ascending, together every row once; a session file's) and scaled under
    /// `preparation`; fails with a message for the window.
    pub fn with_rows(
        preparation: &Preparation,
        dataset: Dataset,
        csv: Option<CsvSource>,
        (train, test): (Vec<usize>, Vec<usize>),
    ) -> Result<Self, String> {
        let prepared = preparation
            .prepare_split(&dataset, train, test)
            .map_err(|e| format!("cannot use {}: {e}", dataset.name))?;
        Ok(Self::of(preparation, dataset, csv, prepared))
    }

    /// `dataset` with its matrices `prepared` under `preparation`, and what the plot derives.
    fn of(
        preparation: &Preparation,
        dataset: Dataset,
        csv: Option<CsvSource>,
        prepared: Prepared,
    ) -> Self {
        Self {
            ranges: column_ranges(&dataset.features),
            slice: dataset.typical_row(),
            dataset,
            csv,
            preparation: preparation.clone(),
            prepared: Arc::new(prepared),
        }
    }

    /// The data set.
    pub fn dataset(&self) -> &Dataset {
        &self.dataset
    }

    /// The CSV file it came from, if any.
    pub fn csv(&self) -> Option<&CsvSource> {
        self.csv.as_ref()
    }

    /// Its prepared matrices (the runs of a session file are built on them).
    pub fn prepared(&self) -> &Arc<Prepared> {
        &self.prepared
    }
}

/// Run `k` (0 is run 1) built from the settings on `prepared`.
fn build_run(settings: &Settings, k: usize, prepared: &Arc<Prepared>) -> Result<Run, String> {
    Run::new(settings.run_spec(k).clone(), Arc::clone(prepared)).map_err(|e| {
        if settings.run_count() > 1 {
            format!("cannot build run {}: {e}", k + 1)
        } else {
            format!("cannot build the network: {e}")
        }
    })
}

/// The runs of a session on `prepared`: the baseline, then every run the settings describe.
fn build_runs(settings: &Settings, prepared: &Arc<Prepared>) -> Result<(Run, Vec<Run>), String> {
    let runs = (0..settings.run_count())
        .map(|k| build_run(settings, k, prepared))
        .collect::<Result<Vec<_>, _>>()?;
    let baseline = baseline_run(settings, Arc::clone(prepared))
        .map_err(|e| format!("cannot build the baseline: {e}"))?;
    Ok((baseline, runs))
}

/// The baseline's run on `prepared`: it keeps no timeline (the network's is the one scrubbed).
fn baseline_run(settings: &Settings, prepared: Arc<Prepared>) -> Result<Run, SpecError> {
    let mut run = Run::new(baseline_spec(settings, &prepared), prepared)?;
    run.set_timeline_budget(0);
    Ok(run)
}

/// The worker's index of run `k` (0 is run 1).
fn slot(k: usize) -> usize {
    MAIN + k
}

impl Session {
    /// A session on `dataset` with `settings`, paused; fails (with a message for the window) if
    /// the data cannot be prepared or the network built. `notify` is called from the worker
    /// thread whenever it publishes a new state (the window asks for a frame there).
    pub fn new(
        settings: &Settings,
        dataset: Dataset,
        csv: Option<CsvSource>,
        notify: impl Fn() + Send + 'static,
    ) -> Result<Self, String> {
        let prepared = Arc::new(prepare_data(settings, &dataset)?);
        let (baseline, runs) = build_runs(settings, &prepared)?;
        let run_count = runs.len();
        let mut worker = Worker::start(notify);
        worker.send(worker::Command::SetSpeed(settings.speed.per_second()));
        // Compared runs train in step, so that their plots and curves show the same moment.
        worker.send(worker::Command::Lockstep(Some(MAIN)));
        worker.send(worker::Command::Add {
            run: Box::new(baseline),
            playing: true,
        });
        for run in runs {
            worker.send(worker::Command::Add {
                run: Box::new(run),
                playing: false,
            });
        }
        let view = worker.wait_until(Duration::from_secs(10), |p| p.runs.len() > run_count);
        Ok(Self {
            ranges: column_ranges(&dataset.features),
            slice: dataset.typical_row(),
            dataset,
            csv,
            prepared,
            data_version: 0,
            notice: None,
            stats: Stats::default(),
            view,
            worker,
            seen_stops: Vec::new(),
            stalls_told: HashMap::new(),
            scrub: None,
            live_main: 0,
            scrubbed: HashMap::new(),
            run_count,
            asked_playing: None,
            baseline_seed: settings.run.network.seed,
        })
    }

    /// Takes the newest state the worker published; says once when a run stopped by itself
    /// (a divergence or the tolerance).
    pub fn refresh(&mut self) {
        let old = std::mem::replace(&mut self.view, self.worker.latest());
        let comparing = self.runs().len() > 1;
        let stops: Vec<Option<Stop>> = self.runs().iter().map(|r| r.stopped.clone()).collect();
        for (k, stop) in stops.iter().enumerate() {
            if let Some(stop) = stop
                && self.seen_stops.get(k) != Some(&Some(stop.clone()))
            {
                let run = &self.runs()[k];
                let advice = divergence_advice(
                    &run.spec,
                    run.config.reduction,
                    self.prepared.scaling.is_some(),
                );
                let (x, y) = sample_rows(&run.data, HEALTH_ROWS);
                let cause = diagnose::divergence(
                    &run.history,
                    &run.network,
                    &run.config,
                    (&x, &y),
                    run.iteration + 1,
                )
                .ok()
                .flatten()
                .map(|f| f.describe(&run.network));
                let mut notice = stop_notice(stop, &advice, cause.as_deref());
                if comparing {
                    notice.text = format!("Run {}: {}", k + 1, notice.text);
                }
                self.notice = Some(notice);
            }
        }
        self.seen_stops = stops;
        if let Some(notice) = self.stall_notice(comparing) {
            self.notice = Some(notice);
        }
        let errors: Vec<(usize, String)> = self
            .runs()
            .iter()
            .enumerate()
            .filter(|(k, run)| old.runs.get(slot(*k)).is_none_or(|o| o.error != run.error))
            .filter_map(|(k, run)| run.error.clone().map(|e| (k, e)))
            .collect();
        for (k, e) in errors {
            let whose = if comparing {
                format!("run {}", k + 1)
            } else {
                "the network".to_owned()
            };
            self.notice = Some(Notice::error(format!("cannot train {whose}: {e}")));
        }
        self.stats.iterations_per_second =
            self.runs().iter().map(|r| r.iterations_per_second).sum();
        self.show_scrubbed();
    }

    /// Run 1's live iteration (what it shows unless scrubbed back).
    pub fn live_iteration(&self) -> u64 {
        self.live_main
    }

    /// The iteration the runs show while scrubbing back (`None`: their live state).
    pub fn scrubbed_to(&self) -> Option<u64> {
        self.scrub
    }

    /// Shows every run at its latest kept moment at or before `at` (the decision plot, the
    /// diagram, the numbers and the panels follow), pausing them; `None` goes back to the live
    /// state. Playing, stepping or resetting goes back too.
    pub fn scrub_to(&mut self, at: Option<u64>) {
        if at.is_some() && self.playing() {
            self.set_playing(false);
        }
        self.scrub = at;
        self.refresh();
    }

    /// Branches every run from the moment scrubbed to (see [`Run::continue_from`]) and plays.
    pub fn continue_from_scrubbed(&mut self) {
        let Some(at) = self.scrub.take() else {
            return;
        };
        for k in 0..self.run_count {
            self.worker.send(worker::Command::ContinueFrom {
                index: slot(k),
                iteration: at,
            });
        }
        self.seen_stops.clear();
        self.set_playing(true);
    }

    /// Replaces each run's view by its moment scrubbed to, if any (see [`Self::scrub_to`]).
    fn show_scrubbed(&mut self) {
        self.live_main = self.view.runs.get(MAIN).map_or(0, |r| r.iteration);
        let Some(at) = self.scrub else {
            self.scrubbed.clear();
            return;
        };
        let mut published = (*self.view).clone();
        for run in published.runs.iter_mut().skip(MAIN) {
            let Some(moment) = run.moments.at_or_before(at).cloned() else {
                continue;
            };
            let iteration = moment.iteration();
            if iteration == run.iteration {
                continue; // the live state itself
            }
            // A generation of its own, so that every cache of the run's outputs tells it apart.
            let generation = SCRUBBED_GENERATION | iteration;
            let cached = self
                .scrubbed
                .get(&run.id)
                .filter(|(i, _, _)| *i == iteration)
                .cloned();
            let (_, network, metrics) = cached.unwrap_or_else(|| {
                let mut network = (*run.network).clone();
                let fits = network.set_weights(moment.weights().to_vec()).is_ok();
                let metrics = fits
                    .then(|| {
                        RunMetrics::measure(
                            &network,
                            &run.config,
                            &run.data,
                            (generation, iteration),
                        )
                    })
                    .flatten()
                    .map(Arc::new);
                let entry = (iteration, Arc::new(network), metrics);
                self.scrubbed.insert(run.id, entry.clone());
                entry
            });
            run.network = network;
            run.metrics = metrics;
            run.iteration = iteration;
            run.generation = generation;
            run.metrics_behind = false;
        }
        self.view = Arc::new(published);
    }

    /// Says once per stall that a run has stalled, and why (see [`diagnose`]): the first run
    /// that newly has.
    fn stall_notice(&mut self, comparing: bool) -> Option<Notice> {
        let (k, stall) = self.runs().iter().enumerate().find_map(|(k, run)| {
            let stall = diagnose::stall(&run.history)?;
            let told = self.stalls_told.get(&run.id).copied().unwrap_or(0);
            (run.stopped.is_none() && stall.since >= told).then_some((k, stall))
        })?;
        let run = &self.runs()[k];
        let (x, y) = sample_rows(&run.data, HEALTH_ROWS);
        let cause =
            match diagnose::stall_cause(&run.network, &run.config, (&x, &y), Some(&run.history)) {
                Ok(finding) => finding.describe(&run.network),
                Err(e) => e.to_string(),
            };
        let mut text = format!(
            "{}. Likely cause: {cause}.",
            diagnose::describe_stall(&stall)
        );
        if comparing {
            text = format!("Run {}: {text}", k + 1);
        }
        self.stalls_told.insert(run.id, stall.until);
        Some(Notice::info(text))
    }

    /// Every run's state this frame draws (run 1 first), without the baseline.
    pub fn runs(&self) -> &[RunView] {
        self.view.runs.get(MAIN..).unwrap_or_default()
    }

    /// Run `k`'s state (0 is run 1; the last run's if there are fewer).
    pub fn run(&self, k: usize) -> &RunView {
        let runs = self.runs();
        &runs[k.min(runs.len() - 1)]
    }

    /// Run 1's state this frame draws.
    pub fn main(&self) -> &RunView {
        &self.view.runs[MAIN]
    }

    /// The baseline's state this frame draws.
    pub fn baseline(&self) -> &RunView {
        &self.view.runs[BASELINE]
    }

    /// True while the network trains continuously (as last asked, even before the worker has
    /// caught up).
    pub fn playing(&self) -> bool {
        match self.asked_playing {
            Some((sent, playing)) if self.view.applied < sent => playing,
            _ => self.runs().iter().any(|r| r.playing),
        }
    }

    /// True while commands are on their way to the worker or any run trains: the window keeps
    /// drawing frames.
    pub fn busy(&self) -> bool {
        self.view.applied < self.worker.sent() || self.view.busy()
    }

    /// Waits (at most `timeout`) until the worker applied every command and no run trains; for
    /// tests and headless tools (the window never waits).
    pub fn wait_idle(&mut self, timeout: Duration) {
        self.wait_until(timeout, |p| !p.busy());
    }

    /// Waits (at most `timeout`) until the worker applied every command and every run is
    /// paused with nothing left to do; the baseline may go on.
    pub fn wait_paused(&mut self, timeout: Duration) {
        self.wait_until(timeout, |p| {
            p.runs.len() > MAIN
                && p.runs[MAIN..]
                    .iter()
                    .all(|r| !r.busy() && !r.metrics_behind)
        });
    }

    /// Waits (at most `timeout`) until the worker applied every command sent and `ready` holds
    /// for its published state, then takes that state; for tests and headless tools.
    pub fn wait_until(&mut self, timeout: Duration, ready: impl Fn(&Published) -> bool) {
        self.worker.wait_until(timeout, ready);
        self.refresh();
    }

    /// Plays or pauses every run.
    pub fn set_playing(&mut self, playing: bool) {
        if playing {
            self.scrub = None;
        }
        for k in 0..self.run_count {
            self.worker.send(worker::Command::SetPlaying {
                index: slot(k),
                playing,
            });
        }
        self.asked_playing = Some((self.worker.sent(), playing));
    }

    /// Sets one weight of run `k` by hand; it trains on from there.
    pub fn set_weight(&mut self, k: usize, layer: usize, row: usize, col: usize, value: f64) {
        self.worker.send(worker::Command::SetWeight {
            index: slot(k),
            layer,
            row,
            col,
            value,
        });
    }

    /// Pauses every run and trains each `n` more iterations.
    pub fn step(&mut self, n: u64) {
        self.scrub = None;
        for k in 0..self.run_count {
            self.worker
                .send(worker::Command::Step { index: slot(k), n });
        }
        self.asked_playing = Some((self.worker.sent(), false));
    }

    /// Lets the runs stopped by their tolerance go on.
    pub fn resume(&mut self) {
        for k in 0..self.run_count {
            self.worker.send(worker::Command::Resume(slot(k)));
        }
    }

    /// Adds the settings' last run, playing if the others play.
    pub fn add_run(&mut self, settings: &Settings) -> Result<(), String> {
        let k = self.run_count;
        let run = build_run(settings, k, &self.prepared)?;
        let playing = self.playing();
        self.worker.send(worker::Command::Add {
            run: Box::new(run),
            playing,
        });
        self.run_count += 1;
        Ok(())
    }

    /// Removes run `k` (not run 1); the later runs move down by one.
    pub fn remove_run(&mut self, k: usize) {
        if k == 0 || k >= self.run_count {
            return;
        }
        self.worker.send(worker::Command::Remove(slot(k)));
        self.run_count -= 1;
        if k < self.seen_stops.len() {
            self.seen_stops.remove(k);
        }
    }

    /// The most iterations per second each run trains.
    pub fn set_speed(&mut self, speed: Speed) {
        self.worker
            .send(worker::Command::SetSpeed(speed.per_second()));
    }

    /// The model file for the current network: weights plus what predicting on raw rows needs.
    pub fn saved_model(&self) -> SavedModel {
        let scaling = self.prepared.scaling.as_ref().map(|s| SavedScaling {
            mean: s.mean.clone(),
            sd: s.sd.clone(),
        });
        SavedModel::new(
            &self.main().network,
            self.dataset.feature_names.clone(),
            self.dataset.target_name.clone(),
            self.dataset.class_names().to_vec(),
            scaling,
        )
        .with_levels(self.dataset.levels.clone())
        .with_inputs(self.prepared.inputs.clone())
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
        if model.inputs != self.prepared.inputs {
            let text = |i: &Option<crate::data::Inputs>| {
                i.as_ref()
                    .map_or_else(|| "the features".to_owned(), |i| i.text().to_owned())
            };
            return Err(format!(
                "{name}: the model takes as inputs {}, the current network {}",
                text(&model.inputs),
                text(&self.prepared.inputs)
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
        if network.architecture().outputs != self.main().network.architecture().outputs {
            return Err(format!(
                "{name}: the model's output does not fit the current data"
            ));
        }
        self.worker.send(worker::Command::SetNetwork {
            index: MAIN,
            network: Box::new(network),
        });
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
        self.use_data(settings, NewData::new(&settings.preparation, dataset, csv)?)
    }

    /// [`Self::replace_data`] with data already prepared (off the UI thread, for a large file);
    /// prepared again if `settings` prepare otherwise.
    pub fn use_data(&mut self, settings: &Settings, data: NewData) -> Result<(), String> {
        let data = if data.preparation == settings.preparation {
            data
        } else {
            NewData::new(&settings.preparation, data.dataset, data.csv)?
        };
        let (baseline, runs) = build_runs(settings, &data.prepared)?;
        self.ranges = data.ranges;
        self.slice = data.slice;
        self.dataset = data.dataset;
        // Built-in data (`None`) leaves the CSV file behind: the Data panel shows the generator.
        self.csv = data.csv;
        self.prepared = data.prepared;
        self.data_version += 1;
        self.replace_runs(settings, baseline, runs);
        Ok(())
    }

    /// Every run's exact state between two iterations (run 1 first, no baseline), for a session
    /// file; fails if the worker does not answer.
    pub fn capture_runs(&self) -> Result<Vec<worker::Captured>, String> {
        let mut all = self
            .worker
            .capture(Duration::from_secs(30))
            .ok_or_else(|| "the training thread did not answer".to_owned())?;
        if all.len() <= MAIN {
            return Err("no run to save".to_owned());
        }
        Ok(all.split_off(MAIN))
    }

    /// Replaces the data and the runs with a session file's (`runs` built on `data`'s prepared
    /// matrices, run 1 first), paused at the moment they were saved at; the baseline starts
    /// over. On failure (the baseline cannot be built) nothing changes.
    pub fn use_restored(
        &mut self,
        settings: &Settings,
        data: NewData,
        runs: Vec<Run>,
    ) -> Result<(), String> {
        let baseline = baseline_run(settings, Arc::clone(&data.prepared))
            .map_err(|e| format!("cannot build the baseline: {e}"))?;
        self.ranges = data.ranges;
        self.slice = data.slice;
        self.dataset = data.dataset;
        self.csv = data.csv;
        self.prepared = data.prepared;
        self.data_version += 1;
        self.scrub = None;
        self.send_runs(settings, baseline, runs, false);
        self.asked_playing = Some((self.worker.sent(), false));
        Ok(())
    }

    /// Builds every run (and the baseline) again from `settings` on the current data; on
    /// failure nothing changes.
    pub fn rebuild_runs(&mut self, settings: &Settings) -> Result<(), String> {
        let (baseline, runs) = build_runs(settings, &self.prepared)?;
        self.replace_runs(settings, baseline, runs);
        Ok(())
    }

    /// Sends new runs to the worker; they keep playing or pausing as the old ones did.
    fn replace_runs(&mut self, settings: &Settings, baseline: Run, runs: Vec<Run>) {
        let playing = self.playing();
        self.send_runs(settings, baseline, runs, playing);
    }

    /// Sends new runs to the worker, playing or paused.
    fn send_runs(&mut self, settings: &Settings, baseline: Run, runs: Vec<Run>, playing: bool) {
        self.baseline_seed = settings.run.network.seed;
        self.worker.send(worker::Command::Replace {
            index: BASELINE,
            run: Box::new(baseline),
            playing: true,
        });
        self.send_runs_without_baseline(settings, runs, playing);
    }

    /// Sends new runs (not the baseline) to the worker, playing or paused.
    fn send_runs_without_baseline(&mut self, settings: &Settings, runs: Vec<Run>, playing: bool) {
        while self.run_count > runs.len() {
            self.run_count -= 1;
            self.worker
                .send(worker::Command::Remove(slot(self.run_count)));
        }
        for (k, run) in runs.into_iter().enumerate() {
            let run = Box::new(run);
            self.worker.send(if k < self.run_count {
                worker::Command::Replace {
                    index: slot(k),
                    run,
                    playing,
                }
            } else {
                worker::Command::Add { run, playing }
            });
        }
        self.run_count = settings.run_count();
        self.seen_stops.clear();
    }

    /// Re-splits and re-scales the current data (test fraction, standardisation, split seed),
    /// then starts the network and the baseline over: their inputs changed meaning.
    pub fn reprepare(&mut self, settings: &Settings) -> Result<(), String> {
        let prepared = Arc::new(prepare_data(settings, &self.dataset)?);
        let (baseline, runs) = build_runs(settings, &prepared)?;
        self.ranges = column_ranges(&self.dataset.features);
        if self.slice.len() != self.dataset.n_features() {
            self.slice = self.dataset.typical_row();
        }
        self.prepared = prepared;
        self.data_version += 1;
        self.replace_runs(settings, baseline, runs);
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

    /// Uses these train and test rows of the (edited) data set, keeping the network's weights;
    /// the baseline starts over on the new data.
    fn set_rows(&mut self, settings: &Settings, train: Vec<usize>, test: Vec<usize>) {
        let standardize = settings.preparation.standardizes(&self.dataset);
        let inputs = self.prepared.inputs.clone();
        let prepared = Arc::new(Prepared::from_rows(
            &self.dataset,
            train,
            test,
            standardize,
            inputs.as_ref(),
        ));
        self.ranges = column_ranges(&self.dataset.features);
        self.data_version += 1;
        self.prepared = Arc::clone(&prepared);
        self.worker
            .send(worker::Command::SetData(Arc::clone(&prepared)));
        if let Ok(baseline) = baseline_run(settings, prepared) {
            self.worker.send(worker::Command::Replace {
                index: BASELINE,
                run: Box::new(baseline),
                playing: true,
            });
        }
    }

    /// New networks from their seeds for every run (reset).
    pub fn rebuild_network(&mut self, settings: &Settings) -> Result<(), String> {
        let runs = (0..self.run_count)
            .map(|k| build_run(settings, k, &self.prepared))
            .collect::<Result<Vec<_>, _>>()?;
        for (k, run) in runs.into_iter().enumerate() {
            self.send_run(k, run);
        }
        self.seen_stops.clear();
        Ok(())
    }

    /// A new network from its seed for run `k` (architecture, initialisation or seed changed).
    pub fn rebuild_run(&mut self, settings: &Settings, k: usize) -> Result<(), String> {
        let run = build_run(settings, k, &self.prepared)?;
        self.send_run(k, run);
        if let Some(seen) = self.seen_stops.get_mut(k) {
            *seen = None;
        }
        Ok(())
    }

    fn send_run(&mut self, k: usize, run: Run) {
        self.scrub = None;
        let playing = self.playing();
        self.worker.send(worker::Command::Replace {
            index: slot(k),
            run: Box::new(run),
            playing,
        });
    }

    /// Applies run `k`'s new training settings, keeping its weights; refused settings change
    /// nothing and the message says why. A run the trainer stopped for diverging may go on with
    /// other settings: the message then says so.
    pub fn set_train_spec(&mut self, settings: &Settings, k: usize) -> Result<(), String> {
        let spec = settings.run_spec(k).clone();
        let run = self.run(k);
        let head = run.network.architecture().head;
        spec.training
            .config(head, &self.prepared.train_y)
            .map_err(|e| e.to_string())?;
        let diverged = matches!(run.stopped, Some(Stop::Diverged { .. }));
        let iteration = run.iteration;
        let learning_rate = spec.training.learning_rate;
        self.worker.send(worker::Command::SetSpec {
            index: slot(k),
            spec,
        });
        if diverged {
            self.notice = Some(Notice::info(format!(
                "Training settings changed (learning rate {learning_rate}): press Play to go on \
                 from iteration {iteration}."
            )));
        }
        Ok(())
    }

    /// With a summed loss, the rows behind each training and test loss figure of the history
    /// (a training figure covers one batch); `None` for a mean loss. Dividing by them gives the
    /// loss per row, comparable across training, test and batch sizes.
    pub fn rows_per_loss(&self, k: usize) -> Option<(usize, usize)> {
        let config = &self.run(k).config;
        let train = self.prepared.train_rows.len();
        (config.reduction == Reduction::Sum).then(|| {
            (
                config.batch_size.map_or(train, |b| b.min(train)),
                self.prepared.test_rows.len(),
            )
        })
    }

    /// The iteration whose pass diverged, if a run stopped for that (the first such run).
    pub fn diverged_at(&self) -> Option<u64> {
        self.runs().iter().find_map(|r| match &r.stopped {
            Some(Stop::Diverged { iteration, .. }) => Some(*iteration),
            _ => None,
        })
    }

    /// Records the frame's own work time.
    pub fn record_frame_time(&mut self, ms: f64) {
        self.stats.frame_ms = ms;
    }
}

/// Splits and scales `dataset` as `settings` say.
pub fn prepare_data(settings: &Settings, dataset: &Dataset) -> Result<Prepared, String> {
    prepare_with(&settings.preparation, dataset)
}

/// Splits and scales `dataset` under `preparation`.
fn prepare_with(preparation: &Preparation, dataset: &Dataset) -> Result<Prepared, String> {
    preparation
        .prepare(dataset)
        .map_err(|e| format!("cannot use {}: {e}", dataset.name))
}
