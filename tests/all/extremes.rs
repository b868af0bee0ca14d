//! The numerically delicate pieces at extreme logits: softmax through log-sum-exp, cross-entropy
//! from the logits, and their gradients stay finite and reach the right limits.

#![allow(clippy::unwrap_used)] // Tests fail loudly by design.

use nnviz::nn::{Architecture, Loss, Matrix, Network, OutputHead, Reduction, Targets, summed_loss};
use nnviz::train::{TrainConfig, objective_gradient};

/// A network without hidden layers whose scores are `logits` for the input 0: the bias row is
/// the logits, the weight row zeros.
fn fixed_logits(head: OutputHead, logits: &[f64]) -> Network {
    let k = logits.len();
    let architecture = Architecture {
        inputs: 1,
        hidden: Vec::new(),
        outputs: k,
        head,
    };
    let weights = Matrix::from_rows(&[logits.to_vec(), vec![0.0; k]]).unwrap();
    Network::new(architecture, vec![weights]).unwrap()
}

/// Scores, outputs and the summed cross-entropy of one row with the given label.
fn one_row(head: OutputHead, logits: &[f64], label: usize) -> (Vec<f64>, f64) {
    let network = fixed_logits(head, logits);
    let x = Matrix::zeros(1, 1);
    let (scores, output) = network.scores_and_output(&x).unwrap();
    let y = Targets::Classes {
        labels: vec![label],
        n_classes: if logits.len() == 1 { 2 } else { logits.len() },
    };
    let loss = summed_loss(head, Loss::CrossEntropy, &scores, &output, &y);
    (output.row(0).to_vec(), loss)
}

fn close(a: f64, b: f64) -> bool {
    a == b || (a - b).abs() <= 1e-12 * a.abs().max(b.abs())
}

#[test]
fn softmax_is_finite_and_reaches_its_limits_at_extreme_logits() {
    for big in [1e4, 1e300] {
        // One logit far above the others: probability 1 for it, 0 for the rest.
        let (p, loss) = one_row(OutputHead::Softmax, &[big, 0.0, -big], 0);
        assert_eq!(p, [1.0, 0.0, 0.0], "{big}");
        assert_eq!(loss, 0.0, "{big}");
        // The right answer far below the best: the loss is the gap, finite.
        let (_, loss) = one_row(OutputHead::Softmax, &[big, 0.0, -big], 2);
        assert!(close(loss, 2.0 * big), "{big}: {loss}");
        let (_, loss) = one_row(OutputHead::Softmax, &[big, 0.0, -big], 1);
        assert!(close(loss, big), "{big}: {loss}");
        // Equal huge logits: uniform, exactly, with loss ln 3.
        for equal in [big, -big] {
            let (p, loss) = one_row(OutputHead::Softmax, &[equal; 3], 1);
            assert!(p.iter().all(|&v| close(v, 1.0 / 3.0)), "{equal}: {p:?}");
            assert!(close(loss, 3_f64.ln()), "{equal}: {loss}");
        }
        // Two tied leaders share the probability.
        let (p, _) = one_row(OutputHead::Softmax, &[big, big, -big], 0);
        assert_eq!(p, [0.5, 0.5, 0.0], "{big}");
    }
    // Moderate gaps keep their exact value: p = 1 / (1 + e^-30 + e^-60).
    let (p, loss) = one_row(OutputHead::Softmax, &[1e4 + 60.0, 1e4 + 30.0, 1e4], 2);
    assert!(close(
        p[2],
        (-60_f64).exp() / (1.0 + (-30_f64).exp() + (-60_f64).exp())
    ));
    assert!(
        close(loss, 60.0 + (1.0 + (-30_f64).exp() + (-60_f64).exp()).ln()),
        "{loss}"
    );
}

#[test]
fn sigmoid_cross_entropy_comes_from_the_logit_at_extremes() {
    for big in [40.0, 1e4, 1e300] {
        // Confidently right: loss 0 (or e^-40), never NaN from log(1 - 1).
        let (p, loss) = one_row(OutputHead::Sigmoid, &[big], 1);
        assert_eq!(p, [1.0]);
        assert!((0.0..1e-17).contains(&loss), "{big}: {loss}");
        let (p, loss) = one_row(OutputHead::Sigmoid, &[-big], 0);
        assert!(p[0] < 1e-17, "{big}: {p:?}");
        assert!((0.0..1e-17).contains(&loss), "{big}: {loss}");
        // Confidently wrong: the loss is the logit, finite although p rounds to 1 or 0.
        let (_, loss) = one_row(OutputHead::Sigmoid, &[big], 0);
        assert!(close(loss, big), "{big}: {loss}");
        let (_, loss) = one_row(OutputHead::Sigmoid, &[-big], 1);
        assert!(close(loss, big), "{big}: {loss}");
    }
}

#[test]
fn gradients_stay_finite_and_bounded_at_extreme_logits() {
    for (head, logits, label) in [
        (OutputHead::Softmax, vec![1e300, 0.0, -1e300], 2),
        (OutputHead::Softmax, vec![-1e300; 3], 0),
        (OutputHead::Sigmoid, vec![1e300], 0),
        (OutputHead::Sigmoid, vec![-1e300], 1),
    ] {
        let network = fixed_logits(head, &logits);
        let y = Targets::Classes {
            labels: vec![label],
            n_classes: logits.len().max(2),
        };
        for loss in [Loss::CrossEntropy, Loss::SquaredError] {
            let config = TrainConfig {
                loss,
                reduction: Reduction::Sum,
                ..TrainConfig::default()
            };
            let g = objective_gradient(&network, &config, &Matrix::zeros(1, 1), &y).unwrap();
            // ∂loss/∂z is p − y for cross-entropy and smaller for squared error: within [−1, 1].
            for v in g.layers[0].as_slice() {
                assert!(
                    v.is_finite() && v.abs() <= 1.0,
                    "{head} {loss:?} {logits:?}: {v}"
                );
            }
        }
    }
}
