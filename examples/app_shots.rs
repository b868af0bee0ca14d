//! Screenshots of the app in several states, for README images and visual checks.
//!
//! `cargo run --release --example app_shots -- DIR NAME` with NAME one of start, hidden30,
//! iris, regression, error, diverged, baseline, wide, light (one window per process: winit cannot reopen
//! its event loop). Each is the real window under the real frame loop.

use std::path::{Path, PathBuf};

use nnviz::app::presets::{Preset, default_generator};
use nnviz::app::{App, AppOptions, Command};
use nnviz::data::Builtin;
use nnviz::nn::{Activation, HiddenLayer};

fn fresh(preset: Option<Preset>) -> App {
    App::headless(
        &AppOptions {
            preset,
            fresh: true,
            ..AppOptions::default()
        },
        None,
    )
}

fn with_preset(preset: Preset) -> AppOptions {
    AppOptions {
        preset: Some(preset),
        ..AppOptions::default()
    }
}

fn main() -> anyhow::Result<()> {
    let dir = PathBuf::from(std::env::args().nth(1).unwrap_or_else(|| ".".into()));
    let name = std::env::args().nth(2).unwrap_or_else(|| "start".into());
    let path = dir.join(format!("{name}.png"));
    match name.as_str() {
        "start" => nnviz::app::screenshot(&path, 150, AppOptions::default()),
        "hidden30" => nnviz::app::screenshot(&path, 40, with_preset(Preset::Hidden30)),
        "iris" => nnviz::app::screenshot(&path, 40, with_preset(Preset::IrisR6)),
        "regression" => nnviz::app::screenshot_app(&path, 300, false, |_| {
            // The hot dogs' summed loss at rate 0.01 is too steep for 400 rows of numbers.
            let mut app = fresh(None);
            let mut settings = app.settings.clone();
            settings.builtin = Builtin::Bumps;
            settings.generator = default_generator(Builtin::Bumps);
            settings.run.network.hidden[0].units = 20;
            settings.run.training.learning_rate = 0.003;
            app.apply_settings(settings);
            app
        }),
        "error" => nnviz::app::screenshot_app(&path, 20, false, |_| {
            let mut app = fresh(None);
            let bad = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/bad.csv");
            app.apply(Command::LoadCsvPath(bad), None);
            app
        }),
        "diverged" => nnviz::app::screenshot_app(&path, 60, false, |_| {
            let mut app = fresh(None);
            let mut settings = app.settings.clone();
            settings.run.network.hidden[0].activation = Activation::Relu;
            settings.run.training.learning_rate = 10.0;
            app.apply_settings(settings);
            app
        }),
        "baseline" => nnviz::app::screenshot_app(&path, 40, true, |_| {
            let mut app = fresh(None);
            app.apply(Command::UseBaseline, None);
            app
        }),
        "wide" => nnviz::app::screenshot_app(&path, 60, false, |_| {
            // More units than the diagram has room for: "+N" under each tall column.
            let mut app = fresh(None);
            let mut settings = app.settings.clone();
            settings.run.network.hidden = vec![
                HiddenLayer {
                    units: 64,
                    activation: Activation::Tanh,
                };
                3
            ];
            settings.run.training.learning_rate = 0.001;
            app.apply_settings(settings);
            app
        }),
        "light" => nnviz::app::screenshot_app(&path, 40, true, |_| {
            let mut app = fresh(Some(Preset::Hidden5));
            let mut settings = app.settings.clone();
            settings.dark = false;
            app.apply_settings(settings);
            app
        }),
        other => Err(anyhow::anyhow!("unknown screenshot {other}")),
    }
}
