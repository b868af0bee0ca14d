//! Loss and accuracy curves against iteration.

use egui::Color32;
use egui_plot::{HoverPosition, Legend, Line, Plot};

use crate::train::History;

use super::format_number;

/// Colour of the training curves.
const TRAIN_COLOR: Color32 = Color32::from_rgb(0, 114, 178);
/// Colour of the test curves.
const TEST_COLOR: Color32 = Color32::from_rgb(230, 159, 0);

/// Hover text: the curve's name, the iteration and the value (un-logged for the loss).
fn hover_text(pos: &HoverPosition<'_>, log_y: bool) -> Option<String> {
    match pos {
        HoverPosition::NearDataPoint {
            plot_name,
            position,
            ..
        } if !plot_name.is_empty() => {
            let y = if log_y && plot_name.contains("loss") {
                10f64.powf(position.y)
            } else {
                position.y
            };
            Some(format!(
                "{plot_name}\niteration {:.0}\n{}",
                position.x,
                format_number(y)
            ))
        }
        _ => None,
    }
}

/// Training and test loss (optionally log10) and accuracy, one plot each.
///
/// `rows` are the training and test row counts: a summed loss is drawn per row, so that the
/// training and test curves can be compared.
pub fn curves_ui(
    ui: &mut egui::Ui,
    history: &History,
    log_loss: &mut bool,
    rows: Option<(usize, usize)>,
    height: f32,
) {
    let points = history.points();
    ui.horizontal(|ui| {
        ui.strong("Loss");
        ui.checkbox(log_loss, "log scale");
    });
    let log = *log_loss;
    let (train_rows, test_rows) =
        rows.map_or((1.0, 1.0), |(a, b)| (a.max(1) as f64, b.max(1) as f64));
    let y = |v: f64| if log { v.max(1e-300).log10() } else { v };
    let train_loss: Vec<[f64; 2]> = points
        .iter()
        .map(|p| [p.iteration as f64, y(p.train_loss / train_rows)])
        .filter(|p| p[1].is_finite())
        .collect();
    let test_loss: Vec<[f64; 2]> = points
        .iter()
        .filter_map(|p| p.test_loss.map(|l| [p.iteration as f64, y(l / test_rows)]))
        .filter(|p| p[1].is_finite())
        .collect();
    Plot::new("loss-curves")
        .height(height)
        .legend(Legend::default())
        .x_axis_label("iteration")
        .y_axis_label(match (log, rows.is_some()) {
            (true, true) => "loss per row (log10)",
            (true, false) => "loss (log10)",
            (false, true) => "loss per row",
            (false, false) => "loss",
        })
        .label_formatter(move |pos| hover_text(pos, log))
        .show(ui, |plot_ui| {
            plot_ui.line(Line::new("train loss", train_loss).color(TRAIN_COLOR));
            if !test_loss.is_empty() {
                plot_ui.line(Line::new("test loss", test_loss).color(TEST_COLOR));
            }
        });
    let train_accuracy: Vec<[f64; 2]> = points
        .iter()
        .filter_map(|p| p.train_accuracy.map(|a| [p.iteration as f64, a]))
        .collect();
    if train_accuracy.is_empty() {
        return;
    }
    let test_accuracy: Vec<[f64; 2]> = points
        .iter()
        .filter_map(|p| p.test_accuracy.map(|a| [p.iteration as f64, a]))
        .collect();
    ui.strong("Accuracy");
    Plot::new("accuracy-curves")
        .height(height)
        .legend(Legend::default())
        .x_axis_label("iteration")
        .y_axis_label("accuracy")
        .include_y(0.0)
        .include_y(1.0)
        .label_formatter(|pos| hover_text(pos, false))
        .show(ui, |plot_ui| {
            plot_ui.line(Line::new("train accuracy", train_accuracy).color(TRAIN_COLOR));
            if !test_accuracy.is_empty() {
                plot_ui.line(Line::new("test accuracy", test_accuracy).color(TEST_COLOR));
            }
        });
}
