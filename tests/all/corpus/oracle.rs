//! What the fuzz targets (fuzz/fuzz_targets/) check on every input, shared with the test that
//! replays the inputs they found (tests/all/corpus/fuzz/).
//!
//! Besides "no panic, no hang, bounded memory": an error is one line naming the file, of
//! bounded length; a data set has as many targets as feature rows, finite features, labels
//! within its classes and distinct feature names (a model must be savable); `to_dataset` and
//! `into_dataset` agree; `predict`'s path reads the features back from the file they came
//! from; a model that loads builds its network, saves and loads again unchanged, and predicts
//! any rows it is given as `nnviz predict` does (src/cli/predict.rs).

#![allow(clippy::unwrap_used)] // A check fails loudly by design.

use std::collections::HashSet;

use nnviz::data::{Cell, ColumnKind, ColumnRoles, Dataset, Table, Target, Task};
use nnviz::model::SavedModel;
use nnviz::nn::{Matrix, predicted_class};
use nnviz::text::number;

const CSV: &str = "fuzz.csv";
const MODEL: &str = "fuzz.json";

/// Reads `bytes` as a CSV file, then builds its data set under several roles.
pub fn check_csv(bytes: &[u8]) {
    let table = match Table::read_bytes(CSV, bytes) {
        Ok(table) => table,
        Err(e) => return check_message(CSV, &e.to_string()),
    };
    let columns = table.columns();
    assert_eq!(columns.len(), table.column_names().len());
    for summary in &columns {
        if let Some(e) = &summary.problem {
            check_message(CSV, &e.to_string());
        }
        for row in 0..table.n_rows().min(3) {
            let _ = table.cell(row, &summary.name);
        }
    }
    for roles in roles(&table) {
        let kept = table.to_dataset(&roles);
        let owned = table.clone().into_dataset(&roles);
        match (&kept, &owned) {
            (Ok(a), Ok(b)) => assert_eq!(a, b, "to_dataset and into_dataset differ"),
            (Err(a), Err(b)) => assert_eq!(a, b),
            _ => panic!("to_dataset: {kept:?}, into_dataset: {owned:?}"),
        }
        match kept {
            Ok(data) => check_dataset(&table, &data),
            Err(e) => check_message(CSV, &e.to_string()),
        }
    }
}

/// The default roles under each task, and the first column as the target of the others in
/// reverse order (one listed twice), its classes in reverse order with one the file lacks.
fn roles(table: &Table) -> Vec<ColumnRoles> {
    let mut all: Vec<ColumnRoles> = [Task::Auto, Task::Classification, Task::Regression]
        .into_iter()
        .map(|task| ColumnRoles {
            task,
            ..ColumnRoles::default()
        })
        .collect();
    if let [first, rest @ ..] = table.column_names() {
        let mut features: Vec<String> = rest.iter().rev().cloned().collect();
        if let Some(again) = features.first().cloned() {
            features.push(again);
        }
        let class_order = (table.columns()[0].kind == ColumnKind::Text).then(|| {
            let mut seen = HashSet::new();
            let mut levels: Vec<String> = (0..table.n_rows())
                .filter_map(|r| match table.cell(r, first) {
                    Ok(Some(Cell::Text(t))) => Some(t.to_owned()),
                    _ => None,
                })
                .filter(|t| seen.insert(t.clone()))
                .collect();
            levels.reverse();
            levels.push("not in the file".into());
            levels
        });
        all.push(ColumnRoles {
            target: Some(first.clone()),
            features: Some(features),
            class_order,
            task: Task::Auto,
        });
    }
    all
}

fn check_dataset(table: &Table, data: &Dataset) {
    let rows = data.features.rows();
    assert_eq!(rows, data.target.len());
    assert_eq!(data.features.cols(), data.feature_names.len());
    assert_eq!(rows + data.dropped_rows, table.n_rows());
    assert!(data.features.as_slice().iter().all(|v| v.is_finite()));
    let mut seen = HashSet::new();
    for name in &data.feature_names {
        assert!(seen.insert(name), "feature {name:?} twice");
    }
    match &data.target {
        Target::Classes { names, labels } => {
            assert!(names.len() >= 2);
            assert!(labels.iter().all(|&l| l < names.len()));
        }
        Target::Values(values) => assert!(values.iter().all(|v| v.is_finite())),
    }
    // `nnviz predict` on the training file itself: the same features, row for row. (A file
    // with dropped rows may hold levels the kept rows lack, which predict rightly refuses.)
    if data.dropped_rows == 0 {
        let (x, kept) = table
            .feature_matrix(&data.feature_names, &data.levels)
            .unwrap_or_else(|e| panic!("predict on the training file: {e}"));
        assert_eq!(kept.len(), rows);
        assert_eq!(x, data.features);
    }
}

/// Reads `bytes` as a model file, optionally followed by a NUL byte and a CSV of rows to
/// predict (without them, a few fixed rows: zeros, ones, huge and tiny values), and predicts.
pub fn check_model(bytes: &[u8]) {
    let (json, rows) = match bytes.iter().position(|&b| b == 0) {
        Some(k) => (&bytes[..k], Some(&bytes[k + 1..])),
        None => (bytes, None),
    };
    let Ok(json) = std::str::from_utf8(json) else {
        return;
    };
    let model = match SavedModel::from_json(MODEL, json) {
        Ok(model) => model,
        Err(e) => return check_message(MODEL, &e.to_string()),
    };
    let network = model
        .network()
        .expect("a model that loads builds its network");
    let saved = serde_json::to_string(&model).unwrap();
    let again = SavedModel::from_json(MODEL, &saved).expect("a saved model loads again");
    assert_eq!(again, model, "saving and loading changed the model");

    let x = match rows {
        Some(csv) => {
            let Ok(table) = Table::read_bytes("new.csv", csv) else {
                return;
            };
            match table.feature_matrix(&model.features, &model.levels) {
                Ok((x, _)) => x,
                Err(e) => return check_message("new.csv", &e.to_string()),
            }
        }
        None => fixed_rows(model.features.len()),
    };
    let x = model.network_inputs(&x);
    let output = network
        .forward(&x)
        .expect("the network takes the rows it was given");
    assert_eq!(output.rows(), x.rows());
    for values in output.iter_rows() {
        if model.classes.is_empty() {
            let _ = number(values[0]);
        } else {
            let class = predicted_class(values);
            assert!(class < model.classes.len(), "class {class} of {values:?}");
            values.iter().for_each(|&p| drop(number(p)));
        }
    }
}

/// Rows of `features` columns: zeros, ones, minus ones, huge, tiny and a mix.
fn fixed_rows(features: usize) -> Matrix {
    let rows: [fn(usize) -> f64; 6] = [
        |_| 0.0,
        |_| 1.0,
        |_| -1.0,
        |_| 1e300,
        |_| -5e-324,
        |j| [3.5, -2.0, 1e10, 0.25][j % 4],
    ];
    let values = rows.iter().flat_map(|f| (0..features).map(f)).collect();
    Matrix::from_vec(rows.len(), features, values).unwrap()
}

/// A message for the user: one line, naming the file, of the length nnviz::text keeps it to (a
/// list such as the file's columns cut at `LINE_CHARS`, a few values at `SHORT_CHARS` each, and
/// their context; counted in characters, which may take four bytes each).
fn check_message(file: &str, message: &str) {
    assert!(message.starts_with(file), "{message}");
    assert!(!message.contains('\n'), "not one line: {message}");
    let chars = message.chars().count();
    let max = nnviz::text::LINE_CHARS + 4 * nnviz::text::SHORT_CHARS;
    assert!(chars <= max, "{chars} characters long: {message}");
}

/// Reads `bytes` as a setup text (Paste setup…, `nnviz --setup`) onto the default settings, with
/// and without a CSV file open. An error is one line of bounded length naming a column; a setup
/// that applies writes a setup text that applies again to the same runs and data.
#[cfg(feature = "gui")]
pub fn check_setup(bytes: &[u8]) {
    use nnviz::app::settings::Settings;
    use nnviz::app::setup::{apply_setup, names_dataset, setup_text};
    let text = String::from_utf8_lossy(bytes);
    for csv in [None, Some("x.csv")] {
        let start = Settings::default();
        match apply_setup(&start, &text, csv) {
            Err(e) => {
                assert!(!e.contains('\n'), "a message of one line: {e:?}");
                assert!(e.chars().count() <= 600, "a bounded message: {e:?}");
            }
            Ok(applied) => {
                let again = setup_text(&applied, csv.filter(|_| !names_dataset(&text)));
                let back = apply_setup(&start, &again, csv)
                    .unwrap_or_else(|e| panic!("{again:?} does not apply again: {e}"));
                if csv.is_none() || names_dataset(&text) {
                    // On a CSV file the built-in generator is not in use, nor in the text.
                    assert_eq!(back.builtin, applied.builtin, "{again}");
                    assert_eq!(back.generator, applied.generator, "{again}");
                }
                assert_eq!(back.preparation, applied.preparation, "{again}");
                assert_eq!(back.run, applied.run, "{again}");
                assert_eq!(back.compare, applied.compare, "{again}");
            }
        }
    }
}

/// A lesson file's text: read, and if it reads, checked as the window applies it (every step's
/// setup over the steps before it). An error is one line naming its line and column; nothing
/// panics, and a lesson that reads has at least one step, each goal parsed.
#[cfg(feature = "gui")]
pub fn check_lesson(bytes: &[u8]) {
    use nnviz::lesson::Lesson;
    let Ok(text) = std::str::from_utf8(bytes) else {
        return; // Lesson::read refuses text that is not UTF-8 before parsing
    };
    match Lesson::parse("fuzz", text, std::path::Path::new("/nonexistent")) {
        Err(e) => {
            let message = e.to_string();
            assert!(message.starts_with("line "), "names the line: {message:?}");
            assert!(e.place.line >= 1 && e.place.column >= 1, "{message:?}");
            assert!(
                e.place.line <= text.lines().count().max(1) + 1,
                "{message:?}"
            );
        }
        Ok(lesson) => {
            assert!(!lesson.steps.is_empty());
            for problem in nnviz::app::lesson::check(&lesson) {
                assert!(problem.starts_with("line "), "names the line: {problem:?}");
            }
        }
    }
}

/// Opens `bytes` as a session file (Open session…, `nnviz --session`) over the default
/// settings. An error is one line naming the file, of bounded length; a session that opens
/// has a run per run of its setup, each at the iteration saved (or 0), every row on one side
/// of the split; written out again it opens to the same data, split, runs and weights; and
/// every run trains on from there.
#[cfg(feature = "gui")]
pub fn check_session(bytes: &[u8]) {
    use nnviz::app::session_file::{self, SavedRun, SessionFile};
    use nnviz::app::settings::Settings;
    const FILE: &str = "fuzz.nnviz";
    let start = Settings::default();
    let opened = match session_file::open(FILE, bytes, &start) {
        Ok(opened) => opened,
        Err(e) => return check_message(FILE, &e.to_string()),
    };
    let data = opened.data.dataset();
    let prepared = opened.data.prepared();
    assert_eq!(
        prepared.train_rows.len() + prepared.test_rows.len(),
        data.n_rows()
    );
    assert!(!prepared.train_rows.is_empty());
    assert_eq!(opened.runs.len(), opened.settings.run_count());
    assert_eq!(opened.restored.len(), opened.runs.len());
    let runs = opened
        .runs
        .iter()
        .zip(&opened.restored)
        .map(|(run, restored)| match restored {
            Some(i) => {
                assert_eq!(run.iteration(), *i);
                SavedRun::new(&run.trainer().state(), run.history()).unwrap()
            }
            None => {
                assert_eq!(run.iteration(), 0);
                SavedRun::default()
            }
        })
        .collect();
    let csv = opened.data.csv().map(|c| c.table.file_name().to_owned());
    let text = SessionFile::new(
        &opened.settings,
        data,
        csv.as_deref(),
        &prepared.test_rows,
        runs,
    )
    .to_text()
    .unwrap();
    let again = session_file::open(FILE, text.as_bytes(), &start)
        .unwrap_or_else(|e| panic!("written out again, it does not open: {e}"));
    assert_eq!(again.settings.run, opened.settings.run);
    assert_eq!(again.settings.compare, opened.settings.compare);
    assert_eq!(again.settings.preparation, opened.settings.preparation);
    assert_eq!(again.data.dataset(), data);
    assert_eq!(again.data.prepared(), prepared);
    assert_eq!(again.restored, opened.restored);
    for (a, b) in again.runs.iter().zip(&opened.runs) {
        assert_eq!(a.network().weights(), b.network().weights());
        assert_eq!(a.history().points().len(), b.history().points().len());
    }
    let interrupt = std::sync::atomic::AtomicBool::new(false);
    for mut run in opened.runs {
        let _ = run.train(2, &interrupt, |_| false, |_| {});
    }
}
