//! The app driven through its real UI with egui_kittest: no GPU, no display.
#![cfg(feature = "gui")]

use egui::accesskit::Role;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use nnviz::app::presets::Preset;
use nnviz::app::{App, AppOptions};
use nnviz::nn::{Activation, Init};

/// A file dropped on the window, held in memory.
#[derive(Debug)]
struct MemoryFile {
    path: std::path::PathBuf,
    bytes: Vec<u8>,
}

impl egui::DroppedFile for MemoryFile {
    fn path(&self) -> &std::path::Path {
        &self.path
    }

    fn bytes(&self) -> Result<Vec<u8>, String> {
        Ok(self.bytes.clone())
    }
}

fn drop_file(harness: &mut Harness<'static, App>, name: &str, bytes: Vec<u8>) {
    harness
        .input_mut()
        .dropped_files
        .push(std::sync::Arc::new(MemoryFile {
            path: name.into(),
            bytes,
        }));
}

fn harness() -> Harness<'static, App> {
    Harness::builder()
        .with_size(egui::vec2(1280.0, 800.0))
        .build_eframe(|cc| {
            App::with_options(
                cc,
                &AppOptions {
                    fresh: true,
                    ..AppOptions::default()
                },
            )
        })
}

/// Pauses a harness whose app starts playing.
fn pause(harness: &mut Harness<'static, App>) {
    harness.run_steps(2);
    harness.get_by_label("Pause").click();
    harness.run_steps(2);
    assert!(!harness.state().session.playing);
}

#[test]
fn starts_playing_the_articles_network_on_hot_dogs() {
    let mut harness = harness();
    harness.run_steps(3);
    let app = harness.state();
    assert!(app.session.playing);
    assert_eq!(app.session.dataset.n_rows(), 200);
    let arch = app.session.trainer.network().architecture();
    assert_eq!(arch.hidden.len(), 1);
    assert_eq!(arch.hidden[0].units, 5);
    assert_eq!(arch.hidden[0].activation, Activation::Sigmoid);
    assert_eq!(app.settings.train.learning_rate, 0.01);
    assert_eq!(app.settings.init, Init::Normal);
    assert!(app.session.trainer.iteration() > 0);
    assert!(app.grid.cells >= 256, "grid of {} cells", app.grid.cells);
}

#[test]
fn pressing_play_makes_the_iteration_count_grow() {
    let mut harness = harness();
    pause(&mut harness);
    let before = harness.state().session.trainer.iteration();
    harness.run_steps(3);
    assert_eq!(harness.state().session.trainer.iteration(), before);
    harness.get_by_label("Play").click();
    harness.run_steps(5);
    assert!(harness.state().session.playing);
    assert!(harness.state().session.trainer.iteration() > before);
}

#[test]
fn space_and_arrow_keys_play_and_step() {
    let mut harness = harness();
    pause(&mut harness);
    let before = harness.state().session.trainer.iteration();
    harness.key_press(egui::Key::ArrowRight);
    harness.run_steps(2);
    assert_eq!(harness.state().session.trainer.iteration(), before + 1);
    harness.key_press(egui::Key::Space);
    harness.run_steps(3);
    assert!(harness.state().session.playing);
}

#[test]
fn dragging_the_learning_rate_slider_keeps_the_weights() {
    let mut harness = harness();
    pause(&mut harness);
    let weights = harness.state().session.trainer.network().weights().to_vec();
    let iteration = harness.state().session.trainer.iteration();
    harness
        .get_by_role_and_label(Role::Slider, "learning rate")
        .set_value_accesskit(0.1);
    harness.run_steps(2);
    let app = harness.state();
    assert!((app.settings.train.learning_rate - 0.1).abs() < 1e-9);
    assert!((app.session.trainer.config().learning_rate - 0.1).abs() < 1e-9);
    assert_eq!(app.session.trainer.iteration(), iteration);
    assert_eq!(app.session.trainer.network().weights(), &weights[..]);
}

#[test]
fn changing_the_hidden_size_rebuilds_the_network() {
    let mut harness = harness();
    pause(&mut harness);
    assert!(harness.state().session.trainer.iteration() > 0);
    harness
        .get_by_role_and_label(Role::Slider, "layer 1 units")
        .set_value_accesskit(12.0);
    harness.run_steps(2);
    let app = harness.state();
    assert_eq!(app.settings.hidden[0].units, 12);
    assert_eq!(
        app.session.trainer.network().architecture().hidden[0].units,
        12
    );
    assert_eq!(app.session.trainer.iteration(), 0);
}

#[test]
fn the_hidden_5_preset_sets_the_articles_settings() {
    let mut harness = harness();
    pause(&mut harness);
    harness.get_by_label(Preset::Hidden5.label()).click();
    harness.run_steps(2);
    let app = harness.state();
    assert!(app.session.playing);
    assert_eq!(app.settings.stop_after, Some(100_000));
    assert_eq!(app.settings.test_fraction, 0.0);
    assert_eq!(app.settings.standardize, Some(false));
    assert_eq!(app.settings.train.learning_rate, 0.01);
    assert_eq!(app.settings.init, Init::Normal);
    let arch = app.session.trainer.network().architecture();
    assert_eq!(arch.hidden.len(), 1);
    assert_eq!(arch.hidden[0].units, 5);
    assert_eq!(app.session.prepared.train_rows.len(), 200);
}

#[test]
fn dropping_a_bad_csv_shows_the_problem_and_keeps_the_old_data() {
    let mut harness = harness();
    pause(&mut harness);
    let rows = harness.state().session.dataset.n_rows();
    let name = harness.state().session.dataset.name.clone();
    drop_file(
        &mut harness,
        "bad.csv",
        b"x1,x2,class\n1,2,a\n3,4\n5,6,b\n".to_vec(),
    );
    harness.run_steps(2);
    let app = harness.state();
    let notice = app.session.notice.as_ref().expect("a message");
    assert!(notice.is_error);
    assert!(notice.text.contains("bad.csv"), "{}", notice.text);
    assert!(notice.text.contains('3'), "{}", notice.text);
    assert_eq!(app.session.dataset.n_rows(), rows);
    assert_eq!(app.session.dataset.name, name);
}

#[test]
fn dropping_a_good_csv_with_four_features_shows_a_slice() {
    let mut harness = harness();
    pause(&mut harness);
    let mut text = String::from("a,b,c,d,kind\n");
    for i in 0..40 {
        let v = f64::from(i);
        text.push_str(&format!(
            "{v},{},{},{},{}\n",
            v * 0.5,
            40.0 - v,
            v % 3.0,
            if i % 2 == 0 { "even" } else { "odd" }
        ));
    }
    drop_file(&mut harness, "four.csv", text.into_bytes());
    harness.run_steps(3);
    let app = harness.state();
    assert_eq!(app.session.dataset.n_features(), 4);
    assert!(app.session.csv.is_some());
    harness.get_by_label_contains("slice at c =");
}

#[test]
fn bench_ui_reports_frame_times() {
    let report = nnviz::app::bench_ui(10, None);
    assert_eq!(report.frames, 10);
    assert!(report.p50_ms > 0.0 && report.p95_ms >= report.p50_ms);
    assert!(report.iterations > 0);
}

#[test]
fn a_corrupt_settings_file_is_reported_in_the_window_and_saving_replaces_it() {
    use nnviz::app::settings::SettingsFile;
    let dir = std::env::temp_dir().join(format!("nnviz-ui-settings-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("settings.json");
    std::fs::write(&path, b"{\"version\": 1, \"hidden\": [").unwrap();
    let mut harness = Harness::builder()
        .with_size(egui::vec2(1280.0, 800.0))
        .build_ui_state(
            |ui, app: &mut App| app.frame_ui(ui),
            App::headless(&AppOptions::default(), Some(SettingsFile::new(&path))),
        );
    harness.run_steps(2);
    harness.get_by_label_contains("is unusable");
    assert_eq!(harness.state().settings.hidden.len(), 1, "defaults in use");

    let mut settings = harness.state().settings.clone();
    settings.network_seed = 99;
    harness.state_mut().apply_settings(settings);
    eframe::App::save(harness.state_mut(), &mut NoStorage);
    let reread = SettingsFile::new(&path).load();
    assert!(reread.problem.is_none());
    assert_eq!(reread.settings.network_seed, 99);
    std::fs::remove_dir_all(&dir).unwrap();
}

/// eframe storage that holds nothing (the settings go to their own file).
struct NoStorage;

impl eframe::Storage for NoStorage {
    fn get_string(&self, _key: &str) -> Option<String> {
        None
    }
    fn set_string(&mut self, _key: &str, _value: String) {}
    fn remove_string(&mut self, _key: &str) {}
    fn flush(&mut self) {}
}
