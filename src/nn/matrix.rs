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

impl<'de> Deserialize<'de> for Matrix {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let rows = Vec::<Vec<f64>>::deserialize(deserializer)?;
        Self::from_rows(&rows).map_err(serde::de::Error::custom)
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
    fn ragged_rows_are_refused() {
        let err = Matrix::from_rows(&[vec![1.0, 2.0], vec![3.0]]).unwrap_err();
        assert!(err.to_string().contains("row 1"), "{err}");
        assert!(serde_json::from_str::<Matrix>("[[1],[2,3]]").is_err());
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
