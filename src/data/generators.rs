//! Built-in data sets: the article's hot dogs, toy 2-D problems and iris.
//!
//! Every generator draws from one `StdRng` seeded with [`GeneratorOptions::seed`], so the same
//! options give the same data.

use std::f64::consts::PI;

use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};
use rand_distr::StandardNormal;
use serde::{Deserialize, Serialize};

use super::{ColumnRoles, DataError, Dataset, Target, read_csv_bytes};
use crate::nn::Matrix;

/// Fisher's iris in R's row order (scikit-learn's copy, species spelt out).
const IRIS_CSV: &str = include_str!("../../assets/iris.csv");

/// A data set nnviz can make without a file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Builtin {
    /// The article's two interleaved noisy spirals, "not hot dog" and "hot dog".
    HotDogs,
    /// A disc inside a ring.
    Circle,
    /// Four quadrants, opposite ones alike.
    Xor,
    /// Two Gaussian clouds.
    Gauss,
    /// Two interleaved half circles.
    Moons,
    /// `k` spiral arms, one class each (multiclass).
    Spirals,
    /// Regression on a plane: `y = 2·x1 − x2 + noise`.
    Plane,
    /// Regression on a sum of Gaussian bumps.
    Bumps,
    /// Fisher's iris: 150 flowers, 4 measurements, 3 species.
    Iris,
}

/// Size, noise and seed of a generated data set.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct GeneratorOptions {
    /// Number of points (split as evenly as possible between classes). Ignored by iris.
    pub points: usize,
    /// Noise: the scale of the uniform jitter for hot dogs, else the standard deviation of
    /// Gaussian noise (in the data's units). Ignored by iris.
    pub noise: f64,
    /// Seed of the random generator.
    pub seed: u64,
    /// Number of arms (classes) of the spirals, 2 to 6. Ignored by the others.
    pub arms: usize,
}

/// The fewest points a generated data set has (the app's smallest setting).
pub const MIN_POINTS: usize = 4;
/// The most points a generated data set has (the app's largest setting).
pub const MAX_POINTS: usize = 100_000;

impl GeneratorOptions {
    /// Checks the options before anything is generated: points from [`MIN_POINTS`] to
    /// [`MAX_POINTS`], a finite non-negative noise, 2 to 6 arms.
    pub fn validate(&self) -> Result<(), DataError> {
        if !(MIN_POINTS..=MAX_POINTS).contains(&self.points) {
            return Err(DataError::Invalid(format!(
                "{} points: a generated data set has {MIN_POINTS} to {MAX_POINTS}",
                self.points
            )));
        }
        if !(self.noise.is_finite() && self.noise >= 0.0) {
            return Err(DataError::Invalid(format!(
                "noise {} must be zero or a positive number",
                self.noise
            )));
        }
        if !(2..=6).contains(&self.arms) {
            return Err(DataError::Invalid(format!(
                "{} arms: the spirals have 2 to 6",
                self.arms
            )));
        }
        Ok(())
    }
}

impl Default for GeneratorOptions {
    /// The hot dogs' defaults: 200 points, noise 1, seed 1, 3 arms.
    fn default() -> Self {
        Builtin::HotDogs.default_options()
    }
}

crate::name_table!(Builtin, "data set" {
    HotDogs => "hotdogs" | "hot-dogs": "hot dogs",
    Circle => "circle": "circle",
    Xor => "xor": "xor",
    Gauss => "gauss": "two Gaussians",
    Moons => "moons": "two moons",
    Spirals => "spirals": "spirals",
    Plane => "plane": "plane (regression)",
    Bumps => "bumps": "bumps (regression)",
    Iris => "iris": "iris",
});

impl Builtin {
    /// One line on what the set is, for a hover text.
    pub fn description(self) -> &'static str {
        match self {
            Self::HotDogs => {
                "The article's data: two interleaved spirals of points, \"hot dog\" and \"not hot \
                 dog\"; x1 and x2 are made-up measurements, not real ones"
            }
            Self::Circle => {
                "A disc (\"inner\") inside a ring (\"outer\"): no straight line separates them"
            }
            Self::Xor => "Points in four squares, classed by whether x1 and x2 have the same sign",
            Self::Gauss => "Two round clouds of points: a straight line separates them",
            Self::Moons => "Two interlocking half-moons (scikit-learn's make_moons)",
            Self::Spirals => "Spiral arms from the centre outwards, one class per arm",
            Self::Plane => "Regression: y = 2·x1 − x2 plus noise, a flat plane",
            Self::Bumps => "Regression: y is three smooth bumps over the plane, plus noise",
            Self::Iris => {
                "Fisher's iris flowers: four measurements in cm of 150 flowers of three species"
            }
        }
    }

    /// The features on the plot's axes when the set is opened: the petals for iris (the two
    /// that separate its species), else the first two.
    pub fn default_axes(self) -> (usize, usize) {
        match self {
            Self::Iris => (2, 3),
            _ => (0, 1),
        }
    }

    /// True for the regression sets (plane, bumps).
    pub fn is_regression(self) -> bool {
        matches!(self, Self::Plane | Self::Bumps)
    }

    /// The options this data set is made with unless the user changes them. Noise levels are
    /// chosen so that a small network separates circle, xor, gauss and moons almost perfectly.
    pub fn default_options(self) -> GeneratorOptions {
        let (points, noise) = match self {
            Self::HotDogs => (200, 1.0),
            Self::Circle => (400, 0.2),
            Self::Xor => (400, 0.05),
            Self::Gauss => (400, 0.7),
            Self::Moons => (400, 0.1),
            Self::Spirals => (300, 0.03),
            Self::Plane => (300, 0.1),
            Self::Bumps => (400, 0.05),
            Self::Iris => (150, 0.0),
        };
        GeneratorOptions {
            points,
            noise,
            seed: 1,
            arms: 3,
        }
    }

    /// Makes the data set. Same options, same data. Points are clamped to
    /// [`MIN_POINTS`]`..=`[`MAX_POINTS`] and arms to 2–6; see [`GeneratorOptions::validate`]
    /// to refuse them instead.
    pub fn generate(self, opts: &GeneratorOptions) -> Dataset {
        let mut rng = StdRng::seed_from_u64(opts.seed);
        let n = opts.points.clamp(MIN_POINTS, MAX_POINTS);
        let noise = if opts.noise.is_finite() {
            opts.noise.max(0.0)
        } else {
            0.0
        };
        match self {
            Self::HotDogs => hot_dogs(&mut rng, n, noise),
            Self::Circle => circle(&mut rng, n, noise),
            Self::Xor => xor(&mut rng, n, noise),
            Self::Gauss => gauss(&mut rng, n, noise),
            Self::Moons => moons(&mut rng, n, noise),
            Self::Spirals => spirals(&mut rng, n, noise, opts.arms.clamp(2, 6)),
            Self::Plane => plane(&mut rng, n, noise),
            Self::Bumps => bumps(&mut rng, n, noise),
            Self::Iris => iris(),
        }
    }
}

/// Collects 2-D points and targets into a [`Dataset`].
struct Builder {
    name: &'static str,
    x: Vec<f64>,
    labels: Vec<usize>,
    values: Vec<f64>,
}

impl Builder {
    fn new(builtin: Builtin, n: usize) -> Self {
        Self {
            name: builtin.label(),
            x: Vec::with_capacity(2 * n),
            labels: Vec::with_capacity(n),
            values: Vec::new(),
        }
    }

    fn class_point(&mut self, x1: f64, x2: f64, class: usize) {
        self.x.extend([x1, x2]);
        self.labels.push(class);
    }

    fn value_point(&mut self, x1: f64, x2: f64, y: f64) {
        self.x.extend([x1, x2]);
        self.values.push(y);
    }

    fn classes(self, names: &[&str]) -> Dataset {
        let target = Target::Classes {
            names: names.iter().map(|s| (*s).to_owned()).collect(),
            labels: self.labels,
        };
        Self::finish(self.name, self.x, target, "class")
    }

    fn regression(self) -> Dataset {
        let target = Target::Values(self.values);
        Self::finish(self.name, self.x, target, "y")
    }

    fn finish(name: &str, x: Vec<f64>, target: Target, target_name: &str) -> Dataset {
        let rows = x.len() / 2;
        let mut features = Matrix::zeros(rows, 2);
        features.as_mut_slice().copy_from_slice(&x);
        Dataset {
            name: name.to_owned(),
            feature_names: vec!["x1".into(), "x2".into()],
            features,
            target_name: target_name.to_owned(),
            target,
            standardize_by_default: false,
            dropped_rows: 0,
            levels: Default::default(),
        }
    }
}

/// How many of `n` points go to class `k` of `classes`: as even as possible, earlier first.
fn class_size(n: usize, classes: usize, k: usize) -> usize {
    n / classes + usize::from(k < n % classes)
}

fn normal(rng: &mut StdRng) -> f64 {
    rng.sample(StandardNormal)
}

fn uniform(rng: &mut StdRng) -> f64 {
    rng.random::<f64>()
}

/// The article's spirals: θ = π/2 + 3π·U; "not hot dog" at (−θ cos θ + U, θ sin θ + U), then
/// "hot dog" at (θ cos θ + U, −θ sin θ + U), each U a fresh U(0, 1) draw scaled by `noise`.
fn hot_dogs(rng: &mut StdRng, n: usize, noise: f64) -> Dataset {
    let mut b = Builder::new(Builtin::HotDogs, n);
    for class in 0..2 {
        let sign = if class == 0 { -1.0 } else { 1.0 };
        for _ in 0..class_size(n, 2, class) {
            let theta = PI / 2.0 + uniform(rng) * 3.0 * PI;
            let x1 = sign * theta * theta.cos() + noise * uniform(rng);
            let x2 = -sign * theta * theta.sin() + noise * uniform(rng);
            b.class_point(x1, x2, class);
        }
    }
    b.classes(&["not hot dog", "hot dog"])
}

/// A disc of radius 2 (class "inner") inside a ring from radius 3 to 5 ("outer"), plus
/// N(0, noise²) on each coordinate.
fn circle(rng: &mut StdRng, n: usize, noise: f64) -> Dataset {
    let mut b = Builder::new(Builtin::Circle, n);
    for i in 0..n {
        let class = i % 2;
        // sqrt makes the points uniform over the area.
        let r = if class == 0 {
            2.0 * uniform(rng).sqrt()
        } else {
            (9.0 + 16.0 * uniform(rng)).sqrt()
        };
        let angle = 2.0 * PI * uniform(rng);
        let x1 = r * angle.cos() + noise * normal(rng);
        let x2 = r * angle.sin() + noise * normal(rng);
        b.class_point(x1, x2, class);
    }
    b.classes(&["inner", "outer"])
}

/// Points in [−1, 1]² kept 0.1 away from the axes; class "opposite signs" where x1·x2 < 0;
/// then N(0, noise²) on each coordinate.
fn xor(rng: &mut StdRng, n: usize, noise: f64) -> Dataset {
    let mut b = Builder::new(Builtin::Xor, n);
    let away = |u: f64| {
        if u < 0.0 {
            u * 0.9 - 0.1
        } else {
            u * 0.9 + 0.1
        }
    };
    for _ in 0..n {
        let u1 = away(rng.random_range(-1.0..1.0));
        let u2 = away(rng.random_range(-1.0..1.0));
        let class = usize::from(u1 * u2 < 0.0);
        b.class_point(u1 + noise * normal(rng), u2 + noise * normal(rng), class);
    }
    b.classes(&["same signs", "opposite signs"])
}

/// Two round Gaussian clouds with standard deviation `noise`, centred at (−2, −2) and (2, 2).
fn gauss(rng: &mut StdRng, n: usize, noise: f64) -> Dataset {
    let mut b = Builder::new(Builtin::Gauss, n);
    for i in 0..n {
        let class = i % 2;
        let centre = if class == 0 { -2.0 } else { 2.0 };
        b.class_point(
            centre + noise * normal(rng),
            centre + noise * normal(rng),
            class,
        );
    }
    b.classes(&["a", "b"])
}

/// scikit-learn's two moons: (cos t, sin t) and (1 − cos t, 0.5 − sin t), t ∈ U(0, π), plus
/// N(0, noise²) on each coordinate.
fn moons(rng: &mut StdRng, n: usize, noise: f64) -> Dataset {
    let mut b = Builder::new(Builtin::Moons, n);
    for i in 0..n {
        let class = i % 2;
        let t = PI * uniform(rng);
        let (x1, x2) = if class == 0 {
            (t.cos(), t.sin())
        } else {
            (1.0 - t.cos(), 0.5 - t.sin())
        };
        b.class_point(x1 + noise * normal(rng), x2 + noise * normal(rng), class);
    }
    b.classes(&["upper", "lower"])
}

/// `arms` spirals from radius 0.1 to 1, each turning through 1.5π, arm k starting at angle
/// 2πk/arms; plus N(0, noise²) on each coordinate.
fn spirals(rng: &mut StdRng, n: usize, noise: f64, arms: usize) -> Dataset {
    let mut b = Builder::new(Builtin::Spirals, n);
    for arm in 0..arms {
        let start = 2.0 * PI * arm as f64 / arms as f64;
        for _ in 0..class_size(n, arms, arm) {
            let t = uniform(rng);
            let r = 0.1 + 0.9 * t;
            let angle = start + 1.5 * PI * t;
            b.class_point(
                r * angle.cos() + noise * normal(rng),
                r * angle.sin() + noise * normal(rng),
                arm,
            );
        }
    }
    let names: Vec<String> = (1..=arms).map(|k| format!("arm {k}")).collect();
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    b.classes(&names)
}

/// `y = 2·x1 − x2 + N(0, noise²)` on x uniform in [−1, 1]².
fn plane(rng: &mut StdRng, n: usize, noise: f64) -> Dataset {
    let mut b = Builder::new(Builtin::Plane, n);
    for _ in 0..n {
        let x1 = rng.random_range(-1.0..1.0);
        let x2 = rng.random_range(-1.0..1.0);
        b.value_point(x1, x2, 2.0 * x1 - x2 + noise * normal(rng));
    }
    b.regression()
}

/// The bumps of [`bumps`]: height, centre, width.
const BUMPS: [(f64, [f64; 2], f64); 3] = [
    (1.0, [-1.0, -1.0], 0.8),
    (-1.0, [1.2, 0.8], 0.7),
    (0.7, [1.0, -1.5], 0.6),
];

/// `y = Σ h·exp(−|x − c|² / (2 w²)) + N(0, noise²)` over three bumps, x uniform in [−3, 3]².
fn bumps(rng: &mut StdRng, n: usize, noise: f64) -> Dataset {
    let mut b = Builder::new(Builtin::Bumps, n);
    for _ in 0..n {
        let x1 = rng.random_range(-3.0..3.0);
        let x2 = rng.random_range(-3.0..3.0);
        let y: f64 = BUMPS
            .iter()
            .map(|(h, [c1, c2], w)| {
                h * (-((x1 - c1).powi(2) + (x2 - c2).powi(2)) / (2.0 * w * w)).exp()
            })
            .sum();
        b.value_point(x1, x2, y + noise * normal(rng));
    }
    b.regression()
}

/// Fisher's iris from the built-in CSV, species in the order setosa, versicolor, virginica.
fn iris() -> Dataset {
    let roles = ColumnRoles {
        target: Some("Species".into()),
        ..ColumnRoles::default()
    };
    match read_csv_bytes("iris", IRIS_CSV.as_bytes(), &roles) {
        Ok(mut data) => {
            data.standardize_by_default = false;
            data
        }
        // The asset is fixed and tested; this arm only keeps a bad edit from panicking.
        Err(e) => Dataset {
            name: format!("iris (unreadable: {e})"),
            feature_names: Vec::new(),
            features: Matrix::zeros(0, 0),
            target_name: "Species".into(),
            target: Target::Values(Vec::new()),
            standardize_by_default: false,
            dropped_rows: 0,
            levels: Default::default(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn small(builtin: Builtin, seed: u64) -> Dataset {
        builtin.generate(&GeneratorOptions {
            seed,
            ..builtin.default_options()
        })
    }

    #[test]
    fn names_round_trip() {
        for b in Builtin::ALL {
            assert_eq!(b.name().parse(), Ok(b));
            assert!(!b.label().is_empty());
        }
        assert_eq!("HotDogs".parse(), Ok(Builtin::HotDogs));
        assert_eq!("hot-dogs".parse(), Ok(Builtin::HotDogs));
        assert!("nope".parse::<Builtin>().is_err());
    }

    #[test]
    fn every_generator_is_deterministic_and_sized() {
        for b in Builtin::ALL {
            let opts = b.default_options();
            let first = b.generate(&opts);
            assert_eq!(first, b.generate(&opts), "{}", b.name());
            assert_eq!(first.n_rows(), opts.points, "{}", b.name());
            assert_eq!(first.target.len(), first.n_rows(), "{}", b.name());
            assert!(first.features.is_finite(), "{}", b.name());
            if b != Builtin::Iris {
                assert_ne!(first, small(b, opts.seed + 1), "{}: seed ignored", b.name());
                assert_eq!(first.n_features(), 2);
            }
            assert_eq!(
                b.is_regression(),
                !first.target.is_classes(),
                "{}",
                b.name()
            );
        }
    }

    #[test]
    fn classes_are_balanced() {
        for b in [
            Builtin::HotDogs,
            Builtin::Circle,
            Builtin::Xor,
            Builtin::Gauss,
            Builtin::Moons,
        ] {
            let data = small(b, 7);
            assert_eq!(data.class_names().len(), 2, "{}", b.name());
            let Target::Classes { labels, .. } = &data.target else {
                panic!("{} is not classes", b.name());
            };
            let ones = labels.iter().filter(|&&l| l == 1).count();
            let share = ones as f64 / labels.len() as f64;
            assert!((0.4..=0.6).contains(&share), "{}: {share}", b.name());
        }
    }

    #[test]
    fn hot_dogs_follow_the_article() {
        let data = Builtin::HotDogs.generate(&GeneratorOptions::default());
        assert_eq!(data.class_names(), ["not hot dog", "hot dog"]);
        assert_eq!(data.n_rows(), 200);
        assert!(!data.standardize_by_default);
        let Target::Classes { labels, .. } = &data.target else {
            panic!("hot dogs are classes");
        };
        assert!(labels[..100].iter().all(|&l| l == 0));
        assert!(labels[100..].iter().all(|&l| l == 1));
        // With no noise every point lies on its arm: |x| = θ ∈ [π/2, 3.5π].
        let exact = Builtin::HotDogs.generate(&GeneratorOptions {
            noise: 0.0,
            ..GeneratorOptions::default()
        });
        for row in exact.features.iter_rows() {
            let r = row[0].hypot(row[1]);
            assert!((PI / 2.0 - 1e-9..=3.5 * PI + 1e-9).contains(&r), "{r}");
        }
    }

    #[test]
    fn spirals_have_k_classes() {
        for arms in 2..=6 {
            let data = Builtin::Spirals.generate(&GeneratorOptions {
                arms,
                points: 100,
                ..Builtin::Spirals.default_options()
            });
            assert_eq!(data.class_names().len(), arms);
            assert_eq!(data.class_names()[0], "arm 1");
            assert_eq!(data.n_rows(), 100);
        }
        let clamped = Builtin::Spirals.generate(&GeneratorOptions {
            arms: 9,
            ..Builtin::Spirals.default_options()
        });
        assert_eq!(clamped.class_names().len(), 6);
    }

    #[test]
    fn iris_is_built_in() {
        let data = Builtin::Iris.generate(&GeneratorOptions::default());
        assert_eq!(data.n_rows(), 150);
        assert_eq!(
            data.feature_names,
            ["Sepal.Length", "Sepal.Width", "Petal.Length", "Petal.Width"]
        );
        assert_eq!(data.class_names(), ["setosa", "versicolor", "virginica"]);
        assert_eq!(data.features.row(0), [5.1, 3.5, 1.4, 0.2]);
        assert!(!data.standardize_by_default);
    }

    #[test]
    fn regression_targets_follow_their_formula() {
        let plane = Builtin::Plane.generate(&GeneratorOptions {
            noise: 0.0,
            ..Builtin::Plane.default_options()
        });
        let Target::Values(y) = &plane.target else {
            panic!("plane is regression");
        };
        for (row, y) in plane.features.iter_rows().zip(y) {
            assert!((2.0 * row[0] - row[1] - y).abs() < 1e-12);
        }
        let bumps = small(Builtin::Bumps, 3);
        let Target::Values(y) = &bumps.target else {
            panic!("bumps is regression");
        };
        let spread =
            y.iter().cloned().fold(f64::MIN, f64::max) - y.iter().cloned().fold(f64::MAX, f64::min);
        assert!(spread > 1.0, "{spread}");
    }

    /// Leave-one-out accuracy of 5 nearest neighbours: a cheap stand-in for "a small network
    /// separates this".
    fn knn_accuracy(data: &Dataset) -> f64 {
        let Target::Classes { labels, names } = &data.target else {
            panic!("classes expected");
        };
        let x = &data.features;
        let mut correct = 0;
        for i in 0..x.rows() {
            let mut d: Vec<(f64, usize)> = (0..x.rows())
                .filter(|&j| j != i)
                .map(|j| {
                    let (a, b) = (x.row(i), x.row(j));
                    ((a[0] - b[0]).powi(2) + (a[1] - b[1]).powi(2), labels[j])
                })
                .collect();
            d.sort_by(|a, b| a.0.total_cmp(&b.0));
            let mut votes = vec![0; names.len()];
            for &(_, l) in &d[..5] {
                votes[l] += 1;
            }
            let best = (0..votes.len()).max_by_key(|&k| votes[k]).unwrap_or(0);
            correct += usize::from(best == labels[i]);
        }
        correct as f64 / x.rows() as f64
    }

    #[test]
    fn default_noise_leaves_toy_sets_separable() {
        for b in [
            Builtin::Circle,
            Builtin::Xor,
            Builtin::Gauss,
            Builtin::Moons,
        ] {
            for seed in [1, 2] {
                let accuracy = knn_accuracy(&small(b, seed));
                assert!(accuracy >= 0.97, "{} seed {seed}: {accuracy}", b.name());
            }
        }
        let spirals = small(Builtin::Spirals, 1);
        assert!(knn_accuracy(&spirals) >= 0.95);
    }
}
