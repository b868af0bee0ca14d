//! Helpers shared by the integration tests: the article's reference files.

#![allow(dead_code)]

use std::path::PathBuf;

use nnviz::nn::Matrix;

#[cfg(feature = "gui")]
pub mod ui;

/// Why the reference tests are ignored when `NNVIZ_REFERENCE` was unset at build time.
pub const NEEDS_REFERENCE: &str =
    "needs the article's R results: NNVIZ_REFERENCE=../shared/reference cargo test";

/// The reference folder from `$NNVIZ_REFERENCE`. The tests that call this are ignored when the
/// variable was unset at build time (see `build.rs`), so here it must be set.
pub fn reference_dir() -> PathBuf {
    match std::env::var_os("NNVIZ_REFERENCE") {
        Some(dir) if !dir.is_empty() => PathBuf::from(dir),
        _ => panic!("NNVIZ_REFERENCE was set when the tests were built but is unset now"),
    }
}

/// Reads a reference file; panics (fails the test) if it is missing.
pub fn read(dir: &std::path::Path, name: &str) -> String {
    let path = dir.join(name);
    std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("reference file {} is missing: {e}", path.display()))
}

/// A headerless CSV matrix.
pub fn matrix(dir: &std::path::Path, name: &str) -> Matrix {
    let rows: Vec<Vec<f64>> = read(dir, name)
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.split(',').map(|v| v.trim().parse().unwrap()).collect())
        .collect();
    Matrix::from_rows(&rows).unwrap()
}

/// A CSV with a header: the header and the rows as strings.
pub fn table(dir: &std::path::Path, name: &str) -> (Vec<String>, Vec<Vec<String>>) {
    let text = read(dir, name);
    let mut lines = text.lines().filter(|l| !l.trim().is_empty());
    let unquote = |s: &str| s.trim().trim_matches('"').to_string();
    let header = lines.next().unwrap().split(',').map(unquote).collect();
    let rows = lines.map(|l| l.split(',').map(unquote).collect()).collect();
    (header, rows)
}

/// The hot dogs: `x [200, 2]` and labels (1 = "hot dog").
pub fn hotdogs(dir: &std::path::Path) -> (Matrix, Vec<usize>) {
    let (header, rows) = table(dir, "hotdogs.csv");
    assert_eq!(header, ["x1", "x2", "class"]);
    let x: Vec<Vec<f64>> = rows
        .iter()
        .map(|r| vec![r[0].parse().unwrap(), r[1].parse().unwrap()])
        .collect();
    let y = rows
        .iter()
        .map(|r| usize::from(r[2] == "hot dog"))
        .collect();
    (Matrix::from_rows(&x).unwrap(), y)
}

/// Iris: `x [150, 4]` and labels in the order setosa, versicolor, virginica.
pub fn iris(dir: &std::path::Path) -> (Matrix, Vec<usize>) {
    let (_, rows) = table(dir, "iris.csv");
    let classes = ["setosa", "versicolor", "virginica"];
    let x: Vec<Vec<f64>> = rows
        .iter()
        .map(|r| r[..4].iter().map(|v| v.parse().unwrap()).collect())
        .collect();
    let y = rows
        .iter()
        .map(|r| classes.iter().position(|c| *c == r[4]).unwrap())
        .collect();
    (Matrix::from_rows(&x).unwrap(), y)
}

/// A trace file: `(iteration, loss, accuracy)` rows.
pub fn trace(dir: &std::path::Path, name: &str) -> Vec<(u64, f64, f64)> {
    let (_, rows) = table(dir, name);
    rows.iter()
        .map(|r| {
            (
                r[0].parse::<f64>().unwrap() as u64,
                r[1].parse().unwrap(),
                r[2].parse().unwrap(),
            )
        })
        .collect()
}

/// Largest element-wise relative difference `|a − b| / max(|b|, floor)`.
pub fn max_relative_difference(a: &Matrix, b: &Matrix, floor: f64) -> f64 {
    assert_eq!(a.shape(), b.shape());
    a.as_slice()
        .iter()
        .zip(b.as_slice())
        .map(|(x, y)| (x - y).abs() / y.abs().max(floor))
        .fold(0.0, f64::max)
}

/// How long a test waits for the worker to settle: generous, as a test must not depend on the
/// machine's speed (it ends as soon as the state is reached).
pub const WAIT: std::time::Duration = std::time::Duration::from_secs(600);

/// A paused app session on `settings`' own data set.
#[cfg(feature = "gui")]
pub fn session(settings: &nnviz::app::settings::Settings) -> nnviz::app::session::Session {
    let dataset = settings.builtin.generate(&settings.generator);
    nnviz::app::session::Session::new(settings, dataset, None, || {}).unwrap()
}

/// Trains the session's network `n` more iterations and waits until they are done.
#[cfg(feature = "gui")]
pub fn step(session: &mut nnviz::app::session::Session, n: u64) {
    let before = session.main().iteration;
    session.step(n);
    session.wait_paused(WAIT);
    assert!(
        session.main().iteration == before + n || session.main().stopped.is_some(),
        "stepped {n} from {before}, now at {} after {WAIT:?}",
        session.main().iteration
    );
}

/// Runs the `nnviz` binary with `args` and returns what it did.
pub fn nnviz(args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_nnviz"))
        .args(args)
        .output()
        .expect("nnviz runs")
}

/// Runs `nnviz` with `args`, asserts it succeeded (showing its error output if not) and returns
/// its standard output.
pub fn nnviz_ok(args: &[&str]) -> String {
    let out = nnviz(args);
    assert!(
        out.status.success(),
        "nnviz {}: {}",
        args.join(" "),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}
