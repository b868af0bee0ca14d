//! Compare mode's decision plots: one per run, side by side on the same axes and colours.

use crate::app::commands::Command;
use crate::app::settings::Settings;
use crate::train::worker::RunView;

use super::DataView;
use super::decision::DecisionGrid;

/// The decision plots of every run in a grid (two side by side, or two rows of two), on the same
/// axes and colours, each under its run's name and figures. While a row is explained
/// (`explaining`, as for [`PlotRole::Window`](super::decision::PlotRole::Window)), each rings it
/// and a click explains the nearest row in that run. Returns the rectangle they fill.
pub fn small_multiples_ui(
    ui: &mut egui::Ui,
    grids: &[DecisionGrid],
    view: &DataView<'_>,
    (runs, explaining): (&[RunView], Option<Option<usize>>),
    settings: &Settings,
    commands: &mut Vec<Command>,
) -> egui::Rect {
    let whole = ui.available_rect_before_wrap();
    let n = grids.len().min(runs.len()).max(1);
    super::decision::shared_caption_ui(ui, &grids[0], view, settings);
    let top = ui.cursor().top();
    let key_row = super::decision::key_row_height(whole.width());
    let area = egui::Rect::from_min_max(
        egui::pos2(whole.left(), top),
        egui::pos2(whole.right(), whole.bottom() - key_row),
    );
    let gap = 8.0;
    // The columns that give the largest square plots.
    let side = |cols: usize| {
        let rows = n.div_ceil(cols);
        ((area.width() - gap * (cols - 1) as f32) / cols as f32)
            .min((area.height() - gap * (rows - 1) as f32) / rows as f32)
    };
    let cols = (1..=n)
        .max_by(|&a, &b| side(a).total_cmp(&side(b)))
        .unwrap_or(1);
    let rows = n.div_ceil(cols);
    let cell = egui::vec2(
        (area.width() - gap * (cols - 1) as f32) / cols as f32,
        (area.height() - gap * (rows - 1) as f32) / rows as f32,
    );
    for (k, grid) in grids.iter().enumerate().take(n) {
        let (col, row) = (k % cols, k / cols);
        let min = area.min + egui::vec2(col as f32 * (cell.x + gap), row as f32 * (cell.y + gap));
        let rect = egui::Rect::from_min_size(min, cell);
        ui.scope_builder(egui::UiBuilder::new().max_rect(rect), |ui| {
            ui.set_clip_rect(rect.intersect(ui.clip_rect()));
            let Some(run) = runs.get(k) else {
                return;
            };
            let figure = run
                .metrics
                .as_ref()
                .map(|m| match (m.train.accuracy, m.train_r2) {
                    (Some(a), _) => format!("{} training", super::format_percent(Some(a))),
                    (None, Some(r2)) => format!("R² {r2:.3}"),
                    _ => String::new(),
                })
                .unwrap_or_default();
            ui.horizontal(|ui| {
                ui.label(
                    egui::RichText::new(format!("Run {}", k + 1))
                        .strong()
                        .color(super::run_color(k)),
                );
                ui.label(run.spec.summary());
                ui.strong(figure);
            });
            super::decision::decision_plot_ui(
                ui,
                super::decision::PlotRole::Multiple { k, explaining },
                grid,
                run,
                view,
                settings,
                commands,
            );
        });
    }
    let key = egui::Rect::from_min_max(
        egui::pos2(whole.left(), whole.bottom() - key_row),
        whole.max,
    );
    ui.scope_builder(egui::UiBuilder::new().max_rect(key), |ui| {
        super::decision::shared_key_ui(ui, &grids[0], view, settings, explaining.is_some());
    });
    whole
}
