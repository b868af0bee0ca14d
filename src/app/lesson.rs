//! Lessons on the app's settings: a step's setup applied over the steps before it, its goal
//! read from the runs' figures, and the headless player behind `nnviz lesson run` and the
//! lesson tests. No egui here.
//!
//! Step *k* always starts from the same place, whatever the student did before: the app's
//! defaults (the student's theme, zoom and panels kept), then the setups of steps 1 to *k* in
//! order. So the window and `nnviz lesson run` see the same data, runs and seeds.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use serde::Serialize;

use super::commands::Command;
use super::session::{baseline_spec, prepare_data};
use super::settings::Settings;
use super::setup::apply_setup;
use crate::data::{ColumnRoles, CsvSource, Dataset, Table};
use crate::lesson::{Control, Goal, Lesson, LessonError, Setup, Status, Variable};
use crate::train::HistoryPoint;
use crate::train::{Run, RunMetrics, RunSpec, Stop};

/// What a lesson's goal reads of one run.
#[derive(Clone, Copy, Debug)]
pub struct RunFigures<'a> {
    /// Its spec.
    pub spec: &'a RunSpec,
    /// Its latest figures, if measured.
    pub metrics: Option<&'a RunMetrics>,
    /// The iterations it trained.
    pub iteration: u64,
    /// True if it diverged.
    pub diverged: bool,
    /// A point of its curves to read the loss, accuracies and iteration from instead (R² is
    /// then not known).
    pub point: Option<&'a HistoryPoint>,
}

/// The figures a goal reads: each run's (run 1 first) and the baseline's training accuracy.
#[derive(Clone, Debug, Default)]
pub struct Figures<'a> {
    /// Run 1, then the compared runs.
    pub runs: Vec<RunFigures<'a>>,
    /// The logistic-regression baseline's training accuracy.
    pub baseline_accuracy: Option<f64>,
}

impl Figures<'_> {
    /// The value of `v`, `None` if it is not measured (yet) or there is no such run.
    pub fn read(&self, v: &Variable) -> Option<f64> {
        if v.name == "runs" {
            return Some(self.runs.len() as f64);
        }
        if v.name == "baseline_accuracy" {
            return self.baseline_accuracy;
        }
        let run = self.runs.get(v.run)?;
        let network = &run.spec.network;
        let training = &run.spec.training;
        let m = run.metrics;
        if let Some(p) = run.point {
            match v.name {
                "loss" | "train_loss" => return Some(p.train_loss),
                "test_loss" => return p.test_loss,
                "accuracy" | "train_accuracy" => return p.train_accuracy,
                "test_accuracy" => return p.test_accuracy,
                "r_squared" | "test_r_squared" => return None,
                "iterations" => return Some(p.iteration as f64),
                _ => {}
            }
        }
        match v.name {
            "loss" | "train_loss" => m.map(|m| m.train.loss),
            "test_loss" => m.and_then(|m| m.test.as_ref()).map(|t| t.loss),
            "accuracy" | "train_accuracy" => m.and_then(|m| m.train.accuracy),
            "test_accuracy" => m.and_then(|m| m.test.as_ref()).and_then(|t| t.accuracy),
            "r_squared" => m.and_then(|m| m.train_r2),
            "test_r_squared" => m.and_then(|m| m.test_r2),
            "iterations" => Some(run.iteration as f64),
            "hidden_units" => Some(network.hidden.iter().map(|h| h.units).sum::<usize>() as f64),
            "hidden_layers" => Some(network.hidden.len() as f64),
            "learning_rate" => Some(training.learning_rate),
            "l1" => Some(training.l1),
            "l2" => Some(training.l2),
            "scheduled" => Some(f64::from(u8::from(
                training.schedule != crate::train::Schedule::Constant,
            ))),
            "diverged" => Some(f64::from(u8::from(run.diverged))),
            _ => None,
        }
    }

    /// The goal's status over these figures.
    pub fn status(&self, goal: &Goal) -> Status {
        goal.status(&|v| self.read(v))
    }
}

/// The settings a lesson starts from: the app's defaults, with the student's theme, zoom,
/// panels and speed from `current`.
pub fn base_settings(current: &Settings) -> Settings {
    Settings {
        dark: current.dark,
        zoom: current.zoom,
        show_controls: current.show_controls,
        show_insight: current.show_insight,
        speed: current.speed,
        ..Settings::default()
    }
}

/// The CSV file step `k` trains on (its path and target), if any: the last file named by
/// steps 1 to `k`, unless a later one went back to a built-in data set.
pub fn step_data(lesson: &Lesson, k: usize) -> Option<(PathBuf, Option<String>)> {
    let mut data = None;
    for step in lesson.steps.iter().take(k + 1) {
        if let Some((path, _)) = &step.setup.data {
            data = Some((path.clone(), step.setup.target.clone()));
        } else if step.setup.words.iter().any(|w| w.key == "dataset") {
            data = None;
        } else if let (Some(target), Some((_, t))) = (&step.setup.target, &mut data) {
            *t = Some(target.clone());
        }
    }
    data
}

/// `settings` with one step's `setup` applied (the view's flags too); a problem is named by
/// the line and key of the lesson file it comes from.
pub fn apply_step_setup(settings: &Settings, setup: &Setup) -> Result<Settings, LessonError> {
    // A CSV file gets the defaults of one's own data, as opening it in the window would; the
    // step's own words win over them.
    let scaled;
    let settings = if setup.data.is_some() {
        let mut s = settings.clone();
        s.follow_defaults(crate::train::spec::Defaults::Scaled);
        scaled = s;
        &scaled
    } else {
        settings
    };
    let mut next = match setup.text() {
        None => settings.clone(),
        Some(text) => apply_setup(settings, &text, None).map_err(|whole| {
            // Which word: the first that fails on its own is named; a problem between words
            // (hidden and activation of different lengths) is the table's.
            for w in &setup.words {
                let mut alone = crate::names::SETUP_TEXT_PREFIX.to_owned();
                for _ in 0..w.run {
                    alone.push_str(" |");
                }
                alone.push_str(&format!(" {}={}", w.key, w.value));
                if let Err(e) = apply_setup(settings, &alone, None) {
                    // "column 15: learning-rate=50: the learning rate is…": the key is named.
                    let message = strip_column(&e);
                    let message = message
                        .strip_prefix(&format!("{}=", w.key))
                        .and_then(|rest| rest.split_once(": "))
                        .map_or(message.clone(), |(_, problem)| problem.to_owned());
                    return LessonError {
                        place: w.place,
                        key: Some(w.key.replace('-', "_")),
                        message,
                    };
                }
            }
            LessonError {
                place: setup.place,
                key: Some("setup".into()),
                message: strip_column(&whole),
            }
        })?,
    };
    for (key, on) in &setup.view {
        match key.as_str() {
            "show-test" => next.show_test = *on,
            "discretize" => next.discretize = *on,
            "log-loss" => next.log_loss = *on,
            "ring-wrong" => next.ring_wrong = *on,
            _ => {}
        }
    }
    Ok(next)
}

/// A setup message without the setup text's own `column N: ` (a lesson names its line).
fn strip_column(message: &str) -> String {
    let rest = message
        .strip_prefix("column ")
        .and_then(|r| r.split_once(": "))
        .map_or(message, |(_, rest)| rest);
    rest.to_owned()
}

/// The settings of step `k` (0 is the first) from `base`: the setups of steps 1 to `k+1` in
/// order, and the step's solution too if `solved`.
pub fn step_settings(
    lesson: &Lesson,
    k: usize,
    base: &Settings,
    solved: bool,
) -> Result<Settings, LessonError> {
    let mut settings = base.clone();
    for step in lesson.steps.iter().take(k + 1) {
        settings = apply_step_setup(&settings, &step.setup)?;
    }
    if solved && let Some(step) = lesson.steps.get(k) {
        settings = apply_step_setup(&settings, &step.solution)?;
    }
    Ok(settings)
}

/// Reads step `k`'s CSV file (if it names one) as a data set, with the file it came from.
pub fn read_step_data(lesson: &Lesson, k: usize) -> Result<Option<(Dataset, CsvSource)>, String> {
    let Some((path, target)) = step_data(lesson, k) else {
        return Ok(None);
    };
    let table = Table::read_path(&path).map_err(|e| e.to_string())?;
    let roles = ColumnRoles {
        target,
        ..ColumnRoles::default()
    };
    let dataset = table.to_dataset(&roles).map_err(|e| e.to_string())?;
    Ok(Some((dataset, CsvSource::new(table, roles))))
}

/// What playing one step headless gave.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct StepReport {
    /// The step's title.
    pub title: String,
    /// Its goal's text (`null` for a step without one).
    pub goal: Option<String>,
    /// True if the goal was met (a step without a goal counts as met).
    pub met: bool,
    /// Run 1's iterations when the goal was met or play stopped.
    pub iterations: u64,
    /// What was still missing, if the goal was not met.
    pub missing: Option<String>,
    /// Run 1's training accuracy then (classification).
    pub accuracy: Option<f64>,
    /// Run 1's test accuracy then (with a test set).
    pub test_accuracy: Option<f64>,
    /// Run 1's training loss then.
    pub loss: Option<f64>,
}

/// Iterations between two looks at a goal when played headless.
pub const CHECK_EVERY: u64 = 250;

/// Plays step `k` of `lesson` headless from `base`: its settings (its solution too if
/// `solved`), its data, its runs trained `CHECK_EVERY` iterations at a time until the goal is
/// met, its `limit` is reached or every run stopped. Deterministic: the same lesson gives the
/// same report.
pub fn play_step(
    lesson: &Lesson,
    k: usize,
    base: &Settings,
    solved: bool,
) -> Result<StepReport, String> {
    let step = &lesson.steps[k];
    let at = |e: String| format!("step {} ({}): {e}", k + 1, step.title);
    let settings = step_settings(lesson, k, base, solved).map_err(|e| at(e.to_string()))?;
    let dataset = match read_step_data(lesson, k).map_err(at)? {
        Some((dataset, _)) => dataset,
        None => settings.builtin.generate(&settings.generator),
    };
    let prepared = Arc::new(prepare_data(&settings, &dataset).map_err(at)?);
    let mut runs = (0..settings.run_count())
        .map(|r| Run::new(settings.run_spec(r).clone(), Arc::clone(&prepared)))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| at(e.to_string()))?;
    let reads_baseline = step.goal.as_ref().is_some_and(|(_, goal)| {
        goal.variables()
            .iter()
            .any(|v| v.name == "baseline_accuracy")
    });
    let baseline_accuracy = if reads_baseline {
        let mut baseline = Run::new(baseline_spec(&settings, &prepared), Arc::clone(&prepared))
            .map_err(|e| at(e.to_string()))?;
        baseline.set_timeline_budget(0);
        train(&mut baseline, crate::train::BASELINE_ITERATIONS)?;
        baseline.metrics().and_then(|m| m.train.accuracy)
    } else {
        None
    };
    for run in &mut runs {
        run.set_timeline_budget(0);
    }
    fn figures(runs: &[Run], baseline_accuracy: Option<f64>) -> Figures<'_> {
        Figures {
            runs: runs
                .iter()
                .map(|r| RunFigures {
                    spec: r.spec(),
                    metrics: r.metrics(),
                    iteration: r.iteration(),
                    diverged: matches!(r.stopped(), Some(Stop::Diverged { .. })),
                    point: None,
                })
                .collect(),
            baseline_accuracy,
        }
    }
    let report = |runs: &[Run], status: Option<Status>| {
        let main = runs[0].metrics();
        StepReport {
            title: step.title.clone(),
            goal: step.goal.as_ref().map(|(t, _)| t.clone()),
            met: status.as_ref().is_none_or(|s| s.met),
            iterations: runs[0].iteration(),
            missing: status.filter(|s| !s.met).map(|s| s.missing),
            accuracy: main.and_then(|m| m.train.accuracy),
            test_accuracy: main.and_then(|m| m.test.as_ref()).and_then(|t| t.accuracy),
            loss: main.map(|m| m.train.loss),
        }
    };
    let Some((_, goal)) = &step.goal else {
        // Nothing to reach: the step's runs train to their limit (at most the step's).
        for run in &mut runs {
            let n = run
                .spec()
                .training
                .stop_after
                .unwrap_or(step.limit)
                .min(step.limit);
            train(run, n)?;
        }
        return Ok(report(&runs, None));
    };
    loop {
        for run in &mut runs {
            run.refresh_metrics();
        }
        let status = figures(&runs, baseline_accuracy).status(goal);
        let done = runs
            .iter()
            .all(|r| r.finished() || r.iteration() >= step.limit);
        if status.met || done {
            return Ok(report(&runs, Some(status)));
        }
        for run in &mut runs {
            let left = step.limit.saturating_sub(run.iteration());
            train(run, CHECK_EVERY.min(left))?;
        }
    }
}

/// Trains `run` `n` iterations (fewer if it stops), its figures refreshed after.
fn train(run: &mut Run, n: u64) -> Result<(), String> {
    let never = AtomicBool::new(false);
    run.train(n, &never, |_| false, |_| {})
        .map_err(|e| e.to_string())?;
    run.refresh_metrics();
    Ok(())
}

/// Plays every step of `lesson` headless from the app's defaults.
pub fn play(lesson: &Lesson) -> Result<Vec<StepReport>, String> {
    let base = Settings::default();
    (0..lesson.steps.len())
        .map(|k| play_step(lesson, k, &base, true))
        .collect()
}

/// Checks every step of `lesson` as the window would apply it (setups, solutions and data
/// files), without training: every problem, each named by line and key.
pub fn check(lesson: &Lesson) -> Vec<String> {
    let base = Settings::default();
    let mut problems = Vec::new();
    for k in 0..lesson.steps.len() {
        if let Err(e) = step_settings(lesson, k, &base, true) {
            problems.push(e.to_string());
            // The later steps build on this one: one message for the cause.
            break;
        }
        if let Some((path, _)) = &lesson.steps[k].setup.data
            && let Err(e) = read_step_data(lesson, k)
        {
            let place = lesson.steps[k]
                .setup
                .data
                .as_ref()
                .map_or(lesson.steps[k].place, |d| d.1);
            problems.push(format!(
                "line {}, column {}: data: {}: {e}",
                place.line,
                place.column,
                path.display()
            ));
        }
    }
    problems
}

/// The lesson open in the window: which step, and what of it was reached.
#[derive(Clone, Debug)]
pub struct LessonState {
    /// The lesson.
    pub lesson: Lesson,
    /// The step shown (0 is the first).
    pub step: usize,
    /// The iteration run 1 had when the goal was first met in this step.
    pub met_at: Option<u64>,
    /// The goal's status at the last frame.
    pub status: Option<Status>,
    /// How many of the step's hints are shown.
    pub hints_shown: usize,
    /// The iteration up to which run 1's curves were looked through for the goal.
    pub scanned: u64,
}

impl LessonState {
    /// `lesson` at its first step (not set up yet: see `App::lesson_step`).
    pub fn new(lesson: Lesson) -> Self {
        Self {
            lesson,
            step: 0,
            met_at: None,
            status: None,
            hints_shown: 0,
            scanned: 0,
        }
    }

    /// The step shown.
    pub fn current(&self) -> &crate::lesson::Step {
        &self.lesson.steps[self.step.min(self.lesson.steps.len() - 1)]
    }

    /// Why `control` is locked in this step, `None` if it is not.
    pub fn locked(&self, control: Control) -> Option<String> {
        applies(&self.current().locked, control).then(|| {
            format!(
                "Locked by the lesson \u{201c}{}\u{201d} in step {}: go on to the next step, or close \
                 the lesson, to change it",
                self.lesson.title,
                self.step + 1
            )
        })
    }

    /// True if `control` is hidden in this step.
    pub fn hidden(&self, control: Control) -> bool {
        applies(&self.current().hidden, control)
    }

    /// Takes this frame's goal status; true when the goal is met for the first time in the step.
    pub fn update(&mut self, status: Option<Status>, iteration: u64) -> bool {
        let first = self.met_at.is_none() && status.as_ref().is_some_and(|s| s.met);
        if first {
            self.met_at = Some(iteration);
        }
        self.status = status;
        first
    }
}

/// True if `list` names `control`, or the data for the points on it (the data locked, its
/// points are too).
fn applies(list: &[Control], control: Control) -> bool {
    list.contains(&control) || (control == Control::Points && list.contains(&Control::Data))
}

/// The part of the window a command changes, for the lesson's locks.
pub fn control_of(command: &Command) -> Option<Control> {
    use Command as C;
    Some(match command {
        C::Preset(_) => Control::Presets,
        C::AddRun | C::RemoveRun(_) | C::Compare(_) | C::LeaveCompare | C::TrySeeds => {
            Control::Compare
        }
        C::OpenCsv
        | C::LoadCsvBytes { .. }
        | C::LoadCsvPath(_)
        | C::SetColumns(_)
        | C::UseBuiltin
        | C::OpenSession
        | C::LoadSession { .. } => Control::Data,
        C::AddPoint { .. } | C::RemovePoint { .. } => Control::Points,
        C::OpenModel
        | C::LoadModel { .. }
        | C::UseBaseline
        | C::PickWeight { .. }
        | C::SetWeight { .. } => Control::Network,
        C::CopySetup | C::OpenPasteSetup | C::ApplySetup(_) => Control::Share,
        C::Export(_) | C::SaveTo { .. } => Control::Export,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lesson::Lesson;
    use std::path::Path;

    fn lesson(text: &str) -> Lesson {
        Lesson::parse("t", text, Path::new(".")).unwrap()
    }

    #[test]
    fn a_bad_value_is_named_by_its_line_and_key_and_later_steps_build_on_earlier_ones() {
        let l = lesson(
            "version = 1\ntitle = \"T\"\n[[step]]\ntitle = \"A\"\nsetup = { dataset = \"moons\", hidden = [3] }\n\
             [[step]]\ntitle = \"B\"\n[step.setup]\nnoise = 0.3\nlearning_rate = 99\n",
        );
        let base = Settings::default();
        let a = step_settings(&l, 0, &base, false).unwrap();
        assert_eq!(a.builtin, crate::data::Builtin::Moons);
        assert_eq!(a.run.network.hidden[0].units, 3);
        let e = step_settings(&l, 1, &base, false).unwrap_err();
        assert_eq!(e.place.line, 10);
        assert_eq!(e.key.as_deref(), Some("learning_rate"));
        assert!(e.message.contains("from 0.00001 to 10"), "{e}");
        assert_eq!(check(&l), [e.to_string()]);
    }

    #[test]
    fn a_missing_data_file_is_named() {
        let l = lesson(
            "version = 1\ntitle = \"T\"\n[[step]]\ntitle = \"A\"\nsetup = { data = \"no-such.csv\" }\n",
        );
        let problems = check(&l);
        assert_eq!(problems.len(), 1);
        assert!(
            problems[0].starts_with("line 5, column 11: data: "),
            "{problems:?}"
        );
        assert!(problems[0].contains("no-such.csv"), "{problems:?}");
    }
}
