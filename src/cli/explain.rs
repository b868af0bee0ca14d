//! `nnviz explain`: one row of a CSV through a saved model, forward and backward, in the
//! article's notation (`z = [1 x] W`, `h = σ(z)`, `ŷ`, `ŷ − y`, the deltas and the row's
//! gradient).

use std::path::PathBuf;

use clap::Args;

use super::{CliError, Output, outln};
use crate::data::{Cell, Table};
use crate::model::SavedModel;
use crate::nn::{Loss, Matrix, OutputHead, Targets};
use crate::train::explain::{
    RowExplanation, derivative_formula, explain_row, loss_formula, output_delta_formula,
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
        let text = Text {
            model: &model,
            explanation: &explanation,
            digits: usize::from(args.digits),
        };
        text.print(&mut out, args.row, &file, &raw, loss, head, note.as_deref());
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

/// The plain-text explanation.
struct Text<'a> {
    model: &'a SavedModel,
    explanation: &'a RowExplanation,
    digits: usize,
}

impl Text<'_> {
    fn num(&self, v: f64) -> String {
        significant(v, self.digits)
    }

    fn vector(&self, v: &[f64]) -> String {
        let parts: Vec<String> = v.iter().map(|&x| self.num(x)).collect();
        format!("[{}]", parts.join(", "))
    }

    /// Each layer's input name in the article's notation: `x`, `h1`, `h2`, …
    fn input_name(l: usize) -> String {
        if l == 0 { "x".into() } else { format!("h{l}") }
    }

    #[allow(clippy::too_many_arguments)]
    fn print(
        &self,
        out: &mut Output,
        row: usize,
        file: &str,
        raw: &[f64],
        loss: Loss,
        head: OutputHead,
        note: Option<&str>,
    ) {
        let e = self.explanation;
        let last = e.layers.len() - 1;
        outln!(out, "data row {row} of {file}");
        for (name, v) in self.model.features.iter().zip(raw) {
            outln!(out, "  {name} = {}", self.num(*v));
        }
        if let Some(inputs) = &self.model.inputs {
            outln!(out, "  inputs: {}", inputs.text());
        }
        if self.model.scaling.is_some() {
            outln!(
                out,
                "  (standardised with the training rows' means and deviations)"
            );
        }
        outln!(out);
        outln!(
            out,
            "Forward pass (weights: (inputs + 1) × outputs, row 0 the bias)"
        );
        outln!(out, "  x = {}", self.vector(&e.input));
        for (l, step) in e.layers.iter().enumerate() {
            let (a_in, n) = (Self::input_name(l), l + 1);
            outln!(out, "  z{n} = [1 {a_in}] W{n} = {}", self.vector(&step.z));
            if l < last {
                outln!(
                    out,
                    "  h{n} = {}(z{n}) = {}",
                    step.activation,
                    self.vector(&step.a)
                );
            } else {
                outln!(
                    out,
                    "  ŷ = {}(z{n}) = {}",
                    step.activation,
                    self.vector(&step.a)
                );
            }
        }
        if !self.model.classes.is_empty() {
            let predicted = self
                .model
                .classes
                .get(e.predicted_class())
                .map_or("?", String::as_str);
            outln!(out, "  predicted {}: {predicted}", self.model.target);
        }
        let (Some(y), Some(row_loss)) = (&e.target, e.loss) else {
            if let Some(note) = note {
                outln!(out);
                outln!(out, "{note}");
            }
            return;
        };
        outln!(out, "  y = {}", self.vector(y));
        outln!(
            out,
            "  {} = {}",
            loss_formula(head, loss),
            self.num(row_loss)
        );
        outln!(out);
        outln!(
            out,
            "Backward pass (this row's share of the summed loss's gradient)"
        );
        let hidden = self
            .model
            .network()
            .map_or_else(|_| Vec::new(), |n| n.architecture().hidden_activations());
        let input_names = self
            .model
            .inputs
            .as_ref()
            .map_or_else(|| self.model.features.clone(), |i| i.names().to_vec());
        let width = input_names
            .iter()
            .map(|n| n.chars().count())
            .chain([8])
            .max()
            .unwrap_or(8)
            .min(24);
        for l in (0..=last).rev() {
            let step = &e.layers[l];
            let n = l + 1;
            let (Some(delta), Some(gradient)) = (&step.delta, &step.gradient) else {
                continue;
            };
            if l == last {
                outln!(
                    out,
                    "  δ{n} = {} = {}",
                    output_delta_formula(head, loss),
                    self.vector(delta)
                );
            } else {
                let formula = hidden.get(l).map_or("f′", |&a| derivative_formula(a));
                outln!(
                    out,
                    "  δ{n} = (δ{} W{}ᵀ, bias row left out) ∘ f′(h{n}), {formula}: {}",
                    n + 1,
                    n + 1,
                    self.vector(delta)
                );
            }
            let a_in = Self::input_name(l);
            outln!(out, "  ∂loss/∂W{n} = [1 {a_in}]ᵀ δ{n} =");
            for i in 0..gradient.rows() {
                let label = match (i, l) {
                    (0, _) => "1 (bias)".to_owned(),
                    (_, 0) => input_names.get(i - 1).cloned().unwrap_or_default(),
                    _ => format!("{a_in}[{i}]"),
                };
                outln!(out, "    {label:>width$}  {}", self.vector(gradient.row(i)));
            }
        }
        outln!(out);
        outln!(
            out,
            "The full-batch gradient is the sum of every training row's share (divided by the \
             rows for a mean loss), plus λ₁ sign(W) + λ₂ W off the bias row; training steps \
             W ← W − γ ∇."
        );
    }
}

/// `v` to `digits` significant digits, in plain or scientific notation as it reads best.
pub fn significant(v: f64, digits: usize) -> String {
    if v == 0.0 || !v.is_finite() {
        return format!("{v}");
    }
    let magnitude = v.abs().log10().floor() as i32;
    if !(-4..6).contains(&magnitude) {
        return format!("{:.*e}", digits.saturating_sub(1), v);
    }
    let decimals = (digits as i32 - 1 - magnitude).max(0) as usize;
    let text = format!("{v:.decimals$}");
    if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.').to_owned()
    } else {
        text
    }
}

#[cfg(test)]
mod tests {
    use super::significant;

    #[test]
    fn numbers_keep_their_significant_digits() {
        assert_eq!(significant(0.123456, 4), "0.1235");
        assert_eq!(significant(-12.5, 4), "-12.5");
        assert_eq!(significant(1234.5678, 4), "1235");
        assert_eq!(significant(0.00001234, 3), "1.23e-5");
        assert_eq!(significant(0.0, 4), "0");
        assert_eq!(significant(2.0, 4), "2");
    }
}
