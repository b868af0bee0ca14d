//! Back-propagation against finite differences of the training objective, for every activation,
//! output head, loss, reduction and penalty, with several layers.

#![allow(clippy::unwrap_used)] // Tests fail loudly by design.

use nnviz::nn::{
    Activation, Architecture, HiddenLayer, Init, Loss, Matrix, Network, OutputHead, Reduction,
    Targets,
};
use nnviz::train::{TrainConfig, Trainer, evaluate, objective_gradient};
use proptest::prelude::*;
use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng as _};

/// Random rows and targets fitting `head` (classes for sigmoid/softmax, values for identity).
pub fn data(
    rng: &mut StdRng,
    n: usize,
    inputs: usize,
    head: OutputHead,
    classes: usize,
) -> (Matrix, Targets) {
    let x: Vec<f64> = (0..n * inputs)
        .map(|_| rng.random_range(-2.0..2.0))
        .collect();
    let x = Matrix::from_vec(n, inputs, x).unwrap();
    let y = match head {
        OutputHead::Identity => Targets::Values(
            Matrix::from_vec(n, 1, (0..n).map(|_| rng.random_range(-1.0..1.0)).collect()).unwrap(),
        ),
        _ => Targets::Classes {
            labels: (0..n).map(|i| i % classes).collect(),
            n_classes: classes,
        },
    };
    (x, y)
}

fn objective(network: &Network, config: &TrainConfig, x: &Matrix, y: &Targets) -> f64 {
    evaluate(
        network,
        x,
        y,
        config.loss,
        config.reduction,
        config.l1,
        config.l2,
    )
    .unwrap()
    .loss
}

/// Largest relative difference between back-propagation and finite differences.
///
/// Each weight's gradient is compared with the central difference and with both one-sided ones,
/// and the closest counts: where a ReLU, a leaky ReLU or |w| has a kink within the step, the
/// derivative at the weight is the one-sided difference on the kink's far side, and the central
/// difference averages two slopes. Smooth places agree all three ways. With an L1 penalty,
/// weights within 1e-4 of zero are skipped: |w| has no derivative at 0 itself.
fn worst_gradient_error(network: &Network, config: &TrainConfig, x: &Matrix, y: &Targets) -> f64 {
    let analytic = objective_gradient(network, config, x, y).unwrap();
    let at = objective(network, config, x, y);
    let mut worst: f64 = 0.0;
    for l in 0..network.weights().len() {
        let (rows, cols) = network.weights()[l].shape();
        for i in 0..rows {
            for j in 0..cols {
                let w = network.weights()[l].get(i, j);
                if config.l1 > 0.0 && w.abs() < 1e-4 {
                    continue;
                }
                let h = 1e-6 * w.abs().max(1.0);
                let mut plus = network.clone();
                plus.weights_mut()[l].set(i, j, w + h);
                let mut minus = network.clone();
                minus.weights_mut()[l].set(i, j, w - h);
                let (up, down) = (
                    objective(&plus, config, x, y),
                    objective(&minus, config, x, y),
                );
                let a = analytic.layers[l].get(i, j);
                let error = [(up - down) / (2.0 * h), (up - at) / h, (at - down) / h]
                    .into_iter()
                    .map(|numeric| (a - numeric).abs() / (a.abs().max(numeric.abs()).max(1e-3)))
                    .fold(f64::INFINITY, f64::min);
                worst = worst.max(error);
            }
        }
    }
    worst
}

fn network(
    inputs: usize,
    hidden: &[(usize, Activation)],
    outputs: usize,
    head: OutputHead,
    seed: u64,
) -> Network {
    let architecture = Architecture {
        inputs,
        hidden: hidden
            .iter()
            .map(|&(units, activation)| HiddenLayer { units, activation })
            .collect(),
        outputs,
        head,
    };
    architecture
        .init(Init::Xavier, &mut StdRng::seed_from_u64(seed))
        .unwrap()
}

#[test]
fn every_activation_head_loss_and_penalty_matches_finite_differences() {
    let mut rng = StdRng::seed_from_u64(7);
    for activation in Activation::ALL {
        for &(head, classes, outputs, loss) in &HEAD_LOSS_PAIRS {
            for (reduction, l1, l2) in [(Reduction::Sum, 0.0, 0.0), (Reduction::Mean, 0.01, 0.1)] {
                let (x, y) = data(&mut rng, 23, 3, head, classes);
                let net = network(3, &[(4, activation), (3, activation)], outputs, head, 11);
                let config = TrainConfig {
                    loss,
                    reduction,
                    l1,
                    l2,
                    ..TrainConfig::default()
                };
                let worst = worst_gradient_error(&net, &config, &x, &y);
                assert!(
                    worst < 1e-5,
                    "{activation} hidden, {head} head, {loss:?}, {reduction:?}, l1 {l1}, l2 {l2}: relative error {worst:e}"
                );
            }
        }
    }
}

fn activation_strategy() -> impl Strategy<Value = Activation> {
    prop::sample::select(Activation::ALL.to_vec())
}

/// Every output head with every loss it takes: `(head, classes, outputs, loss)`.
pub const HEAD_LOSS_PAIRS: [(OutputHead, usize, usize, Loss); 6] = [
    (OutputHead::Sigmoid, 2, 1, Loss::CrossEntropy),
    (OutputHead::Sigmoid, 2, 1, Loss::SquaredError),
    (OutputHead::Sigmoid, 3, 3, Loss::CrossEntropy),
    (OutputHead::Softmax, 3, 3, Loss::CrossEntropy),
    (OutputHead::Softmax, 3, 3, Loss::SquaredError),
    (OutputHead::Identity, 0, 1, Loss::SquaredError),
];

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    /// Random architectures (0–4 layers, widths 1–32, every activation, every head with every
    /// loss, sum or mean, L1 and L2) on random data: gradients equal finite differences, and one
    /// small full-batch step never raises the loss.
    #[test]
    fn random_networks_have_exact_gradients_and_descend(
        hidden in prop::collection::vec((1usize..=32, activation_strategy()), 0..=4),
        pair in 0usize..HEAD_LOSS_PAIRS.len(),
        reduction in prop::sample::select(vec![Reduction::Sum, Reduction::Mean]),
        l1 in prop::sample::select(vec![0.0, 0.01]),
        l2 in prop::sample::select(vec![0.0, 0.05]),
        seed in 0u64..1000,
    ) {
        let (head, classes, outputs, loss) = HEAD_LOSS_PAIRS[pair];
        let mut rng = StdRng::seed_from_u64(seed);
        let n = 17;
        let (x, y) = data(&mut rng, n, 2, head, classes);
        let net = network(2, &hidden, outputs, head, seed);
        // The same step size for both reductions: the summed loss's gradient is n times larger.
        let learning_rate = match reduction {
            Reduction::Mean => 1e-4,
            Reduction::Sum => 1e-4 / n as f64,
        };
        let config = TrainConfig { loss, reduction, l1, l2, learning_rate, ..TrainConfig::default() };
        let worst = worst_gradient_error(&net, &config, &x, &y);
        prop_assert!(worst < 1e-4, "relative error {:e}", worst);

        let before = objective(&net, &config, &x, &y);
        let mut trainer = Trainer::new(net, config.clone());
        trainer.train(&x, &y, 1, |_| false, |_| {}).unwrap();
        let after = objective(trainer.network(), &config, &x, &y);
        prop_assert!(after <= before + 1e-12 * before.abs(), "loss rose from {} to {}", before, after);
    }
}
