//! Loss and accuracy curves that never grow without bound.

use serde::Serialize;

use super::LayerNorms;

/// One recorded point of the training curves.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct HistoryPoint {
    /// Iteration (1-based).
    pub iteration: u64,
    /// Training loss.
    pub train_loss: f64,
    /// Training accuracy (`None` for regression).
    pub train_accuracy: Option<f64>,
    /// Test loss (`None` without test rows).
    pub test_loss: Option<f64>,
    /// Test accuracy (`None` without test rows or for regression).
    pub test_accuracy: Option<f64>,
}

/// A weight set by hand (the window's network diagram), kept in the history.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct WeightEdit {
    /// The iterations completed when it was set: training went on from it.
    pub iteration: u64,
    /// The weight layer (0 is the first), its row (0 is the bias) and column.
    pub layer: usize,
    /// Row of the weight matrix (0 is the bias).
    pub row: usize,
    /// Column of the weight matrix (the unit it feeds).
    pub col: usize,
    /// The value before.
    pub from: f64,
    /// The value set.
    pub to: f64,
}

/// Training curves thinned as they grow: at most `capacity` points, recorded every `stride`
/// iterations; when full, every other point is dropped and the stride doubles, so memory stays
/// flat over any session length while the whole run stays visible.
#[derive(Clone, Debug)]
pub struct History {
    points: Vec<HistoryPoint>,
    /// Each point's layer norms (empty where none were measured), in step with `points`.
    norms: Vec<Vec<LayerNorms>>,
    edits: Vec<WeightEdit>,
    capacity: usize,
    stride: u64,
}

impl Default for History {
    fn default() -> Self {
        Self::new(2048)
    }
}

impl History {
    /// An empty history holding at most `capacity` (≥ 4) points.
    pub fn new(capacity: usize) -> Self {
        Self {
            points: Vec::with_capacity(capacity.max(4)),
            norms: Vec::with_capacity(capacity.max(4)),
            edits: Vec::new(),
            capacity: capacity.max(4),
            stride: 1,
        }
    }

    /// Iterations between recorded points at present.
    pub fn stride(&self) -> u64 {
        self.stride
    }

    /// The most points it holds.
    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// Appends a point read back from a file as it was recorded (no thinning; see
    /// [`super::saved::SavedHistory`], which checks the order and the count).
    pub(super) fn restore_point(&mut self, point: HistoryPoint, norms: Vec<LayerNorms>) {
        self.points.push(point);
        self.norms.push(norms);
    }

    /// Sets the stride read back from a file (a power of two).
    pub(super) fn set_stride(&mut self, stride: u64) {
        self.stride = stride.max(1);
    }

    /// True if a point for `iteration` would be kept.
    pub fn wants(&self, iteration: u64) -> bool {
        iteration.is_multiple_of(self.stride) || iteration == 1
    }

    /// Records a point (ignored unless [`Self::wants`] its iteration). Points at or after its
    /// iteration are dropped first: after an undone update (see
    /// [`Stop::Diverged`](super::Stop::Diverged)) iterations are run again.
    pub fn push(&mut self, point: HistoryPoint) {
        self.push_with_norms(point, Vec::new());
    }

    /// [`Self::push`] with the layers' norms at that iteration.
    pub fn push_with_norms(&mut self, point: HistoryPoint, norms: Vec<LayerNorms>) {
        if !self.wants(point.iteration) {
            return;
        }
        if self.last().is_some_and(|p| p.iteration >= point.iteration) {
            let keep = self
                .points
                .partition_point(|p| p.iteration < point.iteration);
            self.points.truncate(keep);
            self.norms.truncate(keep);
        }
        if self.points.len() >= self.capacity {
            let stride = self.stride * 2;
            let kept = |p: &HistoryPoint| p.iteration.is_multiple_of(stride) || p.iteration == 1;
            let mut keep = self.points.iter().map(kept).collect::<Vec<_>>().into_iter();
            self.norms.retain(|_| keep.next().unwrap_or(false));
            self.points.retain(kept);
            self.stride = stride;
            if !self.wants(point.iteration) {
                return;
            }
        }
        self.points.push(point);
        self.norms.push(norms);
    }

    /// Sets the test loss and accuracy of the last point at or before `iteration` (the test
    /// curve of a large data set, evaluated apart from training), unless it has them.
    pub fn set_test(&mut self, iteration: u64, loss: f64, accuracy: Option<f64>) {
        let at = self.points.partition_point(|p| p.iteration <= iteration);
        if let Some(point) = at.checked_sub(1).and_then(|i| self.points.get_mut(i))
            && point.test_loss.is_none()
        {
            point.test_loss = Some(loss);
            point.test_accuracy = accuracy;
        }
    }

    /// The points, oldest first.
    pub fn points(&self) -> &[HistoryPoint] {
        &self.points
    }

    /// The layers' norms at each point, in step with [`Self::points`] (an empty list where
    /// none were measured).
    pub fn norms(&self) -> &[Vec<LayerNorms>] {
        &self.norms
    }

    /// The latest point.
    pub fn last(&self) -> Option<&HistoryPoint> {
        self.points.last()
    }

    /// Records a weight set by hand.
    pub fn record_edit(&mut self, edit: WeightEdit) {
        self.edits.push(edit);
    }

    /// The weights set by hand, oldest first.
    pub fn edits(&self) -> &[WeightEdit] {
        &self.edits
    }

    /// Drops the points and the hand edits after `iteration` completed iterations (a branch
    /// from that moment).
    pub fn truncate_after(&mut self, iteration: u64) {
        let keep = self.points.partition_point(|p| p.iteration <= iteration);
        self.points.truncate(keep);
        self.norms.truncate(keep);
        self.edits.retain(|e| e.iteration <= iteration);
    }

    /// Forgets everything.
    pub fn clear(&mut self) {
        self.points.clear();
        self.norms.clear();
        self.edits.clear();
        self.stride = 1;
    }

    /// The curves as CSV: `iteration,train_loss,train_accuracy,test_loss,test_accuracy`, then
    /// `weight_norm_L,gradient_norm_L` for each layer L (1 is the first) where measured.
    pub fn to_csv(&self) -> String {
        let opt = |v: Option<f64>| v.map_or(String::new(), |v| v.to_string());
        let layers = self.norms.iter().map(Vec::len).max().unwrap_or(0);
        let mut out = String::from("iteration,train_loss,train_accuracy,test_loss,test_accuracy");
        for l in 1..=layers {
            out.push_str(&format!(",weight_norm_{l},gradient_norm_{l}"));
        }
        out.push('\n');
        for (p, norms) in self.points.iter().zip(&self.norms) {
            out.push_str(&format!(
                "{},{},{},{},{}",
                p.iteration,
                p.train_loss,
                opt(p.train_accuracy),
                opt(p.test_loss),
                opt(p.test_accuracy)
            ));
            for l in 0..layers {
                match norms.get(l) {
                    Some(n) => out.push_str(&format!(",{},{}", n.weight, n.gradient)),
                    None => out.push_str(",,"),
                }
            }
            out.push('\n');
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn point(iteration: u64) -> HistoryPoint {
        HistoryPoint {
            iteration,
            train_loss: 1.0 / iteration as f64,
            train_accuracy: None,
            test_loss: None,
            test_accuracy: None,
        }
    }

    #[test]
    fn stays_bounded_and_spans_the_run() {
        let mut h = History::new(64);
        for i in 1..=100_000 {
            if h.wants(i) {
                h.push(point(i));
            }
        }
        assert!(h.points().len() <= 64);
        assert_eq!(h.points()[0].iteration, 1);
        assert!(h.last().unwrap().iteration > 90_000);
        assert!(
            h.points()
                .windows(2)
                .all(|w| w[0].iteration < w[1].iteration)
        );
    }

    #[test]
    fn iterations_run_again_replace_their_points() {
        let mut h = History::new(64);
        for i in 1..=10 {
            h.push(point(i));
        }
        let mut again = point(9);
        again.train_loss = 42.0;
        h.push(again);
        let iterations: Vec<u64> = h.points().iter().map(|p| p.iteration).collect();
        assert_eq!(iterations, (1..=9).collect::<Vec<_>>());
        assert_eq!(h.last().unwrap().train_loss, 42.0);
    }
}
