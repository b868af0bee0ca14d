//! Fuzzing the two parsers a user's files reach, driven by proptest so that it runs in CI.
//!
//! CI runs a short bounded pass; for a long run set `PROPTEST_CASES` (e.g. 2000000). When a case
//! fails, proptest writes its seed to `tests/fuzz.proptest-regressions` (created then, next to
//! this file) and replays it first on every later run; commit that file when it appears. None
//! has appeared so far, so there is none in the repository.

#![allow(clippy::unwrap_used)] // Tests fail loudly by design.

use nnviz::data::{ColumnRoles, Task, read_csv_bytes};
use nnviz::model::SavedModel;
use proptest::prelude::*;

/// Bytes that look like CSV often enough to reach the deep paths: fields from a small alphabet of
/// numbers, words, quotes, delimiters and line ends, plus raw bytes.
fn csvish() -> impl Strategy<Value = Vec<u8>> {
    let token = prop_oneof![
        Just(b",".to_vec()),
        Just(b";".to_vec()),
        Just(b"\t".to_vec()),
        Just(b"\n".to_vec()),
        Just(b"\r\n".to_vec()),
        Just(b"\"".to_vec()),
        Just(b"NA".to_vec()),
        Just(b"NaN".to_vec()),
        Just(b"inf".to_vec()),
        Just(b"-1e308".to_vec()),
        Just(b"\xEF\xBB\xBF".to_vec()),
        "[a-z]{1,3}".prop_map(String::into_bytes),
        "-?[0-9]{1,4}(\\.[0-9]{1,3})?".prop_map(String::into_bytes),
        any::<u8>().prop_map(|b| vec![b]),
    ];
    prop::collection::vec(token, 0..120).prop_map(|t| t.concat())
}

proptest! {
    #[test]
    fn the_csv_reader_never_panics(bytes in csvish(), task in 0usize..3) {
        let roles = ColumnRoles {
            task: [Task::Auto, Task::Classification, Task::Regression][task],
            ..ColumnRoles::default()
        };
        match read_csv_bytes("fuzz.csv", &bytes, &roles) {
            Ok(data) => {
                prop_assert_eq!(data.features.rows(), data.target.len());
                prop_assert!(data.features.as_slice().iter().all(|v| v.is_finite()));
            }
            Err(e) => prop_assert!(e.to_string().starts_with("fuzz.csv")),
        }
    }

    #[test]
    fn the_model_loader_never_panics(json in model_like()) {
        if let Ok(model) = SavedModel::from_json("fuzz.json", &json) {
            prop_assert!(model.network().is_ok());
        }
    }
}

/// Model JSON with its pieces shuffled and mutated.
fn model_like() -> impl Strategy<Value = String> {
    let number = prop_oneof![
        Just("0".to_string()),
        Just("-1.5".to_string()),
        Just("1e308".to_string()),
        Just("\"x\"".to_string()),
        Just("null".to_string())
    ];
    let row = prop::collection::vec(number, 0..4).prop_map(|v| format!("[{}]", v.join(",")));
    let matrix = prop::collection::vec(row, 0..4).prop_map(|v| format!("[{}]", v.join(",")));
    let activation = prop::sample::select(vec![
        "sigmoid", "tanh", "softmax", "identity", "relu", "swish", "",
    ]);
    let layer =
        (activation, matrix).prop_map(|(a, m)| format!(r#"{{"activation":"{a}","weights":{m}}}"#));
    let layers = prop::collection::vec(layer, 0..4).prop_map(|v| format!("[{}]", v.join(",")));
    let features = prop::collection::vec("[a-c]", 0..4).prop_map(|v| {
        format!(
            "[{}]",
            v.iter()
                .map(|f| format!("\"{f}\""))
                .collect::<Vec<_>>()
                .join(",")
        )
    });
    let classes = prop::collection::vec("[n-p]", 0..4).prop_map(|v| {
        format!(
            "[{}]",
            v.iter()
                .map(|f| format!("\"{f}\""))
                .collect::<Vec<_>>()
                .join(",")
        )
    });
    (layers, features, classes, 0usize..200).prop_map(|(layers, features, classes, cut)| {
        let json = format!(r#"{{"format":"nnviz-model","version":1,"features":{features},"target":"y","classes":{classes},"layers":{layers}}}"#);
        // Sometimes truncated.
        if cut < 20 { json[..json.len() * cut / 20].to_string() } else { json }
    })
}
