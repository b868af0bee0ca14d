//! The article's networks, from its own initial weights, against R's results digit by digit.
//!
//! Needs `NNVIZ_REFERENCE` (the `shared/reference` folder); without it every test says it skipped.

#![allow(clippy::unwrap_used)] // Tests fail loudly by design.

use crate::common;

use nnviz::nn::{Activation, Architecture, HiddenLayer, Matrix, Network, OutputHead, Targets};
use nnviz::train::{IterationReport, TrainConfig, Trainer};

fn sigmoid_net(
    inputs: usize,
    hidden: &[usize],
    outputs: usize,
    head: OutputHead,
    weights: Vec<Matrix>,
) -> Network {
    let architecture = Architecture {
        inputs,
        hidden: hidden
            .iter()
            .map(|&units| HiddenLayer {
                units,
                activation: Activation::Sigmoid,
            })
            .collect(),
        outputs,
        head,
    };
    Network::new(architecture, weights).unwrap()
}

/// Trains and returns the reports of the iterations in `trace`.
fn run(
    trainer: &mut Trainer,
    x: &Matrix,
    y: &Targets,
    iterations: u64,
    every: u64,
) -> Vec<IterationReport> {
    let mut seen = Vec::new();
    let report = trainer
        .train(
            x,
            y,
            iterations,
            |i| i == 1 || i % every == 0,
            |r| seen.push(*r),
        )
        .unwrap();
    assert_eq!(
        report.iterations, iterations,
        "stopped early: {:?}",
        report.stop
    );
    seen
}

fn check_trace(seen: &[IterationReport], expected: &[(u64, f64, f64)]) {
    assert!(!expected.is_empty());
    for &(iteration, loss, accuracy) in expected {
        let got = seen
            .iter()
            .find(|r| r.iteration == iteration)
            .unwrap_or_else(|| panic!("no report for iteration {iteration}"));
        let rel = (got.loss - loss).abs() / loss.abs();
        assert!(
            rel < 1e-6,
            "iteration {iteration}: loss {} vs R {loss} (relative {rel:e})",
            got.loss
        );
        let acc = got.accuracy.unwrap();
        assert!(
            (acc - accuracy).abs() < 1e-9,
            "iteration {iteration}: accuracy {acc} vs R {accuracy}"
        );
    }
}

fn hotdogs_case(hidden: usize, final_accuracy: f64) {
    let dir = common::reference_dir();
    let (x, labels) = common::hotdogs(&dir);
    let y = Targets::Classes {
        labels,
        n_classes: 2,
    };
    let w1 = common::matrix(&dir, &format!("init_weights/hotdogs_h{hidden}_w1.csv"));
    let w2 = common::matrix(&dir, &format!("init_weights/hotdogs_h{hidden}_w2.csv"));
    let network = sigmoid_net(2, &[hidden], 1, OutputHead::Sigmoid, vec![w1, w2]);
    let mut trainer = Trainer::new(
        network,
        TrainConfig {
            learning_rate: 0.01,
            ..TrainConfig::default()
        },
    );
    let seen = run(&mut trainer, &x, &y, 100_000, 10_000);
    let expected = common::trace(&dir, &format!("expected/hotdogs_h{hidden}_trace.csv"));
    check_trace(&seen, &expected);
    assert_eq!(seen.last().unwrap().accuracy, Some(final_accuracy));
    for (l, name) in ["w1", "w2"].iter().enumerate() {
        let r = common::matrix(
            &dir,
            &format!("expected/hotdogs_h{hidden}_{name}_after_1e5.csv"),
        );
        let rel = common::max_relative_difference(&trainer.network().weights()[l], &r, 1e-3);
        eprintln!("hidden {hidden}: {name} max relative difference to R {rel:e}");
        assert!(
            rel < 1e-2,
            "hidden {hidden}: {name} differs from R by {rel:e}"
        );
    }
}

#[test]
#[cfg_attr(
    not(nnviz_reference),
    ignore = "needs the article's R results: NNVIZ_REFERENCE=../shared/reference cargo test"
)]
fn hotdogs_hidden_5_matches_r() {
    hotdogs_case(5, 0.76);
}

#[test]
#[cfg_attr(
    not(nnviz_reference),
    ignore = "needs the article's R results: NNVIZ_REFERENCE=../shared/reference cargo test"
)]
fn hotdogs_hidden_30_matches_r() {
    hotdogs_case(30, 1.0);
}

#[test]
#[cfg_attr(
    not(nnviz_reference),
    ignore = "needs the article's R results: NNVIZ_REFERENCE=../shared/reference cargo test"
)]
fn hotdogs_hidden_1_matches_r() {
    hotdogs_case(1, 0.685);
}

#[test]
#[cfg_attr(
    not(nnviz_reference),
    ignore = "needs the article's R results: NNVIZ_REFERENCE=../shared/reference cargo test"
)]
fn iris_r6_class_matches_r() {
    let dir = common::reference_dir();
    let (x, labels) = common::iris(&dir);
    let y = Targets::Classes {
        labels,
        n_classes: 3,
    };
    let w1 = common::matrix(&dir, "init_weights/iris_h5_W1.csv");
    let w2 = common::matrix(&dir, "init_weights/iris_h5_W2.csv");
    let network = sigmoid_net(4, &[5], 3, OutputHead::Softmax, vec![w1, w2]);
    let config = TrainConfig {
        learning_rate: 1e-4,
        tolerance: Some(0.01),
        ..TrainConfig::default()
    };
    let mut trainer = Trainer::new(network, config);
    let seen = run(&mut trainer, &x, &y, 9_999, 1_000);
    let expected = common::trace(&dir, "expected/iris_h5_trace.csv");
    check_trace(&seen, &expected);
    let at_9000 = seen.iter().find(|r| r.iteration == 9000).unwrap();
    assert!((at_9000.loss - 20.787520479258642).abs() / 20.787520479258642 < 1e-6);
    assert_eq!(at_9000.accuracy, Some(0.98));
    for (l, name) in ["W1", "W2"].iter().enumerate() {
        let r = common::matrix(&dir, &format!("expected/iris_h5_{name}_after_9999.csv"));
        let rel = common::max_relative_difference(&trainer.network().weights()[l], &r, 1e-3);
        eprintln!("iris: {name} max relative difference to R {rel:e}");
        assert!(rel < 1e-2, "iris: {name} differs from R by {rel:e}");
    }
}

#[test]
#[cfg_attr(
    not(nnviz_reference),
    ignore = "needs the article's R results: NNVIZ_REFERENCE=../shared/reference cargo test"
)]
fn no_hidden_layer_converges_to_glm() {
    let dir = common::reference_dir();
    let (x, labels) = common::hotdogs(&dir);
    let y = Targets::Classes {
        labels,
        n_classes: 2,
    };
    let (_, rows) = common::table(&dir, "expected/hotdogs_glm_coefficients.csv");
    let glm: Vec<f64> = rows
        .iter()
        .map(|r| r.last().unwrap().parse().unwrap())
        .collect();
    assert_eq!(glm.len(), 3, "intercept, x1, x2");
    let network = sigmoid_net(2, &[], 1, OutputHead::Sigmoid, vec![Matrix::zeros(3, 1)]);
    let mut trainer = Trainer::new(
        network,
        TrainConfig {
            learning_rate: 1e-3,
            ..TrainConfig::default()
        },
    );
    trainer.train(&x, &y, 200_000, |_| false, |_| {}).unwrap();
    let w = trainer.network().weights()[0].column(0);
    for (i, (got, want)) in w.iter().zip(&glm).enumerate() {
        let rel = (got - want).abs() / want.abs();
        assert!(
            rel < 1e-6,
            "coefficient {i}: {got} vs glm {want} (relative {rel:e})"
        );
    }
    let predicted = trainer.network().predict_classes(&x).unwrap();
    let Targets::Classes { labels, .. } = &y else {
        unreachable!()
    };
    let correct = predicted.iter().zip(labels).filter(|(p, l)| p == l).count();
    assert_eq!(correct, 134);
}
