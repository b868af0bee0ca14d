//! The network: dense layers, activations, output heads, losses and initialisation.
//!
//! A network maps a row of `d` features through hidden layers to an output head. Every layer is a
//! weight matrix `(inputs + 1) × outputs` whose **row 0 is the bias**, applied as the article's
//! `cbind(1, a) %*% w`. No UI code lives here.

mod activation;
pub mod exp;
mod kernel;
mod matrix;

pub use activation::{Activation, OutputHead};
pub use kernel::{
    Gradients, PassSpec, Workspace, forward_backward, sigmoid, summed_loss, transpose,
};
pub use matrix::{MAX_MATRIX_COLS, MAX_MATRIX_ROWS, Matrix};

use rand::{Rng, RngExt as _};
use rand_distr::StandardNormal;
use serde::{Deserialize, Serialize};

/// The most hidden layers a network may have.
pub const MAX_HIDDEN_LAYERS: usize = 8;
/// The most units a hidden layer may have.
pub const MAX_UNITS: usize = 256;
/// The most inputs (features after encoding) a network may have.
pub const MAX_INPUTS: usize = 10_000;
/// The most outputs (classes) a network may have.
pub const MAX_OUTPUTS: usize = 1_000;

/// Errors of the engine: shapes that do not fit and settings that do not go together.
#[derive(Debug, thiserror::Error, Clone, PartialEq)]
pub enum NnError {
    /// A matrix or vector has the wrong shape.
    #[error("shape mismatch: {0}")]
    Shape(String),
    /// A setting is out of range or does not fit the others.
    #[error("invalid setting: {0}")]
    Invalid(String),
}

/// The loss minimised by training.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Loss {
    /// Negative log-likelihood: binary for one sigmoid unit, categorical for softmax.
    #[default]
    CrossEntropy,
    /// Half the squared error, `½ Σ (ŷ − y)²`, so that its gradient is `ŷ − y`.
    SquaredError,
}

/// How per-row losses (and their gradients) are combined.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Reduction {
    /// The sum over rows, as in the article.
    #[default]
    Sum,
    /// The mean over rows.
    Mean,
}

/// How initial weights are drawn.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Init {
    /// N(0, 1), the article's first code (`rnorm`).
    Normal,
    /// 0.01 · N(0, 1), the article's R6 class.
    ScaledNormal,
    /// N(0, 2 / (fan_in + fan_out)), Glorot and Bengio.
    #[default]
    Xavier,
    /// N(0, 2 / fan_in), He et al., for ReLU layers.
    He,
    /// Each layer's own: He for a ReLU or leaky ReLU layer, Xavier for the others (what
    /// scikit-learn and Keras users expect; weights shrink as layers widen).
    Auto,
}

crate::name_table!(Loss, "loss" {
    CrossEntropy => "cross-entropy": "cross-entropy",
    SquaredError => "squared-error": "squared error",
});

crate::name_table!(Reduction, "loss reduction" {
    Sum => "sum": "sum (article)",
    Mean => "mean": "mean",
});

crate::name_table!(Init, "initial weights" {
    Normal => "normal": "N(0, 1) (article)",
    ScaledNormal => "scaled-normal": "0.01·N(0, 1) (R6 class)",
    Xavier => "xavier": "Xavier (Glorot)",
    He => "he": "He",
    Auto => "auto": "auto: Xavier, He for ReLU",
});

/// What the network is asked to predict, one entry per data row.
#[derive(Clone, Debug, PartialEq)]
pub enum Targets {
    /// Class indices in `0..n_classes`.
    Classes {
        /// The class of each row.
        labels: Vec<usize>,
        /// How many classes there are.
        n_classes: usize,
    },
    /// Numeric targets: `[n_rows, n_outputs]`.
    Values(Matrix),
}

impl Targets {
    /// Number of rows.
    pub fn len(&self) -> usize {
        match self {
            Self::Classes { labels, .. } => labels.len(),
            Self::Values(m) => m.rows(),
        }
    }

    /// True if there are no rows.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The rows picked by `indices`, in that order.
    pub fn select(&self, indices: &[usize]) -> Self {
        match self {
            Self::Classes { labels, n_classes } => Self::Classes {
                labels: indices.iter().map(|&i| labels[i]).collect(),
                n_classes: *n_classes,
            },
            Self::Values(m) => Self::Values(m.select_rows(indices)),
        }
    }

    /// Number of output units a network needs for these targets with the given head.
    pub fn output_units(&self, head: OutputHead) -> usize {
        match (self, head) {
            (Self::Classes { n_classes: 2, .. }, OutputHead::Sigmoid) => 1,
            (Self::Classes { n_classes, .. }, _) => *n_classes,
            (Self::Values(m), _) => m.cols(),
        }
    }
}

/// The shape of a network: what the user chose, from which weights are drawn.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Architecture {
    /// Number of input features.
    pub inputs: usize,
    /// Hidden layers, first to last; empty for logistic / softmax / linear regression.
    pub hidden: Vec<HiddenLayer>,
    /// Number of output units (1 for a sigmoid binary classifier, k for softmax).
    pub outputs: usize,
    /// The output head.
    pub head: OutputHead,
}

/// One hidden layer of an [`Architecture`].
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct HiddenLayer {
    /// Number of units (1 to [`MAX_UNITS`]).
    pub units: usize,
    /// The activation of every unit of the layer.
    pub activation: Activation,
}

impl Architecture {
    /// Checks sizes against the engine's limits before anything is allocated.
    pub fn validate(&self) -> Result<(), NnError> {
        if self.inputs == 0 || self.inputs > MAX_INPUTS {
            return Err(NnError::Invalid(format!(
                "{} inputs: a network takes 1 to {MAX_INPUTS}",
                self.inputs
            )));
        }
        if self.hidden.len() > MAX_HIDDEN_LAYERS {
            return Err(NnError::Invalid(format!(
                "{} hidden layers: at most {MAX_HIDDEN_LAYERS}",
                self.hidden.len()
            )));
        }
        for (i, layer) in self.hidden.iter().enumerate() {
            if layer.units == 0 || layer.units > MAX_UNITS {
                return Err(NnError::Invalid(format!(
                    "hidden layer {} has {} units: each takes 1 to {MAX_UNITS}",
                    i + 1,
                    layer.units
                )));
            }
        }
        if self.outputs == 0 || self.outputs > MAX_OUTPUTS {
            return Err(NnError::Invalid(format!(
                "{} outputs: a network has 1 to {MAX_OUTPUTS}",
                self.outputs
            )));
        }
        if self.head == OutputHead::Softmax && self.outputs < 2 {
            return Err(NnError::Invalid(
                "a softmax output needs at least 2 units".into(),
            ));
        }
        Ok(())
    }

    /// The activation of each hidden layer, first to last.
    pub fn hidden_activations(&self) -> Vec<Activation> {
        self.hidden.iter().map(|h| h.activation).collect()
    }

    /// `(inputs, outputs)` of every layer, the output layer last.
    pub fn layer_sizes(&self) -> Vec<(usize, usize)> {
        let mut sizes = Vec::with_capacity(self.hidden.len() + 1);
        let mut fan_in = self.inputs;
        for layer in &self.hidden {
            sizes.push((fan_in, layer.units));
            fan_in = layer.units;
        }
        sizes.push((fan_in, self.outputs));
        sizes
    }

    /// Draws a network's weights from `rng`, layer by layer, each matrix in column-major order
    /// (R's `matrix(rnorm(d * h), d, h)` fills columns first).
    pub fn init<R: Rng + ?Sized>(&self, init: Init, rng: &mut R) -> Result<Network, NnError> {
        self.validate()?;
        let mut weights = Vec::with_capacity(self.hidden.len() + 1);
        for (l, (fan_in, fan_out)) in self.layer_sizes().into_iter().enumerate() {
            let relu = self
                .hidden
                .get(l)
                .is_some_and(|h| matches!(h.activation, Activation::Relu | Activation::LeakyRelu));
            let init = match init {
                Init::Auto if relu => Init::He,
                Init::Auto => Init::Xavier,
                other => other,
            };
            let sd = match init {
                Init::Normal => 1.0,
                Init::ScaledNormal => 0.01,
                Init::Xavier | Init::Auto => (2.0 / (fan_in + fan_out) as f64).sqrt(),
                Init::He => (2.0 / fan_in as f64).sqrt(),
            };
            let mut w = Matrix::zeros(fan_in + 1, fan_out);
            for j in 0..fan_out {
                for i in 0..=fan_in {
                    let z: f64 = rng.sample(StandardNormal);
                    w.set(i, j, sd * z);
                }
            }
            weights.push(w);
        }
        Network::new(self.clone(), weights)
    }
}

/// A network: its architecture and one weight matrix per layer (`(inputs + 1) × outputs`, row 0
/// the bias), the output layer last.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Network {
    architecture: Architecture,
    weights: Vec<Matrix>,
}

impl Network {
    /// A network with the given weights; fails unless every matrix fits the architecture.
    pub fn new(architecture: Architecture, weights: Vec<Matrix>) -> Result<Self, NnError> {
        architecture.validate()?;
        let sizes = architecture.layer_sizes();
        if weights.len() != sizes.len() {
            return Err(NnError::Shape(format!(
                "{} weight matrices given, the network has {} layers",
                weights.len(),
                sizes.len()
            )));
        }
        for (l, (w, (fan_in, fan_out))) in weights.iter().zip(&sizes).enumerate() {
            if w.shape() != (fan_in + 1, *fan_out) {
                return Err(NnError::Shape(format!(
                    "layer {} weights are {} × {}, expected {} × {} (bias row + {} inputs, {} outputs)",
                    l + 1,
                    w.rows(),
                    w.cols(),
                    fan_in + 1,
                    fan_out,
                    fan_in,
                    fan_out
                )));
            }
            if !w.is_finite() {
                return Err(NnError::Invalid(format!(
                    "layer {} weights contain NaN or infinity",
                    l + 1
                )));
            }
        }
        Ok(Self {
            architecture,
            weights,
        })
    }

    /// The architecture.
    pub fn architecture(&self) -> &Architecture {
        &self.architecture
    }

    /// The weight matrices, the output layer last.
    pub fn weights(&self) -> &[Matrix] {
        &self.weights
    }

    /// The weight matrices, mutably (shapes must be kept).
    pub fn weights_mut(&mut self) -> &mut [Matrix] {
        &mut self.weights
    }

    /// Replaces all weights; fails (and keeps the old ones) unless the shapes fit.
    pub fn set_weights(&mut self, weights: Vec<Matrix>) -> Result<(), NnError> {
        *self = Self::new(self.architecture.clone(), weights)?;
        Ok(())
    }

    /// Number of trainable parameters.
    pub fn parameter_count(&self) -> usize {
        self.weights.iter().map(|w| w.rows() * w.cols()).sum()
    }

    /// The outputs for each row of `x` (`[n, inputs]`): probabilities for a classifier
    /// (`[n, 1]` for a sigmoid head, `[n, k]` for softmax) or values for regression.
    pub fn forward(&self, x: &Matrix) -> Result<Matrix, NnError> {
        Ok(self.run(x)?.output())
    }

    /// The output of every layer for each row of `x` (`[n, units]`), the network's output last.
    pub fn forward_layers(&self, x: &Matrix) -> Result<Vec<Matrix>, NnError> {
        let ws = self.run(x)?;
        Ok((0..self.weights.len())
            .map(|l| ws.layer_output(l))
            .collect())
    }

    /// The output layer's scores before the head (logits) and the outputs, for each row of `x`.
    pub fn scores_and_output(&self, x: &Matrix) -> Result<(Matrix, Matrix), NnError> {
        let ws = self.run(x)?;
        Ok((ws.scores(), ws.output()))
    }

    fn run(&self, x: &Matrix) -> Result<Workspace, NnError> {
        let mut ws = Workspace::default();
        self.forward_in(x, &mut ws)?;
        Ok(ws)
    }

    /// The forward pass over the rows of `x` into `ws`, which keeps every layer's output; a
    /// workspace reused for rows of the same count allocates nothing.
    pub fn forward_in(&self, x: &Matrix, ws: &mut Workspace) -> Result<(), NnError> {
        if x.cols() != self.architecture.inputs {
            return Err(NnError::Shape(format!(
                "data has {} features, the network takes {}",
                x.cols(),
                self.architecture.inputs
            )));
        }
        let hidden = self.architecture.hidden_activations();
        ws.set_input(x);
        kernel::forward(&hidden, self.architecture.head, &self.weights, ws);
        Ok(())
    }

    /// Class probabilities `[n, k]` for every row, two columns for a one-unit sigmoid head.
    pub fn class_probabilities(&self, x: &Matrix) -> Result<Matrix, NnError> {
        let out = self.forward(x)?;
        if self.architecture.head == OutputHead::Sigmoid && out.cols() == 1 {
            let mut two = Matrix::zeros(out.rows(), 2);
            for i in 0..out.rows() {
                let p = out.get(i, 0);
                two.set(i, 0, 1.0 - p);
                two.set(i, 1, p);
            }
            return Ok(two);
        }
        Ok(out)
    }

    /// The predicted class of every row: `p > 0.5` for one sigmoid unit, else the first argmax.
    pub fn predict_classes(&self, x: &Matrix) -> Result<Vec<usize>, NnError> {
        Ok(predicted_classes(&self.forward(x)?))
    }
}

/// Predicted classes from network outputs: `p > 0.5` for one column, else the first argmax
/// (R's `which.max`).
pub fn predicted_classes(outputs: &Matrix) -> Vec<usize> {
    outputs.iter_rows().map(predicted_class).collect()
}

/// The predicted class of one output row: `p > 0.5` for one column, else the first argmax.
pub fn predicted_class(row: &[f64]) -> usize {
    predicted_class_of(row.len(), |j| row[j])
}

/// [`predicted_class`] of a row whose `units` outputs are `p(j)`.
#[inline(always)]
pub fn predicted_class_of(units: usize, p: impl Fn(usize) -> f64) -> usize {
    if units == 1 {
        return usize::from(p(0) > 0.5);
    }
    let mut best = 0;
    for j in 0..units {
        if p(j) > p(best) {
            best = j;
        }
    }
    best
}
