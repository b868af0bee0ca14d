//! Saved models: a network plus everything needed to predict on raw rows (the article's
//! `predict(newdata)`), as JSON.

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::nn::{Activation, Architecture, HiddenLayer, Matrix, Network, NnError, OutputHead};

/// The `format` field every model file carries.
pub const FORMAT: &str = "nnviz-model";

/// Errors reading or using a model file.
#[derive(Debug, thiserror::Error)]
pub enum ModelError {
    /// The file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// What went wrong.
        source: std::io::Error,
    },
    /// The file is not valid model JSON.
    #[error("{path}: not a valid model file: {message}")]
    Parse {
        /// The file.
        path: String,
        /// The parser's message (line and column).
        message: String,
    },
    /// The JSON is well formed but does not describe a usable network.
    #[error("{path}: {message}")]
    Invalid {
        /// The file.
        path: String,
        /// What is wrong.
        message: String,
    },
}

/// One layer as stored: its activation name and its weights (`(inputs + 1) × outputs`, row 0 the
/// bias).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SavedLayer {
    /// `sigmoid`, `tanh`, `relu`, `leaky-relu`, `linear` for hidden layers; `sigmoid`, `softmax`
    /// or `identity` for the output layer.
    pub activation: String,
    /// The weight matrix as an array of rows.
    pub weights: Matrix,
}

/// Feature standardisation kept with a model, so it predicts on raw rows.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SavedScaling {
    /// Mean of each feature on the training rows.
    pub mean: Vec<f64>,
    /// Standard deviation of each feature on the training rows.
    pub sd: Vec<f64>,
}

/// A model file.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SavedModel {
    /// Always [`FORMAT`].
    pub format: String,
    /// File format version (1).
    pub version: u32,
    /// Feature column names, in input order (after one-hot encoding, `column=value`).
    pub features: Vec<String>,
    /// Name of the target column.
    pub target: String,
    /// Class names in output order; empty for regression.
    #[serde(default)]
    pub classes: Vec<String>,
    /// Standardisation applied to raw features before the network, if any.
    #[serde(default)]
    pub scaling: Option<SavedScaling>,
    /// The layers, the output layer last.
    pub layers: Vec<SavedLayer>,
}

impl SavedModel {
    /// A model file for `network` trained on features `features` predicting `target`.
    pub fn new(
        network: &Network,
        features: Vec<String>,
        target: String,
        classes: Vec<String>,
        scaling: Option<SavedScaling>,
    ) -> Self {
        let arch = network.architecture();
        let layers = network
            .weights()
            .iter()
            .enumerate()
            .map(|(l, w)| SavedLayer {
                activation: arch
                    .hidden
                    .get(l)
                    .map_or(arch.head.name(), |h| h.activation.name())
                    .to_string(),
                weights: w.clone(),
            })
            .collect();
        Self {
            format: FORMAT.into(),
            version: 1,
            features,
            target,
            classes,
            scaling,
            layers,
        }
    }

    /// Parses and checks a model from JSON text; `path` names the source in messages.
    pub fn from_json(path: &str, text: &str) -> Result<Self, ModelError> {
        let model: Self = serde_json::from_str(text).map_err(|e| ModelError::Parse {
            path: path.into(),
            message: e.to_string(),
        })?;
        model.network().map_err(|e| ModelError::Invalid {
            path: path.into(),
            message: e.to_string(),
        })?;
        Ok(model)
    }

    /// Reads and checks a model file.
    pub fn load(path: &Path) -> Result<Self, ModelError> {
        let name = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|source| ModelError::Io {
            path: name.clone(),
            source,
        })?;
        Self::from_json(&name, &text)
    }

    /// Writes the model as JSON, atomically (temporary file, then rename).
    pub fn save(&self, path: &Path) -> Result<(), ModelError> {
        let text = serde_json::to_string_pretty(self).map_err(|e| ModelError::Invalid {
            path: path.display().to_string(),
            message: e.to_string(),
        })?;
        write_atomically(path, text.as_bytes()).map_err(|source| ModelError::Io {
            path: path.display().to_string(),
            source,
        })
    }

    /// The network the file describes, after checking every shape, name and size.
    pub fn network(&self) -> Result<Network, NnError> {
        if self.format != FORMAT {
            return Err(NnError::Invalid(format!(
                "format is {:?}, expected {FORMAT:?}",
                self.format
            )));
        }
        if self.version != 1 {
            return Err(NnError::Invalid(format!(
                "version {} is not supported (this nnviz reads version 1)",
                self.version
            )));
        }
        let Some((last, hidden)) = self.layers.split_last() else {
            return Err(NnError::Invalid("the model has no layers".into()));
        };
        let head = parse_head(&last.activation)?;
        let hidden = hidden
            .iter()
            .enumerate()
            .map(|(l, layer)| {
                Ok(HiddenLayer {
                    units: layer.weights.cols(),
                    activation: parse_activation(&layer.activation)
                        .map_err(|e| NnError::Invalid(format!("layer {}: {e}", l + 1)))?,
                })
            })
            .collect::<Result<Vec<_>, NnError>>()?;
        let inputs = self.layers[0].weights.rows().saturating_sub(1);
        if inputs != self.features.len() {
            return Err(NnError::Shape(format!(
                "layer 1 has {} input rows (bias + {inputs}), but the model lists {} features",
                self.layers[0].weights.rows(),
                self.features.len()
            )));
        }
        if let Some(s) = &self.scaling {
            if s.mean.len() != inputs || s.sd.len() != inputs {
                return Err(NnError::Shape(format!(
                    "scaling has {} means and {} sds for {inputs} features",
                    s.mean.len(),
                    s.sd.len()
                )));
            }
            if s.mean.iter().chain(&s.sd).any(|v| !v.is_finite()) || s.sd.iter().any(|&v| v <= 0.0)
            {
                return Err(NnError::Invalid(
                    "scaling must have finite means and positive sds".into(),
                ));
            }
        }
        let outputs = last.weights.cols();
        if !self.classes.is_empty() {
            let expected = if head == OutputHead::Sigmoid && self.classes.len() == 2 {
                1
            } else {
                self.classes.len()
            };
            if outputs != expected {
                return Err(NnError::Shape(format!(
                    "{} classes need {expected} output units, the last layer has {outputs}",
                    self.classes.len()
                )));
            }
        }
        let architecture = Architecture {
            inputs,
            hidden,
            outputs,
            head,
        };
        Network::new(
            architecture,
            self.layers.iter().map(|l| l.weights.clone()).collect(),
        )
    }

    /// Standardises raw feature rows in place, if the model was trained on standardised data.
    pub fn scale_rows(&self, x: &mut Matrix) {
        if let Some(s) = &self.scaling {
            let cols = x.cols();
            if cols == 0 {
                return;
            }
            for row in x.as_mut_slice().chunks_exact_mut(cols) {
                for ((v, m), sd) in row.iter_mut().zip(&s.mean).zip(&s.sd) {
                    *v = (*v - m) / sd;
                }
            }
        }
    }
}

fn parse_activation(name: &str) -> Result<Activation, NnError> {
    Activation::ALL
        .into_iter()
        .find(|a| a.name() == name || (name == "identity" && *a == Activation::Linear))
        .ok_or_else(|| {
            NnError::Invalid(format!(
                "unknown activation {name:?} (expected sigmoid, tanh, relu, leaky-relu or linear)"
            ))
        })
}

fn parse_head(name: &str) -> Result<OutputHead, NnError> {
    OutputHead::ALL
        .into_iter()
        .find(|h| h.name() == name || (name == "linear" && *h == OutputHead::Identity))
        .ok_or_else(|| {
            NnError::Invalid(format!(
                "unknown output activation {name:?} (expected sigmoid, softmax or identity)"
            ))
        })
}

/// Reads initial weights: a JSON array with one matrix (array of rows) per layer.
pub fn read_weights(path: &Path) -> Result<Vec<Matrix>, ModelError> {
    let name = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|source| ModelError::Io {
        path: name.clone(),
        source,
    })?;
    serde_json::from_str(&text).map_err(|e| ModelError::Parse {
        path: name,
        message: e.to_string(),
    })
}

/// Writes `bytes` to `path` through a temporary file in the same folder and a rename, so a
/// crash never leaves a half-written file.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(".tmp");
    let tmp = std::path::PathBuf::from(tmp);
    let mut file = std::fs::File::create(&tmp)?;
    std::io::Write::write_all(&mut file, bytes)?;
    file.sync_all()?;
    drop(file);
    std::fs::rename(&tmp, path)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn model_json(layers: &str) -> String {
        format!(
            r#"{{"format":"nnviz-model","version":1,"features":["a","b"],"target":"y","classes":["no","yes"],"layers":{layers}}}"#
        )
    }

    #[test]
    fn round_trips_through_json() {
        let text = model_json(
            r#"[{"activation":"tanh","weights":[[0,1],[2,3],[4,5]]},{"activation":"sigmoid","weights":[[1],[2],[3]]}]"#,
        );
        let model = SavedModel::from_json("m.json", &text).unwrap();
        let net = model.network().unwrap();
        assert_eq!(net.architecture().hidden[0].activation, Activation::Tanh);
        let again = serde_json::to_string(&model).unwrap();
        assert_eq!(SavedModel::from_json("m.json", &again).unwrap(), model);
    }

    #[test]
    fn wrong_shapes_and_names_are_refused_with_a_reason() {
        let cases = [
            (
                r#"[{"activation":"tanh","weights":[[0,1],[2,3]]},{"activation":"sigmoid","weights":[[1],[2],[3]]}]"#,
                "input rows",
            ),
            (
                r#"[{"activation":"swish","weights":[[0,1],[2,3],[4,5]]},{"activation":"sigmoid","weights":[[1],[2],[3]]}]"#,
                "unknown activation \"swish\"",
            ),
            (
                r#"[{"activation":"tanh","weights":[[0,1],[2,3],[4,5]]},{"activation":"sigmoid","weights":[[1],[2]]}]"#,
                "layer 2 weights are 2 × 1",
            ),
            (r#"[]"#, "no layers"),
        ];
        for (layers, expected) in cases {
            let err = SavedModel::from_json("m.json", &model_json(layers)).unwrap_err();
            assert!(
                err.to_string().contains(expected),
                "{err} should mention {expected}"
            );
            assert!(err.to_string().starts_with("m.json: "), "{err}");
        }
        let truncated = &model_json("[]")[..30];
        assert!(matches!(
            SavedModel::from_json("m.json", truncated),
            Err(ModelError::Parse { .. })
        ));
    }
}
