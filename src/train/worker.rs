//! Runs trained on a worker thread: the UI thread sends [`Command`]s and reads the newest
//! [`Published`] state, and never waits for a training step.
//!
//! Commands take effect between two iterations (a command sets an interrupt flag that the
//! trainer checks before every iteration), so a pause stops training within one iteration, and
//! what an iteration computes never depends on when frames happen: the weights at iteration *n*
//! depend on the spec and the commands only. The thread sleeps on its command channel whenever
//! no run trains (no spinning), and is joined when the [`Worker`] is dropped.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crate::data::Prepared;
use crate::nn::Network;

use super::spec::RunSpec;
use super::timeline::Moments;
use super::{History, Run, RunMetrics, Stop, TrainConfig};

/// What the worker is asked to do; applied in the order sent, between two iterations.
#[derive(Debug)]
pub enum Command {
    /// Appends a run (its index is the number of runs before it).
    Add {
        /// The run.
        run: Box<Run>,
        /// Whether it trains at once.
        playing: bool,
    },
    /// Replaces run `index` (e.g. built on new data).
    Replace {
        /// Which run.
        index: usize,
        /// The new run.
        run: Box<Run>,
        /// Whether it trains at once.
        playing: bool,
    },
    /// Removes run `index`; later runs move down by one.
    Remove(usize),
    /// Plays or pauses run `index`.
    SetPlaying {
        /// Which run.
        index: usize,
        /// Train (true) or pause.
        playing: bool,
    },
    /// Pauses run `index` and trains `n` more iterations.
    Step {
        /// Which run.
        index: usize,
        /// Iterations.
        n: u64,
    },
    /// Applies a changed spec (see [`Run::set_spec`]); a refused spec is reported in
    /// [`RunView::error`] and changes nothing.
    SetSpec {
        /// Which run.
        index: usize,
        /// The spec.
        spec: RunSpec,
    },
    /// Starts run `index` over from its initial weights.
    Reset(usize),
    /// Branches run `index` from its latest kept moment at or before `iteration` (see
    /// [`Run::continue_from`]).
    ContinueFrom {
        /// The run.
        index: usize,
        /// The moment.
        iteration: u64,
    },
    /// Goes on from these weights (a loaded model, an edited weight).
    SetNetwork {
        /// Which run.
        index: usize,
        /// The network.
        network: Box<Network>,
    },
    /// Sets one weight of run `index` by hand (see [`Run::set_weight`]).
    SetWeight {
        /// Which run.
        index: usize,
        /// Weight layer, row (0 is the bias) and column.
        layer: usize,
        /// Row.
        row: usize,
        /// Column.
        col: usize,
        /// The new value.
        value: f64,
    },
    /// Every run trains on these rows from now on (an added or erased point).
    SetData(Arc<Prepared>),
    /// Lets run `index` go on after its tolerance stopped it.
    Resume(usize),
    /// The most iterations per second each run trains; `None` for as fast as it can.
    SetSpeed(Option<f64>),
    /// Runs from this index on train in step (a comparison): none gets more than one trainer
    /// call ahead of the slowest that trains. `None`: each trains as fast as it can.
    Lockstep(Option<usize>),
}

/// What the UI draws of one run: a copy of its state at the last publication.
#[derive(Clone, Debug)]
pub struct RunView {
    /// The network's id (see [`Run::id`]).
    pub id: u64,
    /// The run's generation (see [`Run::generation`]): caches of its outputs key on it.
    pub generation: u64,
    /// Completed iterations.
    pub iteration: u64,
    /// The network with the current weights.
    pub network: Arc<Network>,
    /// The loss and accuracy curves.
    pub history: Arc<History>,
    /// The moments kept to look back at and go on from.
    pub moments: Arc<Moments>,
    /// The latest figures (they may lag the weights while training; see `metrics_behind`).
    pub metrics: Option<Arc<RunMetrics>>,
    /// True while the figures are older than the weights.
    pub metrics_behind: bool,
    /// Why training stopped by itself, if it did.
    pub stopped: Option<Stop>,
    /// True once the run reached its spec's iteration limit.
    pub reached_limit: bool,
    /// The trainer's settings as resolved for the data.
    pub config: TrainConfig,
    /// What the run was built from.
    pub spec: RunSpec,
    /// The rows it trains on.
    pub data: Arc<Prepared>,
    /// True while it trains continuously.
    pub playing: bool,
    /// Iterations still to train while paused.
    pub pending_steps: u64,
    /// Iterations trained per second lately (0 while it does not train).
    pub iterations_per_second: f64,
    /// Why the last command for this run was refused, if it was.
    pub error: Option<String>,
}

impl RunView {
    /// True while it trains or has steps to do.
    pub fn busy(&self) -> bool {
        (self.playing || self.pending_steps > 0) && !self.finished()
    }

    /// True when training would do nothing: stopped by itself or at its limit.
    pub fn finished(&self) -> bool {
        self.stopped.is_some() || self.reached_limit
    }
}

/// The state of every run at one moment.
#[derive(Clone, Debug, Default)]
pub struct Published {
    /// How many commands had been applied.
    pub applied: u64,
    /// One view per run, in order.
    pub runs: Vec<RunView>,
}

impl Published {
    /// True while any run trains or has steps to do.
    pub fn busy(&self) -> bool {
        self.runs.iter().any(RunView::busy)
    }
}

/// What both threads share.
struct Shared {
    published: Mutex<Arc<Published>>,
    /// Signalled on every publication (for [`Worker::wait_until`]).
    changed: Condvar,
    /// Set by the sender of a command: the trainer stops before its next iteration.
    interrupt: AtomicBool,
}

enum Message {
    Command(Command),
    /// Reply with every run's exact state (see [`Worker::capture`]).
    Capture(Sender<Vec<Captured>>),
    Shutdown,
}

/// One run's exact state between two iterations (see [`Worker::capture`]): what a session file
/// keeps to go on from.
#[derive(Clone, Debug)]
pub struct Captured {
    /// What the run was built from.
    pub spec: RunSpec,
    /// The trainer's whole state.
    pub state: super::TrainerState,
    /// The curves up to it.
    pub history: History,
}

/// The handle the UI thread holds: send commands, read the newest state.
pub struct Worker {
    messages: Sender<Message>,
    shared: Arc<Shared>,
    thread: Option<JoinHandle<()>>,
    sent: u64,
}

impl std::fmt::Debug for Worker {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Worker")
            .field("sent", &self.sent)
            .finish_non_exhaustive()
    }
}

/// How long one call of a run's trainer should last: short enough that runs take turns and the
/// state is published smoothly, long enough that the per-call work does not show.
const SLICE: Duration = Duration::from_millis(2);
/// The least time between two publications while training.
const PUBLISH_EVERY: Duration = Duration::from_millis(15);
/// The least time between two metric refreshes while training (or ten times their cost).
const METRICS_EVERY: Duration = Duration::from_millis(250);

impl Worker {
    /// Starts the thread. `notify` is called after every publication (the app asks for a new
    /// frame there).
    pub fn start(notify: impl Fn() + Send + 'static) -> Self {
        let shared = Arc::new(Shared {
            published: Mutex::new(Arc::new(Published::default())),
            changed: Condvar::new(),
            interrupt: AtomicBool::new(false),
        });
        let (messages, inbox) = mpsc::channel();
        let thread = {
            let shared = Arc::clone(&shared);
            std::thread::Builder::new()
                .name("nnviz-training".into())
                .spawn(move || Trainer::new(shared, inbox, Box::new(notify)).serve())
                .ok()
        };
        Self {
            messages,
            shared,
            thread,
            sent: 0,
        }
    }

    /// Sends a command; it takes effect before the worker's next iteration.
    pub fn send(&mut self, command: Command) {
        if self.messages.send(Message::Command(command)).is_ok() {
            self.sent += 1;
        }
        // After the send: the worker clears the flag before it reads its inbox.
        self.shared.interrupt.store(true, Ordering::Release);
    }

    /// Every run's exact state, taken between two iterations after the commands sent so far
    /// (the runs train on meanwhile); `None` if the worker did not answer within `timeout`.
    pub fn capture(&self, timeout: Duration) -> Option<Vec<Captured>> {
        let (reply, answer) = mpsc::channel();
        self.messages.send(Message::Capture(reply)).ok()?;
        self.shared.interrupt.store(true, Ordering::Release);
        answer.recv_timeout(timeout).ok()
    }

    /// Commands sent so far (compare with [`Published::applied`]).
    pub fn sent(&self) -> u64 {
        self.sent
    }

    /// The newest published state.
    pub fn latest(&self) -> Arc<Published> {
        Arc::clone(&lock(&self.shared.published))
    }

    /// Waits until every command sent has been applied and `ready` holds for the published
    /// state, at most `timeout`; returns the state (which may not be ready after a time-out).
    /// For tests and headless tools: the UI thread never waits.
    pub fn wait_until(
        &self,
        timeout: Duration,
        ready: impl Fn(&Published) -> bool,
    ) -> Arc<Published> {
        let deadline = Instant::now() + timeout;
        let mut published = lock(&self.shared.published);
        loop {
            if published.applied >= self.sent && ready(&published) {
                break;
            }
            let now = Instant::now();
            if now >= deadline {
                break;
            }
            published = match self.shared.changed.wait_timeout(published, deadline - now) {
                Ok((guard, _)) => guard,
                Err(poisoned) => poisoned.into_inner().0,
            };
        }
        Arc::clone(&published)
    }

    /// Waits until every command sent has been applied and no run trains (see
    /// [`Self::wait_until`]).
    pub fn wait_idle(&self, timeout: Duration) -> Arc<Published> {
        self.wait_until(timeout, |p| !p.busy())
    }
}

impl Drop for Worker {
    /// Stops the thread within one iteration and waits for it.
    fn drop(&mut self) {
        let _ = self.messages.send(Message::Shutdown);
        self.shared.interrupt.store(true, Ordering::Release);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panic on the other thread leaves the data as it was: go on with it.
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// What a publication shared of a run: its generation, weights, history and figures.
type Shown = (
    u64,
    Arc<Network>,
    Arc<History>,
    Option<Arc<RunMetrics>>,
    Arc<Moments>,
);

/// A run on the worker with what the worker keeps about it.
struct Slot {
    run: Run,
    playing: bool,
    pending_steps: u64,
    /// Iterations per trainer call, adapted to last about [`SLICE`].
    chunk: u64,
    /// Iterations it may still train under a speed limit.
    allowance: f64,
    /// Smoothed iterations per second, and when it was last updated.
    rate: (f64, Option<Instant>),
    error: Option<String>,
    /// When the metrics were last refreshed and what that cost.
    metrics_at: Option<(Instant, Duration)>,
    /// What the last publication held, reused while the generation is the same.
    shown: Option<Shown>,
}

impl Slot {
    fn new(run: Run, playing: bool) -> Self {
        Self {
            run,
            playing,
            pending_steps: 0,
            chunk: 1,
            allowance: 0.0,
            rate: (0.0, None),
            error: None,
            metrics_at: None,
            shown: None,
        }
    }

    fn active(&self) -> bool {
        (self.playing || self.pending_steps > 0) && !self.run.finished()
    }

    fn view(&mut self) -> RunView {
        let run = &self.run;
        let generation = run.generation();
        let metrics_generation = run.metrics().map(|m| m.generation);
        let history_len = run.history().points().len();
        let reuse = self.shown.as_ref().filter(|(g, _, h, m, _)| {
            *g == generation
                && h.points().len() == history_len
                && m.as_ref().map(|m| m.generation) == metrics_generation
        });
        let (network, history, metrics, moments) = match reuse {
            Some((_, n, h, m, t)) => (Arc::clone(n), Arc::clone(h), m.clone(), Arc::clone(t)),
            None => (
                Arc::new(run.network().clone()),
                Arc::new(run.history().clone()),
                run.metrics().cloned().map(Arc::new),
                Arc::new(run.timeline().moments()),
            ),
        };
        self.shown = Some((
            generation,
            Arc::clone(&network),
            Arc::clone(&history),
            metrics.clone(),
            Arc::clone(&moments),
        ));
        RunView {
            id: run.id(),
            generation,
            iteration: run.iteration(),
            network,
            history,
            moments,
            metrics,
            metrics_behind: run.metrics_behind(),
            stopped: run.stopped().cloned(),
            reached_limit: run.reached_limit(),
            config: run.config().clone(),
            spec: run.spec().clone(),
            data: Arc::clone(run.data()),
            playing: self.playing && !run.finished(),
            pending_steps: if run.finished() {
                0
            } else {
                self.pending_steps
            },
            iterations_per_second: if self.active() { self.rate.0 } else { 0.0 },
            error: self.error.clone(),
        }
    }
}

/// The worker thread's state.
struct Trainer {
    shared: Arc<Shared>,
    inbox: Receiver<Message>,
    notify: Box<dyn Fn() + Send>,
    slots: Vec<Slot>,
    applied: u64,
    speed: Option<f64>,
    lockstep: Option<usize>,
    /// Something changed since the last publication.
    dirty: bool,
    published_at: Instant,
}

impl Trainer {
    fn new(shared: Arc<Shared>, inbox: Receiver<Message>, notify: Box<dyn Fn() + Send>) -> Self {
        Self {
            shared,
            inbox,
            notify,
            slots: Vec::new(),
            applied: 0,
            speed: None,
            lockstep: None,
            dirty: false,
            published_at: Instant::now(),
        }
    }

    fn serve(mut self) {
        loop {
            // Clear the flag first: a command sent after this sets it again.
            self.shared.interrupt.store(false, Ordering::Release);
            let waiting = !self.slots.iter().any(Slot::active);
            let first = if waiting {
                self.publish_if_dirty();
                match self.inbox.recv() {
                    Ok(message) => Some(message),
                    Err(_) => return,
                }
            } else {
                None
            };
            let mut messages: Vec<Message> = first.into_iter().collect();
            while let Ok(message) = self.inbox.try_recv() {
                messages.push(message);
            }
            for message in messages {
                match message {
                    Message::Shutdown => return,
                    Message::Capture(reply) => self.capture(&reply),
                    Message::Command(command) => {
                        self.apply(command);
                        self.applied += 1;
                        self.dirty = true;
                    }
                }
            }
            let trained = self.train_slices();
            if !trained && self.slots.iter().any(Slot::active) {
                // Only a speed limit holds training back: sleep until it allows an iteration,
                // or until a command comes.
                self.publish_if_dirty();
                match self.inbox.recv_timeout(self.until_allowed()) {
                    Ok(Message::Shutdown) | Err(RecvTimeoutError::Disconnected) => return,
                    Ok(Message::Capture(reply)) => self.capture(&reply),
                    Ok(Message::Command(command)) => {
                        self.apply(command);
                        self.applied += 1;
                        self.dirty = true;
                    }
                    Err(RecvTimeoutError::Timeout) => {}
                }
            }
            self.refresh_metrics();
            let busy = self.slots.iter().any(Slot::active);
            if self.dirty && (!busy || self.published_at.elapsed() >= PUBLISH_EVERY) {
                self.publish();
            }
        }
    }

    /// Sends every run's exact state (the asker may have given up: nothing to do then).
    fn capture(&self, reply: &Sender<Vec<Captured>>) {
        let captured = self
            .slots
            .iter()
            .map(|s| Captured {
                spec: s.run.spec().clone(),
                state: s.run.trainer().state(),
                history: s.run.history().clone(),
            })
            .collect();
        let _ = reply.send(captured);
    }

    fn apply(&mut self, command: Command) {
        match command {
            Command::Add { run, playing } => self.slots.push(Slot::new(*run, playing)),
            Command::Replace {
                index,
                run,
                playing,
            } => {
                if let Some(s) = self.slots.get_mut(index) {
                    *s = Slot::new(*run, playing);
                }
            }
            Command::Remove(index) => {
                if index < self.slots.len() {
                    self.slots.remove(index);
                }
            }
            Command::SetPlaying { index, playing } => {
                if let Some(s) = self.slots.get_mut(index) {
                    s.playing = playing;
                    s.pending_steps = 0;
                    s.rate = (0.0, None);
                }
            }
            Command::Step { index, n } => {
                if let Some(s) = self.slots.get_mut(index) {
                    s.playing = false;
                    s.pending_steps += n;
                }
            }
            Command::SetSpec { index, spec } => {
                if let Some(s) = self.slots.get_mut(index) {
                    s.error = s.run.set_spec(spec).err().map(|e| e.to_string());
                }
            }
            Command::Reset(index) => {
                if let Some(s) = self.slots.get_mut(index) {
                    s.error = s.run.reset().err().map(|e| e.to_string());
                    s.pending_steps = 0;
                }
            }
            Command::ContinueFrom { index, iteration } => {
                if let Some(s) = self.slots.get_mut(index) {
                    s.error = s.run.continue_from(iteration).err().map(|e| e.to_string());
                    s.pending_steps = 0;
                }
            }
            Command::SetNetwork { index, network } => {
                if let Some(s) = self.slots.get_mut(index) {
                    s.error = s.run.set_network(*network).err().map(|e| e.to_string());
                    s.pending_steps = 0;
                }
            }
            Command::SetWeight {
                index,
                layer,
                row,
                col,
                value,
            } => {
                if let Some(s) = self.slots.get_mut(index) {
                    s.error = s
                        .run
                        .set_weight(layer, row, col, value)
                        .err()
                        .map(|e| e.to_string());
                }
            }
            Command::SetData(data) => {
                for s in &mut self.slots {
                    s.error = s
                        .run
                        .set_data(Arc::clone(&data))
                        .err()
                        .map(|e| e.to_string());
                }
            }
            Command::Resume(index) => {
                if let Some(s) = self.slots.get_mut(index) {
                    s.run.resume();
                }
            }
            Command::Lockstep(from) => self.lockstep = from,
            Command::SetSpeed(speed) => {
                self.speed = speed.filter(|s| s.is_finite() && *s > 0.0);
                for s in &mut self.slots {
                    s.allowance = 0.0;
                }
            }
        }
    }

    /// One trainer call for each run that trains; false if none could (a speed limit).
    fn train_slices(&mut self) -> bool {
        let mut trained = false;
        let now = Instant::now();
        // In step: no run of the group goes past the slowest one's next call.
        let from = self.lockstep.unwrap_or(usize::MAX);
        let ceiling = self
            .slots
            .iter()
            .skip(from)
            .filter(|s| s.active())
            .min_by_key(|s| s.run.iteration())
            .map(|s| s.run.iteration() + s.chunk);
        for (index, s) in self.slots.iter_mut().enumerate() {
            if !s.active() || self.shared.interrupt.load(Ordering::Acquire) {
                continue;
            }
            let mut n = s.chunk;
            if index >= from
                && let Some(ceiling) = ceiling
            {
                n = n.min(ceiling.saturating_sub(s.run.iteration()));
            }
            if let Some(speed) = self.speed {
                let since = s
                    .rate
                    .1
                    .map_or(0.0, |t| now.duration_since(t).as_secs_f64());
                // At most a tenth of a second's worth saved up, so a paused limit does not burst.
                s.allowance = (s.allowance + speed * since).min((speed / 10.0).max(1.0));
                if s.rate.1.is_none() {
                    s.allowance = s.allowance.max(1.0);
                }
                n = n.min(s.allowance.floor() as u64);
            }
            if !s.playing {
                n = n.min(s.pending_steps);
            }
            if n == 0 {
                s.rate.1.get_or_insert(now);
                continue;
            }
            let start = Instant::now();
            let result = s.run.train(n, &self.shared.interrupt, |_| false, |_| {});
            let took = start.elapsed();
            trained = true;
            self.dirty = true;
            match result {
                Ok(step) => {
                    if self.speed.is_some() {
                        s.allowance -= step.iterations as f64;
                    }
                    if !s.playing {
                        s.pending_steps -= step.iterations.min(s.pending_steps);
                    }
                    if step.iterations > 0 {
                        let per = took.as_secs_f64() / step.iterations as f64;
                        s.chunk = ((SLICE.as_secs_f64() / per.max(1e-9)) as u64).clamp(1, 100_000);
                    }
                    let since = s.rate.1.map(|t| start.duration_since(t).as_secs_f64());
                    let done = step.iterations as f64;
                    s.rate.0 = match since {
                        Some(dt) if dt > 0.0 && s.rate.0 > 0.0 => {
                            // Iterations over the wall time since the last call (other runs'
                            // turns included): the rate a user sees.
                            0.9 * s.rate.0 + 0.1 * done / (dt + took.as_secs_f64()).max(1e-9)
                        }
                        _ => done / took.as_secs_f64().max(1e-9),
                    };
                    s.rate.1 = Some(Instant::now());
                    if step.stop.is_some() {
                        s.playing = false;
                        s.pending_steps = 0;
                    }
                }
                Err(e) => {
                    s.error = Some(e.to_string());
                    s.playing = false;
                    s.pending_steps = 0;
                }
            }
            if s.run.reached_limit() {
                s.playing = false;
                s.pending_steps = 0;
            }
        }
        trained
    }

    /// How long until a speed limit lets some run train again.
    fn until_allowed(&self) -> Duration {
        let speed = self.speed.unwrap_or(f64::INFINITY);
        let wait = self
            .slots
            .iter()
            .filter(|s| s.active())
            .map(|s| (1.0 - s.allowance).max(0.0) / speed)
            .fold(f64::INFINITY, f64::min);
        Duration::from_secs_f64(wait.clamp(0.000_5, 0.1))
    }

    /// Refreshes the figures of runs whose weights changed: at once for a run that does not
    /// train, else at most every [`METRICS_EVERY`] (or ten times what they cost).
    fn refresh_metrics(&mut self) {
        for s in &mut self.slots {
            if !s.run.metrics_behind() {
                continue;
            }
            let due = !s.active()
                || s.metrics_at
                    .is_none_or(|(at, cost)| at.elapsed() >= METRICS_EVERY.max(cost * 10));
            if due {
                let start = Instant::now();
                s.run.refresh_metrics();
                s.metrics_at = Some((Instant::now(), start.elapsed()));
                self.dirty = true;
            }
        }
    }

    fn publish_if_dirty(&mut self) {
        if self.dirty {
            self.refresh_metrics();
            self.publish();
        }
    }

    fn publish(&mut self) {
        let published = Arc::new(Published {
            applied: self.applied,
            runs: self.slots.iter_mut().map(Slot::view).collect(),
        });
        *lock(&self.shared.published) = published;
        self.shared.changed.notify_all();
        self.dirty = false;
        self.published_at = Instant::now();
        (self.notify)();
    }
}
