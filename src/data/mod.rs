//! Data: the [`Dataset`] type, built-in generators, CSV import, scaling and the train/test split.
//!
//! Everything nnviz trains on arrives as a [`Dataset`]: named feature columns in the user's own
//! units and a target (classes in a known order, or numbers). [`prepare`] turns it into the
//! matrices the engine trains on. No UI code lives here.

mod csv;
mod csv_source;
mod generators;
mod inputs;
mod number;
mod prepare;

pub use self::csv::{
    AUTO_MAX_INTEGER_CLASSES, BenchCsvReport, Cell, ColumnKind, ColumnRoles, ColumnSummary,
    MAX_COLUMNS, MAX_FEATURE_VALUES, MAX_HEADER_BYTES, MAX_LEVELS, Table, Task, bench_csv,
    bench_csv_file, read_csv_bytes, read_csv_path,
};
pub use csv_source::CsvSource;
pub use generators::{Builtin, GeneratorOptions, MAX_POINTS, MIN_POINTS};
pub use inputs::{Inputs, Term, playground_terms};
pub use prepare::{
    PrepareOptions, Prepared, Scaling, network_inputs, prepare, prepare_inputs,
    prepare_inputs_owned, standardized,
};

use crate::nn::{Matrix, Targets};
use crate::text::{short, short_line};

/// A data set: named features in the user's units and a target, one entry per row.
#[derive(Clone, Debug, PartialEq)]
pub struct Dataset {
    /// What the data set is called: "hot dogs", a file name, ….
    pub name: String,
    /// One name per feature column, after one-hot encoding (`colour=red`, …).
    pub feature_names: Vec<String>,
    /// The features, `[n_rows, n_features]`, in raw (the user's) units.
    pub features: Matrix,
    /// The name of the target column.
    pub target_name: String,
    /// What is predicted for each row.
    pub target: Target,
    /// Whether features are standardised before training unless the user says otherwise: true
    /// for CSVs, false for the article's presets.
    pub standardize_by_default: bool,
    /// Rows of the source file left out because a used column had a missing value.
    pub dropped_rows: usize,
    /// The levels of each one-hot encoded text column, the reference level (all zeros) first;
    /// kept in saved models so that `predict` can refuse a level it never saw.
    pub levels: std::collections::BTreeMap<String, Vec<String>>,
}

/// A one-hot encoded text column of a [`Dataset`]: see [`Dataset::text_features`].
#[derive(Clone, Debug, PartialEq)]
pub struct TextFeature {
    /// The column's name in the file (`colour`).
    pub column: String,
    /// Its levels, the reference level first.
    pub levels: Vec<String>,
    /// The feature column of each level; `None` for the reference level.
    pub features: Vec<Option<usize>>,
}

impl TextFeature {
    /// Sets `row`'s features of this column to level `level`: its column 1, the others 0.
    pub fn hold(&self, row: &mut [f64], level: usize) {
        for (i, f) in self.features.iter().enumerate() {
            if let Some(v) = f.and_then(|j| row.get_mut(j)) {
                *v = if i == level { 1.0 } else { 0.0 };
            }
        }
    }

    /// The level that `row` holds, if it holds exactly one.
    pub fn level_of(&self, row: &[f64]) -> Option<usize> {
        let on: Vec<usize> = (0..self.features.len())
            .filter(|&i| self.features[i].is_some_and(|j| row.get(j) == Some(&1.0)))
            .collect();
        let all_zero_or_one = self
            .features
            .iter()
            .flatten()
            .all(|&j| matches!(row.get(j), Some(v) if *v == 0.0 || *v == 1.0));
        match on[..] {
            [] if all_zero_or_one => Some(0),
            [i] if all_zero_or_one => Some(i),
            _ => None,
        }
    }
}

/// The target of a [`Dataset`]: class labels with their names, or numbers.
#[derive(Clone, Debug, PartialEq)]
pub enum Target {
    /// Classification.
    Classes {
        /// Class names; index `k` names label `k`. Order: as the user gave it, else order of
        /// first appearance (ascending for a numeric column).
        names: Vec<String>,
        /// The class of each row, in `0..names.len()`.
        labels: Vec<usize>,
    },
    /// Regression: one number per row.
    Values(Vec<f64>),
}

impl Target {
    /// Number of rows.
    pub fn len(&self) -> usize {
        match self {
            Self::Classes { labels, .. } => labels.len(),
            Self::Values(v) => v.len(),
        }
    }

    /// True if there are no rows.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// True for classification.
    pub fn is_classes(&self) -> bool {
        matches!(self, Self::Classes { .. })
    }
}

impl Dataset {
    /// The targets in the engine's form: `Classes { labels, n_classes }` or `Values([n, 1])`.
    pub fn targets(&self) -> Targets {
        match &self.target {
            Target::Classes { names, labels } => Targets::Classes {
                labels: labels.clone(),
                n_classes: names.len(),
            },
            Target::Values(values) => Targets::Values(column_matrix(values)),
        }
    }

    /// The targets of rows `rows` (indices into the data set) in the engine's form: what
    /// `self.targets().select(rows)` gives, without a copy of every row's target first.
    pub fn targets_of(&self, rows: &[usize]) -> Targets {
        match &self.target {
            Target::Classes { names, labels } => Targets::Classes {
                labels: rows.iter().map(|&i| labels[i]).collect(),
                n_classes: names.len(),
            },
            Target::Values(values) => {
                let picked: Vec<f64> = rows.iter().map(|&i| values[i]).collect();
                Targets::Values(column_matrix(&picked))
            }
        }
    }

    /// Number of rows.
    pub fn n_rows(&self) -> usize {
        self.features.rows()
    }

    /// Number of feature columns.
    pub fn n_features(&self) -> usize {
        self.features.cols()
    }

    /// The one-hot encoded text columns: each with its levels (the reference level first) and
    /// the feature column of each level (`None` for the reference level, all zeros).
    pub fn text_features(&self) -> Vec<TextFeature> {
        self.levels
            .iter()
            .map(|(column, levels)| TextFeature {
                column: column.clone(),
                levels: levels.clone(),
                features: levels
                    .iter()
                    .map(|level| {
                        let name = format!("{column}={level}");
                        self.feature_names.iter().position(|n| *n == name)
                    })
                    .collect(),
            })
            .filter(|t| t.features.iter().any(Option::is_some))
            .collect()
    }

    /// A typical row, where the decision plot's slice holds the features off its axes: each
    /// number at its mean, each text column at its most common level (one-hot: a 1 and 0s,
    /// never a fraction of a level).
    pub fn typical_row(&self) -> Vec<f64> {
        let x = &self.features;
        let n = x.rows().max(1) as f64;
        // One pass over the rows; each column's sum still runs in row order, from −0 as
        // `Iterator::sum` starts.
        let mut row = vec![-0.0; x.cols()];
        for r in x.iter_rows() {
            for (sum, v) in row.iter_mut().zip(r) {
                *sum += v;
            }
        }
        for sum in &mut row {
            *sum /= n;
        }
        for text in self.text_features() {
            // A level's share of the rows is its column's mean; the reference level has the rest.
            let share = |f: &Option<usize>| match f {
                Some(j) => row[*j],
                None => 1.0 - text.features.iter().flatten().map(|&j| row[j]).sum::<f64>(),
            };
            let shares: Vec<f64> = text.features.iter().map(share).collect();
            let common = (0..shares.len())
                .max_by(|&a, &b| shares[a].total_cmp(&shares[b]).then(b.cmp(&a)))
                .unwrap_or(0);
            text.hold(&mut row, common);
        }
        row
    }

    /// Class names in label order; empty for regression.
    pub fn class_names(&self) -> &[String] {
        match &self.target {
            Target::Classes { names, .. } => names,
            Target::Values(_) => &[],
        }
    }

    /// Appends a row of class `class` at `x` (click-to-add in the app).
    ///
    /// Fails if `x` has the wrong length or a non-finite value, if `class` is out of range, or
    /// if the target is numeric.
    pub fn add_point(&mut self, x: &[f64], class: usize) -> Result<(), DataError> {
        self.check_point(x)?;
        let Target::Classes { names, labels } = &mut self.target else {
            return Err(DataError::NotClassification {
                data: self.name.clone(),
            });
        };
        if class >= names.len() {
            return Err(DataError::ClassOutOfRange {
                class,
                n_classes: names.len(),
            });
        }
        self.features
            .push_row(x)
            .map_err(|e| DataError::Invalid(e.to_string()))?;
        labels.push(class);
        Ok(())
    }

    /// Appends a row with target value `value` at `x` (click-to-add for regression).
    pub fn add_value_point(&mut self, x: &[f64], value: f64) -> Result<(), DataError> {
        self.check_point(x)?;
        if !value.is_finite() {
            return Err(DataError::Invalid(format!(
                "target value {value} is not finite"
            )));
        }
        let Target::Values(values) = &mut self.target else {
            return Err(DataError::Invalid(format!(
                "{} is a classification data set: give a class, not a value",
                self.name
            )));
        };
        self.features
            .push_row(x)
            .map_err(|e| DataError::Invalid(e.to_string()))?;
        values.push(value);
        Ok(())
    }

    fn check_point(&self, x: &[f64]) -> Result<(), DataError> {
        if x.len() != self.n_features() {
            return Err(DataError::PointDimension {
                expected: self.n_features(),
                found: x.len(),
            });
        }
        if x.iter().any(|v| !v.is_finite()) {
            return Err(DataError::Invalid(format!("point {x:?} is not finite")));
        }
        Ok(())
    }

    /// The row nearest to `x` (Euclidean, raw units), if it lies within `radius`.
    pub fn nearest_row(&self, x: &[f64], radius: f64) -> Option<usize> {
        if x.len() != self.n_features() {
            return None;
        }
        let mut best: Option<(usize, f64)> = None;
        for (i, row) in self.features.iter_rows().enumerate() {
            let d2: f64 = row.iter().zip(x).map(|(a, b)| (a - b) * (a - b)).sum();
            if best.is_none_or(|(_, b)| d2 < b) {
                best = Some((i, d2));
            }
        }
        best.filter(|&(_, d2)| d2 <= radius * radius)
            .map(|(i, _)| i)
    }

    /// Removes row `i` (features and target); rows after it move up by one.
    pub fn remove_row(&mut self, i: usize) {
        if i >= self.n_rows() {
            return;
        }
        self.features.remove_row(i);
        match &mut self.target {
            Target::Classes { labels, .. } => {
                labels.remove(i);
            }
            Target::Values(values) => {
                values.remove(i);
            }
        }
    }

    /// Removes the row nearest to `x` if it lies within `radius` ([`Self::nearest_row`]);
    /// returns which row was removed.
    pub fn remove_nearest(&mut self, x: &[f64], radius: f64) -> Option<usize> {
        let i = self.nearest_row(x, radius)?;
        self.remove_row(i);
        Some(i)
    }

    /// Writes the data set as CSV (features, then the target; class names as text), readable
    /// again by [`read_csv_bytes`]. Numbers are written in the shortest form that reads back
    /// to the same `f64`.
    pub fn write_csv<W: std::io::Write>(&self, w: W) -> Result<(), DataError> {
        let io_error = |e: ::csv::Error| DataError::Io {
            file: self.name.clone(),
            message: e.to_string(),
        };
        let mut writer = ::csv::Writer::from_writer(w);
        let mut header: Vec<&str> = self.feature_names.iter().map(String::as_str).collect();
        header.push(&self.target_name);
        writer.write_record(&header).map_err(io_error)?;
        let mut record: Vec<String> = Vec::with_capacity(header.len());
        for (i, row) in self.features.iter_rows().enumerate() {
            record.clear();
            record.extend(row.iter().map(|v| v.to_string()));
            record.push(match &self.target {
                Target::Classes { names, labels } => names[labels[i]].clone(),
                Target::Values(values) => values[i].to_string(),
            });
            writer.write_record(&record).map_err(io_error)?;
        }
        writer.flush().map_err(|e| DataError::Io {
            file: self.name.clone(),
            message: e.to_string(),
        })
    }
}

/// A `[n, 1]` matrix holding `values`.
fn column_matrix(values: &[f64]) -> Matrix {
    let mut m = Matrix::zeros(values.len(), 1);
    m.as_mut_slice().copy_from_slice(values);
    m
}

/// Where a value sits in a CSV file.
///
/// `line` counts physical lines with the header as line 1; `data_row` counts records after the
/// header, from 1. They differ only when a quoted field spans lines.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Place {
    /// Line of the file, the header being line 1.
    pub line: u64,
    /// Data row, the first row after the header being data row 1.
    pub data_row: u64,
}

impl std::fmt::Display for Place {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "line {} (data row {})", self.line, self.data_row)
    }
}

/// Everything that can go wrong building or preparing a data set.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum DataError {
    /// The file could not be read or written.
    #[error("{file}: {message}")]
    Io {
        /// File name.
        file: String,
        /// What the system said.
        message: String,
    },
    /// The file has no header row.
    #[error("{file}: the file is empty (a header row naming the columns is required)")]
    EmptyFile {
        /// File name.
        file: String,
    },
    /// The file has a header but no data rows.
    #[error("{file}: the file has a header row but no data rows")]
    NoDataRows {
        /// File name.
        file: String,
    },
    /// Two columns have the same name.
    #[error(
        "{file}: column name \"{}\" appears more than once in the header (columns {first} and {second})",
        short(column)
    )]
    DuplicateColumn {
        /// File name.
        file: String,
        /// The repeated name.
        column: String,
        /// 1-based position of its first appearance.
        first: usize,
        /// 1-based position of its second appearance.
        second: usize,
    },
    /// The header has more columns than nnviz takes.
    #[error("{file}: {count} columns; nnviz reads at most {max}")]
    TooManyColumns {
        /// File name.
        file: String,
        /// Columns in the header.
        count: usize,
        /// The limit.
        max: usize,
    },
    /// A row has a different number of fields from the header.
    #[error("{file}, {place}: {found} fields, but the header has {expected} columns")]
    Ragged {
        /// File name.
        file: String,
        /// Where.
        place: Place,
        /// Columns in the header.
        expected: usize,
        /// Fields in this row.
        found: usize,
    },
    /// A text value in a numeric column (one whose first non-missing value is a number).
    #[error(
        "{file}, {place}, column \"{}\": \"{}\" is not a number (the column's first value is numeric)",
        short(column),
        short(value)
    )]
    NonNumeric {
        /// File name.
        file: String,
        /// Where.
        place: Place,
        /// Column name.
        column: String,
        /// The offending text.
        value: String,
    },
    /// An infinite value (`inf`, `1e999`, …) in a numeric column.
    #[error(
        "{file}, {place}, column \"{}\": \"{}\" is infinite",
        short(column),
        short(value)
    )]
    Infinite {
        /// File name.
        file: String,
        /// Where.
        place: Place,
        /// Column name.
        column: String,
        /// The offending text.
        value: String,
    },
    /// Text that is not UTF-8.
    #[error(
        "{file}, line {line}, column \"{}\": the text is not valid UTF-8 (save the file as UTF-8)",
        short(column)
    )]
    NotUtf8 {
        /// File name.
        file: String,
        /// Line of the file, the header being line 1.
        line: u64,
        /// Column name (or position, in the header).
        column: String,
    },
    /// The CSV parser failed (for example on invalid quoting).
    #[error("{file}: {message}")]
    Csv {
        /// File name.
        file: String,
        /// What the parser said.
        message: String,
    },
    /// A column named in the roles is not in the file.
    #[error(
        "{file}: no column \"{}\" (columns: {})",
        short(column),
        short_line(available)
    )]
    UnknownColumn {
        /// File name.
        file: String,
        /// The name asked for.
        column: String,
        /// The columns there are, comma-separated.
        available: String,
    },
    /// The target column is also listed as a feature.
    #[error(
        "{file}: column \"{}\" cannot be both the target and a feature",
        short(column)
    )]
    TargetIsFeature {
        /// File name.
        file: String,
        /// Column name.
        column: String,
    },
    /// Two features would have one name: a one-hot encoded level (`colour=red`) named like a
    /// column or like another column's level; a model needs distinct feature names.
    #[error(
        "{file}: two features would be named \"{}\" (column \"{}\" one-hot encodes a level under \
         that name, and another column or level has it too); rename a column",
        short(name),
        short(column)
    )]
    FeatureNameTwice {
        /// File name.
        file: String,
        /// The text column whose level takes the name.
        column: String,
        /// The name.
        name: String,
    },
    /// No feature columns are left.
    #[error("{file}: no feature columns (the file needs at least one besides the target)")]
    NoFeatures {
        /// File name.
        file: String,
    },
    /// Every row had a missing value in a used column.
    #[error("{file}: all {dropped} rows have a missing value (empty, NA or NaN) in a used column")]
    AllRowsDropped {
        /// File name.
        file: String,
        /// Rows dropped.
        dropped: usize,
    },
    /// The target has a single class.
    #[error(
        "{file}, column \"{}\": the target has one class (\"{}\"); classification needs two or more",
        short(column),
        short(class)
    )]
    OneClass {
        /// File name.
        file: String,
        /// Target column.
        column: String,
        /// The one class.
        class: String,
    },
    /// The target has more classes than the engine takes.
    #[error(
        "{file}, column \"{}\": at least {count} distinct values; classification takes at most {max} classes",
        short(column)
    )]
    TooManyClasses {
        /// File name.
        file: String,
        /// Target column.
        column: String,
        /// Distinct values.
        count: usize,
        /// The limit.
        max: usize,
    },
    /// Regression was asked for a text target.
    #[error(
        "{file}, column \"{}\": the target is text (\"{}\"), so it cannot be a regression target",
        short(column),
        short(value)
    )]
    TextTargetRegression {
        /// File name.
        file: String,
        /// Target column.
        column: String,
        /// A value of the column.
        value: String,
    },
    /// The given class order leaves out a class that occurs in the data.
    #[error(
        "{file}, column \"{}\": class \"{}\" occurs in the data but not in the given class order",
        short(column),
        short(class)
    )]
    ClassNotInOrder {
        /// File name.
        file: String,
        /// Target column.
        column: String,
        /// The missing class.
        class: String,
    },
    /// A point of the wrong dimension was added.
    #[error("a point needs {expected} coordinates, {found} given")]
    PointDimension {
        /// Features of the data set.
        expected: usize,
        /// Coordinates given.
        found: usize,
    },
    /// A class index is out of range.
    #[error("class {class} does not exist (the data set has {n_classes} classes)")]
    ClassOutOfRange {
        /// The index given.
        class: usize,
        /// Number of classes.
        n_classes: usize,
    },
    /// A class was given for a regression data set.
    #[error("{data} is a regression data set: points take a value, not a class")]
    NotClassification {
        /// Data set name.
        data: String,
    },
    /// A text column has more distinct values than can be encoded.
    #[error(
        "{file}, {place}, column \"{}\": more than {max} distinct text values, too many to encode as features or classes (leave the column out)",
        short(column)
    )]
    TooManyLevels {
        /// File name.
        file: String,
        /// Where the value past the limit is.
        place: Place,
        /// Column name.
        column: String,
        /// The limit.
        max: usize,
    },
    /// One-hot encoding the text features makes more inputs than a network takes.
    #[error(
        "{file}: column \"{}\" has {levels} distinct text values; one-hot encoded, the features would be {inputs} columns, and a network takes at most {max} (leave the column out)",
        short(column)
    )]
    TooManyInputs {
        /// File name.
        file: String,
        /// The text column that went past the limit.
        column: String,
        /// Its distinct values.
        levels: usize,
        /// Feature columns with it encoded.
        inputs: usize,
        /// The limit.
        max: usize,
    },
    /// The encoded features would hold too many values.
    #[error(
        "{file}: {rows} rows × {columns} feature columns (after one-hot encoding) are more than the {max} values nnviz holds (use fewer rows or leave out text columns with many values)"
    )]
    TooManyValues {
        /// File name.
        file: String,
        /// Rows kept.
        rows: usize,
        /// Feature columns after encoding.
        columns: usize,
        /// The limit.
        max: usize,
    },
    /// A text value the model never saw in training.
    #[error(
        "{file}, data row {row}, column \"{}\": \"{}\" was not in the training data (the model knows {})",
        short(column),
        short(value),
        short_line(known)
    )]
    UnseenLevel {
        /// File name.
        file: String,
        /// Data row, the first row after the header being 1.
        row: usize,
        /// Column name.
        column: String,
        /// The value.
        value: String,
        /// The values the model knows, comma-separated.
        known: String,
    },
    /// The file holds a NUL byte: it is binary, UTF-16 or sparse, not CSV text.
    #[error(
        "{file}: a NUL byte at byte {byte}: this is not a CSV text file (binary? UTF-16? save it as UTF-8 text)"
    )]
    NotText {
        /// File name.
        file: String,
        /// Offset of the NUL byte, from 0.
        byte: u64,
    },
    /// The first line is too long to be a header row.
    #[error(
        "{file}: the first line is longer than {max} bytes, so it is not a header row naming the columns (is this a CSV file?)"
    )]
    LongHeader {
        /// File name.
        file: String,
        /// The limit.
        max: u64,
    },
    /// A setting is out of range or a value does not fit.
    #[error("{0}")]
    Invalid(String),
}
