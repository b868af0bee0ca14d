//! Screenshots of the app in several states, for README images and visual checks.
//!
//! `cargo run --example app_shots -- DIR NAME` with NAME one of start, hidden30, iris,
//! regression, error (one window per process: winit cannot reopen its event loop).

use std::path::{Path, PathBuf};

use nnviz::app::presets::Preset;
use nnviz::app::{App, AppOptions, Command};
use nnviz::data::Builtin;

fn fresh(preset: Option<Preset>) -> App {
    App::headless(
        &AppOptions {
            preset,
            fresh: true,
            csv: None,
        },
        None,
    )
}

fn main() -> anyhow::Result<()> {
    let dir = PathBuf::from(std::env::args().nth(1).unwrap_or_else(|| ".".into()));
    let name = std::env::args().nth(2).unwrap_or_else(|| "start".into());
    let path = dir.join(format!("{name}.png"));
    let shot = |_: &str| path.clone();
    match name.as_str() {
        "start" => nnviz::app::screenshot(&shot("start.png"), 40, None),
        "hidden30" => nnviz::app::screenshot(&shot("hidden30.png"), 40, Some(Preset::Hidden30)),
        "iris" => nnviz::app::screenshot(&shot("iris.png"), 40, Some(Preset::IrisR6)),
        "regression" => nnviz::app::screenshot_app(&shot("regression.png"), 150, false, |_| {
            let mut app = fresh(None);
            let mut settings = app.settings.clone();
            settings.builtin = Builtin::Bumps;
            settings.generator = Builtin::Bumps.default_options();
            settings.hidden[0].units = 20;
            settings.train.learning_rate = 0.003;
            app.apply_settings(settings);
            app
        }),
        "error" => nnviz::app::screenshot_app(&shot("error.png"), 20, false, |_| {
            let mut app = fresh(None);
            let bad = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/bad.csv");
            app.apply(Command::LoadCsvPath(bad), None);
            app
        }),
        other => Err(anyhow::anyhow!("unknown screenshot {other}")),
    }
}
