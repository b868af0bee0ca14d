//! Engineered inputs: the network's inputs as terms over the data's features (`x1`, `x1^2`,
//! `x1*x2`, `sin(x1)`, `cos(x2)`), as TensorFlow Playground offers them. The data keeps its own
//! features (the plot's axes and slice stay in them); the terms are computed from a row of them
//! wherever the network is given one: training rows, grid points, rows to predict.

use serde::{Deserialize, Serialize};

use super::DataError;
use crate::nn::Matrix;

/// One input term over the features (indices into the data's features).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Term {
    /// A feature as it is.
    Feature(usize),
    /// Its square.
    Square(usize),
    /// The product of two features.
    Product(usize, usize),
    /// Its sine.
    Sin(usize),
    /// Its cosine.
    Cos(usize),
}

impl Term {
    fn value(self, row: &[f64]) -> f64 {
        let at = |j: usize| row.get(j).copied().unwrap_or(f64::NAN);
        match self {
            Self::Feature(j) => at(j),
            Self::Square(j) => at(j) * at(j),
            Self::Product(i, j) => at(i) * at(j),
            Self::Sin(j) => at(j).sin(),
            Self::Cos(j) => at(j).cos(),
        }
    }
}

/// The network's inputs as terms over the data's features, written as text
/// (`x1,x2,x1^2,x1*x2,sin(x1)`): kept so in settings, specs and model files.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "InputsText", into = "InputsText")]
pub struct Inputs {
    /// The text, one term per comma.
    text: String,
    /// The names of the data's features the terms refer to, in the data's order.
    features: Vec<String>,
    terms: Vec<Term>,
    names: Vec<String>,
}

/// How [`Inputs`] are stored: the terms' text and the features they are over.
#[derive(Clone, Debug, Serialize, Deserialize)]
struct InputsText {
    terms: String,
    features: Vec<String>,
}

impl TryFrom<InputsText> for Inputs {
    type Error = String;

    fn try_from(t: InputsText) -> Result<Self, String> {
        Self::parse(&t.terms, &t.features).map_err(|e| e.to_string())
    }
}

impl From<Inputs> for InputsText {
    fn from(i: Inputs) -> Self {
        Self {
            terms: i.text,
            features: i.features,
        }
    }
}

/// The terms TensorFlow Playground offers over two features: both, their squares, their
/// product and their sines.
pub fn playground_terms(features: &[String]) -> Vec<String> {
    let [a, b] = features else {
        return features.to_vec();
    };
    vec![
        a.clone(),
        b.clone(),
        format!("{a}^2"),
        format!("{b}^2"),
        format!("{a}*{b}"),
        format!("sin({a})"),
        format!("sin({b})"),
    ]
}

impl Inputs {
    /// Reads `text`, terms separated by commas, over the features named `features`: `NAME`,
    /// `NAME^2`, `NAME*NAME`, `sin(NAME)` or `cos(NAME)`. An unknown feature, an unknown form,
    /// an empty or repeated term is an error naming the term and its place.
    pub fn parse(text: &str, features: &[String]) -> Result<Self, DataError> {
        let find = |name: &str, term: &str, k: usize| {
            features
                .iter()
                .position(|f| f == name.trim())
                .ok_or_else(|| {
                    DataError::Invalid(format!(
                        "input term {k} \"{term}\": no feature \"{}\" (the features are {})",
                        name.trim(),
                        features.join(", ")
                    ))
                })
        };
        let mut terms = Vec::new();
        let mut names: Vec<String> = Vec::new();
        for (i, raw) in text.split(',').enumerate() {
            let k = i + 1;
            let term = raw.trim();
            if term.is_empty() {
                return Err(DataError::Invalid(format!(
                    "input term {k} is empty in \"{text}\" (terms are separated by commas)"
                )));
            }
            let parsed = if let Some(inner) =
                term.strip_prefix("sin(").and_then(|r| r.strip_suffix(')'))
            {
                Term::Sin(find(inner, term, k)?)
            } else if let Some(inner) = term.strip_prefix("cos(").and_then(|r| r.strip_suffix(')'))
            {
                Term::Cos(find(inner, term, k)?)
            } else if let Some(base) = term.strip_suffix("^2") {
                Term::Square(find(base, term, k)?)
            } else if let Some((a, b)) = term.split_once('*') {
                Term::Product(find(a, term, k)?, find(b, term, k)?)
            } else if features.iter().any(|f| f == term) {
                Term::Feature(find(term, term, k)?)
            } else if term.contains('(') || term.contains('^') {
                return Err(DataError::Invalid(format!(
                    "input term {k} \"{term}\": not a form nnviz knows (NAME, NAME^2, NAME*NAME, \
                     sin(NAME), cos(NAME))"
                )));
            } else {
                Term::Feature(find(term, term, k)?)
            };
            if names.iter().any(|n| n == term) {
                return Err(DataError::Invalid(format!(
                    "input term {k} \"{term}\" is given twice"
                )));
            }
            terms.push(parsed);
            names.push(term.to_owned());
        }
        Ok(Self {
            text: names.join(","),
            features: features.to_vec(),
            terms,
            names,
        })
    }

    /// The terms as text, one per comma.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The name of each term (the network's input names).
    pub fn names(&self) -> &[String] {
        &self.names
    }

    /// The features the terms are over.
    pub fn features(&self) -> &[String] {
        &self.features
    }

    /// How many terms (the network's inputs).
    pub fn len(&self) -> usize {
        self.terms.len()
    }

    /// True if there are no terms (never, for parsed inputs).
    pub fn is_empty(&self) -> bool {
        self.terms.is_empty()
    }

    /// The terms of one row of features.
    pub fn row(&self, features: &[f64]) -> Vec<f64> {
        self.terms.iter().map(|t| t.value(features)).collect()
    }

    /// The terms of every row of `x` (`[n, features]` → `[n, terms]`).
    pub fn expand(&self, x: &Matrix) -> Matrix {
        let mut out = Matrix::zeros(x.rows(), self.terms.len());
        for i in 0..x.rows() {
            let row = x.row(i);
            for (v, t) in out.row_mut(i).iter_mut().zip(&self.terms) {
                *v = t.value(row);
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn every_form_computes_its_value() {
        let inputs =
            Inputs::parse("x1, x2,x1^2,x1*x2,sin(x1),cos(x2)", &names(&["x1", "x2"])).unwrap();
        assert_eq!(
            inputs.names(),
            ["x1", "x2", "x1^2", "x1*x2", "sin(x1)", "cos(x2)"]
        );
        let row = inputs.row(&[3.0, -2.0]);
        assert_eq!(row, [3.0, -2.0, 9.0, -6.0, 3f64.sin(), (-2f64).cos()]);
        let x = Matrix::from_rows(&[vec![3.0, -2.0], vec![0.5, 4.0]]).unwrap();
        let expanded = inputs.expand(&x);
        assert_eq!(expanded.shape(), (2, 6));
        assert_eq!(expanded.row(1), inputs.row(&[0.5, 4.0]).as_slice());
    }

    #[test]
    fn bad_terms_are_named_with_their_place() {
        let features = names(&["x1", "x2"]);
        for (text, words) in [
            ("x1,x3", "term 2 \"x3\": no feature \"x3\""),
            ("x1,,x2", "term 2 is empty"),
            ("x1,tan(x1)", "not a form"),
            ("x1,x1", "given twice"),
            ("x1*y", "no feature \"y\""),
        ] {
            let e = Inputs::parse(text, &features).unwrap_err().to_string();
            assert!(e.contains(words), "{text}: {e}");
        }
    }

    #[test]
    fn inputs_round_trip_through_json() {
        let inputs = Inputs::parse("x1^2,x2^2", &names(&["x1", "x2"])).unwrap();
        let text = serde_json::to_string(&inputs).unwrap();
        let back: Inputs = serde_json::from_str(&text).unwrap();
        assert_eq!(back, inputs);
        let bad = text.replace("x2^2", "x9^2");
        assert!(serde_json::from_str::<Inputs>(&bad).is_err());
    }

    #[test]
    fn the_playground_offers_squares_product_and_sines() {
        assert_eq!(
            playground_terms(&names(&["x1", "x2"])),
            ["x1", "x2", "x1^2", "x2^2", "x1*x2", "sin(x1)", "sin(x2)"]
        );
    }
}
