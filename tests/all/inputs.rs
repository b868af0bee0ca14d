//! Engineered inputs (`--inputs`, the window's toggles): terms over the features that the
//! network takes instead of the features, kept in the model file.

use crate::common::{nnviz, nnviz_ok};

fn accuracy(json_line: &str) -> f64 {
    let v: serde_json::Value = serde_json::from_str(json_line.lines().last().unwrap()).unwrap();
    v["train_accuracy"].as_f64().unwrap()
}

#[test]
fn with_squares_a_network_without_hidden_layers_separates_the_circle() {
    let base = [
        "train",
        "--dataset",
        "circle",
        "--hidden",
        "0",
        "--iterations",
        "5000",
        "--json",
    ];
    let plain = accuracy(&nnviz_ok(&base));
    let dir = tempfile_dir();
    let model = dir.join("circle.json");
    let mut args = base.to_vec();
    let model_arg = model.to_string_lossy().into_owned();
    args.extend(["--inputs", "x1,x2,x1^2,x2^2", "--save-model", &model_arg]);
    let squares = accuracy(&nnviz_ok(&args));
    assert!(
        plain < 0.7,
        "a straight line cannot separate a ring: {plain}"
    );
    assert!(squares > 0.95, "x1² + x2² can: {squares}");
    // The model keeps the terms: predict takes raw rows.
    let text = std::fs::read_to_string(&model).unwrap();
    assert!(text.contains("x1^2"), "{text}");
    let rows = dir.join("points.csv");
    std::fs::write(&rows, "x1,x2\n0,0\n4,0\n0,-4\n0.5,1\n").unwrap();
    let out = nnviz_ok(&[
        "predict",
        "--model",
        &model_arg,
        "--data",
        &rows.to_string_lossy(),
    ]);
    let predicted: Vec<&str> = out
        .lines()
        .skip(1)
        .map(|l| l.split(',').nth(1).unwrap())
        .collect();
    assert_eq!(predicted, ["inner", "outer", "outer", "inner"], "{out}");
}

#[test]
fn a_bad_term_is_refused_with_its_place_and_the_features() {
    let out = nnviz(&[
        "train",
        "--dataset",
        "circle",
        "--inputs",
        "x1,x3",
        "--iterations",
        "1",
    ]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("input term 2 \"x3\""), "{err}");
    assert!(err.contains("x1, x2"), "{err}");
}

fn tempfile_dir() -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("nnviz-inputs-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}
