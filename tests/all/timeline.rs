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

/// The main run's spec trained directly for `n` iterations on its own data.
fn direct(view: &nnviz::train::worker::RunView, n: u64) -> Network {
    let mut run = Run::new(view.spec.clone(), Arc::clone(&view.data)).unwrap();
    train(&mut run, n);
    run.network().clone()
}

#[test]
fn scrubbing_shows_the_kept_weights_and_continuing_goes_on_from_them_exactly() {
    use crate::common::ui::{assert_caught_up, harness, pause, settle, wait_paused};
    use egui_kittest::kittest::Queryable;
    let mut harness = harness();
    pause(&mut harness);
    harness.get_by_label("Reset").click();
    harness.run_steps(1);
    harness.state_mut().session.step(300);
    wait_paused(&mut harness);
    settle(&mut harness);
    // ← goes back one kept moment: every moment is kept this early.
    harness.key_press(egui::Key::ArrowLeft);
    harness.run_steps(1);
    settle(&mut harness);
    let app = harness.state();
    assert_eq!(app.session.scrubbed_to(), Some(299));
    let main = app.session.main();
    assert_eq!(main.iteration, 299);
    assert_eq!(
        *main.network,
        direct(main, 299),
        "the plot's network is iteration 299's"
    );
    assert_caught_up(app);
    let accuracy = main.metrics.as_ref().unwrap().train.accuracy;
    let measured = nnviz::train::evaluate(
        &main.network,
        &main.data.train_x,
        &main.data.train_y,
        main.config.loss,
        main.config.reduction,
        main.config.l1,
        main.config.l2,
    )
    .unwrap();
    assert_eq!(accuracy, measured.accuracy, "the numbers are that moment's");
    harness.get_by_label_contains("iteration 299 of 300");
    // Further back, then on from there.
    for _ in 0..99 {
        harness.key_press(egui::Key::ArrowLeft);
    }
    harness.run_steps(1);
    assert_eq!(harness.state().session.scrubbed_to(), Some(200));
    harness.get_by_label("Continue from here").click();
    harness.run_steps(1);
    pause(&mut harness);
    wait_paused(&mut harness);
    settle(&mut harness);
    let app = harness.state();
    assert_eq!(app.session.scrubbed_to(), None);
    let main = app.session.main();
    let n = main.iteration;
    assert!(
        main.history
            .points()
            .windows(2)
            .all(|w| w[0].iteration < w[1].iteration)
    );
    assert_eq!(
        *main.network,
        direct(main, n),
        "continued from 200 to {n} exactly"
    );
}

#[test]
fn the_window_exports_the_kept_moments_as_an_animation() {
    use crate::common::ui::{harness, pause, settle, wait_paused};
    let mut harness = harness();
    pause(&mut harness);
    harness.state_mut().session.step(500);
    wait_paused(&mut harness);
    settle(&mut harness);
    let bytes = harness
        .state()
        .export_bytes(nnviz::app::ExportKind::AnimationGif)
        .unwrap();
    let mut options = gif::DecodeOptions::new();
    options.set_color_output(gif::ColorOutput::RGBA);
    let mut decoder = options.read_info(&bytes[..]).unwrap();
    assert_eq!((decoder.width(), decoder.height()), (400, 400));
    let mut frames = 0;
    while decoder.read_next_frame().unwrap().is_some() {
        frames += 1;
    }
    // Log-spaced up to now, every one of them kept this early.
    let live = harness.state().session.live_iteration();
    assert!(live >= 500);
    let expected = nnviz::picture::frame_iterations(48, live).len();
    assert_eq!(frames, expected);
}

#[test]
fn try_five_seeds_trains_the_setup_under_five_seeds_and_shows_their_spread() {
    use crate::common::ui::{harness, pause, settle, wait_paused};
    use egui_kittest::kittest::Queryable;
    let mut harness = harness();
    pause(&mut harness);
    let base = harness.state().settings.run.clone();
    harness.get_by_label("Compare runs").click();
    harness.run_steps(2);
    harness.get_by_label("Try 5 seeds").click();
    harness.run_steps(1);
    pause(&mut harness);
    harness.state_mut().session.step(200);
    wait_paused(&mut harness);
    settle(&mut harness);
    let app = harness.state();
    assert!(app.settings.is_seed_comparison());
    let runs = app.session.runs();
    assert_eq!(runs.len(), 5);
    for (k, run) in runs.iter().enumerate() {
        let mut expected = base.clone();
        expected.network.seed = base.network.seed + k as u64;
        expected.training.seed = base.training.seed + k as u64;
        assert_eq!(run.spec, expected, "run {}", k + 1);
        assert_eq!(*run.network, direct(run, run.iteration), "run {}", k + 1);
    }
    harness.get_by_label("median of 5 seeds; the band spans the least to the greatest");
    harness.get_by_label("Across the 5 seeds");
    // The range shown is the runs' own.
    let accuracies: Vec<f64> = runs
        .iter()
        .map(|r| r.metrics.as_ref().unwrap().train.accuracy.unwrap())
        .collect();
    let lo = accuracies.iter().copied().fold(f64::INFINITY, f64::min);
    harness.get_by_label_contains(&format!(
        "training accuracy: {} to",
        nnviz::ui::format_percent(Some(lo))
    ));
}

#[test]
fn a_ten_million_iteration_run_stays_within_its_timeline_bound() {
    // Four rows and two units: ten million real iterations in seconds.
    let data = Builtin::Xor.generate(&GeneratorOptions {
        points: 4,
        ..Builtin::Xor.default_options()
    });
    let prepared = Arc::new(
        Preparation {
            test_fraction: 0.0,
            ..Preparation::default()
        }
        .prepare(&data)
        .unwrap(),
    );
    let mut spec = RunSpec::default();
    spec.network.hidden = vec![HiddenLayer {
        units: 2,
        activation: Activation::Tanh,
    }];
    spec.training.optimizer = Optimizer::Adam;
    let mut run = Run::new(spec, prepared).unwrap();
    let budget = run.timeline().budget();
    for _ in 0..100 {
        train(&mut run, 100_000);
        let t = run.timeline();
        assert!(t.bytes() <= budget, "{} bytes", t.bytes());
        assert!(t.snapshots().len() <= nnviz::train::timeline::MAX_MOMENTS);
    }
    assert_eq!(run.iteration(), 10_000_000);
    let kept = run.timeline().snapshots();
    assert_eq!(kept[0].iteration(), 0);
    assert!(kept.last().unwrap().iteration() > 9_900_000);
}
