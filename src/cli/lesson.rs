//! `nnviz lesson list|check|run`: the built-in lessons, a lesson file checked, a lesson played
//! headless step by step until each goal is met (see [`crate::lesson`]).

use std::path::Path;

use clap::{Args, Subcommand};

use super::{CliError, Output, outln};
use crate::lesson::{Lesson, builtin};

/// Options of `nnviz lesson`.
#[derive(Debug, Args)]
pub struct LessonArgs {
    /// What to do with lessons.
    #[command(subcommand)]
    pub action: LessonAction,
}

/// `nnviz lesson`'s actions.
#[derive(Debug, Subcommand)]
pub enum LessonAction {
    /// One line per built-in lesson: its name, steps and title.
    List,
    /// Check a lesson file: exit 0 if it is good, 2 with every problem named by line and key.
    Check {
        /// The lesson file (TOML).
        file: std::path::PathBuf,
    },
    /// Play a lesson headless: each step's setup (and solution) trained until its goal is met
    /// or its limit reached; one line per step, exit 1 if a goal was not met.
    Run {
        /// A built-in lesson's name (see `nnviz lesson list`) or a lesson file.
        lesson: String,
        /// One JSON line per step, then `{"lesson": …, "steps": […]}`.
        #[arg(long)]
        json: bool,
    },
}

/// A built-in lesson by name, or a lesson file.
fn find(name: &str) -> Result<Lesson, CliError> {
    if let Some(lesson) = builtin::get(name) {
        return Ok(lesson);
    }
    let path = Path::new(name);
    if path.exists() {
        return Lesson::read(path).map_err(CliError);
    }
    let names: Vec<&str> = builtin::FILES.iter().map(|(n, _)| *n).collect();
    Err(CliError(format!(
        "no lesson {:?}: neither a built-in lesson ({}) nor a file",
        crate::text::short(name),
        names.join(", ")
    )))
}

/// Runs `nnviz lesson`.
pub fn run(args: &LessonArgs) -> Result<(), CliError> {
    let mut out = Output::new();
    match &args.action {
        LessonAction::List => {
            for lesson in builtin::all() {
                outln!(
                    out,
                    "{:<14} {:>2} steps  {}: {}",
                    lesson.name,
                    lesson.steps.len(),
                    lesson.title,
                    lesson.summary
                );
            }
        }
        LessonAction::Check { file } => {
            let lesson = Lesson::read(file).map_err(CliError)?;
            let problems = check(&lesson);
            if !problems.is_empty() {
                let file = file.display();
                let all: Vec<String> = problems.iter().map(|p| format!("{file}: {p}")).collect();
                return Err(CliError(all.join("; ")));
            }
            outln!(
                out,
                "{}: {} steps, {} with a goal: good",
                file.display(),
                lesson.steps.len(),
                lesson.steps.iter().filter(|s| s.goal.is_some()).count()
            );
        }
        LessonAction::Run { lesson, json } => {
            let lesson = find(lesson)?;
            let (met, steps) = play(&lesson, &mut out, *json)?;
            out.finish()?;
            if met < steps {
                return Err(CliError {
                    message: format!("{} step(s) did not meet their goal", steps - met),
                    status: 1,
                });
            }
            return Ok(());
        }
    }
    out.finish()
}

#[cfg(feature = "gui")]
fn check(lesson: &Lesson) -> Vec<String> {
    crate::app::lesson::check(lesson)
}

#[cfg(not(feature = "gui"))]
fn check(_: &Lesson) -> Vec<String> {
    Vec::new()
}

/// Plays `lesson`, one line per step and a summary (JSON lines with `json`): `(met, steps)`.
#[cfg(feature = "gui")]
fn play(lesson: &Lesson, out: &mut Output, json: bool) -> Result<(usize, usize), CliError> {
    let base = crate::app::settings::Settings::default();
    let mut reports = Vec::new();
    for k in 0..lesson.steps.len() {
        let report = crate::app::lesson::play_step(lesson, k, &base, true).map_err(CliError)?;
        if json {
            outln!(
                out,
                "{}",
                serde_json::to_string(&report).unwrap_or_default()
            );
        } else {
            let pct =
                |v: Option<f64>| v.map_or("–".to_owned(), |v| format!("{:.1} %", 100.0 * v));
            outln!(
                out,
                "step {:>2} {} {:<34} {:>7} iterations  accuracy {:>7}  test {:>7}{}",
                k + 1,
                if report.met { "✓" } else { "✗" },
                crate::text::short(&report.title),
                report.iterations,
                pct(report.accuracy),
                pct(report.test_accuracy),
                report
                    .missing
                    .as_ref()
                    .map_or(String::new(), |m| format!("  missing: {m}"))
            );
        }
        reports.push(report);
    }
    let met = reports.iter().filter(|r| r.met).count();
    if json {
        let line =
            serde_json::json!({ "lesson": lesson.name, "title": lesson.title, "steps": reports });
        outln!(out, "{line}");
    } else {
        outln!(
            out,
            "{}: {met} of {} steps met their goal",
            lesson.title,
            reports.len()
        );
    }
    Ok((met, reports.len()))
}

#[cfg(not(feature = "gui"))]
fn play(_: &Lesson, _: &mut Output, _: bool) -> Result<(usize, usize), CliError> {
    Err(CliError(
        "lesson run needs the app's settings (build with the `gui` feature)".into(),
    ))
}
