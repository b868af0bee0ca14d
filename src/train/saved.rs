//! A trainer's state and a run's curves as plain serde data, for session files: written from a
//! [`TrainerState`] and a [`History`], read back only after every shape, number and index has
//! been checked against the network and the rows they are for.
//!
//! A state read back with [`SavedState::state_for`] makes a trainer go on exactly as the one it
//! was taken from (see [`Trainer::restore`](super::Trainer::restore)): the same weights, the
//! same optimiser moments, the same batch order and generator, hence the same next iteration.

use std::sync::Arc;

use serde::{Deserialize, Serialize};

use super::{History, HistoryPoint, LayerNorms, TrainerState, WeightEdit};
use crate::nn::{Matrix, Network};

/// The bytes of a ChaCha generator's state (`chacha20::SerializedRngState`).
const RNG_BYTES: usize = 49;

/// The most hand edits a stored history may hold.
pub const MAX_EDITS: usize = 100_000;

/// A [`TrainerState`] as stored. Matrices are arrays of rows; an empty list is an optimiser
/// state not made yet (plain gradient descent keeps no moments).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SavedState {
    /// Completed iterations.
    pub iteration: u64,
    /// One matrix per layer, `(inputs + 1) × outputs`, row 0 the bias.
    pub weights: Vec<Matrix>,
    /// Momentum's velocity or Adam's first moment, in the weights' shapes (or none).
    pub moment1: Vec<Matrix>,
    /// Adam's second moment, in the weights' shapes (or none).
    pub moment2: Vec<Matrix>,
    /// The weights before the last update, kept to undo it (or none).
    pub previous: Vec<Matrix>,
    /// Updates since the optimiser's state was cleared (Adam's `t`).
    pub optimizer_steps: u64,
    /// The divergence reference, data loss per row, once the first iteration set it.
    pub reference: Option<f64>,
    /// The batch order's generator: its 49 state bytes in hex (seed, stream, word position).
    pub rng: String,
    /// The shuffled order of the training rows this epoch (empty before the first batch).
    pub order: Vec<usize>,
    /// Where in `order` the next batch starts.
    pub position: usize,
}

impl SavedState {
    /// `state` as stored; fails if a number in it is not finite (JSON has no such numbers).
    pub fn new(state: &TrainerState) -> Result<Self, String> {
        let parts = [
            ("weights", &state.weights),
            ("moment1", &state.moment1),
            ("moment2", &state.moment2),
            ("previous", &state.previous),
        ];
        for (name, matrices) in parts {
            if matrices
                .iter()
                .any(|m| m.as_slice().iter().any(|v| !v.is_finite()))
            {
                return Err(format!("its {name} hold a number that is not finite"));
            }
        }
        Ok(Self {
            iteration: state.iteration,
            weights: state.weights.clone(),
            moment1: state.moment1.clone(),
            moment2: state.moment2.clone(),
            previous: state.previous.clone(),
            optimizer_steps: state.optimizer_steps,
            reference: state.reference.filter(|r| r.is_finite()),
            rng: state.rng.iter().map(|b| format!("{b:02x}")).collect(),
            order: state.order.to_vec(),
            position: state.position,
        })
    }

    /// The state for a trainer of `network` on `train_rows` training rows, after checking
    /// everything against them; an error names the field (`weights[1]`) and what is wrong.
    pub fn state_for(&self, network: &Network, train_rows: usize) -> Result<TrainerState, String> {
        let shapes: Vec<(usize, usize)> = network
            .weights()
            .iter()
            .map(|w| (w.rows(), w.cols()))
            .collect();
        check_matrices("weights", &self.weights, &shapes, false)?;
        check_matrices("moment1", &self.moment1, &shapes, true)?;
        check_matrices("moment2", &self.moment2, &shapes, true)?;
        check_matrices("previous", &self.previous, &shapes, true)?;
        if let Some(r) = self.reference
            && !(r.is_finite() && r >= 0.0)
        {
            return Err(format!("reference: {r} is not a loss (0 or more)"));
        }
        if self.optimizer_steps > self.iteration {
            return Err(format!(
                "optimizer_steps: {} updates in {} iterations",
                self.optimizer_steps, self.iteration
            ));
        }
        let rng = rng_bytes(&self.rng)?;
        if !self.order.is_empty() {
            if self.order.len() != train_rows {
                return Err(format!(
                    "order: {} rows, the data has {train_rows} training rows",
                    self.order.len()
                ));
            }
            let mut seen = vec![false; train_rows];
            for (k, &row) in self.order.iter().enumerate() {
                match seen.get_mut(row) {
                    Some(s) if !*s => *s = true,
                    Some(_) => {
                        return Err(format!("order[{k}]: row {row} is in the order twice"));
                    }
                    None => {
                        return Err(format!(
                            "order[{k}]: row {row} is not a training row (0 to {})",
                            train_rows - 1
                        ));
                    }
                }
            }
        }
        if self.position > self.order.len() {
            return Err(format!(
                "position: {} is past the order's end ({})",
                self.position,
                self.order.len()
            ));
        }
        Ok(TrainerState {
            weights: self.weights.clone(),
            iteration: self.iteration,
            rng,
            order: Arc::new(self.order.clone()),
            position: self.position,
            moment1: self.moment1.clone(),
            moment2: self.moment2.clone(),
            previous: self.previous.clone(),
            reference: self.reference,
            optimizer_steps: self.optimizer_steps,
        })
    }
}

/// Checks that `matrices` (named `name`) have the network's `shapes` and finite values; `none`
/// allows an empty list.
fn check_matrices(
    name: &str,
    matrices: &[Matrix],
    shapes: &[(usize, usize)],
    none: bool,
) -> Result<(), String> {
    if matrices.is_empty() && none {
        return Ok(());
    }
    if matrices.len() != shapes.len() {
        return Err(format!(
            "{name}: {} matrices, the network has {} weight layers",
            matrices.len(),
            shapes.len()
        ));
    }
    for (l, (m, &(rows, cols))) in matrices.iter().zip(shapes).enumerate() {
        if (m.rows(), m.cols()) != (rows, cols) {
            return Err(format!(
                "{name}[{l}]: {} × {}, the network's layer {} is {rows} × {cols}",
                m.rows(),
                m.cols(),
                l + 1
            ));
        }
        if let Some(v) = m.as_slice().iter().find(|v| !v.is_finite()) {
            return Err(format!("{name}[{l}]: {v} is not a finite number"));
        }
    }
    Ok(())
}

/// The generator's state from its hex text.
fn rng_bytes(hex: &str) -> Result<chacha20::SerializedRngState, String> {
    let bad = || {
        let shown: String = hex.chars().take(16).collect();
        format!(
            "rng: {shown:?}… is not {RNG_BYTES} bytes in hex ({} digits)",
            2 * RNG_BYTES
        )
    };
    if hex.len() != 2 * RNG_BYTES || !hex.is_ascii() {
        return Err(bad());
    }
    let mut bytes = [0u8; RNG_BYTES];
    for (k, b) in bytes.iter_mut().enumerate() {
        *b = u8::from_str_radix(&hex[2 * k..2 * k + 2], 16).map_err(|_| bad())?;
    }
    // The word position has 68 bits: the last byte's upper half is always 0.
    if bytes[RNG_BYTES - 1] > 0x0f {
        return Err("rng: the word position is out of range (its last byte is above 0f)".into());
    }
    Ok(bytes)
}

/// A [`History`] as stored: its points, their layer norms, the hand edits and the stride.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SavedHistory {
    /// Iterations between recorded points (a power of two).
    pub stride: u64,
    /// The points, oldest first; a loss that was not finite is `null`.
    pub points: Vec<SavedPoint>,
    /// Each point's layer norms (`[weight, gradient]` per layer; empty where none were
    /// measured), in step with `points`.
    pub norms: Vec<Vec<[Option<f64>; 2]>>,
    /// The weights set by hand.
    pub edits: Vec<SavedEdit>,
}

/// One point of the curves: `[iteration, train loss, train accuracy, test loss, test accuracy]`.
pub type SavedPoint = (u64, Option<f64>, Option<f64>, Option<f64>, Option<f64>);

/// A weight set by hand: `[iteration, layer, row, column, from, to]`.
pub type SavedEdit = (u64, usize, usize, usize, f64, f64);

/// A number as stored: `None` for one JSON cannot hold.
fn finite(v: f64) -> Option<f64> {
    v.is_finite().then_some(v)
}

impl SavedHistory {
    /// `history` as stored.
    pub fn new(history: &History) -> Self {
        Self {
            stride: history.stride(),
            points: history
                .points()
                .iter()
                .map(|p| {
                    (
                        p.iteration,
                        finite(p.train_loss),
                        p.train_accuracy.and_then(finite),
                        p.test_loss.and_then(finite),
                        p.test_accuracy.and_then(finite),
                    )
                })
                .collect(),
            norms: history
                .norms()
                .iter()
                .map(|n| {
                    n.iter()
                        .map(|n| [finite(n.weight), finite(n.gradient)])
                        .collect()
                })
                .collect(),
            edits: history
                .edits()
                .iter()
                .map(|e| (e.iteration, e.layer, e.row, e.col, e.from, e.to))
                .collect(),
        }
    }

    /// The history of a run at `iteration` whose network has `layers` weight layers, after
    /// checking it; an error names the field and what is wrong.
    pub fn history(&self, iteration: u64, layers: usize) -> Result<History, String> {
        let capacity = History::default().capacity();
        if !self.stride.is_power_of_two() {
            return Err(format!("stride: {} is not a power of two", self.stride));
        }
        if self.points.len() > capacity {
            return Err(format!(
                "points: {} points; a history holds at most {capacity}",
                self.points.len()
            ));
        }
        if self.norms.len() != self.points.len() {
            return Err(format!(
                "norms: {} entries for {} points",
                self.norms.len(),
                self.points.len()
            ));
        }
        if self.edits.len() > MAX_EDITS {
            return Err(format!(
                "edits: {} edits; at most {MAX_EDITS} are kept",
                self.edits.len()
            ));
        }
        let mut history = History::default();
        let mut last = 0;
        for (k, (&(i, train_loss, train_accuracy, test_loss, test_accuracy), norms)) in
            self.points.iter().zip(&self.norms).enumerate()
        {
            if i <= last || i > iteration {
                return Err(format!(
                    "points[{k}]: iteration {i} is not after {last} and at most {iteration}"
                ));
            }
            if !(norms.is_empty() || norms.len() == layers) {
                return Err(format!(
                    "norms[{k}]: {} layers, the network has {layers}",
                    norms.len()
                ));
            }
            last = i;
            let norms = norms
                .iter()
                .map(|[w, g]| LayerNorms {
                    weight: w.unwrap_or(f64::NAN),
                    gradient: g.unwrap_or(f64::NAN),
                })
                .collect();
            history.restore_point(
                HistoryPoint {
                    iteration: i,
                    train_loss: train_loss.unwrap_or(f64::NAN),
                    train_accuracy,
                    test_loss,
                    test_accuracy,
                },
                norms,
            );
        }
        for (k, &(i, layer, row, col, from, to)) in self.edits.iter().enumerate() {
            if i > iteration || layer >= layers {
                return Err(format!(
                    "edits[{k}]: at iteration {i} of layer {}: the run has {iteration} \
                     iterations and {layers} layers",
                    layer + 1
                ));
            }
            history.record_edit(WeightEdit {
                iteration: i,
                layer,
                row,
                col,
                from,
                to,
            });
        }
        history.set_stride(self.stride);
        Ok(history)
    }
}
