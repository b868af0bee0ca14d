//! `nnviz export-code`: the Python (numpy) and R scripts train as nnviz does and print the loss
//! `nnviz train --json` reports, to 1e-6 relative, over the layers, units, heads, losses,
//! reductions, penalties, optimisers and schedules they cover.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::common::{nnviz, nnviz_ok};

/// Setups as `nnviz train` options, together covering every part a script spells out.
const SETUPS: &[&[&str]] = &[
    // The article's hidden 5 on the hot dogs: sigmoid, summed cross-entropy, GD.
    &["--dataset", "hotdogs", "--iterations", "1500"],
    // Softmax, two tanh layers, Adam on the mean loss, L2.
    &[
        "--dataset",
        "iris",
        "--hidden",
        "8,8",
        "--activation",
        "tanh",
        "--optimizer",
        "adam",
        "--learning-rate",
        "0.01",
        "--l2",
        "0.01",
        "--iterations",
        "400",
    ],
    // ReLU then leaky ReLU, momentum, L1, a step schedule.
    &[
        "--dataset",
        "moons",
        "--hidden",
        "6,4",
        "--activation",
        "relu,leaky-relu",
        "--optimizer",
        "momentum",
        "--learning-rate",
        "0.05",
        "--l1",
        "0.001",
        "--schedule",
        "step",
        "--decay-every",
        "100",
        "--iterations",
        "350",
    ],
    // Regression: identity head, squared error, mean; an exponential schedule.
    &[
        "--dataset",
        "bumps",
        "--hidden",
        "7",
        "--activation",
        "tanh",
        "--schedule",
        "exponential",
        "--decay",
        "0.001",
        "--iterations",
        "400",
    ],
    // A sigmoid head on squared error, linear units, an inverse-time schedule, the sum.
    &[
        "--dataset",
        "circle",
        "--hidden",
        "4",
        "--activation",
        "linear",
        "--loss",
        "squared-error",
        "--reduction",
        "sum",
        "--learning-rate",
        "0.01",
        "--schedule",
        "inverse-time",
        "--iterations",
        "300",
    ],
    // Softmax on squared error (its Jacobian), three classes, He weights.
    &[
        "--dataset",
        "spirals",
        "--arms",
        "3",
        "--output",
        "softmax",
        "--loss",
        "squared-error",
        "--init",
        "he",
        "--activation",
        "relu",
        "--hidden",
        "10",
        "--iterations",
        "300",
    ],
    // Logistic regression, no iterations: the loss at the start.
    &["--dataset", "gauss", "--hidden", "0", "--iterations", "0"],
    // A stop at the tolerance.
    &[
        "--dataset",
        "gauss",
        "--tolerance",
        "0.05",
        "--iterations",
        "5000",
    ],
];

fn dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("nnviz-export-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn reported_loss(setup: &[&str]) -> (f64, u64) {
    let mut args = vec!["train"];
    args.extend(setup);
    args.push("--json");
    let out = nnviz_ok(&args);
    let json: serde_json::Value = serde_json::from_str(out.lines().last().unwrap()).unwrap();
    (
        json["loss"].as_f64().unwrap(),
        json["iterations"].as_u64().unwrap(),
    )
}

/// Runs `program script` and reads its last line, `loss L`.
fn script_loss(program: &str, script: &Path) -> f64 {
    let out = Command::new(program)
        .arg(script)
        .output()
        .unwrap_or_else(|e| {
            panic!("{program} is needed to run the exported scripts (scripts/install-deps.sh installs it): {e}")
        });
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{program} {}: {}",
        script.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    let last = stdout.lines().last().unwrap_or_default();
    let value = last
        .strip_prefix("loss ")
        .unwrap_or_else(|| panic!("the last line is not `loss L`: {last:?}"));
    value.trim().parse().unwrap()
}

fn exports_match(language: &str, program: &str) {
    let dir = dir(language);
    for (k, setup) in SETUPS.iter().enumerate() {
        let (expected, iterations) = reported_loss(setup);
        let mut args = vec!["export-code", "--language", language];
        args.extend(*setup);
        let text = nnviz_ok(&args);
        let script = dir.join(format!("setup{k}.{language}"));
        std::fs::write(&script, text).unwrap();
        let got = script_loss(program, &script);
        let relative = (got - expected).abs() / expected.abs().max(1e-300);
        assert!(
            relative < 1e-6,
            "{language} {setup:?} ({iterations} iterations): the script's loss {got} vs nnviz's {expected}"
        );
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn the_python_script_trains_as_nnviz_does() {
    exports_match("python", "python3");
}

#[test]
fn the_r_script_trains_as_nnviz_does() {
    exports_match("r", "Rscript");
}

#[test]
fn many_rows_go_to_a_csv_beside_the_script() {
    let dir = dir("rows");
    let setup = [
        "--dataset",
        "gauss",
        "--points",
        "13000",
        "--iterations",
        "20",
    ];
    let (expected, _) = reported_loss(&setup);
    // On standard output there is nowhere to put them.
    let mut args = vec!["export-code", "--language", "python"];
    args.extend(setup);
    let o = nnviz(&args);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("--out"));
    for (language, program) in [("python", "python3"), ("r", "Rscript")] {
        let script = dir.join(format!("big.{language}"));
        let mut args = vec!["export-code", "--language", language, "--out"];
        args.push(script.to_str().unwrap());
        args.extend(setup);
        nnviz_ok(&args);
        let rows = std::fs::read_to_string(dir.join("big.rows.csv")).unwrap();
        assert_eq!(
            rows.lines().count(),
            1 + 10_400,
            "a header and the training rows"
        );
        let text = std::fs::read_to_string(&script).unwrap();
        assert!(text.len() < 20_000, "the rows are not embedded");
        let got = script_loss(program, &script);
        assert!(
            (got - expected).abs() / expected < 1e-6,
            "{language}: {got} vs {expected}"
        );
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn what_a_script_cannot_do_is_refused_with_a_reason() {
    for (args, expected) in [
        (
            &["--dataset", "moons", "--batch-size", "16"][..],
            "--batch-size full",
        ),
        (&["--dataset", "moons", "--seeds", "1-3"][..], "--seeds"),
        (&["--dataset", "moons", "--trace", "10"][..], "--trace"),
    ] {
        let mut all = vec!["export-code", "--language", "python"];
        all.extend(args);
        let o = nnviz(&all);
        assert_eq!(o.status.code(), Some(2), "{args:?}");
        let stderr = String::from_utf8_lossy(&o.stderr);
        assert!(stderr.contains(expected), "{args:?}: {stderr}");
    }
}

#[cfg(feature = "gui")]
#[test]
fn the_window_saves_the_selected_run_as_code_for_the_iterations_it_trained() {
    use nnviz::app::commands::ExportKind;
    use nnviz::app::{App, AppOptions};
    let mut app = App::headless(
        &AppOptions {
            fresh: true,
            ..AppOptions::default()
        },
        None,
    );
    crate::common::step(&mut app.session, 300);
    assert_eq!(app.session.main().iteration, 300);
    // The loss the window drew at iteration 300: the 300th pass, as `nnviz train` reports.
    let history = &app.session.main().history;
    let expected = history
        .points()
        .iter()
        .find(|p| p.iteration == 300)
        .expect("iteration 300 in the history")
        .train_loss;
    let dir = dir("app");
    for (kind, program, file) in [
        (ExportKind::PythonScript, "python3", "run.py"),
        (ExportKind::RScript, "Rscript", "run.R"),
    ] {
        let script = dir.join(file);
        std::fs::write(&script, app.export_bytes(kind).unwrap()).unwrap();
        let got = script_loss(program, &script);
        assert!(
            (got - expected).abs() / expected < 1e-6,
            "{program}: {got} vs {expected}"
        );
    }
    std::fs::remove_dir_all(&dir).unwrap();
}
