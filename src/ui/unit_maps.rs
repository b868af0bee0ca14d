//! A small picture on every hidden unit of the network diagram: the unit's activation over the
//! plot's plane (as TensorFlow Playground draws them), updated as the network trains.

use std::time::{Duration, Instant};

use egui::{ColorImage, TextureHandle, TextureOptions};

use crate::app::settings::Settings;
use crate::nn::Activation;
use crate::train::worker::RunView;

use super::DataView;
use super::decision::{axis_features, plane_bounds, plane_points};

/// Cells per side of each unit's picture.
const CELLS: usize = 20;
/// Most multiply-adds one update may cost: larger networks get no pictures (their units are
/// too many to draw anyway).
const MAX_WORK: usize = 20_000_000;
/// Most units a layer may have for its pictures: the diagram has no room for more.
const MAX_UNITS_SHOWN: usize = 16;
/// Shortest time between two updates while training.
const EVERY: Duration = Duration::from_millis(150);

/// What the pictures were computed from.
#[derive(Clone, Debug, PartialEq)]
struct Key {
    run: u64,
    generation: u64,
    data_version: u64,
    axes: (usize, usize),
    slice: Vec<u64>,
}

/// The pictures of every hidden unit of one run, `[layer][unit]`.
#[derive(Default)]
pub struct UnitMaps {
    key: Option<Key>,
    at: Option<Instant>,
    textures: Vec<Vec<TextureHandle>>,
}

impl std::fmt::Debug for UnitMaps {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UnitMaps")
            .field("layers", &self.textures.len())
            .finish_non_exhaustive()
    }
}

/// The values of one unit mapped to `[0, 1]`: over the activation's own range where it has one
/// (sigmoid 0…1, tanh −1…1), else over the values' range.
fn normalised(values: &[f64], activation: Activation) -> Vec<f64> {
    let (lo, hi) = match activation {
        Activation::Sigmoid => (0.0, 1.0),
        Activation::Tanh => (-1.0, 1.0),
        _ => values
            .iter()
            .copied()
            .filter(|v| v.is_finite())
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| {
                (a.min(v), b.max(v))
            }),
    };
    let span = if hi > lo { hi - lo } else { 1.0 };
    values
        .iter()
        .map(|v| ((v - lo) / span).clamp(0.0, 1.0))
        .collect()
}

impl UnitMaps {
    /// Recomputes the pictures if the network, its weights (at most every 150 ms while it
    /// trains), the data or the view changed.
    pub fn update(
        &mut self,
        ctx: &egui::Context,
        view: &DataView<'_>,
        run: &RunView,
        settings: &Settings,
    ) {
        let d = view.dataset.n_features();
        let axes = axis_features(settings, d);
        let key = Key {
            run: run.id,
            generation: run.generation,
            data_version: view.version,
            axes,
            slice: view.slice.iter().map(|v| v.to_bits()).collect(),
        };
        if self.key.as_ref() == Some(&key) {
            return;
        }
        let same_network = self
            .key
            .as_ref()
            .is_some_and(|k| k.run == key.run && k.data_version == key.data_version);
        if same_network && run.playing && self.at.is_some_and(|t| t.elapsed() < EVERY) {
            return;
        }
        self.key = Some(key);
        self.at = Some(Instant::now());
        let network = &run.network;
        let sizes = network.architecture().hidden.clone();
        if network.parameter_count() * CELLS * CELLS > MAX_WORK
            || d == 0
            || sizes.iter().all(|h| h.units > MAX_UNITS_SHOWN)
        {
            self.textures.clear();
            return;
        }
        let bounds = plane_bounds(view, axes.0, axes.1);
        let x = plane_points(&bounds, CELLS, 0..CELLS, view.slice, axes);
        let x = view.prepared.network_inputs(x);
        let Ok(layers) = network.forward_layers(&x) else {
            return;
        };
        let hidden = layers.len().saturating_sub(1);
        self.textures.resize_with(hidden, Vec::new);
        self.textures.truncate(hidden);
        for (l, out) in layers.iter().take(hidden).enumerate() {
            let units = &mut self.textures[l];
            if out.cols() > MAX_UNITS_SHOWN {
                units.clear();
                continue;
            }
            units.truncate(out.cols());
            let activation = sizes.get(l).map_or(Activation::Sigmoid, |h| h.activation);
            for u in 0..out.cols() {
                let values: Vec<f64> = (0..out.rows()).map(|i| out.get(i, u)).collect();
                let pixels = normalised(&values, activation)
                    .into_iter()
                    .map(super::value_color)
                    .collect();
                let image = ColorImage::new([CELLS, CELLS], pixels);
                // The textures are kept and refilled: no new allocation each update.
                match units.get_mut(u) {
                    Some(texture) => texture.set(image, TextureOptions::LINEAR),
                    None => units.push(ctx.load_texture(
                        format!("unit-{l}-{u}"),
                        image,
                        TextureOptions::LINEAR,
                    )),
                }
            }
        }
    }

    /// How many hidden units have a picture.
    pub fn count(&self) -> usize {
        self.textures.iter().map(Vec::len).sum()
    }

    /// True while the pictures are of older weights than `run`'s (the window draws on until
    /// they catch up).
    pub fn behind(&self, run: &RunView) -> bool {
        self.key
            .as_ref()
            .is_none_or(|k| k.run != run.id || k.generation != run.generation)
    }

    /// The picture of hidden unit `unit` of hidden layer `layer` (0-based), if there is one.
    pub fn get(&self, layer: usize, unit: usize) -> Option<&TextureHandle> {
        self.textures.get(layer)?.get(unit)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sigmoid_unit_keeps_its_own_range_and_others_their_values_range() {
        assert_eq!(
            normalised(&[0.0, 0.5, 1.0], Activation::Sigmoid),
            [0.0, 0.5, 1.0]
        );
        assert_eq!(normalised(&[0.25, 0.75], Activation::Sigmoid), [0.25, 0.75]);
        assert_eq!(
            normalised(&[0.0, 2.0, 4.0], Activation::Relu),
            [0.0, 0.5, 1.0]
        );
        // A flat unit is one colour, not a division by zero.
        assert_eq!(normalised(&[3.0, 3.0], Activation::Relu), [0.0, 0.0]);
    }
}
