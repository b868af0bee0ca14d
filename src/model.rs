//! Saved models: a network plus everything needed to predict on raw rows (the article's
//! `predict(newdata)`), as JSON.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::names::UnknownName;
use crate::nn::{Activation, Architecture, HiddenLayer, Matrix, Network, NnError, OutputHead};
use crate::text::{short, short_line};

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
    /// Every level of each one-hot encoded text column seen in training, the reference level
    /// (all zeros) first, so that `predict` refuses a level it never saw. Absent in models
    /// saved before nnviz kept it: their levels are not checked.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub levels: BTreeMap<String, Vec<String>>,
    /// The network's inputs as terms over the features (`x1^2`, `x1*x2`, …), if they are not
    /// the features themselves: `predict` computes them from raw rows, before the scaling.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inputs: Option<crate::data::Inputs>,
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
            levels: BTreeMap::new(),
            inputs: None,
            layers,
        }
    }

    /// The model with its input terms (see [`Self::inputs`]).
    #[must_use]
    pub fn with_inputs(mut self, inputs: Option<crate::data::Inputs>) -> Self {
        self.inputs = inputs;
        self
    }

    /// The model with the levels of its one-hot encoded text columns (see [`Self::levels`];
    /// [`Dataset::levels`](crate::data::Dataset::levels) has them).
    #[must_use]
    pub fn with_levels(mut self, levels: BTreeMap<String, Vec<String>>) -> Self {
        self.levels = levels;
        self
    }

    /// Parses and checks a model from JSON text; `path` names the source in messages.
    ///
    /// Weight matrices are read into place and refused as soon as one is larger than a layer
    /// can be (see [`Matrix`]'s deserialisation), so no file makes nnviz allocate more than a
    /// small multiple of its own size.
    pub fn from_json(path: &str, text: &str) -> Result<Self, ModelError> {
        Self::checked(path, serde_json::from_str(text))
    }

    /// Reads and checks a model file, streaming it (the text is not held in memory whole).
    pub fn load(path: &Path) -> Result<Self, ModelError> {
        let name = path.display().to_string();
        let file = std::fs::File::open(path).map_err(|source| ModelError::Io {
            path: name.clone(),
            source,
        })?;
        let reader = std::io::BufReader::with_capacity(1 << 16, file);
        Self::checked(&name, serde_json::from_reader(reader))
    }

    fn checked(path: &str, parsed: serde_json::Result<Self>) -> Result<Self, ModelError> {
        let model = parsed.map_err(|e| parse_error(path, &e))?;
        model.network().map_err(|e| ModelError::Invalid {
            path: path.into(),
            message: e.to_string(),
        })?;
        Ok(model)
    }

    /// Writes the model as JSON, atomically (temporary file, then rename). A model that would
    /// not load again (non-finite scaling, shapes that do not fit) is refused, and nothing is
    /// written.
    pub fn save(&self, path: &Path) -> Result<(), ModelError> {
        self.network().map_err(|e| ModelError::Invalid {
            path: path.display().to_string(),
            message: format!("the model cannot be saved: {e}"),
        })?;
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
                "format is \"{}\", expected {FORMAT:?}",
                short(&self.format)
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
        match &self.inputs {
            None if inputs != self.features.len() => {
                return Err(NnError::Shape(format!(
                    "layer 1 has {} input rows (bias + {inputs}), but the model lists {} features",
                    self.layers[0].weights.rows(),
                    self.features.len()
                )));
            }
            Some(terms) if terms.features() != self.features.as_slice() => {
                return Err(NnError::Invalid(format!(
                    "the input terms are over the features [{}], but the model lists [{}]",
                    terms.features().join(", "),
                    self.features.join(", ")
                )));
            }
            Some(terms) if terms.len() != inputs => {
                return Err(NnError::Shape(format!(
                    "layer 1 has {} input rows (bias + {inputs}), but the model has {} input \
                     terms ({})",
                    self.layers[0].weights.rows(),
                    terms.len(),
                    terms.text()
                )));
            }
            _ => {}
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
        if self.classes.len() == 1 {
            return Err(NnError::Invalid(format!(
                "the model has one class (\"{}\"); a classifier needs two or more",
                short(&self.classes[0])
            )));
        }
        for (what, names) in [("class", &self.classes), ("feature", &self.features)] {
            let mut seen = std::collections::BTreeSet::new();
            if let Some(twice) = names.iter().find(|n| !seen.insert(n.as_str())) {
                return Err(NnError::Invalid(format!(
                    "{what} \"{}\" is listed twice",
                    short(twice)
                )));
            }
        }
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

    /// Raw feature rows (`[n, features]`) as the network takes them: their input terms (if
    /// the model has any), then standardised if the model was trained so.
    pub fn network_inputs(&self, x: &Matrix) -> Matrix {
        let mut x = match &self.inputs {
            Some(terms) => terms.expand(x),
            None => x.clone(),
        };
        self.scale_rows(&mut x);
        x
    }

    /// Standardises the network's input rows in place, if the model was trained on
    /// standardised data (as [`Scaling::apply_row`](crate::data::Scaling::apply_row) does).
    pub fn scale_rows(&self, x: &mut Matrix) {
        if let Some(s) = &self.scaling {
            let cols = x.cols();
            if cols == 0 {
                return;
            }
            for row in x.as_mut_slice().chunks_exact_mut(cols) {
                for ((v, &m), &sd) in row.iter_mut().zip(&s.mean).zip(&s.sd) {
                    *v = crate::data::standardized(*v, m, sd);
                }
            }
        }
    }
}

fn parse_activation(name: &str) -> Result<Activation, NnError> {
    name.parse()
        .map_err(|e: UnknownName| NnError::Invalid(e.to_string()))
}

fn parse_head(name: &str) -> Result<OutputHead, NnError> {
    name.parse()
        .map_err(|e: UnknownName| NnError::Invalid(e.to_string()))
}

/// A parse error as one line of reasonable length (serde repeats offending keys and values).
///
/// The position (`at line L column C`) is kept whatever the rest's length: a key or value of
/// many words (serde repeats an unknown key whole) is cut to [`PARSE_MESSAGE_CHARS`] before it.
fn parse_error(path: &str, e: &serde_json::Error) -> ModelError {
    let text = e.to_string();
    let position = format!(" at line {} column {}", e.line(), e.column());
    let (what, at) = match text.strip_suffix(&position) {
        Some(what) => (what, position.as_str()),
        None => (text.as_str(), ""),
    };
    let mut message = short_line(what);
    if let Some((end, _)) = message.char_indices().nth(PARSE_MESSAGE_CHARS) {
        message.truncate(end);
        message.push('…');
    }
    message.push_str(at);
    ModelError::Parse {
        path: path.into(),
        message,
    }
}

/// The most characters of a parse error's message before its position.
const PARSE_MESSAGE_CHARS: usize = 200;

/// Reads initial weights: a JSON array with one matrix (array of rows) per layer, streamed and
/// checked against a layer's largest size as it is read.
pub fn read_weights(path: &Path) -> Result<Vec<Matrix>, ModelError> {
    let name = path.display().to_string();
    let file = std::fs::File::open(path).map_err(|source| ModelError::Io {
        path: name.clone(),
        source,
    })?;
    let reader = std::io::BufReader::with_capacity(1 << 16, file);
    serde_json::from_reader(reader).map_err(|e| parse_error(&name, &e))
}

/// Writes `bytes` to `path` through a temporary file and a rename, so that a crash never leaves
/// a half-written file and the old one stays whole until the new one is.
///
/// The temporary file is new, in the same folder (a rename across file systems is not atomic),
/// under a name no other writer uses (hidden, with this process's id and a counter), and is
/// removed if anything fails. The file's data is synced before the rename and, on Unix, the
/// folder after it, so that the rename itself survives a crash.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write as _;
    use std::sync::atomic::{AtomicU64, Ordering};
    static WRITES: AtomicU64 = AtomicU64::new(0);

    let name = path.file_name().ok_or_else(|| {
        std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            format!("{} is not a file name", path.display()),
        )
    })?;
    let folder = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    // A short prefix of the name keeps the temporary name within file-name limits.
    let prefix: String = name.to_string_lossy().chars().take(64).collect();
    let (tmp, mut file) = loop {
        let n = WRITES.fetch_add(1, Ordering::Relaxed);
        let tmp = folder.join(format!(".{prefix}.{}-{n}.tmp", std::process::id()));
        match std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&tmp)
        {
            Ok(file) => break (tmp, file),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
            Err(e) => return Err(e),
        }
    };
    let written = file
        .write_all(bytes)
        .and_then(|()| file.sync_all())
        .and_then(|()| {
            drop(file);
            std::fs::rename(&tmp, path)
        });
    if let Err(e) = written {
        let _ = std::fs::remove_file(&tmp);
        return Err(e);
    }
    #[cfg(unix)]
    {
        // The rename is done and the data safe; a folder that cannot be synced (some file
        // systems refuse) is no reason to report a failure.
        if let Ok(dir) = std::fs::File::open(folder) {
            let _ = dir.sync_all();
        }
    }
    Ok(())
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

    fn temp_folder(name: &str) -> std::path::PathBuf {
        let dir = std::env::temp_dir().join(format!("nnviz-model-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    fn folder_entries(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    #[test]
    fn a_model_that_would_not_load_again_is_not_saved() {
        let text = model_json(
            r#"[{"activation":"tanh","weights":[[0,1],[2,3],[4,5]]},{"activation":"sigmoid","weights":[[1],[2],[3]]}]"#,
        );
        let mut model = SavedModel::from_json("m.json", &text).unwrap();
        model.scaling = Some(SavedScaling {
            mean: vec![f64::INFINITY, 0.0],
            sd: vec![1.0, 1.0],
        });
        let dir = temp_folder("unsaved");
        let path = dir.join("m.json");
        let err = model.save(&path).unwrap_err().to_string();
        assert!(
            err.contains("cannot be saved") && err.contains("scaling"),
            "{err}"
        );
        assert!(folder_entries(&dir).is_empty());
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn atomic_writes_use_their_own_temporary_file_and_leave_nothing_behind() {
        let dir = temp_folder("atomic");
        let path = dir.join("m.json");
        // A user's file that happens to have the old fixed temporary name is not touched.
        std::fs::write(dir.join("m.json.tmp"), "mine").unwrap();
        write_atomically(&path, b"first").unwrap();
        write_atomically(&path, b"second").unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "second");
        assert_eq!(
            std::fs::read_to_string(dir.join("m.json.tmp")).unwrap(),
            "mine"
        );
        assert_eq!(folder_entries(&dir), ["m.json", "m.json.tmp"]);

        // Writers at once each get a temporary file; the result is one of them, whole.
        let texts: Vec<String> = (0..8).map(|k| format!("{k}").repeat(100_000)).collect();
        std::thread::scope(|scope| {
            for text in &texts {
                let path = &path;
                scope.spawn(move || write_atomically(path, text.as_bytes()).unwrap());
            }
        });
        let result = std::fs::read_to_string(&path).unwrap();
        assert!(texts.contains(&result));
        assert_eq!(folder_entries(&dir), ["m.json", "m.json.tmp"]);

        // A failed rename (the target is a folder) removes the temporary file.
        let folder = dir.join("taken");
        std::fs::create_dir(&folder).unwrap();
        assert!(write_atomically(&folder, b"x").is_err());
        assert_eq!(folder_entries(&dir), ["m.json", "m.json.tmp", "taken"]);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
