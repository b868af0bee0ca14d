//! A run's kept moments: snapshots of its whole training state (see [`TrainerState`]) to look
//! back at and to go on from, within a memory bound whatever the run's length, and at most
//! [`MAX_MOMENTS`] of them.
//!
//! Iteration `i` is kept while `i` is a multiple of its spacing `min(2^⌊log2(i / early)⌋,
//! stride)` (iteration 0, the start, always): every iteration up to `2 early` (`early` is 100 at
//! first), then log-spaced (the spacing doubles with `i`) up to `early · stride`, then every
//! `stride` iterations. The stride starts at 1 (every iteration kept) and doubles whenever the
//! states outgrow the bound, unless the log-spaced part holds more states than the regular one
//! (a network too large for many), when `early` halves instead. Either way the moments kept
//! afterwards are a subset of those kept before, so nothing asked for later is missing.

use std::sync::Arc;

use super::TrainerState;

/// The memory a run's timeline may hold.
pub const TIMELINE_BYTES: usize = 32 * 1024 * 1024;

/// The most moments kept, however small the network: more than a scrubber can tell apart, and
/// each one kept costs the training a little.
pub const MAX_MOMENTS: usize = 4_096;

/// Every iteration up to this one is kept at first.
const EARLY: u64 = 100;

/// What a run publishes of its timeline: the kept moments (shared, not copied), their bytes and
/// the bound.
#[derive(Clone, Debug, Default)]
pub struct Moments {
    /// The kept moments, oldest first.
    pub snapshots: Vec<Arc<TrainerState>>,
    /// The bytes they hold.
    pub bytes: usize,
    /// The bound on those bytes.
    pub budget: usize,
}

impl Moments {
    /// The latest kept moment at or before `iteration`.
    pub fn at_or_before(&self, iteration: u64) -> Option<&Arc<TrainerState>> {
        let k = self
            .snapshots
            .partition_point(|s| s.iteration() <= iteration);
        k.checked_sub(1).map(|k| &self.snapshots[k])
    }
}

/// A run's kept moments, oldest first.
#[derive(Clone, Debug)]
pub struct Timeline {
    snapshots: Vec<Arc<TrainerState>>,
    /// What [`Self::bytes`] reports, kept up to date.
    bytes: usize,
    budget: usize,
    early: u64,
    stride: u64,
}

impl Default for Timeline {
    fn default() -> Self {
        Self::new(TIMELINE_BYTES)
    }
}

impl Timeline {
    /// An empty timeline holding at most `budget` bytes of states; 0 keeps none.
    pub fn new(budget: usize) -> Self {
        Self {
            snapshots: Vec::new(),
            bytes: 0,
            budget,
            early: EARLY,
            stride: 1,
        }
    }

    /// The bound on the bytes it holds.
    pub fn budget(&self) -> usize {
        self.budget
    }

    /// The spacing of kept moments around iteration `i`.
    fn spacing(&self, i: u64) -> u64 {
        let ratio = (i / self.early).max(1);
        (1u64 << ratio.ilog2()).min(self.stride)
    }

    /// True if the moment after `iteration` iterations would be kept.
    pub fn wants(&self, iteration: u64) -> bool {
        self.budget > 0 && (iteration == 0 || iteration.is_multiple_of(self.spacing(iteration)))
    }

    /// The first iteration after `after` that would be kept (`u64::MAX` if none ever is).
    pub fn next_wanted(&self, after: u64) -> u64 {
        if self.budget == 0 {
            return u64::MAX;
        }
        let mut i = after.saturating_add(1);
        loop {
            let spacing = self.spacing(i);
            let candidate = i.div_ceil(spacing).saturating_mul(spacing);
            if self.wants(candidate) || candidate == u64::MAX {
                return candidate;
            }
            i = candidate + 1;
        }
    }

    /// Keeps `state` if its moment is wanted (or `always`: a weight set by hand), after
    /// dropping the moments at or after it (a branch, or iterations run again), then thins the
    /// timeline back within its bound.
    pub fn push(&mut self, state: TrainerState, always: bool) {
        if self.budget == 0 || !(always || self.wants(state.iteration())) {
            return;
        }
        self.truncate_after(state.iteration().saturating_sub(1));
        if state.iteration() == 0 {
            self.snapshots.clear();
            self.bytes = 0;
        }
        self.bytes += state.bytes();
        if self
            .snapshots
            .last()
            .is_none_or(|s| !s.shares_order(&state))
        {
            self.bytes += state.order_bytes();
        }
        self.snapshots.push(Arc::new(state));
        while (self.bytes > self.budget || self.snapshots.len() > MAX_MOMENTS)
            && self.snapshots.len() > 2
        {
            self.thin();
        }
    }

    /// Keeps fewer moments: the stride doubles, or `early` halves while the log-spaced moments
    /// outnumber the regular ones.
    fn thin(&mut self) {
        let before = self.snapshots.len();
        let regular = self
            .snapshots
            .iter()
            .filter(|s| self.spacing(s.iteration()) == self.stride)
            .count();
        if self.early > 1 && before - regular > regular {
            self.early /= 2;
        } else {
            self.stride = self.stride.saturating_mul(2);
        }
        let last = self.snapshots.last().map(|s| s.iteration());
        let wanted: Vec<bool> = self
            .snapshots
            .iter()
            .map(|s| self.wants(s.iteration()))
            .collect();
        let mut keep = wanted.into_iter();
        self.snapshots.retain(|_| keep.next().unwrap_or(false));
        if self.snapshots.len() == before {
            // Moments kept by hand (edits) are not on the grid: drop the oldest after the start.
            let at = usize::from(self.snapshots.len() > 1);
            if self.snapshots.get(at).map(|s| s.iteration()) != last {
                self.snapshots.remove(at);
            }
        }
        self.bytes = self.count_bytes();
    }

    /// The bytes the states hold, each batch order counted once (within
    /// [`Self::budget`]).
    pub fn bytes(&self) -> usize {
        self.bytes
    }

    fn count_bytes(&self) -> usize {
        let mut total = 0;
        for (k, s) in self.snapshots.iter().enumerate() {
            total += s.bytes();
            if k == 0 || !s.shares_order(&self.snapshots[k - 1]) {
                total += s.order_bytes();
            }
        }
        total
    }

    /// The moments to publish.
    pub fn moments(&self) -> Moments {
        Moments {
            snapshots: self.snapshots.clone(),
            bytes: self.bytes,
            budget: self.budget,
        }
    }

    /// The kept moments, oldest first.
    pub fn snapshots(&self) -> &[Arc<TrainerState>] {
        &self.snapshots
    }

    /// The latest kept moment at or before `iteration`.
    pub fn at_or_before(&self, iteration: u64) -> Option<&Arc<TrainerState>> {
        let k = self
            .snapshots
            .partition_point(|s| s.iteration() <= iteration);
        k.checked_sub(1).map(|k| &self.snapshots[k])
    }

    /// Drops the moments after `iteration`.
    pub fn truncate_after(&mut self, iteration: u64) {
        let keep = self
            .snapshots
            .partition_point(|s| s.iteration() <= iteration);
        if keep < self.snapshots.len() {
            self.snapshots.truncate(keep);
            self.bytes = self.count_bytes();
        }
    }

    /// Forgets every moment.
    pub fn clear(&mut self) {
        self.snapshots.clear();
        self.bytes = 0;
        self.early = EARLY;
        self.stride = 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::nn::{Activation, Architecture, HiddenLayer, Init, OutputHead};
    use crate::train::{TrainConfig, Trainer};
    use rand::SeedableRng as _;

    /// A trainer's state for a network of `hidden` units (its weights, moments and previous
    /// weights all kept, as Adam has them).
    fn state(hidden: usize) -> TrainerState {
        let network = Architecture {
            inputs: 10,
            hidden: vec![HiddenLayer {
                units: hidden,
                activation: Activation::Tanh,
            }],
            outputs: 1,
            head: OutputHead::Sigmoid,
        }
        .init(Init::Normal, &mut rand::rngs::StdRng::seed_from_u64(1))
        .unwrap();
        let mut s = Trainer::new(network, TrainConfig::default()).state();
        s.moment1 = s.weights.clone();
        s.moment2 = s.weights.clone();
        s.previous = s.weights.clone();
        s
    }

    /// Runs a timeline over `n` iterations of copies of `base`; checks the bound at every push.
    fn run(base: &TrainerState, budget: usize, n: u64) -> Timeline {
        let mut t = Timeline::new(budget);
        let mut i = 0;
        while i <= n {
            t.push(
                TrainerState {
                    iteration: i,
                    ..base.clone()
                },
                false,
            );
            assert!(t.bytes() <= budget, "{} bytes at {i}", t.bytes());
            i = t.next_wanted(i);
        }
        t
    }

    #[test]
    fn ten_million_iterations_stay_within_the_bound_and_span_the_run() {
        for hidden in [5, 30, 250] {
            let base = state(hidden);
            let t = run(&base, TIMELINE_BYTES, 10_000_000);
            let kept: Vec<u64> = t.snapshots().iter().map(|s| s.iteration()).collect();
            assert_eq!(kept[0], 0, "the start is kept");
            assert!(kept.windows(2).all(|w| w[0] < w[1]));
            let last = *kept.last().unwrap();
            assert!(last > 9_000_000, "{hidden} units: last kept {last}");
            assert!(t.bytes() <= TIMELINE_BYTES);
            // A big network keeps fewer moments, a small one many: at least a quarter of
            // what fits.
            let most = (TIMELINE_BYTES / base.bytes()).min(MAX_MOMENTS);
            assert!(
                kept.len() <= most && kept.len() * 4 >= most,
                "{} of {most}",
                kept.len()
            );
            assert_eq!(t.bytes(), t.count_bytes());
        }
    }

    #[test]
    fn the_first_moments_are_every_iteration_then_log_spaced_then_regular() {
        let t = run(&state(5), TIMELINE_BYTES, 2_000_000);
        let kept: Vec<u64> = t.snapshots().iter().map(|s| s.iteration()).collect();
        assert_eq!(&kept[..=100], &(0..=100).collect::<Vec<_>>()[..]);
        let gaps: Vec<u64> = kept.windows(2).map(|w| w[1] - w[0]).collect();
        assert!(gaps.windows(2).all(|g| g[0] <= g[1]), "gaps never shrink");
        let last = *gaps.last().unwrap();
        assert!(last > 1, "thinned: {last}");
        assert!(
            gaps.iter().filter(|&&g| g == last).count() > kept.len() / 2,
            "most are regular"
        );
    }

    #[test]
    fn a_push_before_the_end_drops_the_later_moments() {
        let base = state(5);
        let mut t = run(&base, TIMELINE_BYTES, 500);
        t.push(
            TrainerState {
                iteration: 40,
                ..base.clone()
            },
            true,
        );
        assert_eq!(t.snapshots().last().unwrap().iteration(), 40);
        assert_eq!(t.at_or_before(1_000).unwrap().iteration(), 40);
        assert_eq!(t.at_or_before(39).unwrap().iteration(), 39);
        assert!(Timeline::new(0).next_wanted(0) == u64::MAX);
    }
}
