//! Built-in data against the article's reference files in `$NNVIZ_REFERENCE`
//! (normally `../shared/reference`), and the CSV load benchmark.

#![allow(clippy::unwrap_used)] // Tests fail loudly by design.

use crate::common;

use nnviz::data::{
    Builtin, ColumnRoles, Dataset, GeneratorOptions, Target, bench_csv, read_csv_path,
};

/// A reference data set, read through the CSV reader.
fn read_reference(name: &str) -> Dataset {
    let path = common::reference_dir().join(name);
    assert!(path.exists(), "{} is missing", path.display());
    read_csv_path(&path, &ColumnRoles::default()).unwrap_or_else(|e| panic!("{e}"))
}

fn range(data: &Dataset, j: usize) -> (f64, f64) {
    let column = data.features.column(j);
    let min = column.iter().copied().fold(f64::INFINITY, f64::min);
    let max = column.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    (min, max)
}

#[test]
#[cfg_attr(
    not(nnviz_reference),
    ignore = "needs the article's R results: NNVIZ_REFERENCE=../shared/reference cargo test"
)]
fn hot_dogs_have_the_reference_shape() {
    let reference = read_reference("hotdogs.csv");
    assert_eq!(reference.class_names(), ["not hot dog", "hot dog"]);
    for seed in [1, 2, 3] {
        let ours = Builtin::HotDogs.generate(&GeneratorOptions {
            seed,
            ..GeneratorOptions::default()
        });
        assert_eq!(ours.n_rows(), reference.n_rows());
        assert_eq!(ours.class_names(), reference.class_names());
        assert_eq!(ours.feature_names, reference.feature_names);
        assert_eq!(
            ours.targets(),
            reference.targets(),
            "class balance and order"
        );
        // Ranges within a unit of the reference's (θ up to 3.5π ≈ 11, jitter U(0, 1)).
        for j in 0..2 {
            let (ours_min, ours_max) = range(&ours, j);
            let (ref_min, ref_max) = range(&reference, j);
            assert!(
                (ours_min - ref_min).abs() < 1.5,
                "x{} min {ours_min} vs {ref_min}",
                j + 1
            );
            assert!(
                (ours_max - ref_max).abs() < 1.5,
                "x{} max {ours_max} vs {ref_max}",
                j + 1
            );
        }
        // Each class lies on its own arm: the mean radius of each class agrees too.
        for class in 0..2 {
            let mean_radius = |data: &Dataset| {
                let Target::Classes { labels, .. } = &data.target else {
                    panic!("classes expected");
                };
                let radii: Vec<f64> = data
                    .features
                    .iter_rows()
                    .zip(labels)
                    .filter(|(_, l)| **l == class)
                    .map(|(row, _)| row[0].hypot(row[1]))
                    .collect();
                radii.iter().sum::<f64>() / radii.len() as f64
            };
            let (a, b) = (mean_radius(&ours), mean_radius(&reference));
            assert!((a - b).abs() < 1.0, "class {class}: mean radius {a} vs {b}");
        }
    }
}

#[test]
#[cfg_attr(
    not(nnviz_reference),
    ignore = "needs the article's R results: NNVIZ_REFERENCE=../shared/reference cargo test"
)]
fn hot_dog_arms_match_the_reference_classes() {
    let reference = read_reference("hotdogs.csv");
    // Arm 1, (−θ cos θ + U, θ sin θ + U), is "not hot dog": each reference point minus the
    // jitter lies on its class's noiseless arm.
    let Target::Classes { labels, .. } = &reference.target else {
        panic!("classes expected");
    };
    for (row, &label) in reference.features.iter_rows().zip(labels) {
        let sign = if label == 0 { -1.0 } else { 1.0 };
        let on_arm = (0..=20_000).any(|k| {
            let theta = std::f64::consts::PI * (0.5 + 3.0 * f64::from(k) / 20_000.0);
            let u1 = row[0] - sign * theta * theta.cos();
            let u2 = row[1] + sign * theta * theta.sin();
            (-0.01..=1.01).contains(&u1) && (-0.01..=1.01).contains(&u2)
        });
        assert!(on_arm, "{row:?} ({label}) is off its arm");
    }
}

#[test]
#[cfg_attr(
    not(nnviz_reference),
    ignore = "needs the article's R results: NNVIZ_REFERENCE=../shared/reference cargo test"
)]
fn iris_asset_equals_the_reference() {
    let reference = read_reference("iris.csv");
    let ours = Builtin::Iris.generate(&GeneratorOptions::default());
    assert_eq!(ours.feature_names, reference.feature_names);
    assert_eq!(ours.class_names(), reference.class_names());
    assert_eq!(ours.features, reference.features);
    assert_eq!(ours.target, reference.target);
}

/// `cargo test --release --test data_reference -- --ignored --nocapture` prints the figure.
#[test]
#[ignore = "writes and reads a 100 MB file; run in release"]
fn bench_csv_million_rows() {
    let report = bench_csv(1_000_000, 10).unwrap();
    println!("{report}");
    assert_eq!(report.rows, 1_000_000);
}

#[test]
fn bench_csv_small() {
    let report = bench_csv(2_000, 5).unwrap();
    assert_eq!(report.rows, 2_000);
    assert!(report.bytes > 2_000 * 5 * 8);
    assert!(report.to_string().contains("2000 rows"));
}
