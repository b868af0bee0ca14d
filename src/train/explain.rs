//! One row's forward and backward pass, step by step, in the article's notation: `z = [1 a] W`,
//! `a = f(z)`, `ŷ`, the row's loss, `ŷ − y`, each layer's delta and the row's share of the
//! gradient. Plain loops over one row, apart from the activations and the softmax, which are
//! the engine's own (so `ŷ` is the network's output): an independent check of the batched
//! kernel, and the numbers the explain panel and `nnviz explain` show.

use serde::Serialize;

use crate::nn::{
    Activation, Loss, Matrix, Network, NnError, OutputHead, Reduction, Targets, summed_loss,
};

use super::TrainConfig;

/// What one weight layer does to the row.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct LayerStep {
    /// The activation's name: a hidden layer's (`sigmoid`, `tanh`, …) or the head's.
    pub activation: String,
    /// `z = [1 a] W`, the layer's pre-activations.
    pub z: Vec<f64>,
    /// The layer's output: `f(z)` (for the last layer, `ŷ`).
    pub a: Vec<f64>,
    /// `∂loss/∂z` for this row; absent without a target.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub delta: Option<Vec<f64>>,
    /// `∂loss/∂W` for this row, `(inputs + 1) × outputs` with row 0 the bias, as the weights;
    /// absent without a target.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gradient: Option<Matrix>,
}

/// One row through the network, forward and (given its target) backward.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RowExplanation {
    /// The network's inputs for the row (after terms and scaling): `x`.
    pub input: Vec<f64>,
    /// One entry per weight layer, first to last.
    pub layers: Vec<LayerStep>,
    /// `ŷ`: the last layer's output.
    pub output: Vec<f64>,
    /// `y` as the output units see it (the label for one sigmoid unit, one-hot for several, the
    /// values for regression); absent without a target.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target: Option<Vec<f64>>,
    /// The row's term of the summed loss; absent without a target.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub loss: Option<f64>,
}

impl RowExplanation {
    /// The network's output, in class terms when it has them: the predicted output unit (for one
    /// sigmoid unit, 1 when `ŷ ≥ 0.5`).
    pub fn predicted_class(&self) -> usize {
        crate::nn::predicted_class(&self.output)
    }
}

/// How the row's gradient enters the update `W ← W − γ ∇`: the full-batch `∇` is the sum of the
/// rows' gradients, divided by `rows` for a mean, plus the penalties' terms.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct UpdateShare {
    /// The rows whose gradients are summed (the training rows, or the batch's).
    pub rows: usize,
    /// The factor on this row's gradient in `∇`: 1 for a sum, `1 / rows` for a mean.
    pub scale: f64,
    /// The learning rate γ now.
    pub learning_rate: f64,
    /// `λ₁` of `λ₁ sign(W)` in `∇` (not on the bias row).
    pub l1: f64,
    /// `λ₂` of `λ₂ W` in `∇` (not on the bias row).
    pub l2: f64,
}

impl UpdateShare {
    /// The share of a row among `rows` under `config`, at learning rate `learning_rate`.
    pub fn new(config: &TrainConfig, rows: usize, learning_rate: f64) -> Self {
        Self {
            rows,
            scale: match config.reduction {
                Reduction::Sum => 1.0,
                Reduction::Mean => 1.0 / rows.max(1) as f64,
            },
            learning_rate,
            l1: config.l1,
            l2: config.l2,
        }
    }
}

/// The output units' target for a row: its label (one sigmoid unit), one-hot (several units),
/// or its values.
pub fn row_target(y: &Targets, row: usize, units: usize) -> Vec<f64> {
    match y {
        Targets::Classes { labels, .. } if units == 1 => vec![labels[row] as f64],
        Targets::Classes { labels, .. } => (0..units)
            .map(|j| f64::from(u8::from(labels[row] == j)))
            .collect(),
        Targets::Values(v) => v.row(row).to_vec(),
    }
}

/// Row `x` (the network's inputs) through `network`; with `target` (one row of targets) also
/// its loss under `loss` and the backward pass.
pub fn explain_row(
    network: &Network,
    loss: Loss,
    x: &[f64],
    target: Option<&Targets>,
) -> Result<RowExplanation, NnError> {
    let architecture = network.architecture();
    if x.len() != architecture.inputs {
        return Err(NnError::Shape(format!(
            "the row has {} inputs, the network takes {}",
            x.len(),
            architecture.inputs
        )));
    }
    if let Some(y) = target
        && y.len() != 1
    {
        return Err(NnError::Shape(format!(
            "one row's target expected, got {}",
            y.len()
        )));
    }
    let head = architecture.head;
    let hidden = architecture.hidden_activations();
    let weights = network.weights();
    let last = weights.len() - 1;
    // Forward: z = [1 a] W, summed bias first then in row order, as the kernel does.
    let mut layers: Vec<LayerStep> = Vec::with_capacity(weights.len());
    for (l, w) in weights.iter().enumerate() {
        let a_in = layers.last().map_or(x, |s| &s.a[..]);
        let z: Vec<f64> = (0..w.cols())
            .map(|j| {
                let mut sum = w.get(0, j);
                for (i, &v) in a_in.iter().enumerate() {
                    sum += v * w.get(i + 1, j);
                }
                sum
            })
            .collect();
        let mut a = z.clone();
        let activation = if l < last {
            hidden[l].apply(&mut a);
            hidden[l].name().to_owned()
        } else {
            let mut m = Matrix::from_vec(1, a.len(), a).expect("one row");
            head.apply_rows(&mut m);
            a = m.as_slice().to_vec();
            head.name().to_owned()
        };
        layers.push(LayerStep {
            activation,
            z,
            a,
            delta: None,
            gradient: None,
        });
    }
    let output = layers[last].a.clone();
    let Some(y) = target else {
        return Ok(RowExplanation {
            input: x.to_vec(),
            layers,
            output,
            target: None,
            loss: None,
        });
    };
    let units = output.len();
    let t = row_target(y, 0, units);
    let scores = Matrix::from_vec(1, units, layers[last].z.clone()).expect("one row");
    let outputs = Matrix::from_vec(1, units, output.clone()).expect("one row");
    let row_loss = summed_loss(head, loss, &scores, &outputs, y);
    // Backward: the output delta, then δ_l = (δ_{l+1} W_{l+1}ᵀ without the bias row) ∘ f′(a_l).
    let mut delta = output_delta(head, loss, &output, &t);
    for l in (0..=last).rev() {
        let a_in = if l == 0 { x } else { &layers[l - 1].a[..] };
        let w = &weights[l];
        let mut gradient = Matrix::zeros(w.rows(), w.cols());
        for (j, &d) in delta.iter().enumerate() {
            gradient.set(0, j, d);
            for (i, &v) in a_in.iter().enumerate() {
                gradient.set(i + 1, j, v * d);
            }
        }
        let below = (l > 0).then(|| {
            let f: Activation = hidden[l - 1];
            a_in.iter()
                .enumerate()
                .map(|(i, &a)| {
                    let back: f64 = delta
                        .iter()
                        .enumerate()
                        .map(|(j, &d)| d * w.get(i + 1, j))
                        .sum();
                    back * f.derivative_from_output(a)
                })
                .collect::<Vec<f64>>()
        });
        layers[l].delta = Some(delta);
        layers[l].gradient = Some(gradient);
        match below {
            Some(next) => delta = next,
            None => break,
        }
    }
    Ok(RowExplanation {
        input: x.to_vec(),
        layers,
        output,
        target: Some(t),
        loss: Some(row_loss),
    })
}

/// `∂loss/∂z` of the output layer for one row with output `p` and target `t`: `ŷ − y` for
/// cross-entropy (with its own head) and for squared error on an identity head; times
/// `ŷ(1 − ŷ)` for squared error on sigmoid units; through the softmax's Jacobian,
/// `ŷ ∘ (g − g·ŷ)` with `g = ŷ − y`, for squared error on softmax.
pub fn output_delta(head: OutputHead, loss: Loss, p: &[f64], t: &[f64]) -> Vec<f64> {
    let g: Vec<f64> = p.iter().zip(t).map(|(p, t)| p - t).collect();
    match (loss, head) {
        (Loss::CrossEntropy, _) | (Loss::SquaredError, OutputHead::Identity) => g,
        (Loss::SquaredError, OutputHead::Sigmoid) => {
            g.iter().zip(p).map(|(g, p)| g * p * (1.0 - p)).collect()
        }
        (Loss::SquaredError, OutputHead::Softmax) => {
            let gp: f64 = g.iter().zip(p).map(|(g, p)| g * p).sum();
            g.iter().zip(p).map(|(g, p)| p * (g - gp)).collect()
        }
    }
}

/// The name of the derivative the backward pass multiplies by, in the article's style.
pub fn derivative_formula(activation: Activation) -> &'static str {
    match activation {
        Activation::Sigmoid => "σ′ = a(1 − a)",
        Activation::Tanh => "tanh′ = 1 − a²",
        Activation::Relu => "ReLU′ = [z > 0]",
        Activation::LeakyRelu => "leaky ReLU′ = [z > 0] + 0.01 [z ≤ 0]",
        Activation::Linear => "linear′ = 1",
    }
}

/// How the output delta `δ` comes about, for a head and loss (the right-hand side of `δ = …`).
pub fn output_delta_formula(head: OutputHead, loss: Loss) -> &'static str {
    match (loss, head) {
        (Loss::CrossEntropy, OutputHead::Sigmoid) => "ŷ − y (cross-entropy on a sigmoid)",
        (Loss::CrossEntropy, OutputHead::Softmax) => "ŷ − y (cross-entropy on a softmax)",
        (Loss::CrossEntropy, OutputHead::Identity) => "ŷ − y",
        (Loss::SquaredError, OutputHead::Identity) => "ŷ − y (squared error, identity output)",
        (Loss::SquaredError, OutputHead::Sigmoid) => "(ŷ − y) ∘ ŷ(1 − ŷ) (squared error)",
        (Loss::SquaredError, OutputHead::Softmax) => {
            "ŷ ∘ (g − g·ŷ), g = ŷ − y (squared error through the softmax)"
        }
    }
}

/// The row's loss term in words and symbols.
pub fn loss_formula(head: OutputHead, loss: Loss) -> &'static str {
    match (loss, head) {
        (Loss::CrossEntropy, OutputHead::Softmax) => "loss = −ln ŷ_y",
        (Loss::CrossEntropy, _) => "loss = −y ln ŷ − (1 − y) ln(1 − ŷ)",
        (Loss::SquaredError, _) => "loss = ½ Σ (ŷ − y)²",
    }
}

/// One line of an explanation as people read it: shared by `nnviz explain` and the app's panel.
#[derive(Clone, Debug, PartialEq)]
pub enum ExplainLine {
    /// A part's heading ("Forward pass", …).
    Heading(String),
    /// A formula with its numbers.
    Formula(String),
    /// A matrix: its title, then each row's name and numbers (row 0 the bias).
    Matrix {
        /// `∂loss/∂W1 = [1 x]ᵀ δ1`, ….
        title: String,
        /// The rows: a name and the formatted numbers with their values (for shading).
        rows: Vec<(String, Vec<(String, f64)>)>,
    },
    /// A remark in words.
    Note(String),
}

/// What the lines need beyond the numbers: names, the network's activations, the loss, the
/// precision and, where known, how the row enters the update.
#[derive(Clone, Copy, Debug)]
pub struct Notation<'a> {
    /// The network's input names (features or terms).
    pub input_names: &'a [String],
    /// The hidden layers' activations, first to last.
    pub hidden: &'a [Activation],
    /// The output head.
    pub head: OutputHead,
    /// The loss differentiated.
    pub loss: Loss,
    /// Significant digits.
    pub digits: usize,
    /// How the row's gradient enters the update, if the training settings are known.
    pub share: Option<UpdateShare>,
}

impl Notation<'_> {
    fn num(&self, v: f64) -> String {
        crate::text::significant(v, self.digits)
    }

    fn vector(&self, v: &[f64]) -> String {
        let parts: Vec<String> = v.iter().map(|&x| self.num(x)).collect();
        format!("[{}]", parts.join(", "))
    }

    /// Row `i` of layer `l`'s weights (or gradient): the bias, an input's name, or `h1[2]`.
    fn row_name(&self, l: usize, i: usize) -> String {
        match (i, l) {
            (0, _) => "1 (bias)".to_owned(),
            (_, 0) => self.input_names.get(i - 1).cloned().unwrap_or_default(),
            _ => format!("h{l}[{i}]"),
        }
    }

    /// Layer `l`'s matrix `m` (weights or gradient) as a line titled `title`.
    fn matrix(&self, title: String, m: &Matrix, l: usize) -> ExplainLine {
        ExplainLine::Matrix {
            title,
            rows: (0..m.rows())
                .map(|i| {
                    let values = m.row(i).iter().map(|&v| (self.num(v), v)).collect();
                    (self.row_name(l, i), values)
                })
                .collect(),
        }
    }
}

/// Each layer's weight matrix `W1`, `W2`, … as a matrix line (row 0 the bias).
pub fn weight_lines(network: &Network, notation: &Notation<'_>) -> Vec<ExplainLine> {
    network
        .weights()
        .iter()
        .enumerate()
        .map(|(l, w)| notation.matrix(format!("W{} ({} × {})", l + 1, w.rows(), w.cols()), w, l))
        .collect()
}

/// A layer's input in the article's notation: `x`, then `h1`, `h2`, …
fn layer_input(l: usize) -> String {
    if l == 0 { "x".into() } else { format!("h{l}") }
}

/// The explanation as lines: the forward pass (`x`, each `z = [1 a] W` and `a = f(z)`, `ŷ`, `y`
/// and the row's loss), then, given a target, the backward pass (each `δ` with the derivative
/// named, and the row's gradient per layer), then the update.
pub fn explanation_lines(e: &RowExplanation, n: &Notation<'_>) -> Vec<ExplainLine> {
    use ExplainLine::{Formula, Heading, Note};
    let mut lines = vec![Heading(
        "Forward pass (weights: (inputs + 1) × outputs, row 0 the bias)".into(),
    )];
    let last = e.layers.len() - 1;
    lines.push(Formula(format!("x = {}", n.vector(&e.input))));
    for (l, step) in e.layers.iter().enumerate() {
        let (a_in, k) = (layer_input(l), l + 1);
        lines.push(Formula(format!(
            "z{k} = [1 {a_in}] W{k} = {}",
            n.vector(&step.z)
        )));
        let out = if l < last {
            format!("h{k}")
        } else {
            "ŷ".into()
        };
        lines.push(Formula(format!(
            "{out} = {}(z{k}) = {}",
            step.activation,
            n.vector(&step.a)
        )));
    }
    let (Some(y), Some(row_loss)) = (&e.target, e.loss) else {
        return lines;
    };
    lines.push(Formula(format!("y = {}", n.vector(y))));
    lines.push(Formula(format!(
        "{} = {}",
        loss_formula(n.head, n.loss),
        n.num(row_loss)
    )));
    lines.push(Heading(
        "Backward pass (this row's share of the summed loss's gradient)".into(),
    ));
    for l in (0..=last).rev() {
        let step = &e.layers[l];
        let k = l + 1;
        let (Some(delta), Some(gradient)) = (&step.delta, &step.gradient) else {
            continue;
        };
        if l == last {
            lines.push(Formula(format!(
                "δ{k} = {} = {}",
                output_delta_formula(n.head, n.loss),
                n.vector(delta)
            )));
        } else {
            let formula = n.hidden.get(l).map_or("f′", |&a| derivative_formula(a));
            lines.push(Formula(format!(
                "δ{k} = (δ{} W{}ᵀ, bias row left out) ∘ f′(h{k}), {formula}: {}",
                k + 1,
                k + 1,
                n.vector(delta)
            )));
        }
        let a_in = layer_input(l);
        lines.push(n.matrix(format!("∂loss/∂W{k} = [1 {a_in}]ᵀ δ{k}"), gradient, l));
    }
    lines.push(Heading("Update".into()));
    match n.share {
        Some(share) => {
            let reduce = if share.scale == 1.0 {
                format!("the sum of the {} rows' gradients", share.rows)
            } else {
                format!("the mean of the {} rows' gradients", share.rows)
            };
            let mut penalty = String::new();
            if share.l1 > 0.0 {
                penalty += &format!(" + {} sign(W)", n.num(share.l1));
            }
            if share.l2 > 0.0 {
                penalty += &format!(" + {} W", n.num(share.l2));
            }
            lines.push(Formula(format!(
                "W ← W − γ ∇, γ = {}, ∇ = {reduce}{penalty}",
                n.num(share.learning_rate)
            )));
            lines.push(Note(format!(
                "This row moves each weight by −γ · {} · its gradient above{}.",
                n.num(share.scale),
                if penalty.is_empty() {
                    ""
                } else {
                    "; the penalties act on the weights (not on the bias row), whatever the rows"
                }
            )));
        }
        None => lines.push(Note(
            "W ← W − γ ∇: the full-batch ∇ is the sum of every training row's share (divided by \
             the rows for a mean loss), plus λ₁ sign(W) + λ₂ W off the bias row."
                .into(),
        )),
    }
    lines
}
