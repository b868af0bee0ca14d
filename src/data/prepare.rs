//! Preparation: the train/test split (stratified for classes) and standardisation fitted on the
//! training rows only.

use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};
use serde::{Deserialize, Serialize};

use super::{DataError, Dataset, Inputs, Target};
use crate::nn::{Matrix, Targets};

/// `(value − mean) / sd`, also when `value − mean` overflows (values near ±1.8e308): then
/// `value / sd − mean / sd`. Ordinary values take the first form, bit for bit.
pub fn standardized(value: f64, mean: f64, sd: f64) -> f64 {
    let centred = value - mean;
    if centred.is_finite() {
        centred / sd
    } else {
        value / sd - mean / sd
    }
}

/// Per-feature mean and standard deviation: `standardized = (raw − mean) / sd`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Scaling {
    /// Mean of each feature over the rows it was fitted on, raw units.
    pub mean: Vec<f64>,
    /// Sample standard deviation (divisor n − 1, as R's `sd`) of each feature, raw units; 1
    /// where it is 0 or undefined, so constant features pass through centred; the largest
    /// `f64` where it is larger than that.
    pub sd: Vec<f64>,
}

impl Scaling {
    /// Fits the scaling on the rows of `x` (`[n, d]`, finite values).
    ///
    /// Sums run in the data's units; a column whose sums overflow (values beyond about 1e154
    /// square to infinity, beyond 1e308 / n add up to it) is summed again divided by its
    /// largest absolute value, so the mean and sd are always finite.
    pub fn fit(x: &Matrix) -> Self {
        let mut scaling = Self::fit_plain(x);
        let n = x.rows();
        for j in 0..x.cols() {
            if scaling.mean[j].is_finite() && scaling.sd[j].is_finite() {
                continue;
            }
            let column = x.column(j);
            let largest = column.iter().fold(0.0_f64, |m, v| m.max(v.abs()));
            if !(largest.is_finite() && largest > 0.0) {
                continue;
            }
            let mean = column.iter().map(|v| v / largest).sum::<f64>() / n as f64;
            let squares: f64 = column.iter().map(|v| (v / largest - mean).powi(2)).sum();
            scaling.mean[j] = mean * largest;
            let sd = if n > 1 {
                (squares / (n - 1) as f64).sqrt() * largest
            } else {
                0.0
            };
            scaling.sd[j] = if sd > 0.0 { sd.min(f64::MAX) } else { 1.0 };
        }
        scaling
    }

    /// [`Self::fit`] in the data's units; infinite where the sums overflow.
    fn fit_plain(x: &Matrix) -> Self {
        let (n, d) = x.shape();
        let mut mean = vec![0.0; d];
        for row in x.iter_rows() {
            for (m, v) in mean.iter_mut().zip(row) {
                *m += v;
            }
        }
        for m in &mut mean {
            *m = if n > 0 { *m / n as f64 } else { 0.0 };
        }
        let mut sd = vec![0.0; d];
        for row in x.iter_rows() {
            for ((s, v), m) in sd.iter_mut().zip(row).zip(&mean) {
                *s += (v - m) * (v - m);
            }
        }
        for s in &mut sd {
            let value = if n > 1 {
                (*s / (n - 1) as f64).sqrt()
            } else {
                0.0
            };
            *s = if value > 0.0 { value } else { 1.0 };
        }
        Self { mean, sd }
    }

    /// The identity scaling for `d` features.
    pub fn identity(d: usize) -> Self {
        Self {
            mean: vec![0.0; d],
            sd: vec![1.0; d],
        }
    }

    /// `x` (`[n, d]`, raw units) standardised.
    pub fn standardized_from_raw(&self, x: &Matrix) -> Matrix {
        let mut out = x.clone();
        self.standardize_in_place(&mut out);
        out
    }

    /// Standardises every row of `x` (`[n, d]`, raw units) where it lies: the numbers of
    /// [`Self::standardized_from_raw`] without a second matrix.
    pub fn standardize_in_place(&self, x: &mut Matrix) {
        let d = x.cols();
        if d == 0 {
            return;
        }
        for row in x.as_mut_slice().chunks_exact_mut(d) {
            self.apply_row(row);
        }
    }

    /// `x` (`[n, d]`, standardised) back in raw units.
    pub fn raw_from_standardized(&self, x: &Matrix) -> Matrix {
        let mut out = x.clone();
        for i in 0..out.rows() {
            for ((v, m), s) in out.row_mut(i).iter_mut().zip(&self.mean).zip(&self.sd) {
                *v = *v * s + m;
            }
        }
        out
    }

    /// Standardises one row in place (a grid point or a point to predict), with
    /// [`standardized`].
    pub fn apply_row(&self, row: &mut [f64]) {
        for ((v, &m), &s) in row.iter_mut().zip(&self.mean).zip(&self.sd) {
            *v = standardized(*v, m, s);
        }
    }
}

/// How to split and scale a data set.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct PrepareOptions {
    /// Share of rows held out for testing, in `[0, 1)`. Default 0.2.
    pub test_fraction: f64,
    /// Standardise features (fitted on the training rows). Default true.
    pub standardize: bool,
    /// Seed of the split. Default 1.
    pub seed: u64,
}

impl Default for PrepareOptions {
    fn default() -> Self {
        Self {
            test_fraction: 0.2,
            standardize: true,
            seed: 1,
        }
    }
}

/// A data set split and scaled, ready for training.
#[derive(Clone, Debug, PartialEq)]
pub struct Prepared {
    /// Training features, `[n_train, d]`, standardised if `scaling` is set.
    pub train_x: Matrix,
    /// Training targets.
    pub train_y: Targets,
    /// Test features, `[n_test, d]` (possibly 0 rows), scaled like `train_x`.
    pub test_x: Matrix,
    /// Test targets.
    pub test_y: Targets,
    /// Rows of the data set in `train_x`, ascending.
    pub train_rows: Vec<usize>,
    /// Rows of the data set in `test_x`, ascending.
    pub test_rows: Vec<usize>,
    /// The scaling applied (fitted on the training rows), if any.
    pub scaling: Option<Scaling>,
    /// The network's inputs as terms over the data's features, if they are not the features
    /// themselves: `train_x` and `test_x` hold the terms (then scaled).
    pub inputs: Option<Inputs>,
}

/// Splits `data` into training and test rows and standardises the features if asked.
///
/// Classes are split stratified: each class gives the same share of its rows to the test set
/// (rounded so the total is `round(test_fraction · n)`, every class keeping a training row).
/// Both row lists are in the data set's order; with `test_fraction == 0` all rows train.
pub fn prepare(data: &Dataset, opts: &PrepareOptions) -> Result<Prepared, DataError> {
    prepare_inputs(data, opts, None)
}

/// [`prepare`] with the network's inputs as `inputs`' terms over the data's features.
pub fn prepare_inputs(
    data: &Dataset,
    opts: &PrepareOptions,
    inputs: Option<&Inputs>,
) -> Result<Prepared, DataError> {
    let (train_rows, test_rows) = split(data, opts, inputs)?;
    Ok(Prepared::from_rows(
        data,
        train_rows,
        test_rows,
        opts.standardize,
        inputs,
    ))
}

/// [`prepare_inputs`] for a caller that has no further use for the data set's rows (the
/// command line): the training matrix is the data set's own, its test rows taken out and the
/// rest moved up where they lie, so the features are never held twice. The figures are those
/// of [`prepare_inputs`], bit for bit.
pub fn prepare_inputs_owned(
    data: Dataset,
    opts: &PrepareOptions,
    inputs: Option<&Inputs>,
) -> Result<Prepared, DataError> {
    let (train_rows, test_rows) = split(&data, opts, inputs)?;
    if inputs.is_some() {
        // The terms make matrices of their own anyway.
        return Ok(Prepared::from_rows(
            &data,
            train_rows,
            test_rows,
            opts.standardize,
            inputs,
        ));
    }
    let mut test_x = data.features.select_rows(&test_rows);
    let (train_y, test_y) = (data.targets_of(&train_rows), data.targets_of(&test_rows));
    let mut train_x = data.features;
    train_x.retain_rows(&train_rows);
    let scaling = opts.standardize.then(|| {
        let scaling = Scaling::fit(&train_x);
        scaling.standardize_in_place(&mut train_x);
        scaling.standardize_in_place(&mut test_x);
        scaling
    });
    Ok(Prepared {
        train_x,
        train_y,
        test_x,
        test_y,
        train_rows,
        test_rows,
        scaling,
        inputs: None,
    })
}

/// The training and test rows of `data` (each ascending) under `opts`, checked.
fn split(
    data: &Dataset,
    opts: &PrepareOptions,
    inputs: Option<&Inputs>,
) -> Result<(Vec<usize>, Vec<usize>), DataError> {
    if let Some(inputs) = inputs
        && inputs.features() != data.feature_names.as_slice()
    {
        return Err(DataError::Invalid(format!(
            "the input terms {} are over the features {}, but {} has {}",
            inputs.text(),
            inputs.features().join(", "),
            data.name,
            data.feature_names.join(", ")
        )));
    }
    if !(0.0..1.0).contains(&opts.test_fraction) {
        return Err(DataError::Invalid(format!(
            "test fraction {} must be at least 0 and below 1",
            opts.test_fraction
        )));
    }
    let n = data.n_rows();
    if n == 0 {
        return Err(DataError::Invalid(format!("{} has no rows", data.name)));
    }
    if data.target.len() != n {
        return Err(DataError::Invalid(format!(
            "{}: {} feature rows but {} targets",
            data.name,
            n,
            data.target.len()
        )));
    }
    let mut rng = StdRng::seed_from_u64(opts.seed);
    let groups: Vec<Vec<usize>> = match &data.target {
        Target::Classes { names, labels } => {
            let mut groups = vec![Vec::new(); names.len()];
            for (i, &l) in labels.iter().enumerate() {
                if let Some(group) = groups.get_mut(l) {
                    group.push(i);
                } else {
                    return Err(DataError::ClassOutOfRange {
                        class: l,
                        n_classes: names.len(),
                    });
                }
            }
            groups
        }
        Target::Values(_) => vec![(0..n).collect()],
    };
    let test_counts = test_counts(&groups, opts.test_fraction, n);
    let mut test_rows = Vec::new();
    for (mut group, &count) in groups.into_iter().zip(&test_counts) {
        // Partial Fisher–Yates: the first `count` entries become a uniform sample.
        for k in 0..count {
            let j = rng.random_range(k..group.len());
            group.swap(k, j);
        }
        test_rows.extend_from_slice(&group[..count]);
    }
    test_rows.sort_unstable();
    let mut in_test = vec![false; n];
    for &i in &test_rows {
        in_test[i] = true;
    }
    let train_rows: Vec<usize> = (0..n).filter(|&i| !in_test[i]).collect();
    Ok((train_rows, test_rows))
}

impl Prepared {
    /// The matrices of `data` for the given training and test rows (each ascending),
    /// standardised if asked with figures fitted on the training rows: [`prepare`] with the
    /// split chosen by the caller (e.g. one that keeps every row's side when a point is added).
    pub fn from_rows(
        data: &Dataset,
        train_rows: Vec<usize>,
        test_rows: Vec<usize>,
        standardize: bool,
        inputs: Option<&Inputs>,
    ) -> Self {
        // Each matrix is written once, from the data set's rows, and scaled where it lies.
        let terms = |x: Matrix| match inputs {
            Some(i) => i.expand(&x),
            None => x,
        };
        let mut train_x = terms(data.features.select_rows(&train_rows));
        let mut test_x = terms(data.features.select_rows(&test_rows));
        let scaling = standardize.then(|| {
            let scaling = Scaling::fit(&train_x);
            scaling.standardize_in_place(&mut train_x);
            scaling.standardize_in_place(&mut test_x);
            scaling
        });
        Self {
            train_y: data.targets_of(&train_rows),
            test_y: data.targets_of(&test_rows),
            train_x,
            test_x,
            train_rows,
            test_rows,
            scaling,
            inputs: inputs.cloned(),
        }
    }

    /// Rows of the data's features (`[n, features]`) as the network takes them
    /// (`[n, inputs]`): see [`network_inputs`].
    pub fn network_inputs(&self, x: Matrix) -> Matrix {
        network_inputs(self.inputs.as_ref(), self.scaling.as_ref(), x)
    }

    /// The names of the network's inputs: the terms, or the data's features.
    pub fn input_names(&self, feature_names: &[String]) -> Vec<String> {
        self.inputs
            .as_ref()
            .map_or_else(|| feature_names.to_vec(), |i| i.names().to_vec())
    }
}

/// Rows of features (`[n, features]`) as a network takes them (`[n, inputs]`): their input
/// terms if there are any, then scaled if there is a scaling, as in training.
pub fn network_inputs(inputs: Option<&Inputs>, scaling: Option<&Scaling>, x: Matrix) -> Matrix {
    let mut out = match inputs {
        Some(inputs) => inputs.expand(&x),
        None => x,
    };
    if let Some(scaling) = scaling {
        for i in 0..out.rows() {
            scaling.apply_row(out.row_mut(i));
        }
    }
    out
}

/// Test rows per group: proportional shares, largest remainders first, summing to
/// `round(fraction · n)`; a group of two or more rows keeps at least one training row.
fn test_counts(groups: &[Vec<usize>], fraction: f64, n: usize) -> Vec<usize> {
    let wanted = ((fraction * n as f64).round() as usize).min(n);
    let cap = |g: &Vec<usize>| g.len().saturating_sub(1);
    let mut counts: Vec<usize> = groups
        .iter()
        .map(|g| ((fraction * g.len() as f64).floor() as usize).min(cap(g)))
        .collect();
    let mut order: Vec<usize> = (0..groups.len()).collect();
    let remainder = |k: usize| fraction * groups[k].len() as f64 - counts[k] as f64;
    order.sort_by(|&a, &b| remainder(b).total_cmp(&remainder(a)).then(a.cmp(&b)));
    let mut total: usize = counts.iter().sum();
    for &k in order.iter().cycle().take(order.len() * 2) {
        if total >= wanted {
            break;
        }
        if counts[k] < cap(&groups[k]) {
            counts[k] += 1;
            total += 1;
        }
    }
    counts
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::{Builtin, GeneratorOptions};

    #[test]
    fn split_is_stratified_and_seeded() {
        let data = Builtin::Iris.generate(&GeneratorOptions::default());
        let opts = PrepareOptions {
            test_fraction: 0.2,
            standardize: false,
            seed: 4,
        };
        let p = prepare(&data, &opts).unwrap();
        assert_eq!(p.test_rows.len(), 30);
        assert_eq!(p.train_rows.len(), 120);
        let Targets::Classes { labels, n_classes } = &p.test_y else {
            panic!("classes expected");
        };
        assert_eq!(*n_classes, 3);
        for class in 0..3 {
            assert_eq!(labels.iter().filter(|&&l| l == class).count(), 10);
        }
        assert_eq!(p, prepare(&data, &opts).unwrap());
        let other = prepare(&data, &PrepareOptions { seed: 5, ..opts }).unwrap();
        assert_ne!(p.test_rows, other.test_rows);
        let mut all: Vec<usize> = p.train_rows.iter().chain(&p.test_rows).copied().collect();
        all.sort_unstable();
        assert_eq!(all, (0..150).collect::<Vec<_>>());
        assert_eq!(p.train_x.row(0), data.features.row(p.train_rows[0]));
    }

    #[test]
    fn the_owned_preparation_gives_the_same_matrices() {
        for builtin in [Builtin::Iris, Builtin::Plane, Builtin::HotDogs] {
            let data = builtin.generate(&builtin.default_options());
            for (standardize, test_fraction) in [(true, 0.2), (false, 0.3), (true, 0.0)] {
                let opts = PrepareOptions {
                    test_fraction,
                    standardize,
                    seed: 3,
                };
                let owned = prepare_inputs_owned(data.clone(), &opts, None).unwrap();
                assert_eq!(owned, prepare(&data, &opts).unwrap(), "{builtin:?}");
            }
        }
    }

    #[test]
    fn zero_test_fraction_keeps_every_row_in_order() {
        let data = Builtin::HotDogs.generate(&GeneratorOptions::default());
        let p = prepare(
            &data,
            &PrepareOptions {
                test_fraction: 0.0,
                standardize: false,
                seed: 1,
            },
        )
        .unwrap();
        assert_eq!(p.train_rows, (0..200).collect::<Vec<_>>());
        assert_eq!(p.train_x, data.features);
        assert_eq!(p.train_y, data.targets());
        assert_eq!(p.test_x.rows(), 0);
        assert_eq!(p.test_x.cols(), 2);
        assert!(p.test_y.is_empty());
        assert!(p.scaling.is_none());
    }

    #[test]
    fn standardisation_uses_training_rows_only() {
        let data = Builtin::Plane.generate(&Builtin::Plane.default_options());
        let p = prepare(&data, &PrepareOptions::default()).unwrap();
        let scaling = p.scaling.clone().unwrap();
        let refit = Scaling::fit(&data.features.select_rows(&p.train_rows));
        assert_eq!(scaling, refit);
        let everything = Scaling::fit(&data.features);
        assert_ne!(scaling.mean, everything.mean);
        for j in 0..2 {
            let column = p.train_x.column(j);
            let mean = column.iter().sum::<f64>() / column.len() as f64;
            let var =
                column.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (column.len() - 1) as f64;
            assert!(mean.abs() < 1e-12, "{mean}");
            assert!((var - 1.0).abs() < 1e-12, "{var}");
        }
        // The test rows are scaled with the training rows' figures.
        let raw = data.features.row(p.test_rows[0]);
        let expected = (raw[0] - scaling.mean[0]) / scaling.sd[0];
        assert!((p.test_x.get(0, 0) - expected).abs() < 1e-15);
        assert!(matches!(&p.train_y, Targets::Values(m) if m.cols() == 1));
        let back = scaling.raw_from_standardized(&p.test_x);
        assert!((back.get(0, 0) - raw[0]).abs() < 1e-12);
    }

    #[test]
    fn huge_values_give_a_finite_scaling() {
        // Near the largest f64 the plain mean overflows; around 1e300 the squares do.
        for (big, small) in [(1.7e308, -1e308), (1e300, -3e299), (1e160, 2e159)] {
            let x = Matrix::from_vec(
                20,
                2,
                (0..20)
                    .flat_map(|i| [if i % 3 == 0 { small } else { big }, f64::from(i)])
                    .collect(),
            )
            .unwrap();
            let s = Scaling::fit(&x);
            assert!(s.mean.iter().chain(&s.sd).all(|v| v.is_finite()), "{s:?}");
            assert!(
                s.sd[0] > big / 10.0,
                "{big}: sd {} is not a spread",
                s.sd[0]
            );
            // Seven of the twenty rows (i % 3 == 0) hold the small value.
            let expected = 0.35 * small + 0.65 * big;
            assert!(
                (s.mean[0] / expected - 1.0).abs() < 0.05,
                "{big}: {:?}",
                s.mean
            );
            let scaled = s.standardized_from_raw(&x);
            assert!(scaled.is_finite());
            let column = scaled.column(0);
            let mean = column.iter().sum::<f64>() / 20.0;
            assert!(mean.abs() < 1e-9, "{big}: {mean}");
            // Ordinary columns are untouched by the fallback.
            assert_eq!(s.sd[1], Scaling::fit_plain(&x).sd[1]);
        }
    }

    #[test]
    fn constant_feature_scales_by_one() {
        let x = Matrix::from_rows(&[vec![3.0, 1.0], vec![3.0, 2.0], vec![3.0, 4.0]]).unwrap();
        let s = Scaling::fit(&x);
        assert_eq!(s.sd[0], 1.0);
        assert_eq!(s.mean[0], 3.0);
        let mut row = [3.0, 2.0];
        s.apply_row(&mut row);
        assert_eq!(row[0], 0.0);
    }

    #[test]
    fn bad_fractions_are_refused() {
        let data = Builtin::Gauss.generate(&Builtin::Gauss.default_options());
        for f in [-0.1, 1.0, f64::NAN] {
            let opts = PrepareOptions {
                test_fraction: f,
                ..PrepareOptions::default()
            };
            assert!(prepare(&data, &opts).is_err(), "{f}");
        }
    }

    #[test]
    fn small_classes_keep_a_training_row() {
        let groups = vec![vec![0, 1], vec![2], (3..13).collect()];
        let counts = test_counts(&groups, 0.5, 13);
        assert_eq!(counts[1], 0);
        assert!(counts[0] <= 1);
        assert_eq!(counts.iter().sum::<usize>(), 7);
    }
}
