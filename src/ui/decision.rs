//! The decision plot: the data as a scatter plot over the shaded decision grid.

use std::time::{Duration, Instant};

use egui::{Color32, ColorImage, TextureHandle, TextureOptions};
use egui_plot::{Legend, MarkerShape, Plot, PlotBounds, PlotImage, PlotPoint, Points};

use crate::app::Command;
use crate::app::session::Session;
use crate::app::settings::Settings;
use crate::data::Target;
use crate::nn::Matrix;

use super::{class_color, format_number, mix, value_color};

/// Most grid cells per side.
pub const GRID_CELLS: usize = 256;
/// Most points drawn per set (train, test); larger sets are drawn as an even sample.
pub const MAX_DRAWN_POINTS: usize = 5_000;
/// Budget of multiply-adds for one grid: large networks get a coarser grid.
const GRID_WORK: f64 = 6.0e7;

/// What the grid shades.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shading {
    /// The predicted class (intensity = its probability) or, for regression, the value.
    Prediction,
    /// The activation of one hidden unit: `(layer, unit)`, both 0-based.
    Unit(usize, usize),
}

/// What the cached grid was computed from.
#[derive(Clone, Debug, PartialEq)]
struct GridKey {
    iteration: u64,
    network_version: u64,
    data_version: u64,
    x_feature: usize,
    y_feature: usize,
    slice: Vec<u64>,
    discretize: bool,
    dark: bool,
    shading: Shading,
}

/// The plot's rectangle in raw units.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PlaneBounds {
    /// `(min, max)` of the x feature.
    pub x: (f64, f64),
    /// `(min, max)` of the y feature.
    pub y: (f64, f64),
}

/// The decision grid as a texture, recomputed only when weights, data or view change (and at
/// most every 50 ms, or four times its cost, while training).
#[derive(Default)]
pub struct DecisionGrid {
    texture: Option<TextureHandle>,
    /// The last image, kept for the PNG export.
    pub image: Option<ColorImage>,
    key: Option<GridKey>,
    computed_at: Option<Instant>,
    cost: Duration,
    /// The rectangle the grid covers.
    pub bounds: Option<PlaneBounds>,
    /// Range of the colour map for values or unit activations.
    pub value_range: Option<(f64, f64)>,
    /// What the image shows.
    pub shading: Option<Shading>,
    /// Cells per side of the last grid.
    pub cells: usize,
    /// Message if the grid could not be computed.
    pub problem: Option<String>,
}

impl std::fmt::Debug for DecisionGrid {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DecisionGrid")
            .field("cells", &self.cells)
            .field("bounds", &self.bounds)
            .finish_non_exhaustive()
    }
}

/// The x/y rectangle for the features: data range plus a 10 % margin.
pub fn plane_bounds(session: &Session, x_feature: usize, y_feature: usize) -> PlaneBounds {
    let range = |j: usize| {
        let (lo, hi) = session.ranges.get(j).copied().unwrap_or((0.0, 1.0));
        let span = if hi > lo { hi - lo } else { 2.0 };
        let mid = 0.5 * (lo + hi);
        (mid - 0.6 * span, mid + 0.6 * span)
    };
    PlaneBounds {
        x: range(x_feature),
        y: range(y_feature),
    }
}

/// Feature indices on the axes, pulled into range.
pub fn axis_features(settings: &Settings, n_features: usize) -> (usize, usize) {
    let last = n_features.saturating_sub(1);
    let x = settings.x_feature.min(last);
    let mut y = settings.y_feature.min(last);
    if y == x && n_features > 1 {
        y = if x == 0 { 1 } else { 0 };
    }
    (x, y)
}

impl DecisionGrid {
    /// The time the next recomputation will probably take (zero if none is due).
    pub fn expected_cost(&self) -> Duration {
        let throttle = (self.cost * 4).max(Duration::from_millis(50));
        if self.computed_at.is_some_and(|t| t.elapsed() >= throttle) {
            self.cost
        } else {
            Duration::ZERO
        }
    }

    /// Recomputes the grid if what it shows changed (throttled while only the weights change).
    pub fn update(
        &mut self,
        ctx: &egui::Context,
        session: &Session,
        settings: &Settings,
        shading: Shading,
    ) {
        let (x_feature, y_feature) = axis_features(settings, session.dataset.n_features());
        let key = GridKey {
            iteration: session.trainer.iteration(),
            network_version: session.network_version,
            data_version: session.data_version,
            x_feature,
            y_feature,
            slice: session.slice.iter().map(|v| v.to_bits()).collect(),
            discretize: settings.discretize,
            dark: settings.dark,
            shading,
        };
        if let Some(old) = &self.key {
            if *old == key {
                return;
            }
            let only_weights = GridKey {
                iteration: old.iteration,
                ..key.clone()
            } == *old;
            let throttle = (self.cost * 4).max(Duration::from_millis(50));
            if only_weights && self.computed_at.is_some_and(|t| t.elapsed() < throttle) {
                return;
            }
        }
        let start = Instant::now();
        let bounds = plane_bounds(session, x_feature, y_feature);
        let background = if settings.dark {
            Color32::from_gray(27)
        } else {
            Color32::from_gray(248)
        };
        match compute_image(
            session,
            settings,
            bounds,
            (x_feature, y_feature),
            shading,
            background,
        ) {
            Ok((image, range, cells)) => {
                match &mut self.texture {
                    Some(texture) => texture.set(image.clone(), TextureOptions::LINEAR),
                    None => {
                        self.texture = Some(ctx.load_texture(
                            "decision-grid",
                            image.clone(),
                            TextureOptions::LINEAR,
                        ));
                    }
                }
                self.image = Some(image);
                self.value_range = range;
                self.cells = cells;
                self.problem = None;
            }
            Err(e) => self.problem = Some(e),
        }
        self.bounds = Some(bounds);
        self.shading = Some(shading);
        self.key = Some(key);
        self.computed_at = Some(Instant::now());
        self.cost = start.elapsed();
    }
}

/// Cells per side for a network with `params` weights on `inputs` features.
fn grid_cells(params: usize, inputs: usize) -> usize {
    let per_cell = (params + inputs).max(1) as f64;
    let cells = (GRID_WORK / per_cell).sqrt() as usize;
    cells.clamp(48, GRID_CELLS)
}

/// A computed grid: the image, the range of its colour map (values, activations) and its cells
/// per side.
type GridImage = (ColorImage, Option<(f64, f64)>, usize);

/// The grid image, the range of its colour map (values, activations) and its cells per side.
fn compute_image(
    session: &Session,
    settings: &Settings,
    bounds: PlaneBounds,
    (x_feature, y_feature): (usize, usize),
    shading: Shading,
    background: Color32,
) -> Result<GridImage, String> {
    let network = session.trainer.network();
    let d = session.dataset.n_features();
    let cells = grid_cells(network.parameter_count(), d);
    // [cells², d]: row r·cells + c is the centre of cell (r, c); row 0 of the texture is the top.
    let mut x = Matrix::zeros(cells * cells, d);
    let (dx, dy) = (
        (bounds.x.1 - bounds.x.0) / cells as f64,
        (bounds.y.1 - bounds.y.0) / cells as f64,
    );
    for r in 0..cells {
        for c in 0..cells {
            let row = x.row_mut(r * cells + c);
            row.copy_from_slice(&session.slice);
            if d > 0 {
                row[x_feature] = bounds.x.0 + (c as f64 + 0.5) * dx;
            }
            if d > 1 {
                row[y_feature] = bounds.y.1 - (r as f64 + 0.5) * dy;
            }
            if let Some(scaling) = &session.prepared.scaling {
                scaling.apply_row(row);
            }
        }
    }
    let err = |e: crate::nn::NnError| e.to_string();
    let (pixels, range) = match shading {
        Shading::Unit(layer, unit) => {
            let layers = network.forward_layers(&x).map_err(err)?;
            let a = layers
                .get(layer)
                .filter(|m| unit < m.cols())
                .ok_or_else(|| format!("no unit {unit} in layer {layer}"))?;
            let values: Vec<f64> = (0..a.rows()).map(|i| a.get(i, unit)).collect();
            let (lo, hi) = finite_range(&values);
            let pixels = values
                .iter()
                .map(|v| value_color((v - lo) / (hi - lo).max(1e-12)))
                .collect();
            (pixels, Some((lo, hi)))
        }
        Shading::Prediction if session.is_classification() => {
            let p = network.class_probabilities(&x).map_err(err)?; // [cells², k]
            let k = p.cols().max(1);
            let floor = 1.0 / k as f64;
            let pixels = p
                .iter_rows()
                .map(|row| {
                    let (best, pmax) = row.iter().copied().enumerate().fold(
                        (0, f64::NEG_INFINITY),
                        |b, (j, v)| if v > b.1 { (j, v) } else { b },
                    );
                    let strength = if settings.discretize || k < 2 {
                        1.0
                    } else {
                        ((pmax - floor) / (1.0 - floor)).clamp(0.0, 1.0)
                    };
                    mix(background, class_color(best), 0.08 + 0.42 * strength as f32)
                })
                .collect();
            (pixels, None)
        }
        Shading::Prediction => {
            let out = network.forward(&x).map_err(err)?;
            let (lo, hi) = target_range(session);
            let pixels = (0..out.rows())
                .map(|i| {
                    let t = (out.get(i, 0) - lo) / (hi - lo).max(1e-12);
                    let t = if settings.discretize {
                        (t * 8.0).floor() / 8.0 + 1.0 / 16.0
                    } else {
                        t
                    };
                    mix(background, value_color(t), 0.75)
                })
                .collect();
            (pixels, Some((lo, hi)))
        }
    };
    Ok((ColorImage::new([cells, cells], pixels), range, cells))
}

/// Min and max of the finite values (`(0, 1)` if there are none; widened if equal).
fn finite_range(values: &[f64]) -> (f64, f64) {
    let (lo, hi) = values
        .iter()
        .filter(|v| v.is_finite())
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &v| {
            (lo.min(v), hi.max(v))
        });
    if !lo.is_finite() {
        (0.0, 1.0)
    } else if hi - lo < 1e-12 {
        (lo - 0.5, hi + 0.5)
    } else {
        (lo, hi)
    }
}

/// Range of the regression target, raw units.
pub fn target_range(session: &Session) -> (f64, f64) {
    match &session.dataset.target {
        Target::Values(v) => finite_range(v),
        Target::Classes { .. } => (0.0, 1.0),
    }
}

/// Every `step`-th of `rows`, at most [`MAX_DRAWN_POINTS`].
fn sample(rows: &[usize]) -> impl Iterator<Item = usize> + '_ {
    let step = rows.len().div_ceil(MAX_DRAWN_POINTS).max(1);
    rows.iter().copied().step_by(step)
}

/// Draws the decision plot and turns clicks into commands (add / erase a point).
pub fn decision_plot_ui(
    ui: &mut egui::Ui,
    grid: &DecisionGrid,
    session: &Session,
    settings: &Settings,
    commands: &mut Vec<Command>,
) {
    let data = &session.dataset;
    let d = data.n_features();
    let (x_feature, y_feature) = axis_features(settings, d);
    let name = |j: usize| data.feature_names.get(j).cloned().unwrap_or_default();
    let bounds = grid
        .bounds
        .unwrap_or_else(|| plane_bounds(session, x_feature, y_feature));
    caption_ui(ui, grid, session, (x_feature, y_feature));
    let colour_bar = grid.value_range.is_some();
    let plot_height = ui.available_height() - if colour_bar { 36.0 } else { 0.0 };
    let plot = Plot::new("decision-plot")
        .legend(Legend::default())
        .height(plot_height.max(120.0))
        .allow_drag(false)
        .allow_zoom(false)
        .allow_scroll(false)
        .allow_boxed_zoom(false)
        .allow_double_click_reset(false)
        .x_axis_label(name(x_feature))
        .y_axis_label(if d > 1 {
            name(y_feature)
        } else {
            String::new()
        });
    let train_rows = &session.prepared.train_rows;
    let test_rows = &session.prepared.test_rows;
    let point = |i: usize| {
        let row = data.features.row(i);
        [row[x_feature], if d > 1 { row[y_feature] } else { 0.0 }]
    };
    let response = plot.show(ui, |plot_ui| {
        plot_ui.set_plot_bounds(PlotBounds::from_min_max(
            [bounds.x.0, bounds.y.0],
            [bounds.x.1, bounds.y.1],
        ));
        if let Some(texture) = &grid.texture {
            plot_ui.add(
                PlotImage::new(
                    "",
                    texture.id(),
                    PlotPoint::new(
                        0.5 * (bounds.x.0 + bounds.x.1),
                        0.5 * (bounds.y.0 + bounds.y.1),
                    ),
                    [
                        (bounds.x.1 - bounds.x.0) as f32,
                        (bounds.y.1 - bounds.y.0) as f32,
                    ],
                )
                .allow_hover(false),
            );
        }
        match &data.target {
            Target::Classes { names, labels } => {
                for (k, class) in names.iter().enumerate() {
                    let pts: Vec<[f64; 2]> = sample(train_rows)
                        .filter(|&i| labels[i] == k)
                        .map(point)
                        .collect();
                    plot_ui.add(
                        Points::new(class.clone(), pts)
                            .color(class_color(k))
                            .radius(3.5)
                            .shape(MarkerShape::Circle),
                    );
                    if settings.show_test && !test_rows.is_empty() {
                        let pts: Vec<[f64; 2]> = sample(test_rows)
                            .filter(|&i| labels[i] == k)
                            .map(point)
                            .collect();
                        plot_ui.add(
                            Points::new(format!("{class} (test)"), pts)
                                .color(class_color(k))
                                .radius(4.0)
                                .filled(false)
                                .shape(MarkerShape::Circle),
                        );
                    }
                }
            }
            Target::Values(values) => {
                let (lo, hi) = target_range(session);
                let bins = 8;
                let rows: Vec<usize> = if settings.show_test {
                    sample(train_rows).chain(sample(test_rows)).collect()
                } else {
                    sample(train_rows).collect()
                };
                for b in 0..bins {
                    let pts: Vec<[f64; 2]> = rows
                        .iter()
                        .copied()
                        .filter(|&i| {
                            let t = (values[i] - lo) / (hi - lo).max(1e-12);
                            ((t * bins as f64) as usize).min(bins - 1) == b
                        })
                        .map(point)
                        .collect();
                    let t = (b as f64 + 0.5) / bins as f64;
                    plot_ui.add(
                        Points::new("", pts)
                            .color(value_color(t))
                            .radius(3.5)
                            .shape(MarkerShape::Circle),
                    );
                }
            }
        }
        let r = plot_ui.response();
        (
            plot_ui.pointer_coordinate(),
            r.clicked(),
            r.secondary_clicked(),
        )
    });
    let (pointer, clicked, secondary) = response.inner;
    let editable = d == 2 && session.is_classification();
    if let Some(p) = pointer
        && editable
    {
        let shift = ui.input(|i| i.modifiers.shift);
        if secondary || (clicked && shift) {
            let radius = 0.03
                * ((bounds.x.1 - bounds.x.0).powi(2) + (bounds.y.1 - bounds.y.0).powi(2)).sqrt();
            commands.push(Command::RemovePoint {
                x: p.x,
                y: p.y,
                radius,
            });
        } else if clicked {
            commands.push(Command::AddPoint { x: p.x, y: p.y });
        }
    }
    if let Some((lo, hi)) = grid.value_range {
        colour_bar_ui(ui, lo, hi);
    }
}

/// The line above the plot: what is shaded, the slice, the sample.
fn caption_ui(ui: &mut egui::Ui, grid: &DecisionGrid, session: &Session, axes: (usize, usize)) {
    let data = &session.dataset;
    let mut parts = Vec::new();
    match grid.shading {
        Some(Shading::Unit(layer, unit)) => parts.push(format!(
            "Shading: activation of hidden unit {} in layer {}",
            unit + 1,
            layer + 1
        )),
        _ if session.is_classification() => {
            parts.push("Shading: predicted class, stronger where the network is surer".to_owned());
        }
        _ => parts.push("Shading: predicted value".to_owned()),
    }
    let held: Vec<String> = (0..data.n_features())
        .filter(|&j| j != axes.0 && j != axes.1)
        .map(|j| {
            format!(
                "{} = {}",
                data.feature_names.get(j).map_or("?", String::as_str),
                format_number(session.slice.get(j).copied().unwrap_or(0.0))
            )
        })
        .collect();
    if !held.is_empty() {
        parts.push(format!("slice at {}", held.join(", ")));
    }
    let n = session.prepared.train_rows.len() + session.prepared.test_rows.len();
    if session.prepared.train_rows.len() > MAX_DRAWN_POINTS {
        parts.push(format!(
            "drawing an even sample of {MAX_DRAWN_POINTS} of {n} points"
        ));
    }
    if let Some(problem) = &grid.problem {
        parts.push(format!("grid: {problem}"));
    }
    ui.label(parts.join(" · "));
}

/// A horizontal colour bar from `lo` to `hi`.
fn colour_bar_ui(ui: &mut egui::Ui, lo: f64, hi: f64) {
    ui.horizontal(|ui| {
        ui.label(format_number(lo));
        let (rect, _) = ui.allocate_exact_size(egui::vec2(240.0, 14.0), egui::Sense::hover());
        let steps = 48;
        for s in 0..steps {
            let t0 = s as f32 / steps as f32;
            let t1 = (s + 1) as f32 / steps as f32;
            let r = egui::Rect::from_min_max(
                egui::pos2(rect.left() + t0 * rect.width(), rect.top()),
                egui::pos2(rect.left() + t1 * rect.width() + 0.5, rect.bottom()),
            );
            ui.painter()
                .rect_filled(r, 0.0, value_color(f64::from(t0 + 0.5 / steps as f32)));
        }
        ui.label(format_number(hi));
    });
}
