//! The app driven through its real UI with egui_kittest: no GPU, no display.
#![cfg(feature = "gui")]

use std::time::Duration;

use egui::accesskit::Role;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use nnviz::app::presets::{ARTICLE_HOT_DOGS_SEED, Preset};
use nnviz::app::session::BASELINE_ITERATIONS;
use nnviz::app::{App, AppOptions, Command};
use nnviz::nn::{Activation, Init};
use nnviz::train::evaluate;

use crate::common::WAIT;
use crate::common::ui::{
    assert_caught_up, drop_file, harness, pause, settle, sync, wait_past, wait_paused,
};

#[test]
fn starts_playing_the_articles_network_on_hot_dogs() {
    let mut harness = harness();
    harness.run_steps(3);
    let before = harness.state().session.main().iteration;
    wait_past(&mut harness, before);
    let app = harness.state();
    assert!(app.session.playing());
    assert_eq!(app.session.dataset.n_rows(), 200);
    assert_eq!(
        app.settings.generator.seed, ARTICLE_HOT_DOGS_SEED,
        "the article-like hot dogs the presets use"
    );
    let arch = app.session.main().network.architecture();
    assert_eq!(arch.hidden.len(), 1);
    assert_eq!(arch.hidden[0].units, 5);
    assert_eq!(arch.hidden[0].activation, Activation::Sigmoid);
    assert_eq!(app.settings.run.training.learning_rate, 0.01);
    assert_eq!(app.settings.run.network.init, Init::Normal);
    assert!(app.session.main().iteration > 0);
    assert!(
        app.grid().cells >= 256,
        "grid of {} cells",
        app.grid().cells
    );
}

#[test]
fn pressing_play_makes_the_iteration_count_grow() {
    let mut harness = harness();
    pause(&mut harness);
    let before = harness.state().session.main().iteration;
    sync(&mut harness, 3);
    assert_eq!(harness.state().session.main().iteration, before);
    harness.get_by_label("Play").click();
    harness.run_steps(1);
    assert!(harness.state().session.playing());
    wait_past(&mut harness, before);
    assert!(harness.state().session.main().playing);
    assert!(harness.state().session.main().iteration > before);
}

#[test]
fn space_and_arrow_keys_play_and_step() {
    let mut harness = harness();
    pause(&mut harness);
    let before = harness.state().session.main().iteration;
    harness.key_press(egui::Key::ArrowRight);
    harness.run_steps(1);
    wait_paused(&mut harness);
    assert_eq!(harness.state().session.main().iteration, before + 1);
    harness.key_press(egui::Key::Space);
    harness.run_steps(1);
    assert!(harness.state().session.playing());
    wait_past(&mut harness, before + 1);
    assert!(harness.state().session.main().playing);
}

#[test]
fn after_a_step_while_paused_the_plot_and_numbers_catch_up() {
    let mut harness = harness();
    pause(&mut harness);
    settle(&mut harness);
    assert_caught_up(harness.state());
    let before = harness.state().session.main().generation;
    harness.key_press(egui::Key::ArrowRight);
    // Frames only as long as the app asks for them, as a real window draws them.
    settle(&mut harness);
    let app = harness.state();
    assert_ne!(app.session.main().generation, before);
    assert_caught_up(app);

    // The same when training stops by itself (here, the stopping rule) while the window draws.
    let stop = app.session.main().iteration + 3000;
    let mut settings = app.settings.clone();
    settings.run.training.stop_after = Some(stop);
    harness.state_mut().apply_settings(settings);
    harness.get_by_label("Play").click();
    harness.run_steps(1);
    assert!(harness.state().session.playing());
    wait_paused(&mut harness);
    settle(&mut harness);
    let app = harness.state();
    assert!(!app.session.playing());
    assert_eq!(app.session.main().iteration, stop);
    assert_caught_up(app);
}

#[test]
fn dragging_the_learning_rate_slider_keeps_the_weights() {
    let mut harness = harness();
    pause(&mut harness);
    let weights = harness.state().session.main().network.weights().to_vec();
    let iteration = harness.state().session.main().iteration;
    harness
        .get_by_role_and_label(Role::Slider, "learning rate")
        .set_value_accesskit(0.1);
    harness.run_steps(1);
    sync(&mut harness, 1);
    let app = harness.state();
    assert!((app.settings.run.training.learning_rate - 0.1).abs() < 1e-9);
    assert!((app.session.main().config.learning_rate - 0.1).abs() < 1e-9);
    assert_eq!(app.session.main().iteration, iteration);
    assert_eq!(app.session.main().network.weights(), &weights[..]);
}

#[test]
fn changing_the_hidden_size_rebuilds_the_network() {
    let mut harness = harness();
    pause(&mut harness);
    assert!(harness.state().session.main().iteration > 0);
    harness
        .get_by_role_and_label(Role::Slider, "layer 1 units")
        .set_value_accesskit(12.0);
    harness.run_steps(1);
    sync(&mut harness, 1);
    let app = harness.state();
    assert_eq!(app.settings.run.network.hidden[0].units, 12);
    assert_eq!(
        app.session.main().network.architecture().hidden[0].units,
        12
    );
    assert_eq!(app.session.main().iteration, 0);
}

#[test]
fn the_hidden_5_preset_sets_the_articles_settings() {
    let mut harness = harness();
    pause(&mut harness);
    harness.get_by_label(Preset::Hidden5.button_text()).click();
    harness.run_steps(1);
    sync(&mut harness, 1);
    let app = harness.state();
    assert!(app.session.playing());
    assert_eq!(app.settings.run.training.stop_after, Some(100_000));
    assert_eq!(app.settings.preparation.test_fraction, 0.0);
    assert_eq!(app.settings.preparation.standardize, Some(false));
    assert_eq!(app.settings.run.training.learning_rate, 0.01);
    assert_eq!(app.settings.run.network.init, Init::Normal);
    let arch = app.session.main().network.architecture();
    assert_eq!(arch.hidden.len(), 1);
    assert_eq!(arch.hidden[0].units, 5);
    assert_eq!(app.session.prepared.train_rows.len(), 200);
    assert_eq!(app.session.main().data.train_rows.len(), 200);
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
fn a_large_csv_is_read_while_the_window_keeps_drawing() {
    let mut harness = harness();
    pause(&mut harness);
    let name = harness.state().session.dataset.name.clone();
    // Just larger than a file read within the frame.
    let mut text = String::from("a,b,kind\n");
    let mut i = 0_u64;
    while text.len() as u64 <= nnviz::app::csv_load::BACKGROUND_BYTES {
        text.push_str(&format!("{},{},{}\n", i % 1000, (i * 7) % 13, i % 2));
        i += 1;
    }
    drop_file(&mut harness, "large.csv", text.into_bytes());
    harness.run_steps(1);
    // The frame that took the file handed it to a helper thread: the data is the old one, and a
    // message says what is going on.
    let app = harness.state();
    assert_eq!(app.session.dataset.name, name);
    let notice = app.session.notice.as_ref().expect("a message");
    assert!(notice.text.contains("Reading large.csv"), "{}", notice.text);
    // Frames go on; one of them takes the data in once it is read.
    let start = std::time::Instant::now();
    while harness.state().session.dataset.name != "large.csv" {
        assert!(start.elapsed() < WAIT, "large.csv was not read");
        std::thread::sleep(Duration::from_millis(5));
        harness.run_steps(1);
    }
    let app = harness.state();
    assert_eq!(app.session.dataset.n_rows() as u64, i);
    assert!(app.session.csv.is_some());
    let notice = app.session.notice.as_ref().expect("a message");
    assert!(notice.text.contains("Loaded large.csv"), "{}", notice.text);
}

#[test]
fn picking_another_target_of_a_large_file_keeps_the_window_drawing() {
    use nnviz::data::ColumnRoles;
    let mut harness = harness();
    pause(&mut harness);
    // Under the size read at once, over the rows re-picked at once.
    let rows = nnviz::app::csv_load::BACKGROUND_ROWS + 1;
    let mut text = String::from("a,b,kind\n");
    for i in 0..rows {
        text.push_str(&format!("{},{},{}\n", i % 1000, (i * 7) % 13, i % 2));
    }
    drop_file(&mut harness, "many.csv", text.into_bytes());
    harness.run_steps(1);
    assert_eq!(harness.state().session.dataset.name, "many.csv");
    assert_eq!(harness.state().session.dataset.target_name, "kind");
    let roles = ColumnRoles {
        target: Some("b".into()),
        ..ColumnRoles::default()
    };
    harness
        .state_mut()
        .apply(nnviz::app::Command::SetColumns(roles), None);
    // The frame that asked handed the work to a helper thread: the data is the old one.
    let app = harness.state();
    assert_eq!(app.session.dataset.target_name, "kind");
    let notice = app.session.notice.as_ref().expect("a message");
    assert!(notice.text.contains("new columns"), "{}", notice.text);
    let start = std::time::Instant::now();
    while harness.state().session.dataset.target_name != "b" {
        assert!(start.elapsed() < WAIT, "the columns were not picked anew");
        std::thread::sleep(Duration::from_millis(5));
        harness.run_steps(1);
    }
    let app = harness.state();
    assert_eq!(app.session.dataset.n_rows(), rows);
    assert_eq!(
        app.session.csv.as_ref().unwrap().roles.target.as_deref(),
        Some("b")
    );
    assert!(app.session.notice.is_none(), "{:?}", app.session.notice);
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
    harness.run_steps(1);
    sync(&mut harness, 2);
    let app = harness.state();
    assert_eq!(app.session.dataset.n_features(), 4);
    assert!(app.session.csv.is_some());
    assert_eq!(app.session.main().network.architecture().inputs, 4);
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
    assert_eq!(
        harness.state().settings.run.network.hidden.len(),
        1,
        "defaults in use"
    );

    let mut settings = harness.state().settings.clone();
    settings.run.network.seed = 99;
    harness.state_mut().apply_settings(settings);
    eframe::App::save(harness.state_mut(), &mut NoStorage);
    let reread = SettingsFile::new(&path).load();
    assert!(reread.problem.is_none());
    assert_eq!(reread.settings.run.network.seed, 99);
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

/// Relu units at learning rate 10: the run diverges within a few dozen iterations.
fn diverge(harness: &mut Harness<'static, App>) -> u64 {
    let mut settings = harness.state().settings.clone();
    settings.run.network.hidden[0].activation = Activation::Relu;
    settings.run.training.learning_rate = 10.0;
    harness.state_mut().apply_settings(settings);
    harness.state_mut().session.set_playing(true);
    // The run pauses itself when it diverges.
    wait_paused(harness);
    harness.run_steps(2);
    harness
        .state()
        .session
        .diverged_at()
        .expect("relu at learning rate 10 diverges")
}

#[test]
fn a_diverging_run_pauses_with_one_message_and_finite_figures() {
    let mut harness = harness();
    pause(&mut harness);
    let iteration = diverge(&mut harness);
    let app = harness.state();
    assert!(!app.session.playing());
    let notice = app.session.notice.as_ref().expect("a message");
    assert!(notice.is_error);
    assert!(
        notice.text.contains(&format!("iteration {iteration}")),
        "{}",
        notice.text
    );
    assert_eq!(
        notice.text.matches("learning rate").count(),
        1,
        "one piece of advice: {}",
        notice.text
    );
    if let Some(m) = &app.session.main().metrics {
        assert!(m.train.loss.is_finite(), "the last finite figures stay");
    }
    assert!(harness.query_by_label_contains("NaN").is_none());
    assert!(harness.query_by_label_contains("inf").is_none());
    harness.get_by_label_contains("Diverged at iteration");

    // Play with nothing changed: the same step would fail again, so the app says what to do.
    harness.get_by_label("Play").click();
    harness.run_steps(1);
    sync(&mut harness, 2);
    let app = harness.state();
    if app.session.diverged_at().is_some() {
        assert!(!app.session.playing());
        let notice = app.session.notice.as_ref().expect("a message");
        assert!(
            notice.text.contains("Lower the learning rate"),
            "{}",
            notice.text
        );
    }
}

#[test]
fn lowering_the_learning_rate_after_a_divergence_and_pressing_play_resumes() {
    let mut harness = harness();
    pause(&mut harness);
    let iteration = diverge(&mut harness);
    harness
        .get_by_role_and_label(Role::Slider, "learning rate")
        .set_value_accesskit(0.001);
    harness.run_steps(1);
    sync(&mut harness, 1);
    assert!(harness.state().session.diverged_at().is_none());
    harness.get_by_label("Play").click();
    harness.run_steps(1);
    wait_past(&mut harness, iteration);
    let app = harness.state();
    assert!(app.session.playing());
    assert!(app.session.main().iteration > iteration);
    assert!(app.session.notice.as_ref().is_none_or(|n| !n.is_error));
}

#[test]
fn use_logistic_regression_reaches_the_baselines_accuracy() {
    let mut harness = harness();
    pause(&mut harness);
    harness.state_mut().session.wait_idle(WAIT);
    let baseline = harness.state().session.baseline();
    assert!(baseline.reached_limit);
    let metrics = baseline.metrics.clone().expect("the baseline's figures");
    let train = metrics.train.accuracy;
    let test = metrics.test.as_ref().and_then(|m| m.accuracy);
    assert!(train.is_some() && test.is_some());

    harness.get_by_label("Use logistic regression").click();
    harness.run_steps(1);
    let app = harness.state();
    assert!(app.session.playing());
    assert!(app.settings.run.network.hidden.is_empty());
    assert_eq!(
        app.settings.run.training.stop_after,
        Some(BASELINE_ITERATIONS)
    );
    wait_paused(&mut harness);
    let session = &harness.state().session;
    assert!(!session.playing());
    assert_eq!(session.main().iteration, BASELINE_ITERATIONS);
    let c = &session.main().config;
    let p = &session.prepared;
    let accuracy = |x, y| {
        evaluate(&session.main().network, x, y, c.loss, c.reduction, 0.0, 0.0)
            .unwrap()
            .accuracy
    };
    assert_eq!(accuracy(&p.train_x, &p.train_y), train);
    assert_eq!(accuracy(&p.test_x, &p.test_y), test);
}

#[test]
fn clicking_the_plot_adds_a_training_point_and_keeps_the_split() {
    let mut harness = harness();
    pause(&mut harness);
    let before = harness.state().session.prepared.clone();
    let n = harness.state().session.dataset.n_rows();
    crate::common::ui::click_plot_middle(&mut harness);
    let app = harness.state();
    assert_eq!(app.session.dataset.n_rows(), n + 1);
    let after = &app.session.prepared;
    assert_eq!(
        after.test_rows, before.test_rows,
        "test rows stay test rows"
    );
    let mut expected = before.train_rows.clone();
    expected.push(n);
    assert_eq!(after.train_rows, expected, "the new point trains");

    // Erasing a point: the rows after it move up one, every row keeps its side.
    let removed = before.test_rows[before.test_rows.len() / 2];
    let row = app.session.dataset.features.row(removed).to_vec();
    harness.state_mut().apply(
        Command::RemovePoint {
            x: row[0],
            y: row[1],
            radius: 1e-9,
        },
        None,
    );
    harness.state_mut().session.wait_until(WAIT, |_| true);
    let shift = |rows: &[usize]| -> Vec<usize> {
        rows.iter()
            .filter(|&&i| i != removed)
            .map(|&i| if i > removed { i - 1 } else { i })
            .collect()
    };
    let app = harness.state();
    assert_eq!(app.session.dataset.n_rows(), n);
    assert_eq!(app.session.prepared.test_rows, shift(&before.test_rows));
    assert_eq!(app.session.prepared.train_rows, shift(&expected));
    assert_eq!(app.session.main().data.train_rows, shift(&expected));
}

#[test]
fn pausing_clears_the_speed_figure() {
    let mut harness = harness();
    let before = harness.state().session.main().iteration;
    wait_past(&mut harness, before);
    pause(&mut harness);
    harness.run_steps(1);
    assert_eq!(harness.state().session.stats.iterations_per_second, 0.0);
    harness.get_by_label_contains("paused");
}

#[test]
fn a_dropped_model_file_loads_as_a_model() {
    let mut harness = harness();
    pause(&mut harness);
    let model = harness.state().session.saved_model();
    let weights = harness.state().session.main().network.weights().to_vec();
    harness.get_by_label("Reset").click();
    harness.run_steps(1);
    harness.state_mut().session.step(3);
    wait_paused(&mut harness);
    assert_eq!(harness.state().session.main().iteration, 3);
    assert_ne!(
        harness.state().session.main().network.weights(),
        &weights[..]
    );
    drop_file(
        &mut harness,
        "trained.json",
        serde_json::to_vec(&model).unwrap(),
    );
    harness.run_steps(1);
    wait_paused(&mut harness);
    let app = harness.state();
    assert_eq!(app.session.main().network.weights(), &weights[..]);
    let notice = app.session.notice.as_ref().expect("a message");
    assert!(!notice.is_error, "{}", notice.text);
    assert!(notice.text.contains("trained.json"), "{}", notice.text);
}

#[test]
fn hovering_a_sigmoid_unit_shades_it_on_its_own_zero_to_one_range() {
    use nnviz::ui::decision::{DecisionGrid, Shading};
    let app = App::headless(
        &AppOptions {
            fresh: true,
            ..AppOptions::default()
        },
        None,
    );
    let ctx = egui::Context::default();
    let mut grid = DecisionGrid::default();
    let output = ctx.run_ui(egui::RawInput::default(), |_| {
        grid.update(
            &ctx,
            &app.data_view(),
            app.session.main(),
            &app.settings,
            Shading::Unit(0, 2),
            Duration::from_secs(1),
        );
    });
    // No GPU here: the texture upload is dropped on purpose.
    output.drop_without_applying_deltas();
    assert_eq!(grid.value_range, Some((0.0, 1.0)));
}

#[test]
fn preset_names_work_with_and_without_a_hyphen() {
    let nnviz = env!("CARGO_BIN_EXE_nnviz");
    for name in ["hidden-5", "hidden5", "Hidden_30", "logistic"] {
        let out = std::process::Command::new(nnviz)
            .args(["bench-ui", "--frames", "2", "--preset", name])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{name}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let out = std::process::Command::new(nnviz)
        .args(["bench-ui", "--frames", "2", "--preset", "hidden-2"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let message = String::from_utf8_lossy(&out.stderr);
    assert!(message.contains("hidden-5"), "{message}");
    let help = std::process::Command::new(nnviz)
        .arg("--help")
        .output()
        .unwrap();
    let help = String::from_utf8_lossy(&help.stdout);
    assert!(help.contains("hidden-5"), "{help}");
    assert!(!help.contains("hidden5,"), "{help}");
}

/// Pauses the app and unfolds its "Compare runs" section.
fn open_compare(harness: &mut Harness<'static, App>) {
    pause(harness);
    harness.get_by_label("Compare runs").click();
    harness.run_steps(2);
}

/// Trains `spec` directly on `data` for `n` iterations.
fn direct(
    spec: &nnviz::train::RunSpec,
    data: &std::sync::Arc<nnviz::data::Prepared>,
    n: u64,
) -> nnviz::nn::Network {
    let mut run = nnviz::train::Run::new(spec.clone(), std::sync::Arc::clone(data)).unwrap();
    run.train(
        n,
        &std::sync::atomic::AtomicBool::new(false),
        |_| false,
        |_| {},
    )
    .unwrap();
    run.network().clone()
}

#[test]
fn the_hidden_sizes_comparison_trains_three_runs_side_by_side() {
    let mut harness = harness();
    open_compare(&mut harness);
    harness.get_by_label("Hidden 1 / 5 / 30").click();
    harness.run_steps(1);
    sync(&mut harness, 1);
    let app = harness.state();
    assert!(app.session.playing());
    let units: Vec<usize> = app
        .session
        .runs()
        .iter()
        .map(|r| r.network.architecture().hidden[0].units)
        .collect();
    assert_eq!(units, [1, 5, 30]);
    for k in 1..=3 {
        let title = format!("Run {k}");
        assert!(
            harness.query_all_by_label(&title).next().is_some(),
            "{title} has a plot"
        );
    }

    // Paused, reset and stepped together: each run has exactly the bits of its spec trained alone.
    harness.get_by_label("Pause").click();
    harness.run_steps(1);
    harness.get_by_label("Reset").click();
    harness.run_steps(1);
    harness.state_mut().session.step(300);
    wait_paused(&mut harness);
    settle(&mut harness);
    let app = harness.state();
    assert_eq!(app.grids.len(), 3);
    for (k, run) in app.session.runs().iter().enumerate() {
        assert_eq!(run.iteration, 300, "run {}", k + 1);
        assert_eq!(
            *run.network,
            direct(&run.spec, &run.data, 300),
            "run {}",
            k + 1
        );
        assert!(!app.grids[k].behind(run), "run {}'s plot is stale", k + 1);
    }
}

#[test]
fn an_added_run_is_a_copy_whose_settings_change_alone_and_it_can_be_removed() {
    let mut harness = harness();
    open_compare(&mut harness);
    harness.get_by_label_contains("Add run 2").click();
    harness.run_steps(1);
    sync(&mut harness, 1);
    let app = harness.state();
    assert_eq!(app.session.runs().len(), 2);
    assert_eq!(app.settings.selected, 1, "the new run is the one edited");
    assert_eq!(app.session.run(1).spec, app.session.run(0).spec);

    // The learning-rate slider now edits run 2 only, keeping its weights.
    let weights = harness.state().session.run(1).network.weights().to_vec();
    harness
        .get_by_role_and_label(Role::Slider, "learning rate")
        .set_value_accesskit(0.1);
    harness.run_steps(1);
    sync(&mut harness, 1);
    let app = harness.state();
    assert!((app.session.run(1).config.learning_rate - 0.1).abs() < 1e-9);
    assert_eq!(app.session.run(0).config.learning_rate, 0.01);
    assert_eq!(app.session.run(1).network.weights(), &weights[..]);

    harness.get_by_label("Remove run 2").click();
    harness.run_steps(1);
    sync(&mut harness, 1);
    let app = harness.state();
    assert_eq!(app.session.runs().len(), 1);
    assert!(app.settings.compare.is_empty());
    assert_eq!(app.settings.selected, 0);
}

#[test]
fn bench_ui_times_a_comparison_and_reports_each_run() {
    let text = crate::common::nnviz_ok(&[
        "bench-ui",
        "--frames",
        "20",
        "--compare",
        "hidden-1,hidden-5,hidden-30",
    ]);
    let last: serde_json::Value = serde_json::from_str(text.lines().last().unwrap()).unwrap();
    for key in ["p50_ms", "p95_ms", "max_ms", "iterations_per_second"] {
        assert!(last[key].is_number(), "{key} in {last}");
    }
    let runs = last["runs"].as_array().expect("runs");
    assert_eq!(runs.len(), 3);
    assert!(runs[2]["name"].as_str().unwrap().contains("30 sigmoid"));
    assert!(runs.iter().all(|r| r["iterations_per_second"].is_number()));

    let out = crate::common::nnviz(&["--compare", "hidden-5,iris", "--screenshot", "/dev/null"]);
    assert_eq!(out.status.code(), Some(2));
    let message = String::from_utf8_lossy(&out.stderr);
    assert!(message.contains("one data set"), "{message}");
}

#[test]
fn a_users_own_data_gets_scaled_defaults_and_a_choice_the_user_made_stays() {
    use nnviz::nn::Reduction;
    use nnviz::train::spec::Defaults;
    let mut app = App::headless(
        &AppOptions {
            fresh: true,
            ..AppOptions::default()
        },
        None,
    );
    // The hot dogs: the article's defaults.
    assert_eq!(app.data_defaults(), Defaults::Article);
    assert!(Defaults::Article.are_in(&app.settings.run));
    // The user chooses He weights, then opens their own data.
    let mut settings = app.settings.clone();
    settings.run.network.init = Init::He;
    app.apply_settings(settings);
    let csv = "a,b,c,y\n".to_owned()
        + &(0..60)
            .map(|i| format!("{},{},{},{}\n", i % 7, i % 5, i % 3, ["p", "q"][i % 2]))
            .collect::<String>();
    app.apply(
        Command::LoadCsvBytes {
            name: "own.csv".into(),
            bytes: csv.into_bytes(),
        },
        None,
    );
    assert_eq!(app.data_defaults(), Defaults::Scaled);
    let run = &app.settings.run;
    assert_eq!(run.network.init, Init::He, "the user's choice stays");
    assert_eq!(run.training.reduction, Some(Reduction::Mean));
    assert_eq!(run.training.learning_rate, Defaults::Scaled.learning_rate());
    let notice = app.session.notice.as_ref().expect("a message");
    assert!(notice.text.contains("mean loss"), "{}", notice.text);
    // Back on the built-in hot dogs: the article's rate and sum again, He still.
    app.apply(Command::UseBuiltin, None);
    let run = &app.settings.run;
    assert_eq!(run.training.learning_rate, 0.01);
    assert_eq!(run.training.reduction, None);
    assert_eq!(run.network.init, Init::He);
    assert!(
        app.session
            .notice
            .as_ref()
            .is_some_and(|n| n.text.contains("article"))
    );
}

#[test]
fn a_copied_setup_pasted_in_another_window_gives_the_same_runs_and_a_bad_one_changes_nothing() {
    use nnviz::train::Optimizer;
    let fresh = || {
        App::headless(
            &AppOptions {
                fresh: true,
                ..AppOptions::default()
            },
            None,
        )
    };
    let mut teacher = fresh();
    let mut settings = teacher.settings.clone();
    settings.builtin = nnviz::data::Builtin::Moons;
    settings.generator = nnviz::data::Builtin::Moons.default_options();
    settings.generator.seed = 4;
    teacher.apply_settings(settings);
    let mut settings = teacher.settings.clone();
    settings.run.network.hidden[0].units = 8;
    settings.run.training.optimizer = Optimizer::Adam;
    settings.run.network.seed = 11;
    teacher.apply_settings(settings);
    teacher.apply(Command::AddRun, None);
    let mut settings = teacher.settings.clone();
    settings.compare[0].network.seed = 12;
    teacher.apply_settings(settings);
    teacher.apply(Command::CopySetup, None);
    let text = teacher.copied_setup.clone().expect("a setup text");
    assert!(text.len() < 600, "{} characters: {text}", text.len());

    let mut student = fresh();
    student.apply(Command::OpenPasteSetup, None);
    assert!(student.paste_setup.is_some());
    student.apply(Command::ApplySetup(text.clone()), None);
    assert!(student.paste_setup.is_none(), "the window closes");
    assert_eq!(student.settings.builtin, teacher.settings.builtin);
    assert_eq!(student.settings.generator, teacher.settings.generator);
    assert_eq!(student.settings.preparation, teacher.settings.preparation);
    assert_eq!(student.settings.run, teacher.settings.run);
    assert_eq!(student.settings.compare, teacher.settings.compare);
    assert_eq!(
        student.session.dataset.features,
        teacher.session.dataset.features
    );
    // Undo brings the student's own settings back; the setup again for the checks below.
    student.apply(Command::Undo, None);
    assert_eq!(student.settings.builtin, nnviz::data::Builtin::HotDogs);
    student.apply(Command::ApplySetup(text.clone()), None);
    // The same initial weights: the same runs.
    for k in 0..2 {
        let t = &teacher.session.run(k).spec;
        let s = &student.session.run(k).spec;
        assert_eq!(t, s);
    }
    // A bad text: a message naming the key, and nothing changes.
    let before = student.settings.clone();
    student.apply(
        Command::ApplySetup("nnviz-setup-1 hidden=8 learning-rate=lots".into()),
        None,
    );
    assert_eq!(student.settings, before);
    let notice = student.session.notice.as_ref().expect("a message");
    assert!(notice.is_error);
    assert!(
        notice.text.contains("learning-rate=lots"),
        "{}",
        notice.text
    );
    // nnviz --setup TEXT opens on it.
    let opened = App::headless(
        &AppOptions {
            fresh: true,
            setup: Some(text),
            ..AppOptions::default()
        },
        None,
    );
    assert_eq!(opened.settings.run, teacher.settings.run);
    assert_eq!(opened.settings.compare, teacher.settings.compare);
}
