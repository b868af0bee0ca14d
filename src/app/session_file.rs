//! Session files (`.nnviz`): the data with its hand-added and erased points, every run's
//! settings and, optionally, their weights and optimiser state, as versioned JSON. Opening one
//! with the state restores exactly: the same weights, the same next iteration. No egui here.
//!
//! ```json
//! {"format": "nnviz-session",
//! "version": 1,
//! "setup": "nnviz-setup-1 dataset=moons points=200 … | hidden=30 …",
//! "data": {"name": "moons", "csv": null, "features": ["x1","x2"], "target": "class",
//!   "classes": ["0","1"], "standardize_by_default": false, "dropped_rows": 0, "levels": {},
//!   "rows": [[0.12,0.98,0], …], "test_rows": [3,17, …]},
//! "runs": [{"state": {"iteration": 500, "weights": [[[…]]], "moment1": [], …},
//!   "history": {"stride": 1, "points": [[1,0.69,0.5,null,null], …], …}}]}
//! ```
//!
//! - `setup` is the setup text (see [`super::setup`]): the data set, its preparation and every
//!   run's network, training and seeds, in `nnviz train`'s words.
//! - `data` holds the rows themselves, features then the target (a class's index into
//!   `classes`, or the value; `classes` is empty for regression), as the runs trained on them:
//!   a built-in data set with the points added and erased by hand, or a CSV file's rows after
//!   its text columns were one-hot encoded (`levels`). The file is not needed to open it.
//!   `test_rows` are the rows held out; the others train.
//! - `runs` has one entry per run of the setup. An entry with a `state` (see
//!   [`SavedState`]) and a `history` (the curves) goes on from there; an empty one (`{}`, as
//!   *Save session without weights* writes) starts from its seed.
//!
//! Everything is checked before anything is used: the size before reading, the format and
//! version, then every key (JSON errors name the line and column), the rows against the data
//! set, the states against the networks the setup builds. An error names the file and the key.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use super::session::{NewData, Session};
use super::settings::{MAX_RUNS, Settings};
use super::setup;
use crate::data::{ColumnRoles, CsvSource, Dataset, MAX_FEATURE_VALUES, Table, Target, Task};
use crate::nn::{MAX_INPUTS, Matrix};
use crate::text::{short, short_line};
use crate::train::saved::{SavedHistory, SavedState};
use crate::train::{History, Preparation, Run, RunSpec, TrainerState};

/// The `format` field every session file carries.
pub const FORMAT: &str = "nnviz-session";

/// The version this nnviz writes and reads.
pub const VERSION: u32 = 1;

/// The file extension of session files.
pub const EXTENSION: &str = "nnviz";

/// The largest session file read: a larger one is refused before it is read.
pub const MAX_SESSION_BYTES: usize = 256 << 20;

/// What is wrong with a session file.
#[derive(Debug, thiserror::Error)]
pub enum SessionFileError {
    /// Too large to read.
    #[error("{file}: {bytes} bytes; a session file is at most {MAX_SESSION_BYTES} bytes")]
    TooLarge {
        /// The file.
        file: String,
        /// Its size.
        bytes: usize,
    },
    /// Not JSON of the session format; the message ends with the line and column.
    #[error("{file}: not a valid session file: {message}")]
    Parse {
        /// The file.
        file: String,
        /// The parser's message, with its line and column.
        message: String,
    },
    /// Well formed, but a key's value cannot be used.
    #[error("{file}: {key}: {message}")]
    Invalid {
        /// The file.
        file: String,
        /// Where in the file (`runs[0].state.weights[1]`).
        key: String,
        /// What is wrong.
        message: String,
    },
}

/// A session file as stored (see the module docs).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SessionFile {
    /// Always [`FORMAT`].
    pub format: String,
    /// [`VERSION`].
    pub version: u32,
    /// The setup text of the data and the runs.
    pub setup: String,
    /// The rows and their split.
    pub data: SavedData,
    /// One entry per run of the setup, run 1 first.
    pub runs: Vec<SavedRun>,
}

/// The data set as the runs trained on it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SavedData {
    /// The data set's name (`moons`, the CSV file's name).
    pub name: String,
    /// The CSV file's name, if the rows came from one (`None`: a built-in data set).
    #[serde(default)]
    pub csv: Option<String>,
    /// One name per feature column, after one-hot encoding (`colour=red`).
    pub features: Vec<String>,
    /// The target column's name.
    pub target: String,
    /// Class names in label order; empty for regression.
    #[serde(default)]
    pub classes: Vec<String>,
    /// Whether the features are standardised unless the setup says otherwise.
    #[serde(default)]
    pub standardize_by_default: bool,
    /// Rows the CSV file had with a missing value (left out).
    #[serde(default)]
    pub dropped_rows: usize,
    /// The levels of each one-hot encoded text column, the reference level first.
    #[serde(default)]
    pub levels: BTreeMap<String, Vec<String>>,
    /// The rows: features, then the target.
    pub rows: Rows,
    /// The rows held out for testing, ascending; the others train.
    pub test_rows: Vec<usize>,
}

/// One run: its state and curves, or nothing (it starts from its seed).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SavedRun {
    /// The trainer's whole state.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<SavedState>,
    /// The curves up to it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub history: Option<SavedHistory>,
}

/// Rows of equal length stored flat: an array of arrays of numbers in the file, read straight
/// into place, with the count and the length checked as they are read.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Rows {
    /// Values per row.
    pub cols: usize,
    /// The values, row after row.
    pub values: Vec<f64>,
}

impl Rows {
    /// The number of rows.
    pub fn len(&self) -> usize {
        self.values.len().checked_div(self.cols).unwrap_or(0)
    }

    /// True without rows.
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }
}

impl Serialize for Rows {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeSeq as _;
        let mut seq = serializer.serialize_seq(Some(self.len()))?;
        for row in self.values.chunks(self.cols.max(1)) {
            seq.serialize_element(row)?;
        }
        seq.end()
    }
}

impl<'de> Deserialize<'de> for Rows {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_seq(RowsVisitor)
    }
}

struct RowsVisitor;

impl<'de> serde::de::Visitor<'de> for RowsVisitor {
    type Value = Rows;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "rows: an array of rows, each an array of numbers")
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Rows, A::Error> {
        use serde::de::Error as _;
        let mut rows = Rows::default();
        let mut n = 0usize;
        loop {
            let before = rows.values.len();
            let seed = RowSeed {
                values: &mut rows.values,
                max: if n == 0 { MAX_INPUTS + 1 } else { rows.cols },
                row: n,
            };
            if seq.next_element_seed(seed)?.is_none() {
                break;
            }
            let len = rows.values.len() - before;
            if n == 0 {
                rows.cols = len;
            } else if len != rows.cols {
                return Err(A::Error::custom(format!(
                    "row {n} has {len} values, row 0 has {}",
                    rows.cols
                )));
            }
            n += 1;
            if rows.values.len() > MAX_FEATURE_VALUES {
                return Err(A::Error::custom(format!(
                    "more than {MAX_FEATURE_VALUES} values in the rows"
                )));
            }
        }
        if n > 0 && rows.cols == 0 {
            return Err(A::Error::custom("the rows are empty"));
        }
        Ok(rows)
    }
}

/// Reads one row onto the end of `values`, refusing more than `max` values.
struct RowSeed<'a> {
    values: &'a mut Vec<f64>,
    max: usize,
    row: usize,
}

impl<'de> serde::de::DeserializeSeed<'de> for RowSeed<'_> {
    type Value = ();

    fn deserialize<D: serde::Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_seq(self)
    }
}

impl<'de> serde::de::Visitor<'de> for RowSeed<'_> {
    type Value = ();

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "a row: an array of numbers")
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        use serde::de::Error as _;
        let mut len = 0;
        while let Some(v) = seq.next_element::<f64>()? {
            len += 1;
            if len > self.max {
                return Err(A::Error::custom(format!(
                    "row {} has more than {} values",
                    self.row, self.max
                )));
            }
            self.values.push(v);
        }
        Ok(())
    }
}

/// The first keys, read before the rest: a file of another version may have other keys.
#[derive(Deserialize)]
struct Header {
    format: Option<String>,
    version: Option<serde_json::Value>,
}

/// A session file opened and checked, ready to replace the session's data and runs.
#[derive(Debug)]
pub struct Opened {
    /// The settings: the setup's data and runs over the view settings before.
    pub settings: Settings,
    /// The data, split and scaled as saved.
    pub data: NewData,
    /// The runs, run 1 first, at their saved moments (or their starts).
    pub runs: Vec<Run>,
    /// For each run, the iteration it was saved at, if its state was saved.
    pub restored: Vec<Option<u64>>,
}

/// The session file of `settings` and `session`, with every run's exact state and curves
/// (`with_state`) or without (the runs start from their seeds when it is opened).
pub fn write(settings: &Settings, session: &Session, with_state: bool) -> Result<String, String> {
    let csv = session.csv.as_ref().map(|c| c.table.file_name().to_owned());
    let runs = if with_state {
        let captured = session.capture_runs()?;
        if captured.len() != settings.run_count() {
            return Err("the runs are being rebuilt: save again in a moment".to_owned());
        }
        captured
            .iter()
            .enumerate()
            .map(|(k, c)| {
                if c.spec != *settings.run_spec(k) {
                    return Err(format!(
                        "run {}'s new settings are still being applied: save again in a moment",
                        k + 1
                    ));
                }
                SavedRun::new(&c.state, &c.history)
                    .map_err(|e| format!("run {} cannot be saved: {e}", k + 1))
            })
            .collect::<Result<Vec<_>, String>>()?
    } else {
        vec![SavedRun::default(); settings.run_count()]
    };
    SessionFile::new(
        settings,
        &session.dataset,
        csv.as_deref(),
        &session.prepared.test_rows,
        runs,
    )
    .to_text()
}

impl SavedRun {
    /// A run at this moment: its trainer's `state` and its `history`; fails if a number in the
    /// state is not finite.
    pub fn new(state: &TrainerState, history: &History) -> Result<Self, String> {
        Ok(Self {
            state: Some(SavedState::new(state)?),
            history: Some(SavedHistory::new(history)),
        })
    }
}

/// The rows of `dataset`: features, then the target.
fn rows_of(dataset: &Dataset) -> Rows {
    let cols = dataset.n_features() + 1;
    let mut values = Vec::with_capacity(dataset.n_rows() * cols);
    for (i, row) in dataset.features.iter_rows().enumerate() {
        values.extend_from_slice(row);
        values.push(match &dataset.target {
            Target::Classes { labels, .. } => labels[i] as f64,
            Target::Values(v) => v[i],
        });
    }
    Rows { cols, values }
}

impl SessionFile {
    /// The file of `settings` (their setup text), the rows of `dataset` (from the CSV file
    /// named `csv`, if any) with `test_rows` held out, and `runs` (one per run of `settings`).
    pub fn new(
        settings: &Settings,
        dataset: &Dataset,
        csv: Option<&str>,
        test_rows: &[usize],
        runs: Vec<SavedRun>,
    ) -> Self {
        Self {
            format: FORMAT.to_owned(),
            version: VERSION,
            setup: setup::setup_text(settings, csv),
            data: SavedData {
                name: dataset.name.clone(),
                csv: csv.map(str::to_owned),
                features: dataset.feature_names.clone(),
                target: dataset.target_name.clone(),
                classes: dataset.class_names().to_vec(),
                standardize_by_default: dataset.standardize_by_default,
                dropped_rows: dataset.dropped_rows,
                levels: dataset.levels.clone(),
                rows: rows_of(dataset),
                test_rows: test_rows.to_vec(),
            },
            runs,
        }
    }

    /// The file's text: JSON with each key, each data row and each run on a line of its own.
    pub fn to_text(&self) -> Result<String, String> {
        let d = &self.data;
        let mut out = String::with_capacity(d.rows.values.len() * 20 + 4096);
        let _ = write!(
            out,
            "{{\"format\": {},\n\"version\": {},\n\"setup\": {},\n\"data\": {{\"name\": {}, \
             \"csv\": {},\n  \"features\": {},\n  \"target\": {}, \"classes\": {},\n  \
             \"standardize_by_default\": {}, \"dropped_rows\": {}, \"levels\": {},\n  \
             \"test_rows\": {},\n  \"rows\": [",
            json(&self.format)?,
            self.version,
            json(&self.setup)?,
            json(&d.name)?,
            json(&d.csv)?,
            json(&d.features)?,
            json(&d.target)?,
            json(&d.classes)?,
            d.standardize_by_default,
            d.dropped_rows,
            json(&d.levels)?,
            json(&d.test_rows)?,
        );
        for (k, row) in d.rows.values.chunks(d.rows.cols.max(1)).enumerate() {
            out.push_str(if k == 0 { "\n    " } else { ",\n    " });
            out.push_str(&json(row)?);
        }
        out.push_str("]},\n\"runs\": [");
        for (k, run) in self.runs.iter().enumerate() {
            out.push_str(if k == 0 { "\n  " } else { ",\n  " });
            out.push_str(&json(run)?);
        }
        out.push_str("]}\n");
        Ok(out)
    }

    /// Reads and checks the JSON of a session file named `file` (for messages); the size is
    /// checked first, then the format and version, then every key.
    pub fn parse(file: &str, bytes: &[u8]) -> Result<Self, SessionFileError> {
        if bytes.len() > MAX_SESSION_BYTES {
            return Err(SessionFileError::TooLarge {
                file: file.to_owned(),
                bytes: bytes.len(),
            });
        }
        let header: Header = serde_json::from_slice(bytes).map_err(|e| parse_error(file, &e))?;
        let invalid = |key: &str, message: String| SessionFileError::Invalid {
            file: file.to_owned(),
            key: key.to_owned(),
            message: short_line(&message),
        };
        match header.format.as_deref() {
            Some(FORMAT) => {}
            Some(other) => {
                return Err(invalid(
                    "format",
                    format!("{:?} is not an nnviz session ({FORMAT:?})", short(other)),
                ));
            }
            None => {
                return Err(invalid(
                    "format",
                    format!("missing: not an nnviz session (a session has \"format\": {FORMAT:?})"),
                ));
            }
        }
        match header.version {
            Some(serde_json::Value::Number(n)) if n.as_u64() == Some(u64::from(VERSION)) => {}
            Some(v) => {
                let shown = short(&v.to_string()).into_owned();
                return Err(invalid(
                    "version",
                    format!(
                        "{shown} is not supported (this nnviz reads version {VERSION}; a newer \
                         nnviz may open it)"
                    ),
                ));
            }
            None => return Err(invalid("version", "missing".to_owned())),
        }
        serde_json::from_slice(bytes).map_err(|e| parse_error(file, &e))
    }
}

/// `value` as compact JSON.
fn json<T: Serialize + ?Sized>(value: &T) -> Result<String, String> {
    serde_json::to_string(value).map_err(|e| e.to_string())
}

/// A JSON error as one bounded line that keeps its line and column.
fn parse_error(file: &str, e: &serde_json::Error) -> SessionFileError {
    let text = e.to_string();
    let position = format!(" at line {} column {}", e.line(), e.column());
    let what = text.strip_suffix(&position).unwrap_or(&text);
    let mut message = short_line(what);
    if let Some((end, _)) = message.char_indices().nth(200) {
        message.truncate(end);
        message.push('…');
    }
    if e.line() > 0 {
        message.push_str(&position);
    }
    SessionFileError::Parse {
        file: file.to_owned(),
        message,
    }
}

/// Opens the session file `file` (its `bytes`) over the current `settings` (whose view choices
/// stay): checks everything, builds the data and every run at its saved moment. Nothing of the
/// current session is touched; an error names the file, the key and what is wrong.
pub fn open(file: &str, bytes: &[u8], settings: &Settings) -> Result<Opened, SessionFileError> {
    let saved = SessionFile::parse(file, bytes)?;
    let invalid = |key: &str, message: String| SessionFileError::Invalid {
        file: file.to_owned(),
        key: key.to_owned(),
        message: short_line(&message),
    };
    if saved.runs.is_empty() || saved.runs.len() > MAX_RUNS {
        return Err(invalid(
            "runs",
            format!("{} runs; a session has 1 to {MAX_RUNS}", saved.runs.len()),
        ));
    }
    let d = &saved.data;
    let csv = d.csv.as_deref();
    // The setup over the current view settings, its runs and preparation from scratch (what the
    // setup text leaves out is then the default, not the current choice).
    let base = Settings {
        run: RunSpec::default(),
        compare: Vec::new(),
        selected: 0,
        preparation: Preparation::default(),
        own: None,
        ..settings.clone()
    };
    let names_dataset = setup::names_dataset(&saved.setup);
    if names_dataset == csv.is_some() {
        return Err(invalid(
            "setup",
            match csv {
                Some(name) => format!(
                    "the data is the CSV file {name}, but the setup names a built-in data set"
                ),
                None => "the setup names no data set (dataset=…) and the data is no CSV file (csv)"
                    .to_owned(),
            },
        ));
    }
    let mut next = setup::apply_setup(&base, &saved.setup, csv)
        .map_err(|e| invalid("setup", e))?
        .sanitized();
    if next.run_count() != saved.runs.len() {
        return Err(invalid(
            "runs",
            format!(
                "{} entries, the setup has {} runs",
                saved.runs.len(),
                next.run_count()
            ),
        ));
    }
    let dataset = dataset_of(d).map_err(|(key, message)| invalid(&key, message))?;
    let source = match csv {
        Some(name) => {
            if d.name != name {
                return Err(invalid(
                    "data.name",
                    format!(
                        "{:?} is not the CSV file's name {:?}",
                        short(&d.name),
                        short(name)
                    ),
                ));
            }
            Some(csv_source(&dataset, name).map_err(|e| invalid("data", e))?)
        }
        None => {
            // Its names only: a few points of the generator will do.
            let few = crate::data::GeneratorOptions {
                points: crate::data::MIN_POINTS,
                ..next.generator
            };
            let generated = next.builtin.generate(&few);
            if generated.name != dataset.name
                || generated.feature_names != dataset.feature_names
                || generated.target_name != dataset.target_name
                || generated.class_names() != dataset.class_names()
            {
                return Err(invalid(
                    "data",
                    format!(
                        "the rows are not of the setup's data set {} (features {}, target {})",
                        generated.name,
                        generated.feature_names.join(", "),
                        generated.target_name
                    ),
                ));
            }
            None
        }
    };
    let split = split_of(&d.test_rows, dataset.n_rows())
        .map_err(|message| invalid("data.test_rows", message))?;
    let data = NewData::with_rows(&next.preparation, dataset, source, split)
        .map_err(|e| invalid("setup", e))?;
    let prepared = Arc::clone(data.prepared());
    let mut runs = Vec::with_capacity(saved.runs.len());
    let mut restored = Vec::with_capacity(saved.runs.len());
    for (k, entry) in saved.runs.iter().enumerate() {
        let key = |part: &str| format!("runs[{k}]{part}");
        let mut run = Run::new(next.run_spec(k).clone(), Arc::clone(&prepared))
            .map_err(|e| invalid(&key(""), format!("cannot build run {}: {e}", k + 1)))?;
        match (&entry.state, &entry.history) {
            (Some(state), history) => {
                let rows = prepared.train_x.rows();
                let state = state
                    .state_for(run.network(), rows)
                    .map_err(|e| invalid(&key(".state"), e))?;
                let layers = run.network().weights().len();
                let history = match history {
                    Some(h) => h
                        .history(state.iteration(), layers)
                        .map_err(|e| invalid(&key(".history"), e))?,
                    None => History::default(),
                };
                restored.push(Some(state.iteration()));
                run.restore(state, history)
                    .map_err(|e| invalid(&key(".state"), e.to_string()))?;
            }
            (None, Some(_)) => {
                return Err(invalid(
                    &key(".history"),
                    "curves without a state: a run saved without weights starts from its seed"
                        .to_owned(),
                ));
            }
            (None, None) => restored.push(None),
        }
        runs.push(run);
    }
    let n = data.dataset().n_features();
    (next.x_feature, next.y_feature) = if csv.is_none() {
        next.builtin.default_axes()
    } else {
        (0, 1.min(n.saturating_sub(1)))
    };
    next.x_feature = next.x_feature.min(n.saturating_sub(1));
    next.y_feature = next.y_feature.min(n.saturating_sub(1));
    next.click_class = next
        .click_class
        .min(data.dataset().class_names().len().saturating_sub(1));
    Ok(Opened {
        settings: next,
        data,
        runs,
        restored,
    })
}

/// The data set of the saved rows, checked; an error is a key and a message.
fn dataset_of(d: &SavedData) -> Result<Dataset, (String, String)> {
    let bad = |key: &str, message: String| (format!("data.{key}"), message);
    let n_features = d.features.len();
    if n_features == 0 || n_features > MAX_INPUTS {
        return Err(bad(
            "features",
            format!("{n_features} features; a data set has 1 to {MAX_INPUTS}"),
        ));
    }
    let mut classes = std::collections::HashSet::new();
    if let Some(name) = d.classes.iter().find(|c| !classes.insert(c.as_str())) {
        return Err(bad("classes", format!("{:?} is named twice", short(name))));
    }
    let mut seen = std::collections::HashSet::new();
    for name in d.features.iter().chain(std::iter::once(&d.target)) {
        if !seen.insert(name.as_str()) {
            return Err(bad(
                "features",
                format!("{:?} is named twice (features and target)", short(name)),
            ));
        }
    }
    if d.rows.is_empty() {
        return Err(bad("rows", "no rows".to_owned()));
    }
    if d.rows.cols != n_features + 1 {
        return Err(bad(
            "rows",
            format!(
                "rows of {} values; {n_features} features and the target make {}",
                d.rows.cols,
                n_features + 1
            ),
        ));
    }
    let n = d.rows.len();
    let mut features = Vec::with_capacity(n * n_features);
    let mut targets = Vec::with_capacity(n);
    for (i, row) in d.rows.values.chunks(d.rows.cols).enumerate() {
        if let Some(j) = row.iter().position(|v| !v.is_finite()) {
            return Err(bad(
                &format!("rows[{i}][{j}]"),
                "not a finite number".into(),
            ));
        }
        let (x, y) = row.split_at(n_features);
        features.extend_from_slice(x);
        targets.push(y[0]);
    }
    let target = match d.classes.len() {
        0 => Target::Values(targets),
        1 => {
            return Err(bad(
                "classes",
                "one class; a classification has two or more (none for regression)".into(),
            ));
        }
        k => {
            let mut labels = Vec::with_capacity(n);
            for (i, &y) in targets.iter().enumerate() {
                if !(y >= 0.0 && y < k as f64 && y.fract() == 0.0) {
                    return Err(bad(
                        &format!("rows[{i}][{n_features}]"),
                        format!("{y} is not a class (0 to {})", k - 1),
                    ));
                }
                labels.push(y as usize);
            }
            Target::Classes {
                names: d.classes.clone(),
                labels,
            }
        }
    };
    let features =
        Matrix::from_vec(n, n_features, features).map_err(|e| bad("rows", e.to_string()))?;
    Ok(Dataset {
        name: d.name.clone(),
        feature_names: d.features.clone(),
        features,
        target_name: d.target.clone(),
        target,
        standardize_by_default: d.standardize_by_default,
        dropped_rows: d.dropped_rows,
        levels: d.levels.clone(),
    })
}

/// The training and test rows of `n` rows whose test rows are `test`, checked.
fn split_of(test: &[usize], n: usize) -> Result<(Vec<usize>, Vec<usize>), String> {
    let mut in_test = vec![false; n];
    let mut last = None;
    for (k, &i) in test.iter().enumerate() {
        if i >= n {
            return Err(format!("[{k}]: row {i}; the data has {n} rows"));
        }
        if last.is_some_and(|l| i <= l) {
            return Err(format!("[{k}]: row {i} is not after the row before it"));
        }
        last = Some(i);
        in_test[i] = true;
    }
    let train: Vec<usize> = (0..n).filter(|&i| !in_test[i]).collect();
    if train.is_empty() {
        return Err("every row is a test row: no row is left to train on".to_owned());
    }
    Ok((train, test.to_vec()))
}

/// A CSV source for the data panel (its column pickers) made from the saved rows: the rows as
/// a table named `name`, the roles picking the saved features and target.
fn csv_source(dataset: &Dataset, name: &str) -> Result<CsvSource, String> {
    let mut bytes = Vec::new();
    dataset.write_csv(&mut bytes).map_err(|e| e.to_string())?;
    let table = Table::read_bytes(name, &bytes).map_err(|e| e.to_string())?;
    let columns = dataset
        .feature_names
        .iter()
        .chain(std::iter::once(&dataset.target_name));
    if !table.column_names().iter().eq(columns) {
        return Err(format!(
            "the features and target ({}) do not read back as CSV columns",
            short(&table.column_names().join(", "))
        ));
    }
    let roles = ColumnRoles {
        target: Some(dataset.target_name.clone()),
        features: Some(dataset.feature_names.clone()),
        class_order: dataset
            .target
            .is_classes()
            .then(|| dataset.class_names().to_vec()),
        task: if dataset.target.is_classes() {
            Task::Classification
        } else {
            Task::Regression
        },
    };
    Ok(CsvSource::new(table, roles))
}
