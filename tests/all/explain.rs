//! One row explained: its forward pass is the network's, its loss and gradient match finite
//! differences of that row's loss, and the rows' gradients add up to the full-batch gradient, for
//! every activation, head and loss, at several depths.

use nnviz::nn::{
    Activation, Architecture, HiddenLayer, Init, Loss, Matrix, Network, OutputHead, Reduction,
    Targets,
};
use nnviz::train::explain::{RowExplanation, UpdateShare, explain_row};
use nnviz::train::{TrainConfig, objective_gradient};
use rand::SeedableRng as _;
use rand::rngs::StdRng;

use crate::gradients::HEAD_LOSS_PAIRS;

fn network(hidden: &[(usize, Activation)], outputs: usize, head: OutputHead, seed: u64) -> Network {
    Architecture {
        inputs: 3,
        hidden: hidden
            .iter()
            .map(|&(units, activation)| HiddenLayer { units, activation })
            .collect(),
        outputs,
        head,
    }
    .init(Init::Xavier, &mut StdRng::seed_from_u64(seed))
    .unwrap()
}

/// Random rows of three inputs and their targets.
fn data(rng: &mut StdRng, n: usize, head: OutputHead, classes: usize) -> (Matrix, Targets) {
    crate::gradients::data(rng, n, 3, head, classes)
}

fn explain(network: &Network, loss: Loss, x: &Matrix, y: &Targets, row: usize) -> RowExplanation {
    explain_row(network, loss, x.row(row), Some(&y.select(&[row]))).unwrap()
}

/// Depths 0 to 3, with `activation` in every hidden layer.
fn depths(activation: Activation) -> [Vec<(usize, Activation)>; 4] {
    [
        vec![],
        vec![(4, activation)],
        vec![(4, activation), (3, activation)],
        vec![(5, activation), (2, activation), (3, activation)],
    ]
}

#[test]
fn the_forward_pass_is_the_networks_own_output_bit_for_bit() {
    let mut rng = StdRng::seed_from_u64(5);
    for activation in Activation::ALL {
        for &(head, classes, outputs, loss) in &HEAD_LOSS_PAIRS {
            for hidden in depths(activation) {
                let net = network(&hidden, outputs, head, 3);
                let (x, y) = data(&mut rng, 9, head, classes);
                let layers = net.forward_layers(&x).unwrap();
                let output = net.forward(&x).unwrap();
                for row in 0..x.rows() {
                    let e = explain(&net, loss, &x, &y, row);
                    assert_eq!(e.output, output.row(row), "{activation} {head} row {row}");
                    assert_eq!(e.layers.len(), net.weights().len());
                    for (l, step) in e.layers.iter().enumerate() {
                        assert_eq!(step.a, layers[l].row(row), "layer {l}");
                    }
                    // z of the last layer, through the head, is the output.
                    let mut z =
                        Matrix::from_vec(1, outputs, e.layers.last().unwrap().z.clone()).unwrap();
                    head.apply_rows(&mut z);
                    assert_eq!(z.as_slice(), e.output);
                }
            }
        }
    }
}

#[test]
fn the_rows_gradients_add_up_to_the_full_batch_gradient() {
    let mut rng = StdRng::seed_from_u64(8);
    for activation in Activation::ALL {
        for &(head, classes, outputs, loss) in &HEAD_LOSS_PAIRS {
            for hidden in depths(activation) {
                let net = network(&hidden, outputs, head, 4);
                let (x, y) = data(&mut rng, 13, head, classes);
                for (reduction, l2) in [(Reduction::Sum, 0.0), (Reduction::Mean, 0.1)] {
                    let config = TrainConfig {
                        loss,
                        reduction,
                        l2,
                        ..TrainConfig::default()
                    };
                    let full = objective_gradient(&net, &config, &x, &y).unwrap();
                    let share = UpdateShare::new(&config, x.rows(), config.learning_rate);
                    let rows: Vec<RowExplanation> = (0..x.rows())
                        .map(|r| explain(&net, loss, &x, &y, r))
                        .collect();
                    for (l, g) in full.layers.iter().enumerate() {
                        let w = &net.weights()[l];
                        for i in 0..g.rows() {
                            for j in 0..g.cols() {
                                let summed: f64 = rows
                                    .iter()
                                    .map(|e| e.layers[l].gradient.as_ref().unwrap().get(i, j))
                                    .sum();
                                let penalty = if i == 0 { 0.0 } else { share.l2 * w.get(i, j) };
                                let expected = share.scale * summed + penalty;
                                let got = g.get(i, j);
                                assert!(
                                    (got - expected).abs() <= 1e-12 * got.abs().max(1.0),
                                    "{activation} {head} {loss:?} {reduction:?} depth {} \
                                     layer {l} ({i}, {j}): {got} vs {expected}",
                                    hidden.len()
                                );
                            }
                        }
                    }
                    // The rows' losses add up to the summed loss.
                    let total: f64 = rows.iter().map(|e| e.loss.unwrap()).sum();
                    let eval = nnviz::train::evaluate(&net, &x, &y, loss, Reduction::Sum, 0.0, 0.0)
                        .unwrap();
                    assert!((total - eval.loss).abs() <= 1e-12 * total.abs().max(1.0));
                }
            }
        }
    }
}

#[test]
fn each_rows_gradient_and_deltas_match_finite_differences_of_its_own_loss() {
    let mut rng = StdRng::seed_from_u64(9);
    for activation in Activation::ALL {
        for &(head, classes, outputs, loss) in &HEAD_LOSS_PAIRS {
            let hidden = [(4, activation), (3, activation)];
            let net = network(&hidden, outputs, head, 6);
            let (x, y) = data(&mut rng, 3, head, classes);
            for row in 0..x.rows() {
                let e = explain(&net, loss, &x, &y, row);
                let loss_at = |n: &Network| explain(n, loss, &x, &y, row).loss.unwrap();
                for (l, step) in e.layers.iter().enumerate() {
                    let gradient = step.gradient.as_ref().unwrap();
                    let delta = step.delta.as_ref().unwrap();
                    for i in 0..gradient.rows() {
                        for j in 0..gradient.cols() {
                            let w = net.weights()[l].get(i, j);
                            let h = 1e-6 * w.abs().max(1.0);
                            let mut plus = net.clone();
                            plus.weights_mut()[l].set(i, j, w + h);
                            let mut minus = net.clone();
                            minus.weights_mut()[l].set(i, j, w - h);
                            let at = e.loss.unwrap();
                            let (up, down) = (loss_at(&plus), loss_at(&minus));
                            let a = gradient.get(i, j);
                            // The closest of the central and one-sided differences: a ReLU's
                            // kink within the step leaves the central one between two slopes.
                            let error = [(up - down) / (2.0 * h), (up - at) / h, (at - down) / h]
                                .into_iter()
                                .map(|n| (a - n).abs() / a.abs().max(n.abs()).max(1e-3))
                                .fold(f64::INFINITY, f64::min);
                            assert!(
                                error < 1e-5,
                                "{activation} {head} {loss:?} layer {l} ({i}, {j}): {a} vs \
                                 finite differences, relative error {error:e}"
                            );
                        }
                    }
                    // The bias row of the gradient is the delta itself.
                    assert_eq!(gradient.row(0), &delta[..]);
                }
            }
        }
    }
}

#[test]
fn without_a_target_only_the_forward_pass_is_given_and_a_wrong_row_is_refused() {
    let net = network(&[(2, Activation::Tanh)], 1, OutputHead::Sigmoid, 1);
    let e = explain_row(&net, Loss::CrossEntropy, &[0.5, -1.0, 2.0], None).unwrap();
    assert!(e.loss.is_none() && e.target.is_none());
    assert!(
        e.layers
            .iter()
            .all(|s| s.delta.is_none() && s.gradient.is_none())
    );
    let error = explain_row(&net, Loss::CrossEntropy, &[0.5], None).unwrap_err();
    assert!(error.to_string().contains("1 inputs"), "{error}");
}

#[test]
fn the_metrics_list_the_misclassified_rows_whole_or_a_piece_at_a_time() {
    let mut rng = StdRng::seed_from_u64(12);
    let net = network(&[(3, Activation::Tanh)], 3, OutputHead::Softmax, 2);
    let (x, y) = data(&mut rng, 101, OutputHead::Softmax, 3);
    let whole =
        nnviz::train::evaluate(&net, &x, &y, Loss::CrossEntropy, Reduction::Sum, 0.0, 0.0).unwrap();
    let Targets::Classes { labels, .. } = &y else {
        unreachable!()
    };
    let predicted = net.predict_classes(&x).unwrap();
    let expected: Vec<usize> = (0..labels.len())
        .filter(|&i| predicted[i] != labels[i])
        .collect();
    assert!(!expected.is_empty(), "an untrained network gets some wrong");
    assert_eq!(whole.wrong, expected);
    let right: usize = (0..3).map(|k| whole.confusion[k][k]).sum();
    assert_eq!(whole.wrong.len(), whole.rows - right);
    let mut pieces =
        nnviz::train::Evaluation::new(net, Loss::CrossEntropy, Reduction::Sum, 0.0, 0.0);
    let in_pieces = loop {
        if let Some(m) = pieces.step(&x, &y, 7).unwrap() {
            break m;
        }
    };
    assert_eq!(in_pieces.wrong, expected);
}
