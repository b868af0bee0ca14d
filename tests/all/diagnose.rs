//! Health over training and the causes a notice names: the history's norms are the layers'
//! own at each recorded iteration, a divergence blames the layer whose step outgrew its
//! weights, and a stall is put down to dead, saturated or vanishing layers where they are.

use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use nnviz::data::{Builtin, GeneratorOptions};
use nnviz::nn::{
    Activation, Architecture, HiddenLayer, Init, Matrix, Network, OutputHead, Reduction, Targets,
};
use nnviz::train::diagnose::{self, Cause};
use nnviz::train::health::{Histogram, health, weight_histograms};
use nnviz::train::{Optimizer, Preparation, Run, RunSpec};
use rand::SeedableRng as _;
use rand::rngs::StdRng;

fn moons() -> Arc<nnviz::data::Prepared> {
    let data = Builtin::Moons.generate(&GeneratorOptions {
        points: 200,
        ..Builtin::Moons.default_options()
    });
    Arc::new(Preparation::default().prepare(&data).unwrap())
}

fn spec(optimizer: Optimizer, reduction: Reduction, l2: f64) -> RunSpec {
    let mut spec = RunSpec::default();
    spec.network.hidden = vec![
        HiddenLayer {
            units: 6,
            activation: Activation::Tanh,
        },
        HiddenLayer {
            units: 4,
            activation: Activation::Relu,
        },
    ];
    spec.training.optimizer = optimizer;
    spec.training.reduction = Some(reduction);
    spec.training.l2 = l2;
    spec.training.learning_rate = 0.01;
    spec
}

#[test]
fn the_historys_norms_are_each_layers_weight_and_gradient_norms_at_that_iteration() {
    for optimizer in [Optimizer::Gd, Optimizer::Momentum, Optimizer::Adam] {
        for (reduction, l2) in [(Reduction::Sum, 0.0), (Reduction::Mean, 0.01)] {
            let mut run = Run::new(spec(optimizer, reduction, l2), moons()).unwrap();
            let never = AtomicBool::new(false);
            run.train(6, &never, |_| false, |_| {}).unwrap();
            // Iteration 7's point is measured before its update: on the weights of now.
            let data = Arc::clone(run.data());
            let expected =
                health(run.network(), run.config(), &data.train_x, &data.train_y).unwrap();
            run.train(1, &never, |_| false, |_| {}).unwrap();
            let history = run.history();
            assert_eq!(history.last().unwrap().iteration, 7);
            let norms = history.norms().last().unwrap();
            assert_eq!(norms.len(), 3, "one entry per weight layer");
            for (l, (n, h)) in norms.iter().zip(&expected).enumerate() {
                assert_eq!(
                    n.weight, h.weight_norm,
                    "{optimizer:?} {reduction:?} layer {l}"
                );
                assert_eq!(
                    n.gradient, h.gradient_norm,
                    "{optimizer:?} {reduction:?} layer {l}"
                );
            }
            assert_eq!(history.norms().len(), history.points().len());
            let csv = history.to_csv();
            assert!(
                csv.lines()
                    .next()
                    .unwrap()
                    .ends_with("weight_norm_3,gradient_norm_3"),
                "{csv}"
            );
        }
    }
}

#[test]
fn a_divergence_names_the_layer_whose_last_step_outgrew_its_weights() {
    let data = Builtin::HotDogs.generate(&Builtin::HotDogs.default_options());
    let prepared = Arc::new(Preparation::default().prepare(&data).unwrap());
    let mut spec = RunSpec::default();
    spec.network.hidden = vec![HiddenLayer {
        units: 30,
        activation: Activation::Linear,
    }];
    spec.training.learning_rate = 10.0;
    let mut run = Run::new(spec, prepared).unwrap();
    let report = run
        .train(1000, &AtomicBool::new(false), |_| false, |_| {})
        .unwrap();
    assert!(report.stop.is_some(), "a rate of 10 diverges");
    let data = Arc::clone(run.data());
    let at = run.iteration() + 1;
    let finding = diagnose::divergence(
        run.history(),
        run.network(),
        run.config(),
        (&data.train_x, &data.train_y),
        at,
    )
    .unwrap()
    .unwrap();
    // The layer blamed is the one whose γ‖∇W‖/‖W‖ is largest at the weights kept (measured
    // as the health table does).
    let health = health(run.network(), run.config(), &data.train_x, &data.train_y).unwrap();
    let steps: Vec<f64> = health
        .iter()
        .map(|h| 10.0 * h.gradient_norm / h.weight_norm)
        .collect();
    let largest = (0..steps.len())
        .max_by(|&a, &b| steps[a].total_cmp(&steps[b]))
        .unwrap();
    assert_eq!(finding.layer, Some(largest), "{steps:?}");
    match finding.cause {
        Cause::Exploding { step, to, from } => {
            assert_eq!(step, Some(steps[largest]));
            assert_eq!(to, (at, health[largest].gradient_norm));
            // Against the point recorded before, if any.
            if let Some((i, _)) = from {
                assert!(i < at);
            }
        }
        other => panic!("{other:?}"),
    }
    let text = finding.describe(run.network());
    assert!(text.starts_with("the update exploded in "), "{text}");
}

fn network(hidden: &[(usize, Activation)], seed: u64) -> Network {
    Architecture {
        inputs: 2,
        hidden: hidden
            .iter()
            .map(|&(units, activation)| HiddenLayer { units, activation })
            .collect(),
        outputs: 1,
        head: OutputHead::Sigmoid,
    }
    .init(Init::Xavier, &mut StdRng::seed_from_u64(seed))
    .unwrap()
}

fn rows() -> (Matrix, Targets) {
    let mut rng = StdRng::seed_from_u64(3);
    crate::gradients::data(&mut rng, 64, 2, OutputHead::Sigmoid, 2)
}

fn config() -> nnviz::train::TrainConfig {
    nnviz::train::TrainConfig::default()
}

/// The cause `stall_cause` gives for `network` once trained to a standstill (20 000
/// iterations at rate 0.01), and the network then.
fn cause_of(network: &Network) -> (diagnose::Finding, Network) {
    let (x, y) = rows();
    let mut trainer = nnviz::train::Trainer::new(network.clone(), config());
    let mut history = nnviz::train::History::default();
    trainer
        .train_until(
            &x,
            &y,
            20_000,
            &AtomicBool::new(false),
            |i| i == 1,
            |r, moment| {
                if r.iteration == 1 {
                    let point = nnviz::train::HistoryPoint {
                        iteration: 1,
                        train_loss: r.loss,
                        train_accuracy: r.accuracy,
                        test_loss: None,
                        test_accuracy: None,
                    };
                    history.push_with_norms(point, moment.norms());
                }
            },
        )
        .unwrap();
    let trained = trainer.network().clone();
    let finding = diagnose::stall_cause(&trained, &config(), (&x, &y), Some(&history)).unwrap();
    (finding, trained)
}

#[test]
fn a_stall_with_dead_relu_units_blames_them() {
    let mut net = network(&[(4, Activation::Tanh), (6, Activation::Relu)], 1);
    // Layer 2's biases far below zero: no row makes any of its units positive.
    let w = &mut net.weights_mut()[1];
    for j in 0..w.cols() {
        w.set(0, j, -100.0);
    }
    let (finding, net) = cause_of(&net);
    assert_eq!(finding.layer, Some(1));
    assert_eq!(finding.cause, Cause::Dead { units: 6 });
    let text = finding.describe(&net);
    assert!(
        text.starts_with("6 of the 6 ReLU units of layer 2 (relu, 6 units) are dead"),
        "{text}"
    );
}

#[test]
fn a_stall_with_saturated_units_blames_the_layer() {
    let mut net = network(&[(5, Activation::Sigmoid)], 2);
    for v in net.weights_mut()[0].as_mut_slice() {
        *v *= 60.0;
    }
    let (finding, net) = cause_of(&net);
    assert_eq!(finding.layer, Some(0));
    let Cause::Saturated { share } = finding.cause else {
        panic!("{finding:?}");
    };
    let (x, y) = rows();
    let measured = health(&net, &config(), &x, &y).unwrap()[0]
        .saturated
        .unwrap();
    assert_eq!(share, measured);
    assert!(share > 0.5, "{share}");
    assert!(finding.describe(&net).contains("σ′ is near 0"));
}

#[test]
fn a_stall_with_a_vanishing_gradient_blames_the_first_layers() {
    let mut net = network(&[(5, Activation::Sigmoid); 4], 3);
    for w in net.weights_mut() {
        for v in w.as_mut_slice() {
            *v *= 0.05;
        }
    }
    let (finding, _) = cause_of(&net);
    let Cause::Vanishing { ratio } = finding.cause else {
        panic!("{finding:?}");
    };
    assert!(ratio < 1e-3, "{ratio}");
    assert_eq!(finding.layer, Some(0), "the layer furthest from the output");
}

#[test]
fn a_stall_in_a_healthy_network_blames_small_steps_or_says_it_settled() {
    // Untrained at a rate of 1e-7, it would learn faster at a larger rate.
    let (x, y) = rows();
    let untrained = network(&[(5, Activation::Tanh)], 4);
    let mut slow = config();
    slow.learning_rate = 1e-7;
    let finding = diagnose::stall_cause(&untrained, &slow, (&x, &y), None).unwrap();
    let Cause::SmallSteps { rate, better, gain } = finding.cause else {
        panic!("{finding:?}");
    };
    assert_eq!(rate, 1e-7);
    assert!(better >= 1e-5 && gain >= 0.01, "{finding:?}");
    // Fit where nothing is dead, saturated or vanishing: it settled.
    let healthy = health(&untrained, &config(), &x, &y).unwrap();
    assert!(healthy[0].saturated.unwrap() < 0.5, "{healthy:?}");
    let finding = diagnose::health_cause(&healthy, None);
    assert_eq!(
        finding,
        diagnose::Finding {
            layer: None,
            cause: Cause::Settled
        }
    );
    assert!(
        finding
            .describe(&untrained)
            .starts_with("no layer shows trouble")
    );
}

#[test]
fn the_histograms_count_every_weight_but_the_biases() {
    let net = network(&[(5, Activation::Tanh), (3, Activation::Relu)], 5);
    let histograms = weight_histograms(&net, 10);
    assert_eq!(histograms.len(), 3);
    for (h, w) in histograms.iter().zip(net.weights()) {
        let values = &w.as_slice()[w.cols()..];
        assert_eq!(h.counts.iter().sum::<usize>(), values.len());
        let lo = values.iter().copied().fold(f64::INFINITY, f64::min);
        let hi = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        assert_eq!((h.lo, h.hi), (lo, hi));
        // Each value lies in the bin the histogram counts it in.
        for &v in values {
            let k = (((v - h.lo) / h.width()) as usize).min(9);
            assert!(h.counts[k] > 0);
            assert!(v >= h.lo + k as f64 * h.width() - 1e-12);
        }
    }
    let constant = Histogram::new(&[2.0, 2.0, f64::NAN], 4);
    assert_eq!(constant.counts, vec![0, 0, 2, 0]);
}

#[test]
fn the_window_says_once_that_a_run_stalled_and_why() {
    let mut settings = nnviz::app::settings::Settings::default();
    settings.run.training.learning_rate = 1e-9;
    let mut session = crate::common::session(&settings);
    crate::common::step(&mut session, diagnose::STALL_ITERATIONS + 1_000);
    let notice = session.notice.take().expect("a stall is told");
    assert!(!notice.is_error, "{}", notice.text);
    assert!(
        notice
            .text
            .starts_with("Training has stalled: from iteration "),
        "{}",
        notice.text
    );
    // Measured: a larger step would lower the loss at once.
    assert!(
        notice
            .text
            .contains(". Likely cause: the steps are too small: one step at rate "),
        "{}",
        notice.text
    );
    assert!(
        notice
            .text
            .contains(" instead of 1e-9 would lower the loss by "),
        "{}",
        notice.text
    );
    crate::common::step(&mut session, 500);
    assert!(session.notice.is_none(), "told once: {:?}", session.notice);
}
