//! One name per choice: the command line, JSON (settings, specs, model files) and the window
//! read and write the words of one table per option.

use clap::ValueEnum;
use nnviz::data::{Builtin, Task};
use nnviz::nn::{Activation, Init, Loss, OutputHead, Reduction};
use nnviz::train::{Optimizer, Schedule, ScheduleKind};

/// Every choice of `T` is written as its name and read back from it, by serde, `FromStr` and
/// clap alike, and no two choices share a name or a label.
fn check<T>(all: &[T], name: fn(&T) -> &'static str, label: fn(&T) -> &'static str)
where
    T: ValueEnum + serde::Serialize + serde::de::DeserializeOwned + std::str::FromStr + PartialEq,
    T: std::fmt::Debug + std::fmt::Display,
    <T as std::str::FromStr>::Err: std::fmt::Debug,
{
    assert_eq!(T::value_variants().len(), all.len());
    let mut names = std::collections::BTreeSet::new();
    let mut labels = std::collections::BTreeSet::new();
    for v in all {
        let n = name(v);
        assert!(names.insert(n), "{n} twice");
        assert!(labels.insert(label(v)), "{} twice", label(v));
        assert_eq!(v.to_string(), n);
        assert_eq!(serde_json::to_string(v).unwrap(), format!("\"{n}\""));
        assert_eq!(&serde_json::from_str::<T>(&format!("\"{n}\"")).unwrap(), v);
        assert_eq!(&n.parse::<T>().unwrap(), v);
        assert_eq!(
            &<T as ValueEnum>::from_str(n, false).unwrap(),
            v,
            "clap reads {n}"
        );
        assert_eq!(v.to_possible_value().unwrap().get_name(), n);
    }
    let e = serde_json::from_str::<T>("\"no-such-choice\"").unwrap_err();
    let first = name(&all[0]);
    assert!(e.to_string().contains(first), "{e} does not list {first}");
}

#[test]
fn every_option_has_one_name_table() {
    check(&Activation::ALL, |v| v.name(), |v| v.label());
    check(&OutputHead::ALL, |v| v.name(), |v| v.label());
    check(&Loss::ALL, |v| v.name(), |v| v.label());
    check(&Reduction::ALL, |v| v.name(), |v| v.label());
    check(&Init::ALL, |v| v.name(), |v| v.label());
    check(&Optimizer::ALL, |v| v.name(), |v| v.label());
    check(&ScheduleKind::ALL, |v| v.name(), |v| v.label());
    check(&Task::ALL, |v| v.name(), |v| v.label());
    check(&Builtin::ALL, |v| v.name(), |v| v.label());
}

#[test]
fn the_names_files_used_before_are_still_read() {
    let linear: Activation = serde_json::from_str("\"identity\"").unwrap();
    assert_eq!(linear, Activation::Linear);
    let identity: OutputHead = serde_json::from_str("\"linear\"").unwrap();
    assert_eq!(identity, OutputHead::Identity);
    // Settings written before the names were shared spelt the hot dogs the serde way.
    let hot_dogs: Builtin = serde_json::from_str("\"hot-dogs\"").unwrap();
    assert_eq!(hot_dogs, Builtin::HotDogs);
}

#[test]
fn a_schedules_kind_in_json_is_its_name() {
    for kind in ScheduleKind::ALL {
        let schedule = Schedule::starting(kind);
        assert_eq!(schedule.kind(), kind);
        let json: serde_json::Value = serde_json::to_value(schedule).unwrap();
        assert_eq!(json["kind"], schedule.kind().name());
    }
}

#[test]
fn the_command_line_offers_the_same_names() {
    let help = crate::common::nnviz_ok(&["train", "--help"]);
    for name in Init::NAMES
        .iter()
        .chain(&Optimizer::NAMES)
        .chain(&ScheduleKind::NAMES)
    {
        assert!(help.contains(name), "train --help lacks {name}:\n{help}");
    }
    let out = crate::common::nnviz(&["train", "--dataset", "hotdogs", "--activation", "swish"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(
            "unknown activation \"swish\" (expected sigmoid, tanh, relu, leaky-relu or linear)"
        ),
        "{err}"
    );
}
