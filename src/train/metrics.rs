//! Loss, accuracy and confusion matrix of a network on a set of rows.

use serde::Serialize;

use crate::nn::{
    Loss, Matrix, Network, NnError, Reduction, Targets, Workspace, predicted_class, summed_loss,
};

use super::penalty;

/// How well a network does on a set of rows.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Metrics {
    /// Reduced loss plus penalties.
    pub loss: f64,
    /// Share of rows classified correctly (`None` for regression).
    pub accuracy: Option<f64>,
    /// `confusion[actual][predicted]` row counts (empty for regression).
    pub confusion: Vec<Vec<usize>>,
    /// Number of rows.
    pub rows: usize,
    /// The rows classified wrongly (indices into the rows evaluated, ascending), the first
    /// [`MAX_WRONG_KEPT`] of them; the confusion matrix counts them all.
    pub wrong: Vec<usize>,
}

/// The most misclassified rows a [`Metrics`] lists.
pub const MAX_WRONG_KEPT: usize = 10_000;

/// Appends to `wrong` (up to [`MAX_WRONG_KEPT`]) the rows, numbered from `first`, whose
/// prediction differs from the label.
fn note_wrong(wrong: &mut Vec<usize>, first: usize, predicted: &[usize], labels: &[usize]) {
    let room = MAX_WRONG_KEPT.saturating_sub(wrong.len());
    wrong.extend(
        predicted
            .iter()
            .zip(labels)
            .enumerate()
            .filter(|(_, (p, l))| p != l)
            .map(|(i, _)| first + i)
            .take(room),
    );
}

/// `confusion[actual][predicted]` counts for `k` classes.
pub fn confusion_matrix(actual: &[usize], predicted: &[usize], k: usize) -> Vec<Vec<usize>> {
    let mut m = vec![vec![0; k]; k];
    for (&a, &p) in actual.iter().zip(predicted) {
        if a < k && p < k {
            m[a][p] += 1;
        }
    }
    m
}

/// Rows per forward pass of [`evaluate`].
const EVALUATE_ROWS: usize = 8192;

/// Loss, accuracy and confusion matrix of `network` on rows `x` with targets `y`.
pub fn evaluate(
    network: &Network,
    x: &Matrix,
    y: &Targets,
    loss: Loss,
    reduction: Reduction,
    l1: f64,
    l2: f64,
) -> Result<Metrics, NnError> {
    let head = network.architecture().head;
    let n = x.rows();
    let mut value = 0.0;
    let mut predicted: Vec<usize> = Vec::new();
    // A piece of the rows at a time: the pass's buffers (the rows transposed, every layer's
    // outputs) stay a few megabytes on a million rows. Each row's numbers do not depend on the
    // rows beside it, and the losses are added in row order, so the figures are those of one
    // pass over all the rows.
    let mut ws = Workspace::default();
    let mut start = 0;
    loop {
        let end = n.min(start + EVALUATE_ROWS);
        let rows: Vec<usize> = (start..end).collect();
        let piece = if (start, end) == (0, n) {
            std::borrow::Cow::Borrowed(x)
        } else {
            std::borrow::Cow::Owned(x.row_range(start, end))
        };
        network.forward_in(&piece, &mut ws)?;
        let ys = y.select(&rows);
        value = ws.summed_loss_onto(value, head, loss, &ys);
        if let Targets::Classes { .. } = y {
            predicted.extend(ws.output().iter_rows().map(predicted_class));
        }
        if end >= n {
            break;
        }
        start = end;
    }
    if reduction == Reduction::Mean && !y.is_empty() {
        value /= y.len() as f64;
    }
    value += penalty(network.weights(), l1, l2);
    let mut wrong = Vec::new();
    let (accuracy, confusion) = match y {
        Targets::Classes { labels, n_classes } => {
            let correct = predicted.iter().zip(labels).filter(|(p, l)| p == l).count();
            let accuracy = (!labels.is_empty()).then(|| correct as f64 / labels.len() as f64);
            note_wrong(&mut wrong, 0, &predicted, labels);
            (accuracy, confusion_matrix(labels, &predicted, *n_classes))
        }
        Targets::Values(_) => (None, Vec::new()),
    };
    Ok(Metrics {
        loss: value,
        accuracy,
        confusion,
        rows: y.len(),
        wrong,
    })
}

/// [`evaluate`] over many rows a piece at a time, for callers that must not stall (the app on a
/// million-row file). It evaluates the network it was given, whatever happens to the original.
#[derive(Clone, Debug)]
pub struct Evaluation {
    network: Network,
    loss: Loss,
    reduction: Reduction,
    l1: f64,
    l2: f64,
    next: usize,
    summed: f64,
    correct: usize,
    confusion: Vec<Vec<usize>>,
    wrong: Vec<usize>,
}

impl Evaluation {
    /// An evaluation of `network` with these loss settings, no rows done yet.
    pub fn new(network: Network, loss: Loss, reduction: Reduction, l1: f64, l2: f64) -> Self {
        Self {
            network,
            loss,
            reduction,
            l1,
            l2,
            next: 0,
            summed: 0.0,
            correct: 0,
            confusion: Vec::new(),
            wrong: Vec::new(),
        }
    }

    /// Rows evaluated so far.
    pub fn rows_done(&self) -> usize {
        self.next
    }

    /// Evaluates up to `rows` more rows of `x`, `y` (the same on every call); the metrics once
    /// every row is done.
    pub fn step(
        &mut self,
        x: &Matrix,
        y: &Targets,
        rows: usize,
    ) -> Result<Option<Metrics>, NnError> {
        let n = y.len();
        let end = self.next.saturating_add(rows.max(1)).min(n);
        let indices: Vec<usize> = (self.next..end).collect();
        let (xs, ys) = (x.select_rows(&indices), y.select(&indices));
        let (scores, output) = self.network.scores_and_output(&xs)?;
        let head = self.network.architecture().head;
        self.summed += summed_loss(head, self.loss, &scores, &output, &ys);
        if let Targets::Classes { labels, n_classes } = &ys {
            let predicted: Vec<usize> = output.iter_rows().map(predicted_class).collect();
            self.correct += predicted.iter().zip(labels).filter(|(p, l)| p == l).count();
            note_wrong(&mut self.wrong, self.next, &predicted, labels);
            let part = confusion_matrix(labels, &predicted, *n_classes);
            if self.confusion.is_empty() {
                self.confusion = part;
            } else {
                for (total, row) in self.confusion.iter_mut().zip(part) {
                    total.iter_mut().zip(row).for_each(|(t, c)| *t += c);
                }
            }
        }
        self.next = end;
        if end < n {
            return Ok(None);
        }
        let mut value = self.summed;
        if self.reduction == Reduction::Mean && n > 0 {
            value /= n as f64;
        }
        value += penalty(self.network.weights(), self.l1, self.l2);
        let accuracy = match y {
            Targets::Classes { .. } if n > 0 => Some(self.correct as f64 / n as f64),
            _ => None,
        };
        Ok(Some(Metrics {
            loss: value,
            accuracy,
            confusion: std::mem::take(&mut self.confusion),
            rows: n,
            wrong: std::mem::take(&mut self.wrong),
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::nn::{Activation, Architecture, HiddenLayer, Init, OutputHead};
    use rand::{RngExt, SeedableRng};

    /// The figures of one pass over every row, as `evaluate` gave them before it went a piece at
    /// a time.
    fn in_one_pass(network: &Network, x: &Matrix, y: &Targets, loss: Loss) -> (f64, Vec<usize>) {
        let (scores, output) = network.scores_and_output(x).unwrap();
        let head = network.architecture().head;
        let predicted = output.iter_rows().map(predicted_class).collect();
        (summed_loss(head, loss, &scores, &output, y), predicted)
    }

    #[test]
    fn pieces_of_rows_give_the_figures_of_one_pass_bit_for_bit() {
        let mut rng = rand::rngs::StdRng::seed_from_u64(7);
        let n = 2 * EVALUATE_ROWS + 123;
        let x = Matrix::from_vec(
            n,
            3,
            (0..n * 3).map(|_| rng.random_range(-3.0..3.0)).collect(),
        )
        .unwrap();
        let cases = [
            (OutputHead::Softmax, 3, Loss::CrossEntropy),
            (OutputHead::Sigmoid, 2, Loss::CrossEntropy),
            (OutputHead::Identity, 0, Loss::SquaredError),
        ];
        for (head, classes, loss) in cases {
            let y = if classes == 0 {
                Targets::Values(Matrix::from_vec(n, 1, x.column(0)).unwrap())
            } else {
                Targets::Classes {
                    labels: (0..n).map(|i| (i * 7 + i / 3) % classes).collect(),
                    n_classes: classes,
                }
            };
            let architecture = Architecture {
                inputs: 3,
                hidden: vec![HiddenLayer {
                    units: 4,
                    activation: Activation::Tanh,
                }],
                outputs: y.output_units(head),
                head,
            };
            let network = architecture.init(Init::Normal, &mut rng).unwrap();
            let (summed, predicted) = in_one_pass(&network, &x, &y, loss);
            let m = evaluate(&network, &x, &y, loss, Reduction::Sum, 0.0, 0.0).unwrap();
            assert_eq!(m.loss.to_bits(), summed.to_bits(), "{head:?}");
            assert_eq!(m.rows, n);
            if let Targets::Classes { labels, n_classes } = &y {
                assert_eq!(
                    m.confusion,
                    confusion_matrix(labels, &predicted, *n_classes)
                );
                let correct = predicted.iter().zip(labels).filter(|(p, l)| p == l).count();
                assert_eq!(m.accuracy, Some(correct as f64 / n as f64));
            }
        }
    }
}
