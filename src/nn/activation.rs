//! Activation functions of hidden layers and the output heads.

use super::{Matrix, exp};

/// The slope of leaky ReLU for negative inputs.
pub const LEAKY_SLOPE: f64 = 0.01;

/// The activation function of a hidden layer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum Activation {
    /// `1 / (1 + exp(−z))`, the article's.
    #[default]
    Sigmoid,
    /// `tanh(z)`.
    Tanh,
    /// `max(0, z)`.
    Relu,
    /// `z` for `z > 0`, else `0.01 z`.
    LeakyRelu,
    /// `z` (no activation).
    Linear,
}

impl Activation {
    /// Applies the activation in place to pre-activations `z`.
    pub fn apply(self, z: &mut [f64]) {
        self.apply_with(exp::Simd::best(), z);
    }

    /// [`Self::apply`] with vector code of a given level (every level gives the same bits).
    pub fn apply_with(self, simd: exp::Simd, z: &mut [f64]) {
        match self {
            Self::Sigmoid => exp::sigmoid_in_place_with(simd, z),
            Self::Tanh => z.iter_mut().for_each(|v| *v = v.tanh()),
            Self::Relu => z.iter_mut().for_each(|v| *v = v.max(0.0)),
            Self::LeakyRelu => z
                .iter_mut()
                .for_each(|v| *v = if *v > 0.0 { *v } else { LEAKY_SLOPE * *v }),
            Self::Linear => {}
        }
    }

    /// The derivative `f'(z)` written in terms of the output `a = f(z)`, as the article's
    /// `dsigmoid(h) = h (1 − h)`.
    #[inline(always)]
    pub fn derivative_from_output(self, a: f64) -> f64 {
        match self {
            Self::Sigmoid => a * (1.0 - a),
            Self::Tanh => 1.0 - a * a,
            Self::Relu => {
                if a > 0.0 {
                    1.0
                } else {
                    0.0
                }
            }
            Self::LeakyRelu => {
                if a > 0.0 {
                    1.0
                } else {
                    LEAKY_SLOPE
                }
            }
            Self::Linear => 1.0,
        }
    }
}

crate::name_table!(Activation, "activation" {
    Sigmoid => "sigmoid": "sigmoid",
    Tanh => "tanh": "tanh",
    Relu => "relu": "ReLU",
    LeakyRelu => "leaky-relu": "leaky ReLU",
    Linear => "linear" | "identity": "linear (none)",
});

/// The output head: how the last layer's scores become predictions.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum OutputHead {
    /// One sigmoid unit per output: `P(class 1)` for two classes (the article's).
    #[default]
    Sigmoid,
    /// Softmax over k ≥ 2 units (the article's R6 class).
    Softmax,
    /// The scores themselves, for regression.
    Identity,
}

impl OutputHead {
    /// Turns scores `[n, k]` into outputs in place.
    pub fn apply_rows(self, z: &mut Matrix) {
        match self {
            Self::Sigmoid => exp::sigmoid_in_place(z.as_mut_slice()),
            Self::Softmax => softmax_rows(z),
            Self::Identity => {}
        }
    }
}

crate::name_table!(OutputHead, "output activation" {
    Sigmoid => "sigmoid": "sigmoid",
    Softmax => "softmax": "softmax",
    Identity => "identity" | "linear": "identity",
});

/// Softmax of every row in place, each shifted by its maximum so that no `exp` overflows:
/// `softmax(z) = exp(z − m) / Σ exp(z − m)`, `m = max z`.
pub fn softmax_rows(z: &mut Matrix) {
    let cols = z.cols();
    if cols == 0 {
        return;
    }
    for row in z.as_mut_slice().chunks_exact_mut(cols) {
        let m = row.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        row.iter_mut().for_each(|v| *v -= m);
    }
    exp::exp_in_place(z.as_mut_slice());
    for row in z.as_mut_slice().chunks_exact_mut(cols) {
        let sum: f64 = row.iter().sum();
        row.iter_mut().for_each(|v| *v /= sum);
    }
}
