//! The run as code: a Python (numpy) or R script that trains the same network from the same
//! initial weights on the same prepared rows, the way nnviz does, and prints `loss L`, the
//! figure `nnviz train --json` reports as `loss`.
//!
//! The script is written from a run at its start (iteration 0): its prepared training rows, its
//! targets as the output units see them, its initial weights (row 0 of each matrix the bias, as
//! in the article) and its training settings. It covers any hidden layers; sigmoid, tanh, ReLU,
//! leaky ReLU and linear units; sigmoid, softmax and identity heads; cross-entropy and squared
//! error; sum and mean; L1 and L2; GD, momentum and Adam with every schedule; the full batch.
//! Mini-batches are refused: their order comes from nnviz's random generator.

use std::fmt::Write as _;

use crate::nn::{Activation, Loss, Matrix, OutputHead, Reduction, Targets};
use crate::train::{Optimizer, Run, Schedule};

/// The language of the script.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Language {
    /// Python 3 with numpy.
    Python,
    /// R, in the article's style.
    R,
}

crate::name_table!(Language, "language" {
    Python => "python" | "py": "Python",
    R => "r": "R",
});

impl Language {
    /// The usual file extension, without the dot.
    pub fn extension(self) -> &'static str {
        match self {
            Self::Python => "py",
            Self::R => "R",
        }
    }
}

/// Training rows above which the script reads them from a CSV file beside it.
pub const MAX_EMBEDDED_ROWS: usize = 10_000;

/// A script, and the rows it reads if they were too many to embed.
#[derive(Clone, Debug, PartialEq)]
pub struct Script {
    /// The script's text.
    pub text: String,
    /// The prepared training rows as CSV, for a script that reads them (see
    /// [`MAX_EMBEDDED_ROWS`]); `None` when they are in the script.
    pub rows_csv: Option<String>,
}

/// What cannot be written as a script.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("{0}")]
pub struct CodeError(pub String);

/// The script that trains `run` from its start for `iterations` iterations. `rows_file` is the
/// name under which the script finds its rows when there are more than [`MAX_EMBEDDED_ROWS`].
pub fn script(
    language: Language,
    run: &Run,
    iterations: u64,
    rows_file: &str,
) -> Result<Script, CodeError> {
    let config = run.config();
    let data = run.data();
    let (x, y) = (&data.train_x, &data.train_y);
    if let Some(b) = config.batch_size.filter(|&b| b < x.rows()) {
        return Err(CodeError(format!(
            "mini-batches of {b} rows follow nnviz's own random order, which a script cannot \
             draw: export with the full batch (--batch-size full)"
        )));
    }
    if run.iteration() != 0 {
        return Err(CodeError(format!(
            "the script starts from the run's initial weights, and this run is at iteration {}",
            run.iteration()
        )));
    }
    let network = run.network();
    let architecture = network.architecture();
    let units = architecture.outputs;
    let targets = target_matrix(y, units);
    let embed = x.rows() <= MAX_EMBEDDED_ROWS;
    let rows_csv = (!embed).then(|| rows_as_csv(x, &targets));
    let setup = Setup {
        hidden: architecture.hidden.iter().map(|h| h.activation).collect(),
        head: architecture.head,
        loss: config.loss,
        reduction: config.reduction,
        optimizer: config.optimizer,
        learning_rate: config.learning_rate,
        schedule: config.schedule,
        l1: config.l1,
        l2: config.l2,
        tolerance: config.tolerance,
        iterations,
        summary: format!(
            "{} on {} training rows of {} inputs",
            run.spec().summary(),
            x.rows(),
            x.cols()
        ),
    };
    let text = match language {
        Language::Python => python(&setup, x, &targets, network.weights(), embed, rows_file),
        Language::R => r(&setup, x, &targets, network.weights(), embed, rows_file),
    };
    Ok(Script { text, rows_csv })
}

/// The training settings the script spells out.
struct Setup {
    hidden: Vec<Activation>,
    head: OutputHead,
    loss: Loss,
    reduction: Reduction,
    optimizer: Optimizer,
    learning_rate: f64,
    schedule: Schedule,
    l1: f64,
    l2: f64,
    tolerance: Option<f64>,
    iterations: u64,
    summary: String,
}

/// The targets as the output units see them: the class (0 or 1) for one unit, one-hot for
/// several, the values for regression.
fn target_matrix(y: &Targets, units: usize) -> Matrix {
    match y {
        Targets::Classes { labels, .. } => {
            let mut t = Matrix::zeros(labels.len(), units);
            for (s, &label) in labels.iter().enumerate() {
                if units == 1 {
                    t.set(s, 0, label as f64);
                } else if label < units {
                    t.set(s, label, 1.0);
                }
            }
            t
        }
        Targets::Values(v) => v.clone(),
    }
}

/// The shortest text that reads back as exactly `v` (Python's and R's parsers both take it).
fn num(v: f64) -> String {
    if v.is_finite() {
        format!("{v:?}")
    } else if v.is_nan() {
        "NaN".to_owned()
    } else if v > 0.0 {
        "Inf".to_owned()
    } else {
        "-Inf".to_owned()
    }
}

fn rows_as_csv(x: &Matrix, t: &Matrix) -> String {
    let mut out = String::new();
    let head: Vec<String> = (0..x.cols())
        .map(|j| format!("x{}", j + 1))
        .chain((0..t.cols()).map(|j| format!("t{}", j + 1)))
        .collect();
    out.push_str(&head.join(","));
    out.push('\n');
    for s in 0..x.rows() {
        let row: Vec<String> = x.row(s).iter().chain(t.row(s)).map(|&v| num(v)).collect();
        out.push_str(&row.join(","));
        out.push('\n');
    }
    out
}

/// A matrix as nested lists, one row a line: `[[1.0, 2.0],\n [3.0, 4.0]]`.
fn python_matrix(m: &Matrix, indent: &str) -> String {
    let rows: Vec<String> = (0..m.rows())
        .map(|s| {
            let row: Vec<String> = m.row(s).iter().map(|&v| num(v)).collect();
            format!("[{}]", row.join(", "))
        })
        .collect();
    format!("[{}]", rows.join(&format!(",\n{indent} ")))
}

/// A matrix for R: `matrix(c(…), nrow = n, ncol = k, byrow = TRUE)`, one row a line.
fn r_matrix(m: &Matrix, indent: &str) -> String {
    if m.rows() == 0 || m.cols() == 0 {
        return format!(
            "matrix(numeric(0), nrow = {}, ncol = {})",
            m.rows(),
            m.cols()
        );
    }
    let rows: Vec<String> = (0..m.rows())
        .map(|s| {
            let row: Vec<String> = m.row(s).iter().map(|&v| num(v)).collect();
            row.join(", ")
        })
        .collect();
    format!(
        "matrix(c(\n{indent}  {}\n{indent}), nrow = {}, ncol = {}, byrow = TRUE)",
        rows.join(&format!(",\n{indent}  ")),
        m.rows(),
        m.cols()
    )
}

fn activation_name(a: Activation) -> &'static str {
    match a {
        Activation::Sigmoid => "sigmoid",
        Activation::Tanh => "tanh",
        Activation::Relu => "relu",
        Activation::LeakyRelu => "leaky_relu",
        Activation::Linear => "linear",
    }
}

/// The activations' names, quoted, separated by commas: `"tanh", "relu"`.
fn quoted_activations(hidden: &[Activation]) -> String {
    let names: Vec<String> = hidden
        .iter()
        .map(|&a| format!("{:?}", activation_name(a)))
        .collect();
    names.join(", ")
}

fn head_name(h: OutputHead) -> &'static str {
    match h {
        OutputHead::Sigmoid => "sigmoid",
        OutputHead::Softmax => "softmax",
        OutputHead::Identity => "identity",
    }
}

/// The schedule's rate at 0-based iteration `t` as an expression over `eta` and `t`.
fn schedule_expression(schedule: Schedule, language: Language) -> String {
    let power = if language == Language::Python {
        "**"
    } else {
        "^"
    };
    let exp = if language == Language::Python {
        "np.exp"
    } else {
        "exp"
    };
    match schedule {
        Schedule::Constant => "eta".to_owned(),
        Schedule::Step { every, factor } => {
            let every = every.max(1);
            let floor = if language == Language::Python {
                format!("(t // {every})")
            } else {
                format!("(t %/% {every})")
            };
            format!("eta * {}{power}{floor}", num(factor))
        }
        Schedule::Exponential { rate } => format!("eta * {exp}(-{} * t)", num(rate)),
        Schedule::InverseTime { rate } => format!("eta / (1 + {} * t)", num(rate)),
    }
}

fn python(
    s: &Setup,
    x: &Matrix,
    t: &Matrix,
    weights: &[Matrix],
    embed: bool,
    rows_file: &str,
) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "#!/usr/bin/env python3\n\
         # Written by nnviz {}: {}.\n\
         # It trains as nnviz does (full-batch {}, {} iterations) and prints the loss nnviz\n\
         # reports; it does not watch for divergence as nnviz does. Needs numpy.\n\
         import numpy as np\n",
        env!("CARGO_PKG_VERSION"),
        s.summary,
        s.optimizer.name(),
        s.iterations
    );
    if embed {
        let _ = writeln!(
            out,
            "# The prepared training rows (scaled, input terms applied), one a line.\n\
             X = np.array({}, dtype=float).reshape({}, {})\n\
             # The targets as the output units see them (a class 0/1, one-hot classes, or values).\n\
             T = np.array({}, dtype=float).reshape({}, {})\n",
            python_matrix(x, "              "),
            x.rows(),
            x.cols(),
            python_matrix(t, "              "),
            t.rows(),
            t.cols()
        );
    } else {
        let _ = writeln!(
            out,
            "# The prepared training rows (scaled, input terms applied) and their targets, read\n\
             # from the CSV written beside this script: columns x1..x{k}, then t1..t{u}.\n\
             import os\n\
             rows = np.loadtxt(os.path.join(os.path.dirname(os.path.abspath(__file__)), {file:?}),\n\
             \x20                 delimiter=\",\", skiprows=1, ndmin=2)\n\
             X, T = rows[:, :{k}], rows[:, {k}:]\n",
            k = x.cols(),
            u = t.cols(),
            file = rows_file
        );
    }
    out.push_str(
        "# The initial weights: one matrix a layer, row 0 the bias (the article's layout).\n\
         W = [\n",
    );
    for w in weights {
        let _ = writeln!(
            out,
            "    np.array({}, dtype=float).reshape({}, {}),",
            python_matrix(w, "             "),
            w.rows(),
            w.cols()
        );
    }
    let _ = writeln!(
        out,
        "]\n\n\
         HIDDEN = [{}]  # the hidden layers' activations\n\
         HEAD = {:?}\n\
         LOSS = {:?}\n\
         REDUCTION = {:?}\n\
         L1, L2 = {}, {}\n\
         TOLERANCE = {}\n",
        quoted_activations(&s.hidden),
        head_name(s.head),
        s.loss.name(),
        s.reduction.name(),
        num(s.l1),
        num(s.l2),
        s.tolerance.map_or("None".to_owned(), num),
    );
    out.push_str(PYTHON_FUNCTIONS);
    let _ = writeln!(
        out,
        "\ndef learning_rate(eta, t):\n    \"\"\"The rate at iteration t (0-based).\"\"\"\n    return {}\n",
        schedule_expression(s.schedule, Language::Python)
    );
    let _ = writeln!(
        out,
        "{}\n\nW, loss = train(X, T, W, eta={}, iterations={}, optimizer={:?})\nprint(f\"loss {{float(loss)!r}}\")",
        PYTHON_TRAIN,
        num(s.learning_rate),
        s.iterations,
        s.optimizer.name()
    );
    out
}

const PYTHON_FUNCTIONS: &str = r#"
def activate(name, z):
    if name == "sigmoid":
        return 1.0 / (1.0 + np.exp(-z))
    if name == "tanh":
        return np.tanh(z)
    if name == "relu":
        return np.maximum(z, 0.0)
    if name == "leaky_relu":
        return np.where(z > 0, z, 0.01 * z)
    return z  # linear


def derivative(name, a):
    """The activation's slope, from its output a."""
    if name == "sigmoid":
        return a * (1.0 - a)
    if name == "tanh":
        return 1.0 - a * a
    if name == "relu":
        return (a > 0).astype(float)
    if name == "leaky_relu":
        return np.where(a > 0, 1.0, 0.01)
    return np.ones_like(a)


def feedforward(X, W):
    """Every layer's output, the inputs first; and the output layer's scores z."""
    A = [X]
    for l, w in enumerate(W):
        z = A[-1] @ w[1:] + w[0]
        if l < len(W) - 1:
            A.append(activate(HIDDEN[l], z))
        elif HEAD == "sigmoid":
            A.append(1.0 / (1.0 + np.exp(-z)))
        elif HEAD == "softmax":
            e = np.exp(z - z.max(axis=1, keepdims=True))
            A.append(e / e.sum(axis=1, keepdims=True))
        else:
            A.append(z)
    return A, z


def objective(A, z, T, W):
    """The loss nnviz reports: summed over rows (or their mean), plus the penalties."""
    p = A[-1]
    if LOSS == "cross-entropy" and HEAD == "softmax":
        m = z.max(axis=1)
        rows = (m - (z * T).sum(axis=1)) + np.log(np.exp(z - m[:, None]).sum(axis=1))
        total = rows.sum()
    elif LOSS == "cross-entropy":
        total = (np.maximum(z, 0.0) + np.log1p(np.exp(-np.abs(z))) - T * z).sum()
    else:
        total = (0.5 * (p - T) ** 2).sum()
    if REDUCTION == "mean":
        total /= len(T)
    for w in W:
        total += L1 * np.abs(w[1:]).sum() + 0.5 * L2 * (w[1:] ** 2).sum()
    return total


def backpropagate(A, T, W):
    """The gradient of the summed loss: one matrix a layer, row 0 the bias's."""
    p = A[-1]
    delta = p - T  # the article's y_hat - y
    if LOSS == "squared-error" and HEAD == "sigmoid":
        delta = delta * p * (1.0 - p)
    elif LOSS == "squared-error" and HEAD == "softmax":
        delta = p * (delta - (delta * p).sum(axis=1, keepdims=True))
    grads = [None] * len(W)
    for l in range(len(W) - 1, -1, -1):
        a = A[l]
        grads[l] = np.vstack([delta.sum(axis=0), a.T @ delta])
        if l > 0:
            delta = (delta @ W[l][1:].T) * derivative(HIDDEN[l - 1], a)
    return grads
"#;

const PYTHON_TRAIN: &str = r#"def train(X, T, W, eta, iterations, optimizer):
    """Full-batch training as nnviz does it; returns the weights and the last loss."""
    W = [w.copy() for w in W]
    m = [np.zeros_like(w) for w in W]
    v = [np.zeros_like(w) for w in W]
    A, z = feedforward(X, W)
    loss = objective(A, z, T, W)
    for t in range(iterations):
        if t > 0:
            A, z = feedforward(X, W)
        loss = objective(A, z, T, W)
        grads = backpropagate(A, T, W)
        rate = learning_rate(eta, t)
        for l, (w, g) in enumerate(zip(W, grads)):
            if REDUCTION == "mean":
                g = g / len(X)
            g[1:] += L1 * np.sign(w[1:]) + L2 * w[1:]
            if optimizer == "momentum":
                m[l] = 0.9 * m[l] - rate * g
                W[l] = w + m[l]
            elif optimizer == "adam":
                m[l] = 0.9 * m[l] + (1 - 0.9) * g
                v[l] = 0.999 * v[l] + (1 - 0.999) * g * g
                c1, c2 = 1 - 0.9 ** (t + 1), 1 - 0.999 ** (t + 1)
                W[l] = w - rate * (m[l] / c1) / (np.sqrt(v[l] / c2) + 1e-8)
            else:
                W[l] = w - rate * g
        if TOLERANCE is not None and loss < TOLERANCE:
            break
    return W, loss"#;

fn r(
    s: &Setup,
    x: &Matrix,
    t: &Matrix,
    weights: &[Matrix],
    embed: bool,
    rows_file: &str,
) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "# Written by nnviz {}: {}.\n\
         # It trains as nnviz does (full-batch {}, {} iterations) in the article's style and\n\
         # prints the loss nnviz reports; it does not watch for divergence as nnviz does.\n",
        env!("CARGO_PKG_VERSION"),
        s.summary,
        s.optimizer.name(),
        s.iterations
    );
    if embed {
        let _ = writeln!(
            out,
            "# The prepared training rows (scaled, input terms applied), one a line.\n\
             x <- {}\n\
             # The targets as the output units see them (a class 0/1, one-hot classes, or values).\n\
             y <- {}\n",
            r_matrix(x, ""),
            r_matrix(t, "")
        );
    } else {
        let _ = writeln!(
            out,
            "# The prepared training rows and their targets, read from the CSV beside this\n\
             # script: columns x1..x{k}, then t1..t{u}.\n\
             here <- tryCatch(dirname(sys.frame(1)$ofile), error = function(e) NULL)\n\
             if (is.null(here)) {{\n\
             \x20 args <- commandArgs(FALSE)\n\
             \x20 file <- sub(\"^--file=\", \"\", args[grep(\"^--file=\", args)])\n\
             \x20 here <- if (length(file) == 1) dirname(file) else \".\"\n\
             }}\n\
             rows <- as.matrix(read.csv(file.path(here, {file:?})))\n\
             x <- rows[, 1:{k}, drop = FALSE]\n\
             y <- rows[, {k1}:{ku}, drop = FALSE]\n",
            k = x.cols(),
            u = t.cols(),
            k1 = x.cols() + 1,
            ku = x.cols() + t.cols(),
            file = rows_file
        );
    }
    out.push_str("# The initial weights: one matrix a layer, row 1 the bias (the article's w1, w2).\nw <- list(\n");
    let matrices: Vec<String> = weights
        .iter()
        .map(|w| format!("  {}", r_matrix(w, "  ")))
        .collect();
    out.push_str(&matrices.join(",\n"));
    let _ = writeln!(
        out,
        "\n)\n\n\
         hidden <- c({})  # the hidden layers' activations\n\
         head <- {:?}\n\
         loss_kind <- {:?}\n\
         reduction <- {:?}\n\
         l1 <- {}\n\
         l2 <- {}\n\
         tolerance <- {}\n",
        quoted_activations(&s.hidden),
        head_name(s.head),
        s.loss.name(),
        s.reduction.name(),
        num(s.l1),
        num(s.l2),
        s.tolerance.map_or("NULL".to_owned(), num),
    );
    out.push_str(R_FUNCTIONS);
    let _ = writeln!(
        out,
        "\nlearning_rate <- function(eta, t) {{\n  # the rate at iteration t (0-based)\n  {}\n}}\n",
        schedule_expression(s.schedule, Language::R)
    );
    let _ = writeln!(
        out,
        "{}\n\nresult <- train(x, y, w, eta = {}, iterations = {}, optimizer = {:?})\n\
         cat(\"loss\", format(result$loss, digits = 17), \"\\n\")",
        R_TRAIN,
        num(s.learning_rate),
        s.iterations,
        s.optimizer.name()
    );
    out
}

const R_FUNCTIONS: &str = r#"
sigmoid <- function(z) 1 / (1 + exp(-z))

activate <- function(name, z) {
  switch(name,
    sigmoid = sigmoid(z),
    tanh = tanh(z),
    relu = pmax(z, 0),
    leaky_relu = ifelse(z > 0, z, 0.01 * z),
    z)
}

derivative <- function(name, a) {
  # the activation's slope, from its output a
  switch(name,
    sigmoid = a * (1 - a),
    tanh = 1 - a * a,
    relu = (a > 0) * 1,
    leaky_relu = ifelse(a > 0, 1, 0.01),
    a * 0 + 1)
}

feedforward <- function(x, w) {
  # every layer's output, the inputs first; and the output layer's scores z
  a <- list(x)
  n <- length(w)
  for (l in seq_len(n)) {
    z <- cbind(1, a[[l]]) %*% w[[l]]
    a[[l + 1]] <- if (l < n) {
      activate(hidden[l], z)
    } else if (head == "sigmoid") {
      sigmoid(z)
    } else if (head == "softmax") {
      e <- exp(z - apply(z, 1, max))
      e / rowSums(e)
    } else {
      z
    }
  }
  list(a = a, z = z)
}

objective <- function(pass, y, w) {
  # the loss nnviz reports: summed over rows (or their mean), plus the penalties
  p <- pass$a[[length(pass$a)]]
  z <- pass$z
  total <- if (loss_kind == "cross-entropy" && head == "softmax") {
    m <- apply(z, 1, max)
    sum((m - rowSums(z * y)) + log(rowSums(exp(z - m))))
  } else if (loss_kind == "cross-entropy") {
    sum(pmax(z, 0) + log1p(exp(-abs(z))) - y * z)
  } else {
    sum(0.5 * (p - y)^2)
  }
  if (reduction == "mean") total <- total / nrow(y)
  for (wl in w) {
    v <- wl[-1, , drop = FALSE]
    total <- total + l1 * sum(abs(v)) + 0.5 * l2 * sum(v^2)
  }
  total
}

backpropagate <- function(pass, y, w) {
  # the gradient of the summed loss: one matrix a layer, row 1 the bias's
  a <- pass$a
  p <- a[[length(a)]]
  delta <- p - y  # the article's y_hat - y
  if (loss_kind == "squared-error" && head == "sigmoid") {
    delta <- delta * p * (1 - p)
  } else if (loss_kind == "squared-error" && head == "softmax") {
    delta <- p * (delta - rowSums(delta * p))
  }
  grads <- vector("list", length(w))
  for (l in rev(seq_along(w))) {
    grads[[l]] <- rbind(colSums(delta), t(a[[l]]) %*% delta)
    if (l > 1) {
      delta <- (delta %*% t(w[[l]][-1, , drop = FALSE])) * derivative(hidden[l - 1], a[[l]])
    }
  }
  grads
}
"#;

const R_TRAIN: &str = r#"train <- function(x, y, w, eta, iterations, optimizer) {
  # full-batch training as nnviz does it; returns the weights and the last loss
  m <- lapply(w, function(wl) wl * 0)
  v <- m
  pass <- feedforward(x, w)
  loss <- objective(pass, y, w)
  for (t in seq_len(iterations) - 1) {
    if (t > 0) pass <- feedforward(x, w)
    loss <- objective(pass, y, w)
    grads <- backpropagate(pass, y, w)
    rate <- learning_rate(eta, t)
    for (l in seq_along(w)) {
      g <- grads[[l]]
      if (reduction == "mean") g <- g / nrow(x)
      rest <- -1
      g[rest, ] <- g[rest, ] + l1 * sign(w[[l]][rest, , drop = FALSE]) + l2 * w[[l]][rest, , drop = FALSE]
      if (optimizer == "momentum") {
        m[[l]] <- 0.9 * m[[l]] - rate * g
        w[[l]] <- w[[l]] + m[[l]]
      } else if (optimizer == "adam") {
        m[[l]] <- 0.9 * m[[l]] + (1 - 0.9) * g
        v[[l]] <- 0.999 * v[[l]] + (1 - 0.999) * g * g
        c1 <- 1 - 0.9^(t + 1)
        c2 <- 1 - 0.999^(t + 1)
        w[[l]] <- w[[l]] - rate * (m[[l]] / c1) / (sqrt(v[[l]] / c2) + 1e-8)
      } else {
        w[[l]] <- w[[l]] - rate * g
      }
    }
    if (!is.null(tolerance) && loss < tolerance) break
  }
  list(w = w, loss = loss)
}"#;
