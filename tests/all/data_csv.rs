//! The CSV reader on good and bad files: every error names the file, row, column and value.

#![allow(clippy::unwrap_used)] // Tests fail loudly by design.

use nnviz::data::{
    ColumnKind, ColumnRoles, DataError, Dataset, MAX_COLUMNS, Table, Target, Task, read_csv_bytes,
    read_csv_path,
};

fn read(text: &str) -> Result<Dataset, DataError> {
    read_csv_bytes("test.csv", text.as_bytes(), &ColumnRoles::default())
}

fn read_with(text: &str, roles: &ColumnRoles) -> Result<Dataset, DataError> {
    read_csv_bytes("test.csv", text.as_bytes(), roles)
}

fn error(text: &str) -> String {
    match read(text) {
        Ok(data) => panic!("expected an error, got {data:?}"),
        Err(e) => e.to_string(),
    }
}

fn assert_mentions(message: &str, parts: &[&str]) {
    for part in parts {
        assert!(message.contains(part), "{message:?} lacks {part:?}");
    }
}

#[test]
fn numeric_file_with_text_target() {
    let data = read("a,b,class\n1,2,x\n3,4.5,y\n5,6,x\n").unwrap();
    assert_eq!(data.name, "test.csv");
    assert_eq!(data.feature_names, ["a", "b"]);
    assert_eq!(data.target_name, "class");
    assert_eq!(data.features.as_slice(), [1.0, 2.0, 3.0, 4.5, 5.0, 6.0]);
    assert_eq!(
        data.target,
        Target::Classes {
            names: vec!["x".into(), "y".into()],
            labels: vec![0, 1, 0]
        }
    );
    assert!(data.standardize_by_default);
    assert_eq!(data.dropped_rows, 0);
}

#[test]
fn bom_crlf_quotes_semicolons_and_blank_lines() {
    let text = "\u{feff}\"first name\";x;\"y\"\r\n\"Ann; B\";1,5;2\r\n\"Bob\";2;3\r\n\"Ann; B\";3;4\r\n\r\n\r\n";
    let roles = ColumnRoles {
        target: Some("y".into()),
        ..ColumnRoles::default()
    };
    let data = read_with(text, &roles).unwrap();
    // "first name" is text: one-hot with the first level (Ann; B) dropped.
    assert_eq!(data.feature_names, ["first name=Bob", "x"]);
    assert_eq!(data.features.as_slice(), [0.0, 1.5, 1.0, 2.0, 0.0, 3.0]);
    assert_eq!(data.n_rows(), 3);
}

#[test]
fn tab_delimiter_is_detected() {
    let data = read("x1\tx2\ty\n1\t2\t0.5\n3\t4\t0.25\n5\t6\t0.125\n").unwrap();
    assert_eq!(data.feature_names, ["x1", "x2"]);
    assert_eq!(data.target, Target::Values(vec![0.5, 0.25, 0.125]));
}

#[test]
fn missing_values_drop_rows_and_are_counted() {
    let data = read("a,b,y\n1,,0\nNA,2,1\n3,4,NaN\n5,6,1\n7,8,0\n, 9 ,n/a\n").unwrap();
    assert_eq!(data.dropped_rows, 4);
    assert_eq!(data.n_rows(), 2);
    assert_eq!(data.features.as_slice(), [5.0, 6.0, 7.0, 8.0]);
    // A missing value in an unused column does not drop the row.
    let roles = ColumnRoles {
        features: Some(vec!["a".into()]),
        ..ColumnRoles::default()
    };
    let data = read_with("a,b,y\n1,,0\n2,3,1\n", &roles).unwrap();
    assert_eq!(data.dropped_rows, 0);
}

#[test]
fn all_rows_dropped_is_an_error() {
    let message = error("a,y\nNA,1\n2,\n");
    assert_mentions(&message, &["test.csv", "all 2 rows", "missing"]);
}

#[test]
fn integer_targets_are_classes_under_auto_and_can_be_forced() {
    let text = "x,y\n1,2\n2,1\n3,2\n4,3\n";
    let data = read(text).unwrap();
    assert_eq!(data.class_names(), ["1", "2", "3"]);
    assert_eq!(
        data.target,
        Target::Classes {
            names: vec!["1".into(), "2".into(), "3".into()],
            labels: vec![1, 0, 1, 2]
        }
    );
    let regression = ColumnRoles {
        task: Task::Regression,
        ..ColumnRoles::default()
    };
    let data = read_with(text, &regression).unwrap();
    assert_eq!(data.target, Target::Values(vec![2.0, 1.0, 2.0, 3.0]));
    // Eleven distinct whole numbers, or a fraction, mean regression.
    let many: String = std::iter::once("x,y\n".to_owned())
        .chain((0..11).map(|i| format!("{i},{i}\n")))
        .collect();
    assert!(matches!(read(&many).unwrap().target, Target::Values(_)));
    assert!(matches!(
        read("x,y\n1,0.5\n2,1\n").unwrap().target,
        Target::Values(_)
    ));
    let classes = ColumnRoles {
        task: Task::Classification,
        ..ColumnRoles::default()
    };
    assert_eq!(read_with(&many, &classes).unwrap().class_names().len(), 11);
}

#[test]
fn class_order_is_respected() {
    let roles = ColumnRoles {
        class_order: Some(vec!["virginica".into(), "setosa".into(), "other".into()]),
        ..ColumnRoles::default()
    };
    let data = read_with("x,s\n1,setosa\n2,virginica\n", &roles).unwrap();
    assert_eq!(data.class_names(), ["virginica", "setosa", "other"]);
    assert_eq!(data.targets().len(), 2);
    match &data.target {
        Target::Classes { labels, .. } => assert_eq!(labels, &[1, 0]),
        Target::Values(_) => panic!("classes expected"),
    }
    let roles = ColumnRoles {
        class_order: Some(vec!["setosa".into()]),
        ..ColumnRoles::default()
    };
    let message = read_with("x,s\n1,setosa\n2,virginica\n", &roles)
        .unwrap_err()
        .to_string();
    assert_mentions(&message, &["\"s\"", "virginica"]);
}

#[test]
fn feature_subset_and_target_choice() {
    let text = "a,b,c,d\n1,2,3,x\n4,5,6,y\n";
    let roles = ColumnRoles {
        target: Some("b".into()),
        features: Some(vec!["c".into(), "a".into()]),
        task: Task::Regression,
        ..ColumnRoles::default()
    };
    let data = read_with(text, &roles).unwrap();
    assert_eq!(data.feature_names, ["c", "a"]);
    assert_eq!(data.features.as_slice(), [3.0, 1.0, 6.0, 4.0]);
    assert_eq!(data.target, Target::Values(vec![2.0, 5.0]));
}

#[test]
fn table_can_be_reused_for_other_roles() {
    let table = Table::read_bytes("t.csv", b"a,b,kind\n1,2,x\n2,NA,y\n3,1,x\n4,5,y\n").unwrap();
    assert_eq!(table.column_names(), ["a", "b", "kind"]);
    assert_eq!(table.n_rows(), 4);
    let columns = table.columns();
    assert_eq!(columns[1].missing, 1);
    assert_eq!(columns[2].kind, ColumnKind::Text);
    assert_eq!(columns[2].levels, 2);
    let by_kind = table.to_dataset(&ColumnRoles::default()).unwrap();
    assert_eq!(by_kind.n_rows(), 3);
    assert_eq!(by_kind.dropped_rows, 1);
    let by_a = table
        .to_dataset(&ColumnRoles {
            target: Some("a".into()),
            features: Some(vec!["kind".into()]),
            task: Task::Regression,
            ..ColumnRoles::default()
        })
        .unwrap();
    assert_eq!(by_a.feature_names, ["kind=y"]);
    assert_eq!(by_a.features.as_slice(), [0.0, 1.0, 0.0, 1.0]);
    assert_eq!(by_a.target, Target::Values(vec![1.0, 2.0, 3.0, 4.0]));
    assert_eq!(
        table.clone().into_dataset(&ColumnRoles::default()),
        Ok(by_kind)
    );
}

#[test]
fn export_reads_back() {
    let mut data = read("x1,x2,class\n0.1,2,a\n-3e-5,4,b\n").unwrap();
    data.add_point(&[1.0 / 3.0, 7.0], 1).unwrap();
    let mut out = Vec::new();
    data.write_csv(&mut out).unwrap();
    let back = read_csv_bytes("test.csv", &out, &ColumnRoles::default()).unwrap();
    assert_eq!(back, data);
}

#[test]
fn read_from_path() {
    let dir = std::env::temp_dir().join(format!("nnviz-data-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("points.csv");
    std::fs::write(&path, "x,y\n1,a\n2,b\n").unwrap();
    let data = read_csv_path(&path, &ColumnRoles::default()).unwrap();
    assert_eq!(data.name, "points.csv");
    assert_eq!(data.n_rows(), 2);
    let missing = read_csv_path(&dir.join("nope.csv"), &ColumnRoles::default()).unwrap_err();
    assert_mentions(&missing.to_string(), &["nope.csv"]);
    std::fs::remove_dir_all(&dir).unwrap();
}

// Errors.

#[test]
fn non_numeric_value_in_numeric_column() {
    let message = error("a,b,y\n1,2,x\n3,4,y\n5,oops,x\n");
    assert_mentions(
        &message,
        &["test.csv", "line 4", "data row 3", "\"b\"", "\"oops\""],
    );
    // Leaving the broken column out makes the file usable.
    let roles = ColumnRoles {
        features: Some(vec!["a".into()]),
        ..ColumnRoles::default()
    };
    assert_eq!(
        read_with("a,b,y\n1,2,x\n3,4,y\n5,oops,x\n", &roles)
            .unwrap()
            .n_rows(),
        3
    );
}

#[test]
fn infinite_value() {
    let message = error("a,y\n1,x\ninf,y\n");
    assert_mentions(
        &message,
        &["line 3", "data row 2", "\"a\"", "\"inf\"", "infinite"],
    );
    let message = error("a,y\n1,x\n2,y\n-1e999,x\n");
    assert_mentions(&message, &["line 4", "\"-1e999\""]);
}

#[test]
fn ragged_row() {
    let message = error("a,b,y\n1,2,x\n3,4\n");
    assert_mentions(
        &message,
        &["test.csv", "line 3", "data row 2", "2 fields", "3 columns"],
    );
}

#[test]
fn empty_file() {
    for text in ["", "\n\n", "\u{feff}", "  \r\n"] {
        assert_mentions(&error(text), &["test.csv", "empty"]);
    }
}

#[test]
fn header_only() {
    assert_mentions(&error("a,b,y\n"), &["test.csv", "no data rows"]);
    assert_mentions(&error("a,b,y\n\n\n"), &["no data rows"]);
}

#[test]
fn duplicate_column_names() {
    let message = error("a,b,a\n1,2,3\n");
    assert_mentions(&message, &["test.csv", "\"a\"", "columns 1 and 3"]);
}

#[test]
fn target_with_one_class() {
    let message = error("a,y\n1,x\n2,x\n3,NA\n");
    assert_mentions(&message, &["test.csv", "\"y\"", "one class", "\"x\""]);
}

#[test]
fn too_many_columns() {
    let header: Vec<String> = (0..=MAX_COLUMNS).map(|j| format!("c{j}")).collect();
    let text = format!("{}\n", header.join(","));
    assert_mentions(&error(&text), &["test.csv", "1001 columns", "1000"]);
}

#[test]
fn unknown_column_in_roles() {
    let roles = ColumnRoles {
        target: Some("Species".into()),
        ..ColumnRoles::default()
    };
    let message = read_with("a,y\n1,x\n2,z\n", &roles)
        .unwrap_err()
        .to_string();
    assert_mentions(&message, &["test.csv", "\"Species\"", "a, y"]);
    let roles = ColumnRoles {
        features: Some(vec!["b".into()]),
        ..ColumnRoles::default()
    };
    let message = read_with("a,y\n1,x\n2,z\n", &roles)
        .unwrap_err()
        .to_string();
    assert_mentions(&message, &["\"b\""]);
}

#[test]
fn text_target_cannot_be_regression() {
    let roles = ColumnRoles {
        task: Task::Regression,
        ..ColumnRoles::default()
    };
    let message = read_with("a,y\n1,x\n2,z\n", &roles)
        .unwrap_err()
        .to_string();
    assert_mentions(&message, &["\"y\"", "text", "regression"]);
}

#[test]
fn target_as_feature_and_no_features() {
    let roles = ColumnRoles {
        features: Some(vec!["y".into()]),
        ..ColumnRoles::default()
    };
    assert!(matches!(
        read_with("a,y\n1,x\n2,z\n", &roles),
        Err(DataError::TargetIsFeature { .. })
    ));
    assert!(matches!(
        read("y\n1\n2\n"),
        Err(DataError::NoFeatures { .. })
    ));
}

#[test]
fn bad_quoting_is_reported_not_panicking() {
    // The csv crate is lenient with stray quotes; whatever it makes of them must not panic.
    let _ = read("a,y\n\"1,x\n2,z\n");
}

#[test]
fn points_can_be_added_and_removed() {
    let mut data = read("x1,x2,class\n0,0,a\n1,1,b\n").unwrap();
    data.add_point(&[2.0, 2.0], 0).unwrap();
    assert_eq!(data.n_rows(), 3);
    assert!(data.add_point(&[2.0], 0).is_err());
    assert!(data.add_point(&[2.0, 2.0], 2).is_err());
    assert!(data.add_point(&[f64::NAN, 2.0], 0).is_err());
    assert_eq!(data.remove_nearest(&[5.0, 5.0], 1.0), None);
    assert_eq!(data.remove_nearest(&[0.9, 1.2], 1.0), Some(1));
    assert_eq!(data.features.as_slice(), [0.0, 0.0, 2.0, 2.0]);
    assert_eq!(data.targets().len(), 2);
    match &data.target {
        Target::Classes { labels, .. } => assert_eq!(labels, &[0, 0]),
        Target::Values(_) => panic!("classes expected"),
    }
    let mut values = read("x1,x2,y\n0,0,0.5\n1,1,1.5\n").unwrap();
    assert!(values.add_point(&[2.0, 2.0], 0).is_err());
    values.add_value_point(&[2.0, 2.0], 2.5).unwrap();
    assert_eq!(values.remove_nearest(&[0.0, 0.1], 0.5), Some(0));
    assert_eq!(values.target, Target::Values(vec![1.5, 2.5]));
}

#[test]
fn text_that_is_not_utf8() {
    let bytes = b"a,b,c\n1,2,x\n3,4,\xff\xfe\n";
    let message = read_csv_bytes("test.csv", bytes, &ColumnRoles::default())
        .unwrap_err()
        .to_string();
    assert_mentions(&message, &["test.csv", "line 3", "\"c\"", "UTF-8"]);
    let message = read_csv_bytes("test.csv", b"a,\xff\n1,2\n", &ColumnRoles::default())
        .unwrap_err()
        .to_string();
    assert_mentions(&message, &["line 1", "column 2", "UTF-8"]);
}

#[test]
fn a_text_column_with_too_many_values_is_refused_only_if_used() {
    let mut text = String::from("id,x,y\n");
    for i in 0..20_000 {
        text.push_str(&format!("id{i},{},{}\n", i % 17, ["a", "b"][i % 2]));
    }
    let message = error(&text);
    assert_mentions(
        &message,
        &[
            "test.csv",
            "line 10003",
            "\"id\"",
            "more than 10001 distinct",
        ],
    );
    let table = Table::read_bytes("test.csv", text.as_bytes()).unwrap();
    assert_eq!(table.columns()[0].kind, ColumnKind::Text);
    assert!(table.columns()[0].problem.is_some());
    let data = table
        .to_dataset(&ColumnRoles {
            features: Some(vec!["x".into()]),
            ..ColumnRoles::default()
        })
        .unwrap();
    assert_eq!(data.n_rows(), 20_000);
}

#[test]
fn one_hot_columns_keep_their_levels_reference_first() {
    let data = read("size,colour,kind\n1,red,a\n2,green,b\n3,blue,a\n4,green,b\n").unwrap();
    assert_eq!(data.feature_names, ["size", "colour=green", "colour=blue"]);
    assert_eq!(data.levels.len(), 1);
    assert_eq!(data.levels["colour"], ["red", "green", "blue"]);
}

#[test]
fn the_features_a_model_expects_refuse_unseen_levels() {
    let names: Vec<String> = vec!["size".into(), "colour=green".into()];
    let levels = [("colour".to_string(), vec!["red".into(), "green".into()])].into();
    let table = Table::read_bytes("new.csv", b"size,colour\n1,red\n2,green\n3,mauve\n").unwrap();
    let message = table
        .feature_matrix(&names, &levels)
        .unwrap_err()
        .to_string();
    assert_mentions(
        &message,
        &[
            "new.csv",
            "data row 3",
            "\"colour\"",
            "\"mauve\"",
            "red, green",
        ],
    );
    // Without levels (a model saved before they were kept), nothing is checked.
    let (x, rows) = table.feature_matrix(&names, &Default::default()).unwrap();
    assert_eq!(x.as_slice(), [1.0, 0.0, 2.0, 1.0, 3.0, 0.0]);
    assert_eq!(rows, [1, 2, 3]);
}

/// Found by `cargo fuzz run csv`: a text column whose name holds '=' (`c=d`, encoded `c=d=g`)
/// was "no column" to predict.
#[test]
fn the_features_a_model_expects_may_hold_equals_signs() {
    let bytes = b"c=d,e=f,y\nr,1,a\ng,2,b\n";
    let data = read_csv_bytes("t.csv", bytes, &ColumnRoles::default()).unwrap();
    assert_eq!(data.feature_names, ["c=d=g", "e=f"]);
    let table = Table::read_bytes("t.csv", bytes).unwrap();
    let (x, rows) = table
        .feature_matrix(&data.feature_names, &data.levels)
        .unwrap();
    assert_eq!(x, data.features);
    assert_eq!(rows, [1, 2]);
}

#[test]
fn long_values_are_shortened_in_messages() {
    let long = "7".repeat(1_000_000);
    let message = error(&format!("a,b,c\n1,2,x\n{long}x,3,y\n"));
    assert!(message.len() < 300, "{} bytes", message.len());
    assert_mentions(&message, &["\"a\"", "line 3", "…", "is not a number"]);
    let roles = ColumnRoles {
        target: Some("n".repeat(100_000)),
        ..ColumnRoles::default()
    };
    let message = read_with("a,b,c\n1,2,x\n", &roles).unwrap_err().to_string();
    assert!(message.len() < 300, "{} bytes", message.len());
}
