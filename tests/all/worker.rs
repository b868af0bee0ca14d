//! Runs on the worker thread: commands take effect between iterations, and the weights at
//! iteration n depend on the spec and the commands only, never on timing or load.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use nnviz::data::{Builtin, GeneratorOptions};
use nnviz::nn::{Activation, HiddenLayer, Network};
use nnviz::train::worker::{Command, Published, Worker};
use nnviz::train::{Optimizer, Preparation, Run, RunSpec};

/// Long enough for any machine, however loaded; a run that gets there has failed anyway.
const PATIENCE: Duration = Duration::from_secs(120);

fn moons() -> Arc<nnviz::data::Prepared> {
    let data = Builtin::Moons.generate(&GeneratorOptions {
        points: 300,
        ..Builtin::Moons.default_options()
    });
    Arc::new(Preparation::default().prepare(&data).unwrap())
}

fn spec(optimizer: Optimizer, batch_size: Option<usize>) -> RunSpec {
    let mut spec = RunSpec::default();
    spec.network.hidden = vec![
        HiddenLayer {
            units: 8,
            activation: Activation::Tanh,
        };
        2
    ];
    spec.training.optimizer = optimizer;
    spec.training.batch_size = batch_size;
    spec.training.learning_rate = 0.01;
    spec
}

/// The run trained directly, `n` iterations, on this thread.
fn direct(spec: &RunSpec, n: u64) -> Network {
    let mut run = Run::new(spec.clone(), moons()).unwrap();
    run.train(n, &AtomicBool::new(false), |_| false, |_| {})
        .unwrap();
    assert_eq!(run.iteration(), n);
    run.network().clone()
}

fn run_view(p: &Published, index: usize) -> &nnviz::train::worker::RunView {
    &p.runs[index]
}

/// Keeps both cores busy while `f` runs.
fn under_load<T>(f: impl FnOnce() -> T) -> T {
    let stop = Arc::new(AtomicBool::new(false));
    let hogs: Vec<_> = (0..2)
        .map(|_| {
            let stop = Arc::clone(&stop);
            std::thread::spawn(move || {
                let mut x = 1.0_f64;
                while !stop.load(Ordering::Relaxed) {
                    x = (x * 1.000_001).sin() + 1.0;
                }
                x
            })
        })
        .collect();
    let out = f();
    stop.store(true, Ordering::Relaxed);
    for h in hogs {
        h.join().unwrap();
    }
    out
}

#[test]
fn playing_to_a_limit_under_load_gives_the_bits_of_a_direct_run() {
    for (optimizer, batch) in [
        (Optimizer::Gd, None),
        (Optimizer::Momentum, Some(32)),
        (Optimizer::Adam, Some(17)),
    ] {
        let mut spec = spec(optimizer, batch);
        spec.training.stop_after = Some(700);
        let expected = direct(&spec, 700);
        let got = under_load(|| {
            let mut worker = Worker::start(|| {});
            worker.send(Command::Add {
                run: Box::new(Run::new(spec.clone(), moons()).unwrap()),
                playing: true,
            });
            // Pauses and plays at whatever iterations the timing gives: no iteration is lost
            // or repeated, so the weights at the limit are the same.
            for k in 0..20 {
                worker.send(Command::SetPlaying {
                    index: 0,
                    playing: k % 2 == 1,
                });
                std::thread::sleep(Duration::from_micros(300));
            }
            worker.send(Command::SetPlaying {
                index: 0,
                playing: true,
            });
            let published = worker.wait_until(PATIENCE, |p| run_view(p, 0).reached_limit);
            let view = run_view(&published, 0);
            assert_eq!(view.iteration, 700, "{optimizer:?}");
            (*view.network).clone()
        });
        assert_eq!(got, expected, "{optimizer:?}, batch {batch:?}");
    }
}

#[test]
fn a_learning_rate_change_keeps_the_weights_and_every_iteration() {
    let spec = spec(Optimizer::Adam, Some(50));
    let mut faster = spec.clone();
    faster.training.learning_rate = 0.05;
    // Directly: 150 iterations, the new rate, 150 more.
    let mut run = Run::new(spec.clone(), moons()).unwrap();
    let never = AtomicBool::new(false);
    run.train(150, &never, |_| false, |_| {}).unwrap();
    run.set_spec(faster.clone()).unwrap();
    run.train(150, &never, |_| false, |_| {}).unwrap();

    let mut worker = Worker::start(|| {});
    worker.send(Command::Add {
        run: Box::new(Run::new(spec, moons()).unwrap()),
        playing: false,
    });
    worker.send(Command::Step { index: 0, n: 150 });
    // Commands apply in order but a step is no barrier: wait for the 150 iterations.
    let published = worker.wait_idle(PATIENCE);
    assert_eq!(run_view(&published, 0).iteration, 150);
    worker.send(Command::SetSpec {
        index: 0,
        spec: faster,
    });
    worker.send(Command::Step { index: 0, n: 150 });
    let published = worker.wait_idle(PATIENCE);
    let view = run_view(&published, 0);
    assert_eq!(view.iteration, 300);
    assert_eq!(view.config.learning_rate, 0.05);
    assert_eq!(*view.network, *run.network());
    assert!(view.error.is_none());
}

#[test]
fn the_trainer_stops_before_the_next_iteration_once_interrupted() {
    let mut run = Run::new(spec(Optimizer::Gd, None), moons()).unwrap();
    let interrupt = AtomicBool::new(false);
    // The flag is set during iteration 37: iteration 38 does not start.
    run.train(
        1000,
        &interrupt,
        |i| i == 37,
        |r| {
            if r.iteration == 37 {
                interrupt.store(true, Ordering::Relaxed);
            }
        },
    )
    .unwrap();
    assert_eq!(run.iteration(), 37);
}

#[test]
fn a_refused_spec_changes_nothing_and_says_why() {
    let mut worker = Worker::start(|| {});
    let spec = spec(Optimizer::Gd, None);
    worker.send(Command::Add {
        run: Box::new(Run::new(spec.clone(), moons()).unwrap()),
        playing: false,
    });
    worker.send(Command::Step { index: 0, n: 10 });
    let before = worker.wait_idle(PATIENCE);
    let mut bad = spec;
    bad.training.learning_rate = -1.0;
    worker.send(Command::SetSpec {
        index: 0,
        spec: bad,
    });
    let after = worker.wait_idle(PATIENCE);
    let view = run_view(&after, 0);
    assert!(
        view.error
            .as_deref()
            .is_some_and(|e| e.contains("learning rate")),
        "{:?}",
        view.error
    );
    assert_eq!(view.config.learning_rate, 0.01);
    assert_eq!(view.network, run_view(&before, 0).network);
}

#[test]
fn dropping_the_worker_while_it_trains_a_large_network_returns() {
    let data = Builtin::Circle.generate(&GeneratorOptions {
        points: 2000,
        ..Builtin::Circle.default_options()
    });
    let data = Arc::new(Preparation::default().prepare(&data).unwrap());
    let mut spec = RunSpec::default();
    spec.network.hidden = vec![
        HiddenLayer {
            units: 256,
            activation: Activation::Relu,
        };
        4
    ];
    let mut worker = Worker::start(|| {});
    worker.send(Command::Add {
        run: Box::new(Run::new(spec, data).unwrap()),
        playing: true,
    });
    worker.wait_until(PATIENCE, |p| run_view(p, 0).iteration > 0);
    drop(worker); // stops within one iteration; a hang here fails the test run
}

#[test]
fn several_runs_take_turns_and_each_equals_its_direct_run() {
    let specs: Vec<RunSpec> = [Optimizer::Gd, Optimizer::Momentum, Optimizer::Adam]
        .into_iter()
        .map(|o| {
            let mut s = spec(o, Some(64));
            s.training.stop_after = Some(400);
            s
        })
        .collect();
    let mut worker = Worker::start(|| {});
    for s in &specs {
        worker.send(Command::Add {
            run: Box::new(Run::new(s.clone(), moons()).unwrap()),
            playing: true,
        });
    }
    let published = worker.wait_until(PATIENCE, |p| p.runs.iter().all(|r| r.reached_limit));
    for (i, s) in specs.iter().enumerate() {
        assert_eq!(*run_view(&published, i).network, direct(s, 400), "run {i}");
    }
}
