//! Writes the seed corpora of the fuzz targets into `DIR/csv` and `DIR/model` (run by
//! `fuzz/seed.sh`): the malformed-input corpus the tests replay (tests/all/corpus), the
//! built-in data sets as CSV files, hand-written CSVs for the reader's rules, and models that
//! `nnviz train --save-model` writes, alone and followed by a NUL and rows to predict.

#![allow(clippy::unwrap_used)] // A developer's tool: failing loudly is right.

use std::path::{Path, PathBuf};

use clap::Parser as _;
use nnviz::data::{Builtin, GeneratorOptions};

#[path = "../../tests/all/corpus/mod.rs"]
mod corpus;

/// Larger seeds are left out: the targets run with `-max_len 65536`.
const MAX_SEED: usize = 1 << 16;

fn main() {
    let dir = PathBuf::from(std::env::args().nth(1).expect("usage: seed DIR"));
    let (csv_dir, model_dir) = (dir.join("csv"), dir.join("model"));
    std::fs::create_dir_all(&csv_dir).unwrap();
    std::fs::create_dir_all(&model_dir).unwrap();
    let write = |dir: &Path, name: &str, bytes: &[u8]| {
        if bytes.len() <= MAX_SEED {
            let file: String = name
                .chars()
                .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
                .collect();
            std::fs::write(dir.join(file), bytes).unwrap();
        }
    };

    for (name, bytes, _) in corpus::csv_cases() {
        write(&csv_dir, &format!("corpus-{name}"), &bytes);
    }
    for (name, json, _) in corpus::model_cases() {
        write(&model_dir, &format!("corpus-{name}"), json.as_bytes());
    }
    for (name, text) in HAND_WRITTEN {
        write(&csv_dir, &format!("rule-{name}"), text.as_bytes());
    }
    let builtins = [
        ("hotdogs", Builtin::HotDogs),
        ("circle", Builtin::Circle),
        ("xor", Builtin::Xor),
        ("gauss", Builtin::Gauss),
        ("moons", Builtin::Moons),
        ("spirals", Builtin::Spirals),
        ("plane", Builtin::Plane),
        ("bumps", Builtin::Bumps),
        ("iris", Builtin::Iris),
    ];
    for (name, builtin) in builtins {
        let options = GeneratorOptions {
            points: 24,
            ..builtin.default_options()
        };
        let mut bytes = Vec::new();
        builtin.generate(&options).write_csv(&mut bytes).unwrap();
        write(&csv_dir, &format!("builtin-{name}"), &bytes);
    }

    // Models as `nnviz train --save-model` writes them, each with the rows it was trained on.
    let scratch = std::env::temp_dir().join(format!("nnviz-seed-{}", std::process::id()));
    std::fs::create_dir_all(&scratch).unwrap();
    let text_csv = scratch.join("colours.csv");
    std::fs::write(&text_csv, HAND_WRITTEN[0].1).unwrap();
    let models: [(&str, &[&str]); 7] = [
        (
            "hotdogs-hidden5",
            &["--dataset", "hotdogs", "--hidden", "5"],
        ),
        ("logistic", &["--dataset", "gauss", "--hidden", "0"]),
        (
            "iris-relu-softmax",
            &[
                "--dataset",
                "iris",
                "--hidden",
                "4,3",
                "--activation",
                "relu",
            ],
        ),
        (
            "spirals-tanh",
            &[
                "--dataset",
                "spirals",
                "--arms",
                "3",
                "--hidden",
                "3",
                "--activation",
                "tanh",
            ],
        ),
        ("bumps-regression", &["--dataset", "bumps", "--hidden", "3"]),
        (
            "circle-terms",
            &[
                "--dataset",
                "circle",
                "--hidden",
                "0",
                "--inputs",
                "x1,x2,x1^2,x2^2,x1*x2,sin(x1),cos(x2)",
            ],
        ),
        (
            "colours-levels",
            &[
                "--data",
                text_csv.to_str().unwrap(),
                "--target",
                "kind",
                "--hidden",
                "2",
                "--activation",
                "leaky-relu",
            ],
        ),
    ];
    for (name, options) in models {
        let path = scratch.join(format!("{name}.json"));
        let mut args = vec!["nnviz", "train", "--iterations", "20", "--points", "24"];
        if options.contains(&"--data") {
            args.retain(|&a| a != "--points" && a != "24");
        }
        args.extend_from_slice(options);
        args.extend(["--save-model", path.to_str().unwrap()]);
        let cli = nnviz::cli::Cli::try_parse_from(&args).unwrap();
        nnviz::cli::run(cli.command.unwrap()).unwrap();
        let json = std::fs::read(&path).unwrap();
        write(&model_dir, &format!("trained-{name}"), &json);
        // The same model with rows to predict: the built-in data set's or the CSV's.
        let rows = match name {
            "colours-levels" => HAND_WRITTEN[0].1.as_bytes().to_vec(),
            _ => {
                let builtin = builtins
                    .iter()
                    .find(|(b, _)| options.contains(b))
                    .map(|(_, b)| *b)
                    .unwrap();
                let mut bytes = Vec::new();
                builtin
                    .generate(&GeneratorOptions {
                        points: 8,
                        ..builtin.default_options()
                    })
                    .write_csv(&mut bytes)
                    .unwrap();
                bytes
            }
        };
        let mut with_rows = json.clone();
        with_rows.push(0);
        with_rows.extend(rows);
        write(&model_dir, &format!("trained-{name}-with-rows"), &with_rows);
    }
    std::fs::remove_dir_all(&scratch).unwrap();
}

/// CSVs for the reader's rules (see src/data/csv.rs): text columns one-hot encoded, missing
/// values, delimiters, decimal commas, quotes, a byte-order mark, CRLF, blank lines.
const HAND_WRITTEN: [(&str, &str); 10] = [
    (
        "text-feature",
        "size,colour,kind\n1.5,red,a\n2,green,b\n3,blue,a\n0.5,red,b\n2.5,green,a\n1,blue,b\n",
    ),
    (
        "missing",
        "a,b,y\n1,NA,x\n2,,y\nN/A,3,x\n4,nan,y\n5,6,x\n7,8,y\n",
    ),
    (
        "semicolon-decimal-comma",
        "a;b;y\n1,5;2;x\n3,25;4;y\n-0,5;1e3;x\n",
    ),
    ("tab", "a\tb\ty\n1\t2\t0\n3\t4\t1\n5\t6\t0\n"),
    (
        "quoted",
        "\"a,1\",\"b\"\"q\",y\n\"1\",\" 2 \",\"x\"\n3,4,\"y, z\"\n",
    ),
    (
        "bom-crlf-blank",
        "\u{feff}a,b,y\r\n\r\n1,2,x\r\n  \r\n3,4,y\r\n",
    ),
    ("numeric-classes", "a,b,y\n1,2,1\n3,4,2\n5,6,3\n7,8,1\n"),
    (
        "regression",
        "a,b,y\n1,2,0.5\n3,4,1.25\n5,6,-3e-5\n7,8,1e308\n",
    ),
    (
        "extremes",
        "a,b,y\n1e308,-1e308,x\n5e-324,-0,y\n1e309,inf,x\n+nan,-0.0,y\n",
    ),
    ("nameless-columns", ",,y\n1,2,x\n3,4,y\n"),
];
