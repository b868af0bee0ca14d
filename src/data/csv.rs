//! CSV import: a parsed [`Table`] that becomes a [`Dataset`] once the column roles are chosen.
//!
//! The file is parsed once into a row-major `f64` table (text columns hold a level index), so
//! re-choosing the target or the features does not re-read it.
//!
//! Rules:
//! - A header row is required. The delimiter is the most frequent of `,` `;` tab in the header
//!   line (outside quotes). A UTF-8 byte-order mark, CRLF line ends, quoted fields and blank lines
//!   are fine; fields are trimmed of spaces.
//! - Missing values are empty fields, `NA`, `N/A` and `NaN` (any case).
//! - A column whose first non-missing value is a number is numeric; a later text value in it is
//!   an error, reported only if that column is used. Otherwise the column is text. With a `;` or
//!   tab delimiter, a decimal comma (`5,1`) is read as a decimal point.
//! - Text features are one-hot encoded like R's `model.matrix`: one 0/1 column `name=level` per
//!   level **except the first** (the reference level, in order of first appearance).

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt;
use std::hash::{BuildHasher as _, BuildHasherDefault, Hasher, RandomState};
use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use std::time::Instant;

use serde::{Deserialize, Serialize};

use super::number::parse_f64;
use super::{DataError, Dataset, Place, Target};
use crate::nn::{MAX_INPUTS, MAX_OUTPUTS, Matrix};
use crate::text::short_bytes;

/// The most columns a CSV file may have.
pub const MAX_COLUMNS: usize = 1000;

/// The most distinct values a text column may have: one more than a network has inputs, so
/// one-hot encoded (one column per value but the first) it still fits. A column with more is
/// reported if used, and its values are no longer kept while the file is read.
pub const MAX_LEVELS: usize = MAX_INPUTS + 1;

/// The longest header line, in bytes: 1000 columns of 130-character names. A longer first
/// line is data without line breaks or not text at all, and the CSV reader keeps copies of it.
pub const MAX_HEADER_BYTES: u64 = 128 * 1024;

/// The most feature values (rows × encoded columns) a data set may hold: 400 MB of `f64`.
/// Checked before the features are allocated, so a small file whose text columns one-hot encode
/// into a huge matrix is refused instead of exhausting memory.
pub const MAX_FEATURE_VALUES: usize = 50_000_000;

/// Under [`Task::Auto`], a numeric target of whole numbers with at most this many distinct
/// values is a classification target.
pub const AUTO_MAX_INTEGER_CLASSES: usize = 10;

/// What kind of problem the user wants solved.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Task {
    /// Text target → classification; numeric target with at most
    /// [`AUTO_MAX_INTEGER_CLASSES`] distinct whole numbers → classification; else regression.
    #[default]
    Auto,
    /// Classification (a numeric target's distinct values become classes).
    Classification,
    /// Regression (fails for a text target).
    Regression,
}

crate::name_table!(Task, "task" {
    Auto => "auto": "auto",
    Classification => "classification": "classification",
    Regression => "regression": "regression",
});

/// Which columns play which part: the GUI counterpart of R's formula `Species ~ .`.
#[derive(Clone, Debug, PartialEq, Default, Serialize, Deserialize)]
pub struct ColumnRoles {
    /// The target column; `None` is the last column.
    pub target: Option<String>,
    /// The feature columns in this order; `None` is all columns but the target, in file order.
    pub features: Option<Vec<String>>,
    /// Class names in the wanted order; `None` is order of first appearance (ascending for a
    /// numeric target). Classes absent from the data may be listed.
    pub class_order: Option<Vec<String>>,
    /// Classification, regression or decide from the target.
    pub task: Task,
}

/// Whether a column holds numbers or text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ColumnKind {
    /// Numbers (also a column with only missing values).
    Numeric,
    /// Text.
    Text,
}

/// What the app shows about a column in its pickers.
#[derive(Clone, Debug, PartialEq)]
pub struct ColumnSummary {
    /// Column name from the header.
    pub name: String,
    /// Numbers or text.
    pub kind: ColumnKind,
    /// Distinct text values (0 for a numeric column).
    pub levels: usize,
    /// Rows with a missing value in this column.
    pub missing: usize,
    /// Why this column cannot be used, if it cannot (a text or infinite value in a numeric
    /// column).
    pub problem: Option<DataError>,
}

/// The first bad value of a column, reported if the column is used.
#[derive(Clone, Debug, PartialEq)]
struct Problem {
    place: Place,
    /// The value, shortened for messages.
    value: String,
    kind: ProblemKind,
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum ProblemKind {
    /// Text in a numeric column.
    NonNumeric,
    /// An infinite number.
    Infinite,
    /// The value that made a text column exceed [`MAX_LEVELS`].
    TooManyLevels,
}

/// A column's type while parsing.
#[derive(Clone, Debug)]
enum Parsing {
    Unknown,
    Numeric,
    Text {
        levels: Levels,
        index: LevelIndex,
    },
    /// A text column past [`MAX_LEVELS`]: unusable, its values are no longer looked up.
    TooManyLevels {
        levels: Levels,
    },
}

/// The distinct values of a text column in order of first appearance, in one buffer: a value
/// costs its bytes and an offset, not a `String` of its own.
#[derive(Clone, Debug, PartialEq, Default)]
struct Levels {
    text: String,
    /// Where each value ends in `text`.
    ends: Vec<usize>,
}

impl Levels {
    fn len(&self) -> usize {
        self.ends.len()
    }

    /// The value of level `code`.
    fn get(&self, code: usize) -> &str {
        let start = code.checked_sub(1).map_or(0, |c| self.ends[c]);
        &self.text[start..self.ends[code]]
    }

    fn push(&mut self, value: &str) {
        self.text.push_str(value);
        self.ends.push(self.text.len());
    }

    fn iter(&self) -> impl Iterator<Item = &str> {
        (0..self.len()).map(|c| self.get(c))
    }

    fn position(&self, value: &str) -> Option<usize> {
        self.iter().position(|l| l == value)
    }
}

/// Finds a text column's level from a field's bytes: its code under a 64-bit hash of the bytes
/// (16 bytes a level, no copy of the text), and under the bytes themselves for the rare value
/// whose hash another value already has.
#[derive(Clone, Debug, Default)]
struct LevelIndex {
    hasher: RandomState,
    by_hash: HashMap<u64, usize, BuildHasherDefault<Prehashed>>,
    collided: HashMap<Vec<u8>, usize>,
}

impl LevelIndex {
    /// The code of the level `field`, if it is one already.
    fn find(&self, field: &[u8], levels: &Levels) -> Option<usize> {
        let code = *self.by_hash.get(&self.hasher.hash_one(field))?;
        if levels.get(code).as_bytes() == field {
            Some(code)
        } else {
            self.collided.get(field).copied()
        }
    }

    /// Adds `field` as a new level; `None` if it is not UTF-8.
    fn insert(&mut self, field: &[u8], levels: &mut Levels) -> Option<usize> {
        let text = std::str::from_utf8(field).ok()?;
        let code = levels.len();
        levels.push(text);
        let hash = self.hasher.hash_one(field);
        match self.by_hash.entry(hash) {
            std::collections::hash_map::Entry::Vacant(slot) => {
                slot.insert(code);
            }
            std::collections::hash_map::Entry::Occupied(_) => {
                self.collided.insert(field.to_vec(), code);
            }
        }
        Some(code)
    }
}

/// A hasher for keys that are hashes already.
#[derive(Default)]
struct Prehashed(u64);

impl Hasher for Prehashed {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(b);
        }
    }

    fn write_u64(&mut self, v: u64) {
        self.0 = v;
    }
}

/// A parsed CSV file: column names and a row-major table of values.
#[derive(Clone, Debug, PartialEq)]
pub struct Table {
    file: String,
    names: Vec<String>,
    kinds: Vec<ColumnKind>,
    /// Text levels of each column in order of first appearance; empty for numeric columns.
    levels: Vec<Levels>,
    problems: Vec<Option<Problem>>,
    /// `[n_rows, n_cols]`; a text cell holds its level index; NaN is missing.
    cells: Vec<f64>,
    n_rows: usize,
}

impl Table {
    /// Parses the file at `path`, streaming it (the file is not read into memory whole).
    pub fn read_path(path: &Path) -> Result<Self, DataError> {
        let file = path.file_name().map_or_else(
            || path.display().to_string(),
            |n| n.to_string_lossy().into(),
        );
        let io_error = |e: std::io::Error| DataError::Io {
            file: file.clone(),
            message: e.to_string(),
        };
        let handle = std::fs::File::open(path).map_err(io_error)?;
        let size = handle.metadata().map_err(io_error)?.len();
        Self::from_reader(&file, handle, Some(size))
    }

    /// Parses CSV text already in memory (a dropped file); `file_name` is used in messages.
    pub fn read_bytes(file_name: &str, bytes: &[u8]) -> Result<Self, DataError> {
        Self::from_reader(file_name, bytes, Some(bytes.len() as u64))
    }

    /// Parses CSV from `reader`; `size_hint` (bytes) lets the table be allocated once.
    pub fn from_reader<R: Read>(
        file_name: &str,
        reader: R,
        size_hint: Option<u64>,
    ) -> Result<Self, DataError> {
        let file = file_name.to_owned();
        let mut buffered = BufReader::with_capacity(
            1 << 16,
            TextOnly {
                inner: reader,
                offset: 0,
                header_end: None,
            },
        );
        let head = buffered.fill_buf().map_err(|e| read_error(&file, e))?;
        let bom = head.starts_with(b"\xEF\xBB\xBF");
        let delimiter = detect_delimiter(if bom { &head[3..] } else { head });
        if bom {
            buffered.consume(3);
        }
        let mut reader = ::csv::ReaderBuilder::new()
            .delimiter(delimiter)
            .has_headers(false)
            .flexible(true)
            .buffer_capacity(1 << 16)
            .from_reader(buffered);
        let csv_error = |e: ::csv::Error| {
            if !e.is_io_error() {
                return DataError::Csv {
                    file: file.clone(),
                    message: e.to_string(),
                };
            }
            match e.into_kind() {
                ::csv::ErrorKind::Io(e) => read_error(&file, e),
                kind => DataError::Csv {
                    file: file.clone(),
                    message: format!("{kind:?}"),
                },
            }
        };

        let mut record = ::csv::ByteRecord::new();
        let mut header_found = false;
        while reader.read_byte_record(&mut record).map_err(csv_error)? {
            if !is_blank(&record) {
                header_found = true;
                break;
            }
        }
        if !header_found {
            return Err(DataError::EmptyFile { file });
        }
        let names = header_names(&file, &record)?;
        let n_cols = names.len();

        let mut parsing = vec![Parsing::Unknown; n_cols];
        let mut problems: Vec<Option<Problem>> = vec![None; n_cols];
        let mut cells: Vec<f64> = Vec::new();
        let mut n_rows = 0_usize;
        let mut data_row = 0_u64;
        let decimal_comma = delimiter != b',';
        while reader.read_byte_record(&mut record).map_err(csv_error)? {
            if is_blank(&record) {
                continue;
            }
            data_row += 1;
            let line = record.position().map_or(0, ::csv::Position::line);
            let place = Place { line, data_row };
            if record.len() != n_cols {
                return Err(DataError::Ragged {
                    file,
                    place,
                    expected: n_cols,
                    found: record.len(),
                });
            }
            for (j, field) in record.iter().enumerate() {
                let field = field.trim_ascii();
                let value = if is_missing(field) {
                    f64::NAN
                } else {
                    match &mut parsing[j] {
                        Parsing::Numeric => {
                            numeric_cell(field, decimal_comma, place, &mut problems[j])
                        }
                        Parsing::Text { levels, index } => match index.find(field, levels) {
                            Some(code) => code as f64,
                            None if levels.len() >= MAX_LEVELS => {
                                problems[j] = Some(Problem {
                                    place,
                                    value: short_bytes(field),
                                    kind: ProblemKind::TooManyLevels,
                                });
                                // The index is dropped: the column is no use any more.
                                let levels = std::mem::take(levels);
                                parsing[j] = Parsing::TooManyLevels { levels };
                                0.0
                            }
                            None => match index.insert(field, levels) {
                                Some(code) => code as f64,
                                None => return Err(not_utf8(file, line, &names[j])),
                            },
                        },
                        Parsing::TooManyLevels { .. } => 0.0,
                        Parsing::Unknown => {
                            if parse_number(field, decimal_comma).is_some() {
                                parsing[j] = Parsing::Numeric;
                                numeric_cell(field, decimal_comma, place, &mut problems[j])
                            } else {
                                let mut levels = Levels::default();
                                let mut index = LevelIndex::default();
                                let Some(code) = index.insert(field, &mut levels) else {
                                    return Err(not_utf8(file, line, &names[j]));
                                };
                                parsing[j] = Parsing::Text { levels, index };
                                code as f64
                            }
                        }
                    }
                };
                cells.push(value);
            }
            n_rows += 1;
            if cells.capacity() - cells.len() < n_cols {
                let position = record.position().map_or(0, ::csv::Position::byte);
                reserve_more(&mut cells, position, n_rows, n_cols, size_hint);
            }
        }
        if n_rows == 0 {
            return Err(DataError::NoDataRows { file });
        }
        cells.shrink_to_fit();
        let mut kinds = Vec::with_capacity(n_cols);
        let mut levels = Vec::with_capacity(n_cols);
        for column in parsing {
            match column {
                Parsing::Unknown | Parsing::Numeric => {
                    kinds.push(ColumnKind::Numeric);
                    levels.push(Levels::default());
                }
                Parsing::Text { levels: l, .. } | Parsing::TooManyLevels { levels: l } => {
                    kinds.push(ColumnKind::Text);
                    levels.push(l);
                }
            }
        }
        Ok(Self {
            file,
            names,
            kinds,
            levels,
            problems,
            cells,
            n_rows,
        })
    }

    /// The file name used in messages.
    pub fn file_name(&self) -> &str {
        &self.file
    }

    /// Number of data rows (including rows with missing values).
    pub fn n_rows(&self) -> usize {
        self.n_rows
    }

    /// Column names in file order.
    pub fn column_names(&self) -> &[String] {
        &self.names
    }

    /// A summary of each column for the target and feature pickers.
    pub fn columns(&self) -> Vec<ColumnSummary> {
        let n_cols = self.names.len();
        let mut missing = vec![0_usize; n_cols];
        for row in self.cells.chunks_exact(n_cols.max(1)) {
            for (count, v) in missing.iter_mut().zip(row) {
                *count += usize::from(v.is_nan());
            }
        }
        (0..n_cols)
            .map(|j| ColumnSummary {
                name: self.names[j].clone(),
                kind: self.kinds[j],
                levels: self.levels[j].len(),
                missing: missing[j],
                problem: self.problem_error(j),
            })
            .collect()
    }

    /// The data set for these roles; the table is kept (costs a copy of the used values).
    pub fn to_dataset(&self, roles: &ColumnRoles) -> Result<Dataset, DataError> {
        let plan = self.plan(roles)?;
        self.build(&plan, None)
    }

    /// The data set for these roles, reusing the table's memory where it can.
    pub fn into_dataset(mut self, roles: &ColumnRoles) -> Result<Dataset, DataError> {
        let plan = self.plan(roles)?;
        let cells = std::mem::take(&mut self.cells);
        self.build(&plan, Some(cells))
    }

    fn problem_error(&self, j: usize) -> Option<DataError> {
        self.problems[j].as_ref().map(|p| {
            let (file, place, column, value) = (
                self.file.clone(),
                p.place,
                self.names[j].clone(),
                p.value.clone(),
            );
            match p.kind {
                ProblemKind::Infinite => DataError::Infinite {
                    file,
                    place,
                    column,
                    value,
                },
                ProblemKind::NonNumeric => DataError::NonNumeric {
                    file,
                    place,
                    column,
                    value,
                },
                ProblemKind::TooManyLevels => DataError::TooManyLevels {
                    file,
                    place,
                    column,
                    max: MAX_LEVELS,
                },
            }
        })
    }

    fn column_index(&self, name: &str) -> Result<usize, DataError> {
        self.names
            .iter()
            .position(|n| n == name)
            .ok_or_else(|| DataError::UnknownColumn {
                file: self.file.clone(),
                column: name.to_owned(),
                available: self.names.join(", "),
            })
    }

    /// Resolves the roles: columns, which rows are kept, classes and one-hot layout.
    fn plan(&self, roles: &ColumnRoles) -> Result<Plan, DataError> {
        let n_cols = self.names.len();
        let target = match &roles.target {
            Some(name) => self.column_index(name)?,
            None => n_cols - 1,
        };
        let mut features = Vec::new();
        match &roles.features {
            Some(names) => {
                for name in names {
                    let j = self.column_index(name)?;
                    if j == target {
                        return Err(DataError::TargetIsFeature {
                            file: self.file.clone(),
                            column: name.clone(),
                        });
                    }
                    if !features.contains(&j) {
                        features.push(j);
                    }
                }
            }
            None => features.extend((0..n_cols).filter(|&j| j != target)),
        }
        // Report the earliest bad value among the used columns.
        let used = features.iter().chain(std::iter::once(&target));
        let first_bad = used
            .filter(|&&j| self.problems[j].is_some())
            .min_by_key(|&&j| self.problems[j].as_ref().map(|p| p.place.line));
        if let Some(error) = first_bad.and_then(|&j| self.problem_error(j)) {
            return Err(error);
        }

        let keep: Vec<bool> = self
            .cells
            .chunks_exact(n_cols)
            .map(|row| !row[target].is_nan() && features.iter().all(|&j| !row[j].is_nan()))
            .collect();
        let n_keep = keep.iter().filter(|&&k| k).count();
        if n_keep == 0 {
            return Err(DataError::AllRowsDropped {
                file: self.file.clone(),
                dropped: self.n_rows,
            });
        }
        let kept_rows = || {
            self.cells
                .chunks_exact(n_cols)
                .zip(&keep)
                .filter_map(|(row, &k)| k.then_some(row))
        };

        // One-hot layout: the levels present in kept rows, the first of them dropped. The width
        // is checked before any name or value is made for it.
        let mut layout = Vec::with_capacity(features.len());
        let mut feature_names = Vec::new();
        let mut levels = BTreeMap::new();
        let numeric = features
            .iter()
            .filter(|&&j| self.kinds[j] == ColumnKind::Numeric)
            .count();
        let mut text_width = 0;
        for &j in &features {
            match self.kinds[j] {
                ColumnKind::Numeric => {
                    layout.push(Encoding::Number(j));
                    feature_names.push(self.names[j].clone());
                }
                ColumnKind::Text => {
                    let mut first_seen = vec![usize::MAX; self.levels[j].len()];
                    for (i, row) in kept_rows().enumerate() {
                        let code = row[j] as usize;
                        if first_seen[code] == usize::MAX {
                            first_seen[code] = i;
                        }
                    }
                    let mut present: Vec<usize> = (0..first_seen.len())
                        .filter(|&c| first_seen[c] != usize::MAX)
                        .collect();
                    present.sort_by_key(|&c| first_seen[c]);
                    text_width += present.len().saturating_sub(1);
                    let inputs = numeric + text_width;
                    if inputs > MAX_INPUTS {
                        return Err(DataError::TooManyInputs {
                            file: self.file.clone(),
                            column: self.names[j].clone(),
                            levels: present.len(),
                            inputs,
                            max: MAX_INPUTS,
                        });
                    }
                    // The features are at least this wide: refuse before naming the columns.
                    self.check_values(n_keep, inputs)?;
                    let mut offset_of_code = vec![None; self.levels[j].len()];
                    for (k, &code) in present.iter().enumerate().skip(1) {
                        offset_of_code[code] = Some(k - 1);
                        feature_names.push(format!(
                            "{}={}",
                            self.names[j],
                            self.levels[j].get(code)
                        ));
                    }
                    levels.insert(
                        self.names[j].clone(),
                        present
                            .iter()
                            .map(|&c| self.levels[j].get(c).to_owned())
                            .collect(),
                    );
                    layout.push(Encoding::OneHot {
                        column: j,
                        width: present.len().saturating_sub(1),
                        offset_of_code,
                    });
                }
            }
        }
        if feature_names.is_empty() {
            return Err(DataError::NoFeatures {
                file: self.file.clone(),
            });
        }
        self.check_distinct(&features, &feature_names)?;
        self.check_values(n_keep, feature_names.len())?;

        let target_plan = self.plan_target(target, roles, kept_rows)?;
        Ok(Plan {
            target,
            layout,
            feature_names,
            levels,
            keep,
            n_keep,
            target_plan,
        })
    }

    /// Refuses feature names that repeat, which a model file cannot hold: level `red` of text
    /// column `colour` where a column is named `colour=red`, or two levels that give one name
    /// (`b=c` of column `a` and `c` of column `a=b`). `features` are the used columns.
    fn check_distinct(&self, features: &[usize], names: &[String]) -> Result<(), DataError> {
        let mut seen = HashSet::with_capacity(names.len());
        let Some(twice) = names.iter().find(|n| !seen.insert(n.as_str())) else {
            return Ok(());
        };
        // The text column that made the name: one whose name and a '=' start it.
        let column = features
            .iter()
            .find(|&&j| {
                self.kinds[j] == ColumnKind::Text
                    && twice
                        .strip_prefix(self.names[j].as_str())
                        .is_some_and(|level| level.starts_with('='))
            })
            .map(|&j| self.names[j].clone())
            .unwrap_or_default();
        Err(DataError::FeatureNameTwice {
            file: self.file.clone(),
            column,
            name: twice.clone(),
        })
    }

    /// Refuses features of `rows × columns` values beyond [`MAX_FEATURE_VALUES`].
    fn check_values(&self, rows: usize, columns: usize) -> Result<(), DataError> {
        if rows
            .checked_mul(columns)
            .is_none_or(|v| v > MAX_FEATURE_VALUES)
        {
            return Err(DataError::TooManyValues {
                file: self.file.clone(),
                rows,
                columns,
                max: MAX_FEATURE_VALUES,
            });
        }
        Ok(())
    }

    fn plan_target<'a, I: Iterator<Item = &'a [f64]>>(
        &self,
        target: usize,
        roles: &ColumnRoles,
        kept_rows: impl Fn() -> I,
    ) -> Result<TargetPlan, DataError> {
        let (file, column) = (self.file.clone(), self.names[target].clone());
        let class_plan = |names: Vec<String>, label_of: ClassKey| {
            if names.len() < 2 {
                return Err(DataError::OneClass {
                    file: file.clone(),
                    column: column.clone(),
                    class: names.first().cloned().unwrap_or_default(),
                });
            }
            if names.len() > MAX_OUTPUTS {
                return Err(DataError::TooManyClasses {
                    file: file.clone(),
                    column: column.clone(),
                    count: names.len(),
                    max: MAX_OUTPUTS,
                });
            }
            Ok(TargetPlan::Classes { names, label_of })
        };

        if self.kinds[target] == ColumnKind::Text {
            let levels = &self.levels[target];
            if roles.task == Task::Regression {
                return Err(DataError::TextTargetRegression {
                    file,
                    column,
                    value: levels.iter().next().unwrap_or_default().to_owned(),
                });
            }
            let mut present = vec![false; levels.len()];
            let mut appearance = Vec::new();
            for row in kept_rows() {
                let code = row[target] as usize;
                if !present[code] {
                    present[code] = true;
                    appearance.push(code);
                }
            }
            let (names, label_of) = match &roles.class_order {
                None => {
                    let mut label_of = vec![usize::MAX; levels.len()];
                    for (label, &code) in appearance.iter().enumerate() {
                        label_of[code] = label;
                    }
                    let names = appearance
                        .iter()
                        .map(|&c| levels.get(c).to_owned())
                        .collect();
                    (names, label_of)
                }
                Some(order) => {
                    let mut label_of = vec![usize::MAX; levels.len()];
                    for &code in &appearance {
                        let Some(label) = order.iter().position(|n| n == levels.get(code)) else {
                            return Err(DataError::ClassNotInOrder {
                                file,
                                column,
                                class: levels.get(code).to_owned(),
                            });
                        };
                        label_of[code] = label;
                    }
                    (order.clone(), label_of)
                }
            };
            return class_plan(names, ClassKey::Code(label_of));
        }

        // A numeric target: count distinct values, stopping once classification is ruled out.
        let limit = match roles.task {
            Task::Auto => AUTO_MAX_INTEGER_CLASSES,
            Task::Classification => MAX_OUTPUTS,
            Task::Regression => 0,
        };
        let mut distinct: Vec<f64> = Vec::new();
        let mut seen: HashSet<u64> = HashSet::new();
        let mut classes = roles.task != Task::Regression;
        if classes {
            for row in kept_rows() {
                let v = row[target] + 0.0; // -0.0 and 0.0 are one class.
                if roles.task == Task::Auto && v.fract() != 0.0 {
                    classes = false;
                    break;
                }
                if seen.insert(v.to_bits()) {
                    distinct.push(v);
                    if distinct.len() > limit {
                        if roles.task == Task::Classification {
                            return Err(DataError::TooManyClasses {
                                file,
                                column,
                                count: distinct.len(),
                                max: MAX_OUTPUTS,
                            });
                        }
                        classes = false;
                        break;
                    }
                }
            }
        }
        if !classes {
            return Ok(TargetPlan::Values);
        }
        distinct.sort_by(f64::total_cmp);
        let names: Vec<String> = match &roles.class_order {
            None => distinct.iter().map(ToString::to_string).collect(),
            Some(order) => {
                for v in &distinct {
                    let listed = order
                        .iter()
                        .any(|n| n.trim().parse::<f64>().is_ok_and(|o| o == *v));
                    if !listed {
                        return Err(DataError::ClassNotInOrder {
                            file,
                            column,
                            class: v.to_string(),
                        });
                    }
                }
                order.clone()
            }
        };
        let label_of: HashMap<u64, usize> = distinct
            .iter()
            .map(|&v| {
                let label = names
                    .iter()
                    .position(|n| n.trim().parse::<f64>().is_ok_and(|o| o == v))
                    .unwrap_or(0);
                (v.to_bits(), label)
            })
            .collect();
        class_plan(names, ClassKey::Value(label_of))
    }

    /// Writes the kept rows' features and target, in place when `owned` holds the table's
    /// cells and the encoded rows are no wider than the table's.
    fn build(&self, plan: &Plan, owned: Option<Vec<f64>>) -> Result<Dataset, DataError> {
        let n_cols = self.names.len();
        let out_width = plan.feature_names.len();
        let mut labels = Vec::new();
        let mut values = Vec::new();
        let mut push_target = |v: f64| match &plan.target_plan {
            TargetPlan::Classes { label_of, .. } => labels.push(match label_of {
                ClassKey::Code(map) => map[v as usize],
                ClassKey::Value(map) => map.get(&(v + 0.0).to_bits()).copied().unwrap_or(0),
            }),
            TargetPlan::Values => values.push(v),
        };
        let features = match owned {
            Some(mut cells) if out_width <= n_cols => {
                // Row r is read before anything is written over it: writes go to row w ≤ r of
                // the narrower output, which ends before row r + 1 of the input begins.
                let mut scratch = vec![0.0; n_cols];
                let mut w = 0;
                for r in 0..self.n_rows {
                    if !plan.keep[r] {
                        continue;
                    }
                    scratch.copy_from_slice(&cells[r * n_cols..(r + 1) * n_cols]);
                    push_target(scratch[plan.target]);
                    encode_row(
                        &plan.layout,
                        &scratch,
                        &mut cells[w * out_width..][..out_width],
                    );
                    w += 1;
                }
                cells.truncate(w * out_width);
                cells.shrink_to_fit();
                cells
            }
            owned => {
                let source = owned.as_deref().unwrap_or(&self.cells);
                let mut out = vec![0.0; plan.n_keep * out_width];
                let rows = source.chunks_exact(n_cols).zip(&plan.keep);
                for ((row, _), dst) in rows
                    .filter(|(_, k)| **k)
                    .zip(out.chunks_exact_mut(out_width))
                {
                    push_target(row[plan.target]);
                    encode_row(&plan.layout, row, dst);
                }
                out
            }
        };
        let features = Matrix::from_vec(plan.n_keep, out_width, features)
            .map_err(|e| DataError::Invalid(e.to_string()))?;
        let target = match &plan.target_plan {
            TargetPlan::Classes { names, .. } => Target::Classes {
                names: names.clone(),
                labels,
            },
            TargetPlan::Values => Target::Values(values),
        };
        Ok(Dataset {
            name: self.file.clone(),
            feature_names: plan.feature_names.clone(),
            features,
            target_name: self.names[plan.target].clone(),
            target,
            standardize_by_default: true,
            dropped_rows: self.n_rows - plan.n_keep,
            levels: plan.levels.clone(),
        })
    }
}

/// How one table column becomes feature columns.
#[derive(Debug)]
enum Encoding {
    /// Copied as is.
    Number(usize),
    /// `width` 0/1 columns; a level's column, if it has one, at `offset_of_code[code]`.
    OneHot {
        column: usize,
        width: usize,
        offset_of_code: Vec<Option<usize>>,
    },
}

/// How target cells become labels.
#[derive(Debug)]
enum ClassKey {
    /// Indexed by text level.
    Code(Vec<usize>),
    /// Keyed by the value's bits.
    Value(HashMap<u64, usize>),
}

#[derive(Debug)]
enum TargetPlan {
    Classes {
        names: Vec<String>,
        label_of: ClassKey,
    },
    Values,
}

/// The resolved roles.
#[derive(Debug)]
struct Plan {
    target: usize,
    layout: Vec<Encoding>,
    feature_names: Vec<String>,
    /// The levels of each one-hot encoded column, the reference level first.
    levels: BTreeMap<String, Vec<String>>,
    keep: Vec<bool>,
    n_keep: usize,
    target_plan: TargetPlan,
}

fn encode_row(layout: &[Encoding], row: &[f64], dst: &mut [f64]) {
    let mut k = 0;
    for encoding in layout {
        match encoding {
            Encoding::Number(j) => {
                dst[k] = row[*j];
                k += 1;
            }
            Encoding::OneHot {
                column,
                width,
                offset_of_code,
            } => {
                let out = &mut dst[k..k + width];
                out.fill(0.0);
                if let Some(offset) = offset_of_code[row[*column] as usize] {
                    out[offset] = 1.0;
                }
                k += width;
            }
        }
    }
}

/// Reads and encodes a CSV file in one go (see [`Table`] for the rules).
pub fn read_csv_path(path: &Path, roles: &ColumnRoles) -> Result<Dataset, DataError> {
    Table::read_path(path)?.into_dataset(roles)
}

/// Reads and encodes CSV text already in memory; `file_name` is used in messages.
pub fn read_csv_bytes(
    file_name: &str,
    bytes: &[u8],
    roles: &ColumnRoles,
) -> Result<Dataset, DataError> {
    Table::read_bytes(file_name, bytes)?.into_dataset(roles)
}

/// The most frequent of `,` `;` tab outside quotes in the first line; `,` if none occurs.
fn detect_delimiter(head: &[u8]) -> u8 {
    let mut counts = [0_usize; 3];
    let mut quoted = false;
    for &b in head {
        match b {
            b'"' => quoted = !quoted,
            b'\n' | b'\r' if !quoted => break,
            b',' if !quoted => counts[0] += 1,
            b';' if !quoted => counts[1] += 1,
            b'\t' if !quoted => counts[2] += 1,
            _ => {}
        }
    }
    let candidates = [b',', b';', b'\t'];
    let mut best = 0;
    for k in 1..3 {
        if counts[k] > counts[best] {
            best = k;
        }
    }
    candidates[best]
}

fn header_names(file: &str, record: &::csv::ByteRecord) -> Result<Vec<String>, DataError> {
    if record.len() > MAX_COLUMNS {
        return Err(DataError::TooManyColumns {
            file: file.to_owned(),
            count: record.len(),
            max: MAX_COLUMNS,
        });
    }
    let mut names: Vec<String> = Vec::with_capacity(record.len());
    let mut position: HashMap<String, usize> = HashMap::new();
    if record.is_empty() {
        return Err(DataError::EmptyFile {
            file: file.to_owned(),
        });
    }
    for (j, field) in record.iter().enumerate() {
        let Ok(name) = std::str::from_utf8(field.trim_ascii()) else {
            return Err(not_utf8(file.to_owned(), 1, &format!("column {}", j + 1)));
        };
        let mut name = name.to_owned();
        if name.is_empty() {
            // R's read.csv names a nameless column V1, V2, ….
            name = format!("V{}", j + 1);
        }
        if let Some(first) = position.insert(name.clone(), j) {
            return Err(DataError::DuplicateColumn {
                file: file.to_owned(),
                column: name,
                first: first + 1,
                second: j + 1,
            });
        }
        names.push(name);
    }
    Ok(names)
}

/// A record with one empty or all-space field: a blank line.
fn is_blank(record: &::csv::ByteRecord) -> bool {
    record.len() == 1 && record[0].trim_ascii().is_empty()
}

fn is_missing(field: &[u8]) -> bool {
    field.is_empty()
        || field.eq_ignore_ascii_case(b"NA")
        || field.eq_ignore_ascii_case(b"N/A")
        || field.eq_ignore_ascii_case(b"NaN")
}

/// The number in `field` (as `str::parse::<f64>` reads it), also with a decimal comma if
/// `decimal_comma`; `None` if text.
fn parse_number(field: &[u8], decimal_comma: bool) -> Option<f64> {
    if let Some(v) = parse_f64(field) {
        return Some(v);
    }
    if decimal_comma && field.iter().filter(|&&b| b == b',').count() == 1 && !field.contains(&b'.')
    {
        let pointed: Vec<u8> = field
            .iter()
            .map(|&b| if b == b',' { b'.' } else { b })
            .collect();
        return parse_f64(&pointed);
    }
    None
}

/// The value of a non-missing cell of a numeric column; NaN and a recorded problem if bad.
fn numeric_cell(
    field: &[u8],
    decimal_comma: bool,
    place: Place,
    problem: &mut Option<Problem>,
) -> f64 {
    match parse_number(field, decimal_comma) {
        Some(v) if v.is_finite() => v,
        // Spellings of NaN that `is_missing` does not list ("+nan") are missing too.
        Some(v) if v.is_nan() => f64::NAN,
        parsed => {
            if problem.is_none() {
                *problem = Some(Problem {
                    place,
                    value: short_bytes(field),
                    kind: if parsed.is_some() {
                        ProblemKind::Infinite
                    } else {
                        ProblemKind::NonNumeric
                    },
                });
            }
            f64::NAN
        }
    }
}

fn not_utf8(file: String, line: u64, column: &str) -> DataError {
    DataError::NotUtf8 {
        file,
        line,
        column: column.to_owned(),
    }
}

/// Makes room for more rows once `cells` is full, after the first 1024 rows: for as many rows
/// as the file's size suggests (from the bytes the rows so far took, `bytes_so_far`), but for
/// at most 8 times the rows read so far. A size that lies (a sparse file reports terabytes of
/// holes) or no size thus never reserves more than a small multiple of what was read; an honest
/// one is reached in a few steps. Failing to reserve is no error: the vector then grows on
/// demand.
fn reserve_more(
    cells: &mut Vec<f64>,
    bytes_so_far: u64,
    n_rows: usize,
    n_cols: usize,
    size_hint: Option<u64>,
) {
    let Some(size) = size_hint.filter(|_| n_rows >= 1024) else {
        return;
    };
    let per_row = bytes_so_far.max(1) as f64 / n_rows as f64;
    let estimated_rows = (size as f64 / per_row * 1.02) as usize + 16;
    let rows = estimated_rows.min(n_rows.saturating_mul(8));
    let additional = rows.saturating_mul(n_cols).saturating_sub(cells.len());
    // At least a quarter more each time, so that an estimate that keeps falling short (later
    // rows shorter than the first) costs a few copies of the table, not one per 2 %.
    let _ = cells.try_reserve_exact(additional.max(cells.len() / 4));
}

/// A reader that fails at the first NUL byte, and at a first line longer than
/// [`MAX_HEADER_BYTES`]. CSV is text: a NUL means a binary or UTF-16 file, or a sparse one whose
/// holes read as zeros, which would otherwise be read as one endless field.
struct TextOnly<R> {
    inner: R,
    /// Bytes read so far.
    offset: u64,
    /// Where the first line ends, once seen.
    header_end: Option<u64>,
}

impl<R: Read> Read for TextOnly<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        let bytes = &buf[..n];
        if let Some(k) = memchr::memchr(0, bytes) {
            return Err(NotText::Nul {
                offset: self.offset + k as u64,
            }
            .into());
        }
        if self.header_end.is_none() {
            match memchr::memchr(b'\n', bytes) {
                Some(k) => self.header_end = Some(self.offset + k as u64),
                None if self.offset + n as u64 > MAX_HEADER_BYTES => {
                    return Err(NotText::LongHeader.into());
                }
                None => {}
            }
        }
        self.offset += n as u64;
        Ok(n)
    }
}

/// Why [`TextOnly`] stopped reading.
#[derive(Debug)]
enum NotText {
    Nul { offset: u64 },
    LongHeader,
}

impl fmt::Display for NotText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Nul { offset } => write!(f, "NUL byte at byte {offset}"),
            Self::LongHeader => write!(f, "first line longer than {MAX_HEADER_BYTES} bytes"),
        }
    }
}

impl std::error::Error for NotText {}

impl From<NotText> for std::io::Error {
    fn from(e: NotText) -> Self {
        Self::new(std::io::ErrorKind::InvalidData, e)
    }
}

/// The data error for a failed read: [`DataError::NotText`] or [`DataError::LongHeader`] for
/// what [`TextOnly`] refused.
fn read_error(file: &str, e: std::io::Error) -> DataError {
    let file = file.to_owned();
    match e
        .get_ref()
        .and_then(|inner| inner.downcast_ref::<NotText>())
    {
        Some(NotText::Nul { offset }) => DataError::NotText {
            file,
            byte: *offset,
        },
        Some(NotText::LongHeader) => DataError::LongHeader {
            file,
            max: MAX_HEADER_BYTES,
        },
        None => DataError::Io {
            file,
            message: e.to_string(),
        },
    }
}

/// What [`bench_csv`] measured.
#[derive(Clone, Debug, PartialEq)]
pub struct BenchCsvReport {
    /// Data rows in the file.
    pub rows: usize,
    /// Columns in the file (the last one is the target).
    pub cols: usize,
    /// File size in bytes.
    pub bytes: u64,
    /// Size of the values as `f64`, `rows × cols × 8` bytes (the rows kept).
    pub numeric_bytes: u64,
    /// Seconds to write the file (not part of the load).
    pub write_seconds: f64,
    /// Seconds to load the file into a [`Dataset`]: `parse_seconds + dataset_seconds`.
    pub load_seconds: f64,
    /// Seconds to parse the file into a [`Table`].
    pub parse_seconds: f64,
    /// Seconds to turn the table into a [`Dataset`] (the last column the target).
    pub dataset_seconds: f64,
    /// Seconds to prepare the data set as `nnviz train` does by default: the train/test split
    /// (a fifth held out), standardisation fitted on the training rows, the targets; the rows
    /// move into the prepared matrices ([`super::prepare_inputs_owned`]).
    pub prepare_seconds: f64,
    /// Peak resident memory during the load above the resident memory before it, in bytes
    /// (from `/proc/self/status`; `None` where that is not available).
    pub peak_extra_bytes: Option<u64>,
    /// Peak resident memory from the start of the load to the end of the preparation above the
    /// memory before it, in bytes.
    pub prepared_peak_extra_bytes: Option<u64>,
}

impl fmt::Display for BenchCsvReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        const MB: f64 = 1e6;
        write!(
            f,
            "csv: {} rows × {} columns, {:.1} MB file ({:.1} MB as f64): loaded in {:.3} s ({:.0} MB/s)",
            self.rows,
            self.cols,
            self.bytes as f64 / MB,
            self.numeric_bytes as f64 / MB,
            self.load_seconds,
            self.bytes as f64 / MB / self.load_seconds.max(1e-9),
        )?;
        match self.peak_extra_bytes {
            Some(peak) => write!(
                f,
                ", peak extra memory {:.1} MB ({:.2}× the f64 size)",
                peak as f64 / MB,
                peak as f64 / (self.numeric_bytes.max(1)) as f64
            ),
            None => write!(f, ", peak memory not measurable here"),
        }?;
        write!(
            f,
            "\n  parse {:.3} s, to data set {:.3} s, prepare (split, standardise) {:.3} s: {:.3} s in all",
            self.parse_seconds,
            self.dataset_seconds,
            self.prepare_seconds,
            self.load_seconds + self.prepare_seconds,
        )?;
        if let Some(peak) = self.prepared_peak_extra_bytes {
            write!(
                f,
                ", peak extra memory {:.1} MB to the prepared matrices",
                peak as f64 / MB
            )?;
        }
        Ok(())
    }
}

/// Writes a `rows × cols` numeric CSV to a temporary file, loads it as [`read_csv_path`] does,
/// prepares it as `nnviz train` does and reports the time of each phase and the memory; the
/// file is removed once parsed.
pub fn bench_csv(rows: usize, cols: usize) -> Result<BenchCsvReport, DataError> {
    use rand::{RngExt, SeedableRng};
    use std::io::Write;

    // One file per call, so that benchmarks running at once in one process do not collide.
    static CALLS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let call = CALLS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let path = std::env::temp_dir().join(format!(
        "nnviz-bench-{}-{call}-{rows}x{cols}.csv",
        std::process::id()
    ));
    let file = path.display().to_string();
    let io_error = |e: std::io::Error| DataError::Io {
        file: file.clone(),
        message: e.to_string(),
    };
    let cols = cols.max(2);
    let started = Instant::now();
    {
        let mut out = std::io::BufWriter::with_capacity(
            1 << 20,
            std::fs::File::create(&path).map_err(io_error)?,
        );
        let header: Vec<String> = (1..=cols).map(|j| format!("x{j}")).collect();
        writeln!(out, "{}", header.join(",")).map_err(io_error)?;
        let mut rng = rand::rngs::StdRng::seed_from_u64(1);
        let mut line = String::new();
        for _ in 0..rows {
            line.clear();
            for j in 0..cols {
                let v: f64 = rng.random_range(-100.0..100.0);
                if j > 0 {
                    line.push(',');
                }
                fmt::Write::write_fmt(&mut line, format_args!("{v:.6}"))
                    .map_err(|e| DataError::Invalid(e.to_string()))?;
            }
            line.push('\n');
            out.write_all(line.as_bytes()).map_err(io_error)?;
        }
        out.flush().map_err(io_error)?;
    }
    let write_seconds = started.elapsed().as_secs_f64();
    let measured = measure_csv_load(&path, true);
    let _ = std::fs::remove_file(&path);
    Ok(BenchCsvReport {
        write_seconds,
        ..measured?
    })
}

/// [`bench_csv`] on a file of the user's (the last column the target): the same phases and
/// figures; `write_seconds` is 0.
pub fn bench_csv_file(path: &Path) -> Result<BenchCsvReport, DataError> {
    measure_csv_load(path, false)
}

/// Loads and prepares the file at `path` and measures each phase; the file is removed once
/// parsed if `remove`.
fn measure_csv_load(path: &Path, remove: bool) -> Result<BenchCsvReport, DataError> {
    let bytes = std::fs::metadata(path)
        .map_err(|e| DataError::Io {
            file: path.display().to_string(),
            message: e.to_string(),
        })?
        .len();
    let peak_reset = std::fs::write("/proc/self/clear_refs", "5").is_ok();
    let rss_before = status_bytes("VmRSS:");
    let started = Instant::now();
    let table = Table::read_path(path);
    let parse_seconds = started.elapsed().as_secs_f64();
    if remove {
        let _ = std::fs::remove_file(path);
    }
    let table = table?;
    let cols = table.column_names().len();
    let started = Instant::now();
    let data = table.into_dataset(&ColumnRoles::default())?;
    let dataset_seconds = started.elapsed().as_secs_f64();
    let peak_after = status_bytes("VmHWM:");
    let rows = data.n_rows();
    let started = Instant::now();
    let prepared = super::prepare_inputs_owned(data, &super::PrepareOptions::default(), None)?;
    let prepare_seconds = started.elapsed().as_secs_f64();
    let prepared_peak_after = status_bytes("VmHWM:");
    drop(prepared);
    let extra = |peak: Option<u64>| match (peak_reset, rss_before, peak) {
        (true, Some(before), Some(peak)) => Some(peak.saturating_sub(before)),
        _ => None,
    };
    Ok(BenchCsvReport {
        rows,
        cols,
        bytes,
        numeric_bytes: (rows * cols * 8) as u64,
        write_seconds: 0.0,
        load_seconds: parse_seconds + dataset_seconds,
        parse_seconds,
        dataset_seconds,
        prepare_seconds,
        peak_extra_bytes: extra(peak_after),
        prepared_peak_extra_bytes: extra(prepared_peak_after),
    })
}

/// A `kB` figure from `/proc/self/status`, in bytes.
fn status_bytes(key: &str) -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with(key))?;
    let kb: u64 = line[key.len()..]
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()?;
    Some(kb * 1024)
}

/// One cell of a [`Table`], as read.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Cell<'a> {
    /// An empty or missing cell.
    Missing,
    /// A number (in a numeric column).
    Number(f64),
    /// A text level (in a text column).
    Text(&'a str),
}

impl Table {
    /// The cell of data row `row` (0-based) in column `column`: `Ok(None)` if the table has no
    /// such column or row, an error if the column could not be read (the cell that broke it).
    pub fn cell(&self, row: usize, column: &str) -> Result<Option<Cell<'_>>, DataError> {
        let Some(j) = self.names.iter().position(|n| n == column) else {
            return Ok(None);
        };
        if let Some(error) = self.problem_error(j) {
            return Err(error);
        }
        if row >= self.n_rows {
            return Ok(None);
        }
        let v = self.cells[row * self.names.len().max(1) + j];
        Ok(Some(if v.is_nan() {
            Cell::Missing
        } else if self.kinds[j] == ColumnKind::Text {
            Cell::Text(self.levels[j].get(v as usize))
        } else {
            Cell::Number(v)
        }))
    }
}

impl Table {
    /// The features a saved model expects, from this table's rows, for prediction on new data.
    ///
    /// Each name is a numeric column of the table, or `column=level` for a one-hot encoded text
    /// column (a level the file lacks is all zeros). `levels` lists, for each one-hot encoded
    /// column, every level the model saw in training (reference first): a value outside it is
    /// refused, naming its row; a column missing from `levels` (a model saved without them) is
    /// not checked. Rows with a missing used value are skipped; the second result gives each
    /// kept row's 1-based data row.
    pub fn feature_matrix(
        &self,
        names: &[String],
        levels: &BTreeMap<String, Vec<String>>,
    ) -> Result<(Matrix, Vec<usize>), DataError> {
        enum Source {
            Number(usize),
            Level(usize, Option<usize>),
        }
        let mut sources = Vec::with_capacity(names.len());
        for name in names {
            let exact = self.names.iter().position(|n| n == name);
            if let Some(j) = exact
                && self.kinds[j] == ColumnKind::Numeric
            {
                if let Some(error) = self.problem_error(j) {
                    return Err(error);
                }
                sources.push(Source::Number(j));
                continue;
            }
            // `column=level`, where the column's name or the level may hold '=' too: every
            // split that names a text column, the first whose level the model knows preferred.
            let one_hot = name
                .match_indices('=')
                .filter_map(|(i, _)| {
                    let (column, level) = (&name[..i], &name[i + 1..]);
                    let j = self.names.iter().position(|n| n == column)?;
                    (self.kinds[j] == ColumnKind::Text).then_some((j, level))
                })
                .min_by_key(|&(j, level)| {
                    let trained = levels.get(&self.names[j]);
                    usize::from(!trained.is_some_and(|t| t.iter().any(|l| l == level)))
                })
                .map(|(j, level)| Source::Level(j, self.levels[j].position(level)));
            match one_hot {
                Some(Source::Level(j, _)) if self.problems[j].is_some() => {
                    return Err(self.problem_error(j).unwrap_or(DataError::Invalid(
                        "a column of the file cannot be used".into(),
                    )));
                }
                Some(source) => sources.push(source),
                // A text column of that very name, and no level of another named so.
                None => match exact {
                    Some(j) => {
                        return Err(self.problem_error(j).unwrap_or_else(|| {
                            DataError::Invalid(format!(
                                "{}: column \"{}\" holds text, but the model expects numbers \
                                 in it",
                                self.file,
                                crate::text::short(name)
                            ))
                        }));
                    }
                    None => {
                        return Err(DataError::UnknownColumn {
                            file: self.file.clone(),
                            column: name.clone(),
                            available: self.names.join(", "),
                        });
                    }
                },
            }
        }
        // For each checked text column: which of this file's levels the model knows.
        let mut known: Vec<(usize, Vec<bool>, &Vec<String>)> = Vec::new();
        for s in &sources {
            if let Source::Level(j, _) = *s
                && !known.iter().any(|(k, ..)| *k == j)
                && let Some(trained) = levels.get(&self.names[j])
            {
                let flags = self.levels[j]
                    .iter()
                    .map(|l| trained.iter().any(|t| t == l))
                    .collect();
                known.push((j, flags, trained));
            }
        }
        let n_cols = self.names.len().max(1);
        self.check_values(self.n_rows, sources.len())?;
        let mut values = Vec::new();
        let mut rows = Vec::new();
        for (r, row) in self.cells.chunks_exact(n_cols).enumerate() {
            let used = |s: &Source| match s {
                Source::Number(j) | Source::Level(j, _) => row[*j],
            };
            if sources.iter().any(|s| used(s).is_nan()) {
                continue;
            }
            for (j, flags, trained) in &known {
                let code = row[*j] as usize;
                if !flags[code] {
                    return Err(DataError::UnseenLevel {
                        file: self.file.clone(),
                        row: r + 1,
                        column: self.names[*j].clone(),
                        value: self.levels[*j].get(code).to_owned(),
                        known: trained.join(", "),
                    });
                }
            }
            for s in &sources {
                values.push(match s {
                    Source::Number(j) => row[*j],
                    Source::Level(j, code) => f64::from(u8::from(Some(row[*j] as usize) == *code)),
                });
            }
            rows.push(r + 1);
        }
        let matrix = Matrix::from_vec(rows.len(), sources.len(), values)
            .map_err(|e| DataError::Invalid(e.to_string()))?;
        Ok((matrix, rows))
    }
}
