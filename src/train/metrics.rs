//! Loss, accuracy and confusion matrix of a network on a set of rows.

use serde::Serialize;

use crate::nn::{Loss, Matrix, Network, NnError, Reduction, Targets, predicted_class, summed_loss};

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
    let (scores, output) = network.scores_and_output(x)?;
    let (scores, output) = (&scores, &output);
    let head = network.architecture().head;
    let mut value = summed_loss(head, loss, scores, output, y);
    if reduction == Reduction::Mean && !y.is_empty() {
        value /= y.len() as f64;
    }
    value += penalty(network.weights(), l1, l2);
    let (accuracy, confusion) = match y {
        Targets::Classes { labels, n_classes } => {
            let predicted: Vec<usize> = output.iter_rows().map(predicted_class).collect();
            let correct = predicted.iter().zip(labels).filter(|(p, l)| p == l).count();
            let accuracy = (!labels.is_empty()).then(|| correct as f64 / labels.len() as f64);
            (accuracy, confusion_matrix(labels, &predicted, *n_classes))
        }
        Targets::Values(_) => (None, Vec::new()),
    };
    Ok(Metrics {
        loss: value,
        accuracy,
        confusion,
        rows: y.len(),
    })
}
