//! An experiment as data: where the rows come from and how they are prepared, the network and
//! its initial weights, how it trains, and the seeds. The command line, the app, the presets and
//! the tests all describe a run this way, and [`Run::new`](super::Run::new) is the one place
//! that turns a spec into a network and a trainer, so their defaults cannot drift apart.
//!
//! Settings left to the data (`None`) are decided here, once: the output head, the loss and the
//! reduction follow the targets (see [`TrainingSpec::loss`] and [`TrainingSpec::reduction`]).

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use crate::data::{self, Builtin, ColumnRoles, DataError, Dataset, GeneratorOptions};
use crate::data::{PrepareOptions, Prepared};
use crate::nn::{
    Activation, Architecture, HiddenLayer, Init, Loss, NnError, OutputHead, Reduction, Targets,
};

use super::{Optimizer, Schedule, TrainConfig};

/// Where the rows come from.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", tag = "kind")]
pub enum DataSource {
    /// A built-in data set made by its generator.
    Builtin {
        /// Which one.
        name: Builtin,
        /// Its points, noise, arms and seed.
        options: GeneratorOptions,
    },
    /// A CSV file with a header row.
    Csv {
        /// The file.
        path: PathBuf,
        /// Target, features and class order (default: the last column is the target).
        #[serde(default)]
        roles: ColumnRoles,
    },
}

impl Default for DataSource {
    /// The hot dogs with their generator's defaults.
    fn default() -> Self {
        Self::Builtin {
            name: Builtin::HotDogs,
            options: Builtin::HotDogs.default_options(),
        }
    }
}

impl DataSource {
    /// Generates or reads the data set.
    pub fn load(&self) -> Result<Dataset, DataError> {
        match self {
            Self::Builtin { name, options } => {
                // Checked before anything is allocated; `generate` would clamp instead.
                options.validate()?;
                Ok(name.generate(options))
            }
            Self::Csv { path, roles } => data::read_csv_path(path, roles),
        }
    }
}

/// How the rows are split and scaled, and what the network takes as inputs.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Preparation {
    /// Share of rows held out for testing, in `[0, 1)`. Default 0.2.
    pub test_fraction: f64,
    /// Standardise the features (fitted on the training rows); `None` follows the data set
    /// (on for CSV files, off for the article's data sets).
    pub standardize: Option<bool>,
    /// Seed of the train/test split. Default 1.
    pub split_seed: u64,
    /// The network's inputs as terms over the features (`x1,x2,x1^2,x1*x2,sin(x1)`); `None`
    /// for the features themselves.
    pub inputs: Option<String>,
}

impl Default for Preparation {
    fn default() -> Self {
        Self {
            test_fraction: 0.2,
            standardize: None,
            split_seed: 1,
            inputs: None,
        }
    }
}

impl Preparation {
    /// Whether `data` is standardised under this preparation.
    pub fn standardizes(&self, data: &Dataset) -> bool {
        self.standardize.unwrap_or(data.standardize_by_default)
    }

    /// Splits and scales `data`.
    pub fn prepare(&self, data: &Dataset) -> Result<Prepared, DataError> {
        let inputs = self.inputs(data)?;
        data::prepare_inputs(data, &self.options(data), inputs.as_ref())
    }

    /// [`Self::prepare`] for a caller done with the data set's rows: they become the prepared
    /// matrices where they lie (see [`data::prepare_inputs_owned`]).
    pub fn prepare_owned(&self, data: Dataset) -> Result<Prepared, DataError> {
        let inputs = self.inputs(&data)?;
        let options = self.options(&data);
        data::prepare_inputs_owned(data, &options, inputs.as_ref())
    }

    /// [`Self::prepare`] on a split already made: these training and test rows (each
    /// ascending, together every row once), as a session file keeps them.
    pub fn prepare_split(
        &self,
        data: &Dataset,
        train: Vec<usize>,
        test: Vec<usize>,
    ) -> Result<Prepared, DataError> {
        let inputs = self.inputs(data)?;
        Ok(Prepared::from_rows(
            data,
            train,
            test,
            self.standardizes(data),
            inputs.as_ref(),
        ))
    }

    fn inputs(&self, data: &Dataset) -> Result<Option<data::Inputs>, DataError> {
        self.inputs
            .as_deref()
            .map(|text| data::Inputs::parse(text, &data.feature_names))
            .transpose()
    }

    fn options(&self, data: &Dataset) -> PrepareOptions {
        PrepareOptions {
            test_fraction: self.test_fraction,
            standardize: self.standardizes(data),
            seed: self.split_seed,
        }
    }
}

/// The network: its hidden layers, its output and how its first weights are drawn.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct NetworkSpec {
    /// Hidden layers, input side first; empty is logistic (or softmax, or linear) regression.
    pub hidden: Vec<HiddenLayer>,
    /// The output head; `None` follows the targets: one sigmoid unit for two classes, softmax
    /// for more, identity for numbers.
    pub output: Option<OutputHead>,
    /// How the initial weights are drawn.
    pub init: Init,
    /// Seed of the initial weights.
    pub seed: u64,
}

impl Default for NetworkSpec {
    /// The article's network: 5 sigmoid units, N(0, 1) weights.
    fn default() -> Self {
        Self {
            hidden: vec![HiddenLayer {
                units: 5,
                activation: Activation::Sigmoid,
            }],
            output: None,
            init: Init::Normal,
            seed: 1,
        }
    }
}

impl NetworkSpec {
    /// The output head for `targets`.
    pub fn head(&self, targets: &Targets) -> OutputHead {
        self.output.unwrap_or(match targets {
            Targets::Classes { n_classes: 2, .. } => OutputHead::Sigmoid,
            Targets::Classes { .. } => OutputHead::Softmax,
            Targets::Values(_) => OutputHead::Identity,
        })
    }

    /// The architecture for `inputs` features and `targets`, checked.
    pub fn architecture(&self, inputs: usize, targets: &Targets) -> Result<Architecture, NnError> {
        let head = self.head(targets);
        let architecture = Architecture {
            inputs,
            hidden: self.hidden.clone(),
            outputs: targets.output_units(head),
            head,
        };
        architecture.validate()?;
        Ok(architecture)
    }

    /// Hidden units in all, the figure a lesson's `hidden_units` goal reads.
    pub fn hidden_units(&self) -> usize {
        self.hidden.iter().map(|h| h.units).sum()
    }
}

/// How the network trains.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct TrainingSpec {
    /// The loss; `None` follows the targets: cross-entropy for classes, squared error for
    /// numbers.
    pub loss: Option<Loss>,
    /// Sum or mean of the per-row losses; `None` follows the targets: the sum (the article's)
    /// for classes, the mean for numbers (a summed squared error at the usual rates diverges as
    /// soon as there are a few hundred rows).
    pub reduction: Option<Reduction>,
    /// The optimiser.
    pub optimizer: Optimizer,
    /// Base learning rate η.
    pub learning_rate: f64,
    /// How η changes over the iterations.
    pub schedule: Schedule,
    /// Rows per iteration; `None` for the full batch (the article's).
    pub batch_size: Option<usize>,
    /// L1 penalty over the non-bias weights.
    pub l1: f64,
    /// L2 penalty over the non-bias weights.
    pub l2: f64,
    /// Stop once the reported loss is below this.
    pub tolerance: Option<f64>,
    /// Seed of the mini-batch order.
    pub seed: u64,
    /// Stop after this many iterations; `None` trains until paused (or stopped by the
    /// tolerance or a divergence).
    pub stop_after: Option<u64>,
}

impl Default for TrainingSpec {
    /// The article's training: full-batch gradient descent at η = 0.01.
    fn default() -> Self {
        let config = TrainConfig::default();
        Self {
            loss: None,
            reduction: None,
            optimizer: config.optimizer,
            learning_rate: config.learning_rate,
            schedule: config.schedule,
            batch_size: config.batch_size,
            l1: config.l1,
            l2: config.l2,
            tolerance: config.tolerance,
            seed: config.seed,
            stop_after: None,
        }
    }
}

impl TrainingSpec {
    /// The loss used on `targets`.
    pub fn loss_for(&self, targets: &Targets) -> Loss {
        self.loss.unwrap_or(match targets {
            Targets::Classes { .. } => Loss::CrossEntropy,
            Targets::Values(_) => Loss::SquaredError,
        })
    }

    /// The reduction used on `targets`.
    pub fn reduction_for(&self, targets: &Targets) -> Reduction {
        self.reduction.unwrap_or(match targets {
            Targets::Classes { .. } => Reduction::Sum,
            Targets::Values(_) => Reduction::Mean,
        })
    }

    /// The trainer's settings on `targets` with output `head`, checked.
    pub fn config(&self, head: OutputHead, targets: &Targets) -> Result<TrainConfig, NnError> {
        let config = TrainConfig {
            loss: self.loss_for(targets),
            reduction: self.reduction_for(targets),
            optimizer: self.optimizer,
            learning_rate: self.learning_rate,
            schedule: self.schedule,
            batch_size: self.batch_size,
            l1: self.l1,
            l2: self.l2,
            tolerance: self.tolerance,
            seed: self.seed,
        };
        config.validate(head, targets)?;
        Ok(config)
    }
}

/// One run: a network and how it trains (the data is shared by every run of a comparison).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct RunSpec {
    /// The network.
    pub network: NetworkSpec,
    /// Its training.
    pub training: TrainingSpec,
}

impl RunSpec {
    /// A short description for a legend or a column head: `5 sigmoid · GD η 0.01`, or
    /// `no hidden layer · Adam η 0.05`.
    pub fn summary(&self) -> String {
        let layers = if self.network.hidden.is_empty() {
            "no hidden layer".to_owned()
        } else {
            self.network
                .hidden
                .iter()
                .map(|h| format!("{} {}", h.units, h.activation.name()))
                .collect::<Vec<_>>()
                .join(", ")
        };
        format!(
            "{layers} · {} η {}",
            self.training.optimizer.name(),
            self.training.learning_rate
        )
    }
}

/// The defaults a run takes where the user has not chosen: the article's on its hot dogs, scaled
/// ones on every other data set. The article's N(0, 1) weights, summed loss and η = 0.01 are
/// right for 200 points and a few units, and reproduce its figures; on a user's own data a wide
/// ReLU layer starting from N(0, 1) weights, with a step that grows with every row, diverges at
/// once. Scaled defaults keep the start and the step the same size whatever the rows and units.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Defaults {
    /// N(0, 1) weights, the summed loss, η = 0.01: the article's experiments, exactly.
    Article,
    /// Weights scaled to each layer (Xavier, He for ReLU), the mean loss, η = 0.5: what a user of
    /// scikit-learn or Keras expects.
    Scaled,
}

impl Defaults {
    /// The defaults for a built-in data set (`None`: the user's own CSV).
    pub fn for_builtin(builtin: Option<Builtin>) -> Self {
        match builtin {
            Some(Builtin::HotDogs) => Self::Article,
            _ => Self::Scaled,
        }
    }

    /// The defaults for the rows of `source`.
    pub fn for_source(source: &DataSource) -> Self {
        match source {
            DataSource::Builtin { name, .. } => Self::for_builtin(Some(*name)),
            DataSource::Csv { .. } => Self::Scaled,
        }
    }

    /// How the initial weights are drawn.
    pub fn init(self) -> Init {
        match self {
            Self::Article => Init::Normal,
            Self::Scaled => Init::Auto,
        }
    }

    /// The reduction (`None`: the targets decide, the sum for classes, as in the article).
    pub fn reduction(self) -> Option<Reduction> {
        match self {
            Self::Article => None,
            Self::Scaled => Some(Reduction::Mean),
        }
    }

    /// The learning rate.
    pub fn learning_rate(self) -> f64 {
        match self {
            Self::Article => 0.01,
            Self::Scaled => 0.5,
        }
    }

    /// One line for the window and a notice: which defaults apply, and why.
    pub fn describe(self) -> &'static str {
        match self {
            Self::Article => {
                "the article's defaults: N(0, 1) weights, the summed loss, learning rate 0.01 \
                 (its experiments, exactly)"
            }
            Self::Scaled => {
                "defaults for your own data: weights scaled to each layer (Xavier, He for ReLU), \
                 the mean loss, learning rate 0.5: they hold as rows and units grow (the \
                 article's are for its hot dogs)"
            }
        }
    }

    /// A few words for the window: `scaled (Xavier/He, mean loss, η 0.5)`.
    pub fn short(self) -> &'static str {
        match self {
            Self::Article => "the article's (N(0, 1), summed loss, η 0.01)",
            Self::Scaled => "scaled (Xavier/He, mean loss, η 0.5)",
        }
    }

    /// True when `run`'s initial weights, reduction and learning rate are these defaults.
    pub fn are_in(self, run: &RunSpec) -> bool {
        run.network.init == self.init()
            && run.training.reduction == self.reduction()
            && run.training.learning_rate == self.learning_rate()
    }

    /// Puts these defaults in `run`, whatever was chosen before.
    pub fn apply(self, run: &mut RunSpec) {
        run.network.init = self.init();
        run.training.reduction = self.reduction();
        run.training.learning_rate = self.learning_rate();
    }

    /// `run` with these defaults in place of another data set's: a choice still at any data
    /// set's default follows the data, one the user changed stays.
    pub fn follow(self, run: &mut RunSpec) {
        let all = [Self::Article, Self::Scaled];
        if all.iter().any(|d| d.init() == run.network.init) {
            run.network.init = self.init();
        }
        let t = &mut run.training;
        if all.iter().any(|d| d.reduction() == t.reduction) {
            t.reduction = self.reduction();
        }
        if all.iter().any(|d| d.learning_rate() == t.learning_rate) {
            t.learning_rate = self.learning_rate();
        }
    }
}

/// Iterations the logistic-regression baseline trains for (the article's count).
pub const BASELINE_ITERATIONS: u64 = 100_000;

impl RunSpec {
    /// The baseline beside every network: the article's logistic regression (linear regression
    /// for numbers), fitted to convergence like R's `glm`. Adam on the mean loss at rate 0.05
    /// gets there on any data set, where plain gradient descent on the summed loss may
    /// oscillate or diverge. Its initial weights come from `seed`; `batch_size` is for data too
    /// large for a full pass.
    pub fn baseline(seed: u64, batch_size: Option<usize>) -> Self {
        Self {
            network: NetworkSpec {
                hidden: Vec::new(),
                output: None,
                init: Init::Normal,
                seed,
            },
            training: TrainingSpec {
                reduction: Some(Reduction::Mean),
                optimizer: Optimizer::Adam,
                learning_rate: 0.05,
                batch_size,
                stop_after: Some(BASELINE_ITERATIONS),
                ..TrainingSpec::default()
            },
        }
    }
}

/// A whole experiment: the data, its preparation and the run.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Spec {
    /// Where the rows come from.
    pub data: DataSource,
    /// How they are split and scaled.
    pub preparation: Preparation,
    /// The network and its training.
    pub run: RunSpec,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::nn::Matrix;

    fn classes(k: usize) -> Targets {
        Targets::Classes {
            labels: (0..10).map(|i| i % k).collect(),
            n_classes: k,
        }
    }

    #[test]
    fn the_targets_decide_what_the_spec_leaves_open() {
        let spec = RunSpec::default();
        let numbers = Targets::Values(Matrix::zeros(10, 1));
        assert_eq!(spec.network.head(&classes(2)), OutputHead::Sigmoid);
        assert_eq!(spec.network.head(&classes(3)), OutputHead::Softmax);
        assert_eq!(spec.network.head(&numbers), OutputHead::Identity);
        let config = spec
            .training
            .config(OutputHead::Sigmoid, &classes(2))
            .unwrap();
        assert_eq!(
            (config.loss, config.reduction),
            (Loss::CrossEntropy, Reduction::Sum)
        );
        let config = spec
            .training
            .config(OutputHead::Identity, &numbers)
            .unwrap();
        assert_eq!(
            (config.loss, config.reduction),
            (Loss::SquaredError, Reduction::Mean)
        );
    }

    #[test]
    fn a_chosen_setting_wins_over_the_default() {
        let mut spec = RunSpec::default();
        spec.training.reduction = Some(Reduction::Sum);
        spec.network.output = Some(OutputHead::Softmax);
        let numbers = Targets::Values(Matrix::zeros(10, 1));
        assert_eq!(spec.training.reduction_for(&numbers), Reduction::Sum);
        assert_eq!(spec.network.head(&classes(2)), OutputHead::Softmax);
        assert_eq!(
            spec.network.architecture(2, &classes(2)).unwrap().outputs,
            2
        );
    }

    #[test]
    fn a_spec_reads_back_from_json_with_defaults_for_what_is_missing() {
        let spec: Spec = serde_json::from_str(
            r#"{"run": {"network": {"hidden": [{"units": 3, "activation": "tanh"}]}}}"#,
        )
        .unwrap();
        assert_eq!(spec.run.network.hidden[0].units, 3);
        assert_eq!(spec.run.training, TrainingSpec::default());
        assert_eq!(spec.preparation, Preparation::default());
        let text = serde_json::to_string(&spec).unwrap();
        assert_eq!(serde_json::from_str::<Spec>(&text).unwrap(), spec);
    }
}
