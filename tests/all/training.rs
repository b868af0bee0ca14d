//! The trainer: stopping rules, divergence, optimisers, schedules, determinism.

#![allow(clippy::unwrap_used)] // Tests fail loudly by design.

use nnviz::data::Builtin;
use nnviz::nn::{
    Activation, Architecture, HiddenLayer, Init, Matrix, Network, OutputHead, Targets,
};
use nnviz::train::{Optimizer, Schedule, Stop, TrainConfig, Trainer, evaluate};
use rand::rngs::StdRng;
use rand::{RngExt as _, SeedableRng as _};

/// Two noisy blobs, 2 features.
fn blobs(n: usize, seed: u64) -> (Matrix, Targets) {
    let mut rng = StdRng::seed_from_u64(seed);
    let mut x = Vec::new();
    let mut labels = Vec::new();
    for i in 0..n {
        let label = i % 2;
        let centre = if label == 1 { 1.5 } else { -1.5 };
        x.push(centre + rng.random_range(-1.0..1.0));
        x.push(centre + rng.random_range(-1.0..1.0));
        labels.push(label);
    }
    (
        Matrix::from_vec(n, 2, x).unwrap(),
        Targets::Classes {
            labels,
            n_classes: 2,
        },
    )
}

fn net(hidden: usize, activation: Activation, seed: u64) -> Network {
    Architecture {
        inputs: 2,
        hidden: vec![HiddenLayer {
            units: hidden,
            activation,
        }],
        outputs: 1,
        head: OutputHead::Sigmoid,
    }
    .init(Init::Normal, &mut StdRng::seed_from_u64(seed))
    .unwrap()
}

fn loss_after(config: TrainConfig, iterations: u64) -> f64 {
    let (x, y) = blobs(100, 1);
    let mut trainer = Trainer::new(net(5, Activation::Tanh, 2), config.clone());
    trainer
        .train(&x, &y, iterations, |_| false, |_| {})
        .unwrap();
    evaluate(
        trainer.network(),
        &x,
        &y,
        config.loss,
        config.reduction,
        0.0,
        0.0,
    )
    .unwrap()
    .loss
}

#[test]
fn every_optimiser_learns_the_blobs() {
    let start = loss_after(TrainConfig::default(), 0);
    for optimizer in Optimizer::ALL {
        let config = TrainConfig {
            optimizer,
            learning_rate: 0.01,
            ..TrainConfig::default()
        };
        let end = loss_after(config, 300);
        assert!(end < start * 0.2, "{optimizer:?}: loss {start} → {end}");
    }
}

#[test]
fn tolerance_stops_training_as_the_r6_class_does() {
    let (x, y) = blobs(100, 1);
    let config = TrainConfig {
        tolerance: Some(5.0),
        ..TrainConfig::default()
    };
    let mut trainer = Trainer::new(net(5, Activation::Sigmoid, 2), config);
    let report = trainer.train(&x, &y, 100_000, |_| false, |_| {}).unwrap();
    let Some(Stop::Tolerance { loss }) = report.stop else {
        panic!("no stop: {report:?}")
    };
    assert!(loss < 5.0);
    assert!(report.iterations < 100_000);
    assert_eq!(report.last.unwrap().loss, loss);
    // Stopped trainers do not go on until resumed.
    assert_eq!(
        trainer
            .train(&x, &y, 10, |_| false, |_| {})
            .unwrap()
            .iterations,
        0
    );
}

#[test]
fn divergence_stops_on_the_iteration_and_keeps_finite_weights() {
    let (x, y) = blobs(100, 1);
    let x = Matrix::from_vec(100, 2, x.as_slice().iter().map(|v| v * 1e150).collect()).unwrap();
    let config = TrainConfig {
        learning_rate: 10.0,
        ..TrainConfig::default()
    };
    let mut trainer = Trainer::new(net(5, Activation::Linear, 2), config);
    let report = trainer.train(&x, &y, 1000, |_| false, |_| {}).unwrap();
    let Some(Stop::Diverged { iteration, what }) = &report.stop else {
        panic!("{report:?}")
    };
    assert!(*iteration <= 5, "caught late: {iteration} ({what})");
    // The update that made the loss explode is undone with the one that failed.
    assert_eq!(trainer.iteration(), iteration.saturating_sub(2));
    assert!(trainer.network().weights().iter().all(Matrix::is_finite));
    assert!(
        report
            .stop
            .as_ref()
            .unwrap()
            .to_string()
            .contains("lower learning rate")
    );
}

#[test]
fn one_seed_reproduces_a_mini_batch_run_exactly() {
    let (x, y) = blobs(90, 3);
    let run = |seed: u64| {
        let config = TrainConfig {
            batch_size: Some(16),
            seed,
            optimizer: Optimizer::Adam,
            ..TrainConfig::default()
        };
        let mut trainer = Trainer::new(net(8, Activation::Relu, seed), config);
        trainer.train(&x, &y, 200, |_| false, |_| {}).unwrap();
        trainer.network().weights().to_vec()
    };
    assert_eq!(run(5), run(5));
    assert_ne!(run(5), run(6));
}

#[test]
fn changing_the_learning_rate_keeps_the_weights() {
    let (x, y) = blobs(50, 1);
    let mut trainer = Trainer::new(net(5, Activation::Sigmoid, 2), TrainConfig::default());
    trainer.train(&x, &y, 10, |_| false, |_| {}).unwrap();
    let before = trainer.network().clone();
    trainer.set_config(TrainConfig {
        learning_rate: 0.5,
        optimizer: Optimizer::Momentum,
        ..TrainConfig::default()
    });
    assert_eq!(trainer.network(), &before);
    assert_eq!(trainer.iteration(), 10);
}

#[test]
fn schedules_follow_their_formulas() {
    let base = 0.1;
    assert_eq!(Schedule::Constant.rate(base, 1000), base);
    assert_eq!(
        Schedule::Step {
            every: 100,
            factor: 0.5
        }
        .rate(base, 250),
        base * 0.25
    );
    let e = Schedule::Exponential { rate: 0.01 }.rate(base, 100);
    assert!((e - base * (-1.0f64).exp()).abs() < 1e-15);
    assert_eq!(
        Schedule::InverseTime { rate: 0.01 }.rate(base, 100),
        base / 2.0
    );
}

#[test]
fn reports_come_from_the_forward_pass_before_the_update() {
    let (x, y) = blobs(60, 4);
    let network = net(3, Activation::Sigmoid, 9);
    let config = TrainConfig::default();
    let initial = evaluate(&network, &x, &y, config.loss, config.reduction, 0.0, 0.0).unwrap();
    let mut trainer = Trainer::new(network, config);
    let mut first = None;
    trainer
        .train(&x, &y, 1, |_| true, |r| first = Some(*r))
        .unwrap();
    let first = first.unwrap();
    assert_eq!(first.iteration, 1);
    assert!((first.loss - initial.loss).abs() <= 1e-12 * initial.loss);
    assert_eq!(first.accuracy, initial.accuracy);
}

/// However the iterations are split into calls (as frames and workers split them), the weights
/// and the reported losses are the same bits: a run depends on its count, never on its pacing.
#[test]
fn training_in_calls_of_any_size_gives_the_same_bits() {
    let (x, y) = blobs(150, 8);
    let run = |calls: &[u64], hidden: &[usize]| {
        let network = Architecture {
            inputs: 2,
            hidden: hidden
                .iter()
                .map(|&units| HiddenLayer {
                    units,
                    activation: Activation::Sigmoid,
                })
                .collect(),
            outputs: 1,
            head: OutputHead::Sigmoid,
        }
        .init(Init::Normal, &mut StdRng::seed_from_u64(4))
        .unwrap();
        let config = TrainConfig {
            batch_size: Some(64),
            optimizer: Optimizer::Adam,
            ..TrainConfig::default()
        };
        let mut trainer = Trainer::new(network, config);
        let mut losses = Vec::new();
        for &n in calls {
            trainer
                .train(&x, &y, n, |_| true, |r| losses.push((r.iteration, r.loss)))
                .unwrap();
        }
        assert_eq!(trainer.iteration(), 40);
        (trainer.network().weights().to_vec(), losses)
    };
    for hidden in [&[30][..], &[7, 9], &[]] {
        let whole = run(&[40], hidden);
        assert_eq!(whole, run(&[1; 40], hidden), "hidden {hidden:?}");
        assert_eq!(whole, run(&[3, 7, 1, 29], hidden), "hidden {hidden:?}");
    }
}

#[test]
fn evaluation_in_pieces_equals_evaluation_at_once() {
    use nnviz::nn::{Loss, Reduction};
    use nnviz::train::Evaluation;
    let (x, y) = blobs(1003, 4);
    let network = net(7, Activation::Tanh, 5);
    for reduction in [Reduction::Sum, Reduction::Mean] {
        let whole = evaluate(&network, &x, &y, Loss::CrossEntropy, reduction, 0.1, 0.2).unwrap();
        let mut pieces = Evaluation::new(network.clone(), Loss::CrossEntropy, reduction, 0.1, 0.2);
        let mut done = None;
        let mut steps = 0;
        while done.is_none() {
            done = pieces.step(&x, &y, 100).unwrap();
            steps += 1;
        }
        assert_eq!(steps, 11);
        let done = done.unwrap();
        assert!(
            (done.loss - whole.loss).abs() <= 1e-12 * whole.loss.abs(),
            "{reduction:?}"
        );
        assert_eq!(done.accuracy, whole.accuracy);
        assert_eq!(done.confusion, whole.confusion);
        assert_eq!(done.rows, 1003);
    }
}

/// The article's hot dogs (our generator), unscaled, all rows training.
fn hot_dogs() -> (Matrix, Targets) {
    let data = Builtin::HotDogs.generate(&Builtin::HotDogs.default_options());
    (data.features.clone(), data.targets())
}

#[test]
fn a_loss_that_explodes_stops_on_that_iteration_with_the_weights_before_it() {
    // Learning rate 10 with sigmoid on the unscaled hot dogs: the loss goes from 171 to
    // over 20 000 in one update and oscillates there; nothing ever becomes NaN.
    let (x, y) = hot_dogs();
    let config = TrainConfig {
        learning_rate: 10.0,
        ..TrainConfig::default()
    };
    let initial = net(5, Activation::Sigmoid, 2);
    for every_report in [false, true] {
        let mut trainer = Trainer::new(initial.clone(), config.clone());
        let mut losses = Vec::new();
        let report = trainer
            .train(&x, &y, 1000, |_| every_report, |r| losses.push(r.loss))
            .unwrap();
        let Some(Stop::Diverged { iteration, what }) = &report.stop else {
            panic!("not stopped: {report:?}")
        };
        assert_eq!(*iteration, 2, "{what}");
        assert!(what.contains("over 100 times its reference"), "{what}");
        // Iteration 1's update made iteration 2's loss explode: both are undone.
        assert_eq!(trainer.iteration(), 0);
        assert_eq!(trainer.network(), &initial);
        assert_eq!(report.iterations, 0);
        assert!(
            losses.iter().all(|l| l.is_finite() && *l < 1000.0),
            "{losses:?}"
        );
        // A stopped trainer stays stopped, until a setting changes.
        let again = trainer.train(&x, &y, 10, |_| false, |_| {}).unwrap();
        assert_eq!(again.iterations, 0);
        trainer.set_config(TrainConfig {
            learning_rate: 0.01,
            ..config.clone()
        });
        let resumed = trainer.train(&x, &y, 100, |_| false, |_| {}).unwrap();
        assert_eq!((resumed.iterations, resumed.stop), (100, None));
    }
}

#[test]
fn huge_unscaled_features_stop_training_with_finite_weights() {
    // The article's logistic regression and a linear hidden layer at its learning rate, on
    // hot dogs measured in micrometres and beyond. (Sigmoid hidden units saturate instead: their
    // gradients vanish and the run stays finite and bounded, which is not divergence.)
    let (x, y) = hot_dogs();
    let logistic = Architecture {
        inputs: 2,
        hidden: Vec::new(),
        outputs: 1,
        head: OutputHead::Sigmoid,
    }
    .init(Init::Normal, &mut StdRng::seed_from_u64(1))
    .unwrap();
    for network in [logistic, net(5, Activation::Linear, 2)] {
        for scale in [1e6, 1e30, 1e200] {
            let x = Matrix::from_vec(
                x.rows(),
                2,
                x.as_slice().iter().map(|v| v * scale).collect(),
            )
            .unwrap();
            let mut trainer = Trainer::new(network.clone(), TrainConfig::default());
            let report = trainer.train(&x, &y, 1000, |_| false, |_| {}).unwrap();
            let Some(Stop::Diverged { iteration, what }) = report.stop else {
                panic!("{scale}: not stopped: {report:?}")
            };
            assert!(iteration <= 3, "{scale}: caught at {iteration}: {what}");
            let weights = trainer.network().weights();
            assert!(weights.iter().all(Matrix::is_finite));
            let kept = evaluate(
                trainer.network(),
                &x,
                &y,
                Default::default(),
                Default::default(),
                0.0,
                0.0,
            )
            .unwrap();
            assert!(!kept.loss.is_nan(), "{scale}: {what}");
        }
    }
}

/// Every built-in data set with the networks and settings people start from trains without
/// being taken for divergence: plain GD on the summed loss (the article's), with and without
/// standardising, momentum, Adam on the mean, mini-batches.
#[test]
fn ordinary_training_never_counts_as_divergence() {
    use nnviz::data::{PrepareOptions, prepare};
    use nnviz::nn::{Loss, Reduction};
    for builtin in Builtin::ALL {
        let data = builtin.generate(&builtin.default_options());
        for standardize in [false, true] {
            let prepared = prepare(
                &data,
                &PrepareOptions {
                    standardize,
                    ..PrepareOptions::default()
                },
            )
            .unwrap();
            let (x, y) = (&prepared.train_x, &prepared.train_y);
            let regression = !data.target.is_classes();
            let head = match y {
                Targets::Classes { n_classes: 2, .. } => OutputHead::Sigmoid,
                Targets::Classes { .. } => OutputHead::Softmax,
                Targets::Values(_) => OutputHead::Identity,
            };
            let configs = [
                (Optimizer::Gd, Reduction::Sum, 0.01, None),
                (Optimizer::Momentum, Reduction::Sum, 0.001, None),
                (Optimizer::Adam, Reduction::Mean, 0.05, None),
                (Optimizer::Gd, Reduction::Mean, 0.1, Some(16)),
            ];
            for (optimizer, reduction, learning_rate, batch_size) in configs {
                let config = TrainConfig {
                    loss: if regression {
                        Loss::SquaredError
                    } else {
                        Loss::CrossEntropy
                    },
                    reduction: if regression {
                        Reduction::Mean
                    } else {
                        reduction
                    },
                    optimizer,
                    learning_rate,
                    batch_size,
                    ..TrainConfig::default()
                };
                for hidden in [0, 5, 30] {
                    let architecture = Architecture {
                        inputs: x.cols(),
                        hidden: (hidden > 0)
                            .then_some(HiddenLayer {
                                units: hidden,
                                activation: Activation::Sigmoid,
                            })
                            .into_iter()
                            .collect(),
                        outputs: y.output_units(head),
                        head,
                    };
                    let network = architecture
                        .init(Init::Normal, &mut StdRng::seed_from_u64(1))
                        .unwrap();
                    let mut trainer = Trainer::new(network, config.clone());
                    let report = trainer.train(x, y, 3000, |_| false, |_| {}).unwrap();
                    assert!(
                        !matches!(report.stop, Some(Stop::Diverged { .. })),
                        "{builtin:?} standardize {standardize} hidden {hidden} {config:?}: {:?}",
                        report.stop
                    );
                }
            }
        }
    }
}

#[test]
fn one_confidently_wrong_row_in_a_batch_of_one_is_not_divergence() {
    // Logistic regression whose weights put one row 100 logits on the wrong side: its loss is
    // about 100, above 100 times the constant guess's ln 2 for one row.
    let x = Matrix::from_rows(&[vec![1.0], vec![-1.0], vec![0.5], vec![-0.5]]).unwrap();
    let y = Targets::Classes {
        labels: vec![0, 0, 1, 0],
        n_classes: 2,
    };
    let architecture = Architecture {
        inputs: 1,
        hidden: Vec::new(),
        outputs: 1,
        head: OutputHead::Sigmoid,
    };
    let weights = vec![Matrix::from_rows(&[vec![0.0], vec![-200.0]]).unwrap()];
    let network = Network::new(architecture, weights).unwrap();
    let config = TrainConfig {
        batch_size: Some(1),
        learning_rate: 1e-9,
        ..TrainConfig::default()
    };
    let mut trainer = Trainer::new(network, config);
    let step = trainer.train(&x, &y, 40, |_| false, |_| {}).unwrap();
    assert!(step.stop.is_none(), "{:?}", step.stop);
    assert_eq!(trainer.iteration(), 40);
}
