//! The article's experiments as the app's presets replay them: each reaches the article's figure
//! when run for the article's iterations (through the app's own per-frame training path).

#![cfg(feature = "gui")]
#![allow(clippy::unwrap_used)] // Tests fail loudly by design.

use std::time::Duration;

use nnviz::app::presets::Preset;
use nnviz::app::session::Session;
use nnviz::app::settings::Settings;
use nnviz::train::evaluate;

fn final_accuracy(preset: Preset) -> (u64, f64) {
    let settings = preset.settings(&Settings::default());
    let dataset = settings.builtin.generate(&settings.generator);
    let mut session = Session::new(&settings, dataset, None).unwrap();
    session.playing = true;
    let limit = settings.stop_after.unwrap();
    while session.playing && session.trainer.iteration() < limit {
        session.train_frame(&settings, Duration::from_millis(50));
    }
    let config = session.trainer.config().clone();
    let p = &session.prepared;
    let metrics = evaluate(
        session.trainer.network(),
        &p.train_x,
        &p.train_y,
        config.loss,
        config.reduction,
        0.0,
        0.0,
    )
    .unwrap();
    (session.trainer.iteration(), metrics.accuracy.unwrap())
}

#[test]
fn each_preset_reaches_the_articles_figure() {
    for (preset, iterations, accuracy) in [
        (Preset::LogisticRegression, 100_000, 0.67),
        (Preset::Hidden1, 100_000, 0.685),
        (Preset::Hidden5, 100_000, 0.76),
        (Preset::Hidden30, 100_000, 1.0),
        (Preset::IrisR6, 9_999, 0.98),
    ] {
        let (done, got) = final_accuracy(preset);
        assert_eq!(done, iterations, "{preset:?}");
        assert!(
            (got - accuracy).abs() < 1e-9,
            "{preset:?}: {got} instead of the article's {accuracy}"
        );
    }
}

#[test]
fn the_baseline_beside_the_network_is_the_articles_logistic_regression() {
    let settings = Preset::Hidden5.settings(&Settings::default());
    let dataset = settings.builtin.generate(&settings.generator);
    let mut session = Session::new(&settings, dataset, None).unwrap();
    while !session.baseline.finished() {
        session.train_frame(&settings, Duration::from_millis(50));
    }
    assert_eq!(
        session.baseline.train_accuracy,
        Some(0.67),
        "{:?}",
        session.baseline.status
    );
}
