//! The health table: per layer, the weights' and the gradient's size, saturated sigmoid or tanh
//! units and dead ReLU units, on (a sample of) the training rows, refreshed as the run trains.

use std::time::{Duration, Instant};

use crate::train::health::{LayerHealth, SATURATION_Z, health};
use crate::train::worker::RunView;

/// The most training rows the table measures (evenly spaced through them).
pub const HEALTH_ROWS: usize = 2_000;

/// How often the table is measured again while the run trains.
const REFRESH: Duration = Duration::from_millis(250);

/// The last measurement, kept between frames.
#[derive(Debug)]
pub struct HealthCache {
    /// The run's id, generation and iteration measured.
    key: Option<(u64, u64, u64)>,
    at: Option<Instant>,
    layers: Result<Vec<LayerHealth>, String>,
    rows: usize,
}

impl Default for HealthCache {
    fn default() -> Self {
        Self {
            key: None,
            at: None,
            layers: Ok(Vec::new()),
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
        let data = &run.data;
        let n = data.train_rows.len();
        let step = n.div_ceil(HEALTH_ROWS).max(1);
        let picked: Vec<usize> = (0..n).step_by(step).collect();
        let (x, y) = (
            data.train_x.select_rows(&picked),
            data.train_y.select(&picked),
        );
        self.layers = health(&run.network, &run.config, &x, &y).map_err(|e| e.to_string());
        self.rows = picked.len();
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
