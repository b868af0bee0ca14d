//! A corpus of malformed inputs: every one gives a clear error naming the problem, through the
//! library and through the command line (one line, exit status 2), and nothing panics.

#![allow(clippy::unwrap_used)] // Tests fail loudly by design.

use std::path::Path;
use std::process::Command;

use nnviz::data::{ColumnRoles, read_csv_bytes};
use nnviz::model::SavedModel;

use crate::corpus;

use corpus::{csv_cases, model_cases};

#[test]
fn malformed_csvs_give_errors_naming_the_problem() {
    for (name, bytes, words) in csv_cases() {
        let result =
            std::panic::catch_unwind(|| read_csv_bytes("bad.csv", &bytes, &ColumnRoles::default()));
        let result = result.unwrap_or_else(|_| panic!("{name}: the reader panicked"));
        let Err(err) = result else {
            // Garbage may happen to parse as a (useless) table; that is not a crash.
            assert!(words.is_empty(), "{name}: accepted");
            continue;
        };
        let message = err.to_string();
        assert!(message.starts_with("bad.csv"), "{name}: {message}");
        assert!(!message.contains('\n'), "{name}: not one line: {message}");
        assert!(message.len() < 400, "{name}: {} bytes long", message.len());
        for word in words {
            assert!(
                message.contains(word),
                "{name}: {message:?} should mention {word:?}"
            );
        }
    }
}

#[test]
fn malformed_models_give_errors_naming_the_problem() {
    for (name, json, words) in model_cases() {
        let result = std::panic::catch_unwind(|| SavedModel::from_json("m.json", &json));
        let result = result.unwrap_or_else(|_| panic!("{name}: the loader panicked"));
        let err = result.expect_err(name);
        let message = err.to_string();
        assert!(message.starts_with("m.json"), "{name}: {message}");
        assert!(!message.contains('\n'), "{name}: not one line: {message}");
        assert!(message.len() < 400, "{name}: {} bytes long", message.len());
        for word in words {
            assert!(
                message.contains(word),
                "{name}: {message:?} should mention {word:?}"
            );
        }
    }
}

#[test]
fn the_command_line_refuses_them_in_one_line_with_status_2() {
    let dir = std::env::temp_dir().join(format!("nnviz-malformed-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut good_model = None;
    for (name, json, _) in model_cases() {
        let path = dir.join(format!("{}.json", name.replace(' ', "_")));
        std::fs::write(&path, &json).unwrap();
        let o = Command::new(env!("CARGO_BIN_EXE_nnviz"))
            .args([
                "predict",
                "--model",
                path.to_str().unwrap(),
                "--data",
                "/dev/null",
            ])
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{name}: {err}");
        assert_eq!(err.trim_end().lines().count(), 1, "{name}: {err}");
        assert!(err.len() < 400, "{name}: {} bytes on stderr", err.len());
        good_model.get_or_insert(path);
    }
    for (name, bytes, _) in csv_cases() {
        let path = dir.join(format!("{}.csv", name.replace(' ', "_")));
        std::fs::write(&path, &bytes).unwrap();
        let o = Command::new(env!("CARGO_BIN_EXE_nnviz"))
            .args([
                "train",
                "--data",
                path.to_str().unwrap(),
                "--iterations",
                "10",
            ])
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&o.stderr);
        if o.status.success() {
            continue; // garbage that parsed as a table
        }
        assert_eq!(o.status.code(), Some(2), "{name}: {err}");
        assert_eq!(err.trim_end().lines().count(), 1, "{name}: {err}");
        assert!(err.len() < 400, "{name}: {} bytes on stderr", err.len());
        assert!(!err.contains("panicked"), "{name}: {err}");
        std::fs::remove_file(&path).unwrap();
    }
}

/// The inputs `cargo fuzz` found (tests/all/corpus/fuzz/TARGET/, minimised), through the same
/// checks as the fuzz targets (tests/all/corpus/oracle.rs).
#[test]
fn the_inputs_the_fuzzers_found_pass_their_checks() {
    let found = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/all/corpus/fuzz");
    type Check = fn(&[u8]);
    let targets = [
        ("csv", corpus::oracle::check_csv as Check),
        ("model", corpus::oracle::check_model),
        #[cfg(feature = "gui")]
        ("setup", corpus::oracle::check_setup),
        #[cfg(feature = "gui")]
        ("lesson", corpus::oracle::check_lesson),
        ("session", corpus::oracle::check_session),
    ];
    let mut replayed = 0;
    for (target, check) in targets {
        let Ok(entries) = std::fs::read_dir(found.join(target)) else {
            continue; // none found yet
        };
        for entry in entries {
            let path = entry.unwrap().path();
            let bytes = std::fs::read(&path).unwrap();
            let result = std::panic::catch_unwind(|| check(&bytes));
            assert!(result.is_ok(), "{target}: {} fails", path.display());
            replayed += 1;
        }
    }
    assert!(replayed > 0, "no inputs in {}", found.display());
}
