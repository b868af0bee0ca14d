//! `nnviz explain`: one row of a CSV through a saved model, forward and backward, in the
//! article's notation (`z = [1 x] W`, `h = σ(z)`, `ŷ`, `ŷ − y`, the deltas and the row's
//! gradient).

use std::path::PathBuf;

use clap::Args;

use super::{CliError, Output, outln};
use crate::data::{Cell, Table};
use crate::model::SavedModel;
use crate::nn::{Loss, Matrix, OutputHead, Targets};
use crate::text::significant;
use crate::train::explain::{
    ExplainLine, Notation, RowExplanation, explain_row, explanation_lines,
};

/// Options of `nnviz explain`.
#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// A model saved by `nnviz train --save-model` or the app.
    #[arg(long, value_name = "M.json")]
    pub model: PathBuf,
    /// A CSV with the model's feature columns (and its target column, for the backward pass).
    #[arg(long, value_name = "F.csv")]
    pub data: PathBuf,
    /// The data row to explain, counted from 1: the first row after the header.
    #[arg(long, value_name = "N")]
    pub row: usize,
    /// The loss the backward pass differentiates [default: cross-entropy for classes, squared
    /// error for numbers].
    #[arg(long, value_enum)]
    pub loss: Option<Loss>,
    /// Significant digits of the numbers printed (the JSON has every digit).
    #[arg(long, default_value_t = 4, value_parser = clap::value_parser!(u8).range(1..=17))]
    pub digits: u8,
    /// Print one JSON object instead of text.
    #[arg(long)]
    pub json: bool,
}

pub(super) fn run(args: &ExplainArgs) -> Result<(), CliError> {
    let model = SavedModel::load(&args.model)?;
    let network = model.network()?;
    let table = Table::read_path(&args.data)?;
    let file = table.file_name().to_owned();
    if args.row == 0 || args.row > table.n_rows() {
        return Err(CliError(format!(
            "{file}: there is no data row {}: the file has {} data rows, counted from 1 (the \
             first row after the header)",
            args.row,
            table.n_rows()
        )));
    }
    let (x, rows) = table.feature_matrix(&model.features, &model.levels)?;
    let Some(kept) = rows.iter().position(|&r| r == args.row) else {
        return Err(CliError(format!(
            "{file}: data row {} has an empty cell in a column the model uses ({})",
            args.row,
            model.features.join(", ")
        )));
    };
    let raw = x.row(kept).to_vec();
    let x = model.network_inputs(&Matrix::from_vec(1, raw.len(), raw.clone())?);
    let head = network.architecture().head;
    let classification = !model.classes.is_empty();
    let loss = args.loss.unwrap_or(if classification {
        Loss::CrossEntropy
    } else {
        Loss::SquaredError
    });
    if loss == Loss::CrossEntropy && head == OutputHead::Identity {
        return Err(CliError(
            "--loss cross-entropy needs a sigmoid or softmax output; this model's is identity"
                .into(),
        ));
    }
    let (target, note) = target_of(&table, &model, args.row - 1)?;
    let explanation = explain_row(&network, loss, x.row(0), target.as_ref())?;
    let mut out = Output::new();
    if args.json {
        let predicted = classification
            .then(|| model.classes.get(explanation.predicted_class()).cloned())
            .flatten();
        let json = serde_json::json!({
            "row": args.row,
            "features": model.features,
            "raw": raw,
            "input": explanation.input,
            "output": explanation.output,
            "predicted": predicted,
            "target": explanation.target,
            "loss": explanation.loss,
            "loss_kind": loss.name(),
            "note": note,
            "layers": explanation.layers,
        });
        outln!(out, "{json}");
    } else {
        let input_names = model
            .inputs
            .as_ref()
            .map_or_else(|| model.features.clone(), |i| i.names().to_vec());
        let hidden = network.architecture().hidden_activations();
        let notation = Notation {
            input_names: &input_names,
            hidden: &hidden,
            head,
            loss,
            digits: usize::from(args.digits),
            share: None,
        };
        print_text(
            &mut out,
            &model,
            &explanation,
            (args.row, &file),
            &raw,
            &notation,
            note.as_deref(),
        );
    }
    out.finish()
}

/// The row's target as the network's outputs see it, or why there is none (then only the forward
/// pass is shown).
fn target_of(
    table: &Table,
    model: &SavedModel,
    row: usize,
) -> Result<(Option<Targets>, Option<String>), CliError> {
    let file = table.file_name();
    let column = &model.target;
    let Some(cell) = table.cell(row, column)? else {
        return Ok((
            None,
            Some(format!(
                "{file} has no column \"{column}\" (the model's target): forward pass only"
            )),
        ));
    };
    let data_row = row + 1;
    let classes = &model.classes;
    let targets = match (cell, classes.is_empty()) {
        (Cell::Missing, _) => {
            return Ok((
                None,
                Some(format!(
                    "data row {data_row} has no {column}: forward pass only"
                )),
            ));
        }
        (Cell::Number(v), true) => Targets::Values(Matrix::from_vec(1, 1, vec![v])?),
        (Cell::Text(text), true) => {
            return Err(CliError(format!(
                "{file}, data row {data_row}: {column} = \"{}\" is text, but the model predicts \
                 a number",
                crate::text::short(text)
            )));
        }
        (cell, false) => {
            let label = classes.iter().position(|c| match cell {
                Cell::Text(t) => c == t,
                Cell::Number(v) => c.parse::<f64>().is_ok_and(|c| c == v),
                Cell::Missing => false,
            });
            let shown = match cell {
                Cell::Text(t) => crate::text::short(t).to_string(),
                Cell::Number(v) => crate::text::number(v),
                Cell::Missing => String::new(),
            };
            let Some(label) = label else {
                return Err(CliError(format!(
                    "{file}, data row {data_row}: {column} = \"{shown}\" is not one of the \
                     model's classes ({})",
                    classes.join(", ")
                )));
            };
            Targets::Classes {
                labels: vec![label],
                n_classes: classes.len(),
            }
        }
    };
    Ok((Some(targets), None))
}

/// The plain-text explanation: the row's values, then the lines of
/// [`explanation_lines`], then why there is no backward pass if there is none.
#[allow(clippy::too_many_arguments)]
fn print_text(
    out: &mut Output,
    model: &SavedModel,
    explanation: &RowExplanation,
    (row, file): (usize, &str),
    raw: &[f64],
    notation: &Notation<'_>,
    note: Option<&str>,
) {
    outln!(out, "data row {row} of {file}");
    for (name, v) in model.features.iter().zip(raw) {
        outln!(out, "  {name} = {}", significant(*v, notation.digits));
    }
    if let Some(inputs) = &model.inputs {
        outln!(out, "  inputs: {}", inputs.text());
    }
    if model.scaling.is_some() {
        outln!(
            out,
            "  (standardised with the training rows' means and deviations)"
        );
    }
    if !model.classes.is_empty() {
        let predicted = model
            .classes
            .get(explanation.predicted_class())
            .map_or("?", String::as_str);
        outln!(out, "  predicted {}: {predicted}", model.target);
    }
    let width = notation
        .input_names
        .iter()
        .map(|n| n.chars().count())
        .chain([8])
        .max()
        .unwrap_or(8)
        .min(24);
    for line in explanation_lines(explanation, notation) {
        match line {
            ExplainLine::Heading(text) => {
                outln!(out);
                outln!(out, "{text}");
            }
            ExplainLine::Formula(text) => outln!(out, "  {text}"),
            ExplainLine::Matrix { title, rows } => {
                outln!(out, "  {title} =");
                for (name, values) in rows {
                    let values: Vec<String> = values.into_iter().map(|(t, _)| t).collect();
                    outln!(out, "    {name:>width$}  [{}]", values.join(", "));
                }
            }
            ExplainLine::Note(text) => outln!(out, "  {text}"),
        }
    }
    if let Some(note) = note {
        outln!(out);
        outln!(out, "{note}");
    }
}
