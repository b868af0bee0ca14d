//! The timeline: going on from a kept moment is exactly the unbroken run, for every optimiser,
//! full batch and mini-batch.

use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use nnviz::data::{Builtin, GeneratorOptions};
use nnviz::nn::{Activation, HiddenLayer, Network};
use nnviz::train::{Optimizer, Preparation, Run, RunSpec};

fn data() -> Arc<nnviz::data::Prepared> {
    let data = Builtin::Moons.generate(&GeneratorOptions {
        points: 150,
        ..Builtin::Moons.default_options()
    });
    Arc::new(Preparation::default().prepare(&data).unwrap())
}

fn spec(optimizer: Optimizer, batch_size: Option<usize>) -> RunSpec {
    let mut spec = RunSpec::default();
    spec.network.hidden = vec![HiddenLayer {
        units: 6,
        activation: Activation::Tanh,
    }];
    spec.training.optimizer = optimizer;
    spec.training.batch_size = batch_size;
    spec.training.learning_rate = 0.02;
    spec
}

fn train(run: &mut Run, n: u64) {
    run.train(n, &AtomicBool::new(false), |_| false, |_| {})
        .unwrap();
}

#[test]
fn continuing_from_a_kept_moment_gives_the_unbroken_runs_bits() {
    let n = 700;
    for optimizer in [Optimizer::Gd, Optimizer::Momentum, Optimizer::Adam] {
        for batch in [None, Some(32)] {
            let mut unbroken = Run::new(spec(optimizer, batch), data()).unwrap();
            train(&mut unbroken, n);
            let expected: Network = unbroken.network().clone();
            let mut branched = Run::new(spec(optimizer, batch), data()).unwrap();
            train(&mut branched, n);
            for k in [0, 57, 300, 555] {
                branched.continue_from(k).unwrap();
                let from = branched.iteration();
                assert!(from <= k, "{optimizer:?} {batch:?}");
                assert!(
                    branched
                        .history()
                        .last()
                        .is_none_or(|p| p.iteration <= from)
                );
                assert_eq!(
                    branched.timeline().snapshots().last().unwrap().iteration(),
                    from
                );
                // On again in uneven steps.
                train(&mut branched, 13);
                train(&mut branched, n - from - 13);
                assert_eq!(branched.iteration(), n);
                assert_eq!(
                    *branched.network(),
                    expected,
                    "{optimizer:?}, batch {batch:?}: continued from {from}"
                );
                assert_eq!(branched.history().last().unwrap().iteration, n);
            }
            assert!(branched.continue_from(u64::MAX).is_ok());
        }
    }
}

#[test]
fn a_moment_shows_the_weights_the_run_had_then() {
    let mut run = Run::new(spec(Optimizer::Adam, Some(32)), data()).unwrap();
    let mut at_40 = Run::new(spec(Optimizer::Adam, Some(32)), data()).unwrap();
    train(&mut at_40, 40);
    train(&mut run, 1_000);
    let moment = run.timeline().at_or_before(40).unwrap();
    assert_eq!(moment.iteration(), 40);
    assert_eq!(moment.weights(), at_40.network().weights());
    assert!(run.timeline().bytes() <= run.timeline().budget());
}
