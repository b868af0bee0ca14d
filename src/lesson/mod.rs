//! Lessons: a title and steps, each with text, a setup over the app's settings, controls locked
//! or hidden, an optional goal that checks itself, and hints. A lesson is a TOML file
//! (format version 1, see the README's *Lessons* section); the built-in ones ship inside the
//! binary ([`builtin`]).
//!
//! ```toml
//! version = 1
//! title = "Hidden units"
//!
//! [[step]]
//! title = "Five units"
//! text = "Train the article's network with **5** hidden units."
//! setup = { dataset = "hotdogs", hidden = [5], learning_rate = 0.01 }
//! locked = ["data"]
//! goal = "accuracy >= 0.75"
//! hints = ["Press Space to train."]
//! ```
//!
//! A step's setup keys are the setup text's (named as `nnviz train`'s options, `_` or `-`
//! alike), plus `compare` (a list of tables, one per further run), the view's flags and
//! `data`/`target` for a CSV file beside the lesson. This module reads and checks the file's
//! shape and the goals; the values are checked where they are applied (`app::lesson`), on the
//! app's settings, and named there by the same line and key.

pub mod goal;

use std::collections::BTreeMap;
use std::fmt::{self, Write as _};
use std::path::{Path, PathBuf};

use serde::Deserialize;
use toml::Spanned;

pub use goal::{Goal, GoalError, Status, Variable};

use crate::names::{SETUP_DATA_KEYS, SETUP_RUN_KEYS};

/// The version of the lesson format this build reads.
pub const LESSON_VERSION: i64 = 1;

/// The largest lesson file read.
pub const MAX_LESSON_BYTES: usize = 1 << 20;

/// The most steps a lesson has.
pub const MAX_STEPS: usize = 100;

/// The iterations a step's goal is given when its lesson names no `limit`.
pub const DEFAULT_LIMIT: u64 = 50_000;

/// The most iterations a step's `limit` may name.
pub const MAX_LIMIT: u64 = 10_000_000;

/// The view's flags a step's setup may set.
pub const VIEW_KEYS: [&str; 4] = ["show-test", "discretize", "log-loss", "ring-wrong"];

/// The most runs a step's setup holds (run 1 and its `compare` runs).
const MAX_RUNS: usize = 5;

/// A part of the window a step may lock or hide.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Control {
    /// The article presets.
    Presets,
    /// Compare runs (add a run, try seeds, one-click comparisons).
    Compare,
    /// The data: the built-in picker, Open CSV, columns, inputs, the split.
    Data,
    /// Adding and erasing points on the plot.
    Points,
    /// The network: layers, units, activations, initial weights.
    Network,
    /// The training: optimiser, learning rate, batch, stopping rule and the rest.
    Training,
    /// The view settings.
    View,
    /// Copy and paste setup.
    Share,
    /// The export menu.
    Export,
}

crate::name_table!(Control, "control" {
    Presets => "presets": "Article presets",
    Compare => "compare": "Compare runs",
    Data => "data": "Data",
    Points => "points": "Adding and erasing points",
    Network => "network": "Network",
    Training => "training": "Training",
    View => "view": "View",
    Share => "share": "Share",
    Export => "export": "Export",
});

/// A place in a lesson file: 1-based line and column.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Place {
    /// Line, from 1.
    pub line: usize,
    /// Column in characters, from 1.
    pub column: usize,
}

impl Place {
    /// The place of byte `offset` in `text`.
    fn of(text: &str, offset: usize) -> Self {
        let offset = offset.min(text.len());
        let before = text.get(..offset).unwrap_or(text);
        let line = before.matches('\n').count() + 1;
        let start = before.rfind('\n').map_or(0, |i| i + 1);
        Self {
            line,
            column: before[start..].chars().count() + 1,
        }
    }
}

/// A problem in a lesson file, with the line, column and key it is at.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LessonError {
    /// Where.
    pub place: Place,
    /// The key, if the problem is one key's.
    pub key: Option<String>,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for LessonError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "line {}, column {}: ",
            self.place.line, self.place.column
        )?;
        if let Some(key) = &self.key {
            write!(f, "{key}: ")?;
        }
        f.write_str(&self.message)
    }
}

impl std::error::Error for LessonError {}

/// One `key = value` of a step's setup, as a setup-text word, with where it was written.
#[derive(Clone, Debug, PartialEq)]
pub struct SetupWord {
    /// The key, in the setup text's spelling (`learning-rate`).
    pub key: String,
    /// The value as a setup-text word (quoted if need be).
    pub value: String,
    /// Where the key was written.
    pub place: Place,
    /// The run it belongs to (0 is run 1; 1… are the `compare` runs).
    pub run: usize,
}

/// A step's setup: what it changes, run by run, and the view's flags.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Setup {
    /// The data and run 1's words, then each compared run's.
    pub words: Vec<SetupWord>,
    /// How many runs it sets (0: it leaves the runs as they are).
    pub runs: usize,
    /// A CSV file (its path resolved beside the lesson file) and where it was named.
    pub data: Option<(PathBuf, Place)>,
    /// The CSV file's target column.
    pub target: Option<String>,
    /// View flags (`show-test`, …) with their values.
    pub view: Vec<(String, bool)>,
    /// Where the table starts.
    pub place: Place,
}

impl Setup {
    /// True if it changes nothing.
    pub fn is_empty(&self) -> bool {
        self.words.is_empty() && self.data.is_none() && self.view.is_empty()
    }

    /// The setup text of its words (data file and view flags left out), `None` if it has none.
    pub fn text(&self) -> Option<String> {
        if self.words.is_empty() && self.runs == 0 {
            return None;
        }
        let mut out = String::from(crate::names::SETUP_TEXT_PREFIX);
        for run in 0..self.runs.max(1) {
            if run > 0 {
                out.push_str(" |");
            }
            for w in self.words.iter().filter(|w| w.run == run) {
                let _ = write!(out, " {}={}", w.key, w.value);
            }
        }
        Some(out)
    }
}

/// One step of a lesson.
#[derive(Clone, Debug, PartialEq)]
pub struct Step {
    /// Its title.
    pub title: String,
    /// Its text: short markdown (paragraphs, `**bold**`, `- ` lists, formulas as text).
    pub text: String,
    /// What it sets up, applied over the steps before it.
    pub setup: Setup,
    /// What a student would choose to meet the goal, applied over the setup by `nnviz lesson
    /// run` and the lesson tests (the window leaves the choice to the student).
    pub solution: Setup,
    /// The controls greyed during the step.
    pub locked: Vec<Control>,
    /// The controls not shown during the step.
    pub hidden: Vec<Control>,
    /// The goal's text and its parse.
    pub goal: Option<(String, Goal)>,
    /// Hints, shown one at a time on request.
    pub hints: Vec<String>,
    /// The iterations the goal is given (headless).
    pub limit: u64,
    /// Where the step starts in the file.
    pub place: Place,
}

/// A lesson: its name (the file's stem, or the built-in's), title, summary and steps.
#[derive(Clone, Debug, PartialEq)]
pub struct Lesson {
    /// Short name: `article` or the file's stem.
    pub name: String,
    /// Title.
    pub title: String,
    /// One line on what it teaches.
    pub summary: String,
    /// The steps, at least one.
    pub steps: Vec<Step>,
}

type Table = BTreeMap<Spanned<String>, Spanned<toml::Value>>;

#[derive(Deserialize)]
struct VersionOnly {
    version: Option<Spanned<i64>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LessonFile {
    #[allow(dead_code)] // checked first, by `VersionOnly`
    version: i64,
    title: Spanned<String>,
    #[serde(default)]
    summary: String,
    step: Option<Vec<Spanned<StepFile>>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct StepFile {
    title: Spanned<String>,
    #[serde(default)]
    text: String,
    setup: Option<Spanned<Table>>,
    solution: Option<Spanned<Table>>,
    #[serde(default)]
    locked: Vec<Spanned<String>>,
    #[serde(default)]
    hidden: Vec<Spanned<String>>,
    goal: Option<Spanned<String>>,
    #[serde(default)]
    hints: Vec<String>,
    limit: Option<Spanned<i64>>,
}

impl Lesson {
    /// Reads a lesson file's text; `name` is its short name and `dir` the folder that a
    /// `data = "file.csv"` is relative to.
    pub fn parse(name: &str, text: &str, dir: &Path) -> Result<Self, LessonError> {
        let at = |offset: usize, key: Option<&str>, message: String| LessonError {
            place: Place::of(text, offset),
            key: key.map(str::to_owned),
            message,
        };
        if text.len() > MAX_LESSON_BYTES {
            return Err(at(
                0,
                None,
                format!(
                    "the file is {} bytes; a lesson is at most {MAX_LESSON_BYTES}",
                    text.len()
                ),
            ));
        }
        let toml_error = |e: toml::de::Error| {
            let offset = e.span().map_or(0, |s| s.start);
            at(offset, None, e.message().trim().replace('\n', " "))
        };
        // The version first: another version's file may be shaped otherwise.
        let version: VersionOnly = toml::from_str(text).map_err(toml_error)?;
        match version.version {
            None => {
                return Err(at(
                    0,
                    Some("version"),
                    format!("not a lesson file: it starts with `version = {LESSON_VERSION}`"),
                ));
            }
            Some(v) if *v.get_ref() != LESSON_VERSION => {
                return Err(at(
                    v.span().start,
                    Some("version"),
                    format!(
                        "this is lesson format {}; this nnviz reads version {LESSON_VERSION}",
                        v.get_ref()
                    ),
                ));
            }
            Some(_) => {}
        }
        let file: LessonFile = toml::from_str(text).map_err(toml_error)?;
        if file.title.get_ref().trim().is_empty() {
            return Err(at(
                file.title.span().start,
                Some("title"),
                "the title is empty".into(),
            ));
        }
        let steps_file = file.step.unwrap_or_default();
        if steps_file.is_empty() {
            return Err(at(
                0,
                Some("step"),
                "the lesson has no steps (add a [[step]] with a title and text)".into(),
            ));
        }
        if steps_file.len() > MAX_STEPS {
            return Err(at(
                steps_file[MAX_STEPS].span().start,
                Some("step"),
                format!("a lesson has at most {MAX_STEPS} steps"),
            ));
        }
        let mut steps = Vec::with_capacity(steps_file.len());
        for spanned in steps_file {
            let place = Place::of(text, spanned.span().start);
            let s = spanned.into_inner();
            let controls = |list: &[Spanned<String>], key: &str| {
                list.iter()
                    .map(|c| {
                        c.get_ref()
                            .parse::<Control>()
                            .map_err(|e| at(c.span().start, Some(key), e.to_string()))
                    })
                    .collect::<Result<Vec<_>, _>>()
            };
            let goal = match &s.goal {
                None => None,
                Some(g) => {
                    let parsed = Goal::parse(g.get_ref()).map_err(|e| {
                        at(
                            g.span().start,
                            Some("goal"),
                            format!("{:?}: {e}", crate::text::short(g.get_ref())),
                        )
                    })?;
                    Some((g.get_ref().clone(), parsed))
                }
            };
            let limit = match &s.limit {
                None => DEFAULT_LIMIT,
                Some(l) => u64::try_from(*l.get_ref())
                    .ok()
                    .filter(|l| (1..=MAX_LIMIT).contains(l))
                    .ok_or_else(|| {
                        at(
                            l.span().start,
                            Some("limit"),
                            format!("{} is not from 1 to {MAX_LIMIT} iterations", l.get_ref()),
                        )
                    })?,
            };
            if s.title.get_ref().trim().is_empty() {
                return Err(at(
                    s.title.span().start,
                    Some("title"),
                    "the step's title is empty".into(),
                ));
            }
            let read_setup = |table: &Option<Spanned<Table>>, what: &str| match table {
                None => Ok(Setup::default()),
                Some(t) => setup(text, t, what, dir),
            };
            steps.push(Step {
                title: s.title.get_ref().clone(),
                text: s.text,
                setup: read_setup(&s.setup, "setup")?,
                solution: read_setup(&s.solution, "solution")?,
                locked: controls(&s.locked, "locked")?,
                hidden: controls(&s.hidden, "hidden")?,
                goal,
                hints: s.hints,
                limit,
                place,
            });
        }
        Ok(Self {
            name: name.to_owned(),
            title: file.title.into_inner(),
            summary: file.summary,
            steps,
        })
    }

    /// Reads a lesson file from disk; the message names the file.
    pub fn read(path: &Path) -> Result<Self, String> {
        let name = path
            .file_stem()
            .map_or_else(|| "lesson".to_owned(), |s| s.to_string_lossy().into_owned());
        let file = path.display();
        let size = std::fs::metadata(path)
            .map_err(|e| format!("{file}: {e}"))?
            .len();
        if size > MAX_LESSON_BYTES as u64 {
            return Err(format!(
                "{file}: the file is {size} bytes; a lesson is at most {MAX_LESSON_BYTES}"
            ));
        }
        let bytes = std::fs::read(path).map_err(|e| format!("{file}: {e}"))?;
        let text = String::from_utf8(bytes).map_err(|e| {
            format!(
                "{file}: not UTF-8 text (byte {})",
                e.utf8_error().valid_up_to()
            )
        })?;
        let dir = path.parent().unwrap_or(Path::new("."));
        Self::parse(&name, &text, dir).map_err(|e| format!("{file}: {e}"))
    }
}

/// A step's `setup` (or `solution`) table as setup words.
fn setup(text: &str, table: &Spanned<Table>, what: &str, dir: &Path) -> Result<Setup, LessonError> {
    let mut out = Setup {
        place: Place::of(text, table.span().start),
        ..Setup::default()
    };
    let mut runs = 0;
    for (key, value) in table.get_ref() {
        let place = Place::of(text, key.span().start);
        let err = |message: String| LessonError {
            place,
            key: Some(format!("{what}.{}", key.get_ref())),
            message,
        };
        let name = key.get_ref().replace('_', "-");
        match name.as_str() {
            "compare" => {
                let list = value.get_ref().as_array().ok_or_else(|| {
                    err("a list of tables, one per further run ([{ hidden = [30] }])".into())
                })?;
                if list.len() + 1 > MAX_RUNS {
                    return Err(err(format!(
                        "{} runs; at most {MAX_RUNS} train side by side",
                        list.len() + 1
                    )));
                }
                for (k, run) in list.iter().enumerate() {
                    let run_table = run.as_table().ok_or_else(|| {
                        err(format!(
                            "run {} is not a table ({{ hidden = [30] }})",
                            k + 2
                        ))
                    })?;
                    for (rk, rv) in run_table {
                        let rname = rk.replace('_', "-");
                        if !SETUP_RUN_KEYS.contains(&rname.as_str()) {
                            return Err(err(format!(
                                "run {}: {rk:?} is not a run's key (keys: {})",
                                k + 2,
                                SETUP_RUN_KEYS.join(", ")
                            )));
                        }
                        let value =
                            word(rv).map_err(|e| err(format!("run {}: {rk}: {e}", k + 2)))?;
                        out.words.push(SetupWord {
                            key: rname,
                            value,
                            place,
                            run: k + 1,
                        });
                    }
                }
                runs = list.len() + 1;
            }
            "data" => {
                let file = value
                    .get_ref()
                    .as_str()
                    .ok_or_else(|| err("the CSV file's name, in quotes".into()))?;
                out.data = Some((dir.join(file), place));
            }
            "target" => {
                let column = value
                    .get_ref()
                    .as_str()
                    .ok_or_else(|| err("the target column's name, in quotes".into()))?;
                out.target = Some(column.to_owned());
            }
            k if VIEW_KEYS.contains(&k) => {
                let on = value
                    .get_ref()
                    .as_bool()
                    .ok_or_else(|| err("true or false".into()))?;
                out.view.push((name.clone(), on));
            }
            k if SETUP_DATA_KEYS.contains(&k) || SETUP_RUN_KEYS.contains(&k) => {
                let value = word(value.get_ref()).map_err(err)?;
                out.words.push(SetupWord {
                    key: name.clone(),
                    value,
                    place,
                    run: 0,
                });
            }
            _ => {
                return Err(err(format!(
                    "not a setup key (keys: {}, {}, compare, target, {})",
                    SETUP_DATA_KEYS.join(", "),
                    SETUP_RUN_KEYS.join(", "),
                    VIEW_KEYS.join(", ")
                )));
            }
        }
    }
    if out.words.iter().any(|w| w.run == 0) && runs == 0 {
        runs = 1;
    }
    out.runs = runs;
    Ok(out)
}

/// A TOML value as a setup-text word: numbers as they read back, lists joined by commas
/// (`hidden = [5, 3]` is `hidden=5,3`; `hidden = []` is logistic regression).
fn word(value: &toml::Value) -> Result<String, String> {
    let one = |v: &toml::Value| match v {
        toml::Value::String(s) => Ok(s.clone()),
        toml::Value::Integer(i) => Ok(i.to_string()),
        toml::Value::Float(f) => Ok(crate::text::number(*f)),
        toml::Value::Boolean(b) => Ok(b.to_string()),
        other => Err(format!("a {} is not a setting's value", other.type_str())),
    };
    let text = match value {
        toml::Value::Array(items) if items.is_empty() => "0".to_owned(),
        toml::Value::Array(items) => items
            .iter()
            .map(one)
            .collect::<Result<Vec<_>, _>>()?
            .join(","),
        v => one(v)?,
    };
    Ok(crate::text::quote_word(&text))
}

/// The lessons inside the binary.
pub mod builtin {
    use super::Lesson;
    use std::path::Path;

    /// `(name, file text)` of each built-in lesson, in the order offered.
    pub const FILES: [(&str, &str); 3] = [
        ("article", include_str!("../../assets/lessons/article.toml")),
        (
            "learning-rate",
            include_str!("../../assets/lessons/learning-rate.toml"),
        ),
        (
            "overfitting",
            include_str!("../../assets/lessons/overfitting.toml"),
        ),
    ];

    /// Every built-in lesson, in order: read once (the Lessons section lists them every
    /// frame).
    pub fn all() -> &'static [Lesson] {
        static ALL: std::sync::OnceLock<Vec<Lesson>> = std::sync::OnceLock::new();
        ALL.get_or_init(|| {
            FILES
                .iter()
                .map(|(n, text)| {
                    Lesson::parse(n, text, Path::new("."))
                        .unwrap_or_else(|e| panic!("built-in lesson {n}: {e}"))
                })
                .collect()
        })
    }

    /// The built-in lesson `name`, `None` if there is none.
    pub fn get(name: &str) -> Option<Lesson> {
        all().iter().find(|l| l.name == name).cloned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Lesson, LessonError> {
        Lesson::parse("t", text, Path::new("/lessons"))
    }

    #[test]
    fn a_lesson_reads_into_setup_words_and_goals() {
        let lesson = parse(
            r#"version = 1
title = "T"
summary = "S"

[[step]]
title = "One"
text = "Hello **there**"
locked = ["data", "presets"]
hidden = ["export"]
goal = "accuracy >= 75%"
hints = ["a", "b"]
limit = 2000

[step.setup]
dataset = "hotdogs"
hidden = [5, 3]
learning_rate = 0.01
activation = "tanh"
show_test = false
compare = [{ hidden = [] }, { hidden = [30], weight_seed = 2 }]

[[step]]
title = "Two"
setup = { data = "flowers.csv", target = "Species", inputs = "x1 x2" }
"#,
        )
        .unwrap();
        assert_eq!(lesson.title, "T");
        let one = &lesson.steps[0];
        assert_eq!(one.locked, [Control::Data, Control::Presets]);
        assert_eq!(one.hidden, [Control::Export]);
        assert_eq!(one.limit, 2000);
        assert_eq!(one.place.line, 5);
        assert_eq!(one.setup.runs, 3);
        assert_eq!(
            one.setup.text().unwrap(),
            "nnviz-setup-1 activation=tanh dataset=hotdogs hidden=5,3 learning-rate=0.01 | \
             hidden=0 | hidden=30 weight-seed=2"
        );
        assert_eq!(one.setup.view, [("show-test".to_owned(), false)]);
        assert!(one.goal.as_ref().unwrap().1.status(&|_| Some(0.8)).met);
        let two = &lesson.steps[1];
        assert_eq!(
            two.setup.data.as_ref().unwrap().0,
            Path::new("/lessons/flowers.csv")
        );
        assert_eq!(two.setup.target.as_deref(), Some("Species"));
        assert_eq!(two.setup.text().unwrap(), "nnviz-setup-1 inputs=\"x1 x2\"");
        assert_eq!(two.limit, DEFAULT_LIMIT);
        assert!(two.goal.is_none());
    }

    #[test]
    fn bad_lessons_name_the_line_and_the_key() {
        let head = "version = 1\ntitle = \"T\"\n[[step]]\ntitle = \"S\"\n";
        let cases: Vec<(String, usize, Option<&str>, &str)> = vec![
            (
                "version = 2\ntitle = \"T\"\n".into(),
                1,
                Some("version"),
                "format 2",
            ),
            (
                "title = \"T\"\n".into(),
                1,
                Some("version"),
                "not a lesson file",
            ),
            ("version = \"one\"\n".into(), 1, None, "invalid type"),
            (
                "version = 1\ntitle = \"T\"\n".into(),
                1,
                Some("step"),
                "no steps",
            ),
            (
                format!("{head}colour = 3\n"),
                5,
                None,
                "unknown field `colour`",
            ),
            (
                format!("{head}goal = \"acc > 1\"\n"),
                5,
                Some("goal"),
                "not a figure",
            ),
            (
                format!("{head}locked = [\"network\", \"wheels\"]\n"),
                5,
                Some("locked"),
                "unknown control \"wheels\"",
            ),
            (format!("{head}limit = 0\n"), 5, Some("limit"), "not from 1"),
            (
                format!("{head}[step.setup]\nlearning_rat = 1\n"),
                6,
                Some("setup.learning_rat"),
                "not a setup key",
            ),
            (
                format!("{head}[step.setup]\nhidden = {{ a = 1 }}\n"),
                6,
                Some("setup.hidden"),
                "a table is not",
            ),
            (
                format!("{head}setup = {{ compare = [{{ dataset = \"moons\" }}] }}\n"),
                5,
                Some("setup.compare"),
                "not a run's key",
            ),
            (
                format!("{head}setup = {{ show_test = 1 }}\n"),
                5,
                Some("setup.show_test"),
                "true or false",
            ),
            (
                format!("{head}title = \"again\"\n"),
                5,
                None,
                "duplicate key",
            ),
            ("version = 1\ntitle = \"T\"\n[[step]\n".into(), 3, None, ""),
        ];
        for (text, line, key, message) in cases {
            let e = parse(&text).expect_err(&text);
            assert_eq!(e.place.line, line, "{text}\n{e}");
            assert_eq!(e.key.as_deref(), key, "{text}\n{e}");
            assert!(e.message.contains(message), "{text}\n{e}");
        }
    }

    #[test]
    fn every_built_in_lesson_reads() {
        let all = builtin::all();
        assert_eq!(all.len(), builtin::FILES.len());
        for lesson in all {
            assert!(!lesson.steps.is_empty(), "{}", lesson.name);
            assert!(!lesson.summary.is_empty(), "{}", lesson.name);
        }
    }
}
