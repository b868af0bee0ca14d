//! `nnviz predict`: a saved model applied to new rows (the article's `predict(newdata)`).

use std::path::PathBuf;

use clap::Args;

use super::{CliError, Output};
use crate::data::Table;
use crate::model::SavedModel;
use crate::nn::predicted_class;
use crate::text::number;

/// Options of `nnviz predict`.
#[derive(Debug, Args)]
pub struct PredictArgs {
    /// A model saved by `nnviz train --save-model` or the app.
    #[arg(long, value_name = "M.json")]
    pub model: PathBuf,
    /// Rows to predict: a CSV with (at least) the model's feature columns.
    #[arg(long, value_name = "NEW.csv")]
    pub data: PathBuf,
    /// Also print each class's probability.
    #[arg(long)]
    pub probabilities: bool,
}

pub(super) fn run(args: &PredictArgs) -> Result<(), CliError> {
    let model = SavedModel::load(&args.model)?;
    let network = model.network()?;
    let table = Table::read_path(&args.data)?;
    let (x, rows) = table.feature_matrix(&model.features, &model.levels)?;
    let x = model.network_inputs(&x);
    let output = network.forward(&x)?;
    let mut out = Output::new();
    let mut header = vec!["row".to_string(), format!("predicted {}", model.target)];
    let classification = !model.classes.is_empty();
    if classification && args.probabilities {
        header.extend(model.classes.iter().map(|c| format!("p({c})")));
    }
    let mut writer = csv::Writer::from_writer(&mut out);
    writer.write_record(&header)?;
    for (row, values) in rows.iter().zip(output.iter_rows()) {
        if writer.get_ref().failed() {
            break;
        }
        let mut record = vec![row.to_string()];
        if classification {
            let class = predicted_class(values);
            record.push(model.classes.get(class).cloned().unwrap_or_default());
            if args.probabilities {
                if values.len() == 1 {
                    record.push(number(1.0 - values[0]));
                    record.push(number(values[0]));
                } else {
                    record.extend(values.iter().map(|&p| number(p)));
                }
            }
        } else {
            record.push(number(values[0]));
        }
        writer.write_record(&record)?;
    }
    writer.flush()?;
    drop(writer);
    out.finish()
}
