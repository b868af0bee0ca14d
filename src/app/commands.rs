//! What the panels send and what they are told: the commands a widget asks the app to carry out
//! after layout, the message line, and the speed figures. A leaf module: it imports nothing from
//! the rest of the app and nothing from the panels, so `ui` depends on it and `app` on both,
//! with no cycle.

use std::path::PathBuf;

use crate::data::ColumnRoles;

use super::presets::{Comparison, Preset};

/// Something to export.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExportKind {
    /// The decision plot as PNG.
    DecisionPng,
    /// The training history as CSV.
    HistoryCsv,
    /// The data set as CSV.
    DataCsv,
    /// The model as JSON, the file `nnviz predict` reads.
    ModelJson,
    /// The decision regions over training (the kept moments) as an animated GIF.
    AnimationGif,
    /// The selected run as a Python (numpy) script that trains it as nnviz does.
    PythonScript,
    /// The selected run as an R script in the article's style.
    RScript,
    /// The session: data, every run's settings, weights and optimiser state (see
    /// [`super::session_file`]). Under Share, not in [`Self::ALL`].
    Session,
    /// The session without weights: data and settings; the runs start from their seeds.
    SessionWithoutWeights,
}

impl ExportKind {
    /// Every export, in menu order.
    pub const ALL: [Self; 7] = [
        Self::DecisionPng,
        Self::AnimationGif,
        Self::HistoryCsv,
        Self::DataCsv,
        Self::ModelJson,
        Self::PythonScript,
        Self::RScript,
    ];

    /// The button text.
    pub fn label(self) -> &'static str {
        match self {
            Self::DecisionPng => "Save decision plot (PNG)…",
            Self::HistoryCsv => "Save training history (CSV)…",
            Self::DataCsv => "Save data set (CSV)…",
            Self::ModelJson => "Save model (JSON)…",
            Self::AnimationGif => "Save animation of training (GIF)…",
            Self::PythonScript => "Save training as Python code…",
            Self::RScript => "Save training as R code…",
            Self::Session => "Save session…",
            Self::SessionWithoutWeights => "Save session without weights…",
        }
    }

    /// The file extensions a file of this kind has (lower case, no dot).
    pub fn extensions(self) -> &'static [&'static str] {
        match self {
            Self::DecisionPng => &["png"],
            Self::HistoryCsv | Self::DataCsv => &["csv"],
            Self::ModelJson => &["json"],
            Self::AnimationGif => &["gif"],
            Self::PythonScript => &["py"],
            Self::RScript => &["R", "r"],
            Self::Session | Self::SessionWithoutWeights => &["nnviz"],
        }
    }

    /// The suggested file name.
    pub fn file_name(self) -> &'static str {
        match self {
            Self::DecisionPng => "nnviz-decision.png",
            Self::HistoryCsv => "nnviz-history.csv",
            Self::DataCsv => "nnviz-data.csv",
            Self::ModelJson => "nnviz-model.json",
            Self::AnimationGif => "nnviz-training.gif",
            Self::PythonScript => "nnviz-training.py",
            Self::RScript => "nnviz-training.R",
            Self::Session | Self::SessionWithoutWeights => "session.nnviz",
        }
    }
}

/// What a widget asks the app to do; applied after layout.
#[derive(Clone, Debug, PartialEq)]
pub enum Command {
    /// Open the built-in lesson of this name.
    OpenBuiltinLesson(String),
    /// Pick a lesson file in a dialog.
    OpenLessonDialog,
    /// Open this lesson file.
    OpenLessonPath(PathBuf),
    /// Open a lesson file's text (a dropped file): its name and the folder its data files are
    /// relative to.
    OpenLessonText {
        /// The file's name, for messages.
        name: String,
        /// Its text.
        text: String,
        /// The folder a `data = "file.csv"` is relative to.
        dir: PathBuf,
    },
    /// Set up this step of the open lesson (0 is the first).
    LessonStep(usize),
    /// Show the open step's next hint.
    LessonHint,
    /// Leave the lesson: the settings stay, every control unlocked.
    CloseLesson,
    /// Play if paused, pause if playing.
    TogglePlay,
    /// Put the setup text of every run on the clipboard.
    CopySetup,
    /// Open the Paste setup window.
    OpenPasteSetup,
    /// Apply a setup text (see [`super::setup`]).
    ApplySetup(String),
    /// Train one iteration (pauses).
    Step,
    /// New weights from the seed, history cleared.
    Reset,
    /// Set everything as in an experiment of the article and train.
    Preset(Preset),
    /// Bring back the settings (and data) from before the last preset, comparison or "Use
    /// logistic regression".
    Undo,
    /// Open the file dialog for a saved model.
    OpenModel,
    /// Replace the network with a saved model's (the file's name and text).
    LoadModel {
        /// File name, for messages.
        name: String,
        /// The JSON text.
        text: String,
    },
    /// Open the file dialog for a session file.
    OpenSession,
    /// Open a session file (its name and bytes), replacing the data and the runs.
    LoadSession {
        /// File name, for messages.
        name: String,
        /// The file's bytes.
        bytes: Vec<u8>,
    },
    /// Open the file dialog for a CSV file.
    OpenCsv,
    /// Load CSV text (a dropped file).
    LoadCsvBytes {
        /// File name, for messages.
        name: String,
        /// The file's bytes.
        bytes: Vec<u8>,
    },
    /// Load a CSV file from disk.
    LoadCsvPath(PathBuf),
    /// Re-pick target and features of the loaded CSV.
    SetColumns(ColumnRoles),
    /// Go back from a CSV file to the built-in data set.
    UseBuiltin,
    /// Add a point of the chosen class at plot coordinates.
    AddPoint {
        /// x, raw units.
        x: f64,
        /// y, raw units.
        y: f64,
    },
    /// Remove the point nearest to plot coordinates within `radius`.
    RemovePoint {
        /// x, raw units.
        x: f64,
        /// y, raw units.
        y: f64,
        /// Largest distance, raw units.
        radius: f64,
    },
    /// Switch to the logistic regression (no hidden layer).
    UseBaseline,
    /// Save something (asks where with a file dialog).
    Export(ExportKind),
    /// Save something to this file.
    SaveTo {
        /// What.
        kind: ExportKind,
        /// Where.
        path: PathBuf,
    },
    /// Hold a feature at a value in the plot's slice.
    SetSlice {
        /// Feature index.
        feature: usize,
        /// Raw value.
        value: f64,
    },
    /// Add a run: a copy of the one being edited (compare mode).
    AddRun,
    /// Remove run `k` (not run 1).
    RemoveRun(usize),
    /// Train a one-click comparison.
    Compare(Comparison),
    /// Keep run 1 only.
    LeaveCompare,
    /// Hide the message line.
    DismissNotice,
    /// Show an error that happened while reading input.
    Fail(String),
    /// Open the editor of one weight of run `run` (from a click on a line of the diagram).
    PickWeight {
        /// The run (0 is run 1).
        run: usize,
        /// Weight layer (0 is the first).
        layer: usize,
        /// Row of its matrix (0 is the bias).
        row: usize,
        /// Column (the unit it feeds).
        col: usize,
    },
    /// Set that weight to `value`; training goes on from it.
    SetWeight {
        /// The run (0 is run 1).
        run: usize,
        /// Weight layer.
        layer: usize,
        /// Row (0 is the bias).
        row: usize,
        /// Column.
        col: usize,
        /// The new value.
        value: f64,
    },
    /// Close the weight editor.
    CloseWeightEditor,
    /// Open the explain panel (on the row explained last, or the first training row).
    OpenExplain,
    /// Show every run at its kept moment at or before this iteration (`None`: live).
    ScrubTo(Option<u64>),
    /// Move `k` kept moments back (negative) or on from the one shown.
    ScrubBy(i64),
    /// Branch every run from the moment shown and train on.
    ContinueFromHere,
    /// Train the selected run's settings under several seeds side by side.
    TrySeeds,
    /// Select run `k` (0 is run 1): the controls, the numbers and the panels follow it.
    SelectRun(usize),
    /// Explain the data set's row `row` (0-based), opening the panel if it is closed.
    ExplainRow(usize),
    /// Close the explain panel.
    CloseExplain,
    /// Open or close the hidden-space window.
    ToggleHiddenSpace,
}

/// A message shown in the window.
#[derive(Clone, Debug, PartialEq)]
pub struct Notice {
    /// What to say.
    pub text: String,
    /// Errors are drawn in the error colour.
    pub is_error: bool,
    /// A button offered with the message: its text and what it does.
    pub action: Option<(String, Command)>,
}

impl Notice {
    /// An error message.
    pub fn error(text: impl Into<String>) -> Self {
        Self {
            text: text.into(),
            is_error: true,
            action: None,
        }
    }

    /// An informational message.
    pub fn info(text: impl Into<String>) -> Self {
        Self {
            text: text.into(),
            is_error: false,
            action: None,
        }
    }

    /// The message with a button that carries out `command`.
    pub fn with_action(mut self, label: impl Into<String>, command: Command) -> Self {
        self.action = Some((label.into(), command));
        self
    }
}

/// Smoothed speed figures.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Stats {
    /// Iterations the network trains per second of wall time (smoothed, on its worker).
    pub iterations_per_second: f64,
    /// Time of the last frame's own work (grid, layout), milliseconds.
    pub frame_ms: f64,
}
