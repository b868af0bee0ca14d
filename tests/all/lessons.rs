//! Lessons: the built-in ones play headless with every goal met (and their students' choices
//! matter), `nnviz lesson list|check|run`, a bad lesson file named by line and key with the
//! work kept, and the lesson panel in the window: steps, locks, the goal ticking.

use egui_kittest::kittest::Queryable;
use nnviz::app::commands::Command;
use nnviz::app::lesson::{LessonState, play, play_step};
use nnviz::app::settings::Settings;
use nnviz::app::{App, AppOptions};
use nnviz::data::Builtin;
use nnviz::lesson::{Control, Lesson, builtin};

use crate::common::ui::{harness, settle, sync};
use crate::common::{nnviz, nnviz_ok};

#[test]
fn every_built_in_lesson_meets_every_goal() {
    for lesson in builtin::all() {
        let reports = play(lesson).unwrap_or_else(|e| panic!("{}: {e}", lesson.name));
        assert_eq!(reports.len(), lesson.steps.len());
        for (step, report) in lesson.steps.iter().zip(&reports) {
            assert!(
                report.met,
                "{}: step {:?} missed its goal: {:?}",
                lesson.name, step.title, report.missing
            );
            if step.goal.is_some() {
                assert!(report.iterations <= step.limit, "{report:?}");
            }
        }
    }
}

#[test]
fn the_articles_lesson_reaches_the_articles_figures() {
    let lesson = builtin::get("article").unwrap();
    let reports = play(&lesson).unwrap();
    let accuracy: Vec<f64> = reports[..5].iter().map(|r| r.accuracy.unwrap()).collect();
    // 134/200, 137/200, 152/200, 200/200 hot dogs; 147/150 flowers.
    assert_eq!(accuracy, [0.67, 0.685, 0.76, 1.0, 0.98]);
}

#[test]
fn a_step_whose_goal_needs_the_students_choice_is_not_met_without_it() {
    let base = Settings::default();
    let mut checked = 0;
    for lesson in builtin::all() {
        for (k, step) in lesson.steps.iter().enumerate() {
            if step.solution.is_empty() {
                continue;
            }
            let report = play_step(lesson, k, &base, false).unwrap();
            assert!(
                !report.met,
                "{} step {}: met without the student's choice",
                lesson.name,
                k + 1
            );
            assert!(report.missing.is_some());
            checked += 1;
        }
    }
    assert!(checked >= 5, "{checked} steps with a choice to make");
}

#[test]
fn the_command_line_lists_checks_and_plays_lessons() {
    let list = nnviz_ok(&["lesson", "list"]);
    let names: Vec<&str> = list
        .lines()
        .map(|l| l.split_whitespace().next().unwrap())
        .collect();
    assert_eq!(names, ["article", "learning-rate", "overfitting"]);

    let dir = std::env::temp_dir().join(format!("nnviz-lesson-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let good = dir.join("good.toml");
    std::fs::write(
        &good,
        "version = 1\ntitle = \"Moons\"\n[[step]]\ntitle = \"Train\"\n\
         setup = { dataset = \"moons\", hidden = [4], activation = \"tanh\" }\n\
         goal = \"accuracy >= 0.9\"\nlimit = 5000\n",
    )
    .unwrap();
    let out = nnviz_ok(&["lesson", "check", good.to_str().unwrap()]);
    assert!(out.contains("1 steps, 1 with a goal: good"), "{out}");

    let bad = dir.join("bad.toml");
    std::fs::write(
        &bad,
        "version = 1\ntitle = \"T\"\n[[step]]\ntitle = \"S\"\n[step.setup]\nhidden = [4]\n\
         learning_rate = 50\n",
    )
    .unwrap();
    let out = nnviz(&["lesson", "check", bad.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("bad.toml: line 7, column 1: learning_rate: the learning rate is from"),
        "{err}"
    );

    let out = nnviz_ok(&["lesson", "run", good.to_str().unwrap(), "--json"]);
    let last: serde_json::Value = serde_json::from_str(out.lines().last().unwrap()).unwrap();
    assert_eq!(last["lesson"], "good");
    let steps = last["steps"].as_array().unwrap();
    assert_eq!(steps.len(), 1);
    assert_eq!(steps[0]["title"], "Train");
    assert_eq!(steps[0]["goal"], "accuracy >= 0.9");
    assert_eq!(steps[0]["met"], true);
    assert!(steps[0]["accuracy"].as_f64().unwrap() >= 0.9);

    // A goal out of reach: exit status 1, the step says what is missing.
    std::fs::write(
        &good,
        "version = 1\ntitle = \"Moons\"\n[[step]]\ntitle = \"Train\"\n\
         setup = { dataset = \"moons\", hidden = [] }\ngoal = \"accuracy >= 0.99\"\nlimit = 500\n",
    )
    .unwrap();
    let out = nnviz(&["lesson", "run", good.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("missing: accuracy is"), "{text}");
    let out = nnviz(&["lesson", "run", "no-such-lesson"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("built-in lesson (article"));
    std::fs::remove_dir_all(&dir).unwrap();
}

fn headless() -> App {
    App::headless(
        &AppOptions {
            fresh: true,
            ..AppOptions::default()
        },
        None,
    )
}

#[test]
fn a_bad_lesson_is_refused_by_line_and_key_and_the_work_is_kept() {
    let mut app = headless();
    app.apply(Command::OpenBuiltinLesson("learning-rate".into()), None);
    let before = app.settings.clone();
    let cases = [
        (
            "version = 1\ntitle = \"T\"\n[[step]]\ntitle = \"S\"\ngoal = \"acc > 1\"\n",
            "line 5, column 8: goal",
        ),
        (
            "version = 1\ntitle = \"T\"\n[[step]]\ntitle = \"S\"\nsetup = { dataset = \"nope\" }\n",
            "line 5, column 11: dataset: unknown data set",
        ),
        ("version = 7\n", "line 1, column 11: version"),
        ("\u{0}\u{1}", "line 1"),
        (
            "version = 1\ntitle = \"T\"\n[[step]]\ntitle = \"S\"\nsetup = { data = \"missing.csv\" }\n",
            "data: ",
        ),
    ];
    for (text, message) in cases {
        app.apply(
            Command::OpenLessonText {
                name: "mine.toml".into(),
                text: text.into(),
                dir: std::env::temp_dir(),
            },
            None,
        );
        let notice = app.session.notice.as_ref().unwrap();
        assert!(notice.is_error, "{text}");
        assert!(notice.text.contains(message), "{text}: {}", notice.text);
        assert!(notice.text.contains("Your work is kept"), "{}", notice.text);
        assert_eq!(app.settings, before, "{text}");
        assert_eq!(app.lesson.as_ref().unwrap().lesson.name, "learning-rate");
    }
}

#[test]
fn a_lesson_sets_up_each_step_afresh_and_locks_what_it_says() {
    let mut app = headless();
    app.apply(Command::OpenBuiltinLesson("overfitting".into()), None);
    let state: &LessonState = app.lesson.as_ref().unwrap();
    assert_eq!(state.step, 0);
    assert!(state.locked(Control::Data).is_some());
    assert!(
        state.locked(Control::Points).is_some(),
        "the data's points too"
    );
    assert!(state.hidden(Control::Compare));
    assert_eq!(app.settings.builtin, Builtin::Moons);
    assert_eq!(app.settings.preparation.test_fraction, 0.5);
    assert!(
        !app.session.playing(),
        "a step starts paused, to be read first"
    );
    let rows = app.session.dataset.features.rows();
    // Locked: a point is not added, and the message says why.
    app.apply(Command::AddPoint { x: 0.0, y: 0.0 }, None);
    assert_eq!(app.session.dataset.features.rows(), rows);
    let notice = &app.session.notice.as_ref().unwrap().text;
    assert!(notice.contains("Locked by the lesson"), "{notice}");
    // The student's change in step 2, then back to step 1 and on again: each step as it began.
    app.apply(Command::LessonStep(1), None);
    let mut settings = app.settings.clone();
    settings.run.network.hidden.truncate(1);
    settings.run.network.hidden[0].units = 4;
    app.apply_settings(settings);
    app.apply(Command::LessonStep(0), None);
    app.apply(Command::LessonStep(1), None);
    let units: Vec<usize> = app
        .settings
        .run
        .network
        .hidden
        .iter()
        .map(|h| h.units)
        .collect();
    assert_eq!(units, [30, 30]);
    assert_eq!(app.lesson.as_ref().unwrap().step, 1);
    // Closed: everything unlocked, the settings kept.
    app.apply(Command::CloseLesson, None);
    assert!(app.lesson.is_none());
    assert_eq!(app.settings.run.network.hidden.len(), 2);
}

#[test]
fn the_lesson_panel_steps_through_and_ticks_a_goal_once_met() {
    let mut harness = harness();
    harness.run_steps(2);
    harness.get_by_label("Lessons").click();
    harness.run_steps(2);
    harness.get_by_label("Learning rate").click();
    sync(&mut harness, 2);
    assert!(harness.query_by_label("Too small").is_some());
    assert!(harness.query_by_label("Data (locked)").is_some());
    assert!(
        harness.query_by_label("Compare runs").is_none(),
        "hidden in this step"
    );
    // The lesson's section may still be unfolding: a click lands once it stands still.
    settle(&mut harness);
    harness.get_by_label("Next ▶").click();
    sync(&mut harness, 2);
    assert!(harness.query_by_label("Just right").is_some());
    assert!(
        harness.query_by_label("Training").is_some(),
        "unlocked here"
    );
    // The student raises the rate, as the slider would, and plays.
    let mut settings = harness.state().settings.clone();
    settings.run.training.learning_rate = 0.01;
    harness.state_mut().apply_settings(settings);
    harness.get_by_label("Play").click();
    let mut met = false;
    for _ in 0..2_000 {
        sync(&mut harness, 1);
        if harness.state().lesson.as_ref().unwrap().met_at.is_some() {
            met = true;
            break;
        }
    }
    assert!(
        met,
        "the goal was not met: {:?}",
        harness.state().lesson.as_ref().unwrap().status
    );
    harness.run_steps(2);
    assert!(
        harness
            .query_by_label_contains("Goal met at iteration")
            .is_some()
    );
    harness.get_by_label("Close lesson").click();
    harness.run_steps(2);
    assert!(harness.state().lesson.is_none());
    assert!(harness.query_by_label("Compare runs").is_some());
}

#[test]
fn every_step_of_every_built_in_lesson_draws() {
    // A glyph the fonts lack fails here (egui_kittest refuses to draw it).
    let mut harness = harness();
    harness.run_steps(1);
    for (name, _) in builtin::FILES {
        harness
            .state_mut()
            .apply(Command::OpenBuiltinLesson(name.into()), None);
        let steps = builtin::get(name).unwrap().steps;
        for (k, step) in steps.iter().enumerate() {
            harness.state_mut().apply(Command::LessonStep(k), None);
            for hint in 0..step.hints.len() {
                let _ = hint;
                harness.state_mut().apply(Command::LessonHint, None);
            }
            sync(&mut harness, 2);
            assert!(
                harness.query_by_label(&step.title).is_some(),
                "{name}: {}",
                step.title
            );
        }
    }
}

#[test]
fn a_dropped_lesson_file_and_the_lesson_option_open_a_lesson() {
    let mut harness = harness();
    harness.run_steps(1);
    let text = "version = 1\ntitle = \"Dropped\"\n[[step]]\ntitle = \"Spirals\"\n\
                setup = { dataset = \"spirals\" }\n";
    crate::common::ui::drop_file(&mut harness, "mine.toml", text.as_bytes().to_vec());
    sync(&mut harness, 2);
    let state = harness.state().lesson.as_ref().expect("the lesson opened");
    assert_eq!(state.lesson.title, "Dropped");
    assert_eq!(harness.state().settings.builtin, Builtin::Spirals);
    assert!(harness.query_by_label("Spirals").is_some());

    let app = App::headless(
        &AppOptions {
            fresh: true,
            lesson: Some("article".into()),
            ..AppOptions::default()
        },
        None,
    );
    let state = app.lesson.as_ref().unwrap();
    assert_eq!(state.lesson.title, "The article");
    assert!(
        app.settings.run.network.hidden.is_empty(),
        "logistic regression first"
    );
    let notice = app.session.notice.as_ref().unwrap();
    assert_eq!(notice.action, Some(("Undo".to_owned(), Command::Undo)));
}

#[test]
fn a_lesson_file_reads_its_data_file_beside_it() {
    let dir = std::env::temp_dir().join(format!("nnviz-lesson-data-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut csv = String::from("a,b,kind\n");
    for i in 0..60 {
        let (a, b) = (f64::from(i % 10), f64::from(i / 10));
        csv.push_str(&format!("{a},{b},{}\n", if a > b { "up" } else { "down" }));
    }
    std::fs::write(dir.join("flowers.csv"), csv).unwrap();
    let path = dir.join("own.toml");
    std::fs::write(
        &path,
        "version = 1\ntitle = \"Own\"\n[[step]]\ntitle = \"Mine\"\n\
         setup = { data = \"flowers.csv\", target = \"kind\", hidden = [3] }\n\
         goal = \"accuracy >= 0.9\"\nlimit = 20000\n",
    )
    .unwrap();
    let lesson = Lesson::read(&path).unwrap();
    let reports = play(&lesson).unwrap();
    assert!(reports[0].met, "{reports:?}");
    let mut app = headless();
    app.apply(Command::OpenLessonPath(path.clone()), None);
    assert!(app.lesson.is_some(), "{:?}", app.session.notice);
    let csv = app.session.csv.as_ref().expect("the lesson's file is open");
    assert_eq!(csv.table.file_name(), "flowers.csv");
    assert_eq!(app.session.dataset.class_names(), ["down", "up"]);
    // One's own data: the scaled defaults, as opening the file in the window gives them.
    assert_eq!(
        app.settings.run.training.reduction,
        Some(nnviz::nn::Reduction::Mean)
    );
    assert_eq!(app.settings.run.network.init, nnviz::nn::Init::Auto);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn undo_closes_a_lesson_just_opened_and_brings_the_work_back() {
    let mut app = headless();
    let mut settings = app.settings.clone();
    settings.builtin = Builtin::Spirals;
    settings.run.network.hidden[0].units = 9;
    app.apply_settings(settings);
    app.apply(Command::UseBuiltin, None);
    let before = app.settings.clone();
    let rows = app.session.dataset.features.rows();
    app.apply(Command::OpenBuiltinLesson("article".into()), None);
    assert!(app.lesson.is_some());
    assert_ne!(app.settings, before);
    let notice = app.session.notice.as_ref().unwrap();
    assert_eq!(
        notice.action.as_ref().map(|(label, _)| label.as_str()),
        Some("Undo")
    );
    app.apply(Command::Undo, None);
    assert!(app.lesson.is_none(), "the lesson closed");
    assert_eq!(app.settings.run, before.run);
    assert_eq!(app.settings.builtin, Builtin::Spirals);
    assert_eq!(app.session.dataset.features.rows(), rows);
}

#[test]
fn a_goal_on_compared_runs_ticks_at_the_iteration_their_curves_met_it() {
    let mut harness = harness();
    harness.run_steps(1);
    let text = "version = 1\ntitle = \"Two\"\n[[step]]\ntitle = \"Tanh beside sigmoid\"\n\
                setup = { dataset = \"moons\", hidden = [8], activation = \"sigmoid\", \
                iterations = 3000, compare = [{ activation = \"tanh\" }] }\n\
                goal = \"run2.accuracy >= 0.9\"\n";
    harness.state_mut().apply(
        Command::OpenLessonText {
            name: "two.toml".into(),
            text: text.into(),
            dir: std::env::temp_dir(),
        },
        None,
    );
    harness.state_mut().apply(Command::TogglePlay, None);
    crate::common::ui::wait_paused(&mut harness);
    sync(&mut harness, 2);
    let app = harness.state();
    let met_at = app
        .lesson
        .as_ref()
        .unwrap()
        .met_at
        .expect("the goal was met");
    // The first point of run 2's curve at 90 %, which run 1's curve also has.
    let run1 = &app.session.runs()[0].history;
    let first = app.session.runs()[1]
        .history
        .points()
        .iter()
        .find(|p| {
            p.train_accuracy.is_some_and(|a| a >= 0.9)
                && run1.points().iter().any(|q| q.iteration == p.iteration)
        })
        .unwrap();
    assert_eq!(met_at, first.iteration);
    assert!(met_at < 3000, "{met_at}");
}
