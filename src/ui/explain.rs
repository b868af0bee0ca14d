//! The explain panel: one row of the data through the selected run's network, forward and
//! backward, in the article's notation, live as the network trains.

use egui::{Color32, RichText};

use crate::app::commands::Command;
use crate::data::Target;
use crate::nn::Targets;
use crate::train::explain::{
    ExplainLine, Notation, UpdateShare, explain_row, explanation_lines, weight_lines,
};
use crate::train::worker::RunView;

use super::DataView;

/// The panel's state while it is open.
#[derive(Clone, Debug, PartialEq)]
pub struct ExplainPanel {
    /// The data set's row explained (0-based; the panel shows it from 1).
    pub row: usize,
    /// Significant digits shown.
    pub digits: u8,
}

/// Where a row is in a run's data: the training or the test rows, and its index there.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RowPlace {
    /// Row `k` of the training rows.
    Training(usize),
    /// Row `k` of the test rows.
    Test(usize),
}

/// Where data set row `row` is in `run`'s split, if the run has it.
pub fn row_place(run: &RunView, row: usize) -> Option<RowPlace> {
    let data = &run.data;
    data.train_rows
        .binary_search(&row)
        .map(RowPlace::Training)
        .or_else(|_| data.test_rows.binary_search(&row).map(RowPlace::Test))
        .ok()
}

/// The data set's rows `run` classifies wrongly, by its latest figures: the training rows, then
/// the test rows if `with_test` (at most [`crate::train::MAX_WRONG_KEPT`] of each).
pub fn wrong_rows(run: &RunView, with_test: bool) -> Vec<usize> {
    let Some(metrics) = &run.metrics else {
        return Vec::new();
    };
    let data = &run.data;
    let mut rows: Vec<usize> = metrics
        .train
        .wrong
        .iter()
        .filter_map(|&k| data.train_rows.get(k).copied())
        .collect();
    if with_test && let Some(test) = &metrics.test {
        rows.extend(
            test.wrong
                .iter()
                .filter_map(|&k| data.test_rows.get(k).copied()),
        );
    }
    rows
}

/// The explain panel as a window; `names` are the network's input and output names.
/// In compare mode, `following` is the run explained (0 is run 1), named at the top.
pub fn explain_ui(
    ctx: &egui::Context,
    panel: &mut ExplainPanel,
    view: &DataView<'_>,
    (run, following): (&RunView, Option<usize>),
    input_names: &[String],
    commands: &mut Vec<Command>,
) {
    let mut open = true;
    let screen = ctx.content_rect();
    let width = (screen.width() * 0.4).clamp(300.0, 560.0);
    egui::Window::new("Explain a row")
        .id(egui::Id::unique("explain a row"))
        .open(&mut open)
        .collapsible(true)
        .resizable(true)
        .default_width(width)
        .default_height((screen.height() - 120.0).max(200.0))
        // Over the numbers and the diagram, below the toolbar: the plot, where points are
        // picked, stays in view, and Play stays in reach.
        .default_pos(egui::pos2(
            screen.right() - width - 8.0,
            screen.top() + 48.0,
        ))
        .show(ctx, |ui| {
            if let Some(k) = following {
                ui.horizontal_wrapped(|ui| {
                    ui.label(
                        egui::RichText::new(format!("Run {}", k + 1))
                            .strong()
                            .color(super::run_color(k)),
                    );
                    ui.weak("(click a point in another run's plot to follow that run)");
                });
            }
            contents(ui, panel, view, run, input_names, commands)
        });
    if !open {
        commands.push(Command::CloseExplain);
    }
}

fn contents(
    ui: &mut egui::Ui,
    panel: &mut ExplainPanel,
    view: &DataView<'_>,
    run: &RunView,
    input_names: &[String],
    commands: &mut Vec<Command>,
) {
    let data = view.dataset;
    let n = data.features.rows();
    if n == 0 {
        ui.label("The data set has no rows.");
        return;
    }
    panel.row = panel.row.min(n - 1);
    ui.horizontal_wrapped(|ui| {
        if ui
            .add_enabled(panel.row > 0, egui::Button::new("Previous"))
            .clicked()
        {
            commands.push(Command::ExplainRow(panel.row - 1));
        }
        let label = ui.label("row");
        let mut shown = panel.row + 1;
        if ui
            .add(egui::DragValue::new(&mut shown).range(1..=n).speed(0.2))
            .labelled_by(label.id)
            .on_hover_text("The data set's row, counted from 1; or click a point in the plot")
            .changed()
        {
            commands.push(Command::ExplainRow(shown - 1));
        }
        ui.label(format!("of {n}"));
        if ui
            .add_enabled(panel.row + 1 < n, egui::Button::new("Next"))
            .clicked()
        {
            commands.push(Command::ExplainRow(panel.row + 1));
        }
        let label = ui.label("digits");
        ui.add(egui::DragValue::new(&mut panel.digits).range(2..=10))
            .labelled_by(label.id)
            .on_hover_text("Significant digits of the numbers shown");
    });
    ui.weak("Click a point in the plot to explain its row.");
    let row = panel.row;
    let Some(place) = row_place(run, row) else {
        ui.label("This row is not in the run's data yet: it joins when the run restarts.");
        return;
    };
    let prepared = &run.data;
    let (x, y, what) = match place {
        RowPlace::Training(k) => (
            prepared.train_x.row(k),
            prepared.train_y.select(&[k]),
            "a training row",
        ),
        RowPlace::Test(k) => (
            prepared.test_x.row(k),
            prepared.test_y.select(&[k]),
            "a test row (not trained on)",
        ),
    };
    // The row in the user's units, and what it is.
    let raw: Vec<String> = data
        .feature_names
        .iter()
        .enumerate()
        .map(|(j, name)| {
            format!(
                "{name} = {}",
                super::format_number(data.features.get(row, j))
            )
        })
        .collect();
    let actual = match &data.target {
        Target::Classes { names, labels } => labels
            .get(row)
            .and_then(|&l| names.get(l))
            .cloned()
            .unwrap_or_default(),
        Target::Values(values) => values
            .get(row)
            .map_or_else(String::new, |&v| super::format_number(v)),
    };
    ui.label(format!("Row {} ({what}): {}", row + 1, raw.join(", ")));
    let network = &run.network;
    let config = &run.config;
    let explanation = match explain_row(network, config.loss, x, Some(&y)) {
        Ok(e) => e,
        Err(e) => {
            ui.colored_label(ui.visuals().error_fg_color, e.to_string());
            return;
        }
    };
    let predicted = match &data.target {
        Target::Classes { names, .. } => names
            .get(explanation.predicted_class())
            .cloned()
            .unwrap_or_default(),
        Target::Values(_) => super::format_number(explanation.output[0]),
    };
    let right = match (&y, &data.target) {
        (Targets::Classes { .. }, Target::Classes { .. }) => {
            if predicted == actual {
                " (right)"
            } else {
                " (wrong)"
            }
        }
        _ => "",
    };
    ui.label(
        RichText::new(format!(
            "{}: {actual} · predicted at iteration {}: {predicted}{right}",
            data.target_name,
            super::stats::format_count(run.iteration)
        ))
        .strong(),
    );
    let hidden = network.architecture().hidden_activations();
    let share = matches!(place, RowPlace::Training(_)).then(|| {
        let rows = prepared.train_rows.len();
        let rows = config.batch_size.map_or(rows, |b| b.min(rows));
        let rate = config.schedule.rate(config.learning_rate, run.iteration);
        UpdateShare::new(config, rows, rate)
    });
    let notation = Notation {
        input_names,
        hidden: &hidden,
        head: network.architecture().head,
        loss: config.loss,
        digits: usize::from(panel.digits),
        share,
    };
    ui.separator();
    egui::ScrollArea::both()
        .auto_shrink([false, true])
        .show(ui, |ui| {
            for line in explanation_lines(&explanation, &notation) {
                line_ui(ui, line);
            }
            egui::CollapsingHeader::new("The weights W (live)")
                .id_salt("explain weights")
                .show(ui, |ui| {
                    for line in weight_lines(network, &notation) {
                        line_ui(ui, line);
                    }
                });
            if config.batch_size.is_some() {
                ui.weak(
                    "Mini-batches: this row's share counts only in the iterations whose batch \
                     draws it.",
                );
            }
            if matches!(place, RowPlace::Test(_)) {
                ui.weak(
                    "A test row is never trained on: its gradient shows what it would ask of \
                     the weights.",
                );
            }
        });
}

/// Text for the window's monospace font, which lacks the superscript T: `Aᵀ` as `A^T`.
fn monospace(text: &str) -> String {
    text.replace('ᵀ', "^T")
}

fn line_ui(ui: &mut egui::Ui, line: ExplainLine) {
    match line {
        ExplainLine::Heading(text) => {
            ui.add_space(4.0);
            ui.strong(text);
        }
        ExplainLine::Formula(text) => {
            ui.label(RichText::new(monospace(&text)).monospace());
        }
        ExplainLine::Note(text) => {
            ui.weak(text);
        }
        ExplainLine::Matrix { title, rows } => {
            ui.label(RichText::new(monospace(&title)).monospace());
            let dark = ui.visuals().dark_mode;
            let largest = rows
                .iter()
                .flat_map(|(_, v)| v.iter().map(|(_, x)| x.abs()))
                .fold(0.0_f64, f64::max);
            egui::Grid::new(("explain matrix", title))
                .striped(false)
                .spacing([10.0, 2.0])
                .show(ui, |ui| {
                    for (name, values) in rows {
                        ui.label(RichText::new(name).monospace().weak());
                        for (text, value) in values {
                            let color = shade(value, largest, dark);
                            ui.label(RichText::new(text).monospace().background_color(color));
                        }
                        ui.end_row();
                    }
                });
        }
    }
}

/// A background for a number: warm for positive, cool for negative, stronger as it nears the
/// largest magnitude shown (the network diagram's colours).
fn shade(value: f64, largest: f64, dark: bool) -> Color32 {
    if largest <= 0.0 || !value.is_finite() {
        return Color32::TRANSPARENT;
    }
    let t = (value.abs() / largest).clamp(0.0, 1.0);
    let alpha = (t * if dark { 110.0 } else { 90.0 }) as u8;
    if value >= 0.0 {
        Color32::from_rgba_unmultiplied(230, 159, 0, alpha)
    } else {
        Color32::from_rgba_unmultiplied(0, 114, 178, alpha)
    }
}

/// How many rows the network gets wrong, as a toggle that lists them; a listed row, clicked,
/// is explained.
pub fn wrong_ui(
    ui: &mut egui::Ui,
    view: &DataView<'_>,
    run: &RunView,
    listed: &mut bool,
    commands: &mut Vec<Command>,
) {
    let Some(metrics) = &run.metrics else {
        return;
    };
    if metrics.train.accuracy.is_none() {
        return;
    }
    let count = |m: &crate::train::Metrics| {
        let right: usize = (0..m.confusion.len()).map(|k| m.confusion[k][k]).sum();
        m.rows - right
    };
    let mut text = format!("misclassified: {} training", count(&metrics.train));
    if let Some(test) = &metrics.test {
        text += &format!(" · {} test", count(test));
    }
    ui.toggle_value(listed, text)
        .on_hover_text("Ringed in red in the plot. Click to list them; click a row to explain it");
    if !*listed {
        return;
    }
    let rows = wrong_rows(run, true);
    if rows.is_empty() {
        ui.weak("none: every row is classified right");
        return;
    }
    let names = view.dataset.class_names();
    let test_from = metrics.train.wrong.len();
    let height = ui.text_style_height(&egui::TextStyle::Button) + 2.0;
    egui::ScrollArea::vertical()
        .id_salt("misclassified rows")
        .max_height(140.0)
        .show_rows(ui, height, rows.len(), |ui, range| {
            for k in range {
                let row = rows[k];
                let Some(place) = row_place(run, row) else {
                    continue;
                };
                let (x, label) = match place {
                    RowPlace::Training(i) => (run.data.train_x.row(i), &run.data.train_y),
                    RowPlace::Test(i) => (run.data.test_x.row(i), &run.data.test_y),
                };
                let index = match place {
                    RowPlace::Training(i) | RowPlace::Test(i) => i,
                };
                let actual = match label {
                    Targets::Classes { labels, .. } => labels.get(index).copied(),
                    Targets::Values(_) => None,
                };
                let predicted = explain_row(&run.network, run.config.loss, x, None)
                    .ok()
                    .map(|e| e.predicted_class());
                let name = |c: Option<usize>| {
                    c.and_then(|c| names.get(c))
                        .map_or("?", String::as_str)
                        .to_owned()
                };
                let split = if k >= test_from { " (test)" } else { "" };
                let text = format!(
                    "row {}{split}: {}, predicted {}",
                    row + 1,
                    name(actual),
                    name(predicted)
                );
                if ui.selectable_label(false, text).clicked() {
                    commands.push(Command::ExplainRow(row));
                }
            }
        });
}
