//! What the user chose, persisted between runs: a plain serde struct with defaults.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::data::{Builtin, GeneratorOptions};
use crate::train::spec::Defaults;
use crate::train::{Preparation, RunSpec};

/// The most runs trained side by side.
pub const MAX_RUNS: usize = 5;

/// The runs of Try seeds.
pub const TRY_SEEDS: usize = 5;

/// The smallest and largest zoom the window offers.
pub const ZOOM_RANGE: (f32, f32) = (0.6, 2.5);

/// Bumped whenever a field changes meaning, so that an old settings file falls back to defaults.
pub const SETTINGS_VERSION: u32 = 2;

/// How fast the runs train.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", tag = "kind")]
pub enum Speed {
    /// As fast as the worker thread can.
    Max,
    /// At most this many iterations per second (to watch a run slowly).
    PerSecond {
        /// Iterations per second.
        iterations: u32,
    },
}

impl Speed {
    /// The choices offered in the window.
    pub const CHOICES: [Self; 4] = [
        Self::Max,
        Self::PerSecond { iterations: 1000 },
        Self::PerSecond { iterations: 100 },
        Self::PerSecond { iterations: 10 },
    ];

    /// The limit in iterations per second, `None` for none.
    pub fn per_second(self) -> Option<f64> {
        match self {
            Self::Max => None,
            Self::PerSecond { iterations } => Some(f64::from(iterations.max(1))),
        }
    }

    /// The text of the choice.
    pub fn label(self) -> String {
        match self {
            Self::Max => "max".to_owned(),
            Self::PerSecond { iterations } => format!("{iterations}"),
        }
    }
}

/// Everything the user chose: data, network, training and view. The runtime state (data set,
/// trainer, caches) is rebuilt from it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Settings {
    /// [`SETTINGS_VERSION`] of the code that wrote these settings.
    pub version: u32,
    /// The built-in data set (used unless a CSV file is loaded).
    pub builtin: Builtin,
    /// Points, noise and seed of the built-in data set.
    pub generator: GeneratorOptions,
    /// The network and its training (the baseline is built beside it): run 1.
    pub run: RunSpec,
    /// Runs 2 to 4, trained beside run 1 on the same data (compare mode when there are any).
    pub compare: Vec<RunSpec>,
    /// The run the Network and Training controls edit: 0 for run 1, k for `compare[k - 1]`.
    pub selected: usize,
    /// How the rows are split and scaled.
    pub preparation: Preparation,
    /// How fast the runs train.
    pub speed: Speed,
    /// Dark (true) or light theme.
    pub dark: bool,
    /// Draw test points (hollow) as well as training points.
    pub show_test: bool,
    /// Ring the points the network classifies wrongly.
    pub ring_wrong: bool,
    /// List the misclassified rows under their count.
    pub list_wrong: bool,
    /// Shade regions by predicted class only (no probability intensity).
    pub discretize: bool,
    /// Loss curves on a log scale.
    pub log_loss: bool,
    /// Feature drawn on the x axis.
    pub x_feature: usize,
    /// Feature drawn on the y axis.
    pub y_feature: usize,
    /// Class of points added by clicking on the plot.
    pub click_class: usize,
    /// The controls panel (left) is shown.
    pub show_controls: bool,
    /// The numbers and network panel (right) is shown.
    pub show_insight: bool,
    /// Size of everything in the window (1 = 100 %): larger for a projector.
    pub zoom: f32,
    /// The user's own network, training and split while a preset or a one-click comparison
    /// runs: they come back when the data set changes, so that the preset's one-off settings
    /// (a rate of 0.0001, "stop after 9999", no test set) do not become the user's.
    pub own: Option<Box<OwnSettings>>,
}

/// What a preset replaces and the next data set gets back: see [`Settings::own`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OwnSettings {
    /// The preset or comparison running ("Hidden 5").
    pub experiment: String,
    /// Run 1's spec.
    pub run: RunSpec,
    /// The compared runs' specs.
    pub compare: Vec<RunSpec>,
    /// The run the controls edit.
    pub selected: usize,
    /// Split and scaling.
    pub preparation: Preparation,
    /// Training speed.
    pub speed: Speed,
}

impl Default for Settings {
    /// The article's network on the article-like hot dogs: 5 sigmoid units, η = 0.01,
    /// full-batch GD, summed cross-entropy, N(0, 1) weights.
    fn default() -> Self {
        Self {
            version: SETTINGS_VERSION,
            builtin: Builtin::HotDogs,
            generator: super::presets::default_generator(Builtin::HotDogs),
            run: RunSpec::default(),
            compare: Vec::new(),
            selected: 0,
            preparation: Preparation::default(),
            speed: Speed::Max,
            dark: true,
            show_test: true,
            ring_wrong: true,
            list_wrong: false,
            discretize: false,
            log_loss: true,
            x_feature: 0,
            y_feature: 1,
            click_class: 0,
            show_controls: true,
            show_insight: true,
            zoom: 1.0,
            own: None,
        }
    }
}

impl Settings {
    /// Settings read from storage, or the defaults if they are missing, corrupt or too old.
    pub fn from_json(text: Option<&str>) -> Self {
        text.map_or_else(Self::default, |t| Self::parse(t).unwrap_or_default())
    }

    /// Settings from their JSON, or what is wrong with it.
    pub fn parse(text: &str) -> Result<Self, String> {
        let settings: Self = serde_json::from_str(text).map_err(|e| e.to_string())?;
        if settings.version != SETTINGS_VERSION {
            return Err(format!(
                "written by another version of nnviz (settings version {}, this one reads {SETTINGS_VERSION})",
                settings.version
            ));
        }
        Ok(settings.sanitized())
    }

    /// The settings with every number pulled back into its valid range.
    pub fn sanitized(mut self) -> Self {
        self.compare.truncate(MAX_RUNS - 1);
        self.selected = self.selected.min(self.compare.len());
        for run in std::iter::once(&mut self.run).chain(&mut self.compare) {
            let network = &mut run.network;
            network.hidden.truncate(crate::nn::MAX_HIDDEN_LAYERS);
            for layer in &mut network.hidden {
                layer.units = layer.units.clamp(1, crate::nn::MAX_UNITS);
            }
            let training = &mut run.training;
            let lr = training.learning_rate;
            training.learning_rate = if lr.is_finite() {
                lr.clamp(1e-5, 10.0)
            } else {
                0.01
            };
        }
        let preparation = &mut self.preparation;
        if !(0.0..=0.9).contains(&preparation.test_fraction) {
            preparation.test_fraction = 0.2;
        }
        self.generator.points = self.generator.points.clamp(4, 100_000);
        self.zoom = if self.zoom.is_finite() {
            self.zoom.clamp(ZOOM_RANGE.0, ZOOM_RANGE.1)
        } else {
            1.0
        };
        self
    }

    /// `experiment`'s settings (a preset's, a comparison's) taking over from these: the user's
    /// own are kept in [`Self::own`] (the first ones, when one experiment follows another).
    pub fn start_experiment(&self, experiment: &str, mut next: Self) -> Self {
        let own = match &self.own {
            Some(own) => own.clone(),
            None => Box::new(OwnSettings {
                experiment: String::new(),
                run: self.run.clone(),
                compare: self.compare.clone(),
                selected: self.selected,
                preparation: self.preparation.clone(),
                speed: self.speed,
            }),
        };
        next.own = Some(Box::new(OwnSettings {
            experiment: experiment.to_owned(),
            ..*own
        }));
        next
    }

    /// For a new data set: the user's own settings back if an experiment set them aside (its
    /// name is returned), the data set's own axes, and its features as the network's inputs.
    pub fn leave_experiment(&mut self) -> Option<String> {
        let experiment = self.own.take().map(|own| {
            let OwnSettings {
                experiment,
                run,
                compare,
                selected,
                preparation,
                speed,
            } = *own;
            self.run = run;
            self.compare = compare;
            self.selected = selected;
            self.preparation = preparation;
            self.speed = speed;
            experiment
        });
        (self.x_feature, self.y_feature) = self.builtin.default_axes();
        // Input terms name the old data's features.
        self.preparation.inputs = None;
        experiment
    }

    /// Every run's choices that are still some data set's default follow `defaults` (the new
    /// data's); true if any changed.
    pub fn follow_defaults(&mut self, defaults: Defaults) -> bool {
        let old: Vec<RunSpec> = self.runs().cloned().collect();
        defaults.follow(&mut self.run);
        for run in &mut self.compare {
            defaults.follow(run);
        }
        self.runs().ne(old.iter())
    }

    /// Every run's spec: run 1, then the compared ones.
    pub fn runs(&self) -> impl Iterator<Item = &RunSpec> {
        std::iter::once(&self.run).chain(&self.compare)
    }

    /// How many runs train (1 unless comparing).
    pub fn run_count(&self) -> usize {
        1 + self.compare.len()
    }

    /// True when three or more runs differ only in their seeds (initial weights and batch
    /// order): one setup's spread, drawn as a band.
    pub fn is_seed_comparison(&self) -> bool {
        let unseeded = |spec: &RunSpec| {
            let mut spec = spec.clone();
            spec.network.seed = 0;
            spec.training.seed = 0;
            spec
        };
        let first = unseeded(&self.run);
        self.run_count() >= 3 && self.compare.iter().all(|c| unseeded(c) == first)
    }

    /// `TRY_SEEDS` runs of run `k`'s settings, seeds `s`, `s + 1`, … (its own first): see
    /// [`Self::is_seed_comparison`].
    pub fn seed_comparison(&self, k: usize) -> Self {
        let base = self.run_spec(k).clone();
        let seeded = |i: u64| {
            let mut spec = base.clone();
            spec.network.seed = base.network.seed.wrapping_add(i);
            spec.training.seed = base.training.seed.wrapping_add(i);
            spec
        };
        Self {
            run: seeded(0),
            compare: (1..TRY_SEEDS as u64).map(seeded).collect(),
            selected: 0,
            ..self.clone()
        }
    }

    /// Run `k`'s spec (0 is run 1); the last run's if `k` is too large.
    pub fn run_spec(&self, k: usize) -> &RunSpec {
        match k.checked_sub(1) {
            None => &self.run,
            Some(i) => self
                .compare
                .get(i)
                .or(self.compare.last())
                .unwrap_or(&self.run),
        }
    }

    /// Run `k`'s spec to edit (0 is run 1); the last run's if `k` is too large.
    pub fn run_spec_mut(&mut self, k: usize) -> &mut RunSpec {
        let i = k.min(self.compare.len());
        match i.checked_sub(1) {
            None => &mut self.run,
            Some(i) => &mut self.compare[i],
        }
    }

    /// The spec the controls edit.
    pub fn selected_spec_mut(&mut self) -> &mut RunSpec {
        self.run_spec_mut(self.selected)
    }
}

/// The settings file: JSON, written atomically (temp file, then rename), so a crash or power
/// cut mid-save leaves the previous settings whole.
#[derive(Clone, Debug)]
pub struct SettingsFile {
    path: PathBuf,
}

/// Settings as read at start-up, with what went wrong (if anything) for the window to say.
#[derive(Debug)]
pub struct Loaded {
    /// The settings read, or the defaults.
    pub settings: Settings,
    /// Why the defaults are used although a file was there.
    pub problem: Option<String>,
}

impl SettingsFile {
    /// The settings file at `path`.
    pub fn new(path: impl Into<PathBuf>) -> Self {
        Self { path: path.into() }
    }

    /// `settings.json` in the platform's data folder for nnviz, if the platform has one.
    pub fn in_data_dir() -> Option<Self> {
        eframe::storage_dir("nnviz").map(|dir| Self::new(dir.join("settings.json")))
    }

    /// Where the file lives.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The stored settings; the defaults if there is no file. A file that cannot be read, is
    /// corrupt or is from another version gives the defaults and a problem naming the file; the
    /// bad file is kept beside it as `settings.json.bad` (the next save replaces the original).
    pub fn load(&self) -> Loaded {
        let text = match std::fs::read(&self.path) {
            Ok(bytes) => String::from_utf8(bytes).map_err(|_| "not UTF-8 text".to_owned()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Loaded {
                    settings: Settings::default(),
                    problem: None,
                };
            }
            Err(e) => Err(e.to_string()),
        };
        match text.and_then(|t| Settings::parse(&t)) {
            Ok(settings) => Loaded {
                settings,
                problem: None,
            },
            Err(why) => {
                let mut bad = self.path.as_os_str().to_owned();
                bad.push(".bad");
                let kept = match std::fs::copy(&self.path, &bad) {
                    Ok(_) => format!("; it was kept as {}", Path::new(&bad).display()),
                    Err(_) => String::new(),
                };
                Loaded {
                    settings: Settings::default(),
                    problem: Some(format!(
                        "Settings file {} is unusable ({why}); using the defaults{kept}.",
                        self.path.display()
                    )),
                }
            }
        }
    }

    /// Writes the settings atomically, creating the folder if needed.
    pub fn save(&self, settings: &Settings) -> std::io::Result<()> {
        if let Some(dir) = self.path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        let json = serde_json::to_vec_pretty(settings).map_err(std::io::Error::other)?;
        crate::model::write_atomically(&self.path, &json)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch(name: &str) -> PathBuf {
        let dir =
            std::env::temp_dir().join(format!("nnviz-settings-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        dir
    }

    #[test]
    fn the_settings_file_round_trips_and_leaves_no_temp_file() {
        let dir = scratch("round-trip");
        let file = SettingsFile::new(dir.join("sub").join("settings.json"));
        let loaded = file.load();
        assert_eq!(loaded.settings, Settings::default());
        assert!(loaded.problem.is_none(), "a missing file is not a problem");
        let mut s = Settings::default();
        s.run.network.seed = 42;
        file.save(&s).unwrap();
        s.run.training.learning_rate = 0.3;
        file.save(&s).unwrap();
        let loaded = file.load();
        assert_eq!(loaded.settings, s);
        assert!(loaded.problem.is_none());
        let names: Vec<_> = std::fs::read_dir(dir.join("sub"))
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, ["settings.json"]);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_corrupt_settings_file_is_reported_kept_and_replaced_by_defaults() {
        let dir = scratch("corrupt");
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("settings.json");
        let file = SettingsFile::new(&path);
        for (bytes, says) in [
            (
                &b"{\"version\": 2, \"run\": {\"network\": {\"hidden\": [{\"units\": "[..],
                "EOF",
            ),
            (b"\xff\xfe garbage", "UTF-8"),
            (br#"{"version": 0}"#, "version 0"),
            (br#"{"version": 1}"#, "version 1"),
            (br#"{"version": 2, "speed": "fast"}"#, "invalid type"),
        ] {
            std::fs::write(&path, bytes).unwrap();
            let loaded = file.load();
            assert_eq!(loaded.settings, Settings::default());
            let problem = loaded.problem.unwrap();
            assert!(problem.contains("settings.json"), "{problem}");
            assert!(problem.contains(says), "{problem} should say {says}");
            assert_eq!(std::fs::read(dir.join("settings.json.bad")).unwrap(), bytes);
        }
        file.save(&Settings::default()).unwrap();
        assert!(file.load().problem.is_none());
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn corrupt_or_old_settings_fall_back_to_defaults() {
        assert_eq!(Settings::from_json(Some("{not json")), Settings::default());
        assert_eq!(
            Settings::from_json(Some(r#"{"version": 0}"#)),
            Settings::default()
        );
        assert_eq!(Settings::from_json(None), Settings::default());
    }

    #[test]
    fn settings_round_trip_through_json() {
        let mut s = Settings::default();
        s.run.training.learning_rate = 0.5;
        s.run.network.hidden.push(crate::nn::HiddenLayer {
            units: 7,
            activation: crate::nn::Activation::Relu,
        });
        let text = serde_json::to_string(&s).unwrap();
        assert_eq!(Settings::from_json(Some(&text)), s);
    }
}
