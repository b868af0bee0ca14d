//! Session files (Save session… / Open session…, `nnviz --session`): saved with the state, a
//! session opened into a fresh app trains on bit for bit as if it had never stopped; saved
//! without, it starts from its seeds on the same rows; a malformed file says what is wrong and
//! changes nothing.
#![cfg(feature = "gui")]

use egui_kittest::kittest::Queryable;
use nnviz::app::session::Session;
use nnviz::app::session_file::{self, MAX_SESSION_BYTES};
use nnviz::app::settings::Settings;
use nnviz::app::setup::apply_setup;
use nnviz::app::{App, AppOptions, Command, ExportKind};
use nnviz::nn::Matrix;
use serde_json::Value;

use crate::common::WAIT;
use crate::common::ui::{drop_file, harness, settle};

/// Mini-batches, Adam, two runs (the second with momentum), on moons.
const BATCHED: &str = "nnviz-setup-1 dataset=moons points=120 noise=0.2 data-seed=3 \
    test-fraction=0.25 split-seed=2 hidden=6,4 activation=tanh optimizer=adam \
    learning-rate=0.05 batch-size=16 batch-seed=7 weight-seed=5 | hidden=5 optimizer=momentum \
    batch-size=10 batch-seed=9";

/// A session of `setup` (over the defaults) with a point added by hand and a point erased,
/// trained `before` iterations before the edits and `after` after them.
fn edited_session(setup: &str, before: u64, after: u64) -> (Settings, Session) {
    let settings = apply_setup(&Settings::default(), setup, None).unwrap();
    let dataset = settings.builtin.generate(&settings.generator);
    let mut session = Session::new(&settings, dataset, None, || {}).unwrap();
    session.step(before);
    session.wait_paused(WAIT);
    session.dataset.add_point(&[0.3, -0.4], 1).unwrap();
    session.row_added(&settings);
    let at = session.dataset.features.row(5).to_vec();
    assert!(session.remove_point(&settings, &at, 1e-9).unwrap());
    session.step(after);
    session.wait_paused(WAIT);
    (settings, session)
}

/// A fresh session (the defaults) with `file` opened into it.
fn opened(text: &str) -> (Settings, Session) {
    let start = Settings::default();
    let dataset = start.builtin.generate(&start.generator);
    let mut session = Session::new(&start, dataset, None, || {}).unwrap();
    let opened = session_file::open("test.nnviz", text.as_bytes(), &start).unwrap();
    session
        .use_restored(&opened.settings, opened.data, opened.runs)
        .unwrap();
    session.wait_paused(WAIT);
    (opened.settings, session)
}

fn weights_bits(weights: &[Matrix]) -> Vec<u64> {
    weights
        .iter()
        .flat_map(|m| m.as_slice().iter().map(|v| v.to_bits()))
        .collect()
}

/// Trains `n + m` iterations uninterrupted, and `n`, saved and opened, then `m` more: every
/// run has the same weights, curves and iteration, bit for bit.
fn assert_exact(setup: &str, n: u64, m: u64) {
    let (settings, saved) = edited_session(setup, n / 2, n - n / 2);
    let text = session_file::write(&settings, &saved, true).unwrap();
    let (restored_settings, mut restored) = opened(&text);
    assert_eq!(restored_settings.run, settings.run);
    assert_eq!(restored_settings.compare, settings.compare);
    assert_eq!(
        restored.dataset, saved.dataset,
        "the rows, the added and erased ones too"
    );
    assert_eq!(
        restored.prepared, saved.prepared,
        "the same split and scaling"
    );
    for (a, b) in restored.runs().iter().zip(saved.runs()) {
        assert_eq!(a.iteration, n);
        assert_eq!(
            weights_bits(a.network.weights()),
            weights_bits(b.network.weights())
        );
    }
    restored.step(m);
    restored.wait_paused(WAIT);
    let (_, mut straight) = edited_session(setup, n / 2, n - n / 2 + m);
    straight.wait_paused(WAIT);
    assert_eq!(restored.runs().len(), settings.run_count());
    for (k, (a, b)) in restored.runs().iter().zip(straight.runs()).enumerate() {
        assert_eq!(a.iteration, n + m, "run {}", k + 1);
        assert_eq!(b.iteration, n + m, "run {}", k + 1);
        assert_eq!(
            weights_bits(a.network.weights()),
            weights_bits(b.network.weights()),
            "run {}: the weights after {n} + {m} iterations",
            k + 1
        );
        let loss = |r: &nnviz::train::worker::RunView| r.history.last().unwrap().train_loss;
        assert_eq!(
            loss(a).to_bits(),
            loss(b).to_bits(),
            "run {}: the loss",
            k + 1
        );
        assert_eq!(
            a.history.points(),
            b.history.points(),
            "run {}: the curves",
            k + 1
        );
        assert_eq!(a.history.norms(), b.history.norms(), "run {}", k + 1);
    }
}

#[test]
fn a_session_saved_with_its_state_trains_on_bit_for_bit() {
    // The article's network: full-batch gradient descent on the hot dogs.
    assert_exact("nnviz-setup-1 dataset=hotdogs", 150, 90);
}

#[test]
fn mini_batches_and_adam_go_on_with_the_same_batches_and_moments() {
    // 120 rows make epochs of several batches: the order, its position and the generator all
    // matter, and so do Adam's moments and step count.
    assert_exact(BATCHED, 101, 77);
}

#[test]
fn a_session_saved_without_weights_starts_from_its_seeds_on_the_same_rows() {
    let (settings, saved) = edited_session(BATCHED, 20, 20);
    let text = session_file::write(&settings, &saved, false).unwrap();
    assert!(!text.contains("\"state\""), "no state: {}", &text[..200]);
    let (_, restored) = opened(&text);
    assert_eq!(restored.dataset, saved.dataset);
    assert_eq!(restored.prepared.test_rows, saved.prepared.test_rows);
    for (k, run) in restored.runs().iter().enumerate() {
        assert_eq!(run.iteration, 0);
        let fresh = nnviz::train::Run::new(settings.run_spec(k).clone(), restored.prepared.clone())
            .unwrap();
        assert_eq!(
            weights_bits(run.network.weights()),
            weights_bits(fresh.network().weights())
        );
    }
}

/// A headless app trained a little on `BATCHED`, and its session file (with the state).
fn app_with_session() -> (App, Value) {
    let mut app = App::headless(
        &AppOptions {
            fresh: true,
            ..AppOptions::default()
        },
        None,
    );
    app.apply(Command::ApplySetup(BATCHED.into()), None);
    app.session.step(30);
    app.session.wait_paused(WAIT);
    let bytes = app.export_bytes(ExportKind::Session).unwrap();
    (app, serde_json::from_slice(&bytes).unwrap())
}

/// What must not change when a file is refused.
fn state(app: &App) -> (Settings, nnviz::data::Dataset, Vec<Vec<u64>>) {
    (
        app.settings.clone(),
        app.session.dataset.clone(),
        app.session
            .runs()
            .iter()
            .map(|r| weights_bits(r.network.weights()))
            .collect(),
    )
}

#[test]
fn a_malformed_session_names_the_problem_and_keeps_the_current_work() {
    let (mut app, good) = app_with_session();
    let edit = |f: &dyn Fn(&mut Value)| {
        let mut v = good.clone();
        f(&mut v);
        serde_json::to_vec(&v).unwrap()
    };
    let text = serde_json::to_vec(&good).unwrap();
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        (
            "truncated",
            text[..text.len() / 2].to_vec(),
            "EOF while parsing",
        ),
        ("empty", Vec::new(), "line 1 column 0"),
        (
            "not JSON",
            b"nnviz-setup-1 dataset=moons".to_vec(),
            "expected ident at line 1 column 2",
        ),
        (
            "another format",
            edit(&|v| v["format"] = "nnviz-model".into()),
            "format: \"nnviz-model\" is not an nnviz session",
        ),
        (
            "a newer version",
            edit(&|v| v["version"] = 2.into()),
            "version: 2 is not supported (this nnviz reads version 1",
        ),
        (
            "an unknown key",
            edit(&|v| v["data"]["colour"] = "red".into()),
            "unknown field `colour`",
        ),
        (
            "a weight layer of the wrong shape",
            edit(&|v| {
                v["runs"][0]["state"]["weights"][1]
                    .as_array_mut()
                    .unwrap()
                    .pop();
            }),
            "runs[0].state: weights[1]: 6 × 4, the network's layer 2 is 7 × 4",
        ),
        (
            "a moment of the wrong shape",
            edit(&|v| v["runs"][1]["state"]["moment1"] = serde_json::json!([[[1.0]]])),
            "runs[1].state: moment1: 1 matrices, the network has 2 weight layers",
        ),
        (
            "a row twice in the batch order",
            edit(&|v| {
                v["runs"][0]["state"]["order"][1] = v["runs"][0]["state"]["order"][0].clone()
            }),
            "is in the order twice",
        ),
        (
            "a position past the order",
            edit(&|v| v["runs"][0]["state"]["position"] = 100_000.into()),
            "position: 100000 is past the order's end",
        ),
        (
            "a huge iteration count in the curves",
            edit(&|v| {
                v["runs"][0]["history"]["points"][0][0] = u64::MAX.into();
            }),
            "runs[0].history: points[0]: iteration 18446744073709551615",
        ),
        (
            "a huge row index",
            edit(&|v| v["data"]["test_rows"][0] = 1_000_000_000_000u64.into()),
            "data.test_rows: [0]: row 1000000000000; the data has 120 rows",
        ),
        (
            "a huge layer",
            edit(&|v| {
                let setup = v["setup"]
                    .as_str()
                    .unwrap()
                    .replace("hidden=6,4", "hidden=6,4000000");
                v["setup"] = setup.into();
            }),
            "setup: run 1: hidden=4000000: at most 256 units a layer",
        ),
        (
            "a row as long as a huge count",
            edit(&|v| v["data"]["rows"][0] = Value::Array(vec![0.into(); 20_000])),
            "row 0 has more than 10001 values",
        ),
        (
            "a class out of range",
            edit(&|v| v["data"]["rows"][3][2] = 7.into()),
            "data.rows[3][2]: 7 is not a class (0 to 1)",
        ),
        (
            "a run too many",
            edit(&|v| {
                let extra = v["runs"][0].clone();
                v["runs"].as_array_mut().unwrap().push(extra);
            }),
            "runs: 3 entries, the setup has 2 runs",
        ),
        (
            "a generator state that is not hex",
            edit(&|v| v["runs"][0]["state"]["rng"] = "zz".into()),
            "rng: \"zz\"… is not 49 bytes in hex",
        ),
        (
            "rows of another data set",
            edit(&|v| {
                let setup = v["setup"]
                    .as_str()
                    .unwrap()
                    .replace("dataset=moons", "dataset=iris");
                v["setup"] = setup.into();
            }),
            "data: the rows are not of the setup's data set iris",
        ),
    ];
    for (what, bytes, expected) in cases {
        let before = state(&app);
        app.apply(
            Command::LoadSession {
                name: "bad.nnviz".into(),
                bytes,
            },
            None,
        );
        app.session.wait_paused(WAIT);
        let notice = app.session.notice.clone().unwrap();
        assert!(notice.is_error, "{what}: {}", notice.text);
        assert!(
            notice.text.contains("bad.nnviz") && notice.text.contains(expected),
            "{what}: {}",
            notice.text
        );
        assert!(notice.text.contains("kept"), "{what}: {}", notice.text);
        assert!(!notice.text.contains('\n'), "{what}: one line");
        assert_eq!(state(&app), before, "{what}: the current work is kept");
    }
    // The good one opens.
    app.apply(
        Command::LoadSession {
            name: "good.nnviz".into(),
            bytes: text,
        },
        None,
    );
    let notice = app.session.notice.clone().unwrap();
    assert!(!notice.is_error, "{}", notice.text);
    assert!(
        notice.text.contains("2 runs at iterations 30, 30"),
        "{}",
        notice.text
    );
}

#[test]
fn a_file_too_large_is_refused_before_it_is_read() {
    let dir = std::env::temp_dir().join(format!("nnviz-session-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("huge.nnviz");
    // Sparse: no disk is used.
    let file = std::fs::File::create(&path).unwrap();
    file.set_len(MAX_SESSION_BYTES as u64 + 1).unwrap();
    let app = App::headless(
        &AppOptions {
            fresh: true,
            session: Some(path.clone()),
            ..AppOptions::default()
        },
        None,
    );
    let notice = app.session.notice.clone().unwrap();
    assert!(notice.is_error);
    assert!(
        notice.text.contains("a session file is at most"),
        "{}",
        notice.text
    );
    assert_eq!(app.settings.builtin, nnviz::data::Builtin::HotDogs);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn nnviz_session_file_opens_the_app_on_the_saved_runs() {
    let (app, good) = app_with_session();
    let dir = std::env::temp_dir().join(format!("nnviz-session-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("moons.nnviz");
    std::fs::write(&path, serde_json::to_vec(&good).unwrap()).unwrap();
    let mut opened = App::headless(
        &AppOptions {
            fresh: true,
            session: Some(path),
            ..AppOptions::default()
        },
        None,
    );
    opened.session.wait_paused(WAIT);
    assert_eq!(opened.settings.run, app.settings.run);
    assert_eq!(opened.settings.compare, app.settings.compare);
    assert_eq!(state(&opened).1, state(&app).1);
    assert_eq!(state(&opened).2, state(&app).2);
    assert!(!opened.session.playing(), "opened paused");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn the_share_section_saves_a_session_and_a_dropped_file_opens_it() {
    let mut harness = harness();
    harness.state_mut().session.set_playing(false);
    settle(&mut harness);
    harness.get_by_label("Save session…");
    harness.get_by_label("Save session without weights…");
    harness.get_by_label("Open session…");
    let dir = std::env::temp_dir().join(format!("nnviz-session-ui-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("start.nnviz");
    harness.state_mut().session.step(40);
    harness.state_mut().session.wait_paused(WAIT);
    harness.state_mut().apply(
        Command::SaveTo {
            kind: ExportKind::Session,
            path: path.clone(),
        },
        None,
    );
    let saved_at = harness.state().session.main().iteration;
    let saved = state(harness.state());
    let notice = harness.state().session.notice.clone().unwrap();
    assert!(notice.text.starts_with("Saved"), "{}", notice.text);
    // Go on training, then open the file again by dropping it on the window.
    harness.state_mut().session.step(25);
    harness.state_mut().session.wait_paused(WAIT);
    assert_ne!(state(harness.state()).2, saved.2);
    drop_file(&mut harness, "start.nnviz", std::fs::read(&path).unwrap());
    harness.run_steps(2);
    settle(&mut harness);
    let app = harness.state();
    let notice = app.session.notice.clone().unwrap();
    assert!(!notice.is_error, "{}", notice.text);
    assert!(
        notice.text.contains("Opened start.nnviz"),
        "{}",
        notice.text
    );
    assert_eq!(app.session.main().iteration, saved_at);
    assert_eq!(state(app).2, saved.2, "the weights as saved");
    std::fs::remove_dir_all(&dir).unwrap();
}
