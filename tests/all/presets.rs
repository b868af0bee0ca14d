//! The article's experiments as the app's presets replay them: each reaches the article's figure
//! when run for the article's iterations (through the app's own per-frame training path).

#![cfg(feature = "gui")]
#![allow(clippy::unwrap_used)] // Tests fail loudly by design.

use nnviz::app::presets::Preset;
use nnviz::app::settings::Settings;
use nnviz::train::evaluate;

use crate::common;

/// Plays a preset to its stop and returns its iteration and training accuracy, checking that
/// the figure the window shows is the one computed from the weights.
fn final_accuracy(preset: Preset) -> (u64, f64) {
    let settings = preset.settings(&Settings::default());
    let mut session = common::session(&settings);
    session.set_playing(true);
    session.wait_paused(common::WAIT);
    let main = session.main();
    let config = &main.config;
    let metrics = evaluate(
        &main.network,
        &main.data.train_x,
        &main.data.train_y,
        config.loss,
        config.reduction,
        0.0,
        0.0,
    )
    .unwrap();
    let shown = main.metrics.as_ref().unwrap();
    assert_eq!(
        shown.iteration, main.iteration,
        "{preset:?}: metrics behind"
    );
    assert_eq!(shown.train.accuracy, metrics.accuracy, "{preset:?}");
    (main.iteration, metrics.accuracy.unwrap())
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
    let mut session = common::session(&settings);
    session.wait_idle(common::WAIT);
    let baseline = session.baseline();
    assert!(baseline.finished(), "{:?}", baseline.stopped);
    assert_eq!(baseline.iteration, 100_000);
    let metrics = baseline.metrics.as_ref().unwrap();
    assert_eq!(metrics.train.accuracy, Some(0.67), "{:?}", baseline.stopped);
}
