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
fn data(
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

/// Largest relative difference between back-propagation and central differences.
fn worst_gradient_error(network: &Network, config: &TrainConfig, x: &Matrix, y: &Targets) -> f64 {
    let analytic = objective_gradient(network, config, x, y).unwrap();
    let mut worst: f64 = 0.0;
    for l in 0..network.weights().len() {
        let (rows, cols) = network.weights()[l].shape();
        for i in 0..rows {
            for j in 0..cols {
                let w = network.weights()[l].get(i, j);
                let h = 1e-6 * w.abs().max(1.0);
                let mut plus = network.clone();
                plus.weights_mut()[l].set(i, j, w + h);
                let mut minus = network.clone();
                minus.weights_mut()[l].set(i, j, w - h);
                let numeric =
                    (objective(&plus, config, x, y) - objective(&minus, config, x, y)) / (2.0 * h);
                let a = analytic.layers[l].get(i, j);
                let error = (a - numeric).abs() / (a.abs().max(numeric.abs()).max(1e-3));
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
    let heads = [
        (OutputHead::Sigmoid, 2, 1, Loss::CrossEntropy),
        (OutputHead::Sigmoid, 2, 1, Loss::SquaredError),
        (OutputHead::Sigmoid, 3, 3, Loss::CrossEntropy),
        (OutputHead::Softmax, 3, 3, Loss::CrossEntropy),
        (OutputHead::Softmax, 3, 3, Loss::SquaredError),
        (OutputHead::Identity, 0, 1, Loss::SquaredError),
    ];
    for activation in Activation::ALL {
        for &(head, classes, outputs, loss) in &heads {
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

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    /// Random architectures (0–4 layers, widths 1–32, every activation and head) on random data:
    /// gradients equal finite differences, and one small full-batch step never raises the loss.
    #[test]
    fn random_networks_have_exact_gradients_and_descend(
        hidden in prop::collection::vec((1usize..=32, activation_strategy()), 0..=4),
        head_index in 0usize..3,
        l2 in prop::sample::select(vec![0.0, 0.05]),
        seed in 0u64..1000,
    ) {
        let (head, classes, outputs, loss) = [
            (OutputHead::Sigmoid, 2, 1, Loss::CrossEntropy),
            (OutputHead::Softmax, 3, 3, Loss::CrossEntropy),
            (OutputHead::Identity, 0, 1, Loss::SquaredError),
        ][head_index];
        let mut rng = StdRng::seed_from_u64(seed);
        let (x, y) = data(&mut rng, 17, 2, head, classes);
        let net = network(2, &hidden, outputs, head, seed);
        let config = TrainConfig { loss, l2, reduction: Reduction::Mean, learning_rate: 1e-4, ..TrainConfig::default() };
        let worst = worst_gradient_error(&net, &config, &x, &y);
        prop_assert!(worst < 1e-4, "relative error {:e}", worst);

        let before = objective(&net, &config, &x, &y);
        let mut trainer = Trainer::new(net, config.clone());
        trainer.train(&x, &y, 1, |_| false, |_| {}).unwrap();
        let after = objective(trainer.network(), &config, &x, &y);
        prop_assert!(after <= before + 1e-12 * before.abs(), "loss rose from {} to {}", before, after);
    }
}
