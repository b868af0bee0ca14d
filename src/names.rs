//! One name table per option enum: the words a user types on the command line, writes in a file
//! and reads in the window all come from one `name_table!` list, so `--help`, JSON (settings,
//! specs, model files) and the UI cannot drift apart.
//!
//! `name_table!` gives the enum `ALL` (menu order), `name()` (command line and files),
//! `label()` (the window), `Display` (the name), `FromStr` (the name or an alias, any case),
//! serde (the name; an alias is read too) and `clap::ValueEnum` (the names, with the labels as
//! help).

/// A name that is none of an option's.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("unknown {what} \"{value}\" (expected {expected})")]
pub struct UnknownName {
    /// What the option is ("activation", "optimiser", …).
    pub what: &'static str,
    /// The text given, cut to a readable length (with "…").
    pub value: String,
    /// The accepted names, as "a, b or c".
    pub expected: String,
}

impl UnknownName {
    /// The error for `value`, which is none of `names`.
    pub fn new(what: &'static str, value: &str, names: &[&str]) -> Self {
        let value = crate::text::short(value).into_owned();
        let expected = match names {
            [] => String::new(),
            [one] => (*one).to_owned(),
            [rest @ .., last] => format!("{} or {last}", rest.join(", ")),
        };
        Self {
            what,
            value,
            expected,
        }
    }
}

/// Implements the names of a unit-only enum from one table:
/// `name_table!(Type, "what" { Variant => "name" | "alias": "label", … });`.
#[macro_export]
macro_rules! name_table {
    ($ty:ident, $what:literal { $($variant:ident => $name:literal $(| $alias:literal)* : $label:literal),+ $(,)? }) => {
        impl $ty {
            /// Every choice, in menu order.
            pub const ALL: [Self; [$($name),+].len()] = [$(Self::$variant),+];
            /// The names of [`Self::ALL`], as on the command line and in files.
            pub const NAMES: [&'static str; [$($name),+].len()] = [$($name),+];

            /// The name on the command line and in files.
            pub const fn name(self) -> &'static str {
                match self {
                    $(Self::$variant => $name),+
                }
            }

            /// The text of the choice in the window.
            pub const fn label(self) -> &'static str {
                match self {
                    $(Self::$variant => $label),+
                }
            }
        }

        impl ::std::fmt::Display for $ty {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.name())
            }
        }

        impl ::std::str::FromStr for $ty {
            type Err = $crate::names::UnknownName;

            /// The choice named `text` (its name or an alias, in any case, spaces around ignored).
            fn from_str(text: &str) -> Result<Self, Self::Err> {
                let t = text.trim();
                $(
                    if t.eq_ignore_ascii_case($name) $(|| t.eq_ignore_ascii_case($alias))* {
                        return Ok(Self::$variant);
                    }
                )+
                Err($crate::names::UnknownName::new($what, text, &Self::NAMES))
            }
        }

        impl ::serde::Serialize for $ty {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.name())
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $ty {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let text = <::std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
                text.parse().map_err(::serde::de::Error::custom)
            }
        }

        impl ::clap::ValueEnum for $ty {
            fn value_variants<'a>() -> &'a [Self] {
                &Self::ALL
            }

            fn to_possible_value(&self) -> Option<::clap::builder::PossibleValue> {
                Some(match self {
                    $(Self::$variant => ::clap::builder::PossibleValue::new($name)
                        $(.alias($alias))*
                        .help($label)),+
                })
            }
        }
    };
}

/// Setup-text keys (see `app::setup`) of the data and its split: the first run's block only.
pub const SETUP_DATA_KEYS: [&str; 10] = [
    "dataset",
    "points",
    "noise",
    "arms",
    "data-seed",
    "test-fraction",
    "split-seed",
    "standardize",
    "inputs",
    "data",
];

/// Setup-text keys of one run's network and training.
pub const SETUP_RUN_KEYS: [&str; 20] = [
    "hidden",
    "activation",
    "output",
    "init",
    "weight-seed",
    "optimizer",
    "learning-rate",
    "batch-size",
    "schedule",
    "decay",
    "decay-every",
    "reduction",
    "loss",
    "l1",
    "l2",
    "tolerance",
    "iterations",
    "batch-seed",
    "seed",
    "target",
];

/// The first word of a setup text (see `app::setup`): its format's version.
pub const SETUP_TEXT_PREFIX: &str = "nnviz-setup-1";

#[cfg(test)]
mod tests {
    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    enum Colour {
        Red,
        DarkBlue,
    }

    name_table!(Colour, "colour" {
        Red => "red": "Red",
        DarkBlue => "dark-blue" | "navy": "dark blue",
    });

    #[test]
    fn names_aliases_and_case_are_read_and_the_name_is_written() {
        assert_eq!("red".parse(), Ok(Colour::Red));
        assert_eq!(" NAVY ".parse(), Ok(Colour::DarkBlue));
        assert_eq!(Colour::DarkBlue.to_string(), "dark-blue");
        assert_eq!(Colour::DarkBlue.label(), "dark blue");
        assert_eq!(
            serde_json::to_string(&Colour::DarkBlue).unwrap(),
            "\"dark-blue\""
        );
        let read: Colour = serde_json::from_str("\"navy\"").unwrap();
        assert_eq!(read, Colour::DarkBlue);
    }

    #[test]
    fn an_unknown_name_lists_the_accepted_ones() {
        let e = "green".parse::<Colour>().unwrap_err();
        assert_eq!(
            e.to_string(),
            "unknown colour \"green\" (expected red or dark-blue)"
        );
        let e = serde_json::from_str::<Colour>("\"green\"").unwrap_err();
        assert!(e.to_string().contains("expected red or dark-blue"), "{e}");
    }

    #[test]
    fn clap_offers_the_names_with_the_labels_as_help() {
        use clap::ValueEnum;
        let names: Vec<String> = Colour::value_variants()
            .iter()
            .filter_map(|c| c.to_possible_value())
            .map(|v| v.get_name().to_owned())
            .collect();
        assert_eq!(names, ["red", "dark-blue"]);
        assert_eq!(
            <Colour as ValueEnum>::from_str("navy", false),
            Ok(Colour::DarkBlue)
        );
    }
}
