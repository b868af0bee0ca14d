//! The network's health per layer: how large its weights and gradient are, how many of its
//! sigmoid or tanh units saturate, how many of its ReLU units are dead. What "why does it not
//! learn" asks.

use serde::Serialize;

use crate::data::Prepared;
use crate::nn::{Activation, Matrix, Network, NnError, Targets};

use super::{TrainConfig, layer_norms, objective_gradient};

/// A unit saturates where `|z|` exceeds this: σ′ is then below 0.018, tanh′ below 0.0014.
pub const SATURATION_Z: f64 = 4.0;

/// The most training rows the window measures health on (evenly spaced through them).
pub const HEALTH_ROWS: usize = 2_000;

/// One weight layer's health.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct LayerHealth {
    /// The layer's units (its weight matrix's columns).
    pub units: usize,
    /// The hidden activation, or `None` for the output layer.
    pub activation: Option<Activation>,
    /// `‖W‖`, the Frobenius norm of the weights without the bias row.
    pub weight_norm: f64,
    /// `‖∇W‖`, the Frobenius norm of the training objective's gradient (bias row included).
    pub gradient_norm: f64,
    /// For sigmoid and tanh layers: the share of unit-rows with `|z| > 4`.
    pub saturated: Option<f64>,
    /// For ReLU layers: the units never positive on the rows measured.
    pub dead: Option<usize>,
}

/// The health of every weight layer of `network` on rows `x`, `y` (the training rows, or a
/// sample of them) under `config`.
pub fn health(
    network: &Network,
    config: &TrainConfig,
    x: &Matrix,
    y: &Targets,
) -> Result<Vec<LayerHealth>, NnError> {
    let gradient = objective_gradient(network, config, x, y)?;
    let outputs = network.forward_layers(x)?;
    let hidden = network.architecture().hidden_activations();
    let norms = layer_norms(network.weights(), &gradient.layers);
    Ok(network
        .weights()
        .iter()
        .enumerate()
        .map(|(l, w)| {
            let activation = hidden.get(l).copied();
            let a = &outputs[l];
            let values = a.as_slice();
            let saturated = match activation {
                Some(f @ (Activation::Sigmoid | Activation::Tanh)) if !values.is_empty() => {
                    // |z| > 4 read from the output: a < σ(−4) or a > σ(4) (tanh alike).
                    let (lo, hi) = match f {
                        Activation::Sigmoid => (sigmoid(-SATURATION_Z), sigmoid(SATURATION_Z)),
                        _ => (-SATURATION_Z.tanh(), SATURATION_Z.tanh()),
                    };
                    let count = values.iter().filter(|&&v| v < lo || v > hi).count();
                    Some(count as f64 / values.len() as f64)
                }
                _ => None,
            };
            let dead = matches!(activation, Some(Activation::Relu)).then(|| {
                (0..a.cols())
                    .filter(|&j| (0..a.rows()).all(|i| a.get(i, j) <= 0.0))
                    .count()
            });
            LayerHealth {
                units: w.cols(),
                activation,
                weight_norm: norms[l].weight,
                gradient_norm: norms[l].gradient,
                saturated,
                dead,
            }
        })
        .collect())
}

/// At most `max_rows` of the training rows of `data`, evenly spaced through them.
pub fn sample_rows(data: &Prepared, max_rows: usize) -> (Matrix, Targets) {
    let n = data.train_rows.len();
    let step = n.div_ceil(max_rows.max(1)).max(1);
    let picked: Vec<usize> = (0..n).step_by(step).collect();
    (
        data.train_x.select_rows(&picked),
        data.train_y.select(&picked),
    )
}

/// [`health`] on [`sample_rows`]`(data, max_rows)`; also gives how many rows it measured.
pub fn health_sampled(
    network: &Network,
    config: &TrainConfig,
    data: &Prepared,
    max_rows: usize,
) -> Result<(Vec<LayerHealth>, usize), NnError> {
    let (x, y) = sample_rows(data, max_rows);
    Ok((health(network, config, &x, &y)?, y.len()))
}

/// Counts of values in equal bins between their least and greatest.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Histogram {
    /// The least value (the first bin's left edge).
    pub lo: f64,
    /// The greatest value (the last bin's right edge).
    pub hi: f64,
    /// Values per bin, left to right; their sum is the count of finite values.
    pub counts: Vec<usize>,
}

impl Histogram {
    /// `values` in `bins` (≥ 1) equal bins; non-finite values are left out. All values equal
    /// fall in one bin of width 0 in the middle.
    pub fn new(values: &[f64], bins: usize) -> Self {
        let bins = bins.max(1);
        let finite = || values.iter().copied().filter(|v| v.is_finite());
        let (lo, hi) = finite().fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
            (lo.min(v), hi.max(v))
        });
        let mut counts = vec![0; bins];
        if lo > hi {
            return Self {
                lo: 0.0,
                hi: 0.0,
                counts,
            };
        }
        let width = (hi - lo) / bins as f64;
        for v in finite() {
            let k = if width > 0.0 {
                (((v - lo) / width) as usize).min(bins - 1)
            } else {
                bins / 2
            };
            counts[k] += 1;
        }
        Self { lo, hi, counts }
    }

    /// The width of one bin.
    pub fn width(&self) -> f64 {
        (self.hi - self.lo) / self.counts.len() as f64
    }
}

/// The weights of each layer of `network`, bias rows left out, as histograms of `bins` bins.
pub fn weight_histograms(network: &Network, bins: usize) -> Vec<Histogram> {
    network
        .weights()
        .iter()
        .map(|w| Histogram::new(&w.as_slice()[w.cols()..], bins))
        .collect()
}

fn sigmoid(z: f64) -> f64 {
    1.0 / (1.0 + (-z).exp())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::nn::{Architecture, HiddenLayer, OutputHead};

    fn net(activation: Activation, weights: Vec<Matrix>) -> Network {
        Network::new(
            Architecture {
                inputs: 1,
                hidden: vec![HiddenLayer {
                    units: 2,
                    activation,
                }],
                outputs: 1,
                head: OutputHead::Sigmoid,
            },
            weights,
        )
        .unwrap()
    }

    #[test]
    fn saturation_dead_units_and_norms_are_counted() {
        let x = Matrix::from_rows(&[vec![1.0], vec![-1.0], vec![2.0]]).unwrap();
        let y = Targets::Classes {
            labels: vec![1, 0, 1],
            n_classes: 2,
        };
        // Unit 1: z = 10 x (saturated on every row); unit 2: z = 0.1 x (never).
        let w1 = Matrix::from_rows(&[vec![0.0, 0.0], vec![10.0, 0.1]]).unwrap();
        let w2 = Matrix::from_rows(&[vec![0.5], vec![3.0], vec![4.0]]).unwrap();
        let config = TrainConfig::default();
        let h = health(
            &net(Activation::Tanh, vec![w1.clone(), w2.clone()]),
            &config,
            &x,
            &y,
        )
        .unwrap();
        assert_eq!(h[0].saturated, Some(0.5));
        assert_eq!(h[0].dead, None);
        assert!((h[0].weight_norm - (100.0_f64 + 0.01).sqrt()).abs() < 1e-12);
        assert_eq!(h[1].weight_norm, 5.0, "the bias row is left out");
        assert_eq!(
            h[1].saturated, None,
            "the output layer has no activation here"
        );
        // ReLU: unit 2 with a negative bias is never positive on these rows.
        let w1 = Matrix::from_rows(&[vec![0.0, -5.0], vec![1.0, 0.1]]).unwrap();
        let h = health(&net(Activation::Relu, vec![w1, w2]), &config, &x, &y).unwrap();
        assert_eq!(h[0].dead, Some(1));
        assert!(h.iter().all(|l| l.gradient_norm.is_finite()));
    }
}
