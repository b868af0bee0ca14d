//! The command line, run as a user would: options, outputs, exit statuses.

#![allow(clippy::unwrap_used)] // Tests fail loudly by design.

use crate::common;
use crate::common::nnviz;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("nnviz-cli-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// `nnviz train ARGS --save-model DIR/m.json`, which must succeed; the model's path.
fn train_and_save(dir: &Path, args: &[&str]) -> PathBuf {
    let model = dir.join("m.json");
    let mut all = vec!["train"];
    all.extend_from_slice(args);
    all.extend(["--save-model", model.to_str().unwrap()]);
    let o = nnviz(&all);
    assert!(o.status.success(), "{}", stderr(&o));
    model
}

/// `nnviz predict --model MODEL --data DATA` and `extra`.
fn predict(model: &Path, data: &Path, extra: &[&str]) -> Output {
    let mut all = vec![
        "predict",
        "--model",
        model.to_str().unwrap(),
        "--data",
        data.to_str().unwrap(),
    ];
    all.extend_from_slice(extra);
    nnviz(&all)
}

/// The last line of stdout as JSON.
fn last_json(o: &Output) -> serde_json::Value {
    let text = stdout(o);
    let line = text.lines().last().unwrap_or_default();
    serde_json::from_str(line).unwrap_or_else(|e| panic!("last line {line:?} is not JSON: {e}"))
}

#[test]
fn bad_options_give_one_line_and_status_2() {
    let cases: &[&[&str]] = &[
        &["train", "--dataset", "nope"],
        &["train", "--dataset", "circle", "--hidden", "five"],
        &["train", "--dataset", "circle", "--hidden", "1000000000000"],
        &["train", "--dataset", "circle", "--activation", "swish"],
        &["train", "--dataset", "circle", "--learning-rate", "-1"],
        &["train", "--dataset", "circle", "--batch-size", "0"],
        &["train", "--dataset", "circle", "--test-fraction", "1.5"],
        &["train", "--data", "/no/such/file.csv"],
        &["train"],
        &["train", "--dataset", "plane", "--loss", "cross-entropy"],
        &[
            "predict",
            "--model",
            "/no/such/model.json",
            "--data",
            "x.csv",
        ],
        &["train", "--no-such-option"],
    ];
    for args in cases {
        let o = nnviz(args);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stderr(&o));
        let err = stderr(&o);
        assert_eq!(
            err.trim_end().lines().count(),
            1,
            "{args:?}: not one line: {err}"
        );
        assert!(err.starts_with("nnviz: "), "{args:?}: {err}");
        assert!(!err.contains("panicked"), "{args:?}: {err}");
    }
}

#[test]
fn train_reports_json_with_the_promised_fields() {
    let o = nnviz(&[
        "train",
        "--dataset",
        "moons",
        "--iterations",
        "300",
        "--json",
        "--seed",
        "3",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let json = last_json(&o);
    for key in [
        "iterations",
        "loss",
        "train_accuracy",
        "test_accuracy",
        "seconds",
        "iterations_per_second",
    ] {
        assert!(json.get(key).is_some(), "missing {key} in {json}");
    }
    assert_eq!(json["iterations"], 300);
    assert!(json["test_accuracy"].as_f64().is_some());
    // One seed reproduces the run exactly.
    let again = last_json(&nnviz(&[
        "train",
        "--dataset",
        "moons",
        "--iterations",
        "300",
        "--json",
        "--seed",
        "3",
    ]));
    assert_eq!(json["loss"], again["loss"]);
}

#[test]
fn trace_prints_the_articles_lines() {
    let o = nnviz(&[
        "train",
        "--dataset",
        "iris",
        "--hidden",
        "5",
        "--iterations",
        "3000",
        "--trace",
        "1000",
        "--learning-rate",
        "0.0001",
        "--test-fraction",
        "0",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let lines: Vec<String> = stdout(&o)
        .lines()
        .filter(|l| l.starts_with("Iteration "))
        .map(String::from)
        .collect();
    assert_eq!(lines.len(), 3, "{lines:?}");
    let fields: Vec<&str> = lines[0].split('\t').collect();
    assert_eq!(fields[0], "Iteration 1000");
    assert!(
        fields[1]
            .strip_prefix("Loss ")
            .unwrap()
            .parse::<f64>()
            .is_ok()
    );
    assert!(
        fields[2]
            .strip_prefix("Accuracy ")
            .unwrap()
            .parse::<f64>()
            .is_ok()
    );
}

#[test]
fn zero_iterations_checks_a_file_without_training() {
    let dir = temp_dir("zero");
    let csv = dir.join("d.csv");
    std::fs::write(&csv, "a;b;label\n1;2;x\n2;1;y\n3;3;x\n;4;y\n0;1;y\n").unwrap();
    let o = nnviz(&[
        "train",
        "--data",
        csv.to_str().unwrap(),
        "--iterations",
        "0",
        "--json",
        "--test-fraction",
        "0",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(last_json(&o)["iterations"], 0);
    let o = nnviz(&[
        "train",
        "--data",
        csv.to_str().unwrap(),
        "--iterations",
        "0",
        "--test-fraction",
        "0",
    ]);
    assert!(
        stdout(&o).contains("1 row with missing values dropped"),
        "{}",
        stdout(&o)
    );
}

#[test]
fn a_saved_model_predicts_new_rows() {
    let dir = temp_dir("predict");
    let model = train_and_save(&dir, &["--dataset", "gauss", "--iterations", "500"]);
    let saved: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&model).unwrap()).unwrap();
    assert!(saved["layers"][0]["weights"].is_array());
    let new = dir.join("new.csv");
    std::fs::write(&new, "x1,x2\n-2,-2\n2,2\n").unwrap();
    let o = predict(&model, &new, &["--probabilities"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    let rows: Vec<&str> = out.lines().collect();
    assert_eq!(rows.len(), 3, "{out}");
    assert!(rows[0].starts_with("row,"), "{out}");
    let p: Vec<f64> = rows[1]
        .split(',')
        .skip(2)
        .map(|v| v.parse().unwrap())
        .collect();
    assert!((p.iter().sum::<f64>() - 1.0).abs() < 1e-9, "{out}");
    assert_ne!(
        rows[1].split(',').nth(1),
        rows[2].split(',').nth(1),
        "opposite corners, different classes: {out}"
    );
}

#[test]
fn a_diverging_run_stops_and_says_so() {
    let o = nnviz(&[
        "train",
        "--dataset",
        "hotdogs",
        "--hidden",
        "30",
        "--activation",
        "linear",
        "--learning-rate",
        "10",
        "--iterations",
        "1000",
    ]);
    assert_eq!(o.status.code(), Some(1), "{}{}", stdout(&o), stderr(&o));
    assert!(
        stderr(&o).contains("diverged at iteration"),
        "{}",
        stderr(&o)
    );
}

fn write_weights_json(dir: &Path, reference: &Path, hidden: usize) -> PathBuf {
    let layers: Vec<Vec<Vec<f64>>> = ["w1", "w2"]
        .iter()
        .map(|w| {
            common::matrix(
                reference,
                &format!("init_weights/hotdogs_h{hidden}_{w}.csv"),
            )
            .to_rows()
        })
        .collect();
    let path = dir.join(format!("h{hidden}.json"));
    std::fs::write(&path, serde_json::to_string(&layers).unwrap()).unwrap();
    path
}

/// The article's hidden-5 run through the command line, from its initial weights.
#[test]
#[cfg_attr(
    not(nnviz_reference),
    ignore = "needs the article's R results: NNVIZ_REFERENCE=../shared/reference cargo test"
)]
fn the_articles_hidden_5_run_through_the_command_line() {
    let reference = common::reference_dir();
    let dir = temp_dir("article");
    let weights = write_weights_json(&dir, &reference, 5);
    let data = reference.join("hotdogs.csv");
    let o = nnviz(&[
        "train",
        "--data",
        data.to_str().unwrap(),
        "--target",
        "class",
        "--classes",
        "not hot dog,hot dog",
        "--hidden",
        "5",
        "--init-weights",
        weights.to_str().unwrap(),
        "--no-standardize",
        "--test-fraction",
        "0",
        "--iterations",
        "100000",
        // A CSV file gets the scaled defaults: the article's are asked for.
        "--reduction",
        "sum",
        "--learning-rate",
        "0.01",
        "--json",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let json = last_json(&o);
    assert_eq!(json["train_accuracy"], 0.76);
    let loss = json["loss"].as_f64().unwrap();
    assert!((loss - 95.476_281_068_939_78).abs() / loss < 1e-6, "{loss}");
}

#[test]
fn built_in_data_sets_train_to_the_promised_accuracy() {
    for (dataset, extra) in [
        ("circle", &[][..]),
        ("xor", &[]),
        ("gauss", &[]),
        ("moons", &[]),
        ("iris", &["--standardize"]),
    ] {
        let mut args = vec!["train", "--dataset", dataset, "--json"];
        args.extend_from_slice(extra);
        let o = nnviz(&args);
        assert!(o.status.success(), "{dataset}: {}", stderr(&o));
        let accuracy = last_json(&o)["test_accuracy"].as_f64().unwrap();
        assert!(accuracy >= 0.95, "{dataset}: test accuracy {accuracy}");
    }
    for dataset in ["plane", "bumps"] {
        let o = nnviz(&["train", "--dataset", dataset, "--json"]);
        assert!(o.status.success(), "{dataset}: {}", stderr(&o));
        let json = last_json(&o);
        assert!(
            json["test_loss"].as_f64().unwrap() < 0.05,
            "{dataset}: {json}"
        );
        assert!(json["train_accuracy"].is_null());
    }
}

/// Each bad option gives one line that names the problem: `(arguments, words it must contain)`.
#[test]
fn bad_options_are_named_in_the_message() {
    let cases: &[(&[&str], &[&str])] = &[
        (
            &["predict", "--model", "m.json"],
            &["required", "--data <NEW.csv>"],
        ),
        (
            &["train", "--dataset", "circle", "--learning-rate", "-1"],
            &["learning rate -1", "positive"],
        ),
        (
            &["train", "--dataset", "circle", "--hidden", "-1"],
            &["--hidden", "\"-1\""],
        ),
        (
            &["train", "--dataset", "circle", "--l1", "-1"],
            &["l1", "-1"],
        ),
        (
            &["train", "--dataset", "circle", "--points", "1000000000000"],
            &["1000000000000 points", "100000"],
        ),
        (
            &[
                "train",
                "--dataset",
                "circle",
                "--points",
                "18446744073709551615",
            ],
            &["18446744073709551615 points"],
        ),
        (
            &["train", "--dataset", "circle", "--noise", "nan"],
            &["noise NaN"],
        ),
        (
            &["train", "--dataset", "spirals", "--arms", "1000"],
            &["1000 arms"],
        ),
        (
            &["train", "--dataset", "circle", "--tolerance", "nan"],
            &["tolerance NaN"],
        ),
        (
            &[
                "train",
                "--dataset",
                "iris",
                "--schedule",
                "step",
                "--decay",
                "10",
            ],
            &["--decay 10", "0 to 1"],
        ),
    ];
    for (args, words) in cases {
        let o = nnviz(args);
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {err}");
        assert_eq!(err.trim_end().lines().count(), 1, "{args:?}: {err}");
        for word in *words {
            assert!(err.contains(word), "{args:?}: {err:?} should name {word:?}");
        }
    }
}

#[test]
fn initial_weights_larger_than_a_layer_are_refused_as_read() {
    let dir = temp_dir("weights");
    let weights = dir.join("w.json");
    // A first layer "of a million units": refused at its 1001st value.
    std::fs::write(
        &weights,
        format!("[[[{}]]]", vec!["0"; 1_000_000].join(",")),
    )
    .unwrap();
    let o = nnviz(&[
        "train",
        "--dataset",
        "hotdogs",
        "--init-weights",
        weights.to_str().unwrap(),
    ]);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
    assert!(
        err.contains("w.json") && err.contains("more than 1000 values"),
        "{err}"
    );
}

#[test]
fn feature_and_class_lists_are_trimmed() {
    let dir = temp_dir("trim");
    let csv = dir.join("trim.csv");
    let mut text = String::from("x1,x2,kind\n");
    for i in 0..40 {
        let kind = if i % 2 == 0 { "no dog" } else { "hot dog" };
        text.push_str(&format!("{},{},{kind}\n", i % 7, i % 5));
    }
    std::fs::write(&csv, text).unwrap();
    let o = nnviz(&[
        "train",
        "--data",
        csv.to_str().unwrap(),
        "--target",
        " kind",
        "--features",
        "x1, x2",
        "--classes",
        "no dog, hot dog",
        "--iterations",
        "0",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stdout(&o).contains("classes: no dog, hot dog"),
        "{}",
        stdout(&o)
    );
}

#[test]
fn learning_rate_10_on_the_unscaled_hot_dogs_stops_at_once() {
    let o = nnviz(&[
        "train",
        "--dataset",
        "hotdogs",
        "--no-standardize",
        "--learning-rate",
        "10",
    ]);
    let (out, err) = (stdout(&o), stderr(&o));
    assert_eq!(o.status.code(), Some(1), "{out}{err}");
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
    assert!(err.contains("diverged at iteration 2"), "{err}");
    assert!(err.contains("over 100 times its reference"), "{err}");
    assert!(out.contains("after 0 iterations"), "{out}");
    assert!(!out.contains("NaN") && !out.contains("inf"), "{out}");
}

#[test]
fn huge_unscaled_features_stop_with_a_finite_summary() {
    let dir = temp_dir("huge");
    for scale in ["1e6", "1e200"] {
        let csv = dir.join(format!("huge{scale}.csv"));
        let mut text = String::from("x1,x2,y\n");
        for i in 0..60 {
            let class = if i % 3 == 0 { "a" } else { "b" };
            text.push_str(&format!(
                "{}{scale},{}{scale},{class}\n",
                i % 7,
                (i * 3) % 11
            ));
        }
        std::fs::write(&csv, text).unwrap();
        for extra in [&["--json"][..], &[]] {
            let mut args = vec![
                "train",
                "--data",
                csv.to_str().unwrap(),
                "--no-standardize",
                "--hidden",
                "0",
            ];
            args.extend_from_slice(extra);
            let o = nnviz(&args);
            let (out, err) = (stdout(&o), stderr(&o));
            assert_eq!(o.status.code(), Some(1), "{scale}: {out}{err}");
            assert!(err.contains("diverged at iteration"), "{scale}: {err}");
            // The summary reports the weights kept: numbers, never NaN.
            if extra.is_empty() {
                let summary = out.lines().find(|l| l.starts_with("after")).unwrap();
                assert!(!summary.contains("NaN"), "{scale}: {out}");
            } else {
                let json = last_json(&o);
                assert!(json["loss"].as_f64().unwrap().is_finite(), "{json}");
            }
        }
    }
}

/// Runs nnviz, reads one byte of its output, closes the pipe while it still has much more to
/// write, and returns how it ended.
fn run_into_a_closed_pipe(args: &[&str]) -> Output {
    use std::io::Read as _;
    use std::process::Stdio;
    let mut child = Command::new(env!("CARGO_BIN_EXE_nnviz"))
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = child.stdout.take().unwrap();
    let mut byte = [0_u8; 1];
    stdout.read_exact(&mut byte).unwrap();
    drop(stdout);
    child.wait_with_output().unwrap()
}

#[test]
fn a_closed_pipe_ends_the_output_quietly() {
    let dir = temp_dir("pipe");
    let model = dir.join("m.json");
    // 20 000 trace lines, far more than a pipe holds.
    let o = run_into_a_closed_pipe(&[
        "train",
        "--dataset",
        "hotdogs",
        "--iterations",
        "20000",
        "--trace",
        "1",
        "--save-model",
        model.to_str().unwrap(),
    ]);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(0), "{err}");
    assert!(err.is_empty(), "{err}");
    // The work was done all the same.
    assert!(model.exists());

    let csv = dir.join("many.csv");
    let mut text = String::from("x1,x2\n");
    for i in 0..50_000 {
        text.push_str(&format!("{},{}\n", i % 13, i % 7));
    }
    std::fs::write(&csv, text).unwrap();
    let o = run_into_a_closed_pipe(&[
        "predict",
        "--model",
        model.to_str().unwrap(),
        "--data",
        csv.to_str().unwrap(),
        "--probabilities",
    ]);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(0), "{err}");
    assert!(err.is_empty(), "{err}");
}

#[test]
fn predict_refuses_a_text_value_the_model_never_saw() {
    let dir = temp_dir("levels");
    let train = dir.join("train.csv");
    let mut text = String::from("size,colour,kind\n");
    for i in 0..60 {
        let colour = ["red", "green", "blue"][i % 3];
        let kind = if i % 2 == 0 { "a" } else { "b" };
        text.push_str(&format!("{},{colour},{kind}\n", i % 7));
    }
    std::fs::write(&train, text).unwrap();
    let model = train_and_save(
        &dir,
        &["--data", train.to_str().unwrap(), "--iterations", "10"],
    );
    // Red is the reference level (all zeros): known, though no feature column names it.
    let new = dir.join("new.csv");
    std::fs::write(&new, "size,colour\n1,red\n2,blue\n3,purple\n").unwrap();
    let o = predict(&model, &new, &[]);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{err}{}", stdout(&o));
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
    for word in [
        "new.csv",
        "data row 3",
        "\"colour\"",
        "\"purple\"",
        "red, green, blue",
    ] {
        assert!(err.contains(word), "{err:?} should name {word:?}");
    }
    std::fs::write(&new, "size,colour\n1,red\n2,blue\n").unwrap();
    let o = predict(&model, &new, &[]);
    assert!(o.status.success(), "{}", stderr(&o));
}

#[test]
fn values_near_the_largest_float_standardise_into_a_model_that_predicts() {
    let dir = temp_dir("max");
    let data = dir.join("max.csv");
    let mut text = String::from("x1,x2,y\n");
    for i in 0..20 {
        let x1 = if i % 3 == 0 { "-1e308" } else { "1.7e308" };
        text.push_str(&format!("{x1},{i},{}\n", ["a", "b"][i % 2]));
    }
    std::fs::write(&data, text).unwrap();
    let model = train_and_save(
        &dir,
        &["--data", data.to_str().unwrap(), "--iterations", "0"],
    );
    let saved: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&model).unwrap()).unwrap();
    for key in ["mean", "sd"] {
        assert!(
            saved["scaling"][key]
                .as_array()
                .unwrap()
                .iter()
                .all(|v| v.as_f64().is_some_and(f64::is_finite)),
            "{}",
            saved["scaling"]
        );
    }
    let o = predict(&model, &data, &["--probabilities"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(!stdout(&o).contains("NaN"), "{}", stdout(&o));
}

#[test]
fn tiny_probabilities_print_in_scientific_notation() {
    let dir = temp_dir("tiny");
    let model = dir.join("m.json");
    // One sigmoid unit with a bias of -200: p ≈ 1.4e-87 for every row.
    std::fs::write(
        &model,
        r#"{"format":"nnviz-model","version":1,"features":["x"],"target":"y","classes":["no","yes"],
            "layers":[{"activation":"sigmoid","weights":[[-200],[0]]}]}"#,
    )
    .unwrap();
    let new = dir.join("new.csv");
    std::fs::write(&new, "x\n1\n").unwrap();
    let o = predict(&model, &new, &["--probabilities"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    let row = out.lines().nth(1).unwrap();
    let p = row.split(',').nth(3).unwrap();
    assert!(p.contains("e-87"), "{row}");
    assert!(p.len() < 30, "{row}");
    assert!((p.parse::<f64>().unwrap() / 1.383_896_526_736_737_5e-87 - 1.0).abs() < 1e-12);
}

/// `nnviz explain --model MODEL --data DATA --row ROW` and `extra`.
fn explain(model: &Path, data: &Path, row: &str, extra: &[&str]) -> Output {
    let mut all = vec![
        "explain",
        "--model",
        model.to_str().unwrap(),
        "--data",
        data.to_str().unwrap(),
        "--row",
        row,
    ];
    all.extend_from_slice(extra);
    nnviz(&all)
}

#[test]
fn explain_gives_one_rows_forward_and_backward_pass_as_predict_sees_it() {
    let dir = temp_dir("explain");
    let iris = Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/iris.csv");
    let model = train_and_save(
        &dir,
        &[
            "--data",
            iris.to_str().unwrap(),
            "--target",
            "Species",
            "--hidden",
            "4,3",
            "--activation",
            "tanh",
            "--iterations",
            "300",
        ],
    );
    let o = explain(&model, &iris, "51", &["--json"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let e = last_json(&o);
    let numbers = |v: &serde_json::Value| -> Vec<f64> {
        v.as_array()
            .unwrap()
            .iter()
            .map(|x| x.as_f64().unwrap())
            .collect()
    };
    // Row 51 (the first versicolor): predict's probabilities for the same row.
    let p = predict(&model, &iris, &["--probabilities"]);
    let line = stdout(&p).lines().nth(51).unwrap().to_owned();
    let predicted: Vec<f64> = line
        .split(',')
        .skip(2)
        .map(|v| v.parse().unwrap())
        .collect();
    let output = numbers(&e["output"]);
    for (a, b) in output.iter().zip(&predicted) {
        assert!((a - b).abs() < 1e-12, "{output:?} vs predict's {line}");
    }
    assert_eq!(e["target"], serde_json::json!([0.0, 1.0, 0.0]));
    let loss = e["loss"].as_f64().unwrap();
    assert!(
        (loss + output[1].ln()).abs() < 1e-9,
        "loss {loss} = −ln ŷ_versicolor"
    );
    let layers = e["layers"].as_array().unwrap();
    assert_eq!(layers.len(), 3);
    let saved: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&model).unwrap()).unwrap();
    for (l, layer) in layers.iter().enumerate() {
        let weights = saved["layers"][l]["weights"].as_array().unwrap();
        let gradient = layer["gradient"].as_array().unwrap();
        assert_eq!(
            gradient.len(),
            weights.len(),
            "layer {l}: the weights' rows"
        );
        assert_eq!(
            gradient[0], layer["delta"],
            "layer {l}: the bias row is the delta"
        );
        let units = weights[0].as_array().unwrap().len();
        for key in ["z", "a", "delta"] {
            assert_eq!(numbers(&layer[key]).len(), units, "layer {l} {key}");
        }
    }
    // The output delta of cross-entropy on a softmax is ŷ − y.
    let delta = numbers(&layers[2]["delta"]);
    assert!((delta[1] - (output[1] - 1.0)).abs() < 1e-15);

    // Plain text in the article's notation.
    let o = explain(&model, &iris, "51", &[]);
    let text = stdout(&o);
    for part in [
        "z1 = [1 x] W1",
        "h1 = tanh(z1)",
        "ŷ = softmax(z3)",
        "δ3 = ŷ − y",
        "1 − a²",
        "∂loss/∂W1 = [1 x]ᵀ δ1",
        "Petal.Width",
    ] {
        assert!(text.contains(part), "{part:?} missing from:\n{text}");
    }

    // Without the target column: the forward pass, and why there is no backward one.
    let features_only = dir.join("features.csv");
    std::fs::write(
        &features_only,
        "Sepal.Length,Sepal.Width,Petal.Length,Petal.Width\n5.1,3.5,1.4,0.2\n",
    )
    .unwrap();
    let o = explain(&model, &features_only, "1", &["--json"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let e = last_json(&o);
    assert!(e["loss"].is_null() && e["layers"][0]["delta"].is_null());
    assert!(e["note"].as_str().unwrap().contains("Species"), "{e}");

    // Rows count from 1 and the message says so.
    for row in ["0", "151"] {
        let o = explain(&model, &iris, row, &[]);
        assert_eq!(o.status.code(), Some(2));
        assert!(
            stderr(&o).contains("150 data rows, counted from 1"),
            "{}",
            stderr(&o)
        );
    }
    // A class the model never saw is named.
    let odd = dir.join("odd.csv");
    std::fs::write(
        &odd,
        "Sepal.Length,Sepal.Width,Petal.Length,Petal.Width,Species\n5.1,3.5,1.4,0.2,rose\n",
    )
    .unwrap();
    let o = explain(&model, &odd, "1", &[]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("\"rose\" is not one of the model's classes"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn animate_writes_a_gif_of_log_spaced_labelled_frames() {
    let dir = temp_dir("animate");
    let out = dir.join("xor.gif");
    let report = crate::common::nnviz_ok(&[
        "animate",
        "--dataset",
        "xor",
        "--hidden",
        "4",
        "--activation",
        "tanh",
        "--iterations",
        "200",
        "--frames",
        "6",
        "--size",
        "40",
        "--out",
        out.to_str().unwrap(),
    ]);
    let expected = nnviz::cli::animate::frame_iterations(6, 200);
    assert!(
        report.contains(&format!("{} frames (iterations 0 to 200)", expected.len())),
        "{report}"
    );
    let mut options = gif::DecodeOptions::new();
    options.set_color_output(gif::ColorOutput::RGBA);
    let mut decoder = options
        .read_info(std::fs::File::open(&out).unwrap())
        .unwrap();
    assert_eq!((decoder.width(), decoder.height()), (40, 40));
    let mut frames = 0;
    while let Some(frame) = decoder.read_next_frame().unwrap() {
        if frames == 0 {
            assert_eq!(
                (frame.left, frame.top, frame.width, frame.height),
                (0, 0, 40, 40)
            );
        }
        assert!(u32::from(frame.left) + u32::from(frame.width) <= 40);
        frames += 1;
    }
    assert_eq!(frames, expected.len());
    // Bad sizes are refused with the option named.
    let o = nnviz(&["animate", "--size", "5", "--out", out.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("--size 5"), "{}", stderr(&o));
}

#[test]
fn animate_compares_presets_side_by_side() {
    let dir = temp_dir("animate-compare");
    let out = dir.join("cmp.gif");
    let report = crate::common::nnviz_ok(&[
        "animate",
        "--compare",
        "hidden-1,hidden-5",
        "--iterations",
        "30",
        "--frames",
        "3",
        "--size",
        "24",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(report.contains("48 × 24 pixels"), "{report}");
}

#[test]
fn seeds_run_each_seed_exactly_as_alone_and_summarise_them() {
    let base = [
        "train",
        "--dataset",
        "moons",
        "--hidden",
        "4",
        "--iterations",
        "300",
        "--data-seed",
        "7",
        "--json",
    ];
    let last_line = |out: String| -> serde_json::Value {
        serde_json::from_str(out.lines().last().unwrap()).unwrap()
    };
    let mut args = base.to_vec();
    args.extend(["--seeds", "1-3,9"]);
    let all = last_line(crate::common::nnviz_ok(&args));
    let runs = all["runs"].as_array().unwrap();
    assert_eq!(
        runs.iter()
            .map(|r| r["seed"].as_u64().unwrap())
            .collect::<Vec<_>>(),
        [1, 2, 3, 9]
    );
    for r in runs {
        let seed = r["seed"].to_string();
        let mut one = base.to_vec();
        one.extend(["--seed", &seed]);
        let alone = last_line(crate::common::nnviz_ok(&one));
        for key in [
            "loss",
            "train_accuracy",
            "test_accuracy",
            "test_loss",
            "iterations",
        ] {
            assert_eq!(r[key], alone[key], "seed {seed}: {key}");
        }
    }
    let accuracies: Vec<f64> = runs
        .iter()
        .map(|r| r["test_accuracy"].as_f64().unwrap())
        .collect();
    let mean = accuracies.iter().sum::<f64>() / 4.0;
    let s = &all["summary"]["test_accuracy"];
    assert!((s["mean"].as_f64().unwrap() - mean).abs() < 1e-12);
    let min = accuracies.iter().copied().fold(f64::INFINITY, f64::min);
    assert_eq!(s["min"].as_f64().unwrap(), min);
    assert!(s["sd"].as_f64().unwrap() >= 0.0);
    // The plain report: a row per seed and the summary.
    let mut plain = base[..base.len() - 1].to_vec();
    plain.extend(["--seeds", "1,2"]);
    let text = crate::common::nnviz_ok(&plain);
    assert!(text.contains("test accuracy: mean "), "{text}");
    assert_eq!(
        text.lines()
            .filter(|l| l.starts_with("1\t") || l.starts_with("2\t"))
            .count(),
        2
    );
    // Bad lists name the part.
    let o = nnviz(&["train", "--dataset", "moons", "--seeds", "5-2"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("\"5-2\" runs backwards"),
        "{}",
        stderr(&o)
    );
}

/// The article's defaults, asked for.
const ARTICLE_DEFAULTS: [&str; 6] = [
    "--init",
    "normal",
    "--reduction",
    "sum",
    "--learning-rate",
    "0.01",
];

#[test]
fn a_wide_relu_network_starts_from_weights_scaled_to_its_layers_unless_told() {
    let wide = [
        "train",
        "--dataset",
        "gauss",
        "--hidden",
        "100",
        "--activation",
        "relu",
        "--iterations",
        "300",
        "--json",
    ];
    // The defaults (He for the ReLU layer, Xavier for the output, the mean loss) train it.
    let json: serde_json::Value =
        serde_json::from_str(crate::common::nnviz_ok(&wide).lines().last().unwrap()).unwrap();
    assert!(json["stopped"].is_null(), "{json}");
    assert!(json["train_accuracy"].as_f64().unwrap() > 0.9, "{json}");
    // The user's choice wins: the article's N(0, 1), summed loss and rate diverge at once here.
    let mut normal = wide.to_vec();
    normal.extend(ARTICLE_DEFAULTS);
    let o = nnviz(&normal);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    // The hot dogs keep the article's N(0, 1), summed loss and rate by default.
    let hotdogs = [
        "train",
        "--dataset",
        "hotdogs",
        "--iterations",
        "50",
        "--json",
    ];
    let mut explicit = hotdogs.to_vec();
    explicit.extend(ARTICLE_DEFAULTS);
    let last = |out: String| out.lines().last().unwrap().to_owned();
    let strip = |s: String| {
        let mut v: serde_json::Value = serde_json::from_str(&s).unwrap();
        v["seconds"] = 0.into();
        v["iterations_per_second"] = 0.into();
        v
    };
    assert_eq!(
        strip(last(crate::common::nnviz_ok(&hotdogs))),
        strip(last(crate::common::nnviz_ok(&explicit)))
    );
}
