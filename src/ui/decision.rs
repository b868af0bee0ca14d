//! The decision plot: the data as a scatter plot over the shaded decision grid.

use crate::picture::finite_range;
use std::time::{Duration, Instant};

use egui::{Color32, ColorImage, TextureHandle, TextureOptions};
use egui_plot::{MarkerShape, Plot, PlotBounds, PlotImage, PlotPoint, Points};

use crate::app::commands::Command;
use crate::app::settings::Settings;
use crate::data::Scaling;
use crate::data::Target;
use crate::nn::{Activation, Matrix, Network, Workspace};
use crate::train::worker::RunView;

use super::{DataView, class_color, format_number, mix, value_color};

/// Most grid cells per side.
pub const GRID_CELLS: usize = 256;
/// Most points drawn per set (train, test); larger sets are drawn as an even sample.
pub const MAX_DRAWN_POINTS: usize = 2_000;
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
    /// [`crate::train::Run::generation`] of the weights shown: newer weights of the same view.
    generation: u64,
    /// [`crate::train::Run::id`] of the network shown: a new network is a new view.
    run: u64,
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

/// The decision grid as a texture. It is recomputed when the weights, data or view change: a
/// change of view at once, new weights of a training network a slice per frame (within the
/// frame's budget) and at most every 50 ms, or four times its cost.
#[derive(Default)]
pub struct DecisionGrid {
    texture: Option<TextureHandle>,
    /// The last image, kept for the PNG export.
    pub image: Option<ColorImage>,
    key: Option<GridKey>,
    job: Option<GridJob>,
    started_at: Option<Instant>,
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
pub fn plane_bounds(view: &DataView<'_>, x_feature: usize, y_feature: usize) -> PlaneBounds {
    let range = |j: usize| {
        let (lo, hi) = view.ranges.get(j).copied().unwrap_or((0.0, 1.0));
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
    /// Recomputes the grid if what it shows changed. A new view (axes, slice, data, network,
    /// shading, theme) is computed at once if that takes at most 25 ms (it does
    /// but for the largest networks), else over a few frames; new weights of the same network
    /// are computed a slice of rows per call, spending about `budget`. Either is shown when
    /// complete.
    pub fn update(
        &mut self,
        ctx: &egui::Context,
        view: &DataView<'_>,
        run: &RunView,
        settings: &Settings,
        shading: Shading,
        budget: Duration,
    ) {
        let (x_feature, y_feature) = axis_features(settings, view.dataset.n_features());
        let key = GridKey {
            generation: run.generation,
            run: run.id,
            data_version: view.version,
            x_feature,
            y_feature,
            slice: view.slice.iter().map(|v| v.to_bits()).collect(),
            discretize: settings.discretize,
            dark: settings.dark,
            shading,
        };
        if self
            .job
            .as_ref()
            .is_some_and(|job| !job.key.same_view(&key))
        {
            self.job = None;
        }
        let view_shown = self.key.as_ref().is_some_and(|old| old.same_view(&key));
        if self.job.is_none() {
            if self.key.as_ref() == Some(&key) {
                return;
            }
            // While training, new weights are drawn at most every 50 ms (or four times the
            // grid's cost); once paused, the last weights at once.
            let throttle = (self.cost * 4).max(Duration::from_millis(50));
            if view_shown && run.playing && self.started_at.is_some_and(|t| t.elapsed() < throttle)
            {
                return;
            }
            self.job = Some(GridJob::new(
                view,
                run,
                settings,
                key,
                (x_feature, y_feature),
            ));
            self.started_at = Some(Instant::now());
        }
        let budget = if view_shown { budget } else { NEW_VIEW_BUDGET };
        let start = Instant::now();
        let Some(job) = self.job.as_mut() else {
            return;
        };
        let outcome = loop {
            if let Err(e) = job.compute_rows() {
                break Some(Err(e));
            }
            if job.next_row == job.cells {
                break Some(Ok(()));
            }
            if start.elapsed() >= budget {
                break None;
            }
        };
        job.spent += start.elapsed();
        let Some(outcome) = outcome else {
            return;
        };
        let Some(job) = self.job.take() else {
            return;
        };
        self.cost = job.spent;
        self.key = Some(job.key.clone());
        self.bounds = Some(job.bounds);
        self.shading = Some(job.key.shading);
        self.problem = outcome.err();
        if self.problem.is_none() {
            let cells = job.cells;
            let (pixels, range) = job.finish();
            let image = ColorImage::new([cells, cells], pixels);
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
        }
    }
}

impl DecisionGrid {
    /// True if the picture is of this network on this data (perhaps of older weights): false
    /// after a reset, a new network or new data, until the new picture is complete. The plot
    /// draws no picture of another network under the new network's numbers.
    pub fn shows_network(&self, run: &RunView, data_version: u64) -> bool {
        self.texture.is_some()
            && self
                .key
                .as_ref()
                .is_some_and(|k| k.run == run.id && k.data_version == data_version)
    }

    /// True while the picture lags the trainer's weights, or a computation is under way: the
    /// app keeps drawing frames until it catches up, even when paused.
    pub fn behind(&self, run: &RunView) -> bool {
        self.job.is_some()
            || self
                .key
                .as_ref()
                .is_none_or(|k| k.run != run.id || k.generation != run.generation)
    }
}

impl GridKey {
    /// True if only the weights differ: the same picture with newer weights.
    fn same_view(&self, other: &Self) -> bool {
        *self
            == Self {
                generation: self.generation,
                ..other.clone()
            }
    }
}

/// The centres of rows `rows` of a `cells` × `cells` grid over `bounds` (row 0 at the top), as
/// rows of features (`[rows · cells, d]`, row `i · cells + c` the centre of cell `(i, c)`):
/// `slice` with the axes' features set to the centre.
pub fn plane_points(
    bounds: &PlaneBounds,
    cells: usize,
    rows: std::ops::Range<usize>,
    slice: &[f64],
    (x_feature, y_feature): (usize, usize),
) -> Matrix {
    let d = slice.len();
    let (dx, dy) = (
        (bounds.x.1 - bounds.x.0) / cells as f64,
        (bounds.y.1 - bounds.y.0) / cells as f64,
    );
    let mut x = Matrix::zeros(rows.len() * cells, d);
    for (i, r) in rows.enumerate() {
        for c in 0..cells {
            let row = x.row_mut(i * cells + c);
            row.copy_from_slice(slice);
            if d > 0 {
                row[x_feature] = bounds.x.0 + (c as f64 + 0.5) * dx;
            }
            if d > 1 {
                row[y_feature] = bounds.y.1 - (r as f64 + 0.5) * dy;
            }
        }
    }
    x
}

/// Cells per side for a network with `params` weights on `inputs` features.
fn grid_cells(params: usize, inputs: usize) -> usize {
    let per_cell = (params + inputs).max(1) as f64;
    let cells = (GRID_WORK / per_cell).sqrt() as usize;
    cells.clamp(48, GRID_CELLS)
}

/// Frame time a new view's grid may take before the rest waits for the next frames.
const NEW_VIEW_BUDGET: Duration = Duration::from_millis(25);

/// About this many cells are computed per piece of a grid job...
const CELLS_PER_PIECE: usize = 2048;
/// ...or fewer, so that a piece costs at most about this many multiply-adds (a fraction of a
/// millisecond), whatever the network; never less than one row of cells.
const WORK_PER_PIECE: usize = 2_000_000;

/// A grid being computed, rows at a time, from a snapshot of the network.
struct GridJob {
    key: GridKey,
    network: Network,
    scaling: Option<Scaling>,
    /// The network's input terms over the features, if any.
    inputs: Option<crate::data::Inputs>,
    slice: Vec<f64>,
    axes: (usize, usize),
    bounds: PlaneBounds,
    cells: usize,
    classification: bool,
    discretize: bool,
    background: Color32,
    target_range: (f64, f64),
    next_row: usize,
    pixels: Vec<Color32>,
    /// Raw values, for unit shading (coloured once their range is known).
    values: Vec<f64>,
    /// Reused by every piece, so that the network's layers are not allocated again each time.
    workspace: Workspace,
    spent: Duration,
}

impl GridJob {
    fn new(
        view: &DataView<'_>,
        run: &RunView,
        settings: &Settings,
        key: GridKey,
        axes: (usize, usize),
    ) -> Self {
        let network = (*run.network).clone();
        let cells = grid_cells(network.parameter_count(), view.dataset.n_features());
        Self {
            network,
            scaling: view.prepared.scaling.clone(),
            inputs: view.prepared.inputs.clone(),
            slice: view.slice.to_vec(),
            axes,
            bounds: plane_bounds(view, axes.0, axes.1),
            cells,
            classification: view.is_classification(),
            discretize: settings.discretize,
            background: if settings.dark {
                Color32::from_gray(27)
            } else {
                Color32::from_gray(248)
            },
            target_range: target_range(view),
            next_row: 0,
            pixels: Vec::with_capacity(cells * cells),
            values: Vec::new(),
            workspace: Workspace::default(),
            spent: Duration::ZERO,
            key,
        }
    }

    /// Computes the next piece of rows (row 0 is the top of the texture).
    fn compute_rows(&mut self) -> Result<(), String> {
        let cells = self.cells;
        let per_cell = self.network.parameter_count().max(1);
        let piece = CELLS_PER_PIECE.min(WORK_PER_PIECE / per_cell);
        let rows = (piece / cells).max(1).min(cells - self.next_row);
        let x = plane_points(
            &self.bounds,
            cells,
            self.next_row..self.next_row + rows,
            &self.slice,
            self.axes,
        );
        // The network's inputs: the terms of each point (if any), scaled as in training.
        let x = crate::data::network_inputs(self.inputs.as_ref(), self.scaling.as_ref(), x);
        let err = |e: crate::nn::NnError| e.to_string();
        // A pass that overflows (weights of a diverging run) would paint one flat colour: the
        // last finite picture stays instead.
        let not_finite =
            || "the network's output is not finite here; showing the last finite state".to_owned();
        match self.key.shading {
            Shading::Unit(layer, unit) => {
                self.network
                    .forward_in(&x, &mut self.workspace)
                    .map_err(err)?;
                let values = self
                    .workspace
                    .unit_values(layer, unit)
                    .ok_or_else(|| format!("no unit {unit} in layer {layer}"))?;
                if values.iter().any(|v| !v.is_finite()) {
                    return Err(not_finite());
                }
                self.values.extend_from_slice(values);
            }
            Shading::Prediction if self.classification => {
                self.network
                    .forward_in(&x, &mut self.workspace)
                    .map_err(err)?;
                let p = self.workspace.output(); // [n, k], one column for a sigmoid head
                if p.as_slice().iter().any(|v| !v.is_finite()) {
                    return Err(not_finite());
                }
                let k = p.cols().max(2);
                let floor = 1.0 / k as f64;
                self.pixels.extend(p.iter_rows().map(|row| {
                    let (best, pmax) = match row {
                        [p] => (usize::from(*p > 0.5), p.max(1.0 - p)),
                        _ => row.iter().copied().enumerate().fold(
                            (0, f64::NEG_INFINITY),
                            |b, (j, v)| if v > b.1 { (j, v) } else { b },
                        ),
                    };
                    let strength = if self.discretize || k < 2 {
                        1.0
                    } else {
                        ((pmax - floor) / (1.0 - floor)).clamp(0.0, 1.0)
                    };
                    mix(
                        self.background,
                        class_color(best),
                        0.08 + 0.42 * strength as f32,
                    )
                }));
            }
            Shading::Prediction => {
                self.network
                    .forward_in(&x, &mut self.workspace)
                    .map_err(err)?;
                let out = self.workspace.output();
                if out.as_slice().iter().any(|v| !v.is_finite()) {
                    return Err(not_finite());
                }
                let (lo, hi) = self.target_range;
                self.pixels.extend((0..out.rows()).map(|i| {
                    let t = (out.get(i, 0) - lo) / (hi - lo).max(1e-12);
                    let t = if self.discretize {
                        (t * 8.0).floor() / 8.0 + 1.0 / 16.0
                    } else {
                        t
                    };
                    // Lighter than the points drawn over it, which carry the same colours.
                    mix(self.background, value_color(t), 0.55)
                }));
            }
        }
        self.next_row += rows;
        Ok(())
    }

    /// The pixels and the range of the colour map (values, activations).
    fn finish(self) -> (Vec<Color32>, Option<(f64, f64)>) {
        match self.key.shading {
            Shading::Unit(layer, _) => {
                // The activation's own range where it has one, so that the bar reads 0…1 for
                // sigmoid however the unit happens to be used; the values' range otherwise.
                let activation = self
                    .network
                    .architecture()
                    .hidden
                    .get(layer)
                    .map(|h| h.activation);
                let (lo, hi) = match activation {
                    Some(Activation::Sigmoid) => (0.0, 1.0),
                    Some(Activation::Tanh) => (-1.0, 1.0),
                    _ => finite_range(&self.values),
                };
                let pixels = self
                    .values
                    .iter()
                    .map(|v| value_color((v - lo) / (hi - lo).max(1e-12)))
                    .collect();
                (pixels, Some((lo, hi)))
            }
            Shading::Prediction if self.classification => (self.pixels, None),
            Shading::Prediction => (self.pixels, Some(self.target_range)),
        }
    }
}

/// Range of the regression target, raw units.
pub fn target_range(view: &DataView<'_>) -> (f64, f64) {
    match &view.dataset.target {
        Target::Values(v) => finite_range(v),
        Target::Classes { .. } => (0.0, 1.0),
    }
}

/// Every `step`-th of `rows`, at most [`MAX_DRAWN_POINTS`].
fn sample(rows: &[usize]) -> impl Iterator<Item = usize> + '_ {
    let step = rows.len().div_ceil(MAX_DRAWN_POINTS).max(1);
    rows.iter().copied().step_by(step)
}

/// Which decision plot is drawn, and for what.
#[derive(Clone, Copy, Debug)]
pub enum PlotRole<'a> {
    /// The window's one plot. While a row is explained (`explaining`, the data set's row, or
    /// `Some(None)` before one is picked), a click picks the nearest point instead of adding
    /// one, and the explained point is ringed.
    Window {
        /// The row explained, if the explain panel is open.
        explaining: Option<Option<usize>>,
    },
    /// The one plot as the exported picture shows it: under this title, without the hints on
    /// editing, and not editable.
    Picture(&'a str),
    /// Small multiple `k` of a comparison: the caller draws the caption and key once for all.
    /// While a row is explained, a click picks the nearest point and run `k`.
    Multiple {
        /// The run (0 is run 1).
        k: usize,
        /// As for [`PlotRole::Window`].
        explaining: Option<Option<usize>>,
    },
}

/// Draws the decision plot and turns clicks into commands (add / erase a point). Returns the rectangle a picture of the plot shows: caption, plot with its
/// axes, and the key or colour bar.
pub fn decision_plot_ui(
    ui: &mut egui::Ui,
    role: PlotRole<'_>,
    grid: &DecisionGrid,
    run: &RunView,
    view: &DataView<'_>,
    settings: &Settings,
    commands: &mut Vec<Command>,
) -> egui::Rect {
    let (id, compact) = match role {
        PlotRole::Multiple { k, .. } => (k, true),
        _ => (0, false),
    };
    let picture = matches!(role, PlotRole::Picture(_));
    let explaining = match role {
        PlotRole::Window { explaining } | PlotRole::Multiple { explaining, .. } => explaining,
        PlotRole::Picture(_) => None,
    };
    let data = &view.dataset;
    let d = data.n_features();
    let (x_feature, y_feature) = axis_features(settings, d);
    let name = |j: usize| data.feature_names.get(j).cloned().unwrap_or_default();
    let bounds = grid
        .bounds
        .unwrap_or_else(|| plane_bounds(view, x_feature, y_feature));
    let current = grid.shows_network(run, view.version);
    // Small multiples share one caption and key (drawn once by the caller).
    if let PlotRole::Picture(title) = role {
        ui.strong(title);
    }
    if !compact {
        caption_ui(ui, grid, view, (x_feature, y_feature), current);
    }
    // The row under the plot (colour bar or key) is always there, so that the plot keeps its
    // size when a colour bar comes and goes (hovering a hidden unit).
    // The classes are named in that row, not in a legend over the points.
    let key_row = if compact {
        0.0
    } else {
        key_row_height(ui.available_width())
    };
    let plot_height = (ui.available_height() - key_row).max(120.0);
    // The plot's inside, less its axes (about 50 points across, 40 up).
    let inside = egui::vec2(ui.available_width() - 50.0, plot_height - 40.0);
    let (x_step, y_step) = plane_steps(&bounds, inside);
    let plot = Plot::new(("decision-plot", id))
        .height(plot_height)
        .x_grid_spacer(move |input| super::curves::marks_every(input.bounds, x_step, false))
        .y_grid_spacer(move |input| super::curves::marks_every(input.bounds, y_step, false))
        .x_axis_formatter(|mark, _| super::curves::format_tick(mark.value, mark.step_size))
        .y_axis_formatter(|mark, _| super::curves::format_tick(mark.value, mark.step_size))
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
    let train_rows = &view.prepared.train_rows;
    let test_rows = &view.prepared.test_rows;
    let point = |i: usize| {
        let row = data.features.row(i);
        [row[x_feature], if d > 1 { row[y_feature] } else { 0.0 }]
    };
    let response = plot.show(ui, |plot_ui| {
        plot_ui.set_plot_bounds(PlotBounds::from_min_max(
            [bounds.x.0, bounds.y.0],
            [bounds.x.1, bounds.y.1],
        ));
        if let Some(texture) = grid.texture.as_ref().filter(|_| current) {
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
                if settings.ring_wrong {
                    let wrong = super::explain::wrong_rows(run, settings.show_test);
                    let pts: Vec<[f64; 2]> = sample(&wrong)
                        .filter(|&i| i < data.features.rows())
                        .map(point)
                        .collect();
                    plot_ui.add(
                        Points::new("misclassified", pts)
                            .color(wrong_color(settings.dark))
                            .radius(6.5)
                            .filled(false)
                            .shape(MarkerShape::Circle)
                            .allow_hover(false),
                    );
                }
            }
            Target::Values(values) => {
                let (lo, hi) = target_range(view);
                let outline = if settings.dark {
                    Color32::from_gray(235)
                } else {
                    Color32::from_gray(25)
                };
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
                    // An outline sets each point off from the shade, which uses the same map.
                    plot_ui.add(
                        Points::new("", pts.clone())
                            .color(outline)
                            .radius(4.8)
                            .shape(MarkerShape::Circle)
                            .allow_hover(false),
                    );
                    plot_ui.add(
                        Points::new("", pts)
                            .color(value_color(t))
                            .radius(3.5)
                            .shape(MarkerShape::Circle),
                    );
                }
            }
        }
        if let Some(Some(row)) = explaining
            && row < data.features.rows()
        {
            let at = [
                data.features.get(row, x_feature),
                data.features.get(row, y_feature),
            ];
            let ring = if settings.dark {
                Color32::WHITE
            } else {
                Color32::BLACK
            };
            plot_ui.add(
                Points::new("explained row", vec![at])
                    .color(ring)
                    .radius(9.0)
                    .filled(false)
                    .shape(MarkerShape::Circle)
                    .allow_hover(false),
            );
        }
        let r = plot_ui.response();
        (
            plot_ui.pointer_coordinate(),
            r.clicked(),
            r.secondary_clicked(),
        )
    });
    let (pointer, clicked, secondary) = response.inner;
    let radius =
        0.03 * ((bounds.x.1 - bounds.x.0).powi(2) + (bounds.y.1 - bounds.y.0).powi(2)).sqrt();
    if explaining.is_some() {
        if let Some(p) = pointer
            && clicked
            && let Some(row) =
                nearest_row(view, settings, (x_feature, y_feature), [p.x, p.y], &bounds)
        {
            if compact {
                commands.push(Command::SelectRun(id));
            }
            commands.push(Command::ExplainRow(row));
        }
        let plot = ui.min_rect();
        if compact {
            return plot;
        }
        key_row_ui(ui, grid, view, settings, KeyHint::Explain);
        return if grid.value_range.is_some() {
            ui.min_rect()
        } else {
            plot
        };
    }
    let editable = d == 2 && view.is_classification() && !picture;
    if let Some(p) = pointer
        && editable
    {
        let shift = ui.input(|i| i.modifiers.shift);
        if secondary || (clicked && shift) {
            commands.push(Command::RemovePoint {
                x: p.x,
                y: p.y,
                radius,
            });
        } else if clicked {
            commands.push(Command::AddPoint { x: p.x, y: p.y });
        }
    }
    let plot = ui.min_rect();
    if compact {
        return plot;
    }
    let hint = if editable {
        KeyHint::Edit
    } else {
        KeyHint::None
    };
    key_row_ui(ui, grid, view, settings, hint);
    if grid.value_range.is_some() {
        ui.min_rect()
    } else {
        plot
    }
}

/// Points between labelled ticks on the decision plot's axes.
const PLANE_LABEL_SPACING: f64 = 56.0;

/// The labelled ticks' steps on the decision plot's x and y axes for a plot `inside` points in
/// size (less its axes): one step for both where the two ranges are alike (x and y read alike),
/// each its own where one is more than five times the other's.
pub fn plane_steps(bounds: &PlaneBounds, inside: egui::Vec2) -> (f64, f64) {
    let per_point = |(lo, hi): (f64, f64), points: f32| (hi - lo) / f64::from(points.max(40.0));
    let step = |per_point: f64| super::curves::nice_step(per_point * PLANE_LABEL_SPACING);
    let (x, y) = (
        step(per_point(bounds.x, inside.x)),
        step(per_point(bounds.y, inside.y)),
    );
    if x.max(y) <= 5.0 * x.min(y) {
        let both = x.max(y);
        (both, both)
    } else {
        (x, y)
    }
}

/// Height of one line of the row under the plot, points.
const KEY_LINE: f32 = 22.0;

/// Height of the row under a plot `width` points wide: one line, or two where the class key and
/// the hints cannot share one. It depends on the width alone, so that the plot keeps its size
/// whatever the row shows.
pub fn key_row_height(width: f32) -> f32 {
    if width >= 640.0 {
        KEY_LINE + 4.0
    } else {
        2.0 * KEY_LINE + 4.0
    }
}

/// The caption of small multiples: what the shade shows, once for every plot.
pub fn shared_caption_ui(
    ui: &mut egui::Ui,
    grid: &DecisionGrid,
    view: &DataView<'_>,
    settings: &Settings,
) {
    let axes = axis_features(settings, view.dataset.n_features());
    caption_ui(ui, grid, view, axes, true);
}

/// The key under small multiples: how to read and edit the points, once for every plot.
pub fn shared_key_ui(
    ui: &mut egui::Ui,
    grid: &DecisionGrid,
    view: &DataView<'_>,
    settings: &Settings,
    explaining: bool,
) {
    let editable = view.dataset.n_features() == 2 && view.is_classification();
    let hint = if explaining {
        KeyHint::Explain
    } else if editable {
        KeyHint::Edit
    } else {
        KeyHint::None
    };
    key_row_ui(ui, grid, view, settings, hint);
}

/// The ring around misclassified points: a red that stands apart from the class colours.
pub fn wrong_color(dark: bool) -> Color32 {
    if dark {
        Color32::from_rgb(255, 64, 64)
    } else {
        Color32::from_rgb(200, 0, 0)
    }
}

/// What a click on the plot does, as the key row says.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum KeyHint {
    /// Nothing (a picture, or data one cannot add to).
    None,
    /// Add (click) and erase (right-click) points.
    Edit,
    /// Pick a point to explain.
    Explain,
}

/// The data set's row whose point (on the plot's features) is nearest `at`, within 5 % of the
/// plot's diagonal (distances measured in plot fractions, so both axes count alike); test rows
/// only while shown.
fn nearest_row(
    view: &DataView<'_>,
    settings: &Settings,
    (xf, yf): (usize, usize),
    at: [f64; 2],
    bounds: &PlaneBounds,
) -> Option<usize> {
    let (w, h) = (bounds.x.1 - bounds.x.0, bounds.y.1 - bounds.y.0);
    let features = &view.dataset.features;
    let test = settings.show_test.then_some(&view.prepared.test_rows[..]);
    view.prepared
        .train_rows
        .iter()
        .chain(test.into_iter().flatten())
        .copied()
        .filter(|&r| r < features.rows())
        .map(|r| {
            let dx = (features.get(r, xf) - at[0]) / w;
            let dy = (features.get(r, yf) - at[1]) / h;
            (r, dx * dx + dy * dy)
        })
        .filter(|&(_, d)| d <= 0.05 * 0.05 * 2.0)
        .min_by(|a, b| a.1.total_cmp(&b.1))
        .map(|(r, _)| r)
}

/// The row under the plot: the colour bar (named) when the shade is a value, else the classes'
/// colours, in label order (the order of the confusion matrices), and how to read and edit the
/// points.
fn key_row_ui(
    ui: &mut egui::Ui,
    grid: &DecisionGrid,
    view: &DataView<'_>,
    settings: &Settings,
    hint: KeyHint,
) {
    let width = ui.available_width();
    let (rect, _) = ui.allocate_exact_size(
        egui::vec2(width, key_row_height(width)),
        egui::Sense::hover(),
    );
    let two_lines = key_row_height(width) > KEY_LINE + 4.0;
    let mut row = ui.new_child(
        egui::UiBuilder::new()
            .max_rect(rect)
            .layout(egui::Layout::top_down(egui::Align::Min)),
    );
    let ui = &mut row;
    ui.spacing_mut().interact_size.y = KEY_LINE;
    ui.spacing_mut().item_spacing.y = 0.0;
    let line = |ui: &mut egui::Ui, add: &mut dyn FnMut(&mut egui::Ui)| {
        ui.allocate_ui_with_layout(
            egui::vec2(ui.available_width(), KEY_LINE),
            egui::Layout::left_to_right(egui::Align::Center),
            |ui| add(ui),
        );
    };
    if let Some((lo, hi)) = grid.value_range {
        let name = match grid.shading {
            Some(Shading::Unit(layer, unit)) => {
                format!("activation of unit {} in layer {}", unit + 1, layer + 1)
            }
            _ => format!("predicted {}", view.dataset.target_name),
        };
        line(ui, &mut |ui| colour_bar_ui(ui, &name, lo, hi));
        return;
    }
    let mut parts = vec!["filled: training".to_owned()];
    if settings.show_test && !view.prepared.test_rows.is_empty() {
        parts.push("hollow: test".to_owned());
    }
    match hint {
        KeyHint::Edit => {
            if let Some(class) = view.dataset.class_names().get(settings.click_class) {
                parts.push(format!("click: add {class} · right-click: erase"));
            }
        }
        KeyHint::Explain => parts.push("click a point: explain its row".to_owned()),
        KeyHint::None => {}
    }
    let hint = parts.join(" · ");
    // Each line at most one line high: cut short (with the whole text on hover) where it does
    // not fit.
    let mut hint_ui = |ui: &mut egui::Ui| {
        ui.add(egui::Label::new(egui::RichText::new(&hint).weak()).truncate())
            .on_hover_text(format!("{hint}\nShift-click erases a point too"));
    };
    let classes = view.dataset.class_names();
    line(ui, &mut |ui| {
        for (k, class) in classes.iter().enumerate() {
            class_swatch_ui(ui, k, class);
        }
        if !two_lines {
            hint_ui(ui);
        }
    });
    if two_lines {
        line(ui, &mut hint_ui);
    }
}

/// One class in the key: its colour as a point, and its name.
fn class_swatch_ui(ui: &mut egui::Ui, k: usize, class: &str) {
    ui.horizontal(|ui| {
        ui.spacing_mut().item_spacing.x = 4.0;
        let (rect, _) = ui.allocate_exact_size(egui::vec2(10.0, 10.0), egui::Sense::hover());
        ui.painter()
            .circle_filled(rect.center(), 4.0, class_color(k));
        ui.label(class);
    });
}

/// The line above the plot: what is shaded, the slice, the sample.
fn caption_ui(
    ui: &mut egui::Ui,
    grid: &DecisionGrid,
    view: &DataView<'_>,
    axes: (usize, usize),
    current: bool,
) {
    let data = &view.dataset;
    let mut parts = Vec::new();
    if !current {
        parts.push("drawing the new network's regions…".to_owned());
    }
    match grid.shading {
        Some(Shading::Unit(layer, unit)) => parts.push(format!(
            "Shading: activation of hidden unit {} in layer {}",
            unit + 1,
            layer + 1
        )),
        _ if view.is_classification() => {
            parts.push("Shading: predicted class, stronger where the network is surer".to_owned());
        }
        _ => parts.push("Shading: predicted value".to_owned()),
    }
    let texts = data.text_features();
    let on_axes = |t: &crate::data::TextFeature| {
        t.features.contains(&Some(axes.0)) || t.features.contains(&Some(axes.1))
    };
    // A text column off the axes is named by its level (`colour = red`), not by its 0/1 columns.
    let mut held: Vec<String> = texts
        .iter()
        .filter(|t| !on_axes(t))
        .map(|t| {
            let level = t
                .level_of(view.slice)
                .and_then(|i| t.levels.get(i))
                .map_or("(mixed)", String::as_str);
            format!("{} = {level}", t.column)
        })
        .collect();
    let in_text = |j: usize| {
        texts
            .iter()
            .any(|t| !on_axes(t) && t.features.contains(&Some(j)))
    };
    held.extend(
        (0..data.n_features())
            .filter(|&j| j != axes.0 && j != axes.1 && !in_text(j))
            .map(|j| {
                format!(
                    "{} = {}",
                    data.feature_names.get(j).map_or("?", String::as_str),
                    format_number(view.slice.get(j).copied().unwrap_or(0.0))
                )
            }),
    );
    if !held.is_empty() {
        parts.push(format!("slice at {}", held.join(", ")));
    }
    let n = view.prepared.train_rows.len() + view.prepared.test_rows.len();
    if view.prepared.train_rows.len() > MAX_DRAWN_POINTS {
        parts.push(format!(
            "drawing an even sample of {MAX_DRAWN_POINTS} of {n} points"
        ));
    }
    if let Some(problem) = &grid.problem {
        parts.push(format!("grid: {problem}"));
    }
    ui.label(parts.join(" · "));
}

/// A horizontal colour bar from `lo` to `hi`, named.
fn colour_bar_ui(ui: &mut egui::Ui, name: &str, lo: f64, hi: f64) {
    let tick = |v: f64| super::curves::format_tick(v, (hi - lo).abs() / 100.0);
    ui.horizontal(|ui| {
        ui.label(format!("{name}:"));
        ui.label(tick(lo));
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
        ui.label(tick(hi));
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(bounds: (f64, f64), step: f64) -> usize {
        let marks = super::super::curves::marks_every(bounds, step, false);
        // Every mark is a labelled one: no finer marks for egui_plot to label between them.
        assert!(marks.iter().all(|m| m.step_size == step));
        marks.len()
    }

    #[test]
    fn a_small_square_plane_gets_several_labels_on_each_axis_at_one_step() {
        // The circle and the two Gaussians: about −1.5…1.5 on both axes.
        for size in [egui::vec2(250.0, 220.0), egui::vec2(900.0, 600.0)] {
            let bounds = PlaneBounds {
                x: (-1.6, 1.6),
                y: (-1.5, 1.5),
            };
            let (x, y) = plane_steps(&bounds, size);
            assert_eq!(x, y, "the same step across and up at {size:?}");
            assert!(labels(bounds.x, x) >= 3, "{x} at {size:?}");
            assert!(labels(bounds.y, y) >= 3, "{y} at {size:?}");
        }
    }

    #[test]
    fn ranges_far_apart_get_a_step_each() {
        let bounds = PlaneBounds {
            x: (0.0, 1000.0),
            y: (0.0, 1.0),
        };
        let (x, y) = plane_steps(&bounds, egui::vec2(400.0, 300.0));
        assert!(x > 50.0 * y);
        assert!(labels(bounds.x, x) >= 3 && labels(bounds.y, y) >= 3);
    }
}
