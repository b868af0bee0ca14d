//! `nnviz export-code`: the run that `nnviz train` would train, as a Python or R script.

use std::path::PathBuf;

use clap::Args;

use super::train::{TrainArgs, build_run};
use super::{CliError, Output, outln};
use crate::code::{Language, script};

/// Options of `nnviz export-code`.
#[derive(Debug, Args)]
pub struct ExportCodeArgs {
    /// The script's language: python (numpy) or r.
    #[arg(long, value_enum)]
    pub language: Language,
    /// Write the script to this file instead of standard output (needed above 10 000 training
    /// rows: they go to FILE.rows.csv beside it).
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// The data, the network and its training, as for `nnviz train`.
    #[command(flatten)]
    pub train: TrainArgs,
}

pub(super) fn run(args: &ExportCodeArgs) -> Result<(), CliError> {
    let t = &args.train;
    for (given, option) in [
        (t.seeds.is_some(), "--seeds"),
        (t.save_model.is_some(), "--save-model"),
        (t.trace.is_some(), "--trace"),
    ] {
        if given {
            return Err(CliError(format!(
                "export-code writes one run's script: {option} is for nnviz train"
            )));
        }
    }
    let (_, _, run) = build_run(t)?;
    let rows_path = args.out.as_ref().map(|out| out.with_extension("rows.csv"));
    let rows_name = rows_path.as_ref().and_then(|p| p.file_name()).map_or_else(
        || "rows.csv".to_owned(),
        |n| n.to_string_lossy().into_owned(),
    );
    let code = script(args.language, &run, t.iterations(), &rows_name).map_err(|e| {
        CliError(format!(
            "export-code --language {}: {e}",
            args.language.name()
        ))
    })?;
    let write = |path: &PathBuf, text: &str| {
        crate::model::write_atomically(path, text.as_bytes())
            .map_err(|e| CliError(format!("{}: {e}", path.display())))
    };
    match (&args.out, &code.rows_csv, &rows_path) {
        (None, Some(_), _) => Err(CliError(format!(
            "{} training rows are more than a script embeds ({}): give --out FILE, and the \
             rows go to FILE.rows.csv beside it",
            run.data().train_x.rows(),
            crate::code::MAX_EMBEDDED_ROWS
        ))),
        (None, None, _) => {
            let mut out = Output::new();
            outln!(out, "{}", code.text.trim_end());
            out.finish()
        }
        (Some(path), rows, rows_path) => {
            if let (Some(rows), Some(rows_path)) = (rows, rows_path) {
                write(rows_path, rows)?;
            }
            write(path, &code.text)
        }
    }
}
