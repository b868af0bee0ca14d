//! The health table: per layer, the weights' and the gradient's size, saturated sigmoid or tanh
//! units and dead ReLU units, on (a sample of) the training rows, refreshed as the run trains.

use std::time::{Duration, Instant};

use egui::{Color32, Stroke};
use egui_plot::{Bar, BarChart, Line, LineStyle, Plot};

use crate::train::diagnose::layer_name;
use crate::train::health::{
    HEALTH_ROWS, Histogram, LayerHealth, SATURATION_Z, health_sampled, weight_histograms,
};
use crate::train::worker::RunView;

/// Bins of each layer's weight histogram.
const HISTOGRAM_BINS: usize = 24;

/// How often the table is measured again while the run trains.
const REFRESH: Duration = Duration::from_millis(250);

/// The last measurement, kept between frames.
#[derive(Debug)]
pub struct HealthCache {
    /// The run's id, generation and iteration measured.
    key: Option<(u64, u64, u64)>,
    at: Option<Instant>,
    layers: Result<Vec<LayerHealth>, String>,
    histograms: Vec<Histogram>,
    rows: usize,
}

impl Default for HealthCache {
    fn default() -> Self {
        Self {
            key: None,
            at: None,
            layers: Ok(Vec::new()),
            histograms: Vec::new(),
            rows: 0,
        }
    }
}

impl HealthCache {
    /// Measures `run` again if it changed and the last measurement is old enough.
    fn refresh(&mut self, run: &RunView) {
        let key = (run.id, run.generation, run.iteration);
        if self.key == Some(key) || self.at.is_some_and(|t| t.elapsed() < REFRESH) {
            return;
        }
        match health_sampled(&run.network, &run.config, &run.data, HEALTH_ROWS) {
            Ok((layers, rows)) => {
                self.layers = Ok(layers);
                self.rows = rows;
            }
            Err(e) => self.layers = Err(e.to_string()),
        }
        self.histograms = weight_histograms(&run.network, HISTOGRAM_BINS);
        self.key = Some(key);
        self.at = Some(Instant::now());
    }
}

/// The health table under a collapsing header (measured only while it is open).
pub fn health_ui(ui: &mut egui::Ui, cache: &mut HealthCache, run: &RunView) {
    egui::CollapsingHeader::new("Health")
        .id_salt("network health")
        .show(ui, |ui| {
            cache.refresh(run);
            let layers = match &cache.layers {
                Ok(layers) => layers,
                Err(e) => {
                    ui.colored_label(ui.visuals().error_fg_color, e);
                    return;
                }
            };
            egui::Grid::new("health table")
                .striped(true)
                .spacing([10.0, 2.0])
                .show(ui, |ui| {
                    for title in ["layer", "units", "weights", "gradient", "units in trouble"] {
                        ui.weak(title);
                    }
                    ui.end_row();
                    for (l, layer) in layers.iter().enumerate() {
                        let name = layer
                            .activation
                            .map_or_else(|| "output".to_owned(), |a| a.name().to_owned());
                        ui.label(format!("{} ({name})", l + 1));
                        ui.label(layer.units.to_string());
                        ui.label(super::format_number(layer.weight_norm));
                        ui.label(super::format_number(layer.gradient_norm));
                        let trouble = match (layer.saturated, layer.dead) {
                            (Some(share), _) => {
                                format!("{:.0} % saturated", share * 100.0)
                            }
                            (_, Some(dead)) => format!("{dead} dead"),
                            _ => "—".to_owned(),
                        };
                        ui.label(trouble);
                        ui.end_row();
                    }
                });
            norms_plot(ui, run);
            histograms_ui(ui, &cache.histograms, run);
            ui.weak(format!(
                "On {} training rows. Saturated: |z| > {SATURATION_Z} (the derivative is near 0, \
                 so the layer learns slowly). Dead: a ReLU unit never positive (it no longer \
                 learns). Weights and gradient: their norms (root of the sum of squares, bias row \
                 left out of the weights'). A gradient near 0 with a high loss: vanishing \
                 gradients; a huge one: an exploding update.",
                cache.rows
            ));
        });
}

/// The colour of weight layer `l` in the health plots.
fn layer_color(l: usize) -> Color32 {
    super::run_color(l)
}

/// Each layer's weight norm (solid) and gradient norm (dashed) over training, log scale.
fn norms_plot(ui: &mut egui::Ui, run: &RunView) {
    let history = &run.history;
    let layers = history.norms().iter().map(Vec::len).max().unwrap_or(0);
    if layers == 0 {
        return;
    }
    ui.horizontal_wrapped(|ui| {
        ui.strong("Norms over training");
        ui.weak("(log scale; weights solid, gradient dashed)");
    });
    let series = |l: usize, pick: fn(&crate::train::LayerNorms) -> f64| -> Vec<[f64; 2]> {
        history
            .points()
            .iter()
            .zip(history.norms())
            .filter_map(|(p, n)| n.get(l).map(|n| (p.iteration, pick(n))))
            .filter(|(_, v)| v.is_finite() && *v > 0.0)
            .map(|(i, v)| [i as f64, v.log10()])
            .collect()
    };
    super::curves::log_plot("health norms")
        .height(130.0)
        .y_axis_min_width(36.0)
        .allow_scroll(false)
        .show(ui, |plot_ui| {
            for l in 0..layers {
                let name = layer_name(&run.network, l);
                let color = layer_color(l);
                plot_ui.line(
                    Line::new(format!("{name}: ‖W‖"), series(l, |n| n.weight))
                        .stroke(Stroke::new(1.6, color)),
                );
                plot_ui.line(
                    Line::new(format!("{name}: ‖∇W‖"), series(l, |n| n.gradient))
                        .stroke(Stroke::new(1.4, color))
                        .style(LineStyle::dashed_dense()),
                );
            }
        });
    ui.horizontal_wrapped(|ui| {
        for l in 0..layers {
            let (rect, _) = ui.allocate_exact_size(egui::vec2(14.0, 10.0), egui::Sense::hover());
            ui.painter().line_segment(
                [rect.left_center(), rect.right_center()],
                Stroke::new(3.0, layer_color(l)),
            );
            ui.label(layer_name(&run.network, l));
        }
    });
}

/// One small histogram of each layer's weights (bias rows left out).
fn histograms_ui(ui: &mut egui::Ui, histograms: &[Histogram], run: &RunView) {
    if histograms.is_empty() {
        return;
    }
    ui.strong("Weights per layer");
    for (l, h) in histograms.iter().enumerate() {
        let name = layer_name(&run.network, l);
        let width = h.width();
        let bars: Vec<Bar> = h
            .counts
            .iter()
            .enumerate()
            .map(|(k, &c)| {
                let centre = if width > 0.0 {
                    h.lo + (k as f64 + 0.5) * width
                } else {
                    h.lo
                };
                Bar::new(centre, c as f64).width(width.max(1e-9) * 0.95)
            })
            .collect();
        ui.weak(format!(
            "{name}: {} weights from {} to {}",
            h.counts.iter().sum::<usize>(),
            super::format_number(h.lo),
            super::format_number(h.hi)
        ));
        Plot::new(("health histogram", l))
            .height(56.0)
            .show_y(false)
            .y_axis_min_width(36.0)
            .allow_scroll(false)
            .allow_drag(false)
            .allow_zoom(false)
            .show(ui, |plot_ui| {
                plot_ui.bar_chart(
                    BarChart::new(format!("{name} weights"), bars).color(layer_color(l)),
                );
            });
    }
}
