//! The current numbers, the baseline and the confusion matrices.

use crate::app::Command;
use crate::app::session::{BASELINE_ITERATIONS, Session};
use crate::train::Metrics;

use super::{format_number, format_percent};

/// Iteration, losses, accuracies and speed.
pub fn numbers_ui(ui: &mut egui::Ui, session: &Session) {
    let last = session.history.last();
    egui::Grid::new("numbers").num_columns(2).show(ui, |ui| {
        ui.label("iteration");
        ui.strong(session.trainer.iteration().to_string());
        ui.end_row();
        ui.label("train loss");
        ui.label(
            session
                .train_metrics
                .as_ref()
                .map(|m| m.loss)
                .or(last.map(|p| p.train_loss))
                .map_or_else(|| "–".to_owned(), format_number),
        );
        ui.end_row();
        if let Some(test) = &session.test_metrics {
            ui.label("test loss");
            ui.label(format_number(test.loss));
            ui.end_row();
        }
        if session.is_classification() {
            ui.label("train accuracy");
            ui.strong(format_percent(
                session.train_metrics.as_ref().and_then(|m| m.accuracy),
            ));
            ui.end_row();
            if let Some(test) = &session.test_metrics {
                ui.label("test accuracy");
                ui.strong(format_percent(test.accuracy));
                ui.end_row();
            }
        }
        ui.label("iterations / s");
        ui.label(format!("{:.0}", session.stats.iterations_per_second));
        ui.end_row();
        ui.label("frame time");
        ui.label(format!("{:.1} ms", session.stats.frame_ms));
        ui.end_row();
        ui.label("learning rate now");
        ui.label(format_number(session.trainer.current_learning_rate()));
        ui.end_row();
    });
}

/// The network without hidden layers (logistic regression for classes, linear regression for
/// numbers) beside the network, with a button to switch to it.
pub fn baseline_ui(ui: &mut egui::Ui, session: &Session, commands: &mut Vec<Command>) {
    let b = &session.baseline;
    let at = b.trainer.as_ref().map_or(0, |t| t.iteration());
    let kind = if session.is_classification() {
        "logistic regression"
    } else {
        "linear regression"
    };
    ui.horizontal_wrapped(|ui| {
        ui.label(format!("Baseline ({kind}):"));
        if session.is_classification() {
            ui.strong(format_percent(b.train_accuracy));
            if b.test_accuracy.is_some() {
                ui.label(format!("test {}", format_percent(b.test_accuracy)));
            }
        }
        if at < BASELINE_ITERATIONS && b.status.is_none() {
            ui.label(format!("(training, iteration {at})"));
        }
        if let Some(status) = &b.status {
            ui.label(status);
        }
        if ui
            .button(format!("Use {kind}"))
            .on_hover_text("Remove every hidden layer: the article's logistic regression")
            .clicked()
        {
            commands.push(Command::UseBaseline);
        }
    });
}

/// One confusion matrix: rows actual, columns predicted, with class names.
pub fn confusion_ui(ui: &mut egui::Ui, id: &str, title: &str, metrics: &Metrics, names: &[String]) {
    ui.strong(format!(
        "{title} ({} rows): rows actual, columns predicted",
        metrics.rows
    ));
    egui::Grid::new(id).striped(true).show(ui, |ui| {
        ui.label("");
        for name in names {
            ui.label(name);
        }
        ui.end_row();
        for (k, row) in metrics.confusion.iter().enumerate() {
            ui.label(names.get(k).map_or("?", String::as_str));
            for (j, count) in row.iter().enumerate() {
                if j == k {
                    ui.strong(count.to_string());
                } else {
                    ui.label(count.to_string());
                }
            }
            ui.end_row();
        }
    });
}
