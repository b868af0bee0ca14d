//! A setup as a short text, TensorFlow Playground's URL for nnviz: the data, every run's network
//! and training, and their seeds, as `key=value` words named as `nnviz train`'s options
//! (`dataset=moons hidden=8,8 learning-rate=0.03`), runs after the first separated by `|`.
//!
//! ```text
//! nnviz-setup-1 dataset=moons points=200 noise=0.1 data-seed=1 test-fraction=0.2 split-seed=1
//!   hidden=8,8 activation=tanh init=auto weight-seed=1 optimizer=gd learning-rate=0.5
//!   batch-size=full reduction=mean l1=0 l2=0 batch-seed=1 | hidden=30 weight-seed=2
//! ```
//!
//! **Copy setup** writes every choice out (so a later version's defaults do not change what it
//! means); **Paste setup** and `nnviz --setup TEXT` apply one on top of the current settings:
//! the keys given change, the others stay, and the runs become the text's. A bad word is an
//! error naming its column, key and value, and nothing changes.

use std::fmt::Write as _;

use super::settings::{MAX_RUNS, Settings};
use crate::cli::BatchSize;
use crate::data::Builtin;
use crate::nn::{Init, Loss, OutputHead, Reduction};
use crate::train::spec::Defaults;
use crate::train::{Optimizer, RunSpec, Schedule, ScheduleKind};

pub use crate::names::SETUP_TEXT_PREFIX as SETUP_PREFIX;

/// The longest setup text read (a pasted page of something else is refused at once).
pub const MAX_SETUP_BYTES: usize = 16 * 1024;

pub use crate::names::{SETUP_DATA_KEYS as DATA_KEYS, SETUP_RUN_KEYS as RUN_KEYS};

/// The setup text of `settings` (`csv`: the loaded file's name, if the data is a CSV file).
pub fn setup_text(settings: &Settings, csv: Option<&str>) -> String {
    let mut out = String::from(SETUP_PREFIX);
    match csv {
        Some(name) => {
            let _ = write!(out, " data={}", crate::text::quote_word(name));
        }
        None => {
            let g = &settings.generator;
            let _ = write!(
                out,
                " dataset={} points={} noise={} data-seed={} arms={}",
                settings.builtin.name(),
                g.points,
                g.noise,
                g.seed,
                g.arms
            );
        }
    }
    let p = &settings.preparation;
    let _ = write!(
        out,
        " test-fraction={} split-seed={}",
        p.test_fraction, p.split_seed
    );
    if let Some(s) = p.standardize {
        let _ = write!(out, " standardize={s}");
    }
    if let Some(inputs) = &p.inputs {
        let _ = write!(out, " inputs={}", crate::text::quote_word(inputs));
    }
    for (k, run) in settings.runs().enumerate() {
        if k > 0 {
            out.push_str(" |");
        }
        run_words(&mut out, run);
    }
    out
}

fn run_words(out: &mut String, run: &RunSpec) {
    let n = &run.network;
    let hidden: Vec<String> = n.hidden.iter().map(|h| h.units.to_string()).collect();
    let activations: Vec<&str> = n.hidden.iter().map(|h| h.activation.name()).collect();
    let _ = write!(
        out,
        " hidden={}",
        if hidden.is_empty() {
            "0".to_owned()
        } else {
            hidden.join(",")
        }
    );
    if !activations.is_empty() {
        let same = activations.iter().all(|a| *a == activations[0]);
        let list = if same {
            activations[0].to_owned()
        } else {
            activations.join(",")
        };
        let _ = write!(out, " activation={list}");
    }
    if let Some(head) = n.output {
        let _ = write!(out, " output={}", head.name());
    }
    let t = &run.training;
    let _ = write!(
        out,
        " init={} weight-seed={} optimizer={} learning-rate={} batch-size={}",
        n.init.name(),
        n.seed,
        t.optimizer.name(),
        t.learning_rate,
        t.batch_size.map_or("full".to_owned(), |b| b.to_string())
    );
    match t.schedule {
        Schedule::Constant => {}
        Schedule::Step { every, factor } => {
            let _ = write!(out, " schedule=step decay={factor} decay-every={every}");
        }
        Schedule::Exponential { rate } => {
            let _ = write!(out, " schedule=exponential decay={rate}");
        }
        Schedule::InverseTime { rate } => {
            let _ = write!(out, " schedule=inverse-time decay={rate}");
        }
    }
    // Always written: a data set's defaults would fill it in otherwise.
    let _ = write!(
        out,
        " reduction={}",
        t.reduction.map_or("auto", |r| r.name())
    );
    if let Some(l) = t.loss {
        let _ = write!(out, " loss={}", l.name());
    }
    let _ = write!(out, " l1={} l2={}", t.l1, t.l2);
    if let Some(tol) = t.tolerance {
        let _ = write!(out, " tolerance={tol}");
    }
    if let Some(n) = t.stop_after {
        let _ = write!(out, " iterations={n}");
    }
    let _ = write!(out, " batch-seed={}", t.seed);
}

/// One `key=value` word and where it starts (1-based column).
struct Word {
    column: usize,
    key: String,
    value: String,
}

/// The words of `text` in blocks (runs), quotes respected.
fn split(text: &str) -> Result<Vec<Vec<Word>>, String> {
    let mut blocks = vec![Vec::new()];
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    let mut first = true;
    while i < chars.len() {
        if chars[i].is_whitespace() {
            i += 1;
            continue;
        }
        let column = i + 1;
        if chars[i] == '|' {
            blocks.push(Vec::new());
            i += 1;
            continue;
        }
        let mut word = String::new();
        let mut in_quotes = false;
        while i < chars.len() && (in_quotes || !(chars[i].is_whitespace() || chars[i] == '|')) {
            match chars[i] {
                '"' => in_quotes = !in_quotes,
                '\\' if in_quotes && i + 1 < chars.len() => {
                    i += 1;
                    word.push(chars[i]);
                }
                c => word.push(c),
            }
            i += 1;
        }
        if in_quotes {
            return Err(format!("column {column}: a quote is not closed"));
        }
        if first {
            first = false;
            if word != SETUP_PREFIX {
                return Err(format!(
                    "column {column}: not an nnviz setup (it starts with {SETUP_PREFIX}, not {:?})",
                    shorten(&word)
                ));
            }
            continue;
        }
        let Some((key, value)) = word.split_once('=') else {
            return Err(format!(
                "column {column}: {:?} is not key=value",
                shorten(&word)
            ));
        };
        blocks
            .last_mut()
            .unwrap_or_else(|| unreachable!("one block at least"))
            .push(Word {
                column,
                key: key.to_owned(),
                value: value.to_owned(),
            });
    }
    if first {
        return Err(format!(
            "the setup is empty (it starts with {SETUP_PREFIX})"
        ));
    }
    Ok(blocks)
}

fn shorten(text: &str) -> String {
    text.chars().take(40).collect()
}

/// `settings` with the setup `text` applied: the keys given change, the others stay; the runs
/// become the text's blocks. `csv` is the loaded file's name: a `data=` key must name it.
pub fn apply_setup(settings: &Settings, text: &str, csv: Option<&str>) -> Result<Settings, String> {
    // Every message one line of bounded length, whatever the text echoed back.
    apply_setup_text(settings, text, csv).map_err(|e| crate::text::short_line(&e))
}

fn apply_setup_text(
    settings: &Settings,
    text: &str,
    csv: Option<&str>,
) -> Result<Settings, String> {
    if text.len() > MAX_SETUP_BYTES {
        return Err(format!(
            "the setup is {} bytes; a setup is at most {MAX_SETUP_BYTES}",
            text.len()
        ));
    }
    let blocks = split(text.trim())?;
    if blocks.len() > MAX_RUNS {
        return Err(format!(
            "the setup has {} runs; at most {MAX_RUNS} train side by side",
            blocks.len()
        ));
    }
    let mut next = settings.clone();
    next.compare.clear();
    next.selected = 0;
    // Another data set: what the text leaves out follows its defaults, as choosing it in the
    // window would (the article's on the hot dogs, scaled ones elsewhere).
    let value_of = |key: &str| {
        blocks[0]
            .iter()
            .find(|w| w.key == key)
            .map(|w| w.value.as_str())
    };
    let now = Defaults::for_builtin(csv.is_none().then_some(settings.builtin));
    let next_defaults = match (value_of("dataset"), value_of("data")) {
        (Some(name), _) => name
            .parse::<Builtin>()
            .ok()
            .map(|b| Defaults::for_builtin(Some(b))),
        (None, Some(_)) => Some(Defaults::Scaled),
        (None, None) => None,
    };
    let mut first_run = settings.run.clone();
    if let Some(defaults) = next_defaults.filter(|d| *d != now) {
        defaults.follow(&mut first_run);
    }
    let mut runs = Vec::with_capacity(blocks.len());
    for (b, block) in blocks.iter().enumerate() {
        // A later run starts as a copy of the first.
        let mut run = runs.first().unwrap_or(&first_run).clone();
        let mut hidden: Option<&str> = None;
        let mut activation: Option<&str> = None;
        let mut schedule: Option<ScheduleKind> = None;
        let mut decay: Option<f64> = None;
        let mut every: Option<u64> = None;
        // The data set first: choosing one resets its generator's options to its own.
        let mut words: Vec<&Word> = block.iter().collect();
        words.sort_by_key(|w| w.key != "dataset");
        for word in words {
            let at = |e: String| {
                format!(
                    "column {}: {}={}: {e}",
                    word.column,
                    word.key,
                    shorten(&word.value)
                )
            };
            let key = word.key.as_str();
            let value = word.value.as_str();
            if b > 0 && DATA_KEYS.contains(&key) {
                return Err(at(
                    "the data is the first run's; a later run (after |) sets its network and training"
                        .into(),
                ));
            }
            if !DATA_KEYS.contains(&key) && !RUN_KEYS.contains(&key) {
                return Err(format!(
                    "column {}: {key:?} is not a setup key (keys: {}, {})",
                    word.column,
                    DATA_KEYS.join(", "),
                    RUN_KEYS.join(", ")
                ));
            }
            apply_word(&mut next, &mut run, key, value, csv).map_err(at)?;
            match key {
                "hidden" => hidden = Some(value),
                "activation" => activation = Some(value),
                "schedule" => schedule = Some(name::<ScheduleKind>(value).map_err(at)?),
                "decay" => decay = Some(number(value).map_err(at)?),
                "decay-every" => every = Some(whole(value).map_err(at)?),
                _ => {}
            }
        }
        if hidden.is_some() || activation.is_some() {
            let units: Vec<String> = run
                .network
                .hidden
                .iter()
                .map(|h| h.units.to_string())
                .collect();
            let units = if units.is_empty() {
                "0".to_owned()
            } else {
                units.join(",")
            };
            let current = run
                .network
                .hidden
                .first()
                .map_or("sigmoid", |h| h.activation.name());
            run.network.hidden =
                crate::cli::hidden_layers(hidden.unwrap_or(&units), activation.unwrap_or(current))
                    .map_err(|e| {
                        let e = e
                            .message
                            .replace("--hidden", "hidden")
                            .replace("--activation", "activation");
                        format!("run {}: {e}", b + 1)
                    })?;
            if let Some(bad) = run
                .network
                .hidden
                .iter()
                .find(|h| h.units > crate::nn::MAX_UNITS)
            {
                return Err(format!(
                    "run {}: hidden={}: at most {} units a layer",
                    b + 1,
                    bad.units,
                    crate::nn::MAX_UNITS
                ));
            }
            if run.network.hidden.len() > crate::nn::MAX_HIDDEN_LAYERS {
                return Err(format!(
                    "run {}: {} hidden layers; at most {}",
                    b + 1,
                    run.network.hidden.len(),
                    crate::nn::MAX_HIDDEN_LAYERS
                ));
            }
        }
        if schedule.is_some() || decay.is_some() || every.is_some() {
            let kind = schedule.unwrap_or(run.training.schedule.kind());
            let every = every.unwrap_or(match run.training.schedule {
                Schedule::Step { every, .. } => every,
                _ => 1000,
            });
            run.training.schedule = crate::cli::schedule(kind, decay, every)
                .map_err(|e| format!("run {}: {}", b + 1, e.message.replace("--decay", "decay")))?;
        }
        runs.push(run);
    }
    if next.builtin != settings.builtin {
        // As for any new data set: its own axes; input terms named the old features.
        (next.x_feature, next.y_feature) = next.builtin.default_axes();
        if !blocks[0].iter().any(|w| w.key == "inputs") {
            next.preparation.inputs = None;
        }
    }
    next.own = None;
    let mut runs = runs.into_iter();
    next.run = runs.next().unwrap_or(first_run);
    next.compare = runs.collect();
    next.generator.validate().map_err(|e| e.to_string())?;
    Ok(next)
}

/// True if the setup's first block names a built-in data set (`dataset=`).
pub fn names_dataset(text: &str) -> bool {
    split(text.trim()).is_ok_and(|blocks| blocks[0].iter().any(|w| w.key == "dataset"))
}

/// A name from one of nnviz's name tables (`moons`, `tanh`, `adam`…).
fn name<T: std::str::FromStr<Err = crate::names::UnknownName>>(value: &str) -> Result<T, String> {
    value.parse::<T>().map_err(|e| e.to_string())
}

fn number(value: &str) -> Result<f64, String> {
    match value.parse::<f64>() {
        Ok(v) if v.is_finite() => Ok(v),
        _ => Err("not a number".into()),
    }
}

fn whole(value: &str) -> Result<u64, String> {
    value
        .parse::<u64>()
        .map_err(|_| "not a whole number (0 or more)".into())
}

fn flag(value: &str) -> Result<bool, String> {
    match value {
        "true" | "on" | "yes" => Ok(true),
        "false" | "off" | "no" => Ok(false),
        _ => Err("not true or false".into()),
    }
}

/// `Some(value)`, or `None` for `auto`.
fn auto<T>(value: &str, parse: impl Fn(&str) -> Result<T, String>) -> Result<Option<T>, String> {
    if value == "auto" {
        Ok(None)
    } else {
        parse(value).map(Some)
    }
}

fn apply_word(
    settings: &mut Settings,
    run: &mut RunSpec,
    key: &str,
    value: &str,
    csv: Option<&str>,
) -> Result<(), String> {
    let g = &mut settings.generator;
    let p = &mut settings.preparation;
    let n = &mut run.network;
    let t = &mut run.training;
    match key {
        "dataset" => {
            let builtin: Builtin = name(value)?;
            if builtin != settings.builtin {
                settings.builtin = builtin;
                *g = super::presets::default_generator(builtin);
            }
        }
        "data" => {
            if csv != Some(value) {
                return Err(match csv {
                    Some(open) => format!(
                        "the setup is for {value}, and {open} is open: open {value} first (Open CSV…)"
                    ),
                    None => format!(
                        "the setup is for the file {value}: open it first (Open CSV…), then paste the setup"
                    ),
                });
            }
        }
        "target" => {}
        "points" => g.points = usize::try_from(whole(value)?).map_err(|e| e.to_string())?,
        "noise" => {
            let v = number(value)?;
            if v < 0.0 {
                return Err("noise must be 0 or more".into());
            }
            g.noise = v;
        }
        "arms" => g.arms = usize::try_from(whole(value)?).map_err(|e| e.to_string())?,
        "data-seed" => g.seed = whole(value)?,
        "test-fraction" => {
            let v = number(value)?;
            if !(0.0..=0.9).contains(&v) {
                return Err("the test fraction is from 0 to 0.9".into());
            }
            p.test_fraction = v;
        }
        "split-seed" => p.split_seed = whole(value)?,
        "standardize" => p.standardize = auto(value, flag)?,
        "inputs" => p.inputs = (!value.is_empty() && value != "none").then(|| value.to_owned()),
        "output" => n.output = auto(value, name::<OutputHead>)?,
        "init" => n.init = name::<Init>(value)?,
        "weight-seed" => n.seed = whole(value)?,
        "seed" => {
            let seed = whole(value)?;
            n.seed = seed;
            t.seed = seed;
        }
        "optimizer" => t.optimizer = name::<Optimizer>(value)?,
        "learning-rate" => {
            let v = number(value)?;
            if !(1e-5..=10.0).contains(&v) {
                return Err("the learning rate is from 0.00001 to 10".into());
            }
            t.learning_rate = v;
        }
        "batch-size" => {
            t.batch_size = match value.parse::<BatchSize>()? {
                BatchSize::Full => None,
                BatchSize::Rows(r) => Some(r),
            }
        }
        "reduction" => t.reduction = auto(value, name::<Reduction>)?,
        "loss" => t.loss = auto(value, name::<Loss>)?,
        "l1" | "l2" => {
            let v = number(value)?;
            if v < 0.0 {
                return Err("a penalty is 0 or more".into());
            }
            if key == "l1" {
                t.l1 = v;
            } else {
                t.l2 = v;
            }
        }
        "tolerance" => t.tolerance = auto(value, number)?,
        "iterations" => t.stop_after = auto(value, whole)?,
        "batch-seed" => t.seed = whole(value)?,
        // Read together (layers and their activations, a schedule and its numbers), once the
        // block is read.
        "hidden" | "activation" | "schedule" | "decay" | "decay-every" => {}
        _ => return Err("not a setup key".into()),
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::nn::Activation;

    #[test]
    fn a_copied_setup_pastes_back_to_the_same_settings() {
        let mut settings = Settings {
            builtin: Builtin::Spirals,
            ..Settings::default()
        };
        settings.generator = Builtin::Spirals.default_options();
        settings.generator.arms = 3;
        settings.preparation.inputs = Some("x1,x2,x1*x2".into());
        settings.run.network.hidden = vec![
            crate::nn::HiddenLayer {
                units: 8,
                activation: Activation::Tanh,
            },
            crate::nn::HiddenLayer {
                units: 3,
                activation: Activation::Relu,
            },
        ];
        settings.run.training.schedule = Schedule::Step {
            every: 500,
            factor: 0.25,
        };
        settings.run.training.l2 = 0.001;
        settings.run.training.tolerance = Some(0.01);
        let mut second = settings.run.clone();
        second.network.seed = 9;
        second.training.optimizer = Optimizer::Adam;
        second.training.batch_size = Some(16);
        settings.compare = vec![second];
        let text = setup_text(&settings, None);
        assert!(text.len() < 600, "{} characters: {text}", text.len());
        let back = apply_setup(&Settings::default(), &text, None).unwrap();
        assert_eq!(back.builtin, settings.builtin);
        assert_eq!(back.generator, settings.generator);
        assert_eq!(back.preparation, settings.preparation);
        assert_eq!(back.run, settings.run);
        assert_eq!(back.compare, settings.compare);
    }

    #[test]
    fn what_a_setup_leaves_out_follows_its_data_sets_defaults() {
        // From the hot dogs (the article's defaults) to the spirals: scaled ones, but the rate
        // given stays.
        let back = apply_setup(
            &Settings::default(),
            "nnviz-setup-1 dataset=spirals learning-rate=0.2",
            None,
        )
        .unwrap();
        assert_eq!(back.run.network.init, Init::Auto);
        assert_eq!(back.run.training.reduction, Some(Reduction::Mean));
        assert_eq!(back.run.training.learning_rate, 0.2);
        // The same data set: nothing follows.
        let same = apply_setup(&Settings::default(), "nnviz-setup-1 hidden=3", None).unwrap();
        assert_eq!(same.run.network.init, Init::Normal);
    }

    #[test]
    fn a_bad_word_names_its_column_key_and_value_and_changes_nothing() {
        let s = Settings::default();
        for (text, expected) in [
            ("hello", "not an nnviz setup"),
            ("", "empty"),
            (
                "nnviz-setup-1 learnig-rate=0.1",
                "column 15: \"learnig-rate\" is not a setup key",
            ),
            (
                "nnviz-setup-1 learning-rate=fast",
                "column 15: learning-rate=fast: not a number",
            ),
            ("nnviz-setup-1 learning-rate=100", "from 0.00001 to 10"),
            ("nnviz-setup-1 hidden=5,x", "\"x\" is not a layer size"),
            ("nnviz-setup-1 dataset=mars", "mars"),
            ("nnviz-setup-1 points", "is not key=value"),
            ("nnviz-setup-1 inputs=\"x1", "quote is not closed"),
            ("nnviz-setup-1 | points=3", "the data is the first run's"),
            ("nnviz-setup-1 points=2", "points"),
            ("nnviz-setup-1 data=flowers.csv", "open it first"),
            ("nnviz-setup-1 | | | | |", "at most 5"),
            ("nnviz-setup-1 schedule=step decay=3", "factor from 0 to 1"),
        ] {
            let e = apply_setup(&s, text, None).expect_err(text);
            assert!(e.contains(expected), "{text}: {e}");
        }
    }
}
