//! Fuzzing the two parsers a user's files reach, driven by proptest so that it runs in CI: the
//! quick check. The coverage-guided targets for long runs are in `fuzz/` (README, "Fuzzing").
//!
//! CI runs a short bounded pass; for a long run set `PROPTEST_CASES` (e.g. 2000000). When a case
//! fails, proptest writes its seed to `tests/fuzz.proptest-regressions` (created then, next to
//! this file) and replays it first on every later run; commit that file when it appears. None
//! has appeared so far, so there is none in the repository.

#![allow(clippy::unwrap_used)] // Tests fail loudly by design.

use nnviz::data::{ColumnRoles, Task, read_csv_bytes};
use nnviz::model::SavedModel;
use proptest::prelude::*;

/// Bytes that look like CSV now and then: fields from a small alphabet of numbers, words, quotes,
/// delimiters and line ends, plus raw bytes (the tokenizer's and the checks' paths).
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

/// A table that is valid CSV most of the time (2–4 columns of numbers or words, 1–11 rows, a
/// few missing, odd and extreme values, one delimiter and line end throughout), then often mutated (a
/// field lost or added, a cut, a stray byte, a header repeated), so that the reader's deep paths
/// (type inference, one-hot encoding, classes, missing rows) are reached as well as its errors.
fn csv_table() -> impl Strategy<Value = Vec<u8>> {
    let number = "-?[0-9]{1,3}(\\.[0-9]{1,2})?";
    let word = prop::sample::select(vec!["a", "b", "c"]).prop_map(String::from);
    let odd = prop::sample::select(vec![
        "NA",
        "",
        "NaN",
        "inf",
        "-1e308",
        "1e309",
        "\"q,uoted\"",
        "\"\"",
        " 7 ",
        "1e-320",
        "b",
    ])
    .prop_map(String::from);
    let layout = (
        prop::collection::vec(any::<bool>(), 2..5), // per column: numbers (true) or words
        1usize..12,
        prop::sample::select(vec![",", ";", "\t"]),
        prop::sample::select(vec!["\n", "\r\n"]),
    );
    (
        layout,
        prop::collection::vec((number, word, odd, 0u8..20), 44),
        (0usize..12, 0usize..4096, any::<u8>()),
    )
        .prop_map(|((numeric, rows, delim, eol), cells, (kind, at, byte))| {
            let cols = numeric.len();
            let header: Vec<String> = (0..cols).map(|c| format!("c{c}")).collect();
            let mut text = header.join(delim) + eol;
            for row in cells.chunks(cols).take(rows) {
                let fields: Vec<&str> = row
                    .iter()
                    .zip(&numeric)
                    .map(|((n, w, o, dice), &is_number)| match (dice, is_number) {
                        (0, _) => o.as_str(),
                        (_, true) => n.as_str(),
                        (_, false) => w.as_str(),
                    })
                    .collect();
                text.push_str(&fields.join(delim));
                text.push_str(eol);
            }
            let mut bytes = text.into_bytes();
            let place = at % bytes.len().max(1);
            match kind {
                0 => bytes.truncate(place),
                1 => bytes.insert(place, byte),
                2 => {
                    if let Some(i) = bytes
                        .iter()
                        .skip(place)
                        .position(|&b| b == delim.as_bytes()[0])
                    {
                        bytes.remove(place + i);
                    }
                }
                3 => bytes.splice(place..place, delim.bytes()).for_each(drop),
                4 => bytes
                    .splice(0..0, b"\xEF\xBB\xBF".iter().copied())
                    .for_each(drop),
                5 => bytes.splice(1..2, b"0".iter().copied()).for_each(drop), // "c0" twice
                _ => {}
            }
            bytes
        })
}

proptest! {
    #[test]
    fn the_csv_reader_never_panics(
        bytes in prop_oneof![csv_table(), csvish()],
        task in 0usize..3,
    ) {
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

/// Model JSON: a consistent model (1–3 features, 0–2 hidden layers, a head that fits the
/// classes) most of the time, then often mutated (a shape, a value, a name, a field, a cut), so
/// that both the checks of a well-formed file and the paths of a valid one are reached.
fn model_like() -> impl Strategy<Value = String> {
    let shape = (
        1usize..4,
        prop::collection::vec(1usize..4, 0..3),
        prop::sample::select(vec![0usize, 2, 3]),
    );
    let hidden_activation = prop::sample::select(vec!["sigmoid", "tanh", "relu", "linear"]);
    let value = prop::sample::select(vec!["0", "1", "-1.5", "0.25", "1e-300", "1e300"]);
    let mutation = (0usize..12, 0usize..64, 0usize..64);
    (
        shape,
        hidden_activation,
        prop::collection::vec(value, 64),
        any::<bool>(),
        mutation,
    )
        .prop_map(|((d, hidden, k), activation, values, scaled, (kind, at, cut))| {
            let mut values = values.into_iter().cycle();
            let (out, head) = match k {
                0 => (1, "identity"),
                2 => (1, "sigmoid"),
                _ => (k, "softmax"),
            };
            let sizes: Vec<usize> = std::iter::once(d)
                .chain(hidden.iter().copied())
                .chain([out])
                .collect();
            let layers: Vec<String> = sizes
                .windows(2)
                .enumerate()
                .map(|(l, w)| {
                    let rows: Vec<String> = (0..=w[0])
                        .map(|_| {
                            let row: Vec<&str> = (0..w[1]).map(|_| values.next().unwrap()).collect();
                            format!("[{}]", row.join(","))
                        })
                        .collect();
                    let name = if l + 1 == sizes.len() - 1 { head } else { activation };
                    format!(r#"{{"activation":"{name}","weights":[{}]}}"#, rows.join(","))
                })
                .collect();
            let names = |prefix: &str, n: usize| {
                (0..n)
                    .map(|i| format!("\"{prefix}{i}\""))
                    .collect::<Vec<_>>()
                    .join(",")
            };
            let scaling = if scaled {
                let ones = vec!["1"; d].join(",");
                let zeros = vec!["0"; d].join(",");
                format!(r#","scaling":{{"mean":[{zeros}],"sd":[{ones}]}}"#)
            } else {
                String::new()
            };
            let mut json = format!(
                r#"{{"format":"nnviz-model","version":1,"features":[{}],"target":"y","classes":[{}]{scaling},"layers":[{}]}}"#,
                names("x", d),
                names("c", k),
                layers.join(",")
            );
            // Mutations: half the cases stay valid.
            let pick = |json: &str, needle: char| {
                let places: Vec<usize> = json.match_indices(needle).map(|(i, _)| i).collect();
                places.get(at % places.len().max(1)).copied()
            };
            match kind {
                0 => json.truncate(json.len() * cut / 64),
                1 => {
                    if let Some(i) = pick(&json, ',') {
                        json.remove(i); // merges two values or fields
                    }
                }
                2 => {
                    if let Some(i) = pick(&json, ']') {
                        json.insert_str(i, ",0"); // one value too many
                    }
                }
                3 => json = json.replacen("\"sigmoid\"", "\"swish\"", 1),
                4 => json = json.replacen("1e300", "1e999", 1),
                5 => json = json.replacen("\"c1\"", "\"c0\"", 1),
                _ => {}
            }
            json
        })
}

/// Setup texts (Paste setup…, `nnviz --setup`): the prefix most of the time, then words made of
/// the real keys and plausible or odd values, runs split by `|`, with stray quotes and bytes.
#[cfg(feature = "gui")]
fn setup_like() -> impl Strategy<Value = Vec<u8>> {
    use nnviz::app::setup::{DATA_KEYS, RUN_KEYS};
    let keys = DATA_KEYS.iter().chain(&RUN_KEYS).copied();
    let key = prop::sample::select(keys.chain(["bogus"]).collect::<Vec<_>>());
    let value = prop_oneof![
        prop::sample::select(vec![
            "moons",
            "spirals",
            "hotdogs",
            "iris",
            "bumps",
            "tanh",
            "relu",
            "sigmoid,tanh",
            "adam",
            "gd",
            "momentum",
            "mean",
            "sum",
            "auto",
            "full",
            "step",
            "exponential",
            "inverse-time",
            "he",
            "xavier",
            "softmax",
            "identity",
            "x.csv",
            "true",
            "\"x1,x2\"",
            "0",
            "5",
            "8,8",
            "3",
            "1e-3",
            "0.5",
            "-1",
            "nan",
            "1e400",
            "",
        ])
        .prop_map(str::to_owned),
        "[0-9]{1,6}(\\.[0-9]{1,3})?",
        "[a-z,=\"|]{0,8}",
    ];
    let word = prop_oneof![
        8 => (key, value).prop_map(|(k, v)| format!("{k}={v}").into_bytes()),
        1 => Just(b" | ".to_vec()),
        1 => any::<u8>().prop_map(|b| vec![b]),
    ];
    (any::<bool>(), prop::collection::vec(word, 0..24)).prop_map(|(prefix, words)| {
        let mut text = if prefix {
            b"nnviz-setup-1".to_vec()
        } else {
            Vec::new()
        };
        for w in words {
            text.push(b' ');
            text.extend(w);
        }
        text
    })
}

#[cfg(feature = "gui")]
proptest! {
    #[test]
    fn the_setup_text_never_panics_and_what_applies_copies_back(bytes in setup_like()) {
        crate::corpus::oracle::check_setup(&bytes);
    }
}
