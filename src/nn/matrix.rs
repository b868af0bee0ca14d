//! A dense row-major matrix of `f64`, the one numeric container of the engine.

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::NnError;

/// A dense matrix stored row by row.
///
/// Weight matrices of a layer are `(inputs + 1) × outputs` with **row 0 the bias**, as in the
/// article's `cbind(1, x) %*% w`. Data matrices are `[n_rows, n_columns]`, one sample a row.
/// In JSON a matrix is an array of rows: `[[1, 2], [3, 4]]`.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Matrix {
    rows: usize,
    cols: usize,
    data: Vec<f64>,
}

impl Matrix {
    /// A `rows × cols` matrix of zeros.
    pub fn zeros(rows: usize, cols: usize) -> Self {
        Self {
            rows,
            cols,
            data: vec![0.0; rows * cols],
        }
    }

    /// A matrix from row-major values; fails if `data.len() != rows * cols`.
    pub fn from_vec(rows: usize, cols: usize, data: Vec<f64>) -> Result<Self, NnError> {
        if rows.checked_mul(cols) != Some(data.len()) {
            return Err(NnError::Shape(format!(
                "{} values cannot fill a {rows} × {cols} matrix",
                data.len()
            )));
        }
        Ok(Self { rows, cols, data })
    }

    /// A matrix from a list of equally long rows; fails on ragged rows.
    pub fn from_rows(rows: &[Vec<f64>]) -> Result<Self, NnError> {
        let cols = rows.first().map_or(0, Vec::len);
        let mut data = Vec::with_capacity(rows.len() * cols);
        for (i, row) in rows.iter().enumerate() {
            if row.len() != cols {
                return Err(NnError::Shape(format!(
                    "row {i} has {} values, row 0 has {cols}",
                    row.len()
                )));
            }
            data.extend_from_slice(row);
        }
        Ok(Self {
            rows: rows.len(),
            cols,
            data,
        })
    }

    /// Number of rows.
    pub fn rows(&self) -> usize {
        self.rows
    }

    /// Number of columns.
    pub fn cols(&self) -> usize {
        self.cols
    }

    /// `(rows, cols)`.
    pub fn shape(&self) -> (usize, usize) {
        (self.rows, self.cols)
    }

    /// Row `i` as a slice.
    pub fn row(&self, i: usize) -> &[f64] {
        &self.data[i * self.cols..(i + 1) * self.cols]
    }

    /// Row `i` as a mutable slice.
    pub fn row_mut(&mut self, i: usize) -> &mut [f64] {
        &mut self.data[i * self.cols..(i + 1) * self.cols]
    }

    /// Iterates over the rows.
    pub fn iter_rows(&self) -> impl ExactSizeIterator<Item = &[f64]> {
        // `max(1)` keeps `chunks_exact` valid for a matrix with no columns.
        self.data
            .chunks_exact(self.cols.max(1))
            .take(if self.cols == 0 { 0 } else { self.rows })
    }

    /// Element `(i, j)`.
    pub fn get(&self, i: usize, j: usize) -> f64 {
        self.data[i * self.cols + j]
    }

    /// Sets element `(i, j)`.
    pub fn set(&mut self, i: usize, j: usize, value: f64) {
        self.data[i * self.cols + j] = value;
    }

    /// All values, row after row.
    pub fn as_slice(&self) -> &[f64] {
        &self.data
    }

    /// All values, row after row, mutably.
    pub fn as_mut_slice(&mut self) -> &mut [f64] {
        &mut self.data
    }

    /// Column `j` as a new vector.
    pub fn column(&self, j: usize) -> Vec<f64> {
        (0..self.rows).map(|i| self.get(i, j)).collect()
    }

    /// The rows picked by `indices`, in that order.
    pub fn select_rows(&self, indices: &[usize]) -> Self {
        let mut data = Vec::with_capacity(indices.len() * self.cols);
        for &i in indices {
            data.extend_from_slice(self.row(i));
        }
        Self {
            rows: indices.len(),
            cols: self.cols,
            data,
        }
    }

    /// The rows as nested vectors (the JSON layout).
    pub fn to_rows(&self) -> Vec<Vec<f64>> {
        (0..self.rows).map(|i| self.row(i).to_vec()).collect()
    }

    /// True if every value is finite (no NaN, no ±∞).
    pub fn is_finite(&self) -> bool {
        self.data.iter().all(|v| v.is_finite())
    }

    /// Appends one row; fails if its length differs from the column count (unless empty).
    pub fn push_row(&mut self, row: &[f64]) -> Result<(), NnError> {
        if self.rows == 0 && self.cols == 0 {
            self.cols = row.len();
        }
        if row.len() != self.cols {
            return Err(NnError::Shape(format!(
                "a row of {} values does not fit a matrix of {} columns",
                row.len(),
                self.cols
            )));
        }
        self.data.extend_from_slice(row);
        self.rows += 1;
        Ok(())
    }

    /// Removes row `i`.
    pub fn remove_row(&mut self, i: usize) {
        self.data.drain(i * self.cols..(i + 1) * self.cols);
        self.rows -= 1;
    }

    /// Rows `start..end` as a matrix of their own.
    ///
    /// # Panics
    /// If `start > end` or `end` is beyond the last row.
    pub fn row_range(&self, start: usize, end: usize) -> Self {
        Self {
            rows: end - start,
            cols: self.cols,
            data: self.data[start * self.cols..end * self.cols].to_vec(),
        }
    }

    /// Keeps only the rows `ascending` (strictly increasing indices), in this order, where the
    /// matrix lies: `select_rows` without a second matrix; the memory of the others is freed.
    ///
    /// # Panics
    /// If an index is out of range or the indices do not increase.
    pub fn retain_rows(&mut self, ascending: &[usize]) {
        let d = self.cols;
        // Runs of consecutive rows move together: row r goes up to w ≤ r, and the rows still to
        // move lie below it, untouched.
        let mut w = 0;
        while w < ascending.len() {
            let first = ascending[w];
            let mut len = 1;
            while ascending.get(w + len) == Some(&(first + len)) {
                len += 1;
            }
            assert!(
                first + len <= self.rows
                    && ascending.get(w + len).is_none_or(|&r| r >= first + len),
                "retain_rows: row {first} is out of order or beyond {} rows",
                self.rows
            );
            if w != first {
                self.data.copy_within(first * d..(first + len) * d, w * d);
            }
            w += len;
        }
        self.rows = ascending.len();
        self.data.truncate(self.rows * d);
        self.data.shrink_to_fit();
    }
}

impl Serialize for Matrix {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeSeq;
        let mut seq = serializer.serialize_seq(Some(self.rows))?;
        for i in 0..self.rows {
            seq.serialize_element(self.row(i))?;
        }
        seq.end()
    }
}

/// The most rows a deserialised matrix may have: a layer's bias row and inputs.
pub const MAX_MATRIX_ROWS: usize = super::MAX_INPUTS + 1;

/// The most columns a deserialised matrix may have: a layer's outputs.
pub const MAX_MATRIX_COLS: usize = if super::MAX_OUTPUTS > super::MAX_UNITS {
    super::MAX_OUTPUTS
} else {
    super::MAX_UNITS
};

/// A matrix is read from JSON as an array of equally long rows, straight into place: a row
/// longer than [`MAX_MATRIX_COLS`], more than [`MAX_MATRIX_ROWS`] rows or a ragged row is
/// refused the moment it is met, before anything more is allocated. (Matrices are only
/// deserialised as weights, and no layer is larger.)
impl<'de> Deserialize<'de> for Matrix {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_seq(MatrixVisitor)
    }
}

struct MatrixVisitor;

impl<'de> serde::de::Visitor<'de> for MatrixVisitor {
    type Value = Matrix;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "a matrix: an array of rows, each an array of numbers")
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Matrix, A::Error> {
        use serde::de::Error as _;
        let mut data = Vec::new();
        let mut rows = 0;
        let mut cols = 0;
        loop {
            let before = data.len();
            let seed = RowInto {
                data: &mut data,
                max: if rows == 0 { MAX_MATRIX_COLS } else { cols },
                row: rows,
            };
            if seq.next_element_seed(seed)?.is_none() {
                break;
            }
            let len = data.len() - before;
            if rows == 0 {
                cols = len;
            } else if len != cols {
                return Err(A::Error::custom(format!(
                    "row {rows} has {len} values, row 0 has {cols}"
                )));
            }
            rows += 1;
            if rows > MAX_MATRIX_ROWS {
                return Err(A::Error::custom(format!(
                    "a weight matrix has more than {MAX_MATRIX_ROWS} rows (a bias row and at most {} inputs)",
                    super::MAX_INPUTS
                )));
            }
        }
        if cols == 0 {
            rows = 0;
        }
        Ok(Matrix { rows, cols, data })
    }
}

/// Appends one row's numbers to `data`, refusing more than `max` of them.
struct RowInto<'a> {
    data: &'a mut Vec<f64>,
    max: usize,
    row: usize,
}

impl<'de> serde::de::DeserializeSeed<'de> for RowInto<'_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_seq(self)
    }
}

impl<'de> serde::de::Visitor<'de> for RowInto<'_> {
    type Value = ();

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "a row: an array of numbers")
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        use serde::de::Error as _;
        let mut len = 0;
        while let Some(v) = seq.next_element::<f64>()? {
            if len == self.max {
                return Err(A::Error::custom(if self.row == 0 {
                    format!(
                        "a weight matrix row has more than {MAX_MATRIX_COLS} values (a layer has at most {MAX_MATRIX_COLS} outputs)"
                    )
                } else {
                    format!("row {} has more values than row 0 ({})", self.row, self.max)
                }));
            }
            self.data.push(v);
            len += 1;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_is_an_array_of_rows() {
        let m = Matrix::from_rows(&[vec![1.0, 2.0], vec![3.0, 4.5]]).unwrap();
        let json = serde_json::to_string(&m).unwrap();
        assert_eq!(json, "[[1.0,2.0],[3.0,4.5]]");
        let back: Matrix = serde_json::from_str(&json).unwrap();
        assert_eq!(back, m);
    }

    #[test]
    fn retained_rows_are_the_selected_rows() {
        let m = Matrix::from_vec(6, 2, (0..12).map(f64::from).collect()).unwrap();
        for rows in [
            vec![],
            vec![0],
            vec![5],
            vec![1, 2, 4],
            vec![0, 1, 2, 3, 4, 5],
        ] {
            let mut kept = m.clone();
            kept.retain_rows(&rows);
            assert_eq!(kept, m.select_rows(&rows), "{rows:?}");
        }
        assert_eq!(m.row_range(2, 4), m.select_rows(&[2, 3]));
        assert_eq!(m.row_range(6, 6).shape(), (0, 2));
    }

    #[test]
    fn ragged_rows_are_refused() {
        let err = Matrix::from_rows(&[vec![1.0, 2.0], vec![3.0]]).unwrap_err();
        assert!(err.to_string().contains("row 1"), "{err}");
        assert!(serde_json::from_str::<Matrix>("[[1],[2,3]]").is_err());
    }

    #[test]
    fn matrices_larger_than_a_layer_are_refused_as_they_are_read() {
        let wide = format!("[[{}]]", vec!["0"; MAX_MATRIX_COLS + 1].join(","));
        let err = serde_json::from_str::<Matrix>(&wide)
            .unwrap_err()
            .to_string();
        assert!(err.contains("more than 1000 values"), "{err}");
        let tall = format!("[{}]", vec!["[0]"; MAX_MATRIX_ROWS + 1].join(","));
        let err = serde_json::from_str::<Matrix>(&tall)
            .unwrap_err()
            .to_string();
        assert!(err.contains("more than 10001 rows"), "{err}");
        let longer = serde_json::from_str::<Matrix>("[[1,2],[3,4,5]]").unwrap_err();
        assert!(longer.to_string().contains("row 1"), "{longer}");
        let largest = format!("[{}]", vec!["[0]"; MAX_MATRIX_ROWS].join(","));
        assert_eq!(
            serde_json::from_str::<Matrix>(&largest).unwrap().shape(),
            (MAX_MATRIX_ROWS, 1)
        );
        assert_eq!(
            serde_json::from_str::<Matrix>("[]").unwrap().shape(),
            (0, 0)
        );
    }

    #[test]
    fn select_and_remove_rows() {
        let mut m = Matrix::from_rows(&[vec![1.0], vec![2.0], vec![3.0]]).unwrap();
        assert_eq!(m.select_rows(&[2, 0]).as_slice(), &[3.0, 1.0]);
        m.remove_row(1);
        assert_eq!(m.as_slice(), &[1.0, 3.0]);
        m.push_row(&[7.0]).unwrap();
        assert_eq!(m.shape(), (3, 1));
        assert!(m.push_row(&[1.0, 2.0]).is_err());
    }
}
